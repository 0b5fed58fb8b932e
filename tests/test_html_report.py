"""The self-contained HTML report: structure, escaping, no network, the seeds end to end."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from copytrace import __version__
from copytrace.html_report import render_html, write_html
from copytrace.records import ScanResult, Story
from samples import make_doc, make_relation, sample_result

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
MARK = re.compile(
    r'<mark class="cf"[^>]*title="([^"]*)"><span class="sym" aria-hidden="true">≠</span>([^<]*)<'
)


class Page(HTMLParser):
    """Collect tags, attributes and nesting errors of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()
        self.errors += [f"unclosed <{t}>" for t in self.stack]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))  # <path/> in SVG: opens and closes

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")

    def attrs(self, tag: str, name: str) -> list[str]:
        return [a[name] or "" for t, a in self.tags if t == tag and name in a]


def check_page(html: str) -> Page:
    """Parse a report and check what every report must satisfy."""
    page = Page(html)
    assert page.errors == []
    ids = Counter(a["id"] for _, a in page.tags if a.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []
    # Nothing is fetched: no src, no stylesheet links, no url() or @import in the CSS; every
    # link stays in the file but a document's own address, which only opens when followed.
    assert not [a for _, a in page.tags if "src" in a]
    assert "link" not in {t for t, _ in page.tags}
    assert "url(" not in html.replace("url(#", "") and "@import" not in html
    outside = [h for h in page.attrs("a", "href") if not h.startswith("#")]
    assert all(h.startswith("https://example.org/") for h in outside), outside
    targets = {h[1:] for h in page.attrs("a", "href") if h.startswith("#")}
    assert targets <= set(ids)
    return page


def test_report_parses_with_unique_ids_and_no_network() -> None:
    html = render_html(sample_result())
    assert html.startswith("<!doctype html>")
    check_page(html)


def test_header_counts_legend_and_table_of_contents() -> None:
    html = render_html(sample_result())
    assert f"copytrace {__version__} · 8 documents · 2 stories · 6 relations" in html
    for kind in ("duplicate", "spin", "condensed", "partial reuse", "same story"):
        assert f">{kind}</span>" in html
    assert "1 document with no relation to other texts not listed" in html
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert toc.index("Troops retake Kursk") < toc.index("Prices rose sharply")


def test_story_has_members_graph_relations_and_fact_table() -> None:
    html = render_html(sample_result())
    page = check_page(html)
    for member in ("orig", "spin", "short", "other", "reuse"):
        assert f"<code>{member}</code>" in html
    assert "spin of orig, by publication date" in html
    assert "<svg" in html and ">spin 0.90</text>" in html and ">condensed 0.90</text>" in html
    assert 'marker-end="url(#' in html  # copies with a direction get an arrow
    assert html.count('class="facts"') == 2
    rows = [
        a.get("class") for t, a in page.tags if t == "tr" and (a.get("id") or "").endswith("-r1")
    ]
    assert rows[0] == "conflict"


def test_conflicts_are_marked_with_a_symbol_and_say_who_says_what() -> None:
    marks = {(unescape(t), unescape(x)) for t, x in MARK.findall(render_html(sample_result()))}
    assert ("derived says “12,000”, source says “More than 10,000”", "12,000") in marks
    assert ("derived says “12,000”, source says “More than 10,000”", "More than 10,000") in marks
    assert ("other says “12,000”", "More than 10,000") in marks  # in the fact table


def test_pair_views_number_passages_alike_on_both_sides() -> None:
    html = render_html(sample_result())
    check_page(html)
    pairs = re.findall(r'<section class="pair" id="([^"]+)"', html)
    assert len(pairs) == 6  # 4 copies, 1 same story with a conflict, 1 duplicate
    section = html[html.index('id="pair-spin-orig') :]
    section = section[: section.index("</section>")]
    derived, source = section.split('data-side="s"')
    numbers_d = re.findall(r'data-p="(\d+)" tabindex="0"><sup class="pn">\[\1\]', derived)
    numbers_s = re.findall(r'data-p="(\d+)" tabindex="0"><sup class="pn">\[\1\]', source)
    assert numbers_d == numbers_s == ["1", "2", "3", "4"]
    assert 'class="p c0"' in derived and 'class="p c0"' in source  # same colour, same number
    assert "coverage" in section.lower() and "wording 0.50 · meaning 0.90" in section
    assert html.count("<script>") == 1 and html.count("<style>") == 1  # all inline


def test_unaligned_text_is_dimmed() -> None:
    html = render_html(sample_result())
    section = html[html.index('id="pair-short-orig') :]
    assert '<sup class="pn">[2]</sup>Talks may resume soon.</span>' in section  # aligned
    assert "More than 10,000 soldiers were sent last year." in section
    assert '<span class="u"> More than 10,000 soldiers were sent last year. </span>' in section


def test_text_and_ids_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    a = make_doc('a"<id>', "Plain start.", hostile, title="<i>Title</i> & co")
    b = make_doc(
        "b", "Plain start.", "Something else entirely.", url="https://example.org/b?x=1&y=2"
    )
    rel = make_relation(a, b, "near_duplicate", [((0,), (0,))])
    html = render_html(ScanResult((a, b), (rel,), (Story("s1", (a.id, "b"), "b", "dated"),)))
    check_page(html)
    assert "<script>alert" not in html and "<b>bold" not in html and "<i>Title" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;i&gt;Title&lt;/i&gt; &amp; co" in html
    assert 'href="https://example.org/b?x=1&amp;y=2"' in html


def test_empty_scan_renders() -> None:
    html = render_html(ScanResult((), (), ()))
    check_page(html)
    assert "No story has more than one text." in html


def test_write_html(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_html(sample_result(), out)
    assert out.read_text(encoding="utf-8") == render_html(sample_result())


def test_report_of_the_seeds(seed_scan: ScanResult) -> None:
    html = render_html(seed_scan)
    check_page(html)
    seeds = ("000_500a8c1d4f6eb8df", "001_f57957876d2b9527", "002_f1e0e05efdc12240")
    seeds += ("003_5f2bf27763bf766a", "004_f754e1f7e53ae2b4")
    members = html[html.index('<table class="members">') : html.index("</table>")]
    assert all(f"<code>{s}</code>" in members for s in seeds)
    assert ">spin</span>" in members and ">condensed</span>" in members
    assert "spin of 001_f57957876d2b9527" in members
    marks = [(unescape(t), unescape(x)) for t, x in MARK.findall(html)]
    assert any(x == "12,000" and "more than 10,000" in t for t, x in marks)
    assert any(x == "more than 10,000" and "12,000" in t for t, x in marks)
    assert not re.search(r"(src|href)=\"https?:", html)
