"""What a document says about itself: title, committee with its unit, kind of body, municipality or
region, meeting date and type. Pure functions over the text and the file name.

The head of a minute (its lines before the first agenda item) names the body that held the meeting;
bodies named later are reported on ("Nyt fra HovedMED") and do not count. A web page's chrome
(toolbars, cookie banners, breadcrumbs) and a PDF's running header are never its title. Whether a
document is a referat or a dagsorden is decided by what it holds: recorded decisions make a referat.
The file name is the fallback for a date or committee the text does not state, and a sidecar file
`<file>.meta.json` overrides any field (see `read_sidecar`).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePath

from qa.danish import vocabulary as V
from qa.danish.dates import DAY_MONTH, MONTHS, date_spans
from qa.ingest.chunking import NUMBERED_HEADING, item_heading
from qa.ingest.furniture import is_furniture
from qa.types import Document

HEAD_LINES = 40  # a title or committee further down than this is not the document's own
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class DocMeta:
    """The description of one document; every field can be overridden by a sidecar file."""

    title: str = ""
    committee: str | None = None  # as written, with its unit: "Hoved-MED Teknik og Miljø"
    body: str | None = None  # the kind of body: HovedMED, LokalMED, SU, AMU ...
    municipality: str | None = None  # "Fjordby Kommune", "Region Syddanmark", a hospital
    date: str | None = None  # ISO meeting date, or "YYYY" when only the year is known
    doc_type: str | None = None  # referat | dagsorden | notat | høringssvar


def _clean(line: str) -> str:
    line = re.sub(r"^[\s#>*_]+|[\s*_]+$", "", line).replace("**", "").replace("__", "")
    return " ".join(line.split())


def _is_item(clean: str) -> bool:
    """An agenda item's heading ('Punkt 2:', 'Ad 1.', '3. Budget', an unnumbered 'Godkendelse af dagsorden'),
    not a date ('25. november 2022')."""
    if item_heading(clean) or V.FIRST_ITEM.match(clean):
        return True
    return bool(NUMBERED_HEADING.match(clean)) and not any(a == 0 for a, _, _ in date_spans(clean))


def head_lines(text: str) -> list[tuple[str, str]]:
    """(raw, clean) of the non-empty lines before the first agenda item (at most HEAD_LINES)."""
    out: list[tuple[str, str]] = []
    for raw in text.split("\n")[: HEAD_LINES * 3]:
        clean = _clean(raw)
        if not clean or is_furniture(raw):
            continue
        if _is_item(clean) or len(out) >= HEAD_LINES:
            break
        out.append((raw, clean))
    return out


def is_navigation(clean: str) -> bool:
    """Toolbar, cookie banner, breadcrumb or share links: the words of a web page's chrome."""
    if V.NAV_MARK.search(clean):
        return True
    words = re.findall(r"[\wæøå-]+", clean.lower())
    ui = sum(w in V.NAV_WORDS for w in words)
    return ui >= 2 and ui / len(words) >= 0.5


_ORG_SEP = re.compile(r"\s[·|,–-]\s|,\s")


def is_organisation(clean: str) -> bool:
    """A line that only names the municipality, region or hospital (maybe a unit after '·', ',')."""
    first = _ORG_SEP.split(clean)[0]
    return any(p.fullmatch(first) or p.fullmatch(first.title()) for p in (V.MUNICIPALITY, V.REGION, V.HOSPITAL))


# --- committee and body ---------------------------------------------------------------------------
_UNIT_STOP = re.compile(
    r"\s*(?:[-–|:]\s+|\s)(?=(?:(?:møde|beslutnings)?(?:referat|dagsorden)|beslutningsprotokol|møde|mødet|den|d\.|kl\.|"
    r"mandag|tirsdag|onsdag|torsdag|fredag)\b)|\s+\d|\s*[|(]",
    re.I,
)
_CONNECTORS = {"og", "for", "i", "&", "af", "samt"}
_ACRONYM = re.compile(r"\s*\([A-ZÆØÅ-]{2,8}\)")  # "(AMU)", "(OMU)" after the name


