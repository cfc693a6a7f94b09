"""Follow-up questions in a conversation: which lean on the previous turn, and what is searched then."""
from __future__ import annotations

import pytest

from qa.ask import conversation as app
from qa.ask.conversation import carry_topic, entities, followup_features, read_turn
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
    assert read_turn(question, Turn(previous, previous)) == (question, False)


def test_the_word_rules_read_an_article_as_no_pointing_word():
    long_q = "Hvornår blev den nye kantineordning i rådhusets stueetage indført for personalet?"
    assert not app.is_followup(long_q)
    assert app.is_followup("Hvornår blev den indført for personalet i rådhusets stueetage?")


def test_a_bare_since_then_points_back_a_dated_since_does_not():
    assert app.points_back("Er der også målt i andre huse siden?")
    assert app.points_back("Hvad er der sket siden da?")
    assert not app.points_back("Hvordan har sygefraværet udviklet sig siden 2021?")
    assert not app.points_back("Hvad er der sket siden mødet i marts?")


def test_word_rules_carry_the_previous_topic():
    searched, leans = read_turn("Og hvad med ledelsen?", Turn(RESORTFLYT, RESORTFLYT))
    assert leans and searched.startswith("Og hvad med ledelsen?")
    assert "resortflyt" in searched and "beskæftigelsesansvaret" in searched
    # the new question names a side, so the previous side is not searched for as well
    assert "medarbejdersiden" not in searched.lower()


def test_the_old_side_comes_along_only_when_a_personal_pronoun_points_to_it():
    prev = "Hvad sagde medarbejdersiden om den nye vagtplan i vintertjenesten?"
    matter = carry_topic("Hvad endte det med?", prev)  # "det" is the matter, not the side that spoke
    assert "vagtplan" in matter and "medarbejdersiden" not in matter
    assert "medarbejdersiden" in carry_topic("Hvad ville de have i stedet?", prev)


def test_word_rules_keep_standalone_questions():
    long_q = "Hvilke ændringer foreslår HovedMED for virksomhedskonsulenternes tværfaglige teams i jobcentrene?"
    assert read_turn(long_q, Turn(RESORTFLYT, RESORTFLYT)) == (long_q, False)
    assert read_turn("Og ledelsen?", None) == ("Og ledelsen?", False)
    assert read_turn("  Og   ledelsen? ", Turn("", "")) == ("Og ledelsen?", False)


def test_a_chain_of_followups_keeps_its_topic_and_stays_short():
    first, _ = read_turn("Og ledelsen?", Turn(RESORTFLYT, RESORTFLYT))
    second, _ = read_turn("Hvad med tillidsrepræsentanterne?", Turn("Og ledelsen?", first))
    assert "resortflyt" in second
    huge = " ".join(f"emne{i}" for i in range(500))
    assert len(carry_topic("Og det?", huge).split()) <= 2 + app.MAX_TOPIC_WORDS


# --- the learned reading of a turn ----------------------------------------------------------------


def _prev(text):
    return Turn(text, text)


def test_a_question_with_its_own_body_year_or_name_never_inherits_the_old_topic():
    prev = _prev("Hvor mange penge skal der findes i budget 2025?")
    for q in ("Hvem blev valgt som næstformand i MEDII?", "Og i 2023?", "Hvad sagde Dorte Lund?"):
        searched, leans = read_turn(q, prev)
        assert (searched, leans) == (q, False)


def test_a_pointing_question_carries_the_topic_and_its_year():
    searched, leans = read_turn("Hvad var ledelsens argument?",
                                _prev("Hvorfor blev retningslinjen for hjemmearbejde ikke vedtaget i juni 2022?"))
    assert leans and "hjemmearbejde" in searched and "2022" in searched


def test_the_year_before_shifts_the_carried_year():
    assert "2023" in carry_topic("Og året før?", "Hvor mange voldsepisoder havde Kildebakken i 2024?")


def test_features_see_pointing_words_and_new_subjects():
    f = followup_features("Har det virket?", "Hvad er tryghedsteamet på Egely?")
    assert f["pointing"] == 1.0 and f["new_words"] <= 1 and f["brings_entity"] == 0.0
    assert "medii" in {e.lower() for e in entities("næstformand i MEDII")}


def test_a_followup_keeps_its_own_kind_of_question():
    prev = "Hvordan har sygefraværet udviklet sig siden 2021?"
    searched = carry_topic("Hvad er det nyeste tal for det?", prev)
    assert "sygefraværet" in searched and "udviklet" not in searched and "2021" not in searched


# --- what the previous answer showed ---------------------------------------------------------------
from qa.ask.conversation import leaning  # noqa: E402
from qa.ask.query import parse_query  # noqa: E402

SMARTPHONES = Turn("Hvornår bliver de nye smartphones delt ud?", "Hvornår bliver de nye smartphones delt ud?",
                   "d1", "7", "Nye smartphones i Hjemmeplejen", "2024-06-18",
                   "Telefonerne deles ud i uge 36, og alle får oplæring af en superbruger.")


def test_a_word_the_previous_answer_showed_is_not_a_new_subject():
    asked = followup_features("Får man nogen oplæring?", SMARTPHONES.searched_for, SMARTPHONES.passage)
    fresh = followup_features("Hvornår var der temadag om forflytning?", SMARTPHONES.searched_for,
                              SMARTPHONES.passage)
    assert (asked["unseen_words"], fresh["unseen_words"]) == (0.0, 2.0)
    assert followup_features("Hvornår startede det på Kildebakken?", SMARTPHONES.searched_for)["brings_name"] == 1.0
    assert followup_features("Får man nogen oplæring?", SMARTPHONES.searched_for)["brings_name"] == 0.0


