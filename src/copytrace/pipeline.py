"""The pipeline, top to bottom: read, clean and split, encode, candidates, align, classify,
stories."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from copytrace.align import Rescored, align_encoded, fact_links, uncertain_pairs
from copytrace.candidates import find_candidates
from copytrace.classify import classify
from copytrace.clean import repeated_lines
from copytrace.config import AlignConfig, Config
from copytrace.embeddings import Embedder, HashEmbedder, MiniLM, load_static, semantic_available
from copytrace.errors import InputError
from copytrace.records import Candidate, Document, Encoded, Problem, Relation, ScanResult
from copytrace.sentences import prepare
from copytrace.signatures import (
    combined_vector,
    encode_document,
    minhashes,
    terms,
    terms_vector,
)
from copytrace.stories import build_stories


def progress(
    iterable: Iterable, total: int | None = None, desc: str = "", show: bool = True
) -> Iterable:
    """Wrap an iterable in a progress bar on stderr that shows only if the work takes over 2 s
    (never with `show` false: a worker's share of a job)."""
    from tqdm import tqdm

    return tqdm(
        iterable,
        total=total,
        desc=desc,
        delay=2.0,
        file=sys.stderr,
        leave=False,
        disable=None if show else True,
        unit="",
        dynamic_ncols=True,
    )


class Models:
    """The embedders a scan uses, loaded once and kept (the CLI and the server reuse them)."""

    def __init__(self, config: AlignConfig) -> None:
        self.config = config
        self._static: Embedder | None = None
        self._minilm: Embedder | None = None
        self.semantic = config.model == "static" and semantic_available()
        if config.model == "static" and not self.semantic:
            print(
                "copytrace: the semantic extra is not installed, so spins are judged on wording "
                "only; install it with: pip install 'copytrace[semantic]'",
                file=sys.stderr,
            )

    @property
    def static(self) -> Embedder:
        """The sentence embedder used for every sentence."""
        if self._static is None:
            self._static = load_static() if self.semantic else HashEmbedder()
        return self._static

    @property
    def minilm(self) -> Embedder | None:
        """MiniLM for uncertain pairs, or None when re-scoring is off or unavailable."""
        if not (self.semantic and self.config.rescore):
            return None
        if self._minilm is None:
            self._minilm = MiniLM()
        return self._minilm


def prepare_all(
    docs: Sequence[Document],
    config: Config,
    repeated: frozenset[str] | None = None,
    bars: bool = True,
) -> list[Document]:
    """Clean and split every document (with a progress bar unless `bars` is false).

    Boilerplate lines repeated across the corpus are learnt from `docs` unless `repeated` is given
    (a store passes the lines it has counted over everything it holds).
    """
    if repeated is None:
        repeated = repeated_lines(docs, config.clean)
    return [prepare(d, repeated) for d in progress(docs, len(docs), "splitting", bars)]


ENCODE_CHUNK = 8192  # sentences per embedding call: big enough to batch, small enough to report


def encode_all(docs: Sequence[Document], embedder: Embedder, bars: bool = True) -> list[Encoded]:
    """Embed every sentence of every document in one batch and collect the anchors (with progress
    bars unless `bars` is false: a worker's share of the job)."""
    texts = [s.text for d in docs for s in d.sentences]
    chunks = [texts[i : i + ENCODE_CHUNK] for i in range(0, len(texts), ENCODE_CHUNK)]
    parts = [embedder.encode(chunk) for chunk in progress(chunks, len(chunks), "embedding", bars)]
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), np.float32)
    out, at = [], 0
    for d in progress(docs, len(docs), "anchors", bars):
        n = len(d.sentences)
        out.append(encode_document(d, vectors[at : at + n]))
        at += n
    return out


def document_vectors(
    encoded: Sequence[Encoded],
    config: Config,
    df: Mapping[str, int] | None = None,
    n_docs: int | None = None,
    counted: Sequence[Counter[str]] | None = None,
) -> np.ndarray:
    """Return the candidate-search vector of each document (static meaning + TF-IDF of terms).

    Document frequencies come from `encoded` itself unless `df` and `n_docs` are given (a store
    passes its running counts so a new document's vector matches the stored ones). `counted`
    holds each document's `terms` when the caller has them already.
    """
    if counted is None:
        counted = [terms(e.doc, e.anchors) for e in encoded]
    if df is None:
        local: Counter[str] = Counter()
        for counts in counted:
            local.update(counts.keys())
        df, n_docs = local, len(counted)
    rows = [
        combined_vector(
            e.vector,
            terms_vector(counts, df, n_docs or len(counted)),
            config.candidates.tfidf_weight,
        )
        for e, counts in zip(encoded, counted, strict=True)
    ]
    return np.stack(rows) if rows else np.zeros((0, 1), np.float32)


