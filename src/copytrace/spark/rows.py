"""Records <-> Arrow rows: how documents, relations and stories cross between Spark stages.

Pure functions over the dataclasses of `records`, with no pyspark import, so they are tested on
their own. The Arrow types are derived from the dataclass annotations, so a field added to a record
reaches the Parquet tables without an edit here. Frozensets are written sorted; numpy arrays as the
raw bytes of a float32 (or uint32) array, so what a later stage reads is exactly what was written.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from copytrace import records
from copytrace.records import Document, Encoded, Problem, Relation, Story

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(records))


def _optional(hint: Any) -> Any:
    """Return `X` for `X | None`, else `hint` itself."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def arrow_type(hint: Any) -> pa.DataType:
    """Return the Arrow type that stores values of a record field's annotation."""
    hint = _optional(hint)
    if hint in _SCALARS:
        return _SCALARS[hint]
    if typing.get_origin(hint) in (tuple, frozenset, list):
        return pa.list_(arrow_type(typing.get_args(hint)[0]))
    if dataclasses.is_dataclass(hint):
        return pa.struct(record_fields(hint))  # type: ignore[arg-type]
    raise TypeError(f"no Arrow type for {hint!r}")


def record_fields(cls: type, skip: Sequence[str] = ()) -> list[pa.Field]:
    """Return the Arrow fields of a record class (all nullable, as Spark reads them)."""
    hints = _hints(cls)
    return [
        pa.field(f.name, arrow_type(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.name not in skip
    ]


def to_value(value: Any, hint: Any) -> Any:
    """Return a record value as plain Python data for Arrow (lists, dicts, scalars)."""
    hint = _optional(hint)
    if value is None:
        return None
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)  # type: ignore[arg-type]
        return {
            f.name: to_value(getattr(value, f.name), hints[f.name])
            for f in dataclasses.fields(hint)
        }
    origin = typing.get_origin(hint)
    if origin in (tuple, frozenset, list):
        element = typing.get_args(hint)[0]
        items = sorted(value) if origin is frozenset else value
        return [to_value(x, element) for x in items]
    if hint is float:
        return float(value)
    if hint is int:
        return int(value)
    return value


def from_value(value: Any, hint: Any) -> Any:
    """Return the record value that `to_value` turned into plain data."""
    hint = _optional(hint)
    if value is None:
        return None
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)  # type: ignore[arg-type]
        return hint(  # type: ignore[operator]
            **{
                f.name: from_value(value.get(f.name), hints[f.name])
                for f in dataclasses.fields(hint)
                if f.name in value
            }
        )
    origin = typing.get_origin(hint)
    if origin in (tuple, frozenset, list):
        element = typing.get_args(hint)[0]
        return origin(from_value(x, element) for x in value)
    return value


# ---- documents ---------------------------------------------------------------------------------

# Where a document sits in the input: `order` sorts documents as `ingest.iter_documents` yields
# them (file in listing order, then item within the file), so every engine sees the same order.
ORDER_FIELDS = [pa.field("order", pa.int64())]
DOCUMENT_SCHEMA = pa.schema(ORDER_FIELDS + record_fields(Document))
PROBLEM_SCHEMA = pa.schema(ORDER_FIELDS + record_fields(Problem))


def order_key(file: int, item: int) -> int:
    """Return the sort key of the `item`-th thing read from the `file`-th input file."""
    return (file << 32) | item


def document_row(doc: Document, order: int) -> dict[str, Any]:
    """Return a document as a row of `DOCUMENT_SCHEMA`."""
    row = to_value(doc, Document)
    row["order"] = order
    return row


def row_document(row: Mapping[str, Any]) -> Document:
    """Return the document of a row written by `document_row` (extra columns are ignored)."""
    return from_value({k: v for k, v in row.items() if k in _DOC_NAMES}, Document)


_DOC_NAMES = frozenset(f.name for f in dataclasses.fields(Document))


def problem_row(problem: Problem, order: int) -> dict[str, Any]:
    """Return a problem as a row of `PROBLEM_SCHEMA`."""
    return {"order": order, **to_value(problem, Problem)}


def row_problem(row: Mapping[str, Any]) -> Problem:
    """Return the problem of a row written by `problem_row`."""
    return Problem(row["path"], row["line"], row["message"])


# ---- arrays and encoded documents -------------------------------------------------------------


def array_bytes(array: np.ndarray, dtype: Any = np.float32) -> bytes:
    """Return the raw little-endian bytes of `array` as `dtype` (row-major)."""
    return np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()


def bytes_array(data: bytes, dtype: Any = np.float32, columns: int | None = None) -> np.ndarray:
    """Return the array of `array_bytes`; `columns` reshapes it to rows of that width."""
    array = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)
    return array.reshape(-1, columns) if columns else array


ENCODED_FIELDS = [
    pa.field("vectors", pa.binary()),  # float32 (sentences, dim): exact, so alignment is unchanged
    pa.field("dim", pa.int32()),
    pa.field("anchors", pa.list_(pa.list_(pa.string()))),
    pa.field("lengths", pa.list_(pa.int64())),
    pa.field("docmean", pa.binary()),  # Encoded.vector, float32
    pa.field("all_anchors", pa.list_(pa.string())),
    pa.field("quotes", pa.list_(pa.string())),
]


def encoded_row(enc: Encoded, order: int) -> dict[str, Any]:
    """Return an encoded document as a document row plus every field of `Encoded`.

    Storing the derived fields (anchors, quotes, ...) spares each later task a second
    `signatures.encode_document` per document it loads (1-2 ms each, many loads per document).
    """
    row = document_row(enc.doc, order)
    row["vectors"] = array_bytes(enc.vectors)
    row["dim"] = int(enc.vectors.shape[1]) if enc.vectors.ndim == 2 else 0
    row["anchors"] = [sorted(a) for a in enc.anchors]
    row["lengths"] = list(enc.lengths)
    row["docmean"] = array_bytes(enc.vector)
    row["all_anchors"] = sorted(enc.all_anchors)
    row["quotes"] = sorted(enc.quotes)
    return row


def row_encoded(row: Mapping[str, Any]) -> Encoded:
    """Return the encoded document of a row of `encoded_row`, exactly as it was encoded."""
    return Encoded(
        doc=row_document(row),
        vectors=bytes_array(row["vectors"], np.float32, row["dim"] or 1),
        anchors=tuple(frozenset(a) for a in row["anchors"]),
        lengths=tuple(row["lengths"]),
        vector=bytes_array(row["docmean"]),
        all_anchors=frozenset(row["all_anchors"]),
        quotes=frozenset(row["quotes"]),
    )


# ---- relations and stories --------------------------------------------------------------------

RELATION_FIELDS = record_fields(Relation)
STORY_FIELDS = record_fields(Story)


def relation_row(rel: Relation) -> dict[str, Any]:
    """Return a relation as plain data (the `relations/` table's columns)."""
    return to_value(rel, Relation)


def row_relation(row: Mapping[str, Any]) -> Relation:
    """Return the relation of a row written by `relation_row` (extra columns are ignored)."""
    return from_value(dict(row), Relation)


def story_row(story: Story) -> dict[str, Any]:
    """Return a story as plain data (the `stories/` table's columns)."""
    return to_value(story, Story)


def row_story(row: Mapping[str, Any]) -> Story:
    """Return the story of a row written by `story_row`."""
    return from_value(dict(row), Story)


def batch(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Return rows as one Arrow record batch of `schema`."""
    return pa.RecordBatch.from_pylist(rows, schema=schema)
