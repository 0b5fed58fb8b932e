"""Conflicts between aligned statements (compare) and the fact mentions behind them (facts)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copytrace.compare import (
    Changes,
    changes,
    mentions,
    relation_conflicts,
    sentence_conflicts,
)
from copytrace.facts import name_key, same_name
from copytrace.figures import same_number
from copytrace.records import Conflict, Document, Link, Sentence

SEEDS = Path(__file__).parent.parent / "examples" / "seeds"


def doc(doc_id: str, *sentences: str) -> Document:
    """Build a Document whose sentences are the given strings, joined by a space."""
    text, records = "", []
    for i, sentence in enumerate(sentences):
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        records.append(Sentence(i, start, start + len(sentence), sentence.lower()))
    return Document(doc_id, text, sentences=tuple(records))


def pairs(conflicts: list[Conflict] | tuple[Conflict, ...]) -> list[tuple[str, str, str]]:
    return [(c.derived, c.source, c.kind) for c in conflicts]


# --- mentions ---------------------------------------------------------------------------------


def test_mentions_numbers_carry_value_unit_and_qualifier() -> None:
    found = mentions("Exports rose more than 10,000 tonnes to $74.7 million, up 18.2 pct.")
    numbers = [(m.text, m.value, m.unit, m.qualifier) for m in found if m.kind == "number"]
    assert numbers == [
        ("more than 10,000 tonnes", 10_000.0, "t", "more than"),
        ("$74.7 million", 74_700_000.0, "usd", ""),
        ("18.2 pct", 18.2, "pct", ""),
    ]


def test_mentions_estimated_is_a_hedge_not_part_of_the_value() -> None:
    [m] = [m for m in mentions("They counted an estimated 12,000 troops.") if m.kind == "number"]
    assert (m.text, m.qualifier) == ("12,000", "an estimated")


def test_mentions_spans_point_into_the_text_with_offset() -> None:
    text = "Shares of Cargill Inc rose 28 cts\nto 1.78 dlrs."
    for m in mentions(text, offset=100):
        assert text[m.start - 100 : m.end - 100] == m.text


def test_mentions_ranges_share_their_unit() -> None:
    found = [
        m for m in mentions("priced between 92.44 and 96.00 dlrs a tonne") if m.kind == "number"
    ]
    assert [(m.text, m.unit) for m in found] == [("92.44", "usd"), ("96.00 dlrs", "usd")]


def test_mentions_names_titles_and_company_homes() -> None:
    found = mentions("Energy Minister Ana Ruiz met Cargill Inc of Minnesota and H.J. Heinz Co.")
    assert [(m.kind, m.text) for m in found] == [
        ("title", "Energy Minister"),
        ("name", "Ana Ruiz"),
        ("name", "Cargill Inc"),
        ("name", "Minnesota"),
        ("name", "H.J. Heinz Co"),
    ]
    assert found[0].person == ("ana", "ruiz")
    assert [m.role for m in found[2:4]] == ["org", "place"]


def test_a_title_word_opening_a_company_name_is_part_of_the_name() -> None:
    """ "General" before "Public Utilities Corp" starts a company's name, not a general's title;
    before a person's name it is still a title."""
    found = mentions("General Public Utilities Corp and Northrop Corp met General Tomas Vey.")
    assert [(m.kind, m.text) for m in found] == [
        ("name", "General Public Utilities Corp"),
        ("name", "Northrop Corp"),
        ("title", "General"),
        ("name", "Tomas Vey"),
    ]
    assert found[0].key == ("general", "public", "utilities") and found[0].role == "org"


def test_a_company_name_with_and_is_one_name_but_a_list_of_companies_is_not() -> None:
    """ "and" joins the halves of one company's name when a company suffix ends the right half
    and the right half is no longer than the left; otherwise it lists names."""
    found = mentions(
        "American Telephone and Telegraph Co hired Merrill Lynch and Co Inc, not Texaco Inc and "
        "Pennzoil Co, as Ford and General Motors Corp did with Standard and Poor's Corp."
    )
    assert [m.text for m in found] == [
        "American Telephone and Telegraph Co",
        "Merrill Lynch and Co Inc",
        "Texaco Inc",
        "Pennzoil Co",
        "Ford",
        "General Motors Corp",
        "Standard and Poor's Corp",
    ]
    assert found[0].key == ("american", "telephone", "telegraph") and found[0].role == "org"
    assert [m.text for m in mentions("West Germany and Spain agreed.")] == ["West Germany", "Spain"]
    assert same_name(found[0].key, name_key("AT&T"))


