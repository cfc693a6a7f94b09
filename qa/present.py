"""What every front end shows: citations, the answer text, the JSON contract, Danish dates and labels,
the Markdown export of a conversation, and the inert HTML the app renders.

The CLI, the export and the app all present through here, so a citation reads the same everywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qa.danish.dates import danish_date, date_spans
from qa.danish.quantities import quantity_spans
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


_TITLE_FILLER = re.compile(
    r"\b(?:referat|dagsorden|beslutningsprotokol|protokol|af|fra|for|til|i|møde|mødet|den|d|kl|"
    r"ekstraordinært|ordinært)\b|[\d\W_]+", re.I)


def adds_to_committee(title: str, committee: str | None) -> bool:
    """Whether a title says more than 'Referat af møde i <committee> <date>' (then it is worth citing)."""
    rest = title
    for start, end, _ in reversed(date_spans(title)):
        rest = rest[:start] + " " + rest[end:]
    rest = rest.lower().replace(committee.lower(), " ") if committee else rest.lower()
    return bool(_TITLE_FILLER.sub(" ", rest).strip())


def citation(chunk: Chunk) -> str:
    """One line a user can copy: 'Hoved-MED Teknik og Miljø, 12. marts 2024, punkt 2: Vintertjeneste';
    the title when it says more than the committee, and '(OCR)' when the text was read from a scan."""
    parts = [chunk.committee or chunk.doc_title or chunk.source]
    if chunk.date:
        parts.append(danish_date(chunk.date))
    if chunk.committee and chunk.doc_title and adds_to_committee(chunk.doc_title, chunk.committee):
        parts.append(" ".join(chunk.doc_title.split()))
    if chunk.item:
        place = f"punkt {chunk.item}" + (f": {chunk.item_title}" if chunk.item_title else "")
    else:
        place = chunk.item_title or chunk.doc_title
    if place:
        parts.append(place)
    if chunk.section and chunk.section != chunk.item_title:
        parts.append(chunk.section)
    text = ", ".join(dict.fromkeys(p for p in parts if p))
    return text + " (OCR)" if chunk.ocr else text


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
        "body": c.body,
        "municipality": c.municipality,
        "doc_type": c.doc_type,
        "ocr": c.ocr,
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
    a, b = _marked(text, sentence_start, sentence)
    if b > a:
        text = text[:a] + "\x01" + text[a:b] + "\x02" + text[b:]
    body = esc(plain(text).strip()).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return f'<div class="rq-passage">{body}</div>'


def _marked(text: str, start: int, sentence: str) -> tuple[int, int]:
    """The stretch of `text` to mark: the sentence, or the part of it inside this passage when it was joined
    with a neighbouring passage (qa/ask/joining.py)."""
    if not sentence or not 0 <= start <= len(text):
        return 0, 0
    if text[start:].startswith(sentence):
        return start, start + len(sentence)
    inside = text[start:].rstrip()
    if inside and sentence.startswith(inside):  # it goes on in the next passage
        return start, start + len(inside)
    if start == 0:  # it began in the previous passage
        k = next((k for k in range(min(len(text), len(sentence)), 0, -1) if sentence.endswith(text[:k])), 0)
        return 0, k
    return 0, 0


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
    if filters.get("municipality"):
        parts.append(f"kommune/region: {filters['municipality']}")
    if filters.get("doc_type"):
        parts.append(f"dokumenttype: {filters['doc_type']}")
    if filters.get("side"):
        parts.append(f"side: {SIDE_LABELS.get(filters['side'], filters['side'])}")
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"periode: {danish_date(filters.get('date_from')) or '…'} – "
                     f"{danish_date(filters.get('date_to')) or '…'}")
    return ", ".join(parts)


# Characters with a meaning in CommonMark or in Streamlit's Markdown (raw HTML and entities, links and
# images, code, emphasis, strike-through, tables, LaTeX): each gets a backslash, which CommonMark
# defines as "this character, literally" for every ASCII punctuation mark. Block syntax (#, >, -, 1.)
# cannot start a line because the text is put on one line after a prefix of ours.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|$])")


def md_escape(text: str | None) -> str:
    """Document or user text as inert Markdown on one line: the same words, no markup, no HTML."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def _quote(text: str) -> str:
    return "\n".join("> " + md_escape(line) for line in text.splitlines() if line.strip()) or "> …"


