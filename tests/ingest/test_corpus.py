"""The corpus folder is a boundary (issue 15, findings 3 and 4)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.ingest.corpus import OUTSIDE, SPECIAL, safe_upload_name, walk

MINUTES = "Referat af møde i TestMED\nMødedato: 3. marts 2024\n\nPunkt 1: Budget\nBudgettet blev godkendt af alle.\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    c = tmp_path / "corpus"
    (c / "udvalg").mkdir(parents=True)
    (c / "a.txt").write_text(MINUTES, encoding="utf-8")
    (c / "udvalg" / "b.md").write_text(MINUTES, encoding="utf-8")
    (c / ".skjult.txt").write_text(MINUTES, encoding="utf-8")
    (c / ".git").mkdir()
    (c / ".git" / "x.txt").write_text(MINUTES, encoding="utf-8")
    return c


def test_symlinks_out_of_the_corpus_are_refused(corpus, tmp_path):
    """Before: corpus/passwd.txt -> /etc/passwd was indexed and searchable."""
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("kodeord: hunter2", encoding="utf-8")
    os.symlink(secret, corpus / "passwd.txt")
    os.symlink(tmp_path, corpus / "ud")  # a directory link out of the corpus: never descended
    os.symlink(corpus / "a.txt", corpus / "genvej.txt")  # a link that stays inside is fine
    files, refused = walk(corpus)
    names = {p.name for p in files}
    assert names == {"a.txt", "b.md", "genvej.txt"}
    assert any(p.name == "passwd.txt" and r == OUTSIDE for p, r in refused)


def test_special_files_are_never_opened(corpus):
    os.mkfifo(corpus / "rør.txt")  # opening a FIFO blocks forever
    files, refused = walk(corpus)
    assert "rør.txt" not in {p.name for p in files}
    assert any(p.name == "rør.txt" and r == SPECIAL for p, r in refused)


def test_hidden_files_and_folders_are_passed_over(corpus):
    files, refused = walk(corpus)
    assert not any(part.startswith(".") for p in files for part in p.relative_to(corpus.resolve()).parts)


@pytest.mark.parametrize("sent, kept", [
    (".hidden.txt", "hidden.txt"),
    ("..\\..\\win.txt", "win.txt"),
    ("../../etc/evil.txt", "evil.txt"),
    ("C:\\Users\\Anne\\Referat maj.pdf", "Referat maj.pdf"),
    ("a\x00b.txt", "a_b.txt"),
    ("..", "fil"),
    ("", "fil"),
    ("\u202eexe.txt", "exe.txt"),
    ("CON.txt", "fil-CON.txt"),
    ("Referat 12. maj 2024.PDF", "Referat 12. maj 2024.PDF"),
])
def test_upload_names_are_safe_visible_and_bounded(sent, kept):
    assert safe_upload_name(sent) == kept


@pytest.mark.parametrize("n", [248, 255, 300, 5000])
def test_long_upload_names_are_cut_keeping_the_suffix(n):
    name = safe_upload_name("æ" * n + ".docx", max_bytes=120)
    assert name.endswith(".docx") and len(name.encode("utf-8")) <= 120 and not name.startswith(".")


# ---------------------------------------------------------------- through the front door (model-free)

def _settings(tmp_path, corpus):
    from qa.settings import Settings

    return Settings(index_dir=tmp_path / "index", corpus_dir=corpus)


def test_a_build_never_indexes_a_file_linked_from_outside(corpus, tmp_path):
    from qa import api
    from tests.fakes import FakeEmbedder

    secret = tmp_path / "hemmelig.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash kodeord hunter2", encoding="utf-8")
    os.symlink(secret, corpus / "passwd.txt")
    s = _settings(tmp_path, corpus)
    report = api.build_index(s, corpus, embedder=FakeEmbedder())
    assert any(src.endswith("passwd.txt") and why == OUTSIDE for src, why in report.skipped)
    a = api.Assistant(s, embedder=FakeEmbedder())
    assert not any("hemmelig" in d.source or "passwd" in d.source for d in a.documents())
    assert all("hunter2" not in h.chunk.text for h in a.ask("root kodeord hunter2").hits)


@pytest.mark.parametrize("sent", [".hidden.txt", "..\\..\\win.txt", "x" * 260 + ".txt", "a\x00b.txt", ".."])
def test_an_upload_survives_the_next_build_under_the_name_it_is_shown(corpus, tmp_path, sent):
    """Before: '.hidden.txt' was indexed and then removed by the next build; long, '..' and NUL names raised."""
    from qa import api
    from tests.fakes import FakeEmbedder

    s = _settings(tmp_path, corpus)
    api.build_index(s, corpus, embedder=FakeEmbedder())
    a = api.Assistant(s, embedder=FakeEmbedder())
    body = MINUTES.replace("TestMED", "UploadMED").encode("utf-8")
    report = a.add_uploads([(sent + (".txt" if sent == ".." else ""), body)])
    assert len(report.added) == 1, report
    kept = report.renamed[0][1]
    assert not kept.startswith(".") and len(kept.encode()) <= s.max_upload_name_bytes
    assert (corpus / "uploads" / kept).is_file()
    again = api.build_index(s, corpus, embedder=FakeEmbedder())
    assert not again.removed
    assert any(d.source.endswith("uploads/" + kept) for d in api.Assistant(s, embedder=FakeEmbedder()).documents())
