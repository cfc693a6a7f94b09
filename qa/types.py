"""The records that travel through the pipeline: load -> chunk -> index -> search -> answer.

They are plain, typed dataclasses so that every stage can be tested with small hand-made
values and so that the JSON contract of the CLI is derived from one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable

# The item title of what comes before a document's first agenda item (its cover page and front matter).
FRONT_MATTER = "Indledning"

Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass(frozen=True)
class Document:
    """One source file after loading (and repair): its text and what it says about itself."""

    doc_id: str  # short content hash: identical files are one document
    source: str  # path relative to the project root (or as given)
    text: str  # the text that chunk offsets point into
    title: str = ""
    date: str | None = None  # ISO meeting/document date ("YYYY" when only the year is known)
    committee: str | None = None  # the body with its unit, as written: "Hoved-MED Teknik og Miljø"
    doc_type: str | None = None  # referat | høringssvar | notat | dagsorden
    body: str | None = None  # the kind of body: HovedMED, AfdelingsMED, LokalMED, SU, AMU ...
    municipality: str | None = None  # "Fjordby Kommune", "Region Syddanmark", or a hospital
    ocr: bool = False  # the text was read from page images by OCR


@dataclass(frozen=True)
class Chunk:
    """A passage of one agenda item (or a piece of a long one) with its citation metadata."""

    chunk_id: str
    doc_id: str
    text: str  # what the user sees
    start: int  # offsets of `text` in Document.text
    end: int
    item: str | None = None  # agenda item number ("2") or None for front matter / sections
    item_title: str | None = None
    section: str | None = None  # sub-section: Beslutning, Sagsfremstilling, a CenterMED's response ...
    sides: tuple[str, ...] = ()  # speaker sides voiced in the passage: medarbejdersiden, ledelsen, ...
    # copied from the document so a chunk is a complete citation on its own
    source: str = ""
    doc_title: str = ""
    date: str | None = None
    committee: str | None = None
    doc_type: str | None = None
    body: str | None = None
    municipality: str | None = None
    ocr: bool = False

    def context(self) -> str:
        """The words that say what the passage is about; prepended to the text that is embedded."""
        parts = [self.doc_title, self.committee or "", self.item_title or "", self.section or ""]
        seen: list[str] = []
        for p in parts:
            p = p.strip()
            if p and all(p.lower() not in s.lower() for s in seen):
                seen.append(p)
        return " | ".join(seen)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the search to: hard filters, applied before ranking."""

    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    committee: str | None = None
    doc_type: str | None = None
    side: str | None = None
    municipality: str | None = None  # "Fjordby Kommune", "Region Syddanmark"

    @classmethod
    def of(cls, value: "Filters | dict | None") -> "Filters":
        if isinstance(value, Filters):
            return value
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (value or {}).items() if k in names and v})

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class Turn:
    """One question of a conversation as the next question needs it: what was asked, what was searched,
    and where the answer it was shown stands (its first passage's document, agenda item and meeting), so
    that "Hvornår skal det være færdigt?" can look in the same agenda item first."""

    question: str
    searched_for: str
    doc_id: str | None = None  # the first passage shown (None: nothing was answered)
    item: str | None = None
    item_title: str | None = None
    date: str | None = None
    passage: str = ""  # the first passage's text: a word of the next question found here is not a new subject
    committee: str | None = None  # its meeting's committee: what became of the matter is that committee's


@dataclass(frozen=True)
class Period:
    """A closed date interval a question names, and how it was said ("3. kvartal 2023")."""

    start: str  # ISO, inclusive
    end: str  # ISO, inclusive
    kind: str  # day, month, quarter, half, season, year, span
    label: str  # the question's own words, for messages

    def contains(self, iso: str | None) -> bool:
        return bool(iso) and self.start <= iso[:10] <= self.end

    @property
    def years(self) -> set[str]:
        """The years the period touches ("2023", …): a text naming one of them names the period's year."""
        return {str(y) for y in range(int(self.start[:4]), int(self.end[:4]) + 1)}


