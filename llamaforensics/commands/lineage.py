"""``llamaforensics lineage``: the job tree of one job or one album, or the health of every job chain."""

from __future__ import annotations

from pathlib import Path

HELP = "job lineage: the tree of a job or an album, or (--check) every broken, looping or mis-rooted chain"
DESCRIPTION = """\
Jobs are llama_logs.job_id values (several rows may share one); each names its
parent in parent_job_id and, sometimes, its root in root_job_id. Roots are
inferred here by walking parents with no depth limit: a loop is reported as a
loop, a parent that no row has as a break (the highest job reached is the root).

With JOB_OR_ALBUM: the tree of that job (its root and everything under it), or
of the album (every job that touched it, its tracks or its artists, with their
ancestors and children), printed as an indented tree; --html draws it, --graphml
exports it. With --check: counts of every chain problem over the whole log, and
where the upstream backfill (depth limit 10, joined on job_id) got roots wrong.
"""
EPILOG = """\
examples:
  llamaforensics lineage --check                       problems over the whole log
  llamaforensics lineage 1003400                       the tree of job 1003400
  llamaforensics lineage "restless roads" --html tree.html --graphml tree.graphml
"""


def register(commands, formatter) -> None:
    from ..cli import snapshot_argument

    p = commands.add_parser("lineage", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    p.add_argument("target", metavar="JOB_OR_ALBUM", nargs="?", help="a job id, or an album (id, external id, title)")
    snapshot_argument(p)
    p.add_argument("--check", action="store_true", help="report chain problems over the whole log")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--html", metavar="FILE", type=Path, help="write the tree as an interactive plotly page")
    p.add_argument("--graphml", metavar="FILE", type=Path, help="write the tree as GraphML")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..errors import UsageError
    from ..snapshot import open_snapshot

    if not args.check and not args.target:
        raise UsageError("give a job id or an album, or --check")
    con = open_snapshot(args.snapshot)
    try:
        return _check(con, args) if args.check else _tree(con, args)
    finally:
        con.close()


def _check(con, args) -> int:
    from ..cli import print_json
    from ..lineage import check_roots, compare_with_upstream, cycles

    problems = check_roots(con)
    summary = {"problems": dict(problems.group_by("problem").len().sort("problem").iter_rows()),
               "loops": cycles(con)}
    upstream = compare_with_upstream(con)
    summary["upstream_backfill_wrong"] = dict(upstream.group_by("why").len().sort("why").iter_rows())
    if args.json:
        print_json(summary)
        return 0
    print("job-chain problems (log rows):")
    for name, n in summary["problems"].items():
        print(f"  {name:<18}{n:>10,}")
    print(f"loops: {len(summary['loops'])}" + "".join(f"\n  {' -> '.join(c)} -> {c[0]}" for c in summary["loops"][:10]))
    print("rows the upstream backfill (depth 10, joined on job_id) roots differently:")
    for why, n in summary["upstream_backfill_wrong"].items():
        print(f"  {n:>8,}  {why}")
    return 0


def _tree(con, args) -> int:
    from ..cli import print_json
    from ..lineage import album_lineage, job_lineage, lineage_figure, to_graphml

    is_job = con.execute("SELECT count(*) FROM llama_logs WHERE job_id = $j", {"j": args.target}).fetchone()[0]
    if is_job:
        graph, title = job_lineage(con, args.target), f"job {args.target}"
    else:
        from ..dossier import resolve_album

        album_id, candidates = resolve_album(con, args.target)
        graph, title = album_lineage(con, album_id), f"album {candidates['title'][0]!r}"
    if args.graphml:
        to_graphml(graph, args.graphml)
    if args.html:
        lineage_figure(graph, title).write_html(args.html, include_plotlyjs=True)
    if args.json:
        print_json({"title": title, "jobs": {j: {k: v for k, v in d.items()} for j, d in graph.nodes(data=True)},
                    "edges": list(graph.edges)})
    else:
        print(describe(graph, title))
    return 0


def describe(graph, title: str) -> str:
    """Return the graph as an indented tree, roots first, children in time order."""
    lines = [f"{title}: {graph.number_of_nodes()} jobs"]
    tops = [j for j in graph.nodes if not any(p != j for p in graph.successors(j))]
    seen: set[str] = set()

    def walk(top: str) -> None:
        stack = [(top, 1)]  # iterative: chains can be far deeper than Python's recursion limit
        while stack:
            job, indent = stack.pop()
            data = graph.nodes[job]
            if job in seen:
                lines.append(f"{'  ' * indent}{job} ... (loop)")
                continue
            seen.add(job)
            mark = (" (missing: no row has this job)" if data.get("missing") else "") + (" FAILED" if data.get("failed") else "")
            when = f"{data['first_at']:%Y-%m-%d %H:%M} " if data.get("first_at") else ""
            lines.append(f"{'  ' * indent}{when}{job}  [{', '.join(data.get('operations', []))}] {len(data.get('rows', []))} rows{mark}")
            children = sorted((c for c in graph.predecessors(job) if c != job),
                              key=lambda c: (graph.nodes[c].get("first_at") is None, graph.nodes[c].get("first_at") or 0))
            stack.extend((child, indent + 1) for child in reversed(children))

    for top in sorted(tops, key=str) or sorted(graph.nodes, key=str)[:1]:
        walk(top)
    for job in sorted(set(graph.nodes) - seen, key=str):  # loops with no top
        walk(job)
    return "\n".join(lines)
