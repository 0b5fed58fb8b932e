"""Small hand-built scan results for the view and HTML report tests, so they need no model."""

from __future__ import annotations

from typing import Any

from copytrace.records import (
    Conflict,
    Document,
    Evidence,
    Link,
    Passage,
    Relation,
    ScanResult,
    Sentence,
    Story,
)


def make_doc(doc_id: str, *sentences: str, **meta: Any) -> Document:
    """Build a Document whose sentences are the given strings, joined by a space."""
    text, records = "", []
    for i, sentence in enumerate(sentences):
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        records.append(
            Sentence(i, start, start + len(sentence), " ".join(sentence.lower().split()))
        )
    return Document(doc_id, text, sentences=tuple(records), **meta)


def make_relation(
    derived: Document,
    source: Document,
    kind: str,
    pairs: list[tuple[tuple[int, ...], tuple[int, ...]]],
    direction: str = "published",
    score: float = 0.9,
    conflicts: tuple[Conflict, ...] = (),
) -> Relation:
    """Build a relation from sentence index pairs, with passages and evidence to match."""
    links = tuple(Link(a, b, 0.9, 0.5, "static") for a, b in pairs)
    passages = tuple(
        Passage(
            (derived.sentences[min(a)].start, derived.sentences[max(a)].end),
            (source.sentences[min(b)].start, source.sentences[max(b)].end),
            0.9,
            1,
        )
        for a, b in pairs
    )
    evidence = Evidence(
        lexical=0.5,
        semantic=0.9,
        aligned=len(links),
        order=1.0,
        shared_quotes=("a quote",),
        direction_reason=f"decided by {direction}",
        kind_reason=f"looks like {kind}",
    )
    return Relation(
        derived.id,
        source.id,
        kind,
        score,
        direction,
        0.8,
        0.6,
        passages,
        links,
        conflicts,
        evidence,
    )


def conflict(derived: Document, source: Document, said: str, instead: str) -> Conflict:
    """A number conflict between the first occurrences of `said` in derived, `instead` in source."""
    d, s = derived.text.index(said), source.text.index(instead)
    return Conflict(said, instead, (d, d + len(said)), (s, s + len(instead)), "number")


def sample_docs() -> dict[str, Document]:
    """The documents of `sample_result`: a story of five, a pair of duplicates and a loner."""
    return {
        d.id: d
        for d in (
            make_doc(
                "orig",
                "Russia said its forces recaptured Kursk.",
                "More than 10,000 soldiers were sent last year.",
                "Ukraine  rejected\nthe claim.",
                "Talks may resume soon.",
                title="Troops retake Kursk",
                published="2025-04-26",
                source="Wire",
            ),
            make_doc(
                "spin",
                "Russia announced its troops retook Kursk.",
                "Over 10,000 soldiers were dispatched last year.",
                "Kyiv denied the claim.",
                "Negotiations could restart shortly.",
                title="Kursk retaken <again> & more",
            ),
            make_doc(
                "short",
                "Russia retook Kursk, Ukraine denied it.",
                "Talks may resume.",
            ),
            make_doc(
                "other",
                "Some 12,000 soldiers fight in Kursk.",
                "The weather was cold.",
                url="https://example.org/story",
            ),
            make_doc("reuse", "Kyiv denied the claim, a blog says.", "Then it rained."),
            make_doc("dup-a", "Prices rose sharply in May."),
            make_doc("dup-b", "Prices rose sharply in May."),
            make_doc("alone", "Nothing to do with anything."),
        )
    }


def sample_result() -> ScanResult:
    """A scan result with every kind of member: original, spin, condensed, same story, 2 hops."""
    docs = sample_docs()
    o, s, c, r, t = (docs[k] for k in ("orig", "spin", "short", "other", "reuse"))
    relations = (
        make_relation(s, o, "spin", [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]),
        make_relation(c, o, "condensed", [((0,), (0, 2)), ((1,), (3,))], direction="containment"),
        make_relation(c, s, "condensed", [((0,), (0,))], direction="unknown", score=0.7),
        make_relation(
            r,
            o,
            "same_story",
            [((0,), (1,))],
            direction="unknown",
            score=1.0,
            conflicts=(conflict(r, o, "12,000", "More than 10,000"),),
        ),
        make_relation(t, s, "partial_reuse", [((0,), (2,))], direction="containment", score=0.5),
        make_relation(
            docs["dup-b"], docs["dup-a"], "duplicate", [((0,), (0,))], "unknown", score=1.0
        ),
    )
    stories = (
        Story("s1", ("orig", "other", "reuse", "short", "spin"), "orig", "source of spin, short"),
        Story("s2", ("dup-a", "dup-b"), None, "copies found but their direction is unknown"),
        Story("s3", ("alone",), None, "alone"),
    )
    return ScanResult(tuple(docs.values()), relations, stories)
