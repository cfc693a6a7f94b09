"""Does the best passage hold what the question asks for? The checks a text can fail without a reader model.

Dense and lexical scores say that a passage is *about* a question, not that it *answers* it: "Hvad
viste prøverne for skimmelsvamp?" scores as high against "prøver er taget, vi afventer" as an
answerable question does against its answer. Three things can be checked in the words themselves:

- quantity: "hvor mange", "hvor meget", "…procent" need a number in the answer, and a year, a date,
  a list number or a case number is not one; "hvor mange penge", "hvad koster" need an amount;
- year: a year the question names must be the meeting's year or be written in the passage;
- pending: "hvad viste …" is not answered by a passage that says the result is still awaited.

Each check looks at the shown answer (the best sentence and the one after it) or, for years, the
whole passage, and returns a short Danish reason that completes "Det nærmeste afsnit …".
"""
from __future__ import annotations

import re
from functools import lru_cache

from qa.danish.dates import DAY_MONTH, YEAR, date_spans, find_dates, mentions, names_other
from qa.danish.text import sentences, stem, terms, tokens
from qa.danish.vocabulary import DECIDED, ROLES, SIDES, detect_side, find_bodies, names_role, persons_asked
from qa.types import Hit, Query

_MONEY = re.compile(r"\d[\d.,]*\s*(?:kr\b|kroner|mio|mia|millioner|milliarder)|\b(?:kr\.|mio\.|mia\.)", re.I)
_SHARE = re.compile(r"\d[\d.,]*\s*%")

# Digits that do not count anything: dates are removed first (date_spans), then these.
_NOT_A_QUANTITY = re.compile(
    r"\S*\d\S*[-/]\S*\d\S*"  # case and journal numbers: 81.38.00-P35-1-24, 2025/2026
    r"|\S+\.(?:pdf|docx?|xlsx?|pptx?|txt)\b"  # file names of attachments
    r"|\b(?:19[5-9]\d|20\d\d)\b"  # years
    r"|^\s*[-•*]?\s*\d+[.)](?=\s)"  # list numbers at the start of a line
    r"|\b\d+\.(?=\s+(?-i:[a-zæøå]))"  # ordinals: 2. halvår, 3. kvartal (not "… svaret 91. Næste …")
    # references, rooms and clock times: punkt 3, stk. 2, hovedkonto 6, mødelokale 402, kl. 8.30
    r"|\b(?:punkt|pkt|nr|stk|kl|bilag|side|uge|kapitel|afsnit|fase|\w*konto|\w*lokale|§)\.?\s*\d+(?:[.:]\d+)?",
    re.I | re.M,
)
_NUMBER_WORDS = re.compile(
    r"\b(et par|halvt?|halvandet|to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|femten|tyve|tredive|fyrre|"
    r"halvtreds|hundrede|tusinde?|million\w*|milliard\w*|halvdel\w*|tredjedel\w*|fjerdedel\w*|dobbelt\w*|"
    r"hver (?:anden|tredje|fjerde|femte|tiende))\b",
    re.I,
)

# A conversation's question may open with a conjunction ("Og hvad viste målingen?", "Men hvem sagde det?"):
# the checks anchored at the question word read what follows it.
_LEAD = re.compile(r"^\s*(?:og|men|så|nå)\b,?\s*", re.I)
# A question asking what something showed or concluded, not one that merely mentions a result.
_ASKS_FINDING = re.compile(
    r"^\s*(?:hvad (?:viste|viser|fandt|afslørede|konkluderede)\b"
    r"|hvad (?:var|blev|er) (?:\w+ )?\w*(?:resultat\w*|udfald\w*|konklusion\w*|konsekvens\w*)"
    r"|hvilke (?:resultater|fund|konklusioner)\b)",
    re.I,
)
# Minutes saying that a result is not there yet.
_PENDING = re.compile(
    r"\b(afvent\w*|endnu ikke|ikke endnu|foreligger ikke|ikke (?:er )?(?:klar|færdig\w*|modtaget)|udestår|"
    r"følger senere|når \w+(?: \w+){0,8} (?:foreligger|er klar|kommer)|"
    r"ikke (?:endeligt? )?(?:fastlagt|afklaret|opgjort|gjort op)|skal følges op|"
    r"vil (?:data )?blive (?:udtrukket|offentliggjort|fremlagt|præsenteret)|"
    # the -s passive of these verbs speaks of what comes later: "Resultaterne forelægges på mødet i juni"
    r"(?:forelægges|fremlægges|præsenteres|offentliggøres|eftersendes|vedlægges))\b",
    re.I,
)
_ATTACHED = {"vedlægges", "eftersendes"}  # the result is in an attachment, not in the minutes' text


