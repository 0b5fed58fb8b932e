"""Shared fixtures: the bundled seeds, the models loaded once, and one scan of the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from copytrace.config import Config
from copytrace.pipeline import Models, scan
from copytrace.records import ScanResult

SEEDS = Path(__file__).parent.parent / "examples" / "seeds"


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
