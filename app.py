"""Referat-QA i browseren: spørg MED-referater, høringssvar og notater på dansk.

Kun præsentation: al søgning og rangering sker i biblioteket (qa.api.Assistant). Start med

    streamlit run app.py

Indekset findes via QA_INDEX_DIR (standard: index/) og bygges fra corpus/ første gang, hvis det
mangler. Modellen vælges med QA_MODEL (se qa/settings.py).

What the page promises (issue 12): the new answer is rendered first and scrolled into view, its
sources are one line each and only filled in when opened, the conversation is kept beside the
index under an id in the address (?samtale=…) so a reload keeps it, and nothing fails silently.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import streamlit as st

from qa.api import Assistant, ensure_index
from qa.errors import QAError
from qa.present import (SIDE_LABELS, answer_lead, best_sentence, card_label, citation,
                        conversation_markdown, corpus_overview, cut_notice, danish_date, doc_type_label,
                        document_label, esc, feedback_question, filters_label, has_words, meetings,
                        md_escape, nothing_found, passage_html, place, short, split_relevant, timeline, whole_item)
from qa.settings import Settings, load_settings
from qa.types import Answer, Chunk, Hit, Turn, UploadJob

log = logging.getLogger("referat-qa.app")

SETTINGS = load_settings()
MAX_QUESTION = SETTINGS.max_question
# The chat box takes far more than is searched, so a long paste reaches the server and is cut there
# with a notice, instead of being cut silently in the browser.
PASTE_LIMIT = 10 * MAX_QUESTION
PRECEDENT_K = 30
EXAMPLES = [
    "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?",
    "Hvordan aftales hjemmearbejde i afdelingen?",
    "Hvad er status på projektet Mere tid til kerneopgaven?",
]
MODES = ("Samtale", "Hvad er sagt før?")
PRECEDENT_ORDERS = ("Efter relevans", "Efter dato", "Tidslinje")


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
# Page furniture: CSS (theme-neutral colours, so the system's dark mode works) and one script
# --------------------------------------------------------------------------------------------
CSS = """
<style>
.rq-passage { line-height: 1.55; font-size: 0.95rem; overflow-wrap: anywhere; }
.rq-passage mark, .rq-quote mark { background: rgba(255, 200, 0, .38); color: inherit; padding: 0 .1em;
                                   border-radius: 2px; }
.rq-lead { font-size: 1.35rem; font-weight: 700; margin: .1rem 0 .2rem 0; }
.rq-quote { border-left: 4px solid #b22234; padding: .45rem .9rem; margin: .1rem 0 .25rem 0;
            font-size: 1.08rem; background: rgba(178, 34, 52, .07); overflow-wrap: anywhere; }
