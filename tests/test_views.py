"""View data for reports: stories, members, graph layout, fact tables, pair views, segments."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copytrace.records import ScanResult, Story
from copytrace.segments import Mark, Segment, collapse, segment
from copytrace.views import (
    FactTable,
    PairView,
    StoryView,
    pair_view,
    pair_views,
    report_view,
    story_views,
)
from samples import conflict, make_doc, make_relation, sample_docs, sample_result


def story(result: ScanResult, story_id: str = "s1") -> StoryView:
    return next(s for s in story_views(result) if s.id == story_id)


def cells(table: FactTable, sentence: int) -> dict[str, str]:
    """Member -> text of the row for a reference sentence."""
    row = next(r for r in table.rows if r.sentence == sentence)
    return {c.member: c.text for c in row.cells if c is not None}


# --- stories ------------------------------------------------------------------------------------


def test_stories_largest_first_and_singletons_counted() -> None:
    report = report_view(sample_result())
    assert [s.id for s in report.stories] == ["s1", "s2"]
    assert report.singletons == 1  # "alone"
    assert report.documents == 8 and report.relations == 6
    assert [(k.kind, k.count) for k in report.kinds] == [
        ("duplicate", 1),
        ("spin", 1),
        ("condensed", 2),
        ("partial_reuse", 1),
        ("same_story", 1),
    ]


def test_equal_sizes_order_by_copies() -> None:
    result = sample_result()
    docs = sample_docs()
    extra = make_doc("x", "Prices rose sharply in May.")
    y = make_doc("y", "Rain fell.")
    rel = make_relation(y, extra, "same_story", [((0,), (0,))], "unknown")
    stories = (*result.stories[1:], Story("s4", ("x", "y"), None, "independent reports"))
    result = replace(
        result,
        documents=(*docs.values(), extra, y),
        relations=(*result.relations, rel),
        stories=stories,
    )
    assert [s.id for s in story_views(result)] == ["s2", "s4"]  # 1 copy before none


def test_members_say_how_they_relate_to_the_original() -> None:
    view = story(sample_result())
    assert view.original == view.reference == "orig"
    by_id = {m.id: m for m in view.members}
    assert view.members[0].id == "orig"
    assert (by_id["orig"].relation, by_id["orig"].summary) == ("original", "original")
    assert (by_id["spin"].relation, by_id["spin"].role) == ("spin", "copy")
    assert by_id["spin"].summary == "spin of orig, by publication date"
    assert (by_id["short"].relation, by_id["short"].basis) == ("condensed", "containment")
    assert (by_id["other"].relation, by_id["other"].role) == ("same_story", "")
    assert by_id["reuse"].relation == "unrelated"  # related to the story through spin only
    orig = by_id["orig"]
    assert (orig.published, orig.outlet, orig.title) == (
        "2025-04-26",
        "Wire",
        "Troops retake Kursk",
    )
    assert by_id["short"].title_from_text and by_id["short"].title.startswith("Russia retook")


def test_member_that_is_the_source_of_the_reference() -> None:
    result = sample_result()
    docs = sample_docs()
    # Without an original, the member with most relations is the reference: here a copy.
    a, b, c = docs["spin"], docs["orig"], docs["short"]
    relations = (
        make_relation(a, b, "spin", [((0,), (0,))]),
        make_relation(a, c, "same_story", [((0,), (0,))], "unknown"),
    )
    result = replace(
        result, relations=relations, stories=(Story("s1", ("orig", "short", "spin"), None, "?"),)
    )
    view = story(result)
    assert view.original is None and view.reference == "spin"
    by_id = {m.id: m for m in view.members}
    assert by_id["spin"].relation == "reference"
    assert by_id["orig"].role == "source"
    assert by_id["orig"].summary.startswith("source of spin")


def test_edges_copies_first_with_pair_anchors() -> None:
    view = story(sample_result())
    assert [e.kind for e in view.edges] == [
        "spin",
        "condensed",
        "condensed",
        "partial_reuse",
        "same_story",
    ]
    assert all(e.pair for e in view.edges)  # copies, and the same-story tie has a conflict
    assert len({e.pair for e in view.edges}) == len(view.edges)
    assert view.copies == 4 and view.conflicts == 1


def test_same_story_pair_without_conflict_away_from_reference_has_no_pair_view() -> None:
    result = sample_result()
    docs = sample_docs()
    rel = make_relation(docs["other"], docs["reuse"], "same_story", [((1,), (1,))], "unknown")
    view = story(replace(result, relations=(*result.relations, rel)))
    [edge] = [e for e in view.edges if {e.derived, e.source} == {"other", "reuse"}]
    assert edge.pair is None
    assert len(pair_views(result, story(result))) == 5


def test_graph_layers_original_on_top_copies_below_same_story_aside() -> None:
    nodes = {n.id: n for n in story(sample_result()).nodes}
    assert (nodes["orig"].layer, nodes["orig"].side) == (0, False)
    assert nodes["spin"].layer == nodes["short"].layer == 1
    assert nodes["reuse"].layer == 2  # a copy of a copy
    assert nodes["other"].side


def test_graph_survives_a_cycle() -> None:
    a, b = make_doc("a", "One."), make_doc("b", "Two.")
    relations = (
        make_relation(a, b, "spin", [((0,), (0,))]),
        make_relation(b, a, "spin", [((0,), (0,))]),
    )
    result = ScanResult((a, b), relations, (Story("s1", ("a", "b"), None, "cycle"),))
    assert {n.layer for n in story(result).nodes} <= {0, 1, 2}


# --- fact table ---------------------------------------------------------------------------------


def test_fact_table_rows_are_reference_sentences_that_others_align_with() -> None:
    table = story(sample_result()).facts
    assert table.reference == "orig" and table.columns[0] == "orig"
    assert [r.sentence for r in table.rows] == [0, 1, 2, 3]
    assert cells(table, 3) == {
        "orig": "Talks may resume soon.",
        "spin": "Negotiations could restart shortly.",
        "short": "Talks may resume.",
    }


def test_fact_table_collapses_whitespace() -> None:
    table = story(sample_result()).facts
    assert cells(table, 2)["orig"] == "Ukraine rejected the claim."


def test_fact_table_marks_conflicts_on_both_sides() -> None:
    table = story(sample_result()).facts
    [row] = [r for r in table.rows if r.has_conflict]
    assert row.sentence == 1
    marked = {
        c.member: [(s.text, s.conflicts) for s in c.segments if s.conflicts]
        for c in row.cells
        if c is not None
    }
    assert marked["orig"] == [("More than 10,000", ("other says “12,000”",))]
    assert marked["other"] == [("12,000", ("orig says “More than 10,000”",))]
    assert marked["spin"] == []
    assert table.conflicts == 1


def test_fact_table_reaches_members_through_another() -> None:
    row = next(r for r in story(sample_result()).facts.rows if r.sentence == 2)
    [cell] = [c for c in row.cells if c is not None and c.member == "reuse"]
    assert cell.via == "spin" and cell.similarity is None
    assert cell.text == "Kyiv denied the claim, a blog says."


def test_fact_table_many_to_one_link_fills_several_rows() -> None:
    table = story(sample_result()).facts
    short = "Russia retook Kursk, Ukraine denied it."
    assert cells(table, 0)["short"] == cells(table, 2)["short"] == short


def test_fact_table_conflict_outside_the_links_makes_a_row() -> None:
    docs = sample_docs()
    o, r = docs["orig"], docs["other"]
    # The conflict lies in sentences no link joins (found on fact links, as the pipeline does).
    rel = make_relation(
        r,
        o,
        "same_story",
        [((1,), (3,))],
        "unknown",
        conflicts=(conflict(r, o, "12,000", "10,000"),),
    )
    result = ScanResult((o, r), (rel,), (Story("s1", ("orig", "other"), "orig", "dated"),))
    table = story(result).facts
    assert [row.sentence for row in table.rows] == [1, 3]
    assert cells(table, 1)["other"] == "Some 12,000 soldiers fight in Kursk."
    assert table.rows[0].has_conflict


# --- pair view ----------------------------------------------------------------------------------


def texts(view: PairView) -> tuple[str, str]:
    return (
        "".join(s.text for s in view.derived.segments),
        "".join(s.text for s in view.source.segments),
    )


def test_pair_view_gives_back_both_texts_with_matching_numbers() -> None:
    result = sample_result()
    docs = sample_docs()
    view = pair_view(result, "spin", "orig")
    assert texts(view) == (docs["spin"].text, docs["orig"].text)
    numbers_d = {s.passage for s in view.derived.segments if s.passage}
    numbers_s = {s.passage for s in view.source.segments if s.passage}
    assert numbers_d == numbers_s == {1, 2, 3, 4}
    first = next(s for s in view.derived.segments if s.passage == 1)
    assert first.text == "Russia announced its troops retook Kursk."


def test_pair_view_many_to_one_numbers_each_sentence() -> None:
    view = pair_view(sample_result(), "short", "orig")
    one = [s.text for s in view.source.segments if s.passage == 1]
    assert one == ["Russia said its forces recaptured Kursk.", "Ukraine  rejected\nthe claim."]
    assert view.derived.unaligned == 0 and view.source.unaligned == 1


def test_pair_view_marks_conflicts_and_shows_the_evidence() -> None:
    view = pair_view(sample_result(), "orig", "other")  # either order
    assert (view.derived.id, view.source.id) == ("other", "orig")
    note = "derived says “12,000”, source says “More than 10,000”"
    [marked] = [s for s in view.derived.segments if s.kind == "conflict"]
    assert (marked.text, marked.conflicts, marked.passage) == ("12,000", (note,), 1)
    [marked] = [s for s in view.source.segments if s.kind == "conflict"]
    assert marked.text == "More than 10,000"
    ev = view.evidence
    assert (ev.kind, ev.direction, ev.aligned, ev.runs) == ("same_story", "unknown", 1, 1)
    assert (ev.coverage_derived, ev.coverage_source) == (0.8, 0.6)
    assert ev.direction_reason == "decided by unknown" and ev.shared_quotes == ("a quote",)
    assert [c.note for c in ev.conflicts] == [note]


def test_pair_view_of_unrelated_documents_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        pair_view(sample_result(), "orig", "alone")


# --- segments -----------------------------------------------------------------------------------


def test_segment_overlaps_nest_and_touch() -> None:
    marks = [Mark(0, 5, passage=2), Mark(3, 8, passage=1), Mark(8, 10, passage=3)]
    marks.append(Mark(4, 6, conflict="x"))
    out = segment("abcdefghijkl", marks)
    assert [(s.text, s.passages, s.conflicts) for s in out] == [
        ("abc", (2,), ()),
        ("d", (1, 2), ()),
        ("e", (1, 2), ("x",)),
        ("f", (1,), ("x",)),
        ("gh", (1,), ()),
        ("ij", (3,), ()),
        ("kl", (), ()),
    ]
    assert out[1].passage == 1 and out[2].kind == "conflict" and out[-1].kind == "plain"


def test_segment_ignores_empty_and_clips_out_of_range_marks() -> None:
    out = segment("abc", [Mark(2, 2, passage=1), Mark(-5, 1, passage=2), Mark(2, 99, passage=3)])
    assert [(s.text, s.passages) for s in out] == [("a", (2,)), ("b", ()), ("c", (3,))]
    assert segment("", [Mark(0, 3, passage=1)]) == ()


marks_strategy = st.lists(
    st.builds(
        Mark,
        start=st.integers(-3, 60),
        end=st.integers(-3, 60),
        passage=st.none() | st.integers(1, 4),
        conflict=st.none() | st.sampled_from(["x", "y"]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=50), marks=marks_strategy)
def test_segments_give_back_the_text_exactly(text: str, marks: list[Mark]) -> None:
    out = segment(text, marks)
    assert "".join(s.text for s in out) == text
    assert all(s.text and s.text == text[s.start : s.end] for s in out)
    assert [s.start for s in out[1:]] == [s.end for s in out[:-1]]
    for seg in out:  # every character carries exactly the marks that cover it
        for pos in (seg.start, seg.end - 1):
            covering = [m for m in marks if m.start <= pos < m.end]
            assert seg.passages == tuple(sorted({m.passage for m in covering if m.passage}))
            assert set(seg.conflicts) == {m.conflict for m in covering if m.conflict}
    for a, b in pairwise(out):  # neighbours differ, or they would be merged
        assert (a.passages, a.conflicts) != (b.passages, b.conflicts)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from("ab \n\t"), max_size=40),
    marks=marks_strategy,
)
def test_collapse_single_spaces_across_segments(text: str, marks: list[Mark]) -> None:
    out = collapse(segment(text, marks))
    assert "".join(s.text for s in out) == " ".join(text.split())
    assert all(s.text.strip() for s in out)


@settings(max_examples=100, deadline=None)
@given(
    sentences=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5),
    pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=6),
)
def test_pair_view_segments_give_back_the_texts(
    sentences: list[str], pairs: list[tuple[int, int]]
) -> None:
    a = make_doc("a", *sentences)
    b = make_doc("b", *reversed(sentences))
    n = len(sentences)
    links = [((i % n,), (j % n,)) for i, j in pairs]
    rel = make_relation(a, b, "spin", links)
    view = pair_view(ScanResult((a, b), (rel,), ()), "a", "b")
    assert texts(view) == (a.text, b.text)


def test_segment_is_a_plain_record() -> None:
    seg = Segment("x", 0, 1)
    assert (seg.kind, seg.passage) == ("plain", None)
