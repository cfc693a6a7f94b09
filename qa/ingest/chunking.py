"""Cut a document into agenda items, their sub-sections, and passages short enough to embed.

Danish minutes announce their structure in a few recurring ways: `Punkt 3: Titel`, `Ad 2. Titel`,
`Sag nr. 4`, numbered markdown headings, plain `3. Titel` / `3) Titel` lines that a label, a case
number, a table of contents or their own rising sequence marks as headings; compound hearing documents
are sections that each start with a "Høringssvar fra ..." line; items carry sub-sections (Anledning,
Sagsfremstilling, Indstilling, Beslutning, Bilag). A table of contents is not an item, and page
furniture (page numbers, case numbers, EAN numbers, addresses) is not content.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from qa.danish.text import trimmed
from qa.danish.vocabulary import CASE_LINE, SUBSECTION_LABELS, body_spans, find_sides, is_subsection_label
from qa.ingest.furniture import TOC_LINE, is_furniture
from qa.ingest.participants import named_sides, participants
from qa.types import FRONT_MATTER, Chunk, Document

_DECOR = re.compile(r"^[\s#>*_]+|[\s*_]+$")
ITEM_HEADING = [
    re.compile(r"^(?:punkt|pkt\.?|dagsordenspunkt)\s*(?:nr\.?\s*)?(\d{1,3})\b\s*[:.)\-–]?\s*(.*)$", re.I),
    re.compile(r"^ad\.?\s*(?:punkt\s*)?(\d{1,3})\s*[.:)]?(?:\s+(.*))?$", re.I),
    re.compile(r"^sag\s*(?:nr\.?\s*)?(\d{1,3})\s*[:.)\-–]\s*(.*)$", re.I),
]
NUMBERED_HEADING = re.compile(r"^(\d{1,2})[.)]?\s+(\S.{2,})$")  # "3. Titel", "3) Titel", "3 Titel"
SPREAD_MIN = 3  # numbered lines 1, 2, 3 ... with text between them, nothing else marking them, open items
MIN_CHARS = 200  # shorter passages (a lone heading) are joined to their neighbour
HEARING_SECTION = re.compile(r"\bhøringssvar\b", re.I)
# Sentences start with these; the header of a hearing response is a noun phrase.
_SENTENCE_START = {"med", "i", "på", "som", "det", "der", "vi", "nedenfor", "efter", "af", "til", "for", "hvis", "når", "da", "og", "men"}


def hearing_header(clean: str) -> bool:
    """'Høringssvar fra AMC ...', 'CAB - Høringssvar vedr. ...': the start of one body's response."""
    words = clean.split()
    if not words or len(clean) > 110 or "," in clean or clean.endswith(".") or words[0].lower() in _SENTENCE_START:
        return False
    idx = next((i for i, w in enumerate(words) if HEARING_SECTION.search(w)), None)
    return idx is not None and idx <= 4


@dataclass
class _Line:
    start: int
    end: int  # excluding the newline
    raw: str

    @property
    def clean(self) -> str:
        return _DECOR.sub("", self.raw).strip()


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def item_heading(clean: str) -> tuple[str, str] | None:
    """('3', 'Titel') for an agenda-item heading such as 'Punkt 3: Titel' or 'Ad 3. Titel'."""
    if len(clean) > 400 or TOC_LINE.search(clean):
        return None
    for pat in ITEM_HEADING:
        m = pat.match(clean)
        if m:
            return m.group(1), (m.group(2) or "").strip(" :.-–")
    return None


