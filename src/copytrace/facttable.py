"""The fact table of a story: for each aligned point, what each member says there.

Rows are the sentences of the story's reference (its original, or the member with most relations)
that some member aligns with, in reference order. A cell holds the member's aligned sentences, with
every conflict of the story that falls inside them marked. Members related to the reference only
through another member are reached through that one (one step); further away, the cell is empty.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from copytrace.records import Document, Link, Relation
from copytrace.segments import Mark, Segment, collapse, segment

__all__ = ["FactCell", "FactRow", "FactTable", "fact_table"]


@dataclass(frozen=True, slots=True)
class FactCell:
    """What one member says at one point of the story, whitespace collapsed, conflicts marked."""

    member: str
    sentences: tuple[int, ...]  # indices into the member's `Document.sentences`
    segments: tuple[Segment, ...]
    similarity: float | None  # of its best link to the reference sentence; None if not linked
    lexical: float | None
    via: str | None  # the member it was aligned through, when not aligned with the reference

    @property
    def text(self) -> str:
        """The cell's text."""
        return "".join(s.text for s in self.segments)

    @property
    def has_conflict(self) -> bool:
        """True when a conflict falls in the cell."""
        return any(s.conflicts for s in self.segments)


@dataclass(frozen=True, slots=True)
class FactRow:
    """One aligned point: the reference sentence and each member's version of it."""

    sentence: int  # index of the reference sentence
    cells: tuple[FactCell | None, ...]  # one per column, None where the member has nothing here

    @property
    def has_conflict(self) -> bool:
        """True when any member's version conflicts with another's."""
        return any(c is not None and c.has_conflict for c in self.cells)

    @property
    def aligned(self) -> int:
        """Members, the reference included, that say something here."""
        return sum(c is not None for c in self.cells)


@dataclass(frozen=True, slots=True)
class FactTable:
    """Rows of aligned points; `columns` are member ids, the reference first."""

    reference: str
    columns: tuple[str, ...]
    rows: tuple[FactRow, ...]

    @property
    def conflicts(self) -> int:
        """Rows where versions disagree."""
        return sum(r.has_conflict for r in self.rows)


@dataclass(frozen=True, slots=True)
class _Located:
    """A conflict of the story with the sentence each of its spans falls in."""

    derived: str
    source: str
    d_sentence: int
    s_sentence: int
    d_mark: Mark
    s_mark: Mark


_Map = dict[int, list[tuple[tuple[int, ...], Link | None]]]


def fact_table(
    reference: str,
    members: Sequence[str],
    relations: Sequence[Relation],
    docs: Mapping[str, Document],
) -> FactTable:
    """Return the fact table of a story read against `reference`.

    Args:
        members: the story's members in column order; the reference goes first in any case.
        relations: the story's relations; their links and conflicts fill the cells.
    """
    columns = (reference, *(m for m in members if m != reference and m in docs))
    located = _locate(relations, docs)
    maps, via = _member_maps(reference, columns[1:], relations, located)
    rows = []
    for i in sorted({i for table in maps.values() for i in table}):
        found = {m: maps[m].get(i, []) for m in maps}
        held = {m: tuple(sorted({j for js, _ in f for j in js})) for m, f in found.items() if f}
        held[reference] = (i,)
        marks = _row_marks(located, held)
        cells: list[FactCell | None] = []
        for m in columns:
            if m not in held:
                cells.append(None)
                continue
            links = [x for _, x in found.get(m, []) if x is not None and m not in via]
            best = max(links, key=lambda x: x.similarity, default=None)
            segments = _segments(docs[m], held[m], marks.get(m, []))
            cells.append(
                FactCell(
                    m,
                    held[m],
                    segments,
                    best.similarity if best else None,
                    best.lexical if best else None,
                    via.get(m),
                )
            )
        rows.append(FactRow(i, tuple(cells)))
    return FactTable(reference, columns, tuple(rows))


