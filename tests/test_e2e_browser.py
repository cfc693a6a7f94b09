"""End to end: `streamlit run app.py` in a subprocess, driven by Debian's Chromium through Playwright.

What a user meets in a real browser: the answer in view after asking, sources one line each that
open on click, the copy tooltip in Danish, a long paste cut with a notice, the conversation kept
over a reload, the phone layout, the system's dark mode, filters that leave nothing relevant, the
precedent view following the topic, and upload/removal with the filters following the index.

Screenshots go to tests/artifacts/ (git-ignored; look at them), and the measured times to
tests/artifacts/e2e_timings.json (recorded, never asserted: the machine may be busy):
- start_to_http_s / start_to_usable_s: `streamlit run` until HTTP answers / the chat box shows,
- enter_to_quote_s: Enter pressed until the new answer's quote is on screen (each warm question),
- enter_to_done_s: until the run has finished (status widget gone).

Skipped when Chromium (/usr/bin/chromium) or the playwright package is missing; uses the
system Chromium, so `playwright install` is never needed.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import APP_MODEL, CORPUS, stop_process

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BOX = "Stil et spørgsmål til referaterne"
RESORTFLYT = "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?"
HJEMMEARBEJDE = "Hvordan aftales hjemmearbejde i afdelingen?"
BUDGET = "Hvor mange penge skal der findes i budget 2025?"
STATUS = "Hvad er status på projektet Mere tid til kerneopgaven?"

_HAVE_CHROMIUM = Path(CHROMIUM).exists()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not _HAVE_CHROMIUM, reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
TIMINGS: dict = {}


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


@pytest.fixture(scope="module")
def server(app_index, tmp_path_factory):
    """The app on a free port, over its own copy of the index and corpus (uploads, feedback and
    conversations are written there, never into the repository); always terminated afterwards."""
    work = tmp_path_factory.mktemp("e2e")
    index, corpus = work / "index", work / "corpus"
    shutil.copytree(app_index, index, ignore=shutil.ignore_patterns("notes.sqlite*"))
    shutil.copytree(CORPUS, corpus)
    port = _free_port()
    env = dict(os.environ, QA_INDEX_DIR=str(index), QA_CORPUS_DIR=str(corpus), QA_MODEL=APP_MODEL,
               PYTHONUNBUFFERED="1")
    log = open(work / "streamlit.log", "w+")
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
        TIMINGS["start_to_http_s"] = round(time.monotonic() - started, 2)
        yield {"url": f"http://127.0.0.1:{port}/", "started": started, "log": log, "index": index,
               "corpus": corpus}
    finally:
        stop_process(proc)
        log.seek(0)
        text = log.read()
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "e2e_timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n", encoding="utf-8")
        print("\nmålinger:", TIMINGS)
        assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page_for(browser, server):
    """page_for(width, height, dark=False): a fresh browser tab on the app, ready to take a question."""
    contexts, errors = [], []

    def make(width: int = 1400, height: int = 900, dark: bool = False, url: str | None = None):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK",
                                  color_scheme="dark" if dark else "light")
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"].rstrip("/"))
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url or server["url"])
        page.get_by_placeholder(BOX).wait_for(timeout=120_000)
        _settle(page)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, errors


def _settle(page, extra_ms: int = 300) -> None:
    """Wait until the script run is over (the status widget is gone), then a little more."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)
    page.wait_for_timeout(extra_ms)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _ask(page, question: str) -> tuple[object, float, float]:
    """Type `question`, press Enter; the new answer's container, seconds to its quote (or notice), to the end."""
    messages = page.locator('[data-testid="stChatMessage"]')
    before = messages.count()
    box = page.get_by_placeholder(BOX)
    box.fill(question)
    t0 = time.monotonic()
    box.press("Enter")
    answer = messages.nth(before + 1)  # the user's message, then the assistant's
    answer.locator(".rq-quote, [data-testid='stAlert']").first.wait_for(timeout=120_000)
    to_quote = time.monotonic() - t0
    _settle(page, 0)
    done = time.monotonic() - t0
    page.wait_for_timeout(2800)  # the app keeps the new answer in view for 2.5 s after the run
    return answer, to_quote, done