# words between a number and what it counts: "310 nye smartphones", "11 af 14 medarbejdere" before it,
# "episoder blev registreret på Kildebakken (61)" after it
COUNT_BEFORE, COUNT_AFTER = 3, 5


def _counted_in(noun: str, words: list[str]) -> bool:
    """Whether a number stands close to the counted noun (a compound counts by its last part: "74 episoder"
    answers "voldsepisoder"), or "antal" does; the noun in a sentence about some other figure ("Sygefraværet var
    6,1 % ... Stigningen skyldes langtidssygdom blandt skraldemændene") does not say how many there are."""
    for i, w in enumerate(words):
        t = stem(w)
        if noun == t or (len(t) >= 4 and noun.endswith(t)):
            near = words[max(0, i - COUNT_BEFORE):i] + words[i + 1:i + 1 + COUNT_AFTER]
            if any(x[:1].isdigit() or _NUMBER_WORDS.fullmatch(x) or x.startswith("antal") for x in near):
                return True
    return False


def _states_day(text: str) -> bool:
    """A day is named: a date ("12/3-2025", "12. marts") or a weekday."""
    return (any(len(iso) == 10 for _, iso in find_dates(text)) or bool(_WEEKDAY.search(text))
            or bool(DAY_MONTH.search(text)))


def _choice_stated(text: str, post: str | None = None) -> bool:
    """Whether a passage says someone was chosen (to `post`, e.g. "tr", when the question names one: in the
    same sentence): a verb of choosing or a new holder of a post ("ny næstformand"), not a participant list
    naming the post."""
    for a, b in sentences(text) if post else [(0, len(text))]:
        part = text[a:b]
        if ((_CHOSEN.search(part) or any(names_role(m.group(1)) for m in _NEW.finditer(part)))
                and (post is None or SIDES[post].search(part))):
            return True
    return False


@lru_cache(maxsize=100_000)
def has_money(text: str) -> bool:
    """Whether a text states a sum of money (a share, 5 %, is not a price)."""
    return bool(_MONEY.search(text))


@lru_cache(maxsize=100_000)
def has_amount(text: str) -> bool:
    """Whether a text states an amount of money or a share (35 mio. kr., 1,3 mia., 5 %)."""
    return has_money(text) or bool(_SHARE.search(text))


@lru_cache(maxsize=100_000)  # asked of each candidate sentence, for ranking and again for showing
def has_quantity(text: str) -> bool:
    """Whether a text states a number of something (35 mio. kr., 91, ca. 300, halvdelen, to gange)."""
    cleaned = text
    for start, end, _ in reversed(date_spans(text)):
        cleaned = cleaned[:start] + " " + cleaned[end:]
    cleaned = _NOT_A_QUANTITY.sub(" ", cleaned)
    return bool(re.search(r"\d", cleaned) or _NUMBER_WORDS.search(cleaned))