def conversation_markdown(history: list[dict], now: datetime | None = None) -> str:
    """The conversation as a Markdown document with every answer's citations.

    Everything that comes from a document or from the user is escaped (md_escape): rendered by any
    CommonMark renderer the export shows the words, never runs them (tests/test_e2e_export.py)."""
    now = now or datetime.now()
    lines = ["# Samtale med referaterne", "",
             f"Eksporteret {danish_date(now.date().isoformat())} kl. {now:%H:%M}.", ""]
    for n, turn in enumerate(history, 1):
        lines += [f"## {n}. {md_escape(short(turn['question'], 300))}", ""]
        if turn.get("searched"):
            lines += [f"*Søgte efter:* {md_escape(turn['searched'][:500])}", ""]
        if turn.get("filters"):
            lines += [f"*Filtre:* {md_escape(filters_label(turn['filters']))}", ""]
        if turn.get("error"):
            lines += [md_escape(turn["error"]), ""]
            continue
        answer: Answer | None = turn.get("answer")
        if answer is None:
            continue
        if answer.abstain or not answer.hits:
            lines += [md_escape(nothing_found(answer)), ""]
            hits = answer.hits[:3]
            if hits:
                lines += ["**Måske relevant:**", ""]
        else:
            best = answer.hits[0]
            lines += [_quote(best_sentence(best)), "", f"— {md_escape(citation(best.chunk))}", "", "**Kilder:**", ""]
            hits = answer.hits
        for i, h in enumerate(hits, 1):
            lines.append(f"{i}. {md_escape(citation(h.chunk))} (kilde: {md_escape(Path(h.chunk.source).name)})")
            snippet = " ".join(plain(h.chunk.text).split())
            lines.append(f"   > {md_escape(snippet[:400])}{'…' if len(snippet) > 400 else ''}")
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


def documents_json(documents: list[Document], passages: dict[str, int]) -> dict:
    """`python -m qa info --json`: what is indexed, one record per document."""
    return {"documents": [
        {"doc_id": d.doc_id, "source": d.source, "title": d.title, "date": d.date, "committee": d.committee,
         "body": d.body, "municipality": d.municipality, "doc_type": d.doc_type,
         "passages": passages.get(d.doc_id, 0), "ocr": d.ocr}
        for d in documents
    ]}


# --------------------------------------------------------------------------------------------
# The answer as the chat shows it: what the question asked for first, relevant sources numbered
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lead:
    """The one fact a "Hvornår …?" / "Hvor mange …?" question asks for, taken from the answer sentence."""

    text: str  # '12. november 2015', '35 mio. kr.'
    kind: str  # 'date' | 'number'
    from_meeting: bool = False  # the date is the meeting's, because the sentence itself names none


def answer_lead(answer: Answer) -> Lead | None:
    """The date or number the question asks for, or None when it asks for neither or the sentence has none.

    A date question about the meeting itself ("Hvornår holdt HovedMED møde?") falls back to the
    meeting date; any other date question only gets a date the answer sentence states."""
    if answer.abstain or not answer.hits:
        return None
    kind = answer.query.answer_type
    sentence = best_sentence(answer.hits[0])
    if kind == "date":
        spans = date_spans(sentence)
        if spans:
            return Lead(danish_date(spans[0][2]), "date")
        chunk = answer.hits[0].chunk
        if answer.query.about_meeting and chunk.date:
            return Lead(danish_date(chunk.date), "date", from_meeting=True)
        return None
    if kind in ("money", "number"):
        spans = quantity_spans(sentence)
        if kind == "money":
            spans = [s for s in spans if s[2]] or spans
        if spans:
            start, end, _ = spans[0]
            return Lead(" ".join(sentence[start:end].split()), "number")
    return None


