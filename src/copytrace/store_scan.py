"""Scans through a store: `scan --db`, and scans too large to hold in memory.

An in-memory scan (`pipeline.scan_documents`) holds every document's sentences, vectors and
fingerprints at once, which grows past a laptop's memory at around 100,000 news articles. Above
`ScanConfig.in_memory_max` documents, a scan adds its input to a store in batches of
`ScanConfig.batch_size` instead, as `copytrace add` does: each batch is compared with itself and
with everything stored, and memory holds a batch at a time. The store is a temporary one unless
the user names one (`scan --db`). The result is read back from the store in the scan's format.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

from copytrace.config import Config
from copytrace.errors import InputError
from copytrace.pipeline import Models
from copytrace.records import Document, Problem, ScanResult
from copytrace.store import Store
from copytrace.store_report import store_result
from copytrace.store_schema import DiskFull, StoreError
from copytrace.terminal import plural


def head_of(docs: Iterable[Document], limit: int) -> tuple[list[Document], Iterator[Document]]:
    """Return the first `limit + 1` documents (more than `limit` means: too many to hold) and an
    iterator over all of them, those first ones included (it lets go of each as it yields it)."""
    stream = iter(docs)
    head = list(islice(stream, limit + 1))
    return head, _replay(head, stream)


def _replay(head: list[Document], stream: Iterator[Document]) -> Iterator[Document]:
    pending = head[::-1]
    del head  # once the caller drops its list too, each document goes when it has been added
    while pending:
        yield pending.pop()
    yield from stream


def scan_into(
    store: Store,
    docs: Iterable[Document],
    config: Config,
    models: Models,
    problems: list[Problem],
    workers: int | None = None,
    on_batch: Callable[[str], None] | None = None,
) -> ScanResult:
    """Add `docs` to `store` and return their stories as a scan result.

    Up to `ScanConfig.in_memory_max` documents are added as one batch (each compared with all the
    others, as a scan compares them); more in batches of `ScanConfig.batch_size`. The result holds
    the stories of the given documents, with all their members (a store may hold earlier ones).
    """
    head, stream = head_of(docs, config.scan.in_memory_max)
    if not head:
        raise InputError("no readable documents in the given inputs")
    size = len(head) if len(head) <= config.scan.in_memory_max else config.scan.batch_size
    del head  # the stream holds them until they are added
    given: list[str] = []

    def noted(documents: Iterable[Document]) -> Iterator[Document]:
        for doc in documents:
            given.append(doc.id)
            yield doc

    rep = store.add(noted(stream), config, models, size, problems, workers, on_batch)
    keys = store.keys(chain(given, rep.ids)).values()
    stories = sorted({s for s in map(store.story_of, keys) if s is not None})
    return store_result(store, stories)


@contextlib.contextmanager
def temporary_store(
    config: Config, on_batch: Callable[[str], None] | None = None
) -> Iterator[Store]:
    """Open a store in the system's temporary directory (`TMPDIR`) for a scan in batches
    (`scan_into`); it is removed afterwards. A full disk under it is reported with the way out."""
    with tempfile.TemporaryDirectory(prefix="copytrace-scan-") as folder:
        if on_batch is not None:
            on_batch(
                f"more than {plural(config.scan.in_memory_max, 'document')}: scanning in "
                f"batches of {config.scan.batch_size:,} through a temporary store in {folder}"
            )
        try:
            with Store.open(Path(folder) / "scan.ct", create=True) as store:
                yield store
        except DiskFull as exc:
            raise StoreError(
                f"{exc.what}. That was the scan's temporary store: set TMPDIR to a folder with "
                "more room (it takes about 1.5 GB per 100,000 articles), or keep the store "
                "elsewhere with --db FILE"
            ) from None
