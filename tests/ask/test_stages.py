"""Ranking stages on hand-made values: no model, no index."""
from __future__ import annotations

import numpy as np

from qa.ask import stages
from qa.ask.query import parse_query
from qa.settings import Settings
from qa.types import Chunk, Hit

S = Settings()


def _hit(cid: str, score: float, item: str = "1", doc: str = "d", **chunk) -> Hit:
    return Hit(Chunk(cid, doc, chunk.pop("text", "tekst"), 0, 5, item=item, **chunk), score)


def test_minmax_scales_and_handles_ties():
    assert np.allclose(stages.minmax(np.array([2.0, 4.0, 3.0])), [0.0, 1.0, 0.5])
    assert np.allclose(stages.minmax(np.array([1.0, 1.0])), [1.0, 1.0])
    assert stages.minmax(np.array([])).size == 0


def test_cap_per_item_moves_the_third_passage_of_an_item_down():
    hits = [_hit("a", 3, "1"), _hit("b", 2.9, "1"), _hit("c", 2.8, "1"), _hit("d", 1, "2")]
    assert [h.chunk.chunk_id for h in stages.cap_per_item(hits, cap=2, k=3)] == ["a", "b", "d", "c"]


def test_interleave_takes_each_part_in_turn_without_repeats():
    whole, part = [_hit("a", 1), _hit("b", 1)], [_hit("c", 1), _hit("a", 1)]
    assert [h.chunk.chunk_id for h in stages.interleave([whole, part])] == ["a", "c", "b"]


def test_hint_boost_adds_what_the_question_names():
    q = parse_query("Hvad sagde medarbejdersiden i HovedMED i 2022?")
    c = Chunk("c", "d", "x", 0, 1, sides=("medarbejdersiden",), date="2022-11-25", committee="HovedMED")
    assert stages.hint_boost(q, c, S) == S.hint_side + S.hint_date + S.hint_committee
    assert stages.hint_boost(q, Chunk("c", "d", "x", 0, 1, date="2023-01-01"), S) == 0.0


def test_fits_by_answer_type():
    c = Chunk("c", "d", "x", 0, 1)
    assert stages.fits("money", "Der skal findes 35 mio. kr.", c, None)
    assert not stages.fits("money", "Budgettet blev drøftet.", c, None)
    assert stages.fits("date", "Mødet holdes 5. marts 2024.", c, None)
    assert stages.fits("decision", "Punktet blev godkendt.", c, None)
    assert stages.fits("decision", "Udvalget drøftede det.", c, "Beslutning")
    assert not stages.fits(None, "35 mio. kr.", c, None)


def test_with_next_joins_the_following_sentence_of_the_same_section_only():
    text = "Budget 2025 er drøftet. Der skal findes 35 mio. kr. i alt. Bilag: oversigt over forslag her."
    spans = [(0, 23), (24, 58), (59, len(text))]
    assert stages.with_next(text, spans, ["A", "A", "B"], 0) == (0, 58)
    assert stages.with_next(text, spans, ["A", "A", "B"], 1) == (24, 58)  # the next one is another section


def test_confidence_weights_come_from_settings():
    h = _hit("a", 1, text="hjemmearbejde aftales lokalt")
    h.signals = {"dense": 0.8, "sentence": 0.9}
    q = ["hjemmearbejd", "aftal"]
    full = stages.confidence(h, q, S)
    assert np.isclose(full, 0.5 * 0.8 + 0.5 * 0.9 + 0.1 * 1.0)
    assert np.isclose(stages.confidence(h, q, S.replace(confidence_coverage=0.0)), full - 0.1)


def test_answerable_first_promotes_a_close_runner_up_that_has_the_number():
    q = parse_query("Hvor mange stillinger blev nedlagt?")
    first = _hit("a", 1.0, text="Stillinger blev nedlagt i jobcentret.")
    first.sentence = first.chunk.text
    second = _hit("b", 0.9, item="2", text="I alt blev 12 stillinger nedlagt.")
    second.sentence = second.chunk.text
    hits, reason = stages.answerable_first(q, [first, second], S)
    assert reason == "" and hits[0].chunk.chunk_id == "b" and hits[0].rank == 1
    hits, reason = stages.answerable_first(q, [first, second], S.replace(answerable_margin=0.05))
    assert reason == "nævner ikke noget tal" and hits[0].chunk.chunk_id == "a"


# --- time rules ---------------------------------------------------------------------------------
from qa.ask.stages import arrange, fit_level  # noqa: E402
from qa.types import Period, Query  # noqa: E402

_DATES = ["2022-06-14", "2023-11-09", "2025-03-18", "2024-12-12"]
_DOCS = ["a", "b", "c", "d"]
_ITEMS = [("a", "1", "x"), ("b", "1", "x"), ("c", "1", "x"), ("d", "1", "x")]


