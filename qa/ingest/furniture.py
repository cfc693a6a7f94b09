"""Page furniture: the lines of a page that are not the text (page numbers, rules, running headers
and footers, tables of contents, case and EAN numbers, postcode lines).

One detector in two depths. `furniture_deletions` finds what repair deletes from the text because it
is page structure (a page mark, a rule, a line repeated at the edge of three pages). `is_furniture`
tells chunking which remaining lines are never content and never a heading.
"""
from __future__ import annotations

import re

from qa.danish.dates import date_spans

_LETTERS = r"[^\W\d_]"
TOC_LINE = re.compile(r"(\.{4,}|…{2,}|\t)\s*\d{1,3}\s*$")
FURNITURE = [
    re.compile(r"^\s*(side\s*)?\d{1,3}\s*((/|af)\s*\d{1,3})?\s*$", re.I),  # page numbers
    re.compile(r"^\s*ean(-?nummer|-?nr\.?)?\b.*$|^\s*\d{13}\s*$", re.I),  # EAN numbers
    re.compile(r"^\s*\d{2}\.\d{2}\.\d{2}[A-Z0-9-]*\S*\s*$"),  # journal numbers: 81.38.00-P35-1-24
    re.compile(r"^\s*[\d-]{9,}\s*$"),  # case numbers: 2022-0368824
    re.compile(r"^\s*\d{4}\s+[A-ZÆØÅ][a-zæøå]+( [A-ZÆØÅ]\.?)?\s*$"),  # postcode + town
    re.compile(r"^\s*([_\-=]\s*){5,}$"),  # rules
    re.compile(r"^\s*indholdsfortegnelse\s*$", re.I),
]


def is_furniture(line: str) -> bool:
    """Page furniture and tables of contents: never content, never a heading. A line that is a date
    ("01.01.2016.", "2024-10-01") is content, though it looks like a journal or case number."""
    return bool(TOC_LINE.search(line)) or (any(p.match(line) for p in FURNITURE) and not date_spans(line))


# ---------------------------------------------------------------------------------------------

_PAGE_MARK_RE = re.compile(
    r"""^\s*(?:
        (?:side|page|s\.)\s*\d{1,3}(?:\s*(?:/|af|of|ud\ af)\s*\d{1,3})?   # Side 3, Side3/3, Side 2 af 5
      | -\s*\d{1,3}\s*-                                                 # - 3 -
      | \d{1,3}\s*/\s*\d{1,3}                                           # 3/5
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_LONE_NUMBER_RE = re.compile(r"^\s*\d{1,3}\s*$")
_RULE_RE = re.compile(r"^\s*(?:[_\-–—=*·•.~]\s*){3,}$")
_DIGITS_RE = re.compile(r"\d+")


def text_lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end_including_newline, content_without_newline) for every line."""
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        out.append((pos, pos + len(line), content))
        pos += len(line)
    return out


def _is_page_mark(lines: list[tuple[int, int, str]], i: int) -> bool:
    """A page number or "Side x/y" line.  A bare number counts only when it stands apart
    (a blank line or a page break next to it), so numbered list items and table cells stay."""
    content = lines[i][2]
    if "\f" in content:
        content = content.replace("\f", "")
    if _PAGE_MARK_RE.match(content):
        m = re.search(r"(\d+)\s*(?:/|af|of|ud af)\s*(\d+)", content, re.IGNORECASE)
        return not m or int(m.group(1)) <= int(m.group(2))
    if not _LONE_NUMBER_RE.match(content):
        return False

    def apart(j: int) -> bool:
        return j < 0 or j >= len(lines) or not lines[j][2].strip() or "\f" in lines[j][2]

    return apart(i - 1) or apart(i + 1) or "\f" in lines[i][2]


def _norm_line(s: str) -> str:
    return _DIGITS_RE.sub("#", " ".join(s.split()).lower())


def _repeated_edge_lines(lines: list[tuple[int, int, str]], marks: set[int]) -> set[int]:
    """Header/footer lines: the same short line at the edge of at least three pages.

    Pages are delimited by form feeds, or else by the page marks found; without either there is
    no page structure to trust and nothing is dropped here.
    """
    breaks = [i for i, (_, _, c) in enumerate(lines) if "\f" in c] or sorted(marks)
    if len(breaks) < 2:
        return set()
    bounds = [-1] + breaks + [len(lines)]
    edge_hits: dict[str, list[int]] = {}
    pages_with: dict[str, set[int]] = {}
    for p in range(len(bounds) - 1):
        body = [i for i in range(bounds[p] + 1, bounds[p + 1]) if lines[i][2].strip() and i not in marks]
        for i in body[:2] + body[-2:]:
            key = _norm_line(lines[i][2].replace("\f", ""))
            if not 3 <= len(key) <= 100 or not re.search(_LETTERS, key):
                continue
            edge_hits.setdefault(key, []).append(i)
            pages_with.setdefault(key, set()).add(p)
    drop: set[int] = set()
    for key, idx in edge_hits.items():
        if len(pages_with[key]) >= 3:
            drop.update(idx)
    return drop


def furniture_deletions(text: str) -> tuple[list[tuple[int, int]], int]:
    lines = text_lines(text)
    marks = {i for i in range(len(lines)) if _is_page_mark(lines, i)}
    rules = {i for i, (_, _, c) in enumerate(lines) if _RULE_RE.match(c.replace("\f", ""))}
    drop = marks | rules | _repeated_edge_lines(lines, marks)
    deletions = []
    for i in sorted(drop):
        s, e, content = lines[i]
        # keep a form feed: it is the page boundary itself, not furniture
        ff = content.find("\f")
        if ff >= 0:
            deletions.extend([(s, s + ff), (s + ff + 1, e)])
        else:
            deletions.append((s, e))
    return deletions, len(drop)
