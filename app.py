"""Referat-QA i browseren: spørg MED-referater, høringssvar og notater på dansk.

Kun præsentation: al søgning og rangering sker i biblioteket (qa.api.Assistant). Start med

    streamlit run app.py

Indekset findes via QA_INDEX_DIR (standard: index/) og bygges fra corpus/ første gang, hvis det
mangler. Modellen vælges med QA_MODEL (se qa/settings.py).
"""
from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from pathlib import Path

import streamlit as st

from qa.answer import NOTHING_FOUND, citation, nothing_found
from qa.api import Assistant, ensure_index
from qa.index import IndexMissing
from qa.indexer import IndexBusy
from qa.metadata import SIDE_LABELS, danish_date, find_bodies
from qa.model import ModelError
from qa.query import detect_side
from qa.settings import Settings, load_settings
from qa.store import IndexMismatch
from qa.text import STOP_WORDS, stem
from qa.types import Answer, Chunk, Hit

log = logging.getLogger("referat-qa.app")

MAX_QUESTION = 2000  # characters; longer questions are cut (the model reads no more anyway)
PRECEDENT_K = 30
EXAMPLES = [
    "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?",
    "Hvordan aftales hjemmearbejde i afdelingen?",
    "Hvad er status på projektet Mere tid til kerneopgaven?",
]
MODES = ("Samtale", "Hvad er sagt før?")

# --------------------------------------------------------------------------------------------
# Follow-up questions (pure: no Streamlit, tested in tests/test_app.py)
# --------------------------------------------------------------------------------------------
FOLLOWUP_WORDS = frozenset({"det", "den", "de", "dette", "disse", "der"})
# Words of the question form itself that say nothing about the topic.
QUESTION_FILLER = frozenset(
    "mente mener menes synes syntes står stod sker skete fortæl fortælle gerne egentlig så".split()
)
MAX_TOPIC_WORDS = 12
NEW_TOPIC_WORDS = 2  # a question with this many topic words of its own starts a new topic
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def content_words(text: str) -> list[str]:
    """The words of `text` that carry its topic (no Danish function or question words)."""
    return [w for w in _WORD.findall(text or "")
            if w.lower() not in STOP_WORDS and w.lower() not in QUESTION_FILLER]


def new_topic_words(question: str, previous: str) -> list[str]:
    """Topic words of `question` that the previous turn did not have (sides, bodies, numbers aside)."""
    before = {stem(w.lower()) for w in content_words(previous)}
    return [w for w in content_words(question)
            if stem(w.lower()) not in before and not w.isdigit() and not detect_side(w) and not find_bodies(w)]


def is_followup(question: str, previous: str | None = None) -> bool:
    """A question that leans on the previous turn.

    It does when it starts with 'og' / 'hvad med', or when it is short (at most 4 content words) or
    points back (det, den, de, dette, disse, der) - unless it brings a topic of its own: two or more
    topic words the previous turn did not have ('Hvordan aftales hjemmearbejde i afdelingen?' after
    a question about resortflyt is a new question, 'Hvornår blev det besluttet?' is not).
    """
    words = [w.lower() for w in _WORD.findall(question or "")]
    if not words:
        return False
    if words[0] == "og" or words[:2] == ["hvad", "med"]:
        return True
    if not (FOLLOWUP_WORDS.intersection(words) or len(content_words(question)) <= 4):
        return False
    return previous is None or len(new_topic_words(question, previous)) < NEW_TOPIC_WORDS


def followup_query(question: str, previous: str | None) -> str:
    """The text to search for: the question, plus the previous turn's topic when it is a follow-up.

    `previous` is what the previous turn searched for, so a chain of follow-ups keeps its topic.
    When the new question names a speaker side, the previous side words are left out
    ("Og ledelsen?" after a question about medarbejdersiden searches for ledelsen, not both).
    """
    question = " ".join((question or "").split())
    if not previous or not question or not is_followup(question, previous):
        return question
    own = {w.lower() for w in content_words(question)}
    names_side = detect_side(question) is not None
    topic: list[str] = []
    seen: set[str] = set()
    for w in content_words(previous):
        lw = w.lower()
        if lw in own or lw in seen or (names_side and detect_side(w)):
            continue
        seen.add(lw)
        topic.append(w)
    topic = topic[:MAX_TOPIC_WORDS]
    return f"{question} {' '.join(topic)}" if topic else question