.rq-ref { font-size: .8em; font-weight: 600; text-decoration: none; padding: 0 .15em; cursor: pointer;
          vertical-align: super; color: #b22234; }
.rq-head { font-weight: 600; overflow-wrap: anywhere; }
.rq-place { overflow-wrap: anywhere; }
.rq-small { opacity: .72; font-size: .85rem; overflow-wrap: anywhere; }
.rq-user { overflow-wrap: anywhere; }
.rq-timeline { border-collapse: collapse; width: 100%; font-size: .92rem; }
.rq-timeline td { padding: .3rem .4rem; vertical-align: top; border-bottom: 1px solid rgba(128,128,128,.25); }
.rq-timeline td:first-child { white-space: nowrap; font-weight: 600; }
.rq-timeline td:first-child .rq-small { white-space: normal; font-weight: 400; }
@media (max-width: 640px) { .rq-timeline td { display: block; border-bottom: none; padding-bottom: 0; }
  .rq-timeline tr { display: block; border-bottom: 1px solid rgba(128,128,128,.25); padding-bottom: .3rem; } }
button.rq-copy { font: inherit; font-size: .85rem; padding: .2rem .7rem; border-radius: .5rem; cursor: pointer;
                 border: 1px solid rgba(128,128,128,.45); background: transparent; color: inherit; }
button.rq-copy:hover { border-color: #b22234; color: #b22234; }
[class*="st-key-turn-"] { scroll-margin-top: 4.2rem; }
[class*="st-key-src-"] { scroll-margin-top: 5rem; }
/* The file uploader's built-in English texts, replaced by Danish ones */
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "Vælg filer"; }
</style>
"""

# Installed once per browser tab: Danish texts for Streamlit's own copy button, the "Kopiér svar"
# buttons, and the [1] marks that open and show their source card.
SCRIPT = """<script>
(() => {
  if (window.__rqReady) return; window.__rqReady = true;
  const DA = {"Copy to clipboard": "Kopiér til udklipsholderen", "Copied": "Kopieret"};
  const translate = (root) => {
    if (root.nodeType === 3) { const t = DA[root.nodeValue]; if (t) root.nodeValue = t; return; }
    if (root.nodeType !== 1) return;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) { const t = DA[n.nodeValue]; if (t) n.nodeValue = t; }
    const all = [root, ...root.querySelectorAll('[aria-label]')];
    for (const e of all) { const t = e.getAttribute && DA[e.getAttribute('aria-label')]; if (t) e.setAttribute('aria-label', t); }
  };
  new MutationObserver(ms => ms.forEach(m => {
    if (m.type === 'childList') m.addedNodes.forEach(translate); else translate(m.target);
  })).observe(document.body, {subtree: true, childList: true, characterData: true,
                              attributes: true, attributeFilter: ['aria-label']});
  translate(document.body);
  document.addEventListener('click', async (ev) => {
    const copy = ev.target.closest && ev.target.closest('button.rq-copy');
    if (copy) {
      const text = copy.getAttribute('data-copy') || '';
      try { await navigator.clipboard.writeText(text); }
      catch (e) { const ta = document.createElement('textarea'); ta.value = text; document.body.appendChild(ta);
                  ta.select(); document.execCommand('copy'); ta.remove(); }
      const old = copy.textContent; copy.textContent = 'Kopieret ✓'; setTimeout(() => { copy.textContent = old; }, 1500);
      return;
    }
    const ref = ev.target.closest && ev.target.closest('a.rq-ref');
    if (ref) {
      ev.preventDefault();
      const card = document.querySelector('.st-key-' + ref.getAttribute('data-card'));
      if (!card) return;
      const details = card.querySelector('details');
      if (details && !details.open) { const s = details.querySelector('summary'); if (s) s.click(); }
      card.scrollIntoView({block: 'start', behavior: 'smooth'});
    }
  });
})();
</script>"""


def scroll_to_turn(turn_id: str) -> None:
    """Bring the start of the new answer to the top of the window, once, unless the user scrolls first.

    Streamlit keeps a chat pinned to the bottom while a run adds elements; this keeps correcting
    for a moment after the run so the quote and its citation stay in view."""
    st.html(f"""<script>
