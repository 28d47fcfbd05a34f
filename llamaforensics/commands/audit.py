"""``llamaforensics audit``: how log rows are spread, where failures spike, what backfill did."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from .arguments import Formatter, Subcommands

HELP = (
    "category audit: log rows by time, category, operation, source, status, trigger, entity, "
    "user; figures"
)
DESCRIPTION = """\
Count llama_logs rows by time bucket and any of: category, operation, status,
source, triggered_by, entity_type, user. Without --by: rows per bucket and
category, the failure rate per bucket with spikes flagged, and the rename-day
backfill rule re-applied (how many rows each rule produced, and which it
probably mislabelled). Category, operation and source names match ignoring
case; one the log does not have stops the command with a suggestion.

--format csv|parquet writes one table (--table, default distribution);
--export DIR writes the table behind every figure as Parquet; --html writes
every figure into one page; --png renders one (headless Chromium).
"""
EPILOG = """\
examples:
  llamaforensics audit                                       summary tables of the demo snapshot
  llamaforensics audit --by operation --by category --bucket month --limit 20
  llamaforensics audit --since 2026-01-01 --category FAILED --by source
  llamaforensics audit --table failure_rate --format csv -o failures.csv
  llamaforensics audit --snapshot prod.duckdb --html audit.html --export audit-tables
"""
TABLES = ("distribution", "failure_rate", "backfill_rule")
SHOW = 40


def register(commands: Subcommands, formatter: Formatter) -> None:
    from ..audit.dimensions import BUCKETS, DIMENSIONS
    from ..table_output import FORMATS
    from .arguments import lake_arguments, source_arguments

    p = commands.add_parser(
        "audit", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    source_arguments(p)
    lake_arguments(p)
    p.add_argument(
        "--by",
        action="append",
        choices=list(DIMENSIONS),
        metavar="DIM",
        help=f"group by this dimension (repeatable): {', '.join(DIMENSIONS)}",
    )
    p.add_argument("--bucket", choices=BUCKETS, default="week", help="time bucket (default: week)")
    p.add_argument("--no-time", action="store_true", help="no time buckets: totals per group")
    p.add_argument(
        "--since", type=datetime.fromisoformat, metavar="DATE", help="only rows from this time on"
    )
    p.add_argument(
        "--until", type=datetime.fromisoformat, metavar="DATE", help="only rows before this time"
    )
    p.add_argument(
        "--category", action="append", metavar="C", help="only these categories (repeatable)"
    )
    p.add_argument(
        "--operation", action="append", metavar="OP", help="only these operations (repeatable)"
    )
    p.add_argument(
        "--source", action="append", metavar="S", help="only rows naming these sources (repeatable)"
    )
    p.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--table",
        choices=TABLES,
        default="distribution",
        help="the table --format csv|parquet writes (default: distribution)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=SHOW,
        metavar="N",
        help=f"rows shown per table (default: {SHOW})",
    )
    p.add_argument(
        "--export", type=Path, metavar="DIR", help="write the table behind every figure as Parquet"
    )
    p.add_argument(
        "--html", type=Path, metavar="FILE", help="write every audit figure into one HTML page"
    )
    p.add_argument(
        "--png", type=Path, metavar="FILE", help="write the categories-over-time figure as PNG"
    )
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..audit.table_files import checked_audit_filter
    from ..audit.tables import AuditFilter, backfill_rules, distribution, failure_rate
    from ..table_output import check_format

    fmt = "json" if args.json else args.format
    check_format(fmt, args.out)
    where = AuditFilter(
        args.since, args.until, _tuple(args.category), _tuple(args.operation), _tuple(args.source)
    )
    bucket = None if args.no_time else args.bucket
    con = _open(args, fmt)
    try:
        if not args.lake:  # a lake's values are strings, not the snapshot's enums: not listed here
            where = checked_audit_filter(con, where)
        tables = {"distribution": distribution(con, tuple(args.by or ("category",)), bucket, where)}
        if not args.by:
            tables["failure_rate"] = failure_rate(con, args.bucket, where)
            tables["backfill_rule"] = backfill_rules(con, where)
        written = _write_files(con, args, where)
    finally:
        con.close()
    _show(tables, args, fmt)
    for path in written:
        from ..terminal import wrote

        print(wrote(path))
    return 0


def _write_files(con, args, where) -> list[Path]:
    """Write what --export, --html and --png ask for; return the paths written."""
    from ..outfile import written

    done = []
    if args.export:
        from ..audit.table_files import export_tables

        export_tables(con, args.export, args.bucket, where)
        done.append(args.export)
    if args.html or args.png:
        from ..audit.figures import audit_figures, write_html

        figures = audit_figures(con, args.bucket, where)
        if args.html:
            with written(args.html) as partial:  # whole or not at all
                write_html(figures, partial)
            done.append(args.html)
        if args.png:
            from ..audit.render import figure_png

            done.append(figure_png(figures["categories_over_time"], args.png))
    return done


def _show(tables: dict, args, fmt: str) -> None:
    from ..table_output import write_frame, write_json
    from ..terminal import print_frame, wrote

    if fmt == "table":
        for name, frame in tables.items():
            print_frame(frame, title=f"{name} ({frame.height:,} rows)", limit=args.limit)
            print()
    elif fmt == "json":  # every table, on stdout or in the file alike
        write_json({name: frame.to_dicts() for name, frame in tables.items()}, args.out)
        if args.out:
            print(wrote(args.out))
    else:
        if args.table not in tables:
            from ..errors import UsageError

            raise UsageError(
                f"--table {args.table} exists only without --by; drop --by or pick distribution"
            )
        write_frame(tables[args.table], fmt, args.out)
        if args.out:
            print(wrote(args.out))


def _open(args, fmt: str):
    """Open what the audit reads: a snapshot (or a live database's), a lake (DuckDB or Spark)."""
    from .arguments import check_lake_arguments, open_source

    check_lake_arguments(args)
    if not args.lake:
        return open_source(args, machine=fmt != "table")
    if args.dsn:
        from ..errors import UsageError

        raise UsageError("pass --dsn DSN or --lake DIR, not both")
    if args.engine == "duckdb":
        from ..lake import open_lake

        return open_lake(args.lake)
    from ..engines.analysis import open_spark_lake

    return open_spark_lake(args.lake, master=args.spark_master)


def _tuple(values):
    return tuple(values) if values else None
