"""Read-only listings of a store for the web app: pages of stories and documents, one relation.

`Store` answers one document or one story at a time; a web page lists fifty of thousands, ordered
the way the report orders stories (largest, then most copied). These are plain SQL reads over the
store's tables, kept here, apart from the store's own code, because only the web app pages them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copytrace.pairview import doc_title
from copytrace.records import Relation
from copytrace.store import Store

_STORY_ID = re.compile(r"s([0-9]{1,18})")

# Copy relations with both ends in the story: what "most copied" counts.
_COPIES = (
    "(SELECT count(*) FROM story_members ma JOIN relations r ON r.a = ma.doc "
    "JOIN story_members mb ON mb.doc = r.b AND mb.story = ma.story "
    "WHERE ma.story = s.key AND r.kind != 'same_story')"
)


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as listed: size, copies among its members, original and members' ids."""

    id: str
    key: int
    title: str
    size: int
    copies: int
    original: str | None
    original_basis: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A stored document as listed, without its text."""

    id: str
    path: str | None
    title: str | None
    published: str | None
    url: str | None
    source: str | None
    chars: int
    story: str | None


def story_key(story_id: str) -> int | None:
    """Return the store key of a story id like "s12", or None when it is not one."""
    found = _STORY_ID.fullmatch(story_id)
    return int(found.group(1)) if found else None


def count_stories(store: Store, min_size: int = 2) -> int:
    """Return how many stories have at least `min_size` members."""
    row = store.conn.execute("SELECT count(*) FROM stories WHERE size >= ?", (min_size,))
    return int(row.fetchone()[0])


def story_rows(store: Store, offset: int, limit: int, min_size: int = 2) -> list[StoryRow]:
    """Return one page of stories of at least `min_size` members, largest and most copied first."""
    rows = store.conn.execute(
        f"SELECT s.key, s.size, {_COPIES} AS copies, s.original, s.basis FROM stories s "
        "WHERE s.size >= ? ORDER BY s.size DESC, copies DESC, s.key LIMIT ? OFFSET ?",
        (min_size, limit, offset),
    ).fetchall()
    members: dict[int, list[tuple[int, str]]] = {key: [] for key, *_ in rows}
    if members:
        marks = ",".join("?" * len(members))
        for story, doc, doc_id in store.conn.execute(
            "SELECT m.story, m.doc, d.id FROM story_members m JOIN documents d ON d.key = m.doc "
            f"WHERE m.story IN ({marks}) ORDER BY d.id",
            list(members),
        ):
            members[story].append((doc, doc_id))
    out = []
    for key, size, copies, original, basis in rows:
        ids = tuple(doc_id for _, doc_id in members[key])
        # Titled by its original, else by its first member (the story page may pick another).
        first = original if original is not None else (members[key][0][0] if ids else None)
        title = doc_title(store.load_documents([first])[first])[0] if first is not None else ""
        original_id = next((i for k, i in members[key] if k == original), None)
        out.append(StoryRow(f"s{key}", key, title, size, copies, original_id, basis, ids))
    return out


def document_rows(store: Store, offset: int, limit: int) -> list[DocumentRow]:
    """Return one page of stored documents in the order they were added."""
    rows = store.conn.execute(
        "SELECT d.id, d.path, d.title, d.published, d.url, d.source, d.chars, m.story "
        "FROM documents d LEFT JOIN story_members m ON m.doc = d.key "
        "ORDER BY d.key LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [
        DocumentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], None if r[7] is None else f"s{r[7]}")
        for r in rows
    ]


def document_row(store: Store, doc_id: str) -> DocumentRow | None:
    """Return one stored document as listed, or None."""
    row = store.conn.execute(
        "SELECT d.id, d.path, d.title, d.published, d.url, d.source, d.chars, m.story "
        "FROM documents d LEFT JOIN story_members m ON m.doc = d.key WHERE d.id = ?",
        (doc_id,),
    ).fetchone()
    if row is None:
        return None
    story = None if row[7] is None else f"s{row[7]}"
    return DocumentRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], story)


def relation_between(store: Store, a: str, b: str) -> Relation | None:
    """Return the stored relation of two documents, in its own direction, or None."""
    return next((r for r in store.relations(a) if {r.derived, r.source} == {a, b}), None)