def _always_leaning():
    """A follow-up detector whose probability is about 1 for any question."""
    from qa.ask.conversation import FOLLOWUP_FEATURES
    from qa.ask.ranker import Linear

    n = len(FOLLOWUP_FEATURES)
    return Linear(FOLLOWUP_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 10.0)


def test_a_question_with_its_own_subject_starts_afresh_whatever_the_model_says():
    always = _always_leaning()
    assert read_turn("Hvornår var der temadag om forflytning?", SMARTPHONES, always) == (
        "Hvornår var der temadag om forflytning?", False)
    for leaning_on in ("Får man nogen oplæring?", "Hvornår er de kommet?", "Og til nyansatte?",
                       "Hvad besluttede man at gøre?"):  # doing and deciding name no subject
        assert read_turn(leaning_on, SMARTPHONES, always)[1], leaning_on


def test_who_holds_a_role_is_a_question_of_its_own():
    always = _always_leaning()
    for fresh in ("Hvem er ny TR for sygeplejerskerne?", "Hvem blev valgt som næstformand?"):
        assert read_turn(fresh, SMARTPHONES, always) == (fresh, False), fresh
    for leaning_on in ("Hvem er formand for den?", "Og hvem blev næstformand?", "Hvem er ansvarlig?"):
        assert read_turn(leaning_on, SMARTPHONES, always)[1], leaning_on


def test_hvad_med_with_a_question_of_its_own_brings_its_own_subject():
    """ "Hvad med X – hvornår …?" asks about X in a question of its own ("de" points to X); the elliptical
    "Og hvad med tiden til høringen?" borrows the previous question."""
    prev = "Hvad lægger regeringen op til med jobcentrene i beskæftigelsesreformen?"
    own = followup_features("Hvad med de nye smartphones – hvornår bliver de delt ud?", prev)
    assert (own["pointing"], own["opens_og"]) == (0.0, 0.0)
    assert read_turn("Hvad med de nye smartphones – hvornår bliver de delt ud?", Turn(prev, prev),
                     _always_leaning())[1] is False
    borrowed = followup_features("Og hvad med tiden til høringen?", "Hvad sagde HovedMED om budgetmodellen?")
    assert borrowed["opens_og"] == 1.0
    assert app.is_followup("Og hvad med tiden til høringen?")
    assert not app.is_followup("Hvad med de nye smartphones – hvornår bliver de delt ud?", prev)


def test_an_article_is_not_a_pointing_word():
    from qa.ask.conversation import points_back

    for fresh in ("Hvad koster den nye kantineordning?", "Hvad er det for et tryghedsteam, ledelsen ville oprette?",
                  "Hvad sagde tillidsrepræsentanten om de selvstyrende teams?"):
        assert not points_back(fresh), fresh
    for leaning_on in ("Har det virket?", "Hvad ville de have i stedet?", "Hvad går den ud på?",
                       "Hvad ønskede medarbejdersiden på baggrund af de tal?"):
        assert points_back(leaning_on), leaning_on
    forflytning = Turn("Hvornår var der temadag om forflytning?", "Hvornår var der temadag om forflytning?", "d1",
                       "8", "Eventuelt", "2023-03-15", "Jonas orienterede om en temadag om forflytning.")
    assert read_turn("Hvad koster den nye kantineordning?", forflytning, _always_leaning())[1] is False


def test_a_followup_query_carries_the_previous_answer_and_a_fresh_one_does_not():
    q = parse_query("Har det virket?")
    led = leaning(q, SMARTPHONES, True, "Har det virket?")
    assert led.previous == SMARTPHONES and led.afterwards
    assert not leaning(q, SMARTPHONES, True, "Hvad koster de?").afterwards
    assert leaning(q, SMARTPHONES, False, "Har det virket?").previous is None
    assert leaning(q, Turn("x", "x"), True, "Har det virket?").previous is None  # nothing was answered
    # the same subject for another unit: the previous answer's place no longer applies
    assert leaning(q, SMARTPHONES, True, "Og Sygeplejen?").previous is None


def test_a_followup_period_without_a_year_is_the_one_nearest_the_previous_answer():
    asked = "Hvordan fik man så sommeren til at hænge sammen?"
    q = parse_query(asked, ref="2025-03-18")
    assert q.period.start == "2024-06-01"  # alone: the newest summer
    assert leaning(q, SMARTPHONES, True, asked).period.start == "2024-06-01"
    june_2022 = Turn("Hvor mange sommerafløsere manglede vi i juni 2022?", "sommerafløsere manglede juni 2022",
                     "d0", "5", "Rekruttering", "2022-06-14")
    assert leaning(q, june_2022, True, asked).period.start == "2022-06-01"
    named = parse_query("Og sommeren 2023?", ref="2025-03-18")
    assert leaning(named, june_2022, True, "Og sommeren 2023?").period.start == "2023-06-01"  # its own year stands


def test_what_became_of_it_drops_the_carried_period_and_its_words_for_the_next_turn():
    prev = Turn("Hvad foreslog arbejdsgruppen at spare i juni?", "Hvad foreslog arbejdsgruppen at spare i juni?",
                "d1", "4", "Budget 2025: forslag", "2024-06-12", "Forslagene giver 2,6 mio. kr.")
    question = "Hvad endte det med?"
    searched, leans = read_turn(question, prev, _always_leaning())
    assert leans and "juni" in searched
    query = leaning(parse_query(searched, ref="2025-03-18"), prev, True, question)
    assert query.afterwards and query.period is None
    assert "juni" not in query.text and "arbejdsgruppen" in query.text and query.text.startswith(question)
