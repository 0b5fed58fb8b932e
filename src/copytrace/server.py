"""The web app: a small FastAPI app over a store, for `copytrace serve`.

Pages (`server_pages`) show the report's views of the stored stories and pairs and take texts to
query or add; the REST API (`server_api`) answers the same as the command line's `--json`. The app
holds no logic of its own: every answer comes from the store, the pipeline and the view builders.

How it shares the store and the models:

- Readers: a small pool of read-only `Store`s, each used by one thread at a time (SQLite
  connections must not be shared concurrently) and reopened after a commit so its settings and
  caches are never stale. Readers never wait for a writer (WAL).
- Writer: adds open the store for writing one at a time (a limiter of one), and close it after,
  so `copytrace add` can still write when the server is idle. If it is writing, an add gets 409.
- Models: loaded once, on first use by a query, an add or a compare (or at startup in the
  background with `preload`), never by a page. Neither model is safe to call from two threads:
  adds and compares take turns on MiniLM; queries use the static model only and run side by
  side, taking turns only for the milliseconds of encoding (`SharedModels`).
- Blocking work runs in worker threads, never on the event loop.

Example:
    >>> app = create_app("news.ct")  # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import anyio
import numpy as np
from fastapi import FastAPI

from copytrace import __version__
from copytrace.config import AlignConfig, Config
from copytrace.embeddings import Embedder
from copytrace.pipeline import Models
from copytrace.server_errors import BodyLimit, add_error_handlers
from copytrace.store import Store

__all__ = ["DEFAULT_MAX_BODY", "Service", "create_app"]

DEFAULT_MAX_BODY = 10 * 1024 * 1024  # bytes of a request body; uploads of big tables need more
T = TypeVar("T")


class _Serial:
    """An embedder that encodes one call at a time.

    model2vec sets its tokenizer's truncation on every call, so two threads encoding at once
    fail with "Already borrowed"; encoding a query takes milliseconds, so they take turns.
    """

    def __init__(self, embedder: Embedder, lock: threading.Lock) -> None:
        self._embedder = embedder
        self._lock = lock
        self.name = embedder.name
        self.dim = embedder.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit vector per text."""
        with self._lock:
            return self._embedder.encode(texts)


class SharedModels(Models):
    """Loaded models that threads share: the static embedder takes turns (see `_Serial`).

    MiniLM is handed out as it is: adds and compares, its only users, already take turns.
    """

    def __init__(self, loaded: Models) -> None:  # no super().__init__: `loaded` holds the state
        self.config = loaded.config
        self.semantic = loaded.semantic
        self._loaded = loaded
        self._serial = _Serial(loaded.static, threading.Lock())

    @property
    def static(self) -> Embedder:
        """The static embedder, one call at a time."""
        return self._serial

    @property
    def minilm(self) -> Embedder | None:
        """MiniLM, or None when re-scoring is off or unavailable."""
        return self._loaded.minilm


class ModelSet:
    """The models of one process by align settings, each loaded once, on first use."""

    def __init__(self, given: Iterable[Models] = ()) -> None:
        self._given = {m.config: m for m in given}
        self._shared: dict[AlignConfig, SharedModels] = {}
        self._lock = threading.Lock()

    def get(self, align: AlignConfig) -> Models:
        """Return the models for `align`, loading them now if they are not loaded yet."""
        with self._lock:  # two threads must never load the same model twice
            shared = self._shared.get(align)
            if shared is None:
                loaded = self._given.get(align) or Models(align)
                loaded.minilm  # noqa: B018 - load now, under the lock
                shared = self._shared[align] = SharedModels(loaded)
        return shared


class Readers:
    """A pool of read-only stores: one per concurrent reader thread, reopened after a commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[tuple[Store, int]] = []  # a reader and the data version it opened at
        self._lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Store]:
        """Lend a reader to the calling thread; it goes back to the pool afterwards."""
        with self._lock:
            idle = self._idle.pop() if self._idle else None
        if idle is not None and _data_version(idle[0]) != idle[1]:
            idle[0].close()  # someone committed: its meta, caches and index view are stale
            idle = None
        if idle is None:
            store = Store.open(self.path, readonly=True)
            idle = (store, _data_version(store))
        try:
            yield idle[0]
        finally:
            with self._lock:
                keep = not self._closed
                if keep:
                    self._idle.append(idle)
            if not keep:
                idle[0].close()

    def close(self) -> None:
        """Close every idle reader; readers in use close when they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for store, _ in idle:
            store.close()


