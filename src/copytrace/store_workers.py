"""Relating a large batch on several cores: the pipeline's `relate` on slices of the candidates,
in worker processes that live as long as one `add`.

Alignment and classification are pure Python, one pair at a time, so a second core halves the
time of a big batch. Each worker loads its own models (on first use: the static model, and MiniLM
for the second look), and the second-look budget is shared out so a batch spends what one `relate`
call would. Small batches stay in the calling process, so results on small inputs are exactly
those of a scan.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from copytrace.config import AlignConfig, Config
from copytrace.pipeline import Models, relate
from copytrace.records import Candidate, Encoded, Relation

MIN_PAIRS_PER_WORKER = 500  # below this, starting and feeding a worker costs more than it saves

_models: dict[Any, Models] = {}  # a worker's models, by align config


def _init_worker(config: AlignConfig) -> None:
    """Load a worker's models as it starts, while the parent still prepares its first batch."""
    # each worker is one core's worth of work: MiniLM must not spread over the others
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    _worker_models(config)


def _worker_models(config: AlignConfig) -> Models:
    # the budget of a slice differs from the batch's; the models do not
    key = replace(config, max_rescore=0)
    models = _models.get(key)
    if models is None:
        models = _models[key] = Models(config)
        models.static  # noqa: B018 - load now
        if models.minilm is not None:
            import torch

            torch.set_num_threads(1)
            models.minilm.encode(["warm up"])
    return models


def _ready() -> bool:
    return True


def _relate_slice(
    candidates: Sequence[Candidate], encoded: dict[str, Encoded], config: Config
) -> list[Relation]:
    return relate(candidates, encoded, _worker_models(config.align), config)


class Workers:
    """A pool of worker processes that run `relate` on slices of a batch's candidates."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count if count is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def start(self, config: Config) -> None:
        """Start the workers and load their models in the background (idempotent)."""
        if self._pool is None and self.count > 1:
            # spawn, not fork: the parent may hold a thread pool (tokenizers, torch) that a forked
            # child would inherit broken
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.count, context, initializer=_init_worker, initargs=(config.align,)
            )
            for _ in range(self.count):  # a task each, so every worker starts now
                self._pool.submit(_ready)

    def relate(
        self,
        candidates: Sequence[Candidate],
        encoded: dict[str, Encoded],
        models: Models,
        config: Config,
    ) -> list[Relation]:
        """Return `pipeline.relate(candidates, ...)`, computed on every core when it is large."""
        n = min(self.count, len(candidates) // MIN_PAIRS_PER_WORKER)
        if n <= 1:
            return relate(candidates, encoded, models, config)
        self.start(config)
        assert self._pool is not None
        budget = replace(config.align, max_rescore=config.align.max_rescore // n)
        sliced = replace(config, align=budget)
        futures = []
        for k in range(n):
            part = list(candidates[k::n])  # interleaved: every slice gets pairs of every kind
            needed = {x for c in part for x in (c.a, c.b)}
            futures.append(
                self._pool.submit(_relate_slice, part, {i: encoded[i] for i in needed}, sliced)
            )
        # back in candidate order, as one `relate` call returns them (stories break ties by order)
        order = {frozenset((c.a, c.b)): k for k, c in enumerate(candidates)}
        found = [rel for future in futures for rel in future.result()]
        return sorted(found, key=lambda r: order[frozenset((r.derived, r.source))])

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
