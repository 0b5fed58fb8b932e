"""View data for people: stories with their members, derivation graph and fact table.

Pure functions from a `ScanResult` to frozen records that a renderer shows without further logic:
the self-contained HTML report (`html_report`) now, the web app later. Nothing here knows HTML.
The pair view (two texts side by side) is built in `pairview`, the fact table in `facttable`, and
both are re-exported here, so a renderer needs this module only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from copytrace import __version__
from copytrace.facttable import FactCell, FactRow, FactTable, fact_table
from copytrace.pairview import (
    ConflictView,
    EvidenceView,
    PairSide,
    PairView,
    PassageView,
    anchor,
    build_pair_view,
    doc_title,
    pair_anchor,
    pair_view,
)
from copytrace.records import KINDS, Document, Relation, ScanResult, Story
from copytrace.segments import Segment

__all__ = [
    "BASIS_WORDS",
    "KIND_NOTES",
    "ConflictView",
    "EdgeView",
    "EvidenceView",
    "FactCell",
    "FactRow",
    "FactTable",
    "GraphNode",
    "KindCount",
    "MemberView",
    "PairSide",
    "PairView",
    "PassageView",
    "ReportView",
    "Segment",
    "StoryView",
    "anchor",
    "pair_view",
    "pair_views",
    "report_view",
    "story_views",
]

# How a direction was decided, in words (`records.BASES`).
BASIS_WORDS: Mapping[str, str] = {
    "published": "publication date",
    "containment": "containment",
    "quote_fidelity": "quote fidelity",
    "unknown": "unknown",
}
# One line per kind for legends; the wording follows DESIGN.md.
KIND_NOTES: Mapping[str, str] = {
    "duplicate": "the same text once spacing, quote marks, case and boilerplate are ignored",
    "near_duplicate": "almost every sentence is the same up to small edits",
    "spin": "reworded sentence by sentence; the sentences still align one to one",
    "condensed": "most of the copy sits inside the source, much of the source is left out",
    "partial_reuse": "several sentences reused; the rest differs",
    "same_story": "an independent report of the same event: shared facts, little shared wording",
}


@dataclass(frozen=True, slots=True)
class KindCount:
    """How many relations of one kind."""

    kind: str
    count: int


@dataclass(frozen=True, slots=True)
class MemberView:
    """A story member and how it relates to the story's reference (the original when known).

    `relation` is "original", "reference" (no original settled; the member the fact table is read
    against), a relation kind, or "unrelated" (linked to the story only through other members).
    `role` says which way a copy goes: "copy" (this member derives from the reference),
    "source" (the reference derives from it), "unknown" (direction not settled), or "".
    """

    id: str
    anchor: str
    title: str
    title_from_text: bool  # True when the document has no title and its first words stand in
    published: str | None
    outlet: str | None
    url: str | None
    path: str | None
    chars: int
    sentences: int
    relation: str
    role: str
    basis: str  # how the direction was decided (`records.BASES`), "" without a relation
    score: float | None
    summary: str  # one readable line, e.g. "spin of 001, by quote fidelity"


@dataclass(frozen=True, slots=True)
class EdgeView:
    """A relation of the story as an edge of the derivation graph, derived -> source."""

    derived: str
    source: str
    kind: str
    score: float
    direction: str
    reason: str
    conflicts: int
    pair: str | None  # anchor of the pair view, None when the report shows none for it

    @property
    def is_copy(self) -> bool:
        """True for every kind but `same_story`."""
        return self.kind != "same_story"


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A member placed in the derivation graph: `layer` 0 holds the original, copies lie below.

    `side` nodes take part in no copy relation (same-story reports) and are drawn beside the tree.
    """

    id: str
    layer: int
    side: bool


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as people read it: members, derivation graph, fact table, pair views to open."""

    id: str
    anchor: str
    title: str
    original: str | None
    original_basis: str
    reference: str
    members: tuple[MemberView, ...]
    edges: tuple[EdgeView, ...]
    nodes: tuple[GraphNode, ...]
    facts: FactTable
    kinds: tuple[KindCount, ...]

    @property
    def copies(self) -> int:
        """Number of copy relations (every kind but same_story)."""
        return sum(e.is_copy for e in self.edges)

    @property
    def conflicts(self) -> int:
        """Number of conflicts over all relations of the story."""
        return sum(e.conflicts for e in self.edges)


@dataclass(frozen=True, slots=True)
class ReportView:
    """The head of a report: counts, stories in reading order, and what was left out."""

    version: str
    documents: int
    relations: int
    kinds: tuple[KindCount, ...]
    stories: tuple[StoryView, ...]
    singletons: int  # documents in no story with other members; not listed
    problems: tuple[str, ...]


def report_view(result: ScanResult) -> ReportView:
    """Return the head of a report and its stories, largest and most copied first."""
    stories = story_views(result)
    listed = sum(len(s.members) for s in stories)
    return ReportView(
        version=__version__,
        documents=len(result.documents),
        relations=len(result.relations),
        kinds=_kind_counts(result.relations),
        stories=tuple(stories),
        singletons=len(result.documents) - listed,
        problems=tuple(str(p) for p in result.problems),
    )


def story_views(result: ScanResult) -> list[StoryView]:
    """Return the stories with two members or more, largest and most copied first.

    Stories of one document are left out; `report_view` counts them.
    """
    docs = {d.id: d for d in result.documents}
    by_story = _relations_by_story(result)
    views = [
        _story_view(story, by_story.get(story.id, []), docs)
        for story in result.stories
        if len([m for m in story.members if m in docs]) > 1
    ]
    return sorted(views, key=lambda v: (-len(v.members), -v.copies, -v.conflicts, v.id))


def pair_views(result: ScanResult, story: StoryView) -> list[PairView]:
    """Return the pair views a story's edges point to, in the order of its edges."""
    docs = {d.id: d for d in result.documents}
    rels = {(r.derived, r.source): r for r in result.relations}
    return [
        build_pair_view(rels[(e.derived, e.source)], docs[e.derived], docs[e.source])
        for e in story.edges
        if e.pair is not None
    ]