(() => {{
  const id = {json.dumps(turn_id)};
  if (sessionStorage.getItem('rq-scrolled') === id) return;
  sessionStorage.setItem('rq-scrolled', id);
  let moved = false; const stop = () => {{ moved = true; }};
  for (const e of ['wheel', 'touchmove', 'keydown', 'mousedown']) window.addEventListener(e, stop, {{once: true, passive: true}});
  const until = Date.now() + 2500;
  const go = () => {{
    const el = document.querySelector('.st-key-turn-' + id);
    if (el && !moved) {{
      const want = parseFloat(getComputedStyle(el).scrollMarginTop) || 0;
      if (Math.abs(el.getBoundingClientRect().top - want) > 3) el.scrollIntoView({{block: 'start'}});
    }}
    if (!moved && Date.now() < until) requestAnimationFrame(go);
  }};
  go();
}})();
</script>""", unsafe_allow_javascript=True)


# --------------------------------------------------------------------------------------------
# Conversation state: kept in notes.sqlite beside the index, keyed by ?samtale=<id>
# --------------------------------------------------------------------------------------------
def conversation_id() -> str:
    cid = st.query_params.get("samtale")
    if not cid or len(cid) > 40 or not cid.replace("-", "").replace("_", "").isalnum():
        cid = secrets.token_urlsafe(9)
        st.query_params["samtale"] = cid
    return cid


def restore_history(assistant: Assistant, cid: str) -> None:
    """The conversation of this address, from the notes store, once per browser session."""
    if st.session_state.get("_restored") == cid:
        return
    st.session_state._restored = cid
    try:
        st.session_state.history = assistant.notes.load_conversation(cid)
    except Exception:  # noqa: BLE001
        log.exception("Samtalen kunne ikke hentes")
        st.session_state.history = []
        st.session_state.notes_error = "Den gemte samtale kunne ikke hentes; en ny samtale er startet."


def save_history(assistant: Assistant) -> None:
    try:
        assistant.notes.save_conversation(st.session_state._restored, st.session_state.history)
    except Exception:  # noqa: BLE001 - the chat goes on; the user is told it is not kept
        log.exception("Samtalen kunne ikke gemmes")
        st.session_state.notes_error = ("Samtalen kunne ikke gemmes på serveren, så den forsvinder, hvis siden "
                                        "genindlæses.")


def _new_conversation(assistant: Assistant) -> None:
    old = st.session_state.get("_restored")
    try:
        if old:
            assistant.notes.delete_conversation(old)
    except Exception:  # noqa: BLE001
        log.exception("Samtalen kunne ikke slettes")
    st.session_state.history = []
    st.session_state.pop("pending", None)
    cid = secrets.token_urlsafe(9)
    st.query_params["samtale"] = cid
    st.session_state._restored = cid


# --------------------------------------------------------------------------------------------
# One answer
# --------------------------------------------------------------------------------------------
def _item_text(assistant: Assistant, chunk: Chunk) -> str:
    cache = st.session_state.setdefault("_items", {})
    key = (chunk.doc_id, chunk.item)
    if key not in cache:
        cache[key] = whole_item(assistant.item_passages(chunk))
    return cache[key]


def card_key(turn_id: str, number: int) -> str:
    return f"src-{turn_id}-{number}"


@st.fragment
def source_card(assistant: Assistant, hit: Hit, number: int, turn_id: str) -> None:
    """One line (the citation); the passage, the whole item and the copyable citation only once opened."""
    c = hit.chunk
    card = st.expander(card_label(number, c), key=card_key(turn_id, number), on_change="rerun")
    with card:
        if not card.open:
            return
        where = place(c)
        section = c.section if c.section and c.section != c.item_title else ""
        head = [f'<div class="rq-head">{esc(document_label(c))}</div>']
        if where or section:
            parts = [f"<b>{esc(where)}</b>"] if where else []
            if section:
                parts.append(f"afsnit: {esc(section)}")
            head.append(f'<div class="rq-place">{" — ".join(parts)}</div>')
        st.html("".join(head))
        st.html(passage_html(c.text, hit.sentence_start, hit.sentence))
        if c.item and st.toggle("Vis hele punktet", key=f"item-{turn_id}-{number}"):
            try:
                whole = _item_text(assistant, c)  # the answering sentence stays marked inside the whole item
                at = whole.find(hit.sentence) if hit.sentence else -1
                st.html(passage_html(whole, at, hit.sentence if at >= 0 else ""))
            except Exception:  # noqa: BLE001
                log.exception("Punktet kunne ikke hentes")
                st.caption("Hele punktet kunne ikke hentes.")
        st.html(f'<div class="rq-small">Kilde: {esc(Path(c.source).name)} · kildehenvisning til kopiering:</div>')
        st.code(citation(c), language=None, wrap_lines=True)


@st.fragment
def feedback_widget(assistant: Assistant, turn: dict) -> None:
    """Thumbs up/down, kept in the notes store beside the index (nothing leaves the machine)."""
    vote = st.feedback("thumbs", key=f"fb-{turn['id']}", default=turn.get("vote"))
    if vote != turn.get("vote"):
        turn["vote"] = vote
        try:
            best = turn["answer"].hits[0] if turn.get("answer") and turn["answer"].hits else None
            assistant.notes.record_feedback(
                st.session_state._restored, turn["id"], vote, question=turn["question"],
                searched=turn.get("searched", ""), filters=turn.get("filters") or {},
                sentence=best_sentence(best) if best else "", citation=citation(best.chunk) if best else "",
                source=best.chunk.source if best else "")
            assistant.notes.save_conversation(st.session_state._restored, st.session_state.history)
            if vote is not None:
                st.caption("Tak! Din vurdering er gemt lokalt.")
        except Exception:  # noqa: BLE001
            log.exception("Tilbagemeldingen kunne ikke gemmes")
            st.caption("Din vurdering kunne ikke gemmes.")


def _drop_filters(question: str) -> None:
    """Clear every filter (on screen too) and ask the question again."""
    for key in ("f_committee", "f_doctype", "f_side"):
        st.session_state[key] = None
    if st.session_state.get("_date_span"):
        st.session_state.f_dates = st.session_state._date_span
    st.session_state.pending = question


def _ref(turn_id: str, number: int) -> str:
    return (f'<a class="rq-ref" href="#" data-card="{card_key(turn_id, number)}" '
            f'title="Vis kilde {number}">[{number}]</a>')


def timeline_table(rows: list[tuple[str, str, Hit]], ref) -> str:
    """A development as a table, one row per meeting in date order: the date with the body under it, the
    meeting's sentence and `ref(hit)`, its source number (the chat answer and the precedent view alike;
    on a phone the rows stack)."""
    return '<table class="rq-timeline">' + "".join(
        f'<tr><td>{esc(when)}<div class="rq-small">{esc(body)}</div></td>'
        f'<td>»{esc(short(best_sentence(h), 240))}«{ref(h)}</td></tr>' for when, body, h in rows) + "</table>"


def render_answer(assistant: Assistant, turn: dict) -> None:
    """The answer first (the fact asked for, the quote, its citation), then one line per source."""
    tid = turn["id"]
    if turn.get("notice"):
        st.warning(turn["notice"], icon=":material/content_cut:")
    if turn.get("error"):
        st.error(turn["error"])
        return
    answer: Answer = turn["answer"]
    relevant, maybe = split_relevant(answer.hits, SETTINGS.relevant_ratio, answer.abstain)
    if not relevant:
        if turn.get("filters"):
            st.warning(f"Intet relevant med de valgte filtre ({filters_label(turn['filters'])}). "
                       + (nothing_found(answer) if answer.reason else ""))
            st.button("Søg igen uden filtre", key=f"nofilter-{tid}", on_click=_drop_filters,
                      args=(turn["question"],), icon=":material/filter_alt_off:")
        else:
            st.warning(nothing_found(answer))
    else:
        best = relevant[0]
        rows = timeline(relevant) if answer.timeline and len(relevant) > 1 else []
        lead = None if rows else answer_lead(answer)  # one meeting's figure is not the development
        html = []
        if lead:
            label = "Mødedato: " if lead.from_meeting else ""
            html.append(f'<div class="rq-lead">{esc(label + lead.text)}</div>')
        if rows:  # a development question: one line per meeting, in date order
            numbers = {id(h): n for n, h in enumerate(relevant, 1)}
            html.append(timeline_table(rows, lambda h: _ref(tid, numbers[id(h)])))
        else:
            html.append(f'<div class="rq-quote">»{esc(best_sentence(best))}«{_ref(tid, 1)}</div>')
            html.append(f'<div class="rq-small">— {esc(citation(best.chunk))}</div>')
        if len(relevant) > 1 and not rows:
            html.append('<div class="rq-small">Se også ' + " ".join(_ref(tid, n) for n in range(2, len(relevant) + 1))
                        + "</div>")
        st.html("".join(html))
        copy_text = ("\n".join(f"{when}: »{best_sentence(h)}« — {citation(h.chunk)}" for when, _, h in rows) if rows
                     else (f"{lead.text}: " if lead else "") + f"»{best_sentence(best)}« — {citation(best.chunk)}")
        c1, c2 = st.columns([1, 1], vertical_alignment="center")
        with c1:
            st.html(f'<button class="rq-copy" data-copy="{esc(copy_text)}" '
                    f'title="Kopiér svaret med kildehenvisning">Kopiér svar</button>')
        with c2:
            feedback_widget(assistant, turn)
    small = []
    if turn.get("searched"):
        small.append(f"Søgte efter: {esc(short(turn['searched'], 300))}")
    if turn.get("filters"):
        small.append(f"Filtre: {esc(filters_label(turn['filters']))}")
    places = getattr(getattr(turn.get("answer"), "query", None), "places", ())
    if places:  # the question named them: their minutes come first
        small.append(f"Først fra: {esc(', '.join(p.title() for p in places))}")
    if small:
        st.html(f'<div class="rq-small">{" · ".join(small)}</div>')
    for n, h in enumerate(relevant, 1):
        source_card(assistant, h, n, tid)
    if maybe:
        with st.expander(f"Måske relevant ({len(maybe)})", key=f"maybe-{tid}"):
            for n, h in enumerate(maybe, len(relevant) + 1):
                source_card(assistant, h, n, tid)


def ask_turn(assistant: Assistant, question: str, filters: dict, k: int, use_context: bool) -> dict:
    """Ask one question of the conversation; never raises."""
    history = st.session_state.history
    turn: dict = {"id": secrets.token_hex(6), "question": question or "", "searched": "", "filters": filters,
                  "answer": None, "error": None, "notice": None, "vote": None}
    if not (question or "").strip():
        turn["error"] = "Spørgsmålet er tomt. Skriv, hvad du vil vide – fx et emne eller et udvalg."
        return turn
    if not has_words(question):
        turn["error"] = "Spørgsmålet indeholder ingen ord, kun tegn. Skriv, hvad du vil vide, med almindelige ord."
        return turn
    previous = next((_as_turn(t) for t in reversed(history) if t.get("searched")), None) if use_context else None
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


def _as_turn(turn: dict) -> Turn:
    """A turn of the history as the next question leans on it: with its answer's place when it has one."""
    answer = turn.get("answer")
    if isinstance(answer, Answer):
        return replace(answer.turn, question=turn["question"], searched_for=turn["searched"])
    return Turn(turn["question"], turn["searched"])


