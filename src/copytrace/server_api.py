"""The REST API of the web app: documents, stories, query and compare, as JSON.

Every answer is the JSON the command line prints with `--json` (`report`, `store_report`), checked
against the pydantic models of `server_models`, so `/openapi.json` describes it exactly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from copytrace import __version__, report, store_report
from copytrace.ingest import read_text
from copytrace.pipeline import compare_documents
from copytrace.records import Document
from copytrace.server import Service
from copytrace.server_models import (
    MAX_OFFSET,
    MAX_PAGE,
    AddRequest,
    AddResponse,
    CompareRequest,
    CompareResponse,
    DocumentDetail,
    DocumentIn,
    DocumentPage,
    ErrorBody,
    QueryRequest,
    QueryResponse,
    StoryDetail,
    StoryPage,
    TextIn,
)
from copytrace.server_store import (
    count_stories,
    document_row,
    document_rows,
    story_key,
    story_rows,
)
from copytrace.store import Store

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed JSON or a request the store refuses."},
    413: {"model": ErrorBody, "description": "Body over the server's --max-body."},
    422: {"model": ErrorBody, "description": "A field is missing, empty or out of range."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such id in the store."}
}
_LOCKED: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Another process is writing to the store."}
}

router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(_service)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]


# ---- documents --------------------------------------------------------------------------------


@router.post("/documents", response_model=AddResponse, responses=_LOCKED)
async def add_documents(body: AddRequest, service: ServiceDep) -> dict[str, Any]:
    """Add documents to the store; each is compared with everything stored.

    A document already stored under the same id with the same text is skipped; an id taken by
    another text is stored as `id~2` (see `renamed`).
    """
    twice = [i for i, n in Counter(d.id for d in body.documents).items() if n > 1]
    if twice:
        raise HTTPException(422, f"documents: id {twice[0]!r} is given more than once")
    docs = [_document(d, d.id) for d in body.documents]
    rep = await service.write(lambda store, config, models: store.add(
        docs, config, models, batch_size=len(docs), problems=[], workers=1))  # fmt: skip
    out = store_report.add_json(rep, str(service.db))
    del out["db"]  # the server's file system is not the client's business
    return {**out, "ids": list(rep.ids)}


@router.get("/documents", response_model=DocumentPage)
async def list_documents(service: ServiceDep, offset: Offset = 0, limit: Limit = 50) -> Any:
    """List stored documents, in the order they were added, one page at a time."""

    def page(store: Store) -> dict[str, Any]:
        rows = document_rows(store, offset, limit)
        return {"total": len(store), "offset": offset, "limit": limit, "items": rows}

    return _plain(await service.read(page))


@router.get("/documents/{doc_id:path}", response_model=DocumentDetail, responses=_NOT_FOUND)
async def get_document(doc_id: str, service: ServiceDep) -> Any:
    """Return a stored document with its text and its relations, strongest first."""

    def one(store: Store) -> dict[str, Any] | None:
        row = document_row(store, doc_id)
        doc = store.document(doc_id)
        if row is None or doc is None:
            return None
        relations = [report.relation_json(r) for r in store.relations(doc_id)]
        return {**_plain(row), "text": doc.text, "sentences": len(doc.sentences),
                "relations": relations}  # fmt: skip

    found = await service.read(one)
    if found is None:
        raise HTTPException(404, f"no document {doc_id!r} in the store")
    return found


# ---- stories ----------------------------------------------------------------------------------


@router.get("/stories", response_model=StoryPage)
async def list_stories(service: ServiceDep, offset: Offset = 0, limit: Limit = 50) -> Any:
    """List stories of two documents or more, largest and most copied first, with members' ids."""

    def page(store: Store) -> dict[str, Any]:
        rows = [_plain(r) for r in story_rows(store, offset, limit)]
        for row in rows:
            del row["key"]
        return {"total": count_stories(store), "offset": offset, "limit": limit, "items": rows}

    return await service.read(page)


@router.get("/stories/{story_id}", response_model=StoryDetail, responses=_NOT_FOUND)
async def get_story(story_id: str, service: ServiceDep) -> Any:
    """Return a story (an id like `s12`): its members and every relation among them."""
    key = story_key(story_id)

    def one(store: Store) -> dict[str, Any] | None:
        if key is None or not store.members(key):
            return None
        found = report.to_json(store_report.store_result(store, [key]))
        return {"copytrace": __version__, "story": found["stories"][0],
                "documents": found["documents"], "relations": found["relations"]}  # fmt: skip

    found = await service.read(one)
    if found is None:
        raise HTTPException(404, f"no story {story_id!r} in the store (ids look like s12)")
    return found


# ---- query and compare ------------------------------------------------------------------------


@router.post("/query", response_model=QueryResponse)
async def query(body: QueryRequest, service: ServiceDep) -> Any:
    """Find where a text comes from: the stored documents it relates to, best source first."""
    doc = read_text(body.text, body.id)
    results = await service.query(lambda store, config, models: store.query([doc], config, models))
    return store_report.query_json(results, body.top)


@router.post("/compare", response_model=CompareResponse)
async def compare(body: CompareRequest, service: ServiceDep) -> Any:
    """Compare two texts: the kind of copy, aligned passages, changes; null when unrelated."""
    a, b = _document(body.a, body.a.id or "a"), _document(body.b, body.b.id or "b")
    if a.id == b.id:  # the ids name the two sides of the relation
        b = replace(b, id=f"{b.id}~2")
    rel = await service.compute(lambda config, models: compare_documents(a, b, config, models))
    return report.compare_json(a, b, rel)


# ---- helpers ----------------------------------------------------------------------------------


def _document(given: TextIn | DocumentIn, doc_id: str) -> Document:
    return read_text(
        given.text, doc_id, title=given.title, published=given.published, url=given.url,
        source=given.source,
    )  # fmt: skip


def _plain(value: Any) -> Any:
    """Return dataclass rows as dicts (FastAPI would, but slower and without the field order)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value