# --- stories ------------------------------------------------------------------------------------


def _relations_by_story(result: ScanResult) -> dict[str, list[Relation]]:
    story_of = {m: s.id for s in result.stories for m in s.members}
    out: dict[str, list[Relation]] = {}
    for rel in result.relations:
        sid = story_of.get(rel.derived)
        if sid is not None and story_of.get(rel.source) == sid:
            out.setdefault(sid, []).append(rel)
    return out


def _kind_counts(relations: Iterable[Relation]) -> tuple[KindCount, ...]:
    counts = Counter(r.kind for r in relations)
    order = [*KINDS, *sorted(set(counts) - set(KINDS))]
    return tuple(KindCount(k, counts[k]) for k in order if counts[k])


def _reference(story: Story, relations: Sequence[Relation], members: Sequence[str]) -> str:
    """The original, or else the member with most relations (copies first) to read the rest by."""
    if story.original is not None and story.original in members:
        return story.original
    count: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    for rel in relations:
        count.update((rel.derived, rel.source))
        if rel.is_copy:
            copies.update((rel.derived, rel.source))
    return min(members, key=lambda m: (-count[m], -copies[m], m))


def _story_view(story: Story, relations: list[Relation], docs: Mapping[str, Document]) -> StoryView:
    members = [m for m in story.members if m in docs]
    ref = _reference(story, relations, members)
    to_ref = {
        (r.source if r.derived == ref else r.derived): r
        for r in relations
        if ref in (r.derived, r.source)
    }
    views = [_member_view(docs[m], ref, story, to_ref.get(m)) for m in members]
    # Strongest kind of copy first (`KINDS` order), same-story ties and the unrelated last.
    kind_rank = {k: i for i, k in enumerate(KINDS)}
    member_rank = {"original": -1, "reference": -1, **kind_rank}
    views.sort(key=lambda v: (member_rank.get(v.relation, len(KINDS)), -(v.score or 0.0), v.id))
    order = [v.id for v in views]
    ordered = sorted(
        relations, key=lambda r: (kind_rank.get(r.kind, len(KINDS)), -r.score, r.derived, r.source)
    )
    edges = tuple(
        EdgeView(
            r.derived,
            r.source,
            r.kind,
            r.score,
            r.direction,
            r.evidence.direction_reason,
            len(r.conflicts),
            pair_anchor(r) if _shows_pair(r, ref) else None,
        )
        for r in ordered
    )
    return StoryView(
        id=story.id,
        anchor=anchor("story", story.id),
        title=views[0].title,
        original=story.original if story.original in docs else None,
        original_basis=story.original_basis,
        reference=ref,
        members=tuple(views),
        edges=edges,
        nodes=_layout(order, ref, relations),
        facts=fact_table(ref, order, relations, docs),
        kinds=_kind_counts(relations),
    )