def _ask_example(question: str) -> None:
    st.session_state.pending = question


# --------------------------------------------------------------------------------------------
# Sidebar: conversation, filters (following the index), corpus overview, upload and removal
# --------------------------------------------------------------------------------------------
def _follow_index(dates: list[str], committees: list[str], doc_types: list[str]) -> None:
    """Filters that follow the index: after an upload or a removal the date range grows or shrinks
    with it (unless the user had narrowed it), and a choice the index no longer has is cleared.

    Widget values are set through session state before the widgets are drawn: that is the one way
    the browser's copy of a widget changes too (removing the key would leave the old value on screen)."""
    span = (dates[0], dates[-1]) if len(dates) >= 2 else None
    seen = st.session_state.get("_date_span")
    current = st.session_state.get("f_dates")
    if span and (current is None or (span != seen and (tuple(current) == seen or current[0] not in dates
                                                         or current[1] not in dates))):
        st.session_state.f_dates = span
    st.session_state._date_span = span
    for key, values in (("f_committee", committees), ("f_doctype", doc_types)):
        if st.session_state.get(key) is not None and st.session_state[key] not in values:
            st.session_state[key] = None


def sidebar(assistant: Assistant) -> tuple[dict, int, bool, object]:
    documents = assistant.documents()
    sb = st.sidebar
    sb.header("Samtale")
    c1, c2 = sb.columns(2)
    c1.button("Ny samtale", on_click=_new_conversation, args=(assistant,), key="new_conversation",
              width="stretch", help="Rydder samtalen, også den gemte kopi.")
    export_slot = c2.empty()  # filled at the end of the run, when this run's answer is in the history
    use_context = sb.toggle("Opfølgende spørgsmål bygger på det forrige", value=True, key="f_context",
                            help="Korte spørgsmål og spørgsmål med »det«, »de«, »disse« … søges sammen med "
                                 "emnet fra det forrige spørgsmål.")

    sb.header("Filtre")
    # a kind of body (every HovedMED) or one committee by name (Hoved-MED Teknik og Miljø)
    committees = sorted({d.committee for d in documents if d.committee} | {d.body for d in documents if d.body})
    doc_types = sorted({d.doc_type for d in documents if d.doc_type})
    dates = sorted({d.date for d in documents if d.date})
    _follow_index(dates, committees, doc_types)
    committee = sb.selectbox("Udvalg", committees, index=None, placeholder="Alle udvalg", key="f_committee")
    places = sorted({d.municipality for d in documents if d.municipality})
    municipality = sb.selectbox("Kommune/region", places, index=None, placeholder="Alle", key="f_municipality") \
        if len(places) > 1 else None
    doc_type = sb.selectbox("Dokumenttype", doc_types, index=None, placeholder="Alle typer", key="f_doctype",
                            format_func=doc_type_label)
    side = sb.selectbox("Hvem udtaler sig", list(SIDE_LABELS), index=None, placeholder="Alle", key="f_side",
                        format_func=SIDE_LABELS.get,
                        help="Kun passager, hvor denne side nævnes som den, der udtaler sig.")
    date_from = date_to = None
    if len(dates) >= 2:
        # the value shown comes from _follow_index (session state); `value` only makes it a range
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
        for i, d in enumerate(documents):
            st.html(f'<div class="rq-small"><b>{esc(danish_date(d.date) or "uden dato")}</b> · '
                    f'{esc(d.committee or "–")} · {esc(doc_type_label(d.doc_type))}<br>{esc(d.title)}</div>')
            if assistant.is_upload(d.source):
                st.button("Fjern", key=f"remove-{d.doc_id}", icon=":material/delete:", on_click=_ask_remove,
                          args=(d.source, d.title), help="Fjern dokumentet fra indekset og fra mappen uploads.")

    sb.header("Tilføj referater")
    upload_panel(assistant)
    feedback_export(assistant)
    return filters, k, use_context, export_slot


