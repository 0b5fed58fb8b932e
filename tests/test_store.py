"""The store: opening and its errors, incremental adds that match a scan, stories that grow,
readers beside a writer, queries, deduplication and the index caught up from the database."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from copytrace import store_schema as store_module
from copytrace.config import Config
from copytrace.index import EXPANSION_SEARCH
from copytrace.ingest import iter_documents, read_text
from copytrace.pipeline import Models, scan
from copytrace.records import Document, Relation, ScanResult
from copytrace.store import Store, StoreError, StoreLocked
from copytrace.store_codec import relation_from_json, relation_json
from copytrace.store_dedup import write_dedup
from copytrace.store_index import READER_EXPANSION_SEARCH, index_path

ORIGINAL, SPIN, CONDENSED = "001_f57957876d2b9527", "000_500a8c1d4f6eb8df", "003_5f2bf27763bf766a"
LEXICAL = Config().with_values({"align": {"model": "lexical"}})


def seed_docs(seeds: Path) -> list[Document]:
    return list(iter_documents([seeds], Config().read, []))


def edges(relations: object) -> set[tuple[str, str, str, str]]:
    return {(r.derived, r.source, r.kind, r.direction) for r in relations}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, seeds: Path, models: Models) -> Path:
    """A store holding the five seeds, added one by one (do not write to it)."""
    path = tmp_path_factory.mktemp("seeded") / "seeds.ct"
    with Store.open(path, create=True) as store:
        for doc in seed_docs(seeds):
            store.add([doc], Config(), models)
    return path


# --- opening -----------------------------------------------------------------------------------


def test_create_then_reopen(tmp_path: Path) -> None:
    path = tmp_path / "new.ct"
    with Store.open(path, create=True) as store:
        assert len(store) == 0
        assert store.meta["schema_version"] == str(store_module.SCHEMA_VERSION)
    with Store.open(path, readonly=True) as store:
        assert store.stories() == []
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_missing_store_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here; create one with: copytrace add"):
        Store.open(tmp_path / "none.ct", readonly=True)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.ct"
    text.write_text("just some notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a copytrace store"):
        Store.open(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(StoreError, match="SQLite database, but not a copytrace store"):
        Store.open(other, readonly=True)


def test_a_store_from_a_newer_copytrace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.ct"
    Store.open(path, create=True).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"newer copytrace.*schema 99.*upgrade copytrace"):
        Store.open(path, readonly=True)


def test_an_older_store_is_migrated_by_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.ct"
    Store.open(path, create=True).close()
    current = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(
        store_module.MIGRATIONS, current, ("ALTER TABLE documents ADD COLUMN lang TEXT",)
    )
    with pytest.raises(StoreError, match="older than this copytrace"):
        Store.open(path, readonly=True)
    with Store.open(path) as store:
        assert store.meta["schema_version"] == str(current + 1)
        store.conn.execute("SELECT lang FROM documents").fetchall()


def test_a_second_writer_is_told_the_store_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "busy.ct"
    with Store.open(path, create=True):
        with pytest.raises(StoreLocked, match=r"locked by a writer .pid \d+.*queries still work"):
            Store.open(path)
        with Store.open(path, readonly=True) as reader:  # readers never wait
            assert len(reader) == 0
    Store.open(path).close()  # the lock goes with the writer


# --- adding ------------------------------------------------------------------------------------


def test_seeds_added_one_by_one_match_a_scan(seeded: Path, seed_scan: ScanResult) -> None:
    with Store.open(seeded, readonly=True) as store:
        stored = {r for d in seed_scan.documents for r in edges(store.relations(d.id))}
        [story] = store.stories()
    assert stored == edges(seed_scan.relations)
    assert story.original == ORIGINAL
    assert sorted(story.members) == sorted(d.id for d in seed_scan.documents)


def test_relations_keep_all_their_evidence(seeded: Path, seed_scan: ScanResult) -> None:
    for rel in seed_scan.relations:
        assert relation_from_json(relation_json(rel)) == rel
    with Store.open(seeded, readonly=True) as store:
        spin = next(r for r in store.relations(SPIN) if r.kind == "spin")
    assert spin.links and spin.passages and spin.evidence.direction_reason


def test_regrouping_a_story_leaves_its_same_story_relations_whole(
    tmp_path: Path, seeds: Path, models: Models
) -> None:
    """An add regroups the touched story from bare same-story relations; what is stored of them
    (evidence and orientation) stays as it was."""
    docs = seed_docs(seeds)
    query = "SELECT a, b, derived, direction, reason, relation FROM relations WHERE kind = ?"
    with Store.open(tmp_path / "s.ct", create=True) as store:
        store.add(docs[:-1], Config(), models)
        before = set(store.conn.execute(query, ("same_story",)).fetchall())
        report = store.add(docs[-1:], Config(), models)
        after = set(store.conn.execute(query, ("same_story",)).fetchall())
        [story] = store.stories()
    assert before and report.stories and before <= after
    assert len(story.members) == len(docs)
    assert all(relation_from_json(row[-1]).links for row in after)


REMIX_STORY = ["dac9137829d6", "8512b5a83fed", "9e6a2a4fe771", "6cee517f1efe", "0c6273e8360d"]


@pytest.mark.parametrize("order", [[[0, 1, 2, 3], [4]], [[4], [0, 1, 2, 3]]])
def test_a_copy_through_a_rewrite_is_stored_as_a_scan_finds_it(
    tmp_path: Path, shared: Any, models: Models, order: list[list[int]]
) -> None:
    """rewrites-dev's remix 0c6273e8360d copies its source only through the source's spin
    (`stories.through_rewrites`): the store makes the same copy whichever arrives last."""
    paths = [shared("eval", "rewrites-dev", "docs", f"{i}.txt") for i in REMIX_STORY]
    docs = list(iter_documents(paths, Config().read, []))
    scanned = edges(scan(paths, Config(), models).relations)
    remix, source = REMIX_STORY[-1], REMIX_STORY[0]
    assert (remix, source, "condensed", "containment") in scanned
    with Store.open(tmp_path / "s.ct", create=True) as store:
        for part in order:
            store.add([docs[i] for i in part], Config(), models)
        stored = {e for i in REMIX_STORY for e in edges(store.relations(i))}
        through = next(r for r in store.relations(remix) if r.source == source)
    assert stored == scanned
    assert through.evidence.direction_reason.startswith("through 8512b5a83fed:")
    assert through.passages  # its own alignment with the source, as evidence


@pytest.mark.parametrize("through", [True, False])
def test_a_query_finds_a_copy_through_a_stored_rewrite(
    tmp_path: Path, shared: Any, models: Models, through: bool
) -> None:
    """Queried against a store holding the rest of its story, the remix is a copy of its source
    through the source's spin, as in a scan; without the rule, a same-story report of it."""
    paths = [shared("eval", "rewrites-dev", "docs", f"{i}.txt") for i in REMIX_STORY]
    docs = list(iter_documents(paths, Config().read, []))
    config = Config().with_values({"stories": {"through_rewrites": through}})
    with Store.open(tmp_path / "s.ct", create=True) as store:
        store.add(docs[:-1], Config(), models)
        (result,) = store.query(docs[-1:], config)
    remix, source = REMIX_STORY[-1], REMIX_STORY[0]
    found = {r.source if r.derived == remix else r.derived: r for r in result.relations}
    if through:
        assert (found[source].derived, found[source].kind) == (remix, "condensed")
        assert found[source].evidence.direction_reason.startswith("through 8512b5a83fed:")
    else:
        assert found[source].kind == "same_story"
    assert found["8512b5a83fed"].kind == "condensed"  # the spin it copies, either way


