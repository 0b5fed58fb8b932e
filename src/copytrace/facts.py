"""Fact mentions in a text: numbers with their qualifier and unit, names, and job titles.

`compare` uses these to find aligned statements that disagree. Every mention carries its span in
the text it was found in (plus an offset), so a conflict can point at the original. Numbers come
from `figures`. Names are keyed by their lower-case words without company suffixes, so
"H.J. Heinz Co" and "Heinz" match (`same_name`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA

from copytrace.figures import number_mentions
from copytrace.records import Mention


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Job titles, lower case. A title counts only right before a person's name ("President Putin").
_TITLE_LIST = """president;vice president;prime minister;minister;premier;chancellor;chairman;
    chairwoman;chief executive;chief executive officer;ceo;chief financial officer;cfo;
    chief operating officer;managing director;director;governor;secretary;secretary of state;
    secretary-general;senator;mayor;king;queen;prince;princess;general;admiral;colonel;
    chief of staff;spokesman;spokeswoman;ambassador;treasurer;judge;pope;speaker;lawyer;
    economist;analyst;head"""
_TITLES = frozenset(t.strip() for t in _TITLE_LIST.split(";"))
_TITLE_LENGTHS: dict[str, list[int]] = {}  # first word -> title lengths in words, longest first
for _title in sorted(_TITLES, key=lambda t: -len(t.split())):
    _TITLE_LENGTHS.setdefault(_title.split()[0], []).append(len(_title.split()))
_TITLE_HEADS = _set("minister secretary")  # these take a capitalised modifier: "Energy Minister"
_TITLE_NOISE = _set("former new acting outgoing incoming the then")

# Capitalised words that do not start a name: function words and common sentence openers.
_COMMON = _set(
    """a an the this that these those there here it its he she they we i you his her their our
    my your them us him me who what which when where why how whose while after before as at by
    for from in into of on onto out over under with within without about above across against
    along among around behind below beside between beyond during except inside near off since
    through throughout till toward towards until upon and but or nor so yet if unless because
    although though whether than then also however meanwhile moreover furthermore nevertheless
    nonetheless still instead otherwise thus hence therefore indeed besides earlier later today
    yesterday tomorrow now once currently recently last next first finally separately
    additionally according despite following some many most much more few several all any each
    every both either neither no not none other another such only just even analysts officials
    sources experts critics shareholders investors traders dealers residents is are was were be
    been being has have had do does did will would shall should can could may might must said
    says say told asked added reports report mr mrs ms dr sir"""
)
_MONTHS = _set(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday"""
)
_CONNECTORS = _set("of de da du van von der del la le &")
_OF_HEADS = _set(  # names that go on with "of": "Ministry of Mines", "Gulf of Mexico"
    """ministry minister bank department union organization organisation bureau university
    association federation council institute board chamber church office house court republic
    kingdom states commission committee party league society college school academy agency
    authority city province gulf port isle islands duke museum fund exchange centre center"""
)
# Words that end a company's name in English; `_SUFFIXES` adds other languages' and honorifics
_COMPANY = _set("inc corp co cos ltd plc corporation company incorporated llc limited")
_SUFFIXES = _COMPANY | _set("sa ag nv bv gmbh spa the mr mrs ms dr sir")
_POSSESSIVE_SPACE = re.compile(r"(?:['’]s)? ")  # between two words of one name
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&'’.\-]*|&")
_PLAIN = re.compile(r"[A-Za-z0-9]+")
_DIGIT = re.compile(r"\d")
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}")
_SENTENCE_END = re.compile(r"(?:[.!?][\"'”’)]*\s+|\n\s*\n)")
_FINAL = tuple(".!?\"'”’)")
_ABBREV = _set("mr mrs ms dr st jr sr gen col corp co inc ltd no vs u.s u.k")

Token = tuple[str, int, int]  # word, start, end


def mentions(text: str, offset: int = 0) -> list[Mention]:
    """Return the numbers, names and titles in `text`, in order, with spans shifted by `offset`.

    >>> [m.text for m in mentions("More than 10,000 troops joined Oscar Wyatt of Coastal Corp.")]
    ['More than 10,000', 'Oscar Wyatt', 'Coastal Corp']
    """
    found = number_mentions(text, offset) + _names(text, offset)
    return sorted(found, key=lambda m: (m.start, m.end))


def name_keys(text: str) -> frozenset[tuple[str, ...]]:
    """Return the keys of the names in `text` (see `name_key`), without numbers or titles.

    >>> sorted(name_keys("General Public Utilities Corp said GPU will pay."))
    [('general', 'public', 'utilities'), ('gpu',)]
    """
    return frozenset(m.key for m in name_mentions(text))


def name_mentions(text: str) -> list[Mention]:
    """Return the names in `text` (`mentions` without numbers or titles), in order."""
    return [m for m in _names(text, 0) if m.kind == "name"]


