"""``llamaforensics findings``: every kind of broken album and log row in a snapshot, counted."""

from __future__ import annotations

import argparse
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from ..findings.header import SEVERITY_ORDER
from ..findings.kinds import KINDS, PARAMETERS
from .arguments import Formatter, Subcommands

HELP = "find broken albums and log rows: a health summary, or every finding of one kind"
DESCRIPTION = f"""\
Run the documented checks (llamaforensics/queries/*.sql, and the job-lineage
engine for job chains) over a snapshot. Without --kind: the health summary,
counts per kind and severity. With --kind: every finding of those kinds with
its detail and suggested fix. --by-cause groups them by origin (sync batch,
job, source, day), largest first. Time-based checks are measured against the
snapshot's own time, not today. Kind, severity and source names match ignoring
case; --source and --since/--until select by a finding's origin (the row that
created its album, or the log row itself).

{textwrap.fill("kinds: " + ", ".join(KINDS), 80, break_on_hyphens=False)}
severities: {", ".join(SEVERITY_ORDER)} (also spelt high, medium, low)

exit codes: 0 done (and nothing matched --fail-on); 3 findings matched
--fail-on; 2 usage or input error; 1 any other error.
"""
EPILOG = """\
examples:
  llamaforensics findings                                   health summary of the demo snapshot
  llamaforensics findings --kind trackless_album            every trackless album and its cause
  llamaforensics findings --by-cause --limit 10             the ten largest groups of one origin
  llamaforensics findings --kind trackless_album --format csv -o trackless.csv
  llamaforensics findings --dsn postgresql://me@db/app --new-since-refresh --fail-on warning
  llamaforensics findings --snapshot prod.duckdb --json | jq '.kinds[] | {kind, count}'
"""
SHOW = 50

EXIT_FAIL_ON = 3


def register(commands: Subcommands, formatter: Formatter) -> None:
    from ..table_output import FORMATS
    from .arguments import lake_arguments, source_arguments

    p = commands.add_parser(
        "findings", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    source_arguments(p)
    lake_arguments(p)
    p.add_argument("--kind", action="append", metavar="K", help="only this kind (repeatable)")
    p.add_argument("--severity", metavar="S", help="only this severity and worse")
    p.add_argument(
        "--source", action="append", metavar="S", help="only findings of this origin source"
    )
    p.add_argument(
        "--since", type=datetime.fromisoformat, metavar="DATE", help="origin on or after DATE"
    )
    p.add_argument(
        "--until", type=datetime.fromisoformat, metavar="DATE", help="origin before DATE"
    )
    p.add_argument(
        "--new-since-refresh",
        action="store_true",
        help="only findings the refresh before did not have (all, with no earlier refresh)",
    )
    p.add_argument("--by-cause", action="store_true", help="group by origin, largest group first")
    p.add_argument(
        "--fail-on",
        metavar="SEVERITY|KIND",
        help=f"exit {EXIT_FAIL_ON} if a finding of this severity (or worse) or kind is shown",
    )
    p.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument(
        "--limit",
        type=int,
        default=SHOW,
        metavar="N",
        help=f"rows shown in a table (default: {SHOW})",
    )
    for name, parameter in PARAMETERS.items():
        kind = next(k for k in KINDS.values() if parameter in k.parameters)
        p.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=parameter.default,
            metavar="N",
            help=f"{kind.name}: {parameter.meaning} (default: {parameter.default})",
        )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..findings.kinds import Thresholds
    from ..findings.select import FindingFilter, checked_fail_on, fail_on, select_findings
    from ..table_output import check_format
    from .arguments import check_lake_arguments, open_source

    check_lake_arguments(args)
    fmt = "json" if args.json else args.format
    check_format(fmt, args.out)
    if args.fail_on:
        checked_fail_on(args.fail_on)  # a typo fails before the work, not after
    thresholds = Thresholds(**{name: getattr(args, name) for name in PARAMETERS})
    where = FindingFilter(
        _tuple(args.kind),
        args.severity,
        _tuple(args.source),
        args.since,
        args.until,
        args.new_since_refresh,
    )
    if args.lake:
        frames = _lake_frames(args, where, thresholds)
        failing = fail_on(frames, args.fail_on) if args.fail_on else []
        _show(None, frames, args, fmt)
    else:
        con = open_source(args, machine=fmt != "table")
        try:
            frames = select_findings(con, where, thresholds)
            failing = fail_on(frames, args.fail_on) if args.fail_on else []
            _show(con, frames, args, fmt)
        finally:
            con.close()
    if failing:
        count = sum(frames[k].height for k in failing)
        print(
            f"llamaforensics: {count:,} findings matched --fail-on {args.fail_on} "
            f"({', '.join(failing)}): exit {EXIT_FAIL_ON}",
            file=sys.stderr,
        )
    return EXIT_FAIL_ON if failing else 0


def _show(con, frames, args, fmt: str) -> None:
    from . import findings_output as output

    if args.by_cause:
        output.show_causes(con, frames, fmt, args.out, args.limit)
    elif (
        fmt in ("csv", "parquet") or (fmt == "table" and args.kind) or (fmt == "json" and args.kind)
    ):
        output.show_rows(frames, fmt, args.out, args.limit)
    else:
        output.show_summary(frames, fmt, args.out)


def _lake_frames(args, where, thresholds):
    """Run the findings on a Parquet lake (here or on Spark): kind and severity filters only."""
    from ..engines.analysis import lake_findings
    from ..errors import UsageError
    from ..findings.run import checked_kinds
    from ..findings.select import SEVERITY_ALIASES

    if args.dsn or where.needs_origins() or where.new_since_refresh or args.by_cause:
        raise UsageError(
            "with --lake only --kind, --severity and --fail-on select findings; "
            "--dsn, --source, --since, --until, --new-since-refresh and --by-cause "
            "read a snapshot"
        )
    kinds = checked_kinds(where.kinds)
    if where.severity:
        from ..choices import checked

        named = SEVERITY_ALIASES.get(where.severity.casefold(), where.severity)
        worst = SEVERITY_ORDER[checked([named], SEVERITY_ORDER, "severity")[0]]
        kinds = [k for k in kinds if SEVERITY_ORDER[KINDS[k].severity] <= worst]
    return lake_findings(args.lake, kinds, thresholds, engine=args.engine, master=args.spark_master)


def _tuple(values):
    return tuple(values) if values else None
