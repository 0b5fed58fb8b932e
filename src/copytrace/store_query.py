"""Querying a store: where does this text come from? Like adding, but nothing is written.

A query is prepared against the store's statistics, paired with at most `QUERY_CANDIDATES` stored
documents (best stage-one score first) and related to them with the static model only by default
(MiniLM's second look is for `add`, where its cost is bounded per batch), so one query with the
models loaded takes tens of milliseconds.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from copytrace.candidates import passage_hashes
from copytrace.config import Config
from copytrace.index import LSHIndex
from copytrace.pipeline import Models, document_vectors, encode_all, relate
from copytrace.records import Document, Relation
from copytrace.sentences import prepare
from copytrace.signatures import minhashes, terms
from copytrace.store import Store
from copytrace.store_candidates import store_candidates
from copytrace.stories import through_rewrites

QUERY_CANDIDATES = 20  # stored partners aligned per query at most, best stage-one score first
_PREFIX = "\x00query:"  # keeps a query's id apart from stored ids while it is being related


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The stored documents one query text relates to, best source first."""

    id: str  # the query's id (its path, or "text")
    document: Document  # the query as prepared, under `id`
    relations: tuple[Relation, ...]  # each between `id` and one stored document
    stories: dict[str, str]  # stored document id -> its story id
    ms: float  # time for this query, models loaded


def query_models(config: Config) -> Models:
    """Return the models a query uses by default: the static model, no MiniLM second look."""
    return Models(replace(config.align, rescore=False))


def query_documents(
    store: Store, docs: Sequence[Document], config: Config | None, models: Models | None
) -> list[QueryResult]:
    """Relate each document to the store; see the module docstring."""
    from copytrace.incremental import check_settings, repeated_with

    config = config or Config()
    models = models or query_models(config)
    if "embedder" not in store.meta:  # nothing stored yet
        return [QueryResult(d.id, d, (), {}, 0.0) for d in docs]
    check_settings(store, config, models)
    store.index.refresh()
    n_docs = len(store) + 1
    key = ("repeated", n_docs, config.clean)
    if key not in store.cache:
        store.cache[key] = repeated_with(store, Counter(), n_docs, config)
    repeated = store.cache[key]
    lsh = LSHIndex(config.candidates.num_perm, config.candidates.minhash_threshold)
    models.static  # noqa: B018 - load the model before the clock starts
    results = []
    for doc in docs:
        started = time.perf_counter()
        internal = prepare(replace(doc, id=_PREFIX + doc.id), repeated)
        relations: list[Relation] = []
        if internal.sentences:
            relations = _relate_one(store, internal, lsh, n_docs, config, models)
        relations = [_renamed(r, internal.id, doc.id) for r in relations]
        if config.stories.through_rewrites:
            relations = _through_stored(store, relations, doc.id, config)
        relations.sort(key=lambda r: (not r.is_copy, -r.score, r.source, r.derived))
        stories = _stories(store, relations, doc.id)
        ms = round((time.perf_counter() - started) * 1000, 2)
        document = replace(internal, id=doc.id)
        results.append(QueryResult(doc.id, document, tuple(relations), stories, ms))
    return results


def _relate_one(
    store: Store, doc: Document, lsh: LSHIndex, n_docs: int, config: Config, models: Models
) -> list[Relation]:
    from copytrace.incremental import _counts

    c = config.candidates
    encoded = encode_all([doc], models.static)
    counts = terms(doc, encoded[0].anchors)
    df = {t: n + 1 for t, n in _counts(store, "term_df", "term", counts).items()}
    df.update({t: 1 for t in counts if t not in df})
    vectors = document_vectors(encoded, config, df=df, n_docs=n_docs, counted=[counts])
    signatures = minhashes([doc], c.num_perm, c.shingle)
    bands = lsh.band_hashes(signatures)
    hashes = passage_hashes([doc], c)
    candidates, stored = store_candidates(
        store, [doc], signatures, bands, hashes, vectors, config, limit=QUERY_CANDIDATES
    )
    if not candidates:
        return []
    by_id = {e.doc.id: e for e in store.load_encoded(stored.values()).values()}
    by_id[doc.id] = encoded[0]
    return relate(candidates, by_id, models, config, documents=1)


def _through_stored(
    store: Store, relations: list[Relation], query_id: str, config: Config
) -> list[Relation]:
    """Return the query's `relations` where a same-story relation with a stored Y becomes a copy
    of Y when the query copies a stored B that the store holds as a rewrite of Y, as the stories
    of a scan or an add would make it (`stories.through_rewrites`)."""
    copied = {r.source for r in relations if r.derived == query_id and r.is_copy}
    if not copied or all(r.kind != "same_story" for r in relations):
        return relations
    stored = [r for b in sorted(copied) for r in store.relations(b) if r.derived == b]
    return through_rewrites(relations + stored, config.stories)[: len(relations)]


def _renamed(rel: Relation, internal: str, given: str) -> Relation:
    """Return `rel` with the query's internal id replaced by the id it was given."""
    if rel.derived == internal:
        rel = replace(rel, derived=given, conflicts=tuple(
            replace(c, derived=given) for c in rel.conflicts))  # fmt: skip
    if rel.source == internal:
        rel = replace(rel, source=given, conflicts=tuple(
            replace(c, source=given) for c in rel.conflicts))  # fmt: skip
    return rel


def _stories(store: Store, relations: Sequence[Relation], query_id: str) -> dict[str, str]:
    """Return the story id of each stored document in `relations`."""
    out = {}
    for rel in relations:
        other = rel.source if rel.derived == query_id else rel.derived
        key = store.keys([other]).get(other)
        story = store.story_of(key) if key is not None else None
        if story is not None:
            out[other] = f"s{story}"
    return out
