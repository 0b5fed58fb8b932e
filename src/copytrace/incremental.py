"""Adding to and querying a store: the scan's stages, run on new documents against stored ones.

A batch of new documents is prepared with the store's running statistics (repeated lines, term
document frequencies), encoded once, and paired with stored documents through indexed lookups:
equal digests, MinHash band hashes, long sentences shared word for word and nearest neighbours of
the document vector. Pairs inside the
batch come from the scan's own `find_candidates`. Stored partners are rebuilt from their stored
sentences and float16 vectors (never re-embedded), the pipeline's `relate` aligns and classifies,
and only the stories that the new relations touch are rebuilt. Everything a batch changes is
written in one transaction; the cost of a batch grows with its size and the log of the store's.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from copytrace.candidates import passage_hashes
from copytrace.clean import iter_lines, line_key
from copytrace.config import Config
from copytrace.index import LSHIndex
from copytrace.pipeline import Models, document_vectors
from copytrace.records import Document, Encoded, Problem
from copytrace.signatures import minhashes, terms
from copytrace.store import Store, StoreError
from copytrace.store_candidates import candidate_parts, store_candidates
from copytrace.store_schema import disk_errors
from copytrace.store_workers import Workers, uncollected
from copytrace.store_write import BatchWrite, Written, write_batch
from copytrace.terminal import plural

SAVE_INDEX_EVERY = 60.0  # seconds between saves of the index file during a long add
WARM_WORKERS_AT = 500  # a batch this large will be related on worker processes: start them early
# A batch's pairs with stored documents are looked up this many new documents at a time, each
# chunk's aligned on the workers while the next is looked up (the lookups took ~12 s of a 5,000
# batch at 100k with a core idle). Chunks of 1,250: four parts of a 5,000 batch, the first of
# them cut to 100 so that the workers wait less before their first pairs (at 250, the workers
# of a 5,000 batch at 100k waited 2.5 s for them; each new document's lookups take ~10 ms).
LOOKUP_CHUNK = 1250
LOOKUP_FIRST = 100


@dataclass(frozen=True, slots=True)
class AddReport:
    """What one `Store.add` did."""

    added: int  # documents stored
    skipped: int  # already stored with the same id and content: nothing to do
    relations: int  # new relations
    stories: int  # stories created or changed
    batches: int
    seconds: float
    ids: tuple[str, ...] = ()  # ids of the added documents (as stored: renamed ones with ~N)
    renamed: tuple[tuple[str, str], ...] = ()  # (given id, stored id) for ids taken by other texts


def content_hash(doc: Document) -> str:
    """Return the hash of a document's raw title and text: equal hashes under one id are no-ops."""
    raw = f"{doc.title or ''}\x00{doc.text}".encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def settings(config: Config, models: Models) -> dict[str, str]:
    """Return the settings that stored fingerprints depend on (they must not change in a store)."""
    c = config.candidates
    return {
        "embedder": models.static.name,
        "dim": str(models.static.dim),
        "num_perm": str(c.num_perm),
        "shingle": str(c.shingle),
        "minhash_threshold": str(c.minhash_threshold),
        "tfidf_weight": str(c.tfidf_weight),
        "passage_min_words": str(c.passage_min_words),
        "words_gram": str(c.words_gram),
        "words_window": str(c.words_window),
    }


def check_settings(store: Store, config: Config, models: Models) -> None:
    """Refuse to mix fingerprints made with other settings or another model into a store."""
    for key, value in settings(config, models).items():
        stored = store.meta.get(key)
        if stored is not None and stored != value:
            raise StoreError(
                f"{store.path}: the store was built with {key} = {stored}, this run uses {value}; "
                "use the store's settings (same --config, same --no-semantic), or rebuild it: "
                f"copytrace export --db {store.path} -o all.jsonl, then add all.jsonl to a new "
                "store"
            )


