"""Read user inputs (text, HTML and table files, or a text given directly) into `Document`s.

`read_file` reads one file and yields its documents and the problems met on the way, in order;
`iter_documents` streams many inputs, applies the error policy and keeps ids unique. Tables are read
row by row (JSONL by line, CSV by record, Parquet by batch), so memory does not grow with the file.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from copytrace.config import ReadConfig
from copytrace.dates import date_line, leading_date, normalize_date
from copytrace.errors import ConfigError, InputError
from copytrace.records import Document, Problem
from copytrace.tables import read_csv, read_jsonl, read_parquet

# Longest suffix first, so "x.jsonl.gz" is JSONL and not an unknown ".gz".
FORMATS = {
    ".jsonl.gz": "jsonl", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
    ".parquet": "parquet", ".txt": "text", ".md": "text", ".html": "html", ".htm": "html",
}  # fmt: skip

# Headlines in the dev sets and the seeds are under 100 characters and 15 words; the margin allows
# long web headlines while keeping a first paragraph out.
TITLE_MAX_CHARS = 150
TITLE_MAX_WORDS = 25
# Wire copy is wrapped at 60-80 columns; paragraphs kept on one line are mostly longer than 90.
_WRAP_WIDTH = (40, 90)
_SENTENCE_END = ".!?:"
_CLOSERS = "\"'”’»)]"
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def expand_paths(paths: Iterable[str | Path], ignored: list[Path] | None = None) -> list[Path]:
    """Return the files to read: files as given, directories walked recursively in sorted order.

    Inside directories, hidden files and folders are skipped, and files of an unknown type are left
    out (appended to `ignored` when given, so the caller can count them). A path given explicitly
    is always returned, even if it is missing or of an unknown type: `read_file` reports it.
    """
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            out.append(path)
            continue
        found: list[Path] = []
        for folder, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found.extend(Path(folder, f) for f in files if not f.startswith("."))
        for file in sorted(found):
            if file_format(file):
                out.append(file)
            elif ignored is not None:
                ignored.append(file)
    return out


def file_format(path: Path) -> str | None:
    """Return "text", "html", "jsonl", "csv" or "parquet" for a file name, None if unknown."""
    name = path.name.lower()
    return next((kind for suffix, kind in FORMATS.items() if name.endswith(suffix)), None)


def iter_documents(
    paths: Iterable[str | Path],
    config: ReadConfig,
    problems: list[Problem],
    ignored: list[Path] | None = None,
) -> Iterator[Document]:
    """Stream the documents of files and directories; append what could not be read to `problems`.

    With `config.on_error == "fail"` the first problem raises `InputError` instead. A document whose
    id was already used is kept under `<id>~2` (`~3`, ...) and the renaming is noted in `problems`.

    Example:
        >>> problems = []
        >>> docs = list(iter_documents(["articles/"], ReadConfig(), problems))
    """
    if config.on_error not in ("skip", "fail"):
        raise ConfigError(f"read.on_error must be 'skip' or 'fail', not {config.on_error!r}")
    first_seen: dict[str, str] = {}  # id -> path of its first document, for the rename message
    suffixes: dict[str, int] = {}
    for path in expand_paths(paths, ignored):
        for item in read_file(path, config):
            if isinstance(item, Problem):
                problems.append(item)
                if config.on_error == "fail":
                    raise InputError(item.message, item.path, item.line)
                continue
            if item.id in first_seen:
                old = item.id
                n = suffixes.get(old, 1) + 1
                while f"{old}~{n}" in first_seen:
                    n += 1
                suffixes[old] = n
                item = dataclasses.replace(item, id=f"{old}~{n}")
                problems.append(
                    Problem(
                        item.path or "",
                        item.line,
                        f"duplicate id {old!r} (first used in {first_seen[old]}); renamed to "
                        f"{item.id!r} so both are kept; give documents unique ids to avoid this",
                    )
                )
            first_seen[item.id] = item.path or ""
            yield item


def read_file(path: str | Path, config: ReadConfig) -> Iterator[Document | Problem]:
    """Read one file; yield its documents and the problems met, in file order."""
    path = Path(path)
    kind = file_format(path)
    if not path.exists():
        yield Problem(str(path), None, "no such file or directory; check the path")
        return
    if path.is_dir():
        yield Problem(
            str(path), None, "is a directory; give it to iter_documents to read its files"
        )
        return
    if kind is None:
        supported = ", ".join(sorted(FORMATS))
        yield Problem(str(path), None, f"unknown file type; supported: {supported}")
        return
    readers = {"jsonl": read_jsonl, "csv": read_csv, "parquet": read_parquet}
    try:
        if kind == "text":
            items: Iterable[Document | Problem] = [_read_plain(path, config)]
        elif kind == "html":
            items = [_read_html(path, config)]
        else:
            items = readers[kind](path)
        for item in items:
            yield _checked(item, config) if isinstance(item, Document) else item
    except OSError as exc:  # permissions, a directory named like a file, a disk error
        yield Problem(str(path), None, f"cannot read the file: {exc.strerror or exc}")


def read_text(
    text: str,
    id: str = "text",
    *,
    path: str | None = None,
    line: int | None = None,
    title: str | None = None,
    published: str | None = None,
    url: str | None = None,
    source: str | None = None,
) -> Document:
    """Make a `Document` of a text given directly, taking a title and a date from its top.

    Line ends are normalised to LF first; all offsets are into the normalised text. Metadata given
    here wins over what is found in the text.
    """
    text = _newlines(text).removeprefix("\ufeff")
    found_title, found_date, body_start = split_head(text)
    return Document(
        id=id, text=text, path=path, line=line, title=title or found_title,
        published=normalize_date(published) or found_date, url=url, source=source,
        body_start=body_start,
    )  # fmt: skip


def split_head(text: str) -> tuple[str | None, str | None, int]:
    """Return the title, the ISO date and the body offset found at the top of a text.

    A date comes from a leading date (" date 2025-04-26 Russia said ...", "April 26, 2025 - ...")
    at the start of the text or of the body, else from a `date: 2025-04-26` line anywhere. The
    first line is a title when it is short, more text follows, and either a blank line follows it
    or the text is not hard-wrapped (in wire copy the first line is just the start of a sentence).
    """
    body = 0  # stays 0 when nothing is taken from the text, even after leading blank lines
    published = title = None
    pos = _skip_space(text, 0)
    found = leading_date(text, pos)
    if found:
        published, pos = found[0], _skip_space(text, found[1])
        body = pos
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    rest = _skip_space(text, end)
    line = text[pos:end].strip()
    if _is_title(line, text, end, rest):
        title, body = _MARKDOWN_HEADING.sub("", line), rest
        found = None if published else leading_date(text, body)
        if found:
            published, body = found[0], _skip_space(text, found[1])
    return title, published or date_line(text), body


def _is_title(line: str, text: str, end: int, rest: int) -> bool:
    if not line or rest >= len(text) or not any(c.isalpha() for c in line):
        return False
    if len(line) > TITLE_MAX_CHARS or len(line.split()) > TITLE_MAX_WORDS:
        return False
    if text.count("\n", end, rest) >= 2:  # a blank line follows
        return True
    if text[rest].islower() or line[-1] in ",;":  # a sentence that goes on
        return False
    return not is_hard_wrapped(text[rest:])


def is_hard_wrapped(text: str) -> bool:
    """Return True when lines are broken inside sentences (wire copy wrapped at a fixed width).

    A line break is inside a sentence when the line runs on into the next non-blank line: it ends
    without sentence punctuation and the next line starts in lower case, or it is of typical wrap
    width (40-90 characters) and shows either sign. The text is hard-wrapped when at least two
    breaks, and at least a third of the breaks between consecutive non-blank lines, are inside.
    """
    pairs = inside = 0
    previous = ""
    low, high = _WRAP_WIDTH
    for raw in text.split("\n"):
        line = raw.strip()
        if previous and line:
            pairs += 1
            open_end = previous.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END
            lower = line[0].islower()
            if (open_end and lower) or (low <= len(previous) <= high and (open_end or lower)):
                inside += 1
        previous = line
    # A third, not a half: wide wrapping (PAN-13 web text at ~180 columns) breaks before a capital
    # often enough that only the lower-case sign shows.
    return inside >= 2 and 3 * inside >= pairs


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# ---- plain text and HTML ----------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Decode the bytes of a text file and normalise line ends to LF.

    UTF-8 (a BOM is dropped) and UTF-16/32 with a BOM are read as such; other bytes fall back to
    cp1252 when they decode and look like text. Raises ValueError saying what is wrong otherwise.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):  # fmt: skip
        if data.startswith(bom):
            try:
                return _newlines(data[len(bom) :].decode(codec))
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"starts with a {codec.upper()} byte-order mark but is not valid {codec}: "
                    f"{exc.reason} at byte {exc.start + len(bom)}; re-save the file as UTF-8"
                ) from None
    if b"\x00" in data:
        raise ValueError(
            "binary file (contains NUL bytes), not text; if it is UTF-16 without a byte-order "
            "mark, re-save it as UTF-8"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError(
                f"not UTF-8 ({exc.reason} at byte {exc.start}) and not cp1252 either; "
                "re-save the file as UTF-8"
            ) from None
    if len(_CONTROL.findall(text)) > 0.01 * len(text) + 1:
        raise ValueError("binary file (many control characters), not text")
    return _newlines(text)


def _read_bytes(path: Path, config: ReadConfig) -> bytes | Problem:
    size = path.stat().st_size
    if size > config.max_bytes:
        return Problem(
            str(path),
            None,
            f"file is {size:,} bytes, over the limit of {config.max_bytes:,} for one document; "
            "split it or raise read.max_bytes",
        )
    return path.read_bytes()


def _read_plain(path: Path, config: ReadConfig) -> Document | Problem:
    data = _read_bytes(path, config)
    if isinstance(data, Problem):
        return data
    try:
        text = decode(data)
    except ValueError as exc:
        return Problem(str(path), None, str(exc))
    return read_text(text, path.stem, path=str(path))


def _read_html(path: Path, config: ReadConfig) -> Document | Problem:
    import trafilatura  # heavy: lxml, htmldate, justext

    data = _read_bytes(path, config)
    if isinstance(data, Problem):
        return data
    try:
        result = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_images=False
        )
    # trafilatura parses arbitrary pages with several fallbacks; any failure of theirs on a broken
    # page must become a Problem for this file, not end the run.
    except Exception as exc:
        return Problem(str(path), None, f"could not parse the HTML: {exc}")
    text = _newlines(getattr(result, "text", None) or "")
    if not text.strip():
        return Problem(str(path), None, "no main text found; is this an article page?")
    title = getattr(result, "title", None) or None
    # trafilatura keeps the page's <h1> as the first line of the text; the body starts after it.
    end = text.find("\n")
    head = text[: len(text) if end < 0 else end]
    same = (
        title is not None
        and " ".join(head.split()).casefold() == " ".join(title.split()).casefold()
    )
    return Document(
        id=path.stem,
        text=text,
        path=str(path),
        title=title,
        published=normalize_date(getattr(result, "date", None)),
        url=getattr(result, "url", None) or None,
        source=getattr(result, "sitename", None) or None,
        body_start=_skip_space(text, len(head)) if same else 0,
    )


def _checked(doc: Document, config: ReadConfig) -> Document | Problem:
    size = len(doc.text.strip())
    if size >= config.min_chars:
        return doc
    return Problem(
        doc.path or doc.id,
        doc.line,
        f"empty document ({size} characters of text, fewer than read.min_chars={config.min_chars})",
    )
