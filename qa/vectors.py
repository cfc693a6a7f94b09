"""FAISS vectors over the chunk store: exact while it is fast enough, HNSW beyond that.

The index is derived data: it is written next to the SQLite store under a name that carries the
store's generation, via a temporary file and an atomic rename, so a reader either finds the file
that matches the store or rebuilds it from the stored vectors.
"""
from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

# Exact inner-product search stays under the latency target up to about this many vectors on two
# cores (measured in docs/BENCHMARKS.md); above it an HNSW graph is used.
EXACT_LIMIT = 200_000
HNSW_M = 32
HNSW_EF_SEARCH = 256  # recall@10 0.37 -> 0.55 on 1,000,000 synthetic vectors for < 1 ms (BENCHMARKS.md)


class VectorIndex:
    def __init__(self, index: faiss.Index):
        self.index = index

    @property
    def kind(self) -> str:
        inner = faiss.downcast_index(self.index.index) if hasattr(self.index, "index") else self.index
        return "hnsw" if isinstance(inner, faiss.IndexHNSWFlat) else "exact"

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, kind: str = "auto") -> "VectorIndex":
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 384
        if kind == "auto":
            kind = "hnsw" if len(ids) > EXACT_LIMIT else "exact"
        if kind == "hnsw":
            inner = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = 80
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            inner = faiss.IndexFlatIP(dim)
        index = faiss.IndexIDMap2(inner)
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(id, cosine) of the k nearest passages, restricted to `allowed` ids before ranking."""
        if len(self) == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = None
        if allowed is not None:
            sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            inner = faiss.downcast_index(self.index.index)
            if isinstance(inner, faiss.IndexHNSWFlat):
                params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, k))
            else:
                params = faiss.SearchParameters(sel=sel)
            k = min(k, len(allowed))
        k = min(k, len(self))
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        return cls(faiss.read_index(str(path)))
