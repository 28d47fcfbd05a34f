"""``llamaforensics audit``: how llama_logs rows are distributed, where failures spike, what the backfill did."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..cli import print_text

HELP = "category audit: log rows by time, category, operation, source, status, trigger, entity, user; figures"
DESCRIPTION = """\
Count llama_logs rows by time bucket and any of: category, operation, status,
source, triggered_by, entity_type, user. Without --by: rows per bucket and
category, the failure rate per bucket with spikes flagged, rows with and
without root_job_id, and the rename-day backfill rule re-applied (how many rows
each rule produced, and which it probably mislabelled).

--html writes every figure into one page; --png renders it (headless Chromium).
"""
EPILOG = """\
examples:
  llamaforensics audit                                       summary tables of the demo snapshot
  llamaforensics audit --by operation --by category --bucket month
  llamaforensics audit --since 2026-01-01 --category FAILED --by source
  llamaforensics audit --snapshot prod.duckdb --html audit.html
  llamaforensics audit --lake lake/ --engine spark --by operation --json
"""


def register(commands, formatter) -> None:
    from ..audit.dimensions import BUCKETS, DIMENSIONS
    from ..cli import lake_arguments, snapshot_argument

    p = commands.add_parser("audit", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    snapshot_argument(p)
    lake_arguments(p)
    p.add_argument("--by", action="append", choices=list(DIMENSIONS), metavar="DIM",
                   help=f"group by this dimension (repeatable): {', '.join(DIMENSIONS)}")
    p.add_argument("--bucket", choices=BUCKETS, default="week", help="time bucket (default: week)")
    p.add_argument("--no-time", action="store_true", help="no time buckets: totals per group")
    p.add_argument("--since", type=datetime.fromisoformat, metavar="DATE", help="only rows from this time on")
    p.add_argument("--until", type=datetime.fromisoformat, metavar="DATE", help="only rows before this time")
    p.add_argument("--category", action="append", metavar="C", help="only these categories (repeatable)")
    p.add_argument("--operation", action="append", metavar="OP", help="only these operations (repeatable)")
    p.add_argument("--source", action="append", metavar="S", help="only rows naming these sources (repeatable)")
    p.add_argument("--html", type=Path, metavar="FILE", help="write every audit figure into one HTML page")
    p.add_argument("--png", type=Path, metavar="FILE", help="write the categories-over-time figure as PNG")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..audit import AuditFilter, audit_figures, backfill_rules, distribution, failure_rate, write_html
    from ..cli import print_json
    from ..outfile import written

    where = AuditFilter(args.since, args.until, _tuple(args.category), _tuple(args.operation), _tuple(args.source))
    bucket = None if args.no_time else args.bucket
    con = _open(args)
    try:
        tables = {"distribution": distribution(con, tuple(args.by or ("category",)), bucket, where)}
        if not args.by:
            tables["failure_rate"] = failure_rate(con, args.bucket, where)
            tables["backfill_rule"] = backfill_rules(con, where)
        if args.html or args.png:
            figures = audit_figures(con, args.bucket, where)
            if args.html:
                with written(args.html) as partial:
                    write_html(figures, partial)
            if args.png:
                from ..audit.render import figure_png

                figure_png(figures["categories_over_time"], args.png)
    finally:
        con.close()
    if args.json:
        print_json({name: frame.to_dicts() for name, frame in tables.items()})
    else:
        import polars as pl

        with pl.Config(tbl_rows=60, tbl_width_chars=160, fmt_str_lengths=60):
            for name, frame in tables.items():
                print_text(f"{name}:\n{frame}\n")
    return 0


def _open(args):
    """Open what the audit reads: a snapshot file, a lake with DuckDB, or a lake on Spark."""
    from ..cli import check_lake_arguments

    check_lake_arguments(args)
    if not args.lake:
        from ..snapshot import open_snapshot

        return open_snapshot(args.snapshot)
    if args.engine == "duckdb":
        from ..lake import open_lake

        return open_lake(args.lake)
    from ..lake.analysis import open_spark_lake

    return open_spark_lake(args.lake, master=args.spark_master)


def _tuple(values):
    return tuple(values) if values else None