def unmet(query: Query, hit: Hit) -> str | None:
    """Why the passage cannot be the answer, or None when nothing checkable is missing."""
    if query.parts:  # a compound question: the first passage answers one part only
        return None
    c = hit.chunk
    shown = hit.sentence or c.text
    for year in dict.fromkeys(YEAR.findall(query.text)):
        where = " ".join((c.text, c.doc_title or "", c.item_title or "", c.date or ""))
        if year not in where:
            return f"nævner ikke {year}"
    if query.answer_type == "money" and not has_amount(shown):
        return "nævner ikke noget beløb"
    if query.answer_type == "number" and not has_quantity(shown):
        return "nævner ikke noget tal"
    if _ASKS_FINDING.search(_LEAD.sub("", query.text)) and _PENDING.search(shown):
        return "siger, at resultatet ikke foreligger endnu"
    return None


# --- question-level features for the learned abstainer (qa/ask/ranker.py) -----------------------
# Checks written over general forms: any form of "koste", a price, an amount; "hvor mange"; a named
# person, an abbreviation; a decision asked for and a postponement stated; an event dated after the
# meeting. Each returns a Danish reason completing "Det nærmeste afsnit …" when it fires.
# ("sætte pris på" is to value something: "pris på" without an ending is not a price)
_ASKS_AMOUNT = re.compile(r"\b(kost\w*|pris(?:\w+|(?!\s+på\b))|beløb\w*|hvor mange penge|"
                          r"udgift\w*|merudgift\w*|"
                          r"hvor meget (?:\w+ )?(?:spare|spares|sparet|bruge|bruger|brugte|betale\w*))\b", re.I)
_ASKS_COUNT = re.compile(r"\b(hvor mange|antal\w*|hvor høj\w*|hvor stor\w*|hvilken placering|\w*procent\w*)\b", re.I)
_ACRONYM = re.compile(r"\b([A-ZÆØÅ0-9]{2,}[a-zæøå]?)(?:'s|s)?\b")
_ASKS_DECIDED = re.compile(r"\bblev (?:\w+ ){0,6}(?:godkendt|indført|vedtaget|besluttet|gennemført|indfør\w*)\b",
                           re.I)
_NOT_DECIDED = re.compile(r"\b(udsat|udsættes|udskudt|udskydes|ikke taget stilling|ikke færdigbehandlet|"
                          r"genoptages|tages op (?:igen )?på (?:et )?(?:senere|næste) møde)\b", re.I)
# Question words that ask for something other than an amount or a count: "Hvornår blev byrådet informeret om
# merudgifterne?" asks for a date, and the amount words name its topic.
_ASKS_OTHER = re.compile(r"^\s*(?:hvornår|hvem|hvorfor|hvordan|hvorhen|hvorfra|hvor længe)\b", re.I)
# A question asking what somebody thinks or said (the person must stand near the answer).
_ASKS_VIEW = re.compile(r"\b(mener|mente|siger|sagde|synes|syntes|skriver|skrev|foreslår|foreslog|udtalte|"
                        r"svarede|svarer|ønsker|ønskede|efterlyste|frygter|frygtede)\b", re.I)
# Whose words a question asks for, and about what: "Hvad mente Lise Mørk om hjemmearbejde?"
_SAYS_ABOUT = re.compile(r"^\s*hvad (?:mener|mente|siger|sagde|skriver|skrev|synes|syntes|foreslår|foreslog|"
                         r"svarede|svarer|ønsker|ønskede)\s+(?P<who>[^?]+?)\s+om\s+(?P<topic>[^?]+)", re.I)
