"""Shared fixtures: the bundled seeds, the models loaded once, one scan of the seeds, and the
shared eval data beside the repo (tests that need it are skipped when it is absent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from copytrace.config import Config
from copytrace.embeddings import StaticEmbedder, load_static
from copytrace.pipeline import Models, scan
from copytrace.records import ScanResult

SEEDS = Path(__file__).parent.parent / "examples" / "seeds"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"  # ../shared beside the repo


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The five bundled seed articles (DESIGN.md, the reference case)."""
    return SEEDS


@pytest.fixture(scope="session")
def models() -> Models:
    """The embedders, loaded once for the whole session."""
    return Models(Config().align)


@pytest.fixture(scope="session")
def seed_scan(seeds: Path, models: Models) -> ScanResult:
    """One scan of the seeds, shared by every test that reads it."""
    return scan([seeds], Config(), models)


@pytest.fixture(scope="session")
def shared() -> Callable[..., Path]:
    """Return a function giving a path under ../shared that skips the test when it is absent."""

    def path(*parts: str) -> Path:
        found = SHARED.joinpath(*parts)
        if not found.exists():
            pytest.skip(f"{found} is not here (the shared eval data sits beside the repo)")
        return found

    return path


@pytest.fixture(scope="session")
def static_embedder() -> StaticEmbedder:
    """The distilled static sentence model, loaded once (distilled first if it is not cached)."""
    return load_static()


@pytest.fixture(scope="session")
def unit_rows() -> Callable[..., np.ndarray]:
    """Return a function giving `n` random unit float32 rows of `dim`, fixed by `seed`."""

    def rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
        found = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
        return found / np.linalg.norm(found, axis=1, keepdims=True)

    return rows