def subsection_heading(line: _Line, prev: _Line | None, nxt: _Line | None) -> str | None:
    """The label of a sub-section heading line (Beslutning, a bold or markdown heading, a short title)."""
    clean = line.clean
    if not clean or len(clean) > 80 or is_furniture(line.raw):
        return None
    label = clean.rstrip(":").strip()
    low = label.lower()
    if any(low == s or low.startswith(s + " ") or low.startswith(s + ":") for s in SUBSECTION_LABELS) and len(label) <= 60:
        return label
    raw = line.raw.strip()
    decorated = raw.startswith("#") or (raw.startswith("*") and raw.endswith("*") and len(raw) > 2)
    if decorated and not raw.startswith("* ") and not label.endswith("."):
        return label
    # A plain short title line: capitalised, no sentence punctuation, alone between sentence breaks.
    words = label.split()
    if (
        len(words) <= 9
        and label[:1].isupper()
        and not re.search(r"[.,;:!?]$", clean)
        and "," not in label
        and not re.match(r"^[-•*\d]", label)
        and (prev is None or not prev.raw.strip() or re.search(r"[.:!?]\s*$", prev.raw))
        and nxt is not None
        and (nxt.clean[:1].isupper() or nxt.clean[:1].isdigit() or nxt.raw.lstrip()[:1] in "-•*")
    ):
        return label
    return None


@dataclass
class _Block:
    """A level-1 unit: one agenda item, one section of a compound document, or the front matter."""

    item: str | None
    title: str | None
    lines: list[_Line]
    committee: str | None = None


def _title_like(title: str) -> bool:
    """A heading's words: capitalised, short, not a sentence or a list entry ending in punctuation."""
    return title[:1].isupper() and len(title) <= 120 and not re.search(r"[.,;]$", title)


def _opens_item(lines: list[_Line], i: int) -> bool:
    """The next non-empty line is a sub-section label or a case-number line (or the case number comes second,
    after a date or a responsible person)."""
    nxt = [ln.clean for ln in lines[i + 1:i + 6] if ln.clean][:2]
    label = bool(nxt) and is_subsection_label(nxt[0])
    return label or any(CASE_LINE.match(c) for c in nxt)


def plain_numbered_headings(lines: list[_Line]) -> list[int]:
    """Plain "3. Titel" lines that open agenda items where nothing marks a heading (the text layer of an
    agenda-system PDF, a pasted web page). With a table of contents or agenda list ("3. Budget 2024 3", no dot
    leaders), the lines that repeat one of its entries; without one, the lines followed by a sub-section label
    or a case number; with neither, at least SPREAD_MIN title lines numbered from 1, each followed by text of
    its own (a scan's OCR of "1) Godkendelse af dagsorden"). Each way the numbers must go up one at a time,
    so a numbered list inside an item (starting again at 1) is no item."""
    cands = []
    for i, ln in enumerate(lines):
        m = NUMBERED_HEADING.match(ln.clean)
        if m and _title_like(m.group(2)) and not is_furniture(ln.raw):
            cands.append((i, int(m.group(1)), m.group(2)))

    def listed(n: int) -> bool:
        _, num, title = cands[n]
        return any(num == num2 and (t2 == title or (t2.startswith(title + " ") and t2[len(title):].strip().isdigit()))
                   for _, num2, t2 in cands[:n])

    repeats = [c for n, c in enumerate(cands) if listed(n)]
    chosen = repeats if len(repeats) >= 2 else [c for c in cands if _opens_item(lines, c[0])]
    out = _rising(chosen)
    if len(out) >= 2:
        return out
    # nothing marks them (a scan's OCR, a plain text file): numbered title lines 1, 2, 3 ... each followed by
    # text of its own; a list's lines follow one another, so a line followed at once by the next number is none
    spread = [c for n, c in enumerate(cands)
              if not (n + 1 < len(cands) and _next_text(lines, c[0]) == cands[n + 1][0])]
    out = _rising(spread, first=1)
    return out if len(out) >= SPREAD_MIN else []


def _rising(cands: list[tuple[int, int, str]], first: int | None = None) -> list[int]:
    """The lines whose numbers go up one at a time (from `first`, when given)."""
    out, last = [], None if first is None else first - 1
    for i, num, _ in cands:
        if last is None or num == last + 1:
            out.append(i)
            last = num
    return out


def _next_text(lines: list[_Line], i: int) -> int | None:
    return next((j for j in range(i + 1, len(lines)) if lines[j].clean), None)


