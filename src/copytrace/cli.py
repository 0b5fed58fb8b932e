"""The `copytrace` command line: a thin click group over the library.

Each command reads its options into a `Config`, calls one library function and prints what
`report` renders. Results go to stdout; progress, input problems and errors go to stderr. Exit
codes: 0 done, 2 a usage error or a `CopytraceError` (the user's to fix), 1 an internal error,
130 interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from copytrace import __version__, pipeline, report
from copytrace.config import Config, load_config
from copytrace.errors import CopytraceError, InputError
from copytrace.ingest import read_file, read_text
from copytrace.records import Document


class UserError(click.ClickException):
    """A mistake the user can fix: printed as one line, exit code 2."""

    exit_code = 2


class Session:
    """What the commands of one process share: the loaded models (tests pass theirs in)."""

    def __init__(self, models: Iterable[pipeline.Models] = ()) -> None:
        self._models = {m.config: m for m in models}

    def models(self, config: Config) -> pipeline.Models:
        """Return the models for `config.align`, loading them on first use."""
        if config.align not in self._models:
            self._models[config.align] = pipeline.Models(config.align)
        return self._models[config.align]


class _Group(click.Group):
    """A click group that turns errors into clean messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CopytraceError as exc:
            raise UserError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("copytrace: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `copytrace scan ... | head`: the reader left; that is fine
            _silence_stdout()
            ctx.exit(1)
        except OSError as exc:  # a file that cannot be written or read: a missing folder, rights
            where = f"{exc.filename}: " if exc.filename else ""
            raise UserError(f"{where}{exc.strerror or exc}") from None
        except Exception as exc:
            _internal_error(exc)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="copytrace")
def cli() -> None:
    """Find where news texts came from: stories, copies, originals, with evidence.

    Example:

        copytrace scan examples/seeds
    """


def main(args: Sequence[str] | None = None, *, session: Session | None = None) -> None:
    """Run the command line (the `copytrace` console script and `python -m copytrace`)."""
    with _ended_cleanly_by_sigterm():
        cli.main(args, prog_name="copytrace", obj=session or Session())


@contextlib.contextmanager
def _ended_cleanly_by_sigterm() -> Iterator[None]:
    """Handle SIGTERM with `_terminated` for the duration (signals reach the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    """End on SIGTERM the way Ctrl-C ends a run: what is open is closed on the way out (an add's
    batch in progress rolled back, a scan's temporary store removed, the workers stopped)."""
    click.echo("copytrace: terminated", err=True)
    raise SystemExit(128 + signum)


# ---- shared options ---------------------------------------------------------------------------


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--json`: print machine-readable JSON on stdout instead of the report."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON on stdout instead of the report."
    )(f)


def config_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--config FILE` and `--no-semantic` (read with `_config`)."""
    f = click.option(
        "--no-semantic",
        is_flag=True,
        help="Compare wording only, without the sentence model (faster, misses rewordings).",
    )(f)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="TOML file of settings over the defaults ([align], [classify], ...).",
    )(f)


# ---- commands ---------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@json_option
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report to this file.",
)
@click.option(
    "--on-error",
    type=click.Choice(["skip", "fail"]),
    help="On an unreadable input: report it and go on (skip, the default) or stop.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Processes that align large scans [all cores]."
)
@config_options
@click.pass_obj
def scan(
    session: Session,
    paths: tuple[Path, ...],
    as_json: bool,
    html_file: Path | None,
    on_error: str | None,
    workers: int | None,
    config_file: Path | None,
    no_semantic: bool,
) -> None:
    """Find stories, copies and originals in files and folders.

    PATHS are files or folders of .txt, .md, .html, .jsonl(.gz), .csv or .parquet files.
    More than 20,000 documents are scanned in batches through a temporary store, to bound
    memory (in TMPDIR; a --config file's [scan] settings change the limit).

    Example:

        copytrace scan articles/ --json > result.json
    """
    config = _config(config_file, no_semantic, on_error)
    write_html = _html_writer() if html_file else None
    result = pipeline.scan(paths, config, session.models(config), workers, _note)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if write_html and html_file:
        write_html(result, html_file)
        click.echo(f"wrote {html_file}", err=True)
    _print(report.to_json(result) if as_json else report.render_scan(result, _width(), _color()))
    if result.problems:
        click.echo(report.problems_summary(result.problems), err=True)


@cli.command()
@click.argument("a", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.argument("b", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@json_option
@config_options
@click.pass_obj
def compare(
    session: Session, a: Path, b: Path, as_json: bool, config_file: Path | None, no_semantic: bool
) -> None:
    """Compare two texts: kind of copy, aligned passages side by side, changes.

    A or B may be - to read that text from stdin.

    Example:

        copytrace compare original.txt copy.html
    """
    if str(a) == str(b) == "-":
        raise click.UsageError("only one of A and B can be - (stdin)")
    config = _config(config_file, no_semantic)
    doc_a, doc_b = _read_one(a, config), _read_one(b, config)
    if doc_a.id == doc_b.id:  # ids name the two sides of the relation, so they must differ
        doc_b = dataclasses.replace(doc_b, id=f"{doc_b.id}~2")
    rel = pipeline.compare_documents(doc_a, doc_b, config, session.models(config))
    if as_json:
        _print(report.compare_json(doc_a, doc_b, rel))
    else:
        _print(report.render_compare(doc_a, doc_b, rel, _width(), _color()))


# ---- helpers ----------------------------------------------------------------------------------


def _config(path: Path | None, no_semantic: bool, on_error: str | None = None) -> Config:
    """Return the settings of `--config FILE` with the command-line flags applied over them."""
    config = load_config(path)
    if on_error:
        config = config.with_values({"read": {"on_error": on_error}})
    return config.wording_only() if no_semantic else config


def _read_one(path: Path, config: Config) -> Document:
    """Read the one text of a file (or stdin for "-"), or explain why it cannot be compared."""
    if str(path) == "-":
        return read_text(sys.stdin.read(), "stdin", path="-")
    docs = []
    for item in read_file(path, config.read):
        if not isinstance(item, Document):
            raise InputError(item.message, item.path, item.line)
        docs.append(item)
    if len(docs) != 1:
        raise InputError(
            f"holds {len(docs)} documents; compare takes one text per file (use scan for tables)",
            str(path),
        )
    return docs[0]


def _html_writer() -> Callable[..., Any]:
    try:
        from copytrace.html_report import write_html
    except ImportError as exc:
        raise UserError(f"--html is not available in this installation: {exc}") from None
    return write_html


def _print(output: str | dict[str, Any]) -> None:
    text = output if isinstance(output, str) else json.dumps(output, indent=2, ensure_ascii=False)
    click.echo(text)


def _note(line: str) -> None:
    """Print a line on stderr without breaking a progress bar."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)


def _width() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _internal_error(exc: Exception) -> None:
    debug = os.environ.get("COPYTRACE_DEBUG") == "1"
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    hint = "" if debug else " (set COPYTRACE_DEBUG=1 to see the traceback)"
    click.echo(
        f"copytrace: internal error: {type(exc).__name__}: {exc}\n"
        f"This is a bug in copytrace, not in your input; please report this{hint}.",
        err=True,
    )


def _silence_stdout() -> None:
    # Python would otherwise complain again when it flushes stdout at exit.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


__import__("copytrace.cli_store").cli_store.register(cli)  # store commands: add, query, ...
__import__("copytrace.cli_spark").cli_spark.register(cli)  # spark-scan
__import__("copytrace.cli_serve").cli_serve.register(cli)  # serve: the web app
