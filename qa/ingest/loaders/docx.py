"""Word .docx via python-docx, read at the XML level so that nothing the reader sees is lost.

python-docx's `paragraph.text` skips tracked insertions and content controls (w:sdt),
which agenda-system templates use a lot, and `row.cells` repeats merged cells. So this
module walks the body itself: paragraphs in order, headings as Markdown `#` lines (the
chunker keys on them), list numbers rendered as Word shows them ("1. ", "a. ", "- "),
and each table row as one line with cells joined by " | ". Headers, footers, comments
and deleted text are left out on purpose.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

from . import base
from .base import LoadError
from .container import check_zip

CORRUPT = "filen kunne ikke læses (beskadiget DOCX)"

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _PTAB, _BR, _CR, _NBH = (qn(t) for t in ("w:t", "w:tab", "w:ptab", "w:br", "w:cr", "w:noBreakHyphen"))
_VAL = qn("w:val")
# Containers whose children belong to the surrounding flow (content controls, custom XML,
# tracked insertions/moves).
_TRANSPARENT = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:moveTo"), qn("w:smartTag")}
# Subtrees that carry no visible text: deletions, field codes, properties, and the VML
# duplicate of every modern text box.
_SKIP = {
    qn("w:del"), qn("w:moveFrom"), qn("w:instrText"), qn("w:delText"), qn("w:pPr"), qn("w:rPr"),
    qn("w:sdtPr"), qn("w:sdtEndPr"), qn("w:tblPr"), qn("w:tblGrid"), qn("w:trPr"), qn("w:tcPr"),
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
}
_HEADING_NAME = re.compile(r"^(?:heading|overskrift)\s*([1-9])$", re.I)
_TITLE_NAMES = {"title", "titel"}


def _flow(el: etree._Element):
    """Block-level children of `el` in reading order, looking through content controls."""
    for child in el:
        if child.tag in _TRANSPARENT:
            yield from _flow(child)
        elif child.tag in (_P, _TBL, _TR, _TC):
            yield child


def _inline_text(el: etree._Element, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag in _SKIP:
            continue
        if tag == _T:
            out.append(child.text or "")
        elif tag in (_TAB, _PTAB):
            out.append("\t")
        elif tag in (_BR, _CR):
            out.append("\n")
        elif tag == _NBH:
            out.append("-")
        elif tag == _P:  # a paragraph inside a text box anchored here
            out.append("\n")
            _inline_text(child, out)
        else:
            _inline_text(child, out)


def _para_text(p: etree._Element) -> str:
    out: list[str] = []
    _inline_text(p, out)
    return "".join(out).strip()


def _val(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    return None if found is None else found.get(_VAL)


class _Styles:
    """Paragraph-style lookups along the basedOn chain: heading level and list numbering."""

    def __init__(self, document) -> None:
        self.by_id: dict[str, etree._Element] = {}
        self.default: str | None = None
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - a docx without styles part is still readable
            return
        for s in root.findall(qn("w:style")):
            if s.get(qn("w:type")) == "paragraph":
                sid = s.get(qn("w:styleId"))
                self.by_id[sid] = s
                if s.get(qn("w:default")) in ("1", "true"):
                    self.default = sid

    def chain(self, style_id: str | None) -> list[etree._Element]:
        out: list[etree._Element] = []
        sid = style_id or self.default
        while sid and sid in self.by_id and len(out) < 10:
            style = self.by_id[sid]
            out.append(style)
            sid = _val(style, qn("w:basedOn"))
        return out

    def heading_level(self, p: etree._Element, style_id: str | None) -> int:
        level = _val(p, f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        for style in self.chain(style_id):
            name = (_val(style, qn("w:name")) or "").strip().lower()
            sid = (style.get(qn("w:styleId")) or "").lower()
            if name in _TITLE_NAMES or sid in _TITLE_NAMES:
                return 1
            m = _HEADING_NAME.match(name) or _HEADING_NAME.match(sid)
            if m:
                return int(m.group(1))
            level = level or _val(style, f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if level and level.isdigit() and int(level) < 9:  # 9 = "body text"
            return int(level) + 1
        return 0

    def num_pr(self, p: etree._Element, style_id: str | None) -> tuple[str, int] | None:
        """(numId, level) of a numbered/bulleted paragraph, direct formatting before style."""
        ilvl: str | None = None
        candidates = [p.find(qn("w:pPr"))] + [s.find(qn("w:pPr")) for s in self.chain(style_id)]
        for ppr in candidates:
            num_pr = None if ppr is None else ppr.find(qn("w:numPr"))
            if num_pr is None:
                continue
            ilvl = ilvl or _val(num_pr, qn("w:ilvl"))
            num_id = _val(num_pr, qn("w:numId"))
            if num_id is not None:
                if num_id == "0":  # explicitly "no numbering"
                    return None
                return num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0
        return None


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += numeral
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a..z, aa..zz, aaa..
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    return str(n)


class _Numbering:
    """Renders list numbers as Word would, keeping one counter set per list (numId)."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - NotImplementedError/KeyError when there is no numbering part
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            a = abstract.get(_val(num, qn("w:abstractNumId")))
            if a is None:
                continue
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in a.findall(qn("w:lvl")):
                start = _val(lvl, qn("w:start")) or "1"
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    _val(lvl, qn("w:numFmt")) or "decimal",
                    _val(lvl, qn("w:lvlText")) or "",
                    int(start) if start.lstrip("-").isdigit() else 1,
                )
            for override in num.findall(qn("w:lvlOverride")):
                start = _val(override, qn("w:startOverride"))
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                if start and start.isdigit() and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start))
            self.levels[num.get(qn("w:numId"))] = levels

    def label(self, num_id: str, ilvl: int, style_name: str) -> str:
        levels = self.levels.get(num_id)
        if levels is None or ilvl not in levels:
            # numbering part missing or broken: fall back on what the style name promises
            if style_name.startswith("list bullet"):
                return "-"
            if style_name.startswith("list number"):
                levels = {ilvl: ("decimal", f"%{ilvl + 1}.", 1)}
            else:
                return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts its sub-lists
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            k_fmt, _, k_start = levels.get(k, ("decimal", "", 1))
            return _format_number(counters.get(k, k_start), k_fmt)

        return re.sub(r"%([1-9])", number, text).strip()


