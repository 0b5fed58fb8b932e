"""Relating on worker processes gives what one `pipeline.relate` call gives."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from copytrace.candidates import find_candidates
from copytrace.config import Config, ReadConfig
from copytrace.ingest import iter_documents
from copytrace.pipeline import Models, document_vectors, encode_all, prepare_all, relate
from copytrace.records import Candidate, Document, Encoded
from copytrace.signatures import minhashes
from copytrace.store_workers import Workers, uncollected


def seed_candidates(
    seeds: Path, models: Models, config: Config
) -> tuple[list[Document], list[Encoded], list[Candidate]]:
    """Return the seeds as read, encoded, and their candidate pairs as a scan finds them."""
    docs = list(iter_documents([seeds], ReadConfig(), []))
    prepared = [d for d in prepare_all(docs, config) if d.sentences]
    encoded = encode_all(prepared, models.static)
    signatures = minhashes(prepared, config.candidates.num_perm, config.candidates.shingle)
    candidates = find_candidates(
        prepared, signatures, document_vectors(encoded, config), config.candidates
    )
    return docs, encoded, candidates


@pytest.mark.parametrize("budget", [400, 30])  # the whole second look, and a cut-short one
def test_workers_relate_as_one_relate_call(seeds: Path, models: Models, budget: int) -> None:
    config = Config()
    # the seeds' queue is small enough to be embedded whole unless that is turned off
    config = replace(config, align=replace(config.align, max_rescore=budget, rescore_whole_below=0))
    _, encoded, candidates = seed_candidates(seeds, models, config)
    by_id = {e.doc.id: e for e in encoded}
    pool = Workers(2, min_pairs=1)
    try:
        together = pool.relate(candidates, by_id, models, config)
    finally:
        pool.close()
    assert together == relate(candidates, by_id, models, config)
    assert {r.kind for r in together} >= {"spin", "condensed", "same_story"}
    assert any(r.conflicts for r in together)


def test_workers_prepare_as_the_calling_process_does(seeds: Path, models: Models) -> None:
    """Documents cleaned, split and embedded in slices on the workers come back in order, each
    exactly as `prepare_all` and `encode_all` make it here (an empty one included)."""
    config = Config()
    docs = list(iter_documents([seeds], ReadConfig(), []))
    docs += [Document(id="blank", text="Advertisement\n\nShare this article")]
    repeated = frozenset({"share this article"})
    here = prepare_all(docs, config, repeated)
    expected = encode_all([d for d in here if d.sentences], models.static)
    pool = Workers(2, min_docs=1)
    try:
        split, encoded = pool.prepare(docs, config, repeated, models.static)
    finally:
        pool.close()
    assert split == here
    assert not split[-1].sentences
    assert [e.doc for e in encoded] == [e.doc for e in expected]
    for got, want in zip(encoded, expected, strict=True):
        assert np.array_equal(got.vectors, want.vectors)
        assert np.array_equal(got.vector, want.vector)
        assert (got.anchors, got.lengths, got.all_anchors, got.quotes) == (
            want.anchors, want.lengths, want.all_anchors, want.quotes,
        )  # fmt: skip


def test_an_embedder_the_workers_cannot_load_keeps_the_work_here(
    seeds: Path, models: Models
) -> None:
    class Negated:
        """An embedder of the caller's own: the static one's vectors, negated."""

        name = "negated"
        dim = models.static.dim

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return -models.static.encode(texts)

    docs = list(iter_documents([seeds], ReadConfig(), []))
    pool = Workers(2, min_docs=1)
    _, encoded = pool.prepare(docs, Config(), frozenset(), Negated())
    assert pool._pool is None  # no worker was started
    plain = encode_all(prepare_all(docs, Config(), frozenset()), models.static)
    assert np.array_equal(encoded[0].vectors, -plain[0].vectors)


def test_workers_read_stored_partners_from_the_store(
    tmp_path: Path, seeds: Path, models: Models
) -> None:
    """Stored documents are read by each worker (and by the second look) from the store, with
    the same result as relating everything in memory."""
    from copytrace.store import Store

    config = Config()
    docs, encoded, candidates = seed_candidates(seeds, models, config)
    with Store.open(tmp_path / "part.ct", create=True) as store:
        store.add(docs[:3], config, models)
        stored = store.keys(d.id for d in docs[:3])
        in_memory = {e.doc.id: e for e in encoded if e.doc.id not in stored}
        loaded = store.load_encoded(stored.values())
        everything = {**in_memory, **{e.doc.id: e for e in loaded.values()}}
        pool = Workers(2, min_pairs=1)
        try:
            together = pool.relate(candidates, in_memory, models, config, store, stored)
        finally:
            pool.close()
        alone = Workers(1).relate(candidates, in_memory, models, config, store, stored)
    expected = relate(candidates, everything, models, config)
    assert together == expected
    assert alone == expected
    assert {r.kind for r in together} >= {"spin", "condensed"}


# three new documents: a part each; or the first alone, then the other two
@pytest.mark.parametrize(("chunk", "first", "parts"), [(1, 250, 4), (2, 1, 3)])
def test_a_batch_looked_up_in_chunks_is_related_as_in_one_go(
    tmp_path: Path,
    seeds: Path,
    models: Models,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    first: int,
    parts: int,
) -> None:
    """A large batch's pairs with stored documents are looked up a chunk of new documents at a
    time, each chunk aligned on the workers while the next is looked up: the parts, joined, are
    the candidates of one lookup, and the store ends the same."""
    from copytrace import incremental, store_candidates
    from copytrace.store import Store

    config = Config()
    docs = list(iter_documents([seeds], ReadConfig(), []))
    seen: dict[str, object] = {}
    wholes: list[object] = []

    def whole(*args: object, **kwargs: object) -> object:
        wholes.append(store_candidates.store_candidates(*args, **kwargs))  # type: ignore[arg-type]
        return wholes[-1]

    def chunked(*args: object, **kwargs: object) -> object:
        seen["parts"] = list(store_candidates.candidate_parts(*args, **kwargs))  # type: ignore[arg-type]
        return iter(seen["parts"])  # type: ignore[call-overload]

    monkeypatch.setattr(incremental, "store_candidates", whole)
    monkeypatch.setattr(incremental, "candidate_parts", chunked)
    monkeypatch.setattr(incremental, "LOOKUP_CHUNK", chunk)
    monkeypatch.setattr(incremental, "LOOKUP_FIRST", first)
    ends = {}
    for name, workers in (("one go", 1), ("chunks", 2)):
        with Store.open(tmp_path / f"{name}.ct", create=True) as store:
            store.add(docs[:2], config, models)
            store.add(docs[2:], config, models, workers=workers)
            ends[name] = (
                [store.relations(d.id) for d in docs],
                [(s.members, s.original, s.original_basis) for s in store.stories()],
            )
    found = seen["parts"]
    assert isinstance(found, list) and len(found) == parts  # the chunks, then the batch
    stored_ids = {d.id for d in docs[:2]}
    for candidates, named in found[:-1]:
        assert {c.a for c in candidates} <= stored_ids and set(named) <= stored_ids
    assert not found[-1][1] and all(c.a not in stored_ids for c in found[-1][0])
    assert store_candidates.joined(found) == wholes[1]  # the second add of the first store
    assert ends["chunks"] == ends["one go"]
    assert any(ends["one go"][0])  # the batch relates to the stored seeds


_ORPHAN_PARENT = """
import os, sys
from copytrace.config import Config
from copytrace.store_workers import Workers

