"""Uploads off the shared path (issue 15, finding 2): indexing runs in a background job while other
sessions' questions are answered from the last committed index.

Before: the Assistant held one lock for a whole upload, so a question asked 0.3 s into a 7.7 s upload
was answered after 7.5 s. The model here is a fake that takes a fixed time per batch of passages.
"""
from __future__ import annotations

import time

import pytest

from qa import api
from qa.settings import Settings
from tests.fakes import FakeEmbedder

MINUTES = ("Referat af møde i {name}\nMødedato: 3. marts 2024\n\nPunkt 1: Hjemmearbejde\nBeslutning\n"
           "Medarbejdersiden og ledelsen aftalte rammer for hjemmearbejde i {name}.\n")


class SlowEmbedder(FakeEmbedder):
    """0.05 s per call of up to a batch of passages: an upload of a long document takes seconds."""

    def encode_passages(self, texts, progress=None):
        time.sleep(0.05 * max(1, len(texts) // 16))
        return super().encode_passages(texts, progress)


@pytest.fixture
def assistant(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vej.txt").write_text(MINUTES.format(name="VejMED"), encoding="utf-8")
    s = Settings(index_dir=tmp_path / "index", corpus_dir=corpus, batch_size=16)
    api.build_index(s, corpus, embedder=FakeEmbedder())
    return api.Assistant(s, embedder=SlowEmbedder())


def _long_minutes(n_items: int) -> bytes:
    items = "\n\n".join(f"Punkt {i}: Emne {i}\nBeslutning\n" + " ".join(
        f"Udvalget drøftede sag {i} afsnit {j} og besluttede at gå videre med forslaget." for j in range(12))
        for i in range(1, n_items + 1))
    return ("Referat af møde i LangMED\nMødedato: 4. april 2024\n\n" + items).encode("utf-8")


def test_questions_are_answered_while_an_upload_runs(assistant):
    job = assistant.submit_uploads([("lang.txt", _long_minutes(60))])
    while job.state == "venter" or (job.state == "kører" and job.done == 0 and not job.what):
        time.sleep(0.01)
    answered_during = 0
    while not job.finished:
        answer = assistant.ask("hjemmearbejde i VejMED")
        assert answer.hits and answer.hits[0].chunk.source.endswith("vej.txt")
        answered_during += not job.finished  # the answer came back before the upload ended
        time.sleep(0.05)
    assert job.state == "færdig", job.error
    # A question that waited for the whole upload would return after it ended: none would count.
    # (No wall-clock bound: on a shared 2-core machine one batch can take seconds.)
    assert job.report.added and answered_during >= 2, (answered_during, job.report)
    assert any("LangMED" in d.title for d in assistant.documents())


def test_progress_and_the_names_kept_are_visible_while_it_runs(assistant):
    seen = []
    job = assistant.submit_uploads([(".skjult.txt", _long_minutes(20)), ("b.txt", MINUTES.format(name="BMED").encode())])
    assert job.names[0] == (".skjult.txt", "skjult.txt")
    while not job.finished:
        seen.append((job.state, job.done, job.what))
        time.sleep(0.02)
    assert job.state == "færdig" and len(job.report.added) == 2
    assert any(state == "kører" and what for state, _, what in seen)
    assert ("skjult.txt" in dict(job.report.renamed).values())


def test_a_failed_upload_names_the_real_cause(assistant, tmp_path):
    from qa.storage.layout import store_path

    assistant.index.close()
    store_path(assistant.settings.index_dir).write_bytes(b"")  # the store is damaged under the app
    job = assistant.submit_uploads([("c.txt", MINUTES.format(name="CMED").encode())])
    deadline = time.monotonic() + 60
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.state == "fejl" and "beskadiget" in job.error and "python -m qa build --rebuild" in job.error
    assert not any(p.name == "c.txt" for p in (assistant.settings.corpus_dir / "uploads").glob("*"))  # no orphan
