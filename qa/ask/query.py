"""Turn a Danish question into a Query: filters, a date range to favour, a side, expanded terms.

No language model: Danish dates and month names, body names, document types and speaker sides are
recognised with the same vocabulary the indexer uses (qa/danish/), and a small glossary of
public-sector abbreviations spells terms out in both directions (AMR <-> arbejdsmiljørepræsentant).
"""
from __future__ import annotations

import re

from qa.danish.dates import asks_latest, asks_trend, named_period, outcome_period, parse_period, pins_meeting
from qa.danish.text import terms
from qa.danish.vocabulary import DOC_TYPE_WORDS, GLOSSARY, SYNONYMS, detect_side, find_bodies
from qa.types import Filters, Query

# What kind of answer a question wants, from its question words. A sentence of that kind is favoured.
ANSWER_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("money", re.compile(r"\b(hvor mange penge|hvor meget (?:skal|koster|kostede)|beløb\w*|hvor stort? (?:et )?"
                         r"(?:beløb|budget|provenu|besparelse|tilpasning)|hvad koster)\b", re.I)),
    ("number", re.compile(r"\b(hvor mange|hvor meget|hvor stor\w*|hvor høj\w*|hvor lang\w*|antal\w*|"
                          r"\w*procent\w*|andel\w*)\b", re.I)),
    ("date", re.compile(r"\b(hvornår|hvilken dato|hvilket år|hvilken dag|hvilken måned|hvilket tidspunkt)\b", re.I)),
    ("decision", re.compile(r"\b(beslut\w*|godkendt\w*|godkende|vedtaget|vedtog|blev .* (?:godkendt|vedtaget))\b", re.I)),
]
# Compound questions ("Hvor mange …, og hvad forventes …?") are also searched part by part.
_SPLIT = re.compile(r",?\s+(?:og|samt)\s+(?=(?:hvad|hvor|hvilke|hvilken|hvilket|hvem|hvornår|hvordan|hvorfor|om)\b)"
                    r"|\s+[–-]\s+både\s+|\s+og\s+om\s+", re.I)


# Questions about the meeting itself (where, when, who attended) are answered by the cover page.
_ABOUT_MEETING = re.compile(r"\b(hvor blev|holdt|afholdt|mødested|mødedato|mødetidspunkt|deltag\w*|til stede|"
                            r"afbud|referent|ordstyrer|mødelokale|hvornår blev mødet|kl\.)", re.I)


def answer_type(text: str) -> str | None:
    return next((name for name, pat in ANSWER_TYPES if pat.search(text)), None)


def sub_questions(text: str) -> tuple[str, ...]:
    """The parts of a compound question, each long enough to search on its own; () if it is one question."""
    parts = [p.strip(" ,?–-") for p in _SPLIT.split(text)]
    parts = [p for p in parts if len(terms(p)) >= 2]
    return tuple(parts) if len(parts) > 1 else ()


def date_hint(text: str) -> tuple[str, str] | None:
    """The date range a question names, favoured in ranking (see qa/danish/dates.py)."""
    return named_period(text)


def expansions(text: str) -> tuple[str, ...]:
    """Extra words for the lexical channel: abbreviations spelt out and back, and domain synonyms."""
    words = set(re.findall(r"[\wæøå-]+", text.lower()))
    stems = set(terms(text))
    extra: list[str] = []
    for abbr, longs in GLOSSARY.items():
        if abbr in words:
            extra.extend(longs)
        for long in longs:
            long_terms = terms(long)
            if long_terms and all(t in stems for t in long_terms):
                extra.append(abbr.upper())
                extra.extend(x for x in longs if x != long)
    for group in SYNONYMS:
        if any(set(terms(w)) <= stems for w in group):
            extra.extend(w for w in group if not set(terms(w)) <= stems)
    return tuple(dict.fromkeys(extra))


def parse_query(text: str, filters: Filters | dict | None = None, ref: str | None = None, **filter_values) -> Query:
    """Explicit filters are kept as given; what the question itself says becomes hints and expansions.
    `ref` is the newest meeting date in the index: 'i år', 'sidst', a month without a year are read from it."""
    text = (text or "").strip()
    f = Filters.of({**Filters.of(filters).as_dict(), **filter_values})
    hint = date_hint(text)
    period = outcome_period(text, parse_period(text, ref), ref)
    return Query(
        text=text,
        date_from=f.date_from,
        date_to=f.date_to,
        committee=f.committee,
        doc_type=f.doc_type,
        side=f.side,
        municipality=f.municipality,
        expansions=expansions(text),
        date_hint=hint,
        side_hint=detect_side(text),
        committee_hint=(find_bodies(text) or [None])[0],
        doc_type_hint=next((t for t, p in DOC_TYPE_WORDS.items() if p.search(text)), None),
        answer_type=answer_type(text),
        about_meeting=bool(_ABOUT_MEETING.search(text)),
        parts=sub_questions(text),
        period=period,
        pins_meeting=bool(period) and pins_meeting(text),
        latest=asks_latest(text) and period is None,
        trend=asks_trend(text),
    )
