"""Tests for the Streamlit app (app.py): the whole page through AppTest (its text helpers: tests/test_present.py).

The page tests run the real app in-process against an index built once per test session from
corpus/ into a temporary folder (QA_MODEL from the environment, else the default model).
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


def _examples() -> list[str]:
    """The example questions of the empty page, read from app.py without running it."""
    import ast

    for node in ast.parse(APP.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXAMPLES":
            return ast.literal_eval(node.value)
    raise AssertionError("app.py has no EXAMPLES")


EXAMPLES = _examples()


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
    """The copyable citations of the opened source cards."""
    return [c.value for c in at.code]


def _cards(at, message: int = -1) -> list[str]:
    """The one-line source cards of an assistant message (the last one by default), in order."""
    answers = [m for m in at.chat_message if m.name == "assistant"]
    return [e.label for e in answers[message].expander if e.label.startswith("[")] if answers else []


def _open_card(at, number: int, message: int = -1):
    """Open source card `number` of an answer, as a click on its line does."""
    turn = at.session_state["history"][message]
    at.session_state[f"src-{turn['id']}-{number}"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at) -> str:
    import html

    return "\n".join(html.unescape(h.value) for h in at.html)



@pytest.mark.slow
def test_empty_state_shows_examples_and_overview(app_env):
    at = _run()
    labels = [b.label for b in at.button]
    for q in EXAMPLES:
        assert q in labels
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Dokumenter": "5", "Møder": "5"}  # the 2017 memo is dated by its file name
    assert not at.error


@pytest.mark.slow
def test_answer_comes_first_and_sources_are_one_line_each(app_env):
    at = _ask(_run(), RESORTFLYT)
    page = _html(at)
    assert re.search(r'class="rq-quote">».*resortflyt.*«.*\[1\]', page)  # the quote, with its mark [1]
    assert "— HovedMED, 25. november 2022, punkt 2: Opfølgning på BIF-SOF-analysen" in page
    cards = _cards(at)
    assert cards[0].startswith("[1] HovedMED · 25. november 2022 · Punkt 2: Opfølgning på BIF-SOF-analysen")
    assert "Søgte efter: " + RESORTFLYT in page
    # the cards are light until opened: no passage, no citation block yet
    assert not _citations(at) and "<mark>" not in page
    _open_card(at, 1)
    assert _citations(at)[0].startswith("HovedMED, 25. november 2022, punkt 2: Opfølgning på BIF-SOF-analysen")
    assert "<mark>" in _html(at)
    assert "Vis hele punktet" in [t.label for t in at.toggle]
    tid = at.session_state["history"][-1]["id"]
    at.toggle(key=f"item-{tid}-1").set_value(True).run()
    whole = [h.value for h in at.html if 'class="rq-passage"' in h.value][-1]
    assert "<mark>" in whole and len(whole) > len([h.value for h in at.html if 'class="rq-passage"' in h.value][0])
    assert not at.warning


@pytest.mark.slow
def test_a_named_municipality_is_shown_as_searched_first(app_env):
    page = _html(_ask(_run(), "Hvad skal der ske med jobcentrene i Albertslund?"))
    assert "Først fra: Albertslund Kommune" in page


@pytest.mark.slow
def test_weak_sources_are_folded_under_maybe_relevant(app_env):
    at = _ask(_run(), HJEMMEARBEJDE)
    answer = at.session_state["history"][-1]["answer"]
    relevant, maybe = present.split_relevant(answer.hits, load_settings().relevant_ratio)
    assert len(relevant) + len(maybe) == 5 and maybe  # the corpus has two passages on hjemmearbejde
    labels = [e.label for e in at.expander]
    assert f"Måske relevant ({len(maybe)})" in labels
    assert len(_cards(at)) == 5  # numbered on: [1] [2] relevant, the rest inside the fold
    assert "Se også" in _html(at) or len(relevant) == 1


@pytest.mark.slow
def test_the_question_asked_for_a_number_or_date_is_answered_with_it(app_env):
    at = _ask(_run(), "Hvor mange penge skal der findes i budget 2025?")
    assert '<div class="rq-lead">35 mio. kr.</div>' in _html(at)


@pytest.mark.slow
def test_example_button_asks_the_question(app_env):
    at = _run()
    next(b for b in at.button if b.label == EXAMPLES[1]).click().run()
    assert not at.exception
    assert any("Punkt 4: Attraktiv arbejdsplads" in c for c in _cards(at))
    assert at.session_state["history"][0]["question"] == EXAMPLES[1]


@pytest.mark.slow
def test_filters_change_the_results(app_env):
    at = _ask(_run(), RESORTFLYT)
    at.selectbox(key="f_committee").set_value("AfdelingsMED")
    at.slider(key="f_k").set_value(3)
    _ask(at, RESORTFLYT)
    newest = at.session_state["history"][-1]["answer"]
    # the filter names a kind of body; the committee keeps its unit ("AfdelingsMED Borger, …")
    assert len(newest.hits) == 3 and all(h.chunk.body == "AfdelingsMED" for h in newest.hits)
    assert all("AfdelingsMED" in c.split(" · ")[0] for c in _cards(at))
    assert "Filtre: udvalg: AfdelingsMED" in _html(at)

    at.selectbox(key="f_committee").set_value(None)
    at.selectbox(key="f_doctype").set_value("høringssvar")
    _ask(at, "Hvad mener man om de tværfaglige teams?")
    newest = at.session_state["history"][-1]["answer"]
    assert newest.hits and all(h.chunk.doc_type == "høringssvar" for h in newest.hits)


@pytest.mark.slow
def test_filters_that_leave_nothing_relevant_say_so_and_can_be_removed(app_env):
    at = _run()
    at.selectbox(key="f_committee").set_value("HovedMED")  # HovedMED met in 2015 and 2022 ...
    at.select_slider(key="f_dates").set_value(("2024-05-23", "2025-03-10"))  # ... not in this period
    _ask(at, RESORTFLYT)
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("Intet relevant med de valgte filtre (udvalg: HovedMED, periode: 23. maj 2024")
    assert not _cards(at) and 'class="rq-quote"' not in _html(at)
    at.button(key=f"nofilter-{at.session_state['history'][-1]['id']}").click().run()
    assert not at.exception
    assert at.selectbox(key="f_committee").value is None
    assert tuple(at.select_slider(key="f_dates").value) == ("2015-11-12", "2025-03-10")
    turn = at.session_state["history"][-1]
    assert turn["question"] == RESORTFLYT and not turn["filters"] and not turn["answer"].abstain
    assert _cards(at)[0].startswith("[1] HovedMED · 25. november 2022")


@pytest.mark.slow
def test_abstention_shows_nearest_passages_as_maybe_relevant(app_env, monkeypatch):
    from qa.present import NOTHING_FOUND

    monkeypatch.setenv("QA_ABSTAIN_BELOW", "100")  # nothing is confident enough
    at = _ask(_run(), "Hvad er opskriften på æblekage?")
    assert [w.value for w in at.warning] == [NOTHING_FOUND]
    assert any(e.label.startswith("Måske relevant (") for e in at.expander)
    assert 1 <= len(_cards(at)) <= 5
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
    assert not _cards(at)
    assert EXAMPLES[0] in [b.label for b in at.button]


@pytest.mark.slow
def test_conversation_is_kept_under_its_address_and_cleared_with_new_conversation(app_env):
    at = _ask(_run(), RESORTFLYT)
    cid = at.query_params["samtale"][0] if isinstance(at.query_params["samtale"], list) else at.query_params["samtale"]
    # a reload is a new session with the same address
    from streamlit.testing.v1 import AppTest
    again = AppTest.from_file(str(APP), default_timeout=120)
    again.query_params["samtale"] = cid
    again.run()
    assert [t["question"] for t in again.session_state["history"]] == [RESORTFLYT]
    assert _cards(again)[0].startswith("[1] HovedMED · 25. november 2022")
    again.button(key="new_conversation").click().run()
    third = AppTest.from_file(str(APP), default_timeout=120)
    third.query_params["samtale"] = cid
    third.run()
    assert third.session_state["history"] == []


@pytest.mark.slow
def test_feedback_is_stored_beside_the_index_and_exported_as_questions(app_env):
    import json

    at = _ask(_run(), RESORTFLYT)
    at.feedback[0].set_value(1).run()
    assert not at.exception
    assert [b for b in at.get("download_button") if b.proto.label == "Hent vurderinger som testspørgsmål"]
    assert (app_env / "notes.sqlite").exists()
    from qa.storage.notes import Notes
    rows = [r for r in Notes(app_env).feedback() if r["question"] == RESORTFLYT]
    assert rows and rows[-1]["vote"] == 1
    line = present.feedback_question(rows[-1])
    assert line["question"] == RESORTFLYT and line["evidence"] and line["doc"].endswith(".md")
    json.dumps(line)


@pytest.mark.slow
def test_export_contains_the_citations(app_env):
    at = _ask(_ask(_run(), RESORTFLYT), HJEMMEARBEJDE)
    history = at.session_state["history"]
    md = present.conversation_markdown(history)
    for turn in history:
        for h in turn["answer"].hits:
            assert present.md_escape(present.citation(h.chunk)) in md
    assert f"## 1. {RESORTFLYT}" in md and f"## 2. {HJEMMEARBEJDE}" in md
    button = [b for b in at.get("download_button") if b.proto.label == "Hent samtalen"]
    assert len(button) == 1 and not button[0].proto.disabled


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
    assert "<script>" not in "\n".join(h.value for h in at.html if not h.proto.unsafe_allow_javascript)
    if len(" ".join(question.split())) > MAX_QUESTION:
        # the server cuts it and says so, visibly
        assert turn["answer"].cut and present.cut_notice(MAX_QUESTION) in [w.value for w in at.warning]
        assert len(turn["searched"]) <= MAX_QUESTION + 200
    assert "Traceback" not in page


@pytest.mark.slow
def test_precedent_view_ranks_by_topic_and_groups_by_meeting(app_env):
    at = _run()
    at.radio(key="mode").set_value("Hvad er sagt før?").run()
    firsts = {}
    for topic in ("resortflyt af beskæftigelsesansvaret", "hjemmearbejde"):
        at.text_input(key="p_topic").set_value(topic)
        at.selectbox(key="p_side").set_value("medarbejdersiden")
        next(b for b in at.button if b.label == "Find udtalelser").click().run()
        assert not at.exception
        result = at.session_state["precedent"]
        hits = result["hits"]
        assert hits and all("medarbejdersiden" in h.chunk.sides for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)  # by relevance
        firsts[topic] = hits[0].chunk.chunk_id
    assert len(set(firsts.values())) == 2  # the topic decides what comes first
    at.radio(key="p_order").set_value("Efter dato").run()
    headings = [m.value for m in at.markdown if m.value.startswith("##### ")]
    expected = [present.danish_date(m.date) or "Uden dato" for m in present.meetings(hits, "date")]
    assert [h[6:].split(" · ")[0] for h in headings] == expected
    at.radio(key="p_order").set_value("Tidslinje").run()
    assert 'class="rq-timeline"' in _html(at)


@pytest.mark.slow
def test_load_failure_gives_a_danish_message(app_env, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "en-anden-model")  # the index was built with another model
    at = _run()
    assert len(at.error) == 1 and "bygget med modellen" in at.error[0].value
    assert not at.exception
    assert [b.label for b in at.button] == ["Prøv igen"]


def test_a_development_question_is_answered_with_a_line_per_meeting(tmp_path, monkeypatch):
    """Before: the answer was the first meeting's sentence and its figure as the lead ("6,9 %")."""
    from qa.api import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for date, share in (("2022-03-01", "6,9"), ("2023-03-01", "6,1"), ("2024-03-01", "5,2")):
        (corpus / f"referat {date}.txt").write_text(
            f"Referat af møde i SektorMED Pleje\nMødedato: {date}\n\nPunkt 2: Sygefravær\nSagsfremstilling\n"
            f"Sygefraværet for hele året endte på {share} procent, oplyste HR på mødet.\n\n"
            "Punkt 3: Eventuelt\nIntet.\n", encoding="utf-8")
    index = tmp_path / "index"
    build_index(load_settings().replace(index_dir=index, model=APP_MODEL), corpus)
    monkeypatch.setenv("QA_INDEX_DIR", str(index))
    monkeypatch.setenv("QA_MODEL", APP_MODEL)
    at = _ask(_run(), "Hvordan har sygefraværet udviklet sig over årene?")
    table = next(h.value for h in at.html if 'class="rq-timeline"' in h.value)
    shares = [table.index(f"endte på {s} procent") for s in ("6,9", "6,1", "5,2")]
    assert shares == sorted(shares)  # in date order
    assert 'class="rq-lead"' not in table
