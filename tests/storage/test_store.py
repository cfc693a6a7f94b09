"""The SQLite store: transactions, model binding, filters and hostile lexical queries."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from qa.danish.text import terms
from qa.errors import IndexMismatch
from qa.storage.store import FORMAT_VERSION, MIGRATIONS, Store
from qa.types import Chunk, Document, Query


def _doc(doc_id: str, date: str, committee: str, texts: list[str], sides=()):
    doc = Document(doc_id, f"{doc_id}.txt", "\n".join(texts), f"Referat {doc_id}", date, committee, "referat")
    chunks = [Chunk(f"{doc_id}:{i}", doc_id, t, 0, len(t), item=str(i + 1), item_title=f"Punkt {i + 1}",
                    sides=tuple(sides), source=doc.source, doc_title=doc.title, date=date, committee=committee,
                    doc_type="referat") for i, t in enumerate(texts)]
    vecs = np.eye(len(texts), 4, dtype=np.float32)
    return doc, chunks, vecs, [[(0, len(t), None)] for t in texts], [v[None, :] for v in vecs]


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
    assert len(store.allowed(Query("x", committee="hovedmed"))) == 1
    assert len(store.allowed(Query("x", date_from="2023-01-01"))) == 2
    assert len(store.allowed(Query("x", side="medarbejdersiden"))) == 1
    assert store.allowed(Query("x")) is None
    only_b = store.allowed(Query("x", committee="HovedMED"))
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
    both = terms("budget hjemmearbejde")
    assert store.lexical(both, 5) and len(store.lexical(both, 5)) == 2
    monkeypatch.setattr(store, "common_from", 1)
    monkeypatch.setattr(store, "common_share", 0.4)  # 'budget' and 'hjemmearbejd' are each in 1 of 3
    assert len(store.lexical(both, 5)) == 2
    with store.transaction():
        store.add_document(*_doc("c", "2025-01-01", "MEDII", ["Budget og budget igen.", "Budget 2026."]))
    # now 'budget' is in 3 of 5 passages: only 'hjemmearbejd' is asked for
    assert len(store.lexical(both, 5)) == 1
    assert len(store.lexical(terms("budget"), 5)) == 3  # kept when every term is common


def test_a_version_1_index_is_migrated_and_keeps_its_embedding_cache(tmp_path):
    """A format change migrates the file in place: documents, passages and the embedding cache survive."""
    import sqlite3

    path = tmp_path / "chunks.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO meta VALUES ('format_version', '1')")
    db.execute("INSERT INTO embed_cache VALUES ('k', ?)", (np.ones(4, np.float32).tobytes(),))
    db.execute("INSERT INTO documents VALUES ('a', 'a.txt', 'T', NULL, NULL, NULL, 'tekst', 0)")
    db.execute("INSERT INTO chunks(chunk_id, doc_id, text, vector) VALUES ('a:0', 'a', 'Godkendt.', ?)",
               (np.ones(4, np.float32).tobytes(),))
    db.execute('INSERT INTO sentences(chunk, start, "end", vector) VALUES (1, 0, 9, ?)', (np.ones(4, np.float32).tobytes(),))
    db.commit()
    db.close()
    s = Store(path)
    assert s.meta("format_version") == str(FORMAT_VERSION) == "4"
    assert list(s.cached_vectors(["k"])) == ["k"]
    assert s.count_chunks() == 1 and s.sections_pending()  # the next build fills in the sections
    assert s.sentences([1])[1].sections == [None]
    doc = s.document("a")  # v3: no body, municipality or OCR yet; the next build describes it anew
    assert (doc.body, doc.municipality, doc.ocr) == (None, None, False)


def test_update_metadata_rewrites_document_and_the_passages_that_copy_it(store):
    with store.transaction():
        doc, chunks, vecs, spans, svecs = _doc("d", "2024-01-01", "HovedMED", ["Punkt 1. Budget"])
        store.add_document(doc, chunks, vecs, spans, svecs)
    new = replace(doc, committee="Hoved-MED Teknik", body="HovedMED", municipality="Fjordby Kommune", ocr=True)
    with store.transaction():
        assert store.update_metadata(new)
        assert not store.update_metadata(new)  # nothing changed the second time
    assert store.document("d") == new
    (row,) = store.chunk_rows("d")
    c = store.chunks([row])[row]
    assert (c.committee, c.body, c.municipality, c.ocr) == ("Hoved-MED Teknik", "HovedMED", "Fjordby Kommune", True)
    assert store.passage_counts()["d"] == 1
    assert row in store.allowed(Query("x", committee="hovedmed")).ids  # by kind
    assert list(store.allowed(Query("x", committee="Hoved-MED Teknik")).ids) == [row]  # by name


def test_an_index_of_a_newer_format_is_refused_with_a_danish_message(tmp_path):
    s = Store(tmp_path / "chunks.sqlite")
    s.db.execute("UPDATE meta SET value='99' WHERE key='format_version'")
    s.close()
    with pytest.raises(IndexMismatch, match="format 99"):
        Store(tmp_path / "chunks.sqlite")


def test_sentences_come_back_with_their_sections(store):
    with store.transaction():
        doc, chunks, vecs, _, svecs = _doc("c", "2025-01-01", "MEDII", ["Beslutning: Godkendt. Det blev vedtaget."])
        store.add_document(doc, chunks, vecs, [[(0, 21, "Beslutning"), (22, 39, "Beslutning")]],
                           [np.vstack([vecs[0], vecs[0]])])
    (row,) = store.chunk_rows("c")
    got = store.sentences([row])[row]
    assert got.spans == [(0, 21), (22, 39)] and got.sections == ["Beslutning", "Beslutning"]
    assert got.vectors.shape == (2, 4)
    assert store.sentences([row], with_vectors=False)[row].spans == [(0, 21), (22, 39)]


def test_municipality_filter_and_a_year_only_date_in_a_period_of_its_year(store):
    with store.transaction():
        doc, chunks, vecs, spans, svecs = _doc("m", "2017", "LokalMED", ["Notat om vikarer."])
        doc = replace(doc, municipality="Lyngå Kommune")
        chunks = [replace(c, municipality="Lyngå Kommune") for c in chunks]
        store.add_document(doc, chunks, vecs, spans, svecs)
    (row,) = store.chunk_rows("m")
    assert list(store.allowed(Query("x", municipality="lyngå kommune")).ids) == [row]
    assert row in store.allowed(Query("x", date_from="2017-06-01", date_to="2017-12-31")).ids
    assert row not in store.allowed(Query("x", date_from="2018-01-01")).ids


def test_the_row_ids_of_one_agenda_item(store):
    ids = store.chunk_ids_of("a", "2")
    assert len(ids) == 1 and store.chunks(ids)[ids[0]].text == "Budget 2025."
    assert store.chunk_ids_of("a", "9") == [] and store.chunk_ids_of("zz", "2") == []


def test_a_part_of_a_document_without_numbered_items_is_known_by_its_title(store):
    doc, chunks, vecs, spans, svecs = _doc("h", "2015-11-12", "HovedMED", ["AMC: tværgående teams.",
                                                                        "AMC: ledelse.", "CKB: omstilling."])
    titles = ["Høringssvar fra AMC", "Høringssvar fra AMC", "Høringssvar fra CKB"]
    chunks = [replace(c, item=None, item_title=t) for c, t in zip(chunks, titles)]
    with store.transaction():
        store.add_document(doc, chunks, vecs, spans, svecs)
    amc = store.chunk_ids_of("h", None, "Høringssvar fra AMC")
    assert [store.chunks(amc)[i].text for i in amc] == ["AMC: tværgående teams.", "AMC: ledelse."]
    assert len(store.chunk_ids_of("h", None)) == 3
