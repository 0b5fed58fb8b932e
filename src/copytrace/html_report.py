"""The self-contained HTML report: one file to open from disk or send by mail.

Stories come first (members, derivation graph, relations, fact table), then one pair view per
relation worth opening, each shown when its link is followed (CSS `:target`, so it works from
`file://` without a server or a script). CSS and JS are inlined from `copytrace/assets/`; nothing
is fetched from the network. Every piece of text from the corpus goes through `html.escape`.

Example:
    >>> from copytrace.pipeline import scan  # doctest: +SKIP
    >>> write_html(scan(["examples/seeds"]), "report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path

from copytrace.html_graph import graph_svg, short
from copytrace.records import ScanResult
from copytrace.views import (
    BASIS_WORDS,
    KIND_NOTES,
    EdgeView,
    FactCell,
    FactTable,
    KindCount,
    MemberView,
    PairSide,
    PairView,
    ReportView,
    Segment,
    StoryView,
    pair_views,
    report_view,
)

__all__ = [
    "asset",
    "kind_badge",
    "kind_counts",
    "legend_html",
    "pair_html",
    "plural",
    "render_html",
    "story_html",
    "write_html",
]

COLOURS = 8  # passage colours in the CSS (c0 .. c7); numbers tell passages apart beyond that

PairHref = Callable[[EdgeView], str]  # where an edge's "compare side by side" link points


def _in_page(edge: EdgeView) -> str:
    """The report's pair views are sections of the same file."""
    return f"#{edge.pair}"


def write_html(result: ScanResult, path: str | os.PathLike[str]) -> None:
    """Write the report of a scan to `path` as one self-contained HTML file."""
    Path(path).write_text(render_html(result), encoding="utf-8")


def render_html(result: ScanResult) -> str:
    """Return the report of a scan as one self-contained HTML document."""
    report = report_view(result)
    pairs = [(story, pair_views(result, story)) for story in report.stories]
    stories = "".join(story_html(s) for s in report.stories)
    pairs_html = "".join(pair_html(p, f"#{story.anchor}") for story, views in pairs for p in views)
    title = (
        f"copytrace report: {plural(len(report.stories), 'story')}, "
        f"{plural(report.documents, 'document')}"
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="copytrace {escape(report.version)}">\n'
        f"<title>{escape(title)}</title>\n<style>\n{asset('report.css')}</style>\n</head>\n"
        '<body>\n<a class="skip" href="#main">Skip to the stories</a>\n'
        f"{_header(report)}{_toc(report)}"
        f'<main id="main">\n{stories}{pairs_html}</main>\n'
        f"<footer><p>Made by copytrace {escape(report.version)}. This file is self-contained: "
        "it loads nothing from the network and can be mailed as it is.</p></footer>\n"
        f"<script>\n{asset('report.js')}</script>\n</body>\n</html>\n"
    )


@cache
def asset(name: str) -> str:
    """Return the text of a file of `copytrace/assets/` (the report's CSS and JS)."""
    return files("copytrace").joinpath("assets", name).read_text(encoding="utf-8")


# --- head ---------------------------------------------------------------------------------------


