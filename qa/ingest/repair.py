"""Repair of PDF-extraction damage in Danish text, keeping an exact map back to the source.

Three kinds of damage are repaired, in this order:

1. page furniture: lone page numbers, "Side 3/3", rules of "_ _ _", and header/footer lines
   that repeat at page edges are dropped;
2. end-of-line hyphenation: "Ledelses-\\nsiden" -> "Ledelsessiden" (a real compound hyphen
   such as "MED-\\nudvalg" or the suspended "job-\\nog" is kept);
3. letter spacing: "udm øntning af om lægningen" -> "udmøntning af omlægningen".

Every repair is a *deletion* of source characters (spaces, a hyphen and line break, a whole
line).  The output is therefore a subsequence of the source, and ``offsets[i]`` is simply the
source index of output character ``i``: citations made on the repaired text map back exactly.

Letter-spacing is decided by a small noisy-channel model rather than by lists of exceptions.
Reading "a b", either the writer wrote two words (probability P(a)·P(b)) or one word "ab" into
which the extractor put a spurious space (P(ab)·r).  Word probabilities come from wordfreq's
Danish list, from the corpus's own vocabulary (a joined form that occurs intact elsewhere is
strong evidence: damage only ever splits words), from compound analysis (Danish compounds are
mostly absent from frequency lists) and, for unknown strings, from a per-character model.
The damage rate r is not a constant: it is estimated from the unambiguous repairs (those where
a fragment is no word at all) near the spot, and from what this document's damage looks like
(the letters after which its extractor breaks words, the width of its spurious spaces).  In clean text r is tiny, so real pairs such as "og så" or
"i de" are left alone; in a damaged paragraph r is large enough to re-join "om lægningen".
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from qa.ingest.furniture import furniture_deletions, text_lines

__all__ = ["Repaired", "repair", "to_source", "word_counts", "deleted_spans"]


@dataclass(frozen=True)
class Repaired:
    """Repaired text plus the source index of every output character.

    ``offsets`` has ``len(text) + 1`` entries; the last is ``len(original)`` so that an
    end-exclusive span can always be mapped.
    """

    text: str
    offsets: list[int]
    joins: int  # letter-spacing joins made (spaces removed inside a word)
    dehyphenations: int
    furniture_lines: int  # lines dropped as page furniture


# ---------------------------------------------------------------------------------------------
# Word knowledge
# ---------------------------------------------------------------------------------------------

_LETTERS = r"[^\W\d_]"
_WORD_RE = re.compile(rf"{_LETTERS}+(?:-{_LETTERS}+)*")
SINGLE_LETTER_WORDS = frozenset("iåø")  # the only one-letter words of running Danish text
# Productive Danish suffixes that never stand alone, so no word list has them as words.
BOUND_MORPHEMES = {"mæssig": 3.5, "mæssigt": 3.5, "mæssige": 3.5}

# Model constants (log10 units, "zipf" scale = log10 of frequency per 10^9 words).
# An unknown string scores UNK_BASE - UNK_PER_CHAR * len.  UNK_BASE is the cost of starting a
# new unknown word: two unknown fragments are joined exactly when 9 + log10(r) > UNK_BASE, i.e.
# when r > 10^-3, which holds in a damaged paragraph and not in clean text.  The per-letter
# slope is far gentler than a random-letter model's (log10 28 = 1.45): long unlisted words
# (Danish compounds, inflections) stay plausible words, while a known word glued to an unknown
# one still scores lower than the two apart.
UNK_BASE = 6.0
UNK_PER_CHAR = 1.0
COMPOUND_BONUS = 0.0  # P(h+t as one compound) relative to P(h)·P(t): no bonus, to stay cautious
PART_CAP = 5.0  # a part's credit in a compound: "det", "for" are common as words, not as parts
INFLECTION_COST = 1.0  # an inflected form of a listed word that the list itself lacks
# Danish inflectional endings (nouns, verbs, adjectives), longest first.  The small wordfreq
# list lacks many inflected forms ("rådgivninger", "vedlagte"); a form whose stem is listed is a
# word, not a fragment.
INFLECTIONS = ("erne", "ende", "este", "ene", "ede", "ere", "ens", "ets", "en", "et", "er", "ne", "de", "te", "es",
               "s", "e", "t", "r", "n")
UNLISTED_CAP = 2.9  # wordfreq's Danish list holds every word with zipf >= 3: others are rarer
MIN_HEAD_Z = 2.5  # a compound's first part must be a real, not-too-rare word
SHORT_HEAD_Z = 4.5  # ... and a short one (<= 4 letters) a common word: short strings match by chance
LONE_LETTER_Z = UNK_BASE - UNK_PER_CHAR  # a lone consonant is no word: an unknown 1-letter string
VOCAB_BASE = 3.0  # a form the corpus contains intact, seen once
R_PRIOR = 1e-6  # spurious-space rate in clean text, per letter: clean PDFs practically never have one
R_PRIOR_WEIGHT = 300.0  # pseudo-letters behind that prior
R_WINDOW = 300  # characters each side that say whether we are in a damaged region
R_MIN, R_MAX = 1e-6, 0.3
PROFILE_PSEUDO = 5.0  # pseudo-count for the per-letter break profile
EVIDENCE_R = 0.05  # rate assumed when looking for unambiguous damage in the first pass
NAME_LIKE_Z = 5.0  # below this, a capitalised listed word is scored as a possible unknown name
NAME_Z = 3.0  # ... namely as a word at the list's floor
MAX_GROUP = 6  # tokens joined into one word at most
MAX_WORD = 45  # characters of a joined word at most


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    """wordfreq's Danish list as {word: zipf}; loaded once (it ships with the package, offline)."""
    from wordfreq import get_frequency_dict

    return {w: math.log10(f) + 9.0 for w, f in get_frequency_dict("da").items() if f > 0}


