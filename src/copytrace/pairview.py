"""The pair view: two texts side by side, aligned passages numbered alike, conflicts, evidence.

The numbered *passages* of a pair view are the aligned sentence groups of the relation (its
`links`): one number per group, the same on both sides, so a reader can jump from a sentence to
its counterpart. The relation's `passages` (runs of consecutive links) are counted in the evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from copytrace.records import Document, Relation, ScanResult
from copytrace.segments import Mark, Segment, segment

__all__ = [
    "ConflictView",
    "EvidenceView",
    "PairSide",
    "PairView",
    "PassageView",
    "anchor",
    "build_pair_view",
    "doc_title",
    "pair_anchor",
    "pair_view",
]

TITLE_CHARS = 100  # a title taken from the first sentence is cut here


@dataclass(frozen=True, slots=True)
class ConflictView:
    """Aligned statements that disagree, with both wordings."""

    kind: str
    derived: str
    source: str
    derived_span: tuple[int, int]
    source_span: tuple[int, int]

    @property
    def note(self) -> str:
        """A sentence saying who says what."""
        return f"derived says “{self.derived}”, source says “{self.source}”"


@dataclass(frozen=True, slots=True)
class PassageView:
    """One numbered aligned passage of a pair: sentences of each side and how alike they are."""

    number: int
    derived_sentences: tuple[int, ...]
    source_sentences: tuple[int, ...]
    similarity: float
    lexical: float
    method: str


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """The numbers behind a relation's kind and direction."""

    kind: str
    score: float
    direction: str
    direction_reason: str
    kind_reason: str
    coverage_derived: float
    coverage_source: float
    lexical: float
    semantic: float
    aligned: int
    order: float
    facts: float
    shared_quotes: tuple[str, ...]
    shared_names: tuple[str, ...]
    candidate: tuple[str, ...]
    runs: int  # runs of consecutive aligned sentences (`Relation.passages`)
    conflicts: tuple[ConflictView, ...]


@dataclass(frozen=True, slots=True)
class PairSide:
    """One text of a pair view, cut into segments that put together give the text back."""

    id: str
    title: str
    published: str | None
    outlet: str | None
    segments: tuple[Segment, ...]
    unaligned: int  # sentences in no passage


@dataclass(frozen=True, slots=True)
class PairView:
    """Two texts side by side with their aligned passages, conflicts and evidence."""

    anchor: str
    derived: PairSide
    source: PairSide
    passages: tuple[PassageView, ...]
    evidence: EvidenceView


def anchor(prefix: str, *parts: str) -> str:
    """Return a stable id safe in HTML ids and URL fragments, unique for the given parts."""
    raw = "\x1f".join(parts)
    digest = hashlib.blake2s(raw.encode(), digest_size=4).hexdigest()
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(p[:24] for p in parts)).strip("-")
    return f"{prefix}-{readable}-{digest}" if readable else f"{prefix}-{digest}"


def pair_anchor(rel: Relation) -> str:
    """Return the anchor of a relation's pair view."""
    return anchor("pair", rel.derived, rel.source)


def pair_view(result: ScanResult, derived_id: str, source_id: str) -> PairView:
    """Return the side-by-side view of the relation between two documents.

    The order of the two ids does not matter: the view follows the relation's own direction.
    Raises KeyError when the scan found no relation between them.
    """
    wanted = {derived_id, source_id}
    rel = next((r for r in result.relations if {r.derived, r.source} == wanted), None)
    docs = {d.id: d for d in result.documents}
    if rel is None or rel.derived not in docs or rel.source not in docs:
        raise KeyError(f"no relation between {derived_id} and {source_id}")
    return build_pair_view(rel, docs[rel.derived], docs[rel.source])


def doc_title(doc: Document) -> tuple[str, bool]:
    """The document's title, or its first words when it has none."""
    if doc.title and doc.title.strip():
        return " ".join(doc.title.split()), False
    first = doc.text[doc.sentences[0].start : doc.sentences[0].end] if doc.sentences else doc.text
    words = " ".join(first.split())
    if not words:
        return (doc.path or doc.id), False
    return (words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1].rstrip() + "…"), True


def build_pair_view(rel: Relation, derived: Document, source: Document) -> PairView:
    links = sorted(rel.links, key=lambda x: (min(x.a, default=0), min(x.b, default=0)))
    passages = tuple(
        PassageView(k, tuple(x.a), tuple(x.b), x.similarity, x.lexical, x.method)
        for k, x in enumerate(links, 1)
    )
    conflicts = tuple(
        ConflictView(c.kind, c.derived, c.source, c.derived_span, c.source_span)
        for c in rel.conflicts
    )
    marks_d: list[Mark] = [Mark(*c.derived_span, conflict=c.note) for c in conflicts]
    marks_s: list[Mark] = [Mark(*c.source_span, conflict=c.note) for c in conflicts]
    for p in passages:
        marks_d += _sentence_marks(derived, p.derived_sentences, p.number)
        marks_s += _sentence_marks(source, p.source_sentences, p.number)
    ev = rel.evidence
    evidence = EvidenceView(
        kind=rel.kind, score=rel.score, direction=rel.direction,
        direction_reason=ev.direction_reason, kind_reason=ev.kind_reason,
        coverage_derived=rel.coverage_derived, coverage_source=rel.coverage_source,
        lexical=ev.lexical, semantic=ev.semantic, aligned=ev.aligned, order=ev.order,
        facts=ev.facts, shared_quotes=ev.shared_quotes, shared_names=ev.shared_names,
        candidate=ev.candidate, runs=len(rel.passages), conflicts=conflicts,
    )  # fmt: skip
    aligned_d = {i for p in passages for i in p.derived_sentences}
    aligned_s = {i for p in passages for i in p.source_sentences}
    return PairView(
        anchor=pair_anchor(rel),
        derived=_side(derived, segment(derived.text, marks_d), aligned_d),
        source=_side(source, segment(source.text, marks_s), aligned_s),
        passages=passages,
        evidence=evidence,
    )


def _sentence_marks(doc: Document, indices: Iterable[int], number: int) -> list[Mark]:
    # Each sentence separately: the sentences of one link need not be adjacent.
    n = len(doc.sentences)
    return [
        Mark(doc.sentences[i].start, doc.sentences[i].end, passage=number)
        for i in indices
        if 0 <= i < n
    ]


def _side(doc: Document, segments: tuple[Segment, ...], aligned: set[int]) -> PairSide:
    return PairSide(
        id=doc.id,
        title=doc_title(doc)[0],
        published=doc.published,
        outlet=doc.source,
        segments=segments,
        unaligned=len(doc.sentences) - len(aligned & set(range(len(doc.sentences)))),
    )
