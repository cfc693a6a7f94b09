"""The top-k lexical engine: BM25 over our stems, restricted to allowed ids, scores of given passages."""
from __future__ import annotations

import numpy as np
import pytest

from qa.storage import lexical
from qa.storage.filters import Allowed

pytestmark = pytest.mark.skipif(not lexical.available(), reason="tantivy is not installed")

ROWS = [(1, "budget 2025 spar 35 mio"), (2, "sygefravær kvartal budget"), (3, "arbejdsmiljø apv handleplan"),
        (4, "budget budget budget rammer"), (5, "trivselsmåling opfølgning")]


@pytest.fixture()
def engine(tmp_path):
    return lexical.Lexical(lexical.build(tmp_path / "lexical-1", ROWS))


def test_top_ranks_passages_holding_the_terms(engine):
    top = engine.top(["budget", "2025"], 10)
    assert set(top) == {1, 2, 4} and max(top, key=top.get) == 1  # the rarer term decides
    assert engine.top(["findesikke"], 10) == {}


def test_allowed_ids_restrict_before_ranking(engine):
    assert set(engine.top(["budget"], 10, Allowed.of([2, 3]))) == {2}


def test_scores_of_given_passages_match_the_top_query(engine):
    top = engine.top(["budget"], 10)
    assert engine.scores(["budget"], [2, 3, 4]) == pytest.approx({2: top[2], 4: top[4]})


def test_the_folder_is_replaced_whole(tmp_path):
    target = lexical.build(tmp_path / "lexical-1", ROWS)
    lexical.build(target, ROWS[:2])
    assert len(lexical.Lexical(target)) == 2 and not list(tmp_path.glob("*.tmp*"))


def test_a_filter_over_many_passages_gives_the_exact_filtered_top(tmp_path):
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    rows = [(i, " ".join(rng.choice(words, 12))) for i in range(1, 2001)]
    engine = lexical.Lexical(lexical.build(tmp_path / "lexical-1", rows))
    for share in (0.5, 0.1, 0.005):
        allowed = np.sort(rng.choice(np.arange(1, 2001), int(2000 * share), replace=False))
        got = engine.top(["w1", "w7", "w30"], 20, Allowed.of(allowed))
        exact = engine._run(engine._within(engine._any_of(["w1", "w7", "w30"]), [int(i) for i in allowed]), 20)
        assert set(got) <= set(allowed.tolist())
        assert sorted(got.values(), reverse=True) == pytest.approx(sorted(exact.values(), reverse=True))
