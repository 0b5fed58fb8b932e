"""The store commands of the command line: `add`, `query`, `stories`, `show`, `dedup`, `export`,
and the `--db` option of `scan`. `register(group)` adds them to the `copytrace` group (cli.py)."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from copytrace import pipeline, report, store_report
from copytrace.cli import (
    Session,
    _color,
    _config,
    _note,
    _print,
    _width,
    config_options,
    json_option,
)
from copytrace.config import Config
from copytrace.dates import normalize_date
from copytrace.errors import InputError
from copytrace.ingest import iter_documents, read_text
from copytrace.records import Document, Problem, ScanResult
from copytrace.store import Store
from copytrace.store_dedup import KEEP, write_dedup, write_export
from copytrace.store_scan import head_of, scan_into
from copytrace.terminal import plural


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add the required `--db FILE`: the store (a SQLite file; its index sits beside it)."""
    return click.option(
        "--db",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The store: one SQLite file, with its index file beside it.",
    )(f)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Documents per transaction.")  # fmt: skip
@click.option("--workers", type=int, help="Processes that relate large batches [all cores].")
@click.option("--on-error", type=click.Choice(["skip", "fail"]), help="On an unreadable input.")
@json_option
@config_options
@click.pass_obj
def add(
    session: Session,
    paths: tuple[Path, ...],
    db: Path,
    batch_size: int,
    workers: int | None,
    on_error: str | None,
    as_json: bool,
    config_file: Path | None,
    no_semantic: bool,
) -> None:
    """Add documents to a store (created if missing); new ones are compared with all stored.

    Re-adding a stored document is a no-op, so an interrupted run is finished by rerunning it.

    Example:

        copytrace add --db news.ct ./today/ feed.jsonl.gz
    """  # fmt: skip
    config = _config(config_file, no_semantic, on_error)
    problems: list[Problem] = []
    with Store.open(db, create=True) as store:
        docs = pipeline.progress(iter_documents(paths, config.read, problems), desc="adding")
        rep = store.add(docs, config, session.models(config), batch_size, problems, workers, _note)
        total = len(store)
    for problem in problems:
        click.echo(str(problem), err=True)
    _print(store_report.add_json(rep, str(db)) if as_json else
           store_report.render_add(rep, str(db), total))  # fmt: skip


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--text", "texts", multiple=True, help="A text to query, given directly.")
@click.option("--top", default=10, show_default=True, help="Sources shown per query.")
@json_option
@config_options
@click.pass_obj
def query(
    session: Session,
    paths: tuple[Path, ...],
    db: Path,
    texts: tuple[str, ...],
    top: int,
    as_json: bool,
    config_file: Path | None,
    no_semantic: bool,
) -> None:
    """Find where texts come from: the stored sources of each input, best first.

    Example:

        copytrace query --db news.ct suspect.txt other.html
    """  # fmt: skip
    if not paths and not texts:
        raise click.UsageError("give files to query or --text TEXT")
    config = _query_config(_config(config_file, no_semantic))
    docs = _query_documents(paths, texts, config)
    with Store.open(db, readonly=True) as store:
        results = store.query(docs, config, session.models(config))
    _print(store_report.query_json(results, top) if as_json else
           store_report.render_query(results, top, _width()))  # fmt: skip


@click.command()
@db_option
@click.option("--since", help="Only stories changed on or after this date (YYYY-MM-DD).")
@json_option
def stories(db: Path, since: str | None, as_json: bool) -> None:
    """List the stories of a store: members, original and relations.

    Example:

        copytrace stories --db news.ct --since 2025-04-26
    """
    when = None
    if since is not None:
        when = normalize_date(since)
        if when is None:
            raise InputError(f"--since {since!r}: not a date; give one as YYYY-MM-DD")
    with Store.open(db, readonly=True) as store:
        keys = [int(s.id[1:]) for s in store.stories(when)]
        result = store_report.store_result(store, keys)
        source = _stored(db, store)
    _show(result, as_json, source)


@click.command()
@click.argument("doc_id")
@db_option
@json_option
def show(doc_id: str, db: Path, as_json: bool) -> None:
    """Show one stored document's story and relations, with their evidence.

    Example:

        copytrace show --db news.ct reuters-1234 --json
    """
    with Store.open(db, readonly=True) as store:
        key = store.keys([doc_id]).get(doc_id)
        story = store.story_of(key) if key is not None else None
        if key is None:
            raise InputError(f"no document {doc_id!r} in {db}")
        result = store_report.store_result(store, [story] if story is not None else [])
        source = _stored(db, store)
    _show(result, as_json, source)


