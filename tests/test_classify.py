"""Relation kinds, the evidence against a copy, and the pairwise direction."""

from __future__ import annotations

from copytrace.align import align_encoded
from copytrace.classify import classify, published_order
from copytrace.config import AlignConfig, ClassifyConfig
from copytrace.embeddings import HashEmbedder
from copytrace.evidence import contradiction, subjects
from copytrace.records import Document, Encoded
from copytrace.sentences import prepare
from copytrace.signatures import encode_document

EMBEDDER = HashEmbedder()
ALIGN = AlignConfig(model="lexical", rescore=False)
CLASSIFY = ClassifyConfig()

SOURCE = (
    "The city council approved a budget of 4.2 million euros on Tuesday. "
    "Mayor Anna Berg said the money will repair the old river bridge at Lindholm. "
    "Engineers found cracks in two pillars of the bridge last spring. "
    "Work is expected to start in May and last eight months. "
    "The bridge carries 12,000 cars a day, according to the transport office. "
    "A ferry will run between the two banks while the bridge is closed."
)


def encode(doc_id: str, text: str, **meta: str) -> Encoded:
    doc = prepare(Document(doc_id, text, **meta))
    return encode_document(doc, EMBEDDER.encode([s.text for s in doc.sentences]))


def relate(a: Encoded, b: Encoded):
    return classify(align_encoded(a, b, ALIGN), a, b, CLASSIFY)


def test_same_text_is_a_duplicate() -> None:
    rel = relate(encode("a", SOURCE), encode("b", SOURCE.replace("  ", " ").upper().lower()))
    assert rel is not None and rel.kind == "duplicate" and rel.score == 1.0


def test_light_edits_are_a_near_duplicate() -> None:
    edited = SOURCE.replace("approved", "passed").replace("last spring", "in the spring")
    rel = relate(encode("a", edited), encode("b", SOURCE))
    assert rel is not None and rel.kind == "near_duplicate"
    assert rel.evidence.lexical >= CLASSIFY.near_duplicate_lexical


def test_a_cut_down_copy_is_contained_in_its_source() -> None:
    cut = " ".join(SOURCE.split(". ")[:3]) + "."
    rel = relate(encode("a", cut), encode("b", SOURCE))
    assert rel is not None and rel.kind in ("condensed", "near_duplicate")
    assert (rel.derived, rel.source) == ("a", "b")
    assert rel.direction == "containment"


def test_earlier_publication_decides_direction() -> None:
    edited = SOURCE.replace("approved", "passed")
    rel = relate(
        encode("early", edited, published="2024-01-02"),
        encode("late", SOURCE, published="2024-03-04"),
    )
    assert rel is not None
    assert (rel.derived, rel.source, rel.direction) == ("late", "early", "published")


def test_published_order() -> None:
    a = Document("a", "x", published="2024-01-02")
    b = Document("b", "x", published="2024-01-02T10:00:00")
    c = Document("c", "x")
    assert published_order(a, b) == -1
    assert published_order(b, a) == 1
    assert published_order(a, c) == 0


def test_template_with_other_figures_is_not_a_copy() -> None:
    first = encode("a", "Qtly div three cts vs three cts prior.\nPay March 27.\nRecord March 16.")
    second = encode("b", "Qtly div four cts vs four cts prior.\nPay April 20.\nRecord April 6.")
    alignment = align_encoded(first, second, ALIGN)
    assert contradiction(alignment.links, first, second, 0.8, CLASSIFY)
    rel = classify(alignment, first, second, CLASSIFY)
    assert rel is None or not rel.is_copy


def test_other_subject_is_not_a_copy() -> None:
    a = encode(
        "a",
        "Hovnanian Enterprises said its board declared a two-for-one stock split. "
        "Hovnanian shareholders will receive one more share for each share held.",
    )
    b = encode(
        "b",
        "Pansophic Systems said its board declared a two-for-one stock split. "
        "Pansophic shareholders will receive one more share for each share held.",
    )
    assert "hovnanian" in subjects(a)
    rel = relate(a, b)
    assert rel is None or not rel.is_copy


def test_evidence_is_filled() -> None:
    rel = relate(encode("a", SOURCE.replace("approved", "passed")), encode("b", SOURCE))
    assert rel is not None
    assert rel.evidence.aligned == len(rel.links) > 0
    assert rel.evidence.kind_reason and rel.evidence.direction_reason
    assert 0.0 <= rel.coverage_derived <= 1.0 and 0.0 <= rel.coverage_source <= 1.0