def plural(count: int, noun: str) -> str:
    """Return "1 story", "3 stories", "2 texts"."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"


def kind_badge(kind: str, label: str | None = None) -> str:
    """Return a relation kind as a labelled badge."""
    text = label if label is not None else kind.replace("_", " ")
    return f'<span class="k k-{escape(kind)}">{escape(text)}</span>'


def kind_counts(kinds: Iterable[KindCount]) -> str:
    """Return "spin 2, same story 5" with badges, or "none"."""
    return ", ".join(f"{kind_badge(k.kind)} {k.count}" for k in kinds) or "none"


def _header(report: ReportView) -> str:
    problems = (
        f"<p><strong>{len(report.problems)} inputs could not be read</strong> "
        f"(first: {escape(report.problems[0])}).</p>"
        if report.problems
        else ""
    )
    return (
        "<header>\n<h1>Where these texts came from</h1>\n"
        f'<p class="meta">copytrace {escape(report.version)} · '
        f"{plural(report.documents, 'document')}"
        f" · {plural(len(report.stories), 'story')} · {plural(report.relations, 'relation')}: "
        f"{kind_counts(report.kinds)}</p>\n{problems}{legend_html()}</header>\n"
    )


def legend_html() -> str:
    """Return the "How to read this report" legend: kinds, graph, colours, keys."""
    legend = "".join(
        f"<dt>{kind_badge(kind)}</dt><dd>{escape(note)}</dd>" for kind, note in KIND_NOTES.items()
    )
    return (
        '<details class="legend"><summary>How to read this report</summary>\n'
        f"<dl>{legend}</dl>\n<ul>"
        "<li>A copy points to its source: solid arrows in the graph; dashed lines are "
        "independent reports of the same story, or copies whose direction is unknown.</li>"
        "<li>In a side-by-side view, aligned passages share a colour and a number "
        '(<span class="pn">[3]</span>); text that is not aligned is dimmed; '
        '<mark class="cf"><span class="sym">≠</span>conflicts</mark> are facts the two versions '
        "state differently (hover or focus one to see both).</li>"
        "<li>Keys in a side-by-side view: <kbd>Tab</kbd> or <kbd>n</kbd>/<kbd>p</kbd> move to the "
        "next/previous passage, <kbd>Enter</kbd> jumps to its counterpart.</li></ul>"
        "</details>\n"
    )


def _toc(report: ReportView) -> str:
    items = "".join(
        f'<li><a href="#{s.anchor}">{escape(s.title)}</a> '
        f"<small>{plural(len(s.members), 'text')} · {plural(s.copies, 'copy')} · "
        f"{plural(s.conflicts, 'conflict')}</small></li>"
        for s in report.stories
    )
    rest = (
        f"<p><small>{plural(report.singletons, 'document')} with no relation to other texts "
        "not listed.</small></p>"
        if report.singletons
        else ""
    )
    body = f"<ol>{items}</ol>" if items else "<p>No story has more than one text.</p>"
    return f'<nav class="toc" aria-label="Stories">\n<h2>Stories</h2>\n{body}{rest}</nav>\n'


# --- stories ------------------------------------------------------------------------------------


def story_html(story: StoryView, pair_href: PairHref = _in_page) -> str:
    """Return a story's section: members, derivation graph, relations and fact table.

    `pair_href` says where an edge's pair view is: a section of the same page (the report) or a
    page of its own (the web app).
    """
    if story.original:
        head = f"Original: <code>{escape(story.original)}</code>, {escape(story.original_basis)}"
    else:
        head = (
            f"No original settled ({escape(story.original_basis)}); the table below is read "
            f"against <code>{escape(story.reference)}</code>."
        )
    return (
        f'<section class="story" id="{story.anchor}" aria-labelledby="{story.anchor}-h">\n'
        f'<h2 id="{story.anchor}-h">{escape(story.title)}</h2>\n'
        f'<p class="meta">Story {escape(story.id)} · {plural(len(story.members), "text")} · '
        f"{kind_counts(story.kinds)}</p>\n<p>{head}</p>\n"
        f"<h3>Texts</h3>\n{_members(story.members)}"
        f'<h3>Who copied whom</h3>\n<figure><div class="scroll">{graph_svg(story, pair_href)}</div>'
        "<figcaption>Arrows point from a copy to its source, labelled with the kind and score; "
        "select an edge to compare the two texts.</figcaption></figure>\n"
        f"<h3>Relations</h3>\n{_relations(story, pair_href)}"
        f"<h3>Fact table</h3>\n{_facts(story, story.facts)}</section>\n"
    )


def _members(members: Sequence[MemberView]) -> str:
    rows = []
    for m in members:
        where = escape(m.path or "")
        if m.url and m.url.lower().startswith(("http://", "https://")):  # no javascript: links
            where = f'<a href="{escape(m.url)}" rel="noreferrer noopener">{escape(m.url)}</a>'
        title = f"<em>{escape(m.title)}</em>" if m.title_from_text else escape(m.title)
        score = f"{m.score:.2f}" if m.score is not None else ""
        summary = f" <small>{escape(m.summary)}</small>" if m.summary != m.relation else ""
        rows.append(
            f'<tr id="{m.anchor}"><td><code>{escape(m.id)}</code></td>'
            f"<td>{title}<br><small>{where}</small></td>"
            f"<td>{escape(m.published or '')}</td><td>{escape(m.outlet or '')}</td>"
            f"<td>{kind_badge(m.relation)}{summary}</td><td>{score}</td></tr>"
        )
    return (
        '<div class="scroll"><table class="members"><thead><tr><th>Text</th><th>Title '
        "<small>(<em>italic</em>: first words, no title found)</small></th><th>Published</th>"
        "<th>Outlet</th><th>Relation to the original</th><th>Score</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>\n"
    )


def _relations(story: StoryView, pair_href: PairHref) -> str:
    items = []
    for e in story.edges:
        arrow = "→" if e.is_copy and e.direction != "unknown" else "↔"
        how = ""
        if e.is_copy:
            how = (
                ", direction unknown"
                if e.direction == "unknown"
                else (f", direction by {BASIS_WORDS.get(e.direction, e.direction)}")
            )
        conflicts = f", {plural(e.conflicts, 'conflict')}" if e.conflicts else ""
        link = f' <a href="{escape(pair_href(e))}">compare side by side</a>' if e.pair else ""
        items.append(
            f"<li>{kind_badge(e.kind)} <code>{escape(e.derived)}</code> {arrow} "
            f"<code>{escape(e.source)}</code> <small>score {e.score:.2f}{escape(how)}"
            f"{conflicts}</small>{link}</li>"
        )
    return f'<ul class="relations">{"".join(items)}</ul>\n'


def _facts(story: StoryView, table: FactTable) -> str:
    if not table.rows:
        return "<p>No aligned points.</p>\n"
    labels = {m.id: m for m in story.members}
    head = "".join(
        f'<th scope="col"><code title="{escape(c)}">{escape(short(c, 18))}</code><br>'
        f"{kind_badge(labels[c].relation)}</th>"
        for c in table.columns
    )
    table_id = f"{story.anchor}-facts"
    rows = []
    for row in table.rows:
        mark = '<span aria-hidden="true">≠ </span>' if row.has_conflict else ""
        cells = "".join(_fact_cell(c, k == 0) for k, c in enumerate(row.cells))
        rows.append(
            f'<tr id="{table_id}-r{row.sentence}" class="{"conflict" if row.has_conflict else ""}">'
            '<th scope="row">'
            f"{mark}{row.sentence + 1}</th>{cells}</tr>"
        )
    return (
        f"<p><small>One row per sentence of <code>{escape(table.reference)}</code> that other "
        f"texts align with; {plural(table.conflicts, 'row')} where versions disagree.</small></p>"
        f'<label class="filter js-only"><input type="checkbox" data-only-conflicts="{table_id}"> '
        "show only rows where versions disagree</label>"
        f'<div class="scroll"><table class="facts" id="{table_id}"><thead><tr>'
        f'<th scope="col">#</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>\n'
    )


def _fact_cell(cell: FactCell | None, reference: bool) -> str:
    if cell is None:
        return '<td class="none"><span aria-hidden="true">—</span><span class="sr">no</span></td>'
    tip = ""
    if cell.similarity is not None and cell.lexical is not None:
        tip = f' title="similarity {cell.similarity:.2f}, same wording {cell.lexical:.2f}"'
    via = f'<span class="via">aligned through {escape(cell.via)}</span>' if cell.via else ""
    text = "".join(_conflict(s) if s.conflicts else escape(s.text) for s in cell.segments)
    return f'<td class="{"ref" if reference else ""}"{tip}>{text}{via}</td>'


def _conflict(seg: Segment, mark_id: str = "") -> str:
    note = "; ".join(seg.conflicts)
    ident = f' id="{mark_id}"' if mark_id else ""
    return (
        f'<mark class="cf"{ident} title="{escape(note)}"><span class="sym" aria-hidden="true">≠'
        f'</span>{escape(seg.text)}<span class="sr"> (conflict: {escape(note)})</span></mark>'
    )


# --- pair views ---------------------------------------------------------------------------------


def pair_html(
    view: PairView, back: str, back_label: str = "back to the story", opened: bool = False
) -> str:
    """Return the side-by-side view of a pair: evidence, conflicts and the two texts.

    `back` is the link to the story; an `opened` view shows without being the page's target.
    """
    ev = view.evidence
    directed = ev.kind != "same_story" and ev.direction != "unknown"
    roles = ("Derived", "Source") if directed else ("Derived", "Source (direction unknown)")
    conflicts = "".join(
        f'<li><a href="#{view.anchor}-c{k}">{escape(c.derived)} ≠ {escape(c.source)}</a> '
        f"<small>({escape(c.kind)})</small></li>"
        for k, c in enumerate(ev.conflicts)
    )
    notes = {c.note: k for k, c in enumerate(ev.conflicts)}
    quotes = ", ".join(f"“{escape(q)}”" for q in ev.shared_quotes) or "none"
    facts = [
        ("Kind", f"{kind_badge(ev.kind)} score {ev.score:.2f}"),
        ("Direction", escape(BASIS_WORDS.get(ev.direction, ev.direction))),
        ("Coverage", f"derived {ev.coverage_derived:.0%} · source {ev.coverage_source:.0%}"),
        ("Similarity", f"wording {ev.lexical:.2f} · meaning {ev.semantic:.2f}"),
        (
            "Aligned sentences",
            f"{ev.aligned} in {plural(ev.runs, 'run')} · order kept {ev.order:.0%}",
        ),
        ("Not aligned", f"derived {view.derived.unaligned} · source {view.source.unaligned}"),
        ("Facts agreeing", f"{ev.facts:.0%}"),
        ("Shared quotes", quotes),
    ]
    # Quotes can be long: they get a row of their own.
    dl = "".join(
        f"<div{' class=wide' if k == 'Shared quotes' else ''}><dt>{k}</dt><dd>{v}</dd></div>"
        for k, v in facts
    )
    reasons = "".join(
        f"<p><strong>{label}:</strong> {escape(text)}</p>"
        for label, text in (("Kind", ev.kind_reason), ("Direction", ev.direction_reason))
        if text
    )
    return (
        f'<section class="pair{" open" if opened else ""}" id="{view.anchor}" '
        f'aria-labelledby="{view.anchor}-h">\n'
        f'<p class="back"><a href="{escape(back)}">← {escape(back_label)}</a></p>\n'
        f'<h2 id="{view.anchor}-h"><code>{escape(view.derived.id)}</code> and '
        f"<code>{escape(view.source.id)}</code>: {kind_badge(ev.kind)}</h2>\n"
        f'<dl class="evidence">{dl}</dl>\n'
        + (
            f'<details class="reason"><summary>Why</summary>{reasons}</details>\n'
            if reasons
            else ""
        )
        + (f"<p>Conflicts:</p><ul>{conflicts}</ul>\n" if conflicts else "")
        + '<p class="keys">Hover, focus or click a passage to find its counterpart; '
        "<kbd>n</kbd>/<kbd>p</kbd> next/previous, <kbd>Enter</kbd> jump across.</p>\n"
        f'<div class="cols">{_side(view, view.derived, "d", roles[0], notes)}'
        f"{_side(view, view.source, 's', roles[1], notes)}</div>\n</section>\n"
    )


def _side(view: PairView, side: PairSide, key: str, role: str, notes: dict[str, int]) -> str:
    meta = " · ".join(x for x in (side.published, side.outlet) if x)
    return (
        f'<article class="side" data-side="{key}" aria-label="{escape(role)} text">'
        f"<h3>{escape(role)}: <code>{escape(side.id)}</code><br><small>{escape(side.title)}"
        f"{' · ' + escape(meta) if meta else ''}</small></h3>"
        f'<div class="text">{_segments(view.anchor, side.segments, key, notes)}</div></article>'
    )


def _segments(prefix: str, segments: Sequence[Segment], key: str, notes: dict[str, int]) -> str:
    """Render one text: runs of segments of one passage share a focusable, numbered span."""
    out: list[str] = []
    seen: set[str] = set()
    k = 0
    while k < len(segments):
        number = segments[k].passage
        run = [segments[k]]
        while k + len(run) < len(segments) and segments[k + len(run)].passage == number:
            run.append(segments[k + len(run)])
        k += len(run)
        inner = []
        for seg in run:
            if seg.conflicts:
                # The derived side carries the anchor the evidence list links to.
                index = notes.get(seg.conflicts[0])
                mark_id = f"{prefix}-c{index}" if key == "d" and index is not None else ""
                inner.append(_conflict(seg, "" if mark_id in seen else mark_id))
                seen.add(mark_id)
            else:
                inner.append(escape(seg.text))
        body = "".join(inner)
        if number is None:
            out.append(f'<span class="u">{body}</span>')
            continue
        label = ",".join(str(n) for n in run[0].passages)
        out.append(
            f'<span class="p c{(number - 1) % COLOURS}" data-p="{number}" tabindex="0">'
            f'<sup class="pn">[{label}]</sup>{body}</span>'
        )
    return "".join(out)
