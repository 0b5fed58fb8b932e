"""Relating a large batch on several cores: the static first look of `pipeline.relate`, and the
conflicts of what it relates, on slices of the candidates in worker processes that live as long
as one `add` (or one scan, whose documents are all in memory); the MiniLM second look over the
whole batch, in the calling process.

Alignment, classification and conflict checks are pure Python, one pair at a time, so a second
core halves their time. Each worker reads the stored documents its slice pairs with from the
store itself (a reader's connection), so the calling process neither loads nor sends them. The
second look takes the queue of every slice, ranked as one `relate` call ranks it, and spends one
budget of MiniLM sentences on it (loading only the stored documents of the pairs it looks at
again), so a batch gets exactly the relations one `relate` call gives; workers never load MiniLM
(about 300 MB each). MiniLM runs on ONNX Runtime, which loads in about half a second and embeds on
every core while the workers wait. Small batches stay in the calling process. A large batch of
an add hands its candidates over in parts (`relate_parts`): the workers align the pairs of the
first new documents while the calling process looks up the stored partners of the next.

Before that, the same workers clean, split and embed a large batch's documents, in slices, each
with its own copy of the static model (15 MB): per document that work does not depend on the
others, and it left a core idle for ~9 s of every 5,000 documents.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from copytrace.config import Config
from copytrace.embeddings import Embedder, embedder_spec, load_embedder
from copytrace.pipeline import (
    Models,
    encode_all,
    first_look,
    prepare_all,
    progress,
    relate,
    second_looks,
    with_conflicts,
)
from copytrace.records import Candidate, Document, Encoded, Relation

if TYPE_CHECKING:
    from copytrace.store import Store
    from copytrace.store_candidates import Part

MIN_PAIRS_PER_WORKER = 500  # below this, starting and feeding a worker costs more than it saves
# Candidates come grouped by new document, so contiguous slices keep a document's pairs in one
# worker, which analyses its sentences and facts once (`compare` caches them per process). A few
# slices per worker, taken as workers free up, even out slices that cost more than others.
# On a 1,000-document add to the 100k benchmark store (9,549 pairs), the workers spent about 8%
# more CPU time on interleaved slices (every n-th pair), 17.9 s against 16.4 s.
SLICES_PER_WORKER = 4

# Cleaning, splitting and embedding take ~1.7 ms a document (5,000 news articles: 3.1 s to
# split, 3.5 s to embed, 2.1 s for anchors), in the calling process while the workers waited. A
# worker starts and loads the static model in under a second, so slices of fewer documents than
# this gain nothing.
MIN_DOCS_PER_WORKER = 500

_readers: dict[Path, Store] = {}  # a worker's read-only connection to each store it was sent
_embedders: dict[tuple[str, str], Embedder] = {}  # a worker's embedders, loaded on first use


def _ready() -> bool:
    return True


def _worker_started() -> None:
    """Set up a worker: it exits with the process that started it, and exits fast.

    A pool's workers hold both ends of their task queue, so a calling process killed outright
    (`kill -9`, the OOM killer) would leave them waiting for tasks forever, each holding its
    stored partners; a thread watches the parent and ends the worker with it. At a normal exit
    the worker skips the interpreter's teardown (it took ~2 s): it holds no files to flush, and
    its read-only connections need no closing.
    """
    atexit.register(os._exit, 0)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


@contextmanager
def uncollected() -> Iterator[None]:
    """Run a stretch of work with the cyclic garbage collector paused (it runs again after).

    Relating and writing a batch allocate millions of small containers (loaded documents, the
    lists and sets of each pair's alignment, mentions and word positions, decoded relations) and
    make almost no cycles: relating the 13,233 pairs of a 1,000-document add to the 100k
    benchmark store in one process left 289 objects for the collector, whose passes over those
    containers cost ~8% of the time (17.2 s instead of 18.7-19.3 s of CPU).
    What the stretch leaves in cycles is collected after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(store: Store, stored: Mapping[str, int]) -> dict[str, Encoded]:
    """Return the stored documents named (id: key) in `stored`, by id."""
    return {e.doc.id: e for e in store.load_encoded(stored.values()).values()}


def _stored(db: Path, stored: Mapping[str, int]) -> dict[str, Encoded]:
    """Return stored documents by id, read in a worker from its own connection to the store."""
    from copytrace.store import Store

    if db not in _readers:
        _readers[db] = Store.open(db, readonly=True)
    return _load(_readers[db], stored)


def _first_looks(
    candidates: Sequence[Candidate],
    encoded: dict[str, Encoded],
    config: Config,
    db: Path | None = None,
    stored: Mapping[str, int] | None = None,
) -> list[tuple[Relation | None, float | None]]:
    """Return each pair's first-look relation (with its conflicts) and second-look priority.

    `stored` names the stored documents (id: key) of the slice that `encoded` lacks: they are
    read from the store at `db`.
    """
    out: list[tuple[Relation | None, float | None]] = []
    with uncollected():
        if db is not None and stored:
            encoded = {**encoded, **_stored(db, stored)}
        for cand in candidates:
            rel, priority = first_look(cand, encoded[cand.a], encoded[cand.b], config)
            if rel is not None:
                rel = with_conflicts(rel, encoded[rel.derived], encoded[rel.source], config)
            out.append((rel, priority))
    return out


def _prepared(
    docs: Sequence[Document],
    config: Config,
    repeated: frozenset[str],
    embedder: Embedder,
    bars: bool = True,
) -> tuple[list[Document], list[Encoded]]:
    """Return `docs` cleaned and split, and those with sentences encoded."""
    prepared = prepare_all(docs, config, repeated, bars)
    return prepared, encode_all([d for d in prepared if d.sentences], embedder, bars)


def _prepare_slice(
    docs: Sequence[Document], config: Config, repeated: frozenset[str], spec: tuple[str, str]
) -> tuple[list[Document], list[Encoded]]:
    """Return `_prepared` of a slice of a batch (in a worker, without progress bars)."""
    if spec not in _embedders:
        _embedders[spec] = load_embedder(spec)
    with uncollected():
        return _prepared(docs, config, repeated, _embedders[spec], bars=False)


def slices(total: int, count: int) -> list[tuple[int, int]]:
    """Return `count` (or fewer, never empty) contiguous `(start, end)` ranges covering `total`.

    >>> slices(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    """
    count = min(count, total)
    if count < 1:
        return []
    size, extra = divmod(total, count)
    out, start = [], 0
    for k in range(count):
        end = start + size + (k < extra)
        out.append((start, end))
        start = end
    return out


class Workers:
    """A pool of worker processes that prepare slices of a batch's documents and relate slices of
    its candidates (first looks)."""

    def __init__(
        self, count: int | None = None, min_pairs: int | None = None, min_docs: int | None = None
    ) -> None:
        self.count = count if count is not None else (os.cpu_count() or 1)
        self.min_pairs = MIN_PAIRS_PER_WORKER if min_pairs is None else min_pairs
        self.min_docs = MIN_DOCS_PER_WORKER if min_docs is None else min_docs
        self._pool: ProcessPoolExecutor | None = None

    def start(self, config: Config) -> None:
        """Start the workers in the background (idempotent); `config` is not needed yet."""
        # spawn, not fork: the parent may hold a thread pool (tokenizers, ONNX Runtime) that a
        # forked child would inherit broken
        spawn = multiprocessing.get_context("spawn")
        if self._pool is None and self.count > 1:
            self._pool = ProcessPoolExecutor(self.count, spawn, initializer=_worker_started)
            for _ in range(self.count):  # a task each, so every worker starts now
                self._pool.submit(_ready)

    def prepare(
        self,
        docs: Sequence[Document],
        config: Config,
        repeated: frozenset[str],
        embedder: Embedder,
    ) -> tuple[list[Document], list[Encoded]]:
        """Return `prepare_all(docs, config, repeated)` and `encode_all` of those of its documents
        that have sentences, in order: on every core when the documents are many.

        An embedder that another process cannot load (`embedder_spec`) keeps the work here.
        """
        spec = embedder_spec(embedder)
        n = min(self.count, len(docs) // self.min_docs)
        if n <= 1 or spec is None:
            return _prepared(docs, config, repeated, embedder)
        self.start(config)
        assert self._pool is not None
        futures = [
            self._pool.submit(_prepare_slice, docs[start:end], config, repeated, spec)
            for start, end in slices(len(docs), n * SLICES_PER_WORKER)
        ]
        prepared: list[Document] = []
        encoded: list[Encoded] = []
        for future in progress(futures, len(futures), "splitting and embedding"):
            part, done = future.result()
            prepared += part
            encoded += done
        return prepared, encoded

    def relate(
        self,
        candidates: Sequence[Candidate],
        encoded: dict[str, Encoded],
        models: Models,
        config: Config,
        store: Store | None = None,
        stored: Mapping[str, int] | None = None,
    ) -> list[Relation]:
        """Return what `pipeline.relate(candidates, ...)` returns, first looks on every core.

        `encoded` holds the documents in memory (the new batch); `stored` names (id: key) the
        documents of `store` that the candidates pair them with, read where they are needed.
        """
        stored = stored or {}
        n = min(self.count, len(candidates) // self.min_pairs)
        if n <= 1:  # the job's documents are the new ones, whatever stored ones they meet
            loaded = _load(store, stored) if store is not None and stored else {}
            return relate(candidates, {**encoded, **loaded}, models, config, len(encoded))
        futures = self._submit(candidates, n, encoded, config, store, stored)
        return self._finish(candidates, [(0, futures)], encoded, models, config, store, stored)

    def relate_parts(
        self,
        parts: Iterable[Part],
        encoded: dict[str, Encoded],
        models: Models,
        config: Config,
        store: Store,
    ) -> list[Relation]:
        """Return what `relate` returns for the candidates `parts` yields
        (`store_candidates.candidate_parts`), each part's first looks started on the workers as
        soon as it is yielded, so they run while the next part is looked up."""
        from copytrace.store_candidates import joined, part_starts

        if self.count <= 1:
            candidates, stored = joined(parts)
            return self.relate(candidates, encoded, models, config, store, stored)
        submitted = []
        found = []
        for part, named in parts:
            n = max(1, min(self.count, len(part) // self.min_pairs))
            submitted.append(self._submit(part, n, encoded, config, store, named))
            found.append((part, named))
        if not found:
            return []
        candidates, stored = joined(found)
        starts = part_starts([len(part) for part, _ in found])
        offsets = list(zip(starts, submitted, strict=True))
        return self._finish(candidates, offsets, encoded, models, config, store, stored)

    def _submit(
        self,
        candidates: Sequence[Candidate],
        n: int,
        encoded: dict[str, Encoded],
        config: Config,
        store: Store | None,
        stored: Mapping[str, int],
    ) -> list[tuple[int, Future[list[tuple[Relation | None, float | None]]]]]:
        """Start the first looks of `candidates` on the workers, in `n` workers' worth of slices;
        return each slice's start and future."""
        self.start(config)
        assert self._pool is not None
        db = store.path.resolve() if store is not None else None
        futures = []
        for start, end in slices(len(candidates), n * SLICES_PER_WORKER):
            part = candidates[start:end]
            needed = {x for c in part for x in (c.a, c.b)}
            here = {i: encoded[i] for i in needed if i in encoded}
            there = {i: stored[i] for i in needed if i not in encoded}
            futures.append((start, self._pool.submit(_first_looks, part, here, config, db, there)))
        return futures

    def _finish(
        self,
        candidates: Sequence[Candidate],
        submitted: Sequence[
            tuple[int, Sequence[tuple[int, Future[list[tuple[Relation | None, float | None]]]]]]
        ],
        encoded: dict[str, Encoded],
        models: Models,
        config: Config,
        store: Store | None,
        stored: Mapping[str, int],
    ) -> list[Relation]:
        """Collect the first looks (`submitted`: where each part starts among `candidates`, and
        its slices), then give the queue its second look and what that relates its conflicts."""
        futures = [(base + start, future) for base, part in submitted for start, future in part]
        found: list[Relation | None] = [None] * len(candidates)
        second: list[tuple[float, int]] = []
        for start, future in progress(futures, len(futures), "aligning"):
            for offset, (rel, priority) in enumerate(future.result()):
                index = start + offset  # back to the candidate's place in the batch
                found[index] = rel
                if priority is not None:
                    second.append((priority, index))
        pairs = _Pairs(candidates, encoded, store, stored)
        for index in second_looks(candidates, pairs, found, second, models, config, len(encoded)):
            rel = found[index]
            if rel is not None:
                found[index] = with_conflicts(
                    rel, pairs.get(rel.derived), pairs.get(rel.source), config
                )
        return [rel for rel in found if rel is not None]

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        self._pool = None


class _Pairs(Sequence[tuple[Encoded, Encoded]]):
    """The candidates' pairs of documents, stored ones read from the store on first access."""

    def __init__(
        self,
        candidates: Sequence[Candidate],
        encoded: dict[str, Encoded],
        store: Store | None,
        stored: Mapping[str, int],
    ) -> None:
        self.candidates = candidates
        self.encoded = dict(encoded)
        self.store = store
        self.stored = stored

    def get(self, doc_id: str) -> Encoded:
        if doc_id not in self.encoded:
            assert self.store is not None, f"{doc_id} is neither in memory nor stored"
            key = self.stored[doc_id]
            self.encoded[doc_id] = self.store.load_encoded([key])[key]
        return self.encoded[doc_id]

    def __getitem__(self, k: int) -> tuple[Encoded, Encoded]:  # type: ignore[override]
        cand = self.candidates[k]
        return self.get(cand.a), self.get(cand.b)

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self) -> Iterator[tuple[Encoded, Encoded]]:
        return (self[k] for k in range(len(self)))
