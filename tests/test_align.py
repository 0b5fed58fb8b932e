"""Sentence alignment: links, many-to-one condensing, passages, coverage and symmetry."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from copytrace.align import align_encoded, fact_links, mirror, passages
from copytrace.config import AlignConfig
from copytrace.embeddings import HashEmbedder
from copytrace.records import Document, Encoded, Link
from copytrace.sentences import prepare
from copytrace.signatures import encode_document

EMBEDDER = HashEmbedder()
CONFIG = AlignConfig(model="lexical", rescore=False)


def encode(doc_id: str, text: str) -> Encoded:
    doc = prepare(Document(doc_id, text))
    return encode_document(doc, EMBEDDER.encode([s.text for s in doc.sentences]))


SOURCE = (
    "The city council approved a budget of 4.2 million euros on Tuesday. "
    "Mayor Anna Berg said the money will repair the old river bridge. "
    "Engineers found cracks in two pillars of the bridge last spring. "
    "Work is expected to start in May and last eight months."
)


def test_verbatim_sentences_align_one_to_one() -> None:
    a, b = encode("a", SOURCE), encode("b", SOURCE)
    alignment = align_encoded(a, b, CONFIG)
    assert [(link.a, link.b) for link in alignment.links] == [((i,), (i,)) for i in range(4)]
    assert all(link.method == "exact" for link in alignment.links)
    assert alignment.coverage_a == alignment.coverage_b == 1.0
    assert len(alignment.passages) == 1
    assert alignment.order == 1.0


def test_unrelated_texts_do_not_align() -> None:
    other = encode(
        "b",
        "The choir sang in the cathedral on Sunday. Tickets sold out within an hour. "
        "The conductor thanked the audience.",
    )
    alignment = align_encoded(encode("a", SOURCE), other, CONFIG)
    assert alignment.links == ()
    assert alignment.coverage_a == alignment.coverage_b == 0.0


def test_edited_sentences_align_as_fuzzy() -> None:
    edited = SOURCE.replace("approved", "passed").replace("last spring", "in the spring")
    alignment = align_encoded(encode("a", edited), encode("b", SOURCE), CONFIG)
    assert len(alignment.links) == 4
    assert {link.method for link in alignment.links} <= {"exact", "fuzzy"}


def test_one_sentence_may_stand_for_several() -> None:
    # the derived sentence merges the source's first two sentences, keeping their facts
    derived = encode(
        "a",
        "The city council approved a budget of 4.2 million euros on Tuesday, and mayor Anna "
        "Berg said the money will repair the old river bridge. Work is expected to start in "
        "May and last eight months.",
    )
    alignment = align_encoded(derived, encode("b", SOURCE), CONFIG)
    first = next(link for link in alignment.links if 0 in link.a)
    assert set(first.b) == {0, 1}
    assert alignment.coverage_a > alignment.coverage_b


def test_mirror_swaps_sides() -> None:
    a, b = encode("a", SOURCE), encode("b", SOURCE.replace("Tuesday", "Monday"))
    forward = align_encoded(a, b, CONFIG)
    backward = align_encoded(b, a, CONFIG)
    assert mirror(forward) == backward


def test_passage_spans_cover_the_linked_sentences() -> None:
    a, b = encode("a", SOURCE), encode("b", "Intro line here.\n" + SOURCE)
    alignment = align_encoded(a, b, CONFIG)
    spans = passages(list(alignment.links), a, b)
    assert spans[0].a[0] == 0
    assert b.doc.text[spans[0].b[0] : spans[0].b[1]].startswith("The city council")


def test_a_link_far_apart_on_one_side_gives_a_passage_for_each_place() -> None:
    """One sentence standing for sentences 0 and 4 (and 5) of the other text: the passages claim
    those places, not the three sentences between."""
    long_text = SOURCE + " The bridge opened in 1911. It carries 9,000 cars a day."
    a, b = (
        encode("a", "Brief: a 4.2 million euro budget will repair the bridge."),
        encode("b", long_text),
    )
    link = Link((0,), (0, 4, 5), 0.8, 0.5, "static")
    spans = passages([link], a, b)
    assert [s.b for s in spans] == [
        (b.doc.sentences[0].start, b.doc.sentences[0].end),
        (b.doc.sentences[4].start, b.doc.sentences[5].end),
    ]
    assert all(s.a == (0, a.doc.sentences[0].end) and s.sentences == 1 for s in spans)
    close = Link((0,), (0, 2), 0.8, 0.5, "static")  # one sentence between: one passage
    assert [s.b for s in passages([close], a, b)] == [
        (b.doc.sentences[0].start, b.doc.sentences[2].end)
    ]


def test_fact_links_add_near_neighbours() -> None:
    a, b = encode("a", SOURCE), encode("b", SOURCE)
    checks = fact_links(a, b, [], top=1, floor=0.5)
    assert [(link.a, link.b) for link in checks] == [((i,), (i,)) for i in range(4)]


def test_fact_links_add_the_neighbour_a_merged_sentence_shares_wording_with() -> None:
    # the derived sentence merges the source's first two, but is linked to the second only
    merged = (
        "Mayor Anna Berg said the money will repair the old river bridge, "
        "after the city council approved a budget of 4.2 million euros on Tuesday."
    )
    a, b = encode("a", merged), encode("b", SOURCE)
    linked = [Link((0,), (1,), 0.7, 0.5, "static")]
    assert fact_links(a, b, linked, top=0)[0].b == (1,)
    assert fact_links(a, b, linked, top=0, neighbour_overlap=0.6)[0].b == (0, 1)
    # the sentence after the link shares no wording with it, so it is not checked
    assert 2 not in fact_links(a, b, linked, top=0, neighbour_overlap=0.6)[0].b


_SENTENCES = st.lists(
    st.sampled_from(
        [
            "The city council approved a budget of 4.2 million euros on Tuesday.",
            "Mayor Anna Berg said the money will repair the old river bridge.",
            "Engineers found cracks in two pillars of the bridge last spring.",
            "Work is expected to start in May and last eight months.",
            "The choir sang in the cathedral on Sunday.",
            "Tickets sold out within an hour.",
            "Council members voted seven to two in favour.",
        ]
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(left=_SENTENCES, right=_SENTENCES)
def test_alignment_is_symmetric_and_spans_lie_inside(left: list[str], right: list[str]) -> None:
    a, b = encode("a", " ".join(left)), encode("b", " ".join(right))
    forward = align_encoded(a, b, CONFIG)
    assert mirror(forward) == align_encoded(b, a, CONFIG)
    for p in forward.passages:
        assert 0 <= p.a[0] < p.a[1] <= len(a.doc.text)
        assert 0 <= p.b[0] < p.b[1] <= len(b.doc.text)
    used_a = [i for link in forward.links for i in link.a]
    used_b = [j for link in forward.links for j in link.b]
    assert len(used_a) == len(set(used_a)) and len(used_b) == len(set(used_b))
    assert 0.0 <= forward.coverage_a <= 1.0 and 0.0 <= forward.coverage_b <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 7), st.integers(1, 7), st.integers(0, 2**32 - 1), st.data())
def test_no_seed_anywhere_means_none_among_the_free(
    rows: int, cols: int, seed: int, data: st.DataObject
) -> None:
    """`merge._may_seed` may skip the search for new links: a sentence that is not promising
    against every sentence of the other side is not promising against the free ones."""
    import numpy as np

    from copytrace.merge import _may_seed, _promising

    config = AlignConfig()
    sims = np.random.default_rng(seed).uniform(0.3, 0.9, (rows, cols)).astype(np.float32)
    free = data.draw(st.lists(st.integers(0, rows - 1), min_size=2, max_size=rows, unique=True))
    if not _may_seed(sims, config):
        assert not _promising(sims[sorted(free)], config).any()