def split_relevant(hits: list[Hit], ratio: float, abstain: bool = False) -> tuple[list[Hit], list[Hit]]:
    """(relevant, maybe relevant): a hit is relevant when its score is at least `ratio` of the best one's.

    Scores are only comparable within one answer, so the cut is relative. When the search abstains
    nothing is relevant and every hit is a 'Måske relevant'."""
    if abstain or not hits:
        return [], list(hits)
    top = hits[0].score
    cut = top * ratio if top > 0 else top
    relevant = [h for h in hits if h.score >= cut]
    return relevant, [h for h in hits if h.score < cut]


def card_label(number: int, chunk: Chunk) -> str:
    """One line per source: '[1] HovedMED · 25. november 2022 · Punkt 2: Titel'."""
    where = place(chunk) or document_label(chunk)
    parts = [chunk.committee or "", danish_date(chunk.date) or "uden dato", where,
             "læst med OCR" if chunk.ocr else ""]
    return f"[{number}] " + " · ".join(p for p in parts if p)


@dataclass
class Meeting:
    """One meeting (or undated document) in the precedent view, with its passages best first."""

    date: str | None
    committee: str | None
    title: str
    source: str
    hits: list[Hit]

    @property
    def best(self) -> float:
        return max(h.score for h in self.hits)


def meetings(hits: list[Hit], order: str = "relevance") -> list[Meeting]:
    """Hits grouped by the document (meeting) they come from; ordered by relevance or by date.

    order='relevance': the meeting with the best passage first; 'date': oldest first, undated last."""
    groups: dict[str, Meeting] = {}
    for h in hits:
        c = h.chunk
        key = c.doc_id
        if key not in groups:
            groups[key] = Meeting(c.date, c.committee, c.doc_title, c.source, [])
        groups[key].hits.append(h)
    out = list(groups.values())
    for m in out:
        m.hits.sort(key=(lambda h: -h.score) if order == "relevance" else (lambda h: h.chunk.start))
    if order == "date":
        out.sort(key=lambda m: (m.date or "9999", m.source))
    else:
        out.sort(key=lambda m: -m.best)
    return out


def timeline(hits: list[Hit]) -> list[tuple[str, str, Hit]]:
    """One row per meeting in date order: (Danish date, body, the meeting's best passage)."""
    rows = []
    for m in meetings(hits, "date"):
        best = max(m.hits, key=lambda h: h.score)
        rows.append((danish_date(m.date) or "uden dato", m.committee or document_label(best.chunk), best))
    return rows


# --------------------------------------------------------------------------------------------
# Feedback as test questions
# --------------------------------------------------------------------------------------------
def feedback_question(row: dict) -> dict:
    """A feedback record as a line of a ../shared/eval question file.

    Thumbs up: the shown sentence is the evidence and its file the doc, so the question is a test
    case as it stands. Thumbs down: the shown answer was wrong; evidence stays empty and the
    rejected sentence is kept, so a person can fill in the right quote (until then an eval reads it
    as unanswerable)."""
    out = {"id": f"fb-{row['id']}", "question": row["question"], "category": "feedback"}
    if row["vote"] > 0:
        out.update(evidence=row["sentence"], doc=Path(row["source"]).name, answer=row["sentence"])
    else:
        out.update(evidence="", category="feedback-down", rejected=row["sentence"],
                   rejected_doc=Path(row["source"]).name)
    out.update(searched_for=row.get("searched", ""), filters=row.get("filters") or {},
               citation=row.get("citation", ""), given=row.get("created", ""))
    return out
