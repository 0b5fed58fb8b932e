"""Stage two: align the sentences of two documents.

Sentences pair up one to one where they say the same thing (verbatim, lightly edited or reworded);
a sentence may also stand for several adjacent sentences of the other text (condensing, merging).
Runs of aligned sentences become passages with character spans in both texts.

The core, `align_encoded`, takes precomputed sentence vectors so tests and Spark can feed it
directly; it is symmetric: aligning (b, a) gives the mirror of aligning (a, b).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from copytrace.config import AlignConfig
from copytrace.evidence import (
    SPECIFIC,
    informative_anchors,
    shared_anchor_counts,
    shared_anchors,
)
from copytrace.merge import Group, extend
from copytrace.records import Alignment, Encoded, Link, Passage

# MiniLM vectors computed for uncertain sentences, keyed by (document id, sentence index).
Rescored = Mapping[tuple[str, int], np.ndarray]


def _lexical(a: Encoded, b: Encoded) -> np.ndarray:
    texts_a = [s.text for s in a.doc.sentences]
    texts_b = [s.text for s in b.doc.sentences]
    return process.cdist(texts_a, texts_b, scorer=fuzz.ratio, dtype=np.float32) / 100.0


def uncertain_pairs(a: Encoded, b: Encoded, config: AlignConfig) -> list[tuple[int, int]]:
    """Return the sentence pairs that the static model cannot decide and MiniLM should re-score.

    Those are, for each sentence, its best match on the other side when that match's static cosine
    lies in the uncertain band and the wording is not close enough to decide by itself.
    """
    if not len(a.vectors) or not len(b.vectors):
        return []
    static = a.vectors @ b.vectors.T
    lexical = _lexical(a, b)
    out = set()
    informative = informative_anchors(a, b, config.rare_share)
    best_b = static.argmax(axis=1)
    best_a = static.argmax(axis=0)
    for i, j in (*enumerate(best_b), *((i, j) for j, i in enumerate(best_a))):
        value = static[i, j]
        if (
            config.uncertain <= value < config.accept
            and lexical[i, j] < config.fuzzy
            and shared_anchors(a, b, int(i), int(j), informative) < 2
        ):
            out.add((int(i), int(j)))
    return sorted(out)


def align_encoded(
    a: Encoded, b: Encoded, config: AlignConfig, rescored: Rescored | None = None
) -> Alignment:
    """Align two encoded documents; `rescored` holds MiniLM vectors for uncertain sentences."""
    if a.doc.id > b.doc.id:
        return mirror(align_encoded(b, a, config, rescored))
    na, nb = len(a.doc.sentences), len(b.doc.sentences)
    if na == 0 or nb == 0:
        return _alignment(a, b, [])
    static = a.vectors @ b.vectors.T
    lexical = _lexical(a, b)
    score, method = _pair_scores(a, b, static, lexical, config, rescored or {})
    informative = informative_anchors(a, b, config.rare_share)
    groups = _one_to_one(a, b, score, method, static, config, informative)
    if groups or (static >= config.extend_floor).sum() >= 2:
        extend(a, b, groups, static, config, informative)
    links = [_link(a, b, g) for g in groups]
    return _alignment(a, b, links)


def _pair_scores(
    a: Encoded,
    b: Encoded,
    static: np.ndarray,
    lexical: np.ndarray,
    config: AlignConfig,
    rescored: Rescored,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the similarity each pair is judged on and how it was measured."""
    score = static.copy()
    method = np.full(static.shape, "static", dtype=object)
    fuzzy = lexical >= config.fuzzy
    score[fuzzy] = np.maximum(score[fuzzy], lexical[fuzzy])
    method[fuzzy] = "fuzzy"
    for i, j in np.argwhere(fuzzy).tolist():
        if a.doc.sentences[i].text == b.doc.sentences[j].text:
            score[i, j], method[i, j] = 1.0, "exact"
    if rescored:
        band = np.argwhere((static >= config.uncertain) & (static < config.accept) & ~fuzzy)
        for i, j in band.tolist():
            va, vb = rescored.get((a.doc.id, i)), rescored.get((b.doc.id, j))
            if va is not None and vb is not None:
                score[i, j], method[i, j] = float(va @ vb), "minilm"
    return score, method


def _accepts(value: float, static: float, how: str, shared: int, config: AlignConfig) -> bool:
    """Decide a one-to-one link.

    Outright when the wording is near verbatim or the static similarity is high. In the uncertain
    band, shared names and numbers decide (a rewriter keeps those; sentences that merely discuss
    the same topic rarely share two); failing that, MiniLM decides. MiniLM only ever adds links:
    it is weak on figure-heavy wire copy, where the anchors are the better judge.
    """
    if how in ("exact", "fuzzy") or static >= config.accept:
        return True
    if static >= config.uncertain and shared >= 2:
        return True
    if static >= config.extend_floor and shared >= SPECIFIC:
        return True
    return how == "minilm" and value >= config.minilm_accept


