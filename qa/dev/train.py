"""Fitting the learned ranker, its time-rule margins, the abstainer and the follow-up detector.

`python -m qa train` fits everything on all dev files and writes qa/ask/ranker_weights.json;
`python -m qa eval` fits the same way inside k-fold cross-validation, folds grouped by document, so
that no figure it prints comes from a question the weights were fitted on.

- Ranker: two linear stages fitted listwise (softmax over a question's candidates; L-BFGS, L2).
- Time margins: per rule, the margin (in spreads of a question's scores) that puts the most
  evidence first on the training questions; the middle of the best plateau, not its edge.
- Abstainer: logistic regression over question features computed from *out-of-fold* rankings of
  the training questions (an inner cross-validation), threshold at the share of answerable
  training questions allowed to abstain (settings.abstain_false_share).
- Follow-ups: logistic regression over the labelled conversation turns (followup vs switch).
- Stage 3 (the previous answer): listwise over the training conversations' turns read as follow-ups,
  each asked the way the chat asks it: the previous turn's answer is the one this fold's own ranker
  gave (never the gold one), its agenda item joins the candidates.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from qa.ask import conversation
from qa.ask.answerability import QUESTION_FEATURES
from qa.ask.features import (CONTENT, CONVERSATION, CONVERSATION_SIGNS, SENTENCE, SENTENCE_SIGNS, TIME, TIME_SIGNS,
                             Candidates, recency_features, sentence_rows)
from qa.ask.query import parse_query
from qa.ask.ranker import Linear, Model
from qa.ask.stages import spread
from qa.danish.text import terms
from qa.types import Answer, Turn

GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
TOPICAL = 0.5  # stage 2's 'topical' candidates: at least half as likely as the best by stage 1
DEV_FILES = ("dev.jsonl", "dev-seeds-2.jsonl", "archive-dev/questions.jsonl")
CONVERSATIONS = "conversations-dev.jsonl"
_WS = re.compile(r"[\s*]+")


def norm(text: str) -> str:
    """The evidence rule of shared/eval/README.md: lower-cased, white space and '*' removed."""
    return _WS.sub("", (text or "").lower())


@dataclass
class DevQuestion:
    id: str
    file: str
    question: str
    evidence: list[str]  # any one makes a hit
    need_all: list[str]  # all needed in the top 10 (trend, multi)
    category: str
    cands: Candidates | None = None
    labels: np.ndarray | None = None  # per candidate: holds an evidence quote
    covers: list[set[int]] = field(default_factory=list)  # per candidate: which need_all quotes it holds
    group: str = ""


def load_questions(eval_dir: Path) -> list[DevQuestion]:
    out = []
    for name in DEV_FILES:
        path = Path(eval_dir) / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            ev = [r[k] for k in ("evidence", "evidence2") if r.get(k)]
            need = list(r.get("evidence_all") or (ev if len(ev) > 1 else []))
            ev = list(dict.fromkeys(ev + need))
            out.append(DevQuestion(r["id"], Path(name).stem if "/" not in name else name.split("/")[0], r["question"],
                                   ev, need, r.get("category") or ("unanswerable" if not ev else "")))
    return out


def load_conversations(eval_dir: Path) -> list[dict]:
    path = Path(eval_dir) / CONVERSATIONS
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def attach(questions: list[DevQuestion], searcher, ref: str | None, doc_texts: dict[str, str]) -> None:
    """Candidates and labels for every question, and the document it is about (its CV group): the
    document holding its evidence; an unanswerable question goes with its best lexical candidate's."""
    for q in questions:
        q.cands = searcher.candidates(parse_query(q.question, ref=ref))
        ev = [norm(e) for e in q.evidence]
        need = [norm(e) for e in q.need_all]
        texts = [norm(c.chunk.text) for c in q.cands.items]
        q.labels = np.array([any(e in t for e in ev) for t in texts], dtype=bool)
        q.covers = [{j for j, e in enumerate(need) if e in t} for t in texts]
        g = next((d for d, t in doc_texts.items() if ev and ev[0] in t), None)
        if g is None and q.cands.items:
            g = group_of(max(q.cands.items, key=lambda c: c.f["lex"]).chunk)
        q.group = g or q.id