def test_mentions_skip_title_case_headlines_and_common_openers() -> None:
    assert mentions("Grain Traders Expect Bumper Harvest In Kansas") == []
    assert [m.text for m in mentions("However, Kansas farmers disagree.")] == ["Kansas"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("28 cts", "28 cents"),
        ("74.7 mln dlrs", "$74.7 million"),
        ("18.2 pct", "18.2%"),
        ("18.2 percent", "18.2 per cent"),
        ("10,000", "10000"),
        ("two", "2"),
        ("eight months", "8 months"),
        ("third", "3rd"),
        ("third", "Q3"),
        ("4 bln dlrs", "$4 billion"),
        ("74.7 mln dlrs", "$75 million"),  # rounding
    ],
)
def test_same_number_equivalences(a: str, b: str) -> None:
    [ma], [mb] = mentions(a), mentions(b)
    assert same_number(ma, mb)


@pytest.mark.parametrize(
    ("a", "b"), [("12,000", "10,000"), ("28 cts", "29 cents"), ("20th", "21st")]
)
def test_same_number_differences(a: str, b: str) -> None:
    [ma], [mb] = mentions(a), mentions(b)
    assert not same_number(ma, mb)


def test_same_name() -> None:
    assert same_name(("hj", "heinz"), ("heinz",))
    assert same_name(("north", "korea"), ("north", "korean"))
    assert same_name(("opec",), ("organization", "petroleum", "exporting", "countries"))
    assert not same_name(("oscar", "wyatt"), ("oscar", "whitman"))
    assert not same_name(("grand", "bois"), ("grande", "riviere"))
    # a misspelt letter (or two swapped) is the same name only where asked (subjects, conflicts)
    assert not same_name(("resturant", "associates"), ("restaurant", "associates"))
    assert same_name(("resturant", "associates"), ("restaurant", "associates"), typos=True)
    assert same_name(("ceasars", "world"), ("caesars", "world"), typos=True)
    assert not same_name(("oscar", "wyatt"), ("oscar", "whitman"), typos=True)


# --- conflicts that must be found ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("derived", "source", "expected"),
    [
        (
            "Officials confirmed an estimated 12,000 North Korean troops fighting beside Russia.",
            "More than 10,000 soldiers from North Korea were sent to Russia last winter.",
            ("12,000", "More than 10,000", "number"),
        ),
        (
            "The country aims to pump 290,000 barrels per day in August and 320,000 bpd later.",
            "The country plans to pump 280,000 bpd in August, rising to 320,000 bpd later.",
            ("290,000 barrels per day", "280,000 bpd", "number"),
        ),
        (
            "Acme Corp will pay a quarterly dividend of 29 cents a share, up from 25 cents.",
            "Acme Corp raised its quarterly dividend to 28 cts a share from 25 cts.",
            ("29 cents", "28 cts", "number"),
        ),
        (
            "The strikers demand a 250 percent raise and rejected an offer of 100 percent.",
            "The strikers, seeking a 275 pct raise, rejected an offer of 100 pct.",
            ("250 percent", "275 pct", "number"),
        ),
        (
            "The lawsuit accused Delta Gas chairman Oscar Whitman of meddling in the sale.",
            "The lawsuit alleged that Delta Gas chairman Oscar Wyatt interfered with the sale.",
            ("Oscar Whitman", "Oscar Wyatt", "name"),
        ),
        (
            "The ministry announced the find at Grande Riviere in the north of the country.",
            "The ministry announced the discovery of a gold field in Grand Bois in the North.",
            ("Grande Riviere", "Grand Bois", "name"),
        ),
        (
            "The 20th round of talks ended without a deal.",
            "The 21st round of talks ended without a deal.",
            ("20th", "21st", "number"),
        ),
        (
            "Prime Minister Ana Ruiz opened the new bridge on Monday.",
            "President Ana Ruiz opened the new bridge on Monday.",
            ("Prime Minister", "President", "title"),
        ),
    ],
)
def test_conflict_found(derived: str, source: str, expected: tuple[str, str, str]) -> None:
    assert pairs(sentence_conflicts(derived, source, derived_doc=derived, source_doc=source)) == [
        expected
    ]