def test_a_batch_follows_the_stories_settings(tmp_path: Path, shared: Any, models: Models) -> None:
    """`[stories]` settings reach a store's batches as they reach a scan."""
    paths = [shared("eval", "rewrites-dev", "docs", f"{i}.txt") for i in REMIX_STORY]
    docs = list(iter_documents(paths, Config().read, []))
    off = Config().with_values({"stories": {"through_rewrites": False}})
    with Store.open(tmp_path / "s.ct", create=True) as store:
        store.add(docs[:-1], off, models)
        store.add(docs[-1:], off, models)
        stored = {e for i in REMIX_STORY for e in edges(store.relations(i))}
    assert (REMIX_STORY[-1], REMIX_STORY[0], "same_story", "unknown") in stored
    assert stored == edges(scan(paths, off, models).relations)


def test_stored_partners_load_as_they_were_encoded(
    tmp_path: Path, seeded: Path, seeds: Path, models: Models
) -> None:
    """Anchors and quotes are stored; a row without them (an older store) computes them again."""
    from copytrace.pipeline import encode_all
    from copytrace.sentences import prepare

    fresh = {e.doc.id: e for e in encode_all([prepare(d) for d in seed_docs(seeds)], models.static)}
    copy = tmp_path / "copy.ct"
    with sqlite3.connect(seeded) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    with Store.open(copy) as store:
        keys = store.keys(fresh)
        stored = store.load_encoded(keys.values())
        store.conn.execute("UPDATE sentences SET features = NULL")
        recomputed = store.load_encoded(keys.values())
    for doc_id, key in keys.items():
        for loaded in (stored[key], recomputed[key]):
            assert loaded.anchors == fresh[doc_id].anchors
            assert loaded.quotes == fresh[doc_id].quotes
            assert loaded.all_anchors == fresh[doc_id].all_anchors


