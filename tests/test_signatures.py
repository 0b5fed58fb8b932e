"""Tests for `copytrace.signatures`: numbers, anchors, shingles, MinHash, vectors and quotes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from copytrace.records import Document
from copytrace.sentences import prepare
from copytrace.signatures import (
    TERMS_DIM,
    anchors,
    combined_vector,
    doc_vector,
    encode_document,
    is_specific,
    jaccard,
    minhashes,
    number_tokens,
    quotes,
    sentence_anchors,
    shingles,
    terms,
    terms_vector,
)

UnitRows = Callable[..., np.ndarray]  # the `unit_rows` fixture


def prepared(text: str, doc_id: str = "d", **meta: str) -> Document:
    return prepare(Document(doc_id, text, **meta))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more than 10,000 troops", ["10000"]),
        ("3.50 dlrs a share", ["3.5"]),
        ("2.0 pct and 15.30 pct", ["2", "15.3"]),
        ("agent 007 and 0.0 growth", ["7", "0"]),
        ("It ended in 1986.", ["1986"]),
        ("1,250,000 barrels, up 12.", ["1250000", "12"]),
        ("no digits here", []),
        ("version v2 and A4 paper", []),  # digits inside words are not numbers
        # a scale word multiplies: one figure however it is written
        ("1.82 mln dlrs, or 1,820,000 dlrs", ["1820000", "1820000"]),
        ("2.5 Billion and 0.5bn and 3-million", ["2500000000", "500000000", "3000000"]),
        ("1.234567 thousand", ["1234.567"]),
        ("100m sprint, 5k run", ["100", "5"]),  # "m" and "k" may be metres: left alone
    ],
)
def test_number_tokens(text: str, expected: list[str]) -> None:
    assert number_tokens(text) == expected


@given(
    whole=st.integers(0, 10**12),
    fraction=st.one_of(st.none(), st.text(alphabet="0123456789", min_size=1, max_size=6)),
    commas=st.booleans(),
)
def test_number_tokens_keep_the_value(whole: int, fraction: str | None, commas: bool) -> None:
    written = f"{whole:,}" if commas else str(whole)
    if fraction is not None:
        written += "." + fraction
    [token] = number_tokens(f"Exports reached {written} tonnes.")
    assert Decimal(token) == Decimal(written.replace(",", ""))
    assert "," not in token
    assert not token.endswith(".")
    assert "." not in token or not token.endswith("0")


@given(
    whole=st.integers(0, 10**6),
    fraction=st.one_of(st.none(), st.text(alphabet="0123456789", min_size=1, max_size=12)),
    scale=st.sampled_from([("thousand", 3), ("mln", 6), ("billion", 9), ("tln", 12)]),
)
def test_a_scaled_number_is_its_value(
    whole: int, fraction: str | None, scale: tuple[str, int]
) -> None:
    written = str(whole) + ("." + fraction if fraction is not None else "")
    [token] = number_tokens(f"Exports reached {written} {scale[0]} tonnes.")
    assert Decimal(token) == Decimal(written).scaleb(scale[1])
    assert "." not in token or not token.endswith("0")


@given(st.text())
def test_number_tokens_never_raise(text: str) -> None:
    for token in number_tokens(text):
        assert token
        assert "," not in token
        assert not token.endswith(".")


@pytest.mark.parametrize("text", ["a 0.25 dlr dividend", "growth slowed to 0.5 pct"])
def test_number_tokens_keep_a_leading_zero_before_the_point(text: str) -> None:
    [token] = number_tokens(text)
    assert token[:1].isdigit()
    assert is_specific(token)


@pytest.mark.parametrize(
    ("token", "specific"),
    [
        ("15.3", True),
        ("700", True),
        ("10000", True),
        ("100", True),
        ("8", False),
        ("99", False),
        ("1986", False),
        ("2025", False),
        ("2101", True),
        ("putin", False),
        ("", False),
    ],
)
def test_is_specific(token: str, specific: bool) -> None:
    assert is_specific(token) is specific


def test_anchors_are_names_and_numbers() -> None:
    found = anchors("Putin told Gerasimov that the U.S. had sent 10,000 troops.")
    assert found == frozenset({"gerasimov", "us", "10000"})


def test_anchors_first_word_only_when_known() -> None:
    text = "Putin told Gerasimov the region was retaken."
    assert "putin" not in anchors(text)
    assert "putin" in anchors(text, frozenset({"putin"}))
    quoted = "“Kyiv will hold,” Zelensky said."
    assert "kyiv" in anchors(quoted, frozenset({"kyiv"}))  # an opening quote does not hide it


def test_anchors_skip_common_capitalised_words() -> None:
    found = anchors(
        "According to Reuters, the Lakeside board met on Monday.", frozenset({"according"})
    )
    assert found == frozenset({"lakeside"})


def test_anchors_strip_possessives_and_dots() -> None:
    found = anchors("The plan of Lakeside’s board and Bayes' rule met J.F. Hale's approval.")
    assert {"lakeside", "bayes", "jf", "hale"} <= found
    assert not any("'" in a or "’" in a or "." in a for a in found)


def test_anchors_read_spelled_numbers() -> None:
    assert anchors("Officials said three ships and twelve barges sank.") == frozenset({"3", "12"})


def test_sentence_anchors_know_the_documents_names() -> None:
    doc = prepared(
        "Gerasimov met Putin on Saturday. Putin thanked him. According to aides it went well."
    )
    found = sentence_anchors(doc)
    assert found[0] == frozenset({"putin"})  # "Gerasimov" opens the text, nobody names it inside
    assert found[1] == frozenset({"putin"})
    assert found[2] == frozenset()


def test_sentence_anchors_count_a_repeated_opener_as_a_name() -> None:
    doc = prepared("Harwell said its profit rose. Harwell shareholders will vote next spring.")
    assert sentence_anchors(doc) == (frozenset({"harwell"}), frozenset({"harwell"}))


def test_shingles_are_word_ngrams_of_the_body() -> None:
    doc = prepared("The Ferry sailed. It docked at noon.")
    assert shingles(doc, 3) == [
        "the ferry sailed",
        "ferry sailed it",
        "sailed it docked",
        "it docked at",
        "docked at noon",
    ]
    assert shingles(prepared("Too short."), 3) == ["too short"]
    assert shingles(prepared(""), 3) == []


def test_minhashes_shape_and_identity() -> None:
    a = prepared("The harbour bridge in Lakeside reopened on Monday after repairs.")
    b = prepared("The harbour bridge in Lakeside reopened on Monday after repairs.", "b")
    c = prepared("A new bakery opened near the station, selling bread and pastries.", "c")
    signatures = minhashes([a, b, c], 64, 3)
    assert signatures.shape == (3, 64)
    assert signatures.dtype == np.uint32
    assert (signatures[0] == signatures[1]).all()
    assert jaccard(signatures[0], signatures[1]) == 1.0
    assert jaccard(signatures[0], signatures[2]) < 0.2
    assert minhashes([], 64, 3).shape == (0, 64)
    assert minhashes([prepared("")], 16, 3).shape == (1, 16)


@pytest.mark.parametrize("overlap", [0, 50, 100, 150, 200])
def test_minhash_estimates_the_jaccard(overlap: int) -> None:
    words = [f"w{i}" for i in range(400)]
    a = prepared(" ".join(words[:200]) + ".")
    b = prepared(" ".join(words[200 - overlap : 400 - overlap]) + ".", "b")
    sa, sb = set(shingles(a, 3)), set(shingles(b, 3))
    true = len(sa & sb) / len(sa | sb)
    signatures = minhashes([a, b], 256, 3)
    # 256 permutations: standard error <= 0.032; 0.12 is well over three of them
    assert jaccard(signatures[0], signatures[1]) == pytest.approx(true, abs=0.12)


def test_doc_vector_is_the_unit_weighted_mean() -> None:
    rows = np.array([[1, 0], [0, 1]], dtype=np.float32)
    assert doc_vector(rows) == pytest.approx([2**-0.5, 2**-0.5])
    weighted = doc_vector(rows, np.array([3.0, 1.0]))
    assert np.linalg.norm(weighted) == pytest.approx(1.0)
    assert weighted[0] > weighted[1]
    assert doc_vector(np.zeros((0, 4), dtype=np.float32)).tolist() == [0.0] * 4


def test_terms_count_content_words_and_anchors_twice() -> None:
    doc = prepared("The harbour board raised fees. The board said 12 ships waited.")
    counts = terms(doc, sentence_anchors(doc))
    assert counts["board"] == 2
    assert counts["harbour"] == 1
    assert "the" not in counts and "said" not in counts  # stop words
    assert "12" not in counts  # numbers come in as anchors only
    assert counts["#12"] == 2


def test_terms_vector_is_unit_length() -> None:
    counts = Counter({"harbour": 2, "board": 1, "#lakeside": 2})
    vector = terms_vector(counts, {"board": 3}, 10)
    assert vector.shape == (TERMS_DIM,)
    assert vector.dtype == np.float32
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-6)
    assert not terms_vector(Counter(), {}, 10).any()


def test_terms_vector_weighs_rare_terms_above_common_ones() -> None:
    df = {"harbour": 1, "said": 100}
    both = terms_vector(Counter({"harbour": 1, "said": 1}), df, 100)
    rare = terms_vector(Counter({"harbour": 1}), df, 100)
    common = terms_vector(Counter({"said": 1}), df, 100)
    assert float(both @ rare) > 0.99
    assert abs(float(both @ common)) < 0.1
    # a term in every document says nothing at all
    assert not terms_vector(Counter({"said": 5}), df, 100).any()


def test_combined_vector_mixes_cosines_by_weight(unit_rows: UnitRows) -> None:
    sem = unit_rows(2, 16, seed=1)
    lex = unit_rows(2, 32, seed=2)
    weight = 0.3
    a = combined_vector(sem[0], lex[0], weight)
    b = combined_vector(sem[1], lex[1], weight)
    assert a.dtype == np.float32
    assert a.shape == (48,)
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)
    expected = (1 - weight) * float(sem[0] @ sem[1]) + weight * float(lex[0] @ lex[1])
    assert float(a @ b) == pytest.approx(expected, abs=1e-5)


def test_combined_vector_without_terms_keeps_the_semantic_part(unit_rows: UnitRows) -> None:
    sem = unit_rows(1, 16)[0]
    joined = combined_vector(sem, np.zeros(32, dtype=np.float32), 0.5)
    assert joined[:16] == pytest.approx(sem)
    assert not joined[16:].any()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said “we will rebuild the bridge” on Monday.", ["we will rebuild the bridge"]),
        ('She called it "a clear failure", then left.', ["a clear failure"]),
        ("The “Too many people are dying,” post spread.", ["too many people are dying"]),
        ("He called it ‘a propaganda trick’ twice.", ["a propaganda trick"]),
        (
            "The 'so-called plan' was, he said, 'dead on arrival'.",
            ["so-called plan", "dead on arrival"],
        ),
        ("It's Evans's car and the Hales' boat.", []),  # apostrophes, not quotes
        ('The word "yes" and "No."', []),  # too short to be a quote
        ('A single word "overdue" counts.', ["overdue"]),
        ("No quotes here at all.", []),
    ],
)
def test_quotes(text: str, expected: list[str]) -> None:
    assert quotes(text) == expected


@given(st.text())
def test_quotes_never_raise_and_are_normalised(text: str) -> None:
    from copytrace.clean import normalize

    for quote in quotes(text):
        assert quote
        assert normalize(quote) == quote


def test_encode_document(unit_rows: UnitRows) -> None:
    doc = prepared(
        "Mayor Ruth Evans opened the Lakeside bridge. Evans said “it was worth the wait” to 300 "
        "guests.",
        title="Lakeside bridge opens",
    )
    vectors = unit_rows(len(doc.sentences), 8)
    encoded = encode_document(doc, vectors)
    assert encoded.doc is doc
    assert encoded.vectors is vectors
    assert encoded.lengths == tuple(s.end - s.start for s in doc.sentences)
    assert len(encoded.anchors) == len(doc.sentences)
    assert encoded.anchors[1] == frozenset({"evans", "300"})  # "Evans" is known from sentence 0
    assert encoded.all_anchors == frozenset().union(*encoded.anchors)
    assert encoded.quotes == frozenset({"it was worth the wait"})
    assert float(np.linalg.norm(encoded.vector)) == pytest.approx(1.0, abs=1e-5)


def test_encode_document_without_sentences() -> None:
    doc = prepared("")
    encoded = encode_document(doc, np.zeros((0, 8), dtype=np.float32))
    assert encoded.anchors == ()
    assert encoded.all_anchors == frozenset()
    assert encoded.vector.shape == (8,)
    assert not encoded.vector.any()
