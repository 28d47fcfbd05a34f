"""Draw the package's layers and the imports between them, from the code itself.

Read every module of the package with ``ast`` (imports at module level and inside
functions alike: an import inside a function is a dependency all the same), group
the modules by subpackage, put each group in its layer and write an SVG: a band
per layer, a box per group, an arrow per import between groups. An arrow that
points up, or that is part of an import circle, is drawn red. The layers are the
design (``LAYERS``); the boxes and arrows are what the code does, so the picture
shows where the two disagree. No dependency beyond the package's own (networkx).

    .venv/bin/python scripts/architecture_picture.py [--svg docs/architecture.svg]
                                                     [--table] [--all-arrows] [--check]

``--table`` prints the groups and the modules with their lines (Markdown);
``--check`` exits 1 when there is an import circle or an arrow pointing up.
"""

from __future__ import annotations

import argparse
import ast
import html
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Layer:
    name: str
    summary: str
    groups: frozenset[str]


# Bottom to top. A group is a subpackage (``repair``) or a top-level module (``errors``);
# ``__init__`` is the package root. A group not named here is placed by its imports, at
# most in the highest library layer (below the demo generator and the entry points).
LAYERS = (
    Layer(
        "foundation",
        "errors, version, paths, PostgreSQL, the app's schema, SQL files",
        frozenset("errors version home printable postgres dsn schema queries".split()),
    ),
    Layer(
        "storage",
        "the snapshot (DuckDB file) and the Parquet lake",
        frozenset("snapshot lake".split()),
    ),
    Layer(
        "analysis",
        "findings, audit, lineage, dossier, snapshot diff, the engines over a lake",
        frozenset("findings audit lineage dossier snapshot_diff engines".split()),
    ),
    Layer("repair", "corrections: plan, preview, apply, revert", frozenset({"repair"})),
    Layer("report", "the static health site", frozenset({"report"})),
    Layer("demo", "the demo generator, for the entry points", frozenset({"demo"})),
    Layer(
        "entry points",
        "CLI, notebook widgets, llamaforensics.open()",
        frozenset("cli __main__ commands workbench __init__".split()),
    ),
)
LIBRARY_TOP = [layer.name for layer in LAYERS].index("report")


@dataclass
class ModuleGraph:
    """The package's modules, their sizes and who imports whom."""

    package: str
    files: dict[str, Path]
    lines: dict[str, int] = field(default_factory=dict)
    imports: nx.DiGraph = field(default_factory=nx.DiGraph)
    imports_in_functions: int = 0
    lazy_loaders: list[str] = field(default_factory=list)
    long_lines: int = 0


