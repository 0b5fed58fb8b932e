"""Evidence from names and numbers: which anchors tie two sentences, whether a copy keeps its
source's facts, and what contradicts a copy.

Used by alignment (which sentences may pair) and by classification (which pairs are copies).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, wraps
from typing import TypeVar

import numpy as np

from copytrace.config import ClassifyConfig
from copytrace.facts import name_key, name_keys, name_mentions, same_name
from copytrace.records import Encoded, Link, Sentence
from copytrace.signatures import SPELLED, capitalised_names, is_specific, specific_figures

SPECIFIC = 100  # `shared_anchors` adds this when the sentences share a specific figure

_T = TypeVar("_T")
# Documents whose subjects, titles and names `contradiction` remembers. A batch's pairs come
# grouped by document, so a document met in many pairs stays; its partners are mostly met once.
MEMO_DOCUMENTS = 2048


def per_document(fn: Callable[[Encoded], _T]) -> Callable[[Encoded], _T]:
    """Remember what `fn` says of a document, for as long as that very document is in use.

    `contradiction` asks each side of a pair for its subjects, title names and name keys, and a
    batch meets a document in many pairs (remembering them saved about 3% of the CPU time of
    relating a 1,000-document add at 100k). The memo holds each document it answers for (so no
    other can take its identity) and forgets the oldest past `MEMO_DOCUMENTS`.
    """
    memo: dict[str, tuple[object, _T]] = {}

    @wraps(fn)
    def remembered(enc: Encoded) -> _T:
        hit = memo.get(enc.doc.id)
        if hit is not None and hit[0] is enc.doc:
            return hit[1]
        value = fn(enc)
        if len(memo) >= MEMO_DOCUMENTS:
            del memo[next(iter(memo))]
        memo[enc.doc.id] = (enc.doc, value)
        return value

    return remembered


def informative_anchors(a: Encoded, b: Encoded, rare_share: float = 0.25) -> frozenset[str]:
    """Return the anchors that can tie one sentence to another: those in few sentences of each text.

    A name in most sentences of both texts ("Kursk", "Heinz") is the topic, not a fact; any two
    sentences of two reports of the event share it.
    """
    return rare_anchors(a.anchors, rare_share) & rare_anchors(b.anchors, rare_share)


@lru_cache(maxsize=8192)  # one entry per document: a pair's alignment asks three times
def rare_anchors(anchors: tuple[frozenset[str], ...], rare_share: float) -> frozenset[str]:
    """Return the anchors that occur in few of a text's sentences (`anchors`, one set each)."""
    counts = Counter(x for sentence in anchors for x in sentence)
    limit = max(2, rare_share * len(anchors))
    return frozenset(x for x, n in counts.items() if n <= limit)


def shared_anchors(
    a: Encoded, b: Encoded, i: int, j: int, informative: frozenset[str] | None = None
) -> int:
    """Return how many informative names and numbers two sentences share, counting 0 unless they
    make up at least half of the sparser sentence's.

    Sharing a specific figure ("15.3 billion", "700 mln") that makes up half the sparser
    sentence's figures is near proof that the sentences report the same fact: SPECIFIC is added.
    """
    if informative is None:
        informative = informative_anchors(a, b)
    return _shared(_part(a.anchors[i], informative), _part(b.anchors[j], informative))


def shared_anchor_counts(
    a: Encoded, b: Encoded, pairs: Sequence[Sequence[int]], informative: frozenset[str]
) -> dict[tuple[int, int], int]:
    """Return `shared_anchors` of each sentence pair `(i, j)` in `pairs`, each sentence's
    informative anchors taken once."""
    left: dict[int, tuple[frozenset[str], int]] = {}
    right: dict[int, tuple[frozenset[str], int]] = {}
    out = {}
    for i, j in pairs:
        if i not in left:
            left[i] = _part(a.anchors[i], informative)
        if j not in right:
            right[j] = _part(b.anchors[j], informative)
        out[(i, j)] = _shared(left[i], right[j])
    return out