def committee_at(line: str, start: int, end: int) -> str:
    """The committee's name as written at line[start:end], with the unit that follows it:
    'LokalMED Dagtilbud Øst, Nordskov Kommune' -> 'LokalMED Dagtilbud Øst'."""
    name = " ".join(line[start:end].split())
    if re.search(r"(?i:med|udvalget)[’']?s$", name):
        return name[:-1].rstrip("'’")  # a genitive, "HovedMEDs høringssvar", has no unit after it
    rest = _ACRONYM.sub("", line[end:], count=1) if _ACRONYM.match(line[end:]) else line[end:]
    meeting = re.match(r"^-?(?i:møde[t]?)\b(?:\s+(?i:på|i|for|hos))?", rest)  # "SU-møde Kirurgisk Klinik"
    if meeting:
        rest = rest[meeting.end():]
    stop = _UNIT_STOP.search(rest)
    if stop:
        rest = rest[: stop.start()]
    for m in (V.MUNICIPALITY.search(rest), V.REGION.search(rest)):
        if m:
            rest = rest[: m.start()]
    sep = re.match(r"^(?:\s*([,:])|\s+([-–])\s)?\s*", rest)
    lead = sep.group(1) or sep.group(2) or ""
    unit: list[str] = []
    for word in rest[sep.end():].split():
        bare = word.strip(",.;")
        if not bare or not (bare[0].isupper() or bare.lower() in _CONNECTORS and (unit or bare.lower() == "for")):
            break
        unit.append(word)
    while unit and unit[-1].strip(",").lower() in _CONNECTORS:
        unit.pop()
    if unit:
        unit[-1] = unit[-1].rstrip(",;.")
    if name[:1].islower():
        name = name[0].upper() + name[1:]  # "i samarbejdsudvalget" -> "Samarbejdsudvalget"
    if not unit:
        return name
    return name + {",": ", ", "-": " - ", "–": " – "}.get(lead, " ") + " ".join(unit)


def _held_by(clean: str) -> tuple[int, int, str] | None:
    """The first body in a line that is not merely reported on ('Nyt fra HovedMED')."""
    for start, end, kind in V.body_spans(clean):
        before = clean[:start]
        if not V.MENTION_BEFORE.search(before) or V.OWN_MEETING_BEFORE.search(before):
            return start, end, kind
    return None


def committee_of(title: str, head: list[tuple[str, str]], file_name: str) -> tuple[str | None, str | None]:
    """(committee with its unit, kind of body): from the title, the head's lines, else the file name."""
    lines = [title] + [c for _, c in head if not is_navigation(c) and not re.match(r"^\d{1,2}\.\s", c)]
    for i, clean in enumerate(lines):
        if V.ADDRESS_LABEL.match(clean):
            continue
        value = re.sub(r"^[^:|]{1,20}[:|]\s*", "", clean) if V.LABEL.match(clean) else clean
        held = _held_by(value)
        if held is None:
            continue
        start, end, kind = held
        name = committee_at(value, start, end)
        # a local committee named without its unit ('møde i samarbejdsudvalget', 'SU-møde') takes it
        # from the short name line above ('Vestskolen'); a whole organisation's body (HovedMED) does not
        if name.lower() == value[start:end].lower() and (value[start:start + 1].islower() or kind in V.LOCAL_BODIES):
            at = i if i > 0 else next((j for j, c in enumerate(lines[1:], 1) if title.endswith(c)), 0)
            name = _with_unit_above(name, lines, at)
        return name, kind
    stem = file_stem(file_name)
    held = _held_by(stem)
    if held:
        start, end, kind = held
        if stem[start:end].islower():  # a slug ('referat_områdemed_vest'): the kind and its unit's words
            unit = []
            for word in stem[end:].split():
                if re.search(r"\d", word) or _named_type(word) or word in V.SLUG_TYPE_WORDS:
                    break
                unit.append(word.capitalize())
            return " ".join([kind] + unit[:2]), kind
        return committee_at(stem, start, end), kind
    return None, None


