"""A top-k lexical engine (tantivy) next to the SQLite store: BM25 over the same Danish stems as FTS5.

Why: FTS5's OR query scores every passage holding any question term, so its cost grows with the
corpus (p50 ≈ 50 ms at 100,000 passages, worse at 1,000,000); tantivy's block-max WAND skips the
postings that cannot reach the top k (≈ 1 ms at 100,000; docs/BENCHMARKS.md, lexical engines).

Like the FAISS file it is derived data: built from the store's stored stems under a name that carries
the store's generation (`lexical-<generation>/`), via a temporary folder and an atomic rename, so a
reader finds the folder that matches the store or falls back to FTS5, which is always in step. The
analysis is ours (qa/danish/text.py: Snowball Danish stems and stop words), handed over as
whitespace-separated terms, so index and question are analysed the same way for either engine.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

import numpy as np

from qa.storage.filters import Allowed

TOKENIZER = "stems"  # whitespace: the text is already our stems
WRITER_HEAP = 200_000_000
# A filtered question first takes the unfiltered top k + 2k / (allowed share) and keeps the allowed ones:
# exact whenever k of them are found. At 100,000 passages (load 10) a filter allowing 49 % took
# p50 1.0 ms this way against 253 ms as an id set; one allowing 3.4 % needs 3,600 candidates and took
# 79 ms against 37 ms as an id set. So beyond this many candidates the id set is used.
OVERFETCH_MAX = 1_000


def _schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("terms", stored=False, tokenizer_name=TOKENIZER, index_option="freq")
    return sb.build()


def _register(index) -> None:
    import tantivy

    index.register_tokenizer(TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())


def available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def build(target: Path, rows: Iterable[tuple[int, str]]) -> Path:
    """Write the engine's folder for (passage id, stems) rows at `target`, atomically."""
    import tantivy

    target = Path(target)
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        index = tantivy.Index(_schema(), path=str(tmp))
        _register(index)
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        for rowid, text in rows:
            doc = tantivy.Document()
            doc.add_unsigned("id", int(rowid))
            doc.add_text("terms", text)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class Lexical:
    """BM25 top k (k1 1.2, b 0.75) over one built folder; every method takes stemmed terms."""

    def __init__(self, path: Path):
        import tantivy

        self._t = tantivy
        self.index = tantivy.Index.open(str(path))
        _register(self.index)
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def __len__(self) -> int:
        return int(self.searcher.num_docs)

    def _any_of(self, terms: list[str]):
        T = self._t
        return T.Query.boolean_query([(T.Occur.Should, T.Query.term_query(self.schema, "terms", t)) for t in terms])

    def _run(self, query, k: int) -> dict[int, float]:
        res = self.searcher.search(query, k, count=False)
        return {int(self.searcher.doc(addr)["id"][0]): float(score) for score, addr in res.hits}

    def top(self, terms: list[str], k: int, allowed: Allowed | None = None) -> dict[int, float]:
        """The best k passages holding any of the terms (among the `allowed` ones when given)."""
        if not terms or k <= 0:
            return {}
        query = self._any_of(terms)
        if allowed is None:
            return self._run(query, k)
        want = k + int(2 * k * len(self) / max(1, len(allowed)))
        if want <= OVERFETCH_MAX:
            got = self._run(query, want)  # best first
            ids = np.fromiter(got, dtype=np.int64, count=len(got))
            keep = ids[allowed.keep(ids)]
            if len(keep) >= k or len(got) < want:  # every allowed passage above the k-th is among them
                return {int(i): got[int(i)] for i in keep[:k]}
        return self._run(self._within(query, allowed.ids.tolist()), k)

    def scores(self, terms: list[str], ids: list[int]) -> dict[int, float]:
        """BM25 of these passages (those holding none of the terms are left out)."""
        if not terms or not ids:
            return {}
        return self._run(self._within(self._any_of(terms), [int(i) for i in ids]), len(ids))

    def _within(self, query, ids: list[int]):
        T = self._t
        only = T.Query.const_score_query(T.Query.term_set_query(self.schema, "id", ids), 0.0)
        return T.Query.boolean_query([(T.Occur.Must, query), (T.Occur.Must, only)])