# --------------------------------------------------------------------------------------------
# Text for the page (pure)
# --------------------------------------------------------------------------------------------
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


def corpus_overview(documents) -> dict:
    dates = sorted(d.date for d in documents if d.date)
    meetings = {(d.committee, d.date) for d in documents if d.date}
    return {"documents": len(documents), "meetings": len(meetings),
            "first": dates[0] if dates else None, "last": dates[-1] if dates else None}


# --------------------------------------------------------------------------------------------
# Loading the index (once per process)
# --------------------------------------------------------------------------------------------
LOAD_ERRORS = {
    IndexMismatch: "Indekset er bygget med en anden sprogmodel eller version end den valgte. Vælg samme "
                   "model (QA_MODEL), eller byg indekset forfra: `python -m qa build --rebuild`.",
    ModelError: "Sprogmodellen kunne ikke indlæses. Tjek, at pakkerne fra requirements.txt er installeret, "
                "eller vælg en anden model med QA_MODEL.",
    IndexBusy: "Indekset er ved at blive opdateret af et andet program. Prøv igen om lidt.",
    IndexMissing: "Der er intet indeks, og det kunne ikke bygges fra mappen med referater.",
}


@st.cache_resource(show_spinner=False)
def _lock() -> threading.RLock:
    """One lock per process around the shared index: searches and uploads from all sessions."""
    return threading.RLock()


@st.cache_resource(show_spinner=False)
def _build_lock() -> threading.Lock:
    """Only one session builds a missing index; the others wait for it."""
    return threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_assistant(key: str, _settings: Settings) -> Assistant:
    return Assistant(_settings)


def _load_error(exc: Exception) -> None:
    log.exception("Indekset kunne ikke indlæses")
    message = next((m for t, m in LOAD_ERRORS.items() if isinstance(exc, t)),
                   "Referaterne kunne ikke indlæses på grund af en uventet fejl. Se serverens log for detaljer.")
    st.error(message, icon="⚠️")
    if st.button("Prøv igen", key="retry_load"):
        _open_assistant.clear()
        st.rerun()
    st.stop()


def get_assistant() -> Assistant:
    settings = load_settings()
    lock = _build_lock()
    try:
        if not lock.acquire(blocking=False):
            with st.spinner("Indekset er ved at blive bygget – vent et øjeblik …"):
                lock.acquire()
        try:
            slot = st.empty()
            bar = {}

            def progress(done: int, total: int, what: str) -> None:
                if "bar" not in bar:
                    bar["bar"] = slot.progress(0.0, text="Bygger indekset første gang …")
                frac = done / total if total else 1.0
                bar["bar"].progress(min(1.0, frac),
                                    text=f"Bygger indekset første gang – det kan tage nogle minutter: "
                                         f"{done} af {total} dokumenter ({what})")

            report = ensure_index(settings, progress=progress)
            slot.empty()
            if report is not None and report.skipped:
                st.toast(f"{len(report.skipped)} fil(er) kunne ikke læses under opbygningen.")
        finally:
            lock.release()
        with st.spinner("Indlæser referaterne og sprogmodellen …"):
            return _open_assistant(repr(settings), settings)
    except Exception as exc:  # noqa: BLE001 - every load failure becomes a Danish message
        _load_error(exc)
        raise  # not reached: st.stop()


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------
CSS = """
<style>
.rq-passage { line-height: 1.55; font-size: 0.95rem; overflow-wrap: anywhere; }
.rq-passage mark { background: #ffe58a; color: inherit; padding: 0 .1em; border-radius: 2px; }
.rq-quote { border-left: 4px solid #b22234; padding: .5rem .9rem; margin: .2rem 0 .3rem 0;
            font-size: 1.1rem; background: rgba(178, 34, 52, .06); overflow-wrap: anywhere; }
.rq-head { font-weight: 600; overflow-wrap: anywhere; }
.rq-place { overflow-wrap: anywhere; }
.rq-small { color: #666; font-size: .85rem; overflow-wrap: anywhere; }
.rq-user { overflow-wrap: anywhere; }
/* The file uploader's built-in English texts, replaced by Danish ones */
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "Vælg filer"; }
</style>
"""