def _with_unit_above(name: str, lines: list[str], i: int) -> str:
    if i < 2:
        return name
    above = lines[i - 1]
    parts = _ORG_SEP.split(above)
    if len(parts) > 1 and is_organisation(parts[0]) and len(" ".join(parts[1:]).split()) <= 4:
        above = " ".join(parts[1:])  # "Rønnevig Kommune · Dagtilbud Øst": the unit after the municipality
    if (len(above.split()) <= 4 and above[:1].isupper() and not V.LABEL.match(above)
            and not is_organisation(above) and not V.body_spans(above) and not date_spans(above)
            and not _named_type(above) and not re.search(r"[.:;!?]$", above)):
        return f"{name} {above}"
    return name


def file_stem(file_name: str) -> str:
    """A file name as words: suffixes, dates and separators gone ('LMU_Vest_2024-01-18.pdf' -> 'LMU Vest')."""
    stem = re.sub(r"(\.[A-Za-z0-9]{1,5})+$", "", PurePath(file_name).name)
    stem = re.sub(r"[_+]+", " ", stem)
    stem = re.sub(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[-.]\d{1,2}[-.]\d{2,4}\b|\b\d{8}\b", " ", stem)
    return " ".join(stem.split())


# --- title ------------------------------------------------------------------------------------------
def _named_type(text: str) -> str | None:
    hits = [(m.start(), kind) for kind, pat in V.DOC_TYPES if (m := pat.search(text))]
    return min(hits)[1] if hits else None


def _title_candidates(text: str, head: list[tuple[str, str]]) -> list[str]:
    """Head lines that could be a heading: no chrome, labels, organisation lines, running headers
    (a line repeated in the text) or sentences; an e-mail's subject stands for its heading."""
    counts = Counter(_clean(ln) for ln in text.split("\n") if ln.strip())
    out = []
    for _, clean in head:
        # (a municipality's name goes, unless the line goes on to name the body: "Havnstrup Kommune – MED-udvalget")
        if (is_navigation(clean) or V.LABEL.match(clean) or (is_organisation(clean) and not V.body_spans(clean))
                or counts[clean] > 1
                or len(clean) > 160 or re.match(r"^\d{1,2}\.\s", clean)
                or (clean.endswith(".") and len(clean.split()) >= 5)):
            subject = V.SUBJECT.match(clean)
            if subject and counts[clean] == 1:
                out.append(subject.group(1).strip())
            continue
        out.append(clean)
    return out


def _bare(clean: str) -> bool:
    """Only a type word ('Referat', 'NOTAT') or only a body's name ('HovedMED'): a weak title."""
    if V.BARE_TYPE.match(clean):
        return True
    clean = _ACRONYM.sub("", clean)
    spans = V.body_spans(clean)
    return len(spans) == 1 and spans[0][0] == 0 and spans[0][1] >= len(clean.rstrip(":")) - 1


def _index_in(head: list[tuple[str, str]], clean: str) -> int | None:
    return next((i for i, (_, c) in enumerate(head) if c.endswith(clean)), None)


def _continued(clean: str, head: list[tuple[str, str]]) -> str:
    """A heading broken over two lines: the next line goes on in lower case."""
    i = _index_in(head, clean)
    if i is not None and i + 1 < len(head):
        nxt = head[i + 1][1]
        if nxt[:1].islower() and len(clean) + len(nxt) <= 200:
            return f"{clean} {nxt}"
    return clean


def document_title(text: str, head: list[tuple[str, str]] | None = None) -> str:
    """The document's own heading: the first head line naming its type or body ('Referat af møde i
    LokalMED ...'). A bare 'Referat' or 'HovedMED' gives way to a fuller heading further down, or takes
    the heading right after it ('NOTAT – Hjemmearbejde i Borgerservice')."""
    head = head_lines(text) if head is None else head
    cands = _title_candidates(text, head)
    for i, clean in enumerate(cands):
        if not (V.body_spans(clean) or _named_type(clean)):
            continue
        if _bare(clean):
            fuller = next((c for c in cands[i + 1:] if _named_type(c) and len(c.split()) >= 3), None)
            if fuller:
                return _continued(fuller, head)
            nxt = cands[i + 1] if i + 1 < len(cands) else None
            here, there = _index_in(head, clean), (_index_in(head, nxt) if nxt else None)
            if nxt and here is not None and there == here + 1 and not date_spans(nxt):
                return f"{clean.rstrip(':')} – {nxt}"
        return _continued(clean, head).rstrip(":")
    headings = [c for raw, c in head if raw.lstrip().startswith("#") and c in cands]
    long = [c for c in cands if len(c.split()) >= 3]
    return (headings or long or cands or [""])[0]


# --- municipality -----------------------------------------------------------------------------------
def _places(line: str) -> list[str]:
    """Municipalities and regions named in a line, in order ('KØBENHAVNS KOMMUNE' read as a name)."""
    found = []
    for text in (line, line.title()) if line.isupper() else (line,):
        for m in V.MUNICIPALITY.finditer(text):
            words = m.group(1).split()
            while words and words[0] in V.NOT_A_PLACE:
                words = words[1:]
            if words:
                found.append((m.start(), " ".join(words) + " Kommune"))
        found += [(m.start(), m.group(0)) for m in V.REGION.finditer(text)]
        if found:
            break
    return [name for _, name in sorted(found)]


def municipality_of(text: str, head: list[tuple[str, str]]) -> str | None:
    """The municipality or region whose document it is: the first named in its head, else the most
    named in the text; a hospital when neither is named."""
    for _, clean in head:
        if not is_navigation(clean) and (found := _places(clean)):
            return found[0]
    counts = Counter(name for line in text.split("\n") for name in _places(line))
    if counts:
        return counts.most_common(1)[0][0]
    for _, clean in head:
        if m := V.HOSPITAL.search(clean):
            return m.group(1)
    return None


# --- date -------------------------------------------------------------------------------------------


def meeting_date(head: list[tuple[str, str]], file_name: str) -> str | None:
    """The meeting date: a labelled one ('Mødedato', 'Referat fra møde ...', a weekday), else the first
    in the head that is not a sending or deadline date, else the file name's; a day and month without
    a year take the year from the file name."""
    lines = [c for _, c in head if not V.NOT_MEETING_DATE.search(c)]
    dated = _line_dates(lines)
    for clean, spans in zip(lines, dated):
        if (V.MEETING_DATE_LABEL.search(clean) or V.WEEKDAY.match(clean)) and spans:
            return spans[0]
    for spans in dated:
        if spans:
            return spans[0]
    named = file_date(file_name)
    if named and len(named) == 4:
        for clean in lines:
            if m := DAY_MONTH.search(clean):
                return f"{named}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return named


def _line_dates(lines: list[str]) -> list[list[str]]:
    """The dates that start on each line, read together with the next line: extracted PDF text wraps
    anywhere, also inside a date ('... mødet den 12. november' / '2015 har HovedMED ...')."""
    out = []
    for clean, after in zip(lines, lines[1:] + [""]):
        joined = f"{clean} {after}"
        out.append([iso for start, _, iso in date_spans(joined) if start < len(clean)])
    return out


def file_date(file_name: str) -> str | None:
    """A date in a file name: '2024-01-18', '18-01-2024', '20240118', or one lone year ('2017')."""
    name = PurePath(file_name).name.replace("_", " ")
    if spans := date_spans(name):
        return spans[0][2]
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)", name)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", name)
    return years[0] if len(years) == 1 else None