def _data_version(store: Store) -> int:
    # Changes whenever another connection commits to the database.
    return int(store.conn.execute("PRAGMA data_version").fetchone()[0])


class Service:
    """What the routes share: the store's path, settings, models, readers and the writer's turn."""

    def __init__(self, db: Path, config: Config, models: ModelSet, threads: int) -> None:
        self.db = db
        self.config = config
        # Queries use the static model only, as `copytrace query` does: MiniLM is for adds.
        self.query_config = replace(config, align=replace(config.align, rescore=False))
        self.models = models
        self.readers = Readers(db)
        self._threads = threads
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self._minilm = threading.Lock()  # adds and compares take turns on MiniLM

    def _limiter(self, name: str) -> anyio.CapacityLimiter:
        # Made on first use, inside the event loop. Pages ("read") keep threads of their own, so
        # they stay quick while many queries ("work") wait their turn; one writer at a time.
        if name not in self._limiters:
            size = {"read": self._threads, "work": self._threads, "write": 1}[name]
            self._limiters[name] = anyio.CapacityLimiter(size)
        return self._limiters[name]

    async def read(self, fn: Callable[[Store], T]) -> T:
        """Return `fn(reader)`, run in a worker thread with a reader of the store."""
        return await anyio.to_thread.run_sync(self._with_reader, fn, limiter=self._limiter("read"))

    async def query(self, fn: Callable[[Store, Config, Models], T]) -> T:
        """Return `fn(reader, query_config, query_models)`, run in a worker thread."""

        def work(store: Store) -> T:
            return fn(store, self.query_config, self.models.get(self.query_config.align))

        return await anyio.to_thread.run_sync(
            self._with_reader, work, limiter=self._limiter("work")
        )

    async def compute(self, fn: Callable[[Config, Models], T]) -> T:
        """Return `fn(config, models)` (a compare), run in a worker thread, MiniLM's turn held."""

        def work() -> T:
            models = self.models.get(self.config.align)
            with self._minilm:
                return fn(self.config, models)

        return await anyio.to_thread.run_sync(work, limiter=self._limiter("work"))

    async def write(self, fn: Callable[[Store, Config, Models], T]) -> T:
        """Return `fn(writer, config, models)`, run in a worker thread; one writer at a time."""

        def work() -> T:
            models = self.models.get(self.config.align)
            with self._minilm, Store.open(self.db, create=True) as store:
                return fn(store, self.config, models)

        return await anyio.to_thread.run_sync(work, limiter=self._limiter("write"))

    def _with_reader(self, fn: Callable[[Store], T]) -> T:
        with self.readers.borrow() as store:
            return fn(store)

    def preload(self) -> None:
        """Load the query models in a background thread, so the first query does not wait."""
        threading.Thread(
            target=self.models.get, args=(self.query_config.align,), daemon=True
        ).start()


def create_app(
    db_path: str | os.PathLike[str],
    config: Config | None = None,
    models: Models | Iterable[Models] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    preload: bool = False,
) -> FastAPI:
    """Return the web app over the store at `db_path` (which must exist).

    Args:
        models: already loaded models to use (tests pass theirs); others load on first use.
        max_body: largest request body in bytes; a larger one gets 413.
        preload: load the query models in the background at startup.
    """
    from copytrace import server_api, server_pages

    db = Path(db_path)
    Store.open(db, readonly=True).close()  # fail now, with the store's message, not per request
    given = [models] if isinstance(models, Models) else list(models or ())
    service = Service(db, config or Config(), ModelSet(given), threads=max(2, os.cpu_count() or 1))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if preload:
            service.preload()
        yield
        service.readers.close()

    app = FastAPI(
        title="copytrace",
        version=__version__,
        summary="Where news texts came from: stories, copies, originals, with evidence.",
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.max_body = max_body
    app.include_router(server_api.router)
    app.include_router(server_pages.router)
    add_error_handlers(app)
    app.add_middleware(BodyLimit, max_body=max_body)
    return app
