"""Fault injection (issue 15, finding 6): every fault of the index ends in a Danish message, never a traceback.

Each test starts from a small index built with a model-free embedder, breaks one thing, and checks
what the user is told and that nothing committed is lost. Runs in CI (not slow: ~1 s each).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from qa import api
from qa.errors import REBUILD, IndexCorrupt
from qa.settings import ROOT, Settings
from qa.storage.layout import store_path, vectors_path
from tests.fakes import FakeEmbedder

MINUTES = ("Referat af møde i {name}\nMødedato: {day}. marts 2024\n\nPunkt 1: Hjemmearbejde\n"
           "Beslutning\nMedarbejdersiden og ledelsen aftalte rammer for hjemmearbejde i {name}.\n\n"
           "Punkt 2: Budget\nBeslutning\nBudgettet for {name} blev godkendt uden bemærkninger.\n")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    corpus = base / "corpus"
    corpus.mkdir()
    for n, name in enumerate(["VejMED", "SkoleMED", "ÆldreMED"]):
        (corpus / f"{name}.txt").write_text(MINUTES.format(name=name, day=n + 3), encoding="utf-8")
    s = Settings(index_dir=base / "index", corpus_dir=corpus)
    report = api.build_index(s, corpus, embedder=FakeEmbedder())
    assert len(report.added) == 3
    return s


@pytest.fixture
def index(pristine, tmp_path):
    """A private copy of the pristine index to break."""
    target = tmp_path / "index"
    shutil.copytree(pristine.index_dir, target)
    return pristine.replace(index_dir=target)


def _open(s):
    return api.Assistant(s, embedder=FakeEmbedder())


def test_truncated_store_is_refused_with_the_rebuild_command(index):
    db = store_path(index.index_dir)
    for p in index.index_dir.glob("chunks.sqlite-*"):
        p.unlink()
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    with pytest.raises(IndexCorrupt) as e:
        _open(index)
    assert "beskadiget" in str(e.value) and REBUILD in str(e.value)


def _flip_page_headers(db, page=4096):
    """Flip the type byte of every b-tree page after the first: structure SQLite's quick_check reads."""
    data = bytearray(db.read_bytes())
    for off in range(page, len(data), page):
        data[off] ^= 0xFF
    db.write_bytes(bytes(data))


def test_bit_flipped_store_is_refused_on_open_and_before_a_write(index, tmp_path):
    """Before: a raw DatabaseError traceback, and `add` went on writing into the damaged file."""
    for p in index.index_dir.glob("chunks.sqlite-*"):
        p.unlink()
    _flip_page_headers(store_path(index.index_dir))
    with pytest.raises(IndexCorrupt) as e:
        _open(index)
    assert REBUILD in str(e.value)
    new = tmp_path / "ny.txt"
    new.write_text(MINUTES.format(name="NyMED", day=9), encoding="utf-8")
    before = store_path(index.index_dir).read_bytes()
    with pytest.raises(IndexCorrupt):
        api.add_files(index, [new], embedder=FakeEmbedder())
    assert store_path(index.index_dir).read_bytes() == before  # nothing written into it


def test_damaged_text_inside_the_store_is_a_message_when_asked(index):
    """Flipped bytes inside a passage's text pass quick_check (SQLite keeps no checksums of values);
    reading them must still end in IndexCorrupt, not 'Could not decode to UTF-8'."""
    for p in index.index_dir.glob("chunks.sqlite-*"):
        p.unlink()
    db = store_path(index.index_dir)
    data = db.read_bytes()
    assert data.count("hjemmearbejde".encode()) >= 1
    db.write_bytes(data.replace("hjemmearbejde".encode(), b"\xff\xfe" * 6 + b"e"))
    a = _open(index)
    with pytest.raises(IndexCorrupt) as e:
        a.ask("hjemmearbejde i VejMED")
    assert "beskadiget" in str(e.value)


def test_zero_byte_store_is_damaged_not_empty(index):
    for p in index.index_dir.glob("chunks.sqlite-*"):
        p.unlink()
    store_path(index.index_dir).write_bytes(b"")
    with pytest.raises(IndexCorrupt) as e:
        _open(index)
    assert "beskadiget" in str(e.value)


def test_read_only_index_can_be_searched(index):
    """Before: 'attempt to write a readonly database' (the store wrote its schema and WAL mode on open).
    Searched by an unprivileged user when the tests run as root (root ignores file modes)."""
    folder = Path(tempfile.mkdtemp(prefix="qa-ro-"))
    try:
        target = folder / "index"
        shutil.copytree(index.index_dir, target)
        for p in target.iterdir():
            p.chmod(0o444)
        target.chmod(0o555)
        folder.chmod(0o755)
        code = ("from qa import api; from qa.settings import Settings; from tests.fakes import FakeEmbedder\n"
                f"a = api.Assistant(Settings(index_dir={str(target)!r}), embedder=FakeEmbedder())\n"
                "h = a.ask('hjemmearbejde i SkoleMED').hits\nprint(len(h), h[0].chunk.source)\n"
                "from qa.errors import IndexReadOnly\n"
                "try:\n    a.add_files([])\nexcept IndexReadOnly as e:\n    print('REFUSED', e)")
        cmd = [sys.executable, "-c", code]
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("setpriv is needed to drop root for this test")
            if not all(os.stat(p).st_mode & 0o001 for p in (ROOT, *ROOT.parents)):
                pytest.skip("user nobody cannot reach the checkout (a folder above it is not world-searchable, "
                            "e.g. one made by mktemp -d)")
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(folder)})
        assert out.returncode == 0, out.stderr[-2000:]
        assert "SkoleMED" in out.stdout
        assert "REFUSED" in out.stdout and "skrivebeskyttet" in out.stdout
    finally:
        target.chmod(0o755)
        shutil.rmtree(folder)


