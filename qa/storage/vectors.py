"""FAISS vectors over the chunk store: exact while it is fast enough, HNSW beyond that.

The index is derived data: it is written next to the SQLite store under a name that carries the
store's generation, via a temporary file and an atomic rename, so a reader either finds the file
that matches the store or rebuilds it from the stored vectors.
"""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from qa.atomic import writing
from qa.settings import Settings



class VectorIndex:
    def __init__(self, index: faiss.Index, settings: Settings = Settings()):
        self.index = index
        self.ef_search = settings.hnsw_ef_search

    @property
    def kind(self) -> str:
        inner = faiss.downcast_index(self.index.index) if hasattr(self.index, "index") else self.index
        return "hnsw" if isinstance(inner, faiss.IndexHNSWFlat) else "exact"

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        """The passage ids it holds, ascending (a file whose ids differ from the store's is stale)."""
        id_map = getattr(self.index, "id_map", None)
        return np.sort(faiss.vector_to_array(id_map)) if id_map is not None else np.zeros(0, np.int64)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, kind: str = "auto",
              settings: Settings = Settings()) -> "VectorIndex":
        """Exact search while it is fast enough (settings.exact_limit, measured in docs/BENCHMARKS.md),
        an HNSW graph beyond that."""
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 384
        if kind == "auto":
            kind = "hnsw" if len(ids) > settings.exact_limit else "exact"
        if kind == "hnsw":
            inner = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = settings.hnsw_ef_construction
            inner.hnsw.efSearch = settings.hnsw_ef_search
        else:
            inner = faiss.IndexFlatIP(dim)
        index = faiss.IndexIDMap2(inner)
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        return cls(index, settings)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(id, cosine) of the k nearest passages, restricted to `allowed` ids before ranking."""
        if len(self) == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = None
        if allowed is not None:
            sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            inner = faiss.downcast_index(self.index.index)
            if isinstance(inner, faiss.IndexHNSWFlat):
                params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.ef_search, k))
            else:
                params = faiss.SearchParameters(sel=sel)
            k = min(k, len(allowed))
        k = min(k, len(self))
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def save(self, path: Path) -> None:
        with writing(path) as tmp:
            faiss.write_index(self.index, str(tmp))

    @classmethod
    def load(cls, path: Path, settings: Settings = Settings()) -> "VectorIndex":
        return cls(faiss.read_index(str(path)), settings)
