from __future__ import annotations

import numpy as np
import pytest

from qa.ask import conversation, ranker
from qa.ask.answerability import QUESTION_FEATURES
from qa.ask.features import CONTENT, SENTENCE, TIME
from qa.ask.ranker import Linear, Model


def test_linear_standardises_then_weighs():
    lin = Linear(("a", "b"), (1.0, 0.0), (2.0, 1.0), (1.0, -1.0), 0.5)
    assert np.allclose(lin(np.array([[3.0, 1.0], [1.0, 0.0]])), [1.0 - 1.0 + 0.5, 0.5])


def test_a_model_survives_its_file(tmp_path):
    lin = Linear(("a",), (0.0,), (1.0,), (2.0,))
    m = Model(lin, None, 0.5, {"m_latest": 1.0}, lin, 0.3, None, {"questions": 1}, lin)
    m.save(tmp_path / "w.json")
    assert ranker.load(str(tmp_path / "w.json")) == m


def test_the_shipped_weights_read_exactly_the_features_the_code_computes():
    m = ranker.load()
    assert m is not None, "qa/ask/ranker_weights.json is missing: run python -m qa train"
    assert m.content.names == CONTENT
    assert m.time.names == ("stage1",) + TIME
    assert m.abstain.names == QUESTION_FEATURES
    assert m.followup.names == conversation.FOLLOWUP_FEATURES
    assert m.sentence.names == SENTENCE
    assert 0.0 < m.abstain_below < 1.0 and set(m.margins) == {"m_latest", "m_period", "m_trend"}


def _cands(previous):
    from qa.ask.features import Candidate, Candidates
    from qa.types import Chunk, Query, Turn

    turn = Turn("q", "q", "d1", "4", "Vold og trusler", "2023-03-15") if previous else None
    chunks = [Chunk("a", "d1", "x", 0, 1, item="4"), Chunk("b", "d2", "y", 0, 1, item="2")]
    items = [Candidate(i, c, None, {"prev_item": float(i == 0), "prev_after": 0.0}) for i, c in enumerate(chunks)]
    return Candidates(Query("q", previous=turn), "q", items)


def test_stage_three_reads_the_previous_answer_only_for_a_followup():
    from qa.ask.features import CONVERSATION

    one = Linear(("dense",), (0.0,), (1.0,), (1.0,))
    time = Linear(("stage1",) + TIME, (0.0,) * (1 + len(TIME)), (1.0,) * (1 + len(TIME)), (1.0,) + (0.0,) * len(TIME))
    n = 1 + len(CONVERSATION)  # stage 2, then prev_item first
    conv = Linear(("stage2",) + CONVERSATION, (0.0,) * n, (1.0,) * n, (1.0, 5.0) + (0.0,) * (n - 2))
    m = Model(one, time, 0.5, {}, None, 0.0, None, {}, conv)
    # stage 2 reads stage 1 in the question's spread: [0, 1] -> [-2, 0] (below the best, over std 0.5)
    assert m.score(_with_dense(_cands(True))) == pytest.approx([3.0, 0.0])  # the previous answer's item leads
    assert m.score(_with_dense(_cands(False))) == pytest.approx([-2.0, 0.0])  # not a follow-up: stage 2 alone


def _with_dense(c):
    c.items[0].f["dense"], c.items[1].f["dense"] = 0.0, 1.0
    return c


def test_the_shipped_weights_have_the_conversation_stage():
    from qa.ask.features import CONVERSATION

    m = ranker.load()
    assert m.conversation is not None and m.conversation.names == ("stage2",) + CONVERSATION


def test_the_sentence_model_picks_what_is_shown_but_never_a_heading_while_a_sentence_is_there():
    from dataclasses import replace

    from qa.ask.features import Candidate
    from qa.types import Chunk, Query

    text = "Beslutning\nUdvalget drøftede sagen grundigt.\n\nIndkøbet af 40 overfaldsalarmer blev godkendt."
    parts = ("Beslutning", "Udvalget drøftede sagen grundigt.", "Indkøbet af 40 overfaldsalarmer blev godkendt.")
    spans = [(text.index(p), text.index(p) + len(p)) for p in parts]
    sections = [None, "Beslutning", "Beslutning"]
    chunk = Chunk("a", "d1", text, 0, len(text), item="6")
    q = Query("Hvad blev besluttet om overfaldsalarmer?", answer_type="decision")
    sims, q_terms = np.array([0.95, 0.90, 0.80]), ["overfaldsalarm", "beslut"]
    cand = Candidate(0, chunk, spans[1], {}, spans, sections, sims)
    by = lambda name: tuple(1.0 if n == name else 0.0 for n in SENTENCE)  # noqa: E731
    lin = lambda name: Linear(SENTENCE, (0.0,) * len(SENTENCE), (1.0,) * len(SENTENCE), by(name))  # noqa: E731
    base = Model(Linear(("dense",), (0.0,), (1.0,), (1.0,)), None, 0.5, {}, None, 0.0, None, {})
    assert base.shown_span(cand, q, q_terms) == spans[1]  # no sentence model: the span chosen with the candidate
    shown = lambda name: text[slice(*replace(base, sentence=lin(name)).shown_span(cand, q, q_terms))]  # noqa: E731
    # by similarity alone the heading would win; it is no answer, so the best real sentence is shown
    assert shown("s_sim").startswith("Udvalget")
    assert shown("s_cov").startswith("Indkøbet")