def _item_text(assistant: Assistant, chunk: Chunk) -> str:
    cache = st.session_state.setdefault("_items", {})
    key = (chunk.doc_id, chunk.item)
    if key not in cache:
        with _lock():
            cache[key] = whole_item(assistant.item_passages(chunk))
    return cache[key]


def render_card(assistant: Assistant, hit: Hit, number: int) -> None:
    c = hit.chunk
    with st.container(border=True):
        head = " · ".join(esc(p) for p in [c.committee or "", danish_date(c.date), document_label(c)] if p)
        lines = [f'<div class="rq-head">{number}. {head}</div>']
        where = place(c)
        section = c.section if c.section and c.section != c.item_title else ""
        if where or section:
            parts = [f"<b>{esc(where)}</b>"] if where else []
            if section:
                parts.append(f"afsnit: {esc(section)}")
            lines.append(f'<div class="rq-place">{" — ".join(parts)}</div>')
        st.html("".join(lines))
        st.html(passage_html(c.text, hit.sentence_start, hit.sentence))
        if c.item:
            with st.expander("Hele punktet"):
                try:
                    st.html(passage_html(_item_text(assistant, c)))
                except Exception:  # noqa: BLE001
                    log.exception("Punktet kunne ikke hentes")
                    st.caption("Hele punktet kunne ikke hentes.")
        st.html(f'<div class="rq-small">Kilde: {esc(Path(c.source).name)} · kildehenvisning til kopiering:</div>')
        st.code(citation(c), language=None, wrap_lines=True)


def render_answer(assistant: Assistant, turn: dict) -> None:
    if turn.get("searched"):
        st.html(f'<div class="rq-small">Søgte efter: {esc(_short(turn["searched"], 300))}</div>')
    if turn.get("filters"):
        st.html(f'<div class="rq-small">Filtre: {esc(filters_label(turn["filters"]))}</div>')
    if turn.get("notice"):
        st.info(turn["notice"])
    if turn.get("error"):
        st.error(turn["error"])
        return
    answer: Answer = turn["answer"]
    if answer.abstain or not answer.hits:
        st.warning(nothing_found(answer))
        if answer.hits:
            st.markdown("#### Måske relevant")
            for n, h in enumerate(answer.hits[:3], 1):
                render_card(assistant, h, n)
        return
    best = answer.hits[0]
    st.html(f'<div class="rq-quote">»{esc(best_sentence(best))}«</div>'
            f'<div class="rq-small">— {esc(citation(best.chunk))}</div>')
    st.markdown(f"**Kilder ({len(answer.hits)})**")
    for n, h in enumerate(answer.hits, 1):
        render_card(assistant, h, n)


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def ask_turn(assistant: Assistant, question: str, filters: dict, k: int, use_context: bool) -> dict:
    """Ask one question of the conversation; never raises."""
    history = st.session_state.history
    turn: dict = {"question": question or "", "searched": "", "filters": filters, "answer": None,
                  "error": None, "notice": None}
    text = " ".join((question or "").split())
    if len(text) > MAX_QUESTION:
        text = text[:MAX_QUESTION]
        turn["notice"] = f"Spørgsmålet var meget langt; jeg søgte kun på de første {MAX_QUESTION:,} tegn.".replace(",", ".")
    if not text:
        turn["error"] = "Spørgsmålet er tomt. Skriv, hvad du vil vide – fx et emne eller et udvalg."
        return turn
    if not _WORD.search(text):
        turn["error"] = "Spørgsmålet indeholder ingen ord, kun tegn. Skriv, hvad du vil vide, med almindelige ord."
        return turn
    previous = next((t["searched"] for t in reversed(history) if t.get("searched")), None) if use_context else None
    try:
        turn["searched"] = followup_query(text, previous)
        with _lock():
            answer = assistant.ask(turn["searched"], k=k, **filters)
        turn["answer"] = answer
    except Exception:  # noqa: BLE001 - a strange question must never break the page
        log.exception("Søgningen fejlede for %r", text[:200])
        turn["error"] = ("Spørgsmålet kunne ikke besvares. Prøv at formulere det anderledes, "
                         "fx med almindelige ord og uden specialtegn.")
    return turn


