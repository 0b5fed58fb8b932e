"""Stage one: the pairs worth aligning, found without comparing all pairs.

Five signals, each sub-quadratic: equal digests (exact copies), MinHash LSH on word shingles (near
copies, partial reuse), nearest neighbours of the document vector (spins, condensed rewrites and
same-story reports, which share meaning and names but few word sequences), long sentences
shared word for word (a passage reused in a long text that is otherwise unlike its source), and
winnowed word n-grams (the same, when the passage starts or ends mid-sentence).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from copytrace.config import CandidateConfig
from copytrace.index import LSHIndex, VectorIndex
from copytrace.records import Candidate, Document
from copytrace.signatures import jaccard, passage_digests, word_fingerprints

EXACT_ALL_PAIRS = 20  # groups up to this size get every pair; larger ones a star from the first


def exact_pairs(docs: Sequence[Document]) -> dict[tuple[int, int], float]:
    """Return index pairs of documents with the same digest."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        if doc.sentences:
            groups[doc.digest].append(i)
    pairs = {}
    for members in groups.values():
        if len(members) <= EXACT_ALL_PAIRS:
            for k, a in enumerate(members):
                pairs.update({(a, b): 1.0 for b in members[k + 1 :]})
        else:
            pairs.update({(members[0], b): 1.0 for b in members[1:]})
    return pairs


def minhash_pairs(signatures: np.ndarray, config: CandidateConfig) -> dict[tuple[int, int], float]:
    """Return index pairs whose estimated shingle Jaccard reaches the threshold."""
    index = LSHIndex(config.num_perm, config.minhash_threshold)
    index.add(range(len(signatures)), signatures)
    pairs = {}
    for a, b in set(index.pairs()):
        estimate = jaccard(signatures[a], signatures[b])
        if estimate >= config.minhash_threshold:
            pairs[(a, b)] = estimate
    return pairs


def vector_pairs(vectors: np.ndarray, config: CandidateConfig) -> dict[tuple[int, int], float]:
    """Return index pairs that are among each other's nearest neighbours above the cosine floor."""
    if len(vectors) < 2:
        return {}
    index = VectorIndex(vectors.shape[1])
    index.add(range(len(vectors)), vectors)
    keys, cosines = index.query(vectors, config.knn + 1)
    pairs: dict[tuple[int, int], float] = {}
    for a, (row_keys, row_cos) in enumerate(zip(keys.tolist(), cosines.tolist(), strict=True)):
        for b, cos in zip(row_keys, row_cos, strict=True):
            if b < 0 or b == a or cos < config.min_cosine:
                continue
            pair = (a, b) if a < b else (b, a)
            pairs[pair] = max(cos, pairs.get(pair, 0.0))
    return pairs


def passage_pairs(
    digests: Sequence[Sequence[int]], config: CandidateConfig, min_shared: int | None = None
) -> dict[tuple[int, int], float]:
    """Return index pairs of documents that share `min_shared` hashes or more (by default
    `passage_min_shared`; `digests`: one list per document, of long sentences from
    `signatures.passage_digests` or of words from `signatures.word_fingerprints`), scored by the
    share of its hashes the document with fewer shares. A hash in more than `passage_max_docs`
    documents pairs none of them."""
    needed = config.passage_min_shared if min_shared is None else min_shared
    holders: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(digests):
        for h in row:
            holders[h].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in holders.values():
        if 1 < len(members) <= config.passage_max_docs:
            for k, a in enumerate(members):
                for b in members[k + 1 :]:
                    shared[(a, b)] += 1
    return {
        (a, b): n / min(len(digests[a]), len(digests[b]))
        for (a, b), n in shared.items()
        if n >= needed
    }


Hashes = tuple[list[list[int]], list[list[int]]]


def passage_hashes(docs: Sequence[Document], config: CandidateConfig) -> Hashes:
    """Return each document's long-sentence hashes, and its winnowed word-gram hashes (empty
    lists when those are off), for `passage_pairs`."""
    sentences = [passage_digests(d, config.passage_min_words) for d in docs]
    if config.words_gram < 1:
        return sentences, [[] for _ in docs]
    return sentences, [word_fingerprints(d, config.words_gram, config.words_window) for d in docs]


def find_candidates(
    docs: Sequence[Document],
    signatures: np.ndarray,
    vectors: np.ndarray,
    config: CandidateConfig,
) -> list[Candidate]:
    """Return the candidate pairs of `docs`, each with the signals that proposed it."""
    found: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    sentences, words = passage_hashes(docs, config)
    if len(docs) < config.all_pairs_below:
        for a in range(len(docs)):
            for b in range(a + 1, len(docs)):
                found[(a, b)]["small"] = float(vectors[a] @ vectors[b]) if len(vectors) else 0.0
    for reason, pairs in (
        ("exact", exact_pairs(docs)),
        ("minhash", minhash_pairs(signatures, config)),
        ("vector", vector_pairs(vectors, config)),
        ("passage", passage_pairs(sentences, config)),
        ("words", passage_pairs(words, config, config.words_min_shared)),
    ):
        for pair, score in pairs.items():
            found[pair][reason] = score
    return [
        Candidate(docs[a].id, docs[b].id, tuple(reasons), max(reasons.values()))
        for (a, b), reasons in sorted(found.items())
    ]