def test_failed_vector_write_after_commit_is_a_warning_and_heals_on_open(index, tmp_path, monkeypatch):
    import faiss

    def full(*_):
        raise RuntimeError("Error in faiss::FileIOWriter: No space left on device")

    new = tmp_path / "ny.txt"
    new.write_text(MINUTES.format(name="NyMED", day=9), encoding="utf-8")
    monkeypatch.setattr(faiss, "write_index", full)
    report = api.add_files(index, [new], embedder=FakeEmbedder())
    assert report.added and any("genopbygges" in w for w in report.warnings)
    monkeypatch.undo()
    a = _open(index)
    assert any("NyMED" in d.title for d in a.documents())
    assert a.ask("budget NyMED").hits[0].chunk.source.endswith("ny.txt")


def test_unknown_vector_ids_are_dropped_with_a_warning_and_rebuilt(index, caplog):
    from qa.storage.store import Store
    from qa.storage.vectors import VectorIndex

    st = Store(store_path(index.index_dir))
    ids, vecs = st.vectors()
    gen = st.generation()
    st.close()
    # as many vectors as the store has passages, under ids it does not know (before: KeyError: 100079)
    VectorIndex.build(ids + 100_000, vecs).save(vectors_path(index.index_dir, gen))
    a = _open(index)
    hits = a.ask("hjemmearbejde i VejMED").hits
    assert hits and all(h.chunk.text for h in hits)
    assert np.array_equal(a.index.vectors.ids(), ids)  # rebuilt from the store, not the foreign file
    assert np.array_equal(VectorIndex.load(vectors_path(index.index_dir, gen)).ids(), ids)  # and written back


def test_vector_ids_gone_from_the_store_during_a_search_are_dropped(index):
    """A writer removed passages after the reader loaded its vectors: the search drops them and rebuilds."""
    a = _open(index)
    st = a.index.store
    victim = st.documents()[0]
    with st.transaction():
        st.remove_document(victim.doc_id)
    a.index.generation = st.generation()  # as if the reader had not yet seen the removal: old vectors
    hits = a.ask("hjemmearbejde og budget i VejMED SkoleMED ÆldreMED").hits
    assert hits and all(h.chunk.doc_id != victim.doc_id for h in hits)
    assert a.index.generation == -1  # marked stale ...
    a.ask("budget")
    assert a.index.generation == st.generation() and np.array_equal(a.index.vectors.ids(), st.chunk_ids())  # ... rebuilt


def test_cli_prints_a_danish_message_not_a_traceback(index):
    store_path(index.index_dir).write_bytes(b"")
    for p in index.index_dir.glob("chunks.sqlite-*"):
        p.unlink()
    out = subprocess.run([sys.executable, "-m", "qa", "--index", str(index.index_dir), "info"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "beskadiget" in out.stderr and REBUILD in out.stderr


_ADD_WITH_FILE_LIMIT = """
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # every file this process writes stops growing here
import qa.api
from tests.fakes import FakeEmbedder
qa.api.load_embedder = lambda settings, parallel=False: FakeEmbedder()
from qa.cli import main
sys.exit(main(["--index", sys.argv[2], "add", *sys.argv[3:]]))
"""


@pytest.mark.parametrize("limit_kb", [8, 128, 384, 768, 100_000])
def test_disk_filling_during_an_addition_leaves_a_whole_index_and_a_message(index, tmp_path, limit_kb):
    """Files that cannot grow past a limit (RLIMIT_FSIZE: the same errors as a full disk, for this process
    only): the CLI ends with a Danish message or a warning, never a traceback; the index stays whole."""
    new = []
    for n, name in enumerate(["NyMED", "AndenMED"]):
        p = tmp_path / f"{name}.txt"
        p.write_text(MINUTES.format(name=name, day=10 + n) + "Ekstra tekst om arbejdsmiljø. " * 400, encoding="utf-8")
        new.append(str(p))
    out = subprocess.run([sys.executable, "-c", _ADD_WITH_FILE_LIMIT, str(limit_kb * 1024), str(index.index_dir), *new],
                         capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    assert out.returncode in (0, 2, 3), (out.returncode, out.stderr[-2000:])
    if out.returncode == 2:
        assert "kunne ikke skrives" in out.stderr
    db = sqlite3.connect(store_path(index.index_dir))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n_chunks, n_fts = (db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("chunks", "fts"))
    empty = db.execute("SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM chunks)").fetchone()[0]
    db.close()
    assert n_chunks == n_fts and empty == 0
    a = _open(index)
    titles = {d.title for d in a.documents()}
    assert {"Referat af møde i VejMED", "Referat af møde i SkoleMED", "Referat af møde i ÆldreMED"} <= titles
    assert len(a.index.vectors) == n_chunks
    if limit_kb >= 100_000:
        assert out.returncode == 0 and "Referat af møde i NyMED" in titles


def test_the_rebuild_the_message_names_repairs_a_damaged_store(index, pristine):
    for p in index.index_dir.glob("chunks.sqlite-*"):
        p.unlink()
    store_path(index.index_dir).write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexCorrupt):
        _open(index)
    report = api.build_index(index, pristine.corpus_dir, rebuild=True, embedder=FakeEmbedder())
    assert len(report.added) == 3
    assert len(_open(index).documents()) == 3