_PAST = re.compile(r"^\s*(?:hvad|hvor|hvem|hvilke\w*|hvornår|blev|var)\b[^?]*\b(blev|var|viste|fik|kostede)\b", re.I)
# a question about what was said or found (what was done for a period may have been decided before it:
# "Hvad gjorde man for at spare på varmen i vinteren 2022?" is answered by the November meeting)
_SAID = re.compile(r"\b(skrev|sagde|mente|svarede|udtalte|viste)\b", re.I)
_COUNTED = re.compile(r"\bhvor mange ([a-zæøå]+)", re.I)
_ASKS_DAY = re.compile(r"\bhvilke(?:n|t)? (?:dato|datoer|dag|dage|ugedag)\b", re.I)  # not "hvornår": "i foråret" answers it
_WEEKDAY = re.compile(r"\b(?:man|tirs|ons|tors|fre|lør|søn)dag(?:en)?\b", re.I)
_NOT_COUNTED = {"penge", "af", "der", "de", "gange", "var", "er", "blev", "bliver", "har", "havde", "skal", "kom",
                "kommer", "vil", "kan", "fik", "får", "deltog", "deltager"}
_AMOUNT_UNITS = {"procent", "procentpoint", "kroner", "kr", "millioner", "mio", "milliarder", "mia"}
# units of measurement, written as symbols beside the number ("71 dB", "12 m²", "3,5 km")
_MEASURE_UNITS = {"decibel", "meter", "kilometer", "centimeter", "kvadratmeter", "kubikmeter", "kilo", "kilogram",
                  "ton", "liter", "grader", "watt", "kilowatt", "kilowatttimer"}
# "Hvem blev valgt som ny næstformand?" asks for a choice made; a participant list naming the holder of the role
# ("Per Holm (næstformand)") does not say that anyone was chosen
_ASKS_CHOSEN = re.compile(r"^\s*hvem\s+(?:blev|er|var|bliver)\s+(?:\w+\s+)?(?:valgt|genvalgt|udpeget|udnævnt|"
                          r"konstitueret)\b", re.I)
_CHOSEN = re.compile(r"\b(?:\w*valg\w*|vælge\w*|udpeg\w*|udnævn\w*|konstitu\w*|overtage\w*|overtog|afløse\w*|"
                     r"afløste|tiltræde\w*|tiltrådte)\b", re.I)
_NEW = re.compile(r"\bny\w*\s+(\w+)", re.I)  # "ny næstformand", "nye TR"
SHORT_PASSAGE = 10  # content terms: fewer, and no sentence, is a heading on its own

# The checks a text can fail (each 0/1), most specific first (the first that fired gives the reason shown).
# Each alone fires on few questions, too few for a model to learn its own weight from a fold (fitted one by
# one, a check a fold had not seen fire got almost none: held-out AUC 0.82 against 0.88 for their count,
# docs/RETRIEVAL.md); the abstainer reads their count, "checks", so a check gets the weight learned from all.
CHECKS = ("after_index", "period_unfit", "title_other", "pending", "not_decided", "after_document", "miss_amount",
          "miss_count", "counted_missing", "miss_day", "miss_year", "person_missing", "topic_apart", "person_not_shown",
          "acronym_missing", "shown_label", "choice_missing")
QUESTION_FEATURES = ("gap_z", "top_idf_cov", "compound", "checks")


