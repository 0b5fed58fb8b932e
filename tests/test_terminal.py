"""Terminal text helpers: wrapping, cutting, and the number formats of the reports."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from copytrace.terminal import Paint, collapse, fit, pct, plural, wrapped


@given(st.text())
def test_collapse_is_idempotent_and_single_spaced(text: str) -> None:
    once = collapse(text)
    assert collapse(once) == once
    assert "  " not in once and "\n" not in once


@given(st.text(), st.integers(min_value=2, max_value=80))
def test_fit_never_exceeds_the_width_and_marks_a_cut(text: str, width: int) -> None:
    out = fit(text, width)
    assert len(out) <= width
    assert out == text or out.endswith("…")


def test_numbers_read_as_a_report_writes_them() -> None:
    assert pct(0.934) == "93%"
    assert plural(1, "relation") == "1 relation"
    assert plural(2014, "relation") == "2,014 relations"
    assert plural(2, "story", "stories") == "2 stories"


def test_wrapped_lines_keep_the_prefix_and_the_line_limit() -> None:
    text = "word " * 100
    lines = wrapped(text, 40, "  > ", max_lines=3)
    assert len(lines) == 3
    assert all(line.startswith("  > ") and len(line) <= 40 for line in lines)
    assert lines[-1].endswith("…")


def test_paint_styles_only_when_colour_is_on() -> None:
    assert Paint(False)("kind", fg="green") == "kind"
    assert Paint(True)("kind", fg="green") != "kind"
