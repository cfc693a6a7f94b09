"""Presenting a search result: citations, the JSON contract, and a readable Danish answer."""
from __future__ import annotations

from qa.metadata import danish_date
from qa.types import Answer, Chunk, Hit

NOTHING_FOUND = "Jeg fandt ikke noget i referaterne, der besvarer det."
MAX_TEXT = 1200


def nothing_found(answer: Answer) -> str:
    """The abstention message, with the reason when the best passage matched but lacks what was asked."""
    return NOTHING_FOUND + (f" Det nærmeste afsnit {answer.reason}." if answer.reason else "")


def citation(chunk: Chunk) -> str:
    """One line a user can copy: 'HovedMED, 25. november 2022, punkt 2: Opfølgning på ...'."""
    parts = [chunk.committee or chunk.doc_title or chunk.source]
    if chunk.date:
        parts.append(danish_date(chunk.date))
    if chunk.item:
        place = f"punkt {chunk.item}" + (f": {chunk.item_title}" if chunk.item_title else "")
    else:
        place = chunk.item_title or chunk.doc_title
    if place:
        parts.append(place)
    if chunk.section and chunk.section != chunk.item_title:
        parts.append(chunk.section)
    return ", ".join(p for p in parts if p)


def hit_json(hit: Hit) -> dict:
    c = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 4),
        "text": c.text[:MAX_TEXT],
        "source": c.source,
        "doc_title": c.doc_title,
        "date": c.date,
        "committee": c.committee,
        "doc_type": c.doc_type,
        "item": c.item,
        "item_title": c.item_title,
        "section": c.section,
        "start": c.start,
        "end": c.end,
        "sentence": hit.sentence,
        "citation": citation(c),
    }


def answer_json(answer: Answer) -> dict:
    return {
        "query": answer.query.text,
        "abstain": answer.abstain,
        "reason": answer.reason or None,
        "hits": [hit_json(h) for h in answer.hits],
    }


def answer_text(answer: Answer, shown: int = 3) -> str:
    """The CLI's readable answer: the best sentence with its citation, then the supporting passages."""
    lines: list[str] = []
    if not answer.hits or answer.abstain:
        lines.append(nothing_found(answer))
        if answer.hits:
            lines.append("Det nærmeste, jeg fandt (måske relevant):")
    else:
        best = answer.hits[0]
        lines.append(f"» {best.sentence or best.chunk.text[:300]}")
        lines.append(f"  — {citation(best.chunk)}")
        lines.append("")
        lines.append("Kilder:")
    for h in answer.hits[:shown]:
        lines.append(f"[{h.rank}] {citation(h.chunk)}  ({h.chunk.source})")
        snippet = " ".join(h.chunk.text.split())
        lines.append("    " + (snippet[:400] + ("…" if len(snippet) > 400 else "")))
    return "\n".join(lines)
