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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from copytrace.facts import Mention, mentions, same_name, same_number, same_word
from copytrace.records import Conflict, Document, Link

__all__ = ["Changes", "Mention", "changes", "mentions", "relation_conflicts", "sentence_conflicts"]

WINDOW = 4  # content words either side of a mention that make up its context
# Evidence for "same slot" (see `_slot`): a place in the word alignment (2) and one shared context
# word (1), or similar names, or a shared context word more. Chosen on rewrites-dev and the seeds:
# it finds the six changed facts and the seed troop number, and nothing on faithful copies.
MIN_SLOT = 3

_SAID = frozenset({"said", "say", "says", "told", "added", "reported", "announced"})
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
) -> list[Conflict]:
    """Return the conflicts between two aligned statements, spans shifted by the offsets.

    `derived_doc` and `source_doc` are the full texts. A value found anywhere in the other text is
    not a conflict, and a one-word name opening a sentence ("Shareholders", "Heinz") counts only
    when its own text also uses it mid-sentence. With empty texts the first check is skipped and
    such one-word openers are ignored.

    >>> [(c.derived, c.source, c.kind) for c in sentence_conflicts(
    ...     "Coastal chairman Oscar Whitman meddled.", "Coastal chairman Oscar Wyatt interfered.")]
    [('Oscar Whitman', 'Oscar Wyatt', 'name')]
    """
    d_part, s_part = [(derived, derived_offset)], [(source, source_offset)]
    return _conflicts(d_part, s_part, derived_doc, source_doc)


def relation_conflicts(
    derived: Document, source: Document, links: Iterable[Link]
) -> tuple[Conflict, ...]:
    """Return the conflicts of every link between two documents, de-duplicated, in derived order.

    Each link's sentences are read from the original text (`doc.text[s.start:s.end]`), so spans are
    absolute offsets into `Document.text`.
    """
    found: set[Conflict] = set()
    for link in links:
        d_parts = [_segment(derived, i) for i in link.a]
        s_parts = [_segment(source, i) for i in link.b]
        found.update(_conflicts(d_parts, s_parts, derived.text, source.text))
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

    numbers: tuple[Mention, ...]
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
    return _Facts(
        numbers=tuple(m for m in found if m.kind == "number"),
        names=names,
        titles=tuple(m for m in found if m.kind == "title"),
        flat=" ".join(text.lower().split()),
    )


def _prefixes(key: tuple[str, ...]) -> set[str]:
    # names that may match (`same_name`) share a word's first three letters, or an acronym's
    return {w[:3] for w in key} | ({"".join(w[0] for w in key)[:3]} if len(key) > 1 else set())


def _names_like(m: Mention, facts: _Facts) -> list[Mention]:
    return [x for prefix in _prefixes(m.key) for x in facts.names.get(prefix, ())]


def _agree(a: Mention, b: Mention) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "number":
        return same_number(a, b)
    if a.kind == "name":
        return same_name(a.key, b.key)
    return same_name(a.person, b.person) and _same_title(a.key, b.key)


