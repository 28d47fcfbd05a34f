"""The category audit: llama_logs distributions, failure spikes, legacy rows and the backfill rule, as data and figures."""

from .figures import audit_figures, write_html
from .tables import AuditFilter, backfill_rules, distribution, failure_rate, legacy_share

__all__ = ["AuditFilter", "audit_figures", "backfill_rules", "distribution", "failure_rate", "legacy_share", "write_html"]
