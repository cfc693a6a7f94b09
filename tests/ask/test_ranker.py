from __future__ import annotations

import numpy as np

from qa.ask import conversation, ranker
from qa.ask.answerability import QUESTION_FEATURES
from qa.ask.features import CONTENT, TIME
from qa.ask.ranker import Linear, Model


def test_linear_standardises_then_weighs():
    lin = Linear(("a", "b"), (1.0, 0.0), (2.0, 1.0), (1.0, -1.0), 0.5)
    assert np.allclose(lin(np.array([[3.0, 1.0], [1.0, 0.0]])), [1.0 - 1.0 + 0.5, 0.5])


def test_a_model_survives_its_file(tmp_path):
    lin = Linear(("a",), (0.0,), (1.0,), (2.0,))
    m = Model(lin, None, 0.5, {"m_latest": 1.0}, lin, 0.3, None, {"questions": 1})
    m.save(tmp_path / "w.json")
    assert ranker.load(str(tmp_path / "w.json")) == m


def test_the_shipped_weights_read_exactly_the_features_the_code_computes():
    m = ranker.load()
    assert m is not None, "qa/ask/ranker_weights.json is missing: run python -m qa train"
    assert m.content.names == CONTENT
    assert m.time.names == ("stage1",) + TIME
    assert m.abstain.names == QUESTION_FEATURES
    assert m.followup.names == conversation.FOLLOWUP_FEATURES
    assert 0.0 < m.abstain_below < 1.0 and set(m.margins) == {"m_latest", "m_period", "m_trend"}