def test_conflict_found_across_two_source_sentences() -> None:
    source = doc(
        "src",
        "Taiwan bought 300,000 tonnes of maize.",
        "Pacific Grain Corp of Oregon won two contracts for 110,000 tonnes, at 92.44 dlrs.",
        "Cargill Inc of Minnesota also took two shipments totalling 110,000 tonnes, at 93.45 dlrs.",
    )
    derived = doc(
        "der",
        "Taiwan bought another 300,000 tonnes of maize.",
        "The biggest shares went to Pacific Grain Corp of Oregon and Continental Grain, "
        "each awarded two shipments totalling 110,000 tonnes.",
    )
    links = [Link((0,), (0,), 0.9, 0.8, "test"), Link((1,), (1, 2), 0.8, 0.5, "test")]
    assert pairs(relation_conflicts(derived, source, links)) == [
        ("Continental Grain", "Cargill Inc", "name")
    ]


# --- rewordings that keep the fact --------------------------------------------------------------


@pytest.mark.parametrize(
    ("derived", "source"),
    [
        ("The company paid 28 cts a share.", "The company paid 28 cents per share."),
        ("Acme earned 74.7 mln dlrs in the period.", "Acme earned $74.7 million in the period."),
        ("Profit rose 18.2 pct.", "Profit rose 18.2%."),
        ("Profit rose 18.2 percent.", "Profit rose 18.2%."),
        ("Acme earned 1.78 dlrs a share.", "Acme earned $1.78 a share."),
        ("Acme sold 340,000 tonnes.", "Acme sold 340,000 tonnes."),
        ("Delivery runs September 1-15.", "Delivery runs September 1 to 15."),
        ("Net rose in the third quarter.", "Net rose in the 3rd quarter."),
        ("Net rose in the third quarter.", "Net rose in Q3."),
        ("Prices ran from $92.44 to $96.89.", "Prices ran between 92.44 and 96.89 dlrs."),
        (
            "Cargill Inc of Minnesota took two cargoes.",
            "Minnesota-based Cargill Inc took two cargoes.",
        ),
        ("Cargill Inc of Minnesota took two cargoes.", "Cargill took two cargoes."),
        ("H.J. Heinz Co raised its dividend.", "Heinz raised its dividend."),
        ('He called it "a 54,000-tonne cargo".', "He called it 'a 54,000 tonne cargo'."),
        ("About 10,000 troops were sent.", "10,000 troops were sent."),
        ("The field pumps 280,000 bpd.", "The field pumps 280,000 barrels per day."),
        ("The talks took eight months.", "The talks took 8 months."),
        ("It bought two ships.", "It bought 2 ships."),
        ("Output fell 10 pct last yr.", "Output fell 10 percent last year."),
        ("The deal is worth 4 bln dlrs.", "The deal is worth $4 billion."),
        ("The 10000 troops left.", "The 10,000 TROOPS left."),
        ("Amphenol was one of seven units for sale.", "Amphenol and six other units are for sale."),
        # one title or name spelt two ways, or misspelt by a letter, is one fact
        (
            "Labor Minister Almir Pazzianotto called the strike illegal.",
            "Labour Minister Almir Pazzianotto called the strike illegal.",
        ),
        ("Defense Secretary Caspar Weinberger left.", "Defence Secretary Caspar Weinberger left."),
        ("Write to the Aquisitions Department of Acme.", "Write to the Acquisitions Department."),
        ("Ceasars World Inc rejected the bid.", "Caesars World Inc rejected the bid."),
        ("The bid came from Jeffery Lane, it said.", "The bid came from Jeffrey Lane, it said."),
    ],
)
def test_rewording_is_not_a_conflict(derived: str, source: str) -> None:
    assert sentence_conflicts(derived, source, derived_doc=derived, source_doc=source) == []


@pytest.mark.parametrize(
    ("derived", "source"),
    [
        ("The firm sold 5,000 cars to Hertz.", "The firm sold 5,000 cars."),
        ("The firm sold 5,000 cars.", "The firm sold 5,000 cars in 2023."),
        ("The Ohio firm sold 5,000 cars to Hertz.", "The firm sold 5,000 cars in 2023, Acme said."),
    ],
)
def test_dropped_or_added_facts_are_not_conflicts(derived: str, source: str) -> None:
    assert sentence_conflicts(derived, source, derived_doc=derived, source_doc=source) == []


