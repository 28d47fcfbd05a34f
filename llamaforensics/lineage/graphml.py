"""A lineage graph written as GraphML, element by element, whatever its size.

networkx builds the whole XML tree before writing it: on a 100,000-deep chain
that ended in a MemoryError. Here each node and edge is written as it comes
(the standard library's XMLGenerator), and the log rows of jobs whose rows the
graph does not carry are fetched a batch of jobs at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

import duckdb
import networkx as nx

from .graph import job_rows


def to_graphml(
    graph: nx.DiGraph, path: str | Path, con: duckdb.DuckDBPyConnection | None = None
) -> Path:
    """Write the whole graph as GraphML: scalar attributes as they are, times as text, rows as JSON.

    Rows come from the nodes when the graph carries them, else from ``con``.
    Text XML cannot hold (control characters such as ESC) is written as \\xNN.
    """
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        xml.startDocument()
        xml.startElement("graphml", _attrs(xmlns="http://graphml.graphdrawing.org/xmlns"))
        for key, (domain, name, kind) in _GRAPHML_KEYS.items():
            attrs = {"id": key, "for": domain, "attr.name": name, "attr.type": kind}
            xml.startElement("key", AttributesImpl(attrs))
            xml.endElement("key")
            xml.ignorableWhitespace("\n")
        xml.startElement("graph", _attrs(edgedefault="directed"))
        xml.ignorableWhitespace("\n")
        for job, rows in _rows_of_every_job(graph, con):
            fields = _node_fields(graph.nodes[job], rows)
            _graphml_element(xml, "node", {"id": _xml_text(job)}, fields)
        for child, parent, data in graph.edges(data=True):
            _graphml_element(
                xml,
                "edge",
                {"source": _xml_text(child), "target": _xml_text(parent)},
                {"edge_rows": str(int(data.get("rows", 0)))},
            )
        xml.endElement("graph")
        xml.endElement("graphml")
        xml.endDocument()
    return path


_GRAPHML_KEYS = {
    key: (domain, key.removeprefix("edge_"), kind)
    for key, domain, kind in (
        ("rows", "node", "string"),
        ("first_at", "node", "string"),
        ("category", "node", "string"),
        ("status", "node", "string"),
        ("operations", "node", "string"),
        ("failed", "node", "boolean"),
        ("missing", "node", "boolean"),
        ("touches_album", "node", "boolean"),
        ("row_count", "node", "int"),
        ("edge_rows", "edge", "int"),
    )
}
GRAPHML_BATCH = 5_000
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _rows_of_every_job(
    graph: nx.DiGraph, con: duckdb.DuckDBPyConnection | None
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yield (job, its rows) for every job of the graph, fetching ``GRAPHML_BATCH`` at a time."""
    jobs = list(graph.nodes)
    for start in range(0, len(jobs), GRAPHML_BATCH):
        batch = jobs[start : start + GRAPHML_BATCH]
        missing = [
            j for j in batch if "rows" not in graph.nodes[j] and not graph.nodes[j].get("missing")
        ]
        fetched = dict(job_rows(con, missing)) if missing and con is not None else {}
        for job in batch:
            yield job, graph.nodes[job].get("rows", fetched.get(job, []))


def _node_fields(data: dict, rows: list[dict]) -> dict[str, str]:
    return {
        "rows": json.dumps(rows, default=_iso, ensure_ascii=False),
        "first_at": str(_iso(data.get("first_at")) or ""),
        "category": data.get("category") or "",
        "status": data.get("status") or "",
        "operations": ",".join(data.get("operations", [])),
        "failed": _xml_bool(data.get("failed")),
        "missing": _xml_bool(data.get("missing")),
        "touches_album": _xml_bool(data.get("touches_album")),
        "row_count": str(int(data.get("row_count", len(rows)))),
    }


def _graphml_element(
    xml: XMLGenerator, name: str, attrs: dict[str, str], fields: dict[str, str]
) -> None:
    xml.startElement(name, AttributesImpl(attrs))
    for key, value in fields.items():
        xml.startElement("data", _attrs(key=key))
        xml.characters(_xml_text(value))
        xml.endElement("data")
    xml.endElement(name)
    xml.ignorableWhitespace("\n")


def _attrs(**values: str) -> AttributesImpl:
    """Return an element's attributes in the type XMLGenerator takes."""
    return AttributesImpl(values)


def _xml_text(value: object) -> str:
    """Return ``value`` as text XML 1.0 can carry: characters it forbids become \\xNN (\\uNNNN)."""
    return _NOT_XML.sub(_escaped, str(value))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def _xml_bool(value: object) -> str:
    return "true" if value else "false"


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
