"""Danish dates and periods: how minutes write a date, and how a question names a period.

One place for both directions, so that the date a passage is filed under and the period a question
pins are read by the same rules.
"""
from __future__ import annotations

import calendar
import re
from functools import lru_cache
from datetime import date, timedelta

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
# a day and month without a year ("12. marts"), groups day and month
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\.\s*({'|'.join(sorted(MONTHS, key=len, reverse=True))})\b(?!\.?\s*\d)", re.I)
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
    return list(_date_spans(text))


@lru_cache(maxsize=100_000)  # ranking asks it of the same candidate sentences several times
def _date_spans(text: str) -> tuple[tuple[int, int, str], ...]:
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
    return tuple(found)


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


# --- periods a question names -----------------------------------------------------------------
# Relative forms and forms without a year are resolved against a reference date: the newest meeting
# in the index, not the clock, because an archive is read after the fact.
_ORD = {"1": 1, "første": 1, "2": 2, "anden": 2, "andet": 2, "3": 3, "tredje": 3, "4": 4, "fjerde": 4,
        "sidste": 4}
_ORD_RE = r"(1|2|3|4|første|anden|andet|tredje|fjerde|sidste)\.?"
_Y = r"((?:19|20)\d\d)"
_QUARTER = re.compile(rf"\b{_ORD_RE}\s*kvartal(?:et)?(?:\s+(?:i\s+|af\s+)?{_Y})?|\bQ([1-4])\s*{_Y}?", re.I)
_HALF = re.compile(rf"\b{_ORD_RE}\s*halvår(?:et)?(?:\s+(?:i\s+|af\s+)?{_Y})?", re.I)
# Seasons as Danish minutes use them: forår = March-May, sommer = June-August, efterår = September-
# November, vinter = December-February (the winter of 2022 starts in December 2022).
SEASONS = {"forår": (3, 5), "sommer": (6, 8), "efterår": (9, 11), "høst": (9, 11), "vinter": (12, 2)}
_SEASON = re.compile(r"\b(forår|sommer|efterår|høst|vinter)(?:en|et|s)?\b(?:\s+(?:i\s+)?" + _Y + r")?", re.I)
_MONTH_Q = re.compile(rf"\b(?:i\s+|primo\s+|medio\s+|ultimo\s+)?({_MONTH_RE})\.?(?:\s+(?:i\s+)?{_Y})?\b", re.I)
_DAY_Q = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH_RE})\.?(?:\s+{_Y})?", re.I)
_SPAN = re.compile(rf"\b(?:fra|mellem)\s+{_Y}\s+(?:til|og)\s+{_Y}\b|\bsiden\s+{_Y}\b", re.I)
_THIS_YEAR = re.compile(r"\b(?:i år|i indeværende år|dette år)\b", re.I)
_LAST_YEAR = re.compile(r"\b(?:sidste år|i fjor|forrige år)\b", re.I)
# Asking for the newest state of a recurring topic ("til sidst" is "in the end", not "most recently").
LATEST = re.compile(r"\b(senest\w*|sidst(?:e)?(?! år)|nyeste|nu|nuværende|gældende|aktuelle?|for tiden|i dag|"
                    r"lige nu)\b", re.I)
_FINALLY = re.compile(r"\btil sidst\b", re.I)
# "senest" after a modal verb is a deadline ("Hvornår skal ansøgningen senest være sendt?"), not the newest
_DEADLINE = re.compile(r"\b(?:skal|skulle|må|måtte|bør|burde)\b[^?.!,]{0,40}?\bsenest\b", re.I)
# Asking how something developed over several meetings.
TREND = re.compile(r"\b(udvikl\w*|ændret sig|forandret sig|over tid|gennem årene|år for år|blevet (?:bedre|værre|"
                   r"dårligere|større|mindre|højere|lavere)|steget eller faldet|faldet eller steget|"
                   r"bedre eller dårligere|dårligere eller bedre)\b", re.I)
# A question asking what became of a matter later ("Har det virket?", "Blev det til noget?", "Hvordan endte
# …?"): as a follow-up, its answer is at a later meeting than the previous answer's; asked of a dated event
# (outcome_period), after that date.
AFTERWARDS = re.compile(r"\b(virke[dt]|virker|fulgt op|fulgte op|opfølgning|blev det til|til noget|igennem|nåede|"
                        r"til sidst|nået|lykke[ds]es|lykkedes|endte|sidenhen|senere|efterfølgende|"
                        r"er (?:de|det|den|der) blevet|evaluer\w*|kom (?:der )?(?:noget )?ud af|hvordan gik det|"
                        r"blev resultatet|sat i gang|sættes i gang|kom i gang|iværksat|taget i brug|sket|skete)\b", re.I)
