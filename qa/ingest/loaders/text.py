"""Plain text and Markdown: decode the bytes right, keep the lines as they are (but for inline bold).

Danish minutes arrive as UTF-8 (with or without a BOM), as Windows cp1252 from older
systems, now and then as UTF-16 from Notepad, and rarely as DOS cp865 or Mac Roman.
Generic detectors often read short cp1252 Danish as some other code page, so the order is:
BOMs, strict UTF-8, mostly-UTF-8 with stray cp1252 bytes, then the Danish-aware choice
between the few 8-bit code pages that occur here (ties go to cp1252).
"""
from __future__ import annotations

import codecs
import itertools
import re
from pathlib import Path

from . import base
from .base import LoadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Code pages tried when the bytes are not UTF-8, in order of likelihood (ties -> first).
_EIGHT_BIT = ("cp1252", "cp865", "mac_roman")
# C0 controls that never occur in text (tab, LF, VT, FF, CR and SUB/EOF are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 26)) + b"\x7f"
# Non-ASCII characters that are normal inside Danish words (letters in Danish text,
# loanwords and names, typographic punctuation). Anything else next to a letter is suspect.
_COMMON = set("æøåÆØÅéÉüÜöÖäÄ’‘“”„–—…€«»·")
_IN_WORD = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")
# A non-ASCII capital after a small letter ('migÆ', 'idÄ'), or Æ/Ø/Å between a capital and
# a small letter ('CABÆs'), is a misread byte (here cp1252 '’' and Mac 'é' read as cp865).
_MISPLACED_CAPITAL = re.compile(r"[a-zæøåäöüé][À-ÖØ-Þ]|[A-ZÆØÅ][ÆØÅ](?=[a-zæøå])")
_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")
_MAX_EVIDENCE = 5000  # non-ASCII runs looked at; plenty to tell code pages apart
# Markdown bold inside a line of text is markup, not words: "1. **At nedlægge jobcentrene.** Kommunerne"
# is shown and quoted without the stars. A line that is bold as a whole is a heading and keeps them
# (the chunker reads it so).
_BOLD = re.compile(r"(?<!\w)(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_BOLD_LINE = re.compile(r"^\s*(?:[-*•]\s+|\d{1,2}[.)]\s+|#+\s*)?(\*\*|__)[^\n]+?\1\s*:?\s*$")


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes: an image, archive or database, not text."""
    if b"\x00" in data:
        return True
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > 0.05 * len(sample)


def _danish_score(text: str) -> int:
    """How Danish a decoding looks: æøå inside words count up, odd characters there count down.

    cp1252 'æøå' read as cp865 gives 'µ°σ', read as Mac Roman 'Ê¯Â'; cp865 'æøå' read as
    cp1252 gives '‘›†'; Mac Roman 'é' and '’' read as cp1252 give 'Ž' and 'Õ'. Only
    characters next to ASCII letters count, so free-standing symbols (§, °, •) do not skew it.
    """
    score = 0
    for m in _IN_WORD.finditer(text):
        ch = m.group()
        if ch in "æøå":
            score += 2
        elif ch in "ÆØÅ":
            score += 1
        elif ch not in _COMMON:
            score -= 1
    return score - 4 * len(_MISPLACED_CAPITAL.findall(text))


def _mostly_utf8(data: bytes) -> bool:
    """True if the bytes are UTF-8 with a few stray single-byte characters pasted in.

    Real cp1252 text almost never contains valid UTF-8 sequences (an 'æ' byte followed by
    a letter is invalid UTF-8), so valid multi-byte characters outnumbering the invalid
    bytes means a UTF-8 file that got a paste from an older system.
    """
    decoded = data.decode("utf-8", errors="replace")
    invalid = decoded.count("\ufffd")
    valid_non_ascii = len(decoded) - len(decoded.encode("ascii", errors="ignore")) - invalid
    return valid_non_ascii > invalid


def _cp1252_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    return err.object[err.start : err.end].decode("cp1252", errors="replace"), err.end


codecs.register_error("qa-cp1252-fallback", _cp1252_fallback)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Bytes to str for Danish documents; `declared` is a charset named by the file (HTML meta).

    A declared charset is only trusted when the bytes are not valid UTF-8: web pages often
    declare iso-8859-1 while serving UTF-8, the reverse is rare.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace")
    if _looks_binary(data):
        raise LoadError("filen ligner ikke tekst (binære data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            # browsers treat iso-8859-1/us-ascii labels as windows-1252, so do we
            name = codecs.lookup(declared).name
            enc = "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name
            if not enc.startswith("utf"):
                return data.decode(enc, errors="replace")
        except LookupError:
            pass
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="qa-cp1252-fallback")
    return _decode_eight_bit(data)


def _decode_eight_bit(data: bytes) -> str:
    """Pick the code page whose reading of the non-ASCII bytes looks most Danish.

    Only the non-ASCII runs with one byte of context either side are scored (at most
    `_MAX_EVIDENCE` of them), so a 20 MB file costs one decode, not three.
    """
    runs = itertools.islice(_NON_ASCII_RUN.finditer(data), _MAX_EVIDENCE)
    evidence = b" ".join(data[max(0, m.start() - 1) : m.end() + 1] for m in runs)
    ranked = []
    for order, enc in enumerate(_EIGHT_BIT):
        try:
            ranked.append((-_danish_score(evidence.decode(enc)), order, enc))
        except UnicodeDecodeError:
            continue
    for _, _, enc in sorted(ranked):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:  # a byte undefined in this code page beyond the evidence
            continue
    return data.decode("cp1252", errors="replace")  # unreachable: cp865 decodes every byte


def load(path: Path, budget: base.Budget) -> str:
    """Read a .txt/.md file; the caller has already checked its size."""
    text = base.finish(decode_bytes(path.read_bytes()))
    if not text.strip():
        raise LoadError("filen er tom")
    return "\n".join(unbold(line) for line in text.split("\n"))


def unbold(line: str) -> str:
    """The line without inline Markdown bold; a line bold as a whole (a heading) is left as it is."""
    if ("**" not in line and "__" not in line) or _BOLD_LINE.match(line):
        return line
    return _BOLD.sub(r"\2", line)


_WIDE_BOMS = _BOMS[:2] + _BOMS[3:]  # UTF-32 and UTF-16: a line-by-line reading cannot split their bytes


def question_lines(data: bytes) -> list[str | None]:
    """A file of one question per line (`search --batch`): decoded as a text file is, one entry per line.

    Only '\\n' ends a line (str.splitlines() also splits on \\x0b, \\x0c, \\x1c-\\x1e, \\x85, U+2028 and
    U+2029, which made 8 questions 16 answers). Each line is decoded on its own - strict UTF-8, else
    the Danish choice of code page - so a line in cp1252 or with a broken byte costs only itself;
    a line with NUL bytes is None (not text). A BOM is dropped, a final newline ends the last line.
    """
    for bom, enc in _WIDE_BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(enc, errors="replace")
            return [line.removesuffix("\r") for line in _lines(text)]
    out: list[str | None] = []
    for raw in _lines(data.removeprefix(codecs.BOM_UTF8)):
        raw = raw.removesuffix(b"\r")
        if b"\x00" in raw:
            out.append(None)
            continue
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(_decode_eight_bit(raw))
    return out


def _lines(data):
    if not data:
        return []
    parts = data.split("\n" if isinstance(data, str) else b"\n")
    return parts[:-1] if not parts[-1] else parts
