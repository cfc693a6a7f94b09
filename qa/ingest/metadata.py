"""What a document says about itself: its meeting date, the body that holds it, its type.

Pure functions over the text's title and head, built on the shared vocabulary (qa/danish/).
"""
from __future__ import annotations

import re

from qa.danish.dates import parse_date
from qa.danish.vocabulary import DOC_TYPES, find_bodies

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


def document_body(title: str, head: str) -> str | None:
    """The body whose document this is: named in the title, else the first named in the head."""
    for text in (title, head):
        bodies = find_bodies(text)
        if bodies:
            return bodies[0]
    return None


def document_type(title: str, head: str) -> str | None:
    """Referat, høringssvar, notat or dagsorden: from the title first, else the earliest in the head."""
    for text in (title, head):
        hits = [(m.start(), name) for name, pat in DOC_TYPES if (m := pat.search(text))]
        if hits:
            return min(hits)[1]
    return None
