"""Tests for `copytrace.config`: defaults, TOML files and checked overrides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from copytrace.config import (
    AlignConfig,
    CandidateConfig,
    Config,
    load_config,
)
from copytrace.errors import ConfigError, CopytraceError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "copytrace.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_frozen_sections() -> None:
    config = Config()
    for f in dataclasses.fields(config):
        section = getattr(config, f.name)
        assert dataclasses.is_dataclass(section)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(section, dataclasses.fields(section)[0].name, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.read = config.read  # type: ignore[misc]


def test_defaults_are_consistent() -> None:
    config = Config()
    assert config.read.on_error in ("skip", "fail")
    assert config.align.model in ("static", "lexical")
    assert 0 < config.align.uncertain < config.align.accept <= 1
    assert 0 < config.candidates.minhash_threshold < 1
    assert -1 <= config.candidates.min_cosine <= 1
    assert 0 <= config.candidates.tfidf_weight <= 1
    assert config.candidates.shingle >= 1
    assert config.candidates.knn >= 1


def test_load_config_without_a_file_gives_the_defaults() -> None:
    assert load_config() == Config()
    assert load_config(None) == Config()


def test_load_config_overrides_only_what_the_file_says(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [candidates]
        knn = 20
        min_cosine = 1  # an integer for a float setting is fine

        [align]
        model = "lexical"
        rescore = false

        [classify]
        spin_coverage = 0.6
        """,
    )
    config = load_config(path)
    assert config.candidates == dataclasses.replace(CandidateConfig(), knn=20, min_cosine=1.0)
    assert isinstance(config.candidates.min_cosine, float)
    assert config.align == dataclasses.replace(AlignConfig(), model="lexical", rescore=False)
    assert config.classify.spin_coverage == 0.6
    assert config.read == Config().read
    assert config.stories == Config().stories


def test_load_config_accepts_a_string_path(tmp_path: Path) -> None:
    path = write(tmp_path, "[read]\non_error = 'fail'\n")
    assert load_config(str(path)).read.on_error == "fail"


def test_load_config_empty_file(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == Config()


def test_unknown_section_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[candidate]\nknn = 3\n")
    with pytest.raises(ConfigError, match=r"unknown config section \[candidate\]") as info:
        load_config(path)
    assert "candidates" in str(info.value)  # the known sections are listed


def test_top_level_setting_is_an_unknown_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[knn\]"):
        load_config(write(tmp_path, "knn = 3\n"))


def test_section_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match=r"\[candidates\] must be a table"):
        Config().with_values({"candidates": 3})  # type: ignore[dict-item]


def test_unknown_setting_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[candidates]\nneighbours = 3\n")
    with pytest.raises(ConfigError, match=r"unknown setting candidates\.neighbours") as info:
        load_config(path)
    assert "knn" in str(info.value)  # the known settings are listed


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[candidates]\nknn = "ten"\n', r"candidates\.knn must be a number"),
        ("[candidates]\nknn = true\n", r"candidates\.knn must be a number"),
        ("[candidates]\nmin_cosine = [0.5]\n", r"candidates\.min_cosine must be a number"),
        ("[align]\nrescore = 1\n", r"align\.rescore must be true or false"),
        ('[align]\nrescore = "yes"\n', r"align\.rescore must be true or false"),
        ("[align]\nmodel = 2\n", r"align\.model must be a string"),
    ],
)
def test_wrong_types_are_refused(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, toml))


def test_integer_setting_refuses_a_fraction() -> None:
    with pytest.raises(ConfigError, match=r"candidates\.knn"):
        Config().with_values({"candidates": {"knn": 2.5}})


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[candidates\nknn = \n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError, match="config file not found") as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, CopytraceError)


def test_with_values_returns_a_new_config() -> None:
    config = Config()
    changed = config.with_values({"candidates": {"knn": 4}, "clean": {"repeated_min_docs": 9}})
    assert changed.candidates.knn == 4
    assert changed.clean.repeated_min_docs == 9
    assert changed.candidates.num_perm == config.candidates.num_perm
    assert config == Config()  # unchanged
    assert config.with_values({}) == config


def test_with_values_converts_integers_for_float_settings() -> None:
    changed = Config().with_values({"classify": {"spin_coverage": 1}})
    assert changed.classify.spin_coverage == 1.0
    assert isinstance(changed.classify.spin_coverage, float)


def test_wording_only_keeps_every_other_setting() -> None:
    base = Config().with_values({"align": {"accept": 0.9}, "candidates": {"knn": 7}})
    lexical = base.wording_only()
    assert lexical.align.model == "lexical" and lexical.align.accept == 0.9
    assert lexical.candidates == base.candidates
