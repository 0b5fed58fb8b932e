"""Tests for `copytrace.ingest`, `copytrace.tables` and `copytrace.dates`: reading inputs."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copytrace.config import ReadConfig
from copytrace.dates import normalize_date
from copytrace.errors import ConfigError, InputError
from copytrace.ingest import (
    expand_paths,
    is_hard_wrapped,
    iter_documents,
    read_file,
    read_text,
)
from copytrace.records import Document, Problem

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")

BODY = (
    "The harbour bridge in Lakeside reopened to traffic on Monday after four months of repairs.\n"
    "Engineers replaced more than 300 corroded plates and repainted the main span.\n"
    "Ferry services that ran while the bridge was closed will stop at the end of the week.\n"
)
# Our own wire-style paragraph, wrapped at about 65 columns inside sentences.
WRAPPED = (
    "The harbour bridge in Lakeside reopened to traffic on Monday\n"
    "after four months of repairs to its steel deck, the town council\n"
    "said in a statement issued late on Sunday evening.\n"
    "    Engineers replaced more than 300 corroded plates and\n"
    "repainted the main span, work that cost about 2.4 mln euros,\n"
    "according to figures published by the council.\n"
)


def read(path: Path, **config: Any) -> list[Document | Problem]:
    return list(read_file(path, ReadConfig(**config)))


def docs_and_problems(paths: list[Path], **config: Any) -> tuple[list[Document], list[Problem]]:
    problems: list[Problem] = []
    docs = list(iter_documents(paths, ReadConfig(**config), problems))
    return docs, problems


def only_doc(path: Path) -> Document:
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def only_problem(path: Path) -> Problem:
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], Problem), items
    return items[0]


# ---- paths ------------------------------------------------------------------------------------


def test_expand_paths_walks_sorted_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "sub/c.jsonl", "sub/deeper/d.html", "notes.docx", ".hidden.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BODY)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "e.txt").write_text(BODY)
    ignored: list[Path] = []
    found = expand_paths([tmp_path], ignored)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.md",
        "b.txt",
        "sub/c.jsonl",
        "sub/deeper/d.html",
    ]
    assert ignored == [tmp_path / "notes.docx"]


def test_explicit_unknown_extension_and_missing_path_are_problems(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_text(BODY)
    docs, problems = docs_and_problems([tmp_path / "notes.docx", tmp_path / "gone.txt"])
    assert docs == []
    assert "unknown file type" in problems[0].message
    assert problems[1].path == str(tmp_path / "gone.txt")
    assert "no such file" in problems[1].message


def test_directory_recursion_reads_every_format(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(BODY)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "rows.jsonl").write_text(json.dumps({"id": "r1", "text": BODY}))
    docs, problems = docs_and_problems([tmp_path])
    assert [d.id for d in docs] == ["r1", "one"]  # "deep/..." sorts before "one.txt"
    assert problems == []


# ---- plain text: titles, dates, body_start ----------------------------------------------------


def test_title_followed_by_blank_line() -> None:
    doc = read_text("Harbour bridge reopens\n\n" + BODY)
    assert doc.title == "Harbour bridge reopens"
    assert doc.text[doc.body_start :].startswith("The harbour bridge")


def test_short_first_line_of_unwrapped_text_is_the_title() -> None:
    doc = read_text("Harbour bridge reopens after repairs.\n" + BODY)
    assert doc.title == "Harbour bridge reopens after repairs."
    assert doc.text[doc.body_start :].startswith("The harbour bridge")


def test_first_line_of_hard_wrapped_text_is_not_a_title() -> None:
    doc = read_text(WRAPPED)
    assert doc.title is None
    assert doc.body_start == 0


def test_hard_wrapped_text_keeps_a_headline_set_off_by_a_blank_line() -> None:
    doc = read_text("BRIDGE REOPENS\n\n" + WRAPPED)
    assert doc.title == "BRIDGE REOPENS"
    assert doc.text[doc.body_start :].startswith("The harbour bridge")


@pytest.mark.parametrize(
    "text",
    [
        "A single line of text that is long enough to be a document.",
        "Harbour bridge reopens\nafter four months of repairs to its deck and many more words.",
        "The council said on Monday,\n" + BODY,
        "x" * 151 + "\n" + BODY,
    ],
)
def test_no_title(text: str) -> None:
    doc = read_text(text)
    assert doc.title is None
    assert doc.body_start == 0


def test_markdown_heading_marker_is_not_part_of_the_title() -> None:
    assert read_text("# Harbour bridge reopens\n\n" + BODY).title == "Harbour bridge reopens"


@pytest.mark.parametrize(
    ("head", "iso"),
    [
        (" date 2025-04-26 ", "2025-04-26"),
        ("Date: 2025-04-26\n\n", "2025-04-26"),
        ("2025-04-26 — ", "2025-04-26"),
        ("April 26, 2025 - ", "2025-04-26"),
        ("Apr. 26, 2025: ", "2025-04-26"),
        ("26 April 2025: ", "2025-04-26"),
        ("published 3 March 2024\n", "2024-03-03"),
    ],
)
def test_leading_date_is_taken_out_of_the_body(head: str, iso: str) -> None:
    long_line = "Russia said its forces recaptured the region " * 5
    doc = read_text(head + long_line + "\n\nMore text follows here.")
    assert doc.published == iso
    assert doc.title is None
    assert doc.text[doc.body_start :].startswith("Russia said")


def test_sentence_starting_with_a_date_keeps_it() -> None:
    doc = read_text("26 April 2025 marked the end of a long fight over the region, officials said.")
    assert doc.published is None
    assert doc.body_start == 0


def test_invalid_date_is_not_a_date() -> None:
    doc = read_text("date 2025-02-30 Russia said its forces recaptured the region on Saturday.")
    assert doc.published is None


def test_date_after_the_title() -> None:
    doc = read_text("Harbour bridge reopens\n\nMarch 18, 2024 — " + BODY)
    assert (doc.title, doc.published) == ("Harbour bridge reopens", "2024-03-18")
    assert doc.text[doc.body_start :].startswith("The harbour bridge")


def test_date_line_further_down_gives_the_date_only() -> None:
    doc = read_text("Harbour bridge reopens\n\n" + BODY + "\n  DATE: 2024-03-18\n")
    assert doc.published == "2024-03-18"
    assert doc.text[doc.body_start :].startswith("The harbour bridge")


def test_metadata_given_wins_over_the_text() -> None:
    doc = read_text("Date: 2025-04-26\n" + BODY, id="x", title="Given", published="2024-01-02")
    assert (doc.id, doc.title, doc.published) == ("x", "Given", "2024-01-02")


def test_is_hard_wrapped() -> None:
    assert is_hard_wrapped(WRAPPED)
    assert not is_hard_wrapped(BODY)
    assert not is_hard_wrapped(BODY.replace("\n", "\n\n"))
    assert not is_hard_wrapped("")
    table = "Shr 33 cts vs 60 cts\n    Net 1.1 mln vs 1.7 mln\n    Revs 11.7 mln vs 10.6 mln\n"
    assert not is_hard_wrapped(table)


@given(st.text())
def test_read_text_never_raises_and_body_start_is_in_range(text: str) -> None:
    doc = read_text(text)
    assert 0 <= doc.body_start <= len(doc.text)
    assert "\r" not in doc.text
    if doc.title is not None:
        assert doc.title in doc.text[: doc.body_start]


_HEADS = st.sampled_from(
    ["", " date 2025-04-26 ", "April 26, 2025 - ", "Title\n\n", "Title\n", "\n"]
)
_LINES = st.lists(st.sampled_from(["", "Short line", WRAPPED, BODY, "lower case line"]))


@given(_HEADS, _LINES, st.text(max_size=30))
def test_read_text_on_news_like_text(head: str, lines: list[str], tail: str) -> None:
    doc = read_text(head + "\n".join(lines) + tail)
    assert 0 <= doc.body_start <= len(doc.text)
    if doc.published is not None:
        date.fromisoformat(doc.published)


# ---- plain text: files and encodings ----------------------------------------------------------


def test_text_file_id_is_the_stem_and_crlf_becomes_lf(tmp_path: Path) -> None:
    path = tmp_path / "bridge-story.txt"
    path.write_bytes(("Harbour bridge reopens\r\n\r\n" + BODY.replace("\n", "\r\n")).encode())
    doc = only_doc(path)
    assert (doc.id, doc.path, doc.title) == ("bridge-story", str(path), "Harbour bridge reopens")
    assert "\r" not in doc.text
    assert doc.body_start == len("Harbour bridge reopens\n\n")
    assert doc.text[doc.body_start :] == BODY


def test_old_mac_line_ends(tmp_path: Path) -> None:
    (tmp_path / "mac.txt").write_bytes(BODY.replace("\n", "\r").encode())
    assert only_doc(tmp_path / "mac.txt").text == BODY


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + BODY.encode("utf-8"),
        b"\xff\xfe" + BODY.encode("utf-16-le"),
        b"\xfe\xff" + BODY.encode("utf-16-be"),
    ],
)
def test_byte_order_marks(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "bom.txt").write_bytes(data)
    assert only_doc(tmp_path / "bom.txt").text == BODY


def test_cp1252_fallback(tmp_path: Path) -> None:
    text = "The mayor said: “We are glad” — the café reopens on Monday at 9 o’clock."
    (tmp_path / "old.txt").write_bytes(text.encode("cp1252"))
    assert only_doc(tmp_path / "old.txt").text == text


def test_binary_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 4)
    assert "binary file" in only_problem(tmp_path / "image.txt").message
    (tmp_path / "controls.txt").write_bytes(b"\x01\x02\x03\x04abc\x05\x06\x07" * 20)
    assert "binary file" in only_problem(tmp_path / "controls.txt").message


def test_undecodable_file_names_the_encoding_problem(tmp_path: Path) -> None:
    # 0x81 and 0x8d are not UTF-8 starts and have no cp1252 character either.
    (tmp_path / "odd.txt").write_bytes(b"Some text \x81\x8d that no codec here reads.")
    message = only_problem(tmp_path / "odd.txt").message
    assert "not UTF-8" in message and "cp1252" in message


def test_empty_document_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n tiny \n")
    assert "empty document" in only_problem(tmp_path / "empty.txt").message


def test_oversized_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(BODY * 10)
    items = read(tmp_path / "big.txt", max_bytes=100)
    assert isinstance(items[0], Problem) and "max_bytes" in items[0].message


# ---- tables -----------------------------------------------------------------------------------


def test_jsonl_columns_aliases_and_lines(tmp_path: Path) -> None:
    rows = [
        {"id": 7, "text": BODY, "title": "Bridge", "published": "1987-02-26T15:01:01.790"},
        {"ID": "b", "Body": BODY, "headline": "H", "date": "2024-03-18", "outlet": "Courier"},
        {"article": BODY, "url": "https://example.org/a", "domain": "example.org"},
    ]
    path = tmp_path / "feed.ndjson"
    path.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n" + json.dumps(rows[2]))
    a, b, c = read(path)
    assert isinstance(a, Document) and isinstance(b, Document) and isinstance(c, Document)
    assert (a.id, a.line, a.title, a.published, a.path) == (
        "7",
        1,
        "Bridge",
        "1987-02-26T15:01:01",
        str(path),
    )
    assert (b.id, b.line, b.title, b.published, b.source) == ("b", 3, "H", "2024-03-18", "Courier")
    assert (c.id, c.line, c.url, c.source) == ("feed:4", 4, "https://example.org/a", "example.org")
    assert a.text == BODY and a.body_start == 0


def test_jsonl_bad_lines_are_problems_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a", "text": BODY}),
        '{"id": "b" "text": "missing comma"}',
        "[1, 2, 3]",
        json.dumps({"id": "c", "headline": "no text here"}),
        json.dumps({"id": "d", "text": "short"}),
        json.dumps({"id": "e", "text": BODY, "date": "not a date"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    items = read(path)
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Document", 1),
        ("Problem", 2),
        ("Problem", 3),
        ("Problem", 4),
        ("Problem", 5),
        ("Document", 6),
    ]
    messages = [i.message for i in items if isinstance(i, Problem)]
    assert messages[0].startswith("not valid JSON: Expecting ',' delimiter at column 12")
    assert "fix or remove the line" in messages[0]
    assert "not a JSON object" in messages[1]
    assert "no text" in messages[2] and "headline" in messages[2]
    assert "empty document" in messages[3]
    last = items[-1]
    assert isinstance(last, Document) and last.published is None


def test_tables_that_are_not_utf8(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": BODY}).encode()
    (tmp_path / "mixed.jsonl").write_bytes(
        b'{"id": "b", "text": "caf\xe9 ' + b"x" * 30 + b'"}\n' + good
    )
    items = read(tmp_path / "mixed.jsonl")
    assert isinstance(items[0], Problem) and items[0].line == 1 and "not UTF-8" in items[0].message
    assert isinstance(items[1], Document) and items[1].id == "a"
    (tmp_path / "old.csv").write_bytes(b"id,text\nb,caf\xe9 " + b"x" * 30 + b"\n")
    problem = only_problem(tmp_path / "old.csv")
    assert problem.line == 2 and "not UTF-8" in problem.message


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl.gz"
    rows = "".join(json.dumps({"id": f"r{i}", "text": BODY + str(i)}) + "\n" for i in range(300))
    path.write_bytes(gzip.compress(rows.encode())[:-200])
    items = read(path)
    docs = [i for i in items if isinstance(i, Document)]
    assert 0 < len(docs) < 300
    assert [d.line for d in docs] == list(range(1, len(docs) + 1))
    problem = items[-1]
    assert isinstance(problem, Problem) and "truncated" in problem.message
    assert problem.line == len(docs) + 1


def test_csv_records_lines_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "articles.csv"
    big = "word " * 40_000  # over the csv module's default field limit of 128 KiB
    path.write_text(
        "id,Title,text,published_at\n"
        'a,Bridge,"First line\nsecond line of the article, with a comma",2024-03-18 09:30\n'
        "b,too,many,fields,here\n"
        f"c,Long,{big},\n"
        "\n"
        "d,No text,,\n",
        encoding="utf-8-sig",
    )
    items = read(path)
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Document", 2),
        ("Problem", 4),
        ("Document", 5),
        ("Problem", 7),
    ]
    first = items[0]
    assert isinstance(first, Document)
    assert (first.id, first.title, first.published) == ("a", "Bridge", "2024-03-18T09:30:00")
    bad, long = items[1:3]
    assert isinstance(bad, Problem) and "5 field(s) but the header has 4" in bad.message
    assert isinstance(long, Document) and len(long.text) == len(big)


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "meta.csv"
    path.write_text("id,title\na,Bridge\nb,Ferry\n")
    problem = only_problem(path)
    assert problem.line == 1 and "no text column" in problem.message and "title" in problem.message


def test_parquet_rows(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    when = datetime(2024, 3, 18, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    table = pa.table(
        {
            "Content": [BODY, None, BODY + "!"] * 700,
            "published": [when, None, when] * 700,
            "site": ["Courier", None, None] * 700,
            "ignored": [1, 2, 3] * 700,
        }
    )
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path, row_group_size=500)
    items = read(path)
    assert len(items) == 2100
    first, second, third = items[:3]
    assert isinstance(first, Document) and isinstance(third, Document)
    assert (first.id, first.line, first.published, first.source) == (
        "rows:1",
        1,
        "2024-03-18T08:30:00",
        "Courier",
    )
    assert isinstance(second, Problem) and second.line == 2
    assert items[-1].line == 2100


def test_parquet_without_text_column_and_damaged_file(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"id": ["a"], "title": ["b"]}), tmp_path / "meta.parquet")
    assert "no text column" in only_problem(tmp_path / "meta.parquet").message
    (tmp_path / "fake.parquet").write_text(BODY)
    assert "not a readable Parquet file" in only_problem(tmp_path / "fake.parquet").message


# ---- many inputs: ids and the error policy ----------------------------------------------------


def test_duplicate_ids_are_renamed_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text(BODY)
    (tmp_path / "b" / "story.txt").write_text(BODY)
    rows = [{"id": "story", "text": BODY}, {"id": "story~2", "text": BODY}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    docs, problems = docs_and_problems([tmp_path / "a", tmp_path / "b", tmp_path / "c.jsonl"])
    assert [d.id for d in docs] == ["story", "story~2", "story~3", "story~2~2"]
    assert len(problems) == 3
    assert "renamed to 'story~2'" in problems[0].message
    assert problems[0].path == str(tmp_path / "b" / "story.txt")
    assert problems[1].line == 1


def test_duplicates_do_not_fail_a_strict_run(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(BODY)
    docs, problems = docs_and_problems([tmp_path / "x.txt", tmp_path / "x.txt"], on_error="fail")
    assert [d.id for d in docs] == ["x", "x~2"] and len(problems) == 1


def test_on_error_fail_raises_input_error_with_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "a", "text": BODY}) + "\n{not json\n")
    seen: list[str] = []
    problems: list[Problem] = []
    with pytest.raises(InputError) as info:
        for doc in iter_documents([path], ReadConfig(on_error="fail"), problems):
            seen.append(doc.id)
    assert seen == ["a"]
    assert (info.value.path, info.value.line) == (str(path), 2)
    assert str(info.value).startswith(f"{path}:2: not valid JSON")


def test_on_error_fail_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        docs_and_problems([tmp_path / "gone.txt"], on_error="fail")


def test_unknown_error_policy_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="on_error"):
        docs_and_problems([], on_error="ignore")


# ---- HTML -------------------------------------------------------------------------------------

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens after repairs | The Lakeside Courier</title>
<meta property="og:title" content="Harbour bridge reopens after repairs">
<meta property="og:site_name" content="The Lakeside Courier">
<meta property="og:url" content="https://courier.example.org/news/harbour-bridge-reopens">
<meta property="article:published_time" content="2024-03-18T09:30:00+01:00">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/login">Login/Register</a></nav>
<article>
<h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge in Lakeside reopened to traffic on Monday morning after four months of
repairs to its steel deck, the town council said.</p>
<p>Engineers replaced more than 300 corroded plates and repainted the main span, work that cost
about 2.4 million euros, according to the council's figures.</p>
<p>"We are glad to give the bridge back to the people who cross it every day," the mayor told
reporters at the opening, adding that cyclists would get a separate lane from May.</p>
<p>Ferry services that ran while the bridge was closed will stop at the end of the week.</p>
</article>
<footer>Copyright The Lakeside Courier. All rights reserved.</footer>
</body></html>
"""


