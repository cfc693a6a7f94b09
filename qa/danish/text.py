"""Danish text analysis for the lexical channel: tokens, stop words, Snowball stems, sentences.

Kept apart from storage and ranking (as bm25s keeps its tokenizer apart) so that the index and
the query are always analysed the same way.
"""
from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

# Letters include æ, ø, å and accented forms; numbers keep their inner separators (3.500, 1,3).
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+", re.UNICODE)

# Function words and question words that say nothing about the topic of a Danish question.
STOP_WORDS = frozenset(
    """
    af alle alt altid andet andre at bare blev blive bliver da de dem den denne dens der deres
    derfor det dette dig din dine disse dit du efter eller en end er et for fra før ham han hans
    har havde have hende hendes her hos hun hvad hvem hvor hvordan hvorfor hvornår hvilke hvilken
    hvilket hvis i ikke ind ingen intet jeg jer jeres kan kom kommer kunne man mange med meget men
    mig min mine mit mod må måtte ned nej noget nogle nu når og også om op os over på sig sin sine
    sit skal skulle som så sådan til ud under var vi vil ville vor vores være været blevet hele
    hvilket hos dog mv fx bl ca dvs osv iflg ifm ift jf pt sagde siger sagt nævnte nævner
    """.split()
)

_stemmer = Stemmer.Stemmer("danish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens."""
    return [t.lower() for t in _TOKEN.findall(text)]


def terms(text: str) -> list[str]:
    """Stemmed content terms: what the lexical index stores and the query matches."""
    return list(_terms(text))


@lru_cache(maxsize=100_000)
def _terms(text: str) -> tuple[str, ...]:
    """Cached: ranking reads the terms of each candidate sentence several times per question (coverage,
    answer checks, the shown sentence), and recurring topics bring the same passages back."""
    return tuple(stem(t) for t in tokens(text) if t not in STOP_WORDS and (len(t) > 1 or t.isdigit()))


# Sentence boundaries: end punctuation followed by space and a capital/digit/bullet, or line breaks
# between list items (a list number has at most three digits: "april\n2023. Næste møde" wraps a date, it
# does not start item 2023). Abbreviations common in Danish minutes do not end a sentence.
_ABBREV = re.compile(r"\b(?:ca|bl\.a|fx|f\.eks|mht|pga|jf|kr|mio|mia|nr|pkt|d|kl|st|hhv|inkl|ekskl|evt|ift|ifm|mv|osv|dvs|iht|vedr|ang|tlf|dir)\.$", re.I)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+(?=[\"“«(]?[A-ZÆØÅ0-9•\-])|\n\s*\n|\n(?=\s*(?:[-•*\uf0b7]|\d{1,3}\.)\s)")


_LIST_NUMBER = re.compile(r"\d{1,3}\.")  # alone at a line's start ("1."), it belongs to its item's text


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of a passage, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(0).strip() == "" and (
                _ABBREV.search(text[max(0, m.start() - 8): m.start()])
                or _LIST_NUMBER.fullmatch(text[text.rfind("\n", 0, m.start()) + 1: m.start()].strip())):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [p for p in (trimmed(text, s, e) for s, e in spans) if p[1] > p[0]]


def trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    """The span (a, b) of `text` without its surrounding white space."""
    seg = text[a:b]
    return a + len(seg) - len(seg.lstrip()), a + len(seg.rstrip())
