"""Fingerprints of documents and sentences: MinHash over word shingles, a document vector, anchors.

Anchors are the tokens a rewriter keeps even when every word around them changes: numbers and
capitalised names. Spins and condensed copies share them with their source; a report of another
event on the same topic does not, even when its wording is close.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from copytrace.records import Document, Encoded

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)"
    r"(?:[\s-]?(?i:(thousand|mln|million|bln|billion|bn|tln|trillion))\b)?"
)
# A scale word multiplies the number before it, so that "1.82 mln" and "1,820,000" are one anchor
# ("m" and "k" are left out: "100m" is metres as often as millions).
_SCALE_DIGITS = {"thousand": 3, "mln": 6, "million": 6, "bln": 9, "billion": 9, "bn": 9}
_SCALE_DIGITS |= {"tln": 12, "trillion": 12}
# Dotted initials ("U.S.", "J.F.") are one name; otherwise a capitalised word.
_CAPITAL = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z][A-Za-z'’\-]*[A-Za-z]|\b[A-Z]\b")
# Capitalised words that say nothing about which event a sentence reports.
_COMMON = frozenset(
    """a an the this that these those it its he she they we i you his her their our in on at of
    for to by from with as and or but if so when while after before however meanwhile also yet
    there here what which who whose why how mr mrs ms dr inc corp co ltd plc llc said says
    reuter reuters monday tuesday wednesday thursday friday saturday sunday since because
    although though conversely thus therefore furthermore moreover instead then now today
    yesterday according many most some all both each every other such no not one""".split()
)
# "Mln", "Dlrs": wire abbreviations capitalised at a line start are not names.
SPELLED = {  # numbers written out, as anchors read them
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}


def number_tokens(text: str) -> list[str]:
    """Return the numbers in `text` in a canonical form ("10,000" -> "10000", "3.50" -> "3.5",
    "1.82 mln" -> "1820000")."""
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group(1).replace(",", "").rstrip(".")
        whole, _, fraction = raw.partition(".")
        if m.group(2):
            shift = _SCALE_DIGITS[m.group(2).lower()]
            whole, fraction = whole + fraction[:shift].ljust(shift, "0"), fraction[shift:]
        whole = whole.lstrip("0") or "0"
        fraction = fraction.rstrip("0")
        out.append(f"{whole}.{fraction}" if fraction else whole)
    return out


def is_specific(token: str) -> bool:
    """Return True for a number that identifies a fact: not a small count and not a year.

    "15.3", "700" and "10000" are specific; "8" and "1986" are not (any two reports of one
    event share those).
    """
    if not token[:1].isdigit():
        return False
    if "." in token:
        return True
    value = int(token) if token.isdigit() else 0
    return value >= 100 and not 1900 <= value <= 2100


@lru_cache(maxsize=1 << 16)
def specific_figures(anchors: frozenset[str]) -> frozenset[str]:
    """Return the anchors that are specific figures (`is_specific`), remembered per set: a
    sentence's anchors are asked about once per pair it is in."""
    return frozenset(filter(is_specific, anchors))


@lru_cache(maxsize=1 << 16)
def numbers_of(anchors: frozenset[str]) -> frozenset[str]:
    """Return the anchors that are numbers, remembered per set as `specific_figures` is."""
    return frozenset(x for x in anchors if x[:1].isdigit())


def capitalised_names(text: str) -> tuple[str | None, set[str]]:
    """Return the sentence-initial capitalised word (or None) and the other capitalised words."""
    first, found = None, set()
    for m in _CAPITAL.finditer(text):
        word = m.group().lower().replace("’", "'").replace(".", "")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.rstrip("'")  # "Bayes'" is "Bayes"
        if word in _COMMON:
            continue
        if m.start() == 0 or not text[: m.start()].strip(" \"'“‘(["):
            first = word
        else:
            found.add(word)
    return first, found


def anchors(text: str, known_names: frozenset[str] = frozenset()) -> frozenset[str]:
    """Return the numbers and names of a sentence's original text, lower-cased.

    A capitalised first word counts as a name only when `known_names` (the names seen inside
    sentences elsewhere in the document) has it: "Putin told ..." yes, "According to ..." no.
    """
    found = set(number_tokens(text))
    first, names = capitalised_names(text)
    found |= names
    if first is not None and first in known_names:
        found.add(first)
    for word in _WORD.findall(text.lower()):
        if word in SPELLED:
            found.add(SPELLED[word])
    return frozenset(found)


