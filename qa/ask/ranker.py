"""The learned ranker and abstainer: fitted weights (qa/ask/ranker_weights.json) applied to features.

Two linear stages, fitted listwise (a softmax over each question's candidates, so the weights are
chosen for putting the evidence first): stage 1 reads the content features; stage 2 reads the
stage-1 score, in the question's own spread, together with the time features (the period fit, and the
recency among the candidates stage 1 finds topical); for a question read as a follow-up, stage 3 reads
the stage-2 score together with where each passage stands to the previous answer
(features.CONVERSATION). The abstainer is a logistic model over question-level features
(qa/ask/answerability.py) whose threshold keeps false abstentions under a set share of the training
questions (their out-of-fold probabilities). Retrain with `python -m qa train` (qa/dev/train.py); nothing
here fits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.ask.features import (CONTENT, CONVERSATION, TIME, Candidates, recency_features, sentence_rows,
                             sequel_features)
from qa.ask.stages import is_heading, spread, with_next

WEIGHTS = Path(__file__).with_name("ranker_weights.json")


@dataclass(frozen=True)
class Linear:
    """Standardise, then a dot product: score = ((x - mu) / sd) @ w + b."""

    names: tuple[str, ...]
    mu: tuple[float, ...]
    sd: tuple[float, ...]
    w: tuple[float, ...]
    b: float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            return np.zeros(len(x))
        return ((x - np.array(self.mu)) / np.array(self.sd)) @ np.array(self.w) + self.b

    def as_dict(self) -> dict:
        return {"names": list(self.names), "mu": list(self.mu), "sd": list(self.sd), "w": list(self.w), "b": self.b}

    @classmethod
    def of(cls, d: dict) -> "Linear":
        return cls(tuple(d["names"]), tuple(d["mu"]), tuple(d["sd"]), tuple(d["w"]), float(d.get("b", 0.0)))


@dataclass(frozen=True)
class Model:
    """Everything fitted: the two ranking stages, the time rules' margins, the abstainer, the follow-up model."""

    content: Linear
    time: Linear | None
    topical: float  # a candidate is topical when at least this likely, relative to the best (stage 1)
    margins: dict  # m_latest, m_period, m_trend: in spreads of the question's scores (qa/ask/stages.py)
    abstain: Linear | None  # logistic: probability that the first passage answers
    abstain_below: float  # probability under which the answer abstains
    followup: Linear | None  # logistic: probability that a turn leans on the previous one
    trained_on: dict
    conversation: Linear | None = None  # stage 3: stage-2 score + CONVERSATION, for follow-ups only
    sentence: Linear | None = None  # which sentence of a passage is shown, over features.SENTENCE

    def score(self, cands: Candidates) -> np.ndarray:
        """One learned score per candidate (higher is better)."""
        s1 = self.content(cands.matrix(self.content.names))
        if self.time is None or not cands.items:
            return s1
        recency_features(cands.query, cands.items, s1, self.topical)
        sequel_features(cands.query, cands.items)
        # stage 1 in the question's own spread: a period fit weighs against how decisive the content is for
        # this question, not against the content score's scale (CV: abstention 0.69 -> 0.72, follow-ups
        # 0.63 -> 0.66, hit@1 the same; docs/RETRIEVAL.md)
        s2 = self.time(np.hstack([spread(s1)[:, None], cands.matrix(self.time.names[1:])]))
        if self.conversation is None or cands.query.previous is None:
            return s2
        return self.conversation(np.hstack([s2[:, None], cands.matrix(self.conversation.names[1:])]))

    def shown_span(self, cand, query, q_terms: list[str]) -> tuple[int, int] | None:
        """The sentence (and the one after it) to show of a candidate: the fitted sentence model's best, or
        the hand-set choice made with the candidate (features.best_sentence) when there is no model."""
        if self.sentence is None or cand.sims is None or not len(cand.spans):
            return cand.span
        text = cand.chunk.text
        # a heading, a label or a file name is never shown while the passage has a sentence
        can = np.array([not is_heading(text[a:b], sec) for (a, b), sec in zip(cand.spans, cand.sections)])
        scores = self.sentence(sentence_rows(query, cand.chunk, cand.spans, cand.sections, cand.sims, q_terms))
        if can.any():
            scores = np.where(can, scores, -np.inf)
        return with_next(text, cand.spans, cand.sections, int(np.argmax(scores)))

    def answer_probability(self, qfeats: dict[str, float]) -> float:
        if self.abstain is None:
            return 1.0
        z = float(self.abstain(np.array([[qfeats.get(n, 0.0) for n in self.abstain.names]]))[0])
        return 1.0 / (1.0 + np.exp(-z))

    def as_dict(self) -> dict:
        return {
            "content": self.content.as_dict(), "time": self.time.as_dict() if self.time else None,
            "topical": self.topical, "margins": self.margins,
            "abstain": self.abstain.as_dict() if self.abstain else None, "abstain_below": self.abstain_below,
            "followup": self.followup.as_dict() if self.followup else None, "trained_on": self.trained_on,
            "conversation": self.conversation.as_dict() if self.conversation else None,
            "sentence": self.sentence.as_dict() if self.sentence else None,
        }

    @classmethod
    def of(cls, d: dict) -> "Model":
        opt = lambda k: Linear.of(d[k]) if d.get(k) else None  # noqa: E731
        return cls(Linear.of(d["content"]), opt("time"), float(d["topical"]), dict(d["margins"]), opt("abstain"),
                   float(d["abstain_below"]), opt("followup"), dict(d.get("trained_on", {})), opt("conversation"),
                   opt("sentence"))

    def save(self, path: Path = WEIGHTS) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load(path: str = str(WEIGHTS)) -> Model | None:
    """The shipped weights, or None when the file is missing (the hand-set fusion is used then)."""
    p = Path(path)
    if not p.exists():
        return None
    return Model.of(json.loads(p.read_text(encoding="utf-8")))


__all__ = ["Linear", "Model", "load", "WEIGHTS", "CONTENT", "TIME", "CONVERSATION"]
