"""Candidates of one question and the features the learned ranker reads.

Every feature means the same on any corpus: cosine similarities (absolute, and as a gap to the
question's best), BM25 relative to the question's best, shares of the question's terms (plain and
weighted by rarity) in the passage, its item title and its best sentence, reciprocal ranks in each
channel, whether the passage is of the kind the question asks for, and how its meeting date fits the
question's period. Nothing here is a weight: qa/ask/ranker.py combines them with fitted weights.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from qa.ask import stages
from qa.danish.dates import YEAR, mentions, months_after, months_between, names_other
from qa.danish.text import terms
from qa.danish.vocabulary import PERSON, find_sides
from qa.types import FRONT_MATTER, Chunk, Query, Turn

CONTENT = ("dense", "dense_gap", "lex", "sent", "sent_gap", "cov", "title_cov", "type_fit", "type_miss",
           "decision_sec", "front", "side_fit", "body_fit", "body_other",
           "idf_cov", "sent_cov", "max_sent_cov", "bigram", "log_len", "dense_rr", "lex_rr", "title_prec")
TIME = ("p_in", "p_mention", "p_after", "p_miss", "p_meet", "p_title", "p_title_other", "newest", "recency")
# The sign each time feature's weight must have: fitting the period better never lowers a passage (the
# features overlap - p_miss is "none of the others" - and a free fit gave "mentions the period" a negative
# weight, so a year report naming the year lost to a passage that merely came soon after it).
TIME_SIGNS = {"p_in": 1, "p_mention": 1, "p_after": 1, "p_miss": -1, "p_meet": 1, "p_title": 1,
              "p_title_other": -1, "newest": 1, "recency": 1}
# Where the passage stands relative to the previous answer, for a question read as a follow-up (zero
# otherwise): in the previous answer's agenda item; at a meeting soon after it when the question asks what
# became of the matter ("Har det virket?"; being in the previous item then says nothing, and is not
# counted). (Same document, item-title overlap, title overlap at a later meeting and cosine to the previous
# item were tried too: no gain in CV, docs/RETRIEVAL.md.) prev_next, for such a question: at the first later
# meeting with an item like the previous answer's, among the candidates (sequel_features).
CONVERSATION = ("prev_item", "prev_after", "prev_next")
# Standing by the previous answer never counts against a passage (CV over five fold assignments: follow-ups
# 0.68 -> 0.69 with these signs, docs/RETRIEVAL.md).
CONVERSATION_SIGNS = {"stage2": 1, **{n: 1 for n in CONVERSATION}}
# Which sentence of a passage to show (qa/ask/ranker.py Model.sentence): its similarity to the question (and
# as a gap to the passage's best), its share of the question's terms, whether it is of the asked kind,
# whether it can be shown at all (not a heading or a label), where it stands in the passage, and whether the
# side the question asks for speaks in it (_speaks).
SENTENCE = ("s_sim", "s_gap", "s_cov", "s_fit", "s_answer", "s_pos", "s_side")
SENTENCE_SIGNS = {"s_sim": 1, "s_gap": 1, "s_cov": 1, "s_fit": 1, "s_answer": 1, "s_side": 1}
REPORT_WITHIN_MONTHS = 6  # a meeting this soon after a period can report on it (a quarter's figures)


@dataclass
class Candidate:
    """One passage proposed for a question, with its features and the sentence span to show."""

    row: int  # the passage's row id in the store
    chunk: Chunk
    span: tuple[int, int] | None  # best sentence (+ the next one) inside chunk.text
    f: dict[str, float] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)  # its sentences,
    sections: list[str | None] = field(default_factory=list)  # their sub-sections,
    sims: np.ndarray | None = None  # and their similarity to the question (SENTENCE rows are made from these
    # only for what is shown: sentence_rows)


@dataclass
class Candidates:
    """What one search text proposes: the parsed question and its candidates (unranked)."""

    query: Query
    text: str
    items: list[Candidate]

    def matrix(self, names: tuple[str, ...]) -> np.ndarray:
        return np.array([[c.f.get(n, 0.0) for n in names] for c in self.items], dtype=np.float64).reshape(
            len(self.items), len(names))


def passage_features(query: Query, q_terms: list[str], idf: dict[str, float], chunk: Chunk,
                     sentence: tuple[float, tuple[int, int] | None, bool, float, float],
                     dense: float, lexical: float) -> dict[str, float]:
    """The features of one passage that need only the passage and the question (no other candidate)."""
    sent_sim, span, fit, sent_cov, max_sent_cov = sentence
    q_cov = [t for t in dict.fromkeys(q_terms) if not t.isdigit()]
    p_words, p_bigrams = _passage_words(chunk.text)
    title = stages.word_set(chunk.item_title or "")
    # the meeting's committee and municipality are said of every passage of it ("Hoved-MED i Vestkyst")
    have = title | p_words | stages.word_set(" ".join(x or "" for x in (chunk.committee, chunk.body, chunk.municipality)))
    q_bi = set(zip(q_terms, q_terms[1:]))
    idf_sum = sum(idf.get(t, 0.0) for t in q_cov) or 1.0
    f = {
        "dense": dense, "lex": lexical, "sent": sent_sim,
        "cov": sum(t in have for t in q_cov) / len(q_cov) if q_cov else 0.0,
        "title_cov": sum(t in title for t in q_cov) / len(q_cov) if q_cov else 0.0,
        "idf_cov": sum(idf.get(t, 0.0) for t in q_cov if t in have) / idf_sum,
        "sent_cov": sent_cov, "max_sent_cov": max_sent_cov,
        "bigram": len(q_bi & p_bigrams) / len(q_bi) if q_bi else 0.0,
        "title_prec": _title_precision(chunk.item_title or "", set(q_terms)),
        "log_len": float(np.log(1 + len(chunk.text))),
        "type_fit": float(bool(query.answer_type) and fit),
        "type_miss": float(bool(query.answer_type) and not fit),
        "decision_sec": float(query.answer_type == "decision" and "beslutning" in chunk.text.lower()),
        "front": float(chunk.item is None and chunk.item_title == FRONT_MATTER and not query.about_meeting),
        "side_fit": float(bool(query.side_hint) and query.side_hint in chunk.sides),
        # the question names a kind of body (MEDII, HovedMED); the passage's committee carries its unit
        # ("MEDII - Arbejdsmarked og Integration"), so its kind is in chunk.body
        "body_fit": float(bool(query.committee_hint) and query.committee_hint in (chunk.body, chunk.committee)),
        "body_other": float(bool(query.committee_hint) and bool(chunk.body or chunk.committee)
                            and query.committee_hint not in (chunk.body, chunk.committee)),
        # the question names the committee by its area ("i Sundhed og Omsorg"); read by the time rules only
        "unit_fit": float(bool(query.units) and (chunk.committee or "").lower() in query.units),
    }
    f.update(period_features(query, chunk))
    f.update(conversation_features(query, chunk))
    return f


def _title_precision(title: str, q: set[str]) -> float:
    """The share of the item title's terms (years counted, other numbers not) that the question has: an item
    whose title the question names wholly is about it ("Budget 2023" over "Budgetopfølgning 2022 og budget
    2023" for the budget of 2023), where title_cov only says how much of the question the title has."""
    t = [w for w in stages.word_set(title) if not w.isdigit() or YEAR.fullmatch(w)]
    return sum(w in q for w in t) / len(t) if t else 0.0


@lru_cache(maxsize=50_000)
def _passage_words(text: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """A passage's terms and adjacent term pairs as sets (cached: recurring topics bring passages back)."""
    t = terms(text)
    return frozenset(t), frozenset(zip(t, t[1:]))


def conversation_features(query: Query, chunk: Chunk) -> dict[str, float]:
    """How the passage stands to the previous answer's first passage (nothing when not a follow-up)."""
    prev = query.previous
    if prev is None or prev.doc_id is None:
        return {}
    ours = same_committee(prev, chunk)
    later = bool(prev.date and chunk.date) and chunk.date[:10] > prev.date[:10] and ours
    # the sooner after the previous answer's meeting, the likelier it reports what became of it
    soon = 1.0 / (1.0 + months_between(prev.date, chunk.date) / 12.0) if later and query.afterwards else 0.0
    # one agenda item, keyed as stages.arrange keys it (a part without an item number is known by its title)
    same = (chunk.doc_id, chunk.item, chunk.item_title) == (prev.doc_id, prev.item, prev.item_title)
    return {"prev_item": float(same and not query.afterwards), "prev_after": soon,
            "prev_committee": float(bool(prev.committee) and ours)}


def same_committee(prev: Turn, chunk: Chunk) -> bool:
    """A later meeting reports what became of a matter only if it is the same committee's (or either is unknown):
    another committee's "Sygefravær 3. kvartal" is not the sequel of this one's. One committee's minutes may
    name it more or less fully ("Område-MED Dagtilbud Øst" and "Område-MED Dagtilbud Øst, Børn og Familie")."""
    if not (prev.committee and chunk.committee):
        return True
    a, b = sorted((_name_words(prev.committee), _name_words(chunk.committee)), key=len)
    return a == b or (len(a) >= 2 and b[:len(a)] == a)


def _name_words(name: str) -> tuple[str, ...]:
    """ "Område-MED Dagtilbud Øst, Børn" -> ("område-med", "dagtilbud", "øst", "børn"): a body's name is one word."""
    return tuple(w.strip(",.;:()") for w in name.lower().split() if w.strip(",.;:()"))


# Title years that name no period the item reports on: "Budget 2025" is planned in the year before, and
# "Opfølgning på APV 2023" follows the matter up after its year
_NOT_REPORTED_YEAR = re.compile(r"\bbudget\w*\s+((?:19|20)\d\d)\b"
                                r"|\b(?:opfølgning|status|evaluering)\b[^:–|]{0,40}?\b((?:19|20)\d\d)\b", re.I)


def period_features(query: Query, chunk: Chunk) -> dict[str, float]:
    """How the passage's meeting date and words fit the period the question names."""
    p = query.period
    if p is None:
        return {}
    after = months_after(p, chunk.date)
    f = {
        "p_in": float(p.contains(chunk.date)),
        "p_mention": float(mentions(" ".join((chunk.item_title or "", chunk.text)), p)),
        "p_after": float(after is not None and 0 < after <= REPORT_WITHIN_MONTHS),
    }
    f["p_miss"] = float(not any(f.values()))
    f["p_meet"] = float(query.pins_meeting and f["p_in"])
    # an agenda item's title often names the period it reports on ("Sygefravær 1. kvartal 2022", "APV 2023"):
    # naming the asked one, or another one, says more than a mention somewhere in the text
    title = chunk.item_title or ""
    f["p_title"] = float(mentions(title, p) and not _title_pairs_other(title, p, query.text))
    f["p_title_other"] = float(not f["p_title"] and (names_other(title, p) or bool(
        set(YEAR.findall(title)) - p.years - {y for m in _NOT_REPORTED_YEAR.findall(title) for y in m})))
    return f


_TITLE_PARTS = re.compile(r"\s+og\s+|\s*[,;:–—]\s*|\s+-\s+")


def _title_pairs_other(title: str, p, question: str) -> bool:
    """A title of several parts names the asked period only beside another subject: "Regnskab 2021 og budget
    2022" for "regnskabet for 2022" names 2022 for the budget, the asked regnskab for 2021."""
    parts = [x for x in _TITLE_PARTS.split(title) if x.strip()]
    if len(parts) < 2:
        return False
    asked = {t for t in stages.word_set(question) if not t.isdigit()}
    shares = [bool(asked & stages.word_set(x)) for x in parts]
    naming = [mentions(x, p) for x in parts]
    return not any(n and s for n, s in zip(naming, shares)) and any(
        s and not n and YEAR.search(x) for x, n, s in zip(parts, naming, shares))


def relative_features(cands: list[Candidate]) -> None:
    """Features that compare a candidate with the question's other candidates (gaps, reciprocal ranks)."""
    if not cands:
        return
    dmax = max(c.f["dense"] for c in cands)
    smax = max(c.f["sent"] for c in cands)
    lmax = max(c.f["lex"] for c in cands) or 1.0
    by_dense = sorted(range(len(cands)), key=lambda i: -cands[i].f["dense"])
    by_lex = sorted(range(len(cands)), key=lambda i: -cands[i].f["lex"])
    for r, i in enumerate(by_dense):
        cands[i].f["dense_rr"] = 1.0 / (1 + r)
    for r, i in enumerate(by_lex):
        cands[i].f["lex_rr"] = 1.0 / (1 + r)
    for c in cands:
        c.f["dense_gap"] = c.f["dense"] - dmax
        c.f["sent_gap"] = c.f["sent"] - smax
        c.f["lex"] = c.f["lex"] / lmax


def recency_features(query: Query, cands: list[Candidate], content_scores: np.ndarray, topical: float) -> None:
    """For 'latest' questions: is the passage's meeting the newest (and how new) among the topical
    candidates, those at least `topical` times as likely as the best by the content score (a softmax)."""
    if not cands:
        return
    keep = [i for i in range(len(cands))
            if content_scores[i] >= content_scores.max() + np.log(topical) and cands[i].chunk.date]
    dates = sorted({cands[i].chunk.date for i in keep})
    for i, c in enumerate(cands):
        on = query.latest and i in keep and bool(dates)
        c.f["newest"] = float(on and c.chunk.date == dates[-1])
        c.f["recency"] = float(dates.index(c.chunk.date) / max(1, len(dates) - 1)) if on else 0.0


def sequel_features(query: Query, cands: list[Candidate]) -> None:
    """For a what-became-of-it follow-up: is the passage at the first meeting after the previous answer's
    that has an item like the previous answer's (a title word in common, years aside: "APV 2022 -
    resultater", then "Opfølgning på APV 2022"), the next time the matter came up."""
    prev = query.previous
    later: list[int] = []
    if query.afterwards and prev is not None and prev.date:
        own = {t for t in stages.word_set(prev.item_title or "") if not t.isdigit()}
        later = [i for i, c in enumerate(cands) if c.chunk.date and c.chunk.date[:10] > prev.date[:10]
                 and same_committee(prev, c.chunk) and own & stages.word_set(c.chunk.item_title or "")]
    first = min((cands[i].chunk.date[:10] for i in later), default=None)
    keep = set(later)
    for i, c in enumerate(cands):
        c.f["prev_next"] = float(first is not None and i in keep and c.chunk.date[:10] == first)


def sentence_rows(query: Query, chunk: Chunk, spans: list[tuple[int, int]], sections: list[str | None],
                  sims: np.ndarray, q_terms: list[str]) -> np.ndarray:
    """The SENTENCE features of each sentence of a passage."""
    body, q_cov = chunk.text, {t for t in q_terms if not t.isdigit()}
    top, n = float(sims.max()) if len(sims) else 0.0, max(1, len(spans) - 1)
    rows = []
    for i, ((a, b), sec) in enumerate(zip(spans, sections)):
        text = body[a:b]
        rows.append((float(sims[i]), float(sims[i]) - top,
                     len(stages.word_set(text) & q_cov) / len(q_cov) if q_cov else 0.0,
                     float(stages.fits(query.answer_type, text, chunk, sec)),
                     float(stages.is_answer_in(text, sec)), i / n, _speaks(query.side_hint, text, chunk)))
    return np.array(rows, dtype=np.float64).reshape(len(spans), len(SENTENCE))


@lru_cache(maxsize=100_000)  # asked of every sentence of every shown passage of a side question
def _sentence_sides(sentence: str) -> tuple[tuple[str, ...], bool]:
    return find_sides(sentence), bool(PERSON.search(sentence))


def _speaks(side: str | None, sentence: str, chunk: Chunk) -> float:
    """Whether the asked side speaks in the sentence: it names the side, or a person in a passage that speaks
    with that side only through its participants (a name with the role in the participant list)."""
    if not side:
        return 0.0
    named, person = _sentence_sides(sentence)
    return float(side in named or (not named and person and side in chunk.sides))


def best_sentence(query: Query, chunk: Chunk, spans: list[tuple[int, int]], sections: list[str | None],
                  sims: np.ndarray, q_terms: list[str]) -> tuple[float, tuple[int, int] | None, bool, float, float]:
    """The passage's best sentence: its similarity, the span to show, whether one of the three best is of
    the asked kind, and the share of the question's terms in the shown span and in the best-covering one.
    Asked of every sentence of every candidate, so each sentence's text and words are made once."""
    if not spans:
        return 0.0, None, False, 0.0, 0.0
    body, q_set = chunk.text, set(q_terms)
    q_cov = {t for t in q_set if not t.isdigit()}
    texts = [body[a:b] for a, b in spans]
    words = [stages.word_set(t) for t in texts]
    fit = [stages.fits(query.answer_type, t, chunk, sec) for t, sec in zip(texts, sections)]
    pick = sims + np.array([stages.answer_bonus(t, q_set) + 0.05 * x - (0.0 if stages.is_answer_in(t, sec) else 1.0)
                            for t, x, sec in zip(texts, fit, sections)])
    order = np.argsort(-pick)
    j = int(order[0])
    shown = next((int(i) for i in order[:3] if fit[i]), j)
    span = stages.with_next(body, spans, sections, shown)
    if not q_cov:
        return float(sims[j]), span, any(fit[i] for i in order[:3]), 0.0, 0.0
    shown_words = words[shown] | (words[shown + 1] if span[1] != spans[shown][1] else frozenset())
    best_cov = max(len(w & q_cov) for w in words)
    return (float(sims[j]), span, any(fit[i] for i in order[:3]), len(shown_words & q_cov) / len(q_cov),
            best_cov / len(q_cov))