def _in_view(locator, page) -> bool:
    """Entirely inside the window and above the question box (which floats over the page's bottom)."""
    box_top = page.get_by_placeholder(BOX).evaluate("e => e.closest('[data-testid=\"stChatInput\"]')"
                                                    ".getBoundingClientRect().top")
    r = locator.bounding_box()
    return r is not None and r["y"] >= 0 and r["y"] + r["height"] <= box_top


def test_answer_is_in_view_with_its_citation_and_sources_open_on_click(page_for, server):
    page = page_for()
    TIMINGS["start_to_usable_s"] = round(time.monotonic() - server["started"], 2)
    _shot(page, "e2e_start.png")
    quote_times, done_times = [], []
    answers = {}
    for q in (HJEMMEARBEJDE, RESORTFLYT, STATUS, BUDGET):
        answer, to_quote, done = _ask(page, q)
        answers[q] = answer
        quote_times.append(round(to_quote, 2))
        done_times.append(round(done, 2))
        quote = answer.locator(".rq-quote")
        assert _in_view(quote, page), f"the quote of {q!r} is not in view"
        assert _in_view(answer.locator(".rq-small").first, page)  # its citation line, right below
    TIMINGS["first_enter_to_quote_s"] = quote_times[0]
    TIMINGS["enter_to_quote_s"] = quote_times[1:]
    TIMINGS["enter_to_quote_median_s"] = statistics.median(quote_times[1:])
    TIMINGS["enter_to_done_s"] = done_times[1:]
    _shot(page, "e2e_answer.png")
    # the budget question is answered with the amount itself, before the quote
    assert answer.locator(".rq-lead").inner_text() == "35 mio. kr."
    assert _in_view(answer.locator(".rq-lead"), page)
    # sources: one line each, light until opened
    cards = answer.locator('[data-testid="stExpander"]')
    first = cards.filter(has_text="[1] ").first
    assert first.locator("mark").count() == 0
    first.locator("summary").click()
    first.locator("mark").first.wait_for(timeout=30_000)
    first.locator('[data-testid="stCode"]').wait_for()
    assert "punkt 2: Orientering fra formand og næstformand" in first.locator('[data-testid="stCode"]').inner_text()
    _settle(page)
    _shot(page, "e2e_card_open.png")
    # the Danish tooltip of the copy button
    code = first.locator('[data-testid="stCode"]')
    tip = page.locator('[data-testid="stTooltipContent"]').first
    for _ in range(3):  # a tooltip shows only after the pointer rests; a rerun of the page can move it away
        code.hover()
        code.locator("button").hover()
        try:
            tip.wait_for(timeout=5_000)
            break
        except sync_api.TimeoutError:
            page.mouse.move(0, 0)
    assert tip.inner_text() == "Kopiér til udklipsholderen"
    _shot(page, "e2e_copy_tooltip.png")
    # "Kopiér svar" puts the answer with its citation on the clipboard
    answer.locator("button.rq-copy").click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("35 mio. kr.: »Der skal findes 35 mio. kr.")
    assert "AfdelingsMED Borger, Arbejdsmarked & Erhverv, 23. maj 2024" in copied
    # the mark [2] ("Se også") opens card 2 and brings it into view: on the status question, whose second
    # source is relevant too (the budget answer has one relevant source under the shipped weights)
    status = answers[STATUS]
    status.locator("a.rq-ref", has_text="[2]").click()
    second = status.locator('[data-testid="stExpander"]').filter(has_text="[2] ").first
    second.locator("mark").first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    assert _in_view(second.locator("summary"), page)
    # thumbs up is stored beside the index
    answer.locator('[data-testid="stFeedback"] button').first.click()
    page.get_by_text("Tak! Din vurdering er gemt lokalt.").wait_for(timeout=30_000)
    with sqlite3.connect(server["index"] / "notes.sqlite") as con:
        assert (BUDGET, 1) in con.execute("SELECT question, vote FROM feedback").fetchall()