def _one_to_one(
    a: Encoded,
    b: Encoded,
    score: np.ndarray,
    method: np.ndarray,
    static: np.ndarray,
    config: AlignConfig,
    informative: frozenset[str],
) -> list[Group]:
    """Greedy one-to-one matching, best pairs first (ties broken by position for symmetry)."""
    shared = shared_anchor_counts(
        a, b, np.argwhere(static >= config.extend_floor).tolist(), informative
    )
    # Best pairs first; a shared figure or rare name makes a pair better than its cosine says.
    rank = np.maximum(score, static)
    for (i, j), n in shared.items():
        rank[i, j] += 0.1 * (n >= SPECIFIC) + 0.02 * (n % SPECIFIC)
    pairs = np.argwhere(
        (static >= config.uncertain) | (score >= config.minilm_accept) | (rank > static + 0.05)
    )
    order = sorted(pairs.tolist(), key=lambda p: (-rank[p[0], p[1]], p[0], p[1]))
    margin = _margins(static)
    used_a: set[int] = set()
    used_b: set[int] = set()
    groups = []
    for i, j in order:
        if i in used_a or j in used_b:
            continue
        value, how = float(score[i, j]), str(method[i, j])
        distinct = margin[i, j] >= config.margin
        if distinct or _accepts(value, float(static[i, j]), how, shared.get((i, j), 0), config):
            used_a.add(i)
            used_b.add(j)
            groups.append(Group([i], [j], value, how))
    return groups


def _margins(static: np.ndarray) -> np.ndarray:
    """Return, for each pair, how far it beats both sentences' next best match (0 if it does not).

    A rewrite puts each sentence against one sentence of its source; a text that only shares the
    subject resembles many sentences about equally. A clear margin is evidence the cosine alone
    cannot give.
    """
    out = np.zeros_like(static)
    if static.shape[0] < 2 or static.shape[1] < 2:
        return out
    rows = np.sort(static, axis=1)
    cols = np.sort(static, axis=0)
    best_row, second_row = rows[:, -1], rows[:, -2]
    best_col, second_col = cols[-1, :], cols[-2, :]
    for i, j in np.argwhere((static == best_row[:, None]) & (static == best_col[None, :])).tolist():
        out[i, j] = min(static[i, j] - second_row[i], static[i, j] - second_col[j])
    return out


def fact_links(
    a: Encoded,
    b: Encoded,
    links: Sequence[Link],
    top: int = 2,
    floor: float = 0.5,
    neighbour_overlap: float | None = None,
) -> list[Link]:
    """Return, for each sentence of a, the sentences of b worth checking for changed facts.

    Those are its aligned sentences plus its `top` most similar ones above `floor`: a remix that
    merges, splits or reorders sentences keeps a fact next to where the alignment put it, and the
    conflict check itself only reports values the other text states nowhere.

    With `neighbour_overlap`, a sentence of b just before or after a link's sentences is checked
    too when the linked sentence of a shares its wording (rapidfuzz `partial_ratio`, 0-1, at least
    that much): a sentence that merges two of the source's may align with only one of them, and
    keep the other's facts (the place of a find, changed, beside the size of the find).
    """
    if not len(a.vectors) or not len(b.vectors):
        return []
    static = a.vectors @ b.vectors.T
    partners: dict[int, set[int]] = {}
    for link in links:
        for i in link.a:
            partners.setdefault(i, set()).update(link.b)
    for i in range(len(a.doc.sentences)):
        best = [int(j) for j in np.argsort(-static[i])[:top] if static[i, j] >= floor]
        if best:
            partners.setdefault(i, set()).update(best)
    if neighbour_overlap is not None:
        for link in links:
            for i in link.a:
                partners[i].update(
                    _wording_neighbours(a, b, i, link.b, neighbour_overlap, partners[i])
                )
    return [
        Link((i,), tuple(sorted(js)), float(static[i, min(js)]), 0.0, "fact")
        for i, js in sorted(partners.items())
    ]


def _wording_neighbours(
    a: Encoded, b: Encoded, i: int, linked: Sequence[int], overlap: float, known: set[int]
) -> list[int]:
    """The sentences of b beside `linked`, not `known` already, that sentence i of a shares
    wording with."""
    text = a.doc.sentences[i].text
    beside = (min(linked) - 1, max(linked) + 1)
    return [
        j
        for j in beside
        if 0 <= j < len(b.doc.sentences)
        and j not in known
        and fuzz.partial_ratio(text, b.doc.sentences[j].text) >= overlap * 100
    ]


def _link(a: Encoded, b: Encoded, g: Group) -> Link:
    text_a = " ".join(a.doc.sentences[i].text for i in g.a)
    text_b = " ".join(b.doc.sentences[j].text for j in g.b)
    lexical = fuzz.ratio(text_a, text_b) / 100.0
    return Link(tuple(g.a), tuple(g.b), round(float(g.similarity), 4), round(lexical, 4), g.method)