def _shows_pair(rel: Relation, reference: str) -> bool:
    # Every relation of a big story would repeat each text dozens of times; copies, conflicts and
    # the reference's own relations are what a reader opens.
    return rel.is_copy or bool(rel.conflicts) or reference in (rel.derived, rel.source)


def _member_view(doc: Document, ref: str, story: Story, rel: Relation | None) -> MemberView:
    title, from_text = doc_title(doc)
    relation, role, basis, score = "unrelated", "", "", None
    if doc.id == ref:
        relation = "original" if story.original == ref else "reference"
        summary = "original" if relation == "original" else "reference (no original settled)"
    elif rel is None:
        summary = f"no direct relation with {ref}"
    else:
        relation, basis, score = rel.kind, rel.direction, rel.score
        kind, by = rel.kind.replace("_", " "), BASIS_WORDS.get(rel.direction, rel.direction)
        if not rel.is_copy:
            summary = f"same story as {ref}"
        elif rel.direction == "unknown":
            role, summary = "unknown", f"{kind} with {ref}, direction unknown"
        elif rel.derived == doc.id:
            role, summary = (
                "copy",
                f"{kind} of {ref}, by {by}",
            )
        else:
            role = "source"
            summary = f"source of {ref}, a {kind} of it, by {by}"
    return MemberView(
        id=doc.id, anchor=anchor("doc", story.id, doc.id), title=title, title_from_text=from_text,
        published=doc.published, outlet=doc.source, url=doc.url, path=doc.path, chars=doc.chars,
        sentences=len(doc.sentences), relation=relation, role=role, basis=basis, score=score,
        summary=summary,
    )  # fmt: skip


def _layout(
    members: Sequence[str], ref: str, relations: Sequence[Relation]
) -> tuple[GraphNode, ...]:
    """Place members in layers: sources above their copies, same-story reports to the side."""
    parents: dict[str, set[str]] = {m: set() for m in members}
    undirected: dict[str, set[str]] = {m: set() for m in members}
    for r in relations:
        if not r.is_copy:
            continue
        if r.direction == "unknown":
            undirected[r.derived].add(r.source)
            undirected[r.source].add(r.derived)
        else:
            parents[r.derived].add(r.source)
    in_tree = {m for m in members if parents[m] or undirected[m]}
    in_tree |= {p for m in members for p in parents[m]} | {ref}
    layer: dict[str, int] = {}

    def depth(m: str, seen: frozenset[str]) -> int:
        if m in layer:
            return layer[m]
        above = [p for p in parents[m] if p not in seen]  # a cycle is cut where it closes
        layer[m] = 1 + max(depth(p, seen | {m}) for p in above) if above else 0
        return layer[m]

    for m in members:
        if parents[m]:
            depth(m, frozenset())
    # Copies of unknown direction sit beside the member they were found with (siblings).
    for _ in members:
        for m in members:
            if m not in layer and undirected[m]:
                placed = [layer[n] for n in undirected[m] if n in layer]
                if placed:
                    layer[m] = min(placed)
    return tuple(GraphNode(m, layer.get(m, 0), m not in in_tree) for m in members)