def _order(query, scores, feats=None, margins=None):
    feats = feats or [{} for _ in scores]
    return arrange(query, _DATES, _DOCS, feats, _ITEMS, np.array(scores, float), margins or {}, 2, 10)


def test_latest_puts_the_newest_topical_meeting_first():
    q = Query("Hvad er det nyeste tal?", latest=True)
    order, _ = _order(q, [3.0, 2.9, 2.8, -5.0], margins={"m_latest": 1.0})
    assert order[0] == 2  # 2025-03-18 is within the margin; 2024-12-12 (far below) is not topical
    order, _ = _order(q, [3.0, 2.9, 2.8, -5.0], margins={"m_latest": 0.0})
    assert order[0] == 0


def test_a_named_period_prefers_the_passage_that_fits_it():
    q = Query("Hvad var fraværet i 3. kvartal 2023?", period=Period("2023-07-01", "2023-09-30", "quarter", "3. kvartal 2023"))
    feats = [{}, {"p_mention": 1.0}, {}, {}]
    order, _ = _order(q, [3.0, 2.8, 1.0, 0.0], feats, {"m_period": 0.5})
    assert order[0] == 1
    pinned = Query("på mødet i juni 2022", pins_meeting=True, period=Period("2022-06-01", "2022-06-30", "month", "juni 2022"))
    assert fit_level(pinned, {"p_in": 1.0}) > fit_level(pinned, {"p_mention": 1.0})


def test_a_development_question_gets_one_passage_per_meeting_in_date_order():
    q = Query("Hvordan har fraværet udviklet sig?", trend=True)
    order, timeline = _order(q, [1.0, 3.0, 2.0, 2.5], margins={"m_trend": 3.0})
    assert timeline and [_DATES[i] for i in order[:4]] == sorted(_DATES)
    order, timeline = _order(q, [1.0, 3.0, 2.0, 2.5], margins={"m_trend": 1.0})
    assert 0 not in order[:3]  # the weak passage is not part of the timeline


def test_the_shown_answer_is_a_sentence_not_a_heading_label_file_or_fragment():
    assert stages.is_answer("Der skal findes 35 mio. kr., og der arbejdes på forslag.")
    for bad in ("Beslutning", "Punkt 3. Budget 2025 og omorganisering", "Bilag: referat_2024-05-23.pdf",
                "og derfor blev punktet udsat til næste møde.", "Medarbejdersidens bemærkninger:",
                "Sagsnr. 81.38.00-P35-3-22", "J.nr. 2024-118734 / 27.12.2024"):
        assert not stages.is_answer(bad), bad


def test_a_heading_label_case_number_or_file_is_never_shown_but_a_broken_sentence_is_text():
    for heading in ("Beslutning", "Hjemmearbejde – justeret retningslinje", "Sagsnr. 81.38.00-P35-3-22", "Punkt 4.",
                    "Bilag: referat_2024-05-23.pdf"):
        assert stages.is_heading(heading), heading
    assert stages.is_heading("Oversigt over tilbud", "Bilag")  # a line of the attachment list
    for text in ("Man er nervøs for at de positive resultater og",  # broken by a line: ends in a function word
                 "tilpasningen af budgettet til uddannelse på minus 50 mio. kr.",  # the rest of a cut sentence
                 "At nedlægge jobcentrene.", "Beslutning fra Hoved-MED den 5. december 2024:",
                 "Indkøbet af de 40 overfaldsalarmer blev godkendt."):
        assert not stages.is_heading(text), text


def test_a_timeline_keeps_the_recurring_item_below_the_margin():
    q = Query("Hvordan har reglerne for fravær ændret sig?", trend=True)
    feats = [{"title_cov": 0.5}, {"title_cov": 0.5}, {"title_cov": 0.0}, {"title_cov": 0.5}]
    order, timeline = _order(q, [3.0, 2.9, 2.8, -5.0], feats, {"m_trend": 1.0})
    assert timeline and [_DATES[i] for i in order[:4]] == sorted(_DATES)  # 3 too: far below, but the same item
    order, _ = _order(q, [3.0, 2.9, 2.8, -5.0], [{} for _ in feats], {"m_trend": 1.0})
    assert [_DATES[i] for i in order[:3]] == sorted(_DATES[:3]) and order[3] == 3  # without it, 3 is not on it


