"""``llamaforensics findings``: every kind of broken album and log row in a snapshot, counted and shown."""

from __future__ import annotations

from ..cli import print_text

HELP = "find broken albums and log rows: a health summary, or every finding of one kind"
DESCRIPTION = """\
Run the documented checks (llamaforensics/queries/*.sql, and the job-lineage
engine for job chains) over a snapshot. Without --kind: the health summary,
counts per kind and severity with the first offenders. With --kind: every
finding of those kinds with its detail and suggested fix. Time-based checks are
measured against the snapshot's own time, not today.

kinds: trackless_album, track_count_mismatch, artistless_album,
missing_external_id, no_created_log, late_first_log, stuck_enrichment,
failing_enrichment, duplicate_album, null_root_job_id, wrong_root_job_id,
broken_parent_chain, looping_parent_chain, multi_parent_job, dangling_entity_id,
mislabelled_category, impossible_log_time
"""
EPILOG = """\
examples:
  llamaforensics findings                                   health summary of the demo snapshot
  llamaforensics findings --kind trackless_album            every trackless album and its cause
  llamaforensics findings --snapshot prod.duckdb --json | jq '.kinds[] | {kind, count}'
  llamaforensics findings --kind stuck_enrichment --stuck-days 30
  llamaforensics findings --lake lake/ --engine spark --json
"""
SHOW = 50


def register(commands, formatter) -> None:
    from ..cli import lake_arguments, snapshot_argument

    p = commands.add_parser("findings", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    snapshot_argument(p)
    lake_arguments(p)
    p.add_argument("--kind", action="append", metavar="K", help="only this kind (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--stuck-days", type=int, default=7, metavar="N", help="stuck_enrichment threshold (default: 7)")
    p.add_argument("--late-hours", type=int, default=24, metavar="N", help="late_first_log threshold (default: 24)")
    p.add_argument("--min-failures", type=int, default=3, metavar="N", help="failing_enrichment threshold (default: 3)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..cli import check_lake_arguments, print_json
    from ..findings import Thresholds, health_summary, run_findings, to_findings
    from ..snapshot import open_snapshot

    check_lake_arguments(args)
    thresholds = Thresholds(stuck_days=args.stuck_days, late_hours=args.late_hours, min_failures=args.min_failures)
    if args.lake:
        from ..lake.analysis import lake_findings

        frames = lake_findings(args.lake, args.kind, thresholds, engine=args.engine,
                               master=args.spark_master)
    else:
        con = open_snapshot(args.snapshot)
        try:
            frames = run_findings(con, args.kind, thresholds)
        finally:
            con.close()
    if args.kind:
        found = to_findings(frames)
        if args.json:
            print_json([f.to_dict() for f in found])
        else:
            print_text(describe_findings(found))
    else:
        summary = health_summary(frames)
        print_json(summary) if args.json else print_text(describe_summary(summary))
    return 0


def describe_summary(summary: dict) -> str:
    sev = summary["by_severity"]
    lines = [f"{summary['total']:,} findings: {sev['critical']:,} critical, {sev['warning']:,} warning, {sev['info']:,} info", ""]
    for k in summary["kinds"]:
        lines.append(f"{k['severity']:<9}{k['kind']:<24}{k['count']:>8,}  {k['summary']} (fix: {k['suggested_fix']})")
        for o in k["top"]:
            label = repr(o["title"]) if o["title"] is not None else o["entity_id"]
            lines.append(f"{'':<33}{label[:60]}  {o['detail'][:70]}")
    return "\n".join(lines)


def describe_findings(found) -> str:
    lines = [f"{len(found):,} findings"]
    for f in found[:SHOW]:
        label = repr(f.title) if f.title is not None else ""
        facts = ", ".join(f"{k}={v}" for k, v in f.detail.items())
        lines.append(f"{f.severity:<9}{f.kind:<22}{f.entity_id}  {label[:50]}  {facts[:90]}  -> {f.suggested_fix}")
    if len(found) > SHOW:
        lines.append(f"... {len(found) - SHOW:,} more (use --json for all)")
    return "\n".join(lines)
