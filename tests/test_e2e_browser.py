"""End to end: `streamlit run app.py` in a subprocess, driven by Debian's Chromium through Playwright.

Types Danish questions into the chat input and checks that citation cards for the right agenda
items appear. Screenshots go to tests/artifacts/ (git-ignored), and the measured times to
tests/artifacts/e2e_timings.json:
- start_to_http_s: `streamlit run` until the server answers HTTP,
- start_to_usable_s: until the page shows the chat input (index and model loaded),
- first_answer_s / warm_answer_s: question typed until its citation card is shown.

Skipped when Chromium (/usr/bin/chromium) or the playwright package is missing; uses the
system Chromium, so `playwright install` is never needed.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import APP_MODEL

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_HAVE_CHROMIUM = Path(CHROMIUM).exists()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not _HAVE_CHROMIUM, reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit stopped with exit code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"no HTTP answer from {url} within {timeout} s")


@pytest.fixture
def server(app_index, tmp_path):
    """The app served on a free port on 127.0.0.1; always terminated afterwards."""
    port = _free_port()
    env = dict(os.environ, QA_INDEX_DIR=str(app_index), QA_MODEL=APP_MODEL, PYTHONUNBUFFERED="1")
    log = open(tmp_path / "streamlit.log", "w+")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        try:
            _wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", proc)
        except AssertionError:
            log.seek(0)
            pytest.fail(f"the app did not start:\n{log.read()[-3000:]}")
        yield {"url": f"http://127.0.0.1:{port}/", "started": started,
               "http_s": time.monotonic() - started, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def _ask_and_wait(page, question: str, expected_citation: str, timeout_ms: int = 120_000) -> float:
    """Type `question`, press Enter, wait for a citation card containing `expected_citation`."""
    messages = page.locator('[data-testid="stChatMessage"]')
    before = messages.count()
    box = page.get_by_placeholder("Stil et spørgsmål til referaterne")
    t0 = time.monotonic()
    box.fill(question)
    box.press("Enter")
    answer = messages.nth(before + 1)  # the user's message, then the assistant's
    answer.locator('[data-testid="stCode"]').filter(has_text=expected_citation).first.wait_for(timeout=timeout_ms)
    return time.monotonic() - t0


def test_browser_question_shows_citation_card(server):
    ARTIFACTS.mkdir(exist_ok=True)
    timings = {"start_to_http_s": round(server["http_s"], 2)}
    errors: list[str] = []

    with sync_api.sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="da-DK")
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server["url"])
            page.get_by_placeholder("Stil et spørgsmål til referaterne").wait_for(timeout=120_000)
            page.get_by_role("button", name="Hvordan aftales hjemmearbejde i afdelingen?").wait_for()
            timings["start_to_usable_s"] = round(time.monotonic() - server["started"], 2)
            page.screenshot(path=str(ARTIFACTS / "e2e_start.png"))

            timings["first_answer_s"] = round(_ask_and_wait(
                page, "Hvordan aftales hjemmearbejde i afdelingen?",
                "AfdelingsMED, 23. maj 2024, punkt 4: Attraktiv arbejdsplads"), 2)
            timings["warm_answer_s"] = round(_ask_and_wait(
                page, "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?",
                "HovedMED, 25. november 2022, punkt 2: Opfølgning på BIF-SOF-analysen"), 2)

            messages = page.locator('[data-testid="stChatMessage"]')
            last_answer = messages.nth(3)
            # one citation per card, all five rendered
            sync_api.expect(last_answer.locator('[data-testid="stCode"]')).to_have_count(5, timeout=60_000)
            text = last_answer.inner_text()
            assert "Søgte efter:" in text
            assert "Punkt 2: Opfølgning på BIF-SOF-analysen" in text
            assert "25. november 2022" in text
            assert last_answer.locator("mark").count() >= 1  # the best sentence is highlighted
            assert "Hele punktet" in text

            # the chat sticks to the bottom while the page runs: scroll up once it has settled
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)
            page.wait_for_timeout(1000)
            messages.nth(2).evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "e2e_answer.png"))
        finally:
            browser.close()

    (ARTIFACTS / "e2e_timings.json").write_text(json.dumps(timings, indent=1) + "\n", encoding="utf-8")
    print("\nmålinger:", timings)
    assert not errors, errors
    server["log"].seek(0)
    assert "Traceback" not in server["log"].read()
