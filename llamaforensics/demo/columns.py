"""Vectorised column builders: uuids, timestamps, job ids and JSON text for millions of rows.

The demo generator never builds a Python object per row (10 million log rows
must load in minutes); every column is a NumPy or Arrow array. Entities are
numbered internally and turned into uuids by a keyed bijection, so the same
(seed, kind, number) always gives the same uuid and no two numbers collide.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijection of uint64 that scatters consecutive numbers."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= _M1
        x ^= x >> np.uint64(27)
        x *= _M2
        x ^= x >> np.uint64(31)
    return x


def _key(seed: int, space: str) -> np.uint64:
    digest = hashlib.blake2b(f"{seed}:{space}".encode(), digest_size=8).digest()
    return np.uint64(int.from_bytes(digest, "big"))


def uuids(seed: int, space: str, numbers: np.ndarray) -> pa.Array:
    """Return version-4-shaped uuid strings for entity ``numbers`` of one kind (``space``)."""
    numbers = np.asarray(numbers, dtype=np.uint64)
    hi = _mix(numbers ^ _key(seed, space + ":hi"))
    lo = _mix(numbers ^ _key(seed, space + ":lo"))
    hi = (hi & np.uint64(0xFFFFFFFFFFFF0FFF)) | np.uint64(0x4000)
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    raw = np.empty((len(numbers), 2), dtype=">u8")
    raw[:, 0], raw[:, 1] = hi, lo
    hexed = pa.array(np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype="S32")).cast(
        pa.string()
    )
    parts = [
        pc.utf8_slice_codeunits(hexed, a, b)
        for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
    ]
    return pc.binary_join_element_wise(*parts, "-")


def numbered(prefix: str, numbers: np.ndarray, suffix: str = "") -> pa.Array:
    """Return strings like ``prefix<number>suffix`` (job ids, user ids)."""
    text = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, text, suffix, "")


def timestamps(ms: np.ndarray) -> pa.Array:
    """Return timestamp(3) values from integer milliseconds since the epoch."""
    return pa.array(np.asarray(ms, dtype=np.int64), type=pa.timestamp("ms"))


def dates(ms: np.ndarray) -> pa.Array:
    days = np.asarray(ms, dtype=np.int64) // 86_400_000
    return pa.array(days.astype(np.int32), type=pa.date32())


def iso(ms: np.ndarray) -> pa.Array:
    """Return ISO-8601 text with milliseconds and a Z, as the app writes times into JSON."""
    text = pc.strftime(
        pa.array(np.asarray(ms, dtype=np.int64) // 1000, type=pa.timestamp("s")),
        format="%Y-%m-%dT%H:%M:%S",
    )
    frac = pc.utf8_lpad(pa.array(np.asarray(ms, dtype=np.int64) % 1000).cast(pa.string()), 3, "0")
    return pc.binary_join_element_wise(text, ".", frac, "Z", "")


def pick(choices: Sequence[str] | np.ndarray, index: np.ndarray) -> pa.Array:
    """Return ``choices[index]`` as an Arrow string array (None entries become nulls)."""
    return pa.array(np.asarray(choices, dtype=object)[np.asarray(index)], type=pa.string())


def string_lists(options: tuple[tuple[str, ...], ...], index: np.ndarray) -> pa.Array:
    """Return text[] values, each one of a few fixed lists picked by ``index`` (-1 = NULL)."""
    index = np.asarray(index)
    dictionary = pa.array([list(o) for o in options], type=pa.list_(pa.string()))
    taken = dictionary.take(pa.array(np.where(index < 0, 0, index)))
    return pc.if_else(pa.array(index < 0), pa.scalar(None, pa.list_(pa.string())), taken)


def jsonb_text(value: object) -> str:
    """Serialise like PostgreSQL prints jsonb: keys by length then bytes, ``", "`` and ``": "``.

    Demo snapshots built without a server then hold the very text a snapshot of
    the loaded database would.
    """
    return json.dumps(_jsonb_order(value), ensure_ascii=False)


def _jsonb_order(value):
    if isinstance(value, dict):
        return {
            k: _jsonb_order(value[k])
            for k in sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        }
    if isinstance(value, list):
        return [_jsonb_order(v) for v in value]
    return value


def json_template(template: dict, **columns: pa.Array) -> pa.Array:
    """Return one jsonb text per row from a template whose values name columns.

    ``{"jobId": "$job", "count": "#n"}`` fills ``$job`` as a JSON string and
    ``#n`` as raw JSON (a number, true) from the arrays (or scalars) given, row
    by row. Values must be JSON-safe text: ids, times, fixed words; hostile text
    goes through :func:`jsonb_text` instead.
    """
    rest = jsonb_text(template)
    markers = {}
    for name in columns:
        for marker, quoted in ((f'"${name}"', True), (f'"#{name}"', False)):
            if marker in rest:
                markers[name] = (marker, quoted)
    pieces: list = []
    for name in sorted(markers, key=lambda n: rest.find(markers[n][0])):
        marker, quoted = markers[name]
        before, _, rest = rest.partition(marker)
        pieces += [before + ('"' if quoted else ""), columns[name], '"' if quoted else ""]
    pieces.append(rest)
    return pc.binary_join_element_wise(*pieces, "")


def const(value: object, n: int, type_: pa.DataType) -> pa.Array:
    """Return ``value`` repeated ``n`` times (NULL when value is None), cheaply."""
    if value is None:
        return pa.nulls(n, type_)
    if pa.types.is_list(type_):
        return pa.array([value], type_).take(pa.array(np.zeros(n, dtype=np.int64)))
    return pa.array([value], type_).take(pa.array(np.zeros(n, dtype=np.int64)))


class Segments:
    """Rows collected in column segments, concatenated into one Arrow table at the end.

    ``add(n, col=array_or_scalar, ...)``: arrays must have ``n`` values; scalars
    are repeated; columns not given are NULL.
    """

    def __init__(self, schema: pa.Schema):
        self.schema = schema
        self.parts: list[tuple[int, dict]] = []

    def add(self, n: int, **cols: object) -> None:
        if n:
            self.parts.append((n, cols))

    def table(self) -> pa.Table:
        arrays = []
        for field in self.schema:
            chunks = []
            for n, cols in self.parts:
                value = cols.get(field.name)
                is_array = isinstance(value, (pa.Array, pa.ChunkedArray, np.ndarray)) or (
                    isinstance(value, list) and not pa.types.is_list(field.type)
                )
                if is_array:
                    arr = (
                        pa.array(value, type=field.type)
                        if not isinstance(value, (pa.Array, pa.ChunkedArray))
                        else value
                    )
                    if arr.type != field.type:
                        arr = arr.cast(field.type)
                    if len(arr) != n:
                        raise ValueError(f"column {field.name}: {len(arr)} values for {n} rows")
                    chunks.append(arr)
                else:
                    if value is None and field.metadata and b"default" in field.metadata:
                        value = ast.literal_eval(field.metadata[b"default"].decode())
                    chunks.append(const(value, n, field.type))
            arrays.append(
                pa.chunked_array(chunks, type=field.type).combine_chunks()
                if chunks
                else pa.array([], field.type)
            )
        return pa.Table.from_arrays(arrays, schema=self.schema)