# a bare "siden" is "since then" ("Er der målt igen siden?"); "siden 2021", "siden mødet" name their own time
SINCE_THEN = re.compile(r"\bsiden(?:\s+da)?\s*(?:[?.!,]|$)", re.I)
# The question pins the meeting itself ("på mødet i november 2023", "da det blev drøftet i juni 2023"),
# not the period a report is about ("sygefraværet i 3. kvartal 2023").
MEETING_PIN = re.compile(r"\b(mødet|møde|drøftet|drøftede|behandlet|fremlagt|fremlagde|besluttet|besluttede|"
                         r"vedtaget)\b[^?.]{0,25}?\b(den|i)\b", re.I)


def _iso(y: int, m: int, d: int) -> str:
    return date(y, m, d).isoformat()


def _month_end(y: int, m: int) -> str:
    return _iso(y, m, calendar.monthrange(y, m)[1])


def _latest_year(first_month: int, ref: date, near: date | None = None) -> int:
    """A period named without a year is the latest one that had begun by the reference date; with `near`
    (the meeting a conversation is about), the one that begins closest to it ("sommeren" after an answer
    from June 2022 is the summer of 2022)."""
    if near is not None:
        return min((near.year - 1, near.year, near.year + 1),
                   key=lambda y: abs((date(y, first_month, 1) - near).days))
    return ref.year if first_month <= ref.month else ref.year - 1


