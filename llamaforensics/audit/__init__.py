"""The category audit: llama_logs distributions, failure spikes, legacy rows and the backfill rule.

``audit.tables`` computes them as data (``AuditFilter``, ``distribution``,
``failure_rate``, ``legacy_share``, ``backfill_rules``); ``audit.figures`` draws
them (``audit_figures``, ``write_html``); ``audit.table_files`` and ``audit.render``
write them out. Import from those modules: the command line's help needs only
``audit.dimensions``, not polars and plotly.
"""