def word_counts(text: str) -> Counter[str]:
    """Counts of the words of ``text`` (hyphenated forms and their parts both counted).

    Summed over a corpus this is the ``vocabulary`` that :func:`repair` accepts.
    """
    c: Counter[str] = Counter()
    for m in _WORD_RE.finditer(text):
        w = m.group()
        c[w] += 1
        if "-" in w:
            c.update(p for p in w.split("-") if p)
    return c


_LOWER_CACHE: dict[int, tuple[Counter, int, Counter]] = {}


def _lowercased(vocabulary: Counter[str]) -> Counter[str]:
    """The vocabulary with lowercased keys; remembered for the last few corpus vocabularies,
    since one corpus Counter is typically passed for every document of an index run."""
    key = id(vocabulary)
    hit = _LOWER_CACHE.get(key)
    if hit is not None and hit[0] is vocabulary and hit[1] == len(vocabulary):
        return hit[2]
    low: Counter[str] = Counter()
    for w, n in vocabulary.items():
        low[w.lower()] += n
    if len(_LOWER_CACHE) >= 4:
        _LOWER_CACHE.pop(next(iter(_LOWER_CACHE)))
    _LOWER_CACHE[key] = (vocabulary, len(vocabulary), low)
    return low


class _Lexicon:
    """Scores of words (zipf scale) from wordfreq, compounds, the corpus and a character model.

    Every string gets a score, so that "a b" and "ab" are compared on one scale.  A compound
    is scored as the product of its parts' probabilities (zipf sum - 9), each part's credit
    capped: so joining two known words into their compound never pays, whatever the words,
    and compounds only help where a fragment is no word ("uddannelsesm idler").
    """

    def __init__(self, vocabulary: Counter[str]):
        self.zipf = _zipf_table()
        self.vocab = _lowercased(vocabulary)
        self._compound: dict[str, float | None] = {}
        self._joined: dict[str, float] = {}
        top = max(self.vocab.values(), default=1)
        self.max_score = max(max(self.zipf.values(), default=0.0), VOCAB_BASE + 0.5 * math.log10(max(top, 1)),
                             LONE_LETTER_Z, UNK_BASE)

    def vocab_count(self, word: str) -> int:
        """Occurrences in the vocabulary in any casing ("CenterMEDs" counts for "centermeds")."""
        return self.vocab.get(word.lower(), 0)

    def listed(self, w: str) -> float | None:
        z = self.zipf.get(w)
        return z if z is not None else BOUND_MORPHEMES.get(w)

    def _head(self, head: str) -> float | None:
        """A compound's first part: a listed word, possibly with a linking s or e."""
        z = self.zipf.get(head)
        if z is None and len(head) >= 4 and head[-1] in "se":
            stem = head[:-1]
            z = self.zipf.get(stem)
            if z is None and head[-1] == "s":
                z = self.zipf.get(stem + "e")  # arbejde -> arbejds-
        if z is None or z < (MIN_HEAD_Z if len(head) > 4 else SHORT_HEAD_Z):
            return None
        return min(z, PART_CAP)

    def compound(self, w: str) -> float | None:
        """Best reading of ``w`` as head + tail with a known tail; None if there is none."""
        best: float | None = None
        if len(w) >= 6:
            for i in range(3, len(w) - 2):
                zh = self._head(w[:i])
                if zh is None:
                    continue
                zt = self.known(w[i:])
                if zt is None:
                    continue
                score = zh + min(zt, PART_CAP) - 9.0 + COMPOUND_BONUS
                if best is None or score > best:
                    best = score
        return best

    def known(self, w: str) -> float | None:
        """Score from word knowledge alone (not the corpus); None for a string that is no word.

        A word is listed, an inflected form of a listed word, or a compound whose last part is
        a word in this same sense, so that "målgruppernes" and "målgruppernesbehov" are read
        with the same morphology and compared fairly.
        """
        if w in self._compound:
            return self._compound[w]
        z = self.listed(w)
        if z is None:
            for suffix in INFLECTIONS:
                if not w.endswith(suffix) or len(w) - len(suffix) < (3 if len(suffix) > 1 else 4):
                    continue
                base = self.zipf.get(w[: -len(suffix)])
                if base is not None and (z is None or base - INFLECTION_COST > z):
                    z = base - INFLECTION_COST
            zc = self.compound(w)
            if zc is not None and (z is None or zc > z):
                z = zc
            if z is not None:
                z = min(z, UNLISTED_CAP)
        self._compound[w] = z
        return z

    def is_word(self, w: str) -> bool:
        if len(w) == 1:
            return w in SINGLE_LETTER_WORDS
        return self.known(w) is not None

    def token(self, w: str) -> float:
        """Score of a token as it stands (lowercase)."""
        if len(w) == 1 and w not in SINGLE_LETTER_WORDS:
            return min(self.zipf.get(w, LONE_LETTER_Z), LONE_LETTER_Z)
        z = self.known(w)
        if z is None:
            z = UNK_BASE - UNK_PER_CHAR * len(w)
        if len(w) >= 3:  # seen elsewhere in the corpus: a word, or at least a recurring string
            n = self.vocab_count(w) - 1  # minus this occurrence
            if n > 0:
                z = max(z, VOCAB_BASE + 0.5 * math.log10(n))
        return z

    def joined(self, w: str) -> float:
        """Score of a joined form: as a token, raised if the corpus holds it intact."""
        if w in self._joined:
            return self._joined[w]
        z = self.known(w)
        if z is None:
            z = LONE_LETTER_Z if len(w) == 1 else UNK_BASE - UNK_PER_CHAR * len(w)
        n = self.vocab_count(w)
        if n:
            z = max(z, VOCAB_BASE + 0.5 * math.log10(n))
        self._joined[w] = z
        return z

    def joined_bound(self, w: str) -> float:
        """An upper bound of :meth:`joined` from two dictionary look-ups."""
        if w in self._joined:
            return self._joined[w]
        z = self.listed(w)  # else: an unlisted word (<= UNLISTED_CAP) or an unknown string
        if z is None:
            z = max(UNLISTED_CAP, LONE_LETTER_Z if len(w) == 1 else UNK_BASE - UNK_PER_CHAR * len(w))
        n = self.vocab.get(w, 0)
        return max(z, VOCAB_BASE + 0.5 * math.log10(n)) if n else z

    def joined_known(self, w: str) -> bool:
        return self.known(w) is not None or self.vocab_count(w) > 0