def test_long_paste_is_cut_with_a_visible_notice(page_for):
    page = page_for()
    long_question = ("Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret og om "
                     "organiseringen af jobcentrene? " * 30)[:2600]
    answer, _, _ = _ask(page, long_question)
    notice = answer.get_by_text("Spørgsmålet var meget langt; jeg søgte kun på de første 2.000 tegn.")
    notice.wait_for(timeout=10_000)
    assert _in_view(notice, page)
    _shot(page, "e2e_long_question.png")


def test_reload_keeps_the_conversation_and_new_conversation_clears_it(page_for):
    page = page_for()
    _ask(page, HJEMMEARBEJDE)
    assert "samtale=" in page.url
    page.reload()
    page.get_by_placeholder(BOX).wait_for(timeout=60_000)
    _settle(page, 800)
    messages = page.locator('[data-testid="stChatMessage"]')
    assert messages.count() == 2
    assert HJEMMEARBEJDE in messages.nth(0).inner_text()
    assert messages.nth(1).locator(".rq-quote").count() == 1
    _shot(page, "e2e_reload.png")
    page.get_by_role("button", name="Ny samtale").click()
    sync_api.expect(page.locator('[data-testid="stChatMessage"]')).to_have_count(0, timeout=30_000)
    _settle(page, 500)
    page.reload()
    page.get_by_placeholder(BOX).wait_for(timeout=60_000)
    _settle(page, 800)
    assert page.locator('[data-testid="stChatMessage"]').count() == 0


def test_phone_sidebar_is_collapsed_and_the_question_box_is_free(page_for):
    page = page_for(390, 844)
    assert page.locator('[data-testid="stSidebar"]').evaluate("e => e.getBoundingClientRect().right") <= 0 or \
        page.locator('[data-testid="stSidebar"]').get_attribute("aria-expanded") == "false"
    box = page.get_by_placeholder(BOX)

    def free() -> bool:
        return box.evaluate("e => { const r = e.getBoundingClientRect();"
                            " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
                            " return r.top >= 0 && r.bottom <= innerHeight && (hit === e || e.contains(hit)); }")

    assert free()
    _shot(page, "e2e_phone_start.png")
    answer, _, _ = _ask(page, BUDGET)
    assert free() and _in_view(answer.locator(".rq-quote"), page)
    _shot(page, "e2e_phone_answer.png")


def test_theme_follows_the_system_dark_setting(page_for):
    page = page_for(dark=True)
    rgb = page.locator('[data-testid="stApp"]').evaluate("e => getComputedStyle(e).backgroundColor")
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    assert r + g + b < 150, rgb  # a dark background
    _ask(page, RESORTFLYT)
    _shot(page, "e2e_dark.png")


def test_filters_that_leave_nothing_relevant_say_so_and_offer_to_drop_them(page_for):
    page = page_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Udvalg").click()
    page.get_by_role("option", name="HovedMED", exact=True).click()
    _settle(page)
    low = sidebar.locator('[data-testid="stSlider"]').filter(has_text="Mødedatoer").locator('input[type="range"]').first
    low.focus()
    for _ in range(3):  # 12. november 2015 -> 2017 (the memo) -> 25. november 2022 -> 23. maj 2024
        low.press("ArrowRight")  # HovedMED did not meet from 23. maj 2024 on
    _settle(page)
    answer, _, _ = _ask(page, RESORTFLYT)
    warning = answer.get_by_text("Intet relevant med de valgte filtre")
    warning.wait_for(timeout=10_000)
    assert answer.locator(".rq-quote").count() == 0
    _shot(page, "e2e_filters_nothing.png")
    answer.get_by_role("button", name="Søg igen uden filtre").click()
    messages = page.locator('[data-testid="stChatMessage"]')
    messages.nth(3).locator(".rq-quote").wait_for(timeout=60_000)
    _settle(page, 2800)
    assert "HovedMED, 25. november 2022" in messages.nth(3).inner_text()
    # the filters are cleared on screen too, not only for this one search
    assert "HovedMED" not in sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Udvalg").inner_text()
    thumbs = sidebar.locator('[data-testid="stSlider"]').filter(has_text="Mødedatoer")
    assert thumbs.locator('[data-testid="stSliderThumbValue"]').all_inner_texts() == ["12. november 2015",
                                                                                        "10. marts 2025"]
    _shot(page, "e2e_filters_dropped.png")