def sentence_anchors(doc: Document) -> tuple[frozenset[str], ...]:
    """Return the anchors of each sentence of `doc`, knowing the document's names."""
    texts = [doc.text[s.start : s.end] for s in doc.sentences]
    known: set[str] = set()
    openers: dict[str, int] = {}
    for text in texts:
        first, names = capitalised_names(text)
        known |= names
        if first is not None:
            openers[first] = openers.get(first, 0) + 1
    # a capitalised opener that starts two sentences and never appears in lower case is a name
    # ("Hovnanian said ... Hovnanian shareholders ..."), unlike "Dynamic programming ... dynamic"
    if any(n >= 2 for n in openers.values()):
        lower = {w for text in texts for w in _WORD.findall(text) if w.islower()}
        known |= {word for word, n in openers.items() if n >= 2 and word not in lower}
    if doc.title:
        known |= capitalised_names(doc.title)[1]
    frozen = frozenset(known)
    return tuple(anchors(text, frozen) for text in texts)


def shingles(doc: Document, n: int) -> list[str]:
    """Return the word n-grams of a document's body (normalised sentences), in order."""
    words = [w for s in doc.sentences for w in _WORD.findall(s.text)]
    if len(words) < n:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def minhashes(docs: Sequence[Document], num_perm: int, n: int, seed: int = 1) -> np.ndarray:
    """Return the MinHash signatures of `docs` as a `(len(docs), num_perm)` uint32 matrix."""
    from rensa import RMinHash

    if not docs:
        return np.zeros((0, num_perm), dtype=np.uint32)
    sets = [shingles(doc, n) or [""] for doc in docs]
    matrix = RMinHash.digest_matrix_from_token_sets(sets, num_perm, seed)
    return np.asarray(matrix.to_rows(), dtype=np.uint32)


def passage_digests(doc: Document, min_words: int) -> list[int]:
    """Return the hashes of a document's long sentences (at least `min_words` words, lower-cased,
    spaces collapsed), sorted and unique, as signed 64-bit integers (SQLite's and Spark's)."""
    found = set()
    for sentence in doc.sentences:
        words = sentence.text.lower().split()
        if len(words) >= min_words:
            raw = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
            found.add(int.from_bytes(raw, "little", signed=True))
    return sorted(found)


_MIX = np.uint64(0x100000001B3)  # FNV's 64-bit prime: folds each word's hash into its n-gram's


@lru_cache(maxsize=1 << 17)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def word_fingerprints(doc: Document, n: int, window: int) -> list[int]:
    """Return the winnowed hashes of a document's word `n`-grams, sorted and unique, as signed
    64-bit integers (SQLite's and Spark's); [] when `n` is 0.

    Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003) keeps the smallest hash of every
    `window` consecutive n-grams. Two texts that share a run of `window + n - 1` words or more
    share at least one kept hash, and a run of `2 * window + n - 1` at least two, wherever the
    run starts or ends: across sentence ends, mid-sentence, in text without sentence ends. The
    words are those of the compared sentences, lower-cased, in order.
    """
    words = [w for s in doc.sentences for w in _WORD.findall(s.text.lower())]
    count = len(words) - n + 1
    if n < 1 or count < 1:
        return []
    each = np.fromiter(map(_word_hash, words), np.uint64, len(words))
    grams = each[:count].copy()
    for k in range(1, n):  # wraps around modulo 2**64, as meant
        grams = grams * _MIX + each[k : k + count]
    if count > window:
        grams = np.lib.stride_tricks.sliding_window_view(grams, window).min(axis=1)
    else:
        grams = grams.min(keepdims=True)
    return np.unique(grams.view(np.int64)).tolist()


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two MinHash signatures."""
    return float(np.mean(a == b))


def doc_vector(sentence_vectors: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Return the unit mean of a document's sentence vectors (weighted by sentence length)."""
    if len(sentence_vectors) == 0:
        return np.zeros(sentence_vectors.shape[1], dtype=np.float32)
    if weights is None:
        mean = sentence_vectors.mean(axis=0)
    else:  # what np.average computes, without its checks (a stored pair loads two per look)
        weights = weights.astype(sentence_vectors.dtype, copy=False)
        mean = (sentence_vectors * weights[:, None]).sum(axis=0) / weights.sum()
    mean = mean.astype(np.float32, copy=False)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


