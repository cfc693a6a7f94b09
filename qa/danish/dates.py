"""Danish dates and periods: how minutes write a date, and how a question names a period.

One place for both directions, so that the date a passage is filed under and the period a question
pins are read by the same rules.
"""
from __future__ import annotations

import calendar
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

# A year as minutes and questions write it (the span of modern municipal records).
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

# "25. november 2022", "d. 5. novem ber 2015" (PDF letter-spacing), "5 dec. 2024"
_TEXT_DATE = re.compile(
    rf"\b(\d{{1,2}})\.?\s*({_MONTH_RE})(?:[a-zæøå ]{{0,7}}?)\.?\s+(\d{{4}})\b", re.IGNORECASE
)
# "23-05-2024", "23.05.2024", "23/5 2024", "1.6.24"
_NUM_DATE = re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./ ](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_YEAR = re.compile(r"\b(" + _MONTH_RE + r")\.?\s+(\d{4})\b", re.I)


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


def danish_date(iso: str | None) -> str:
    """'2022-11-25' -> '25. november 2022' (the form Danish readers expect); a date known only to
    the year or month ('2017', '2017-06') reads '2017', 'juni 2017'."""
    if not iso:
        return ""
    parts = [int(x) for x in iso.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return f"{MONTH_NAMES[parts[1]]} {parts[0]}"
    y, m, d = parts
    return f"{d}. {MONTH_NAMES[m]} {y}"


def named_period(text: str) -> tuple[str, str] | None:
    """The date range a question names: a day, a month ('i marts 2025') or a year ('i 2024')."""
    days = find_dates(text)
    if days:
        return days[0][1], days[0][1]
    m = _MONTH_YEAR.search(text)
    if m:
        y, mo = int(m.group(2)), MONTHS[m.group(1).lower()]
        return f"{y:04d}-{mo:02d}-01", f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"
    years = YEAR.findall(text)
    if len(years) == 1:
        return f"{years[0]}-01-01", f"{years[0]}-12-31"
    return None