def _cell_text(tc: etree._Element) -> str:
    parts: list[str] = []
    for block in _flow(tc):
        if block.tag == _P:
            parts.append(_para_text(block).replace("\n", " "))
        elif block.tag == _TBL:
            parts.extend(_table_rows(block))
    return " ".join(p for p in parts if p)


def _table_rows(tbl: etree._Element) -> list[str]:
    rows: list[str] = []
    for tr in _flow(tbl):
        if tr.tag != _TR:
            continue
        rows += base.table_row([_cell_text(tc) for tc in _flow(tr) if tc.tag == _TC])
    return rows


def _check_package(path: Path, budget: base.Budget) -> None:
    with path.open("rb") as f:
        magic = f.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE container: a password-protected .docx or an old .doc renamed to .docx
        raise LoadError("Word-filen er krypteret eller i det gamle .doc-format")
    if not zipfile.is_zipfile(path):
        raise LoadError(CORRUPT)
    try:
        check_zip(path, budget)  # every part, by declared and by actual size, whatever it is called
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError) as e:  # odd or lying zip
        raise LoadError(CORRUPT) from e


def load(path: Path, budget: base.Budget) -> str:
    _check_package(path, budget)
    try:
        document = docx.Document(str(path))
        body = document.element.body
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001 - python-docx/lxml/zipfile raise a zoo of types
        if "memory allocation failed" in str(e).lower():  # libxml2 out of memory (the reader's budget)
            raise MemoryError from e
        raise LoadError(CORRUPT) from e
    styles, numbering = _Styles(document), _Numbering(document)
    lines: list[str] = []
    size = 0
    for block in _flow(body):
        if block.tag == _TBL:
            new = _table_rows(block)
        elif block.tag == _P:
            text = _para_text(block)
            if not text:
                if lines and lines[-1]:
                    lines.append("")  # keep one blank line where the author left space
                continue
            style_id = _val(block, f"{qn('w:pPr')}/{qn('w:pStyle')}")
            level = styles.heading_level(block, style_id)
            num = styles.num_pr(block, style_id)
            label = ""
            if num is not None:
                chain = styles.chain(style_id)
                style_name = (_val(chain[0], qn("w:name")) or "").lower() if chain else ""
                label = numbering.label(num[0], num[1], style_name)
                if label and not level:
                    label = "  " * num[1] + label
            prefix = ""
            if level:
                prefix = "#" * min(level, 6) + " "
                text = " ".join(text.split())  # a heading must stay on one line
            new = [prefix + (label + " " if label else "") + text]
        else:
            continue
        lines.extend(new)
        size += sum(len(x) + 1 for x in new)
        if size > budget.text_chars:
            raise base.too_long(budget.text_chars)
    text = base.finish("\n".join(lines).strip("\n"))
    if not text.strip():
        raise LoadError("filen indeholder ingen tekst")
    return text
