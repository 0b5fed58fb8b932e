"""Stories: documents about one event, grouped, with the probable original.

Relations join documents into stories (connected components). Inside a story the other versions act
as witnesses: where one copy keeps a quote or a wording that independent versions also have, and
the other rewords it, the rewording is the derivative (quote fidelity). Two copies of one original
are siblings, not parent and child. The original is the root of the copy graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cmp_to_key

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from copytrace.align import places
from copytrace.classify import published_order
from copytrace.config import StoryConfig
from copytrace.records import Document, Relation, Story
from copytrace.signatures import quotes

DEFAULTS = StoryConfig()


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(
    ids: Iterable[str], relations: Iterable[Relation], linkage: float = 0.5
) -> list[list[str]]:
    """Return stories: documents joined by copies, then by same-story reports, sorted.

    Copies always share a story. Two groups joined only by same-story relations merge when at
    least `linkage` of the pairs across them are related (average linkage); a chain of pairwise
    resemblances (A like B, B like C, C like D ...) does not make one story of a whole newswire.
    """
    uf = _UnionFind()
    for doc_id in ids:
        uf.find(doc_id)
    relations = list(relations)
    for rel in relations:
        if rel.is_copy:
            uf.union(rel.derived, rel.source)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for rel in relations:
        neighbours[rel.derived].add(rel.source)
        neighbours[rel.source].add(rel.derived)
    members: dict[str, set[str]] = defaultdict(set)
    for doc_id in uf.parent:
        members[uf.find(doc_id)].add(doc_id)
    for rel in sorted((r for r in relations if not r.is_copy), key=lambda r: -r.score):
        x, y = uf.find(rel.derived), uf.find(rel.source)
        if x == y:
            continue
        small, large = (
            (members[x], members[y])
            if len(members[x]) <= len(members[y])
            else (members[y], members[x])
        )
        across = sum(len(neighbours[m] & large) for m in small)
        if across >= linkage * len(small) * len(large):
            uf.union(x, y)
            root = uf.find(x)
            merged = members.pop(x) | members.pop(y)
            members[root] = merged
    return sorted((sorted(m) for m in members.values()), key=lambda m: (-len(m), m[0]))


def _sentence_texts(doc: Document, indices: Sequence[int]) -> str:
    return " ".join(doc.sentences[i].text for i in indices)


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def readings(a: Sequence[str], b: Sequence[str], context: int = 2) -> list[tuple[str, str]]:
    """Return the places where word sequence `a` reads other words than `b`, as pairs of readings
    (each with up to `context` shared words either side, at least `context` in all, joined by
    spaces). Only substitutions count: a word dropped or added on one side is left out, since
    copies drop asides independently of one another."""
    out = []
    ops = list(Levenshtein.opcodes(a, b))
    k = 0
    while k < len(ops):
        if ops[k].tag == "equal":
            k += 1
            continue
        i1, j1 = ops[k].src_start, ops[k].dest_start
        while k < len(ops) and ops[k].tag != "equal":
            k += 1
        i2, j2 = ops[k - 1].src_end, ops[k - 1].dest_end
        left, right = a[max(0, i1 - context) : i1], a[i2 : i2 + context]
        if i1 == i2 or j1 == j2 or len(left) + len(right) < context:
            continue
        out.append((" ".join([*left, *a[i1:i2], *right]), " ".join([*left, *b[j1:j2], *right])))
    return out


def fidelity_votes(
    rel: Relation,
    derived: Document,
    source: Document,
    witnesses: Sequence[Document],
    config: StoryConfig = DEFAULTS,
) -> tuple[float, float, list[str]]:
    """Weigh which side of a relation keeps the wording that other versions attest.

    Returns (weight for `derived` being the original, weight for `source`, reasons, those for the
    heavier side first). Each witness votes per aligned sentence pair that is worded differently:
    for the side whose direct quotes it repeats, whose sentence it keeps almost verbatim, or whose
    reading it has where the two read other words (`readings`).
    """
    weight = {"d": 0.0, "s": 0.0}
    reasons: list[tuple[str, str]] = []  # (side, reason)
    witness_quotes = [set(quotes(w.text)) for w in witnesses]
    witness_sentences = [[s.text for s in w.sentences] for w in witnesses]
    witness_words: list[str] = []  # each witness's words, made when a reading first needs them
    gap = config.vote_max_skip
    for link in rel.links:
        if len(places(link.a, gap)) > 1 or len(places(link.b, gap)) > 1:
            continue  # sentences far apart on a side: no one statement rewritten
        text_d = _sentence_texts(derived, link.a)
        text_s = _sentence_texts(source, link.b)
        if config.reading_weight and config.reading_lexical <= link.lexical < 1.0:
            for read_d, read_s in readings(_words(text_d), _words(text_s)):
                if not witness_words:
                    witness_words = [f" {' '.join(_words(w.text))} " for w in witnesses]
                for w, w_words in zip(witnesses, witness_words, strict=True):
                    in_d, in_s = f" {read_d} " in w_words, f" {read_s} " in w_words
                    if in_d != in_s:
                        weight["d" if in_d else "s"] += config.reading_weight
                        if len(reasons) < 40:
                            kept, other = (read_d, read_s) if in_d else (read_s, read_d)
                            reasons.append(
                                ("d" if in_d else "s", f'{w.id} reads "{kept}", not "{other}"')
                            )
        if link.lexical >= 0.95:
            continue
        q_d = quotes(
            " ".join(
                derived.text[derived.sentences[i].start : derived.sentences[i].end] for i in link.a
            )
        )
        q_s = quotes(
            " ".join(
                source.text[source.sentences[i].start : source.sentences[i].end] for i in link.b
            )
        )
        for w, w_quotes, w_sents in zip(witnesses, witness_quotes, witness_sentences, strict=True):
            for quote in w_quotes:
                in_d = any(quote in q for q in q_d)
                in_s = any(quote in q for q in q_s)
                if in_d != in_s and len(quote) >= 6:
                    side = "d" if in_d else "s"
                    weight[side] += 1.0
                    reasons.append(
                        (side, f'{w.id} quotes "{quote}" as {"derived" if in_d else "source"} does')
                    )
            if not w_sents:
                continue
            best_d = process.extractOne(text_d, w_sents, scorer=fuzz.ratio)
            best_s = process.extractOne(text_s, w_sents, scorer=fuzz.ratio)
            rd, rs = best_d[1] / 100.0, best_s[1] / 100.0
            if max(rd, rs) >= config.witness_min and abs(rd - rs) >= config.witness_gap:
                side = "d" if rd > rs else "s"
                weight[side] += abs(rd - rs)
                if len(reasons) < 40:
                    kept = "derived" if side == "d" else "source"
                    hi, lo = max(rd, rs), min(rd, rs)
                    reasons.append(
                        (side, f"{w.id} keeps the {kept} wording ({hi:.2f} vs {lo:.2f})")
                    )
    heavier = "d" if weight["d"] >= weight["s"] else "s"
    ordered = [text for side, text in reasons if side == heavier]
    ordered += [text for side, text in reasons if side != heavier]
    return weight["d"], weight["s"], ordered


def _related(relations: Iterable[Relation]) -> defaultdict[str, set[str]]:
    """Return each document's related documents, either way."""
    related: defaultdict[str, set[str]] = defaultdict(set)
    for r in relations:
        related[r.derived].add(r.source)
        related[r.source].add(r.derived)
    return related


