"""Relating a large batch on several cores: the static first look of `pipeline.relate`, and the
conflicts of what it relates, on slices of the candidates in worker processes that live as long
as one `add`; the MiniLM second look in the calling process.

Alignment, classification and conflict checks are pure Python, one pair at a time, so a second
core halves their time. The second look takes the queue of every slice, ranked as one `relate`
call ranks it, and spends one budget of MiniLM sentences on it, so a batch gets exactly the
relations one `relate` call gives; and workers never load torch or MiniLM (about 1 GB each).
Small batches stay in the calling process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from copytrace.config import Config
from copytrace.pipeline import Models, first_look, relate, second_looks, with_conflicts
from copytrace.records import Candidate, Encoded, Relation

MIN_PAIRS_PER_WORKER = 500  # below this, starting and feeding a worker costs more than it saves


def _ready() -> bool:
    return True


def _first_looks(
    candidates: Sequence[Candidate], encoded: dict[str, Encoded], config: Config
) -> list[tuple[Relation | None, float | None]]:
    """Return each pair's first-look relation (with its conflicts) and second-look priority."""
    out: list[tuple[Relation | None, float | None]] = []
    for cand in candidates:
        rel, priority = first_look(cand, encoded[cand.a], encoded[cand.b], config)
        if rel is not None:
            rel = with_conflicts(rel, encoded[rel.derived], encoded[rel.source], config)
        out.append((rel, priority))
    return out


class Workers:
    """A pool of worker processes that relate slices of a batch's candidates (first looks)."""

    def __init__(self, count: int | None = None, min_pairs: int = MIN_PAIRS_PER_WORKER) -> None:
        self.count = count if count is not None else (os.cpu_count() or 1)
        self.min_pairs = min_pairs
        self._pool: ProcessPoolExecutor | None = None

    def start(self, config: Config) -> None:
        """Start the workers in the background (idempotent); `config` is not needed yet."""
        if self._pool is None and self.count > 1:
            import multiprocessing

            # spawn, not fork: the parent may hold a thread pool (tokenizers, torch) that a forked
            # child would inherit broken
            self._pool = ProcessPoolExecutor(self.count, multiprocessing.get_context("spawn"))
            for _ in range(self.count):  # a task each, so every worker starts now
                self._pool.submit(_ready)

    def relate(
        self,
        candidates: Sequence[Candidate],
        encoded: dict[str, Encoded],
        models: Models,
        config: Config,
    ) -> list[Relation]:
        """Return what `pipeline.relate(candidates, ...)` returns, first looks on every core."""
        n = min(self.count, len(candidates) // self.min_pairs)
        if n <= 1:
            return relate(candidates, encoded, models, config)
        self.start(config)
        assert self._pool is not None
        futures = []
        for k in range(n):
            part = list(candidates[k::n])  # interleaved: every slice gets pairs of every kind
            needed = {x for c in part for x in (c.a, c.b)}
            futures.append(
                self._pool.submit(_first_looks, part, {i: encoded[i] for i in needed}, config)
            )
        found: list[Relation | None] = [None] * len(candidates)
        second: list[tuple[float, int]] = []
        for k, future in enumerate(futures):
            for offset, (rel, priority) in enumerate(future.result()):
                index = k + offset * n  # back to the candidate's place in the batch
                found[index] = rel
                if priority is not None:
                    second.append((priority, index))
        pairs = [(encoded[c.a], encoded[c.b]) for c in candidates]
        for index in second_looks(candidates, pairs, found, second, models, config):
            rel = found[index]
            if rel is not None:
                found[index] = with_conflicts(
                    rel, encoded[rel.derived], encoded[rel.source], config
                )
        return [rel for rel in found if rel is not None]

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