def _ask_remove(source: str, title: str) -> None:
    st.session_state.confirm_remove = (source, title)


def _forget_remove() -> None:
    st.session_state.pop("confirm_remove", None)


# The question stays open until answered or dismissed, whatever else reruns the page meanwhile.
@st.dialog("Fjern dokumentet?", on_dismiss=_forget_remove)
def confirm_remove(assistant: Assistant, source: str, title: str) -> None:
    name = Path(source).name
    st.markdown(md_escape(f"»{title or name}« ({name}) fjernes fra indekset og fra mappen uploads. "
                          "Det kan ikke fortrydes, men filen kan uploades igen."))
    c1, c2 = st.columns(2)
    if c1.button("Fjern", type="primary", key="remove_yes", width="stretch"):
        try:
            assistant.remove_upload(source)
            st.session_state.upload_result = [("success", md_escape(f"Fjernet: {name}"))]
        except QAError as exc:  # busy, read-only or damaged index: the real cause
            st.session_state.upload_result = [("error", md_escape(str(exc)))]
        except Exception:  # noqa: BLE001
            log.exception("Dokumentet kunne ikke fjernes")
            st.session_state.upload_result = [("error", md_escape(f"{name} kunne ikke fjernes."))]
        _forget_remove()
        st.session_state.pop("_items", None)
        st.rerun()
    if c2.button("Fortryd", key="remove_no", width="stretch"):
        _forget_remove()
        st.rerun()


