"""Stories: grouping without chaining, siblings, quote fidelity, and the original."""

from __future__ import annotations

from copytrace.config import StoryConfig
from copytrace.records import Document, Evidence, Link, Relation, Sentence
from copytrace.stories import (
    _words,
    build_stories,
    fidelity_documents,
    fidelity_votes,
    group,
    readings,
)


def rel(
    derived: str, source: str, kind: str = "spin", direction: str = "unknown", **kw
) -> Relation:
    return Relation(
        derived=derived,
        source=source,
        kind=kind,
        score=kw.get("score", 0.8),
        direction=direction,
        coverage_derived=kw.get("cd", 0.9),
        coverage_source=kw.get("cs", 0.9),
        passages=(),
        links=kw.get("links", ()),
        conflicts=(),
        evidence=Evidence(
            lexical=0.6,
            semantic=0.9,
            aligned=1,
            order=1.0,
            reused=kw.get("reused", 0),
            direction_reason="x",
        ),
    )


def doc(doc_id: str, *sentences: str, published: str | None = None) -> Document:
    text, spans, at = "", [], 0
    for s in sentences:
        spans.append(Sentence(len(spans), at, at + len(s), s.lower()))
        text += s + " "
        at = len(text)
    return Document(doc_id, text, published=published, sentences=tuple(spans))


def test_copies_always_group_and_same_story_needs_linkage() -> None:
    relations = [
        rel("b", "a"),
        rel("c", "b", kind="same_story"),
        rel("d", "c", kind="same_story"),  # d is like c only: no chain from a to d
        rel("x", "y", kind="same_story"),
    ]
    groups = group("abcdxyz", relations)
    assert ["a", "b", "c"] in groups  # c is like half of {a, b}: enough
    assert ["x", "y"] in groups
    assert ["z"] in groups
    assert not any({"a", "d"} <= set(g) for g in groups)


def test_same_story_merges_when_most_pairs_relate() -> None:
    relations = [
        rel("b", "a"),
        rel("c", "a", kind="same_story"),
        rel("c", "b", kind="same_story"),
    ]
    assert group("abc", relations) == [["a", "b", "c"]]


def test_original_is_the_root_and_siblings_are_marked() -> None:
    docs = {k: doc(k, f"text {k}.") for k in "abc"}
    relations = [
        rel("b", "a", direction="containment"),
        rel("c", "a", direction="containment"),
        rel("c", "b"),
    ]
    oriented, stories = build_stories(relations, docs)
    assert stories[0].original == "a"
    sibling = next(r for r in oriented if {r.derived, r.source} == {"b", "c"})
    assert sibling.direction == "unknown"
    assert "siblings" in sibling.evidence.direction_reason


def test_every_equal_root_is_weighed_for_the_original() -> None:
    # three undated copies of one text, each a root over the same four versions: the one the
    # versions took most from is the original, though it sorts last
    docs = {k: doc(k, f"text {k}.") for k in ["a", "b", "z", "v1", "v2", "v3", "v4"]}
    held = {"a": 0.5, "b": 0.6, "z": 0.9}
    relations = [
        rel(v, root, direction="containment", cd=cover)
        for root, cover in held.items()
        for v in ["v1", "v2", "v3", "v4"]
    ]
    _, stories = build_stories(relations, docs)
    assert stories[0].original == "z"
    assert "3.60 vs 2.40 for b" in stories[0].original_basis

    held["b"] = 0.89  # within 0.05 in all (3.60 vs 3.56): undecidable
    relations = [
        rel(v, root, direction="containment", cd=cover)
        for root, cover in held.items()
        for v in ["v1", "v2", "v3", "v4"]
    ]
    _, stories = build_stories(relations, docs)
    assert stories[0].original is None
    assert "equal weight: z, b" in stories[0].original_basis


def test_independent_reports_with_dates_name_the_first() -> None:
    docs = {
        "a": doc("a", "one.", published="2024-05-02"),
        "b": doc("b", "two.", published="2024-05-01"),
    }
    _, stories = build_stories([rel("a", "b", kind="same_story")], docs)
    assert stories[0].original == "b"


def test_no_dates_no_copies_means_no_original() -> None:
    docs = {"a": doc("a", "one."), "b": doc("b", "two.")}
    _, stories = build_stories([rel("a", "b", kind="same_story")], docs)
    assert stories[0].original is None
    assert "independent" in stories[0].original_basis


def test_quote_fidelity_points_at_the_rewording() -> None:
    original = doc("orig", '"The plan has completely failed," the minister said.')
    spun = doc("spin", '"The scheme has utterly collapsed," the minister said.')
    witness = doc("other", 'The minister called it a plan that "has completely failed".')
    link = Link((0,), (0,), 0.8, 0.5, "static")
    relation = rel("orig", "spin", links=(link,))
    for_derived, for_source, reasons = fidelity_votes(relation, original, spun, [witness])
    assert for_derived > for_source
    assert reasons
    oriented, stories = build_stories(
        [
            relation,
            rel("other", "orig", kind="same_story"),
            rel("other", "spin", kind="same_story"),
        ],
        {d.id: d for d in (original, spun, witness)},
    )
    copy = next(r for r in oriented if r.kind == "spin")
    assert (copy.derived, copy.source, copy.direction) == ("spin", "orig", "quote_fidelity")
    assert stories[0].original == "orig"


