"""Relation kinds and the pairwise direction, from an alignment and its evidence.

The kinds follow DESIGN.md: duplicate, near_duplicate, spin, condensed, partial_reuse, same_story.
Direction here uses what one pair can tell: publication time, then containment. Quote fidelity
needs the other versions of the story and is settled in `stories`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from copytrace.config import ClassifyConfig
from copytrace.evidence import (
    contradiction,
    distinctness,
    fact_agreement,
    kept_passages,
    other_subject,
    reuse_evidence,
)
from copytrace.records import (
    Alignment,
    Document,
    Encoded,
    Evidence,
    Link,
    Passage,
    Relation,
    Run,
)
from copytrace.verbatim import longest_run, run_chars, verbatim_runs


def _contained(links: Sequence[Link], a: Encoded, b: Encoded, minimum: int) -> str | None:
    """Return "a" when every substantial sentence of a is aligned and b has substantial sentences
    that are not, "b" for the converse, else None. For near-verbatim copies this is certain
    evidence of which text was cut from which, even when the coverage gap is small."""

    def left_out(enc: Encoded, used: set[int]) -> int:
        return sum(
            1 for s in enc.doc.sentences if s.index not in used and enc.lengths[s.index] >= minimum
        )

    missing_a = left_out(a, {i for link in links for i in link.a})
    missing_b = left_out(b, {j for link in links for j in link.b})
    if missing_a == 0 and missing_b > 0:
        return "a"
    if missing_b == 0 and missing_a > 0:
        return "b"
    return None


def _mean(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total if total else 0.0


def _weights(links: Sequence[Link], a: Encoded) -> list[float]:
    return [float(sum(a.lengths[i] for i in link.a)) for link in links]


def doc_anchors(enc: Encoded) -> frozenset[str]:
    """Return every anchor (number or name) of a document's body."""
    return enc.all_anchors


def _names(anchors: frozenset[str]) -> frozenset[str]:
    return frozenset(x for x in anchors if not x[:1].isdigit())


def published_order(a: Document, b: Document) -> int:
    """Return -1 when a was published first, 1 when b was, 0 when unknown or equal."""
    if not a.published or not b.published:
        return 0
    try:
        ta, tb = datetime.fromisoformat(a.published), datetime.fromisoformat(b.published)
    except ValueError:
        return 0
    if (ta.tzinfo is None and tb.tzinfo is not None) or (
        ta.tzinfo is not None and tb.tzinfo is None
    ):
        ta, tb = ta.replace(tzinfo=None), tb.replace(tzinfo=None)
    return -1 if ta < tb else 1 if tb < ta else 0


def classify(
    alignment: Alignment,
    a: Encoded,
    b: Encoded,
    config: ClassifyConfig,
    reasons: tuple[str, ...] = (),
) -> Relation | None:
    """Return the relation between two aligned documents, or None when they are unrelated."""
    links = alignment.links
    shared = doc_anchors(a) & doc_anchors(b)
    shared_quotes = tuple(sorted(a.quotes & b.quotes))
    lexical = _mean([x.lexical for x in links], _weights(links, a))
    semantic = _mean([x.similarity for x in links], _weights(links, a))
    cov_a, cov_b = alignment.coverage_a, alignment.coverage_b
    big, small = max(cov_a, cov_b), min(cov_a, cov_b)

    kind, why, runs = _kind(a, b, links, cov_a, cov_b, lexical, shared, shared_quotes, config)
    if kind is None:
        return None
    found = tuple(
        sorted(alignment.passages + tuple(_run_passage(run, a) for run in runs), key=lambda p: p.a)
    )

    # derived = the contained text when there is one; else keep a, b and let direction decide
    derived_is_a = cov_a >= cov_b
    direction, direction_reason = "unknown", "no publication dates and no containment"
    order = published_order(a.doc, b.doc)
    if order:
        derived_is_a = order > 0
        earlier = b.doc.published if order > 0 else a.doc.published
        direction, direction_reason = "published", f"published earlier: {earlier}"
    elif kind == "partial_reuse" and small < config.unlike_length_ratio * big:
        direction_reason = (
            f"a passage shared by texts of unlike length (coverage {big:.2f} vs {small:.2f}): "
            "the shorter may have quoted the longer or been pasted into it"
        )
    elif (
        kind == "condensed"
        and small < config.unlike_length_ratio * big
        and (block := _pasted_block([x.b if derived_is_a else x.a for x in links], config))
    ):
        container = b if derived_is_a else a
        direction_reason = (
            f"the shorter text sits whole in the longer one as one block, its sentences "
            f"{block[0] + 1}-{block[1] + 1} of {len(container.doc.sentences)} "
            f"(coverage {big:.2f} vs {small:.2f}): it may have been pasted in or cut out"
        )
    elif (kind == "condensed" and big - small >= config.condensed_gap) or (
        kind in ("partial_reuse", "near_duplicate") and big - small >= config.containment_gap
    ):
        direction = "containment"
        direction_reason = f"coverage {big:.2f} of the contained text vs {small:.2f} of the other"
    elif kind == "near_duplicate":
        inside = _contained(links, a, b, config.min_substantial)
        if inside is not None:
            derived_is_a = inside == "a"
            direction = "containment"
            left_out = b if inside == "a" else a
            direction_reason = (
                f"every sentence of {(a if inside == 'a' else b).doc.id} is in {left_out.doc.id}, "
                f"which has more"
            )
    if kind == "same_story":
        direction, direction_reason = (
            (direction, direction_reason) if order else ("unknown", "independent reports")
        )

    facts, numbers, _, _, _ = fact_agreement(links, a, b)
    evidence = Evidence(
        lexical=round(lexical, 4),
        semantic=round(semantic, 4),
        aligned=len(links),
        order=alignment.order,
        facts=round(facts, 4),
        numbers=round(numbers, 4),
        reused=reuse_evidence(links, a, b, config.verbatim),
        shared_quotes=shared_quotes[:20],
        shared_names=tuple(sorted(_names(shared)))[:30],
        candidate=reasons,
        direction_reason=direction_reason,
        kind_reason=why,
    )
    if kind == "same_story":
        overlap = len(shared) / max(1.0, (len(a.all_anchors) * len(b.all_anchors)) ** 0.5)
        score = round(min(1.0, (overlap + float(a.vector @ b.vector)) / 2), 4)
    else:
        score = _score(kind, small, big, semantic)
    if derived_is_a:
        return Relation(
            a.doc.id,
            b.doc.id,
            kind,
            score,
            direction,
            cov_a,
            cov_b,
            found,
            links,
            (),
            evidence,
        )
    return Relation(
        b.doc.id,
        a.doc.id,
        kind,
        score,
        direction,
        cov_b,
        cov_a,
        tuple(Passage(p.b, p.a, p.similarity, p.sentences) for p in found),
        tuple(Link(x.b, x.a, x.similarity, x.lexical, x.method) for x in links),
        (),
        evidence,
    )