def parse_period(text: str, ref: str | None = None, near: str | None = None):
    """The one period a question pins (a qa.types.Period), or None; `ref` (ISO) resolves relative forms,
    `near` (ISO) a month, quarter, half-year or season named without a year (see _latest_year)."""
    from qa.types import Period

    r = first_day(ref) if ref else date.today()
    n = first_day(near) if near else None
    m = _SPAN.search(text)
    if m:
        if m.group(3):
            return Period(_iso(int(m.group(3)), 1, 1), r.isoformat(), "span", m.group(0))
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        return Period(_iso(a, 1, 1), _iso(b, 12, 31), "span", m.group(0))
    m = _DAY_Q.search(text)
    if m:
        mo = MONTHS[m.group(2).lower()]
        y = int(m.group(3)) if m.group(3) else _latest_year(mo, r, n)
        iso = _valid(y, mo, int(m.group(1)))
        if iso:
            return Period(iso, iso, "day", m.group(0))
    m = _QUARTER.search(text)
    if m:
        q = _ORD.get((m.group(1) or "").lower()) or int(m.group(3))
        y = m.group(2) or m.group(4)
        y = int(y) if y else _latest_year(3 * q - 2, r, n)
        return Period(_iso(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", m.group(0))
    m = _HALF.search(text)
    if m:
        h = 1 if _ORD.get(m.group(1).lower(), 2) == 1 else 2
        y = int(m.group(2)) if m.group(2) else _latest_year(6 * h - 5, r, n)
        return Period(_iso(y, 6 * h - 5, 1), _month_end(y, 6 * h), "half", m.group(0))
    m = _SEASON.search(text)
    if m:
        a, b = SEASONS[m.group(1).lower()]
        y = int(m.group(2)) if m.group(2) else _latest_year(a, r, n)
        return Period(_iso(y, a, 1), _month_end(y + 1 if b < a else y, b), "season", m.group(0))
    for m in _MONTH_Q.finditer(text):
        word = m.group(1).lower()
        if len(word) <= 4 and word not in ("maj", "juni", "juli") and not m.group(2):
            continue  # "mar", "dec" alone are too often something else
        mo = MONTHS[word]
        y = int(m.group(2)) if m.group(2) else _latest_year(mo, r, n)
        return Period(_iso(y, mo, 1), _month_end(y, mo), "month", m.group(0).strip())
    m = _THIS_YEAR.search(text) or _LAST_YEAR.search(text)
    if m:
        y = r.year if _THIS_YEAR.search(m.group(0)) else r.year - 1
        return Period(_iso(y, 1, 1), _iso(y, 12, 31), "year", m.group(0))
    years = list(dict.fromkeys(YEAR.findall(text)))
    if len(years) == 1:
        y = int(years[0])
        return Period(_iso(y, 1, 1), _iso(y, 12, 31), "year", years[0])
    return None


# "... forslaget, som blev udsat i juni 2023": a relative clause dating an earlier event the question refers to
_EVENT_CLAUSE = re.compile(r"\b(?:som|der)\s+(?:blev|var)\s+\w+(?:\s+(?:på mødet|på|i|den))*\s*$", re.I)


def outcome_period(text: str, period, ref: str | None = None):
    """How a matter ended, asked of an event the question dates ("Hvordan endte forslaget, som blev udsat i
    juni 2023?"): the answer lies after that date, so the period becomes the time from then to `ref` (the
    newest meeting, as for 'siden 2021'). Any other question keeps its period."""
    from qa.types import Period

    at = text.find(period.label) if period is not None else -1
    if at < 0 or not asks_afterwards(text) or not _EVENT_CLAUSE.search(text[:at] + " "):
        return period
    start = (last_day(period.end) + timedelta(days=1)).isoformat()
    end = (first_day(ref) if ref else date.today()).isoformat()
    return Period(start, end, "span", f"efter {period.label.removeprefix('i ').strip()}")


def asks_latest(text: str) -> bool:
    """The newest state of a topic ('senest', 'nu', 'den gældende'), not a development."""
    plain = _DEADLINE.sub(lambda m: m.group(0)[:-len("senest")], _FINALLY.sub(" ", text))
    return bool(LATEST.search(plain)) and not TREND.search(text)


def asks_trend(text: str) -> bool:
    return bool(TREND.search(text))


def months_between(a: str, b: str) -> float:
    """Months from ISO date `a` to ISO date `b`, never negative (a year alone counts as its July)."""
    def month(iso: str) -> int:
        return int(iso[:4]) * 12 + (int(iso[5:7]) - 1 if len(iso) >= 7 else 6)
    return float(max(0, month(b) - month(a)))


def asks_afterwards(text: str) -> bool:
    """What became of a matter later (a follow-up's own words, not the topic it carries)."""
    return bool(AFTERWARDS.search(text) or SINCE_THEN.search(text))


def held_in(period, dates: tuple[str, ...], years_back: int = 10):
    """ "På mødet i februar" names a meeting that took place: a period named without a year in which no
    document of the index is dated is moved back a year at a time to the latest one that has a date."""
    from dataclasses import replace

    def back(iso: str, n: int) -> str:
        d = date.fromisoformat(iso)
        y = d.year - n
        last, was_last = calendar.monthrange(y, d.month)[1], d.day == calendar.monthrange(d.year, d.month)[1]
        return _iso(y, d.month, last if was_last else min(d.day, last))

    if YEAR.search(period.label) or any(period.contains(d) for d in dates):
        return period
    for n in range(1, years_back + 1):
        moved = replace(period, start=back(period.start, n), end=back(period.end, n))
        if any(moved.contains(d) for d in dates):
            return moved
    return period


def pins_meeting(text: str) -> bool:
    return bool(MEETING_PIN.search(text))


def first_day(iso: str) -> date:
    """The first day a date may stand for: documents dated only by year or month ('2017', '2017-06') too."""
    parts = [int(x) for x in iso[:10].split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def last_day(iso: str) -> date:
    """The last day a date may stand for: '2017' is 31 December, '2017-06' is 30 June."""
    parts = [int(x) for x in iso[:10].split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        return date.fromisoformat(_month_end(*parts))
    return date(*parts[:3])


def months_after(period, iso: str | None) -> float | None:
    """How many months after the end of the period a meeting lies (negative: before its end)."""
    if not iso:
        return None
    return (first_day(iso) - date.fromisoformat(period.end)).days / 30.44


def mentions(text: str, period) -> bool:
    """Whether a passage names the period itself: its quarter/half/season/month with its year, or its year."""
    low = text.lower()
    y0, years = int(period.start[:4]), period.years
    if period.kind in ("year", "span"):
        return any(re.search(rf"\b{y}\b", low) for y in years)
    if period.kind == "quarter":
        q = (int(period.start[5:7]) + 2) // 3
        for m in _QUARTER.finditer(low):
            qq = _ORD.get((m.group(1) or "").lower()) or int(m.group(3) or 0)
            yy = m.group(2) or m.group(4)
            if qq == q and (yy in years if yy else str(y0) in low):
                return True
        return False
    if period.kind == "half":
        h = 1 if int(period.start[5:7]) == 1 else 2
        return any((1 if _ORD.get(m.group(1).lower(), 2) == 1 else 2) == h
                   and (m.group(2) in years if m.group(2) else str(y0) in low) for m in _HALF.finditer(low))
    if period.kind == "season":
        return any(SEASONS[m.group(1).lower()][0] == int(period.start[5:7]) and m.group(2) in years
                   for m in _SEASON.finditer(low) if m.group(2))
    mo = int(period.start[5:7])
    return any(MONTHS[m.group(1).lower()] == mo and m.group(2) in years for m in _MONTH_Q.finditer(low) if m.group(2))


def names_other(text: str, period) -> bool:
    """Whether a passage names another period of the same kind (another quarter, half-year or season)
    and not this one: it reports on some other period, so it cannot answer for this one."""
    if period.kind not in ("quarter", "half", "season") or mentions(text, period):
        return False
    low = text.lower()
    years = period.years
    month = int(period.start[5:7])
    # each named one as (its first month, its year or None); "i sommer" without a year in a summer
    # question is the same season, not another one
    if period.kind == "quarter":
        named = [(3 * (_ORD.get((m.group(1) or "").lower()) or int(m.group(3) or 1)) - 2, m.group(2) or m.group(4))
                 for m in _QUARTER.finditer(low)]
    elif period.kind == "half":
        named = [(1 if _ORD.get(m.group(1).lower(), 2) == 1 else 7, m.group(2)) for m in _HALF.finditer(low)]
    else:
        named = [(SEASONS[m.group(1).lower()][0], m.group(2)) for m in _SEASON.finditer(low)]
    return any(mo != month or (y is not None and y not in years) for mo, y in named)