def test_variant_readings_point_at_the_light_edit() -> None:
    """A near copy changes a word or two per sentence: too little for the sentence votes, but the
    other versions read the original's words at that place."""
    first = "Bayes' theorem is often used to compute posterior probabilities given observations."
    edited = "Bayes' theorem is usually used to compute posterior probabilities given observations."
    original = doc("orig", first, "Each term has a conventional name.")
    copy = doc("copy", edited, "Each term has a conventional name.")
    witnesses = [
        doc("w1", "In short, the theorem is often used to compute a posterior."),
        doc("w2", "The theorem is often used to compute probabilities in medicine."),
    ]
    assert readings(_words(edited), _words(first)) == [
        ("theorem is usually used to", "theorem is often used to")
    ]
    link = Link((0,), (0,), 0.97, 0.96, "fuzzy")  # too alike for the sentence votes
    same = Link((1,), (1,), 1.0, 1.0, "exact")
    relation = rel("orig", "copy", kind="near_duplicate", links=(link, same))
    for_orig, for_copy, reasons = fidelity_votes(relation, original, copy, witnesses)
    assert (for_orig, for_copy) == (0.6, 0.0)
    assert reasons[0] == 'w1 reads "theorem is often used to", not "theorem is usually used to"'
    dissent = doc("w3", "Here the theorem is usually used to compute it.")
    for_orig, for_copy, reasons = fidelity_votes(relation, original, copy, [dissent, *witnesses])
    assert (for_orig, round(for_copy, 6)) == (0.6, 0.3)
    assert [r.split()[0] for r in reasons] == ["w1", "w2", "w3"]  # the heavier side's first
    off = StoryConfig(reading_weight=0.0)
    assert fidelity_votes(relation, original, copy, witnesses, off)[:2] == (0.0, 0.0)
    loose = StoryConfig(reading_lexical=0.97)  # a reworded link has no readings
    assert fidelity_votes(relation, original, copy, witnesses, loose)[:2] == (0.0, 0.0)
    others = [rel(w.id, x, kind="same_story") for w in witnesses for x in ("orig", "copy")]
    docs = {d.id: d for d in (original, copy, *witnesses)}
    oriented, stories = build_stories([relation, *others], docs)
    near = next(r for r in oriented if r.kind == "near_duplicate")
    assert (near.derived, near.source, near.direction) == ("copy", "orig", "quote_fidelity")
    assert stories[0].original == "orig"
    # a dropped aside is no reading: copies drop asides independently of one another
    assert readings(["it", "is", "often", "used"], ["it", "is", "used"]) == []


def test_witnesses_do_not_vote_on_a_link_of_scattered_sentences() -> None:
    """A page that pastes two sources: a sentence of one joined loosely to sentences 0 and 4 of the
    other is no statement rewritten, so the other pasted source, which holds that sentence word
    for word, says nothing of which page is older."""
    pasted = "Cats sleep for most of the day in warm places around the house."
    page = doc("page", pasted, "Dogs need a walk every morning before work.")
    other = doc(
        "source",
        "Cats sleep in the sun.",
        "A one.",
        "A two.",
        "A three.",
        "Warm places around the house draw them.",
    )
    witness = doc("pasted", "Intro.", pasted)
    scattered = Link((0,), (0, 4), 0.8, 0.45, "static")
    relation = rel("page", "source", kind="partial_reuse", links=(scattered,))
    assert fidelity_votes(relation, page, other, [witness])[:2] == (0.0, 0.0)
    near = StoryConfig(vote_max_skip=3)  # the same link counted: the witness votes for the page
    for_page, for_source, _ = fidelity_votes(relation, page, other, [witness], near)
    assert for_page > 0.0 and for_source == 0.0