def test_stored_documents_load_in_the_order_asked(seeded: Path, seeds: Path) -> None:
    """Documents are read in key order, but come back in the order the caller gave, whole."""
    given = {d.id: d for d in seed_docs(seeds)}
    with Store.open(seeded, readonly=True) as store:
        keys = store.keys(given)
        wanted = sorted(keys.values(), reverse=True)
        docs = store.load_documents(wanted)
        encoded = store.load_encoded(wanted)
    assert list(docs) == wanted and list(encoded) == wanted
    for key, doc in docs.items():
        assert doc.text == given[doc.id].text
        assert encoded[key].doc.sentences == doc.sentences
        assert len(encoded[key].vectors) == len(doc.sentences)


def test_re_adding_is_a_no_op(tmp_path: Path, seeded: Path, seeds: Path, models: Models) -> None:
    copy = tmp_path / "copy.ct"
    copy.write_bytes(seeded.read_bytes())
    with Store.open(copy) as store:
        report = store.add(seed_docs(seeds), Config(), models)
        assert (report.added, report.skipped, report.relations) == (0, 5, 0)
        assert len(store) == 5


def test_same_id_with_another_text_is_kept_under_a_new_id(tmp_path: Path) -> None:
    first = read_text("Alpha Corp said on Monday it bought Beta Inc for 700 mln dlrs.", "x")
    second = read_text("Gamma Ltd said its first quarter profit rose to 15.3 mln dlrs.", "x")
    with Store.open(tmp_path / "s.ct", create=True) as store:
        store.add([first], LEXICAL)
        report = store.add([second], LEXICAL)
        assert report.renamed == (("x", "x~2"),)
        assert store.add([second, first], LEXICAL).skipped == 2  # both are stored already
        assert len(store) == 2


def test_an_earlier_published_newcomer_becomes_the_original(
    tmp_path: Path, seeds: Path, models: Models
) -> None:
    docs = {d.id: d for d in seed_docs(seeds)}
    spin = dataclasses.replace(docs[SPIN], published="2025-04-27")
    condensed = dataclasses.replace(docs[CONDENSED], published="2025-04-28")
    with Store.open(tmp_path / "s.ct", create=True) as store:
        store.add([spin, condensed], Config(), models)
        [before] = store.stories()
        assert before.original == SPIN
        store.add([docs[ORIGINAL]], Config(), models)  # dated 2025-04-26 in its text
        [after] = store.stories()
    assert after.original == ORIGINAL
    assert after.id == before.id  # the story grew; it keeps its id
    assert "published" in after.original_basis


def test_settings_cannot_change_inside_a_store(tmp_path: Path, seeded: Path, seeds: Path) -> None:
    copy = tmp_path / "copy.ct"
    copy.write_bytes(seeded.read_bytes())
    extra = read_text("Alpha Corp said on Monday it bought Beta Inc for 700 mln dlrs.", "new")
    with Store.open(copy) as store, pytest.raises(StoreError, match="built with embedder"):
        store.add([extra], LEXICAL)