def _same_title(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    # "Energy Minister" and "minister" are one title, said with more or less detail
    sa, sb = set(a) - {"of"}, set(b) - {"of"}
    return sa <= sb or sb <= sa


def _stated(m: Mention, facts: _Facts) -> bool:
    """Return True when a document (`facts`) states `m` somewhere; False when there is none."""
    if m.kind == "number":
        return any(same_number(m, x) for x in facts.numbers)
    if m.kind == "name":
        surface = " ".join(m.text.lower().split())
        return surface in facts.flat or any(same_name(m.key, x.key) for x in _names_like(m, facts))
    return any(_agree(m, x) for x in facts.titles)


def _eligible(m: Mention, own: _Facts) -> bool:
    """A one-word capitalised sentence opener is a name only if its text uses it mid-sentence."""
    if m.kind != "name" or not m.initial or len(m.text.split()) > 1:
        return True
    return any(not x.initial and same_name(m.key, x.key) for x in _names_like(m, own))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class _Part:
    """One sentence, analysed: its mentions and its words, each mention as one "" word."""

    mentions: tuple[Mention, ...]  # numbers and names
    titles: tuple[Mention, ...]  # titles stay plain words in `words`: they are context
    words: tuple[str, ...]  # stemmed
    where: tuple[int, ...]  # word index of each mention


@lru_cache(maxsize=65536)  # one entry per sentence checked
def _part(text: str, offset: int) -> _Part:
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
        words.append(_stem(w.group()))
    for k, position in enumerate(where):
        if position < 0:  # a mention without a word character in it (defensive)
            where[k] = len(words)
            words.append("")
    titles = tuple(m for m in found if m.kind == "title")
    return _Part(tuple(facts), titles, tuple(words), tuple(where))


class _Side:
    """One side of a link: the mentions and words of its sentences, in order."""

    def __init__(self, parts: Sequence[tuple[str, int]]) -> None:
        self.mentions: list[Mention] = []
        self.titles: list[Mention] = []
        self.words: list[str] = []
        self.where: list[int] = []
        for text, offset in parts:
            part = _part(text, offset)
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


def _conflicts(
    derived: Sequence[tuple[str, int]],
    source: Sequence[tuple[str, int]],
    derived_doc: str,
    source_doc: str,
) -> list[Conflict]:
    d, s = _Side(derived), _Side(source)
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
        aligned, gap = _alignment(d_tokens, s_tokens)
        scored = []
        for i in d_left:
            for j in s_left:
                score = _slot(d, s, i, j, d_tokens, s_tokens, aligned, gap)
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

    matched: set[int] = set()
    for i, dm in enumerate(d):
        for j, sm in enumerate(s):
            if _agree(dm, sm):
                matched.update((i, len(d) + j))
                parent[root(i)] = root(len(d) + j)
    labels = [root(x) if x in matched else None for x in range(len(d) + len(s))]
    return labels[: len(d)], labels[len(d) :]


def _slot(
    d: _Side,
    s: _Side,
    i: int,
    j: int,
    d_tokens: list[str],
    s_tokens: list[str],
    aligned: dict[int, int],
    gap: dict[int, int],
) -> int:
    """Return the evidence that derived mention `i` and source mention `j` fill the same slot.

    0 means "not the same slot". Points: 2 when the word alignment puts one in the other's place
    (1 when both fall in the same unaligned stretch), 1 per shared context word or matched mention,
    1 for names sharing a word ("Oscar Wyatt" / "Oscar Whitman"). On dev, pairs that shared only a
    matched mention and a place were unrelated sentences ("America" / "Washington"), and pairs that
    shared only context played different roles ("told the BBC" / "with United States President
    Trump"); so a number needs a place, and a name a similar word or an aligned place and two shared
    words.
    """
    dm, sm = d.mentions[i], s.mentions[j]
    if dm.kind != sm.kind:
        return 0
    if dm.kind == "number" and (dm.unit != sm.unit or _year(dm) != _year(sm)):
        return 0
    if dm.kind == "name" and dm.role != sm.role and "place" in (dm.role, sm.role):
        return 0  # "Cargill Inc of Iowa": the Iowa is a place, not a company
    di, sj = d.where[i], s.where[j]
    shared = {
        t for side in (-1, 1) for t in _context(d_tokens, di, side) & _context(s_tokens, sj, side)
    }
    words = sum(1 for t in shared if not t.startswith("="))
    same_gap = gap.get(di, -1) == gap.get(sj + len(d_tokens), -2)
    place = 2 if aligned.get(di) == sj else int(same_gap)
    similar = dm.kind == "name" and any(same_word(w, v) for w in dm.key for v in sm.key)
    if dm.kind == "number" and not place:
        return 0
    follows = (_next(d_tokens, di), _next(s_tokens, sj))
    if dm.kind == "number" and abs(dm.value - sm.value) == 1 and "other" in follows:
        return 0  # "one of seven units" is "Amphenol and six other units"
    if dm.kind == "name" and _speaks(d_tokens, di) != _speaks(s_tokens, sj):
        return 0  # "..., Acme Corp said" is who reports the statement, not a slot in it
    if dm.kind == "name" and not similar and (words < 2 or place < 2):
        return 0
    score = len(shared) + place + similar
    return score if score >= MIN_SLOT else 0


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


def _alignment(a: list[str], b: list[str]) -> tuple[dict[int, int], dict[int, int]]:
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


def _title_conflicts(
    d_titles: list[Mention], s_titles: list[Mention], d_facts: _Facts, s_facts: _Facts
) -> list[Conflict]:
    """Return titles that differ for one person ("Prime Minister X" / "President X")."""
    out = []
    d_left = [t for t in d_titles if not any(_agree(t, x) for x in s_titles)]
    s_left = [t for t in s_titles if not any(_agree(t, x) for x in d_titles)]
    for dt in d_left:
        for st in s_left:
            if not same_name(dt.person, st.person) or _same_title(dt.key, st.key):
                continue
            if _stated(dt, s_facts) or _stated(st, d_facts):
                continue
            out.append(Conflict(dt.text, st.text, (dt.start, dt.end), (st.start, st.end), "title"))
    return out
