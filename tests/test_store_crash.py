"""Crash safety: `copytrace add` killed with SIGKILL at random points, many times, leaves a
consistent store (each batch wholly in or out), and rerunning the command finishes the work with
the same result as a run that was never interrupted."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copytrace.config import Config
from copytrace.store import Store

KILLS = 20
BATCH = 2  # documents per transaction: many commits to land between


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Path:
    """Forty texts in one JSONL file: the seeds and variants of them (copies, cuts, updates)."""
    texts = [p.read_text() for p in sorted(seeds.glob("*.txt"))]
    rows = []
    for i in range(40):
        text = texts[i % 5]
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        if i >= 5 and i % 3 == 0:
            text = "\n\n".join(paragraphs[: max(2, len(paragraphs) * 2 // 3)])
        elif i >= 5:
            text += f"\n\nUpdate {i}: officials were expected to comment later on day {i}."
        rows.append({"id": f"doc{i:02d}", "text": text})
    path = tmp_path_factory.mktemp("crash") / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def add_command(db: Path, corpus: Path) -> list[str]:
    # --no-semantic: no model to load, so the child starts fast and the kills land in the work
    return [sys.executable, "-m", "copytrace", "add", "--db", str(db), str(corpus),
            "--batch-size", str(BATCH), "--no-semantic"]  # fmt: skip


def check_consistent(db: Path) -> int:
    """Assert the invariants of a store that may have been killed mid-write; return its size."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    docs = one("SELECT count(*) FROM documents")
    # every committed batch is complete: its documents, their rows in every table, its stories
    assert one("SELECT coalesce(sum(documents), 0) FROM batches") == docs
    assert one("SELECT count(*) FROM batches") == int(
        one("SELECT coalesce(max(value), 0) FROM meta WHERE key = 'batch'")
    )
    assert one("SELECT count(*) FROM sentences") == docs
    fingerprinted = one("SELECT count(*) FROM fingerprints")
    assert fingerprinted == docs  # every test text has sentences
    assert one("SELECT count(DISTINCT key) FROM bands") == fingerprinted
    assert one("SELECT count(*) FROM story_members") == fingerprinted
    assert (
        one(
            "SELECT count(*) FROM relations WHERE derived NOT IN (SELECT key FROM documents) "
            "OR source NOT IN (SELECT key FROM documents)"
        )
        == 0
    )
    assert (
        one("SELECT count(*) FROM stories WHERE key NOT IN (SELECT story FROM story_members)") == 0
    )
    assert one("SELECT coalesce(sum(size), 0) FROM stories") == fingerprinted
    conn.close()
    if docs:
        with Store.open(db, readonly=True) as store:  # the index catches up with the database
            assert len(store.index) == fingerprinted
    return int(docs)


def snapshot(db: Path) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """Return the relations and stories of a store, by document id."""
    with Store.open(db, readonly=True) as store:
        ids = dict(store.conn.execute("SELECT key, id FROM documents"))
        relations = {
            (ids[d], ids[s], kind, direction)
            for d, s, kind, direction in store.conn.execute(
                "SELECT derived, source, kind, direction FROM relations"
            )
        }
        stories = {(*sorted(s.members), s.original or "") for s in store.stories(min_size=1)}
    return relations, stories


def test_kill_9_during_add_leaves_a_consistent_store_that_a_rerun_completes(
    tmp_path: Path, corpus: Path
) -> None:
    reference = tmp_path / "reference.ct"
    subprocess.run(add_command(reference, corpus), check=True, capture_output=True)
    assert check_consistent(reference) == 40

    db = tmp_path / "killed.ct"
    rng = random.Random(9)
    sizes = []
    for _ in range(KILLS):
        child = subprocess.Popen(
            add_command(db, corpus), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 2.0))
        child.kill()
        child.wait()
        sizes.append(check_consistent(db) if db.exists() else 0)
    assert sizes == sorted(sizes)  # nothing committed is ever lost
    assert any(0 < n < 40 for n in sizes), sizes  # some kills landed in the middle of the work

    done = subprocess.run(add_command(db, corpus), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert check_consistent(db) == 40
    assert snapshot(db) == snapshot(reference)


def test_a_rerun_after_a_finished_add_is_a_no_op(tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "done.ct"
    subprocess.run(add_command(db, corpus), check=True, capture_output=True)
    again = subprocess.run([*add_command(db, corpus), "--json"], capture_output=True, text=True)
    assert json.loads(again.stdout)["added"] == 0
    assert json.loads(again.stdout)["skipped"] == 40
    assert Config()  # the defaults still load after the runs
