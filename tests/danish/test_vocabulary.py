from qa.danish.dates import danish_date, named_period, parse_date
from qa.danish.vocabulary import (PERSON, detect_side, find_bodies, find_sides, names_place, names_role, names_unit,
                                  persons_asked)


def test_danish_dates_in_the_forms_minutes_use():
    assert parse_date("MØDEDATO 25. november 2022") == "2022-11-25"
    assert parse_date("REFERAT AfdelingsMED d. 23-05-2024") == "2024-05-23"
    assert parse_date("Mandag d. 10. marts 2025 kl. 08:30") == "2025-03-10"
    assert parse_date("Torsdag den 5. novem ber 2015") == "2015-11-05"  # letter-spaced PDF text
    assert parse_date("fristen var 24.5.24") == "2024-05-24"
    assert parse_date("den 31. februar 2024") is None  # not a date
    assert parse_date("sagsnummer 81.38.00-P35-1-24") is None


def test_danish_date_formatting_round_trip():
    assert danish_date("2022-11-25") == "25. november 2022"
    assert danish_date(None) == ""


def test_named_periods():
    assert named_period("Hvad skete der i marts 2025?") == ("2025-03-01", "2025-03-31")
    assert named_period("i 2024") == ("2024-01-01", "2024-12-31")
    assert named_period("mellem 2022 og 2024") is None  # two years: no single period


def test_bodies_and_sides():
    assert find_bodies("HovedMEDs høringssvar og CenterMED'erne") == ["HovedMED", "CenterMED"]
    assert find_bodies("det er aftalt med 2 konsulenter") == []  # 'med 2' is not MEDII
    assert find_bodies("REFERAT MEDII - Arbejdsmarked") == ["MEDII"]
    assert find_sides("Medarbejdersiden spurgte, og ledelsen svarede.") == ("medarbejdersiden", "ledelsen")
    assert find_sides("Næstformanden orienterede.") == ("næstformand",)
    assert find_sides("Vi drøftede budgettet.") == ()


def test_a_post_is_a_role_a_side_is_not():
    assert all(names_role(w) for w in ("næstformand", "AMR", "tillidsrepræsentanten", "formanden", "TR"))
    assert not any(names_role(w) for w in ("medarbejdersiden", "ledelsen", "leder", "trivsel"))


def test_one_vocabulary_for_passages_and_questions():
    """A side is recognised the same way in a passage and in a question (they once disagreed)."""
    for text, side in [("Sikkerhedsrepræsentanten spurgte til APV'en.", "amr"),
                       ("Lønmodtagersiden var uenig.", "medarbejdersiden"),
                       ("Arbejdsgiversiden fastholdt forslaget.", "ledelsen"),
                       ("Tillidsrepræsentanten bakkede op.", "tr")]:
        assert side in find_sides(text)
        assert detect_side(text) == side
    assert detect_side("Hvad mente CenterMED?") is None  # a body in a question, not a side


def test_dates_known_only_to_the_year_or_month():
    """Documents dated by their file name alone ('2017') take part in period arithmetic."""
    from datetime import date

    from qa.danish.dates import first_day, months_after
    from qa.types import Period

    assert first_day("2017") == date(2017, 1, 1) and first_day("2017-06") == date(2017, 6, 1)
    assert months_after(Period("2019-01-01", "2019-12-31", "year", "2019"), "2017") < 0


def test_people_named_in_questions_and_passages():
    assert persons_asked("Hvad sagde Lise Mørk om hjemmearbejde?") == ["Lise Mørk"]
    assert persons_asked("Hvad mente Anne-Mette Due Holm om APV?") == ["Anne-Mette Due Holm"]
    # a sentence's first word is capitalised whatever it is: no name there
    assert persons_asked("Lise Mørk sagde hvad?") == []
    assert persons_asked("Tak. Anders Holm sagde hvad?") == []
    assert persons_asked("Hvad blev besluttet om budgettet?") == []
    # a passage may break a name across a line
    assert PERSON.search("som Mette\nKjær foreslog").group(0) == "Mette\nKjær"


def test_a_question_names_a_municipality_by_its_name_in_any_case():
    assert names_place("Hvad er det seneste tal i Vestkyst?", "Vestkyst Kommune")
    assert names_place("Hvor mange deltog i Vestkysts personaledag?", "vestkyst kommune")
    assert names_place("Hvad sagde HovedMED i København?", "Københavns Kommune")
    assert names_place("Hvad gør Region Hovedstaden?", "Region Hovedstaden")
    assert not names_place("Hvad sagde kommunen?", "Vestkyst Kommune")
    assert not names_place("Hvad sagde Albertslund?", "Københavns Kommune")


def test_a_committee_is_named_by_its_area_not_by_its_kind_of_body():
    q = "Hvordan har sygefraværet i Sundhed og Omsorg udviklet sig?"
    assert names_unit(q, "center-med sundhed og omsorg")
    assert names_unit("Hvad besluttede Ældre og Handicap om budgettet?", "MED-udvalget for Ældre og Handicap")
    assert not names_unit(q, "MED-udvalget for Ældre og Handicap")
    assert not names_unit("Hvad sagde MED-udvalget?", "MED-udvalg")  # no area: a kind of body only
    assert not names_unit("Hvad skete der i Sundhed?", "Center-MED Sundhed og Omsorg")  # half a name