def _ask_example(question: str) -> None:
    st.session_state.pending = question


def _new_conversation() -> None:
    st.session_state.history = []
    st.session_state.pop("pending", None)


# --------------------------------------------------------------------------------------------
# Sidebar: filters, corpus overview, upload
# --------------------------------------------------------------------------------------------
def sidebar(assistant: Assistant) -> tuple[dict, int, bool, object]:
    with _lock():
        documents = assistant.documents()
    sb = st.sidebar
    sb.header("Samtale")
    c1, c2 = sb.columns(2)
    c1.button("Ny samtale", on_click=_new_conversation, key="new_conversation", width="stretch")
    export_slot = c2.empty()  # filled at the end of the run, when this run's answer is in the history
    use_context = sb.toggle("Opfølgende spørgsmål bygger på det forrige", value=True, key="f_context",
                            help="Korte spørgsmål og spørgsmål med »det«, »de«, »disse« … søges sammen med "
                                 "emnet fra det forrige spørgsmål.")

    sb.header("Filtre")
    committees = sorted({d.committee for d in documents if d.committee})
    doc_types = sorted({d.doc_type for d in documents if d.doc_type})
    committee = sb.selectbox("Udvalg", committees, index=None, placeholder="Alle udvalg", key="f_committee")
    doc_type = sb.selectbox("Dokumenttype", doc_types, index=None, placeholder="Alle typer", key="f_doctype",
                            format_func=doc_type_label)
    side = sb.selectbox("Hvem udtaler sig", list(SIDE_LABELS), index=None, placeholder="Alle", key="f_side",
                        format_func=SIDE_LABELS.get,
                        help="Kun passager, hvor denne side nævnes som den, der udtaler sig.")
    dates = sorted({d.date for d in documents if d.date})
    date_from = date_to = None
    if len(dates) >= 2:
        lo, hi = sb.select_slider("Mødedatoer", options=dates, value=(dates[0], dates[-1]), key="f_dates",
                                  format_func=danish_date,
                                  help="Når perioden er indsnævret, udelades dokumenter uden dato.")
        if (lo, hi) != (dates[0], dates[-1]):
            date_from, date_to = lo, hi
    k = sb.slider("Antal resultater", min_value=1, max_value=20, value=5, key="f_k")
    filters = {key: v for key, v in [("committee", committee), ("doc_type", doc_type), ("side", side),
                                     ("date_from", date_from), ("date_to", date_to)] if v}

    sb.header("Indhold")
    ov = corpus_overview(documents)
    m1, m2 = sb.columns(2)
    m1.metric("Dokumenter", ov["documents"])
    m2.metric("Møder", ov["meetings"])
    if ov["first"]:
        sb.caption(f"Fra {danish_date(ov['first'])} til {danish_date(ov['last'])}")
    with sb.expander("Dokumenterne"):
        for d in documents:
            st.html(f'<div class="rq-small"><b>{esc(danish_date(d.date) or "uden dato")}</b> · '
                    f'{esc(d.committee or "–")} · {esc(doc_type_label(d.doc_type))}<br>{esc(d.title)}</div>')

    sb.header("Tilføj referater")
    upload_panel(assistant)
    return filters, k, use_context, export_slot