def folds(groups: list[str], k: int, seed: int = 0) -> list[int]:
    """Groups dealt to k folds, each to the currently smallest fold: largest first (seed 0, the reported
    assignment), or in a random order drawn from `seed` (other assignments, to see how far a figure moves)."""
    size: dict[str, int] = defaultdict(int)
    for g in groups:
        size[g] += 1
    order = sorted(size, key=lambda g: (-size[g], g))
    if seed:
        order = [order[i] for i in np.random.default_rng(seed).permutation(len(order))]
    fold_of, load = {}, [0] * k
    for g in order:
        f = int(np.argmin(load))
        fold_of[g] = f
        load[f] += size[g]
    return [fold_of[g] for g in groups]


# --- the listwise linear ranker ---------------------------------------------------------------------
def fit_listwise(groups: list[tuple[np.ndarray, np.ndarray]], l2: float, signs: list[int] | None = None) -> np.ndarray:
    """Weights maximising the softmax probability mass on each question's evidence passages; `signs`
    (+1, -1 or 0 per feature) bounds a weight to be at least or at most zero."""
    from scipy.optimize import minimize

    groups = [(X, y) for X, y in groups if y.any() and (~y).any()]
    d = groups[0][0].shape[1]

    def loss(w):
        total, grad = 0.5 * l2 * w @ w, l2 * w
        for X, y in groups:
            s = X @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            mass = p[y].sum() + 1e-12
            total -= np.log(mass)
            grad = grad - X.T @ (p * y / mass - p)
        return total, grad

    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", bounds=_bounds(signs or [0] * d)).x


def _bounds(signs: list[int]) -> list[tuple[float | None, float | None]]:
    """L-BFGS-B bounds for weights of these signs: +1 at least 0, -1 at most 0, 0 free."""
    return [(0, None) if g > 0 else (None, 0) if g < 0 else (None, None) for g in signs]


def _linear(names, X_all: np.ndarray, groups, l2: float, signs: dict[str, int] | None = None) -> Linear:
    mu, sd = X_all.mean(0), X_all.std(0) + 1e-9
    w = fit_listwise([((X - mu) / sd, y) for X, y in groups], l2, [(signs or {}).get(n, 0) for n in names])
    return Linear(tuple(names), tuple(mu), tuple(sd), tuple(w))


def fit_ranker(train: list[DevQuestion], l2: float, names: tuple[str, ...] = CONTENT, use_time: bool = True) -> Model:
    """Stage 1 (content), stage 2 (stage-1 score + time features), and the time-rule margins."""
    tr = [q for q in train if q.evidence and q.cands.items]
    Xs = [q.cands.matrix(names) for q in tr]
    content = _linear(names, np.vstack(Xs), list(zip(Xs, [q.labels for q in tr])), l2)
    stage1 = Model(content, None, TOPICAL, {}, None, 0.0, None, {})
    if not use_time:
        return stage1
    X2 = []
    for q in tr:
        s1 = stage1.score(q.cands)
        recency_features(q.cands.query, q.cands.items, s1, TOPICAL)
        X2.append(np.hstack([spread(s1)[:, None], q.cands.matrix(TIME)]))
    time = _linear(("stage1",) + TIME, np.vstack(X2), list(zip(X2, [q.labels for q in tr])), l2,
                   {"stage1": 1, **TIME_SIGNS})
    model = Model(content, time, TOPICAL, {}, None, 0.0, None, {})
    return Model(content, time, TOPICAL, choose_margins(train, model), None, 0.0, None, {})


