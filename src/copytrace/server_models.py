"""The bodies of the REST API as pydantic models, so `/openapi.json` says exactly what goes in
and out. Responses follow the JSON of the command line: `query --json`, `compare --json`,
`stories --json` and `add --json` (see `report` and `store_report`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_ID = 500  # characters of a document id
MAX_TEXT = 2_000_000  # characters of one text (the body limit usually stops it first)
MAX_BATCH = 1000  # documents in one POST /api/documents
MAX_PAGE = 500  # items in one page of a listing
MAX_OFFSET = 2**31 - 1  # SQLite takes larger offsets badly; no store is that big


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("is empty: give the article's text")
    return text


# ---- errors -----------------------------------------------------------------------------------


class ErrorDetail(_Model):
    """What went wrong: a stable code for scripts and a message for people."""

    code: str
    message: str


class ErrorBody(_Model):
    """The body of every 4xx answer."""

    error: ErrorDetail


# ---- requests ---------------------------------------------------------------------------------


class _Text(_Model):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The article's text.")
    title: str | None = Field(None, max_length=MAX_ID)
    published: str | None = Field(None, max_length=64, description="ISO date, e.g. 2025-04-26.")
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=MAX_ID, description="The outlet.")

    @field_validator("text")
    @classmethod
    def check_text(cls, text: str) -> str:
        """Refuse a text of whitespace only."""
        return _not_blank(text)


class TextIn(_Text):
    """A text given directly, with optional metadata (what the text says at its top otherwise)."""

    id: str | None = Field(None, min_length=1, max_length=MAX_ID)


class DocumentIn(_Text):
    """A document to store: its id is required (re-adding the same id and text is a no-op)."""

    id: str = Field(min_length=1, max_length=MAX_ID)


class AddRequest(_Model):
    """Documents to add to the store."""

    documents: list[DocumentIn] = Field(min_length=1, max_length=MAX_BATCH)


class QueryRequest(_Model):
    """A text whose sources to find."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    id: str = Field("text", min_length=1, max_length=MAX_ID, description="Names the query.")
    top: int = Field(10, ge=1, le=100, description="Sources returned at most.")

    @field_validator("text")
    @classmethod
    def check_text(cls, text: str) -> str:
        """Refuse a text of whitespace only."""
        return _not_blank(text)


class CompareRequest(_Model):
    """Two texts to compare."""

    a: TextIn
    b: TextIn


# ---- shared pieces ----------------------------------------------------------------------------


class Coverage(_Model):
    """Share of each text's body that is aligned."""

    derived: float
    source: float


class PassageOut(_Model):
    """A run of aligned sentences as character spans `[start, end]` in each text."""

    derived: list[int]
    source: list[int]
    similarity: float


class ConflictOut(_Model):
    """Aligned statements that disagree, with their spans."""

    derived: str
    source: str
    derived_span: list[int]
    source_span: list[int]
    kind: str


class RelationOut(_Model):
    """A relation, derived -> source, as in `scan --json`."""

    derived: str
    source: str
    kind: str
    score: float
    direction: str
    coverage: Coverage
    passages: list[PassageOut]
    conflicts: list[ConflictOut]


class StoryOut(_Model):
    """A story: its members and probable original."""

    id: str
    members: list[str]
    original: str | None
    original_basis: str


# ---- responses --------------------------------------------------------------------------------


class Renamed(_Model):
    """An id that was taken by another text, and the id the document was stored under."""

    given: str
    stored: str


class AddResponse(_Model):
    """What an add did, as `add --json`, with the ids stored."""

    copytrace: str
    added: int
    skipped: int
    relations: int
    stories: int
    batches: int
    seconds: float
    ids: list[str]
    renamed: list[Renamed]


class DocumentSummary(_Model):
    """A stored document without its text."""

    id: str
    path: str | None
    title: str | None
    published: str | None
    url: str | None
    source: str | None
    chars: int
    story: str | None = Field(description="Its story's id, when it has one.")


class DocumentPage(_Model):
    """One page of stored documents, in the order they were added."""

    total: int
    offset: int
    limit: int
    items: list[DocumentSummary]


class DocumentDetail(DocumentSummary):
    """A stored document with its text and its relations, strongest first."""

    text: str
    sentences: int
    relations: list[RelationOut]


class StorySummary(_Model):
    """A story in a listing: size, copies, original and members' ids."""

    id: str
    title: str
    size: int
    copies: int = Field(description="Copy relations among its members (not same_story).")
    original: str | None
    original_basis: str
    members: list[str]


class StoryPage(_Model):
    """One page of stories of two documents or more, largest and most copied first."""

    total: int
    offset: int
    limit: int
    items: list[StorySummary]


class StoryDocument(_Model):
    """A member of a story, as in `scan --json`."""

    id: str
    path: str | None
    title: str | None
    published: str | None
    chars: int
    sentences: int


class StoryDetail(_Model):
    """A story with its members and every relation among them, as `stories --json`."""

    copytrace: str
    story: StoryOut
    documents: list[StoryDocument]
    relations: list[RelationOut]


class QueryCoverage(_Model):
    """Share of the query and of the source that is aligned."""

    query: float
    source: float


class QueryPassage(_Model):
    """Aligned spans in the query and in the source."""

    query: list[int]
    source: list[int]
    similarity: float


class QueryConflict(_Model):
    """A fact the query and the source state differently, by span."""

    query: list[int]
    source: list[int]
    kind: str


class QuerySource(_Model):
    """A stored document the query relates to, as in `query --json`."""

    id: str
    kind: str
    score: float
    direction: str
    derived: Literal["query", "source"] | None = Field(
        description="Which side is the copy; null when the direction is unknown."
    )
    story: str | None
    coverage: QueryCoverage
    passages: list[QueryPassage]
    conflicts: list[QueryConflict]


class QueryItem(_Model):
    """The sources of one query text, best first."""

    id: str
    ms: float
    sources: list[QuerySource]


class QueryResponse(_Model):
    """The answer to a query, as `query --json`."""

    copytrace: str
    queries: list[QueryItem]


class CompareDocument(_Model):
    """One of the two compared texts."""

    id: str
    path: str | None
    title: str | None


class SentenceOut(_Model):
    """A sentence by index, with its span and text."""

    sentence: int
    span: list[int]
    text: str


class Changes(_Model):
    """What the derived text adds, drops and states differently."""

    derived: str
    source: str
    adds: list[SentenceOut]
    drops: list[SentenceOut]
    conflicts: list[ConflictOut]


class CompareResponse(_Model):
    """The relation between two texts, as `compare --json`; null when they are unrelated."""

    copytrace: str
    documents: list[CompareDocument]
    relation: RelationOut | None
    changes: Changes | None
