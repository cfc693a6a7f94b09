"""Follow-up questions: which questions lean on the previous turn, and what to search for then.

"Og ledelsen?" or "Hvornår blev det besluttet?" mean little alone; they are searched together with
the previous turn's topic. A question that brings a topic of its own starts afresh.
"""
from __future__ import annotations

import re
from dataclasses import replace

from qa.danish.dates import SINCE_THEN, YEAR, asks_afterwards, asks_latest, asks_trend, parse_period
from qa.danish.text import STOP_WORDS, stem
from qa.danish.vocabulary import ROLES, detect_side, find_bodies, persons_asked
from qa.types import Query, Turn

YEARLESS = frozenset({"day", "month", "quarter", "half", "season"})  # period kinds a question may name without a year
MAX_TOPIC_WORDS = 12
NEW_TOPIC_WORDS = 2  # a question with this many subject words of its own starts a new topic
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def is_followup(question: str, previous: str | None = None) -> bool:
    """The word rules, used when no fitted detector is loaded: a question leans on the previous turn.

    It does when it starts with 'og' / 'hvad med', or when it is short (at most 4 topic words) or
    points back (points_back) - unless it brings a topic of its own: NEW_TOPIC_WORDS or more topic
    words the previous turn did not have ('Hvordan aftales hjemmearbejde i afdelingen?' after a
    question about resortflyt is a new question, 'Hvornår blev det besluttet?' is not).
    """
    words = [w.lower() for w in WORD.findall(question or "")]
    if not words:
        return False
    if (words[0] == "og" or words[:2] == ["hvad", "med"]) and not asks_own_question(question):
        return True
    own = topic_words(question)
    if not (points_back(question) or len(own) <= 4):
        return False
    if previous is None:
        return True
    before = {stem(w.lower()) for w in topic_words(previous)}
    new = [w for w in own if stem(w.lower()) not in before
           and not w.isdigit() and not detect_side(w) and not find_bodies(w)]
    return len(new) < NEW_TOPIC_WORDS


# --- the learned follow-up detector (weights in qa/ask/ranker_weights.json, fitted by `qa train`) ------
# ("der" and "så" are left out: "er der", "var der", "så" open questions of their own as often as not)
PERSONAL = frozenset("de dem deres han hun ham hende hans hendes vedkommende".split())  # point to people
POINTING = frozenset("det den de dem dette disse han hun vedkommende deres dens dets hans hendes "
                     "heraf deraf dertil".split())
# Question-form words that carry no topic (besides the stop words); "Hvad besluttede man at gøre?" asks what
# was done about the subject before it, it names none.
FORM_WORDS = frozenset("mente mener menes synes syntes står stod sker skete fortæl fortælle gerne egentlig så "
                       "hvad hvem hvor hvordan hvornår hvorfor hvilke hvilken hvilket nogen noget nogle endte "
                       "igen stadig endnu også ny nye blev bliver gøre gør gjorde gjort beslutte besluttede "
                       "besluttet besluttes vedtage vedtog vedtaget".split())
FOLLOWUP_FEATURES = ("pointing", "opens_og", "own_words", "new_words", "short", "brings_entity", "unseen_words",
                     "brings_name")
# The sign each weight must have: a sign of leaning never counts against it, a sign of a new subject never for it
# (the features overlap, and a free fit gave "opens with og" a negative weight, "new words" a positive one).
FOLLOWUP_SIGNS = {"pointing": 1, "opens_og": 1, "own_words": -1, "new_words": -1, "short": 1, "brings_entity": -1,
                  "unseen_words": -1, "brings_name": -1}
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ACRONYM = re.compile(r"\b[A-ZÆØÅ]{2,}\b")
# "Hvad med X – hvornår …?": X is brought up and asked about in a question of its own (a question word after
# the dash or comma), so the opening does not borrow the previous question and "de" points to X, not back.
_OWN_QUESTION = re.compile(r"^(?:og\s+|så\s+)?hvad med\b[^–—,:?]+?(?:\s[–—-]|[,:])\s*"
                           r"(?:hvornår|hvem|hvad|hvor\w*|hvordan|hvorfor|hvilke[nt]?)\b", re.I)
_YEAR_BEFORE = re.compile(r"\b(året før|forrige år|året inden)\b", re.I)
_YEAR_AFTER = re.compile(r"\b(året efter|det følgende år|næste år)\b", re.I)