# Words too common to say what a text is about. A short list is enough: IDF does the rest.
_STOP = frozenset(
    """the a an of to in on for and or but with by at from as is was were be been has have had
    that this it its their his her they he she said says will would could also than more after
    over into which who about not are there what when were while""".split()
)
_CONTENT = re.compile(r"[^\W\d_]{2,}")
TERMS_DIM = 1024  # hashed term space; collisions are rare among the few hundred terms of a text


def terms(doc: Document, anchors: Sequence[frozenset[str]] = ()) -> Counter[str]:
    """Return the counted terms of a document for its TF-IDF vector: content words, and its anchors
    (names and numbers) counted twice, since a rewrite keeps those when it changes the words."""
    counts: Counter[str] = Counter(
        w for s in doc.sentences for w in _CONTENT.findall(s.text) if w not in _STOP
    )
    for sentence_anchors_ in anchors:
        for x in sentence_anchors_:
            counts["#" + x] += 2
    return counts


def _bucket(term: str) -> tuple[int, float]:
    h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
    return h % TERMS_DIM, (1.0 if h >> 63 else -1.0)


def terms_vector(counts: Counter[str], df: Mapping[str, int], n_docs: int) -> np.ndarray:
    """Return the unit hashed TF-IDF vector of counted terms (sublinear TF, smoothed IDF)."""
    vector = np.zeros(TERMS_DIM, dtype=np.float32)
    for term, count in counts.items():
        col, sign = _bucket(term)
        idf = math.log((1 + n_docs) / (1 + df.get(term, 0)))
        vector[col] += sign * (1.0 + math.log(count)) * idf
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def combined_vector(semantic: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """Join a semantic and a TF-IDF unit vector so their cosine mixes with `weight` on TF-IDF.

    With both parts unit length, the cosine of two joined vectors is (1 - w) cos_semantic +
    w cos_tfidf. A text with no terms at all falls back to its semantic part alone.
    """
    if not lexical.any():
        return np.concatenate([semantic, lexical]).astype(np.float32)
    return np.concatenate([semantic * math.sqrt(1 - weight), lexical * math.sqrt(weight)]).astype(
        np.float32
    )


_QUOTED = re.compile(
    r"[\"“„«]([^\"“”„«»\n]{3,400}?)[\"”»]"  # double quotes, straight or curly
    r"|(?:(?<=\s)|^)[‘']([^‘’'\n]{3,300}?)[’'](?![A-Za-z])"  # single quotes, not apostrophes
)


def quotes(text: str) -> list[str]:
    """Return the normalised direct quotes of `text` (two words or more), in order."""
    from copytrace.clean import normalize

    out = []
    for m in _QUOTED.finditer(text):
        inner = normalize(m.group(1) or m.group(2) or "").strip(" ,.;:!?")
        if len(inner.split()) >= 2 or (inner and m.group(1) and len(inner) >= 4):
            out.append(inner)
    return out


def encode_document(
    doc: Document,
    vectors: np.ndarray,
    known: tuple[tuple[frozenset[str], ...], frozenset[str]] | None = None,
) -> Encoded:
    """Return a prepared document with its per-sentence vectors and everything derived from them.

    `known` is `(anchors of each sentence, quotes)` as computed before (a stored document's).
    """
    lengths = tuple(s.end - s.start for s in doc.sentences)
    anchors = known[0] if known is not None else sentence_anchors(doc)
    return Encoded(
        doc=doc,
        vectors=vectors,
        anchors=anchors,
        lengths=lengths,
        vector=doc_vector(vectors, np.asarray(lengths, dtype=np.float32))
        if len(vectors)
        else vectors.sum(axis=0),
        all_anchors=frozenset().union(*anchors) if anchors else frozenset(),
        quotes=known[1] if known is not None else frozenset(quotes(doc.text)),
    )
