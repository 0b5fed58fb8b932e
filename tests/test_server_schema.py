"""The REST API against its own OpenAPI schema (schemathesis): generated requests, valid and not,
never get a 5xx, and every answer matches the schema. Bounded and derandomised for CI."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from copytrace.pipeline import Models
from copytrace.server import create_app
from serving import empty_store, seed_store


def _openapi() -> dict[str, Any]:
    """The app's schema, from an app over an empty store (the schema does not depend on it)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(empty_store(Path(folder) / "schema.ct"))
        return app.openapi()


# Loaded when the module is collected, from the app's own schema: schemathesis' fixture-based
# loader does not work with this pytest, and requests go to the fixture's app anyway.
schema = schemathesis.openapi.from_dict(_openapi())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seeds: Path, models: Models) -> Iterator[Any]:
    """The app over a store of the seeds."""
    db = seed_store(tmp_path_factory.mktemp("schema") / "news.ct", seeds, models)
    app = create_app(db, models=models)  # the default body limit: bodies over it get 413, which
    # schemathesis does not count as rejecting a too long list (test_server.py checks 413)
    yield app
    app.state.service.readers.close()


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI must not fail by chance
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case: Any, app: Any) -> None:
    # Every check but one: a schema cannot say "a text with at least one sentence" or "ids
    # unique within the request", so some schema-valid bodies rightly get 422 (test_server.py
    # checks those answers).
    case.call_and_validate(app=app, excluded_checks=[schemathesis.checks.positive_data_acceptance])