def same_name(a: tuple[str, ...], b: tuple[str, ...], typos: bool = False) -> bool:
    """Return True when two name keys may name the same thing ("Cargill Inc" / "Cargill").

    One key's words must all occur in the other (up to `same_word`, or with `typos` up to one
    misspelt letter or two swapped in words of six or more: "Resturant" / "Restaurant", "Ceasars"
    / "Caesars"), or one is an acronym of the other ("OPEC").
    """
    if not a or not b:
        return False
    alike = _same_or_misspelt if typos else same_word
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if all(any(alike(w, v) for v in long) for w in short):
        return True
    # keys of one length are tried both ways, so that the answer does not depend on the order
    if len(a) == len(b) and all(any(alike(w, v) for v in a) for w in b):
        return True
    if len(short) == 1 and len(long) >= 2 and 2 <= len(short[0]) <= 6:
        return short[0] == "".join(w[0] for w in long if w not in _CONNECTORS)
    return False


MISSPELT_MIN = 6  # letters a word needs before one wrong letter is a misspelling, not a new word


def _same_or_misspelt(a: str, b: str) -> bool:
    # OSA: a letter left out, added or replaced, or two neighbours swapped, is one edit
    return same_word(a, b) or (min(len(a), len(b)) >= MISSPELT_MIN and OSA.distance(a, b) <= 1)


def same_word(a: str, b: str) -> bool:
    """Return True for one word up to an ending ("Korea"/"Korean") or abbreviation ("Ill")."""
    if a == b:
        return True
    n = min(len(a), len(b))
    if n >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= 0.6 * n  # "Turkey"/"Turkish", "Norway"/"Norwegian"


def name_key(surface: str) -> tuple[str, ...]:
    """Return the normalised words of a name: lower case, no dots, suffixes or connectors."""
    words = []
    for raw in surface.replace("-", " ").split():
        w = raw.lower().replace("’", "'").removesuffix("'s").replace(".", "").replace("&", "")
        if w and w not in _SUFFIXES and w not in _CONNECTORS and w != "and":
            words.append(w)
    return tuple(words)


def _tokens(text: str) -> list[Token]:
    out = []
    for m in _WORD.finditer(text):
        word, start = m.group(), m.start()
        if not _PLAIN.fullmatch(word) and not _INITIALS.fullmatch(word):
            word = word.rstrip(".-'’")
            if word.endswith(("'s", "’s")):
                word = word[:-2]
            if "-" in word and word[0].isupper():
                # "Minnesota-based": the name is the capitalised part before the lower-case one
                parts = word.split("-")
                keep = 1
                while keep < len(parts) and parts[keep][:1].isupper():
                    keep += 1
                word = "-".join(parts[:keep])
        if word:
            out.append((word, start, start + len(word)))
    return out