def test_a_value_stated_elsewhere_in_the_other_document_is_not_a_conflict() -> None:
    derived = "Exports reached 290,000 tonnes in August."
    source = "Exports reached 280,000 tonnes in August."
    assert sentence_conflicts(derived, source) != []
    other = f"{source} A year earlier they were 290,000 tonnes."
    assert sentence_conflicts(derived, source, derived_doc=derived, source_doc=other) == []
    assert sentence_conflicts(derived, source, derived_doc=f"{derived} Not 280,000 tonnes.") == []


def test_a_changed_attribution_is_a_conflict_whatever_the_reporting_verb() -> None:
    derived = "Prices rose 2.3 pct in the March quarter, the Finance Ministry stated."
    source = "Prices rose 2.3 pct in the March quarter, the Statistics Department said."
    [conflict] = sentence_conflicts(derived, source, derived_doc=derived, source_doc=source)
    assert (conflict.derived, conflict.source) == ("Finance Ministry", "Statistics Department")


def test_on_a_copy_a_name_between_aligned_words_fills_the_other_names_slot() -> None:
    # the two sides share one context word ("exports"): not enough for a name on its own
    derived = "Exports fell 10 pct in March, the Finance Ministry said on Monday."
    source = "Exports dropped 10 pct in March, the Trade Office said in a statement."
    assert sentence_conflicts(derived, source, derived_doc=derived, source_doc=source) == []
    [conflict] = sentence_conflicts(derived, source, frame=0.4)
    assert (conflict.derived, conflict.source) == ("Finance Ministry", "Trade Office")
    # ... only where the two sides read as one statement
    assert sentence_conflicts(derived, source, frame=0.9) == []
    # ... and between words, not between names of a list
    listed = (
        "It has plants in West Germany, Spain and Britain.",
        "It has plants in West Germany, Austria and Britain.",
    )
    assert sentence_conflicts(*listed, frame=0.4) == []


# --- spans, batch layer -------------------------------------------------------------------------


def test_relation_conflict_spans_point_into_the_documents() -> None:
    source = doc(
        "src",
        "Acme Corp said net income rose.",
        "It raised its quarterly dividend to 28 cts a share from 25 cts.",
    )
    derived = doc(
        "der",
        "Acme Corp lifted its quarterly dividend to 29 cents a share, from 25 cents.",
        "Net income rose.",
    )
    links = [Link((0,), (1,), 0.9, 0.5, "test"), Link((1,), (0,), 0.9, 0.5, "test")]
    [conflict] = relation_conflicts(derived, source, links)
    assert derived.text[slice(*conflict.derived_span)] == conflict.derived == "29 cents"
    assert source.text[slice(*conflict.source_span)] == conflict.source == "28 cts"
    # the same link twice gives the conflict once
    assert relation_conflicts(derived, source, links * 2) == (conflict,)


def test_changes_lists_adds_drops_and_conflicts() -> None:
    source = doc("src", "Acme Corp sold 300 cars.", "Its shares fell.", "Its chief executive left.")
    derived = doc("der", "Acme Corp sold 310 cars.", "Analysts were surprised.", "Its shares fell.")
    links = [Link((0,), (0,), 0.9, 0.8, "test"), Link((2,), (1,), 1.0, 1.0, "exact")]
    result = changes(derived, source, links)
    assert isinstance(result, Changes)
    assert (result.adds, result.drops) == ((1,), (2,))
    assert pairs(result.conflicts) == [("310", "300", "number")]


def test_spans_survive_line_breaks_in_wire_copy() -> None:
    text = "Heinz earned 74.7\nmln dlrs, or 55 cts a share."
    [number, _] = [m for m in mentions(text) if m.kind == "number"]
    assert number.text == "74.7\nmln dlrs" and number.value == 74_700_000.0


# --- invariants ---------------------------------------------------------------------------------

