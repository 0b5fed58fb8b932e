"""Fact mentions in a text: numbers with their qualifier and unit, names, and job titles.

`compare` uses these to find aligned statements that disagree. Every mention carries its span in
the text it was found in (plus an offset), so a conflict can point at the original. Normalisation
makes rewordings equal: "74.7 mln dlrs" and "$74.7 million" are both 74,700,000 usd; "28 cts" is
0.28 usd; "18.2 pct", "18.2%" and "18.2 per cent" are 18.2 pct; "third" and "Q3" are the ordinal 3.
Names are keyed by their lower-case words without company suffixes, so "H.J. Heinz Co" and "Heinz"
match (`same_name`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_UNIT_WORDS = str.split("two three four five six seven eight nine ten eleven twelve thirteen "
                        "fourteen fifteen sixteen seventeen eighteen nineteen")  # fmt: skip
_TENS_WORDS = str.split("twenty thirty forty fifty sixty seventy eighty ninety")
# "one" is left out on purpose: it is mostly a pronoun ("one of the biggest buyers").
_SPELLED = {w: i + 2 for i, w in enumerate(_UNIT_WORDS)}
_SPELLED |= {w: 10 * (i + 2) for i, w in enumerate(_TENS_WORDS)}
_ORDINALS = {w: i + 1 for i, w in enumerate(str.split(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"))}  # fmt: skip
_SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "trillion": 1e12, "tln": 1e12}
_SCALES |= dict.fromkeys(("mln", "million", "mn", "m"), 1e6)
_SCALES |= dict.fromkeys(("bln", "billion", "bn", "b"), 1e9)
_PREFIX_CURRENCY = {"$": "usd", "£": "gbp", "€": "eur", "¥": "jpy"}

# Unit phrases after a number: unit (with "/100" for cents) and pattern; longer phrases first.
_UNIT_SPEC = r"""
pt      percentage\s+points?|pct\s+points?
bp      basis\s+points?
pct     pct|per\s*cent|%
usd     (?:(?:u\.s\.|us|australian|canadian|hong\s+kong|new\s+zealand)\s+)?(?:dlrs?|dollars?)
usd/100 cts|cents?
gbp     stg|sterling|pounds?(?:\s+sterling)?
jpy     yen
dem     (?:d-)?marks|dmk|dm
franc   (?:french\s+|swiss\s+|belgian\s+)?francs?
nlg     guilders?
itl     lire|lira
peso    pesos?
zmk     kwacha
inr     rupees?
eur     euros?
bpd     bpd|b/d|barrels?\s+(?:per|a)\s+day|barrels?\s+daily
bbl     barrels?
t       (?:metric\s+)?(?:tonnes?|tons?)
cuft    cubic\s+feet|cu\s+ft
oz      (?:troy\s+)?ounces?|oz
kg      kilograms?|kilos?|kg
g       grams?
km      kilometres?|kilometers?|km
mi      miles?
acre    acres?
ha      hectares?
share   shares
yr      years?|yrs?
month   months?
week    weeks?
day     days?
hour    hours?|hrs?
"""
_UNITS = [line.split(None, 1) for line in _UNIT_SPEC.strip().splitlines()]
_UNIT_RE = "|".join(f"(?P<u{i}>{pattern})" for i, (_, pattern) in enumerate(_UNITS))
_QUALIFIER = (
    r"(?:the\s+|an\s+)?estimated|more\s+than|less\s+than|fewer\s+than|(?:well|just)\s+"
    r"(?:over|under|above|below)|over|under|above|below|nearly|almost|about|around|approximately|"
    r"roughly|some|up\s+to|at\s+least|at\s+most|as\s+(?:many|much)\s+as|close\s+to"
)
_TENS_RE, _UNITS_RE, _ORDINALS_RE = (
    "|".join(_TENS_WORDS),
    "|".join(_UNIT_WORDS),
    "|".join(_ORDINALS),
)
_NUMBER = re.compile(
    rf"""
        (?P<ord>(?<![\w.,])\d+(?:st|nd|rd|th)\b)
      | (?P<q>\bQ[1-4]\b)
      | (?P<ordw>\b(?:{_ORDINALS_RE})\b)
      | (?:(?P<cur>(?:\bUS|\bU\.S\.|\bA|\bC|\bHK|\bNZ|\bS)?\$|£|€|¥)\s?)?
        (?:
            (?P<frac>(?<![\w.,])\d+-\d{{1,2}}/\d{{1,2}}(?!\d))
          | (?P<num>(?<![\w.,/:])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?
                    (?![\d/:]|[.,]\d|(?:st|nd|rd|th|s)\b))
          | (?P<word>\b(?:(?:{_TENS_RE})(?:-(?:{_UNITS_RE}|one))?|{_UNITS_RE})\b)
        )
        (?P<scale>(?:\s+|-)(?:hundred|thousand|mln|million|bln|billion|trillion|tln|bn)\b
                 |(?:mln|mn|bn|bln|m|b|k)\b)?
        (?P<unit>[\s-]*(?:{_UNIT_RE})(?![\w]))?
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _trie(words: list[str]) -> str:
    """Return a regex for any of `words`, factored by prefix (re is slow on long `a|b|c`)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(k) + emit(v) for k, v in sorted(node.items()) if k]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


# Where a number may start. Matching `_NUMBER` only there is several times faster than running it
# over the whole text.
_ANCHOR = re.compile(
    rf"[$£€¥]|\d|\b(?:Q[1-4]|{_trie([*_TENS_WORDS, *_UNIT_WORDS, *_ORDINALS])})\b", re.IGNORECASE
)
_QUALIFIED = re.compile(rf"\b(?:{_QUALIFIER})\s+$", re.IGNORECASE)
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|and|or)\s*(?:\$|£|€|¥)?", re.IGNORECASE)

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
_SUFFIXES = _set(
    "inc corp co cos ltd plc corporation company incorporated llc limited sa ag nv bv gmbh spa "
    "the mr mrs ms dr sir"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&'’.\-]*|&")
_PLAIN = re.compile(r"[A-Za-z0-9]+")
_DIGIT = re.compile(r"\d")
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}")
_SENTENCE_END = re.compile(r"(?:[.!?][\"'”’)]*\s+|\n\s*\n)")
_FINAL = tuple(".!?\"'”’)")
_ABBREV = _set("mr mrs ms dr st jr sr gen col corp co inc ltd no vs u.s u.k")

Token = tuple[str, int, int]  # word, start, end


@dataclass(frozen=True, slots=True)
class Mention:
    """One fact in a text: a number, a name or a title, with its span in the text.

    `text` is the surface form (with a bounding qualifier such as "more than"); `value`, `unit`
    and `grain` (the rounding step the surface form implies) describe a number; `key` holds a
    name's or a title's normalised words; `person` is the name a title belongs to.
    """

    kind: str  # "number", "name", "title"
    text: str
    start: int
    end: int
    value: float = 0.0
    unit: str = ""  # "" for a plain count; "ord" for ordinals; "usd", "pct", "bpd", ...
    grain: float = 1.0
    qualifier: str = ""
    key: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    initial: bool = False  # a name that starts a sentence (may be a common word, "Shareholders")
    role: str = ""  # "org" (has a company suffix), "place" (the Iowa of "Cargill Inc of Iowa")


def mentions(text: str, offset: int = 0) -> list[Mention]:
    """Return the numbers, names and titles in `text`, in order, with spans shifted by `offset`.

    >>> [m.text for m in mentions("More than 10,000 troops joined Oscar Wyatt of Coastal Corp.")]
    ['More than 10,000', 'Oscar Wyatt', 'Coastal Corp']
    """
    return sorted(_numbers(text, offset) + _names(text, offset), key=lambda m: (m.start, m.end))


def same_number(a: Mention, b: Mention) -> bool:
    """Return True when two number mentions state the same quantity (up to rounding)."""
    # a bare number agrees with one that has a unit ("from 210,000" after "221,000 bpd")
    if a.unit != b.unit and ("ord" in (a.unit, b.unit) or (a.unit and b.unit)):
        return False
    if abs(a.value - b.value) <= 1e-9 * max(abs(a.value), abs(b.value), 1.0):
        return True
    # "$75 million" rounds "74.7 mln dlrs"; the coarser form must keep two digits ("10,000" does
    # not round "12,000")
    coarse, fine = (a, b) if a.grain >= b.grain else (b, a)
    if coarse.grain <= fine.grain or abs(coarse.value) < 10 * coarse.grain:
        return False
    return abs(coarse.value - fine.value) <= coarse.grain / 2 + 1e-9 * abs(coarse.value)


def same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Return True when two name keys may name the same thing ("Cargill Inc" / "Cargill").

    One key's words must all occur in the other (up to `same_word`), or one is an acronym of the
    other ("OPEC").
    """
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if all(any(same_word(w, v) for v in long) for w in short):
        return True
    if len(short) == 1 and len(long) >= 2 and 2 <= len(short[0]) <= 6:
        return short[0] == "".join(w[0] for w in long if w not in _CONNECTORS)
    return False


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
        if w and w not in _SUFFIXES and w not in _CONNECTORS:
            words.append(w)
    return tuple(words)


