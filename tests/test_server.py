"""The web app in process (httpx over ASGITransport): every endpoint of the REST API, its errors,
paging, the pages and forms, and the `serve` command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from copytrace import store_report
from copytrace.cli import Session, cli
from copytrace.config import Config
from copytrace.ingest import read_text
from copytrace.pipeline import Models
from copytrace.server import create_app
from copytrace.store import Store
from serving import CONDENSED, CONFLICTING, ORIGINAL, SPIN, Api, empty_store, seed_store

ENDPOINTS = {
    "/api/documents": {"get", "post"},
    "/api/documents/{doc_id}": {"get"},
    "/api/stories": {"get"},
    "/api/stories/{story_id}": {"get"},
    "/api/query": {"post"},
    "/api/compare": {"post"},
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, seeds: Path, models: Models) -> Path:
    return seed_store(tmp_path_factory.mktemp("server") / "news.ct", seeds, models)


@pytest.fixture(scope="module")
def api(db: Path, models: Models) -> Iterator[Api]:
    """The app over the seeds' store (read-only tests share it)."""
    client = Api(create_app(db, models=models))
    yield client
    client.close()


@pytest.fixture
def fresh(tmp_path: Path, models: Models) -> Iterator[Api]:
    """The app over an empty store, for tests that write."""
    client = Api(create_app(empty_store(tmp_path / "new.ct"), models=models, max_body=200_000))
    yield client
    client.close()


def text_of(seeds: Path, doc_id: str) -> str:
    return (seeds / f"{doc_id}.txt").read_text(encoding="utf-8")


