"""Does the best passage hold what the question asks for? The checks a text can fail without a reader model.

Dense and lexical scores say that a passage is *about* a question, not that it *answers* it: "Hvad
viste prøverne for skimmelsvamp?" scores as high against "prøver er taget, vi afventer" as an
answerable question does against its answer. Three things can be checked in the words themselves:

- quantity: "hvor mange", "hvor meget", "…procent" need a number in the answer, and a year, a date,
  a list number or a case number is not one; "hvor mange penge", "hvad koster" need an amount;
- year: a year the question names must be the meeting's year or be written in the passage;
- pending: "hvad viste …" is not answered by a passage that says the result is still awaited.

Each check looks at the shown answer (the best sentence and the one after it) or, for years, the
whole passage, and returns a short Danish reason that completes "Det nærmeste afsnit …".
"""
from __future__ import annotations

import re

from qa.danish.dates import YEAR, date_spans
from qa.types import Hit, Query

_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:kr\b|kroner|mio|mia|millioner|milliarder|%)|\b(?:kr\.|mio\.|mia\.)", re.I)

# Digits that do not count anything: dates are removed first (date_spans), then these.
_NOT_A_QUANTITY = re.compile(
    r"\S*\d\S*[-/]\S*\d\S*"  # case and journal numbers: 81.38.00-P35-1-24, 2025/2026
    r"|\S+\.(?:pdf|docx?|xlsx?|pptx?|txt)\b"  # file names of attachments
    r"|\b(?:19[5-9]\d|20\d\d)\b"  # years
    r"|^\s*[-•*]?\s*\d+[.)](?=\s)"  # list numbers at the start of a line
    r"|\b\d+\.(?=\s+(?-i:[a-zæøå]))"  # ordinals: 2. halvår, 3. kvartal (not "… svaret 91. Næste …")
    # references, rooms and clock times: punkt 3, stk. 2, hovedkonto 6, mødelokale 402, kl. 8.30
    r"|\b(?:punkt|pkt|nr|stk|kl|bilag|side|uge|kapitel|afsnit|fase|\w*konto|\w*lokale|§)\.?\s*\d+(?:[.:]\d+)?",
    re.I | re.M,
)
_NUMBER_WORDS = re.compile(
    r"\b(et par|halvt?|halvandet|to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|femten|tyve|tredive|fyrre|"
    r"halvtreds|hundrede|tusinde?|million\w*|milliard\w*|halvdel\w*|tredjedel\w*|fjerdedel\w*|dobbelt\w*|"
    r"hver (?:anden|tredje|fjerde|femte|tiende))\b",
    re.I,
)

# A question asking what something showed or concluded, not one that merely mentions a result.
_ASKS_FINDING = re.compile(
    r"^\s*(?:hvad (?:viste|viser|fandt|afslørede|konkluderede)\b"
    r"|hvad (?:var|blev|er) (?:\w+ )?(?:resultat\w*|udfald\w*|konklusion\w*|konsekvens\w*)"
    r"|hvilke (?:resultater|fund|konklusioner)\b)",
    re.I,
)
# Minutes saying that a result is not there yet.
_PENDING = re.compile(
    r"\b(afvent\w*|endnu ikke|ikke endnu|foreligger ikke|ikke (?:er )?(?:klar|færdig\w*|modtaget)|udestår|"
    r"følger senere|når \w+(?: \w+){0,8} (?:foreligger|er klar|kommer)|"
    r"vil (?:data )?blive (?:udtrukket|offentliggjort|fremlagt|præsenteret))\b",
    re.I,
)


def has_amount(text: str) -> bool:
    """Whether a text states an amount of money or a share (35 mio. kr., 1,3 mia., 5 %)."""
    return bool(_AMOUNT.search(text))


def has_quantity(text: str) -> bool:
    """Whether a text states a number of something (35 mio. kr., 91, ca. 300, halvdelen, to gange)."""
    cleaned = text
    for start, end, _ in reversed(date_spans(text)):
        cleaned = cleaned[:start] + " " + cleaned[end:]
    cleaned = _NOT_A_QUANTITY.sub(" ", cleaned)
    return bool(re.search(r"\d", cleaned) or _NUMBER_WORDS.search(cleaned))


def unmet(query: Query, hit: Hit) -> str | None:
    """Why the passage cannot be the answer, or None when nothing checkable is missing."""
    if query.parts:  # a compound question: the first passage answers one part only
        return None
    c = hit.chunk
    shown = hit.sentence or c.text
    for year in dict.fromkeys(YEAR.findall(query.text)):
        where = " ".join((c.text, c.doc_title or "", c.item_title or "", c.date or ""))
        if year not in where:
            return f"nævner ikke {year}"
    if query.answer_type == "money" and not has_amount(shown):
        return "nævner ikke noget beløb"
    if query.answer_type == "number" and not has_quantity(shown):
        return "nævner ikke noget tal"
    if _ASKS_FINDING.search(query.text) and _PENDING.search(shown):
        return "siger, at resultatet ikke foreligger endnu"
    return None