def export_button(slot) -> None:
    history = st.session_state.history
    slot.download_button("Hent samtalen", data=conversation_markdown(history) if history else "",
                         file_name=f"samtale-{datetime.now():%Y-%m-%d-%H%M}.md", mime="text/markdown",
                         key="export", disabled=not history, on_click="ignore", width="stretch",
                         help="Samtalen som Markdown med alle kildehenvisninger.")


def upload_panel(assistant: Assistant) -> None:
    sb = st.sidebar
    n = st.session_state.setdefault("upload_round", 0)
    files = sb.file_uploader("Tilføj referater", accept_multiple_files=True, key=f"upload_{n}",
                             label_visibility="collapsed",
                             help="PDF, Word (docx), HTML, Markdown eller tekst. Filerne lægges ind i indekset; "
                                  "resten af indekset røres ikke, hvis en fil ikke kan læses.")
    sb.caption("Træk filer hertil, eller klik for at vælge (PDF, docx, HTML, md, txt).")
    if files and sb.button(f"Indeksér {len(files)} fil(er)", key="do_upload", type="primary"):
        st.session_state.upload_result = index_uploads(assistant, files)
        st.session_state.upload_round = n + 1
        st.session_state.pop("_items", None)
        st.rerun()
    result = st.session_state.get("upload_result")
    if result:
        for kind, text in result:
            getattr(sb, kind)(text)


def index_uploads(assistant: Assistant, files) -> list[tuple[str, str]]:
    """Keep the uploads in the corpus, index them, and describe the outcome in Danish."""
    messages: list[tuple[str, str]] = []
    bar = st.sidebar.progress(0.0, text="Forbereder filerne …")

    def progress(done: int, total: int, what: str) -> None:
        bar.progress(min(1.0, done / total if total else 1.0),
                     text=f"Indekserer {done} af {total}: {what}" if done < total else "Færdig")

    try:
        with _lock():
            report = assistant.add_uploads([(f.name, f.getvalue()) for f in files], progress)
        if report.added:
            messages.append(("success", f"Tilføjet: {len(report.added)} dokument(er) med {report.chunks} passager. "
                                        "De er gemt sammen med referaterne (mappen uploads), så de kommer med, "
                                        "når indekset bygges igen."))
        if report.unchanged:
            messages.append(("info", f"Allerede i indekset: {', '.join(Path(s).name for s in report.unchanged)}"))
        for source, reason in report.skipped:
            messages.append(("warning", f"Sprunget over: {Path(source).name} – {reason}"))
    except IndexBusy:
        messages.append(("error", "Indekset opdateres lige nu af et andet program. Prøv igen om lidt."))
    except Exception:  # noqa: BLE001
        log.exception("Upload fejlede")
        messages.append(("error", "Filerne kunne ikke tilføjes. Indekset er uændret for de filer, "
                                  "der ikke blev færdige."))
    finally:
        bar.empty()
    return messages


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------
def conversation_page(assistant: Assistant, filters: dict, k: int, use_context: bool) -> None:
    prompt = st.chat_input("Stil et spørgsmål til referaterne …", max_chars=MAX_QUESTION, key="chat")
    pending = st.session_state.pop("pending", None)
    question = prompt if prompt is not None else pending
    history = st.session_state.history

    if not history and question is None:
        st.markdown("Spørg på almindeligt dansk. Svaret citerer den sætning, der bedst besvarer spørgsmålet, "
                    "og viser, hvor den står: udvalg, mødedato, punkt og afsnit.")
        st.markdown("**Prøv fx:**")
        for i, q in enumerate(EXAMPLES):
            st.button(q, key=f"example_{i}", on_click=_ask_example, args=(q,))

    for turn in history:
        with st.chat_message("user"):
            st.html(f'<div class="rq-user">{esc(turn["question"])}</div>')
        with st.chat_message("assistant"):
            render_answer(assistant, turn)

    if question is not None:
        with st.chat_message("user"):
            st.html(f'<div class="rq-user">{esc(question) or "(tomt spørgsmål)"}</div>')
        with st.chat_message("assistant"):
            with st.spinner("Søger i referaterne …"):
                turn = ask_turn(assistant, question, filters, k, use_context)
            history.append(turn)
            render_answer(assistant, turn)