def _part(anchors: frozenset[str], informative: frozenset[str]) -> tuple[frozenset[str], int]:
    """Return a sentence's informative anchors and how many of them are specific figures."""
    return anchors & informative, len(specific_figures(anchors) & informative)


def _shared(left: tuple[frozenset[str], int], right: tuple[frozenset[str], int]) -> int:
    both = left[0] & right[0]
    shared = len(both) if len(both) * 2 >= min(len(left[0]), len(right[0])) else 0
    specific = sum(map(is_specific, both))
    if specific and specific * 2 >= min(left[1], right[1]):
        shared += SPECIFIC
    return shared


def kept_passages(
    links: Sequence[Link], a: Encoded, b: Encoded, verbatim: float = 0.7
) -> list[tuple[int, int]]:
    """Return the passages the two texts share word for word, as (links, characters) each.

    A passage is a longest run of links that follow each other in both texts, each keeping its
    wording (rapidfuzz ratio >= `verbatim`) and all its names and figures (a template changes
    those; the same sentence word for word keeps them, whatever each text's context made of its
    names). Its length is the characters of the run on the side with fewer.
    """
    runs: list[tuple[int, int]] = []
    run = (0, 0, 0)  # links, characters in a, characters in b
    end: tuple[int, int] | None = None  # last sentence of the current run in a and in b
    for link in sorted(links, key=lambda x: x.a):
        same = link.lexical >= 1.0 or (
            link.lexical >= verbatim
            and frozenset().union(*(a.anchors[i] for i in link.a))
            == frozenset().union(*(b.anchors[j] for j in link.b))
        )
        follows = end is not None and link.a[0] == end[0] + 1 and link.b[0] == end[1] + 1
        if run[0] and not (same and follows):
            runs.append((run[0], min(run[1], run[2])))
            run = (0, 0, 0)
        if not same:
            end = None
            continue
        chars_a = sum(a.lengths[i] for i in link.a)
        chars_b = sum(b.lengths[j] for j in link.b)
        run = (run[0] + 1, run[1] + chars_a, run[2] + chars_b)
        end = (link.a[-1], link.b[-1])
    if run[0]:
        runs.append((run[0], min(run[1], run[2])))
    return runs


def reuse_evidence(links: Sequence[Link], a: Encoded, b: Encoded, verbatim: float = 0.7) -> int:
    """Count the links that show reuse rather than common knowledge: near-verbatim wording, or a
    specific figure ("15.3 billion") on both sides. Reworded sentences that share only names are
    what independent reports of one event look like."""
    count = 0
    for link in links:
        if link.lexical >= verbatim:
            count += 1
            continue
        left = frozenset().union(*(a.anchors[i] for i in link.a))
        right = frozenset().union(*(b.anchors[j] for j in link.b))
        if any(is_specific(x) for x in left & right):
            count += 1
    return count


def distinctness(links: Sequence[Link], a: Encoded, b: Encoded) -> float:
    """Return the mean margin by which linked sentences prefer each other over their next best.

    A rewrite sets each sentence against one sentence of its source (margins 0.1-0.3 on dev);
    independent texts on one subject resemble many sentences about equally (~0.03).
    """
    if not links or len(a.vectors) < 2 or len(b.vectors) < 2:
        return 0.0
    static = a.vectors @ b.vectors.T
    margins = []
    for link in links:
        for i in link.a:
            others = np.delete(static[i], list(link.b))
            margins.append(
                float(static[i, list(link.b)].max() - (others.max() if len(others) else 0))
            )
        for j in link.b:
            others = np.delete(static[:, j], list(link.a))
            best = float(static[list(link.a), j].max())
            margins.append(best - (float(others.max()) if len(others) else 0.0))
    return sum(margins) / len(margins)


def _numbers(anchors: frozenset[str]) -> frozenset[str]:
    return frozenset(x for x in anchors if x[:1].isdigit())


