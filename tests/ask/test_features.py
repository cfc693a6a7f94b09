"""Ranking features read the passage's metadata as it is stored."""
from __future__ import annotations

from qa.ask.features import passage_features
from qa.ask.query import parse_query
from qa.danish.text import terms
from qa.types import Chunk


def _features(question: str, **meta) -> dict[str, float]:
    chunk = Chunk("c1", "d1", "Majken Callesen blev valgt som næstformand.", 0, 44, item="1",
                  item_title="Konstituering", **meta)
    query = parse_query(question)
    return passage_features(query, ["næstformand"], {"næstformand": 1.0}, chunk, (0.9, (0, 44), False, 1.0, 1.0),
                            0.8, 1.0)


def test_the_asked_kind_of_body_fits_a_committee_named_with_its_unit():
    f = _features("Hvem blev valgt som næstformand i MEDII?", committee="MEDII - Arbejdsmarked og Integration",
                  body="MEDII")
    assert (f["body_fit"], f["body_other"]) == (1.0, 0.0)
    f = _features("Hvem blev valgt som næstformand i MEDII?", committee="HovedMED", body="HovedMED")
    assert (f["body_fit"], f["body_other"]) == (0.0, 1.0)
    f = _features("Hvem blev valgt som næstformand?", committee="HovedMED", body="HovedMED")
    assert (f["body_fit"], f["body_other"]) == (0.0, 0.0)


def test_how_much_of_an_item_title_the_question_names():
    def precision(question, title):
        chunk = Chunk("c", "d", "Der skal spares 9,5 mio. kr.", 0, 28, item="3", item_title=title)
        q = terms(question)
        return passage_features(parse_query(question), q, {}, chunk, (0.9, (0, 28), False, 1.0, 1.0), 0.8,
                                1.0)["title_prec"]

    question = "Hvor meget skal der spares i budget 2023?"
    assert precision(question, "Budget 2023") == 1.0
    assert precision(question, "Budgetopfølgning 2022 og budget 2023") == 0.5
    assert precision(question, "Sygefravær 4. kvartal 2023") == 1 / 3  # of sygefravær, kvartal, 2023
    assert precision(question, "Eventuelt") == 0.0


def test_an_item_title_naming_the_asked_period_or_another_one():
    from qa.ask.features import period_features

    query = parse_query("Hvor mange arbejdsskader blev anmeldt i 2023?")

    def title(t):
        return period_features(query, Chunk("c", "d", "Der blev anmeldt 14.", 0, 20, item="2", item_title=t,
                                            date="2024-03-01"))

    assert (title("Arbejdsskader 2023")["p_title"], title("Arbejdsskader 2023")["p_title_other"]) == (1.0, 0.0)
    assert (title("Arbejdsskader 2022")["p_title"], title("Arbejdsskader 2022")["p_title_other"]) == (0.0, 1.0)
    assert (title("Arbejdsskader")["p_title"], title("Arbejdsskader")["p_title_other"]) == (0.0, 0.0)
    quarter = parse_query("Hvad var fraværet i 3. kvartal 2023?")
    f = period_features(quarter, Chunk("c", "d", "Fraværet var 6 %.", 0, 17, item="2",
                                       item_title="Sygefravær 2. kvartal 2023", date="2023-11-09"))
    assert (f["p_title"], f["p_title_other"]) == (0.0, 1.0)
    # a budget is planned the year before the year it names
    june = parse_query("Hvad foreslog arbejdsgruppen at spare i juni 2024?")
    f = period_features(june, Chunk("c", "d", "Forslagene giver 2,6 mio. kr.", 0, 29, item="4",
                                    item_title="Budget 2025: arbejdsgruppens forslag", date="2024-06-12"))
    assert f["p_title_other"] == 0.0
    f = period_features(june, Chunk("c", "d", "Støjen er målt.", 0, 15, item="4",
                                    item_title="Opfølgning på APV 2023", date="2024-06-12"))
    assert f["p_title_other"] == 0.0  # a follow-up comes after the year it names