def _kind(
    a: Encoded,
    b: Encoded,
    links: Sequence[Link],
    cov_a: float,
    cov_b: float,
    lexical: float,
    shared: frozenset[str],
    shared_quotes: tuple[str, ...],
    config: ClassifyConfig,
) -> tuple[str | None, str, tuple[Run, ...]]:
    """Return the kind, why, and the runs of words behind it that the alignment does not show."""
    big, small = max(cov_a, cov_b), min(cov_a, cov_b)
    if a.doc.digest and a.doc.digest == b.doc.digest:
        return "duplicate", "same normalised text", ()
    passage = max(
        (
            (chars, kept)
            for kept, chars in kept_passages(links, a, b, config.verbatim)
            if (kept >= 2 and chars >= config.kept_passage_chars)
            or (kept >= 3 and chars >= config.kept_passage_chars_three)
        ),
        default=None,
    )
    kind, why = _copy_kind(a, b, links, big, small, lexical, config)
    # A copy kind stands unless the texts contradict each other (`evidence.contradiction`: other
    # figures, names or subjects); a passage kept word for word stands either way. The subject
    # rules read every name of both texts, so they are asked only where their answer matters:
    # for a copy kind without a kept passage here, and for `same_story` below (most pairs of a
    # large batch are neither, and end unrelated).
    if kind and (passage or not contradiction(links, a, b, lexical, config)):
        return kind, why, ()
    if passage:
        return (
            "partial_reuse",
            (
                f"a passage of {passage[1]} sentences ({passage[0]} characters) kept word for "
                f"word, coverage {big:.2f}/{small:.2f}"
            ),
            (),
        )
    run = _kept_run(a, b, config)  # the same without sentences, when no sentence passage is kept
    if run is not None:
        if kind:  # contradicted, yet some words are kept: the copy kind, shown with the run
            return kind, why, (run,)
        return (
            "partial_reuse",
            (
                f"a passage of {run.words} words ({run_chars(run)} characters) kept word for word, "
                f"coverage {big:.2f}/{small:.2f}"
            ),
            (run,),
        )
    names = _names(shared)
    overlap = len(shared) / max(1.0, (len(doc_anchors(a)) * len(doc_anchors(b))) ** 0.5)
    cosine = float(a.vector @ b.vector)
    if (
        len(names) >= config.same_story_min_names
        and overlap >= config.same_story_min_overlap
        and cosine >= config.same_story_min_cosine
        and not other_subject(a, b)  # two issuers' bonds: two stories
        and not _another_period(links, a, b, config)
    ):
        return (
            "same_story",
            (
                f"{len(names)} shared names ({overlap:.2f} of their anchors), "
                f"{len(shared_quotes)} shared quotes, document similarity {cosine:.2f}"
            ),
            (),
        )
    return None, "", ()