def fact_agreement(
    links: Sequence[Link], a: Encoded, b: Encoded
) -> tuple[float, float, int, float, float]:
    """Return how far aligned sentences agree on their names and numbers.

    For each link, the anchors of the side with fewer are looked up on the other side. Returns
    (share found for all anchors, share found for numbers, numbers looked up, number novelty,
    anchor novelty). A novelty is the smaller of the two sides' shares of aligned-sentence anchors
    (numbers only, or all) that appear nowhere in the other text. A copy keeps its source's figures
    and names even when it rewords everything, and adds none in what it copies; a report of other
    data written from the same template (next month's figures, another company's dividend)
    changes them on both sides.
    """
    agree = total = agree_n = total_n = 0
    linked_a: set[str] = set()
    linked_b: set[str] = set()
    for link in links:
        left = frozenset().union(*(a.anchors[i] for i in link.a))
        right = frozenset().union(*(b.anchors[j] for j in link.b))
        agree += len(left & right)
        total += min(len(left), len(right))
        nl, nr = _numbers(left), _numbers(right)
        agree_n += len(nl & nr)
        total_n += min(len(nl), len(nr))
        linked_a |= left
        linked_b |= right
    numbers_a, numbers_b = _numbers(frozenset(linked_a)), _numbers(frozenset(linked_b))
    all_a, all_b = a.all_anchors, b.all_anchors
    number_novelty = anchor_novelty = 0.0
    if len(numbers_a) >= 2 and len(numbers_b) >= 2:
        number_novelty = min(
            len(numbers_a - all_b) / len(numbers_a), len(numbers_b - all_a) / len(numbers_b)
        )
    if len(linked_a) >= 4 and len(linked_b) >= 4:
        anchor_novelty = min(
            len(linked_a - all_b) / len(linked_a), len(linked_b - all_a) / len(linked_b)
        )
    return (
        agree / total if total else 1.0,
        agree_n / total_n if total_n else 1.0,
        total_n,
        number_novelty,
        anchor_novelty,
    )


def _looked_up(links: Sequence[Link], a: Encoded, b: Encoded) -> int:
    """Return how many anchors `fact_agreement` compares (the sparser side of each link)."""
    total = 0
    for link in links:
        left = frozenset().union(*(a.anchors[i] for i in link.a))
        right = frozenset().union(*(b.anchors[j] for j in link.b))
        total += min(len(left), len(right))
    return total


def contradiction(
    links: Sequence[Link], a: Encoded, b: Encoded, lexical: float, config: ClassifyConfig
) -> str:
    """Return why the aligned sentences cannot be a copy (they report other facts), or "".

    Copies keep their source's figures and names. Texts written from one template (dividend
    notices, monthly statistics) or about another subject align well but change those; the
    closer the wording, the surer a changed set of facts means another report.
    """
    return disagreement(links, a, b, lexical, config) or other_subject(a, b)


def disagreement(
    links: Sequence[Link], a: Encoded, b: Encoded, lexical: float, config: ClassifyConfig
) -> str:
    """Return how the aligned sentences' figures and names disagree, or "" (`contradiction`
    without `other_subject`)."""
    facts, numbers, counted, number_novelty, anchor_novelty = fact_agreement(links, a, b)
    if counted >= config.min_numbers and numbers < config.min_number_agreement:
        return f"aligned sentences agree on {numbers:.0%} of their figures"
    if counted and numbers == 0 and lexical >= config.template:
        return "the same wording with none of the same figures (a template)"
    if facts < config.min_fact_agreement and _looked_up(links, a, b) >= config.min_numbers:
        return f"aligned sentences agree on {facts:.0%} of their names and figures"
    many = counted >= 4 or min(len(_numbers(a.all_anchors)), len(_numbers(b.all_anchors))) >= 4
    if number_novelty >= config.alone_number_novelty:
        return "none of the figures of either side's aligned sentences is in the other text"
    if number_novelty >= config.max_number_novelty and (many or lexical >= config.template):
        return f"both sides bring figures the other lacks ({number_novelty:.0%})"
    if anchor_novelty >= config.max_anchor_novelty and lexical >= config.template:
        return f"both sides bring names or figures the other lacks ({anchor_novelty:.0%})"
    return ""


