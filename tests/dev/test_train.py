from __future__ import annotations

import numpy as np
import pytest

from qa.dev.train import fit_listwise, fit_logistic, folds, norm


def test_listwise_weights_put_the_evidence_first():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(30):
        X = rng.normal(size=(8, 2))
        y = np.zeros(8, bool)
        y[int(np.argmax(X[:, 0]))] = True  # the evidence is the passage with the largest first feature
        groups.append((X, y))
    w = fit_listwise(groups, l2=0.1)
    assert w[0] > abs(w[1])
    assert all(y[int(np.argmax(X @ w))] for X, y in groups)


def test_a_signed_weight_keeps_its_sign_when_the_data_pull_the_other_way():
    """Two overlapping signs of the same thing: a free fit gives one a negative weight; bounded, it is 0."""
    rng = np.random.default_rng(1)
    groups = []
    for _ in range(40):
        fit = rng.random(8) < 0.5
        also = fit & (rng.random(8) < 0.7)  # fires only where the first does
        y = np.zeros(8, bool)
        y[int(np.argmax(fit + 0.1 * rng.random(8) - 0.5 * also))] = True  # the data favour fit-without-also
        groups.append((np.c_[fit, also].astype(float), y))
    free = fit_listwise(groups, l2=0.1)
    signed = fit_listwise(groups, l2=0.1, signs=[1, 1])
    assert free[1] < 0
    assert signed[0] > 0 and signed[1] >= 0


def test_the_signed_logistic_fit_is_scikit_learns_when_unbounded_and_keeps_a_bound():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -2.0, -0.4] + rng.normal(size=80) > 0
    ref = LogisticRegression(C=1.0, max_iter=1000).fit(X, y)
    w, b = fit_logistic(X, y, 1.0, [0, 0, 0])
    assert np.allclose(w, ref.coef_[0], atol=1e-3) and abs(b - ref.intercept_[0]) < 1e-3
    w, _ = fit_logistic(X, y, 1.0, [0, 0, 1])  # the third may not count against
    assert w[2] == 0.0 and w[1] < 0


def test_folds_never_split_a_document_and_are_balanced():
    groups = ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 3 + ["e"] * 1
    f = folds(groups, 3)
    for g in set(groups):
        assert len({x for x, gg in zip(f, groups) if gg == g}) == 1
    sizes = [f.count(i) for i in range(3)]
    assert max(sizes) - min(sizes) <= 2


def test_other_fold_seeds_deal_the_documents_otherwise_and_still_never_split_one():
    groups = [g for i, g in enumerate("abcdefghij") for _ in range(1 + i % 3)]
    reported = folds(groups, 3)
    assert folds(groups, 3, seed=0) == reported  # the reported assignment does not move
    others = [folds(groups, 3, seed=s) for s in (1, 2, 3)]
    together = lambda f: {frozenset(g for g, x in zip(groups, f) if x == i) for i in range(3)}  # noqa: E731
    assert any(together(o) != together(reported) for o in others)
    for f in others:
        assert all(len({x for x, gg in zip(f, groups) if gg == g}) == 1 for g in set(groups))
        assert sorted(set(f)) == [0, 1, 2]


def test_the_evidence_rule_ignores_case_white_space_and_stars():
    assert norm("Der skal **findes** 35\n mio. kr.") == norm("der skal findes 35 mio. kr.")


def test_the_abstention_threshold_is_set_on_out_of_group_probabilities_mid_plateau():
    from sklearn.linear_model import LogisticRegression

    from qa.ask.answerability import QUESTION_FEATURES
    from qa.dev.train import fit_abstainer

    rng = np.random.default_rng(0)
    y = rng.random(120) < 0.75
    X = rng.normal(size=(120, len(QUESTION_FEATURES))) + y[:, None] * np.array([1.0, 0.5, 0.0, -1.0])
    groups = np.arange(120) % 4
    lin, below = fit_abstainer(X, y, 1.0, 0.05, groups)
    p = np.zeros(120)
    for g in range(4):  # the same by hand: each group's probabilities from a model fitted without it
        rest = groups != g
        mu, sd = X[rest].mean(0), X[rest].std(0) + 1e-9
        lr = LogisticRegression(C=1.0, max_iter=2000).fit((X[rest] - mu) / sd, y[rest])
        p[~rest] = lr.predict_proba((X[~rest] - mu) / sd)[:, 1]
    hi = np.quantile(p[y], 0.05)  # at most 5 % of the answerable ones below; the middle of the plateau down to
    lo = p[~y][p[~y] < hi].max()  # the highest unanswerable probability that threshold catches
    assert below == pytest.approx((lo + hi) / 2, abs=1e-4) and np.mean(p[y] < below) <= 0.05  # sklearn as reference
    _, in_sample = fit_abstainer(X, y, 1.0, 0.05)  # without groups: the fitted model's own probabilities
    assert in_sample != pytest.approx(below)
    assert lin.names == QUESTION_FEATURES