@dataclass(frozen=True)
class Query:
    """A question plus what was understood from it (filters and expansions)."""

    text: str
    date_from: str | None = None
    date_to: str | None = None
    committee: str | None = None
    doc_type: str | None = None
    side: str | None = None
    municipality: str | None = None
    # what the question itself says: favoured in ranking, never a hard filter
    expansions: tuple[str, ...] = ()  # extra lexical terms (abbreviations spelt out, ...)
    date_hint: tuple[str, str] | None = None
    side_hint: str | None = None
    committee_hint: str | None = None
    doc_type_hint: str | None = None
    places: tuple[str, ...] = ()  # the municipalities or regions of the index that the question names
    units: tuple[str, ...] = ()  # the committees of the index that the question names by their area (lower-cased)
    answer_type: str | None = None  # money, number, date, decision
    parts: tuple[str, ...] = ()  # the sub-questions of a compound question
    about_meeting: bool = False  # asks where/when/who of the meeting itself
    # time: the period the question pins, resolved against the newest meeting in the index
    period: Period | None = None
    pins_meeting: bool = False  # the period is the meeting's own ("på mødet i juni 2023"), not a report's
    latest: bool = False  # asks for the newest state ("senest", "nu", "gældende")
    trend: bool = False  # asks how something developed over meetings: answered by a timeline
    # the previous turn, when the question was read as leaning on it (qa/ask/conversation.py): its
    # answer's agenda item and document are candidates and ranking features (qa/ask/features.py)
    previous: Turn | None = None
    afterwards: bool = False  # such a follow-up asks what became of it later ("Har det virket?")
    own_text: str = ""  # such a follow-up's own words (`text` adds the previous turn's topic)


@dataclass
class Hit:
    """A ranked passage with the evidence for its rank."""

    chunk: Chunk
    score: float
    rank: int = 0
    sentence: str = ""  # best-answering sentence inside chunk.text
    sentence_start: int = -1  # offset of `sentence` inside chunk.text
    signals: dict[str, float] = field(default_factory=dict)
    chunk_row: int = -1  # the passage's row id in the store (to fetch its sentences)


@dataclass
class Answer:
    """The result of one search: ranked hits, and whether we should admit we found nothing."""

    query: Query
    hits: list[Hit]
    abstain: bool = False
    searched_for: str = ""  # the text actually searched (after follow-up expansion)
    reason: str = ""  # why it abstains although the best passage matches well ("nævner ikke 2023")
    question: str = ""  # the question as the user asked it (white space normalised, cut to the limit)
    cut: bool = False  # the question was longer than settings.max_question and was cut
    probability: float | None = None  # calibrated probability that the first passage answers (learned ranker)
    timeline: bool = False  # hits are one passage per meeting in date order (a development question)
    followup: bool = False  # the question was read as leaning on the previous turn

    @property
    def turn(self) -> Turn:
        """This answer as the next question sees it; an abstaining answer showed no place to lean on."""
        top = self.hits[0].chunk if self.hits and not self.abstain else None
        if top is None:
            return Turn(self.question or self.query.text, self.searched_for)
        return Turn(self.question or self.query.text, self.searched_for, top.doc_id, top.item, top.item_title,
                    top.date, top.text, top.committee)


@dataclass
class Report:
    """What a build or an addition did, file by file."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, Danish reason)
    chunks: int = 0
    seen: dict[str, str] = field(default_factory=dict)  # doc_id -> source of every readable file
    renamed: list[tuple[str, str]] = field(default_factory=list)  # uploads: (name sent, name kept)
    warnings: list[str] = field(default_factory=list)  # Danish; the documents are in, something else is not

    @property
    def ok(self) -> bool:
        return not self.skipped


@dataclass
class UploadJob:
    """Uploaded files being indexed in the background (qa.api.Assistant.submit_uploads); the app polls it."""

    names: list[tuple[str, str]]  # (name sent by the browser, name the file is kept under)
    id: int = 0
    state: str = "venter"  # venter | kører | færdig | fejl
    done: int = 0
    total: int = 0
    what: str = ""
    report: Report | None = None  # when færdig
    error: str | None = None  # Danish message when fejl

    @property
    def finished(self) -> bool:
        return self.state in ("færdig", "fejl")

    def progress(self, done: int, total: int, what: str) -> None:
        self.done, self.total, self.what = done, total, what
