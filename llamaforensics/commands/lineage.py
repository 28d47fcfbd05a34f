"""``llamaforensics lineage``: the job tree of a job or an album, or the health of every chain."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .arguments import Formatter, Subcommands

if TYPE_CHECKING:
    import networkx as nx

    from ..lineage.outline import Window
from .output import print_text

HELP = (
    "job lineage: the tree of a job or an album, or (--check) every broken, looping or "
    "mis-rooted chain"
)
DESCRIPTION = """\
Jobs are llama_logs.job_id values (several rows may share one); each names its
parent in parent_job_id and, sometimes, its root in root_job_id. Roots are
inferred here by walking parents with no depth limit: a loop is reported as a
loop, a parent that no row has as a break (the highest job reached is the root).

With JOB_OR_ALBUM: the tree of that job (its root and everything under it), or
of the album (every job that touched it, its tracks or its artists, with their
ancestors and children), printed as an indented tree. A large tree is shown by
its first 40 and last 20 entries, its size and depth stated and the middle
elided; --range START:END shows other entries. --html draws the shown jobs,
--graphml exports the whole tree. A job whose rows name two parents is shown
under both. With --check: counts of every chain problem over the whole log, and
where the upstream backfill (depth limit 10, joined on job_id) got roots wrong.
"""
EPILOG = """\
examples:
  llamaforensics lineage --check                       problems over the whole log
  llamaforensics lineage 1003400                       the tree of job 1003400
  llamaforensics lineage deep-0 --range 5000:5100      entries 5,000 to 5,099 of a deep chain
  llamaforensics lineage "restless roads" --html tree.html --graphml tree.graphml