def _witnessed(rel: Relation, config: StoryConfig) -> bool:
    """Whether witnesses may orient `rel`: a copy without a direction between texts of like
    length (`StoryConfig.fidelity_length_ratio`)."""
    if not rel.is_copy or rel.direction != "unknown":
        return False
    small, big = sorted((rel.coverage_derived, rel.coverage_source))
    return small >= config.fidelity_length_ratio * big


def fidelity_documents(relations: Sequence[Relation], config: StoryConfig = DEFAULTS) -> set[str]:
    """Return the ids of the documents whose text `build_stories` reads: both ends of each copy
    that witnesses may orient and every document related to either end (its possible
    witnesses)."""
    related = _related(relations)
    out: set[str] = set()
    for r in relations:
        if _witnessed(r, config):
            out |= {r.derived, r.source} | related[r.derived] | related[r.source]
    return out


def _orient_by_fidelity(
    rel: Relation,
    docs: Mapping[str, Document],
    members: Sequence[str],
    related: Mapping[str, set[str]],
    config: StoryConfig,
) -> Relation:
    near = related[rel.derived] | related[rel.source]
    witnesses_ids = [m for m in members if m not in (rel.derived, rel.source) and m in near]
    witnesses = [docs[m] for m in witnesses_ids[: config.max_witnesses]]
    if not witnesses:
        return rel
    for_d, for_s, reasons = fidelity_votes(
        rel, docs[rel.derived], docs[rel.source], witnesses, config
    )
    hi, lo = max(for_d, for_s), min(for_d, for_s)
    if hi - lo < config.fidelity_margin or hi < 2 * lo:
        return rel
    summary = "; ".join(dict.fromkeys(reasons))[:600]
    if for_s > for_d:
        return replace(
            rel,
            direction="quote_fidelity",
            evidence=replace(
                rel.evidence,
                direction_reason=(
                    f"witnesses keep the source's wording ({for_s:.1f} vs {for_d:.1f}): {summary}"
                ),
            ),
        )
    return flip(
        rel,
        "quote_fidelity",
        f"witnesses keep the other side's wording ({for_d:.1f} vs {for_s:.1f}): {summary}",
    )


