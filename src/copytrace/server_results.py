"""What the web app's forms answer, as HTML: the sources of a text, and what an add changed.

The sources are `store_report.source_json` (what `copytrace query --json` says of each) with the
report's pair view of the text and each source; an add is `store_report.add_json` in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import quote

from copytrace.html_report import kind_badge, pair_html, plural
from copytrace.incremental import AddReport
from copytrace.records import Problem
from copytrace.store_query import QueryResult
from copytrace.store_report import source_json
from copytrace.views import PairView

__all__ = ["added_html", "pair_href", "sources_html", "story_href"]

_ROLE = {"query": "your text copies", "source": "is copied by your text", None: "relates to"}


def pair_href(a: str, b: str) -> str:
    """Return the address of the pair page of two stored documents."""
    return f"/pair?a={quote(a, safe='')}&b={quote(b, safe='')}"


def story_href(story_id: str) -> str:
    """Return the address of a story's page."""
    return f"/stories/{quote(story_id, safe='')}"


def sources_html(result: QueryResult, views: Mapping[str, PairView], top: int) -> str:
    """Return the ranked sources of a queried text, each with its side-by-side view."""
    if not result.document.sentences:
        return '<section class="story"><p>No sentence found in this text.</p></section>\n'
    if not result.relations:
        return (
            '<section class="story"><h2>No source found</h2><p>No stored text is a source, a '
            "copy or a report of the same story.</p></section>\n"
        )
    items = []
    for rel in result.relations[:top]:
        s = source_json(result, rel)
        role = "reports the same story as" if rel.kind == "same_story" else _ROLE[s["derived"]]
        story = (
            f' · <a href="{escape(story_href(s["story"]))}">story {escape(s["story"])}</a>'
            if s["story"]
            else ""
        )
        view = views.get(s["id"])
        link = f' · <a href="#{view.anchor}">side by side</a>' if view else ""
        conflicts = f" · {plural(len(rel.conflicts), 'conflict')}" if rel.conflicts else ""
        items.append(
            f"<li>{kind_badge(rel.kind)} <small>score {rel.score:.2f}</small> {escape(role)} "
            f"<code>{escape(s['id'])}</code><br><small>coverage {s['coverage']['query']:.0%} of "
            f"your text, {s['coverage']['source']:.0%} of the source · "
            f"{plural(len(rel.passages), 'passage')}{conflicts}{story}{link}</small></li>"
        )
    pairs = "".join(
        pair_html(view, _story_of(result, other), "the source's story", opened=True)
        for other, view in views.items()
    )
    shown = min(top, len(result.relations))
    return (
        f'<section class="story" id="sources"><h2>{plural(shown, "source")} of your text</h2>'
        f'<p class="meta">best first · {result.ms:.0f} ms</p>'
        f'<ol class="relations">{"".join(items)}</ol></section>\n{pairs}'
    )


def added_html(
    rep: AddReport, problems: Sequence[Problem], stories: Mapping[str, int | None]
) -> str:
    """Return what an add did: counts, the documents added with their stories, and problems."""
    docs = "".join(
        f"<li><code>{escape(doc_id)}</code>{_in_story(stories.get(doc_id))}</li>"
        for doc_id in rep.ids
    )
    trouble = "".join(f"<li>{escape(str(p))}</li>" for p in problems)
    return (
        '<section class="story" id="added"><h2>Added</h2>'
        f"<p>{plural(rep.added, 'document')} added ({rep.skipped:,} already stored) in "
        f"{rep.seconds:.1f} s: {plural(rep.relations, 'new relation')}, "
        f"{plural(rep.stories, 'story')} changed.</p>"
        + (f"<ul>{docs}</ul>" if docs else "")
        + (f"<h3>Not added</h3><ul>{trouble}</ul>" if trouble else "")
        + "</section>\n"
    )


def _story_of(result: QueryResult, other: str) -> str:
    return story_href(result.stories[other]) if other in result.stories else "/"


def _in_story(key: int | None) -> str:
    if key is None:
        return ""
    return f' in <a href="{escape(story_href(f"s{key}"))}">story s{key}</a>'