_PIECES = [
    *"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789.,-$%\n'’/",
    *("pct ", "mln ", "Inc ", "of ", "President ", "third ", "two ", "more than ", "Minister "),
    *("dlrs ", "bpd ", "1-1/2 ", "twenty-one ", "Q3 ", "said "),
]
_NEWSY = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _NEWSY))
def test_a_text_never_conflicts_with_itself(text: str) -> None:
    assert sentence_conflicts(text, text) == []
    assert sentence_conflicts(text, text, derived_doc=text, source_doc=text) == []


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), _NEWSY), st.one_of(st.text(max_size=200), _NEWSY))
def test_never_raises_and_spans_are_exact(a: str, b: str) -> None:
    for conflict in sentence_conflicts(a, b, 7, 11, derived_doc=a, source_doc=b):
        assert a[conflict.derived_span[0] - 7 : conflict.derived_span[1] - 7] == conflict.derived
        assert b[conflict.source_span[0] - 11 : conflict.source_span[1] - 11] == conflict.source


_FACTUAL = [
    *("12,000 ", "more than 10,000 ", "10,000 ", "74.7 mln dlrs ", "$75 million ", "75 ", "3.0 "),
    *("3 ", "2.9 pct ", "29 cents ", "28 cts ", "1953 ", "1,953 ", "0.5 ", "half ", "two ", "1.5 "),
    *("Cargill Inc ", "Cargill ", "Continental Grain ", "OPEC ", "Oscar Wyatt ", "Oscar Whitman "),
    *(
        "Organization of Petroleum Exporting Countries ",
        "Coastal Corp ",
        "H.J. Heinz Co ",
        "Heinz ",
    ),
    *("United States ", "U.S. ", "Energy Minister ", "the ", "said ", "rose to ", "in ", ". "),
]
_FACT_TEXT = st.lists(st.sampled_from(_FACTUAL), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(_FACT_TEXT, _FACT_TEXT)
def test_a_number_is_stated_where_any_number_of_the_text_agrees(a: str, b: str) -> None:
    # `_stated` compares only numbers near in value; a comparison with every number must agree
    from copytrace.compare import _facts, _stated

    facts = _facts(b)
    others = [m for m in mentions(b) if m.kind == "number"]
    for m in mentions(a):
        if m.kind == "number":
            assert _stated(m, facts) == any(same_number(m, x) for x in others)


@settings(max_examples=200, deadline=None)
@given(_FACT_TEXT, _FACT_TEXT)
def test_matching_mentions_groups_as_comparing_every_pair_does(a: str, b: str) -> None:
    from copytrace.compare import _agree, _match

    d, s = mentions(a), mentions(b)
    d_labels, s_labels = _match(d, s)
    for i, j in itertools.product(range(len(d)), range(len(s))):
        if _agree(d[i], s[j]):  # derived first, as `_match` asks (`same_name` may not be symmetric)
            assert d_labels[i] is not None and d_labels[i] == s_labels[j]
    for i, label in enumerate(d_labels):  # a label only where some mention across agrees
        assert (label is not None) == any(_agree(d[i], m) for m in s)
    for j, label in enumerate(s_labels):
        assert (label is not None) == any(_agree(m, s[j]) for m in d)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcdefghij", min_size=6, max_size=9),
    st.integers(0, 8),
    st.sampled_from(["replace", "insert", "delete", "swap"]),
)
def test_names_one_edit_apart_share_an_index_key(word: str, at: int, edit: str) -> None:
    # `_match` and `_stated` only compare names that share a key of `_prefixes`
    from copytrace.compare import _prefixes

    at = min(at, len(word) - 2)
    other = {
        "replace": word[:at] + "z" + word[at + 1 :],
        "insert": word[:at] + "z" + word[at:],
        "delete": word[:at] + word[at + 1 :],
        "swap": word[:at] + word[at + 1] + word[at] + word[at + 2 :],
    }[edit]
    if same_name((word,), (other,), typos=True):
        assert _prefixes((word,)) & _prefixes((other,))


# --- labelled dev data (read in place, never copied) --------------------------------------------


def _links(derived: Document, source: Document) -> list[Link]:
    """Link each derived sentence with its two most similar source sentences (a crude aligner)."""
    from rapidfuzz import fuzz

    links = []
    for d in derived.sentences:
        scored = sorted(
            ((fuzz.token_sort_ratio(d.text, s.text), s.index) for s in source.sentences),
            reverse=True,
        )
        best = tuple(sorted(i for score, i in scored[:2] if score >= 40))
        if best:
            links.append(Link((d.index,), best, 0.0, 0.0, "test"))
    return links


