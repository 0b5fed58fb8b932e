"""Where a mention sits in its statement: a sentence as stemmed words with its mentions in place,
a word alignment of two statements, and the evidence that two mentions fill the same slot (the
"29 cents" where the other says "28 cts"). `compare` pairs leftover mentions with these.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from copytrace.facts import mentions, same_word
from copytrace.records import Mention

WINDOW = 4  # content words either side of a mention that make up its context
# Evidence for "same slot" (see `slot_score`): a place in the word alignment (2) and one shared
# context word (1), or similar names, or a shared context word more. Chosen on rewrites-dev and
# the seeds: it finds the six changed facts and the seed troop number, and nothing on faithful
# copies.
MIN_SLOT = 3

# Verbs that attribute a statement, stemmed (`stem`): "..., the ministry said" / "stated".
_SAID = frozenset(
    str.split(
        """said say says told tell tells added adds reported announced announce stated noted
        explained confirmed disclosed declared claimed commented wrote"""
    )
)
_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")
_STOP = frozenset(
    str.split(
        """a an the this that these those it its he she they we i his her their our them him who
        which what when where while as at by for from in into of on onto to with within without
        about over under up down out off than then so and or but nor if because although though
        also however meanwhile is are was were be been being has have had do does did will would
        shall should can could may might must not no said says say told according each both all
        any some such other per there here after before since until just only more most less very
        new"""
    )
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return a word lower-cased, without a possessive and a plural s ("Heinz's" -> "heinz")."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Part:
    """One sentence, analysed: its mentions and its words, each mention as one "" word."""

    mentions: tuple[Mention, ...]  # numbers and names
    titles: tuple[Mention, ...]  # titles stay plain words in `words`: they are context
    words: tuple[str, ...]  # stemmed
    where: tuple[int, ...]  # word index of each mention


@lru_cache(maxsize=65536)  # one entry per sentence checked
def analysed(text: str, offset: int) -> Part:
    """Return a sentence (starting at `offset` in its document) as words and mentions."""
    found = mentions(text, offset)
    facts = [m for m in found if m.kind != "title"]
    words: list[str] = []
    where = [-1] * len(facts)
    k = 0
    for w in _WORD.finditer(text):
        pos = w.start() + offset
        while k < len(facts) and facts[k].end <= pos:
            k += 1
        if k < len(facts) and facts[k].start <= pos:
            if where[k] < 0:
                where[k] = len(words)
                words.append("")
            continue
        words.append(stem(w.group()))
    for k, position in enumerate(where):
        if position < 0:  # a mention without a word character in it (defensive)
            where[k] = len(words)
            words.append("")
    titles = tuple(m for m in found if m.kind == "title")
    return Part(tuple(facts), titles, tuple(words), tuple(where))


class Side:
    """One side of a link: the mentions and words of its sentences, in order."""

    def __init__(self, parts: Sequence[tuple[str, int]]) -> None:
        self.mentions: list[Mention] = []
        self.titles: list[Mention] = []
        self.words: list[str] = []
        self.where: list[int] = []
        for text, offset in parts:
            part = analysed(text, offset)
            self.where += [len(self.words) + w for w in part.where]
            self.mentions += part.mentions
            self.titles += part.titles
            self.words += part.words

    def tokens(self, labels: list[int | None]) -> list[str]:
        """Return the words with each mention as "=<label>" when matched, else "#<kind>:<unit>"."""
        out = list(self.words)
        for m, pos, label in zip(self.mentions, self.where, labels, strict=True):
            out[pos] = f"#{m.kind}:{m.unit}" if label is None else f"={label}"
        return out


def slot_score(
    d: Side,
    s: Side,
    i: int,
    j: int,
    d_tokens: list[str],
    s_tokens: list[str],
    aligned: dict[int, int],
    gap: dict[int, int],
    framed_names: bool = False,
) -> int:
    """Return the evidence that derived mention `i` and source mention `j` fill the same slot.

    0 means "not the same slot". Points: 2 when the word alignment puts one in the other's place
    (1 when both fall in the same unaligned stretch), 1 per shared context word or matched mention,
    1 for names sharing a word ("Oscar Wyatt" / "Oscar Whitman"). On dev, pairs that shared only a
    matched mention and a place were unrelated sentences ("America" / "Washington"), and pairs that
    shared only context played different roles ("told the BBC" / "with United States President
    Trump"); so a number needs a place, and a name a similar word or an aligned place and two shared
    words. With `framed_names` (a copy whose link reads as one statement), an aligned place between
    aligned words also does for a name, and scores 1 more: "the Finance Ministry said" against "the
    Statistics Department said".
    """
    dm, sm = d.mentions[i], s.mentions[j]
    if dm.kind != sm.kind:
        return 0
    if dm.kind == "number" and (dm.unit != sm.unit or _year(dm) != _year(sm)):
        return 0
    if dm.kind == "name" and dm.role != sm.role and "place" in (dm.role, sm.role):
        return 0  # "Cargill Inc of Iowa": the Iowa is a place, not a company
    di, sj = d.where[i], s.where[j]
    same_gap = gap.get(di, -1) == gap.get(sj + len(d_tokens), -2)
    place = 2 if aligned.get(di) == sj else int(same_gap)
    similar = dm.kind == "name" and any(same_word(w, v) for w in dm.key for v in sm.key)
    if dm.kind == "number" and not place:
        return 0
    follows = (_next(d_tokens, di), _next(s_tokens, sj))
    if dm.kind == "number" and abs(dm.value - sm.value) == 1 and "other" in follows:
        return 0  # "one of seven units" is "Amphenol and six other units"
    if dm.kind == "name" and not similar and place < 2:
        return 0
    if dm.kind == "name" and _speaks(d_tokens, di) != _speaks(s_tokens, sj):
        return 0  # "..., Acme Corp said" is who reports the statement, not a slot in it
    # the shared context, the costly part, only for pairs the cheaper tests above left standing
    shared = {
        t for side in (-1, 1) for t in _context(d_tokens, di, side) & _context(s_tokens, sj, side)
    }
    words = sum(1 for t in shared if not t.startswith("="))
    framed = (
        framed_names and dm.kind == "name" and place == 2 and _framed(d_tokens, aligned, di, sj)
    )
    if dm.kind == "name" and not similar and words < 2 and not framed:
        return 0
    score = len(shared) + place + similar + framed
    return score if score >= MIN_SLOT else 0


def _framed(tokens: list[str], aligned: dict[int, int], di: int, sj: int) -> bool:
    """Return True when the words just before and after a mention are aligned to the other's, and
    are words, not mentions: "the Finance Ministry said" / "the Statistics Department said", not
    "West Germany, Spain and Britain" / "West Germany, Austria and Switzerland"."""
    if aligned.get(di - 1) != sj - 1 or aligned.get(di + 1) != sj + 1:
        return False  # (aligned positions are never negative: a sentence's start fails here)
    return not any(t.startswith(("=", "#")) for t in (tokens[di - 1], tokens[di + 1]))


def _year(m: Mention) -> bool:
    return not m.unit and m.value.is_integer() and 1800 <= m.value <= 2100 and "," not in m.text


def _next(tokens: list[str], pos: int) -> str:
    return tokens[pos + 1] if pos + 1 < len(tokens) else ""


def _speaks(tokens: list[str], pos: int) -> bool:
    """Return True for a name that attributes the statement ("Acme said", "according to Acme")."""
    before = tokens[max(0, pos - 2) : pos]
    return (
        _next(tokens, pos) in _SAID
        or (pos > 0 and tokens[pos - 1] in _SAID)
        or before
        == [
            "according",
            "to",
        ]
    )


def _context(tokens: list[str], pos: int, step: int) -> set[str]:
    """Return up to WINDOW content words before (step -1) or after (1) `pos`.

    Sides are kept apart: "$500 million in sales" before a name and after another is not a shared
    context ("sales of $500 million to a unit of Wallingford" / "based in Lisle, with $500 million
    in sales").
    """
    out: set[str] = set()
    k = pos + step
    while 0 <= k < len(tokens) and len(out) < WINDOW and abs(k - pos) <= 2 * WINDOW:
        if tokens[k] not in _STOP and not tokens[k].startswith("#"):
            out.add(tokens[k])
        k += step
    return out


def word_alignment(a: list[str], b: list[str]) -> tuple[dict[int, int], dict[int, int]]:
    """Align two token lists; return a's position -> b's in equal runs, and gap ids.

    Gaps are the unaligned stretches between equal runs; a's positions are keys as they are, b's
    shifted by len(a), so that two tokens in the same gap share an id.
    """
    aligned: dict[int, int] = {}
    gap: dict[int, int] = {}
    gap_id, in_gap = 0, False
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            for k in range(op.src_end - op.src_start):
                aligned[op.src_start + k] = op.dest_start + k
            in_gap = False
            continue
        gap_id += not in_gap
        in_gap = True
        gap.update(dict.fromkeys(range(op.src_start, op.src_end), gap_id))
        gap.update(dict.fromkeys(range(op.dest_start + len(a), op.dest_end + len(a)), gap_id))
    return aligned, gap