def _numbers(text: str, offset: int) -> list[Mention]:
    out: list[Mention] = []
    found: list[tuple[re.Match[str], float, float, int]] = []  # match, number, scale, decimals
    pos = 0
    while anchor := _ANCHOR.search(text, pos):
        m = _NUMBER.match(text, anchor.start())
        pos = m.end() if m else anchor.end()
        if not m:
            continue
        token = m.group("ord") or m.group("q") or m.group("ordw")
        if token:
            digits = re.sub(r"\D", "", token)
            value = float(digits) if digits else float(_ORDINALS[token.lower()])
            out.append(_number(text, m, offset, value, "ord", 1.0))
            continue
        number, decimals = _parse(m)
        scale_word = (m.group("scale") or "").strip().strip("-").strip().lower()
        if number is None or (scale_word in {"m", "b", "k"} and not m.group("cur")):
            continue  # "100m" is metres as often as millions; without a currency it is unclear
        found.append((m, number, _SCALES.get(scale_word, 1.0), decimals))
    for i, (m, number, scale, decimals) in enumerate(found):
        unit, factor = _unit(m)
        if not unit and scale == 1.0 and i + 1 < len(found):
            # "between 92.44 and 96.00 dlrs", "250,000-260,000 bpd": a range shares its unit
            following = found[i + 1]
            if _RANGE_GAP.fullmatch(text, m.end(), following[0].start()):
                unit, factor = _unit(following[0])
                scale = following[2]
        grain = 10.0 ** (-decimals) * scale * factor
        out.append(_number(text, m, offset, number * scale * factor, unit, grain))
    return out