def add_documents(
    store: Store,
    docs: Iterable[Document],
    config: Config | None,
    models: Models | None,
    batch_size: int,
    problems: list[Problem] | None,
    workers: int | None = 1,
    on_batch: Callable[[str], None] | None = None,
) -> AddReport:
    """Add new documents to `store` batch by batch (see the module docstring).

    Large batches are related on `workers` processes (None: all cores). `on_batch` gets a line
    after each committed batch (what it added, and the time so far).
    """
    config = config or Config()
    models = models or Models(config.align)
    check_settings(store, config, models)
    if "embedder" not in store.meta:
        store.conn.execute("BEGIN IMMEDIATE")
        for key, value in settings(config, models).items():
            store.set_meta(key, value)
        store.conn.execute("COMMIT")
    start = time.perf_counter()
    totals: Counter[str] = Counter()
    ids: list[str] = []
    renamed: list[tuple[str, str]] = []
    saved = time.perf_counter()
    pool = Workers(workers)
    with disk_errors(store.path):
        try:
            for batch in _batches(_new_only(store, docs, totals, renamed), batch_size):
                if len(batch) >= WARM_WORKERS_AT:  # workers start while this one prepares
                    pool.start(config)
                with uncollected():
                    written = add_batch(store, batch, config, models, pool)
                totals.update(
                    added=len(batch), relations=written.relations, stories=written.stories
                )
                totals["batches"] += 1
                ids.extend(d.id for d in batch)
                if on_batch is not None:
                    on_batch(
                        f"batch {totals['batches']}: {len(batch):,} added ({totals['added']:,} so "
                        f"far), {plural(written.relations, 'relation')}, "
                        f"{time.perf_counter() - start:,.0f} s"
                    )
                if time.perf_counter() - saved > SAVE_INDEX_EVERY:
                    store.index.save()
                    saved = time.perf_counter()
        finally:
            pool.close()
            store.index.save()
    if problems is not None:
        problems.extend(
            Problem(given, None, f"id already stored with another text; stored as {new!r}")
            for given, new in renamed
        )
    return AddReport(
        totals["added"], totals["skipped"], totals["relations"], totals["stories"],
        totals["batches"], round(time.perf_counter() - start, 3), tuple(ids), tuple(renamed),
    )  # fmt: skip


def _new_only(
    store: Store, docs: Iterable[Document], totals: Counter[str], renamed: list[tuple[str, str]]
) -> Iterator[Document]:
    """Yield the documents not stored yet; a stored id with another text gets a `~N` suffix.

    A text is already stored when its id, or that id renamed `~N`, holds the same content.
    """
    for doc in docs:
        digest = content_hash(doc)
        same = store.conn.execute(
            "SELECT id FROM documents WHERE content = ?", (digest,)
        ).fetchall()
        if any(i == doc.id or i.startswith(doc.id + "~") for (i,) in same):
            totals["skipped"] += 1
            continue
        if store.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc.id,)).fetchone() is None:
            yield doc
            continue
        n = 2
        while store.conn.execute(
            "SELECT 1 FROM documents WHERE id = ?", (f"{doc.id}~{n}",)
        ).fetchone():
            n += 1
        renamed.append((doc.id, f"{doc.id}~{n}"))
        yield replace(doc, id=f"{doc.id}~{n}")


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def line_keys(doc: Document, max_chars: int) -> set[str]:
    """Return the short lines of a document's body as counted for repeated-line boilerplate
    (`clean.repeated_lines` counts the same way)."""
    keys = set()
    for start, end in iter_lines(doc.text, doc.body_start):
        if 0 < end - start <= max_chars * 2:
            key = line_key(doc.text[start:end])
            if key and len(key) <= max_chars:
                keys.add(key)
    return keys


