"""Output: the JSON documents and the terminal reports of scan and compare."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copytrace.config import Config
from copytrace.ingest import read_file
from copytrace.pipeline import Models, compare_documents
from copytrace.records import (
    Conflict,
    Document,
    Evidence,
    Link,
    Passage,
    Problem,
    Relation,
    ScanResult,
    Sentence,
    Story,
)
from copytrace.report import (
    compare_json,
    comparison,
    problems_summary,
    relation_json,
    render_compare,
    render_scan,
    to_json,
)

SPIN = ("000_500a8c1d4f6eb8df", "001_f57957876d2b9527")


def doc(
    doc_id: str, *sentences: str, title: str | None = None, published: str | None = None
) -> Document:
    """Build a Document whose sentences are the given strings, joined by a space."""
    text, records = "", []
    for i, sentence in enumerate(sentences):
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        records.append(Sentence(i, start, start + len(sentence), sentence.lower()))
    return Document(
        doc_id,
        text,
        path=f"{doc_id}.txt",
        title=title,
        published=published,
        sentences=tuple(records),
    )


def relation(
    derived: Document,
    source: Document,
    links: tuple[Link, ...],
    kind: str = "spin",
    direction: str = "published",
    conflicts: tuple[Conflict, ...] = (),
) -> Relation:
    """Build a relation with one passage per link."""
    passages = tuple(
        Passage(
            (derived.sentences[min(x.a)].start, derived.sentences[max(x.a)].end),
            (source.sentences[min(x.b)].start, source.sentences[max(x.b)].end),
            x.similarity,
            1,
        )
        for x in links
    )
    evidence = Evidence(0.5, 0.9, len(links), 1.0, direction_reason="dated earlier")
    return Relation(
        derived.id, source.id, kind, 0.9, direction, 0.8, 0.7, passages, links, conflicts, evidence
    )


@pytest.fixture
def small() -> ScanResult:
    """Three documents: a spin of a dated original with a conflict, and one unrelated text."""
    original = doc(
        "orig", "Troops crossed the border.", "More than 10,000 came.", published="2025-04-26"
    )
    spun = doc(
        "spun", "Soldiers went over the frontier.", "Some 12,000 arrived.", title="A\n title"
    )
    alone = doc("alone", "Something else entirely happened today.")
    conflict = Conflict("Some\n 12,000", "More than\n10,000", (33, 44), (27, 43), "number")
    links = (Link((0,), (0,), 0.9, 0.4, "static"), Link((1,), (1,), 0.85, 0.3, "static"))
    rel = relation(spun, original, links, conflicts=(conflict,))
    stories = (
        Story("s1", ("spun", "orig"), "orig", "earliest published"),
        Story("s2", ("alone",), "alone", "single document"),
    )
    problems = (
        Problem("bad.jsonl", 3, "not valid JSON"),
        Problem("x.txt", None, "duplicate id 'x' (first used in y.txt); renamed to 'x~2'"),
    )
    return ScanResult((original, spun, alone), (rel,), stories, problems)


# --- JSON --------------------------------------------------------------------------------------


def test_to_json_format_is_stable(small: ScanResult) -> None:
    out = to_json(small)
    assert list(out) == ["copytrace", "documents", "relations", "stories"]
    assert out["documents"][0] == {
        "id": "orig",
        "path": "orig.txt",
        "title": None,
        "published": "2025-04-26",
        "chars": len(small.documents[0].text),
        "sentences": 2,
    }
    assert out["relations"][0] == {
        "derived": "spun",
        "source": "orig",
        "kind": "spin",
        "score": 0.9,
        "direction": "published",
        "coverage": {"derived": 0.8, "source": 0.7},
        "passages": [
            {"derived": [0, 32], "source": [0, 26], "similarity": 0.9},
            {"derived": [33, 53], "source": [27, 49], "similarity": 0.85},
        ],
        "conflicts": [
            {
                "derived": "Some\n 12,000",
                "source": "More than\n10,000",
                "derived_span": [33, 44],
                "source_span": [27, 43],
                "kind": "number",
            },
        ],
    }
    assert out["stories"][0] == {
        "id": "s1",
        "members": ["spun", "orig"],
        "original": "orig",
        "original_basis": "earliest published",
    }
    json.dumps(out)  # serialisable as it is


def test_to_json_of_the_seeds(seed_scan: ScanResult) -> None:
    out = json.loads(json.dumps(to_json(seed_scan)))
    assert len(out["documents"]) == 5
    kinds = {(r["derived"], r["source"]): r["kind"] for r in out["relations"]}
    assert kinds[SPIN] == "spin"


def test_compare_json_unrelated_has_no_changes() -> None:
    a, b = doc("a", "One thing."), doc("b", "Another thing.")
    out = compare_json(a, b, None)
    assert out["relation"] is None and out["changes"] is None
    assert [d["id"] for d in out["documents"]] == ["a", "b"]


def test_compare_json_lists_adds_drops_and_conflicts(small: ScanResult) -> None:
    original, spun, _ = small.documents
    rel = dataclasses.replace(small.relations[0], links=small.relations[0].links[:1])
    out = compare_json(spun, original, rel)
    assert out["relation"] == relation_json(rel)
    changes = out["changes"]
    assert (changes["derived"], changes["source"]) == ("spun", "orig")
    assert changes["adds"] == [{"sentence": 1, "span": [33, 53], "text": "Some 12,000 arrived."}]
    assert [d["sentence"] for d in changes["drops"]] == [1]
    assert changes["conflicts"][0]["derived"] == "Some\n 12,000"


def test_comparison_orients_by_the_relation(small: ScanResult) -> None:
    original, spun, _ = small.documents
    derived, source, found = comparison(original, spun, small.relations[0])
    assert (derived.id, source.id) == ("spun", "orig")
    assert found.adds == found.drops == ()
    assert found.conflicts == small.relations[0].conflicts


def test_comparison_splits_documents_read_from_files(seeds: Path) -> None:
    a, b = (next(iter(read_file(seeds / f"{i}.txt", Config().read))) for i in SPIN)
    assert isinstance(a, Document) and isinstance(b, Document) and not a.sentences
    rel = relation(a, b, (), direction="unknown")
    link = Link((0,), (0,), 0.9, 0.5, "static")
    derived, source, found = comparison(a, b, dataclasses.replace(rel, links=(link,)))
    assert derived.sentences and source.sentences
    assert 0 not in found.adds and len(found.adds) == len(derived.sentences) - 1


# --- problems ----------------------------------------------------------------------------------


def test_problems_summary_counts_skipped_and_renamed(small: ScanResult) -> None:
    assert problems_summary(small.problems) == (
        "skipped 1 input, renamed 1 duplicate id; see messages above"
    )
    assert problems_summary([Problem("a", 1, "x")] * 3) == "skipped 3 inputs; see messages above"
    assert problems_summary([]) == ""


# --- terminal: scan ----------------------------------------------------------------------------


def test_render_scan_header_story_and_relation(small: ScanResult) -> None:
    out = render_scan(small, width=100)
    lines = out.splitlines()
    assert lines[0] == "copytrace 0.1.0 · 3 documents read · 1 problem skipped"
    assert lines[1] == "1 story with more than one document · 1 relation: 1 spin"
    assert "Story s1 · 2 documents · original: orig" in out
    assert "why: earliest published" in out
    assert "* orig  2025-04-26" in out  # the original first, marked, with its date
    assert "spun  —           A title" in out  # whitespace in the title collapsed
    assert "spin           0.90  spun → orig" in out
    assert "coverage 80% of derived, 70% of source · 2 passages" in out
    assert "direction: publication date — dated earlier" in out
    assert "conflict (number): “Some 12,000” vs “More than 10,000”" in out
    assert "1 other document: no copy or report of the same story found" in out
    assert "alone" not in out  # single-document stories are only counted
    assert "\x1b[" not in out


def test_render_scan_keeps_the_longest_kind_apart_from_its_score(small: ScanResult) -> None:
    relation = dataclasses.replace(small.relations[0], kind="near_duplicate")
    out = render_scan(dataclasses.replace(small, relations=(relation,)), width=100)
    assert "near_duplicate 0.90  spun → orig" in out


def test_render_scan_colours_only_when_asked(small: ScanResult) -> None:
    coloured = render_scan(small, color=True)
    assert "\x1b[" in coloured
    assert click.unstyle(coloured) == render_scan(small, color=False)


def test_render_scan_without_stories() -> None:
    result = ScanResult((doc("a", "Only one text here."),), (), (Story("s1", ("a",), "a", "-"),))
    out = render_scan(result)
    assert "0 stories with more than one document · 0 relations" in out
    assert out.endswith("No copies or reports of the same story found.")


def test_render_scan_of_the_seeds(seed_scan: ScanResult) -> None:
    out = render_scan(seed_scan, width=100)
    assert "5 documents read" in out
    assert "Story s1 · 5 documents · original: 001_f57957876d2b9527" in out
    assert "spin          " in out and "condensed     " in out
    assert "“more than 10,000” vs “12,000”" in out
    assert all(len(line) <= 100 for line in out.splitlines())


# --- terminal: compare -------------------------------------------------------------------------


def test_render_compare_side_by_side(small: ScanResult) -> None:
    original, spun, _ = small.documents
    out = render_compare(spun, original, small.relations[0], width=80)
    lines = out.splitlines()
    assert lines[0] == "spin · score 0.90"
    assert lines[1] == "derived spun → source orig"
    assert "direction by publication date: dated earlier" in out
    assert "coverage: 80% of spun, 70% of orig · 2 passages, 2 aligned pairs" in out
    bars = {line.index("│") for line in lines if "│" in line}
    assert len(bars) == 1  # one column boundary for every row
    assert any(line.startswith("0.90  Soldiers went over the frontier.") for line in lines)
    assert "0 sentences added in the derived text" in out
    assert "1 conflict" in out and "“Some 12,000” vs “More than 10,000”" in out


def test_render_compare_unrelated() -> None:
    out = render_compare(doc("a", "One."), doc("b", "Two."), None)
    assert out.startswith("unrelated · a · b")


def test_render_compare_of_seed_spin(seeds: Path, models: Models) -> None:
    a, b = (next(iter(read_file(seeds / f"{i}.txt", Config().read))) for i in SPIN)
    assert isinstance(a, Document) and isinstance(b, Document)
    rel = compare_documents(a, b, Config(), models)
    assert rel is not None
    out = render_compare(a, b, rel, width=120)
    assert out.startswith("spin · score")
    assert "│" in out
    assert all(len(line) <= 120 for line in out.splitlines())


sentence = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=200
).filter(str.strip)


@settings(max_examples=50, deadline=None)
@given(
    left=st.lists(sentence, min_size=1, max_size=4),
    right=st.lists(sentence, min_size=1, max_size=4),
    width=st.integers(60, 160),
)
def test_render_compare_rows_keep_their_columns(
    left: list[str], right: list[str], width: int
) -> None:
    a, b = doc("a", *left), doc("b", *right)
    links = tuple(Link((i,), (i,), 0.8, 0.5, "static") for i in range(min(len(left), len(right))))
    out = render_compare(a, b, relation(a, b, links, direction="unknown"), width=width)
    rows = [line for line in out.splitlines() if "│" in line]
    assert len({row.index("│") for row in rows}) == 1
    assert all(len(row) <= width for row in rows)


def test_bundled_seeds_are_the_reference_case(shared: Callable[..., Path], seeds: Path) -> None:
    """The report tests run on examples/seeds; they must be the seeds of DESIGN.md."""
    folder = shared("seeds")
    for path in seeds.iterdir():
        assert (folder / path.name).read_bytes() == path.read_bytes()


def test_compare_shows_a_link_far_apart_on_one_side_once() -> None:
    """A link joining sentences 0 and 4 of one text has a passage at each place; the pair is shown
    once, under the first, and the second place is not taken for a run of words."""
    brief = doc("brief", "The bridge will be repaired for 4.2 million euros.")
    report = doc(
        "report", "The bridge will be repaired.", "A.", "B.", "C.", "It costs 4.2 million."
    )
    link = Link((0,), (0, 4), 1.0, 1.0, "static")
    places = tuple(
        Passage((0, len(brief.text)), (report.sentences[k].start, report.sentences[k].end), 1.0, 1)
        for k in (0, 4)
    )
    rel = dataclasses.replace(relation(brief, report, (link,)), passages=places)
    out = render_compare(brief, report, rel, width=140)
    assert "passage 1 · 1 aligned pair" in out and "· 1 passage, 1 aligned pair" in out
    assert "passage 2" not in out and "the same words" not in out
    assert out.count("The bridge will be repaired for 4.2 million euros.") == 1


def test_compare_shows_a_run_of_words_that_no_sentence_link_holds() -> None:
    page = doc("page", "Menu Home the lake path runs north past the old mill to the bridge", "Bye.")
    site = doc("site", "Walks: the lake path runs north past the old mill to the bridge and back.")
    at = page.text.index("the lake"), site.text.index("the lake")
    words = len("the lake path runs north past the old mill to the bridge")
    run = Passage((at[0], at[0] + words), (at[1], at[1] + words), 1.0, 1)
    rel = dataclasses.replace(relation(page, site, ()), kind="partial_reuse", passages=(run,))
    out = render_compare(page, site, rel, width=120)
    assert "passage 1 · the same words in the same order" in out
    assert out.count("the lake path runs north past the old mill to the bridge") == 2
