"""Cut a text into segments for display: plain text, aligned passages, conflicts.

Marks may overlap, nest, touch, run past the text or be empty; the segments always partition the
text, so putting them together gives it back exactly, character for character.

>>> [(s.text, s.passages, s.kind) for s in segment("ab cd ef", [Mark(3, 5, passage=2)])]
[('ab ', (), 'plain'), ('cd', (2,), 'passage'), (' ef', (), 'plain')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import pairwise

__all__ = ["Mark", "Segment", "collapse", "segment"]


@dataclass(frozen=True, slots=True)
class Mark:
    """A span of a text to highlight: an aligned passage (its number) or a conflict (a note)."""

    start: int
    end: int
    passage: int | None = None
    conflict: str | None = None  # says who says what, e.g. "derived says X, source says Y"


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a text and the marks covering all of it; `start`/`end` are offsets in the text."""

    text: str
    start: int
    end: int
    passages: tuple[int, ...] = ()  # numbers of the passages covering it, lowest first
    conflicts: tuple[str, ...] = ()  # notes of the conflicts covering it, in mark order

    @property
    def passage(self) -> int | None:
        """The number the segment is shown under: the lowest covering passage, if any."""
        return self.passages[0] if self.passages else None

    @property
    def kind(self) -> str:
        """ "conflict", "passage" or "plain": what the segment is shown as, strongest first."""
        if self.conflicts:
            return "conflict"
        return "passage" if self.passages else "plain"


def segment(text: str, marks: Iterable[Mark]) -> tuple[Segment, ...]:
    """Return the segments of `text` under `marks`, in text order, adjacent equal ones merged."""
    n = len(text)
    clipped = []
    for m in marks:
        start, end = max(0, min(m.start, n)), max(0, min(m.end, n))
        if start < end:
            clipped.append((start, end, m))
    cuts = sorted({0, n, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    starts: dict[int, list[int]] = {}
    for k, (s, _, _) in enumerate(clipped):
        starts.setdefault(s, []).append(k)
    active: set[int] = set()
    out: list[Segment] = []
    # Sweep the cut points; between two cuts the covering marks do not change.
    for lo, hi in pairwise(cuts):
        active = {k for k in active if clipped[k][1] > lo} | set(starts.get(lo, ()))
        covering = [clipped[k][2] for k in sorted(active)]
        passages = tuple(sorted({m.passage for m in covering if m.passage is not None}))
        conflicts = tuple(dict.fromkeys(m.conflict for m in covering if m.conflict is not None))
        if out and out[-1].passages == passages and out[-1].conflicts == conflicts:
            prev = out[-1]
            out[-1] = Segment(prev.text + text[lo:hi], prev.start, hi, passages, conflicts)
        else:
            out.append(Segment(text[lo:hi], lo, hi, passages, conflicts))
    return tuple(out)


def collapse(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    """Return the segments with runs of whitespace made one space, across segment borders too.

    Offsets still point into the original text; only `text` changes. Leading and trailing
    whitespace of the whole goes, and segments left empty are dropped.
    """
    out: list[Segment] = []
    pending_space = False
    for seg in segments:
        words = seg.text.split()
        if not words:
            pending_space = pending_space or bool(out)
            continue
        text = " ".join(words)
        if out and (pending_space or seg.text[0].isspace()):
            # The space goes to an unmarked neighbour, so marks start and end on a word.
            if _marked(seg) and not _marked(out[-1]):
                out[-1] = replace(out[-1], text=out[-1].text + " ")
            else:
                text = " " + text
        pending_space = seg.text[-1].isspace()
        out.append(replace(seg, text=text))
    return tuple(out)


def _marked(seg: Segment) -> bool:
    return bool(seg.passages or seg.conflicts)