def _chunks(text: str) -> list[tuple[int, int]]:
    """Split into sentence-like chunks, only to find sentence starts and headlines."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()].rsplit(None, 1)
        last = before[-1].lower() if before else ""
        if "\n" not in m.group() and (last in _ABBREV or _INITIALS.fullmatch(last + ".")):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _names(text: str, offset: int) -> list[Mention]:
    out: list[Mention] = []
    for c_start, c_end in _chunks(text):
        shift = c_start + offset
        found = _chunk_mentions(text[c_start:c_end].rstrip())
        out.extend(found if not shift else (_shifted(m, shift) for m in found))
    return out


# One entry per sentence-like chunk. A conflict check reads each document whole and each linked
# sentence alone; their chunks are mostly the same strings, and are analysed once.
@lru_cache(maxsize=65536)
def _chunk_mentions(chunk: str) -> tuple[Mention, ...]:
    """Return the names and titles of one chunk, spans from its start (trailing space cut)."""
    toks = _tokens(chunk)
    alpha = [w for w, _, _ in toks if w[0].isalpha()]
    caps = sum(1 for w in alpha if w[0].isupper())
    if len(alpha) >= 4 and caps >= 0.75 * len(alpha) and not chunk.endswith(_FINAL):
        return ()  # a headline in title case or capitals: every word looks like a name
    return tuple(_chunk_names(chunk, toks, 0, 0))


def _shifted(m: Mention, shift: int) -> Mention:
    return Mention(
        m.kind, m.text, m.start + shift, m.end + shift, m.value, m.unit, m.grain, m.qualifier,
        m.key, m.person, m.initial, m.role,
    )  # fmt: skip


def _title_at(toks: list[Token], lowers: list[str], i: int) -> int:
    """Return how many words from `i` form a job title (0 when none)."""
    for n in _TITLE_LENGTHS.get(lowers[i], ()):
        if " ".join(lowers[i : i + n]) in _TITLES:
            return n
    if i + 1 < len(lowers) and lowers[i + 1] in _TITLE_LENGTHS and toks[i][0][0].isupper():
        # "Energy Minister": a capitalised modifier belongs to a minister's title
        n = _title_at(toks, lowers, i + 1)
        # a title matched on a slice cut short by the text's end claims more words than remain
        if n and i + n < len(lowers) and lowers[i + n] in _TITLE_HEADS and lowers[i] not in _COMMON:
            return n + 1
    return 0


def _name_word(word: str) -> bool:
    return word[0].isupper() and word.lower() not in _MONTHS and not _DIGIT.search(word)


def _company_tail(text: str, toks: list[Token], lowers: list[str], i: int, j: int) -> int:
    """Return where a company's name ends when the "and" at `j` joins its two halves (the name
    starts at `i`), else 0.

    "Telegraph Co" in "American Telephone and Telegraph Co": after the "and" come capitalised
    words, no more of them than before it, and a company suffix, all one run. Two companies are
    named either side when the left half already ends in a suffix ("Texaco Inc and Pennzoil Co")
    or the right half is the longer ("Ford and General Motors Corp"). In the Reuters-21578
    articles, 1,623 "X and Y Co"-like runs are nearly all one company ("Goldman Sachs and Co",
    "Pacific Gas and Electric Co", "Standard and Poor's Corp").
    """
    if lowers[j - 1] in _SUFFIXES:
        return 0
    k = j + 1
    while k < len(toks) and k - j - 1 <= j - i:
        if not _POSSESSIVE_SPACE.fullmatch(text[toks[k - 1][2] : toks[k][1]]):
            return 0
        if not _name_word(toks[k][0]):
            return 0
        if lowers[k] in _COMPANY:
            return k + 1
        k += 1
    return 0


def _chunk_names(text: str, toks: list[Token], chunk_start: int, offset: int) -> list[Mention]:
    out: list[Mention] = []
    lowers = [w.lower() for w, _, _ in toks]
    title: tuple[int, int, tuple[str, ...]] | None = None  # a title waiting for its person
    place = -1  # start of the "Iowa" in "Cargill Inc of Iowa"
    i, n = 0, len(toks)
    while i < n:
        t = _title_at(toks, lowers, i)
        if t and i + t <= n:  # not a title cut short by the end of the text (see _title_at)
            key = tuple(w for w in lowers[i : i + t] if w not in _TITLE_NOISE)
            title = (toks[i][1], toks[i + t - 1][2], key)
            i += t
            continue
        if not _name_word(toks[i][0]) or lowers[i] in _COMMON:
            if lowers[i] not in _TITLE_NOISE:
                title = None
            i += 1
            continue
        j = i + 1  # extend the run of capitalised words, joined by spaces and "of", "de", ...
        while j < n and not text[toks[j - 1][2] : toks[j][1]].strip():
            if _title_at(toks, lowers, j) or "\n\n" in text[toks[j - 1][2] : toks[j][1]]:
                break
            if _name_word(toks[j][0]):
                j += 1
                continue
            if lowers[j] == "and":
                end = _company_tail(text, toks, lowers, i, j)
                if not end:
                    break
                j = end  # "American Telephone and Telegraph Co", "Merrill Lynch and Co Inc"
                continue
            if not (
                lowers[j] in _CONNECTORS
                and j + 1 < n
                and toks[j + 1][0][0].isupper()
                and not text[toks[j][2] : toks[j + 1][1]].strip()
            ):
                break
            if lowers[j] == "of" and lowers[j - 1] in _SUFFIXES:
                place = toks[j + 1][1]  # "Cargill Inc of Iowa": a company, then its home
                break
            if lowers[j] == "of" and lowers[j - 1] not in _OF_HEADS:
                break  # "Oscar Wyatt of Coastal Corp" is two names; "Bank of Japan" is one
            j += 2
        start, end = toks[i][1], toks[j - 1][2]
        org = lowers[j - 1] in _SUFFIXES
        # "General Public Utilities Corp", "General Motors Corp": a capitalised title word before
        # a company's name is the start of that name, not a person's title
        joined = title is not None and not text[title[1] : start].strip()
        if org and joined and title is not None and text[title[0]].isupper():
            start, title, joined = title[0], None, False
        key = name_key(text[start:end])
        if key and not (len(key) == 1 and len(key[0]) < 2):
            if joined and title is not None:
                out.append(
                    Mention("title", text[title[0] : title[1]], title[0] + offset,
                            title[1] + offset, key=title[2], person=key)
                )  # fmt: skip
            role = "place" if start == place else "org" if org else ""
            initial = not text[chunk_start:start].strip(" \t\n\"'“‘(")
            out.append(
                Mention("name", text[start:end], start + offset, end + offset, key=key,
                        initial=initial, role=role)
            )  # fmt: skip
        title = None
        i = j
    return out
