"""Follow-up questions in a conversation: which lean on the previous turn, and what is searched then."""
from __future__ import annotations

import pytest

from qa.ask import conversation as app
from qa.ask.conversation import rewrite
from qa.types import Turn

RESORTFLYT = "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?"
HJEMMEARBEJDE = "Hvordan aftales hjemmearbejde i afdelingen?"


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




def test_rewrite_uses_what_the_previous_turn_searched_for():
    first = Turn(RESORTFLYT, RESORTFLYT)
    assert "resortflyt" in rewrite("Og ledelsen?", first)
    assert rewrite("Og ledelsen?", None) == "Og ledelsen?"
    assert rewrite(HJEMMEARBEJDE, first) == HJEMMEARBEJDE
