from qa.ask.query import date_hint, expansions, parse_query


def test_dates_in_questions_become_ranges():
    assert date_hint("Hvad skete der i marts 2025?") == ("2025-03-01", "2025-03-31")
    assert date_hint("mødet den 23. maj 2024") == ("2024-05-23", "2024-05-23")
    assert date_hint("budgettet for 2024") == ("2024-01-01", "2024-12-31")
    assert date_hint("hvad sagde de?") is None


def test_abbreviations_expand_both_ways():
    assert "arbejdsmiljørepræsentant" in expansions("Hvad sagde AMR?")
    assert "AMR" in expansions("Hvad sagde arbejdsmiljørepræsentanten?")
    assert "Kommunernes Landsforening" in expansions("Hvad mener KL?")


def test_query_understanding_sets_hints_not_filters():
    q = parse_query("Hvad har medarbejdersiden i HovedMED sagt om høringssvar i november 2022?")
    assert q.side_hint == "medarbejdersiden"
    assert q.committee_hint == "HovedMED"
    assert q.doc_type_hint == "høringssvar"
    assert q.date_hint == ("2022-11-01", "2022-11-30")
    assert q.side is None and q.committee is None and q.date_from is None  # only explicit filters filter
    q = parse_query("hjemmearbejde", side="ledelsen", date_from="2024-01-01")
    assert q.side == "ledelsen" and q.date_from == "2024-01-01"


def test_answer_types_and_meeting_questions():
    from qa.ask.query import answer_type

    assert answer_type("Hvor mange penge skal der findes i budget 2025?") == "money"
    assert answer_type("Hvor mange ansatte er der?") == "number"
    assert answer_type("Hvornår blev byrådet informeret?") == "date"
    assert answer_type("Blev referatet godkendt?") == "decision"
    # every form of the verb: before, "Hvad blev der besluttet om …?" asked for nothing in particular
    for q in ("Hvad blev der besluttet om overfaldsalarmer?", "Hvad besluttede udvalget?", "Hvilken beslutning kom der?"):
        assert answer_type(q) == "decision", q
    assert answer_type("Hvad sagde ledelsen om trivsel?") is None
    assert parse_query("Hvor blev mødet holdt?").about_meeting
    assert not parse_query("Hvad sagde ledelsen om trivsel?").about_meeting


def test_compound_questions_are_split_into_parts():
    q = parse_query("Hvor mange ressourceforløb er der om året, og hvad sker der med dem i reformen?")
    assert q.parts == ("Hvor mange ressourceforløb er der om året", "hvad sker der med dem i reformen")
    assert parse_query("Hvad sagde AMR og TR om arbejdsmiljø?").parts == ()