def first_look(
    cand: Candidate, a: Encoded, b: Encoded, config: Config
) -> tuple[Relation | None, float | None]:
    """Align and classify one pair with the static model.

    Returns the relation (or None when unrelated) and, when MiniLM could change the verdict, the
    pair's priority in the second-look queue (None otherwise): the static pass left it between
    kinds, with some alignment but not a clear spin or near copy.
    """
    alignment = align_encoded(a, b, config.align)
    rel = classify(alignment, a, b, config.classify, cand.reasons)
    coverage = max(alignment.coverage_a, alignment.coverage_b)
    if rel is None:
        needed = coverage >= config.align.second_look_coverage
    else:
        needed = rel.kind in ("condensed", "partial_reuse", "same_story")
    return rel, (coverage + cand.score if needed else None)


def uncertain_sentences(a: Encoded, b: Encoded, config: AlignConfig) -> dict[tuple[str, int], str]:
    """Return the sentences of a pair that MiniLM should embed, keyed by (document, index)."""
    found: dict[tuple[str, int], str] = {}
    for i, j in uncertain_pairs(a, b, config):
        found.setdefault((a.doc.id, i), a.doc.sentences[i].text)
        found.setdefault((b.doc.id, j), b.doc.sentences[j].text)
    return found


def within_budget(
    queue: Iterable[Mapping[tuple[str, int], str]], budget: int, whole_below: int = 0
) -> dict[tuple[str, int], str]:
    """Return the sentences to embed: every queued pair's when the whole queue wants at most
    `whole_below` sentences; otherwise each pair's in turn, until the next pair's would exceed
    `budget` (a pair is embedded whole or not at all).

    The queue is read only as far as needed: up to `whole_below` sentences' worth of pairs, or to
    where `budget` stops, whichever is further.
    """
    everything: dict[tuple[str, int], str] = {}
    cut: dict[tuple[str, int], str] | None = None  # what `budget` takes, once it is exceeded
    for found in queue:
        if cut is None and len(everything) + len(found) > budget:
            cut = dict(everything)
        everything.update(found)
        if cut is not None and len(everything) > whole_below:
            return cut
    return everything


def whole_queue_limit(config: AlignConfig, documents: int) -> int:
    """Return how many sentences a second-look queue may want and still be embedded whole, for a
    job that relates `documents` documents (a scan's, or a batch's new ones)."""
    return min(config.rescore_whole_below, config.rescore_whole_per_document * documents)


def rescore(
    pairs: Iterable[tuple[Encoded, Encoded]],
    models: Models,
    config: AlignConfig,
    documents: int = 0,
) -> dict[tuple[str, int], np.ndarray]:
    """Embed with MiniLM the sentences of uncertain pairs, in the given order, up to the budget
    (all of them when the whole queue is small for a job of `documents`: `whole_queue_limit`)."""
    minilm = models.minilm
    if minilm is None:
        return {}
    queue = (uncertain_sentences(a, b, config) for a, b in pairs)
    wanted = within_budget(queue, config.max_rescore, whole_queue_limit(config, documents))
    if not wanted:
        return {}
    keys = list(wanted)
    vectors = minilm.encode([wanted[k] for k in keys])
    return dict(zip(keys, vectors, strict=True))


def second_look(
    cand: Candidate, a: Encoded, b: Encoded, config: Config, rescored: Rescored
) -> Relation | None:
    """Align and classify a pair again with MiniLM's vectors for its uncertain sentences."""
    alignment = align_encoded(a, b, config.align, rescored)
    return classify(alignment, a, b, config.classify, cand.reasons)


def with_conflicts(rel: Relation, derived: Encoded, source: Encoded, config: Config) -> Relation:
    """Return `rel` with the conflicts found along its links and their near neighbours."""
    from copytrace.compare import relation_conflicts

    # same-story reports are checked only where their sentences are close (fewer, surer pairs)
    if rel.is_copy:
        overlap = config.align.fact_neighbour_overlap
        checks = fact_links(derived, source, rel.links, neighbour_overlap=overlap)
        frame = config.align.fact_frame_similarity or None
    else:
        checks = fact_links(derived, source, rel.links, top=1, floor=config.align.uncertain)
        frame = None
    found = relation_conflicts(derived.doc, source.doc, checks, frame)
    return replace(rel, conflicts=found)


def relate(
    candidates: Sequence[Candidate],
    encoded: dict[str, Encoded],
    models: Models,
    config: Config,
    documents: int | None = None,
) -> list[Relation]:
    """Align and classify every candidate pair; attach conflicts to what is related.

    A first pass uses the static model only. Pairs it leaves between kinds get a second look with
    MiniLM on their uncertain sentence pairs, most promising first, within a fixed budget of
    sentences, so the cost of MiniLM stays bounded whatever the corpus size; a queue that is small
    for the job's `documents` (default: all of `encoded`) is embedded whole.
    """
    pairs = [(encoded[c.a], encoded[c.b]) for c in candidates]
    found: list[Relation | None] = []
    second: list[tuple[float, int]] = []
    for k, (cand, (a, b)) in enumerate(
        progress(zip(candidates, pairs, strict=True), len(pairs), "aligning")
    ):
        rel, priority = first_look(cand, a, b, config)
        found.append(rel)
        if priority is not None:
            second.append((priority, k))
    count = len(encoded) if documents is None else documents
    second_looks(candidates, pairs, found, second, models, config, count)
    return [
        with_conflicts(rel, encoded[rel.derived], encoded[rel.source], config)
        for rel in found
        if rel is not None
    ]