def test_a_title_of_two_subjects_names_the_period_for_one_of_them():
    """"Regnskab 2021 og budget 2022" names 2022 for the budget: for the regnskab of 2022 it is another
    period's report; for the budget of 2022, and in a title of one subject, it names the period."""
    from qa.ask.features import period_features

    def title(question, t):
        f = period_features(parse_query(question), Chunk("c", "d", "...", 0, 3, item="4", item_title=t,
                                                         date="2022-02-22"))
        return f["p_title"], f["p_title_other"]

    assert title("Hvor stort blev merforbruget i regnskabet for 2022?", "Regnskab 2021 og budget 2022") == (0.0, 1.0)
    assert title("Hvor stort blev merforbruget i regnskabet for 2022?", "Regnskab 2022") == (1.0, 0.0)
    assert title("Hvor meget skal spares i budget 2022?", "Regnskab 2021 og budget 2022") == (1.0, 0.0)
    assert title("Hvad var sygefraværet i 2022?", "Sygefravær 4. kvartal 2022 og året 2022") == (1.0, 0.0)


def test_where_a_passage_stands_to_the_previous_answer():
    """In the previous answer's item counts for a follow-up, not for one asking what became of the matter
    (that answer lies at a later meeting); a hearing response without item numbers is known by its title."""
    from qa.ask.conversation import leaning
    from qa.ask.features import conversation_features
    from qa.types import Turn

    prev = Turn("Hvad foreslog ledelsen som velkomstbonus i juni 2023?", "velkomstbonus juni 2023", "d1", "6",
                "Rekrutteringsbonus", "2023-06-13", "Ledelsen foreslår en velkomstbonus på 15.000 kr.")
    same = Chunk("c1", "d1", "Medarbejdersiden ønsker en model ...", 0, 30, item="6", item_title="Rekrutteringsbonus",
                 date="2023-06-13")
    later = Chunk("c2", "d2", "Bonussen blev indført.", 0, 22, item="5", item_title="Rekrutteringsbonus",
                  date="2023-11-09")

    def ask(question):
        return leaning(parse_query(f"{question} velkomstbonus juni 2023"), prev, True, question)

    asked = ask("Hvad ville medarbejdersiden hellere?")
    assert conversation_features(asked, same) == {"prev_item": 1.0, "prev_after": 0.0, "prev_committee": 0.0}
    assert asked.period is not None and asked.period.label == "juni 2023"
    after = ask("Blev det til noget?")
    assert after.afterwards and after.period is None  # the carried period was the old question's
    assert conversation_features(after, same)["prev_item"] == 0.0
    assert 0.0 < conversation_features(after, later)["prev_after"] < 1.0
    hearing = Turn("Hvad skrev AMC?", "AMC", "h", None, "Høringssvar fra AMC", "2015-11-12", "")
    amc, ckb = (Chunk(f"h{i}", "h", "...", 0, 3, item=None, item_title=t, date="2015-11-12")
                for i, t in enumerate(("Høringssvar fra AMC", "Høringssvar fra CKB")))
    q = leaning(parse_query("Hvad ville de have i stedet? AMC"), hearing, True, "Hvad ville de have i stedet?")
    assert (conversation_features(q, amc)["prev_item"], conversation_features(q, ckb)["prev_item"]) == (1.0, 0.0)


def test_what_became_of_it_is_looked_for_the_next_time_the_item_came_up():
    """After an answer from "APV 2022 - resultater", "Er de blevet sat op?" marks the first later meeting with
    an item sharing a title word (years aside), not a later one, nor one with an unrelated item."""
    from qa.ask.conversation import leaning
    from qa.ask.features import Candidate, sequel_features
    from qa.types import Turn

    prev = Turn("Hvad sagde AMR'en?", "AMR APV 2022", "d1", "5", "APV 2022 – resultater", "2022-11-10", "")
    rows = [("2022-11-10", "APV 2022 – resultater"), ("2023-06-13", "Budget 2024"),
            ("2023-11-09", "Opfølgning på APV 2022"), ("2024-12-12", "APV 2024")]
    cands = [Candidate(i, Chunk(f"c{i}", f"d{i}", "...", 0, 3, item="5", item_title=t, date=d), None, {})
             for i, (d, t) in enumerate(rows)]
    query = leaning(parse_query("Er de blevet sat op? AMR APV 2022"), prev, True, "Er de blevet sat op?")
    sequel_features(query, cands)
    assert [c.f["prev_next"] for c in cands] == [0.0, 0.0, 1.0, 0.0]
    plain = leaning(parse_query("Hvem sagde det? AMR APV 2022"), prev, True, "Hvem sagde det?")
    sequel_features(plain, cands)  # not asking what became of it: nothing marked
    assert [c.f["prev_next"] for c in cands] == [0.0] * 4


