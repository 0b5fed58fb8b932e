"""Verbatim runs: stretches of text two documents share word for word, found without sentences.

Sentence alignment sees a pasted passage only where the paste keeps whole sentences. Web pages
paste from the middle of one sentence to the middle of another, and lists, menus and recipes have
no sentence ends at all: the pasted words then sit inside longer "sentences" that align with
nothing (pan13-noobf: 148 of the 162 labelled pairs the sentence rules missed share a run of 300+
characters). Runs are found the way text-alignment systems seed and extend (Potthast et al., PAN
2013 overview: seeds of shared word n-grams, merged along the diagonal): every shared word
`n`-gram of the two bodies is a seed; seeds that follow each other in both texts merge into a run,
across gaps of up to `max_gap` words where each word pair is a misspelling of the other (same
digits, spelling similar), never a different word.

Words are `\\w+` tokens of the compared sentences (boilerplate lines stay out), case-folded, with
their character offsets in the original text, so a run's spans point into what the user gave.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from rapidfuzz.distance import Indel

from copytrace.records import Document, Run, Span

_WORD = re.compile(r"\w+")
MAX_REPEATS = 8  # an n-gram repeated more often in a text than this is a list or a refrain
TYPO = 0.75  # Indel similarity of a misspelt word to the word ("attomeys" / "attorneys": 0.82)


@dataclass(frozen=True, slots=True)
class Grams:
    """A document's compared words, case-folded, and the hash of the n-gram at each word."""

    words: list[str]
    hashes: tuple[int, ...]  # hashes[i]: the n-gram of words i .. i + n - 1
    distinct: frozenset[int]
    firsts: list[int]  # index of each compared sentence's first word


def _sentence_spans(doc: Document) -> tuple[Span, ...]:
    return tuple((s.start, s.end) for s in doc.sentences)


# One entry per document. A batch's pairs come grouped by document, so the one met most often
# stays cached; its partners are mostly met once.
@lru_cache(maxsize=1024)
def _grams(text: str, sentences: tuple[Span, ...], n: int) -> Grams:
    """Return the words and word n-grams of a text's compared sentences."""
    found: list[str] = []
    firsts = []
    for start, end in sentences:
        firsts.append(len(found))
        found += _WORD.findall(text, start, end)
    # case-folding maps characters one by one, so folding the joined words folds each word
    words = " ".join(found).casefold().split(" ") if found else []
    hashes = tuple(map(hash, zip(*(words[k:] for k in range(n)), strict=False)))
    return Grams(words, hashes, frozenset(hashes), firsts)


def _word_span(text: str, sentences: tuple[Span, ...], grams: Grams, k: int) -> Span:
    """Return the character span of compared word `k` (found again: only run ends need one)."""
    s = bisect_right(grams.firsts, k) - 1
    start, end = sentences[s]
    for m in islice(_WORD.finditer(text, start, end), k - grams.firsts[s], None):
        return m.span()
    raise IndexError(k)  # pragma: no cover - `k` always names a compared word


def verbatim_runs(
    a: Document,
    b: Document,
    n: int = 5,
    max_gap: int = 3,
    min_shared: int = 1,
    min_chars: int = 0,
) -> list[Run]:
    """Return the runs of words `a` and `b` share, in the order of `a`.

    A run is at least `n` words long. Two runs of one diagonal or of nearby diagonals merge when
    they touch or overlap in both texts, or when what lies between is the same number of words
    on each side (at most `max_gap`), each a misspelling of its counterpart. Texts that share
    fewer than `min_shared` distinct n-grams are not searched (a cheap test: most pairs share
    a sentence or two at most), nor are texts whose shared n-grams cannot make a run of
    `min_chars` characters on both sides (`_reach`): a caller that wants only long runs gets
    none, or all.
    """
    spans_a, spans_b = _sentence_spans(a), _sentence_spans(b)
    ga, gb = _grams(a.text, spans_a, n), _grams(b.text, spans_b, n)
    shared = ga.distinct & gb.distinct
    if len(shared) < max(1, min_shared):
        return []
    if min_chars and (
        _reach(ga, spans_a, shared, n, max_gap) < min_chars
        or _reach(gb, spans_b, shared, n, max_gap) < min_chars
    ):
        return []
    at_a, at_b = _positions(ga.hashes, shared), _positions(gb.hashes, shared)
    diagonals: dict[int, list[int]] = defaultdict(list)
    for h, starts in at_a.items():
        ends = at_b.get(h, ())
        if len(starts) > MAX_REPEATS or len(ends) > MAX_REPEATS:
            continue  # a list or a refrain
        for i in starts:
            for j in ends:
                diagonals[j - i].append(i)
    segments = []  # (a start, a end, b start, b end) in words, ends exclusive
    for d, starts in diagonals.items():
        starts.sort()
        first = last = starts[0]
        for i in starts[1:]:
            if i > last + 1:
                segments.append((first, last + n, first + d, last + n + d))
                first = i
            last = i
        segments.append((first, last + n, first + d, last + n + d))
    segments.sort()
    merged: list[tuple[int, int, int, int]] = []
    for seg in segments:
        if merged and _joins(merged[-1], seg, ga, gb, max_gap):
            a0, a1, b0, b1 = merged[-1]
            merged[-1] = (a0, max(a1, seg[1]), b0, max(b1, seg[3]))
        else:
            merged.append(seg)
    if not merged:
        return []
    return [
        Run(
            (_word_span(a.text, spans_a, ga, a0)[0], _word_span(a.text, spans_a, ga, a1 - 1)[1]),
            (_word_span(b.text, spans_b, gb, b0)[0], _word_span(b.text, spans_b, gb, b1 - 1)[1]),
            a1 - a0,
        )
        for a0, a1, b0, b1 in merged
    ]


