"""The naive reference: fixed 800-character windows embedded with the same model, dense search only.

It exists to show, in the same evaluation run, what the agenda-item chunking and hybrid ranking buy.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.ingest.indexer import corpus_files, display_path
from qa.ingest.loaders import load_file
from qa.embed.model import Embedder
from qa.ask.query import parse_query
from qa.types import Answer, Chunk, Hit

WINDOW = 800


class WindowBaseline:
    def __init__(self, corpus: Path, embedder: Embedder, window: int = WINDOW):
        self.embedder = embedder
        self.chunks: list[Chunk] = []
        for path in corpus_files(corpus):
            loaded = load_file(path)
            if loaded.text is None:
                continue
            text = loaded.text
            for start in range(0, len(text), window):
                piece = text[start: start + window]
                if piece.strip():
                    self.chunks.append(Chunk(f"w{len(self.chunks)}", display_path(path), piece, start,
                                             start + len(piece), source=display_path(path)))
        self.vectors = embedder.encode_passages([c.text for c in self.chunks])

    def search(self, question: str, k: int = 10) -> Answer:
        q = self.embedder.encode_queries([question])[0]
        scores = self.vectors @ q
        order = np.argsort(-scores)[:k]
        hits = [Hit(self.chunks[i], float(scores[i]), rank=n + 1) for n, i in enumerate(order)]
        return Answer(parse_query(question), hits, abstain=False, searched_for=question)


class WindowBM25(WindowBaseline):
    """The same fixed windows ranked by BM25 over Danish stems (k1 1.2, b 0.75): the lexical peer."""

    def __init__(self, corpus: Path, embedder: Embedder, window: int = WINDOW):
        from collections import Counter

        from qa.danish.text import terms

        self.embedder = embedder
        self.chunks = []
        for path in corpus_files(corpus):
            loaded = load_file(path)
            if loaded.text is None:
                continue
            for start in range(0, len(loaded.text), window):
                piece = loaded.text[start: start + window]
                if piece.strip():
                    self.chunks.append(Chunk(f"w{len(self.chunks)}", display_path(path), piece, start,
                                             start + len(piece), source=display_path(path)))
        self.tf = [Counter(terms(c.text)) for c in self.chunks]
        self.lengths = np.array([sum(t.values()) for t in self.tf], dtype=float)
        df = Counter(t for tf in self.tf for t in tf)
        n = len(self.chunks)
        self.idf = {t: float(np.log(1 + (n - d + 0.5) / (d + 0.5))) for t, d in df.items()}
        self._terms = terms

    def search(self, question: str, k: int = 10) -> Answer:
        k1, b = 1.2, 0.75
        avg = self.lengths.mean() if len(self.lengths) else 1.0
        scores = np.zeros(len(self.chunks))
        for t in set(self._terms(question)):
            if t not in self.idf:
                continue
            f = np.array([tf.get(t, 0) for tf in self.tf], dtype=float)
            scores += self.idf[t] * f * (k1 + 1) / (f + k1 * (1 - b + b * self.lengths / avg))
        order = np.argsort(-scores)[:k]
        hits = [Hit(self.chunks[i], float(scores[i]), rank=n + 1) for n, i in enumerate(order)]
        return Answer(parse_query(question), hits, abstain=False, searched_for=question)