def test_precedent_view_follows_the_topic(page_for):
    page = page_for()
    page.get_by_text("Hvad er sagt før?").click()
    topic = page.get_by_label("Emne")
    topic.wait_for()
    firsts = []
    for subject in ("resortflyt af beskæftigelsesansvaret", "hjemmearbejde"):
        topic.fill(subject)
        page.get_by_role("button", name="Find udtalelser").click()
        page.get_by_text(f"Søgte efter: {subject}").wait_for(timeout=60_000)
        _settle(page, 500)
        first = page.locator('[data-testid="stExpander"]').filter(has_text="[1] ").first
        first.wait_for(timeout=30_000)
        firsts.append(first.locator("summary").inner_text())
        _shot(page, f"e2e_precedent_{subject.split()[0]}.png")
    assert firsts[0] != firsts[1], firsts
    page.get_by_text("Tidslinje").click()
    page.locator(".rq-timeline").wait_for(timeout=30_000)
    _shot(page, "e2e_precedent_timeline.png")


def test_upload_moves_the_date_filter_and_an_upload_can_be_removed(page_for, server, tmp_path):
    page = page_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    slider = sidebar.locator('[data-testid="stSlider"]').filter(has_text="Mødedatoer")

    def thumbs() -> list[str]:
        return slider.locator('[data-testid="stSliderThumbValue"]').all_inner_texts()

    assert thumbs() == ["12. november 2015", "10. marts 2025"]
    newer = tmp_path / "2026-01-15_testby_afdelingsmed_referat.md"
    newer.write_text("# Referat af møde i AfdelingsMED den 15. januar 2026\n\n"
                     "## Punkt 1: Kantineordning\n\nMedarbejdersiden foreslog en ny kantineordning med "
                     "frugt og salat hver dag. Ledelsen bakkede op om forslaget.\n", encoding="utf-8")
    sidebar.locator('input[type="file"]').set_input_files(str(newer))
    sidebar.get_by_role("button", name="Indeksér 1 fil(er)").click()
    sidebar.get_by_text("Tilføjet: 1 dokument(er)").wait_for(timeout=120_000)
    _settle(page, 500)
    assert thumbs() == ["12. november 2015", "15. januar 2026"]  # the date range followed the index
    assert (server["corpus"] / "uploads" / newer.name).exists()
    _shot(page, "e2e_upload.png")
    sidebar.get_by_text("Dokumenterne").click()
    _settle(page, 500)  # the upload's last progress rerun is over before the click
    sidebar.get_by_role("button", name="Fjern").click()
    _settle(page, 500)
    dialog = page.locator('[role="dialog"]')
    dialog.get_by_text("fjernes fra indekset").wait_for(timeout=30_000)
    _shot(page, "e2e_remove_dialog.png")
    dialog.get_by_role("button", name="Fjern").click()
    sidebar.get_by_text(f"Fjernet: {newer.name}").wait_for(timeout=60_000)
    _settle(page, 500)
    assert thumbs() == ["12. november 2015", "10. marts 2025"]
    assert not (server["corpus"] / "uploads" / newer.name).exists()
    _shot(page, "e2e_removed.png")