# ---------------------------------------------------------------------------------------------
# Edits as deletions, and the offset map
# ---------------------------------------------------------------------------------------------


def _apply(text: str, offsets: list[int], deletions: Iterable[tuple[int, int]]) -> tuple[str, list[int]]:
    """Delete the [start, end) ranges of ``text``; carry each kept char's source index along."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    pos = 0
    for s, e in sorted(deletions):
        if s < pos:  # overlapping ranges: keep the union
            s = pos
        if e <= s:
            continue
        pieces.append(text[pos:s])
        new_offsets.extend(offsets[pos:s])
        pos = e
    pieces.append(text[pos:])
    new_offsets.extend(offsets[pos:])  # includes the final sentinel
    return "".join(pieces), new_offsets


def to_source(r: Repaired, start: int, end: int) -> tuple[int, int]:
    """Map the output span [start, end) to the smallest source span that contains its characters.

    Characters deleted inside the span (a spurious space, a hyphen, a dropped footer) are
    inside the source span too; deletions just outside it are not.
    """
    n = len(r.text)
    if not 0 <= start <= end <= n:
        raise ValueError(f"span [{start}, {end}) outside repaired text of length {n}")
    if start == end:
        return r.offsets[start], r.offsets[start]
    return r.offsets[start], r.offsets[end - 1] + 1


def deleted_spans(r: Repaired) -> list[tuple[int, int, int]]:
    """(source_start, source_end, output_index) of every source range the repair removed."""
    out = []
    prev = -1
    for i, o in enumerate(r.offsets):
        if o > prev + 1:
            out.append((prev + 1, o, i))
        prev = o
    return out


# ---------------------------------------------------------------------------------------------
# 2. End-of-line hyphenation
# ---------------------------------------------------------------------------------------------

_HYPHEN_BREAK_RE = re.compile(
    rf"(?P<left>{_LETTERS}+)(?P<hy>[-\u00ad\u2010])[ \t\r]*\n(?:[ \t\r\f]*\n){{0,2}}[ \t\f]*(?P<right>{_LETTERS}+)"
)
SUSPENDED_NEXT = frozenset({"og", "eller", "samt", "el", "hhv", "henholdsvis", "resp", "såvel", "som", "men"})


def _dehyphenate(text: str, lex: _Lexicon) -> tuple[list[tuple[int, int]], int]:
    """Join words broken at a line end.

    Kept as is: a suspended hyphen ("job-\\nog virksomhedskonsulenter"), a hyphen before a
    capital or after an acronym or single letter ("BIF-\\nSOF", "MED-\\nudvalg", "A-\\nkasse"),
    a hyphen inside a hyphenated chain ("BIF-SOF-\\nanalysen"), and a form the corpus spells
    with the hyphen and never without.  Otherwise the hyphen is removed when the joined form
    is known, a compound of known words, or when a fragment is no word by itself.
    """
    deletions = []
    for m in _HYPHEN_BREAK_RE.finditer(text):
        left, right, hy = m.group("left"), m.group("right"), m.group("hy")
        start = m.start("left")
        if hy == "\u00ad":  # a soft hyphen is by definition a line-end break
            deletions.append((m.start("hy"), m.start("right")))
            continue
        before = text[start - 1] if start > 0 else ""
        if before == "-" or before.isdigit():
            continue
        if right.lower() in SUSPENDED_NEXT or not right[0].islower():
            continue
        if len(left) == 1 or (left.isupper() and len(left) > 1):
            continue
        joined = (left + right).lower()
        hyphened = f"{left}-{right}"
        if lex.vocab_count(hyphened) and not lex.vocab_count(joined):  # the corpus's own spelling
            continue
        plausible = lex.joined_known(joined) or not (lex.is_word(left.lower()) and lex.is_word(right.lower()))
        if plausible:
            deletions.append((m.start("hy"), m.start("right")))
    return deletions, len(deletions)


# ---------------------------------------------------------------------------------------------
# 3. Letter spacing
# ---------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^\s]+")
_CORE_RE = re.compile(rf"^(?P<pre>[^\w]*)(?P<core>{_LETTERS}+)(?P<post>[^\w]*)$")
_GAP_RE = re.compile(r"^[ \u00a0]{1,3}$")


@dataclass
class _Tok:
    start: int  # of the core, in the text
    end: int
    core: str
    pre: str
    post: str
    gap: int = 0  # width of the space run before this token (0 for a run's first token)


def _runs(text: str) -> list[list[_Tok]]:
    """Maximal runs of tokens, within one line, between which a join is allowed at all.

    A join needs letters on both sides with nothing but 1-3 spaces between, no punctuation at
    the seam, and a case pattern a split word can have: the right part lowercase (or both parts
    in capitals).  A capital after a space starts a name or a sentence, never a fragment, and a
    lone letter with a full stop ("d. 4. nov.") is an abbreviation.
    """
    runs: list[list[_Tok]] = []
    for ls, _, line in text_lines(text):
        cur: list[_Tok] = []
        prev_end = None
        for m in _TOKEN_RE.finditer(line):
            cm = _CORE_RE.match(m.group())
            tok = None
            if cm:
                st = ls + m.start() + len(cm.group("pre"))
                tok = _Tok(st, st + len(cm.group("core")), cm.group("core"), cm.group("pre"), cm.group("post"))
            gap = line[prev_end : m.start()] if prev_end is not None else ""
            ok = (
                tok is not None
                and cur
                and _GAP_RE.match(gap)
                and not cur[-1].post
                and not tok.pre
                and not (len(tok.core) == 1 and tok.post.startswith("."))
                and _case_ok(cur[-1].core, tok.core)
            )
            if ok:
                tok.gap = len(gap)  # type: ignore[union-attr]
                cur.append(tok)  # type: ignore[arg-type]
            else:
                if len(cur) > 1:
                    runs.append(cur)
                cur = [tok] if tok is not None else []
            prev_end = m.end()
        if len(cur) > 1:
            runs.append(cur)
    return runs


def _case_ok(left: str, right: str) -> bool:
    if left.isupper() and right.isupper():
        return True
    if not right.islower():
        return False
    return len(left) == 1 or not left.isupper()  # "MED udvalg": an acronym, then a word


def _segment(run: list[_Tok], lex: _Lexicon, gain: list[float]) -> list[tuple[int, int]]:
    """Best grouping of the run's tokens into words (Viterbi); ``gain[k]`` is the log-odds
    bonus for joining across the gap after token k (9 + log10 r).  Returns (i, j) groups.

    A group in capitals must form a known word: runs of acronyms ("TR HK") are common and
    no frequency list can vouch for them.
    """
    n = len(run)
    best = [0.0] + [-math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, max(0, j - MAX_GROUP) - 1, -1):  # the token alone first: a bound to beat
            if j - i > 1 and best[i] + lex.max_score + sum(gain[i : j - 1]) <= best[j]:
                continue  # no word, however common, could make this group win
            if j - i == 1:
                core = run[i].core
                score = lex.token(core.lower())
                if len(core) > 1 and core[0].isupper() and core[1:].islower() and score < NAME_LIKE_Z:
                    # a capitalised rare word ("Got", "Christ") is most likely a name or part of
                    # one: the list's frequency of the common word says little about it
                    score = min(score, NAME_Z)
            else:
                raw = "".join(t.core for t in run[i:j])
                word = raw.lower()
                if len(word) > MAX_WORD:
                    continue
                gains = sum(gain[i : j - 1])
                if best[i] + lex.joined_bound(word) + gains <= best[j]:
                    continue  # cheap test before the morphology
                if raw.isupper() and not lex.joined_known(word):
                    continue
                score = lex.joined(word) + gains
            if best[i] + score > best[j]:
                best[j], back[j] = best[i] + score, i
    groups = []
    j = n
    while j > 0:
        groups.append((back[j], j))
        j = back[j]
    return groups[::-1]


def _is_clear(run: list[_Tok], i: int, j: int, lex: _Lexicon) -> bool:
    """An unambiguous repair: the joined form is a word and some fragment is none."""
    word = "".join(t.core for t in run[i:j]).lower()
    return lex.joined_known(word) and any(not lex.is_word(t.core.lower()) for t in run[i:j])


def _profile(observed: Counter, background: Counter) -> dict:
    """How much likelier a spurious space is at a seam with this feature than at an average one.

    ``observed`` counts the feature at unambiguous repairs, ``background`` at all candidate
    seams; smoothed towards 1 so that a handful of repairs cannot make a feature decisive.
    """
    n_obs, n_bg = sum(observed.values()), sum(background.values())
    out = {}
    for k, bg in background.items():
        p = bg / n_bg
        out[k] = ((observed.get(k, 0) + PROFILE_PSEUDO * p) / (n_obs + PROFILE_PSEUDO)) / p
    return out


def _join_letter_spacing(text: str, lex: _Lexicon) -> tuple[list[tuple[int, int]], int]:
    """Re-join words broken by spurious spaces, in two passes.

    Pass 1 finds the unambiguous repairs (a fragment that is no word, a joined form that is).
    They say where the text is damaged (a local rate r) and what this extractor's damage looks
    like: after which letters it breaks words and how wide its spurious spaces are.  Pass 2
    decides every seam with that r, so ambiguous joins happen only inside damaged passages
    and only at seams that look like the damage found there.
    """
    runs = _runs(text)
    if not runs:
        return [], 0

    first = math.log10(EVIDENCE_R) + 9.0
    evidence: list[int] = []  # text positions of unambiguous spurious spaces
    ev_letter: Counter[str] = Counter()
    ev_gap: Counter[int] = Counter()
    bg_letter: Counter[str] = Counter()
    bg_gap: Counter[int] = Counter()
    for run in runs:
        for t in run[:-1]:
            bg_letter[t.core[-1].lower()] += 1
        for t in run[1:]:
            bg_gap[t.gap] += 1
        for i, j in _segment(run, lex, [first] * len(run)):
            if j - i > 1 and _is_clear(run, i, j, lex):
                for k in range(i, j - 1):
                    evidence.append(run[k].end)
                    ev_letter[run[k].core[-1].lower()] += 1
                    ev_gap[run[k + 1].gap] += 1
    evidence.sort()
    evidence_set = set(evidence)
    letter_f = _profile(ev_letter, bg_letter) if evidence else {}
    gap_f = _profile(ev_gap, bg_gap) if evidence else {}

    letters_before = [0]
    for ch in text:
        letters_before.append(letters_before[-1] + (1 if ch.isalpha() else 0))

    def gain_at(left: _Tok, right: _Tok) -> float:
        pos = left.end
        lo, hi = max(0, pos - R_WINDOW), min(len(text), pos + R_WINDOW)
        c = bisect.bisect_right(evidence, hi) - bisect.bisect_left(evidence, lo)
        c -= pos in evidence_set  # a seam is no evidence for itself
        r = (c + R_PRIOR * R_PRIOR_WEIGHT) / (letters_before[hi] - letters_before[lo] + R_PRIOR_WEIGHT)
        r *= letter_f.get(left.core[-1].lower(), 1.0) * gap_f.get(right.gap, 1.0)
        return 9.0 + math.log10(min(R_MAX, max(R_MIN, r)))

    deletions = []
    for run in runs:
        gains = [gain_at(a, b) for a, b in zip(run, run[1:])] + [0.0]
        for i, j in _segment(run, lex, gains):
            for k in range(i, j - 1):
                deletions.append((run[k].end, run[k + 1].start))
    return deletions, len(deletions)


# ---------------------------------------------------------------------------------------------
# The whole repair
# ---------------------------------------------------------------------------------------------


def repair(text: str, vocabulary: Counter[str] | None = None) -> Repaired:
    """Repair ``text``; ``vocabulary`` is the corpus's word counts (default: this text's own).

    Clean text comes back unchanged (apart from furniture), with identity offsets.
    """
    lex = _Lexicon(vocabulary if vocabulary is not None else word_counts(text))
    offsets = list(range(len(text) + 1))
    cur = text

    dels, furniture = furniture_deletions(cur)
    cur, offsets = _apply(cur, offsets, dels)

    dels, dehyph = _dehyphenate(cur, lex)
    cur, offsets = _apply(cur, offsets, dels)

    dels, joins = _join_letter_spacing(cur, lex)
    cur, offsets = _apply(cur, offsets, dels)

    return Repaired(text=cur, offsets=offsets, joins=joins, dehyphenations=dehyph, furniture_lines=furniture)
