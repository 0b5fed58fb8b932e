"""Deduplicating a store: the corpus without copies, and a map of what was removed; and exporting
it whole.

Copies group by their copy relations (connected components); each group keeps one document, by
one rule: the story's `original` (falling back to the earliest when the group holds no known
original), the `earliest` published, or the `longest`. Partial reuse does not group documents:
a text that reuses a few sentences of another still has its own content.

Both write JSONL rows that `copytrace add` and `scan` read back as the same documents: the body in
`text`, the title and date found at a text's top in `title` and `published` (`document_row`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from copytrace.records import Document
from copytrace.store import Store

KEEP = ("original", "earliest", "longest")
GROUPING = ("duplicate", "near_duplicate", "spin", "condensed")


@dataclass(frozen=True, slots=True)
class DedupReport:
    """What `dedup` wrote."""

    kept: int
    removed: int
    output: str
    map: str
    keep: str


def copy_groups(store: Store) -> list[list[int]]:
    """Return the groups of stored documents joined by copy relations (two or more each)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for derived, source, kind, _ in store.copy_relations():
        if kind in GROUPING:
            a, b = find(derived), find(source)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for key in parent:
        groups[find(key)].append(key)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def removals(store: Store, keep: str) -> dict[int, tuple[int, str]]:
    """Return `{removed key: (kept key, kind)}`; `kind` is the removed document's strongest copy
    relation in its group (to the kept one when they are related directly)."""
    facts = {
        key: (published or "9999", chars)
        for key, published, chars in store.conn.execute(
            "SELECT key, published, chars FROM documents"
        )
    }
    kinds: dict[tuple[int, int], str] = {}
    best: dict[int, tuple[float, str]] = {}
    for derived, source, kind, score in store.copy_relations():
        kinds[(derived, source)] = kinds[(source, derived)] = kind
        for key in (derived, source):
            if kind in GROUPING and score > best.get(key, (-1.0, ""))[0]:
                best[key] = (score, kind)
    out = {}
    for group in copy_groups(store):
        kept = _choose(store, group, keep, facts)
        for key in group:
            if key != kept:
                out[key] = (kept, kinds.get((key, kept)) or best.get(key, (0.0, "copy"))[1])
    return out


def _choose(store: Store, group: list[int], keep: str, facts: dict[int, tuple[str, int]]) -> int:
    if keep == "original":
        story = store.story_of(group[0])
        row = store.conn.execute("SELECT original FROM stories WHERE key = ?", (story,)).fetchone()
        if row and row[0] in group:
            return int(row[0])
    if keep == "longest":
        return max(group, key=lambda k: (facts[k][1], -k))
    return min(group, key=lambda k: (facts[k][0], k))


def document_row(doc: Document) -> dict[str, str | None]:
    """Return a stored document as a table row that reads back as the same document: its body
    (what follows the title and date lines of a text file or the heading of a page) as `text`."""
    return {"id": doc.id, "title": doc.title, "published": doc.published, "url": doc.url,
            "source": doc.source, "text": doc.text[doc.body_start :]}  # fmt: skip


def write_export(store: Store, out: TextIO) -> int:
    """Write every stored document as JSONL, in the order added; return how many."""
    count = 0
    for _, doc in store.iter_documents():
        out.write(json.dumps(document_row(doc), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_dedup(store: Store, keep: str, output: Path, map_path: Path | None = None) -> DedupReport:
    """Write every stored document but the removed copies as JSONL, and the map of removals."""
    removed = removals(store, keep)
    map_path = map_path or output.with_name(output.name.removesuffix(".jsonl") + ".map.jsonl")
    ids: dict[int, str] = {}
    kept = 0
    with open(output, "w", encoding="utf-8") as out:
        for key, doc in store.iter_documents():
            ids[key] = doc.id
            if key in removed:
                continue
            kept += 1
            out.write(json.dumps(document_row(doc), ensure_ascii=False) + "\n")
    with open(map_path, "w", encoding="utf-8") as out:
        for key, (kept_key, kind) in sorted(removed.items()):
            row = {"removed": ids[key], "kept": ids[kept_key], "kind": kind}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return DedupReport(kept, len(removed), str(output), str(map_path), keep)
