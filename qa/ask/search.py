"""Hybrid ranking: dense + Danish lexical candidates, fused, re-ranked by their best sentence.

Per question:
1. filters (dates, body, document type, side) select the allowed passages *before* ranking;
2. dense (FAISS) and lexical (FTS5 BM25 over Snowball stems, with glossary expansions and
   one-letter spelling variants) each propose candidates; every candidate gets both scores;
3. scores are min-max normalised per question and summed with weights;
4. the best sentence of each leading candidate (vectors stored at index time) adds its score,
   and it, with the sentence after it, is shown as the answer; a sentence of the kind the question
   asks for (an amount, a date, a decision) is favoured;
5. what the question names (a date, a body, a document type, a side) nudges matching passages up;
6. a compound question is also searched part by part, and the parts' best passages are interleaved;
7. no more than `per_item_cap` passages of one agenda item in the top results;
8. abstention when even the best passage is a weak match (see `stages.confidence`), or when it lacks
   what the question asks for in a way the text shows (see qa/ask/answerability.py).

Every weight and switch is in qa/settings.py; the stages themselves are in qa/ask/stages.py.
A sentence's sub-section is read from the index (stored at build time), never re-derived here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.ask import joining, ranker, stages
from qa.ask.answerability import CHECKS, question_features
from qa.ask.features import Candidate, Candidates, best_sentence, passage_features, relative_features
from qa.danish.dates import held_in
from qa.danish.text import stem, terms
from qa.danish.vocabulary import GLOSSARY, names_place, names_unit
from qa.settings import Settings
from qa.storage.filters import Allowed
from qa.storage.reader import Index
from qa.storage.store import Sentences
from qa.types import FRONT_MATTER, Answer, Hit, Query


# Words about the meeting itself, not the topic (left out of "Intet om … i perioden …").
MEETING_WORDS = frozenset("mødet møde møder mødes drøftet drøftede drøfte besluttet besluttede sagt sagde nævnt "
                          "behandlet fremlagt vedtaget vedtog udvalget referatet".split())
COMMON_ACRONYMS = frozenset(a.upper() for a in GLOSSARY) | {"MED"}


COMPOUND_PART = 4  # letters: neither part of a split compound word is shorter


@dataclass
class Ranked:
    """One question ranked by a fitted model: candidate indices in shown order and what abstention reads."""

    order: list[int]
    timeline: bool
    scores: np.ndarray
    qfeatures: dict[str, float]
    why: dict[str, str]


class Searcher:
    def __init__(self, index: Index, settings: Settings, model: "ranker.Model | None" = None):
        self.index = index
        self.settings = settings
        self.model = model if model is not None else (ranker.load(str(settings.ranker_weights))
                                                      if settings.use_learned else None)

    def search(self, query: Query, k: int = 10) -> Answer:
        self.index.refresh()
        s = self.settings
        text = query.text[:s.max_question]
        if not terms(text) and not text.strip(" ?!.,"):
            return Answer(query=query, hits=[], abstain=True, searched_for="")
        allowed = self.index.store.allowed(query)
        if allowed is not None and len(allowed) == 0:
            return Answer(query=query, hits=[], abstain=True, searched_for=text, reason=_empty_filter(query))
        if self.model is not None:
            return self.finish(self.candidates(query, allowed), self.model, k)
        n = max(s.candidates, k * 3)
        hits = self._rank(text, query, allowed, n)
        if s.use_decomposition and query.parts:
            hits = stages.interleave([hits] + [self._rank(p, query, allowed, n) for p in query.parts])
        if s.use_diversity:
            hits = stages.cap_per_item(hits, s.per_item_cap, k)
        hits = hits[:k]
        q_terms = terms(text)
        self._set_sentences(hits, q_terms)
        abstain, reason = s.use_abstain, ""
        if abstain and hits and stages.confidence(hits[0], q_terms, s) >= s.abstain_below:
            if s.use_answerability:
                hits, reason = stages.answerable_first(query, hits, s)
            abstain = bool(reason)
        return Answer(query=query, hits=hits, abstain=abstain, searched_for=text, reason=reason)

    # --- the learned path: candidates with features, a fitted score, time rules, calibrated abstention
    def candidates(self, query: Query, allowed: Allowed | None = None) -> Candidates:
        """Every passage the dense and lexical channels propose, with the features the ranker reads."""
        store, s = self.index.store, self.settings
        text = query.text[:s.max_question]
        if not query.places and not query.municipality:
            query = replace(query, places=tuple(p for p in store.places() if names_place(text, p)))
        if not query.units and not query.committee:
            query = replace(query, units=tuple(u for u in store.committees() if names_unit(text, u)))
        if query.period and query.pins_meeting:
            query = replace(query, period=held_in(query.period, store.meeting_dates()))
        extra = self._previous_item(query, allowed)
        qvec, q_terms, ids, dense, lexical, chunks = self._pool(text, query, allowed, s.candidates, True, True, extra)
        sents = store.sentences(ids)
        q_cov = [t for t in dict.fromkeys(q_terms) if not t.isdigit()]
        n_docs = max(1, store.count_chunks())
        df = store.doc_freqs(q_cov)
        idf = {t: float(np.log(1 + n_docs / (1 + df.get(t, 0)))) for t in q_cov}
        items = []
        for cid in ids:
            c = chunks[cid]
            st = sents.get(cid)
            sims = st.vectors @ qvec if st is not None and len(st.spans) else np.zeros(0)
            best = best_sentence(query, c, st.spans if st else [], st.sections if st else [], sims, q_terms)
            if not best[1]:
                best = (dense[cid],) + best[1:]
            f = passage_features(query, q_terms, idf, c, best, dense[cid], lexical.get(cid, 0.0))
            spans, sections = (st.spans, st.sections) if st is not None else ([], [])
            items.append(Candidate(cid, c, best[1], f, spans, sections, sims if len(sims) else None))
        relative_features(items)
        return Candidates(query, text, items)

    def _previous_item(self, query: Query, allowed: Allowed | None) -> list[int]:
        """A follow-up's own candidates: the passages of the agenda item the previous answer came from
        (a terse "Hvornår skal det være færdigt?" may share no word with the passage that answers it)."""
        prev = query.previous
        if prev is None or prev.doc_id is None:
            return []
        ids = self.index.store.chunk_ids_of(prev.doc_id, prev.item, prev.item_title)
        if allowed is not None and ids:
            ids = [i for i, ok in zip(ids, allowed.keep(ids)) if ok]
        return ids

    def ranked(self, cands: Candidates, model: "ranker.Model", k: int = 10) -> "Ranked":
        """The learned order after the time rules, and the abstainer's question features (no Answer yet)."""
        s, query = self.settings, cands.query
        scores = model.score(cands)
        c = cands.items
        margins = model.margins if s.use_time else {}
        q = query if s.use_time else replace(query, period=None, latest=False, trend=False)
        cap = s.per_item_cap if s.use_diversity else 10 ** 6

        def arranged(idx: list[int]) -> tuple[list[int], bool]:
            got, line = stages.arrange(q, [c[i].chunk.date for i in idx], [c[i].chunk.doc_id for i in idx],
                                       [c[i].f for i in idx],
                                       [(c[i].chunk.doc_id, c[i].chunk.item, c[i].chunk.item_title) for i in idx],
                                       scores[idx], margins, cap, k)
            return [idx[j] for j in got], line

        # a question naming a municipality the index knows is answered from its documents (or ones of no
        # known municipality) first; another municipality's passages follow, each group in its own order
        home = [i for i, x in enumerate(c) if stages.in_places(x.chunk.municipality, query.places)]
        away = [i for i in range(len(c)) if i not in set(home)]
        if home and away:
            order, timeline = arranged(home)
            order += arranged(away)[0]
        else:
            order, timeline = arranged(list(range(len(c))))
        order = order[:k]
        z = stages.spread(scores[order])
        gap = float(z[0] - z[1]) if len(z) > 1 else 0.0
        qf, why = question_features(query, c[order[0]], gap, [c[i] for i in order], self.index.store.newest_date(),
                                    COMMON_ACRONYMS)
        return Ranked(order, timeline, scores, qf, why)

    def finish(self, cands: Candidates, model: "ranker.Model", k: int = 10) -> Answer:
        """Rank the candidates with a fitted model, apply the time rules, pick the shown sentences, abstain."""
        s, query = self.settings, cands.query
        if not cands.items:
            return Answer(query=query, hits=[], abstain=True, searched_for=cands.text)
        r = self.ranked(cands, model, k)
        hits, q_terms = [], terms(cands.text)
        shown_terms = stages.asked_terms(query, q_terms)
        for i in r.order:
            x = cands.items[i]
            hit = Hit(chunk=x.chunk, score=float(r.scores[i]), signals={"dense": x.f["dense"], "lexical": x.f["lex"],
                                                                       "sentence": x.f["sent"]}, chunk_row=x.row)
            span = model.shown_span(x, query, shown_terms)
            if span is not None:
                hit.sentence, hit.sentence_start = x.chunk.text[span[0]: span[1]], span[0]
            hits.append(hit)
        self._set_sentences(hits, q_terms)
        prob = float(model.answer_probability(r.qfeatures))
        # outside what the minutes talk about at all: the absolute match gate of the previous release
        off_topic = stages.confidence(hits[0], q_terms, s) < s.abstain_below
        abstain = bool(s.use_abstain and (off_topic or prob < model.abstain_below))
        reason = ""
        if abstain and not off_topic:
            fired = [n for n in CHECKS if r.qfeatures.get(n) and n in r.why]  # the most specific first
            reason = r.why[fired[0]] if fired else ""
            if query.period and fired and fired[0] in ("period_unfit", "after_index"):
                reason = nothing_in_period(query, query.period.label)
        if abstain and (query.date_from or query.date_to):
            reason = nothing_in_period(query, " – ".join(x for x in (query.date_from, query.date_to) if x))
        elif s.use_abstain and s.learned_hard_checks and not r.timeline and not abstain:
            # a check the shown text fails outright: a close runner-up that passes leads, else abstain
            hits, reason = stages.answerable_first(
                query, hits, s.replace(answerable_margin=s.learned_margin * float(r.scores.std() + 1e-9)))
            abstain = bool(reason)
        return Answer(query=query, hits=hits, abstain=abstain, searched_for=cands.text, reason=reason,
                      probability=prob, timeline=r.timeline)

    def _pool(self, text: str, query: Query, allowed: Allowed | None, n: int, use_dense: bool,
              use_lexical: bool, extra: list[int] = ()):
        """(question vector, its terms, candidate ids, dense and lexical score of every candidate, chunks):
        what both ranking paths start from. Each channel proposes its top `n` (and `extra` ids join them);
        every candidate then gets both scores; vector ids the store does not know are dropped and the
        vectors marked stale."""
        store, s = self.index.store, self.settings
        qvec = self.index.embedder.encode_queries([text])[0]
        dense: dict[int, float] = dict(self.index.vectors.search(qvec, n, allowed)) if use_dense else {}
        q_terms = terms(text)
        # a named municipality scopes the answer (ranked); its name in a passage ("Vestkyst Svømmehal") is no match
        scope = set(terms(" ".join(query.places)))
        lex_terms = [t for t in q_terms if t not in scope] or q_terms
        lex_terms += terms(" ".join(query.expansions)) if s.use_expansion else []
        if s.use_expansion:
            unknown = self._unknown_long(lex_terms)
            lex_terms += self._spelling_variants(unknown) + self._compound_parts(unknown)
        lexical = store.lexical(lex_terms, n, allowed) if use_lexical else {}
        ids = list(dict.fromkeys(list(dense) + list(lexical) + list(extra)))
        chunks = store.chunks(ids)
        if len(chunks) < len(ids):  # vector ids the store does not have (a stale or foreign vector file)
            self.index.vectors_stale(len(ids) - len(chunks))
            ids = [i for i in ids if i in chunks]
        for i, v in store.chunk_vectors([i for i in ids if i not in dense]).items():
            dense[i] = float(v @ qvec)
        missing = [i for i in ids if i not in lexical]
        if use_lexical and missing:
            lexical.update(store.lexical(lex_terms, len(missing), only=missing))
        return qvec, q_terms, ids, dense, lexical, chunks

    def _rank(self, text: str, query: Query, allowed: Allowed | None, n_cand: int) -> list[Hit]:
        """All candidates for one question text, scored and sorted, each with its answer sentence."""
        s = self.settings
        qvec, q_terms, ids, dense, lexical, chunks = self._pool(text, query, allowed, n_cand, s.use_dense,
                                                                s.use_lexical)
        if not ids:
            return []
        d = stages.minmax(np.array([dense.get(i, 0.0) for i in ids]))
        lx = np.array([lexical.get(i, 0.0) for i in ids])
        lx = lx / lx.max() if lx.size and lx.max() > 0 else lx
        fused = (s.dense_weight if s.use_dense else 0.0) * d + (s.lexical_weight if s.use_lexical else 0.0) * lx
        pos = {c: j for j, c in enumerate(ids)}

        # sentence-level evidence for the leading candidates
        top = [ids[j] for j in np.argsort(-fused)[:s.sentence_candidates]]
        a_type = query.answer_type if s.use_answer_types else None
        best = self._best_sentences(top, chunks, qvec, set(q_terms), a_type) if s.use_sentences else {}
        if best:
            norm = stages.minmax(np.array([best[c][0] for c in top if c in best]))
            for c, v in zip([c for c in top if c in best], norm):
                fused[pos[c]] += s.sentence_weight * v

        hits = []
        for cid in ids:
            c = chunks[cid]
            sent_sim, span, fit = best.get(cid, (None, None, False))
            boost = (stages.hint_boost(query, c, s) if s.use_hints else 0.0) + (s.type_boost if fit else 0.0)
            if s.use_hints and c.item is None and c.item_title == FRONT_MATTER and not query.about_meeting:
                boost -= s.front_matter_penalty  # the cover page repeats title and date; it answers only those
            signals = {"dense": dense.get(cid, 0.0), "lexical": lexical.get(cid, 0.0), "boost": boost}
            if sent_sim is not None:
                signals["sentence"] = sent_sim
            hit = Hit(chunk=c, score=float(fused[pos[cid]] + boost), signals=signals, chunk_row=cid)
            if span is not None:
                hit.sentence, hit.sentence_start = c.text[span[0]: span[1]], span[0]
            hits.append(hit)
        hits.sort(key=lambda h: -h.score)
        return hits

    def _best_sentences(self, top: list[int], chunks: dict, qvec: np.ndarray, q_set: set[str],
                        a_type: str | None) -> dict[int, tuple[float, tuple[int, int], bool]]:
        """Per passage: its best sentence's similarity, the span to show, and whether one of its three
        best sentences is of the asked kind."""
        best = {}
        for cid, sent in self.index.store.sentences(top).items():
            body, spans = chunks[cid].text, sent.spans
            sims = sent.vectors @ qvec
            fit = [stages.fits(a_type, body[a:b], chunks[cid], sec) for (a, b), sec in zip(spans, sent.sections)]
            # close in meaning, sharing the question's words, of the asked kind; a heading is no answer
            pick = sims + np.array([stages.answer_bonus(body[a:b], q_set) + 0.05 * f for (a, b), f in zip(spans, fit)])
            order = np.argsort(-pick)
            j = int(order[0])
            # of the asked kind if one of its three best sentences is; that one is shown
            shown = next((int(i) for i in order[:3] if fit[i]), j)
            best[cid] = (float(sims[j]), stages.with_next(body, spans, sent.sections, shown),
                         any(fit[i] for i in order[:3]))
        return best

    def _unknown_long(self, q_terms: list[str]) -> list[str]:
        """The long query terms (7 letters or more) the index lacks: a misspelling or a compound."""
        long_terms = [t for t in dict.fromkeys(q_terms) if len(t) >= 7 and not t.isdigit()]
        return sorted(set(long_terms) - self.index.store.known_terms(long_terms))

    def _spelling_variants(self, unknown: list[str]) -> list[str]:
        """Index terms one deleted letter away from a long query term the index lacks ('ressource' ~ 'resource')."""
        variants = {t[:i] + t[i + 1:] for t in unknown for i in range(len(t))}
        return sorted(self.index.store.known_terms(sorted(variants)))

    def _compound_parts(self, unknown: list[str]) -> list[str]:
        """A long query word the index lacks, split into two words it has ("budgetarbejdsgruppen" ->
        budget + arbejdsgruppen; a linking s or e may join them): Danish writes compounds as one word."""
        missing = [t for t in unknown if len(t) >= 2 * COMPOUND_PART]
        splits = {t: [(stem(t[:i]), stem(t[i:])) for i in range(COMPOUND_PART, len(t) - COMPOUND_PART + 1)]
                  + [(stem(t[:i - 1]), stem(t[i:])) for i in range(COMPOUND_PART + 1, len(t) - COMPOUND_PART + 1)
                     if t[i - 1] in "se"] for t in missing}
        known = self.index.store.known_terms(sorted({w for parts in splits.values() for p in parts for w in p}))
        out = []
        for t, parts in splits.items():
            both = [p for p in parts if p[0] in known and p[1] in known]
            if both:  # the most even split: "budget|arbejdsgrup", not "budgetarbejds|grup"
                out += max(both, key=lambda p: min(len(p[0]), len(p[1])))
        return out

    def _set_sentences(self, hits: list[Hit], q_terms: list[str]) -> None:
        """Rank numbers, and for each hit the sentence to highlight and the sub-section it stands in."""
        stored = self.index.store.sentences([h.chunk_row for h in hits], with_vectors=False)
        for rank, h in enumerate(hits, 1):
            h.rank = rank
            _set_sentence(h, stored.get(h.chunk_row), q_terms)
            self._join_split(h)

    def _join_split(self, hit: Hit) -> None:
        """A shown sentence cut by the passage boundary gets its other part from the neighbouring passage of
        the same agenda item (the sentence then runs past the passage's own text)."""
        at_end = joining.cut_at_end(hit.chunk.text, hit.sentence_start, hit.sentence)
        if not (at_end or joining.cut_at_start(hit.sentence_start, hit.sentence)):
            return
        item = self.index.store.chunks_of(hit.chunk.doc_id, hit.chunk.item)
        j = next((i for i, c in enumerate(item) if c.chunk_id == hit.chunk.chunk_id), None)
        if j is None:
            return
        if at_end and j + 1 < len(item):
            hit.sentence = joining.continued(hit.chunk.text, hit.sentence, item[j + 1].text)
        elif not at_end and j > 0:
            hit.sentence = joining.preceded(hit.chunk.text, hit.sentence, item[j - 1].text)


