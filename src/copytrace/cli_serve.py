"""The `serve` command: the web app and REST API over a store. `register(group)` adds it to the
`copytrace` group (cli.py). The web stack is imported only when the command runs."""

from __future__ import annotations

from pathlib import Path

import click

from copytrace.cli import Session, _config, config_options
from copytrace.errors import MissingDependency

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option(
    "--db",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store to serve (created empty if missing).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback exposes the store to others.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--max-body",
    default=10 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body in bytes (uploads, texts).",
)
@config_options
@click.pass_obj
def serve(
    session: Session,
    db: Path,
    host: str,
    port: int,
    max_body: int,
    config_file: Path | None,
    no_semantic: bool,
) -> None:
    """Serve a store: stories, pair views, find the sources of a text, add; a REST API.

    Pages at http://HOST:PORT/, the API under /api/, its schema at /openapi.json.

    Example:

        copytrace serve --db news.ct --port 8000
    """
    try:
        import uvicorn

        from copytrace.server import create_app
    except ImportError as exc:
        raise MissingDependency(exc.name or "fastapi", "web", "copytrace serve") from None
    from copytrace.store import Store

    config = _config(config_file, no_semantic)
    if not (db.exists() and db.stat().st_size > 0):
        Store.open(db, create=True).close()
        click.echo(f"created an empty store {db}; add documents from the web page", err=True)
    # The session's models (tests pass theirs in) are reused; models load on first use.
    app = create_app(db, config, session.models(config), max_body, preload=True)
    if host not in LOOPBACK:
        click.echo(f"warning: serving {db} to the network on {host}; there is no login", err=True)
    click.echo(
        f"copytrace: serving {db} on http://{_url_host(host)}:{port}/ (Ctrl-C stops)", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(group: click.Group) -> None:
    """Add `serve` to the `copytrace` group."""
    group.add_command(serve)
