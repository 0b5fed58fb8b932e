"""The records passed between stages: plain, frozen, slotted dataclasses.

A `Document` is read by `ingest`, gains its `Sentence`s in `sentences`; pairs of documents become
`Candidate`s, then an `Alignment`, then a `Relation`; relations group into `Story`s. A `ScanResult`
holds the lot. Offsets are always character offsets into `Document.text`, end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Span = tuple[int, int]

# Relation kinds, strongest copy first. `unrelated` is never stored.
COPY_KINDS = ("duplicate", "near_duplicate", "spin", "condensed", "partial_reuse")
KINDS = (*COPY_KINDS, "same_story")

# How the direction of a relation was decided (DESIGN.md, "Which one is the original").
BASES = ("published", "containment", "quote_fidelity", "unknown")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a document: where it lies in the original text and its normalised form."""

    index: int
    start: int
    end: int
    text: str  # normalised (see `clean.normalize`), used for every comparison


@dataclass(frozen=True, slots=True)
class Document:
    """One input text with its metadata; `sentences.prepare` fills `sentences` and `digest`."""

    id: str
    text: str
    path: str | None = None
    line: int | None = None  # 1-based line or row in a table file
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or date-time; None when unknown
    url: str | None = None
    source: str | None = None  # the outlet, when known
    body_start: int = (
        0  # offset where the body begins (after a title or date line taken from the text)
    )
    sentences: tuple[Sentence, ...] = ()
    boilerplate: tuple[Span, ...] = ()  # spans left out of the comparison
    digest: str = ""  # hash of the normalised body; equal digests mean `duplicate`

    @property
    def chars(self) -> int:
        """Length of the original text in characters."""
        return len(self.text)


@dataclass(frozen=True, slots=True, eq=False)
class Encoded:
    """A prepared document with what alignment needs per sentence, computed once per document."""

    doc: Document
    vectors: np.ndarray  # (sentences, dim) unit rows from the static model
    anchors: tuple[frozenset[str], ...]  # numbers and names of each sentence (`signatures.anchors`)
    lengths: tuple[int, ...]  # characters of each sentence
    vector: np.ndarray  # the document's unit mean sentence vector (weighted by length)
    all_anchors: frozenset[str]  # every anchor of the body
    quotes: frozenset[str]  # normalised direct quotes of the whole text


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be read, with where it was and what to do."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A pair of documents worth aligning, and which stage-one signals proposed it."""

    a: str
    b: str
    reasons: tuple[str, ...]  # "small", "exact", "minhash", "vector", "passage", "words"
    score: float  # the strongest stage-one similarity seen (Jaccard estimate or cosine)


@dataclass(frozen=True, slots=True)
class Link:
    """Aligned sentences: one or more sentences of `a` with one or more of `b`."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    similarity: float  # semantic similarity used to accept the link
    lexical: float  # surface similarity (1.0 = same words in the same order)
    method: str  # "exact", "fuzzy", "static", "minilm"


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of aligned sentences (or of words kept verbatim), as character spans in each text."""

    a: Span
    b: Span
    similarity: float
    sentences: int  # number of links in the run (for a run of words: the sentences of `a` it spans)


@dataclass(frozen=True, slots=True)
class Run:
    """Words two texts share in the same order (`verbatim.verbatim_runs`), as character spans."""

    a: Span
    b: Span
    words: int  # words of `a` in the run


@dataclass(frozen=True, slots=True)
class Alignment:
    """Sentence alignment of two documents, symmetric in `a` and `b`."""

    a: str
    b: str
    links: tuple[Link, ...]
    passages: tuple[Passage, ...]
    coverage_a: float  # share of a's body (by characters) that is aligned
    coverage_b: float
    sentences_a: int
    sentences_b: int
    order: float  # share of links that keep their relative order (1.0 = same order)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Aligned statements that disagree: a number, an amount, a name or a title."""

    derived: str
    source: str
    derived_span: Span
    source_span: Span
    kind: str  # "number", "name"


@dataclass(frozen=True, slots=True)
class Evidence:
    """The signals that decided a relation's kind and direction."""

    lexical: float  # mean surface similarity of aligned sentences
    semantic: float  # mean semantic similarity of aligned sentences
    aligned: int  # number of sentence links
    order: float
    facts: float = 1.0  # share of the names and numbers of aligned sentences found on both sides
    numbers: float = 1.0  # the same for numbers only (1.0 when the aligned sentences have none)
    reused: int = 0  # links that keep the wording or a specific figure (`classify.reuse_evidence`)
    shared_quotes: tuple[str, ...] = ()
    shared_names: tuple[str, ...] = ()
    candidate: tuple[str, ...] = ()  # stage-one reasons
    direction_reason: str = ""
    kind_reason: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    """A pairwise relation, derived -> source, with its evidence."""

    derived: str
    source: str
    kind: str
    score: float
    direction: str  # one of BASES; with "unknown" the order of derived/source means nothing
    coverage_derived: float
    coverage_source: float
    passages: tuple[Passage, ...]  # `a` spans are in `derived`, `b` spans in `source`
    links: tuple[Link, ...]  # `a` indices are sentences of `derived`, `b` of `source`
    conflicts: tuple[Conflict, ...]
    evidence: Evidence

    @property
    def is_copy(self) -> bool:
        """True for every kind but `same_story`."""
        return self.kind in COPY_KINDS


@dataclass(frozen=True, slots=True)
class Story:
    """Documents about one event, with the probable original."""

    id: str
    members: tuple[str, ...]
    original: str | None
    original_basis: str  # why `original` was chosen, or why it could not be


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found."""

    documents: tuple[Document, ...]
    relations: tuple[Relation, ...]
    stories: tuple[Story, ...]
    problems: tuple[Problem, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)


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