def precedent_page(assistant: Assistant, filters: dict) -> None:
    st.markdown("Find, hvad én side har sagt om et emne på tværs af alle møder – i datoorden.")
    with st.form("precedent_form", border=False):
        topic = st.text_input("Emne", key="p_topic", max_chars=MAX_QUESTION,
                              placeholder="fx resortflyt, hjemmearbejde, budget")
        side = st.selectbox("Hvem", list(SIDE_LABELS), key="p_side", format_func=SIDE_LABELS.get)
        go = st.form_submit_button("Find udtalelser", type="primary")
    if go:
        st.session_state.precedent = precedent_search(assistant, topic, side, filters)
    result = st.session_state.get("precedent")
    if not result:
        return
    st.html(f'<div class="rq-small">Søgte efter: {esc(_short(result["topic"], 300))} · '
            f'{esc(SIDE_LABELS[result["side"]])}</div>')
    if result.get("error"):
        st.error(result["error"])
        return
    hits: list[Hit] = result["hits"]
    if not hits:
        st.warning(NOTHING_FOUND)
        return
    if result["abstain"]:
        st.info("Ingen af udtalelserne svarer tydeligt på emnet; her er de nærmeste.")
    st.markdown(f"**{len(hits)} udtalelser fra {esc(SIDE_LABELS[result['side']])}**", unsafe_allow_html=True)
    meeting = None
    for n, h in enumerate(hits, 1):
        c = h.chunk
        this = (c.date, c.committee, c.doc_title)
        if this != meeting:
            meeting = this
            st.markdown(f"##### {esc(danish_date(c.date) or 'Uden dato')} · {esc(c.committee or c.doc_title)}",
                        unsafe_allow_html=True)
        render_card(assistant, h, n)


def precedent_search(assistant: Assistant, topic: str, side: str, filters: dict) -> dict:
    topic = " ".join((topic or "").split())[:MAX_QUESTION]
    result = {"topic": topic, "side": side, "hits": [], "abstain": True, "error": None}
    if not topic:
        result["error"] = "Skriv et emne, fx »resortflyt« eller »hjemmearbejde«."
        return result
    try:
        others = {k: v for k, v in filters.items() if k != "side"}
        with _lock():
            answer = assistant.ask(topic, k=PRECEDENT_K, side=side, **others)
        # date order; passages without a date last, and in document order within a meeting
        result["hits"] = sorted(answer.hits, key=lambda h: (h.chunk.date or "9999", h.chunk.source, h.chunk.start))
        result["abstain"] = answer.abstain
    except Exception:  # noqa: BLE001
        log.exception("Præcedenssøgningen fejlede")
        result["error"] = "Søgningen kunne ikke gennemføres. Prøv et andet emne."
    return result


def main() -> None:
    st.set_page_config(page_title="Spørg referaterne", page_icon="📄", layout="centered",
                       initial_sidebar_state="expanded")
    st.html(CSS)
    st.session_state.setdefault("history", [])
    st.title("Spørg referaterne")
    assistant = get_assistant()
    filters, k, use_context, export_slot = sidebar(assistant)
    mode = st.radio("Visning", MODES, key="mode", horizontal=True, label_visibility="collapsed")
    if mode == MODES[1]:
        precedent_page(assistant, filters)
    else:
        conversation_page(assistant, filters, k, use_context)
    export_button(export_slot)


if __name__ == "__main__":
    main()