def other_subject(a: Encoded, b: Encoded) -> str:
    """Return why two texts report on different things (companies, countries, months), or "":
    then they are neither copies nor one story, however alike their wording."""
    # a text without a name in two sentences (a dividend notice) is about what its title names
    subject_a = subjects(a) or title_subjects(a)
    subject_b = subjects(b) or title_subjects(b)
    shown = _told_apart(a, b, subject_a, subject_b, anchors=True)
    if shown:
        return f"different subjects ({shown})"
    # two reports of one kind of event (crude postings) about other companies can share every
    # name their bodies repeat (the grade of crude) but not the names their titles give
    shown = _told_apart(a, b, title_names(a), title_names(b))
    if shown:
        return f"titles of different subjects ({shown})"
    # next month's statistics are written from last month's report, figures and all
    period_a, period_b = period(a), period(b)
    if period_a and period_b and period_a != period_b:
        return f"reports of different months ({period_a} / {period_b})"
    return ""


# Month names as a title writes them, to the month. "May" is left out: in an all-capitals title
# it is as often the verb ("COFFEE OUTPUT MAY FALL").
_MONTHS = {
    **{m: m for m in "january february march april june july august september october november "
       "december".split()},
    **dict(zip("jan feb mar apr jun jul aug sep sept oct nov dec".split(),
               "january february march april june july august september september october "
               "november december".split(), strict=True)),
}  # fmt: skip
_DATES = frozenset(_MONTHS) | {"may"}  # words that date a text rather than name its subject


@per_document
def period(enc: Encoded) -> str | None:
    """Return the month a text reports on, or None: the one month its title names, when its body
    names that month in more sentences than any other ("JAPAN CONSUMER PRICES UNCHANGED IN
    FEBRUARY" over "The February index was down one pct ..., In January, the index fell ...").
    """
    doc = enc.doc
    if not doc.title:
        return None
    named = {_MONTHS[w] for w in _title_words(doc.title) if w in _MONTHS}
    if len(named) != 1:
        return None
    counts: Counter[str] = Counter()
    for first, found in _capitals(enc):
        counts.update({_MONTHS[w] for w in found | {first or ""} if w in _MONTHS})
    ranked = counts.most_common(2)
    month = named.pop()
    if not ranked or ranked[0][0] != month or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return month


# A body this short that names nothing but title words is a notice written from a template (of
# the dividend notices among the first 5,000 Reuters articles, about 170 of 200 have at most four
# sentences). A longer report can name nothing but its title's words, and then those words
# (all-capitals "SEAMAN'S STRIKE CONTINUES, MARINES UNLOAD SHIPS") are its subject, not a template.
NOTICE_SENTENCES = 4
# What an all-capitals wire title says happened, not who it happened to: the verbs and nouns of
# notices ("ROWE FURNITURE <ROWE> SETS QTLY DIVIDEND", "FIRST FEDERAL <FFBV> SETS QUARTERLY",
# "SAAB-SCANIA ISSUES 150 MLN DLR EUROBOND"), the currencies of issues ("SAPPORO BREWERIES PLANS
# 100 MLN SWISS FRANC NOTES") and the labels of earnings tables ("Shr 42 cts vs 76 cts / Revs 72.3
# mln vs 59.8 mln"). Two notices of other companies share these, so they are not a subject.
_HEADLINE = frozenset(
    """sets set declares declared raises raised cuts cut lowers increases reduces omits pays
    resumes boosts ups hikes regular quarterly qtly qtrly monthly annual semiannual semi special
    initial extra dividend dividends div payout distribution stock split issues issue launches
    launched plans files filed offers offer offering sells prices priced bond bonds eurobond
    eurobonds notes note debentures debt shelf registration shares common preferred mln bln dlr
    dlrs stg net loss profit qtr year shr shrs avg oper revs sales
    australian canadian swiss yen euroyen ecu sterling guilder guilders mark marks franc
    francs crown crowns lira lire kroner krona schilling peseta rand""".split()
)


