"""Vector search, exact and IVF: filtered search returns the true nearest allowed passages."""
from __future__ import annotations

import numpy as np
import pytest

from qa.settings import Settings
from qa.storage.filters import Allowed
from qa.storage.vectors import VectorIndex


def _vectors(n: int = 3000, dim: int = 16):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(n, dim)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True), np.arange(10, n + 10, dtype=np.int64)


@pytest.mark.parametrize("kind", ["exact", "ivf"])
@pytest.mark.parametrize("exact_below", [0, 20_000])
@pytest.mark.parametrize("step", [2, 7, 400])
def test_filtered_search_returns_the_true_nearest_allowed(kind, exact_below, step):
    vecs, ids = _vectors()
    index = VectorIndex.build(ids, vecs, kind=kind, settings=Settings(filtered_exact_below=exact_below))
    assert index.kind == kind
    allowed = ids[::step]
    q = vecs[100]
    truth = allowed[np.argsort(-(vecs[allowed - 10] @ q))[:5]]
    assert [i for i, _ in index.search(q, 5, Allowed.of(allowed))] == list(truth)
    assert index.search(q, 5, Allowed.of([])) == []
    assert [i for i, _ in index.search(q, 5, Allowed.of([99_999, 12]))] == [12]  # unknown ids are ignored


def test_ivf_finds_nearly_all_true_neighbours_and_reads_back_what_it_wrote(tmp_path):
    """On clustered vectors (as passages of recurring agenda items are): at least 0.95 of the exact top 10."""
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(200, 32)).astype(np.float32)
    vecs = centres[rng.integers(0, 200, 20_000)] + 0.5 * rng.normal(size=(20_000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(1, 20_001, dtype=np.int64)
    index, exact = VectorIndex.build(ids, vecs, kind="ivf"), VectorIndex.build(ids, vecs, kind="exact")
    queries = vecs[:50] + 0.2 * rng.normal(size=(50, 32)).astype(np.float32)
    found = sum(len({i for i, _ in index.search(q, 10)} & {i for i, _ in exact.search(q, 10)}) for q in queries)
    assert found / 500 >= 0.95
    index.save(tmp_path / "v.faiss")
    again = VectorIndex.load(tmp_path / "v.faiss")
    assert again.kind == "ivf" and np.array_equal(again.ids(), ids)
    assert again.search(queries[0], 10) == index.search(queries[0], 10)
