"""llamaforensics: forensic analysis and repair of a music catalog's llama_logs audit trail."""

__version__ = "0.1.0"
