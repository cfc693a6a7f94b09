"""What a Danish document says about itself: dates, bodies (MED committees), document types, sides.

Pure functions over text, shared by indexing (document/chunk metadata) and query understanding,
so the two always agree on names.
"""
from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
MONTH_NAMES = [
    "", "januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
    "september", "oktober", "november", "december",
]
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

# "25. november 2022", "d. 5. novem ber 2015" (PDF letter-spacing), "5 dec. 2024"
_TEXT_DATE = re.compile(
    rf"\b(\d{{1,2}})\.?\s*({_MONTH_RE})(?:[a-zæøå ]{{0,7}}?)\.?\s+(\d{{4}})\b", re.IGNORECASE
)
# "23-05-2024", "23.05.2024", "23/5 2024", "1.6.24"
_NUM_DATE = re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./ ](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def date_spans(text: str) -> list[tuple[int, int, str]]:
    """All dates in `text` as (start, end, ISO string), in order of appearance."""
    found: list[tuple[int, int, str]] = []
    for m in _TEXT_DATE.finditer(text):
        month = MONTHS.get(m.group(2).lower().replace(" ", ""))
        iso = month and _valid(int(m.group(3)), month, int(m.group(1)))
        if iso:
            found.append((m.start(), m.end(), iso))
    for m in _NUM_DATE.finditer(text):
        y = int(m.group(3))
        y = y + 2000 if y < 100 else y
        iso = _valid(y, int(m.group(2)), int(m.group(1)))
        if iso and 1990 <= y <= 2100:
            found.append((m.start(), m.end(), iso))
    for m in _ISO_DATE.finditer(text):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), m.end(), iso))
    found.sort()
    return found


def find_dates(text: str) -> list[tuple[int, str]]:
    """All dates in `text` as (offset, ISO string), in order of appearance."""
    return [(start, iso) for start, _, iso in date_spans(text)]


def parse_date(text: str) -> str | None:
    """The first date in `text` (ISO), e.g. 'Mandag d. 10. marts 2025' -> '2025-03-10'."""
    dates = find_dates(text)
    return dates[0][1] if dates else None


_MEETING_DATE_LABEL = re.compile(r"(mødedato|dato for mødet|mødedag|afholdt)\W", re.IGNORECASE)


def document_date(text: str) -> str | None:
    """The meeting or document date: a labelled 'Mødedato' first, else the first date of the head."""
    head = text[:3000]
    label = _MEETING_DATE_LABEL.search(head)
    if label:
        d = parse_date(head[label.start(): label.start() + 120])
        if d:
            return d
    return parse_date(head)


def danish_date(iso: str | None) -> str:
    """'2022-11-25' -> '25. november 2022' (the form Danish readers expect)."""
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d}. {MONTH_NAMES[m]} {y}"


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


def document_body(title: str, head: str) -> str | None:
    """The body whose document this is: named in the title, else the first named in the head."""
    for text in (title, head):
        bodies = find_bodies(text)
        if bodies:
            return bodies[0]
    return None


# --- document types ----------------------------------------------------------------------------
DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("høringssvar", re.compile(r"høringssvar", re.IGNORECASE)),
    ("referat", re.compile(r"\breferat", re.IGNORECASE)),
    ("notat", re.compile(r"\bnotat\b", re.IGNORECASE)),
    ("dagsorden", re.compile(r"\bdagsorden\b", re.IGNORECASE)),
]


def document_type(title: str, head: str) -> str | None:
    """Referat, høringssvar, notat or dagsorden: from the title first, else the earliest in the head."""
    for text in (title, head):
        hits = [(m.start(), name) for name, pat in DOC_TYPES if (m := pat.search(text))]
        if hits:
            return min(hits)[1]
    return None


# --- speaker sides -----------------------------------------------------------------------------
SIDES: dict[str, re.Pattern[str]] = {
    "medarbejdersiden": re.compile(
        r"\b(medarbejder-?\s?siden|b-siden|medarbejderrepræsentant\w*|personalerepræsentant\w*|"
        r"medarbejdersidens?|medarbejderside)\b",
        re.IGNORECASE,
    ),
    "ledelsen": re.compile(r"\b(ledelsen|ledelsessiden|ledelses-?\s?siden|a-siden|ledelsens)\b", re.IGNORECASE),
    "formand": re.compile(r"\b(formand(?:en)?|forperson(?:en)?)\b", re.IGNORECASE),
    "næstformand": re.compile(r"\b(næstformand(?:en)?|næstforperson(?:en)?)\b", re.IGNORECASE),
    "amr": re.compile(r"\b(amr|arbejdsmiljørepræsentant\w*)\b", re.IGNORECASE),
    "tr": re.compile(r"\b(tr|tr'erne|tillidsrepræsentant\w*|tillidsfolk\w*)\b", re.IGNORECASE),
    "centermed": re.compile(r"\bcent(?:er|re)" + _MED, re.IGNORECASE),
}
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