def nothing_in_period(query: Query, period: str) -> str:
    """'Intet om hjemmearbejde i perioden 2023-01-01 – 2023-06-30': what is missing, and where it was looked for."""
    from qa.ask.conversation import topic_words

    label_words = set(period.lower().split())
    topic = [w for w in topic_words(query.text)
             if w.lower() not in label_words and w.lower() not in MEETING_WORDS and not w.isdigit()][:5]
    period = period[2:] if period.lower().startswith("i ") else period
    return f"Intet om {' '.join(topic)} i perioden {period}" if topic else f"Intet fra perioden {period}"


def _empty_filter(query: Query) -> str:
    """Why nothing is left when the filters exclude every passage."""
    span = " – ".join(x for x in (query.date_from, query.date_to) if x)
    return nothing_in_period(query, span) if span else "Intet passer til de valgte filtre"


def _set_sentence(hit: Hit, sent: Sentences | None, q_terms: list[str]) -> None:
    """The best sentence by vector, else the one sharing most question terms; its stored section."""
    if sent is None or not sent.spans:
        return
    text = hit.chunk.text
    if hit.sentence_start < 0:
        q = set(q_terms)
        a, b = max(sent.spans, key=lambda sp: len(q & stages.word_set(text[sp[0]: sp[1]])))
        hit.sentence, hit.sentence_start = text[a:b], a
    hit.sentence, hit.sentence_start = joining.without_labels(hit.sentence, hit.sentence_start)
    hit.sentence = joining.wrapped_on(text, sent.spans, hit.sentence_start, hit.sentence)
    starts = [a for a, _ in sent.spans]
    j = max((i for i, a in enumerate(starts) if a <= hit.sentence_start), default=None)
    label = sent.sections[j] if j is not None else None
    if label:
        hit.chunk = replace(hit.chunk, section=label)
