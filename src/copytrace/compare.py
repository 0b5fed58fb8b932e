"""What a derived text adds, drops and changes: conflicts between aligned statements.

For each group of aligned sentences (a `Link`):

1. extract fact mentions on both sides (`facts.mentions`: numbers with qualifier and unit, names,
   job titles), each with its span in the original text;
2. match the mentions that agree ("74.7 mln dlrs" = "$74.7 million", "Cargill Inc" = "Cargill");
3. pair what is left into conflicts, but only where both plausibly fill the same slot: same type
   and unit, the same place in a word-level alignment of the two sentences, shared words around
   them. A value found anywhere in the other document is never a conflict: it moved, it did not
   change. A number or name on one side only is an addition or a drop, not a conflict.

Precision comes first: a false conflict on a faithful copy is a visible bug, a missed one is not.

>>> [(c.derived, c.source) for c in sentence_conflicts(
...     "The dividend rose to 29 cents a share.", "It raised the dividend to 28 cts a share.")]
[('29 cents', '28 cts')]
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from copytrace.facts import MISSPELT_MIN, mentions, same_name
from copytrace.figures import same_number
from copytrace.records import Conflict, Document, Link, Mention
from copytrace.slots import Side, slot_score, word_alignment

__all__ = ["Changes", "Mention", "changes", "mentions", "relation_conflicts", "sentence_conflicts"]


@dataclass(frozen=True, slots=True)
class Changes:
    """What a derived document adds, drops and changes relative to its source.

    `adds` are derived sentences in no link, `drops` source sentences in no link (indices into
    `Document.sentences`); `conflicts` are aligned statements that disagree.
    """

    adds: tuple[int, ...]
    drops: tuple[int, ...]
    conflicts: tuple[Conflict, ...]


def sentence_conflicts(
    derived: str,
    source: str,
    derived_offset: int = 0,
    source_offset: int = 0,
    derived_doc: str = "",
    source_doc: str = "",
    frame: float | None = None,
) -> list[Conflict]:
    """Return the conflicts between two aligned statements, spans shifted by the offsets.

    `derived_doc` and `source_doc` are the full texts. A value found anywhere in the other text is
    not a conflict, and a one-word name opening a sentence ("Shareholders", "Heinz") counts only
    when its own text also uses it mid-sentence. With empty texts the first check is skipped and
    such one-word openers are ignored. `frame` is as in `relation_conflicts`.

    >>> [(c.derived, c.source, c.kind) for c in sentence_conflicts(
    ...     "Coastal chairman Oscar Whitman meddled.", "Coastal chairman Oscar Wyatt interfered.")]
    [('Oscar Whitman', 'Oscar Wyatt', 'name')]
    """
    d_part, s_part = [(derived, derived_offset)], [(source, source_offset)]
    return _conflicts(d_part, s_part, derived_doc, source_doc, frame)


def relation_conflicts(
    derived: Document, source: Document, links: Iterable[Link], frame: float | None = None
) -> tuple[Conflict, ...]:
    """Return the conflicts of every link between two documents, de-duplicated, in derived order.

    `frame` (for copies): from this word-level similarity of a link's two sides on, a name whose
    neighbouring words align on both sides is compared with the other's name in its place, even
    without the shared context a name otherwise needs (`slots.slot_score`).

    Each link's sentences are read from the original text (`doc.text[s.start:s.end]`), so spans are
    absolute offsets into `Document.text`.
    """
    found: set[Conflict] = set()
    for link in links:
        d_parts = [_segment(derived, i) for i in link.a]
        s_parts = [_segment(source, i) for i in link.b]
        if len(d_parts) == 1 and any(text == d_parts[0][0] for text, _ in s_parts):
            # Checked against its own words (texts that share whole sentences: most relations of
            # a large batch): each of its mentions agrees with its twin there, so none is left
            # to conflict, and reading the mentions costs more than the rest of the check.
            continue
        found.update(_conflicts(d_parts, s_parts, derived.text, source.text, frame))
    return tuple(sorted(found, key=lambda c: (c.derived_span, c.source_span, c.kind)))


def changes(derived: Document, source: Document, links: Iterable[Link]) -> Changes:
    """Return what `derived` adds (sentences in no link), drops, and changes (the conflicts)."""
    links = tuple(links)
    linked_a = {i for link in links for i in link.a}
    linked_b = {i for link in links for i in link.b}
    return Changes(
        adds=tuple(s.index for s in derived.sentences if s.index not in linked_a),
        drops=tuple(s.index for s in source.sentences if s.index not in linked_b),
        conflicts=relation_conflicts(derived, source, links),
    )


def _segment(doc: Document, index: int) -> tuple[str, int]:
    sentence = doc.sentences[index]
    return doc.text[sentence.start : sentence.end], sentence.start


@dataclass(frozen=True, slots=True)
class _Facts:
    """The mentions of a whole document, for the "is it stated elsewhere" checks."""

    numbers: tuple[Mention, ...]  # by value
    values: list[float]  # their values, for `bisect`
    grain: float  # the coarsest rounding among them
    names: dict[str, list[Mention]]  # by the first three letters of each word and of the initials
    titles: tuple[Mention, ...]
    flat: str  # lower-cased text with single spaces


@lru_cache(maxsize=8192)  # whole-document facts: one entry per document of a scan
def _facts(text: str) -> _Facts:
    found = mentions(text)
    names: dict[str, list[Mention]] = {}
    for m in found:
        if m.kind == "name":
            for prefix in _prefixes(m.key):
                names.setdefault(prefix, []).append(m)
    # a value that is not finite never agrees with any (`same_number`), and would break the order
    numbers = sorted(
        (m for m in found if m.kind == "number" and math.isfinite(m.value)), key=lambda m: m.value
    )
    return _Facts(
        numbers=tuple(numbers),
        values=[m.value for m in numbers],
        grain=max((m.grain for m in numbers), default=0.0),
        names=names,
        titles=tuple(m for m in found if m.kind == "title"),
        flat=" ".join(text.lower().split()),
    )


def _prefixes(key: tuple[str, ...]) -> set[str]:
    # names that may match (`same_name`) share a word's first three letters, or an acronym's.
    # A word long enough to be misspelt also has its last three letters, and its first two with
    # its last two: one edit leaves one of the three in place ("Aquisitions" / "Acquisitions").
    long = [w for w in key if len(w) >= MISSPELT_MIN]
    return (
        {w[:3] for w in key}
        | {"~" + w[-3:] for w in long}
        | {"^" + w[:2] + w[-2:] for w in long}
        | ({"".join(w[0] for w in key)[:3]} if len(key) > 1 else set())
    )


def _names_like(m: Mention, facts: _Facts) -> list[Mention]:
    return [x for prefix in _prefixes(m.key) for x in facts.names.get(prefix, ())]


def _agree(a: Mention, b: Mention) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "number":
        return same_number(a, b)
    if a.kind == "name":
        return _same_name(a.key, b.key)
    return _same_name(a.person, b.person) and _same_title(a.key, b.key)


def _same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    # a name misspelt by one letter is the same name: a copy that fixes or makes a typo
    # ("Jeffery Lane", "Lehman Goverment Securities") changes no fact
    return same_name(a, b, typos=True)


def _same_title(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    # "Energy Minister" and "minister" are one title, said with more or less detail, and
    # "Labour Minister" and "Labor Minister" one title spelt two ways
    sa, sb = tuple(w for w in a if w != "of"), tuple(w for w in b if w != "of")
    return not sa or not sb or _same_name(sa, sb)


def _stated(m: Mention, facts: _Facts) -> bool:
    """Return True when a document (`facts`) states `m` somewhere; False when there is none."""
    if m.kind == "number":
        # `same_number` never agrees across more than half the coarser grain (plus a rounding
        # margin this window holds many times over), so only values this close are compared
        if not math.isfinite(m.value):
            return False
        grain = max(m.grain, facts.grain)
        window = grain / 2 + 1e-6 * (abs(m.value) + grain + 1)
        lo = bisect_left(facts.values, m.value - window)
        hi = bisect_right(facts.values, m.value + window)
        return any(same_number(m, x) for x in facts.numbers[lo:hi])
    if m.kind == "name":
        surface = " ".join(m.text.lower().split())
        return surface in facts.flat or any(_same_name(m.key, x.key) for x in _names_like(m, facts))
    return any(_agree(m, x) for x in facts.titles)


def _eligible(m: Mention, own: _Facts) -> bool:
    """A one-word capitalised sentence opener is a name only if its text uses it mid-sentence."""
    if m.kind != "name" or not m.initial or len(m.text.split()) > 1:
        return True
    return any(not x.initial and _same_name(m.key, x.key) for x in _names_like(m, own))


def _conflicts(
    derived: Sequence[tuple[str, int]],
    source: Sequence[tuple[str, int]],
    derived_doc: str,
    source_doc: str,
    frame: float | None = None,
) -> list[Conflict]:
    d, s = Side(derived), Side(source)
    d_labels, s_labels = _match(d.mentions, s.mentions)
    # Most links have no unmatched mention on one side or the other: nothing can conflict, and
    # the whole-document facts (the costly part) are not needed.
    open_facts = None in d_labels and None in s_labels
    open_titles = bool(d.titles and s.titles)
    if not (open_facts or open_titles):
        return []
    d_facts, s_facts = _facts(derived_doc), _facts(source_doc)
    out = _title_conflicts(d.titles, s.titles, d_facts, s_facts)
    d_left = [
        i
        for i, m in enumerate(d.mentions)
        if d_labels[i] is None and not _stated(m, s_facts) and _eligible(m, d_facts)
    ]
    s_left = [
        j
        for j, m in enumerate(s.mentions)
        if s_labels[j] is None and not _stated(m, d_facts) and _eligible(m, s_facts)
    ]
    if d_left and s_left:
        d_tokens, s_tokens = d.tokens(d_labels), s.tokens(s_labels)
        aligned, gap = word_alignment(d_tokens, s_tokens)
        # On a copy, a name between words that align on both sides is a slot of its own ("the
        # Finance Ministry said"), when the two sides read as one statement (`frame`).
        framed = frame is not None and 2 * len(aligned) >= frame * (len(d_tokens) + len(s_tokens))
        scored = []
        for i in d_left:
            for j in s_left:
                score = slot_score(d, s, i, j, d_tokens, s_tokens, aligned, gap, framed)
                if score:
                    scored.append((-score, i, j))
        pairs: list[tuple[int, int]] = []
        for _, i, j in sorted(scored):
            if all(i != p and j != q for p, q in pairs):
                pairs.append((i, j))
        # A changed statement mostly agrees. More disagreements than agreements means the two
        # sentences are not the same statement (a loose link), not that its facts changed.
        if len(pairs) <= max(1, sum(label is not None for label in d_labels)):
            for i, j in pairs:
                dm, sm = d.mentions[i], s.mentions[j]
                out.append(
                    Conflict(dm.text, sm.text, (dm.start, dm.end), (sm.start, sm.end), dm.kind)
                )
    return sorted(out, key=lambda c: (c.derived_span, c.source_span))


def _match(d: list[Mention], s: list[Mention]) -> tuple[list[int | None], list[int | None]]:
    """Label the mentions that agree across sides: one label per group of agreeing mentions.

    "two" in the derived text may agree with two "two"s in the source; all three get one label,
    so that they anchor context the same way. Unmatched mentions get None.
    """
    parent = list(range(len(d) + len(s)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Only mentions of one kind can agree, and names only when they share a prefix (`_prefixes`):
    # the pairs left are tried in the order of a full double loop, so the labels are the same.
    by_kind: dict[str, list[int]] = {}
    by_prefix: dict[str, set[int]] = {}
    for j, sm in enumerate(s):
        by_kind.setdefault(sm.kind, []).append(j)
        if sm.kind == "name":
            for prefix in _prefixes(sm.key):
                by_prefix.setdefault(prefix, set()).add(j)
    matched: set[int] = set()
    for i, dm in enumerate(d):
        if dm.kind == "name":
            near = set().union(*(by_prefix.get(p, ()) for p in _prefixes(dm.key)))
            others: Iterable[int] = sorted(near)
        else:
            others = by_kind.get(dm.kind, ())
        for j in others:
            sm = s[j]
            if _agree(dm, sm):
                matched.update((i, len(d) + j))
                parent[root(i)] = root(len(d) + j)
    labels = [root(x) if x in matched else None for x in range(len(d) + len(s))]
    return labels[: len(d)], labels[len(d) :]


def _title_conflicts(
    d_titles: list[Mention], s_titles: list[Mention], d_facts: _Facts, s_facts: _Facts
) -> list[Conflict]:
    """Return titles that differ for one person ("Prime Minister X" / "President X")."""
    out = []
    d_left = [t for t in d_titles if not any(_agree(t, x) for x in s_titles)]
    s_left = [t for t in s_titles if not any(_agree(t, x) for x in d_titles)]
    for dt in d_left:
        for st in s_left:
            if not _same_name(dt.person, st.person) or _same_title(dt.key, st.key):
                continue
            if _stated(dt, s_facts) or _stated(st, d_facts):
                continue
            out.append(Conflict(dt.text, st.text, (dt.start, dt.end), (st.start, st.end), "title"))
    return out
