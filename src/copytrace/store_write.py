"""Writing one batch into the store: documents, fingerprints, statistics, relations and the stories
they touch, all in one transaction (a crash leaves the batch wholly in or wholly out).

Stories are rebuilt only where the batch's relations reach: the stories of the stored partners,
merged with the new documents, are regrouped by `stories.build_stories` over all their relations as
aligned (so directions are settled from scratch, with every member as a witness, exactly as a scan
of those documents would). A newcomer can join a story, merge two, or become its original.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from copytrace.candidates import Hashes
from copytrace.config import Config
from copytrace.records import Document, Encoded, Relation
from copytrace.store import Store, to_blob
from copytrace.store_candidates import band_keys
from copytrace.store_codec import features_json, relation_json, span_blob
from copytrace.stories import build_stories, fidelity_documents


@dataclass(frozen=True, slots=True)
class BatchWrite:
    """Everything computed for one batch, ready to be written."""

    documents: Sequence[Document]  # prepared (sentences filled), in input order
    encoded: Sequence[Encoded]  # the documents with sentences, in order
    signatures: np.ndarray  # MinHash rows of `encoded`
    bands: np.ndarray  # LSH band hashes of `encoded`
    passages: Hashes  # long-sentence and word-gram hashes of `encoded`
    vectors: np.ndarray  # candidate vectors of `encoded`
    relations: Sequence[Relation]  # new relations, as aligned
    lines: Counter[str]  # short-line document counts of the batch
    df: Counter[str]  # term document counts of the batch
    hashes: Sequence[str]  # content hash of each of `documents`
    seconds: float


@dataclass(frozen=True, slots=True)
class Written:
    """What a batch changed."""

    relations: int
    stories: int


def now() -> str:
    """Return the current UTC time as an ISO string (seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_batch(
    store: Store, plan: BatchWrite, config: Config, started: float, keys: Sequence[int]
) -> Written:
    """Rebuild the touched stories, then write the batch in one transaction, `plan.documents`
    under `keys` (from `Store.next_keys`)."""
    new_ids = {e.doc.id for e in plan.encoded}
    partner_ids = {x for r in plan.relations for x in (r.derived, r.source)} - new_ids
    partner_keys = store.keys(partner_ids)
    old_stories = {s for s in (store.story_of(k) for k in partner_keys.values()) if s is not None}
    member_keys = sorted({k for s in old_stories for k in store.members(s)})
    stored_docs = store.load_headers(member_keys)
    old_relations = store.relations_among({k: stored_docs[k].id for k in member_keys})
    raw = [rel for _, _, rel, _ in old_relations] + list(plan.relations)
    # the stories read the text of only a few: those the witnesses' votes compare
    read = fidelity_documents(raw, config.stories)
    texts = store.load_documents(k for k, d in stored_docs.items() if d.id in read)
    docs = {d.id: texts.get(k, d) for k, d in stored_docs.items()}
    docs |= {e.doc.id: e.doc for e in plan.encoded}
    stored_orientation = {(a, b): o for a, b, _, o in old_relations}
    oriented, stories = build_stories(raw, docs, config.stories)

    conn = store.conn
    stamp = now()
    conn.execute("BEGIN IMMEDIATE")
    try:
        batch = int(store.meta.get("batch", "0")) + 1
        usable = _insert_documents(store, plan, batch, stamp, keys)
        key_of = {d.id: k for d, k in zip(plan.documents, keys, strict=True)}
        key_of.update({d.id: k for k, d in stored_docs.items()})
        key_of.update(partner_keys)
        hashes = zip(band_keys(plan.bands), usable, strict=True)
        conn.executemany(
            "INSERT OR IGNORE INTO bands(hash, key) VALUES(?, ?)",
            [(h, k) for row, k in hashes for h in row],
        )
        for table, rows in zip(("passages", "words"), plan.passages, strict=True):
            conn.executemany(
                f"INSERT OR IGNORE INTO {table}(hash, key) VALUES(?, ?)",
                [(h, k) for row, k in zip(rows, usable, strict=True) for h in row],
            )
        conn.executemany(
            "INSERT INTO line_counts(line, docs) VALUES(?, ?) ON CONFLICT(line) DO UPDATE SET "
            "docs = docs + excluded.docs",
            plan.lines.items(),
        )
        conn.executemany(
            "INSERT INTO term_df(term, df) VALUES(?, ?) ON CONFLICT(term) DO UPDATE SET "
            "df = df + excluded.df",
            plan.df.items(),
        )
        new_pairs = {_pair(key_of, r) for r in plan.relations}
        raw_json = {_pair(key_of, r): relation_json(r) for r in plan.relations}
        for rel in oriented:
            pair = _pair(key_of, rel)
            values = (key_of[rel.derived], key_of[rel.source], rel.direction,
                      rel.evidence.direction_reason)  # fmt: skip
            if pair in new_pairs:
                conn.execute(
                    "INSERT OR REPLACE INTO relations VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*pair, *values[:2], rel.kind, rel.score, *values[2:], batch, raw_json[pair]),
                )
            elif stored_orientation.get(pair) != (values[0], *values[2:], rel.kind, rel.score):
                conn.execute(
                    "UPDATE relations SET derived = ?, source = ?, direction = ?, reason = ?, "
                    "kind = ?, score = ? WHERE a = ? AND b = ?",
                    (*values, rel.kind, rel.score, *pair),
                )
        changed = _write_stories(store, stories, old_stories, key_of, stamp)
        counted = int(store.meta.get("counted", "0")) + len(plan.encoded)
        store.set_meta("counted", counted)
        store.set_meta("batch", batch)
        if plan.encoded:
            store.set_meta("vector_dim", plan.vectors.shape[1])
        seconds = round(time.perf_counter() - started, 3)
        conn.execute(
            "INSERT INTO batches VALUES(?, ?, ?, ?, ?)",
            (batch, stamp, len(plan.documents), len(plan.relations), seconds),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        store.meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        raise
    return Written(len(plan.relations), changed)


def _insert_documents(
    store: Store, plan: BatchWrite, batch: int, stamp: str, keys: Sequence[int]
) -> list[int]:
    """Insert the batch's documents with their sentences and fingerprints under `keys`; return the
    keys of those with sentences (`plan.encoded`), in order."""
    conn = store.conn
    fingerprints = {e.doc.id: i for i, e in enumerate(plan.encoded)}
    usable: list[int] = []
    for doc, content, key in zip(plan.documents, plan.hashes, keys, strict=True):
        conn.execute(
            "INSERT INTO documents(key, id, content, digest, path, line, title, published, url, "
            "source, body_start, chars, batch, added, text) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, doc.id, content, doc.digest, doc.path, doc.line, doc.title, doc.published,
             doc.url, doc.source, doc.body_start, doc.chars, batch, stamp, doc.text),
        )  # fmt: skip
        row = fingerprints.get(doc.id)
        vectors = plan.encoded[row].vectors if row is not None else np.zeros((0, 1))
        conn.execute(
            "INSERT INTO sentences VALUES(?, ?, ?, ?, ?)",
            (key, span_blob([(s.start, s.end) for s in doc.sentences]),
             span_blob(doc.boilerplate), to_blob(vectors, np.float16),
             features_json(plan.encoded[row]) if row is not None else None),
        )  # fmt: skip
        if row is not None:
            usable.append(key)
            conn.execute(
                "INSERT INTO fingerprints VALUES(?, ?, ?)",
                (key, to_blob(plan.signatures[row], np.uint32),
                 to_blob(plan.vectors[row], np.float16)),
            )  # fmt: skip
    return usable


def _pair(key_of: dict[str, int], rel: Relation) -> tuple[int, int]:
    a, b = key_of[rel.derived], key_of[rel.source]
    return (a, b) if a < b else (b, a)


def _write_stories(
    store: Store, stories: Sequence, old: set[int], key_of: dict[str, int], stamp: str
) -> int:
    """Replace the touched stories by the regrouped ones; a new story keeps the key of the old
    story it shares most members with, so story ids stay stable as stories grow."""
    conn = store.conn
    owner = {m: s for s in old for m in store.members(s)}  # a document is in one story
    free = set(old)
    for story in stories:
        members = [key_of[m] for m in story.members]
        shared = Counter(owner[m] for m in members if owner.get(m) in free)
        best = max(shared, key=lambda s: (shared[s], -s), default=None)
        if best is not None:
            free.discard(best)
            key = best
            conn.execute("DELETE FROM story_members WHERE story = ?", (key,))
        else:
            key = None
        original = key_of[story.original] if story.original else None
        cursor = conn.execute(
            "INSERT OR REPLACE INTO stories(key, original, basis, size, updated) "
            "VALUES(?, ?, ?, ?, ?)",
            (key, original, story.original_basis, len(members), stamp),
        )
        key = key if key is not None else int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT OR REPLACE INTO story_members(doc, story) VALUES(?, ?)",
            [(m, key) for m in members],
        )
    for key in free:
        conn.execute("DELETE FROM stories WHERE key = ?", (key,))
        conn.execute("DELETE FROM story_members WHERE story = ?", (key,))
    return len(stories)
