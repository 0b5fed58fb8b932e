"""The web app's pages: stories, a story, a pair side by side, find the sources of a text, add.

The pages are the HTML report's views (`views`) rendered by the report's own pieces
(`html_report`), one story or one pair per page, with the report's CSS and script served from
`/assets/`. Nothing is fetched from elsewhere; every text from the store is escaped.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from copytrace import __version__
from copytrace.config import Config
from copytrace.html_report import asset, legend_html, pair_html, plural, story_html
from copytrace.incremental import AddReport
from copytrace.ingest import read_text
from copytrace.pipeline import Models
from copytrace.records import Problem
from copytrace.server import Service
from copytrace.server_forms import form_uploads, one_document, read_uploads
from copytrace.server_models import MAX_OFFSET
from copytrace.server_results import added_html, pair_href, sources_html
from copytrace.server_store import count_stories, relation_between, story_key, story_rows
from copytrace.store import Store
from copytrace.store_query import QueryResult
from copytrace.store_report import store_result
from copytrace.views import EdgeView, build_pair_view, story_views

__all__ = ["error_page", "page", "router"]

PER_PAGE = 50  # stories per page of the list
ASSETS = {  # the only files served: name -> media type
    "report.css": "text/css; charset=utf-8",
    "report.js": "text/javascript; charset=utf-8",
    "web.css": "text/css; charset=utf-8",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(_service)]


# ---- the frame --------------------------------------------------------------------------------


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """Return a page of the app: the navigation, `body`, the report's CSS and script."""
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · copytrace</title>\n"
        '<link rel="icon" href="data:,">\n'  # no favicon request
        '<link rel="stylesheet" href="/assets/report.css">\n'
        '<link rel="stylesheet" href="/assets/web.css">\n'
        '<script src="/assets/report.js" defer></script>\n</head>\n<body>\n'
        '<a class="skip" href="#main">Skip to the content</a>\n'
        '<nav class="top" aria-label="Site"><a class="brand" href="/">copytrace</a> '
        '<a href="/">Stories</a> <a href="/find">Find sources</a> '
        '<a href="/add">Add documents</a> <a href="/openapi.json">API</a></nav>\n'
        f'<main id="main">\n{body}</main>\n'
        f"<footer><p>copytrace {escape(__version__)}</p></footer>\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def error_page(status: int, message: str) -> HTMLResponse:
    """Return an error as a page that says what went wrong."""
    body = (
        f'<section class="story"><h1>{status}: that did not work</h1>'
        f'<p class="error">{escape(message)}</p>'
        '<p><a href="/">Back to the stories</a></p></section>'
    )
    return page(f"Error {status}", body, status)


def _pair_href(edge: EdgeView) -> str:
    return pair_href(edge.derived, edge.source)


