"""Filtered vector search: a small filter is searched exactly among the allowed vectors."""
from __future__ import annotations

import numpy as np
import pytest

from qa.settings import Settings
from qa.storage.vectors import VectorIndex


@pytest.mark.parametrize("kind", ["exact", "hnsw"])
@pytest.mark.parametrize("exact_below", [0, 20_000])
def test_filtered_search_returns_the_true_nearest_allowed(kind, exact_below):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(3000, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(10, 3010, dtype=np.int64)
    index = VectorIndex.build(ids, vecs, kind=kind, settings=Settings(filtered_exact_below=exact_below))
    allowed = ids[::7]
    q = vecs[100]
    truth = allowed[np.argsort(-(vecs[allowed - 10] @ q))[:5]]
    assert [i for i, _ in index.search(q, 5, allowed)] == list(truth)
    assert index.search(q, 5, np.array([], dtype=np.int64)) == []
    assert [i for i, _ in index.search(q, 5, np.array([99_999, 12]))] == [12]  # unknown ids are ignored