def _member_maps(
    reference: str,
    others: Sequence[str],
    relations: Sequence[Relation],
    located: Sequence[_Located],
) -> tuple[dict[str, _Map], dict[str, str]]:
    """Map reference sentences to each member's; say which members were reached through another."""
    direct = {_other(r, reference): r for r in relations if reference in (r.derived, r.source)}
    maps: dict[str, _Map] = {}
    via: dict[str, str] = {}
    for m in others:
        if m in direct:
            maps[m] = _links_from(direct[m], reference)
            # A conflict is found on aligned facts, which need not lie in aligned sentences:
            # its two sentences make a point of the table as well.
            for c in located:
                if c.derived == reference and c.source == m:
                    maps[m].setdefault(c.d_sentence, []).append(((c.s_sentence,), None))
                elif c.source == reference and c.derived == m:
                    maps[m].setdefault(c.s_sentence, []).append(((c.d_sentence,), None))
            continue
        hops = [r for r in relations if m in (r.derived, r.source) and _other(r, m) in direct]
        if hops:
            # The strongest tie to a member that is itself aligned with the reference.
            hop = max(hops, key=lambda r: (r.is_copy, r.score, _other(r, m)))
            via[m] = _other(hop, m)
            maps[m] = _compose(_links_from(direct[via[m]], reference), _links_from(hop, via[m]))
    return maps, via


def _locate(relations: Sequence[Relation], docs: Mapping[str, Document]) -> list[_Located]:
    out = []
    for rel in relations:
        for c in rel.conflicts:
            i = _sentence_at(docs[rel.derived], c.derived_span[0])
            j = _sentence_at(docs[rel.source], c.source_span[0])
            if i is None or j is None:
                continue
            d_mark = Mark(*c.derived_span, conflict=f"{rel.source} says “{c.source}”")
            s_mark = Mark(*c.source_span, conflict=f"{rel.derived} says “{c.derived}”")
            out.append(_Located(rel.derived, rel.source, i, j, d_mark, s_mark))
    return out


def _sentence_at(doc: Document, offset: int) -> int | None:
    starts = [s.start for s in doc.sentences]
    k = bisect_right(starts, offset) - 1
    return k if k >= 0 and offset < doc.sentences[k].end else None


def _row_marks(
    located: Sequence[_Located], held: Mapping[str, tuple[int, ...]]
) -> dict[str, list[Mark]]:
    """Conflicts whose two sides both lie in the row; others belong to another point."""
    marks: dict[str, list[Mark]] = {}
    for c in located:
        if c.d_sentence in held.get(c.derived, ()) and c.s_sentence in held.get(c.source, ()):
            marks.setdefault(c.derived, []).append(c.d_mark)
            marks.setdefault(c.source, []).append(c.s_mark)
    return marks


def _other(rel: Relation, member: str) -> str:
    return rel.source if rel.derived == member else rel.derived


def _links_from(rel: Relation, frm: str) -> _Map:
    """Map each sentence of `frm` to the other side's sentences of every link it is in."""
    out: _Map = {}
    for link in rel.links:
        mine, theirs = (link.a, link.b) if rel.derived == frm else (link.b, link.a)
        for i in mine:
            out.setdefault(i, []).append((tuple(theirs), link))
    return out


def _compose(first: _Map, second: _Map) -> _Map:
    """Chain two sentence maps: reference -> middle member -> this member."""
    out: _Map = {}
    for i, found in first.items():
        for middle, _ in found:
            for j in middle:
                out.setdefault(i, []).extend(second.get(j, []))
    return {i: v for i, v in out.items() if v}


def _segments(doc: Document, indices: Sequence[int], marks: Sequence[Mark]) -> tuple[Segment, ...]:
    """The sentences' segments, conflicts marked, whitespace collapsed, joined by a space."""
    pieces: list[Segment] = []
    for i in indices:
        if not 0 <= i < len(doc.sentences):
            continue
        s = doc.sentences[i]
        inside = [
            Mark(m.start - s.start, m.end - s.start, m.passage, m.conflict)
            for m in marks
            if m.start < s.end and m.end > s.start
        ]
        if pieces:  # sentences need not be adjacent: a space between them, whatever lies between
            pieces.append(Segment(" ", s.start, s.start))
        pieces += [
            replace(p, start=p.start + s.start, end=p.end + s.start)
            for p in segment(doc.text[s.start : s.end], inside)
        ]
    return collapse(pieces)