if __name__ == "__main__":
    pool = Workers(2)
    pool.start(Config())
    pool._pool.submit(os.getpid).result()  # the workers are up
    pids = sorted(pool._pool._processes)
    print(" ".join(map(str, pids)), flush=True)
    os.kill(os.getpid(), 9)  # killed outright: no cleanup runs
"""


def test_workers_end_with_a_calling_process_killed_outright(tmp_path: Path) -> None:
    """`kill -9` of an add leaves no worker waiting for tasks forever."""
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(_ORPHAN_PARENT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    pids = [int(x) for x in done.stdout.split()]
    assert len(pids) == 2, done.stderr

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # a zombie is dead but not yet reaped by its new parent
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][0] != "Z"

    deadline = time.monotonic() + 15
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in pids)


def test_the_collector_is_paused_for_a_stretch_and_left_as_it_was() -> None:
    assert gc.isenabled()
    with pytest.raises(KeyError), uncollected():
        assert not gc.isenabled()
        raise KeyError("the work failed")
    assert gc.isenabled()  # back on, whatever happened inside
    gc.disable()
    try:
        with uncollected():
            pass
        assert not gc.isenabled()  # a caller's own pause is not undone
    finally:
        gc.enable()


def test_slices_cover_the_candidates_in_order_without_empty_ones() -> None:
    from copytrace.store_workers import slices

    assert slices(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert slices(2, 8) == [(0, 1), (1, 2)]
    assert slices(0, 4) == []
    for total in range(0, 40):
        for count in range(1, 9):
            got = slices(total, count)
            assert [i for a, b in got for i in range(a, b)] == list(range(total))
            assert all(b > a for a, b in got) and len(got) <= count