def test_latest_counts_the_recurring_item_below_the_margin_as_topical():
    q = Query("Hvad er det nyeste tal for fraværet?", latest=True)
    feats = [{"title_cov": 0.5}, {"title_cov": 0.0}, {"title_cov": 0.5}, {"title_cov": 0.0}]
    order, _ = _order(q, [3.0, 2.9, -5.0, -5.0], feats, {"m_latest": 0.5})
    assert order[0] == 2  # 2025-03-18: far below the margin, but the same agenda item as the best
    order, _ = _order(q, [3.0, 2.9, -5.0, -5.0], [{} for _ in feats], {"m_latest": 0.5})
    assert order[0] == 1  # without it: the newest within the margin (2023-11-09)


def test_a_line_of_the_attachment_list_is_no_answer():
    line = "Sektorbeskrivelse 2024 - Teknik og Miljø"
    assert stages.is_answer(line) and not stages.is_answer_in(line, "Bilag")
    assert stages.is_answer_in("Regnskabet for 2024 viser et mindreforbrug på 2,1 mio. kr.", "Sagsfremstilling")


def test_after_a_timeline_come_the_other_passages_of_its_items():
    q = Query("Hvordan har reglerne for fravær ændret sig?", trend=True)
    dates, docs = ["2022-06-14", "2023-11-09", "2023-11-09", "2022-06-14"], ["a", "b", "b", "a"]
    items = [("a", "1", "x"), ("b", "1", "x"), ("b", "1", "x"), ("a", "2", "y")]
    order, timeline = arrange(q, dates, docs, [{} for _ in dates], items, np.array([3.0, 2.9, 1.0, 2.0]),
                              {"m_trend": 1.0}, 2, 10)
    assert timeline and order == [0, 1, 2, 3]  # the decision passage of b's item before a's other item


def test_a_followup_chooses_its_sentence_by_its_own_words():
    """ "Og nyansatte?" after a question about hjemmearbejde asks the passage about nyansatte; a question of
    its own, or a follow-up of pointing words only, chooses by everything searched."""
    from qa.ask.conversation import leaning
    from qa.ask.query import parse_query
    from qa.ask.stages import asked_terms
    from qa.danish.text import terms
    from qa.types import Turn

    prev = Turn("Hvor mange dage må man arbejde hjemme?", "Hvor mange dage må man arbejde hjemme?", "d1", "4",
                "Retningslinje for hjemmearbejde", "2023-11-09", "...")
    searched = "Og nyansatte? dage arbejde hjemme"
    follow = leaning(parse_query(searched), prev, True, "Og nyansatte?")
    assert asked_terms(follow, terms(searched)) == terms("nyansatte")
    fresh = parse_query(searched)
    assert asked_terms(fresh, terms(searched)) == terms(searched)
    bare = leaning(parse_query("Hvad med det? dage arbejde hjemme"), prev, True, "Hvad med det?")
    assert asked_terms(bare, terms("Hvad med det? dage arbejde hjemme")) == terms("Hvad med det? dage arbejde hjemme")


def test_a_passage_of_another_known_municipality_is_out_of_the_named_places():
    assert stages.in_places("Vestkyst Kommune", ("vestkyst kommune",))
    assert stages.in_places(None, ("vestkyst kommune",))  # a document of no known municipality may answer
    assert not stages.in_places("Søholm Kommune", ("vestkyst kommune",))
    assert stages.in_places("Søholm Kommune", ())


def test_latest_and_a_timeline_keep_to_the_body_the_question_names():
    q = Query("Hvad er det seneste sygefravær i CenterMED?", latest=True, committee_hint="CenterMED")
    feats = [{"body_fit": 1.0}, {"body_fit": 1.0}, {}, {"body_fit": 1.0}]
    scores = [3.0, 2.99, 2.98, 2.97]
    order, _ = _order(q, scores, feats, {"m_latest": 3.0})
    assert order[0] == 3  # 2024-12-12: the named body's newest; 2025-03-18 is another committee's
    order, _ = _order(q, scores, [{} for _ in feats], {"m_latest": 3.0})
    assert order[0] == 2
    t = Query("Hvordan har sygefraværet i CenterMED udviklet sig?", trend=True, committee_hint="CenterMED")
    order, timeline = _order(t, scores, feats, {"m_trend": 3.0})
    assert timeline and order[:3] == [0, 1, 3] and order[3] == 2


def test_a_timeline_keeps_to_the_committee_the_question_names_by_its_area():
    t = Query("Hvordan har sygefraværet i Sundhed og Omsorg udviklet sig?", trend=True,
              units=("center-med sundhed og omsorg",))
    feats = [{}, {"unit_fit": 1.0}, {}, {"unit_fit": 1.0}]
    order, timeline = _order(t, [3.0, 2.99, 2.98, 2.97], feats, {"m_trend": 3.0})
    assert timeline and order[:2] == [1, 3]  # 2022-06-14 and 2025-03-18 are other committees' meetings