_ROLE_HOLDER = re.compile(r"^hvem\s+(?:er|var|blev|bliver)\s+(?:valgt\s+(?:som|til)\s+)?(?:den\s+)?(?:nye?\s+)?(\S+)",
                          re.I)
def asks_role_holder(question: str) -> bool:
    """ "Hvem er ny TR for sygeplejerskerne?", "Hvem blev valgt som næstformand?": who holds a role is a subject
    of its own (unless the question points back: "Hvem er formand for den?")."""
    m = _ROLE_HOLDER.match((question or "").strip())
    return bool(m) and detect_side(m.group(1)) in ROLES and not points_back(question)


def asks_own_question(question: str) -> bool:
    """ "Hvad med de nye smartphones – hvornår bliver de delt ud?" opens like a follow-up but asks about its
    own subject."""
    return bool(_OWN_QUESTION.search((question or "").strip()))


def points_back(question: str) -> bool:
    """A pronoun that refers to something earlier ("Har det virket?", "Hvad ville de have i stedet?"), or a
    bare "siden" (since then: "Er der målt igen siden?"). det/den/de as an article is not one: before a
    definite adjective and its noun ("den nye kantineordning", "de selvstyrende teams") or in "hvad er det
    for en/et …"."""
    if SINCE_THEN.search(question or ""):
        return True
    words = [w.lower() for w in WORD.findall(question or "")]
    for i, w in enumerate(words):
        if w not in POINTING:
            continue
        nxt, after = words[i + 1: i + 2], words[i + 2: i + 3]
        if w in ("det", "den", "de") and nxt:
            if nxt[0] == "for" and after and after[0] in ("en", "et"):
                continue
            if nxt[0].endswith("e") and after and after[0] not in STOP_WORDS and after[0] not in FORM_WORDS:
                continue
        return True
    return False


def topic_words(text: str) -> list[str]:
    """Topic words: no function or question-form words, no numbers except years."""
    return [w for w in WORD.findall(text or "") if w.lower() not in STOP_WORDS and w.lower() not in FORM_WORDS
            and (not w.isdigit() or _YEAR.fullmatch(w))]


def entities(text: str) -> set[str]:
    """What makes a question stand on its own: bodies, years, people's names, abbreviations (not sides)."""
    out = set(find_bodies(text)) | set(_YEAR.findall(text))
    out |= {n.lower() for n in persons_asked(text)}
    out |= {a.lower() for a in _ACRONYM.findall(text) if not detect_side(a)}
    return out


def names(text: str) -> set[str]:
    """Capitalised words after the first, lower-cased: in Danish, proper names (places, people, systems)."""
    words = WORD.findall(text or "")
    return {w.lower() for w in words[1:] if w[:1].isupper() and w[1:].islower()}


def names_in(text: str) -> set[str]:
    """Every word of a text, lower-cased (a name the previous answer showed is not a new one)."""
    return {w.lower() for w in WORD.findall(text or "")}


def followup_features(question: str, previous: str, passage: str = "") -> dict[str, float]:
    """Signs that a question leans on the previous turn, or brings its own subject. `passage` is the text
    the previous answer showed: a word from it is not a new subject ("Får man nogen oplæring?" after an
    answer about smartphones that mentions oplæring)."""
    words = [w.lower() for w in WORD.findall(question)]
    own = topic_words(question)
    before = {stem(w.lower()) for w in topic_words(previous)}
    shown = {stem(w.lower()) for w in WORD.findall(passage or "")}
    new = [w for w in own if stem(w.lower()) not in before and not detect_side(w)]
    standalone = asks_own_question(question)
    return {
        "pointing": float(points_back(question) and not standalone),
        "opens_og": float(bool(words) and not standalone
                          and (words[0] in ("og", "så") or words[:2] == ["hvad", "med"])),
        "own_words": float(len(own)),
        "new_words": float(len(new)),
        "short": float(len(words) <= 5),
        "brings_entity": float(bool(entities(question) - entities(previous))),
        "unseen_words": float(sum(stem(w.lower()) not in shown for w in new)),
        "brings_name": float(bool(names(question) - names(previous) - names_in(passage))),
    }