@click.command()
@db_option
@click.option("--keep", type=click.Choice(KEEP), default="original", show_default=True,
              help="Which document of each group of copies to keep.")  # fmt: skip
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL file of the documents kept.")  # fmt: skip
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL map: removed id, kept id, kind [OUTPUT.map.jsonl].")  # fmt: skip
@json_option
def dedup(db: Path, keep: str, output: Path, map_file: Path | None, as_json: bool) -> None:
    """Write the stored corpus without its copies, and a map of what was removed.

    Example:

        copytrace dedup --db news.ct --keep original -o clean.jsonl
    """
    with Store.open(db, readonly=True) as store:
        rep = write_dedup(store, keep, output, map_file)
    _print(store_report.dedup_json(rep) if as_json else store_report.render_dedup(rep))


@click.command()
@db_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL file of every stored document ('-': standard output).")  # fmt: skip
def export(db: Path, output: Path) -> None:
    """Write every stored document as JSONL (id, title, published, url, source, text).

    `copytrace add` reads it back as the same documents: to rebuild a store with other settings
    or a newer copytrace, export it and add the file to a new store.

    Example:

        copytrace export --db news.ct -o all.jsonl
    """
    with Store.open(db, readonly=True) as store:
        if str(output) == "-":
            count = write_export(store, sys.stdout)
        else:
            with open(output, "w", encoding="utf-8") as out:
                count = write_export(store, out)
    click.echo(f"wrote {count:,} documents to {output}", err=True)


def _show(result: ScanResult, as_json: bool, source: str) -> None:
    _print(store_report.stories_json(result) if as_json else
           report.render_scan(result, _width(), _color(), source))  # fmt: skip


def _stored(db: Path, store: Store) -> str:
    """Name a store and its size, for the head of a report of its stories."""
    return f"{db.name}: {plural(len(store), 'document')} stored"


def _query_config(config: Config) -> Config:
    """Queries use the static model only: MiniLM's second look is for `add`."""
    return dataclasses.replace(config, align=dataclasses.replace(config.align, rescore=False))


def _query_documents(
    paths: tuple[Path, ...], texts: tuple[str, ...], config: Config
) -> list[Document]:
    """Read the query inputs; each is named by its path (with the line for a table row)."""
    problems: list[Problem] = []
    docs = []
    for doc in iter_documents(paths, config.read, problems):
        name = doc.path if doc.line is None else f"{doc.path}:{doc.line}"
        docs.append(dataclasses.replace(doc, id=name or doc.id))
    for problem in problems:
        click.echo(str(problem), err=True)
    for i, text in enumerate(texts):
        name = "text" if len(texts) == 1 else f"text{i + 1}"
        if not text.strip():
            raise InputError(f"--text: {name} is empty")
        docs.append(read_text(text, name))
    if not docs:
        raise InputError("nothing to query: no readable document in the inputs")
    return docs


def _with_db(scan: click.Command) -> click.Command:
    """Give `scan` a `--db FILE` option: the same scan, persisted into a store."""
    scan.params.append(click.Option(
        ["--db"], type=click.Path(dir_okay=False, path_type=Path),
        help="Also keep the result in this store (created if missing); later `add`s build on it.",
    ))  # fmt: skip
    original = scan.callback
    assert original is not None

    @functools.wraps(original)
    def callback(*args: Any, db: Path | None = None, **kwargs: Any) -> Any:
        if db is None:
            return original(*args, **kwargs)
        return _scan_into(db, **kwargs)

    scan.callback = callback
    return scan


def _scan_into(
    db: Path,
    paths: tuple[Path, ...],
    as_json: bool,
    html_file: Path | None,
    on_error: str | None,
    workers: int | None,
    config_file: Path | None,
    no_semantic: bool,
) -> None:
    """Scan `paths` into the store (`store_scan.scan_into`) and report them as `scan` does."""
    session: Session = click.get_current_context().obj
    config = _config(config_file, no_semantic, on_error)
    problems: list[Problem] = []
    head, docs = head_of(iter_documents(paths, config.read, problems), 0)
    if not head:
        raise InputError("no readable documents in the given inputs")
    with Store.open(db, create=True) as store:
        result = scan_into(store, docs, config, session.models(config), problems, workers, _note)
    result = dataclasses.replace(result, problems=tuple(problems))
    for problem in problems:
        click.echo(str(problem), err=True)
    if html_file:
        from copytrace.html_report import write_html

        write_html(result, html_file)
    _print(report.to_json(result) if as_json else report.render_scan(result, _width(), _color()))


def register(group: click.Group) -> None:
    """Add the store commands to the `copytrace` group, and `--db` to its `scan`."""
    for command in (add, query, stories, show, dedup, export):
        group.add_command(command)
    if "scan" in group.commands:
        _with_db(group.commands["scan"])
