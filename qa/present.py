"""What every front end shows: citations, the answer text, the JSON contract, Danish dates and labels,
the Markdown export of a conversation, and the inert HTML the app renders.

The CLI, the export and the app all present through here, so a citation reads the same everywhere.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from qa.danish.dates import danish_date
from qa.danish.vocabulary import SIDE_LABELS  # noqa: F401 - the front ends label sides through here
from qa.types import Answer, Chunk, Document, Hit

NOTHING_FOUND = "Jeg fandt ikke noget i referaterne, der besvarer det."
MAX_TEXT = 1200  # characters of a passage in the JSON output


def cut_notice(limit: int) -> str:
    """Said when a question was longer than the limit and only its beginning was searched."""
    return f"Spørgsmålet var meget langt; jeg søgte kun på de første {limit:,} tegn.".replace(",", ".")


def nothing_found(answer: Answer) -> str:
    """The abstention message, with the reason when the best passage matched but lacks what was asked."""
    if answer.reason.startswith("Intet"):  # nothing about the topic in the period or filters asked for
        return f"{NOTHING_FOUND} {answer.reason}."
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


# Characters that markdown, LaTeX or emoji short codes could interpret, as HTML entities.
_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'`*_[]\\$~#|:{}"}


def esc(text: str | None) -> str:
    """Text made inert for st.html/st.markdown: HTML escaped, markdown characters as entities."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_ENTITIES.get(c, c) for c in text).replace("\n", "<br>")


_HEADING = re.compile(r"^([ \t]*\x01?)[ \t]*#{1,6}[ \t]*", re.MULTILINE)
_EMPH = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def plain(text: str | None) -> str:
    """Source markup (# headings, **bold**, *italic*) removed for reading; the words are untouched."""
    text = (text or "").replace("\r\n", "\n")
    text = _HEADING.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = _EMPH.sub(r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+(?=\n)", "\n", text)
    # a sentence broken over lines by PDF extraction: "der blev\n\nfremlagt" -> "der blev fremlagt"
    # (\x01 and \x02 are the highlight marks of passage_html)
    text = re.sub(r"(?<=[a-zæøå,;\x01\x02])[ \t]*\n{1,2}[ \t]*(?=[\x01\x02]?[a-zæøå])", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def passage_html(text: str, sentence_start: int = -1, sentence: str = "") -> str:
    """The passage with the best sentence in <mark>; everything escaped."""
    text = (text or "").replace("\x01", " ").replace("\x02", " ")  # same length: offsets stay valid
    if sentence and 0 <= sentence_start <= len(text) and text[sentence_start:].startswith(sentence):
        end = sentence_start + len(sentence)
        text = text[:sentence_start] + "\x01" + sentence + "\x02" + text[end:]
    body = esc(plain(text).strip()).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return f'<div class="rq-passage">{body}</div>'


def best_sentence(hit: Hit) -> str:
    text = hit.sentence or hit.chunk.text[:300]
    text = " ".join(plain(text).split())
    return text.lstrip("-•*· ").strip() or " ".join(hit.chunk.text.split())[:300]


def doc_type_label(doc_type: str | None) -> str:
    return (doc_type or "dokument").capitalize()


def document_label(chunk: Chunk) -> str:
    """'Referat: Titel', without saying 'referat' twice when the title already starts with it."""
    kind = doc_type_label(chunk.doc_type)
    title = " ".join((chunk.doc_title or "").split())
    if not title:
        return kind
    return title if title.lower().startswith(kind.lower()) else f"{kind}: {title}"


def place(chunk: Chunk) -> str:
    """'Punkt 2: Titel' (or the section of a document without agenda items)."""
    if chunk.item:
        return f"Punkt {chunk.item}" + (f": {chunk.item_title}" if chunk.item_title else "")
    return chunk.item_title or ""


def whole_item(passages: list[Chunk]) -> str:
    """The agenda item's passages as one text, without repeating the overlap between passages."""
    out = ""
    for c in sorted(passages, key=lambda c: c.start):
        text = c.text.strip()
        if not out:
            out = text
            continue
        cut = 0
        for size in range(min(len(text), len(out), 400), 19, -1):  # overlapping chunks repeat text
            if out.endswith(text[:size]):
                cut = size
                break
        out = out + text[cut:] if cut else out + "\n\n" + text
    return out


def filters_label(filters: dict) -> str:
    parts = []
    if filters.get("committee"):
        parts.append(f"udvalg: {filters['committee']}")
    if filters.get("doc_type"):
        parts.append(f"dokumenttype: {filters['doc_type']}")
    if filters.get("side"):
        parts.append(f"side: {SIDE_LABELS.get(filters['side'], filters['side'])}")
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"periode: {danish_date(filters.get('date_from')) or '…'} – "
                     f"{danish_date(filters.get('date_to')) or '…'}")
    return ", ".join(parts)


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() if line.strip()) or "> …"


def conversation_markdown(history: list[dict], now: datetime | None = None) -> str:
    """The conversation as a Markdown document with every answer's citations."""
    now = now or datetime.now()
    lines = ["# Samtale med referaterne", "",
             f"Eksporteret {danish_date(now.date().isoformat())} kl. {now:%H:%M}.", ""]
    for n, turn in enumerate(history, 1):
        lines += [f"## {n}. {' '.join(turn['question'].split())[:300]}", ""]
        if turn.get("searched"):
            lines += [f"*Søgte efter:* {turn['searched'][:500]}", ""]
        if turn.get("filters"):
            lines += [f"*Filtre:* {filters_label(turn['filters'])}", ""]
        if turn.get("error"):
            lines += [turn["error"], ""]
            continue
        answer: Answer | None = turn.get("answer")
        if answer is None:
            continue
        if answer.abstain or not answer.hits:
            lines += [nothing_found(answer), ""]
            hits = answer.hits[:3]
            if hits:
                lines += ["**Måske relevant:**", ""]
        else:
            best = answer.hits[0]
            lines += [_quote(best_sentence(best)), "", f"— {citation(best.chunk)}", "", "**Kilder:**", ""]
            hits = answer.hits
        for i, h in enumerate(hits, 1):
            lines.append(f"{i}. {citation(h.chunk)} (kilde: {Path(h.chunk.source).name})")
            snippet = " ".join(plain(h.chunk.text).split())
            lines.append(f"   > {snippet[:400]}{'…' if len(snippet) > 400 else ''}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def corpus_overview(documents: list[Document]) -> dict:
    dates = sorted(d.date for d in documents if d.date)
    meetings = {(d.committee, d.date) for d in documents if d.date}
    return {"documents": len(documents), "meetings": len(meetings),
            "first": dates[0] if dates else None, "last": dates[-1] if dates else None}


def short(text: str, n: int) -> str:
    """`text` on one line, cut to `n` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


_WORD = re.compile(r"[^\W_]")


def has_words(text: str | None) -> bool:
    """Whether a question holds at least one letter or digit (not only signs)."""
    return bool(_WORD.search(text or ""))
