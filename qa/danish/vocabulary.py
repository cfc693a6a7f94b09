"""THE vocabulary of Danish MED work: bodies, speaker sides, document types, abbreviations, decisions.

Used alike by ingestion (what a document and a passage say about themselves) and by question
understanding (what a question names), so the two always agree on names. General knowledge of the
domain, never of one document or municipality.
"""
from __future__ import annotations

import re

# --- bodies (committees) -----------------------------------------------------------------------
# The kind of body that holds a meeting, with the general Danish ways of writing it. "MED" as a
# suffix may be joined or hyphenated in any case (HovedMED, Hoved-MED, hovedmed); after a space it
# counts only in capitals ("Område MED"), because "et område med ..." is ordinary Danish; and never
# inside a longer word ("områdemedarbejder").
_MED = (r"(?:-?[Mm][Ee][Dd]|\s+MED)(?:[-‑]?(?i:udvalg)[a-zæøå]*|[’']s|s|et|ets|erne|ernes|er|'erne)?"
        r"(?![a-zæøåA-ZÆØÅ])")


def _med(prefix: str) -> str:
    return rf"\b(?i:{prefix}){_MED}"


# kind -> patterns of its name; the first kinds are the more specific ones.
BODY_KINDS: dict[str, list[str]] = {
    "HovedMED": [_med("hoved"), r"\bH-MED\b", r"\bHMU\b", r"\b(?i:hovedudvalg)[a-zæøå]*"],
    "AfdelingsMED": [_med("afdelings"), r"\bAfd\.?-?MED\b"],
    "CenterMED": [_med("cent(?:er|re)")],
    "KommuneMED": [_med("kommune"), r"\bKMU\b"],
    "SektorMED": [_med("sektor")],
    "LokalMED": [_med("lokal"), r"\bLMU\b", r"\bL-MED\b"],
    "OmrådeMED": [_med("område"), r"\bOMU\b", r"\bO-MED\b"],
    "FællesMED": [_med("fælles"), r"\bFMU\b"],
    # roman numerals only in capitals: "med 2 konsulenter" is not a committee
    "MEDIII": [r"\bMED[- ]?III\b", r"\bMED-(?i:udvalg)[a-zæøå]*\s+(?i:niveau)\s+(?:III|3)\b"],
    "MEDII": [r"\bMED[- ]?II\b", r"\bMED-(?i:udvalg)[a-zæøå]*\s+(?i:niveau)\s+(?:II|2)\b"],
    "SU": [r"\b(?i:samarbejdsudvalg)[a-zæøå]*", r"\bSU\b"],
    "AMU": [r"\b(?i:arbejdsmiljøudvalg)[a-zæøå]*", r"\bAMU\b"],
    "Byrådet": [r"\b(?i:byråd)(?:et|smødet)?\b"],
    "Kommunalbestyrelsen": [r"\b(?i:kommunalbestyrelse)[a-zæøå]*"],
    "Regionsrådet": [r"\b(?i:regionsråd)(?:et)?\b"],
    # an unqualified MED committee ("MED-udvalget for Ældre og Handicap"): the weakest claim
    "MED": [r"\bMED-(?i:udvalg)[a-zæøå]*", r"\bMED(?=\s+[A-ZÆØÅ][a-zæøå])"],
}
BODY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(p)) for kind, pats in BODY_KINDS.items() for p in pats
]
# The same kinds as before under their old name, for callers that want (name, pattern) pairs.
BODIES = BODY_PATTERNS