def _read(path: Path) -> Document:
    return _split(path.stem, path.read_text(encoding="utf-8"))


def _split(doc_id: str, text: str) -> Document:
    bounds = [
        0,
        *(m.end() for m in re.finditer(r"(?<=[.!?])\s+(?=[A-Z\"“])|\n\s*\n", text)),
        len(text),
    ]
    sentences: list[Sentence] = []
    for start, end in itertools.pairwise(bounds):
        chunk = text[start:end]
        if chunk.strip():
            s = start + len(chunk) - len(chunk.lstrip())
            e = start + len(chunk.rstrip())
            sentences.append(Sentence(len(sentences), s, e, " ".join(text[s:e].lower().split())))
    return Document(doc_id, text, sentences=tuple(sentences))


def test_seeds_troop_number_is_the_only_conflict() -> None:
    seeds = {p.name[:3]: _read(p) for p in SEEDS.glob("*.txt")}
    original = seeds["001"]
    for name, expected in [
        ("000", []),  # spin
        ("003", []),  # condensed
        ("002", []),  # another report: its 70,000 troops are another figure, not in a linked slot
        ("004", [("12,000", "more than 10,000", "number")]),
    ]:
        derived = seeds[name]
        assert pairs(relation_conflicts(derived, original, _links(derived, original))) == expected


def test_rewrites_dev_changed_facts_found_and_copies_clean(shared: Callable[..., Path]) -> None:
    rewrites = shared("eval", "rewrites-dev")
    gold = [json.loads(line) for line in (rewrites / "gold.jsonl").read_text().splitlines()]
    for row in (row for row in gold if row["source_id"]):
        derived = _read(rewrites / "docs" / f"{row['id']}.txt")
        source = _read(rewrites / "docs" / f"{row['source_id']}.txt")
        links = _links(derived, source)
        found = [
            (" ".join(c.derived.split()), " ".join(c.source.split()))
            for c in relation_conflicts(derived, source, links)
        ]
        if row["changed_fact"]:
            new, old = row["changed_fact"]["new"], row["changed_fact"]["old"]
            assert any(new in d and old in s for d, s in found), (row["id"], found)
        else:
            assert found == [], (row["id"], row["role"], found)


_NAME_WORDS = ["heinz", "hj", "cargill", "inc", "oscar", "wyatt", "korea", "korean", "us", "opec"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_NAME_WORDS), max_size=3).map(tuple),
    st.lists(st.sampled_from(_NAME_WORDS), max_size=3).map(tuple),
)
def test_same_name_does_not_depend_on_the_order(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    # ("heinz", "heinz") and ("hj", "heinz") once agreed one way only
    assert same_name(a, b) == same_name(b, a)


FACT_SENTENCES = [
    "Taiwan bought 300,000 tonnes of maize.",
    "Pacific Grain Corp of Oregon won two contracts for 110,000 tonnes, at 92.44 dlrs.",
    "Energy Minister Subroto said OPEC would keep output at 15.8 mln bpd until June.",
    "Shareholders of Heinz will receive 29 cents a share, payable April 20.",
    "Coastal chairman Oscar Wyatt said the 1987 budget was 1.2 billion dlrs.",
    "More than 10,000 troops joined the 21st division near Kursk.",
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(FACT_SENTENCES),
    st.lists(st.sampled_from(FACT_SENTENCES), min_size=1, max_size=3),
    st.integers(0, 3),
)
def test_a_sentence_checked_against_its_own_words_has_no_conflict(
    same: str, others: list[str], at: int
) -> None:
    """`relation_conflicts` skips a derived sentence whose very text is among the source
    sentences it is checked against; the full check finds nothing there either."""
    from copytrace.compare import _conflicts

    source_sentences = [*others[:at], same, *others[at:]]
    derived = doc("der", "Reuters reported on Monday.", same)
    source = doc("src", *source_sentences)
    checked = tuple(range(len(source_sentences)))
    assert relation_conflicts(derived, source, [Link((1,), checked, 0.9, 1.0, "test")]) == ()
    sentence = derived.sentences[1]
    d_parts = [(derived.text[sentence.start : sentence.end], sentence.start)]
    s_parts = [(source.text[s.start : s.end], s.start) for s in source.sentences]
    assert _conflicts(d_parts, s_parts, derived.text, source.text) == []
