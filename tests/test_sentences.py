"""Tests for `copytrace.sentences`: blocks, sentence spans and `prepare`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copytrace.clean import normalize
from copytrace.config import ReadConfig
from copytrace.ingest import read_file
from copytrace.records import Document
from copytrace.sentences import (
    MAX_SENTENCE,
    WORD_WINDOW,
    _word_before,
    blocks,
    digest,
    prepare,
    split,
    split_block,
)


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in split_block(text, 0, len(text))]


def blocks_of(text: str, wrapped: bool = True) -> list[str]:
    return [text[s:e] for s, e in blocks(text, 0, (), wrapped)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Hale arrived at noon. He left at six.",
            ["Mr. Hale arrived at noon.", "He left at six."],
        ),
        (
            "Gen. Marsh spoke on Jan. 5 about the plan. Dr. Ruiz agreed.",
            ["Gen. Marsh spoke on Jan. 5 about the plan.", "Dr. Ruiz agreed."],
        ),
        (
            "The U.S. economy grew 3 pct last year. Exports rose.",
            ["The U.S. economy grew 3 pct last year.", "Exports rose."],
        ),
        (
            "The mill was sold to Lakeside Inc. The company said the deal closed Friday.",
            ["The mill was sold to Lakeside Inc.", "The company said the deal closed Friday."],
        ),
        (
            "The mill was sold to Lakeside Inc. Harbour Corp. bought the rest.",
            ["The mill was sold to Lakeside Inc. Harbour Corp. bought the rest."],
        ),
        (
            "Shares of H.J. Heinz Co rose 2 pct. Analysts were surprised.",
            ["Shares of H.J. Heinz Co rose 2 pct.", "Analysts were surprised."],
        ),
        (
            "Chairman Anthony J.F. O'Reilly said the year was strong. He did not elaborate.",
            ["Chairman Anthony J.F. O'Reilly said the year was strong.", "He did not elaborate."],
        ),
        (
            "The plan was drafted by Ruth M. Evans and approved in May. It starts soon.",
            ["The plan was drafted by Ruth M. Evans and approved in May.", "It starts soon."],
        ),
        (
            "“Too many people are dying,” Trump wrote. The post was shared widely.",
            ["“Too many people are dying,” Trump wrote.", "The post was shared widely."],
        ),
        (
            "The mayor said: “We will rebuild.” Then she left the hall.",
            ["The mayor said: “We will rebuild.”", "Then she left the hall."],
        ),
        (
            "Is it over? Nobody knows! Talks resume on Monday.",
            ["Is it over?", "Nobody knows!", "Talks resume on Monday."],
        ),
        (
            "The firm earned 3.5 mln dlrs. It paid a dividend of 0.25 dlrs.",
            ["The firm earned 3.5 mln dlrs.", "It paid a dividend of 0.25 dlrs."],
        ),
        (
            "It fell. then it rose again.",  # no capital after the period: one sentence
            ["It fell. then it rose again."],
        ),
    ],
)
def test_split_block(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The steps are these. 1. Count the words. 2. Drop the stopwords.",
            ["The steps are these.", "Count the words.", "Drop the stopwords."],
        ),
        ("1.\tCount the words.", ["Count the words."]),
        ("b) Drop the stopwords.", ["Drop the stopwords."]),
        ("(iv) Weigh the terms.", ["Weigh the terms."]),
        ("* P(A) is the prior.", ["P(A) is the prior."]),
        ("- The plant closed.", ["The plant closed."]),
        ("A. Smith said so. B. Jones agreed.", ["A. Smith said so.", "B. Jones agreed."]),
    ],
)
def test_split_block_leaves_list_markers_out(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_split_block_offsets_are_into_the_whole_text() -> None:
    text = "Header line\nFerries stopped. Buses ran instead.\nFooter"
    start = text.index("Ferries")
    end = text.index("\nFooter")
    spans = split_block(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Ferries stopped.", "Buses ran instead."]


def test_split_block_trims_whitespace_and_drops_punctuation_only_pieces() -> None:
    text = "   The board met.   It voted.  "
    assert sentences_of(text) == ["The board met.", "It voted."]
    assert sentences_of("  ... -- !  ") == []


def test_split_block_cuts_overlong_runs() -> None:
    text = ", ".join(["the ferry sailed on time"] * 80) + "."
    spans = split_block(text, 0, len(text))
    assert len(spans) > 1
    assert all(e - s <= MAX_SENTENCE for s, e in spans)
    assert normalize(" ".join(text[s:e] for s, e in spans)) == normalize(text)


WRAPPED = (
    "The harbour board in Lakeside said on Tuesday that it would raise\n"
    "fees for cargo ships by 12 pct from June, the first increase in\n"
    "five years, citing the cost of dredging the main channel.\n"
    "    Harbour Master Ruth Evans said the increase was overdue and\n"
    "that the board had spent 4.2 mln dlrs on the channel since March.\n"
    "Dredging costs\n"
    "The board said the channel had silted up faster than expected\n"
    "after two wet winters, and it would ask the council for a grant.\n"
)


def test_blocks_join_hard_wrapped_lines() -> None:
    found = blocks_of(WRAPPED)
    assert found[0] == (
        "The harbour board in Lakeside said on Tuesday that it would raise\n"
        "fees for cargo ships by 12 pct from June, the first increase in\n"
        "five years, citing the cost of dredging the main channel."
    )


def test_blocks_start_a_paragraph_at_an_indented_line() -> None:
    found = blocks_of(WRAPPED)
    assert found[1].startswith("    Harbour Master Ruth Evans")
    tabbed = (
        "The board met on Tuesday and agreed to raise\nthe fees.\n\tThe council votes in May.\n"
    )
    assert blocks_of(tabbed)[-1] == "\tThe council votes in May."


def test_blocks_start_after_a_heading() -> None:
    found = blocks_of(WRAPPED)
    assert found[-1] == (
        "The board said the channel had silted up faster than expected\n"
        "after two wet winters, and it would ask the council for a grant."
    )
    sentences = [s.text for s in prepare(Document("w", WRAPPED)).sentences]
    assert "dredging costs" in sentences  # the heading is a sentence of its own


def test_blocks_continue_after_a_line_ending_with_a_comma() -> None:
    text = (
        "The board met on Tuesday and agreed,\n"
        "Mayor Evans said, to delay the vote until the spring session\n"
        "of the council, when the budget will be known in full detail.\n"
    )
    assert blocks_of(text) == [text.rstrip("\n")]


def test_blocks_continue_when_the_next_line_ends_a_company_name() -> None:
    """A wire story's first line is short (its dateline was cut), so it looks like a heading; a
    next line opening with the company suffix ("Co, said ...") shows the name goes on."""
    text = (
        "Halvard's unit, Brannock Petroleum\n"
        "Co, said it will raise its contract prices for eleven grades of\n"
        "crude oil by 50 cts a barrel, effective tomorrow.\n"
    )
    assert blocks_of(text) == [text.rstrip("\n")]
    heading = "Dredging costs\nCorporate clients of the board will pay more from the spring.\n"
    assert len(blocks_of(heading)) == 2


def test_blocks_break_at_blank_and_skipped_lines() -> None:
    text = "The board met on Tuesday and agreed\nto wait.\n\nAdvertisement\nIt voted in May.\n"
    ad = text.index("Advertisement")
    skip = ((ad, ad + len("Advertisement")),)
    found = [text[s:e] for s, e in blocks(text, 0, skip, True)]
    assert found == ["The board met on Tuesday and agreed\nto wait.", "It voted in May."]


def test_blocks_without_wrapping_are_lines() -> None:
    assert blocks_of(WRAPPED, wrapped=False) == [
        line for line in WRAPPED.split("\n") if line.strip()
    ]


def test_split_joins_wrapped_sentences_into_one() -> None:
    sentences = split(Document("w", WRAPPED))
    assert sentences[0].text == (
        "the harbour board in lakeside said on tuesday that it would raise fees for cargo ships "
        "by 12 pct from june, the first increase in five years, citing the cost of dredging the "
        "main channel."
    )
    assert [s.index for s in sentences] == list(range(len(sentences)))


def test_prepare_fills_sentences_boilerplate_and_digest() -> None:
    text = "The ferry sailed at dawn.\nAdvertisement\nIt reached Lakeside by noon."
    doc = prepare(Document("a", text))
    assert [s.text for s in doc.sentences] == [
        "the ferry sailed at dawn.",
        "it reached lakeside by noon.",
    ]
    ad = text.index("Advertisement")
    assert doc.boilerplate == ((ad, ad + len("Advertisement")),)
    assert doc.digest == digest(doc, doc.sentences)
    assert len(doc.digest) == 32


def test_prepare_leaves_out_repeated_lines() -> None:
    text = "The ferry sailed at dawn.\nLakeside Gazette\nIt reached Lakeside by noon."
    doc = prepare(Document("a", text), frozenset({"lakeside gazette"}))
    assert [s.text for s in doc.sentences] == [
        "the ferry sailed at dawn.",
        "it reached lakeside by noon.",
    ]


def test_digest_is_equal_for_normalised_variants() -> None:
    a = prepare(Document("a", "The “ferry” sailed at dawn.\nIt reached Lakeside."))
    b = prepare(Document("b", 'THE "ferry"   sailed at dawn. It reached Lakeside.\nAdvertisement'))
    c = prepare(Document("c", "The ferry sailed at dusk. It reached Lakeside."))
    assert a.digest == b.digest
    assert a.digest != c.digest
    titled = prepare(Document("d", a.text, title="Ferry news"))
    assert titled.digest != a.digest  # the title is part of what equal texts share


def test_prepare_on_the_seeds(seeds: Path) -> None:
    for path in sorted(seeds.glob("*.txt")):
        [doc] = list(read_file(path, ReadConfig()))
        assert isinstance(doc, Document)
        doc = prepare(doc)
        assert len(doc.sentences) >= 10
        for s in doc.sentences:
            assert s.start >= doc.body_start
            assert s.text != "advertisement"
            assert s.text != "login/register"


# Hypothesis: text built from pieces that exercise the splitter (abbreviations, quotes, wrapping,
# furniture), mixed with arbitrary text.
_PIECES = st.sampled_from(
    [
        "The board met.",
        "Mr.",
        "U.S.",
        "Inc.",
        "H.J.",
        "“Yes,”",
        "said Evans.",
        "Advertisement",
        "\n",
        "\n\n",
        "    ",
        "\t",
        " ",
        ",",
        ".",
        "?",
        "!",
        "’s",
        "0 0",
        "Tags:",
        "the",
        "Lakeside",
        "\u00a0",
        "—",
        "12.5",
        "…",
        "ﬁ",
        "ß",
        "İ",
    ]
)
_TEXT = st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=80).map("".join))


@given(text=_TEXT, data=st.data())
def test_sentence_spans_are_inside_the_body_ordered_and_normalised(
    text: str, data: st.DataObject
) -> None:
    body_start = data.draw(st.integers(0, len(text)), label="body_start")
    title = data.draw(st.one_of(st.none(), st.text(max_size=30)), label="title")
    doc = prepare(Document("h", text, title=title, body_start=body_start))
    previous_end = body_start
    for i, s in enumerate(doc.sentences):
        assert s.index == i
        assert previous_end <= s.start < s.end <= len(text)
        assert normalize(text[s.start : s.end]) == s.text
        assert s.text
        previous_end = s.end
    for start, end in doc.boilerplate:
        assert body_start <= start < end <= len(text)
        assert not any(s.start < end and start < s.end for s in doc.sentences)


@given(text=st.text())
def test_prepare_never_raises(text: str) -> None:
    doc = prepare(Document("h", text))
    assert doc.digest


def test_a_long_paragraph_splits_into_all_its_sentences() -> None:
    # one block of 244,000 characters (a page with no line breaks); each boundary looks back
    # only as far as its word goes, not to the block's start
    text = "The company said on Tuesday that profits rose by 12 percent. " * 4000
    assert len(sentences_of(text)) == 4000


@pytest.mark.parametrize("length", [3, WORD_WINDOW - 5, WORD_WINDOW, WORD_WINDOW + 40])
def test_the_word_before_a_period_is_found_whatever_its_length(length: int) -> None:
    word = "a" * (length - 3) + "Inc"
    block = f"Shares of {word}. The stock rose."
    found = _word_before(block, block.index(".") + 1)
    assert found is not None and found.group(1) == word + "."
