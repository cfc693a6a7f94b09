from __future__ import annotations

import pytest

from qa.danish.dates import asks_latest, asks_trend, held_in, mentions, names_other, parse_period, pins_meeting

REF = "2025-03-18"  # the newest meeting: what relative words are read against


@pytest.mark.parametrize("text, start, end, kind", [
    ("Hvad var sygefraværet i 3. kvartal 2023?", "2023-07-01", "2023-09-30", "quarter"),
    ("fraværet i tredje kvartal 2022", "2022-07-01", "2022-09-30", "quarter"),
    ("Hvad skete der i 1. halvår 2024?", "2024-01-01", "2024-06-30", "half"),
    ("APV'en fremlagt i efteråret 2022", "2022-09-01", "2022-11-30", "season"),
    ("energi i vinteren 2022", "2022-12-01", "2023-02-28", "season"),
    ("på mødet i november 2023", "2023-11-01", "2023-11-30", "month"),
    ("mødet den 10. marts 2025", "2025-03-10", "2025-03-10", "day"),
    ("Hvor mange blev ansat i 2022?", "2022-01-01", "2022-12-31", "year"),
    ("Hvad er budgettet i år?", "2025-01-01", "2025-12-31", "year"),
    ("Hvad var fraværet sidste år?", "2024-01-01", "2024-12-31", "year"),
    ("udviklet sig fra 2021 til 2024", "2021-01-01", "2024-12-31", "span"),
    ("udviklet sig siden 2021", "2021-01-01", REF, "span"),
])
def test_periods_a_question_names(text, start, end, kind):
    p = parse_period(text, REF)
    assert (p.start, p.end, p.kind) == (start, end, kind)


def test_a_period_without_a_year_is_the_latest_one_begun_by_the_newest_meeting():
    assert parse_period("Hvad skete der i december?", REF).start == "2024-12-01"
    assert parse_period("Hvad skete der i marts?", REF).start == "2025-03-01"
    assert parse_period("i 4. kvartal", REF).start == "2024-10-01"


def test_near_a_meeting_a_period_without_a_year_is_the_one_closest_to_it():
    assert parse_period("Og i efteråret?", REF, near="2022-06-14").start == "2022-09-01"
    assert parse_period("Og i foråret?", REF, near="2022-11-10").start == "2023-03-01"
    assert parse_period("Hvad skete der i december?", REF, near="2023-03-15").start == "2022-12-01"
    assert parse_period("i 4. kvartal 2021", REF, near="2023-03-15").start == "2021-10-01"


def test_a_meeting_named_by_a_month_alone_is_the_latest_such_month_that_had_a_meeting():
    p = parse_period("Hvad skete der på mødet i februar?", REF)
    assert p.start == "2025-02-01"
    held = held_in(p, ("2023-02-07", "2024-02-29", "2025-03-18"))
    assert (held.start, held.end, held.label) == ("2024-02-01", "2024-02-29", "i februar")
    assert held_in(p, ("2025-02-03",)) == p  # that February had one
    assert held_in(p, ("2025-03-18",)) == p  # no February at all: left as read
    with_year = parse_period("mødet i februar 2025", REF)
    assert held_in(with_year, ("2024-02-20",)) == with_year  # a year said is a year meant


def test_words_that_only_look_like_periods_are_not():
    assert parse_period("Hvor mange sommerafløsere fik man?", REF) is None
    assert parse_period("Hvem er formand?", REF) is None


def test_latest_trend_and_meeting_pins():
    assert asks_latest("Hvad sagde medarbejdersiden senest om hjemmearbejde?")
    assert asks_latest("Hvem er næstformand nu?")
    assert not asks_latest("Hvad blev der til sidst besluttet?")
    # after a modal verb "senest" sets a deadline
    assert not asks_latest("Hvornår skal ansøgningerne senest være sendt?")
    assert not asks_latest("Hvornår skulle planen senest foreligge?")
    assert asks_latest("Hvad skal der ske, og hvad blev senest besluttet?")  # (a new clause)
    assert asks_trend("Hvordan har sygefraværet udviklet sig siden 2021?")
    assert not asks_latest("Hvordan har sygefraværet udviklet sig indtil nu?")
    assert pins_meeting("Hvad besluttede udvalget på mødet i november 2023?")
    assert not pins_meeting("Hvad var sygefraværet i 3. kvartal 2023?")


