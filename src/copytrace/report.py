"""Output: the JSON documents of `scan --json` and `compare --json`, and the terminal reports.

Everything here is a pure function from records to a string or a JSON-ready dict; the CLI only
prints what these return. Terminal reports take the width to wrap to and whether to colour.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

from copytrace import __version__
from copytrace.compare import Changes, changes
from copytrace.records import (
    KINDS,
    Conflict,
    Document,
    Link,
    Passage,
    Problem,
    Relation,
    ScanResult,
    Story,
)
from copytrace.sentences import prepare
from copytrace.terminal import Paint, collapse, fit, pct, plural, wrapped

WIDTH = 100  # the terminal width assumed when none is given

_DIRECTION = {
    "published": "publication date",
    "containment": "containment",
    "quote_fidelity": "quote fidelity",
    "unknown": "unknown",
}
_KIND_COLOUR = {
    "duplicate": "red",
    "near_duplicate": "red",
    "spin": "magenta",
    "condensed": "yellow",
    "partial_reuse": "yellow",
    "same_story": "cyan",
}
_GUTTER = 6  # "0.93  " before each row of the side-by-side view


# ---- JSON -------------------------------------------------------------------------------------


def relation_json(rel: Relation) -> dict[str, Any]:
    """Return a relation as the JSON object of the output format."""
    return {
        "derived": rel.derived,
        "source": rel.source,
        "kind": rel.kind,
        "score": rel.score,
        "direction": rel.direction,
        "coverage": {"derived": rel.coverage_derived, "source": rel.coverage_source},
        "passages": [
            {"derived": list(p.a), "source": list(p.b), "similarity": p.similarity}
            for p in rel.passages
        ],
        "conflicts": [_conflict_json(c) for c in rel.conflicts],
    }


def to_json(result: ScanResult) -> dict[str, Any]:
    """Return the whole result in the documented JSON format."""
    return {
        "copytrace": __version__,
        "documents": [
            {"id": d.id, "path": d.path, "title": d.title, "published": d.published,
             "chars": d.chars, "sentences": len(d.sentences)}
            for d in result.documents
        ],
        "relations": [relation_json(r) for r in result.relations],
        "stories": [
            {"id": s.id, "members": list(s.members), "original": s.original,
             "original_basis": s.original_basis}
            for s in result.stories
        ],
    }  # fmt: skip


def compare_json(a: Document, b: Document, rel: Relation | None) -> dict[str, Any]:
    """Return the result of `copytrace compare --json`: the two documents, relation and changes.

    `relation` and `changes` are null when the texts are unrelated. In `changes`, `adds` are the
    derived text's sentences that align with nothing in the source and `drops` the source's
    sentences left out, each with its character span in its own text.
    """
    out: dict[str, Any] = {
        "copytrace": __version__,
        "documents": [{"id": d.id, "path": d.path, "title": d.title} for d in (a, b)],
        "relation": None if rel is None else relation_json(rel),
        "changes": None,
    }
    if rel is not None:
        derived, source, found = comparison(a, b, rel)
        out["changes"] = {
            "derived": derived.id,
            "source": source.id,
            "adds": [_sentence_json(derived, i) for i in found.adds],
            "drops": [_sentence_json(source, i) for i in found.drops],
            "conflicts": [_conflict_json(c) for c in found.conflicts],
        }
    return out


def _conflict_json(c: Conflict) -> dict[str, Any]:
    return {
        "derived": c.derived,
        "source": c.source,
        "derived_span": list(c.derived_span),
        "source_span": list(c.source_span),
        "kind": c.kind,
    }


def _sentence_json(doc: Document, index: int) -> dict[str, Any]:
    s = doc.sentences[index]
    return {
        "sentence": index,
        "span": [s.start, s.end],
        "text": collapse(doc.text[s.start : s.end]),
    }


# ---- what a comparison changes ----------------------------------------------------------------


def comparison(a: Document, b: Document, rel: Relation) -> tuple[Document, Document, Changes]:
    """Return the derived and source documents of `rel`, split into sentences, and the changes.

    `a` and `b` are the documents given to `compare_documents` (ids must differ). The conflicts are
    the relation's own, found on the pipeline's fact links, so the report agrees with the scan.
    """
    docs = {d.id: d if d.sentences else prepare(d) for d in (a, b)}
    derived, source = docs[rel.derived], docs[rel.source]
    found = changes(derived, source, rel.links)
    return derived, source, dataclasses.replace(found, conflicts=rel.conflicts)


# ---- problems ---------------------------------------------------------------------------------


def problems_summary(problems: Sequence[Problem]) -> str:
    """Return the closing line after input problems were reported, or "" when there were none.

    A renamed duplicate id is reported as a problem but its document is kept, so it is not counted
    as skipped.
    """
    skipped = _skipped(problems)
    renamed = len(problems) - skipped
    parts = []
    if skipped:
        parts.append(f"skipped {plural(skipped, 'input')}")
    if renamed:
        parts.append(f"renamed {plural(renamed, 'duplicate id')}")
    return f"{', '.join(parts)}; see messages above" if parts else ""


def _skipped(problems: Sequence[Problem]) -> int:
    return sum(not p.message.startswith("duplicate id") for p in problems)


# ---- terminal: scan ---------------------------------------------------------------------------


def render_scan(
    result: ScanResult, width: int = WIDTH, color: bool = False, source: str | None = None
) -> str:
    """Return the terminal report of a scan: a summary, then every story of several documents.

    Stories come largest first, each with its members, its original and why, and its relations;
    documents that stand alone are only counted. `source` names where stored stories came from
    (a store view), in place of the count of documents read and problems skipped.
    """
    paint = Paint(color)
    docs = {d.id: d for d in result.documents}
    stories = sorted(
        (s for s in result.stories if len(s.members) > 1), key=lambda s: (-len(s.members), s.id)
    )
    lines = _scan_header(result, len(stories), paint, source)
    shown: set[str] = set()
    for story in stories:
        members = set(story.members)
        rels = [r for r in result.relations if r.derived in members]
        lines += ["", *_story_lines(story, rels, docs, width, paint)]
        shown |= members
    alone = len(docs.keys() - shown)
    if stories and alone:
        lines += ["", paint(f"{plural(alone, 'other document')}: no copy or report of the "
                            "same story found", dim=True)]  # fmt: skip
    elif not stories:
        lines += ["", "No copies or reports of the same story found."]
    return "\n".join(lines)


def _scan_header(
    result: ScanResult, stories: int, paint: Paint, source: str | None = None
) -> list[str]:
    skipped = _skipped(result.problems)
    kinds = Counter(r.kind for r in result.relations)
    by_kind = ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k])
    relations = plural(len(result.relations), "relation") + (f": {by_kind}" if by_kind else "")
    read = (
        f" · {plural(len(result.documents), 'document')} read"
        f" · {plural(skipped, 'problem')} skipped"
    )
    return [
        paint(f"copytrace {__version__}", bold=True) + (f" · {source}" if source else read),
        f"{plural(stories, 'story', 'stories')} with more than one document · {relations}",
    ]


def _story_lines(
    story: Story, rels: Sequence[Relation], docs: dict[str, Document], width: int, paint: Paint
) -> list[str]:
    original = story.original
    lines = [
        paint(f"Story {story.id}", bold=True)
        + f" · {len(story.members)} documents · original: "
        + (paint(original, bold=True) if original else "unknown"),
        *wrapped(f"why: {story.original_basis}", width, "  ", max_lines=2, paint=paint),
        paint("  members", underline=True),
    ]
    members = sorted(story.members, key=lambda m: (m != original, m))
    id_width = min(max(len(m) for m in members), 40)
    for m in members:
        doc = docs.get(m)
        mark = "*" if m == original else " "
        date = (doc.published if doc else None) or "—"
        head = f"  {mark} {m:<{id_width}}  {date:<10}  "
        label = _label(doc) if doc else ""
        room = max(width - len(head), 20)
        lines.append(head + textwrap.shorten(label, room, placeholder=" …"))
    lines.append(paint("  relations (derived → source)", underline=True))
    order = {k: i for i, k in enumerate(KINDS)}
    for rel in sorted(rels, key=lambda r: (order.get(r.kind, 99), -r.score, r.derived, r.source)):
        lines += _relation_lines(rel, width, paint)
    return lines


def _relation_lines(rel: Relation, width: int, paint: Paint) -> list[str]:
    known = rel.direction != "unknown"
    kind = paint(f"{rel.kind:<14}", fg=_KIND_COLOUR.get(rel.kind), bold=rel.is_copy)
    indent = " " * 25  # under the ids
    derived, source = pct(rel.coverage_derived), pct(rel.coverage_source)
    coverage = f"{derived} of derived, {source} of source" if known else f"{derived} / {source}"
    passages = plural(len(rel.passages), "passage")
    lines = [
        f"    {kind} {rel.score:4.2f}  {rel.derived} {'→' if known else '↔'} {rel.source}",
        paint(f"{indent}coverage {coverage} · {passages}", dim=True),
    ]
    reason = rel.evidence.direction_reason
    if rel.is_copy:  # the direction of two independent reports means nothing
        text = f"direction: {_DIRECTION.get(rel.direction, rel.direction)}"
        lines += wrapped(f"{text} — {reason}" if reason else text, width, indent, 2, paint)
    lines += [f"{indent}{_conflict_line(c, paint)}" for c in rel.conflicts]
    return lines


def _label(doc: Document) -> str:
    if doc.title:
        return collapse(doc.title)
    return "“" + collapse(doc.text[doc.body_start : doc.body_start + 300]) + "”"


def _conflict_line(c: Conflict, paint: Paint) -> str:
    values = f"“{collapse(c.derived)}” vs “{collapse(c.source)}”"
    return paint("conflict", fg="red") + f" ({c.kind}): {values}"


# ---- terminal: compare ------------------------------------------------------------------------


def render_compare(
    a: Document,
    b: Document,
    rel: Relation | None,
    width: int = WIDTH,
    color: bool = False,
) -> str:
    """Return the terminal report of `copytrace compare`.

    Shows the kind, score, direction and why, coverage both ways, the aligned sentences side by
    side (derived left, source right) grouped into passages, then what the derived text adds and
    drops and the conflicts. `a` and `b` are the documents given to `compare_documents`; with
    `rel` None they are unrelated.
    """
    paint = Paint(color)
    if rel is None:
        return "\n".join([
            paint("unrelated", bold=True) + f" · {a.id} · {b.id}",
            *wrapped("No sentences align closely enough for a copy, and the texts do not share "
                      "the people, places and quotes of one story.", width, ""),
        ])  # fmt: skip
    derived, source, found = comparison(a, b, rel)
    known = rel.direction != "unknown"
    groups = _by_passage(rel, derived, source)
    shown = sum(passage is not None for passage, _ in groups)
    lines = [*_compare_header(rel, shown, width, paint), ""]
    lines += _side_by_side(rel, groups, derived, source, width, paint)
    added = "added in the derived text" if known else f"only in {derived.id}"
    dropped = "dropped from the source" if known else f"only in {source.id}"
    for title, doc, indices, mark in (
        (added, derived, found.adds, "+"),
        (dropped, source, found.drops, "−"),
    ):
        lines += ["", paint(f"{plural(len(indices), 'sentence')} {title}", bold=True)]
        for i in indices:
            s = doc.sentences[i]
            lines += wrapped(doc.text[s.start : s.end], width, f"  {mark} ", indent="    ")
    lines += ["", paint(plural(len(found.conflicts), "conflict"), bold=True)]
    lines += [f"  {_conflict_line(c, paint)}" for c in found.conflicts]
    return "\n".join(lines)


def _compare_header(rel: Relation, passages: int, width: int, paint: Paint) -> list[str]:
    """Return the lines above the side-by-side view (`passages`: how many it shows)."""
    ev = rel.evidence
    if rel.direction == "unknown":
        pair = f"{rel.derived} ↔ {rel.source}"
        direction = "direction unknown"
    else:
        pair = f"derived {rel.derived} → source {rel.source}"
        direction = f"direction by {_DIRECTION.get(rel.direction, rel.direction)}"
    reason = f"{direction}: {ev.direction_reason}" if ev.direction_reason else direction
    lines = [
        paint(rel.kind, fg=_KIND_COLOUR.get(rel.kind), bold=True) + f" · score {rel.score:.2f}",
        pair,
        *wrapped(reason, width, "", max_lines=3, paint=paint),
    ]
    if ev.kind_reason:
        lines += wrapped(f"why {rel.kind}: {ev.kind_reason}", width, "", max_lines=3)
    lines.append(
        f"coverage: {pct(rel.coverage_derived)} of {rel.derived}, {pct(rel.coverage_source)} "
        f"of {rel.source} · {plural(passages, 'passage')}, "
        f"{plural(len(rel.links), 'aligned pair')}"
    )
    return lines


def _side_by_side(
    rel: Relation,
    groups: list[tuple[Passage | None, list[Link]]],
    derived: Document,
    source: Document,
    width: int,
    paint: Paint,
) -> list[str]:
    """Return the aligned sentences side by side, under their passages (`_by_passage`)."""
    col = max((width - _GUTTER - 3) // 2, 20)
    left, right = derived.id, source.id
    if rel.direction != "unknown":
        left, right = f"derived: {left}", f"source: {right}"
    lines = [
        paint(f"{'':{_GUTTER}}{fit(left, col):<{col}} │ {fit(right, col)}", bold=True),
        "─" * (_GUTTER + col) + "─┼─" + "─" * col,
    ]
    for k, (passage, links) in enumerate(groups, 1):
        if passage is None:
            title = "other aligned sentences"
        elif not links:  # a run of words found without sentences (`verbatim`)
            title = f"passage {k} · the same words in the same order"
        else:
            pairs = plural(passage.sentences, "aligned pair")
            title = f"passage {k} · {pairs} · similarity {passage.similarity:.2f}"
        lines.append(paint(title, dim=True, underline=True))
        if passage is not None and not links:
            left = " ".join(derived.text[slice(*passage.a)].split())
            right = " ".join(source.text[slice(*passage.b)].split())
            lines += _two_columns(left, right, passage.similarity, col, paint)
        for link in links:
            left, right = _sentences(derived, link.a), _sentences(source, link.b)
            lines += _two_columns(left, right, link.similarity, col, paint)
    return lines


def _two_columns(left: str, right: str, similarity: float, col: int, paint: Paint) -> list[str]:
    """Return two texts wrapped side by side, the similarity in the gutter of the first row."""
    left_rows = textwrap.wrap(left, col) or [""]
    right_rows = textwrap.wrap(right, col) or [""]
    lines = []
    for row, (x, y) in enumerate(zip_longest(left_rows, right_rows, fillvalue="")):
        sim = f"{similarity:<{_GUTTER}.2f}" if row == 0 else " " * _GUTTER
        lines.append(f"{paint(sim, dim=True)}{x:<{col}} │ {y}".rstrip())
    return lines


def _by_passage(
    rel: Relation, derived: Document, source: Document
) -> list[tuple[Passage | None, list[Link]]]:
    """Group the links under the passage that holds them (links outside any go last)."""
    groups: list[tuple[Passage | None, list[Link]]] = [
        (p, []) for p in sorted(rel.passages, key=lambda p: p.a)
    ]
    rest: list[Link] = []
    held: set[int] = set()  # passages holding a link (a link far apart on a side holds several)
    for link in sorted(rel.links, key=lambda x: (min(x.a), min(x.b))):
        starts = [
            (derived.sentences[i].start, source.sentences[j].start) for i in link.a for j in link.b
        ]
        homes = [
            k
            for k, (p, _) in enumerate(groups)
            if p and any(p.a[0] <= a < p.a[1] and p.b[0] <= b < p.b[1] for a, b in starts)
        ]
        held.update(homes)
        (groups[homes[0]][1] if homes else rest).append(link)
    # a passage that holds no link is a run of words found without sentences: shown as text
    groups = [
        (p, g)
        for k, (p, g) in enumerate(groups)
        if g or (k not in held and p is not None and p.similarity >= 1.0)
    ]
    return [*groups, (None, rest)] if rest else groups


def _sentences(doc: Document, indices: Iterable[int]) -> str:
    return " ".join(
        collapse(doc.text[doc.sentences[i].start : doc.sentences[i].end]) for i in sorted(indices)
    )
