"""Figures in a text: numbers with their qualifier ("more than"), scale and unit, normalised.

Normalisation makes rewordings equal: "74.7 mln dlrs" and "$74.7 million" are both 74,700,000 usd;
"28 cts" is 0.28 usd; "18.2 pct", "18.2%" and "18.2 per cent" are 18.2 pct; "third" and "Q3" are
the ordinal 3. Each figure keeps the rounding step its surface form implies, so "$75 million"
agrees with "74.7 mln dlrs" (`same_number`). `facts.mentions` adds names and titles.
"""

from __future__ import annotations

import re

from copytrace.records import Mention

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


def number_mentions(text: str, offset: int = 0) -> list[Mention]:
    """Return the numbers in `text` with their qualifier and unit, spans shifted by `offset`."""
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
            # "between 92.44 and 96.00 dlrs", "250,000-260,000 bpd": a range shares its unit, but
            # "the deficit for 1988 to 108 billion dlrs" is a year, then an amount
            following = found[i + 1]
            if _RANGE_GAP.fullmatch(text, m.end(), following[0].start()) and (
                not _year_like(m) or _year_like(following[0])
            ):
                unit, factor = _unit(following[0])
                scale = following[2]
        grain = 10.0 ** (-decimals) * scale * factor
        out.append(_number(text, m, offset, number * scale * factor, unit, grain))
    return out


def _year_like(m: re.Match[str]) -> bool:
    """Return True for a bare four-digit number that may be a year ("1988", not "1,988")."""
    digits = m.group("num") or ""
    return m.group(0).strip() == digits and digits.isdigit() and 1800 <= int(digits) <= 2100


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
