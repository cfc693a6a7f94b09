"""Turn a Danish question into a Query: filters, a date range to favour, a side, expanded terms.

No language model: Danish dates and month names, body names, document types and speaker sides are
recognised with the same vocabulary the indexer uses (qa/metadata.py), and a small glossary of
public-sector abbreviations spells terms out in both directions (AMR <-> arbejdsmiljørepræsentant).
"""
from __future__ import annotations

import calendar
import re

from qa.metadata import MONTHS, find_bodies, find_dates
from qa.text import terms
from qa.types import Query

# Abbreviations used in Danish municipal and MED work, with what they stand for. General
# knowledge of the domain, not of any one document.
GLOSSARY: dict[str, list[str]] = {
    "amr": ["arbejdsmiljørepræsentant", "sikkerhedsrepræsentant"],
    "tr": ["tillidsrepræsentant", "tillidsfolk"],
    "med": ["medindflydelse medbestemmelse", "MED-udvalg"],
    "apv": ["arbejdspladsvurdering"],
    "mus": ["medarbejderudviklingssamtale"],
    "grus": ["gruppeudviklingssamtale"],
    "kl": ["Kommunernes Landsforening", "kommunernes interesseorganisation"],
    "bif": ["Beskæftigelses- og Integrationsforvaltningen", "beskæftigelsesforvaltningen"],
    "sof": ["Socialforvaltningen"],
    "biu": ["Beskæftigelses- og Integrationsudvalget"],
    "sud": ["Socialudvalget"],
    "øu": ["Økonomiudvalget"],
    "øk": ["Økonomiudvalget"],
    "hr": ["personaleafdeling"],
    "it": ["informationsteknologi"],
    "ok": ["overenskomst"],
    "lsu": ["lokalt samarbejdsudvalg"],
    "hsu": ["hovedsamarbejdsudvalg"],
    "hmu": ["hovedmedudvalg", "HovedMED"],
    "ams": ["arbejdsmiljøudvalg"],
    "df": ["Dansk Folkeparti"],
    "sf": ["Socialistisk Folkeparti"],
    "ft": ["Folketinget"],
}
# Words people use for the same role or thing in this domain.
SYNONYMS: list[tuple[str, ...]] = [
    ("sikkerhedsrepræsentant", "arbejdsmiljørepræsentant"),
    ("tillidsfolk", "tillidsrepræsentant"),
    ("personalerepræsentant", "medarbejderrepræsentant", "medarbejdersiden"),
    ("arbejdsløse", "ledige"),
    ("penge", "kr", "mio", "budget"),
    ("hjemmearbejde", "arbejde hjemme", "hjemmearbejdsdag"),
    ("jobcentret", "jobcenter"),
    ("chef", "leder"),
]

SIDE_WORDS = {
    "medarbejdersiden": re.compile(
        r"\b(medarbejdersiden?s?|b-siden|medarbejderrepræsentant\w*|personalerepræsentant\w*|"
        r"medarbejdernes repræsentanter|lønmodtagersiden)\b", re.I),
    "ledelsen": re.compile(r"\b(ledelsen|ledelsessiden|a-siden|ledelsens|arbejdsgiversiden)\b", re.I),
    "amr": re.compile(r"\b(amr|arbejdsmiljørepræsentant\w*|sikkerhedsrepræsentant\w*)\b", re.I),
    "tr": re.compile(r"\b(tr|tillidsrepræsentant\w*|tillidsfolk\w*)\b", re.I),
    "næstformand": re.compile(r"\bnæstformand\w*\b", re.I),
    "formand": re.compile(r"\bformand(en)?\b", re.I),
}

DOC_TYPE_WORDS = {
    "høringssvar": re.compile(r"\bhøringssvar\w*", re.I),
    "notat": re.compile(r"\bnotat\w*", re.I),
    "dagsorden": re.compile(r"\bdagsorden(en)?\b", re.I),
}

# What kind of answer a question wants, from its question words. A sentence of that kind is favoured.
ANSWER_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("money", re.compile(r"\b(hvor mange penge|hvor meget (?:skal|koster|kostede)|beløb\w*|hvor stort? (?:et )?"
                         r"(?:beløb|budget|provenu|besparelse|tilpasning)|hvad koster)\b", re.I)),
    ("number", re.compile(r"\b(hvor mange|hvor meget|hvor stor\w*|hvor høj\w*|hvor lang\w*|antal\w*|"
                          r"\w*procent\w*|andel\w*)\b", re.I)),
    ("date", re.compile(r"\b(hvornår|hvilken dato|hvilket år|hvilken dag|hvilken måned|hvilket tidspunkt)\b", re.I)),
    ("decision", re.compile(r"\b(besluttede|beslutning\w*|godkendt\w*|godkende|vedtaget|vedtog|blev .* (?:godkendt|vedtaget))\b", re.I)),
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


_MONTH_YEAR = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{4})\b", re.I)
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


def date_hint(text: str) -> tuple[str, str] | None:
    """The date range a question names: a day, a month ('i marts 2025') or a year ('i 2024')."""
    days = find_dates(text)
    if days:
        return days[0][1], days[0][1]
    m = _MONTH_YEAR.search(text)
    if m:
        y, mo = int(m.group(2)), MONTHS[m.group(1).lower()]
        return f"{y:04d}-{mo:02d}-01", f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"
    years = _YEAR.findall(text)
    if len(years) == 1:
        return f"{years[0]}-01-01", f"{years[0]}-12-31"
    return None


def detect_side(text: str) -> str | None:
    for side, pat in SIDE_WORDS.items():
        if pat.search(text):
            return side
    return None


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


def parse_query(
    text: str,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    committee: str | None = None,
    doc_type: str | None = None,
    side: str | None = None,
) -> Query:
    """Explicit filters are kept as given; what the question itself says becomes hints and expansions."""
    text = (text or "").strip()
    hint = date_hint(text)
    return Query(
        text=text,
        date_from=date_from,
        date_to=date_to,
        committee=committee,
        doc_type=doc_type,
        side=side,
        expansions=expansions(text),
        date_hint=hint,
        side_hint=detect_side(text),
        committee_hint=(find_bodies(text) or [None])[0],
        doc_type_hint=next((t for t, p in DOC_TYPE_WORDS.items() if p.search(text)), None),
        answer_type=answer_type(text),
        about_meeting=bool(_ABOUT_MEETING.search(text)),
        parts=sub_questions(text),
    )
