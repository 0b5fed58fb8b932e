"""Verbatim runs: words two texts share in order, found without sentence boundaries."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from copytrace.records import Document
from copytrace.sentences import prepare
from copytrace.verbatim import longest_run, run_chars, verbatim_runs

# A navigation menu and a recipe: no sentence ends, so the paste sits inside one long "sentence".
PASTED = (
    "cup coarsely chopped seeded dates 2 tablespoons water pinch of bicarb 10g butter "
    "2 tablespoons caster sugar 1 egg half cup self-raising flour butterscotch sauce "
    "2 tablespoons brown sugar 2 tablespoons cream 20g butter"
)
SOURCE = (
    "Home Recipes Desserts Contact Primary Navigation Ingredients 1 " + PASTED + " Method "
    "preheat the oven to 200C and grease four ramekins"
)
PAGE = (
    "Our club met on Sunday and we baked for the school fair. "
    "The list we used was this one " + PASTED + " and it made twelve small puddings. "
    "Next month we will try bread."
)


def doc(doc_id: str, text: str) -> Document:
    return prepare(Document(doc_id, text))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def test_a_paste_inside_sentences_is_one_run_with_spans_into_both_texts() -> None:
    a, b = doc("page", PAGE), doc("source", SOURCE)
    run = longest_run(verbatim_runs(a, b))
    assert run is not None
    assert words(a.text[run.a[0] : run.a[1]]) == words(b.text[run.b[0] : run.b[1]])
    assert words(PASTED) == words(a.text[run.a[0] : run.a[1]])[-len(words(PASTED)) :]
    assert run_chars(run) >= len(PASTED)


def test_a_misspelt_word_stays_inside_the_run_and_another_word_ends_it() -> None:
    a = doc("page", PAGE)
    typo = doc("source", SOURCE.replace("butterscotch", "buttrscotch"))
    whole = longest_run(verbatim_runs(a, doc("source", SOURCE)))
    assert whole is not None
    misspelt = longest_run(verbatim_runs(a, typo))
    assert misspelt is not None  # the same words of the page, one letter less in the source
    assert (misspelt.a, misspelt.words) == (whole.a, whole.words)
    assert misspelt.b == (whole.b[0], whole.b[1] - 1)
    other = longest_run(verbatim_runs(a, doc("source", SOURCE.replace("butterscotch", "toffee"))))
    assert other is not None and other.words < whole.words
    figure = longest_run(verbatim_runs(a, doc("source", SOURCE.replace("20g", "30g"))))
    assert figure is not None and figure.words < whole.words


def test_line_breaks_and_punctuation_do_not_break_a_run() -> None:
    text = "If legal advice or other expert assistance is required, the service of a professional "
    wrapped = text.replace("is required,", "is,\nrequired").replace("of a", "of\na")
    run = longest_run(verbatim_runs(doc("a", text), doc("b", wrapped)))
    assert run is not None and run.words == len(words(text))


def test_texts_without_five_words_in_common_have_no_run() -> None:
    a = doc("a", "The council approved the budget on Tuesday after a long debate.")
    b = doc("b", "A long debate ended on Tuesday when the council approved it.")
    assert verbatim_runs(a, b) == []


WORDS = st.sampled_from("the a bridge river council 12 2024 budget said was of on".split())


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=40), st.lists(WORDS, min_size=1, max_size=40))
def test_every_run_lies_inside_both_texts_and_covers_the_same_words(
    xs: list[str], ys: list[str]
) -> None:
    a, b = doc("a", " ".join(xs) + "."), doc("b", " ".join(ys) + ".")
    for run in verbatim_runs(a, b, max_gap=0):
        assert 0 <= run.a[0] < run.a[1] <= len(a.text)
        assert 0 <= run.b[0] < run.b[1] <= len(b.text)
        assert words(a.text[run.a[0] : run.a[1]]) == words(b.text[run.b[0] : run.b[1]])
        assert run.words == len(words(a.text[run.a[0] : run.a[1]]))


def test_asking_for_long_runs_skips_texts_that_share_only_a_short_sentence() -> None:
    shared = "The central bank left its main rate unchanged at the meeting on Tuesday."
    a = doc("a", f"Markets were calm. {shared} Traders expect a cut in spring.")
    b = doc("b", f"{shared} The currency rose slightly. Bond yields fell.")
    assert longest_run(verbatim_runs(a, b)) is not None  # the sentence is a run...
    assert verbatim_runs(a, b, min_chars=len(shared) + 1) == []  # ...too short to be asked for
    assert verbatim_runs(a, b, min_chars=len(shared) - 1) == verbatim_runs(a, b)


SENTENCES = st.sampled_from(
    [
        "The council approved the budget for the new bridge on Tuesday.",
        "The river rose by 12 centimetres overnight, the agency said.",
        "Work on the bridge will start in 2024 and last two years.",
        "A spokesman for the council declined to comment on the cost.",
        "Residents said the old bridge had been closed since March.",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(SENTENCES, min_size=1, max_size=6),
    st.lists(SENTENCES, min_size=1, max_size=6),
    st.integers(min_value=1, max_value=400),
)
def test_asking_for_long_runs_gives_every_run_or_none_and_never_drops_a_long_one(
    xs: list[str], ys: list[str], min_chars: int
) -> None:
    a, b = doc("a", " ".join(xs)), doc("b", " ".join(ys))
    every = verbatim_runs(a, b)
    asked = verbatim_runs(a, b, min_chars=min_chars)
    longest = longest_run(every)
    reaches = longest is not None and run_chars(longest) >= min_chars
    assert asked == (every if reaches else []) or (not reaches and asked == every)
