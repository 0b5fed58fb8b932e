"""Publication dates: normalise metadata values to ISO; find a date written at the top of a text.

Only the standard library is used (no dateutil): `datetime.fromisoformat`, RFC 2822 through
`email.utils` and a few explicit formats. Month names are matched by our own table, not `%B`, so
the result does not depend on the locale.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# ASCII: with Unicode case folding "ſep" would match "sep" and miss the month table.
_FLAGS = re.IGNORECASE | re.ASCII
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
# Each pattern gives (year, month, day) through `_groups`; `(?!\w)` keeps "2025-04-267" out.
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\w-])", re.ASCII)
_MDY = re.compile(rf"{_MONTH}\s+{_DAY},?\s+(\d{{4}})(?!\w)", _FLAGS)  # April 26, 2025
_DMY = re.compile(rf"{_DAY}\s+{_MONTH},?\s+(\d{{4}})(?!\w)", _FLAGS)  # 26 April 2025
_PATTERNS = (_ISO, _MDY, _DMY)

_KEYWORD = re.compile(r"[ \t]*(?:(date|published)\b[ \t]*:?[ \t]*)?", _FLAGS)
_SEPARATOR = re.compile(r"[ \t]*(?:[-–—:|,]+|\.(?=\s))[ \t]*")
_END_OF_LINE = re.compile(r"[ \t]*(?=\n|$)")
_DATE_LINE = re.compile(r"^[ \t]*(?:date|published)\b[ \t]*:?[ \t]*", _FLAGS | re.MULTILINE)

# Formats `fromisoformat` does not read; %b is case-insensitive in strptime ("26-FEB-1987").
_FORMATS = ("%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y", "%Y/%m/%d", "%d.%m.%Y")


def _groups(pattern: re.Pattern[str], m: re.Match[str]) -> str | None:
    """Return the ISO date of a match of one of `_PATTERNS`, or None if it is not a real date."""
    if pattern is _ISO:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif pattern is _MDY:
        year, month, day = int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2])
    else:
        year, month, day = int(m[3]), _MONTHS[m[2][:3].lower()], int(m[1])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_at(text: str, pos: int) -> tuple[str, int] | None:
    for pattern in _PATTERNS:
        m = pattern.match(text, pos)
        if m:
            iso = _groups(pattern, m)
            return (iso, m.end()) if iso else None
    return None


def leading_date(text: str, pos: int = 0) -> tuple[str, int] | None:
    """Find a date written at `pos` (" date 2025-04-26 ...", "April 26, 2025 - ...").

    Returns the ISO date and the offset just past the date and its separator, or None. A bare date
    must be followed by a separator (dash, colon, bar, comma) or the end of its line, so a sentence
    that merely starts with a date ("26 April 2025 marked ...") is left alone; after a `date` or
    `published` keyword any whitespace will do.
    """
    keyword = _KEYWORD.match(text, pos)
    assert keyword is not None  # the pattern can match the empty string
    found = _date_at(text, keyword.end())
    if found is None:
        return None
    iso, end = found
    separator = _SEPARATOR.match(text, end) or _END_OF_LINE.match(text, end)
    if separator:
        return iso, separator.end()
    if keyword[1] and text[end : end + 1].isspace():
        return iso, end
    return None


def date_line(text: str) -> str | None:
    """Return the ISO date of the first line like `date: 2025-04-26` anywhere in a text."""
    for m in _DATE_LINE.finditer(text):
        found = _date_at(text, m.end())
        if found and _END_OF_LINE.match(text, found[1]):
            return found[0]
    return None


def normalize_date(value: object) -> str | None:
    """Return a metadata date as ISO `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when a time is known.

    Accepts `date` and `datetime` objects and strings (ISO 8601, RFC 2822, "April 26, 2025",
    "26-FEB-1987 15:01:01.79", ...). Times with a zone are converted to UTC so that dates from
    different outlets compare. Anything unreadable gives None: a bad date never stops a run.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(UTC).replace(tzinfo=None)
            except OverflowError:  # a zone offset that pushes year 1 or 9999 out of range
                return None
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return normalize_date(datetime.fromisoformat(text))
    except ValueError:
        pass
    found = _date_at(text, 0)
    if found and found[1] == len(text.rstrip(" .")):
        return found[0]
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.date().isoformat() if "%H" not in fmt else normalize_date(parsed)
    try:
        return normalize_date(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None