def body_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every body named in `text`, earliest first; a longer name wins over a
    shorter one inside it ('MED-udvalg niveau II' is MEDII, not MED)."""
    found = sorted(((m.start(), m.end(), kind) for kind, pat in BODY_PATTERNS for m in pat.finditer(text)),
                   key=lambda t: (t[0], t[0] - t[1]))
    out: list[tuple[int, int, str]] = []
    for span in found:
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out


def find_bodies(text: str) -> list[str]:
    """Kinds of body mentioned in `text`, in order of first mention."""
    seen: list[str] = []
    for _, _, kind in body_spans(text):
        if kind not in seen:
            seen.append(kind)
    return seen


# Committees of one workplace or unit, which a document may name without the unit ("SU-møde" under
# "Nørreskolen"); HovedMED, KommuneMED and the political bodies are the whole organisation's.
LOCAL_BODIES = frozenset({"SU", "AMU", "LokalMED", "AfdelingsMED", "CenterMED", "OmrådeMED", "SektorMED",
                          "FællesMED", "MED", "MEDII", "MEDIII"})
# document types as file names spell them without Danish letters
SLUG_TYPE_WORDS = frozenset({"hoeringssvar", "horingssvar", "referat", "dagsorden", "notat", "beslutningsprotokol"})

# "Nyt fra HovedMED", "Til HMU": a body the document reports on or writes to, not the one meeting ...
MENTION_BEFORE = re.compile(r"\b(?i:fra|til|om|vedr\.?|vedrørende|og|samt|med|hos)\s*$")
# ... unless the words before say it is this document's own meeting: "Referat fra LMU-møde"
OWN_MEETING_BEFORE = re.compile(
    r"\b(?i:referat\w*|dagsorden\w*|beslutningsprotokol\w*|høringssvar\w*|notat)\s+(?i:fra|til|af|for)\s*$")

# --- people -------------------------------------------------------------------------------------
# A person is written as two to four capitalised words ("Lise Mørk", "Anne-Mette Due Holm"); one pattern
# for the participant list, the passages and the questions (a passage may break a name across a line).
NAME_PART = r"[A-ZÆØÅ][a-zæøåéüö]+(?:-[A-ZÆØÅ][a-zæøåéüö]+)?"
PERSON = re.compile(rf"\b{NAME_PART}(?:\s+{NAME_PART}){{1,3}}\b")
# in a question, not a run that opens a sentence: there every word is capitalised
_PERSON_ASKED = re.compile(rf"(?<!^)(?<![.?!]\s)\b{NAME_PART}(?:\s+{NAME_PART}){{1,3}}\b")


# words that make a capitalised run a place or an organisation ("Vestkyst Kommunes personaledag")
_NOT_A_PERSON = frozenset({"kommune", "kommunes", "region", "regions", "regionen", "regionens", "hospital",
                           "hospitalet", "hospitals", "hospitalets", "sygehus", "sygehuset", "sygehusets"})


def persons_asked(question: str) -> list[str]:
    """The people a question names ("Hvad sagde Lise Mørk om …?" names Lise Mørk; "Vestkyst Kommune" no one)."""
    return [m for m in _PERSON_ASKED.findall(question) if not _NOT_A_PERSON & set(m.lower().split())]


# --- organisations: municipality, region, hospital -----------------------------------------------
REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
# capitalised words that stand before "Kommune" without being its name ("Hver Kommune")
NOT_A_PLACE = frozenset({"Den", "Denne", "Hver", "Vores", "Jeres", "Din", "Egen", "Hele", "Nye", "Samme",
                         "Anden", "Til", "Fra", "Af", "I", "Og", "Nyt", "Ny", "En", "Én", "Som", "Fra"})
MUNICIPALITY = re.compile(rf"\b((?:{NAME_PART}\s)?{NAME_PART})\s+Kommune\b")
REGION = re.compile(rf"\bRegion\s+({'|'.join(REGIONS)})\b")
HOSPITAL = re.compile(rf"\b((?:Regionshospitalet|Sygehus|Hospitalet|Hospital)\s+{NAME_PART}(?:\s{NAME_PART})?)")

_PLACE_WORDS = frozenset({"kommune", "region"})


def names_place(text: str, place: str) -> bool:
    """Whether a text names a municipality or region the index knows ("i Vestkyst", "Vestkysts
    personaledag" and "Vestkyst Kommune" name Vestkyst Kommune; "i København" names Københavns Kommune):
    every word of its name, a genitive s aside."""
    def bare(w: str) -> str:
        return w[:-1] if w.endswith("s") and len(w) > 3 else w
    name = {bare(w) for w in re.findall(r"[\w-]+", place.lower()) if w not in _PLACE_WORDS}
    return bool(name) and name <= {bare(w) for w in re.findall(r"[\w-]+", text.lower())}


_UNIT_FILLER = frozenset({"for", "og", "i", "af", "&", "-", "–"})
_BODY_WORD = re.compile(r"\w*med(?:ii?|s|erne|et)?|udvalg\w*")  # medii, centermed, hovedmeds, med-udvalget


def names_unit(text: str, committee: str) -> bool:
    """Whether a text names a committee by its area: every word of its name but the kind of body and the
    fillers, at least two of them ("Sundhed og Omsorg" names "Center-MED Sundhed og Omsorg", "Ældre og
    Handicap" the "MED-udvalget for Ældre og Handicap"; a bare "MED-udvalg" names no area)."""
    name = {w for w in re.findall(r"[\w-]+", committee.lower()) if w not in _UNIT_FILLER
            and not any(_BODY_WORD.fullmatch(part) for part in w.split("-"))}
    return len(name) >= 2 and name <= set(re.findall(r"[\w-]+", text.lower()))


# --- the head of a document: chrome, labels, dates ------------------------------------------------
# Words of a web page's chrome (toolbars, cookie banners, share links, site menus): a line made
# mostly of them is navigation, never a title.
NAV_WORDS = frozenset({
    "accepter", "afvis", "nødvendige", "cookies", "cookie", "indstillinger", "læs", "mere", "gå", "til",
    "indhold", "hovedindhold", "udskriv", "print", "hent", "download", "del", "på", "facebook", "linkedin",
    "twitter", "x", "mail", "e-mail", "send", "fold", "ud", "ind", "alle", "luk", "åbn", "menu", "søg",
    "søgning", "forside", "log", "tilbage", "toppen", "abonnér", "abonner", "rss", "pdf", "borger",
    "erhverv", "politik", "kontakt", "om", "kommunen", "job", "privatlivspolitik",
    "tilgængelighedserklæring", "kun", "som", "referatet", "dagsordenen", "siden", "vis", "skjul",
    "lyt", "oplæsning", "skip", "english", "dansk",
})
NAV_MARK = re.compile(r"cookie|[›»]|\s>\s|\bgå til (?:hoved)?indhold\b", re.I)
# "Mødedato: ...", "Sted | ...", "MØDEDATO 25. november": a row of metadata, not a heading
LABEL = re.compile(
    r"^(?:møde)?(?:dato|tid|sted|tidspunkt|deltagere|til stede|fraværende|afbud|referent|mødeleder|"
    r"udsendt|offentliggjort|fra|til|cc|sagsnr|sags nr|j\.\s?nr|journalnr|udvalg|kommune|forum|emne|"
    r"vedr|vedrørende|dato og tid|tid og sted|indkaldt|øvrige|gæster|kopi|møde|mødeforum|sendt|"
    r"sagsbehandler)\b\.?\s*(?:[:|]|\s(?=\S))",
    re.I,
)
ADDRESS_LABEL = re.compile(r"^(?i:til|cc|kopi|modtager\w*|fra|afsender)\s*:")  # who receives it, not who met
SUBJECT = re.compile(r"^(?:emne|subject|vedr\.?|vedrørende)\s*[:|]\s*(?:(?:vs|sv|re|fw|fwd)\s*:\s*)*(.+)$", re.I)
MEETING_DATE_LABEL = re.compile(
    r"\b(?:mødedato|mødedag|dato og tid|dato|tid og sted|tidspunkt|afholdt|holdt|"
    r"(?:referat|dagsorden|beslutningsprotokol)\s+(?:fra|af|for|til)\s+(?:møde|mødet)\w*|"
    r"møde(?:t)?\s+(?:den|d\.))",
    re.I,
)
NOT_MEETING_DATE = re.compile(
    r"\b(?:udsendt|offentliggjort|udskrevet|printet|frist|oprettet|revideret|opdateret|senest|"
    r"næste møde|sendt|godkendt den|journaliseret)\b",
    re.I,
)
WEEKDAY = re.compile(r"^\W*(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\b", re.I)

# --- document types ----------------------------------------------------------------------------
DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("høringssvar", re.compile(r"høringssvar", re.IGNORECASE)),
    ("notat", re.compile(r"\bnotat\b", re.IGNORECASE)),
    ("referat", re.compile(r"\breferat\w*|\bbeslutningsprotokol\w*|\bprotokol\b", re.IGNORECASE)),
    ("dagsorden", re.compile(r"\bdagsorden\w*|\bindkaldelse\b", re.IGNORECASE)),
]
# a line that is only the type word: "Referat", "NOTAT", "Dagsorden:"
BARE_TYPE = re.compile(r"^(?:referat|dagsorden|notat|beslutningsprotokol|protokol|høringssvar|indkaldelse)\s*:?$",
                       re.I)
# The labels of an agenda item's sub-sections ("Sagsfremstilling", "Beslutning"): a line of its own, or the
# first cell of a table row ("Beslutning | Godkendt."), in the agenda systems' layouts.
SUBSECTION_LABELS = (
    "anledning", "resumé", "resume", "sagsfremstilling", "sagsbeskrivelse", "indstilling", "beslutning",
    "bilag", "baggrund", "økonomi", "konklusion", "opfølgning", "drøftelse", "orientering",
    "direktionen indstiller", "formanden indstiller", "referat", "sagsnummer", "tidligere beslutninger", "aftale",
)
# The standing first item of nearly every agenda, numbered or not: where a document's head ends.
FIRST_ITEM = re.compile(r"^godkendelse af (?:dagsorden|referat)\w*(?: og (?:dagsorden|referat)\w*)?$", re.I)


# The case-number line agenda systems print under an item heading ("Sagsnr.: 23/04410", "J.nr. 81.38.00").
CASE_LINE = re.compile(r"^(?:sags?\s*(?:nr|nummer|id)|j\.\s*nr|journal\s*nr|dok(?:ument)?\.?\s*nr)\b", re.I)


def is_subsection_label(text: str) -> bool:
    """Whether a short text is a sub-section label alone ("Beslutning", "Drøftelse:")."""
    return text.strip().rstrip(":").strip().lower() in SUBSECTION_LABELS


# What a minute records and an agenda leaves open: "Beslutning: Godkendt." vs an empty "Beslutning:".
DECISION_LABEL = re.compile(
    r"^\W*(?:beslutning(?:er)?|konklusion(?:er)?|afgørelse|udvalgets beslutning|aftaler?(?=\s*:))\b[^:\n]{0,30}:?"
    r"\s*(.*)$", re.I)  # (a MED committee agrees: "Aftale: ..."; "Aftale om hjemmearbejde" is a title)
DECIDED_LINE = re.compile(r"^\W*(?:godkendt|taget til efterretning|vedtaget|tiltrådt|drøftet)\b[^\n]{0,60}\.\s*$",
                          re.I)
PLACEHOLDER = re.compile(r"^[\W_]*(?:udfyldes\b.*|tbd|-+|…+|\.+)?[\W_]*$", re.I)
# How a question names a document type. "Referat" is left out: it is what nearly every document is,
# so a question saying "i referatet" narrows nothing.
DOC_TYPE_WORDS: dict[str, re.Pattern[str]] = {
    "høringssvar": re.compile(r"\bhøringssvar\w*", re.I),
    "notat": re.compile(r"\bnotat\w*", re.I),
    "dagsorden": re.compile(r"\bdagsorden(en)?\b", re.I),
}

# --- speaker sides -----------------------------------------------------------------------------
# One pattern per side, for passages (who speaks in it) and questions (whose view is asked for).
# Checked in this order when a question names one side.
SIDES: dict[str, re.Pattern[str]] = {
    "medarbejdersiden": re.compile(
        r"\b(medarbejder-?\s?siden?s?|b-siden|medarbejderrepræsentant\w*|personalerepræsentant\w*|"
        r"medarbejdernes repræsentanter|lønmodtagersiden)\b", re.IGNORECASE),
    "ledelsen": re.compile(r"\b(ledelsen|ledelsessiden|ledelses-?\s?siden|a-siden|ledelsens|arbejdsgiversiden)\b",
                           re.IGNORECASE),
    "amr": re.compile(r"\b(amr|arbejdsmiljørepræsentant\w*|sikkerhedsrepræsentant\w*)\b", re.IGNORECASE),
    "tr": re.compile(r"\b(f?tr|tr'erne|(?:fælles)?tillidsrepræsentant\w*|tillidsfolk\w*)\b", re.IGNORECASE),
    "næstformand": re.compile(r"\b(næstformand\w*|næstforperson\w*)\b", re.IGNORECASE),
    "formand": re.compile(r"\b(formand(?:en)?|forperson(?:en)?)\b", re.IGNORECASE),
    "centermed": re.compile(_med("cent(?:er|re)")),
}
# Sides a question can ask for by name; a CenterMED in a question is a body, not a side.
QUESTION_SIDES = ("medarbejdersiden", "ledelsen", "amr", "tr", "næstformand", "formand")
# The sides that are one person's post, held by someone chosen to it.
ROLES = ("tr", "amr", "formand", "næstformand")
SIDE_LABELS = {
    "medarbejdersiden": "Medarbejdersiden",
    "ledelsen": "Ledelsen",
    "formand": "Formanden",
    "næstformand": "Næstformanden",
    "amr": "Arbejdsmiljørepræsentant (AMR)",
    "tr": "Tillidsrepræsentant (TR)",
    "centermed": "CenterMED",
}


def find_sides(text: str) -> tuple[str, ...]:
    """Sides whose voice the passage reports (named in it), e.g. ('medarbejdersiden', 'ledelsen')."""
    return tuple(side for side, pat in SIDES.items() if pat.search(text))


def detect_side(text: str) -> str | None:
    """The side a question asks about, if it names one."""
    return next((side for side in QUESTION_SIDES if SIDES[side].search(text)), None)


def names_role(word: str) -> bool:
    """ "næstformand", "AMR", "tillidsrepræsentanten": a post one person holds."""
    return any(SIDES[r].fullmatch(word) for r in ROLES)


# --- decisions ---------------------------------------------------------------------------------
DECIDED = re.compile(r"\b(godkend\w*|besluttede|besluttet|vedtaget|vedtog|tiltrådt|taget til efterretning)\b", re.I)

# --- abbreviations and synonyms ----------------------------------------------------------------
# Abbreviations used in Danish municipal and MED work, with what they stand for.
GLOSSARY: dict[str, list[str]] = {
    "amr": ["arbejdsmiljørepræsentant", "sikkerhedsrepræsentant"],
    "tr": ["tillidsrepræsentant", "tillidsfolk"],
    "med": ["medindflydelse medbestemmelse", "MED-udvalg"],
    "apv": ["arbejdspladsvurdering"],
    "mus": ["medarbejderudviklingssamtale"],
    "grus": ["gruppeudviklingssamtale"],
    "kl": ["Kommunernes Landsforening", "kommunernes interesseorganisation"],
    "bif": ["Beskæftigelses- og Integrationsforvaltningen", "beskæftigelsesforvaltningen"],
    "sof": ["Socialforvaltningen"],
    "biu": ["Beskæftigelses- og Integrationsudvalget"],
    "sud": ["Socialudvalget"],
    "øu": ["Økonomiudvalget"],
    "øk": ["Økonomiudvalget"],
    "hr": ["personaleafdeling"],
    "it": ["informationsteknologi"],
    "ok": ["overenskomst"],
    "lsu": ["lokalt samarbejdsudvalg"],
    "hsu": ["hovedsamarbejdsudvalg"],
    "hmu": ["hovedmedudvalg", "HovedMED"],
    "ams": ["arbejdsmiljøudvalg"],
    "df": ["Dansk Folkeparti"],
    "sf": ["Socialistisk Folkeparti"],
    "ft": ["Folketinget"],
    # unions: a role's qualifier ("DSR's tillidsrepræsentant"), often left out where the person speaks
    "dsr": ["Dansk Sygeplejeråd", "sygeplejerskerne"],
    "foa": ["FOA Fag og Arbejde", "social- og sundhedsassistenterne"],
    "hk": ["HK Kommunal"],
    "bupl": ["pædagogerne"],
    "dlf": ["Danmarks Lærerforening", "lærerne"],
    "3f": ["Fagligt Fælles Forbund"],
}
# Words people use for the same role or thing in this domain.
SYNONYMS: list[tuple[str, ...]] = [
    ("sikkerhedsrepræsentant", "arbejdsmiljørepræsentant"),
    ("tillidsfolk", "tillidsrepræsentant"),
    ("personalerepræsentant", "medarbejderrepræsentant", "medarbejdersiden"),
    ("arbejdsløse", "ledige"),
    ("penge", "kr", "mio", "budget"),
    ("hjemmearbejde", "arbejde hjemme", "hjemmearbejdsdag"),
    ("jobcentret", "jobcenter"),
    ("chef", "leder"),
]
