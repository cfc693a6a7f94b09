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
