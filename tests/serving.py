"""Helpers for the web app's tests: a store of the seeds, the app in process, a real server.

`Api` drives `httpx.AsyncClient` over `httpx.ASGITransport` (the app in process, no socket) from
plain test functions, on one event loop of its own. `Server` runs the app under uvicorn on a free
loopback port in a thread, for the browser.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from copytrace.config import Config, ReadConfig
from copytrace.ingest import iter_documents
from copytrace.pipeline import Models
from copytrace.store import Store

ORIGINAL, SPIN, SAME_STORY, CONDENSED, CONFLICTING = (
    "001_f57957876d2b9527",
    "000_500a8c1d4f6eb8df",
    "002_f1e0e05efdc12240",
    "003_5f2bf27763bf766a",
    "004_f754e1f7e53ae2b4",
)


def seed_store(path: Path, seeds: Path, models: Models) -> Path:
    """Make a store of the five seed articles at `path` and return it."""
    with Store.open(path, create=True) as store:
        store.add(list(iter_documents([seeds], ReadConfig(), [])), Config(), models, workers=1)
    return path


def empty_store(path: Path) -> Path:
    """Make an empty store at `path` and return it."""
    Store.open(path, create=True).close()
    return path


class Api:
    """The app in process: `httpx.AsyncClient` over `ASGITransport`, called from sync tests."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and return its response."""
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def gather(self, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
        """Send requests concurrently and return their responses in order."""

        async def all_of() -> list[httpx.Response]:
            calls = [self.client.request(m, u, **kw) for m, u, kw in requests]
            return list(await asyncio.gather(*calls))

        return self.loop.run_until_complete(all_of())

    def close(self) -> None:
        """Close the client, the loop and the app's readers."""
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
        self.app.state.service.readers.close()


def free_port() -> int:
    """Return a TCP port free on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The app under uvicorn on a free loopback port, in a thread; a context manager."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the test server did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