def _parse(m: re.Match[str]) -> tuple[float | None, int]:
    """Return the number a match states (before scale and unit) and its decimal places."""
    if m.group("frac"):
        whole, fraction = m.group("frac").split("-")
        num, den = fraction.split("/")
        return (float(whole) + int(num) / int(den) if int(den) else None), 3
    if m.group("num"):
        digits = m.group("num").replace(",", "")
        return float(digits), len(digits.split(".")[1]) if "." in digits else 0
    tens, _, units = (m.group("word") or "").lower().partition("-")
    if not tens:
        return None, 0
    # "twenty-one": "one" is the only unit word missing from _SPELLED
    return float(_SPELLED[tens] + (_SPELLED.get(units, 1) if units else 0)), 0


def _unit(m: re.Match[str]) -> tuple[str, float]:
    if m.group("cur"):
        return _PREFIX_CURRENCY[m.group("cur")[-1]], 1.0
    if m.group("unit"):
        for i, (unit, _) in enumerate(_UNITS):
            if m.group(f"u{i}"):
                return unit.removesuffix("/100"), 0.01 if unit.endswith("/100") else 1.0
    return "", 1.0


def _number(
    text: str, m: re.Match[str], offset: int, value: float, unit: str, grain: float
) -> Mention:
    start, end = m.start(), m.end()
    while start < end and text[start].isspace():
        start += 1
    before = _QUALIFIED.search(text, max(0, start - 30), start)
    qualifier = " ".join(before.group().lower().split()) if before else ""
    if before and not qualifier.endswith("estimated"):
        # "more than 10,000" is a bound and part of the value; "the estimated 12,000" is a hedge
        # on where the figure comes from
        start = before.start()
    while end > start and text[end - 1] in " -\n\t":
        end -= 1
    return Mention(
        "number", text[start:end], start + offset, end + offset, value, unit, grain, qualifier
    )


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
        toks = [(w, s + c_start, e + c_start) for w, s, e in _tokens(text[c_start:c_end])]
        alpha = [w for w, _, _ in toks if w[0].isalpha()]
        caps = sum(1 for w in alpha if w[0].isupper())
        headline = len(alpha) >= 4 and caps >= 0.75 * len(alpha)
        if headline and not text[c_start:c_end].rstrip().endswith(_FINAL):
            continue  # a headline in title case or capitals: every word looks like a name
        out.extend(_chunk_names(text, toks, c_start, offset))
    return out


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
        key = name_key(text[start:end])
        if key and not (len(key) == 1 and len(key[0]) < 2):
            if title is not None and not text[title[1] : start].strip():
                out.append(
                    Mention("title", text[title[0] : title[1]], title[0] + offset,
                            title[1] + offset, key=title[2], person=key)
                )  # fmt: skip
            role = "place" if start == place else "org" if lowers[j - 1] in _SUFFIXES else ""
            initial = not text[chunk_start:start].strip(" \t\n\"'“‘(")
            out.append(
                Mention("name", text[start:end], start + offset, end + offset, key=key,
                        initial=initial, role=role)
            )  # fmt: skip
        title = None
        i = j
    return out