# --- type -------------------------------------------------------------------------------------------
def has_decisions(text: str) -> bool:
    """A 'Beslutning:'/'Konklusion:' with something after it, or a 'Godkendt.' line: a record of
    what was decided. An agenda's empty decision fields do not count."""
    lines = [ln.strip() for ln in text.split("\n")]
    for i, line in enumerate(lines):
        clean = _clean(line)
        m = V.DECISION_LABEL.match(clean)
        if m and len(clean) < 400:
            after = m.group(1).strip()
            if after and not V.PLACEHOLDER.match(after):
                return True
            nxt_raw = next((x for x in lines[i + 1:] if x.strip()), "")
            nxt = _clean(nxt_raw)
            if nxt and not (_is_item(nxt) or V.DECISION_LABEL.match(nxt) or V.LABEL.match(nxt)
                            or is_navigation(nxt) or V.PLACEHOLDER.match(nxt)
                            or nxt.lower().rstrip(":") in ("bilag", "indstilling", "sagsfremstilling")
                            or (line.startswith("#") and nxt_raw.startswith("#"))):
                return True
        elif V.DECIDED_LINE.match(clean):
            return True
    return False


def document_type(title: str, head: list[tuple[str, str]], text: str, file_name: str) -> str | None:
    """høringssvar or notat as the title says; referat when decisions are recorded; else the type the
    title, the head or the file name names."""
    named = _named_type(title)
    if named in ("høringssvar", "notat"):
        return named
    if has_decisions(text):
        return "referat"
    for source in (title, " ".join(c for _, c in head if not is_navigation(c)), file_stem(file_name)):
        if named := _named_type(source):
            return named
    return None


