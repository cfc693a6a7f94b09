"""THE vocabulary of Danish MED work: bodies, speaker sides, document types, abbreviations, decisions.

Used alike by ingestion (what a document and a passage say about themselves) and by question
understanding (what a question names), so the two always agree on names. General knowledge of the
domain, never of one document or municipality.
"""
from __future__ import annotations

import re

# --- bodies (committees) -----------------------------------------------------------------------
# Canonical name -> pattern. Order matters: the more specific first.
_MED = r"[- ]?med(?:s|'s|’s|et|ets|erne|ernes|er)?\b"  # HovedMED, HovedMEDs, CenterMED'erne ...
BODIES: list[tuple[str, re.Pattern[str]]] = [
    ("HovedMED", re.compile(r"\bhoved" + _MED, re.IGNORECASE)),
    ("AfdelingsMED", re.compile(r"\bafdelings" + _MED, re.IGNORECASE)),
    ("CenterMED", re.compile(r"\bcent(?:er|re)" + _MED, re.IGNORECASE)),
    ("KommuneMED", re.compile(r"\bkommune" + _MED, re.IGNORECASE)),
    ("SektorMED", re.compile(r"\bsektor" + _MED, re.IGNORECASE)),
    ("LokalMED", re.compile(r"\blokal" + _MED, re.IGNORECASE)),
    ("OmrådeMED", re.compile(r"\bområde" + _MED, re.IGNORECASE)),
    ("FællesMED", re.compile(r"\bfælles" + _MED, re.IGNORECASE)),
    # roman numerals only in capitals: "med 2 konsulenter" is not a committee
    ("MEDIII", re.compile(r"\bMED[- ]?III\b|\bMED-udvalg niveau III\b")),
    ("MEDII", re.compile(r"\bMED[- ]?II\b|\bMED-udvalg niveau II\b")),
    ("Byrådet", re.compile(r"\bbyråd(?:et|smødet)?\b", re.IGNORECASE)),
    ("Kommunalbestyrelsen", re.compile(r"\bkommunalbestyrelse", re.IGNORECASE)),
]


def find_bodies(text: str) -> list[str]:
    """Canonical body names mentioned in `text`, in order of first mention."""
    hits = []
    for name, pat in BODIES:
        m = pat.search(text)
        if m:
            hits.append((m.start(), name))
    return [n for _, n in sorted(hits)]


# --- document types ----------------------------------------------------------------------------
DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("høringssvar", re.compile(r"høringssvar", re.IGNORECASE)),
    ("referat", re.compile(r"\breferat", re.IGNORECASE)),
    ("notat", re.compile(r"\bnotat\b", re.IGNORECASE)),
    ("dagsorden", re.compile(r"\bdagsorden\b", re.IGNORECASE)),
]
# How a question names a document type. "Referat" is left out: it is what nearly every document is,
# so a question saying "i referatet" narrows nothing.
DOC_TYPE_WORDS: dict[str, re.Pattern[str]] = {
    "høringssvar": re.compile(r"\bhøringssvar\w*", re.I),
    "notat": re.compile(r"\bnotat\w*", re.I),
    "dagsorden": re.compile(r"\bdagsorden(en)?\b", re.I),
}

# --- speaker sides -----------------------------------------------------------------------------
# One pattern per side, for passages (who speaks in it) and questions (whose view is asked for).
# Checked in this order when a question names one side.
SIDES: dict[str, re.Pattern[str]] = {
    "medarbejdersiden": re.compile(
        r"\b(medarbejder-?\s?siden?s?|b-siden|medarbejderrepræsentant\w*|personalerepræsentant\w*|"
        r"medarbejdernes repræsentanter|lønmodtagersiden)\b", re.IGNORECASE),
    "ledelsen": re.compile(r"\b(ledelsen|ledelsessiden|ledelses-?\s?siden|a-siden|ledelsens|arbejdsgiversiden)\b",
                           re.IGNORECASE),
    "amr": re.compile(r"\b(amr|arbejdsmiljørepræsentant\w*|sikkerhedsrepræsentant\w*)\b", re.IGNORECASE),
    "tr": re.compile(r"\b(tr|tr'erne|tillidsrepræsentant\w*|tillidsfolk\w*)\b", re.IGNORECASE),
    "næstformand": re.compile(r"\b(næstformand\w*|næstforperson\w*)\b", re.IGNORECASE),
    "formand": re.compile(r"\b(formand(?:en)?|forperson(?:en)?)\b", re.IGNORECASE),
    "centermed": re.compile(r"\bcent(?:er|re)" + _MED, re.IGNORECASE),
}
# Sides a question can ask for by name; a CenterMED in a question is a body, not a side.
QUESTION_SIDES = ("medarbejdersiden", "ledelsen", "amr", "tr", "næstformand", "formand")
SIDE_LABELS = {
    "medarbejdersiden": "Medarbejdersiden",
    "ledelsen": "Ledelsen",
    "formand": "Formanden",
    "næstformand": "Næstformanden",
    "amr": "Arbejdsmiljørepræsentant (AMR)",
    "tr": "Tillidsrepræsentant (TR)",
    "centermed": "CenterMED",
}


def find_sides(text: str) -> tuple[str, ...]:
    """Sides whose voice the passage reports (named in it), e.g. ('medarbejdersiden', 'ledelsen')."""
    return tuple(side for side, pat in SIDES.items() if pat.search(text))


def detect_side(text: str) -> str | None:
    """The side a question asks about, if it names one."""
    return next((side for side in QUESTION_SIDES if SIDES[side].search(text)), None)


# --- decisions ---------------------------------------------------------------------------------
DECIDED = re.compile(r"\b(godkend\w*|besluttede|besluttet|vedtaget|vedtog|tiltrådt|taget til efterretning)\b", re.I)

# --- abbreviations and synonyms ----------------------------------------------------------------
# Abbreviations used in Danish municipal and MED work, with what they stand for.
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