def test_a_passage_names_the_period_or_another_of_its_kind():
    q3 = parse_period("i 3. kvartal 2023", REF)
    assert mentions("Sygefraværet i 3. kvartal 2023 var 5,8 %.", q3)
    assert not mentions("Sygefraværet i 1. kvartal 2023 var 7,0 %.", q3)
    assert names_other("Sygefraværet i 1. kvartal 2023 var 7,0 %.", q3)
    assert not names_other("Budgettet blev vedtaget.", q3)
    assert names_other("Sygefraværet i 3. kvartal 2022 var 6,1 %.", q3)  # the same quarter, another year
    summer = parse_period("i sommeren 2024", REF)
    # the same season without its year ("i sommer" in June's minutes) is no other period; winter is
    assert not names_other("Det er ikke nødvendigt at lukke pladser på Egely i sommer.", summer)
    assert names_other("Pladserne lukkes i vinteren.", summer)
    assert not names_other("Det halve år gik godt.", parse_period("i 1. halvår 2024", REF))
    assert names_other("I 2. halvår faldt fraværet.", parse_period("i 1. halvår 2024", REF))
    year = parse_period("i 2023", REF)
    assert mentions("rammen på 628,9 mio. kr. i 2023", year)


@pytest.mark.parametrize("text, after", [
    ("Har det virket?", True), ("Blev det til noget?", True), ("Er de blevet sat op?", True),
    ("Blev der fulgt op med en ny måling?", True), ("Hvornår kom den så igennem?", True),
    ("Og hvad kom der ud af det?", True), ("Hvordan gik det med støjen?", True),
    ("Hvornår blev det sat i gang?", True), ("Er alarmerne taget i brug?", True), ("Er det sket?", True),
    ("Hvad var ledelsens argument?", False), ("Hvornår skal det være færdigt?", False),
    ("Hvad gik det nattevagttillæg ud på?", False), ("Er der målt i andre huse siden?", True),
    ("Hvordan har fraværet udviklet sig siden 2021?", False),
])
def test_a_question_asking_what_became_of_it_later(text, after):
    from qa.danish.dates import asks_afterwards

    assert asks_afterwards(text) is after


@pytest.mark.parametrize("text, start, label", [
    ("Hvordan endte forslaget om natbonus, som blev udsat i marts 2021?", "2021-04-01", "efter marts 2021"),
    ("Hvad blev der til sidst besluttet om kantinen, der blev drøftet på mødet den 3. maj 2021?", "2021-05-04",
     "efter 3. maj 2021"),
])
def test_how_a_dated_matter_ended_is_asked_of_the_time_after_it(text, start, label):
    from qa.danish.dates import outcome_period

    p = outcome_period(text, parse_period(text, REF), REF)
    assert (p.start, p.end, p.kind, p.label) == (start, REF, "span", label)


@pytest.mark.parametrize("text", [
    "Hvad blev besluttet om kantinen i marts 2021?",  # the period is the one asked about
    "Blev der fulgt op på APV'en i 2021?",  # what became of it, but the period is no dated earlier event
    "Hvornår blev forslaget, som blev udsat i marts 2021, behandlet?",  # a dated event, no question of its end
])
def test_other_questions_keep_their_period(text):
    from qa.danish.dates import outcome_period

    p = parse_period(text, REF)
    assert outcome_period(text, p, REF) == p and outcome_period(text, None, REF) is None


def test_months_between_iso_dates():
    from qa.danish.dates import months_between

    assert months_between("2023-03-15", "2024-03-13") == 12.0
    assert months_between("2024-03-13", "2023-03-15") == 0.0
    assert months_between("2023", "2023-09-01") == 2.0