def test_html_article(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    path = tmp_path / "bridge.html"
    path.write_text(ARTICLE)
    doc = only_doc(path)
    assert doc.id == "bridge"
    assert doc.title == "Harbour bridge reopens after repairs"
    assert doc.published == "2024-03-18"
    assert doc.url == "https://courier.example.org/news/harbour-bridge-reopens"
    assert doc.source == "The Lakeside Courier"
    assert doc.text[doc.body_start :].startswith("The harbour bridge in Lakeside")
    assert "Login/Register" not in doc.text and "Copyright" not in doc.text


def test_truncated_html_does_not_crash(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    path = tmp_path / "cut.htm"
    path.write_text(ARTICLE[: ARTICLE.index("Engineers") + 40])
    doc = only_doc(path)
    assert "reopened to traffic" in doc.text


def test_html_without_main_text_is_a_problem(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    (tmp_path / "blank.html").write_text("<html><head><title>x</title></head><body></body></html>")
    (tmp_path / "junk.html").write_bytes(b"\x00\x01<<<>>>\xff")
    for name in ["blank.html", "junk.html"]:
        assert "no main text found" in only_problem(tmp_path / name).message


def test_heavy_libraries_are_not_imported_with_the_module() -> None:
    code = (
        "import sys, copytrace.ingest; print(sorted({'trafilatura', 'pyarrow'} & {*sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("1987-02-26T15:01:01.790", "1987-02-26T15:01:01"),
        ("2024-03-18", "2024-03-18"),
        ("2024-03-18 09:30", "2024-03-18T09:30:00"),
        ("2024-03-18T09:30:00+01:00", "2024-03-18T08:30:00"),
        ("2024-03-18T09:30:00Z", "2024-03-18T09:30:00"),
        ("Mon, 18 Mar 2024 09:30:00 +0100", "2024-03-18T08:30:00"),
        ("March 18, 2024", "2024-03-18"),
        ("18 March 2024", "2024-03-18"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01"),
        ("2024/03/18", "2024-03-18"),
        (date(2024, 3, 18), "2024-03-18"),
        (datetime(2024, 3, 18, 9, 30, 5, 123), "2024-03-18T09:30:05"),
        ("31-MAR-1987 605:12:19.12", None),
        ("2024-02-30", None),
        ("yesterday", None),
        ("", None),
        (1710750600, None),
        (None, None),
    ],
)
def test_normalize_date(value: object, iso: str | None) -> None:
    assert normalize_date(value) == iso


# ---- the shared seeds and dev sets (read in place, never copied) ------------------------------


def shared_file(relative: str) -> Path:
    matches = sorted(SHARED.glob(relative))
    if not matches:
        pytest.skip(f"{SHARED / relative} is not present (shared evaluation data)")
    return matches[0]


def test_seed_000_first_line_is_the_title() -> None:
    doc = only_doc(shared_file("seeds/000_*.txt"))
    assert doc.title == "Ukraine dismisses claims of Kursk loss as ‘propaganda’ tactic."
    assert doc.text[doc.body_start :].startswith("Russia has announced")


def test_seed_001_leading_date() -> None:
    doc = only_doc(shared_file("seeds/001_*.txt"))
    assert (doc.title, doc.published) == (None, "2025-04-26")
    assert doc.text[doc.body_start :].startswith("Russia said its forces")


@pytest.mark.parametrize("pattern", ["seeds/002_*.txt", "seeds/003_*.txt"])
def test_seeds_starting_with_a_paragraph_have_no_title(pattern: str) -> None:
    doc = only_doc(shared_file(pattern))
    assert (doc.title, doc.published, doc.body_start) == (None, None, 0)


def test_seed_004_title_before_a_blank_line() -> None:
    doc = only_doc(shared_file("seeds/004_*.txt"))
    assert doc.title == "Putin Claims Russian Forces Have Regained Kursk, Ukraine Denies Defeat"
    assert doc.text[: doc.body_start] == doc.title + "\n\n"


def test_clough_hard_wrapped_answer_has_no_title() -> None:
    doc = only_doc(shared_file("eval/clough/docs/g0pA_taska.txt"))
    assert is_hard_wrapped(doc.text)
    assert (doc.title, doc.body_start) == (None, 0)


def test_rewrites_dev_headline_blank_line_body() -> None:
    folder = shared_file("eval/rewrites-dev/docs")
    docs, problems = docs_and_problems([folder])
    assert problems == [] and len(docs) > 100
    for doc in docs:
        headline, _, _ = doc.text.partition("\n")
        assert doc.title == headline.strip(), doc.id
        assert doc.text[doc.body_start :] == doc.text[len(headline) :].lstrip(), doc.id