def _same_origin(request: Request) -> None:
    """Refuse a form posted from another site (a page elsewhere must not add to the store)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if request.headers.get("sec-fetch-site") == "cross-site" or (
        origin and origin != "null" and urlsplit(origin).netloc != host
    ):
        raise HTTPException(403, "forms are accepted from this app's own pages only")


# ---- reading ----------------------------------------------------------------------------------


@router.get("/assets/{name}")
async def asset_file(name: str) -> Response:
    """Serve one of the report's assets, by exact name (there is no path to walk)."""
    if name not in ASSETS:
        raise HTTPException(404, f"no asset {name!r}")
    headers = {"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(asset(name), media_type=ASSETS[name], headers=headers)


@router.get("/", response_class=HTMLResponse)
async def stories_page(
    service: ServiceDep, page_no: Annotated[int, Query(alias="page", ge=1, le=MAX_OFFSET)] = 1
) -> HTMLResponse:
    """The stories, largest and most copied first, a page at a time."""

    def load(store: Store) -> tuple[int, int, list[Any]]:
        offset = (page_no - 1) * PER_PAGE
        return len(store), count_stories(store), story_rows(store, offset, PER_PAGE)

    documents, total, rows = await service.read(load)
    items = "".join(
        f'<tr><td><a href="/stories/{escape(r.id)}">{escape(r.title)}</a><br>'
        f"<small>story {escape(r.id)}</small></td><td>{r.size}</td><td>{r.copies}</td>"
        f"<td>{_original(r.original)}</td></tr>"
        for r in rows
    )
    first = (page_no - 1) * PER_PAGE
    if items:
        listing = (
            f'<p class="meta">Stories {first + 1:,}–{first + len(rows):,} of {total:,}</p>'
            '<div class="scroll"><table class="members stories"><thead><tr><th>Story</th>'
            "<th>Texts</th><th>Copies</th><th>Original</th></tr></thead>"
            f"<tbody>{items}</tbody></table></div>{_pager(page_no, total)}"
        )
    elif documents:
        listing = "<p>No story has more than one text yet.</p>"
    else:
        listing = (
            '<p>The store is empty. <a href="/add">Add documents</a>, or run '
            f"<code>copytrace add --db {escape(service.db.name)} FILES</code>.</p>"
        )
    body = (
        f'<header><h1>Stories</h1><p class="meta">{escape(service.db.name)} · '
        f"{plural(documents, 'document')} · {plural(total, 'story')} of two texts or more</p>"
        f"{legend_html()}</header>\n<section>{listing}</section>\n"
    )
    return page("Stories", body)


def _original(doc_id: str | None) -> str:
    return f"<code>{escape(doc_id)}</code>" if doc_id else "<small>not settled</small>"


def _pager(page_no: int, total: int) -> str:
    last = max(1, -(-total // PER_PAGE))
    links = []
    if page_no > 1:
        links.append(f'<a rel="prev" href="/?page={page_no - 1}">← previous</a>')
    links.append(f"page {page_no} of {last}")
    if page_no < last:
        links.append(f'<a rel="next" href="/?page={page_no + 1}">next →</a>')
    return f'<nav class="pager" aria-label="Pages">{" · ".join(links)}</nav>'


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story_page(story_id: str, service: ServiceDep) -> HTMLResponse:
    """One story: members, derivation graph, relations and fact table."""
    key = story_key(story_id)

    def load(store: Store) -> tuple[Any, list[str]]:
        if key is None or not store.members(key):
            raise HTTPException(404, f"no story {story_id!r} in the store")
        result = store_result(store, [key])
        views = story_views(result)
        return (views[0] if views else None), [d.id for d in result.documents]

    view, members = await service.read(load)
    if view is None:  # a story of one text: nothing to compare
        body = (
            f'<section class="story"><h1>Story {escape(story_id)}</h1><p>One text only: '
            f"<code>{escape(members[0])}</code>; no copy or report of the same story is stored."
            "</p></section>"
        )
        return page(f"Story {story_id}", body)
    body = '<p class="crumbs"><a href="/">← all stories</a></p>\n' + story_html(view, _pair_href)
    return page(view.title, body)


@router.get("/pair", response_class=HTMLResponse)
async def pair_page(
    service: ServiceDep,
    a: Annotated[str, Query(min_length=1)],
    b: Annotated[str, Query(min_length=1)],
) -> HTMLResponse:
    """Two related texts side by side: aligned passages, conflicts and the evidence."""

    def load(store: Store) -> tuple[Any, str | None]:
        rel = relation_between(store, a, b)
        if rel is None:
            raise HTTPException(404, f"no stored relation between {a!r} and {b!r}")
        derived, source = store.document(rel.derived), store.document(rel.source)
        assert derived is not None and source is not None  # the relation names stored ids
        key = store.keys([a]).get(a)
        story = store.story_of(key) if key is not None else None
        return build_pair_view(rel, derived, source), (None if story is None else f"s{story}")

    view, story = await service.read(load)
    back = f"/stories/{story}" if story else "/"
    title = f"{view.derived.id} and {view.source.id}"
    return page(title, pair_html(view, back, "back to the story" if story else "all stories", True))


# ---- find sources -----------------------------------------------------------------------------


def _find_form(text: str = "", top: int = 5) -> str:
    return (
        '<section class="story"><h1>Find the sources of a text</h1>'
        "<p>Paste an article, or upload one file (.txt, .md, .html); copytrace finds the stored "
        "texts it copies, is copied by, or reports the same story as.</p>"
        '<form method="post" action="/find#sources" enctype="multipart/form-data" class="ct-form">'
        '<label for="text">Text</label>'
        f'<textarea id="text" name="text" rows="12">{escape(text)}</textarea>'
        '<label for="file">or a file</label><input id="file" name="file" type="file" '
        'accept=".txt,.md,.html,.htm">'
        f'<label for="top">Sources shown</label><input id="top" name="top" type="number" min="1" '
        f'max="50" value="{top}"><button type="submit">Find sources</button></form></section>\n'
    )


@router.get("/find", response_class=HTMLResponse)
async def find_page() -> HTMLResponse:
    """The form to paste or upload a text and find its sources."""
    return page("Find sources", _find_form())


@router.post("/find", response_class=HTMLResponse)
async def find_sources(request: Request, service: ServiceDep) -> HTMLResponse:
    """The sources of a pasted or uploaded text, each side by side with it."""
    _same_origin(request)
    async with request.form(max_part_size=request.app.state.max_body) as form:
        text = str(form.get("text") or "")
        top = _int(form.get("top"), 5, 1, 50)
        uploads = await form_uploads(form, "file")
    if not uploads and not text.strip():
        raise HTTPException(422, "text: is empty: paste an article or choose a file")

    def work(store: Store, config: Config, models: Models) -> tuple[QueryResult, dict[str, Any]]:
        doc = one_document(uploads, config.read) if uploads else read_text(text, "your text")
        doc = replace(doc, id="your text")
        result = store.query([doc], config, models)[0]
        stored: dict[str, Any] = {}
        for rel in result.relations[:top]:
            other = rel.source if rel.derived == result.id else rel.derived
            found = store.document(other)
            if found is not None:
                docs = {result.id: result.document, other: found}
                stored[other] = build_pair_view(rel, docs[rel.derived], docs[rel.source])
        return result, stored

    result, views = await service.query(work)
    body = _find_form(text if not uploads else "", top) + sources_html(result, views, top)
    return page("Sources", body)


# ---- add documents ----------------------------------------------------------------------------


def _add_form() -> str:
    return (
        '<section class="story"><h1>Add documents</h1>'
        "<p>Files of articles (.txt, .md, .html) or tables of them (.jsonl, .jsonl.gz, .csv, "
        ".parquet); each new document is compared with everything stored.</p>"
        '<form method="post" action="/add" enctype="multipart/form-data" class="ct-form">'
        '<label for="files">Files</label><input id="files" name="files" type="file" multiple>'
        '<label for="id">or one text: its id</label><input id="id" name="id" type="text">'
        '<label for="text">and its text</label><textarea id="text" name="text" rows="8">'
        '</textarea><button type="submit">Add</button></form></section>\n'
    )


@router.get("/add", response_class=HTMLResponse)
async def add_page() -> HTMLResponse:
    """The form to upload documents into the store."""
    return page("Add documents", _add_form())


@router.post("/add", response_class=HTMLResponse)
async def add_uploads(request: Request, service: ServiceDep) -> HTMLResponse:
    """Add uploaded files (or one pasted text) to the store and say what changed."""
    _same_origin(request)
    async with request.form(max_part_size=request.app.state.max_body) as form:
        uploads = await form_uploads(form, "files")
        text, doc_id = str(form.get("text") or ""), str(form.get("id") or "").strip()
    if not uploads and not text.strip():
        raise HTTPException(422, "files: none given, and the text is empty")
    if text.strip() and not doc_id:
        raise HTTPException(422, "id: give the pasted text an id")

    def work(store: Store, config: Config, models: Models) -> tuple[AddReport, list[Problem], Any]:
        docs, problems = read_uploads(uploads, config.read)
        if text.strip():
            docs.append(read_text(text, doc_id, path="pasted"))
        rep = store.add(docs, config, models, batch_size=1000, problems=problems, workers=1)
        keys = store.keys(rep.ids)
        stories = {i: store.story_of(k) for i, k in keys.items()}
        return rep, problems, stories

    rep, problems, stories = await service.write(work)
    return page("Added", _add_form() + added_html(rep, problems, stories))


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(str(value))))
    except ValueError:
        return default
