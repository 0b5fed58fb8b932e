"""Cleaning: text normalisation and boilerplate lines, always as spans into the original text.

Nothing here rewrites `Document.text`. Normalisation applies to the copy of each sentence used for
comparison; boilerplate is a list of line spans that the sentence splitter leaves out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator

from copytrace.config import CleanConfig
from copytrace.records import Document, Span

_QUOTES = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»‹›", '"'),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f\u200b\u2060\ufeff", " "),
    "…": "...",
}
_TRANSLATE = str.maketrans(_QUOTES)


def normalize(text: str) -> str:
    """Return `text` with unicode, quote marks, dashes, case and whitespace normalised.

    Idempotent: `normalize(normalize(x)) == normalize(x)`.
    """
    if text.isascii():  # NFKC leaves ASCII as it is and casefold is lower: 5x faster
        return " ".join(text.translate(_TRANSLATE).lower().split())
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    # casefold can yield characters that NFKC composes differently; one more pass makes it stable
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.split())  # str.split and re's \s agree on what whitespace is


# Lines that are site furniture, not reporting. Matched against the whole stripped line,
# case-insensitively. Each was seen on news pages; keep them specific enough that a sentence of an
# article cannot match.
_BOILERPLATE = re.compile(
    r"""^(?:
        advertisement | advertisements? \s+ feature
      | sponsored(?:\s+content)? | promoted(?:\s+content)?
      | story \s+ continues \s+ (?:below|after) (?:\s+(?:this\s+)?advertisement)?
      | [^\w\s]{0,3}\s* tags? \s*:.* | topics? \s*:.{0,80} | filed \s+ under \s*:.*
      | (?:read|see) \s+ (?:more|also|next) (?:\s*:.{0,100})?
      | related(?:\s+(?:articles?|stories|news|coverage|topics|posts))? (?:\s*:.{0,80})?
      | (?:click|tap) \s+ (?:here\s+)? to \s+
        (?:share|subscribe|comment|read|follow|sign|log|print).{0,80}
      | share \s+ (?:this(?:\s+(?:article|story|page|post))?
                   | on\s+(?:facebook|twitter|x|linkedin|whatsapp|reddit|social\s+media)
                   | via\s+(?:email|e-mail|whatsapp|facebook|twitter)) \W{0,3}
      | share(?:\s*:)?
      | (?:follow|like) \s+ us \s+ on\b.{0,80}
      | (?:sign \s+ up|subscribe) \b[^,.]{0,120}
      | (?:log\s*in|sign\s*in|register|log\s*in\s*/\s*register|login\s*/\s*register)\b[^,.]{0,60}
      | to \s+ comment [^,]{0,60} log\s*in [^,]{0,20}
      | comments? \s* (?:\(\d+\))? (?:\s*[|:].{0,60})?
      | (?:©|\(c\)|copyright\s+(?:©|\(c\)|\d{4})) .{0,160} | all \s+ rights \s+ reserved .{0,40}
      | (?:photo|image|picture|video|credit|file\s+photo) \s* (?::|/|by\b) .{0,160}
      | \(? (?:(?:except \s+ for \s+ the \s+ headline,?
                | only \s+ the \s+ headline [^()]{0,80}?) \s+)?
        this \s+ (?:story|article|report) \b [^()]{0,160} \b syndicated \s+ feed \b .{0,400}
      | disclaimer \s* : .{0,400}
      | catch \s+ up \s+ on \s+ (?:all \s+)? the \s+ latest \b .{0,200}
      | print | email | e-mail | whatsapp | facebook | twitter | linkedin | reddit | x
      | [\W\d_]{1,12}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_boilerplate_line(line: str) -> bool:
    """Return True when a line (of any whitespace) is site furniture by pattern.

    A line that opens in lower case continues the sentence of the line before (wire copy is
    wrapped at a fixed width: "... dividend of 30 cts a / share on its common stock, said ...")
    and is never furniture, whatever words it starts with.
    """
    stripped = line.strip()
    if not stripped or stripped[0].islower():
        return False
    return _BOILERPLATE.match(stripped) is not None


def iter_lines(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """Yield `(start, end)` of every line of `text[start:]`, without its newline."""
    pos = start
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        yield pos, end
        pos = end + 1


def line_key(line: str) -> str:
    """Return the form of a line used to count repeats across documents."""
    return normalize(line)


def repeated_lines(documents: Iterable[Document], config: CleanConfig) -> frozenset[str]:
    """Return the short lines that repeat across enough documents to be boilerplate.

    A line counts once per document. The threshold is `repeated_min_docs` documents and at least
    `repeated_share` of the corpus, so one quote echoed by a handful of outlets stays content.
    """
    counts: Counter[str] = Counter()
    total = 0
    for doc in documents:
        total += 1
        counts.update(short_line_keys(doc, config.repeated_max_chars))
    return repeated_from_counts(counts, total, config)


def short_line_keys(doc: Document, max_chars: int) -> set[str]:
    """Return the normalised short lines of a document's body (what repetition counts)."""
    keys = set()
    for start, end in iter_lines(doc.text, doc.body_start):
        if 0 < end - start <= max_chars * 2:  # cheap length test before normalising
            key = line_key(doc.text[start:end])
            if key and len(key) <= max_chars:
                keys.add(key)
    return keys


def repeated_from_counts(counts: Counter[str], total: int, config: CleanConfig) -> frozenset[str]:
    """Return the repeated lines given per-line document counts over `total` documents."""
    need = max(config.repeated_min_docs, config.repeated_share * total)
    return frozenset(key for key, count in counts.items() if count >= need)


def boilerplate_spans(doc: Document, repeated: frozenset[str] = frozenset()) -> tuple[Span, ...]:
    """Return the spans of the body's lines that are boilerplate.

    A line is boilerplate when it matches a known pattern, is one of the corpus's `repeated` lines,
    or repeats the title (pages often print the headline twice).
    """
    title = normalize(doc.title) if doc.title else None
    spans = []
    for start, end in iter_lines(doc.text, doc.body_start):
        line = doc.text[start:end]
        if not line.strip():
            continue
        if is_boilerplate_line(line):
            spans.append((start, end))
            continue
        if (repeated or title) and len(line) < 400:
            key = line_key(line)
            if key in repeated or key == title:
                spans.append((start, end))
    return tuple(spans)