def module_files(package_dir: Path) -> dict[str, Path]:
    """Map each module's dotted name to its file (a package by its ``__init__.py``)."""
    files = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def imported_modules(module: str, is_package: bool, node: ast.stmt, graph: ModuleGraph) -> set[str]:
    """Return the package's modules one import statement names.

    ``from pkg import name`` means the submodule ``pkg.name`` when there is one, else
    the package itself; a name that is no module falls back to its nearest parent.
    """
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parts = module.split(".") if is_package else module.split(".")[:-1]
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join(parts + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        while name and name not in graph.files:
            name = name.rpartition(".")[0]
        if name.split(".")[0] == graph.package and name != module:
            found.add(name)
    return found


def read_package(package_dir: Path) -> ModuleGraph:
    """Parse every module of the package and collect its imports."""
    graph = ModuleGraph(package_dir.name, module_files(package_dir))
    for module, path in graph.files.items():
        text = path.read_text(encoding="utf-8")
        graph.lines[module] = len(text.splitlines())
        graph.long_lines += sum(len(line) > 100 for line in text.splitlines())
        graph.imports.add_node(module)
        tree = ast.parse(text)
        in_function = {
            id(inner)
            for outer in ast.walk(tree)
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(outer)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            graph.imports_in_functions += id(node) in in_function
            for target in imported_modules(module, path.name == "__init__.py", node, graph):
                graph.imports.add_edge(module, target)
        if any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
            graph.lazy_loaders.append(module)
    return graph


def module_circles(graph: ModuleGraph) -> list[list[str]]:
    """Return each set of modules that import one another round in a circle."""
    return [sorted(c) for c in nx.strongly_connected_components(graph.imports) if len(c) > 1]


def group_of(module: str) -> str:
    """Return the subpackage or top-level module a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def group_imports(graph: ModuleGraph) -> nx.DiGraph:
    """Collapse module imports into imports between groups, each edge listing its modules."""
    groups = nx.DiGraph()
    groups.add_nodes_from(group_of(m) for m in graph.files)
    for source, target in graph.imports.edges:
        a, b = group_of(source), group_of(target)
        if a != b:
            if not groups.has_edge(a, b):
                groups.add_edge(a, b, via=[])
            groups.edges[a, b]["via"].append(f"{source} -> {target}")
    return groups


def place_groups(groups: nx.DiGraph) -> dict[str, int]:
    """Give every group its layer: the declared one, else the highest its imports reach."""
    declared = {g: i for i, layer in enumerate(LAYERS) for g in layer.groups}
    layer_of = {g: declared.get(g, 0) for g in groups}
    for _ in LAYERS:  # rises monotonically and is bounded: settles within len(LAYERS) rounds
        for g in sorted(set(groups) - set(declared)):
            reached = [layer_of[t] for t in groups.successors(g)]
            layer_of[g] = min(LIBRARY_TOP, max(reached, default=0))
    return layer_of


def wrong_way(groups: nx.DiGraph, layer_of: dict[str, int]) -> set[tuple[str, str]]:
    """Return the group imports that point up a layer, or across one inside a circle.

    Every circle has such an arrow: arrows down only ever lead lower, so a way back
    up must go up or stay in one layer. Blaming those, not every arrow of the circle,
    shows where the circle is to be cut.
    """
    circle_of = {g: i for i, c in enumerate(nx.strongly_connected_components(groups)) for g in c}

    def wrong(a: str, b: str) -> bool:
        across = layer_of[b] == layer_of[a] and circle_of[a] == circle_of[b]
        return layer_of[b] > layer_of[a] or across

    return {(a, b) for a, b in groups.edges if wrong(a, b)}


def drawn_arrows(
    groups: nx.DiGraph, wrong: set[tuple[str, str]], every: bool
) -> set[tuple[str, str]]:
    """Leave out the arrows a longer path of right-way arrows implies, unless asked for all.

    Without the wrong-way arrows the graph has no circle, so the reduction is defined.
    """
    if every:
        return set(groups.edges)
    right_way = nx.DiGraph(list(set(groups.edges) - wrong))
    right_way.add_nodes_from(groups)
    return set(nx.transitive_reduction(right_way).edges) | wrong


def order_rows(rows: list[list[str]], arrows: set[tuple[str, str]]) -> None:
    """Order each layer's boxes by where their neighbours stand, to uncross the arrows."""
    position: dict[str, float] = {}

    def settle(row: list[str], neighbours: dict[str, list[str]]) -> None:
        def place(g: str) -> float:
            known = [position[n] for n in neighbours[g] if n in position]
            return sum(known) / len(known) if known else position.get(g, 0.5)

        row.sort(key=lambda g: (place(g), g))
        position.update({g: (i + 0.5) / len(row) for i, g in enumerate(row)})

    below, above = defaultdict(list), defaultdict(list)
    for a, b in sorted(arrows):
        below[a].append(b)
        above[b].append(a)
    for row in rows:
        row.sort()
        position.update({g: (i + 0.5) / len(row) for i, g in enumerate(row)})
    for _ in range(3):
        for row in rows[1:]:
            settle(row, below)
        for row in reversed(rows[:-1]):
            settle(row, above)


BOX_H, BAND_PAD, BAND_GAP, BOX_GAP, LABEL_W, MARGIN, TITLE_H = 46, 16, 64, 20, 200, 20, 56
GREY, RED = "#7a7a7a", "#d62728"


def box_label(group: str, graph: ModuleGraph) -> tuple[str, str]:
    """Name the group as a path (``repair/``, ``cli.py``) and say how big it is."""
    modules = [m for m in graph.files if group_of(m) == group]
    is_package = group == "__init__" or graph.files[modules[0]].name == "__init__.py"
    title = "__init__.py" if group == "__init__" else group + ("/" if is_package else ".py")
    size = sum(graph.lines[m] for m in modules)
    plural = "s" if len(modules) > 1 else ""
    return title, f"{len(modules)} module{plural}, {size:,} lines"


def draw_svg(graph: ModuleGraph, groups: nx.DiGraph, every_arrow: bool) -> str:
    """Return the picture: a band per layer, a box per group, an arrow per import."""
    layer_of = place_groups(groups)
    wrong = wrong_way(groups, layer_of)
    arrows = drawn_arrows(groups, wrong, every_arrow)
    rows = [sorted(g for g in groups if layer_of[g] == i) for i in range(len(LAYERS))]
    order_rows(rows, arrows)

    labels = {g: box_label(g, graph) for g in groups}
    width_of = {g: max(len(t) * 8.2, len(s) * 6.3) + 20 for g, (t, s) in labels.items()}
    row_width = [sum(width_of[g] for g in row) + BOX_GAP * max(len(row) - 1, 0) for row in rows]
    inner = max(row_width) + 2 * BOX_GAP
    width = MARGIN * 2 + LABEL_W + inner
    band_h = BOX_H + 2 * BAND_PAD
    height = MARGIN * 2 + TITLE_H + len(LAYERS) * (band_h + BAND_GAP) - BAND_GAP / 2
    box: dict[str, tuple[float, float]] = {}  # group -> its top-left corner
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
        "<defs>",
        *(
            f'<marker id="head-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
            "</marker>"
            for name, colour in (("grey", GREY), ("red", RED))
        ),
        "</defs>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    for i, (layer, row) in enumerate(zip(LAYERS, rows, strict=True)):
        top = MARGIN + TITLE_H + (len(LAYERS) - 1 - i) * (band_h + BAND_GAP)
        out.append(
            f'<rect x="{MARGIN}" y="{top}" width="{width - 2 * MARGIN:.0f}" height="{band_h}" '
            'rx="8" fill="#f3f5f8" stroke="#d5dae1"/>'
        )
        summary = textwrap.wrap(layer.summary, 34)
        first = top + band_h / 2 - 6 * len(summary)
        out.append(text(MARGIN + 12, first, layer.name, 14, bold=True))
        for k, line in enumerate(summary):
            out.append(text(MARGIN + 12, first + 15 + 12 * k, line, 10, fill="#555"))
        x = MARGIN + LABEL_W + (inner - row_width[i]) / 2
        for g in row:
            box[g] = (x, top + BAND_PAD)
            x += width_of[g] + BOX_GAP

    ends: dict[tuple[str, str], list[tuple[str, tuple[str, str]]]] = defaultdict(list)
    for a, b in sorted(arrows):
        down, up = layer_of[b] < layer_of[a], layer_of[b] > layer_of[a]
        ends[a, "top" if up else "bottom"].append((b, (a, b)))
        ends[b, "top" if down else "bottom"].append((a, (a, b)))
    port: dict[tuple[tuple[str, str], str], tuple[float, float]] = {}
    for (g, side), items in ends.items():
        items.sort(key=lambda item: (box[item[0]][0], item))
        x, y = box[g]
        for k, (_, edge) in enumerate(items):
            px = x + width_of[g] * (k + 1) / (len(items) + 1)
            port[edge, "start" if edge[0] == g else "end"] = (px, y if side == "top" else y + BOX_H)

    def arrow(edge: tuple[str, str]) -> str:
        (x0, y0), (x1, y1) = port[edge, "start"], port[edge, "end"]
        bend = max(36.0, abs(y1 - y0) / 2) * (1 if y1 > y0 else -1)
        if layer_of[edge[0]] == layer_of[edge[1]]:
            bend = BAND_PAD + BAND_GAP / 2 - 6
            c0, c1 = (x0, y0 + bend), (x1, y1 + bend)
        else:
            c0, c1 = (x0, y0 + bend), (x1, y1 - bend)
        colour, name, thick = (RED, "red", 2.2) if edge in wrong else (GREY, "grey", 1.1)
        via = html.escape("\n".join(sorted(groups.edges[edge]["via"])))
        return (
            f'<path d="M{x0:.1f},{y0:.1f} C{c0[0]:.1f},{c0[1]:.1f} {c1[0]:.1f},{c1[1]:.1f} '
            f'{x1:.1f},{y1:.1f}" fill="none" stroke="{colour}" stroke-width="{thick}" '
            f'stroke-opacity="0.8" marker-end="url(#head-{name})">'
            f"<title>{edge[0]} imports {edge[1]}:\n{via}</title></path>"
        )

    out += [arrow(e) for e in sorted(arrows - wrong)]
    for g, (x, y) in sorted(box.items()):
        title, size = labels[g]
        members = sorted(m for m in graph.files if group_of(m) == g)
        tip = html.escape("\n".join(f"{m}: {graph.lines[m]} lines" for m in members))
        out.append(
            f'<g><title>{tip}</title><rect x="{x:.1f}" y="{y:.1f}" width="{width_of[g]:.1f}" '
            f'height="{BOX_H}" rx="5" fill="white" stroke="#3b4a5e" stroke-width="1.2"/>'
            + text(x + width_of[g] / 2, y + 19, title, 13.5, bold=True, anchor="middle")
            + text(x + width_of[g] / 2, y + 36, size, 10.5, fill="#555", anchor="middle")
            + "</g>"
        )
    out += [arrow(e) for e in sorted(arrows & wrong)]

    modules, lines = len(graph.files), sum(graph.lines.values())
    left_out = groups.number_of_edges() - len(arrows)
    out.append(
        text(
            MARGIN,
            MARGIN + 18,
            f"{graph.package}: {modules} modules, {lines:,} lines, in {len(groups)} groups;"
            f" import circles between modules: {len(module_circles(graph))}",
            17,
            bold=True,
        )
    )
    out.append(
        text(
            MARGIN,
            MARGIN + 38,
            f"An arrow goes from the importer to the imported group. Grey: points down or across"
            f" ({left_out} implied by a longer path left out). Red: points up, or across a layer"
            " inside a circle"
            f" ({len(wrong)}).",
            11.5,
            fill="#333",
        )
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def text(
    x: float,
    y: float,
    content: str,
    size: float,
    *,
    bold: bool = False,
    fill: str = "#111",
    anchor: str = "start",
) -> str:
    """Return one SVG text element, its content escaped."""
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}"{weight}>{html.escape(content)}</text>'
    )


def module_table(graph: ModuleGraph, groups: nx.DiGraph) -> str:
    """Return the summary, the groups with their layers and imports, and the modules by size."""
    layer_of = place_groups(groups)
    wrong = wrong_way(groups, layer_of)
    circles = module_circles(graph)
    big = sorted((m for m, n in graph.lines.items() if n > 300), key=lambda m: -graph.lines[m])
    out = [
        f"modules: {len(graph.files)}, lines: {sum(graph.lines.values()):,}, "
        f"groups: {len(groups)}, imports between modules: {graph.imports.number_of_edges()}",
        f"import circles between modules: {len(circles)}"
        + "".join(f"\n  {' '.join(c)}" for c in circles),
        "arrows between groups pointing up, or across a layer inside a circle: "
        + (", ".join(f"{a} -> {b}" for a, b in sorted(wrong)) or "none"),
        f"imports inside functions: {graph.imports_in_functions}; "
        f"lazy module __getattr__: {', '.join(graph.lazy_loaders) or 'none'}",
        f"lines over 100 characters: {graph.long_lines}",
        "modules over 300 lines: " + (", ".join(f"{m} ({graph.lines[m]})" for m in big) or "none"),
        "",
        "| layer | group | modules | lines | imports |",
        "|---|---|---:|---:|---|",
    ]
    by_layer = sorted(groups, key=lambda g: (-layer_of[g], g))
    for g in by_layer:
        members = [m for m in graph.files if group_of(m) == g]
        lines = sum(graph.lines[m] for m in members)
        targets = ", ".join(
            f"**{t}** (up)" if (g, t) in wrong else t for t in sorted(groups.successors(g))
        )
        out.append(f"| {LAYERS[layer_of[g]].name} | {g} | {len(members)} | {lines:,} | {targets} |")
    out += ["", "| module | lines |", "|---|---:|"]
    for g in by_layer:
        for m in sorted(m for m in graph.files if group_of(m) == g):
            out.append(f"| {m} | {graph.lines[m]:,} |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=ROOT / "llamaforensics")
    parser.add_argument("--svg", type=Path, default=ROOT / "docs" / "architecture.svg")
    parser.add_argument("--table", action="store_true", help="print the module table")
    parser.add_argument("--all-arrows", action="store_true", help="draw implied arrows too")
    parser.add_argument("--check", action="store_true", help="exit 1 on a circle or upward arrow")
    args = parser.parse_args()

    graph = read_package(args.package)
    groups = group_imports(graph)
    args.svg.write_text(draw_svg(graph, groups, args.all_arrows), encoding="utf-8")
    print(f"wrote {args.svg}")
    if args.table:
        print(module_table(graph, groups))
    wrong = wrong_way(groups, place_groups(groups))
    return 1 if args.check and (wrong or module_circles(graph)) else 0


if __name__ == "__main__":
    sys.exit(main())
