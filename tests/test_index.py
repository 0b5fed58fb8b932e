"""Tests for `copytrace.index`: LSH parameters, the LSH index and the vector index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from copytrace.index import LSHIndex, VectorIndex, lsh_params

UnitRows = Callable[..., np.ndarray]  # the `unit_rows` fixture


def signatures(n: int, num_perm: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**32, size=(n, num_perm), dtype=np.uint32)


@pytest.mark.parametrize("num_perm", [16, 64, 128, 256])
@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.5, 0.8, 0.95])
def test_lsh_params_fit_the_permutations(threshold: float, num_perm: int) -> None:
    bands, rows = lsh_params(threshold, num_perm)
    assert bands >= 1 and rows >= 1
    assert bands * rows <= num_perm


@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_lsh_params_higher_threshold_means_more_rows(num_perm: int) -> None:
    rows = [lsh_params(t, num_perm)[1] for t in (0.2, 0.5, 0.8, 0.95)]
    assert rows == sorted(rows)
    assert rows[0] < rows[-1]


def test_lsh_params_candidate_probability_crosses_near_the_threshold() -> None:
    bands, rows = lsh_params(0.5, 128)

    def probability(s: float) -> float:
        return 1 - (1 - s**rows) ** bands

    assert probability(0.2) < 0.2
    assert probability(0.8) > 0.95


def test_lsh_index_finds_equal_and_near_signatures() -> None:
    index = LSHIndex(128, 0.5)
    sig = signatures(4, 128)
    near = sig[0].copy()
    near[::10] = 7  # about 90% of the minima agree
    index.add([10, 11, 12, 13], sig)
    assert len(index) == 4
    assert index.query(sig[2]) == {12}
    assert 10 in index.query(near)
    assert index.query(signatures(1, 128, seed=99)[0]) == set()


def test_lsh_index_pairs() -> None:
    index = LSHIndex(64, 0.5)
    sig = signatures(5, 64)
    sig[3] = sig[1]
    sig[4] = sig[1]
    index.add(range(5), sig)
    assert set(index.pairs()) == {(1, 3), (1, 4), (3, 4)}
    assert all(a < b for a, b in index.pairs())


def test_lsh_index_pairs_skip_big_buckets() -> None:
    sig = np.zeros((5, 32), dtype=np.uint32)  # five texts that share every band
    small = LSHIndex(32, 0.5, max_bucket=4)
    small.add(range(5), sig)
    assert list(small.pairs()) == []
    assert small.query(sig[0]) == {0, 1, 2, 3, 4}  # a query still sees the big bucket
    big = LSHIndex(32, 0.5, max_bucket=5)
    big.add(range(5), sig)
    assert len(set(big.pairs())) == 10


def test_lsh_index_save_load_round_trip(tmp_path: Path) -> None:
    index = LSHIndex(64, 0.4, max_bucket=50)
    sig = signatures(6, 64)
    sig[5] = sig[0]
    index.add([3, 1, 4, 15, 9, 26], sig)
    path = tmp_path / "lsh.npz"
    index.save(path)
    loaded = LSHIndex.load(path)
    assert len(loaded) == len(index) == 6
    assert (loaded.num_perm, loaded.threshold, loaded.max_bucket) == (64, 0.4, 50)
    assert (loaded.bands, loaded.rows) == (index.bands, index.rows)
    assert sorted(loaded.pairs()) == sorted(index.pairs())
    assert set(loaded.pairs()) == {(3, 26)}
    for row in sig:
        assert loaded.query(row) == index.query(row)


def test_lsh_index_round_trip_without_the_npz_suffix(tmp_path: Path) -> None:
    index = LSHIndex(32, 0.5)
    index.add([1, 2], signatures(2, 32))
    path = tmp_path / "lsh.index"
    index.save(path)
    assert len(LSHIndex.load(path)) == 2


def test_lsh_index_empty(tmp_path: Path) -> None:
    index = LSHIndex(32, 0.5)
    assert len(index) == 0
    assert list(index.pairs()) == []
    assert index.query(signatures(1, 32)[0]) == set()
    index.save(tmp_path / "empty.npz")
    assert len(LSHIndex.load(tmp_path / "empty.npz")) == 0


def test_vector_index_finds_the_exact_neighbours(unit_rows: UnitRows) -> None:
    vectors = unit_rows(300, 32)
    queries = unit_rows(6, 32, seed=1)
    index = VectorIndex(32)
    index.add(range(100, 400), vectors)
    assert len(index) == 300
    keys, cosines = index.query(queries, 5)
    assert keys.shape == cosines.shape == (6, 5)
    exact = queries @ vectors.T
    assert (keys == np.argsort(-exact, axis=1)[:, :5] + 100).all()
    assert cosines == pytest.approx(-np.sort(-exact, axis=1)[:, :5], abs=2e-3)  # f16 storage


def test_vector_index_finds_a_vector_itself(unit_rows: UnitRows) -> None:
    vectors = unit_rows(20, 16)
    index = VectorIndex(16)
    index.add(range(20), vectors)
    keys, cosines = index.query(vectors[:2], 1)
    assert keys[:, 0].tolist() == [0, 1]
    assert cosines[:, 0] == pytest.approx(1.0, abs=2e-3)


def test_vector_index_pads_missing_neighbours() -> None:
    index = VectorIndex(8)
    index.add([5, 9], np.eye(8, dtype=np.float32)[:2])
    keys, cosines = index.query(np.eye(8, dtype=np.float32)[:2], 4)
    assert keys.tolist() == [[5, 9, -1, -1], [9, 5, -1, -1]]
    assert cosines[:, 2:].tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_vector_index_query_with_one_vector(unit_rows: UnitRows) -> None:
    vectors = unit_rows(20, 16)
    index = VectorIndex(16)
    index.add(range(20), vectors)
    keys, _ = index.query(vectors[3], 2)
    assert keys.shape == (1, 2)
    assert keys[0, 0] == 3


def test_vector_index_empty() -> None:
    index = VectorIndex(8)
    index.add([], np.zeros((0, 8), dtype=np.float32))
    assert len(index) == 0
    keys, cosines = index.query(np.ones((3, 8), dtype=np.float32), 4)
    assert keys.tolist() == [[-1] * 4] * 3
    assert not cosines.any()


def test_vector_index_save_load_round_trip(tmp_path: Path, unit_rows: UnitRows) -> None:
    vectors = unit_rows(50, 16)
    index = VectorIndex(16)
    index.add(range(50), vectors)
    path = tmp_path / "vectors.usearch"
    index.save(path)
    loaded = VectorIndex.load(path, 16)
    assert len(loaded) == 50
    queries = unit_rows(4, 16, seed=2)
    for got, want in zip(loaded.query(queries, 3), index.query(queries, 3), strict=True):
        assert got == pytest.approx(want)


def test_vector_index_builds_a_graph_past_the_exact_size(unit_rows: UnitRows) -> None:
    vectors = unit_rows(300, 32)
    index = VectorIndex(32, exact_below=100)
    index.add(range(50), vectors[:50])  # exact so far
    index.add(range(50, 300), vectors[50:])  # crosses the threshold: every vector goes to HNSW
    assert len(index) == 300
    keys, cosines = index.query(vectors[:10], 1)
    assert keys[:, 0].tolist() == list(range(10))
    assert cosines[:, 0] == pytest.approx(1.0, abs=2e-3)


def test_vector_index_exact_ties_go_to_the_lower_key_whatever_the_batch(
    unit_rows: UnitRows,
) -> None:
    vectors = unit_rows(40, 16)
    stored = np.concatenate([vectors, vectors[:5], vectors[:5]])  # keys 40-49 repeat keys 0-4
    index = VectorIndex(16)
    index.add(range(50), stored)
    alone = [index.query(vectors[i], 2)[0][0].tolist() for i in range(5)]
    together = index.query(vectors[:5], 2)[0].tolist()
    assert alone == together == [[i, i + 40] for i in range(5)]