"""


def register(commands: Subcommands, formatter: Formatter) -> None:
    from .arguments import source_arguments

    p = commands.add_parser(
        "lineage", help=HELP, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter
    )
    p.add_argument(
        "target",
        metavar="JOB_OR_ALBUM",
        nargs="?",
        help="a job id, or an album (id, external id, title)",
    )
    source_arguments(p)
    p.add_argument("--check", action="store_true", help="report chain problems over the whole log")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--html",
        metavar="FILE",
        type=Path,
        help="write the shown jobs as an interactive plotly page",
    )
    p.add_argument(
        "--graphml", metavar="FILE", type=Path, help="write the whole tree as GraphML (streamed)"
    )
    p.add_argument(
        "--range",
        metavar="START:END",
        help="show these outline positions (END excluded), not the first and last jobs",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from .arguments import open_source

    if not args.check and not args.target:
        raise UsageError("give a job id or an album, or --check")
    con = open_source(args, machine=args.json)
    try:
        return _check(con, args) if args.check else _tree(con, args)
    finally:
        con.close()


def _check(con, args) -> int:
    from ..lineage import check_roots, compare_with_upstream, cycles
    from ..lineage.roots import CHAIN_PROBLEMS
    from .output import print_json

    problems = check_roots(con)
    counted = dict(problems.group_by("problem").len().iter_rows())
    problem_counts = {name: counted.get(name, 0) for name in CHAIN_PROBLEMS}
    loops = cycles(con)
    upstream = compare_with_upstream(con)
    wrong = dict(upstream.group_by("why").len().sort("why").iter_rows())
    if args.json:
        print_json({"problems": problem_counts, "loops": loops, "upstream_backfill_wrong": wrong})
        return 0
    print_text("job-chain problems (log rows):")
    for name, n in problem_counts.items():
        print_text(f"  {name:<18}{n:>10,}")
    print_text(f"loops: {len(loops)}" + "".join(f"\n  {_loop_text(c)}" for c in loops[:10]))
    print_text("rows the upstream backfill (depth 10, joined on job_id) roots differently:")
    for why, n in wrong.items():
        print_text(f"  {n:>8,}  {why}")
    return 0


SHOWN_LOOP_JOBS = 8  # a loop of 100,000 jobs is one line, not 100,000 ids


def _loop_text(loop: list[str]) -> str:
    shown = " -> ".join(loop[:SHOWN_LOOP_JOBS])
    if len(loop) > SHOWN_LOOP_JOBS:
        return f"{shown} -> ... ({len(loop):,} jobs in the loop) -> {loop[0]}"
    return f"{shown} -> {loop[0]}"


def _tree(con, args) -> int:
    from ..lineage.graph_figure import lineage_figure
    from ..lineage.graphml import to_graphml
    from ..lineage.outline import drawable, outline, parse_range, window
    from ..outfile import written

    shown_range = parse_range(args.range) if args.range else None
    graph, title = _graph_of(con, args.target)
    if args.graphml:
        with written(args.graphml) as partial:
            to_graphml(graph, partial, con)
    shown = window(outline(graph), shown_range)
    if args.html:
        with written(args.html) as partial:
            figure = lineage_figure(*drawable(con, graph, shown, title))
            figure.write_html(partial, include_plotlyjs=True)
    if args.json:
        _print_json(graph, title, shown)
    else:
        for line in describe(graph, title, shown):
            print_text(line)
    from ..terminal import announce_written

    for path in (p for p in (args.graphml, args.html) if p):
        announce_written(path, machine=args.json)
    return 0


def _graph_of(con, target: str):
    """Return the graph of the job ``target`` names, else of the album it names; and its title."""
    from ..lineage.graph import album_lineage, job_lineage

    is_job = con.execute(
        "SELECT count(*) FROM llama_logs WHERE job_id = $j", {"j": target}
    ).fetchone()[0]
    if is_job:
        return job_lineage(con, target), f"job {target}"
    from ..dossier import AlbumNotFound, resolve_album

    try:
        album_id, candidates = resolve_album(con, target)
    except AlbumNotFound:
        raise AlbumNotFound(
            f"no job and no album matches {target!r} (tried job ids, album ids, "
            "external ids and titles)"
        ) from None
    return album_lineage(con, album_id), f"album {candidates['title'][0]!r}"


def _print_json(graph, title: str, shown) -> None:
    from .output import print_json

    jobs = shown.jobs
    print_json(
        {
            "title": title,
            "jobs_total": graph.number_of_nodes(),
            "depth": shown.deepest,
            "elided": list(shown.elided) if shown.elided else None,
            "outline": [
                {"position": e.position, "job": e.job, "depth": e.depth, "again": e.again}
                for e in shown.entries
            ],
            "jobs": {j: dict(graph.nodes[j]) for j in jobs},
            "edges": [list(edge) for edge in graph.edges(jobs) if edge[1] in graph],
        }
    )


MAX_INDENT = 20  # deeper entries state their depth instead of indenting further: lines stay short
MAX_OPERATIONS = 4


def describe(graph: nx.DiGraph, title: str, shown: Window | None = None) -> Iterator[str]:
    """Yield the shown window of the graph's outline as lines; the header states jobs and depth."""
    from ..lineage.outline import outline, window
    from ..printable import printable

    shown = shown or window(outline(graph))
    yield (
        f"{printable(title)}: {graph.number_of_nodes():,} jobs, "
        f"{shown.total:,} outline entries, "
        f"deepest {shown.deepest:,} below the top"
    )
    for entry in shown.entries:
        if shown.elided and entry.position == shown.elided[1]:
            start, end = shown.elided
            yield (
                f"  ... {end - start:,} entries not shown (positions {start:,} to {end - 1:,}); "
                f"see them with --range {start}:{end}"
            )
        yield _entry_line(graph, entry)


def _entry_line(graph, entry) -> str:
    from ..printable import printable

    indent = "  " * (1 + min(entry.depth, MAX_INDENT))
    if entry.depth > MAX_INDENT:
        indent += f"[depth {entry.depth:,}] "
    job = printable(entry.job) if entry.job else "(empty job id)"
    if entry.again == "loop":
        return f"{indent}{job} ... (loop: an ancestor of itself here)"
    if entry.again == "shown":
        return f"{indent}{job} ... (shown above, under its other parent: the job names two parents)"
    data = graph.nodes[entry.job]
    parents = [p for p in graph.successors(entry.job) if p != entry.job]
    marks = " (missing: no row has this job)" if data.get("missing") else ""
    marks += " FAILED" if data.get("failed") else ""
    if len(parents) > 1:
        marks += f" (parents: {', '.join(printable(p) for p in sorted(parents, key=str))})"
    when = f"{_when(data['first_at'])} " if data.get("first_at") is not None else ""
    operations = data.get("operations", [])
    ops = ", ".join(printable(o) for o in operations[:MAX_OPERATIONS])
    ops += f", +{len(operations) - MAX_OPERATIONS}" if len(operations) > MAX_OPERATIONS else ""
    return f"{indent}{when}{job}  [{ops}] {data.get('row_count', 0):,} rows{marks}"


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if hasattr(value, "strftime") else str(value)
