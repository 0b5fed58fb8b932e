"""Figures: numbers found with their qualifier, scale and unit, and rewordings made equal."""

from __future__ import annotations

import pytest

from copytrace.figures import number_mentions, same_number


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("74.7 mln dlrs", 74_700_000, "usd"),
        ("$74.7 million", 74_700_000, "usd"),
        ("28 cts", 0.28, "usd"),
        ("18.2 per cent", 18.2, "pct"),
        ("the third quarter", 3, "ord"),
        ("Q3", 3, "ord"),
        ("twenty-one", 21, ""),
    ],
)
def test_a_figure_is_normalised(text: str, value: float, unit: str) -> None:
    [m] = number_mentions(text)
    assert m.value == pytest.approx(value) and m.unit == unit


def test_spans_are_shifted_by_the_offset_and_keep_the_qualifier() -> None:
    [m] = number_mentions("about more than 10,000 troops", offset=50)
    assert m.text == "more than 10,000" and m.qualifier == "more than"
    assert (m.start, m.end) == (56, 72)


def test_a_range_shares_its_unit() -> None:
    low, high = number_mentions("between 92.44 and 96.00 dlrs")
    assert low.unit == high.unit == "usd"


def test_a_year_before_an_amount_is_not_a_range() -> None:
    year, amount = number_mentions("cutting the deficit for 1988 to 108 billion dlrs")
    assert (year.value, year.unit) == (1988, "") and amount.unit == "usd"
    low, high = number_mentions("from 1,900 to 2,100 tonnes")
    assert low.unit == high.unit == "t"


def test_a_rounded_figure_agrees_with_the_precise_one_only_when_it_keeps_two_digits() -> None:
    [rounded] = number_mentions("$75 million")
    [precise] = number_mentions("74.7 mln dlrs")
    assert same_number(rounded, precise)
    [ten] = number_mentions("10,000")
    [twelve] = number_mentions("12,000")
    assert not same_number(ten, twelve)
