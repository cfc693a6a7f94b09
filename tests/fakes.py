"""Stand-ins for the heavy parts: storage, fault and worker tests need vectors, not a model."""
from __future__ import annotations

import hashlib

import numpy as np


class FakeEmbedder:
    """Deterministic vectors from hashed character trigrams: storage and fault tests need no model."""

    model_id = "fake-trigram-64"
    dim = 64

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        t = text.lower()
        for i in range(max(1, len(t) - 2)):
            v[int.from_bytes(hashlib.blake2b(t[i:i + 3].encode(), digest_size=2).digest(), "little") % self.dim] += 1
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def encode_queries(self, texts):
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_passages(self, texts, progress=None):
        out = self.encode_queries(texts)
        if progress:
            progress(len(texts))
        return out