def carry_topic(question: str, previous_searched: str) -> str:
    """The question plus the previous turn's topic words, years included; 'Og året før?' shifts them a year.
    The previous side words are left out unless a personal pronoun points to them ("Og ledelsen?" brings its own)."""
    own = {w.lower() for w in topic_words(question)}
    # the old sides come along only when a personal pronoun points to them ("Hvad ville de have i stedet?");
    # "det" points to the matter ("Hvad endte det med?"), and a side named anew replaces them ("Og ledelsen?")
    drop_sides = detect_side(question) is not None or not (PERSONAL & {w.lower() for w in WORD.findall(question)})
    # the question's own kind stays its own: the old turn's "udviklet"/"senest" do not come along, and a
    # question asking for the newest state or a development does not inherit the old turn's years
    own_time = asks_latest(question) or asks_trend(question)
    topic, seen = [], set()
    for w in topic_words(previous_searched):
        lw = w.lower()
        if lw in own or lw in seen or (drop_sides and detect_side(w)):
            continue
        if asks_trend(w) or asks_latest(w) or (own_time and _YEAR.fullmatch(w)):
            continue
        seen.add(lw)
        topic.append(w)
    carried = " ".join(topic[:MAX_TOPIC_WORDS])
    shift = -1 if _YEAR_BEFORE.search(question) else 1 if _YEAR_AFTER.search(question) else 0
    if shift:
        carried = _YEAR.sub(lambda m: str(int(m.group(0)) + shift), carried)
    return f"{question} {carried}" if carried else question


def read_turn(question: str, previous: Turn | None, model=None, at: float = 0.5) -> tuple[str, bool]:
    """What to search for and whether the question was read as a follow-up.

    `model` is a fitted logistic model over FOLLOWUP_FEATURES (qa.ask.ranker.Linear); without one the word
    rules (is_followup) decide. Either way, a question that brings its own body, year, name or abbreviation is
    never given the old topic; nor, with the model, one that neither points back nor opens with
    og/så/hvad med and has NEW_TOPIC_WORDS subject words that neither the previous question nor its shown
    answer had ("Hvornår var der temadag om forflytning?" after an answer about a tryghedsteam). A question for
    who holds a role starts afresh too (asks_role_holder)."""
    question = " ".join((question or "").split())
    prev = previous.searched_for if previous and previous.searched_for else None
    if not prev or not question or entities(question) - entities(prev) or asks_role_holder(question):
        return question, False
    if model is None:
        leans = is_followup(question, prev)
    else:
        import numpy as np

        f = followup_features(question, prev, previous.passage)
        z = float(model(np.array([[f[n] for n in model.names]]))[0])
        leans = 1 / (1 + np.exp(-z)) >= at
        if not (f["pointing"] or f["opens_og"]) and f["unseen_words"] >= NEW_TOPIC_WORDS:
            leans = False
    return (carry_topic(question, prev), True) if leans else (question, False)


def leaning(query: Query, previous: Turn | None, leans: bool, question: str = "") -> Query:
    """The query of a turn read as a follow-up carries the previous turn, so that its answer's agenda item
    and document are searched and ranked as such (qa/ask/features.CONVERSATION), and whether the question
    (its own words, not the carried topic) asks what became of it later; other turns stand alone."""
    if not leans or previous is None or previous.doc_id is None:
        return query
    if names(question) - names(previous.searched_for) - names_in(previous.passage):
        return query  # "Og Hjemmeplejen?": the same subject for another unit, not the previous answer's place
    own = parse_period(question)
    if own is not None and own.kind in YEARLESS and not YEAR.search(own.label) and previous.date:
        # "Hvordan fik man så sommeren til at hænge sammen?" after an answer from June 2022: that summer,
        # not the newest one
        query = replace(query, period=parse_period(question, near=previous.date))
    afterwards = asks_afterwards(question)
    if afterwards and own is None:
        # "Blev det til noget?" after "... i juni 2022": the carried period was the old turn's, and what
        # became of the matter lies after it; a month or season named without a year goes from the words too,
        # so the next turn does not carry it again (a year stays: "budget 2025" names the matter)
        text = query.text
        if query.period is not None and not YEAR.search(query.period.label) and text.startswith(question):
            said = query.period.label.removeprefix("i ").strip()
            rest = " ".join(text[len(question):].replace(said, " ").split())
            text = f"{question} {rest}" if rest else question
        query = replace(query, text=text, period=None, pins_meeting=False)
    return replace(query, previous=previous, afterwards=afterwards, own_text=question)
