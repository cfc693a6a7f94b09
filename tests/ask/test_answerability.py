"""The answerability checks: numbers that count, years the question names, results still awaited."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qa.dev import evaluate
from qa.present import answer_text, nothing_found
from qa.ask.answerability import CHECKS, has_amount, has_quantity, question_features, unmet
from qa.ask.features import Candidate
from qa.ask.query import parse_query
from qa.types import Chunk, Hit


@pytest.mark.parametrize("text", [
    "Der skal findes 35 mio. kr. i budgettet.",
    "Den har været sendt ud til 112 modtagere – der er 91, der har svaret.",
    "små teams med ansvar for ca. 300 ledige",
    "afskaffe cirka halvdelen af særreglerne",
    "Der holdes møde to gange om året.",
    "Op mod hver fjerde skal ikke længere til samtaler.",
    "Projektet løber et halvt år.",
    "Indtil nu har der svaret 91. Fristen er forlænget.",
    "en besparelse på 1,3 mia.",
])
def test_a_count_or_amount_is_a_quantity(text):
    assert has_quantity(text)


@pytest.mark.parametrize("text", [
    "Der blev gennemført en undersøgelse af BDO i 2023.",
    "på det ekstraordinære møde den 12. november 2015",
    "Referat d. 23-05-2024",
    "2. Med virksomhedskonsulenter på alle jobcentre er der behov for kompetencer.",
    "Punkt 3: Forretningsorden",
    "Mødet starter kl. 8.30 i mødelokale 402.",
    "81.38.00-P35-1-24",
    "Hovedmilepælsplan for 2025_20.01.2025.pdf",
    "Afdelingsmøder i 2. halvår",
    "udgifterne samles under hovedkonto 6",
])
def test_years_dates_and_references_are_not(text):
    assert not has_quantity(text)


def _hit(text: str, date: str | None = "2024-05-23", sentence: str | None = None) -> Hit:
    chunk = Chunk("c1", "d1", text, 0, len(text), item="4", item_title="Orientering", date=date)
    return Hit(chunk, 1.0, rank=1, sentence=sentence or text, sentence_start=0)


def test_how_much_money_needs_an_amount():
    q = parse_query("Hvor meget kostede kursusplatformen?")
    assert q.answer_type == "money"
    assert unmet(q, _hit("Platformen er købt for en prøveperiode på 12 mdr.")) == "nævner ikke noget beløb"
    assert unmet(q, _hit("Platformen kostede 85.000 kr. for et år.")) is None
    assert has_amount("en besparelse på 1,3 mia.") and not has_amount("12 mdr.")


def test_a_year_the_passage_does_not_have_is_unmet():
    hit = _hit("Trivselsundersøgelsen blev sendt til 112, og 91 har svaret.")
    assert unmet(parse_query("Hvor mange svarede på trivselsundersøgelsen i 2023?"), hit) == "nævner ikke 2023"
    # the meeting's own year, or a year written in the passage, is enough
    assert unmet(parse_query("Hvor mange svarede på trivselsundersøgelsen i 2024?"), hit) is None
    hit = _hit("Tallene i undersøgelsen er fra 2022: 14 sager pr. sagsbehandler.")
    assert unmet(parse_query("Hvor mange sager havde hver sagsbehandler i 2022?"), hit) is None


def test_how_many_needs_a_number_in_the_shown_answer():
    q = parse_query("Hvor mange medarbejdere deltog i temadagen?")
    assert q.answer_type == "number"
    assert unmet(q, _hit("På temadagen blev pseudoarbejde drøftet i MED-grupperne.")) == "nævner ikke noget tal"
    assert unmet(q, _hit("Der deltog 45 medarbejdere i temadagen.")) is None
    assert parse_query("Hvad var svarprocenten?").answer_type == "number"


def test_what_did_it_show_is_not_answered_by_a_pending_result():
    q = parse_query("Hvad viste prøverne for skimmelsvamp?")
    pending = _hit("Der er taget prøver for skimmelsvamp. Vi afventer, at filtrene bliver skiftet.")
    assert unmet(q, pending) == "siger, at resultatet ikke foreligger endnu"
    assert unmet(parse_query("Hvad var resultatet af målingen?"),
                 _hit("Der holdes møde, når resultatet af målingen foreligger.")) is not None
    assert unmet(q, _hit("Prøverne viste ingen skimmelsvamp i kælderen.")) is None
    # a question that only mentions a result is not asking for one
    q = parse_query("Hvad er aftalt, når resultatet af trivselsmålingen kommer?")
    assert unmet(q, _hit("Der holdes et ekstraordinært møde, når resultatet foreligger.")) is None


def test_compound_questions_are_not_checked_on_one_passage():
    q = parse_query("Hvor mange ressourceforløb nævnte HovedMED, og hvad forventes der at ske med forløbene i reformen?")
    assert q.parts
    assert unmet(q, _hit("Vi forventer et lovforslag i foråret.")) is None


def test_the_reason_is_told_to_the_user():
    from qa.types import Answer

    q = parse_query("Hvor mange stillinger blev nedlagt i 2019?")
    ans = Answer(q, [_hit("Der er rekrutteret, hvor der manglede medarbejdere.")], abstain=True, reason="nævner ikke 2019")
    assert nothing_found(ans).endswith("Det nærmeste afsnit nævner ikke 2019.")
    assert "nævner ikke 2019" in answer_text(ans)


@pytest.mark.slow
def test_on_the_seeds_a_runner_up_that_answers_leads(assistant):
    ans = assistant.ask("Hvor lang er leveringstiden på de nye filtre?")
    assert not ans.abstain and "4 ugers leveringstid" in ans.hits[0].sentence
    ans = assistant.ask("Hvor mange stillinger blev nedlagt i jobcentret i Slagelse i 2019?")
    assert ans.hits and 0.0 <= ans.probability <= 1.0  # the learned abstainer no longer abstains here


@pytest.mark.slow
def test_our_own_question_file(assistant):
    """Questions we wrote over the seeds (not the dev set): the checks must not silence answerable ones."""
    items = evaluate.load_items(Path(__file__).resolve().parents[1] / "fixtures" / "constraint_questions.jsonl")
    res = evaluate.score(items, evaluate.run(items, lambda q: assistant.ask(q, k=10)))
    # The learned abstainer (fitted on the dev files, not on this file): measured 0.15 (3 of 20) and 0.375
    # (3 of 8). The hand-set checks it replaced measured 0.05 and 0.62 here: a regression on this file,
    # reported in docs/RETRIEVAL.md; these bounds guard against it getting worse.
    assert res.ans_abstain <= 0.2
    assert res.unans_abstain >= 0.3


# --- question features for the learned abstainer ---------------------------------------------------


def _cand(text, date="2024-12-12"):
    c = Chunk("c", "d", text, 0, len(text), item="3", item_title="Punkt", date=date)
    return Candidate(1, c, (0, len(text)), {"idf_cov": 0.5})


def _qf(question, text, date="2024-12-12"):
    cand = _cand(text, date)
    return question_features(parse_query(question, ref="2025-03-18"), cand, 0.5, [cand], "2025-03-18", frozenset({"MED"}))


def test_an_asked_price_in_any_tense_needs_an_amount():
    for q in ("Hvad kostede skiftet til Nexus?", "Hvad koster ordningen?", "Hvad var prisen på telefonerne?"):
        f, why = _qf(q, "Der blev indkøbt 310 smartphones, som udleveres i uge 38.")
        assert f["miss_amount"] == 1.0 and why["miss_amount"] == "nævner ikke noget beløb"
    f, _ = _qf("Hvad kostede skiftet?", "Skiftet kostede 2,1 mio. kr.")
    assert f["miss_amount"] == 0.0


def test_a_decision_asked_for_and_a_postponement_stated():
    f, why = _qf("Blev forsøget med firedages arbejdsuge godkendt?", "Punktet blev udsat til næste møde.")
    assert f["not_decided"] == 1.0 and "udsat" in why["not_decided"]


def test_a_meeting_the_index_does_not_have_and_a_period_after_the_newest_meeting():
    f, why = _qf("Hvad blev drøftet på mødet i september 2022?", "Referatet blev godkendt.", date="2022-06-14")
    assert f["period_unfit"] == 1.0 and "september 2022" in why["period_unfit"]
    f, _ = _qf("Hvad blev besluttet i 2. halvår 2025?", "Budgettet blev vedtaget.")
    assert f["after_index"] == 1.0
    f, _ = _qf("Hvad skal drøftes i 2. halvår 2025?", "Budgettet skal drøftes.")
    assert f["after_index"] == 0.0  # a question about what is planned may be answered before it happens
    f, _ = _qf("Hvad blev besluttet i 2. halvår 2025?", "Budgettet blev vedtaget.")
    assert f["after_index"] == 1.0


def test_a_named_person_the_passage_does_not_mention():
    f, why = _qf("Hvad mener Lise Mørk om hjemmearbejde?", "Dorte Lund ønskede to dage om ugen.")
    assert f["person_missing"] == 1.0 and why["person_missing"] == "nævner ikke Lise Mørk"


def test_a_follow_up_asks_for_the_people_of_its_own_words_only():
    from qa.types import Turn

    text = "Forflytningsteamet er sat i gang fra 1. april 2024 som et forsøg i ét år."
    cand = _cand(text, "2024-05-14")
    prev = Turn("Hvad foreslog Per Holm om forflytninger?", "Hvad foreslog Per Holm om forflytninger?", doc_id="d")
    carried = parse_query("Hvornår blev det sat i gang? foreslog Per Holm forflytninger", ref="2025-03-18")
    follow = replace(carried, previous=prev, own_text="Hvornår blev det sat i gang?")
    f, _ = question_features(follow, cand, 0.5, [cand], "2025-03-18", frozenset())
    assert f["person_missing"] == 0.0  # Per Holm came with the carried topic
    f, _ = question_features(carried, cand, 0.5, [cand], "2025-03-18", frozenset())
    assert f["person_missing"] == 1.0  # asked on its own, the name is the question's


def test_a_place_is_no_person_and_an_abbreviation_may_carry_a_genitive_s():
    f, _ = _qf("Hvor mange deltog i Vestkyst Kommunes personaledag?", "Der deltog 640 medarbejdere i personaledagen.")
    assert f["person_missing"] == 0.0
    f, _ = _qf("Hvad mente AMR om planen?", "AMR's bemærkninger til planen blev noteret.")
    assert f["acronym_missing"] == 0.0
    f, _ = _qf("Hvad var BUPLs holdning?", "BUPL ønskede mere forberedelsestid.")
    assert f["acronym_missing"] == 0.0
    f, why = _qf("Hvad var BUPLs holdning?", "FOA ønskede mere forberedelsestid.")
    assert f["acronym_missing"] == 1.0 and why["acronym_missing"] == "nævner ikke BUPLs"


def test_a_speaker_found_but_not_the_topic_asked_about():
    f, why = _qf("Hvad mente Anders Holm om kantineordningen?", "Anders Holm takkede for samarbejdet og ønskede god sommer.")
    assert f["topic_apart"] == 1.0 and "kantineordningen" in why["topic_apart"]
    f, _ = _qf("Hvad mente Anders Holm om kantineordningen?", "Anders Holm fandt kantineordningen for dyr.")
    assert f["topic_apart"] == 0.0


def test_a_share_is_not_a_price_and_a_when_question_asks_no_amount():
    f, _ = _qf("Hvad koster den nye rengøringsaftale om året?", "Aftalen dækker 80 % af lokalerne.")
    assert f["miss_amount"] == 1.0
    f, _ = _qf("Hvornår hørte udvalget om merudgifterne til rengøring?", "Udvalget hørte om det den 3. maj 2024.")
    assert f["miss_amount"] == 0.0
    f, _ = _qf("Hvad satte medarbejderne pris på ved kurset?", "Medarbejderne var glade for de praktiske øvelser.")
    assert f["miss_amount"] == 0.0  # "sætte pris på": to value


def test_a_compound_noun_is_counted_by_its_last_part():
    f, _ = _qf("Hvor mange arbejdsulykker blev anmeldt i 2024?", "Der blev anmeldt 12 ulykker i 2024.")
    assert f["counted_missing"] == 0.0
    f, _ = _qf("Hvor mange arbejdsulykker blev anmeldt i 2024?", "Der blev anmeldt 12 nærved-hændelser i 2024.")
    assert f["counted_missing"] == 1.0


def test_what_is_counted_needs_a_number_beside_it_not_some_other_figure():
    q = "Hvor mange skraldemænd er ansat?"
    other = "Sygefraværet var 6,1 % i 1. kvartal. Stigningen skyldes især langtidssygdom blandt skraldemændene."
    assert _qf(q, other)[0]["counted_missing"] == 1.0  # (a share was once taken for the count)
    assert _qf(q, "Der er ansat 42 skraldemænd i Affald og Genbrug.")[0]["counted_missing"] == 0.0
    assert _qf(q, "Flest skraldemænd arbejder i Nord (17).")[0]["counted_missing"] == 0.0  # the number after it
    assert _qf("Hvor mange procent svarede?", "Svarprocenten blev 87 %.")[0]["counted_missing"] == 0.0
    # a question asking for a day needs one named
    q = "Hvilken dato holdes temadagen?"
    assert _qf(q, "Temadagen holdes i efteråret for alle medarbejdere.")[0]["miss_day"] == 1.0
    assert _qf(q, "Temadagen holdes den 14. oktober for alle medarbejdere.")[0]["miss_day"] == 0.0
    assert _qf(q, "Temadagen holdes tirsdag i uge 41.")[0]["miss_day"] == 0.0
    assert _qf("Hvornår holdes temadagen?", "Temadagen holdes i efteråret.")[0]["miss_day"] == 0.0
    # a unit of measurement is written as its symbol beside the number
    q = "Hvor mange decibel blev der målt i køkkenet?"
    assert _qf(q, "Målingen i køkkenet viste 68 dB ved middagstid.")[0]["counted_missing"] == 0.0
    assert _qf(q, "Der blev målt i køkkenet, og resultatet sendes ud.")[0]["counted_missing"] == 1.0


def test_who_was_chosen_needs_a_choice_not_a_participant_list():
    q = "Hvem blev valgt som ny næstformand i Center-MED?"
    assert _qf(q, "Deltagere: Lene Bisgaard (formand), Per Holm (næstformand, FOA).")[0]["choice_missing"] == 1.0
    assert _qf(q, "Anja Kruse blev valgt som næstformand efter Per Holm.")[0]["choice_missing"] == 0.0
    assert _qf(q, "Anja Kruse afløser Per Holm som næstformand.")[0]["choice_missing"] == 0.0
    assert _qf(q, "Center-MED byder velkommen til ny næstformand Anja Kruse.")[0]["choice_missing"] == 0.0
    # a choice of another post does not say who got the one asked about
    other = "Anja Kruse blev valgt som næstformand. Per Holm er fortsat tillidsrepræsentant for 3F."
    assert _qf("Hvem blev valgt som ny tillidsrepræsentant?", other)[0]["choice_missing"] == 1.0
    assert _qf("Hvem blev valgt som ny tillidsrepræsentant?", "Ny TR er Bo Lund, valgt i maj.")[0]["choice_missing"] == 0.0
    assert _qf("Hvem er næstformand?", "Per Holm (næstformand, FOA).")[0]["choice_missing"] == 0.0  # no choice asked


def test_a_heading_alone_is_no_answer_but_a_passage_cut_mid_sentence_is_not_a_heading():
    f, why = _qf("Hvad blev regnskabsresultatet for ældreområdet?", "Regnskab 2024 - Ældreområdet")
    assert f["shown_label"] == 1.0 and why["shown_label"] == "er kun en overskrift"
    cut = ("i et mindre omfang, skulle der ske justeringer af planen for de kommende år, og vi stiller os "
           "gerne til rådighed for en")
    assert _qf("Hvad skal der ske med planen?", cut)[0]["shown_label"] == 0.0


def test_postponement_is_no_failure_when_the_question_names_it_or_asks_why_not():
    text = "Punktet blev udsat til næste møde."
    assert _qf("Hvorfor blev forslaget om ny mødeplan ikke vedtaget?", text)[0]["not_decided"] == 0.0
    assert _qf("Hvad blev besluttet om mødeplanen, der blev udsat i maj?", text)[0]["not_decided"] == 0.0


def test_a_decision_or_a_duration_may_name_a_later_date():
    later = "Ordningen forlænges til den 1. september 2025."
    assert _qf("Hvad blev besluttet om ordningen?", later)[0]["after_document"] == 0.0
    assert _qf("Hvor længe fik superbrugerne ekstra tid?", later)[0]["after_document"] == 0.0
    assert _qf("Hvad viste målingen af ordningen?", later)[0]["after_document"] == 1.0


def test_names_in_the_document_and_item_titles_count_and_one_named_year_is_enough():
    c = Chunk("c", "d", "Vi er bekymrede for arbejdsmiljøet.", 0, 35, item="2", item_title="Høringssvar fra CFU",
               date="2024-03-01", doc_title="CFU CenterMED 2024")
    cand = Candidate(1, c, (0, 35), {"idf_cov": 0.5})
    f, _ = question_features(parse_query("Hvad var CFU bekymret for i 2023 og 2024?", ref="2025-03-18"), cand, 0.5, [cand],
                             "2025-03-18", frozenset({"MED"}))
    assert f["acronym_missing"] == 0.0 and f["miss_year"] == 0.0


def test_the_abstainer_reads_the_count_of_checks():
    f, _ = _qf("Hvad kostede skiftet til Nexus?", "Nexus gik i drift den 2. maj 2023.", date="2023-06-13")
    assert f["checks"] == sum(f[n] for n in CHECKS) >= 1


def test_a_result_presented_later_is_pending_and_a_leading_og_is_read_past():
    text = ("Den næste trivselsmåling gennemføres i april 2025. Målet er en svarprocent på mindst 80. "
            "Resultaterne forelægges på mødet den 17. juni 2025.")
    f, why = _qf("Og hvad viste målingen i 2025?", text, date="2025-03-18")
    assert f["pending"] == 1.0 and "ikke foreligger" in why["pending"]
    f, _ = _qf("Og hvad viste målingen i 2025?", "Målingen viste en svarprocent på 84.", date="2025-06-17")
    assert f["pending"] == 0.0


def test_a_follow_up_asking_what_became_of_it_does_not_need_the_carried_year():
    from qa.types import Turn

    asked = "Hvornår kom den så igennem?"
    query = parse_query(f"{asked} retningslinjen hjemmearbejde juni 2022", ref="2025-03-18")
    prev = Turn("Hvorfor blev retningslinjen ikke vedtaget i juni 2022?", "…", "d", "4", "Retningslinje", "2022-06-14")
    cand = _cand("Retningslinjen blev vedtaget som forsøg med én hjemmearbejdsdag.", date="2023-11-09")
    later = replace(query, previous=prev, afterwards=True, period=None, own_text=asked)
    f, _ = question_features(later, cand, 0.5, [cand], "2025-03-18", frozenset())
    assert f["miss_year"] == 0.0
    f, why = question_features(replace(query, previous=prev, own_text=asked), cand, 0.5, [cand], "2025-03-18",
                               frozenset())
    assert f["miss_year"] == 1.0 and why["miss_year"] == "nævner ikke 2022"  # the period still stands


def test_a_report_titled_by_another_period_does_not_answer_for_this_one():
    query = parse_query("Hvad var sygefraværet i 2. kvartal 2023?", ref="2025-03-18")
    text = "Sygefraværet i 1. kvartal 2023 var 7,0 %."
    other = Candidate(1, Chunk("c", "d", text, 0, len(text), item="2", item_title="Sygefravær 1. kvartal 2023",
                               date="2023-06-13"), (0, len(text)), {"p_title_other": 1.0})
    f, why = question_features(query, other, 0.5, [other], "2025-03-18", frozenset())
    assert f["title_other"] == 1.0 and "2. kvartal 2023" in why["title_other"]
    right = Candidate(2, Chunk("e", "d", text, 0, len(text), item="2", item_title="Sygefravær 2. kvartal 2023",
                               date="2023-09-12"), (0, len(text)), {"p_title": 1.0})
    f, _ = question_features(query, other, 0.5, [other, right], "2025-03-18", frozenset())
    assert f["title_other"] == 0.0  # a close passage titled by the asked quarter: not this check's to say


def test_a_result_asked_for_that_the_minutes_leave_to_an_attachment():
    text = "Direktøren giver en status på regnskabsafslutningen for år 2024. Regnskabet vedlægges referatet."
    f, why = _qf("Hvad blev regnskabsresultatet for 2024?", text, date="2025-03-10")
    assert f["pending"] == 1.0 and why["pending"] == "henviser til et bilag for resultatet"
    f, _ = _qf("Hvad blev regnskabsresultatet for 2024?", "Regnskabet for 2024 viser et overskud på 2,1 mio. kr.")
    assert f["pending"] == 0.0


def test_a_postponement_answers_what_was_decided_and_a_short_sentence_is_no_heading():
    text = "Beslutning\n\n- Beskæftigelsesreformen.\n\nInkluderende fællesskaber udskydes."
    f, _ = _qf("Hvad blev der besluttet om Inkluderende fællesskaber?", text, date="2025-03-10")
    assert f["not_decided"] == 0.0 and f["shown_label"] == 0.0
    f, _ = _qf("Blev forsøget med Inkluderende fællesskaber godkendt?", text, date="2025-03-10")
    assert f["not_decided"] == 1.0
    f, _ = _qf("Hvad blev der besluttet om budgettet?", "Beslutning\n\nBilag")
    assert f["shown_label"] == 1.0


def test_another_bodys_meeting_reported_with_its_date_fits_a_question_naming_that_body():
    query = parse_query("Hvad besluttede Hoved-MED den 5. december 2024 om projektet?", ref="2025-03-18")
    assert query.pins_meeting and query.committee_hint
    text = "Beslutning fra Hoved-MED den 5. december 2024: Milepælsplanen for 2025 er godkendt."
    c = Chunk("c", "d", text, 0, len(text), item="9", item_title="Status", date="2025-03-10", body="MEDII")
    quoted = Candidate(1, c, (0, len(text)), {"body_other": 1.0, "p_mention": 1.0})
    f, _ = question_features(query, quoted, 0.5, [quoted], "2025-03-18", frozenset())
    assert f["period_unfit"] == 0.0
    own = Candidate(1, c, (0, len(text)), {"p_mention": 1.0})  # the question names no other body
    f, _ = question_features(replace(query, committee_hint=None), own, 0.5, [own], "2025-03-18", frozenset())
    assert f["period_unfit"] == 1.0


def test_another_committees_meeting_plan_naming_the_day_is_no_report_of_the_named_bodys_meeting():
    query = parse_query("Hvad besluttede CenterMED på mødet den 11. marts 2025?", ref="2025-03-18")
    text = "Mødedatoerne for 2025 er godkendt: 11. marts 2025, 10. juni 2025 og 9. september 2025."
    c = Chunk("c", "d", text, 0, len(text), item="4", item_title="Mødedatoer 2025", date="2025-03-10", body="MEDII")
    plan = Candidate(1, c, (0, len(text)), {"body_other": 1.0, "p_mention": 1.0})
    f, why = question_features(query, plan, 0.5, [plan], "2025-03-18", frozenset())
    assert f["period_unfit"] == 1.0 and "11. marts 2025" in why["period_unfit"]


def test_what_was_said_in_a_period_after_the_meeting_is_not_in_its_minutes():
    plan = "Udkastet til sparekataloget sendes ud senest den 15. august, og medarbejdersiden skriver et høringssvar."
    q = "Hvad skrev medarbejdersiden i sit høringssvar i august 2024?"
    f, why = _qf(q, plan, date="2024-06-11")
    assert f["after_document"] == 1.0 and why["after_document"] == "er fra et møde før i august 2024"
    assert _qf(q, plan, date="2024-09-10")[0]["after_document"] == 0.0  # a later meeting may report it
    assert _qf("Hvad skal medarbejdersiden skrive i august 2024?", plan, date="2024-06-11")[0]["after_document"] == 0.0
    # what was done for a period may have been decided before it
    measure = "Temperaturen sænkes til 19 grader fra den 1. december."
    assert _qf("Hvad gjorde man for at spare på varmen i vinteren 2024?", measure,
               date="2024-11-10")[0]["after_document"] == 0.0
