"""Table files (JSONL, CSV, Parquet): one `Document` per row, read as a stream.

JSONL is read line by line, CSV record by record and Parquet batch by batch, so memory does not grow
with the file. A bad row becomes a `Problem` naming its line and the rest of the file is still read.
`ingest.read_file` applies the checks shared by all formats (empty documents, the error policy).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from copytrace.dates import normalize_date
from copytrace.records import Document, Problem

# Column names, first match wins; compared in lower case.
COLUMNS = {
    "id": ("id",),
    "text": ("text", "body", "content", "article"),
    "title": ("title", "headline"),
    "published": ("published", "date", "published_at", "datetime"),
    "url": ("url",),
    "source": ("source", "outlet", "site", "domain"),
}
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that did not decode, kept by surrogateescape
_PARQUET_BATCH = 1024  # rows per batch: bounded memory, and still fast


def row_document(row: Mapping[str, Any], path: Path, line: int) -> Document | Problem:
    """Make the document of one table row whose keys are lower-cased column names.

    A row without an id gets `<file stem>:<line>`; an unreadable date is left out (None).
    """
    values = {
        field: next((row[n] for n in names if row.get(n) not in (None, "")), None)
        for field, names in COLUMNS.items()
    }
    text = values["text"]
    if not isinstance(text, str):
        if text is None:
            found = ", ".join(map(str, row)) or "none"
            message = f"no text: expected a column {' / '.join(COLUMNS['text'])}; found: {found}"
        else:
            message = f"text is not a string but {type(text).__name__}"
        return Problem(str(path), line, message)
    ident = values["id"]
    return Document(
        id=str(ident).strip() if ident is not None else f"{_stem(path)}:{line}",
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        path=str(path),
        line=line,
        title=_string(values["title"]),
        published=normalize_date(values["published"]),
        url=_string(values["url"]),
        source=_string(values["source"]),
    )


def _stem(path: Path) -> str:
    name = path.name
    return Path(name[:-3] if name.lower().endswith(".gz") else name).stem


def _string(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _no_text_column(path: Path, line: int | None, names: list[str]) -> Problem:
    message = (
        f"no text column: expected one of {', '.join(COLUMNS['text'])}; "
        f"the file has {', '.join(names) or 'no column names'}"
    )
    return Problem(str(path), line, message)


def read_jsonl(path: Path) -> Iterator[Document | Problem]:
    """Yield the documents of a JSONL file (gzip-compressed if it ends in .gz), one per line."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    line = 0
    try:
        with opener(path, "rb") as fh:
            for line, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    message = f"not valid JSON: {exc.msg} at column {exc.colno}"
                    yield Problem(str(path), line, f"{message}; fix or remove the line")
                    continue
                except UnicodeDecodeError as exc:
                    yield Problem(str(path), line, f"not UTF-8 ({exc.reason}); re-save as UTF-8")
                    continue
                if not isinstance(obj, dict):
                    message = f"not a JSON object but {type(obj).__name__}"
                    yield Problem(str(path), line, f"{message}; each line must be {{...}}")
                    continue
                yield row_document({str(k).lower(): v for k, v in obj.items()}, path, line)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        message = f"compressed file is truncated or corrupt ({exc}); the lines before were read"
        yield Problem(str(path), line + 1, message)


def read_csv(path: Path) -> Iterator[Document | Problem]:
    """Yield the documents of a CSV file with a header row, one per record."""
    # Long articles exceed the csv module's default field limit of 128 KiB.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    # surrogateescape: a bad byte becomes a problem of its own record, with the right line number,
    # instead of an error for the whole block being decoded.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        header = [name.strip().lower() for name in next(reader, [])]
        if not any(name in header for name in COLUMNS["text"]):
            yield _no_text_column(path, 1, header)
            return
        done = reader.line_num  # lines consumed so far; the next record starts on the line after
        while True:
            start = done + 1
            try:
                row = next(reader, None)
            except csv.Error as exc:
                yield Problem(str(path), start, f"not valid CSV: {exc}")
                if reader.line_num == done:  # no progress: do not loop forever
                    return
                done = reader.line_num
                continue
            done = reader.line_num
            if row is None:
                return
            if not row:  # a blank line
                continue
            joined = "".join(row)
            if not joined.isascii() and _ESCAPED.search(joined):
                message = "not UTF-8 (a byte that is not UTF-8 text); re-save the file as UTF-8"
                yield Problem(str(path), start, message)
                continue
            if len(row) != len(header):
                message = (
                    f"row has {len(row)} field(s) but the header has {len(header)}; "
                    "check the quoting of commas and quote marks"
                )
                yield Problem(str(path), start, message)
                continue
            yield row_document(dict(zip(header, row, strict=True)), path, start)


def read_parquet(path: Path) -> Iterator[Document | Problem]:
    """Yield the documents of a Parquet file, one per row; `line` is the 1-based row number."""
    import pyarrow as pa  # heavy, and only needed here
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except (pa.ArrowException, ValueError) as exc:
        yield Problem(str(path), None, f"not a readable Parquet file: {exc}")
        return
    names = table.schema_arrow.names
    by_lower = {name.lower(): name for name in reversed(names)}  # the first of equal names wins
    if not any(name in by_lower for name in COLUMNS["text"]):
        yield _no_text_column(path, None, names)
        return
    columns = sorted({by_lower[n] for ns in COLUMNS.values() for n in ns if n in by_lower})
    row_number = 0
    try:
        for batch in table.iter_batches(batch_size=_PARQUET_BATCH, columns=columns):
            for row in batch.to_pylist():
                row_number += 1
                yield row_document({k.lower(): v for k, v in row.items()}, path, row_number)
    except (pa.ArrowException, OSError) as exc:
        yield Problem(str(path), row_number + 1, f"the Parquet file is damaged: {exc}")
