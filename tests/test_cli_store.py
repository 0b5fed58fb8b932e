"""The store commands through click's runner: add, query, stories, show, dedup, scan --db, and
their clean errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from copytrace.cli import Session, cli
from copytrace.pipeline import Models

ORIGINAL, SPIN, CONDENSED = "001_f57957876d2b9527", "000_500a8c1d4f6eb8df", "003_5f2bf27763bf766a"


@pytest.fixture
def run(models: Models) -> Any:
    """Invoke the CLI in process with the session's loaded models."""
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(cli, [str(a) for a in args], obj=Session([models]))

    return invoke


@pytest.fixture
def db(tmp_path: Path, seeds: Path, run: Any) -> Path:
    path = tmp_path / "news.ct"
    result = run("add", "--db", path, seeds, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 5
    return path


def test_add_reports_each_batch_on_stderr(tmp_path: Path, seeds: Path, run: Any) -> None:
    result = run("add", "--db", tmp_path / "news.ct", "--batch-size", "2", seeds, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["batches"] == 3
    lines = [line for line in result.stderr.splitlines() if line.startswith("batch ")]
    assert [line.split(":")[0] for line in lines] == ["batch 1", "batch 2", "batch 3"]
    assert "1 added (5 so far)" in lines[-1]


def test_add_twice_adds_nothing_the_second_time(db: Path, seeds: Path, run: Any) -> None:
    result = run("add", "--db", db, seeds)
    assert result.exit_code == 0, result.output
    assert "added 0 documents (5 already stored)" in result.stdout


def test_query_json_ranks_sources_per_input(db: Path, seeds: Path, run: Any) -> None:
    text = (seeds / f"{ORIGINAL}.txt").read_text()
    result = run("query", "--db", db, seeds / f"{SPIN}.txt", "--text", text[:1200], "--json")
    assert result.exit_code == 0, result.output
    queries = json.loads(result.stdout)["queries"]
    assert [q["id"] for q in queries] == [str(seeds / f"{SPIN}.txt"), "text"]
    for q in queries:
        assert q["ms"] > 0
        first = q["sources"][0]
        assert set(first) >= {"id", "kind", "score", "coverage", "passages", "conflicts"}
        assert first["kind"] != "same_story"
        kinds = [s["kind"] for s in q["sources"]]
        assert kinds.index("same_story") > max(i for i, k in enumerate(kinds) if k != "same_story")
    assert queries[1]["sources"][0]["id"] == ORIGINAL
    assert queries[1]["sources"][0]["passages"][0]["query"][0] >= 0


def test_stories_show_and_dedup(db: Path, tmp_path: Path, run: Any) -> None:
    stories = run("stories", "--db", db, "--json")
    assert stories.exit_code == 0, stories.output
    [story] = json.loads(stories.stdout)["stories"]
    assert story["original"] == ORIGINAL and len(story["members"]) == 5
    listed = run("stories", "--db", db).stdout
    assert "original: 001" in listed
    # a store's report names the store and its size, not a count of inputs read
    assert f"{Path(db).name}: 5 documents stored" in listed and "read ·" not in listed
    assert (
        json.loads(run("stories", "--db", db, "--since", "2999-01-01", "--json").stdout)["stories"]
        == []
    )
    not_a_date = run("stories", "--db", db, "--since", "last week")
    assert not_a_date.exit_code == 2 and "not a date" in not_a_date.output

    show = run("show", "--db", db, SPIN, "--json")
    assert show.exit_code == 0, show.output
    kinds = {(r["derived"], r["source"]): r["kind"] for r in json.loads(show.stdout)["relations"]}
    assert kinds[(SPIN, ORIGINAL)] == "spin"

    out = tmp_path / "clean.jsonl"
    dedup = run("dedup", "--db", db, "--keep", "original", "-o", out, "--json")
    assert dedup.exit_code == 0, dedup.output
    assert json.loads(dedup.stdout)["removed"] == 2
    kept = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ORIGINAL in kept and SPIN not in kept and CONDENSED not in kept
    removed = [json.loads(x) for x in (tmp_path / "clean.map.jsonl").read_text().splitlines()]
    assert {r["removed"]: r["kept"] for r in removed} == {SPIN: ORIGINAL, CONDENSED: ORIGINAL}


def test_export_reads_back_as_the_same_store(db: Path, tmp_path: Path, run: Any) -> None:
    """A store exported and added to a new one gives the same relations and stories: the way to
    rebuild a store with other settings or a newer copytrace."""
    out = tmp_path / "all.jsonl"
    exported = run("export", "--db", db, "-o", out)
    assert exported.exit_code == 0, exported.output
    assert "wrote 5 documents" in exported.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 5 and {ORIGINAL, SPIN, CONDENSED} <= {r["id"] for r in rows}
    by_id = {r["id"]: r for r in rows}
    assert by_id[ORIGINAL]["published"] == "2025-04-26"  # its date line, as a field
    assert by_id[SPIN]["title"] and not by_id[SPIN]["text"].startswith(by_id[SPIN]["title"])
    again = tmp_path / "again.ct"
    assert run("add", "--db", again, out).exit_code == 0

    def stored(path: Path) -> tuple[set[tuple[str, str, str, str]], list[str | None]]:
        result = json.loads(run("stories", "--db", path, "--json").stdout)
        edges = {
            (r["derived"], r["source"], r["kind"], r["direction"]) for r in result["relations"]
        }
        return edges, [s["original"] for s in result["stories"]]

    assert stored(again) == stored(db)
    to_stdout = run("export", "--db", db, "-o", "-")
    assert [json.loads(x) for x in to_stdout.stdout.splitlines()] == rows


def test_an_empty_query_text_and_an_empty_batch_are_usage_errors(db: Path, run: Any) -> None:
    empty = run("query", "--db", db, "--text", "  ")
    assert empty.exit_code == 2 and "--text: text is empty" in empty.output
    zero = run("add", "--db", db, "--batch-size", "0", db)
    assert zero.exit_code == 2 and "--batch-size" in zero.output


def test_an_output_that_cannot_be_written_is_a_clean_error(
    db: Path, tmp_path: Path, run: Any
) -> None:
    missing = tmp_path / "no such folder" / "all.jsonl"
    for args in (("export", "--db", db, "-o", missing), ("dedup", "--db", db, "-o", missing)):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert str(missing) in result.output and "internal error" not in result.output


def test_scan_with_db_reports_as_scan_and_keeps_the_result(
    tmp_path: Path, seeds: Path, run: Any
) -> None:
    plain = json.loads(run("scan", seeds, "--json").stdout)
    stored = run("scan", seeds, "--db", tmp_path / "scan.ct", "--json")
    assert stored.exit_code == 0, stored.output
    persisted = json.loads(stored.stdout)

    def edges(out: dict) -> set[tuple[str, str, str, str]]:
        return {(r["derived"], r["source"], r["kind"], r["direction"]) for r in out["relations"]}

    assert edges(persisted) == edges(plain)
    assert [s["original"] for s in persisted["stories"]] == [
        s["original"] for s in plain["stories"]
    ]
    again = run("query", "--db", tmp_path / "scan.ct", seeds / f"{CONDENSED}.txt", "--json")
    assert json.loads(again.stdout)["queries"][0]["sources"][0]["kind"] == "duplicate"


def test_a_large_scan_with_db_adds_in_batches(tmp_path: Path, seeds: Path, run: Any) -> None:
    settings = tmp_path / "small.toml"
    settings.write_text("[scan]\nin_memory_max = 3\nbatch_size = 2\n")
    plain = json.loads(run("scan", seeds, "--json").stdout)
    stored = run("scan", seeds, "--db", tmp_path / "scan.ct", "--config", settings, "--json")
    assert stored.exit_code == 0, stored.output
    lines = [line for line in stored.stderr.splitlines() if line.startswith("batch ")]
    assert [line.split(":")[0] for line in lines] == ["batch 1", "batch 2", "batch 3"]
    assert [s["members"] for s in json.loads(stored.stdout)["stories"]] == [
        s["members"] for s in plain["stories"]
    ]
    one_batch = run("scan", seeds, "--db", tmp_path / "one.ct", "--json")  # within the limit
    assert "batch 1: 5 added (5 so far)" in one_batch.stderr
    assert "batch 2" not in one_batch.stderr


def test_store_errors_are_one_clean_line(tmp_path: Path, run: Any) -> None:
    missing = run("query", "--db", tmp_path / "none.ct", "--text", "anything at all here")
    assert missing.exit_code == 2
    assert "no store here; create one with: copytrace add --db" in missing.output
    assert "Traceback" not in missing.output

    foreign = tmp_path / "foreign.ct"
    foreign.write_text("not a database at all\n" * 50)
    result = run("stories", "--db", foreign)
    assert result.exit_code == 2 and "not a copytrace store" in result.output

    newer = tmp_path / "newer.ct"
    assert run("add", "--db", newer).exit_code == 0  # no inputs: creates an empty store
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    result = run("show", "--db", newer, "x")
    assert result.exit_code == 2 and "newer copytrace" in result.output


def test_a_full_disk_is_reported_as_such(
    tmp_path: Path, seeds: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copytrace.incremental
    import copytrace.store_index

    def full(*args: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(copytrace.incremental, "write_batch", full)
        result = run("add", "--db", tmp_path / "news.ct", seeds)
    assert result.exit_code == 2, result.output
    assert "news.ct: the disk is full (database or disk is full;" in result.output
    assert "run the same command again" in result.output and "internal error" not in result.output
    assert run("add", "--db", tmp_path / "news.ct", seeds).exit_code == 0  # room again

    class NoRoom:  # usearch says only that it could not write, and the disk has no room
        def __init__(self, index: Any) -> None:
            self.serialized_length = index.serialized_length

        def save(self, path: str) -> None:
            Path(path).write_bytes(b"part")
            raise RuntimeError("Failed to serialize into stream")

    usage = copytrace.store_index.shutil.disk_usage
    monkeypatch.setattr(
        copytrace.store_index.shutil, "disk_usage", lambda p: usage(p)._replace(free=0)
    )
    settings = tmp_path / "small.toml"
    settings.write_text("[scan]\nin_memory_max = 3\nbatch_size = 2\n")
    original = copytrace.store_index.StoreIndex.save

    def save(self: Any) -> None:
        self._main = NoRoom(self._main)
        original(self)

    monkeypatch.setattr(copytrace.store_index.StoreIndex, "save", save)
    result = run("scan", seeds, "--config", settings)
    assert result.exit_code == 2, result.output
    assert "scan.ct.usearch: the disk is full (Failed to serialize into stream;" in result.output
    assert "set TMPDIR to a folder with more room" in result.output


def test_a_locked_store_is_reported(tmp_path: Path, run: Any) -> None:
    from copytrace.store import Store

    path = tmp_path / "busy.ct"
    with Store.open(path, create=True):
        result = run("add", "--db", path, "--no-semantic")
    assert result.exit_code == 2
    assert "locked by a writer" in result.output


def test_show_of_an_unknown_document(db: Path, run: Any) -> None:
    result = run("show", "--db", db, "no-such-doc")
    assert result.exit_code == 2
    assert "no document 'no-such-doc'" in result.output
