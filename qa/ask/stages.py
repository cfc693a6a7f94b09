"""The pure stages of ranking: each takes small values (scores, hits, settings) and returns new ones.

Kept apart from qa/ask/search.py, which fetches from the index and runs them in order, so each
stage can be tested with hand-made numbers and no model or index.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from qa.ask.answerability import has_amount, has_quantity, unmet
from qa.danish.dates import find_dates
from qa.danish.text import STOP_WORDS, terms
from qa.danish.vocabulary import DECIDED
from qa.settings import Settings
from qa.types import Chunk, Hit, Query


def minmax(x: np.ndarray) -> np.ndarray:
    """Scores of one question scaled to 0..1 (all ones when they are equal)."""
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)


def fits(a_type: str | None, sentence: str, chunk: Chunk, section: str | None) -> bool:
    """Whether a sentence (in sub-section `section` of the chunk) is the kind of answer the question asks for."""
    if a_type == "money":
        return has_amount(sentence)
    if a_type == "number":
        return has_quantity(sentence)
    if a_type == "date":
        return bool(find_dates(sentence))
    if a_type == "decision":
        label = section or chunk.section or ""
        return label.lower().startswith("beslutning") or bool(DECIDED.search(sentence))
    return False


_FILE_NAME = re.compile(r"\S+\.(?:pdf|docx?|xlsx?|pptx?|txt|md|html?)\b", re.I)
_WORD = re.compile(r"[^\W\d_]{2,}")
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”»)\]*]*$")  # "At nedlægge jobcentrene." is short, but a sentence


@lru_cache(maxsize=100_000)  # asked of every sentence of every candidate, in each question
def is_answer(sentence: str) -> bool:
    """Whether a sentence can be shown as the answer: not a heading or a label ('Beslutning',
    'Punkt 3. Budget'), not a file name, not a fragment that starts mid-sentence."""
    text = sentence.strip()
    if len(terms(text)) < 4 or text.endswith(":") or _FILE_NAME.fullmatch(text.split()[-1] if text else ""):
        return False
    if len(_WORD.findall(text)) < 3:  # a case or journal number, a date line: "Sagsnr. 81.38.00-P35-3-22"
        return False
    if re.match(r"(?:punkt|pkt|ad|sag nr)\.?\s*\d+\b", text, re.I) and "\n" not in text and len(terms(text)) < 10:
        return False  # an agenda heading ("Punkt 3. Budget 2025")
    if text[:1].islower():  # the rest of a sentence that began before this passage
        return False
    if (not re.search(r"[.!?…)\]»\"]\s*$", text) and len(terms(text)) < 8 and not re.search(r"\d", text)
            and not re.match(r"[-•*\uf0b7]", text)):
        return False  # a short line without an end, a number or a bullet: a heading
    return True


@lru_cache(maxsize=100_000)  # asked of every sentence of every shown passage
def is_heading(sentence: str, section: str | None = None) -> bool:
    """A heading, a label, a case number or a file name (or any line of the attachment list): never shown as
    the answer while the passage has a sentence. Text that is_answer doubts but that is part of a sentence is
    not one: a piece of a sentence broken by a line (it starts in lower case, or ends in a function word or a
    comma), a short sentence with its full stop ("At nedlægge jobcentrene.") and a lead-in that ends in a
    colon ("Beslutning fra Hoved-MED den 5. december 2024:")."""
    text = sentence.strip()
    words = text.split()
    if not words or (section or "").lower().startswith("bilag") or _FILE_NAME.fullmatch(words[-1]):
        return True
    if len(_WORD.findall(text)) < 3:
        return True
    if is_answer(text):
        return False
    return not (text[:1].islower() or words[-1].lower().strip(",") in STOP_WORDS or text.endswith(",")
                or _ENDS_SENTENCE.search(text) or (text.endswith(":") and len(terms(text)) >= 4))


def is_answer_in(sentence: str, section: str | None) -> bool:
    """is_answer, and not a line of the attachment list ('Bilag'): there a line names a file, whatever it says."""
    return is_answer(sentence) and not (section or "").lower().startswith("bilag")


@lru_cache(maxsize=100_000)
def word_set(sentence: str) -> frozenset[str]:
    """A sentence's content terms as a set (cached: asked of every sentence of every candidate)."""
    return frozenset(terms(sentence))