def _counts(store: Store, table: str, column: str, names: Iterable[str]) -> dict[str, int]:
    """Return the stored counts of `names` in a (name, count) table, in chunks of 500."""
    names = list(names)
    count_col = "docs" if table == "line_counts" else "df"
    out: dict[str, int] = {}
    for i in range(0, len(names), 500):
        chunk = names[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(
            store.conn.execute(
                f"SELECT {column}, {count_col} FROM {table} WHERE {column} IN ({marks})", chunk
            ).fetchall()
        )
    return out


def repeated_with(
    store: Store, batch_lines: Counter[str], total: int, config: Config
) -> frozenset[str]:
    """Return the repeated lines over the store plus a batch whose line counts are given."""
    need = max(config.clean.repeated_min_docs, config.clean.repeated_share * total)
    stored = _counts(store, "line_counts", "line", batch_lines)
    found = {line for line, n in batch_lines.items() if stored.get(line, 0) + n >= need}
    found.update(
        r[0] for r in store.conn.execute("SELECT line FROM line_counts WHERE docs >= ?", (need,))
    )
    return frozenset(found)


def add_batch(
    store: Store,
    batch: Sequence[Document],
    config: Config,
    models: Models,
    workers: Workers | None = None,
) -> Written:
    """Prepare, relate and write one batch of new documents in one transaction."""
    started = time.perf_counter()
    n_stored = len(store)
    lines: Counter[str] = Counter()
    for doc in batch:
        lines.update(line_keys(doc, config.clean.repeated_max_chars))
    repeated = repeated_with(store, lines, n_stored + len(batch), config)
    prepared, encoded = (workers or Workers(1)).prepare(batch, config, repeated, models.static)
    usable = [d for d in prepared if d.sentences]
    counted = [terms(e.doc, e.anchors) for e in encoded]
    df_batch: Counter[str] = Counter()
    for counts in counted:
        df_batch.update(counts.keys())
    df = _counts(store, "term_df", "term", df_batch)
    for term, n in df_batch.items():
        df[term] = df.get(term, 0) + n
    n_docs = int(store.meta.get("counted", "0")) + len(encoded)
    vectors = document_vectors(encoded, config, df=df, n_docs=n_docs, counted=counted)
    c = config.candidates
    signatures = minhashes(usable, c.num_perm, c.shingle)
    lsh = LSHIndex(c.num_perm, c.minhash_threshold)
    bands = lsh.band_hashes(signatures) if len(usable) else np.zeros((0, lsh.bands), np.uint64)
    passages = passage_hashes(usable, c)
    by_id: dict[str, Encoded] = {e.doc.id: e for e in encoded}
    if workers is not None and workers.count > 1 and len(usable) > LOOKUP_CHUNK:
        # the workers align each chunk's pairs while the next chunk is looked up
        parts = candidate_parts(
            store, usable, signatures, bands, passages, vectors, config,
            chunk=LOOKUP_CHUNK, first=LOOKUP_FIRST,
        )  # fmt: skip
        relations = workers.relate_parts(parts, by_id, models, config, store)
    else:
        pairs, stored = store_candidates(
            store, usable, signatures, bands, passages, vectors, config
        )
        relations = (workers or Workers(1)).relate(pairs, by_id, models, config, store, stored)
    plan = BatchWrite(
        documents=prepared, encoded=encoded, signatures=signatures, bands=bands,
        passages=passages, vectors=vectors, relations=relations, lines=lines, df=df_batch,
        hashes=[content_hash(d) for d in prepared], seconds=0.0,
    )  # fmt: skip
    keys = store.next_keys(len(prepared))
    # the index takes the batch's vectors while the batch is written, on the core that writing
    # leaves idle and (with usearch's threads) its share of the other one; usearch releases the
    # GIL. If the batch does not commit, the index holding them is dropped unsaved.
    indexed = [k for d, k in zip(prepared, keys, strict=True) if d.sentences]  # `vectors` rows
    with ThreadPoolExecutor(1) as indexing:
        added = indexing.submit(store.index.add, indexed, vectors)
        try:
            written = write_batch(store, plan, config, started, keys)
            added.result()
        except BaseException:
            store.drop_index()
            raise
    return written