def describe(text: str, file_name: str, loaded: str | None = None) -> DocMeta:
    """Everything the text (and, failing that, its file name) says about the document. `loaded` is the text
    before page furniture was dropped: a page header may be the only line naming the municipality
    ("Rønnevig Kommune - Område-MED Dagtilbud Øst | Referat 20.02.2024" on every page)."""
    head = head_lines(text)
    title = document_title(text, head)
    committee, body = committee_of(title, head, file_name)
    return DocMeta(
        title=title,
        committee=committee,
        body=body,
        municipality=municipality_of(text, head) or (
            municipality_of(loaded, head_lines(loaded)) if loaded else None),
        date=meeting_date(head, file_name),
        doc_type=document_type(title, head, text, file_name),
    )


# --- overrides --------------------------------------------------------------------------------------
_FIELDS = {f.name for f in fields(DocMeta)}


def sidecar_path(path: Path) -> Path:
    """'Referat X.pdf' -> 'Referat X.pdf.meta.json'."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, str | None]:
    """The fields a user set in `<file>.meta.json` ({"committee": "...", "date": "2024-03-12"});
    unknown keys are ignored, a null clears a field. Raises ValueError (Danish) for a broken file."""
    side = sidecar_path(Path(path))
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{side.name} kunne ikke læses ({type(e).__name__})") from e
    if not isinstance(data, dict):
        raise ValueError(f"{side.name} skal være et JSON-objekt")
    return {k: (None if v is None else str(v)) for k, v in data.items() if k in _FIELDS}


def with_overrides(meta: DocMeta, overrides: dict[str, str | None]) -> DocMeta:
    if "title" in overrides and overrides["title"] is None:
        overrides = {**overrides, "title": ""}
    return replace(meta, **overrides) if overrides else meta


def describe_document(text: str, source: str, doc_id: str, ocr: bool = False,
                      overrides: dict[str, str | None] | None = None, loaded: str | None = None) -> Document:
    """A Document carrying its description; a sidecar's fields win over what was read."""
    meta = with_overrides(describe(text, source, loaded), overrides or {})
    return Document(doc_id=doc_id, source=source, text=text, title=meta.title, date=meta.date,
                    committee=meta.committee, doc_type=meta.doc_type, body=meta.body,
                    municipality=meta.municipality, ocr=ocr)