def second_looks(
    candidates: Sequence[Candidate],
    pairs: Sequence[tuple[Encoded, Encoded]],
    found: list[Relation | None],
    second: Sequence[tuple[float, int]],
    models: Models,
    config: Config,
    documents: int = 0,
) -> list[int]:
    """Give the queued pairs (`(priority, index)`) their second look with MiniLM, best first,
    within the budget (or all of them, when the queue is small for a job of `documents`: see
    `rescore`); replace their verdicts in `found` and return the indices looked at again."""
    if not second or models.minilm is None:
        return []
    order = [k for _, k in sorted(second, reverse=True)]
    # `pairs` may load documents on access: read only the prefix `within_budget` walks, then the
    # pairs whose first document MiniLM embedded
    rescored = rescore((pairs[k] for k in order), models, config.align, documents)
    embedded = {doc_id for doc_id, _ in rescored}
    again = []
    for k in order:
        if candidates[k].a in embedded:
            a, b = pairs[k]
            found[k] = second_look(candidates[k], a, b, config, rescored)
            again.append(k)
    return again


def scan_documents(
    docs: Sequence[Document],
    config: Config | None = None,
    models: Models | None = None,
    workers: int | None = 1,
) -> ScanResult:
    """Find stories, copies and originals among documents already read.

    `workers` processes align large scans (None: one per core). More than one starts processes
    with `multiprocessing`'s spawn, so a script that asks for them needs the usual
    `if __name__ == "__main__":` guard.
    """
    config = config or Config()
    models = models or Models(config.align)
    timings: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = round(now - t, 3)
        t = now

    from copytrace.store_workers import Workers, uncollected  # it imports this module

    pool = Workers(workers)
    with uncollected():  # see `uncollected`: the scan makes almost no cycles
        try:
            repeated = repeated_lines(docs, config.clean)
            split, encoded = pool.prepare(docs, config, repeated, models.static)
            prepared = [d for d in split if d.sentences]
            lap("prepare")  # clean, split and embed
            signatures = minhashes(prepared, config.candidates.num_perm, config.candidates.shingle)
            vectors = document_vectors(encoded, config)
            candidates = find_candidates(prepared, signatures, vectors, config.candidates)
            del signatures, vectors  # 0.6 GB at 100,000 documents, not read again
            lap("candidates")
            by_id = {e.doc.id: e for e in encoded}
            relations = pool.relate(candidates, by_id, models, config)
        finally:
            pool.close()
        lap("align")
        relations, stories = build_stories(
            relations,
            {d.id: d for d in prepared},
            config.stories,
        )
    lap("stories")
    kept = {d.id for d in prepared}
    documents = tuple(prepared) + tuple(d for d in docs if d.id not in kept)
    return ScanResult(documents, tuple(relations), tuple(stories), (), timings)


def scan(
    paths: Iterable[str | Path],
    config: Config | None = None,
    models: Models | None = None,
    workers: int | None = 1,
    on_batch: Callable[[str], None] | None = None,
) -> ScanResult:
    """Read files and folders and scan them (the `copytrace scan` job); see `scan_documents`.

    More than `ScanConfig.in_memory_max` documents are scanned in batches through a temporary
    store (`store_scan`), which `on_batch` hears about: a line when that starts, and one after
    each batch.
    """
    from copytrace.ingest import iter_documents
    from copytrace.store_scan import head_of, scan_into, temporary_store  # imports this

    config = config or Config()
    problems: list[Problem] = []
    head, docs = head_of(iter_documents(paths, config.read, problems), config.scan.in_memory_max)
    if not head:
        detail = f" ({len(problems)} problems, first: {problems[0]})" if problems else ""
        raise InputError(f"no readable documents in the given inputs{detail}")
    if len(head) > config.scan.in_memory_max:
        del head  # the stream holds them until they are added
        models = models or Models(config.align)
        with temporary_store(config, on_batch) as store:
            result = scan_into(store, docs, config, models, problems, workers, on_batch)
    else:
        result = scan_documents(head, config, models, workers)
    return replace(result, problems=tuple(problems))


def compare_documents(
    a: Document, b: Document, config: Config | None = None, models: Models | None = None
) -> Relation | None:
    """Align and classify one pair of documents (the `copytrace compare` job).

    Returns None when the two texts are unrelated. Publication dates and containment orient the
    relation; quote fidelity needs other versions and is only applied by a scan.
    """
    config = config or Config()
    models = models or Models(config.align)
    if a.id == b.id:
        b = replace(b, id=f"{b.id}~2")
    prepared = [prepare(d) for d in (a, b)]
    for doc in prepared:
        if not doc.sentences:
            raise InputError("no sentences to compare (empty after cleaning)", doc.path or doc.id)
    encoded = encode_all(prepared, models.static)
    candidate = Candidate(prepared[0].id, prepared[1].id, ("compare",), 0.0)
    relations = relate([candidate], {e.doc.id: e for e in encoded}, models, config)
    return relations[0] if relations else None
