"""Texts sent through the web app's forms: pasted text and uploaded files, read as the CLI reads.

Uploaded files are written under fresh names in a temporary folder (never under the name the
browser gave, so no name can reach outside it), read with `ingest`, and their documents keep the
uploaded file name as their path. The folder is removed as soon as they are read.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from copytrace.config import ReadConfig
from copytrace.errors import InputError
from copytrace.ingest import FORMATS, file_format, iter_documents
from copytrace.records import Document, Problem

__all__ = ["Upload", "form_uploads", "one_document", "read_uploads", "safe_name"]

NAME_CHARS = 120  # an uploaded file's name is cut here


@dataclasses.dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file: the name the browser gave and its bytes."""

    name: str
    data: bytes


def safe_name(name: str) -> str:
    """Return a file name made safe to create: no folders, no dots first, plain characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    return base[-NAME_CHARS:] or "upload.txt"


def read_uploads(
    uploads: Sequence[Upload], config: ReadConfig
) -> tuple[list[Document], list[Problem]]:
    """Read uploaded files into documents, as `copytrace add` reads files.

    Raises InputError when a file's type is not one copytrace reads.
    """
    for upload in uploads:
        if file_format(Path(safe_name(upload.name))) is None:
            supported = ", ".join(sorted(FORMATS))
            raise InputError(f"unknown file type; supported: {supported}", upload.name)
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="copytrace-upload-") as folder:
        names: dict[str, str] = {}
        paths = []
        for k, upload in enumerate(uploads):
            # One folder per file: two uploads of the same name must not overwrite each other.
            path = Path(folder, str(k), safe_name(upload.name))
            path.parent.mkdir()
            path.write_bytes(upload.data)
            names[str(path)] = upload.name
            paths.append(path)
        docs = [
            dataclasses.replace(d, path=names.get(d.path or "", d.path))
            for d in iter_documents(paths, config, problems)
        ]
    problems = [dataclasses.replace(p, path=names.get(p.path, p.path)) for p in problems]
    return docs, problems


def one_document(uploads: Sequence[Upload], config: ReadConfig) -> Document:
    """Read the one text of an uploaded file, or say why it cannot be queried."""
    docs, problems = read_uploads(uploads, config)
    if problems and not docs:
        raise InputError(problems[0].message, problems[0].path, problems[0].line)
    if len(docs) != 1:
        raise InputError(
            f"holds {len(docs)} documents; give one text per query (add tables instead)",
            uploads[0].name if uploads else None,
        )
    return docs[0]


async def form_uploads(form: Any, field: str) -> list[Upload]:
    """Return the non-empty files of a multipart form field."""
    out = []
    for item in form.getlist(field):
        if hasattr(item, "read") and getattr(item, "filename", None):
            data = await item.read()
            if data:
                out.append(Upload(str(item.filename), data))
    return out
