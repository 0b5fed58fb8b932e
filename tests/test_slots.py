"""Slots: a statement as words with its mentions in place, and which mentions fill one slot."""

from __future__ import annotations

from copytrace.slots import MIN_SLOT, Side, analysed, slot_score, stem, word_alignment


def test_stem_folds_case_possessives_and_plurals() -> None:
    assert stem("Heinz's") == "heinz"
    assert stem("Dividends") == "dividend"
    assert stem("glass") == "glass"


def test_a_mention_is_one_empty_word_at_its_place() -> None:
    part = analysed("The dividend rose to 29 cents a share.", 100)
    [number] = part.mentions
    assert number.text == "29 cents" and number.start == 121
    assert part.words[part.where[0]] == ""
    assert "dividend" in part.words


def test_a_changed_figure_fills_the_same_slot_and_another_does_not() -> None:
    d = Side([("The dividend rose to 29 cents a share, Heinz said on 12 March.", 0)])
    s = Side([("It raised the dividend to 28 cts a share, Heinz said on 12 March.", 0)])
    d_tokens = d.tokens([None] * len(d.mentions))
    s_tokens = s.tokens([None] * len(s.mentions))
    aligned, gap = word_alignment(d_tokens, s_tokens)
    cents = next(i for i, m in enumerate(d.mentions) if m.text == "29 cents")
    cts = next(j for j, m in enumerate(s.mentions) if m.text == "28 cts")
    day = next(j for j, m in enumerate(s.mentions) if m.text.startswith("12"))
    assert slot_score(d, s, cents, cts, d_tokens, s_tokens, aligned, gap) >= MIN_SLOT
    assert slot_score(d, s, cents, day, d_tokens, s_tokens, aligned, gap) == 0


def test_word_alignment_maps_equal_runs_and_shares_gap_ids() -> None:
    a = ["the", "dividend", "rose", "to", "x"]
    b = ["the", "dividend", "went", "to", "x"]
    aligned, gap = word_alignment(a, b)
    assert aligned[0] == 0 and aligned[1] == 1 and aligned[4] == 4
    assert 2 not in aligned
    assert gap[2] == gap[len(a) + 2]  # "rose" and "went" sit in one gap