def flip(rel: Relation, direction: str, reason: str) -> Relation:
    """Return `rel` with derived and source swapped and a new direction basis."""
    from copytrace.records import Link, Passage

    return Relation(
        derived=rel.source,
        source=rel.derived,
        kind=rel.kind,
        score=rel.score,
        direction=direction,
        coverage_derived=rel.coverage_source,
        coverage_source=rel.coverage_derived,
        passages=tuple(Passage(p.b, p.a, p.similarity, p.sentences) for p in rel.passages),
        links=tuple(Link(x.b, x.a, x.similarity, x.lexical, x.method) for x in rel.links),
        conflicts=tuple(
            replace(
                c,
                derived=c.source,
                source=c.derived,
                derived_span=c.source_span,
                source_span=c.derived_span,
            )
            for c in rel.conflicts
        ),
        evidence=replace(rel.evidence, direction_reason=reason),
    )


def _mark_siblings(relations: list[Relation]) -> list[Relation]:
    parents: dict[str, set[str]] = defaultdict(set)
    for rel in relations:
        if rel.is_copy and rel.direction != "unknown":
            parents[rel.derived].add(rel.source)
    out = []
    for rel in relations:
        common = parents[rel.derived] & parents[rel.source]
        if rel.is_copy and common and rel.direction != "published":
            shared = sorted(common)[0]
            rel = replace(
                rel,
                direction="unknown",
                evidence=replace(
                    rel.evidence, direction_reason=f"siblings: both derive from {shared}"
                ),
            )
        out.append(rel)
    return out


WHOLE_REWRITES = frozenset({"duplicate", "near_duplicate", "spin"})  # all of a text, reworded
WHOLE_COPIES = WHOLE_REWRITES | {"condensed"}  # all of a text, reworded or shortened


def through_rewrites(relations: list[Relation], config: StoryConfig) -> list[Relation]:
    """Return `relations` where a same-story relation X, Y becomes a copy of Y by X when X is
    mostly a copy of a document B (a directed duplicate, near duplicate, spin or condensed copy
    holding `through_min_share` of X) that rewrites all of Y (a directed duplicate, near duplicate
    or spin), both copies keeping some wording or figure: what X took from B, B took from Y.

    Such an X can be closer to B than to Y in wording (a heavy rewrite of B's rewording), so its
    direct alignment with Y falls short of a copy. Only a direct alignment that covers little of
    either text (`through_max_coverage`) is overruled: one that covers much and still found no
    copy found facts that differ (template reports of different events). The relation keeps its
    own alignment with Y (passages, coverage, conflicts) and takes the kind of X's copy of B, the
    lower score of the two copies, and that copy's direction basis; its reason names B.
    """
    copies_of: dict[str, list[Relation]] = defaultdict(list)  # derived -> its directed copies
    for rel in relations:
        if rel.is_copy and rel.direction != "unknown":
            copies_of[rel.derived].append(rel)
    out = []
    for rel in relations:
        covered = max(rel.coverage_derived, rel.coverage_source)
        if rel.kind == "same_story" and covered < config.through_max_coverage:
            share = config.through_min_share
            chain = _chain(rel.derived, rel.source, copies_of, share) or _chain(
                rel.source, rel.derived, copies_of, share
            )
            if chain is not None:
                rel = _through(rel, *chain)
        out.append(rel)
    return out


def _chain(
    x: str, y: str, copies_of: Mapping[str, list[Relation]], min_share: float
) -> tuple[Relation, Relation] | None:
    """Return the strongest (X copies B, B rewrites Y) pair of relations, or None. X must hold
    `min_share` of its text from B, and each copy must keep some wording or a specific figure
    (`Evidence.reused`): two rewordings with nothing kept are too little to overrule X and Y's
    own alignment."""
    best: tuple[Relation, Relation] | None = None
    rank: tuple[float, str] | None = None  # the weaker copy's score, then B's id
    for first in copies_of.get(x, ()):
        if not (
            first.kind in WHOLE_COPIES
            and first.coverage_derived >= min_share
            and first.evidence.reused >= 1
        ):
            continue
        for second in copies_of.get(first.source, ()):
            if second.source == y and second.kind in WHOLE_REWRITES and second.evidence.reused:
                key = (min(first.score, second.score), first.source)
                if rank is None or key > rank:
                    best, rank = (first, second), key
    return best


