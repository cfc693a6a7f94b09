"""The SQLite store: transactions, model binding, filters and hostile lexical queries."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from qa.store import IndexMismatch, Store
from qa.text import terms
from qa.types import Chunk, Document, Query


def _doc(doc_id: str, date: str, committee: str, texts: list[str], sides=()):
    doc = Document(doc_id, f"{doc_id}.txt", "\n".join(texts), f"Referat {doc_id}", date, committee, "referat")
    chunks = [Chunk(f"{doc_id}:{i}", doc_id, t, 0, len(t), item=str(i + 1), item_title=f"Punkt {i + 1}",
                    sides=tuple(sides), source=doc.source, doc_title=doc.title, date=date, committee=committee,
                    doc_type="referat") for i, t in enumerate(texts)]
    vecs = np.eye(len(texts), 4, dtype=np.float32)
    return doc, chunks, vecs, [[(0, len(t))] for t in texts], [v[None, :] for v in vecs]


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "chunks.sqlite")
    s.bind_model("test-model", 4)
    with s.transaction():
        s.add_document(*_doc("a", "2024-05-23", "AfdelingsMED", ["Hjemmearbejde er ikke en ret.", "Budget 2025."],
                             sides=("ledelsen",)))
    with s.transaction():
        s.add_document(*_doc("b", "2022-11-25", "HovedMED", ["Medarbejdersiden bakker ikke op om et resortflyt."],
                             sides=("medarbejdersiden",)))
    return s


def test_lexical_search_and_filters(store):
    hits = store.lexical(terms("hjemmearbejde ret"), 5)
    assert len(hits) == 1
    (cid,) = hits
    assert store.chunks([cid])[cid].doc_id == "a"
    assert len(store.filter_ids(Query("x", committee="hovedmed"))) == 1
    assert len(store.filter_ids(Query("x", date_from="2023-01-01"))) == 2
    assert len(store.filter_ids(Query("x", side="medarbejdersiden"))) == 1
    assert store.filter_ids(Query("x")) is None
    only_b = store.filter_ids(Query("x", committee="HovedMED"))
    assert store.lexical(terms("hjemmearbejde"), 5, allowed=only_b) == {}


def test_a_failed_write_leaves_nothing_behind(store):
    gen = store.generation()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_document(*_doc("c", "2025-01-01", "MEDII", ["Noget nyt."]))
            raise RuntimeError("crash in the middle")
    assert not store.has_document("c") and store.generation() == gen
    assert store.count_chunks() == 3


def test_removing_a_document_removes_its_passages_everywhere(store):
    with store.transaction():
        assert store.remove_document("a")
    assert store.count_chunks() == 1
    assert store.lexical(terms("hjemmearbejde"), 5) == {}
    ids, vecs = store.vectors()
    assert len(ids) == 1 and vecs.shape == (1, 4)


def test_another_model_is_refused(store):
    with pytest.raises(IndexMismatch, match="test-model"):
        store.bind_model("another-model", 4)


HOSTILE = ['"', "AND", "OR NOT", 'hjemme" OR "x', "NEAR(a b)", "budget*", "-budget", "^budget", "col:budget",
           "'; DROP TABLE chunks; --", "(((", "\x00", "💥", "a" * 10_000]


@pytest.mark.parametrize("text", HOSTILE)
def test_query_text_is_never_fts_syntax(store, text):
    store.lexical(terms(text), 5)  # must not raise
    store.lexical([text], 5)  # even raw, unstemmed text is quoted
    assert store.count_chunks() == 3


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_query_is_safe(tmp_path_factory, text):
    s = Store(tmp_path_factory.mktemp("h") / "c.sqlite")
    s.lexical(terms(text), 3)
    s.lexical([text], 3)


def test_very_common_terms_leave_the_query_of_a_large_index(store, monkeypatch):
    import qa.store

    both = terms("budget hjemmearbejde")
    assert store.lexical(both, 5) and len(store.lexical(both, 5)) == 2
    monkeypatch.setattr(qa.store, "COMMON_FROM", 1)
    monkeypatch.setattr(qa.store, "COMMON_SHARE", 0.4)  # 'budget' and 'hjemmearbejd' are each in 1 of 3
    assert len(store.lexical(both, 5)) == 2
    with store.transaction():
        store.add_document(*_doc("c", "2025-01-01", "MEDII", ["Budget og budget igen.", "Budget 2026."]))
    # now 'budget' is in 3 of 5 passages: only 'hjemmearbejd' is asked for
    assert len(store.lexical(both, 5)) == 1
    assert len(store.lexical(terms("budget"), 5)) == 3  # kept when every term is common