def _reach(
    grams: Grams, sentences: tuple[Span, ...], shared: frozenset[int], n: int, max_gap: int
) -> int:
    """Return the most characters a run of `verbatim_runs` can span in this text.

    A run's words in one text are the words of its seeds (shared n-grams), merged across gaps of
    at most `max_gap` words; so it lies within a stretch of words that shared n-grams cover with
    no longer gap. It spans at most from the start of that stretch's first sentence to the end of
    its last. Most pairs share a sentence or two, and no run of theirs can reach a kept passage.
    """
    best = 0
    start = end = -1  # the current stretch of words, [start, end)
    for i, h in enumerate(grams.hashes):
        if h not in shared:
            continue
        if start >= 0 and i <= end + max_gap:
            end = i + n
            continue
        if start >= 0:
            best = max(best, _stretch_chars(grams, sentences, start, end))
        start, end = i, i + n
    if start >= 0:
        best = max(best, _stretch_chars(grams, sentences, start, end))
    return best


def _stretch_chars(grams: Grams, sentences: tuple[Span, ...], start: int, end: int) -> int:
    """Return the characters from the start of word `start`'s sentence to the end of word
    `end - 1`'s."""
    first = bisect_right(grams.firsts, start) - 1
    last = bisect_right(grams.firsts, end - 1) - 1
    return sentences[last][1] - sentences[first][0]


def _positions(hashes: tuple[int, ...], wanted: frozenset[int]) -> dict[int, list[int]]:
    """Return where each wanted n-gram starts."""
    found: dict[int, list[int]] = defaultdict(list)
    for i, h in enumerate(hashes):
        if h in wanted:
            found[h].append(i)
    return found


def _joins(
    left: tuple[int, int, int, int],
    right: tuple[int, int, int, int],
    ga: Grams,
    gb: Grams,
    max_gap: int,
) -> bool:
    """Return True when `right` continues `left` in both texts (see `verbatim_runs`)."""
    gap_a, gap_b = right[0] - left[1], right[2] - left[3]
    if right[1] <= left[1] or right[3] <= left[3] or right[2] < left[2]:
        return False  # inside the run already, or not moving forward in both texts
    if gap_a <= 0 and gap_b <= 0:  # overlapping in both: the same words seen from a shift
        return abs((right[2] - right[0]) - (left[2] - left[0])) <= max_gap
    if gap_a != gap_b or gap_a > max_gap:
        return False
    return all(_misspelt(ga.words[left[1] + k], gb.words[left[3] + k]) for k in range(gap_a))


def _misspelt(x: str, y: str) -> bool:
    """Return True when `y` is `x` misspelt: the same digits, the letters nearly the same."""
    if [c for c in x if c.isdigit()] != [c for c in y if c.isdigit()]:
        return False
    return Indel.normalized_similarity(x, y) >= TYPO


def longest_run(runs: list[Run]) -> Run | None:
    """Return the run with the most characters on its shorter side, if any."""
    return max(runs, key=run_chars, default=None)


def run_chars(run: Run) -> int:
    """Return a run's length in characters on the side where it is shorter."""
    return min(run.a[1] - run.a[0], run.b[1] - run.b[0])
