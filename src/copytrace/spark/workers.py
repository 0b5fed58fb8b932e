"""What runs inside Spark's Python workers: models loaded once per worker, and batch helpers.

A Python worker serves many tasks in turn (`spark.python.worker.reuse`, on by default), so a model
kept in a module-level cache is loaded once per worker, not once per task or batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from copytrace.embeddings import (
    STATIC_NAME,
    Embedder,
    HashEmbedder,
    MiniLM,
    StaticEmbedder,
    load_static,
)

_CACHE: dict[Any, Any] = {}
_BUILT: dict[Any, Any] = {}  # per-broadcast structures; dropped when a new run's arrive


def shipped(name: str) -> Path | None:
    """Return the folder `name` shipped to this worker with `SparkContext.addFile`, if any."""
    try:
        from pyspark import SparkFiles

        path = Path(SparkFiles.get(name))
    except Exception:  # outside a Spark worker (tests calling worker code directly)
        return None
    return path if path.exists() else None


def static_embedder(semantic: bool) -> Embedder:
    """Return this worker's sentence embedder: the static model, or the hash fallback.

    The model comes from the copy the driver shipped (`addFile`), else from the local cache
    (`embeddings.load_static`), so a local run and a cluster load the very same files.
    """
    key = ("static", semantic)
    if key not in _CACHE:
        if not semantic:
            _CACHE[key] = HashEmbedder()
        else:
            folder = shipped(STATIC_NAME)
            has_model = folder is not None and (folder / "model.safetensors").exists()
            _CACHE[key] = StaticEmbedder(folder) if has_model and folder else load_static()
    return _CACHE[key]


def minilm() -> MiniLM:
    """Return this worker's MiniLM (loaded on first encode)."""
    if "minilm" not in _CACHE:
        _CACHE["minilm"] = MiniLM()
    return _CACHE["minilm"]


def cached(key: Any, make: Callable[[], Any]) -> Any:
    """Return `make()` computed once per worker under `key` (e.g. an index over a broadcast)."""
    if key not in _BUILT:
        _BUILT.clear()
        _BUILT[key] = make()
    return _BUILT[key]


def rows_of(batches: Iterable[pa.RecordBatch]) -> Iterator[dict[str, Any]]:
    """Yield the rows of Arrow batches as dicts."""
    for b in batches:
        yield from b.to_pylist()


def chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Yield lists of at most `size` rows."""
    out: list[dict[str, Any]] = []
    for row in rows:
        out.append(row)
        if len(out) >= size:
            yield out
            out = []
    if out:
        yield out