def _another_period(links: Sequence[Link], a: Encoded, b: Encoded, config: ClassifyConfig) -> bool:
    """Return True when the aligned sentences compare many figures and few agree: this month's
    figures against last month's, in a series' words (`ClassifyConfig.same_story_min_numbers`).
    Reports of one event that moves on update a figure or two, not most of them."""
    _, numbers, counted, _, _ = fact_agreement(links, a, b)
    return (
        counted >= config.same_story_min_numbers
        and numbers < config.same_story_min_number_agreement
    )


def _pasted_block(
    linked: Sequence[tuple[int, ...]], config: ClassifyConfig
) -> tuple[int, int] | None:
    """Return the first and last of one text's `linked` sentences (each link's, on that side)
    when they form one block away from its start (`ClassifyConfig.pasted_block_start`, at most
    `pasted_block_holes` sentences left out inside), else None."""
    held = sorted({i for sentences in linked for i in sentences})
    if not held or held[0] < config.pasted_block_start:
        return None
    if held[-1] - held[0] + 1 - len(held) > config.pasted_block_holes:
        return None
    return held[0], held[-1]


def _kept_run(a: Encoded, b: Encoded, config: ClassifyConfig) -> Run | None:
    """Return the longest run of words the texts share when it is a kept passage, else None."""
    if config.run_ngram < 1 or min(sum(a.lengths), sum(b.lengths)) < config.kept_passage_chars:
        return None
    # a run of C characters holds about C / 6 words, so C / 6 - n + 1 n-grams; asking for
    # C / 20 shared leaves room for long words and misspellings, and skips most pairs cheaply
    runs = verbatim_runs(
        a.doc,
        b.doc,
        config.run_ngram,
        config.run_max_gap,
        config.kept_passage_chars // 20,
        config.kept_passage_chars,
    )
    run = longest_run(runs)
    return run if run is not None and run_chars(run) >= config.kept_passage_chars else None


def _run_passage(run: Run, a: Encoded) -> Passage:
    """Return a run of words as a passage of the relation (spans in a, then b)."""
    touched = sum(1 for s in a.doc.sentences if s.start < run.a[1] and run.a[0] < s.end)
    return Passage(run.a, run.b, 1.0, touched)


def _copy_kind(
    a: Encoded,
    b: Encoded,
    links: Sequence[Link],
    big: float,
    small: float,
    lexical: float,
    config: ClassifyConfig,
) -> tuple[str | None, str]:
    """Return the copy kind that coverage and wording support, or (None, "")."""
    if len(links) == 1 and lexical < config.verbatim:
        return None, ""  # one reworded sentence in common is not evidence of copying
    if lexical >= config.near_duplicate_lexical and big >= config.near_duplicate_coverage:
        if small >= config.near_duplicate_other:
            return "near_duplicate", f"coverage {small:.2f}/{big:.2f}, wording {lexical:.2f}"
        if small <= config.condensed_max_source:
            return "condensed", (
                f"verbatim excerpt: {big:.2f} of the shorter text, {small:.2f} of the longer"
            )
    if small >= config.spin_coverage and lexical < config.near_duplicate_lexical:
        return "spin", f"coverage {small:.2f}/{big:.2f}, reworded (wording {lexical:.2f})"
    evidence = reuse_evidence(links, a, b, config.verbatim)
    if evidence <= 1 and distinctness(links, a, b) < config.min_distinctness:
        # each sentence about as close to several sentences of the other, and either nothing
        # kept verbatim or as a figure while the wording is all different, or at most one link
        # that keeps something among loose ones: that is how independent texts on one subject
        # align, not how a copy does
        loose = sum(x.similarity for x in links) < config.loose_similarity * len(links)
        if loose or (not evidence and lexical < config.min_reworded_lexical):
            return None, ""
    if big >= config.condensed_coverage and small <= config.condensed_max_source:
        return "condensed", f"{big:.2f} of the shorter text aligns, {small:.2f} of the longer"
    enough = (
        evidence >= 2
        or (evidence and big >= config.partial_coverage_one)
        or big >= config.partial_coverage_alone
    )
    if len(links) >= config.partial_min_sentences and big >= config.partial_min_coverage and enough:
        return "partial_reuse", (
            f"{len(links)} sentences reused ({evidence} kept verbatim or with their figures), "
            f"coverage {big:.2f}/{small:.2f}"
        )
    return None, ""


def _score(kind: str, small: float, big: float, semantic: float) -> float:
    """Return a 0-1 confidence for a copy kind from coverage and the similarity of what aligns."""
    if kind == "duplicate":
        return 1.0
    if kind in ("condensed", "partial_reuse"):
        return round(0.5 * big + 0.5 * semantic, 4)
    return round((small + big) / 4 + semantic / 2, 4)