def test_the_sequel_is_the_same_committees():
    """Another committee's later "Sygefravær" item is not what became of this committee's matter."""
    from dataclasses import replace

    from qa.ask.conversation import leaning
    from qa.ask.features import Candidate, conversation_features, sequel_features
    from qa.types import Turn

    prev = Turn("Hvad besluttede man?", "sygefravær støj", "d1", "2", "Sygefravær 2. kvartal 2023", "2023-09-12",
                "", "LokalMED Børn og Unge")
    rows = [("2023-11-09", "MED Ældre og Handicap"), ("2024-02-20", "LokalMED Børn og Unge")]
    cands = [Candidate(i, Chunk(f"c{i}", f"d{i}", "...", 0, 3, item="2", item_title="Sygefravær", date=d,
                                committee=c), None, {}) for i, (d, c) in enumerate(rows)]
    query = leaning(parse_query("Og hvad kom der ud af det? sygefravær støj"), prev, True,
                    "Og hvad kom der ud af det?")
    sequel_features(query, cands)
    assert [c.f["prev_next"] for c in cands] == [0.0, 1.0]
    assert [conversation_features(query, c.chunk)["prev_after"] > 0 for c in cands] == [False, True]
    unknown = replace(query, previous=replace(prev, committee=None))  # a committee not known: any meeting
    sequel_features(unknown, cands)
    assert [c.f["prev_next"] for c in cands] == [1.0, 0.0]


def test_one_committee_named_more_or_less_fully_is_one_committee():
    from qa.ask.features import same_committee
    from qa.types import Turn

    prev = Turn("q", "q", "d1", "2", "Sygefravær", "2024-02-20", "", "Område-MED Skoler Nord, Børn og Unge")
    chunk = lambda c: Chunk("c", "d2", "...", 0, 3, committee=c)  # noqa: E731
    assert same_committee(prev, chunk("Område-MED Skoler Nord"))
    assert not same_committee(prev, chunk("Område-MED Skoler Syd"))
    assert not same_committee(prev, chunk("Område-MED"))  # a kind of body alone names no committee


def test_the_sentence_where_the_asked_side_speaks():
    """For "Hvad pegede AMR på …?" the sentence naming AMR, or naming a person in a passage that speaks with AMR
    through its participant list ("Camilla Nørgaard pegede på …"), not the figures before it."""
    import numpy as np

    from qa.ask.features import SENTENCE, sentence_rows

    text = "Sygefraværet var 7,8 %. Camilla Nørgaard pegede på støjen. Ledelsen svarede."
    spans = [(0, 23), (24, 58), (59, 77)]
    chunk = Chunk("c", "d", text, 0, len(text), item="2", item_title="Sygefravær", sides=("amr", "ledelsen"))
    rows = sentence_rows(parse_query("Hvad pegede AMR på som årsag?"), chunk, spans, [None] * 3,
                         np.array([0.9, 0.8, 0.7]), ["peg", "årsag"])
    assert list(rows[:, SENTENCE.index("s_side")]) == [0.0, 1.0, 0.0]
    plain = sentence_rows(parse_query("Hvad pegede man på?"), chunk, spans, [None] * 3, np.array([0.9, 0.8, 0.7]),
                          ["peg"])
    assert list(plain[:, SENTENCE.index("s_side")]) == [0.0, 0.0, 0.0]


def test_the_meetings_committee_and_municipality_count_as_said_in_each_of_its_passages():
    q = "Hvem blev valgt som næstformand i Hoved-MED i Vestkyst?"
    chunk = Chunk("c1", "d1", "Majken Callesen blev valgt som næstformand.", 0, 44, item="1", item_title="Konstituering",
                  committee="Hoved-MED", body="HovedMED", municipality="Vestkyst Kommune")
    f = passage_features(parse_query(q), terms(q), {}, chunk, (0.9, (0, 44), False, 1.0, 1.0), 0.8, 1.0)
    assert f["cov"] == 1.0
    other = Chunk("c2", "d2", "Majken Callesen blev valgt som næstformand.", 0, 44, item="1",
                  item_title="Konstituering", committee="LokalMED Vej", body="LokalMED", municipality="Søholm Kommune")
    assert passage_features(parse_query(q), terms(q), {}, other, (0.9, (0, 44), False, 1.0, 1.0), 0.8, 1.0)["cov"] < 1.0
