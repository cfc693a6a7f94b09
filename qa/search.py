"""Hybrid ranking: dense + Danish lexical candidates, fused, re-ranked by their best sentence.

Per question:
1. filters (dates, body, document type, side) select the allowed passages *before* ranking;
2. dense (FAISS) and lexical (FTS5 BM25 over Snowball stems, with glossary expansions) each
   propose candidates; every candidate gets both scores;
3. scores are min-max normalised per question and summed with weights;
4. the best sentence of each leading candidate (vectors stored at index time) adds its score,
   and is the sentence shown as the answer;
5. what the question names (a date, a body, a document type, a side) nudges matching passages up;
6. no more than `per_item_cap` passages of one agenda item in the top results;
7. abstention when even the best passage is a weak match (see `Confidence`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.chunking import section_at
from qa.index import Index
from qa.settings import Settings
from qa.text import sentences, terms
from qa.types import Answer, Hit, Query


@dataclass(frozen=True)
class Ranking:
    """Which ingredients are switched on: the full system, or an ablation of it."""

    dense: bool = True
    lexical: bool = True
    sentences: bool = True
    expansion: bool = True
    hints: bool = True
    diversity: bool = True
    abstain: bool = True


HINT_BOOST = {"side": 0.06, "date": 0.06, "committee": 0.04, "doc_type": 0.04}


class Searcher:
    def __init__(self, index: Index, settings: Settings, ranking: Ranking = Ranking()):
        self.index = index
        self.settings = settings
        self.ranking = ranking

    def search(self, query: Query, k: int = 10) -> Answer:
        store = self.index.store
        self.index.refresh()
        if not query.text.strip():
            return Answer(query=query, hits=[], abstain=True, searched_for="")
        r, s = self.ranking, self.settings
        qvec = self.index.embedder.encode_queries([query.text[:2000]])[0]
        allowed = store.filter_ids(query)
        n_cand = max(s.candidates, k * 3)

        dense: dict[int, float] = {}
        if r.dense:
            dense = dict(self.index.vectors.search(qvec, n_cand, allowed))
        q_terms = terms(query.text)
        lex_terms = q_terms + (terms(" ".join(query.expansions)) if r.expansion else [])
        lexical = store.lexical(lex_terms, n_cand, allowed) if r.lexical else {}
        ids = list(dict.fromkeys(list(dense) + list(lexical)))
        if not ids:
            return Answer(query=query, hits=[], abstain=True, searched_for=query.text)

        # every candidate gets both scores
        missing = [i for i in ids if i not in dense]
        for i, v in store.chunk_vectors(missing).items():
            dense[i] = float(v @ qvec)
        if r.lexical:
            missing = [i for i in ids if i not in lexical]
            if missing:
                lexical.update(store.lexical(lex_terms, len(missing), only=missing))
        d = _minmax(np.array([dense.get(i, 0.0) for i in ids]))
        lx = np.array([lexical.get(i, 0.0) for i in ids])
        lx = lx / lx.max() if lx.size and lx.max() > 0 else lx
        wd = s.dense_weight if r.dense else 0.0
        wl = s.lexical_weight if r.lexical else 0.0
        fused = wd * d + wl * lx

        chunks = store.chunks(ids)
        # sentence-level evidence for the leading candidates
        order = np.argsort(-fused)
        top = [ids[j] for j in order[: max(20, k * 2)]]
        sent = store.sentence_vectors(top) if r.sentences else {}
        best_sent: dict[int, tuple[float, tuple[int, int]]] = {}
        q_set = set(q_terms)
        for cid, (spans, vecs) in sent.items():
            text = chunks[cid].text
            sims = vecs @ qvec
            # the answer sentence: close in meaning and sharing the question's words; a heading is no answer
            pick = sims + np.array([_answer_bonus(text[a:b], q_set) for a, b in spans])
            j = int(np.argmax(pick))
            best_sent[cid] = (float(sims[j]), spans[j])
        if best_sent:
            vals = _minmax(np.array([best_sent[c][0] for c in top if c in best_sent]))
            norm = dict(zip([c for c in top if c in best_sent], vals))
            pos = {c: n for n, c in enumerate(ids)}
            for c, v in norm.items():
                fused[pos[c]] += s.sentence_weight * v

        hits = []
        for n, cid in enumerate(ids):
            c = chunks[cid]
            signals = {"dense": dense.get(cid, 0.0), "lexical": lexical.get(cid, 0.0)}
            boost = 0.0
            if r.hints:
                boost = _hint_boost(query, c)
            signals["boost"] = boost
            if cid in best_sent:
                signals["sentence"] = best_sent[cid][0]
            hits.append(Hit(chunk=c, score=float(fused[n] + boost), signals=signals))
            hits[-1].signals["id"] = cid
        hits.sort(key=lambda h: -h.score)
        if r.diversity:
            hits = _cap_per_item(hits, s.per_item_cap, k)
        hits = hits[:k]
        for rank, h in enumerate(hits, 1):
            h.rank = rank
            span = best_sent.get(int(h.signals["id"]), (0.0, None))[1]
            _set_sentence(h, span, q_terms)
        abstain = r.abstain and self.should_abstain(hits, q_terms)
        return Answer(query=query, hits=hits, abstain=abstain, searched_for=query.text)

    def should_abstain(self, hits: list[Hit], q_terms: list[str]) -> bool:
        """Admit that nothing answers when even the best passage matches weakly (see Confidence)."""
        if not hits:
            return True
        return confidence(hits[0], q_terms) < self.settings.abstain_below


def confidence(hit: Hit, q_terms: list[str]) -> float:
    """An absolute (not per-question-normalised) match strength of a passage, for abstention."""
    dense = hit.signals.get("dense", 0.0)
    sent = hit.signals.get("sentence", dense)
    have = set(terms(hit.chunk.item_title or "") + terms(hit.chunk.text))
    q = [t for t in dict.fromkeys(q_terms) if not t.isdigit()]
    coverage = sum(t in have for t in q) / len(q) if q else 0.0
    return 0.5 * dense + 0.5 * sent + 0.1 * coverage


def _answer_bonus(sentence: str, q_terms: set[str]) -> float:
    words = terms(sentence)
    if len(words) < 3:
        return -0.05
    return 0.1 * len(q_terms & set(words)) / max(1, len(q_terms))


def _hint_boost(query: Query, c) -> float:
    boost = 0.0
    if query.side_hint and query.side_hint in c.sides:
        boost += HINT_BOOST["side"]
    if query.date_hint and c.date and query.date_hint[0] <= c.date <= query.date_hint[1]:
        boost += HINT_BOOST["date"]
    if query.committee_hint and c.committee == query.committee_hint:
        boost += HINT_BOOST["committee"]
    if query.doc_type_hint and c.doc_type == query.doc_type_hint:
        boost += HINT_BOOST["doc_type"]
    return boost


def _minmax(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)


def _cap_per_item(hits: list[Hit], cap: int, k: int) -> list[Hit]:
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


def _set_sentence(hit: Hit, span: tuple[int, int] | None, q_terms: list[str]) -> None:
    """The sentence to highlight: the best by vector, else the one sharing most question terms."""
    text = hit.chunk.text
    if span is None:
        spans = sentences(text)
        if not spans:
            return
        q = set(q_terms)
        span = max(spans, key=lambda sp: len(q & set(terms(text[sp[0]: sp[1]]))))
    hit.sentence = text[span[0]: span[1]]
    hit.sentence_start = span[0]
    label = section_at(text, span[0])
    if label:
        hit.chunk = replace(hit.chunk, section=label)
