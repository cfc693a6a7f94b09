"""Danish amounts and counts as minutes write them: '35 mio. kr.', '5,8 %', 'ca. 300 medarbejdere'.

Used to put the number a "hvor mange/hvor meget …?" question asks for in front of the answer.
Dates, years, case numbers and references (punkt 3, kl. 8.30) are not quantities.
"""
from __future__ import annotations

import re

from qa.danish.dates import date_spans

_SCALE = r"(?:mio\.?|mia\.?|millioner|milliarder|million|milliard|tusind|t\.)"
_UNIT = r"(?:kr\.?|kroner|%|procent(?:point)?|pct\.?)"
# an amount: optional 'ca.', digits with Danish separators, optional scale and unit
_AMOUNT = re.compile(
    rf"(?:\b(?:ca\.|cirka|over|under|op til|knap|godt|mindst|højst)\s+)?"
    rf"(?<![\w.,])\d{{1,3}}(?:[.\s]\d{{3}})*(?:,\d+)?(?!\d)(?:\s*{_SCALE})?(?:\s*{_UNIT})?",
    re.I,
)
_MONEY_OR_SHARE = re.compile(rf"{_SCALE}|{_UNIT}", re.I)
# digits that do not count anything
_NOT_A_QUANTITY = re.compile(
    r"\S*\d\S*[-/]\S*\d\S*"  # case and journal numbers, 2025/2026
    r"|\S+\.(?:pdf|docx?|xlsx?|pptx?|txt)\b"  # file names
    r"|\b(?:19[5-9]\d|20\d\d)\b(?!\s*(?:kr|mio|%|procent))"  # years
    r"|\b\d+\.(?=\s+(?-i:[a-zæøå]))"  # ordinals: 3. kvartal, 2. halvår
    r"|\b(?:punkt|pkt|nr|stk|kl|bilag|side|uge|kapitel|afsnit|fase|\w*konto|\w*lokale|§)\.?\s*\d+(?:[.:]\d+)?",
    re.I,
)
_NOUN = re.compile(r"\s+([a-zæøå][a-zæøå-]{2,})")


def quantity_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_money_or_share) of every quantity in `text`, in order; a count keeps its noun."""
    blocked = [(s, e) for s, e, _ in date_spans(text)]
    blocked += [(m.start(), m.end()) for m in _NOT_A_QUANTITY.finditer(text)]
    out: list[tuple[int, int, bool]] = []
    for m in _AMOUNT.finditer(text):
        start, end = m.start(), m.end()
        digit = start + re.search(r"\d", m.group()).start()
        if any(s <= digit < e for s, e in blocked):
            continue
        money = bool(_MONEY_OR_SHARE.search(m.group()))
        if not money:
            noun = _NOUN.match(text, end)
            if noun:
                end = noun.end()
        out.append((start, end, money))
    return out
