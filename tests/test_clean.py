"""Tests for `copytrace.clean`: normalisation and boilerplate lines."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copytrace.clean import (
    boilerplate_spans,
    is_boilerplate_line,
    iter_lines,
    normalize,
    repeated_from_counts,
    repeated_lines,
)
from copytrace.config import CleanConfig, ReadConfig
from copytrace.ingest import read_file
from copytrace.records import Document


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("“Curly” and „low” quotes", '"curly" and "low" quotes'),
        ("It’s the council‘s plan", "it's the council's plan"),
        ("«Guillemets» stay quotes", '"guillemets" stay quotes'),
        ("2020–2024 — a long dash − minus", "2020-2024 - a long dash - minus"),
        ("ten\u00a0thousand\u202fships", "ten thousand ships"),
        ("wait…", "wait..."),
        ("LOUD Headline", "loud headline"),
        ("Straße", "strasse"),
        ("  many \t spaces\n\nand lines  ", "many spaces and lines"),
        ("ﬁnal", "final"),  # NFKC unfolds the ligature
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_makes_variants_of_one_sentence_equal() -> None:
    a = "The mayor said: “We will rebuild the bridge” — on Tuesday."
    b = 'the MAYOR  said: "We will rebuild the bridge" - on Tuesday.'
    assert normalize(a) == normalize(b)


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_takes_a_shortcut_to_the_same_result(text: str) -> None:
    full = unicodedata.normalize("NFKC", text.replace("`", "'")).casefold()
    assert normalize(text) == " ".join(full.split())


@given(st.text())
def test_normalize_never_leaves_outer_or_double_whitespace(text: str) -> None:
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out
    assert "\n" not in out


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "  Advertisement  ",
        "Tags: a, b",
        "  • Tags:",
        "Login/Register",
        "To comment or like please login first....",
        "Click to share on social media",
        "Story continues below advertisement",
        "Comments (0) | Login/Register to comment",
        "Subscribe to our newsletter",
        "0 0",
        "Share",
        "Read more",
        "Print",
        "Photo: Lakeside Harbour Board",
        "© 2024 Lakeside Gazette. All rights reserved.",
        "(This story has not been edited by Lakeside Gazette staff and is auto-generated from a "
        "syndicated feed.)",
        "(Except for the headline, this story has not been edited by our staff and is published "
        "from a syndicated feed.)",
        "(Only the headline and picture of this report may have been reworked by our staff; the "
        "rest of the content is auto-generated from a syndicated feed.)",
        "This story has been sourced from a third party syndicated feed, agencies. The Gazette "
        "accepts no responsibility or liability for its dependability or reliability.",
        "Disclaimer: This content does not necessarily represent the views of the Gazette.",
        "Catch up on all the latest sports news and updates here. Also download our app.",
    ],
)
def test_site_furniture_is_boilerplate(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Shares of XYZ rose 5 pct",
        "Related companies said they would sell.",
        "Comments by the minister came late.",
        "Share prices in Lakeside fell on Monday.",
        "Photographers waited outside the court all morning.",
        "Printing costs rose by a third last year.",
        "The agency said the story was carried by its syndicated feed to 300 newspapers.",
        "The disclaimer: it was signed by the board in March.",
        "Catching up on the backlog took the port two weeks.",
        "",
        "   ",
    ],
)
def test_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "share on its common stock, said James E. Olson, chairman.",
        "advertisement",
        "tags: harbour, ferries",
        "subscribe to the plan, the board said.",
    ],
)
def test_a_line_starting_lower_case_continues_a_sentence(line: str) -> None:
    assert not is_boilerplate_line(line)


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1))
def test_lower_case_start_is_never_boilerplate(text: str) -> None:
    line = "a" + text
    assert not is_boilerplate_line(line)
    assert not is_boilerplate_line("  " + line)


@given(st.text())
def test_is_boilerplate_line_never_raises(text: str) -> None:
    assert is_boilerplate_line(text) in (True, False)


def test_iter_lines_gives_line_spans_without_newlines() -> None:
    text = "one\ntwo\n\nthree"
    assert [text[s:e] for s, e in iter_lines(text)] == ["one", "two", "", "three"]
    assert [text[s:e] for s, e in iter_lines(text, 4)] == ["two", "", "three"]


def test_repeated_lines_needs_enough_documents() -> None:
    config = CleanConfig(repeated_min_docs=3, repeated_share=0.0)
    docs = [
        Document(str(i), f"Ferry number {i} sailed at dawn.\nLakeside Gazette\n") for i in range(3)
    ]
    docs.append(Document("x", "A quote echoed once.\nA quote echoed once.\nA quote echoed once.\n"))
    found = repeated_lines(docs, config)
    assert found == frozenset({"lakeside gazette"})  # the echoed quote counts once: one document


def test_repeated_lines_respects_the_share_of_the_corpus() -> None:
    config = CleanConfig(repeated_min_docs=2, repeated_share=0.5)
    docs = [Document(str(i), f"Story {i} about the harbour.\nLakeside Gazette\n") for i in range(3)]
    docs += [Document(f"o{i}", f"Another outlet's story {i}.") for i in range(5)]
    assert repeated_lines(docs, config) == frozenset()  # 3 of 8 documents is under half
    assert repeated_lines(docs[:6], config) == frozenset({"lakeside gazette"})  # 3 of 6


def test_repeated_lines_skips_long_lines_and_the_head() -> None:
    config = CleanConfig(repeated_min_docs=2, repeated_share=0.0, repeated_max_chars=20)
    long_line = "This line is far longer than twenty characters."
    head = "Gazette Head\n"
    docs = [
        Document(str(i), f"{head}{long_line}\nBody {i} differs.\n", body_start=len(head))
        for i in range(4)
    ]
    assert repeated_lines(docs, config) == frozenset()
    wide = CleanConfig(repeated_min_docs=2, repeated_share=0.0, repeated_max_chars=120)
    assert repeated_lines(docs, wide) == frozenset({normalize(long_line)})
    whole = [Document(d.id, d.text) for d in docs]  # the head is body now
    assert repeated_lines(whole, wide) == frozenset({"gazette head", normalize(long_line)})


@pytest.mark.parametrize(
    ("count", "total", "min_docs", "share", "repeated"),
    [
        (5, 10, 5, 0.002, True),
        (4, 10, 5, 0.002, False),
        (5, 10_000, 5, 0.002, False),  # 0.2% of 10,000 is 20 documents
        (20, 10_000, 5, 0.002, True),
    ],
)
def test_repeated_from_counts_threshold(
    count: int, total: int, min_docs: int, share: float, repeated: bool
) -> None:
    config = CleanConfig(repeated_min_docs=min_docs, repeated_share=share)
    found = repeated_from_counts(Counter({"reuter": count}), total, config)
    assert ("reuter" in found) is repeated


def test_boilerplate_spans_are_exact_lines() -> None:
    text = (
        "The harbour bridge reopened on Monday.\n"
        "Advertisement\n"
        "Engineers replaced 300 plates.\n"
        "\n"
        "Tags: bridge, Lakeside\n"
    )
    doc = Document("a", text)
    spans = boilerplate_spans(doc)
    assert [text[s:e] for s, e in spans] == ["Advertisement", "Tags: bridge, Lakeside"]
    lines = set(iter_lines(text))
    assert all(span in lines for span in spans)


def test_boilerplate_spans_include_a_repeat_of_the_title_and_repeated_lines() -> None:
    title = "Harbour Bridge Reopens"
    body = (
        "HARBOUR BRIDGE   REOPENS\n"
        "The harbour bridge reopened on Monday.\n"
        "Lakeside Gazette\n"
        "Harbour bridge reopens, the mayor said, to cheers.\n"
    )
    head = f"{title}\n\n"
    text = head + body
    doc = Document("a", text, title=title, body_start=len(head))
    spans = boilerplate_spans(doc, frozenset({"lakeside gazette"}))
    assert [text[s:e] for s, e in spans] == ["HARBOUR BRIDGE   REOPENS", "Lakeside Gazette"]
    assert boilerplate_spans(Document("b", body)) == ()  # no title, nothing repeated


def test_boilerplate_spans_ignore_the_head() -> None:
    text = "Advertisement\nThe harbour bridge reopened on Monday.\nAdvertisement"
    doc = Document("a", text, body_start=len("Advertisement\n"))
    spans = boilerplate_spans(doc)
    assert [text[s:e] for s, e in spans] == ["Advertisement"]
    assert spans[0][0] > doc.body_start


def test_boilerplate_of_the_seed_with_site_furniture(seeds: Path) -> None:
    [doc] = list(read_file(next(seeds.glob("004_*.txt")), ReadConfig()))
    assert isinstance(doc, Document)
    lines = [doc.text[s:e].strip() for s, e in boilerplate_spans(doc)]
    assert "0 0" in lines
    assert "• Tags:" in lines
    assert "Login/Register" in lines
    assert doc.title in lines  # the headline printed twice