def choose_margins(train: list[DevQuestion], model: Model) -> dict:
    """Per time rule, the margin that puts the most evidence first on these questions (for a
    development question: all its quotes in the top 10, then its first passage)."""
    from qa.ask.stages import arrange

    scored = [(q, model.score(q.cands)) for q in train if q.evidence and q.cands.items]

    def gain(rows, rule, m):
        total = 0.0
        for q, s in rows:
            c = q.cands.items
            order, _ = arrange(q.cands.query, [x.chunk.date for x in c], [x.chunk.doc_id for x in c], [x.f for x in c],
                               [(x.chunk.doc_id, x.chunk.item, x.chunk.item_title) for x in c], s, {rule: m}, 2, 10)
            if rule == "m_trend":
                got = set().union(*[q.covers[i] for i in order[:10]])
                total += (len(got) == len(q.need_all)) + 0.5 * q.labels[order[0]]
            else:
                total += q.labels[order[0]]
        return total

    out = {}
    for rule, sel in (("m_latest", lambda qq: qq.latest), ("m_trend", lambda qq: qq.trend),
                      ("m_period", lambda qq: qq.period is not None and not qq.latest and not qq.trend)):
        keep = [(q, s) for q, s in scored if sel(q.cands.query)]
        if not keep:
            out[rule] = 0.0
            continue
        # a timeline needs more than the best passage's meeting: the trend margin is never 0
        grid = GRID[1:] if rule == "m_trend" else GRID
        vals = [gain(keep, rule, m) for m in grid]
        best = [m for m, v in zip(grid, vals) if v == max(vals)]
        out[rule] = best[len(best) // 2]  # the middle of the best plateau, not its edge
    return out


# --- abstention ------------------------------------------------------------------------------------
def question_rows(questions: list[DevQuestion], models: dict[int, Model], fold_of: dict[str, int], searcher,
                  k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Abstainer features of each question, ranked by the model that did not see it."""
    X, y = [], []
    for q in questions:
        if not q.cands.items:
            continue
        r = searcher.ranked(q.cands, models[fold_of[q.id]], k)
        X.append([r.qfeatures[n] for n in QUESTION_FEATURES])
        y.append(bool(q.evidence))
    return np.array(X), np.array(y)


def fit_abstainer(X: np.ndarray, y: np.ndarray, c: float, false_share: float,
                  groups: np.ndarray | None = None) -> tuple[Linear, float]:
    """The abstention model on all rows, and its threshold, set on probabilities each given by a model fitted
    without its group (`groups`, the inner folds by document: an in-sample probability is higher for the
    questions the model was fitted on). At most `false_share` of the answerable questions fall below it (its
    highest value, a quantile); the unanswerable ones below that quantile are caught by any threshold above
    the highest of them, and the middle of that plateau is taken, not its edge (as for the time margins):
    a threshold at the quantile lies among the answerable questions' probabilities and abstains on unseen
    answerable ones more often than on the training folds."""

    def fit(rows) -> Linear:  # scikit-learn's LogisticRegression(C=c) on standardised rows, unbounded
        mu, sd = X[rows].mean(0), X[rows].std(0) + 1e-9
        w, b = fit_logistic((X[rows] - mu) / sd, y[rows], 1.0 / c, [0] * X.shape[1])
        return Linear(QUESTION_FEATURES, tuple(mu), tuple(sd), tuple(w), b)

    def prob(lin: Linear, rows) -> np.ndarray:
        return 1 / (1 + np.exp(-lin(X[rows])))

    lin = fit(np.ones(len(y), bool))
    p = prob(lin, np.ones(len(y), bool))
    for g in (np.unique(groups) if groups is not None else ()):
        rest = groups != g
        if len(set(y[rest])) < 2:
            continue
        p[~rest] = prob(fit(rest), ~rest)
    if not y.any():
        return lin, 0.5
    hi = float(np.quantile(p[y], false_share))
    caught = p[~y][p[~y] < hi]
    return lin, (float(caught.max()) + hi) / 2 if caught.size else hi


def fit_sentence(train: list[DevQuestion], l2: float) -> Linear | None:
    """Which sentence to show, listwise over the sentences of each evidence passage (a sentence is right when
    it and the one after it, as shown, hold the evidence: evaluate.sentence_hit)."""
    from qa.ask.stages import with_next
    from qa.dev.evaluate import sentence_hit

    groups = []
    for q in train:
        q_terms = terms(q.cands.text)
        for x, gold in zip(q.cands.items, q.labels):
            if not gold or x.sims is None:
                continue
            y = np.array([sentence_hit(x.chunk.text[a:b], q.evidence)
                          for a, b in (with_next(x.chunk.text, x.spans, x.sections, j) for j in range(len(x.spans)))])
            groups.append((sentence_rows(q.cands.query, x.chunk, x.spans, x.sections, x.sims, q_terms), y))
    groups = [(X, y) for X, y in groups if y.any() and (~y).any()]
    if len(groups) < 10:
        return None
    return _linear(SENTENCE, np.vstack([X for X, _ in groups]), groups, l2, SENTENCE_SIGNS)


def fit_model(train: list[DevQuestion], searcher, settings, conversations: list[dict] | None = None,
              inner_k: int = 4, texts: dict[str, str] | None = None) -> Model:
    """Ranker on all of `train`; abstainer on out-of-fold rankings of `train` (inner folds by document);
    follow-up detector and stage 3 on `conversations` (stage 3: only turns whose evidence lies in a
    document of `train`, found in `texts`, the normalised text of each document; all turns without it)."""
    ranker = fit_ranker(train, settings.ranker_l2)
    inner = folds([q.group for q in train], inner_k)
    models, fold_of = {}, {}
    for f in range(inner_k):
        part = [q for q, g in zip(train, inner) if g != f]
        models[f] = fit_ranker(part, settings.ranker_l2) if any(q.evidence for q in part) else ranker
    for q, g in zip(train, inner):
        fold_of[q.id] = g
    X, y = question_rows(train, models, fold_of, searcher)
    rows_fold = np.array([fold_of[q.id] for q in train if q.cands.items])
    abstain, below = fit_abstainer(X, y, settings.abstain_c, settings.abstain_false_share, rows_fold)
    follow = fit_followup(conversations, shown=shown_passage(searcher, ranker)) if conversations else None
    model = Model(ranker.content, ranker.time, ranker.topical, ranker.margins, abstain, below, follow,
                  {"questions": len(train), "answerable": int(sum(bool(q.evidence) for q in train))},
                  sentence=fit_sentence(train, settings.ranker_l2))
    if not conversations or not settings.use_previous_answer:
        return model
    docs = {q.group for q in train}
    in_train = (lambda ev: True) if texts is None else (
        lambda ev: any(ev in t for d, t in texts.items() if d in docs))
    rows = [(cands, labels) for t, cands, labels in followup_turns(conversations, searcher, model, settings)
            if in_train(norm(t["evidence"]))]
    conv = fit_conversation(rows, model, settings.ranker_l2)
    return replace(model, conversation=conv,
                   trained_on={**model.trained_on, "followup_turns": len(rows)}) if conv else model


# --- conversations: asked as the chat asks them; stage 3 ---------------------------------------------
@dataclass
class AskedTurn:
    """One conversation turn asked the way `qa chat` asks it, with the model given."""

    turn: dict
    searched: str
    leans: bool
    cands: Candidates
    answer: Answer


def ask_conversation(conv: dict, searcher, settings, model_for, fmodel, cache: dict | None = None) -> list[AskedTurn]:
    """Every turn of one conversation: read_turn -> parse -> (the previous answer's item if it leans) ->
    candidates -> finish, with `model_for(turn)` ranking it; the next turn leans on this turn's answer."""
    ref = searcher.index.store.newest_date()
    cache = {} if cache is None else cache
    prev: Turn | None = None
    out = []
    for t in conv["turns"]:
        searched, leans = conversation.read_turn(t["question"], prev, fmodel, settings.followup_at)
        query = parse_query(searched, ref=ref)
        if settings.use_previous_answer:
            query = conversation.leaning(query, prev, leans, t["question"])
        if query not in cache:
            cache[query] = searcher.candidates(query)
        cands = cache[query]
        ans = searcher.finish(cands, model_for(t)) if cands.items else Answer(query, [], True)
        ans.searched_for, ans.question = searched, t["question"]
        out.append(AskedTurn(t, searched, leans, cands, ans))
        prev = ans.turn
    return out


def followup_turns(conversations: list[dict], searcher, model: Model, settings):
    """(turn, candidates, labels) of every turn with evidence that the detector reads as leaning on an
    answered previous turn, the previous answer being `model`'s own."""
    cache: dict = {}
    for c in conversations:
        for a in ask_conversation(c, searcher, settings, lambda t: model, model.followup, cache):
            if a.cands.query.previous is None or not a.turn["evidence"] or not a.cands.items:
                continue
            ev = norm(a.turn["evidence"])
            yield a.turn, a.cands, np.array([ev in norm(x.chunk.text) for x in a.cands.items], dtype=bool)


def fit_conversation(rows: list[tuple[Candidates, np.ndarray]], model: Model, l2: float) -> Linear | None:
    """Stage 3: the stage-2 score with CONVERSATION, listwise over follow-up turns (None: too few)."""
    base = replace(model, conversation=None)
    X = [np.hstack([base.score(c)[:, None], c.matrix(CONVERSATION)]) for c, _ in rows]
    groups = [(x, y) for x, y in zip(X, [y for _, y in rows]) if y.any() and (~y).any()]
    if len(groups) < 5:
        return None
    return _linear(("stage2",) + CONVERSATION, np.vstack([x for x, _ in groups]), groups, l2,
                   CONVERSATION_SIGNS)


# --- follow-ups ------------------------------------------------------------------------------------
def followup_rows(conversations: list[dict], shown=None) -> list[tuple[str, dict, bool]]:
    """(conversation id, features, leans) for every labelled followup/switch turn, over the gold chain
    (the previous turn read by its label); `shown(text)` is the passage the system answers `text` with."""
    rows = []
    for c in conversations:
        prev = None
        for t in c["turns"]:
            if prev is not None and t["kind"] in ("followup", "switch"):
                passage = shown(prev) if shown else ""
                rows.append((c["id"], conversation.followup_features(t["question"], prev, passage),
                             t["kind"] == "followup"))
            prev = conversation.carry_topic(t["question"], prev) if prev and t["kind"] == "followup" else t["question"]
    return rows


def shown_passage(searcher, model: Model):
    """text -> the first passage `model` answers it with (cached): what a previous turn showed."""
    ref, cache = searcher.index.store.newest_date(), {}

    def shown(text: str) -> str:
        if text not in cache:
            cands = searcher.candidates(parse_query(text, ref=ref))
            ans = searcher.finish(cands, model) if cands.items else None
            cache[text] = ans.hits[0].chunk.text if ans and ans.hits and not ans.abstain else ""
        return cache[text]
    return shown


def fit_followup(conversations: list[dict], rows=None, shown=None) -> Linear:
    rows = rows if rows is not None else followup_rows(conversations, shown)
    names = conversation.FOLLOWUP_FEATURES
    X = np.array([[r[1][n] for n in names] for r in rows])
    y = np.array([r[2] for r in rows])
    w, b = fit_logistic(X, y, 1.0, [conversation.FOLLOWUP_SIGNS.get(n, 0) for n in names])
    return Linear(names, tuple([0.0] * len(names)), tuple([1.0] * len(names)), tuple(w), b)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float, signs: list[int]) -> tuple[np.ndarray, float]:
    """Logistic regression (L2 on the weights, not the intercept) with each weight bounded to its sign."""
    from scipy.optimize import minimize

    t = np.where(y, 1.0, -1.0)

    def loss(v):
        w, b = v[:-1], v[-1]
        m = t * (X @ w + b)
        p = 1 / (1 + np.exp(m))  # the slope of log(1 + exp(-m))
        g = -(t * p)
        return np.logaddexp(0, -m).sum() + 0.5 * l2 * w @ w, np.r_[X.T @ g + l2 * w, g.sum()]

    v = minimize(loss, np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=_bounds(list(signs) + [0])).x
    return v[:-1], float(v[-1])


def group_of(chunk) -> str:
    """A passage's CV group: its document's file name (not the content hash, so that the folds do not move
    when the hash does)."""
    return Path(chunk.source).name


def doc_texts(store) -> dict[str, str]:
    """The normalised text of each document, by CV group."""
    out: dict[str, str] = {}
    for row, text in store.chunk_texts():
        doc = group_of(store.chunks([row])[row])
        out[doc] = out.get(doc, "") + norm(text)
    return out


def main(args, settings) -> int:
    """`python -m qa train`: fit on every dev file and write the weights file."""
    from qa.api import Assistant

    eval_dir = Path(args.eval_dir)
    assistant = Assistant(settings.replace(use_learned=False))
    searcher = assistant.searcher
    ref = assistant.index.store.newest_date()
    qs = load_questions(eval_dir)
    attach(qs, searcher, ref, doc_texts(assistant.index.store))
    model = fit_model(qs, searcher, settings, load_conversations(eval_dir))
    if model.conversation is not None:
        print(f"Trin 3 (forrige svar): {model.trained_on.get('followup_turns')} opfølgende ture")
    out = Path(args.out) if args.out else settings.ranker_weights
    model.save(out)
    print(f"Vægte skrevet: {out} ({len(qs)} spørgsmål; margener {model.margins}; "
          f"abstention under {model.abstain_below:.3f})")
    return 0