def test_witnesses_do_not_orient_a_copy_between_texts_of_unlike_length() -> None:
    """A long page that pastes several short sources holds each one word for word, so its other
    sources keep its wording wherever a loose link joins it to the source in question: a copy
    between texts of unlike length keeps no direction. Of like length, the same votes orient it."""
    pasted = "Cats sleep for most of the day in warm places around the house."
    page = doc("page", pasted, "Dogs need a walk every morning before work.")
    source = doc("source", "Cats doze in sunny corners.")
    witness = doc("pasted", "Intro.", pasted)
    loose = Link((0,), (0,), 0.8, 0.45, "static")
    docs = {d.id: d for d in (page, source, witness)}
    others = [rel("pasted", "page", kind="partial_reuse", direction="containment")]

    def oriented(cd: float, cs: float, config: StoryConfig | None = None) -> Relation:
        copy = rel("source", "page", kind="partial_reuse", links=(loose,), cd=cd, cs=cs)
        found, _ = build_stories([copy, *others], docs, config or StoryConfig())
        return next(r for r in found if {r.derived, r.source} == {"source", "page"})

    unlike = oriented(0.6, 0.05)  # the page is twelve times the source
    assert unlike.direction == "unknown"
    alike = oriented(0.6, 0.5)
    assert (alike.derived, alike.direction) == ("source", "quote_fidelity")
    every = oriented(0.6, 0.05, StoryConfig(fidelity_length_ratio=0.0))
    assert (every.derived, every.direction) == ("source", "quote_fidelity")


def kept(derived: str, source: str, kind: str, direction: str, **kw) -> Relation:
    """A copy that keeps some wording or figure (`Evidence.reused`)."""
    return rel(derived, source, kind, direction, reused=1, **kw)


def test_a_copy_of_a_whole_rewrite_is_a_copy_of_what_it_rewrites() -> None:
    docs = {k: doc(k, f"text {k}.") for k in "xby"}
    relations = [
        kept("x", "b", "condensed", "containment", score=0.75),
        kept("b", "y", "spin", "published", score=0.86),
        rel("y", "x", kind="same_story", cd=0.2, cs=0.3),  # stored either way round
    ]
    oriented, stories = build_stories(relations, docs)
    through = next(r for r in oriented if {r.derived, r.source} == {"x", "y"})
    assert (through.derived, through.source, through.kind) == ("x", "y", "condensed")
    assert through.score == 0.75 and through.direction == "containment"
    assert through.evidence.direction_reason.startswith("through b:")
    # its own alignment with y stays: the coverages of the same-story pair, turned with it
    assert (through.coverage_derived, through.coverage_source) == (0.3, 0.2)
    assert stories[0].original == "y"


def test_no_copy_through_a_partial_or_weak_copy_or_a_wide_alignment_or_when_off() -> None:
    docs = {k: doc(k, f"text {k}.") for k in "xby"}
    same = rel("x", "y", kind="same_story", cd=0.2, cs=0.3)
    whole = [kept("x", "b", "condensed", "containment"), kept("b", "y", "spin", "published")]
    cases = [
        # b only condenses y: not all of y is in b
        (
            [kept("x", "b", "condensed", "containment"), kept("b", "y", "condensed", "published")],
            same,
        ),
        # x only reuses a passage of b, or little of x comes from b
        ([kept("x", "b", "partial_reuse", "published"), kept("b", "y", "spin", "published")], same),
        (
            [kept("x", "b", "condensed", "published", cd=0.3), kept("b", "y", "spin", "published")],
            same,
        ),
        # a copy that keeps no wording or figure, or whose direction is unknown
        ([rel("x", "b", "condensed", "containment"), kept("b", "y", "spin", "published")], same),
        ([kept("x", "b", "condensed", "containment"), rel("b", "y", "spin", "published")], same),
        ([kept("x", "b", "condensed", "unknown"), kept("b", "y", "spin", "published")], same),
        # x and y align over half of x and still are no copy: their facts differ
        (whole, rel("x", "y", kind="same_story", cd=0.5, cs=0.3)),
    ]
    for relations, direct in cases:
        oriented, _ = build_stories([*relations, direct], docs)
        assert next(r for r in oriented if r.source == "y" and r.derived == "x").kind == (
            "same_story"
        )
    off = StoryConfig(through_rewrites=False)
    oriented, _ = build_stories([*whole, same], docs, config=off)
    assert next(r for r in oriented if r.source == "y" and r.derived == "x").kind == "same_story"
    oriented, _ = build_stories([*whole, same], docs)
    assert next(r for r in oriented if r.source == "y" and r.derived == "x").kind == "condensed"


def test_the_stories_read_the_texts_of_undirected_copies_and_their_witnesses_only() -> None:
    relations = [
        rel("a", "b"),  # a copy without a direction: the witnesses vote on it
        rel("c", "a", "same_story"),  # c can witness
        rel("d", "e", direction="published"),  # directed: its texts are not needed
        rel("e", "f", "same_story"),
        rel("g", "h", "partial_reuse", cd=0.6, cs=0.05),  # unlike length: witnesses stay silent
        rel("i", "g", "same_story"),
    ]
    assert fidelity_documents(relations) == {"a", "b", "c"}
    every = StoryConfig(fidelity_length_ratio=0.0)
    assert fidelity_documents(relations, every) == {"a", "b", "c", "g", "h", "i"}
    # without text, as a store loads most members
    docs = {x: Document(x, "") for x in "abcdefghi"}
    oriented, _ = build_stories(relations[2:], docs)
    assert oriented[0].direction == "published"
