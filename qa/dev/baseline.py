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