def test_readers_keep_answering_while_a_writer_adds(tmp_path: Path, seeds: Path) -> None:
    path = tmp_path / "busy.ct"
    texts = [d.text for d in seed_docs(seeds)]
    docs = [
        read_text(texts[i % 5] + f"\n\nUpdate {i}: more to follow.", f"d{i}") for i in range(30)
    ]
    Store.open(path, create=True).close()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with Store.open(path) as store:
                store.add(docs, LEXICAL, batch_size=1)  # thirty transactions
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    answers = 0
    while writer.is_alive() or answers < 3:
        with Store.open(path, readonly=True) as reader:
            reader.stories()
            reader.query([docs[0]], LEXICAL)
            answers += 1
    writer.join()
    assert not failures
    assert answers >= 3
    with Store.open(path, readonly=True) as reader:
        assert len(reader) == 30


# --- querying, dedup, the index ----------------------------------------------------------------


def test_query_ranks_copies_first(seeded: Path, seeds: Path, models: Models) -> None:
    docs = {d.id: d for d in seed_docs(seeds)}
    original = docs[ORIGINAL]
    half = original.text[: len(original.text) // 2]
    query = read_text(half, "half")
    with Store.open(seeded, readonly=True) as store:
        [result] = store.query([query], Config())
    assert result.ms > 0
    kinds = [r.kind for r in result.relations]
    first = result.relations[0]
    assert {first.derived, first.source} == {"half", ORIGINAL}
    assert first.is_copy
    assert kinds.index("same_story") > max(i for i, r in enumerate(result.relations) if r.is_copy)
    assert result.stories[ORIGINAL] == "s1"


def test_dedup_keeps_the_original_and_maps_the_copies(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "clean.jsonl"
    with Store.open(seeded, readonly=True) as store:
        report = write_dedup(store, "original", out)
    kept = [line for line in out.read_text().splitlines()]
    mapping = (tmp_path / "clean.map.jsonl").read_text()
    assert (report.kept, report.removed) == (3, 2)
    assert len(kept) == 3 and ORIGINAL in out.read_text()
    assert f'"removed": "{SPIN}", "kept": "{ORIGINAL}", "kind": "spin"' in mapping
    assert f'"removed": "{CONDENSED}", "kept": "{ORIGINAL}", "kind": "condensed"' in mapping


def test_a_missing_index_is_rebuilt_from_the_database(tmp_path: Path, seeded: Path) -> None:
    copy = tmp_path / "copy.ct"
    copy.write_bytes(seeded.read_bytes())
    assert not index_path(copy).exists()
    with Store.open(copy, readonly=True) as reader:
        assert len(reader.index) == 5  # a reader catches up in memory
    with Store.open(copy) as writer:
        assert len(writer.index) == 5
    assert index_path(copy).exists()  # a writer saves what it caught up
    with Store.open(copy, readonly=True) as reader:
        assert len(reader.index) == 5


def test_the_index_searches_wider_than_usearchs_default(tmp_path: Path, seeded: Path) -> None:
    """A writer searches its batches at EXPANSION_SEARCH, a reader its queries wider still,
    whether the index was built, loaded or memory-mapped (usearch's default, 64, missed sources
    at cosine 0.85 in a 100k store)."""
    copy = tmp_path / "copy.ct"
    copy.write_bytes(seeded.read_bytes())
    with Store.open(copy) as writer:
        assert writer.index._main.expansion_search == EXPANSION_SEARCH  # built from the database
    assert index_path(copy).exists()
    with Store.open(copy) as writer, Store.open(copy, readonly=True) as reader:
        assert writer.index._main.expansion_search == EXPANSION_SEARCH  # loaded
        assert reader.index._main.expansion_search == READER_EXPANSION_SEARCH  # memory-mapped
    assert READER_EXPANSION_SEARCH > EXPANSION_SEARCH > 64


def test_an_index_file_keeps_the_vector_type_it_was_written_with(
    tmp_path: Path, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new index holds 8-bit vectors (`index.DTYPE`); the file of a store written when
    it held 16-bit floats loads as it is, for the writer and for a reader, and finds the same
    neighbours."""
    import copytrace.index as index_module

    copy = tmp_path / "copy.ct"
    copy.write_bytes(seeded.read_bytes())
    with Store.open(copy) as writer:  # built from the database: today's type
        assert str(writer.index._main.dtype).endswith("I8")
        key = max(writer.index._main.keys)
        vector = writer.index._main.get(key).astype(np.float32)
        new = [k for k, _ in writer.index.query(vector, 3)[0]]
    index_path(copy).unlink()
    monkeypatch.setattr(index_module, "DTYPE", "f16")
    with Store.open(copy) as writer:  # as an earlier version wrote it
        assert str(writer.index._main.dtype).endswith("F16")
    monkeypatch.undo()
    with Store.open(copy) as writer, Store.open(copy, readonly=True) as reader:
        for index in (writer.index, reader.index):
            assert str(index._main.dtype).endswith("F16") and len(index) == 5
            assert [k for k, _ in index.query(vector, 3)[0]] == new


def test_a_batch_that_fails_to_write_leaves_no_vectors_in_the_index(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copytrace import incremental

    docs = seed_docs(seeds)
    path = tmp_path / "failing.ct"
    with Store.open(path, create=True) as store:
        store.add(docs[:2], LEXICAL)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch, Store.open(path) as store:
        patch.setattr(incremental, "write_batch", broken)
        with pytest.raises(OSError, match="disk full"):
            store.add(docs[2:], LEXICAL)
    with Store.open(path, readonly=True) as reader:  # the saved index holds the committed two
        assert len(reader) == 2 and len(reader.index) == 2
    with Store.open(path) as store:  # the same keys go to the batch when it is added again
        store.add(docs[2:], LEXICAL)
        assert len(store) == len(store.index) == 5
        for key, vector in store.conn.execute("SELECT key, vector FROM fingerprints"):
            nearest = store.index.query(np.frombuffer(vector, dtype=np.float16), 1)[0][0]
            assert nearest[0] == key and nearest[1] > 0.99


# --- passages ----------------------------------------------------------------------------------

# Two long pages: the second lifts two long sentences of the first into other text.
BRIDGE_PAGE = (
    "Our walking club meets every second Sunday at the old station and walks until dusk. "
    "The Lindholm river bridge was built in 1911 by the engineer Karl Strand, who used granite "
    "from the quarries at Oster Malma for its seven arches. "
    "After the flood of 1977 the county rebuilt the two western pillars and added a footpath on "
    "the downstream side of the bridge, which the ferry company later paid to light. "
    "Members bring their own lunch, a thermos and a map of the route they plan to follow."
)
MUSEUM_PAGE = (
    "The history of the county is told in the museum's new rooms on the second floor. "
    "The Lindholm river bridge was built in 1911 by the engineer Karl Strand, who used granite "
    "from the quarries at Oster Malma for its seven arches. "
    "After the flood of 1977 the county rebuilt the two western pillars and added a footpath on "
    "the downstream side of the bridge, which the ferry company later paid to light. "
    "The museum is open from Tuesday to Saturday, and entry is free for all children."
)
# pairs come from shared sentences only: no all-pairs rule, no MinHash, no neighbours
PASSAGES_ONLY = LEXICAL.with_values(
    {"candidates": {"all_pairs_below": 0, "minhash_threshold": 0.99, "min_cosine": 1.01,
                    "words_gram": 0}}
)  # fmt: skip
PASSAGES_AND_WORDS = LEXICAL.with_values(
    {"candidates": {"all_pairs_below": 0, "minhash_threshold": 0.99, "min_cosine": 1.01}}
)
# ... and from shared runs of words only
WORDS_ONLY = LEXICAL.with_values(
    {"candidates": {"all_pairs_below": 0, "minhash_threshold": 0.99, "min_cosine": 1.01,
                    "passage_min_shared": 99}}
)  # fmt: skip
# A page that pastes the middle of BRIDGE_PAGE, from mid-sentence to mid-sentence (50 words).
NOTICE_PAGE = (
    "From the parish notices: we are told the engineer Karl Strand, who used granite from the "
    "quarries at Oster Malma for its seven arches. After the flood of 1977 the county rebuilt the "
    "two western pillars and added a footpath on the downstream side of the bridge, which the "
    "ferry company later paid to light, or so the newsletter says. Coffee follows the service."
)


def _as_schema(path: Path, version: int, tables: tuple[str, ...], keys: tuple[str, ...]) -> None:
    """Turn a store back into one an older schema wrote: without `tables` and the `keys` of meta."""
    conn = sqlite3.connect(path)
    for table in tables:
        conn.execute(f"DROP TABLE {table}")
    conn.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in keys])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.commit()
    conn.close()


def _bridge_page_hashes(path: Path, table: str, config: Config, models: Models) -> list[Any]:
    """Store the bridge page in a new store; return the `(hash, key)` rows of `table`."""
    with Store.open(path, create=True) as store:
        store.add([Document("club", BRIDGE_PAGE)], config, models)
        return store.conn.execute(f"SELECT hash, key FROM {table} ORDER BY hash").fetchall()


def _newcomer_relations(path: Path, page: str, config: Config, models: Models) -> list[Relation]:
    """Store the bridge page, then `page` (id "newcomer"); return the newcomer's relations."""
    with Store.open(path, create=True) as store:
        store.add([Document("club", BRIDGE_PAGE)], config, models)
        store.add([Document("newcomer", page)], config, models)
        return store.relations("newcomer")


def test_a_stored_page_is_paired_with_a_newcomer_that_lifts_its_sentences(
    tmp_path: Path, models: Models
) -> None:
    (rel,) = _newcomer_relations(tmp_path / "p.ct", MUSEUM_PAGE, PASSAGES_ONLY, models)
    assert rel.is_copy and rel.evidence.candidate == ("passage",)


def test_an_older_store_gets_its_passages_when_migrated(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.ct"
    stored = _bridge_page_hashes(path, "passages", PASSAGES_ONLY, models)
    assert len(stored) == 4  # the page's four long sentences
    # as schema 2 left it: no passages or words tables, no settings for them
    _as_schema(path, 2, ("passages", "words"), ("passage_min_words", "words_gram", "words_window"))
    with Store.open(path) as store:
        assert "upgrading" in capsys.readouterr().err
        assert store.meta["schema_version"] == str(store_module.SCHEMA_VERSION)
        assert store.conn.execute("SELECT hash, key FROM passages ORDER BY hash").fetchall() == (
            stored
        )
        assert store.meta["passage_min_words"] == "10"
        # the word hashes were stored with the default settings too
        store.add([Document("museum", MUSEUM_PAGE)], PASSAGES_AND_WORDS, models)
        assert [r.evidence.candidate for r in store.relations("museum")] == [("passage", "words")]


def test_an_older_store_gets_its_anchors_recomputed_when_migrated(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.ct"
    text = "Acme said it would sell 1.82 mln shares to Borg. Its first sale was in “early spring”."
    with Store.open(path, create=True) as store:
        store.add([Document("acme", text)], LEXICAL, models)
        (now,) = store.conn.execute("SELECT features FROM sentences").fetchone()
    assert "1820000" in now and "early spring" in now
    # as schema 4 wrote it: the scale word not applied
    conn = sqlite3.connect(path)
    conn.execute("UPDATE sentences SET features = ?", (now.replace("1820000", "1.82"),))
    conn.commit()
    conn.close()
    _as_schema(path, 4, (), ())
    with Store.open(path) as store:
        assert "upgrading" in capsys.readouterr().err
        assert store.conn.execute("SELECT features FROM sentences").fetchone() == (now,)


def test_a_stored_page_is_paired_with_a_newcomer_that_pastes_it_mid_sentence(
    tmp_path: Path, models: Models
) -> None:
    (rel,) = _newcomer_relations(tmp_path / "w.ct", NOTICE_PAGE, WORDS_ONLY, models)
    assert rel.is_copy and rel.evidence.candidate == ("words",)
    # sentence hashes alone miss it
    assert _newcomer_relations(tmp_path / "p.ct", NOTICE_PAGE, PASSAGES_ONLY, models) == []


def test_a_schema_3_store_gets_its_word_hashes_when_migrated(
    tmp_path: Path, models: Models, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.ct"
    stored = _bridge_page_hashes(path, "words", WORDS_ONLY, models)
    assert len(stored) >= 4
    _as_schema(path, 3, ("words",), ("words_gram", "words_window"))  # no words table, no settings
    with Store.open(path) as store:
        assert "from store schema 3 to" in capsys.readouterr().err
        assert store.conn.execute("SELECT hash, key FROM words ORDER BY hash").fetchall() == stored
        assert (store.meta["words_gram"], store.meta["words_window"]) == ("8", "16")
        store.add([Document("notice", NOTICE_PAGE)], WORDS_ONLY, models)
        assert [r.evidence.candidate for r in store.relations("notice")] == [("words",)]