@lru_cache(maxsize=100_000)
def _word_count(sentence: str) -> int:
    """How many content terms a sentence has, duplicates counted (answer_bonus: a heading is short)."""
    return len(terms(sentence))


def answer_bonus(sentence: str, q_terms: set[str]) -> float:
    """A sentence sharing the question's words is likelier the answer; a heading-length one is none."""
    if _word_count(sentence) < 3:
        return -0.05
    return 0.1 * len(q_terms & word_set(sentence)) / max(1, len(q_terms))


def asked_terms(query: Query, q_terms: list[str]) -> list[str]:
    """The terms that choose the sentence to show: a follow-up's own words say what it asks of the passage
    (the carried topic only said where to look; CV: follow-ups shown 0.56 -> 0.74, docs/RETRIEVAL.md)."""
    own = [t for t in terms(query.own_text) if not t.isdigit()] if query.previous is not None else []
    return own or q_terms


def with_next(text: str, spans: list[tuple[int, int]], sections: list[str | None], j: int) -> tuple[int, int]:
    """The best sentence and the one after it in the same section: minutes often name the topic in one
    sentence and give the answer in the next (on the dev set the shown answer held the evidence for
    0.39 of the questions as one sentence, 0.58 as two)."""
    a, b = spans[j]
    if j + 1 < len(spans) and b - a < 300:
        na, nb = spans[j + 1]
        if len(terms(text[na:nb])) >= 3 and sections[j + 1] == sections[j]:
            b = nb
    return a, b


def hint_boost(query: Query, c: Chunk, s: Settings) -> float:
    """What the question names (a side, a period, a body, a document type) and the passage has."""
    boost = 0.0
    if query.side_hint and query.side_hint in c.sides:
        boost += s.hint_side
    if query.date_hint and c.date and query.date_hint[0] <= c.date <= query.date_hint[1]:
        boost += s.hint_date
    if query.committee_hint and query.committee_hint in (c.body, c.committee):
        boost += s.hint_committee
    if query.doc_type_hint and c.doc_type == query.doc_type_hint:
        boost += s.hint_doc_type
    return boost


def interleave(lists: list[list[Hit]]) -> list[Hit]:
    """Whole question first, then each part's best in turn, so every part is answered near the top."""
    out, seen = [], set()
    for i in range(max(len(x) for x in lists)):
        for hits in lists:
            if i < len(hits) and hits[i].chunk.chunk_id not in seen:
                seen.add(hits[i].chunk.chunk_id)
                out.append(hits[i])
    return out


def cap_per_item(hits: list[Hit], cap: int, k: int) -> list[Hit]:
    """Keep at most `cap` passages of one agenda item among the first `k`; the rest move down."""
    kept, deferred, count = [], [], {}
    for h in hits:
        key = (h.chunk.doc_id, h.chunk.item, h.chunk.item_title)
        if count.get(key, 0) < cap or len(kept) >= k:
            kept.append(h)
            count[key] = count.get(key, 0) + 1
        else:
            deferred.append(h)
    return kept[:k] + deferred + kept[k:]


def confidence(hit: Hit, q_terms: list[str], s: Settings) -> float:
    """An absolute (not per-question-normalised) match strength of a passage, for abstention."""
    dense = hit.signals.get("dense", 0.0)
    sent = hit.signals.get("sentence", dense)
    have = set(terms(hit.chunk.item_title or "") + terms(hit.chunk.text))
    q = [t for t in dict.fromkeys(q_terms) if not t.isdigit()]
    coverage = sum(t in have for t in q) / len(q) if q else 0.0
    return s.confidence_dense * dense + s.confidence_sentence * sent + s.confidence_coverage * coverage


def answerable_first(query: Query, hits: list[Hit], s: Settings) -> tuple[list[Hit], str]:
    """When the first passage lacks what the question asks for (qa/ask/answerability.py) and a close
    runner-up has it, the runner-up leads; when none has it, the first passage's reason is returned."""
    reason = unmet(query, hits[0])
    if not reason:
        return hits, ""
    for i, h in enumerate(hits[1:s.answerable_within], 1):
        if h.score >= hits[0].score - s.answerable_margin and not unmet(query, h):
            hits = [h] + hits[:i] + hits[i + 1:]
            for rank, x in enumerate(hits, 1):
                x.rank = rank
            return hits, ""
    return hits, reason


