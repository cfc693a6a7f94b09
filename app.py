"""Referat-QA i browseren: spørg MED-referater, høringssvar og notater på dansk.

Kun præsentation: al søgning og rangering sker i biblioteket (qa.api.Assistant). Start med

    streamlit run app.py

Indekset findes via QA_INDEX_DIR (standard: index/) og bygges fra corpus/ første gang, hvis det
mangler. Modellen vælges med QA_MODEL (se qa/settings.py).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

import streamlit as st

from qa.api import Assistant, ensure_index
from qa.errors import QAError
from qa.present import (NOTHING_FOUND, SIDE_LABELS, citation, conversation_markdown, corpus_overview, cut_notice,
                        danish_date, doc_type_label, document_label, esc, filters_label, has_words, nothing_found,
                        md_escape, passage_html, place, short, whole_item, best_sentence)  # noqa: E501
from qa.settings import Settings, load_settings
from qa.types import Answer, Chunk, Hit, Turn, UploadJob

log = logging.getLogger("referat-qa.app")

MAX_QUESTION = load_settings().max_question
PRECEDENT_K = 30
EXAMPLES = [
    "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?",
    "Hvordan aftales hjemmearbejde i afdelingen?",
    "Hvad er status på projektet Mere tid til kerneopgaven?",
]
MODES = ("Samtale", "Hvad er sagt før?")

# --------------------------------------------------------------------------------------------
# Loading the index (once per process)
# --------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _build_lock() -> threading.Lock:
    """Only one session builds a missing index; the others wait for it."""
    return threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_assistant(key: str, _settings: Settings) -> Assistant:
    return Assistant(_settings)


def _load_error(exc: Exception) -> None:
    log.exception("Indekset kunne ikke indlæses")
    message = str(exc) if isinstance(exc, QAError) else \
        "Referaterne kunne ikke indlæses på grund af en uventet fejl. Se serverens log for detaljer."
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
        cache[key] = whole_item(assistant.item_passages(chunk))
    return cache[key]


def render_card(assistant: Assistant, hit: Hit, number: int) -> None:
    c = hit.chunk
    with st.container(border=True):
        head = " · ".join(esc(p) for p in [c.committee or "", danish_date(c.date), document_label(c),
                                           "læst med OCR" if c.ocr else ""] if p)
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
        st.html(f'<div class="rq-small">Søgte efter: {esc(short(turn["searched"], 300))}</div>')
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


def ask_turn(assistant: Assistant, question: str, filters: dict, k: int, use_context: bool) -> dict:
    """Ask one question of the conversation; never raises."""
    history = st.session_state.history
    turn: dict = {"question": question or "", "searched": "", "filters": filters, "answer": None,
                  "error": None, "notice": None}
    if not (question or "").strip():
        turn["error"] = "Spørgsmålet er tomt. Skriv, hvad du vil vide – fx et emne eller et udvalg."
        return turn
    if not has_words(question):
        turn["error"] = "Spørgsmålet indeholder ingen ord, kun tegn. Skriv, hvad du vil vide, med almindelige ord."
        return turn
    previous = next((Turn(t["question"], t["searched"]) for t in reversed(history) if t.get("searched")),
                    None) if use_context else None
    try:
        answer = assistant.ask(question, k=k, filters=filters, previous=previous)
        turn["answer"], turn["searched"] = answer, answer.searched_for
        if answer.cut:
            turn["notice"] = cut_notice(MAX_QUESTION)
    except QAError as exc:  # the index itself is at fault (damaged, unreadable): say so, not "rephrase"
        log.exception("Søgningen fejlede for %r", question[:200])
        turn["error"] = str(exc)
    except Exception:  # noqa: BLE001 - a strange question must never break the page
        log.exception("Søgningen fejlede for %r", question[:200])
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
    # a kind of body (every HovedMED) or one committee by name (Hoved-MED Teknik og Miljø)
    committees = sorted({d.committee for d in documents if d.committee} | {d.body for d in documents if d.body})
    doc_types = sorted({d.doc_type for d in documents if d.doc_type})
    committee = sb.selectbox("Udvalg", committees, index=None, placeholder="Alle udvalg", key="f_committee")
    places = sorted({d.municipality for d in documents if d.municipality})
    municipality = sb.selectbox("Kommune/region", places, index=None, placeholder="Alle", key="f_municipality") \
        if len(places) > 1 else None
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
    filters = {key: v for key, v in [("committee", committee), ("municipality", municipality),
                                     ("doc_type", doc_type), ("side", side),
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
        # indexed in the background (qa.api): this and every other session keep asking meanwhile
        job = assistant.submit_uploads([(f.name, f.getvalue()) for f in files])
        st.session_state.upload_job, st.session_state.upload_result = job.id, None
        st.session_state.upload_round = n + 1
        st.rerun()
    with sb:
        if st.session_state.get("upload_job"):
            _upload_progress(assistant)
        for kind, text in st.session_state.get("upload_result") or []:
            getattr(st, kind)(text)


@st.fragment(run_every=1.0)
def _upload_progress(assistant: Assistant) -> None:
    """Polls the background job once a second; when it is done, the page reruns with the new documents."""
    job = assistant.upload_job(st.session_state.get("upload_job"))
    if job is None or job.finished:
        st.session_state.upload_result = upload_messages(job) if job else None
        st.session_state.upload_job = None
        st.session_state.pop("_items", None)
        st.rerun()
    frac = job.done / job.total if job.total else 0.0
    st.progress(min(1.0, frac), text=md_escape(f"Indekserer {job.done} af {job.total}: {job.what or 'venter'}"))
    st.caption("Du kan stille spørgsmål imens; svarene bygger på det, der allerede er indekseret.")


def upload_messages(job: UploadJob) -> list[tuple[str, str]]:
    """The outcome of an upload in Danish; every file name escaped (names are rendered as Markdown)."""
    if job.error:
        return [("error", md_escape(job.error))]
    report = job.report
    messages: list[tuple[str, str]] = []
    if report.added:
        messages.append(("success", f"Tilføjet: {len(report.added)} dokument(er) med {report.chunks} passager. "
                                    "De er gemt sammen med referaterne (mappen uploads), så de kommer med, "
                                    "når indekset bygges igen."))
    for sent, kept in report.renamed:
        messages.append(("info", f"Gemt som »{md_escape(kept)}« (sendt som »{md_escape(sent)}«)."))
    if report.unchanged:
        messages.append(("info", "Allerede i indekset: " + md_escape(", ".join(Path(s).name for s in report.unchanged))))
    for source, reason in report.skipped:
        messages.append(("warning", f"Sprunget over: {md_escape(Path(source).name)} – {md_escape(reason)}"))
    for warning in report.warnings:
        messages.append(("warning", md_escape(warning)))
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
    st.html(f'<div class="rq-small">Søgte efter: {esc(short(result["topic"], 300))} · '
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
        answer = assistant.ask(topic, k=PRECEDENT_K, filters={**others, "side": side})
        # date order; passages without a date last, and in document order within a meeting
        result["hits"] = sorted(answer.hits, key=lambda h: (h.chunk.date or "9999", h.chunk.source, h.chunk.start))
        result["abstain"] = answer.abstain
    except QAError as exc:
        log.exception("Præcedenssøgningen fejlede")
        result["error"] = str(exc)
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