def question_features(query: Query, top, runner_up_z: float, ranked, ref: str | None,
                      common_acronyms: frozenset[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Features of the question and its first passage for the abstainer, and a reason per check that fired.

    `top` and `ranked` are qa.ask.features.Candidate objects in shown order; `runner_up_z` is the gap of the
    first score over the second in spreads."""
    from qa.ask.stages import is_heading  # (stages imports this module)

    f = {n: 0.0 for n in QUESTION_FEATURES + CHECKS}
    why: dict[str, str] = {}
    q = _LEAD.sub("", query.text)
    c = top.chunk
    shown = c.text[top.span[0]:top.span[1]] if top.span else c.text
    # names of the meeting, the document and the item count as said in the passage ("AMC" in AMC's minutes)
    heads = " ".join(x or "" for x in (c.doc_title, c.item_title, c.committee, c.body, c.municipality))
    f["gap_z"], f["top_idf_cov"] = runner_up_z, top.f.get("idf_cov", 0.0)
    f["compound"] = float(bool(query.parts))
    asks_other = bool(_ASKS_OTHER.search(q))
    if not query.parts and not asks_other:
        if _ASKS_AMOUNT.search(q) and not has_money(shown):
            f["miss_amount"], why["miss_amount"] = 1.0, "nævner ikke noget beløb"
        if _ASKS_COUNT.search(q) and not _ASKS_AMOUNT.search(q) and not has_quantity(shown):
            f["miss_count"], why["miss_count"] = 1.0, "nævner ikke noget tal"
        m = _COUNTED.search(q)
        if m and m.group(1).lower() not in _NOT_COUNTED:
            noun = m.group(1).lower()
            # "hvor mange procent/kroner" is answered by an amount, "hvor mange decibel" by a measure; anything
            # else by a number beside its noun
            # somewhere in the passage (the shown sentence may be the one before)
            said = (has_amount(shown) if noun in _AMOUNT_UNITS else has_quantity(shown) if noun in _MEASURE_UNITS
                    else _counted_in(stem(noun), tokens(c.text)))
            if not said:
                f["counted_missing"], why["counted_missing"] = 1.0, f"nævner ikke antallet af {m.group(1)}"
        if _ASKS_DAY.search(q) and not _states_day(c.text):
            f["miss_day"], why["miss_day"] = 1.0, "nævner ingen dato"
    if not query.parts:
        # (anywhere in the passage: "Resultaterne forelægges på mødet i juni" may stand after the shown lines)
        pending = _ASKS_FINDING.search(q) and _PENDING.search(c.text)
        if pending:
            f["pending"] = 1.0
            why["pending"] = ("henviser til et bilag for resultatet" if pending.group(0).lower() in _ATTACHED
                              else "siger, at resultatet ikke foreligger endnu")
        # (unless the question itself says the matter was postponed, asks why it was not decided, or asks
        # what was decided: "Hvad blev der besluttet om …?" is answered by "… udskydes", the decision made)
        if (_ASKS_DECIDED.search(q) and _NOT_DECIDED.search(c.text) and not _NOT_DECIDED.search(q)
                and not re.search(r"\bikke\b", q, re.I) and not re.match(r"\s*hvad\b", q, re.I)):
            f["not_decided"], why["not_decided"] = 1.0, "siger, at sagen blev udsat"
        # an event dated after the meeting did not happen in it; a decision or an appointment may set one
        if (_PAST.search(q) and not asks_other and not DECIDED.search(q)
                and c.date and any(iso > c.date for _, iso in find_dates(shown))):
            f["after_document"], why["after_document"] = 1.0, "siger, at det først sker efter mødet"
        # what was said or found in a period after the meeting is not in its minutes ("Hvad skrev
        # medarbejdersiden i sit høringssvar i august 2022?" answered from the June meeting's plan)
        asked = query.period
        if (asked and asked.kind != "year" and not query.pins_meeting and c.date and asked.start > c.date[:10]
                and _SAID.search(q)):
            f["after_document"], why["after_document"] = 1.0, f"er fra et møde før {asked.label}"
        post = detect_side(q)
        if _ASKS_CHOSEN.search(q) and not _choice_stated(c.text, post if post in ROLES else None):
            f["choice_missing"], why["choice_missing"] = 1.0, "siger ikke, at nogen blev valgt"
        # a passage that is only a heading or a label (a slide title, an attachment's name); a passage cut
        # mid-sentence by the chunker is longer and is joined to its neighbour when shown
        if len(terms(c.text)) < SHORT_PASSAGE and all(is_heading(c.text[a:b]) for a, b in sentences(c.text)):
            f["shown_label"], why["shown_label"] = 1.0, "er kun en overskrift"
    where = " ".join((c.text, c.date or "", heads))
    # a year carried from the previous turn counts while its period stands; a follow-up asking what became
    # of the matter later ("Hvornår kom den så igennem?") dropped it (conversation.leaning)
    carried_dropped = query.previous is not None and query.afterwards and query.period is None
    years = list(dict.fromkeys(YEAR.findall(query.own_text if carried_dropped and query.own_text else q)))
    # one named year is enough when several are named (each part is answered at its own meeting)
    if years and not query.trend and not any(y in where for y in years):
        f["miss_year"], why["miss_year"] = 1.0, f"nævner ikke {years[0]}"
    p = query.period
    if p and p.kind != "span" and not query.trend:
        if query.pins_meeting:
            # another body's meeting is reported in this one's minutes with its date ("Beslutning fra Hoved-MED
            # den 5. december 2024: …"): a passage naming the date counts when the question names that body and
            # the passage does too (another committee's meeting plan naming the same day does not)
            if not any(x.f.get("p_in") or (x.f.get("body_other") and x.f.get("p_mention")
                                           and query.committee_hint in find_bodies(x.chunk.text)) for x in ranked):
                f["period_unfit"], why["period_unfit"] = 1.0, f"er ikke fra et møde {p.label}"
        elif names_other(c.text, p) and not any(mentions(x.chunk.text, p) for x in ranked[:5]):
            f["period_unfit"], why["period_unfit"] = 1.0, f"handler om en anden periode end {p.label}"
        # a recurring report is titled by the period it reports on ("Sygefravær 1. kvartal 2023", "APV 2022"):
        # when the first passage's title names another one and no close passage's title names this one
        if (not query.pins_meeting and top.f.get("p_title_other")
                and not any(x.f.get("p_title") for x in ranked[:5])):
            f["title_other"], why["title_other"] = 1.0, f"handler om en anden periode end {p.label}"
        if ref and p.start > ref and _PAST.search(q):  # what happened after the newest minutes is not in them
            f["after_index"], why["after_index"] = 1.0, f"er fra før {p.label}; det seneste referat er fra {ref}"
    low = c.text.lower()
    # a follow-up's carried topic names the previous turn's people; the sequel need not ("Hvornår blev det sat
    # i gang?" after "Hvad foreslog Per Holm?"): only the follow-up's own words ask for a person
    people = persons_asked(query.own_text if query.previous is not None and query.own_text else q)
    gone = [x for x in people if x.split()[-1].lower() not in low]
    if gone:
        f["person_missing"], why["person_missing"] = 1.0, f"nævner ikke {gone[0]}"
    a = max(0, (top.span or (0, 0))[0] - 200)
    around = c.text[a:(top.span or (0, len(c.text)))[1]].lower()
    if _ASKS_VIEW.search(q) and any(x.split()[-1].lower() not in around for x in people):
        f["person_not_shown"] = 1.0
        why.setdefault("person_not_shown", f"siger ikke, hvad {people[0]} mener")
    said = _SAYS_ABOUT.search(q)
    if said and people and not gone:
        # the speaker is in the passage; what they are asked about must be too (not a welcome or a farewell)
        topic = [t for t in terms(said.group("topic")) if not t.isdigit()]
        have = set(terms(c.text)) | set(terms(c.item_title or ""))
        if topic and not any(t in have for t in topic):
            f["topic_apart"], why["topic_apart"] = 1.0, f"nævner {people[0]}, men ikke {said.group('topic').strip()}"
    acr = [x for x in _ACRONYM.findall(q) if x.upper() not in common_acronyms and not x.isdigit()]
    # a genitive or plural s may cling to the abbreviation ("Hoved-MEDs", "TRs"): either form counts
    known = low + " " + heads.lower()
    gone = [x for x in acr if x.lower() not in known and not (x.endswith("s") and x[:-1].lower() in known)]
    if gone:
        f["acronym_missing"], why["acronym_missing"] = 1.0, f"nævner ikke {gone[0]}"
    f["checks"] = float(sum(f[n] for n in CHECKS))
    return f, why