def export_button(slot) -> None:
    history = st.session_state.history
    slot.download_button("Hent samtalen", data=conversation_markdown(history) if history else "",
                         file_name=f"samtale-{datetime.now():%Y-%m-%d-%H%M}.md", mime="text/markdown",
                         key="export", disabled=not history, on_click="ignore", width="stretch",
                         help="Samtalen som Markdown med alle kildehenvisninger.")


def feedback_export(assistant: Assistant) -> None:
    """The thumbs given so far as a question file (one JSON line each, the format of ../shared/eval),
    written when the button is clicked, so it always holds the latest votes."""
    def questions() -> str:
        return "".join(json.dumps(feedback_question(r), ensure_ascii=False) + "\n" for r in assistant.notes.feedback())

    st.sidebar.download_button("Hent vurderinger som testspørgsmål", data=questions,
                               file_name=f"vurderinger-{datetime.now():%Y-%m-%d}.jsonl", mime="application/jsonl",
                               key="export_feedback", on_click="ignore", width="stretch",
                               help="Svarene med 👍/👎 som en spørgsmålsfil i samme format som udviklingsdata "
                                    "(question, evidence, doc …). Gemmes kun på denne maskine; intet sendes.")


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
def _user_message(question: str) -> None:
    with st.chat_message("user"):
        st.html(f'<div class="rq-user">{esc(short(question, 600)) or "(tomt spørgsmål)"}</div>')