def _join_title(lines: list[_Line], i: int) -> str:
    """A heading that PDF extraction broke over two lines is joined when the next line goes on in lower case."""
    title = lines[i].clean
    if i + 1 < len(lines) and lines[i + 1].clean[:1].islower():
        title += " " + lines[i + 1].clean
    return title


def _split_blocks(lines: list[_Line]) -> list[_Block]:
    item_idx = [(i, h) for i, ln in enumerate(lines) if (h := item_heading(ln.clean))]
    if item_idx:
        starts = [(i, h[0], h[1] or None) for i, h in item_idx]
    else:
        hearing = [i for i, ln in enumerate(lines) if hearing_header(ln.clean)]
        md = [i for i, ln in enumerate(lines) if re.match(r"^#{1,2}\s", ln.raw.strip())]
        numbered = [
            i for i, ln in enumerate(lines)
            if re.match(r"^(#+\s*|\*\*)", ln.raw.strip()) and NUMBERED_HEADING.match(ln.clean)
        ]
        if len(numbered) < 2 and len(hearing) < 2:
            numbered = plain_numbered_headings(lines)
        if len(numbered) >= 2:
            starts = [(i, NUMBERED_HEADING.match(lines[i].clean).group(1), NUMBERED_HEADING.match(lines[i].clean).group(2)) for i in numbered]
        elif len(hearing) >= 2:
            starts = [(i, None, _join_title(lines, i)) for i in hearing]
        elif len(md) >= 2:
            starts = [(i, None, lines[i].clean) for i in md]
        else:
            starts = []
    blocks: list[_Block] = []
    first = starts[0][0] if starts else len(lines)
    blocks.append(_Block(None, None, lines[:first]))
    for n, (i, item, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        blocks.append(_Block(item, title, lines[i:end]))
    # A heading with no body is a table-of-contents entry or a cover line: fold it into the block before.
    merged: list[_Block] = []
    for b in blocks:
        body = "".join(ln.clean for ln in b.lines[1:] if not is_furniture(ln.raw))
        if merged and b.title is not None and not body and b is not blocks[-1]:
            merged[-1].lines.extend(b.lines)
        else:
            merged.append(b)
    return [b for b in merged if any(ln.clean and not is_furniture(ln.raw) for ln in b.lines)]


def _segments(block: _Block) -> list[tuple[str | None, list[_Line]]]:
    """Sub-sections of a block: (label, content lines), with furniture lines removed."""
    segs: list[tuple[str | None, list[_Line]]] = [(None, [])]
    lines = block.lines
    for i, ln in enumerate(lines):
        if is_furniture(ln.raw):
            continue
        prev = lines[i - 1] if i > 0 else None
        nxt = next((x for x in lines[i + 1:] if x.clean), None)
        label = subsection_heading(ln, prev, nxt) if i > 0 else None
        if label:
            segs.append((label, [ln]))
        else:
            segs[-1][1].append(ln)
    return [(lab, ls) for lab, ls in segs if any(x.clean for x in ls)]


def _text_of(lines: list[_Line], text: str) -> tuple[str, list[int]]:
    """The passage made of these lines, trimmed, and for each of its characters the offset in `text`."""
    chars: list[str] = []
    pos: list[int] = []
    for ln in lines:
        if pos and ln.start != pos[-1] + 1:
            chars.append("\n")  # lines were dropped here
            pos.append(ln.start - 1)
        chars.extend(text[ln.start: ln.end])
        pos.extend(range(ln.start, ln.end))
        chars.append("\n")
        pos.append(ln.end)
    body = "".join(chars)
    lead = len(body) - len(body.lstrip())
    body = body.strip()
    return body, pos[lead: lead + len(body)]


def _span(pos: list[int]) -> tuple[int, int]:
    return (pos[0], pos[-1] + 1) if pos else (0, 0)


@dataclass(frozen=True)
class Sections:
    """The sub-section heading in force from each line of a passage: parsed once, then looked up by
    offset (ranking asks for the section of many sentences of one passage)."""

    starts: list[int]
    labels: list[str | None]
    headings: tuple[tuple[int, int], ...] = ()  # (start, end) of each heading line: an item's or a sub-section's

    @classmethod
    def of(cls, text: str) -> "Sections":
        lines = _lines(text)
        labels: list[str | None] = []
        headings = []
        label = None
        for i, ln in enumerate(lines):
            prev = lines[i - 1] if i else None
            nxt = next((x for x in lines[i + 1:] if x.clean), None)
            item = i == 0 and item_heading(ln.clean) is not None  # the passage opens with its item's heading
            own = None if item else subsection_heading(ln, prev, nxt)
            if own or item:
                headings.append((ln.start, ln.end))
            label = own or label
            labels.append(label)
        return cls([ln.start for ln in lines], labels, tuple(headings))

    def at(self, offset: int) -> str | None:
        i = bisect_right(self.starts, offset) - 1
        return self.labels[i] if i >= 0 else None

    def cut(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
        """(start, end, context start) of each sentence, cut where a heading line starts and ends.

        A heading has no end punctuation, so the splitter glues it to the sentence under it ("Beslutning
        Tryghedsteamet ... videreføres"), and that was shown as the answer. Cut, the sentence is itself;
        a heading cut from it is dropped (it is no answer, and the item title and section say it), and the
        sentence keeps the glued text from its context start on for its vector, as embedded before."""
        marks = sorted({x for h in self.headings for x in h})
        heads = {trimmed(text, a, b) for a, b in self.headings}
        out = []
        for a, b in spans:
            inside = [m for m in marks if a < m < b]
            pieces = [p for p in (trimmed(text, x, y) for x, y in zip([a] + inside, inside + [b])) if p[1] > p[0]]
            if len(pieces) > 1:
                pieces = [p for p in pieces if p not in heads] or pieces[-1:]
            out += [(x, y, a) for x, y in pieces]
        return out


def lead_in_sides(passage: str) -> tuple[str, ...]:
    """The sides named by the passage's last lead-in line (one ending in a colon that names a side):
    what follows it, here and in the next passages, is that side's."""
    leads = [find_sides(ln) for ln in passage.splitlines() if ln.strip().rstrip("*_ ").endswith(":")]
    return next((x for x in reversed(leads) if x), ())


def section_at(text: str, offset: int) -> str | None:
    """The sub-section heading in force at `offset` of a passage (for citing the answer sentence)."""
    return Sections.of(text).at(offset)


class Chunker:
    """Documents -> passages of at most `max_chars`, never crossing an agenda item."""

    def __init__(self, max_chars: int = 1200, overlap: int = 150):
        self.max_chars = max_chars
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=max_chars - MIN_CHARS,  # room to join a lone heading to the next piece
            chunk_overlap=overlap,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
            add_start_index=True,
        )

    def chunk(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        blocks = _split_blocks(_lines(doc.text))
        # who is who, from the participant list before the first item (not from a hearing's own sections)
        front = blocks[0] if blocks and blocks[0].item is None and blocks[0].title is None else None
        roles = participants([ln.clean for ln in front.lines]) if front else {}
        for block in blocks:
            in_hearing = bool(block.item is None and block.title and HEARING_SECTION.search(block.title))
            # a hearing response is its own body's voice: look for the body in its opening lines too
            head = (block.title or "") + " " + (" ".join(ln.clean for ln in block.lines[:8]) if in_hearing else "")
            # minutes are one body's meeting however many bodies an item names; only a section of a
            # compound hearing document speaks for a body of its own
            committee, kind = doc.committee, doc.body
            spans = body_spans(head) if in_hearing else []
            if spans:
                kind = spans[0][2]
                committee = re.sub(r"(?i)(med|udvalget)[’']?s$", r"\1", " ".join(head[spans[0][0]:spans[0][1]].split()))
            carried: tuple[str, ...] = ()
            for section, body, start, end in self._pieces(block, doc.text):
                sides = find_sides(body)
                if block is not front:  # "Mette Kjær bad om …": the participant list made her næstformand
                    sides = sides + tuple(x for x in named_sides(body, roles) if x not in sides)
                # "Medarbejdersiden havde følgende bemærkninger:" and then sub-sections of its points: the
                # side speaks in the passages after its lead-in, up to the item's decision
                if (section or "").lower().startswith(("beslutning", "indstilling")):
                    carried = ()
                sides = sides + tuple(x for x in carried if x not in sides)
                carried = lead_in_sides(body) or carried
                if in_hearing and kind == "CenterMED" and "centermed" not in sides:
                    sides = sides + ("centermed",)
                chunks.append(
                    Chunk(
                        chunk_id=f"{doc.doc_id}:{len(chunks)}",
                        doc_id=doc.doc_id,
                        text=body,
                        start=start,
                        end=end,
                        item=block.item,
                        item_title=block.title or (None if block.item else FRONT_MATTER),
                        section=section,
                        sides=sides,
                        source=doc.source,
                        doc_title=doc.title,
                        date=doc.date,
                        committee=committee,
                        doc_type=doc.doc_type,
                        body=kind,
                        municipality=doc.municipality,
                        ocr=doc.ocr,
                    )
                )
        return chunks

    def _pieces(self, block: _Block, text: str):
        """(section, passage, start, end): the whole block if it fits, else packed sub-sections."""
        whole, pos = _text_of([ln for ln in block.lines if not is_furniture(ln.raw)], text)
        if len(whole) <= self.max_chars:
            if whole:
                yield (None, whole, *_span(pos))
            return
        group: list[tuple[str | None, list[_Line]]] = []
        for seg in _segments(block) + [(None, None)]:
            label, seg_lines = seg
            if seg_lines is not None:
                candidate = [ln for _, ls in group + [seg] for ln in ls]
                if len(_text_of(candidate, text)[0]) <= self.max_chars:
                    group.append(seg)
                    continue
                if group and len(_text_of([ln for _, ls in group for ln in ls], text)[0]) < MIN_CHARS:
                    group.append(seg)  # a lone heading travels with the text it announces
                    continue
            if group:
                lines = [ln for _, ls in group for ln in ls]
                body, pos = _text_of(lines, text)
                labels = [lab for lab, _ in group if lab]
                section = group[0][0] or (labels[0] if labels else None)
                if len(body) <= self.max_chars:
                    yield (section, body, *_span(pos))
                else:
                    yield from self._split_long(section, body, pos)
            group = [seg] if seg_lines is not None else []

    def _split_long(self, section: str | None, body: str, pos: list[int]):
        """Text longer than the limit: split at paragraph/sentence boundaries with overlap.

        A piece shorter than MIN_CHARS (a heading on its own) is joined to the piece after it, and a
        piece's last line that ends in a colon moves to the piece after it.
        """
        ranges = []
        for piece in self.splitter.create_documents([body]):
            raw = piece.page_content
            a = piece.metadata["start_index"] + (len(raw) - len(raw.lstrip()))
            b = a + len(raw.strip())
            if b > a:
                ranges.append([a, b])
        merged: list[list[int]] = []
        for r in ranges:
            if merged and merged[-1][1] - merged[-1][0] < MIN_CHARS:
                merged[-1][1] = max(merged[-1][1], r[1])
            else:
                merged.append(r)
        for this, nxt in zip(merged, merged[1:]):
            # a line ending in a colon announces what follows ("Vi har 4 fokusområder i afdelingen:"): it
            # goes with the list, not at the end of the piece before it
            cut = body.rfind("\n", this[0], this[1])
            if not (body[this[0]:this[1]].endswith(":") and this[0] < cut and this[1] - cut < MIN_CHARS):
                continue
            line = body[cut + 1:this[1]]
            lead = cut + 1 + len(line) - len(line.lstrip())
            if nxt[1] - min(nxt[0], lead) <= self.max_chars:
                this[1] = this[0] + len(body[this[0]:cut].rstrip())
                nxt[0] = min(nxt[0], lead)
        sections = Sections.of(body)
        for a, b in merged:
            yield (sections.at(a) or section, body[a:b], *_span(pos[a:b]))
