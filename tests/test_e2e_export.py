"""The exported conversation, rendered by a CommonMark renderer and opened in real Chromium, runs nothing.

Before issue 15 the same export fired 39 alert() dialogs. Every link is clicked too, since a
javascript: URL only runs when followed.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from qa.present import conversation_markdown
from tests.hostile import PAYLOADS, hostile_history

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")]
sync_api = pytest.importorskip("playwright.sync_api")


def _dialogs(html: str) -> tuple[int, str]:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            fired: list[str] = []
            page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
            page.set_content(html, wait_until="load", timeout=20_000)
            page.wait_for_timeout(300)
            for a in page.query_selector_all("a"):
                try:
                    a.click(timeout=300)
                except Exception:  # noqa: BLE001 - a link that cannot be clicked runs nothing either
                    pass
            page.wait_for_timeout(300)
            return len(fired), page.inner_text("body")
        finally:
            browser.close()


def test_export_rendered_in_chromium_fires_no_dialog():
    md = conversation_markdown(hostile_history())
    html = "<!doctype html><meta charset=utf-8><body>" + MarkdownIt("commonmark").render(md) + "</body>"
    n, text = _dialogs(html)
    assert n == 0
    assert "<script>alert(1)</script>" in text  # shown as the words the document holds


def test_the_check_itself_sees_live_markup():
    """The same page with one unescaped payload does fire: the counting is real."""
    html = "<!doctype html><body>" + MarkdownIt("commonmark").render(PAYLOADS[1]) + "</body>"
    assert _dialogs(html)[0] >= 1