def conversation_page(assistant: Assistant, filters: dict, k: int, use_context: bool) -> None:
    prompt = st.chat_input("Stil et spørgsmål til referaterne …", max_chars=PASTE_LIMIT, key="chat")
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
        _user_message(turn["question"])
        with st.chat_message("assistant"):
            with st.container(key=f"turn-{turn['id']}"):
                render_answer(assistant, turn)

    if question is not None:
        _user_message(question)
        with st.chat_message("assistant"):
            with st.spinner("Søger i referaterne …"):
                turn = ask_turn(assistant, question, filters, k, use_context)
            history.append(turn)
            with st.container(key=f"turn-{turn['id']}"):
                render_answer(assistant, turn)
        scroll_to_turn(turn["id"])
        save_history(assistant)


def precedent_page(assistant: Assistant, filters: dict) -> None:
    st.markdown("Find, hvad én side har sagt om et emne på tværs af møderne: de mest relevante udtalelser, "
                "samlet pr. møde.")
    with st.form("precedent_form", border=False):
        topic = st.text_input("Emne", key="p_topic", max_chars=PASTE_LIMIT,
                              placeholder="fx resortflyt, hjemmearbejde, budget")
        side = st.selectbox("Hvem", list(SIDE_LABELS), key="p_side", format_func=SIDE_LABELS.get)
        go = st.form_submit_button("Find udtalelser", type="primary")
    if go:
        st.session_state.precedent = precedent_search(assistant, topic, side, filters)
    result = st.session_state.get("precedent")
    if not result:
        return
    if result.get("notice"):
        st.warning(result["notice"], icon=":material/content_cut:")
    st.html(f'<div class="rq-small">Søgte efter: {esc(short(result["topic"], 300))} · '
            f'{esc(SIDE_LABELS[result["side"]])}</div>')
    if result.get("error"):
        st.error(result["error"])
        return
    relevant: list[Hit] = result["hits"]
    maybe: list[Hit] = result.get("maybe") or []
    if not relevant:
        others = {k: v for k, v in filters.items() if k != "side"}
        st.warning(f"{SIDE_LABELS[result['side']]} har ikke udtalt sig tydeligt om emnet"
                   + (f" med de valgte filtre ({filters_label(others)})." if others else "."))
        _weaker(assistant, maybe, 1)
        return
    order = st.radio("Rækkefølge", PRECEDENT_ORDERS, key="p_order", horizontal=True, label_visibility="collapsed")
    groups = meetings(relevant, "date" if order != PRECEDENT_ORDERS[0] else "relevance")
    said = f"{len(relevant)} udtalelse{'r' if len(relevant) != 1 else ''}"
    met = f"{len(groups)} møde{'r' if len(groups) != 1 else ''}"
    st.markdown(f"**{said} fra {esc(SIDE_LABELS[result['side']])} på {met}**"
                + (f" · {result['folded']} svagere under »Måske relevant«" if result["folded"] else ""),
                unsafe_allow_html=True)
    numbers = {id(h): n for n, h in enumerate(relevant, 1)}
    if order == PRECEDENT_ORDERS[2]:
        st.html(timeline_table(timeline(relevant), lambda h: f' <span class="rq-small">[{numbers[id(h)]}]</span>'))
        return
    for m in groups:
        st.markdown(f"##### {esc(danish_date(m.date) or 'Uden dato')} · {esc(m.committee or m.title)}",
                    unsafe_allow_html=True)
        for h in m.hits:
            st.html(f'<div class="rq-small">»{esc(short(best_sentence(h), 300))}«</div>')
            source_card(assistant, h, numbers[id(h)], "p")
    _weaker(assistant, maybe, len(relevant) + 1)