def error_of(response: Any, status: int, code: str) -> str:
    """Assert a JSON error body of `status` and `code`; return its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    return str(body["error"]["message"])


# ---- the API ----------------------------------------------------------------------------------


def test_openapi_describes_every_endpoint(api: Api) -> None:
    schema = api.get("/openapi.json").json()
    assert {p: set(ops) for p, ops in schema["paths"].items()} == ENDPOINTS
    query = schema["paths"]["/api/query"]["post"]
    assert query["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "QueryRequest"
    )
    assert {"200", "400", "413", "422"} <= set(query["responses"])


def test_stories_come_paged_with_their_members(api: Api) -> None:
    page = api.get("/api/stories").json()
    assert page["total"] == 1 and page["offset"] == 0 and page["limit"] == 50
    (story,) = page["items"]
    assert story["id"] == "s1" and story["size"] == 5 and story["original"] == ORIGINAL
    assert story["members"] == sorted(
        [ORIGINAL, SPIN, CONDENSED, CONFLICTING, "002_f1e0e05efdc12240"]
    )
    assert story["copies"] == 3  # the spin, the condensed copy, and the two copies as siblings
    assert api.get("/api/stories?offset=1&limit=1").json()["items"] == []


def test_a_story_has_its_documents_and_relations(api: Api) -> None:
    found = api.get("/api/stories/s1").json()
    assert found["story"]["original"] == ORIGINAL
    assert {d["id"] for d in found["documents"]} == set(found["story"]["members"])
    spin = next(r for r in found["relations"] if {r["derived"], r["source"]} == {SPIN, ORIGINAL})
    assert (spin["kind"], spin["derived"]) == ("spin", SPIN)
    conflicts = [c for r in found["relations"] for c in r["conflicts"]]
    assert any(c["source"] == "12,000" or c["derived"] == "12,000" for c in conflicts)


def test_documents_come_paged_in_the_order_they_were_added(api: Api) -> None:
    first = api.get("/api/documents?limit=2").json()
    rest = api.get("/api/documents?offset=2&limit=10").json()
    assert first["total"] == rest["total"] == 5 and len(first["items"]) == 2
    ids = [d["id"] for d in first["items"] + rest["items"]]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 5
    assert all(d["story"] == "s1" for d in first["items"])


def test_a_document_has_its_text_and_relations(api: Api, seeds: Path) -> None:
    doc = api.get(f"/api/documents/{CONFLICTING}").json()
    assert doc["text"] == text_of(seeds, CONFLICTING) and doc["sentences"] > 5
    assert doc["story"] == "s1" and len(doc["relations"]) == 4


def test_query_answers_as_the_cli_does(api: Api, db: Path, seeds: Path, models: Models) -> None:
    text = text_of(seeds, ORIGINAL)[:1200]  # the original cut short: a partial copy of it
    got = api.post("/api/query", json={"text": text, "top": 3}).json()
    config = Config()  # `copytrace query` turns MiniLM's second look off, and so does the server
    config = replace(config, align=replace(config.align, rescore=False))
    with Store.open(db, readonly=True) as store:
        results = store.query([read_text(text, "text")], config, Models(config.align))
    expected = store_report.query_json(results, 3)
    for answer in (got, expected):
        for q in answer["queries"]:
            q.pop("ms")
    assert got == expected
    assert got["queries"][0]["sources"][0]["id"] == ORIGINAL


def test_compare_returns_one_relation_with_changes(api: Api, seeds: Path) -> None:
    a = {"text": text_of(seeds, SPIN), "id": "spin"}
    b = {"text": text_of(seeds, ORIGINAL), "id": "original"}
    found = api.post("/api/compare", json={"a": a, "b": b}).json()
    assert found["relation"]["kind"] == "spin"
    assert {found["changes"]["derived"], found["changes"]["source"]} == {"spin", "original"}
    same = api.post("/api/compare", json={"a": {"text": a["text"]}, "b": {"text": a["text"]}})
    assert same.json()["relation"]["kind"] == "duplicate"  # ids a and b by default
    other = "Shares of the bakery rose after it reported record sales of bread in the spring."
    unrelated = api.post("/api/compare", json={"a": a, "b": {"text": other}}).json()
    assert unrelated["relation"] is None and unrelated["changes"] is None


def test_adding_documents_builds_stories_and_is_idempotent(fresh: Api, seeds: Path) -> None:
    docs = [{"id": i, "text": text_of(seeds, i)} for i in (ORIGINAL, SPIN)]
    added = fresh.post("/api/documents", json={"documents": docs}).json()
    assert (
        added["added"] == 2
        and added["relations"] == 1
        and sorted(added["ids"]) == sorted([ORIGINAL, SPIN])
    )
    again = fresh.post("/api/documents", json={"documents": docs}).json()
    assert (again["added"], again["skipped"]) == (0, 2)
    # The readers see the writer's commit at once.
    assert fresh.get("/api/stories").json()["items"][0]["members"] == sorted([ORIGINAL, SPIN])
    other = {"id": ORIGINAL, "text": text_of(seeds, CONDENSED)}
    renamed = fresh.post("/api/documents", json={"documents": [other]}).json()
    assert renamed["renamed"] == [{"given": ORIGINAL, "stored": f"{ORIGINAL}~2"}]


def test_an_add_while_another_process_writes_is_409(fresh: Api, seeds: Path) -> None:
    docs = {"documents": [{"id": SPIN, "text": text_of(seeds, SPIN)}]}
    with Store.open(fresh.app.state.service.db):  # the writer's lock, as `copytrace add` holds it
        message = error_of(fresh.post("/api/documents", json=docs), 409, "store_locked")
    assert "locked by a writer" in message
    assert fresh.post("/api/documents", json=docs).json()["added"] == 1


def test_concurrent_queries_all_answer(api: Api, seeds: Path) -> None:
    texts = [text_of(seeds, i)[k * 300 : k * 300 + 900] for i in (SPIN, ORIGINAL) for k in range(4)]
    answers = api.gather(*[("POST", "/api/query", {"json": {"text": t}}) for t in texts])
    assert [a.status_code for a in answers] == [200] * len(texts)
    assert all(a.json()["queries"][0]["sources"] for a in answers)


# ---- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [({"text": ""}, "body.text"), ({"text": " \n\t "}, "body.text"), ({}, "body.text")],
)
def test_an_empty_text_is_refused_by_name(api: Api, body: dict[str, Any], field: str) -> None:
    message = error_of(api.post("/api/query", json=body), 422, "invalid_input")
    assert field in message


def test_malformed_json_is_400(api: Api) -> None:
    headers = {"content-type": "application/json"}
    message = error_of(api.post("/api/query", content=b'{"text": "x",', headers=headers), 400,
                       "malformed_json")  # fmt: skip
    assert "malformed JSON" in message


def test_unknown_ids_are_404(api: Api) -> None:
    assert "nope" in error_of(api.get("/api/documents/nope"), 404, "not_found")
    assert "s999" in error_of(api.get("/api/stories/s999"), 404, "not_found")
    assert "x1" in error_of(api.get("/api/stories/x1"), 404, "not_found")
    error_of(api.get("/api/nothing"), 404, "not_found")


def test_a_wrong_method_names_every_allowed_one(api: Api) -> None:
    answer = api.request("DELETE", "/api/documents")
    error_of(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == "GET, POST"


def test_bodies_over_the_limit_are_413(fresh: Api) -> None:
    big = json.dumps({"text": "word " * 50_000}).encode()
    error_of(fresh.post("/api/query", content=big), 413, "too_large")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: stopped while streaming
        for k in range(0, len(big), 10_000):
            yield big[k : k + 10_000]

    message = error_of(fresh.post("/api/query", content=chunks()), 413, "too_large")
    assert "200,000 bytes" in message and "--max-body" in message


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/query", {"text": "x" * 40, "top": 0}),
        ("/api/query", {"text": "x" * 40, "extra": 1}),
        ("/api/query", b'{"text": "a lone surrogate \\ud800 cannot be stored"}'),
        ("/api/compare", {"a": {"text": "x" * 40}}),
        ("/api/documents", {"documents": []}),
        ("/api/documents", {"documents": [{"id": "a", "text": "x" * 40}] * 2}),
    ],
)
def test_invalid_bodies_are_422(fresh: Api, url: str, body: dict[str, Any] | bytes) -> None:
    if isinstance(body, bytes):
        sent = fresh.post(url, content=body, headers={"content-type": "application/json"})
    else:
        sent = fresh.post(url, json=body)
    error_of(sent, 422, "invalid_input")


def test_bad_paging_is_422(api: Api) -> None:
    for query in ("limit=0", "limit=501", "offset=-1", "offset=99999999999999999999"):
        error_of(api.get(f"/api/documents?{query}"), 422, "invalid_input")


def test_a_text_with_nothing_to_compare_is_422(api: Api) -> None:
    message = error_of(api.post("/api/compare", json={"a": {"text": "…"}, "b": {"text": "…"}}),
                       422, "input_error")  # fmt: skip
    assert "no sentences" in message


# ---- pages and forms --------------------------------------------------------------------------


def test_pages_show_stories_graph_facts_and_pairs(api: Api) -> None:
    home = api.get("/").text
    assert 'href="/stories/s1"' in home and "Kursk" in home
    story = api.get("/stories/s1").text
    assert "<svg" in story and 'class="facts"' in story and 'class="cf"' in story
    assert f"/pair?a={SPIN}&amp;b={ORIGINAL}" in story
    pair = api.get(f"/pair?a={ORIGINAL}&b={SPIN}").text  # either order
    assert 'class="pair open"' in pair and pair.count('data-p="1"') == 2
    conflict = api.get(f"/pair?a={CONFLICTING}&b={ORIGINAL}").text
    assert '<mark class="cf"' in conflict and "12,000" in conflict


def test_pages_answer_errors_as_pages(api: Api) -> None:
    html = {"accept": "text/html"}
    missing = api.get(f"/pair?a={ORIGINAL}&b=nope", headers=html)
    assert missing.status_code == 404 and "no stored relation" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    assert api.get("/stories/s77", headers=html).status_code == 404


def test_assets_are_served_by_name_only(api: Api) -> None:
    assert api.get("/assets/report.css").headers["content-type"].startswith("text/css")
    for bad in ("/assets/..%2Fserver.py", "/assets/%2e%2e/%2e%2e/pyproject.toml", "/assets/x"):
        assert api.get(bad).status_code == 404


def test_every_page_escapes_stored_text(fresh: Api) -> None:
    evil = "<script>alert(1)</script> " + "Officials said the harbour reopened on Monday. " * 3
    docs = [{"id": "<b>x</b>", "text": evil, "url": "javascript:alert(1)"},
            {"id": "y", "text": evil + " Traders cheered."}]  # fmt: skip
    assert fresh.post("/api/documents", json={"documents": docs}).status_code == 200
    for url in ("/", "/stories/s1", "/pair?a=y&b=%3Cb%3Ex%3C%2Fb%3E"):
        page = fresh.get(url)
        assert page.status_code == 200, url
        assert "<script>alert" not in page.text and "<b>x</b>" not in page.text
        assert 'href="javascript:' not in page.text


def test_find_sources_of_a_pasted_or_uploaded_text(api: Api, seeds: Path) -> None:
    text = text_of(seeds, SPIN)
    page = api.post("/find", data={"text": text, "top": "3"}).text
    assert ORIGINAL in page and 'class="pair open"' in page
    upload = {"file": ("spin.txt", text.encode(), "text/plain")}
    assert ORIGINAL in api.post("/find", data={"text": ""}, files=upload).text
    assert api.post("/find", data={"text": "  "}).status_code == 422
    crossed = api.post("/find", data={"text": text}, headers={"origin": "http://evil.example"})
    assert crossed.status_code == 403


def test_upload_documents_into_the_store(fresh: Api, seeds: Path) -> None:
    files = [("files", (f"{i}.txt", text_of(seeds, i).encode(), "text/plain"))
             for i in (ORIGINAL, CONDENSED)]  # fmt: skip
    page = fresh.post("/add", files=files)
    assert page.status_code == 200 and "2 documents added" in page.text
    doc = fresh.get(f"/api/documents/{CONDENSED}").json()
    assert doc["path"] == f"{CONDENSED}.txt"  # the uploaded name, not the server's temp file
    bad = fresh.post("/add", files=[("files", ("../../x.exe", b"MZ...", "application/x"))])
    assert bad.status_code == 422 and "unknown file type" in bad.text


# ---- the command ------------------------------------------------------------------------------


def test_serve_binds_to_loopback_by_default(
    db: Path, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = CliRunner().invoke(cli, ["serve", "--db", str(db)], obj=Session([models]))
    assert result.exit_code == 0, result.output
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 8000)
    assert calls[0]["app"].state.max_body == 10 * 1024 * 1024
    calls[0]["app"].state.service.readers.close()


def test_serve_without_the_web_extra_gives_the_pip_line(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = CliRunner().invoke(cli, ["serve", "--db", str(db)])
    assert result.exit_code == 2 and "pip install 'copytrace[web]'" in result.output


def test_the_command_line_does_not_load_the_web_stack() -> None:
    code = "import sys, copytrace.cli; print('fastapi' in sys.modules, 'uvicorn' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["False", "False"]


def test_serve_needs_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2 and "Missing option '--db'" in result.output
    folder = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path)])
    assert folder.exit_code == 2
