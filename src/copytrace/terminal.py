"""Terminal text: colour when it is on, wrapping, and the small number formats of the reports."""

from __future__ import annotations

import textwrap
from typing import Any

import click


class Paint:
    """`click.style` when colour is on, the plain text otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color else text


def collapse(text: str) -> str:
    """Return `text` with every run of whitespace (newlines too) made one space."""
    return " ".join(text.split())


def wrapped(
    text: str,
    width: int,
    first: str,
    max_lines: int | None = None,
    paint: Paint | None = None,
    indent: str | None = None,
) -> list[str]:
    """Return `text` (whitespace collapsed) wrapped to `width` behind `first`, at most `max_lines`
    lines (the last ending in an ellipsis), dimmed when `paint` is given."""
    lines = textwrap.wrap(
        collapse(text),
        max(width, 40),
        initial_indent=first,
        subsequent_indent=first if indent is None else indent,
        max_lines=max_lines,
        placeholder=" …",
    )
    return [paint(x, dim=True) for x in lines] if paint else lines


def fit(text: str, width: int) -> str:
    """Return `text` cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def pct(share: float) -> str:
    """Return a 0-1 share as a whole percentage ("93%")."""
    return f"{share:.0%}"


def plural(n: int, word: str, plural: str | None = None) -> str:
    """Return "1 relation", "2,014 relations" (`plural` when the word does not just take an s)."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
