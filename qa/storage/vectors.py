"""FAISS vectors over the chunk store: exact while it is fast enough, an inverted file (IVF) beyond that.

The index is derived data: it is written next to the SQLite store under a name that carries the
store's generation, via a temporary file and an atomic rename, so a reader either finds the file
that matches the store or rebuilds it from the stored vectors.

Why IVF and not HNSW: on 1,000,000 realistic (mixture) vectors an HNSW graph (M 32, efConstruction 80)
reached recall@10 0.65 and took 466 s to build; IVF-Flat with 2·√n lists reached 0.995 probing one list
in 16 and 1.000 probing one in 8, also under filters, and built in 89 s (docs/BENCHMARKS.md). Its lists
are memory-mapped when read, so opening a large index does not read the whole file first.
"""
from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

from qa.atomic import writing
from qa.settings import Settings
from qa.storage.filters import Allowed


class VectorIndex:
    def __init__(self, index: faiss.Index, settings: Settings = Settings()):
        self.index = index
        if isinstance(index, faiss.IndexIVF):  # from the settings, so a change needs no rebuild
            index.nprobe = max(1, index.nlist // settings.ivf_probe_one_in)
        self.filtered_exact_below = settings.filtered_exact_below
        self._rows: tuple[np.ndarray, np.ndarray] | None = None  # (ids in storage order, vectors), lazily

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self.index, faiss.IndexIVF) else "exact"

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        """The passage ids it holds, ascending (a file whose ids differ from the store's is stale)."""
        if isinstance(self.index, faiss.IndexIVF):
            lists = self.index.invlists
            parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                     for i in range(lists.nlist) if lists.list_size(i)]
            return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        id_map = getattr(self.index, "id_map", None)
        return np.sort(faiss.vector_to_array(id_map)) if id_map is not None else np.zeros(0, np.int64)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, kind: str = "auto",
              settings: Settings = Settings()) -> "VectorIndex":
        """Exact search while it is fast enough (settings.exact_limit, measured in docs/BENCHMARKS.md),
        IVF-Flat beyond that."""
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 384
        if kind == "auto":
            kind = "ivf" if len(ids) > settings.exact_limit else "exact"
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        if kind == "ivf" and len(ids):
            lists = max(1, min(len(ids) // 39, round(settings.ivf_lists_per_root * math.sqrt(len(ids)))))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)  # the same vectors give the same lists
            sample = min(len(ids), settings.ivf_train_per_list * lists)
            index.train(vectors[np.sort(rng.choice(len(ids), sample, replace=False))])
            index.add_with_ids(vectors, ids)
            return cls(index, settings)
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(ids):
            index.add_with_ids(vectors, ids)
        return cls(index, settings)

    def search(self, query: np.ndarray, k: int, allowed: Allowed | None = None) -> list[tuple[int, float]]:
        """(id, cosine) of the k nearest passages, restricted to the `allowed` ones before ranking."""
        if len(self) == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = None
        ivf = isinstance(self.index, faiss.IndexIVF)
        if allowed is not None and not ivf and len(allowed) <= self.filtered_exact_below:
            return self._exact_among(query, k, allowed.ids)
        if allowed is not None:
            sel = faiss.IDSelectorBitmap(len(allowed.bitmap), faiss.swig_ptr(allowed.bitmap))  # length in bytes
            if ivf:  # probe more lists as the filter leaves fewer passages in each: all of them is exact
                probe = min(self.index.nlist, math.ceil(self.index.nprobe * len(self) / len(allowed)))
                params = faiss.SearchParametersIVF(sel=sel, nprobe=probe)
            else:
                params = faiss.SearchParameters(sel=sel)
            k = min(k, len(allowed))
        k = min(k, len(self))
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def _exact_among(self, query: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        """Exact inner products over the allowed vectors only: a few thousand products are cheaper than
        handing FAISS a selector."""
        ids, vecs = self._storage()
        rows = np.searchsorted(ids, allowed)
        rows = rows[(rows < len(ids)) & (ids[np.minimum(rows, len(ids) - 1)] == allowed)]
        if not len(rows):
            return []
        scores = vecs[rows] @ np.asarray(query, dtype=np.float32).reshape(-1)
        top = np.argsort(-scores)[: min(k, len(rows))]
        return [(int(ids[rows[j]]), float(scores[j])) for j in top]

    def _storage(self) -> tuple[np.ndarray, np.ndarray]:
        """The ids (sorted) and a no-copy view of the stored float vectors, in the same order."""
        if self._rows is None:
            flat = faiss.downcast_index(self.index.index)
            n, d = int(flat.ntotal), int(flat.d)
            vecs = faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d) if n else np.zeros((0, d), np.float32)
            ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
            order = np.argsort(ids, kind="stable")
            if np.all(order == np.arange(len(ids))):
                self._rows = (ids, vecs)
            else:  # added out of order: keep a sorted copy
                self._rows = (ids[order], vecs[order])
        return self._rows

    def save(self, path: Path) -> None:
        with writing(path) as tmp:
            faiss.write_index(self.index, str(tmp))

    @classmethod
    def load(cls, path: Path, settings: Settings = Settings()) -> "VectorIndex":
        """Read a saved index; an inverted file's lists stay memory-mapped (pages are read as searched)."""
        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY), settings)
