"""Tests for `copytrace.candidates`: stage one, the pairs worth aligning."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np
import pytest

from copytrace.candidates import (
    EXACT_ALL_PAIRS,
    exact_pairs,
    find_candidates,
    minhash_pairs,
    passage_pairs,
    vector_pairs,
)
from copytrace.config import CandidateConfig
from copytrace.records import Document
from copytrace.sentences import prepare
from copytrace.signatures import minhashes, passage_digests, word_fingerprints

UnitRows = Callable[..., np.ndarray]  # the `unit_rows` fixture

BRIDGE = (
    "The harbour bridge in Lakeside reopened to traffic on Monday after four months of repairs. "
    "Engineers replaced more than 300 corroded plates and repainted the main span. "
    "Ferry services that ran while the bridge was closed will stop at the end of the week."
)
BRIDGE_EDITED = (
    "The harbour bridge in Lakeside reopened to traffic on Monday after four months of repairs. "
    "Engineers replaced more than 300 corroded plates and repainted the main span. "
    "Ferry services that ran during the closure will end on Friday."
)
BAKERY = (
    "A bakery opened beside the railway station, selling rye bread and almond pastries. "
    "Its owner trained in Vienna and plans to hire six apprentices next spring."
)


def prepared(*texts: str) -> list[Document]:
    return [prepare(Document(f"d{i}", text)) for i, text in enumerate(texts)]


def test_exact_pairs_group_equal_digests() -> None:
    docs = prepared(
        BRIDGE,
        BAKERY,
        BRIDGE.upper(),  # equal once case is normalised
        BRIDGE.replace(". ", ".\n\n"),  # and whitespace
        BAKERY,
        "",  # no sentences: never a pair
        "",
    )
    assert exact_pairs(docs) == {(0, 2): 1.0, (0, 3): 1.0, (2, 3): 1.0, (1, 4): 1.0}


def test_exact_pairs_small_group_gets_all_pairs() -> None:
    docs = prepared(*[BRIDGE] * EXACT_ALL_PAIRS)
    assert set(exact_pairs(docs)) == set(combinations(range(EXACT_ALL_PAIRS), 2))


def test_exact_pairs_big_group_gets_a_star() -> None:
    n = EXACT_ALL_PAIRS + 5
    docs = prepared(*[BRIDGE] * n)
    assert set(exact_pairs(docs)) == {(0, b) for b in range(1, n)}


def test_minhash_pairs_find_near_copies() -> None:
    docs = prepared(BRIDGE, BAKERY, BRIDGE_EDITED)
    config = CandidateConfig(num_perm=128, minhash_threshold=0.3)
    pairs = minhash_pairs(minhashes(docs, config.num_perm, config.shingle), config)
    assert set(pairs) == {(0, 2)}
    assert 0.3 <= pairs[(0, 2)] <= 1.0


def test_minhash_pairs_respect_the_threshold() -> None:
    docs = prepared(BRIDGE, BRIDGE_EDITED)
    signatures = minhashes(docs, 128, 3)
    estimate = float(np.mean(signatures[0] == signatures[1]))
    below = CandidateConfig(minhash_threshold=min(estimate + 0.05, 0.99))
    assert minhash_pairs(signatures, below) == {}


def test_minhash_pairs_of_nothing() -> None:
    assert minhash_pairs(np.zeros((0, 128), dtype=np.uint32), CandidateConfig()) == {}


def test_vector_pairs_keep_close_pairs_above_the_floor(unit_rows: UnitRows) -> None:
    base = unit_rows(3, 16)
    close = base[0] + 0.1 * unit_rows(1, 16, seed=5)[0]
    vectors = np.vstack([base, close / np.linalg.norm(close)])
    pairs = vector_pairs(vectors, CandidateConfig(knn=3, min_cosine=0.9))
    assert set(pairs) == {(0, 3)}
    assert pairs[(0, 3)] == pytest.approx(float(vectors[0] @ vectors[3]), abs=2e-3)
    everything = vector_pairs(vectors, CandidateConfig(knn=3, min_cosine=-1.0))
    assert set(everything) == set(combinations(range(4), 2))


def test_vector_pairs_limit_neighbours_to_k(unit_rows: UnitRows) -> None:
    vectors = unit_rows(30, 8)
    pairs = vector_pairs(vectors, CandidateConfig(knn=2, min_cosine=-1.0))
    # each document proposes at most its k nearest; a pair may be proposed from either side
    assert len(pairs) <= 30 * 2
    for a in range(30):
        sims = vectors @ vectors[a]
        sims[a] = -np.inf
        nearest = int(np.argmax(sims))
        assert (min(a, nearest), max(a, nearest)) in pairs


def test_vector_pairs_need_two_documents(unit_rows: UnitRows) -> None:
    assert vector_pairs(unit_rows(1, 8), CandidateConfig()) == {}
    assert vector_pairs(np.zeros((0, 8), dtype=np.float32), CandidateConfig()) == {}


def test_find_candidates_merges_reasons(unit_rows: UnitRows) -> None:
    docs = prepared(BRIDGE, BRIDGE.upper(), BAKERY, BRIDGE_EDITED)
    config = CandidateConfig(all_pairs_below=0, minhash_threshold=0.3, min_cosine=0.9)
    vectors = unit_rows(4, 16)
    vectors[1] = vectors[0]
    vectors[3] = vectors[0]
    found = {(c.a, c.b): c for c in find_candidates(docs, minhashes(docs, 128, 3), vectors, config)}
    assert set(found) == {("d0", "d1"), ("d0", "d3"), ("d1", "d3")}
    assert found[("d0", "d1")].reasons == ("exact", "minhash", "vector", "passage", "words")
    assert found[("d0", "d1")].score == pytest.approx(1.0)
    assert set(found[("d0", "d3")].reasons) == {"minhash", "vector", "passage"}  # 27 words shared
    assert found[("d0", "d3")].score == pytest.approx(1.0, abs=2e-3)  # the cosine of equal rows


def test_find_candidates_small_corpus_gets_every_pair(unit_rows: UnitRows) -> None:
    docs = prepared(BRIDGE, BAKERY, "The council will vote on the plan in May.")
    vectors = unit_rows(3, 8)
    found = find_candidates(docs, minhashes(docs, 128, 3), vectors, CandidateConfig())
    assert [(c.a, c.b) for c in found] == [("d0", "d1"), ("d0", "d2"), ("d1", "d2")]
    for c in found:
        assert "small" in c.reasons
    a, b = int(found[0].a[1:]), int(found[0].b[1:])
    assert found[0].score == pytest.approx(float(vectors[a] @ vectors[b]), abs=1e-6)


def test_find_candidates_large_corpus_skips_unrelated_pairs() -> None:
    docs = prepared(BRIDGE, BAKERY, BRIDGE)
    vectors = np.eye(3, 8, dtype=np.float32)  # orthogonal: no pair by vector
    config = CandidateConfig(all_pairs_below=3)
    found = find_candidates(docs, minhashes(docs, 128, 3), vectors, config)
    assert [(c.a, c.b, c.reasons) for c in found] == [
        ("d0", "d2", ("exact", "minhash", "passage", "words"))
    ]


def test_find_candidates_of_nothing() -> None:
    assert (
        find_candidates([], np.zeros((0, 128), np.uint32), np.zeros((0, 8)), CandidateConfig())
        == []
    )


# A page that lifts two long sentences of BRIDGE into otherwise other text.
LIFTED = (
    "Our walking club meets every second Sunday at the old station and walks until dusk. "
    "The harbour bridge in Lakeside reopened to traffic on Monday after four months of repairs. "
    "Engineers replaced more than 300 corroded plates and repainted the main span. "
    "Members bring their own lunch, a thermos and a map of the route they plan to follow."
)


def test_passage_digests_hash_long_sentences_only() -> None:
    (doc,) = prepared(BRIDGE + " It rained.")
    digests = passage_digests(doc, 10)
    assert len(digests) == 3 and digests == sorted(digests)
    assert all(-(2**63) <= h < 2**63 for h in digests)
    (upper,) = prepared((BRIDGE + " It rained.").upper())
    assert passage_digests(upper, 10) == digests  # case does not matter
    assert passage_digests(doc, 100) == []


def test_passage_pairs_need_two_long_sentences_word_for_word() -> None:
    docs = prepared(BRIDGE, LIFTED, BAKERY, BRIDGE_EDITED)
    digests = [passage_digests(d, 10) for d in docs]
    found = passage_pairs(digests, CandidateConfig())
    # the three share two long sentences; BRIDGE and BRIDGE_EDITED have three, LIFTED four
    assert found == {(0, 1): pytest.approx(2 / 3), (0, 3): pytest.approx(2 / 3),
                     (1, 3): pytest.approx(2 / 3)}  # fmt: skip
    assert passage_pairs(digests, CandidateConfig(passage_min_shared=3)) == {}


def test_passage_pairs_skip_sentences_in_too_many_documents() -> None:
    digests = [[1, 2], [1, 2], [1, 2], [2, 3]]
    assert set(passage_pairs(digests, CandidateConfig())) == {(0, 1), (0, 2), (1, 2)}
    assert passage_pairs(digests, CandidateConfig(passage_max_docs=3)) == {}


def test_find_candidates_pair_a_lifted_passage_that_nothing_else_finds() -> None:
    docs = prepared(BRIDGE, LIFTED, BAKERY)
    vectors = np.eye(3, 8, dtype=np.float32)  # orthogonal: no pair by vector
    config = CandidateConfig(all_pairs_below=0, minhash_threshold=0.9, words_gram=0)
    found = find_candidates(docs, minhashes(docs, 128, 3), vectors, config)
    assert [(c.a, c.b, c.reasons) for c in found] == [("d0", "d1", ("passage",))]


# A page that pastes 45 words of BRIDGE + BRIDGE_TAIL from mid-sentence to mid-sentence: it shares
# no whole sentence with it.
BRIDGE_TAIL = (
    " The council said the toll would stay at two euros for cars and fifty cents for bicycles "
    "until the end of next year, when a new contract with the operator begins."
)
PASTED = (
    "Walkers should know that the harbour bridge in Lakeside reopened to traffic on Monday after "
    "four months of repairs. Engineers replaced more than 300 corroded plates and repainted the "
    "main span. Ferry services that ran while the bridge was closed will stop at the end of the "
    "week. The council said the toll would stay at two euros for cars, as we noted last month"
)


def test_word_fingerprints_are_shared_by_a_run_pasted_mid_sentence() -> None:
    source, pasted, other = prepared(BRIDGE + BRIDGE_TAIL, PASTED, BAKERY)
    prints = [word_fingerprints(d, 8, 16) for d in (source, pasted, other)]
    assert all(p == sorted(set(p)) and all(-(2**63) <= h < 2**63 for h in p) for p in prints)
    assert len(set(prints[0]) & set(prints[1])) >= 3  # what `words_min_shared` asks
    assert not set(prints[0]) & set(prints[2])
    (upper,) = prepared(PASTED.upper())
    assert word_fingerprints(upper, 8, 16) == prints[1]  # case does not matter
    assert word_fingerprints(pasted, 8, 16) == prints[1]  # the same in every process
    (short,) = prepared("Too short for a gram.")
    assert word_fingerprints(short, 8, 16) == []
    assert word_fingerprints(pasted, 0, 16) == []


def test_find_candidates_pair_a_paste_that_keeps_no_whole_sentence() -> None:
    docs = prepared(BRIDGE + BRIDGE_TAIL, PASTED, BAKERY)
    vectors = np.eye(3, 8, dtype=np.float32)  # orthogonal: no pair by vector
    config = CandidateConfig(all_pairs_below=0, minhash_threshold=0.9, passage_min_shared=9)
    found = find_candidates(docs, minhashes(docs, 128, 3), vectors, config)
    assert [(c.a, c.b, c.reasons) for c in found] == [("d0", "d1", ("words",))]
    off = CandidateConfig(all_pairs_below=0, minhash_threshold=0.9, passage_min_shared=9,
                          words_gram=0)  # fmt: skip
    assert find_candidates(docs, minhashes(docs, 128, 3), vectors, off) == []
