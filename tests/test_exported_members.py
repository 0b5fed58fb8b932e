"""The public API: `copytrace.__all__` is sorted, complete, and names what exists."""

from __future__ import annotations

import types

import copytrace


def test_all_is_sorted() -> None:
    assert copytrace.__all__ == sorted(copytrace.__all__)


def test_all_names_exist() -> None:
    missing = [name for name in copytrace.__all__ if not hasattr(copytrace, name)]
    assert missing == []


def test_every_public_member_is_exported() -> None:
    public = {
        name
        for name, value in vars(copytrace).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(copytrace.__all__) - {"__version__"}


def test_version_is_a_string() -> None:
    assert isinstance(copytrace.__version__, str)
    assert copytrace.__version__.count(".") == 2