@per_document
def title_names(enc: Encoded) -> frozenset[str]:
    """Return the words of a text's title that its body writes capitalised inside a sentence or
    in a name opening one that is of several words or in capitals ("USX's subsidiary, Marathon
    Petroleum Co, said"), leaving out dates, single letters and headline words:
    "MARATHON PETROLEUM REDUCES CRUDE POSTINGS" over "Marathon Petroleum Co said ... brings
    Marathon's posted price for West Texas Intermediate" names Marathon Petroleum. (One title word
    opening a body's sentence, "Marines were unloading ships", may be a common noun.)"""
    doc = enc.doc
    if not doc.title:
        return frozenset()
    inside: set[str] = set()
    for s, (_, found) in zip(doc.sentences, _capitals(enc), strict=True):
        inside |= found
        for name in name_mentions(doc.text[s.start : s.end]):
            if name.initial and (len(name.text.split()) >= 2 or name.text.isupper()):
                inside |= _title_words(name.text)
    return _as_subjects(_title_words(doc.title) & inside)


@per_document
def title_subjects(enc: Encoded) -> frozenset[str]:
    """Return the names of a text's title, leaving out dates and single letters. Every word of an
    all-capitals or title-case title counts as a name, so when the body names things of its own,
    only the title words it names too count ("CANADA DECEMBER LEADING INDICATOR UP 0.4 PCT" over
    "Canada's leading composite indicator ..., Statistics Canada said" is about Canada, not "up"
    or "pct"). When a notice's short body names nothing but title words ("Qtly div 9 cts vs 8 cts
    prior"), the words it shares with the title are the template's ("QTLY DIV") and are left out.
    When the body names only headline words of its title ("GECC ISSUES 75 MLN AUSTRALIAN DLR
    EUROBOND" over "General Electric Credit Corp is issuing a 75 mln Australian dlr eurobond"),
    the title's other words stay its subject.
    """
    if not enc.doc.title:
        return frozenset()
    found = _title_words(enc.doc.title)
    # (a title's word opening a sentence counts as a name there: `signatures.sentence_anchors`)
    named = _names(enc.all_anchors)
    if not named - found:
        if len(enc.doc.sentences) <= NOTICE_SENTENCES:
            found -= _words(enc.doc.sentences)
    elif _as_subjects(found & named):
        found &= named
    return _as_subjects(found)


def _title_words(title: str) -> set[str]:
    """Return every word of a title as a name is read (an all-capitals or title-case title
    capitalises them all)."""
    first, names = capitalised_names(title)
    return names | ({first} if first else set())


def _as_subjects(words: Iterable[str]) -> frozenset[str]:
    return frozenset(filter(_subject_word, words))


def _subject_word(x: str) -> bool:
    """Return True for a word that can be a subject: not a single letter, number (written out
    too: "Pay April Three"), date or headline word."""
    return (
        len(x) > 1
        and not x[:1].isdigit()
        and x not in _DATES
        and x not in _HEADLINE
        and x not in SPELLED
    )


def _names(anchors: frozenset[str]) -> frozenset[str]:
    """Return the names among anchors (not numbers, not months)."""
    return frozenset(x for x in anchors if not x[:1].isdigit() and x not in _DATES)


def _words(sentences: Iterable[Sentence], title: str | None = None) -> set[str]:
    """Return the lower-cased words of sentences (and a title), possessives stripped."""
    texts = [s.text for s in sentences] + [title or ""]
    return {_possessive(w) for text in texts for w in _WORDS.findall(text.lower())}


def _told_apart(
    a: Encoded, b: Encoded, words_a: frozenset[str], words_b: frozenset[str], anchors: bool = False
) -> str:
    """Return "a's words / b's words" when two texts' subject words say they are about different
    things, else "": each side names something the other does not ("TIN" / "TIN" is one subject
    even where the names around the word differ; "HOKKAIDO BANK" / "GUNMA BANK" are two), and
    neither names the other's words as it does (`_names_any`)."""
    if not words_a or not words_b or words_a <= words_b or words_b <= words_a:
        return ""
    if _names_any(a, b, words_a, anchors) or _names_any(b, a, words_b, anchors):
        return ""
    return f"{', '.join(sorted(words_a))} / {', '.join(sorted(words_b))}"


