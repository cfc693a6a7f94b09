"""End to end: an upload in the app runs in the background, its name is kept safe and shown inert.

A file named like a Markdown link and hidden (leading dot) is uploaded through the real page in
Chromium; the sidebar must show the name it is kept under as text (no link, no dialog), and the file
must land in the corpus under that visible name. (That questions are answered while an upload runs
is tested at the front door, tests/test_api_uploads.py.) Runs on a private copy of the app index and
corpus, never the repository's corpus/.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import APP_MODEL, CORPUS, stop_process
from tests.test_e2e_browser import APP, CHROMIUM, CHROMIUM_ARGS, ROOT, _HAVE_CHROMIUM, _free_port, _wait_for_http

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not _HAVE_CHROMIUM, reason=f"Chromium is not installed at {CHROMIUM}")]
sync_api = pytest.importorskip("playwright.sync_api")

NAME = ".[klik](javascript:alert(1)) :red[rød].txt"
BODY = ("Referat af møde i UploadMED\nMødedato: 5. juni 2024\n\nPunkt 1: Kantineordning\nBeslutning\n"
        "Medarbejdersiden og ledelsen besluttede en ny kantineordning fra 1. august.\n")


@pytest.fixture
def private_server(app_index, tmp_path):
    index, corpus = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(app_index, index)
    shutil.copytree(CORPUS, corpus)
    port = _free_port()
    env = dict(os.environ, QA_INDEX_DIR=str(index), QA_CORPUS_DIR=str(corpus), QA_MODEL=APP_MODEL,
               PYTHONUNBUFFERED="1")
    log = open(tmp_path / "streamlit.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", proc)
        yield {"url": f"http://127.0.0.1:{port}/", "corpus": corpus, "log": log}
    finally:
        stop_process(proc)
        log.close()


def test_upload_in_the_background_with_a_safe_name_shown_as_text(private_server, tmp_path):
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / NAME).write_text(BODY, encoding="utf-8")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="da-DK")
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(private_server["url"])
            page.get_by_placeholder("Stil et spørgsmål til referaterne").wait_for(timeout=120_000)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload / NAME))
            page.get_by_role("button", name="Indeksér 1 fil(er)").click()
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("Tilføjet: 1 dokument(er)", exact=False).wait_for(timeout=120_000)
            kept = "[klik](javascript_alert(1)) _red[rød].txt"
            sync_api.expect(sidebar).to_contain_text(f"Gemt som »{kept}«")
            assert sidebar.locator('[data-testid="stAlert"] a').count() == 0  # the name is text, not a link
            for a in sidebar.locator('[data-testid="stAlert"]').all():
                a.click()
            page.wait_for_timeout(500)
        finally:
            browser.close()
    assert dialogs == []
    assert (private_server["corpus"] / "uploads" / kept).read_text(encoding="utf-8") == BODY
    private_server["log"].seek(0)
    assert "Traceback" not in private_server["log"].read()
