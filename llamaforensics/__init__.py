"""llamaforensics: forensic analysis and repair of a music catalog's llama_logs audit trail."""

__version__ = "0.1.0"


def open(source=None, **kwargs):  # noqa: A001 -- the workbench's one entry point, llamaforensics.open()
    """Open the notebook workbench on ``source`` (a DSN, a snapshot path, or None: $DATABASE_URL, else the demo data).

    Returns a :class:`llamaforensics.workbench.Workbench`; its methods show each widget.
    """
    from .workbench import Workbench

    return Workbench(source, **kwargs)
