"""A shown sentence made whole: joined from the neighbouring passage where a passage boundary cut it in
two, with the wrapped lines the splitter cut off, and without the label lines it left at its start.

Passages are cut at about 1,200 characters with an overlap, so a long sentence can begin in one passage
and end in the next. The neighbour's copy of the overlap tells where the missing part starts.
"""
from __future__ import annotations

import re

from qa.danish.text import STOP_WORDS, sentences

_ENDED = re.compile(r"[.!?…][\"'”»)\]]*\s*$")
_MIN_OVERLAP = 12  # characters: a shorter common stretch may be chance
_LABEL_WORDS = 3  # a line of at most this many words, without an end mark, before a new sentence is a label


def wrapped_on(text: str, spans: list[tuple[int, int]], start: int, sentence: str) -> str:
    """The sentence with the lines it wraps onto: PDF text often double-spaces its lines, and the splitter
    cuts at a blank line ("… på baggrund af forslagene til" / "omlægningen af beskæftigelsesindsatsen."),
    so a shown sentence without an end mark goes on into a next sentence that begins in lower case."""
    end = start + len(sentence)
    for a, b in spans:
        if a < end:
            continue
        if _ENDED.search(text[start:end]) or not text[a:b][:1].islower():
            break
        end = b
    return text[start:end] if end > start + len(sentence) else sentence


def cut_at_end(text: str, start: int, sentence: str) -> bool:
    """The sentence runs to the end of its passage without ending."""
    return bool(sentence) and start + len(sentence) >= len(text.rstrip()) and not _ENDED.search(sentence)


def cut_at_start(start: int, sentence: str) -> bool:
    """The sentence is the passage's first and begins in lower case: its start is in the previous passage."""
    return start == 0 and sentence[:1].islower()


def _overlap(a: str, b: str) -> int:
    """Length of the longest end of `a` that `b` starts with (at least _MIN_OVERLAP characters), else 0."""
    for k in range(min(len(a), len(b)), _MIN_OVERLAP - 1, -1):
        if a.endswith(b[:k]):
            return k
    return 0


def continued(text: str, sentence: str, following: str) -> str:
    """`sentence` (at the end of `text`) completed from the next passage, or unchanged when the next
    passage does not carry on from it."""
    a, b = text.rstrip(), following.lstrip()
    k = _overlap(a, b)
    if k:
        rest = b[k:]
    elif b[:1].islower():  # no overlap, but the next passage starts mid-sentence
        rest = " " + b
    else:
        return sentence
    spans = sentences(rest)
    if not spans:
        return sentence
    return sentence.rstrip() + (" " if rest[:1].isspace() else "") + rest[: spans[0][1]].strip()


def preceded(text: str, sentence: str, previous: str) -> str:
    """`sentence` (the start of `text`) with its beginning from the previous passage, or unchanged."""
    a, b = previous.rstrip(), text.lstrip()
    at = len(a) - _overlap(a, b)  # where this passage starts inside the previous one
    begin = max((s for s, _ in sentences(a) if s < at), default=None)
    if begin is None:
        return sentence
    before = a[begin:at]
    if at == len(a):  # no overlap: the previous passage ends where this one starts
        before = before.strip() + " "
    return before + sentence.lstrip()


def without_labels(sentence: str, start: int) -> tuple[str, int]:
    """The sentence (and its start) after the label lines it begins with: a line ends in no full stop, so
    "Sagsnr. 81.38.00-P35-3-23 / Anledning / Punktet blev udsat …" reads as one sentence. A short line with
    no end mark, followed by a line that starts a sentence (a capital or a digit), is a heading or a case
    number, not the answer, and so is a markdown heading ("## Referat af mødet …") of any length. A wrapped
    sentence goes on in lower case and is left whole."""
    while True:
        line, nl, rest = sentence.partition("\n")
        body, words = rest.lstrip(), line.split()
        if nl and body and line.lstrip().startswith("#"):  # a markdown heading, however long
            sentence, start = body, start + len(sentence) - len(body)
            continue
        if (not nl or not body or not (body[0].isupper() or body[0].isdigit())
                or len(words) > _LABEL_WORDS or _ENDED.search(line) or line.rstrip().endswith(",")
                or words and words[-1].lower() in STOP_WORDS):  # "Ledelsen og" goes on
            return sentence, start
        skip = len(sentence) - len(body)
        sentence, start = body, start + skip