def _through(rel: Relation, first: Relation, second: Relation) -> Relation:
    """Return same-story `rel` as the copy that `first` (X copies B) and `second` (B rewrites Y)
    make of it: X derived from Y."""
    b = first.source
    reason = (
        f"through {b}: {first.derived} is a {first.kind} of {b} ({first.direction}), which is a "
        f"{second.kind} of {second.source} ({second.direction})"
    )
    direction = first.direction
    if rel.derived != first.derived:
        rel = flip(rel, direction, reason)
    else:
        rel = replace(rel, direction=direction,
                      evidence=replace(rel.evidence, direction_reason=reason))  # fmt: skip
    return replace(rel, kind=first.kind, score=min(first.score, second.score))


def _original(
    members: Sequence[str], relations: Sequence[Relation], docs: Mapping[str, Document]
) -> tuple[str | None, str]:
    directed = [r for r in relations if r.is_copy and r.direction != "unknown"]
    copies = [r for r in relations if r.is_copy]
    if not copies:
        dated = [m for m in members if docs[m].published]
        if dated and len(dated) == len(members):
            first = min(dated, key=lambda m: (docs[m].published or "", m))
            return first, f"independent reports; published first ({docs[first].published})"
        return None, "independent reports of the story; no copy and no complete publication dates"
    if not directed:
        return (
            None,
            "copies found but their direction is unknown (no dates, containment or quote evidence)",
        )
    children: dict[str, set[str]] = defaultdict(set)
    derived = set()
    for r in directed:
        children[r.source].add(r.derived)
        derived.add(r.derived)
    roots = [m for m in members if m in children and m not in derived]
    if not roots:
        return None, "the copy relations form a cycle; direction is inconsistent"

    def descendants(root: str) -> set[str]:
        seen, stack = set(), [root]
        while stack:
            for child in children[stack.pop()]:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def earlier(x: str, y: str) -> int:
        return published_order(docs[x], docs[y])

    reach = {m: len(descendants(m)) for m in roots}
    most = max(reach.values())
    tied = sorted(m for m in roots if reach[m] == most)
    best = tied[0]
    if len(tied) > 1:
        all_dated = all(docs[m].published for m in tied)
        by_date = sorted(tied, key=cmp_to_key(earlier)) if all_dated else []
        if by_date and earlier(by_date[0], by_date[1]) < 0:
            best = by_date[0]
        else:
            # Copies of one text all look like roots (near copies and their source, with no
            # date and nothing left out). The original is the one that holds more of what the
            # other versions took: story-level containment.
            held = {m: sum(r.coverage_derived for r in directed if r.source == m) for m in tied}
            first, second = sorted(tied, key=lambda m: (-held[m], m))[:2]
            if held[first] - held[second] < 0.05:
                return None, f"two candidate originals of equal weight: {first}, {second}"
            return first, (
                f"holds more of what the other versions share ({held[first]:.2f} vs "
                f"{held[second]:.2f} for {second}, containment)"
            )
    bases = sorted({r.direction for r in directed if r.source == best})
    return best, "source of " + ", ".join(sorted(children[best])) + " (" + ", ".join(bases) + ")"


def build_stories(
    relations: Sequence[Relation],
    docs: Mapping[str, Document],
    config: StoryConfig = DEFAULTS,
) -> tuple[list[Relation], list[Story]]:
    """Group documents into stories, settle directions by quote fidelity, mark siblings and name
    the originals."""
    joining = [r for r in relations if config.use_same_story or r.is_copy]
    components = group(docs, joining, config.linkage)
    story_of = {m: k for k, members in enumerate(components) for m in members}
    related = _related(relations)
    oriented = []
    for rel in relations:
        if _witnessed(rel, config):
            rel = _orient_by_fidelity(rel, docs, components[story_of[rel.derived]], related, config)
        oriented.append(rel)
    oriented = _mark_siblings(oriented)
    if config.through_rewrites:
        oriented = through_rewrites(oriented, config)
    by_story: dict[int, list[Relation]] = defaultdict(list)
    for rel in oriented:
        by_story[story_of[rel.derived]].append(rel)
    stories = []
    for k, members in enumerate(components):
        original, why = _original(members, by_story[k], docs)
        stories.append(Story(f"s{k + 1}", tuple(members), original, why))
    return oriented, stories