def _names_any(x: Encoded, y: Encoded, words: frozenset[str], anchors: bool = False) -> bool:
    """Return True when `y` names any of `x`'s subject `words` (capitalised, or among its anchors
    when `anchors`) as part of a name that may be the one `x` means: "Public" in "General Public
    Utilities Corp" is not the "Public" of "Florida Public Utilities Co", while "RESTURANT
    ASSOCIATES" misspells "RESTAURANT ASSOCIATES". A word either text writes outside any name
    counts."""
    named = _mentioned(y, words) | (words & y.all_anchors if anchors else set())
    if not named:
        return False
    keys_x, keys_y = _name_keys(x), _name_keys(y)
    for word in named:
        in_x = [k for k in keys_x if word in k]
        in_y = [k for k in keys_y if word in k]
        if not in_x or not in_y or any(same_name(p, q, typos=True) for p in in_x for q in in_y):
            return True
    return False


@per_document
def _name_keys(enc: Encoded) -> frozenset[tuple[str, ...]]:
    """Return the keys of the names a text writes, its title's included (`_title_keys`)."""
    doc = enc.doc
    found = {k for s in doc.sentences for k in name_keys(doc.text[s.start : s.end])}
    return frozenset(found | _title_keys(doc.title or ""))


# What ends a name in a title: punctuation other than that inside names ("<GMP>", ",", ":", "/")
_TITLE_BREAK = re.compile(r"[^\w\s'’.&-]+")


def _title_keys(title: str) -> set[tuple[str, ...]]:
    """Return the name keys of a title: its runs of words that can be a subject, broken at
    punctuation and at headline words, numbers and dates. An all-capitals title is one name to
    `facts` (every word is capitalised), so a notice whose body names nothing ("Qtly div 45 cts
    vs 45 cts prior") names its company only here: "GREEN MOUNTAIN POWER CORP <GMP> SETS
    QUARTERLY" names Green Mountain Power, whose "power" is not that of "IDAHO POWER CO <IDA>"."""
    keys = set()
    for part in _TITLE_BREAK.split(title):
        run: list[str] = []
        for word in (*name_key(part), ""):
            if word and _subject_word(word):
                run.append(word)
            elif run:
                keys.add(tuple(run))
                run = []
    return keys


def _mentioned(enc: Encoded, names: frozenset[str]) -> frozenset[str]:
    """Return those of `names` that the text or its title writes capitalised anywhere (sentence
    openers included), read as names are read ("U.S." is "us", "Allis-Chalmers'" is
    "allis-chalmers"): "Manufacturing output rose" names what "the manufacturing groups" does not.
    """
    return _capitalised(enc) & names


@per_document
def _capitalised(enc: Encoded) -> frozenset[str]:
    """Return every word the text or its title writes capitalised (see `_mentioned`)."""
    out = _title_words(enc.doc.title or "")
    for first, found in _capitals(enc):
        out |= found | ({first} if first else set())
    return frozenset(out)


@per_document
def _capitals(enc: Encoded) -> tuple[tuple[str | None, frozenset[str]], ...]:
    """Return each sentence's capitalised words: the one opening it (or None) and the others
    (`signatures.capitalised_names`), read once for the rules that ask."""
    doc = enc.doc
    found = (capitalised_names(doc.text[s.start : s.end]) for s in doc.sentences)
    return tuple((first, frozenset(others)) for first, others in found)


def _possessive(word: str) -> str:
    word = word.strip("'")
    return word[:-2] if word.endswith("'s") else word


_WORDS = re.compile(r"[\w']+")


def subjects(enc: Encoded, top: int = 3) -> frozenset[str]:
    """Return the names a text is most about: the `top` names in most sentences (ties kept),
    leaving out dates, single letters and headline words (a notice's "Qtly div ..." is no name).
    Empty when no name is in two sentences of a longer text.
    """
    counts: dict[str, int] = {}
    for anchors in enc.anchors:
        for x in anchors:
            if _subject_word(x):
                counts[x] = counts.get(x, 0) + 1
    if not counts or (max(counts.values()) < 2 and len(enc.anchors) > 2):
        return frozenset()
    cut = sorted(counts.values(), reverse=True)[:top][-1]
    return frozenset(x for x, n in counts.items() if n >= cut)