# --- time rules over the learned score ----------------------------------------------------------
def fit_level(query: Query, f: dict[str, float]) -> float:
    """How well a passage fits the question's period: when the question pins the meeting, its date
    must lie in the period; otherwise naming the period counts most, then a meeting in it or soon after."""
    if query.pins_meeting:
        return 2 * f.get("p_in", 0.0) + f.get("p_mention", 0.0)
    return 2 * f.get("p_mention", 0.0) + f.get("p_in", 0.0) + 0.5 * f.get("p_after", 0.0)


def in_places(municipality: str | None, places: tuple[str, ...]) -> bool:
    """Whether a passage of this municipality (None: not known) may answer a question naming `places`
    (lower-cased; none named: any passage may)."""
    return not places or not municipality or municipality.lower() in places


def spread(scores: np.ndarray) -> np.ndarray:
    """Scores as distances below the best in units of the question's own spread (any model scale)."""
    if scores.size == 0:
        return scores
    return (scores - scores.max()) / (scores.std() + 1e-9)


def arrange(query: Query, dates: list[str | None], docs: list[str], feats: list[dict[str, float]],
            items: list[tuple], scores: np.ndarray, margins: dict, cap: int, k: int) -> tuple[list[int], bool]:
    """Candidate indices in shown order, and whether they form a timeline.

    Among the topical candidates (within a margin of the best, in spreads):
    - a development question gets one passage per meeting, in date order (a timeline);
    - a 'latest' question gets the newest meeting's passages first;
    - a question naming a period gets the passages that fit it first (fit_level);
    then at most `cap` passages of one agenda item among the first `k`."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    if not order:
        return order, False
    z = spread(scores)
    # a recurring topic comes back as an agenda item of the same name: a passage whose item title has as much
    # of the question as the best passage's title treats the topic, even below the margin
    title = feats[order[0]].get("title_cov", 0.0)

    def same_item(i: int) -> bool:
        return title > 0 and feats[i].get("title_cov", 0.0) >= title

    def named_body(near: list[int]) -> list[int]:
        # "det seneste i CenterMED", "udviklet sig i Sundhed og Omsorg": the meetings of the body or committee
        # the question names, when it has any among them (another committee's newer meeting is not the answer)
        # in a follow-up without one, the previous answer's committee ("Og hvordan ser det ud nu?")
        fit = [i for i in near if feats[i].get("body_fit") or feats[i].get("unit_fit")]
        return fit or [i for i in near if feats[i].get("prev_committee")] or near

    if query.trend:
        # one passage per meeting: its best topical one, but the recurring item's own passage when the meeting
        # has one (a passage of another item may score higher on a word such as "regler")
        pick: dict[str, int] = {}
        for i in named_body(order):
            if z[i] >= -margins.get("m_trend", 0.0) or same_item(i):
                j = pick.get(docs[i])
                if j is None or (same_item(i) and not same_item(j)):
                    pick[docs[i]] = i
        per_doc = sorted(pick.values(), key=lambda i: order.index(i))
        per_doc = sorted(per_doc[:k], key=lambda i: dates[i] or "")
        # then the timeline items' other passages (a decision often stands in the item's last passage)
        shown = {items[i] for i in per_doc}
        rest = [i for i in order if i not in per_doc]
        rest = [i for i in rest if items[i] in shown] + [i for i in rest if items[i] not in shown]
        return per_doc + rest, len(per_doc) > 1
    if query.latest:
        near = named_body([i for i in order if (z[i] >= -margins.get("m_latest", 0.0) or same_item(i)) and dates[i]])
        if near:
            newest = max(dates[i] for i in near)
            front = [i for i in near if dates[i] == newest]
            order = front + [i for i in order if i not in front]
    elif query.period:
        near = [i for i in order if z[i] >= -margins.get("m_period", 0.0)]
        near.sort(key=lambda i: (-fit_level(query, feats[i]), -scores[i]))
        order = near + [i for i in order if i not in near]
    kept, deferred, count = [], [], {}
    for i in order:
        if count.get(items[i], 0) < cap or len(kept) >= k:
            kept.append(i)
            count[items[i]] = count.get(items[i], 0) + 1
        else:
            deferred.append(i)
    return kept[:k] + deferred + kept[k:], False