def _weaker(assistant: Assistant, hits: list[Hit], first: int) -> None:
    """The passages under the relevance cut, folded away but there to look at."""
    if hits:
        with st.expander(f"Måske relevant ({len(hits)})", key="p_maybe"):
            for n, h in enumerate(hits, first):
                source_card(assistant, h, n, "p")


def precedent_search(assistant: Assistant, topic: str, side: str, filters: dict) -> dict:
    """One side's statements on a topic: ranked by relevance, cut where they stop being relevant."""
    text = " ".join((topic or "").split())
    result = {"topic": text[:MAX_QUESTION], "side": side, "hits": [], "folded": 0, "maybe": [], "error": None,
              "notice": cut_notice(MAX_QUESTION) if len(text) > MAX_QUESTION else None}
    if not text:
        result["error"] = "Skriv et emne, fx »resortflyt« eller »hjemmearbejde«."
        return result
    try:
        others = {k: v for k, v in filters.items() if k != "side"}
        answer = assistant.ask(text, k=PRECEDENT_K, filters={**others, "side": side})
        relevant, folded = split_relevant(answer.hits, SETTINGS.relevant_ratio, answer.abstain)
        result["hits"], result["folded"], result["maybe"] = relevant, len(folded), folded
    except QAError as exc:
        log.exception("Præcedenssøgningen fejlede")
        result["error"] = str(exc)
    except Exception:  # noqa: BLE001
        log.exception("Præcedenssøgningen fejlede")
        result["error"] = "Søgningen kunne ikke gennemføres. Prøv et andet emne."
    return result


def main() -> None:
    st.set_page_config(page_title="Spørg referaterne", page_icon="📄", layout="centered",
                       initial_sidebar_state="auto")
    st.html(CSS)
    st.html(SCRIPT, unsafe_allow_javascript=True)
    st.session_state.setdefault("history", [])
    st.title("Spørg referaterne")
    assistant = get_assistant()
    restore_history(assistant, conversation_id())
    if st.session_state.get("notes_error"):
        st.warning(st.session_state.pop("notes_error"))
    filters, k, use_context, export_slot = sidebar(assistant)
    if st.session_state.get("confirm_remove"):
        confirm_remove(assistant, *st.session_state.confirm_remove)
    mode = st.radio("Visning", MODES, key="mode", horizontal=True, label_visibility="collapsed")
    if mode == MODES[1]:
        precedent_page(assistant, filters)
    else:
        conversation_page(assistant, filters, k, use_context)
    export_button(export_slot)


if __name__ == "__main__":
    main()
