"""Passages embedded on every core: the parent's session and worker processes, one ONNX thread each.

One session with two intra-op threads gained only 1.2x over one thread on two cores (its threads meet
after every operator); separate processes share nothing and meet once per text. A build therefore
encodes in its own session and in `processes` spawned workers (spawned: they share no state with a
parent that may hold locks or an open store), each taking the next batch when it is free.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

_encoder = None  # the worker's own TokenEncoder


def _start(model_dir: str, graph: str) -> None:
    global _encoder
    from qa.embed.onnx_backend import TokenEncoder

    _encoder = TokenEncoder(Path(model_dir), Path(graph), threads=1)


def means(tokens: Callable, texts: list[str]) -> np.ndarray:
    """Mean-pooled token embeddings (unnormalised) of already-prefixed texts, as sentence-transformers pools."""
    return np.vstack([tok.mean(0) for tok, _, _ in tokens(texts)])


def late(tokens: Callable, texts: list[str], spans: list[list[tuple[int, int]]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per text: its mean vector and the mean over each character span (late chunking), unnormalised."""
    from qa.embed.onnx_backend import span_means

    return [(tok.mean(0), span_means(tok, offsets, special, sp))
            for (tok, offsets, special), sp in zip(tokens(texts), spans)]


def _means(texts: list[str]) -> np.ndarray:
    return means(_encoder.tokens, texts)


def _late(texts: list[str], spans: list[list[tuple[int, int]]]) -> list[tuple[np.ndarray, np.ndarray]]:
    return late(_encoder.tokens, texts, spans)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class EncoderPool:
    """The parent's own session plus `processes` worker processes, each taking the next batch when free.

    The workers are spawned at once, so their imports and session load overlap the parent's start."""

    def __init__(self, model_dir: Path, graph: Path, processes: int):
        self._pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start, initargs=(str(model_dir), str(graph)))
        self.processes = processes
        for _ in range(processes):
            self._pool.submit(int)  # start every worker now

    def means(self, here: Callable[[list[str]], np.ndarray], batches: list[list[str]]) -> list[np.ndarray]:
        return self._run(here, _means, [(b,) for b in batches])

    def late(self, here: Callable, batches: list[tuple[list[str], list[list[tuple[int, int]]]]]) -> list:
        return self._run(here, _late, batches)

    def _run(self, here: Callable, remote: Callable, work: list[tuple]) -> list:
        """Results in order; each lane (this thread, one thread per worker) takes the next batch when free."""
        results: list = [None] * len(work)
        todo = iter(range(len(work)))
        lock = threading.Lock()

        def lane(call: Callable | None) -> None:
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                if call is None:
                    results[i] = here(*work[i])
                    continue
                try:
                    results[i] = self._pool.submit(call, *work[i]).result()
                except Exception:  # noqa: BLE001 - a worker that died: this batch and the rest stay here
                    results[i] = here(*work[i])
                    return

        remotes = [threading.Thread(target=lane, args=(remote,)) for _ in range(self.processes)]
        for t in remotes:
            t.start()
        try:
            lane(None)
        finally:
            for t in remotes:
                t.join()
        return results

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