def _coverage(links: list[Link], a: Encoded, b: Encoded) -> tuple[float, float]:
    """Share of each text's characters that aligned content accounts for.

    A link counts the shorter side's length on both sides: a 100-character sentence standing for
    250 characters of the source covers all of itself but only 100 of those 250.
    """
    total_a, total_b = sum(a.lengths) or 1, sum(b.lengths) or 1
    covered = 0
    for link in links:
        covered += min(sum(a.lengths[i] for i in link.a), sum(b.lengths[j] for j in link.b))
    return min(1.0, covered / total_a), min(1.0, covered / total_b)


def _order(links: list[Link]) -> float:
    """Share of links in the longest run that keeps the same order on both sides."""
    if len(links) < 2:
        return 1.0
    seq = [min(link.b) for link in sorted(links, key=lambda link: min(link.a))]
    tails: list[int] = []
    for x in seq:  # longest increasing subsequence, patience sorting
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        tails[lo : lo + 1] = [x]
    return len(tails) / len(seq)


PASSAGE_GAP = 2  # sentences a passage may skip on a side between two of its sentences


def passages(links: list[Link], a: Encoded, b: Encoded) -> tuple[Passage, ...]:
    """Merge links that follow each other on both sides into passages with character spans.

    A link whose sentences lie far apart on one side (one sentence of a brief condensing
    sentences 2 and 14 of a report) gives a passage for each place, each with the link's other
    side: one span from the first to the last would claim the sentences between as aligned too.
    So passages may overlap on a side.
    """
    out: list[Passage] = []
    run: list[tuple[Link, tuple[int, ...], tuple[int, ...]]] = []

    def close() -> None:
        if run:
            sa = [a.doc.sentences[i] for _, part_a, _ in run for i in part_a]
            sb = [b.doc.sentences[j] for _, _, part_b in run for j in part_b]
            seen = list({id(link): link for link, _, _ in run}.values())
            out.append(
                Passage(
                    (min(s.start for s in sa), max(s.end for s in sa)),
                    (min(s.start for s in sb), max(s.end for s in sb)),
                    round(sum(link.similarity for link in seen) / len(seen), 4),
                    len(seen),
                )
            )
            run.clear()

    pieces = [
        (link, part_a, part_b)
        for link in links
        for part_a in places(link.a)
        for part_b in places(link.b)
    ]
    for link, part_a, part_b in sorted(pieces, key=lambda p: (min(p[1]), min(p[2]))):
        if run and not (
            0 <= min(part_a) - max(run[-1][1]) <= PASSAGE_GAP
            and 0 < min(part_b) - max(run[-1][2]) <= PASSAGE_GAP
        ):
            close()
        run.append((link, part_a, part_b))
    close()
    return tuple(out)


def places(indices: Sequence[int], gap: int = PASSAGE_GAP) -> list[tuple[int, ...]]:
    """Split sentence indices into groups, in order, each skipping at most `gap` sentences between
    one of its sentences and the next (one link's places in a text)."""
    if len(indices) == 1:  # most links: one sentence each side (this runs for every pair)
        return [tuple(indices)]
    ordered = sorted(indices)
    found = [[ordered[0]]]
    for i in ordered[1:]:
        if i - found[-1][-1] - 1 > gap:
            found.append([])
        found[-1].append(i)
    return [tuple(p) for p in found]


def _alignment(a: Encoded, b: Encoded, links: list[Link]) -> Alignment:
    links = sorted(links, key=lambda link: (min(link.a), min(link.b)))
    coverage_a, coverage_b = _coverage(links, a, b)
    return Alignment(
        a=a.doc.id,
        b=b.doc.id,
        links=tuple(links),
        passages=passages(links, a, b),
        coverage_a=round(coverage_a, 4),
        coverage_b=round(coverage_b, 4),
        sentences_a=len(a.doc.sentences),
        sentences_b=len(b.doc.sentences),
        order=round(_order(links), 4),
    )


def mirror(alignment: Alignment) -> Alignment:
    """Return the alignment seen from the other side (b, a)."""
    links = sorted(
        (Link(x.b, x.a, x.similarity, x.lexical, x.method) for x in alignment.links),
        key=lambda link: (min(link.a), min(link.b)),
    )
    return Alignment(
        a=alignment.b,
        b=alignment.a,
        links=tuple(links),
        passages=tuple(
            sorted(
                (Passage(p.b, p.a, p.similarity, p.sentences) for p in alignment.passages),
                key=lambda p: p.a,
            )
        ),
        coverage_a=alignment.coverage_b,
        coverage_b=alignment.coverage_a,
        sentences_a=alignment.sentences_b,
        sentences_b=alignment.sentences_a,
        order=round(_order(links), 4),
    )
