"""HTML pages saved from agenda systems: the readable main text, with its structure as lines.

Menus, cookie banners, scripts and footers would otherwise end up in the index and match
every query, so they are dropped. What remains is rendered like the other loaders: one line
per paragraph or list item, headings as Markdown `#` lines, table rows as "a | b | c".
"""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, FeatureNotFound
from bs4.element import NavigableString, Tag

from . import base
from .base import LoadError
from .text import decode_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.I)
_DROP = ["script", "style", "noscript", "template", "svg", "math", "nav", "aside", "iframe",
         "object", "embed", "canvas", "select", "button", "input", "textarea", "head", "dialog"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# a row of the meeting's own facts: a page header holding one is the minutes' header, not the site's
_MEETING_ROW = re.compile(r"^\s*(?:mødedato|mødested|mødetidspunkt|deltagere|mødedeltagere|til stede|afbud)\b",
                          re.I | re.M)
_BLOCKS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr",
    "html", "legend", "li", "main", "menu", "ol", "p", "section", "summary", "ul", "td", "th",
}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


def declared_charset(data: bytes) -> str | None:
    """The charset a page names for itself (meta charset, http-equiv or XML declaration)."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii") if m else None


def _strip_boilerplate(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        role = (tag.get("role") or "").lower()
        style = tag.get("style") or ""
        if (
            role in _DROP_ROLES
            or tag.has_attr("hidden")
            or (tag.get("aria-hidden") or "").lower() == "true"
            or _HIDDEN_STYLE.search(style)
            # page header/footer go; an article's own header (its title, date) stays, and so does a page
            # header with the meeting's date, place or participants
            or (tag.name in ("header", "footer") and tag.find_parent(["article", "main"]) is None
                and not (tag.name == "header" and _MEETING_ROW.search(tag.get_text("\n"))))
        ):
            tag.decompose()


class _Renderer:
    """Turns a cleaned tree into lines; inline whitespace is collapsed as a browser would."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.prefix = ""  # pending "# " or "1. ", used by the next non-empty line
        self.list_depth = 0
        self.in_heading = False

    def flush(self) -> None:
        line = " ".join("".join(self.buf).split())
        self.buf = []
        if line:
            self.lines.append(self.prefix + line)
            self.prefix = ""

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # skip comments, CDATA, doctype
                    self.buf.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            if self.in_heading:
                self.buf.append(" ")
            else:
                self.flush()
        elif name in _HEADINGS:
            self.flush()
            self.prefix = "#" * _HEADINGS[name] + " "
            self.in_heading = True
            self.walk(tag)
            self.in_heading = False
            self.flush()
            self.prefix = ""
        elif name == "pre":
            self.flush()
            for line in tag.get_text().replace("\r\n", "\n").split("\n"):
                if line.strip():
                    self.lines.append(line.rstrip())
        elif name == "tr":
            self.flush()
            self.lines += base.table_row([" ".join(c.get_text(" ").split())
                                          for c in tag.find_all(["td", "th"], recursive=False)])
        elif name in ("ol", "ul", "menu"):
            self.flush()
            self.list_depth += 1
            number = int(tag["start"]) if name == "ol" and str(tag.get("start", "")).isdigit() else 1
            for item in tag.children:
                if isinstance(item, Tag) and item.name == "li":
                    if name == "ol" and str(item.get("value", "")).isdigit():
                        number = int(item["value"])
                    self.flush()
                    label = f"{number}." if name == "ol" else "-"
                    self.prefix = "  " * (self.list_depth - 1) + label + " "
                    self.walk(item)
                    self.flush()
                    self.prefix = ""
                    number += 1
                elif isinstance(item, Tag):
                    self.element(item)
                elif type(item) is NavigableString:
                    self.buf.append(str(item))
            self.list_depth -= 1
        elif name in _BLOCKS or name in ("table", "tbody", "thead", "tfoot"):
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            # agenda systems lay out number and title as separate inline elements, "<span>3</span><span>Budget"
            # (CSS puts the gap in): a word ending in a digit or lower case and one starting in upper case
            # belong apart, as they look on the page
            text = tag.get_text()
            if self.buf and text[:1].isupper() and re.search(r"[0-9a-zæøå]$", self.buf[-1]):
                self.buf.append(" ")
            self.walk(tag)


def _parse(text: str) -> BeautifulSoup:
    try:
        return BeautifulSoup(text, "lxml")
    except FeatureNotFound:  # lxml comes with python-docx, but be usable without it
        return BeautifulSoup(text, "html.parser")


def load(path: Path, budget: base.Budget) -> str:
    data = path.read_bytes()
    soup = _parse(decode_bytes(data, declared_charset(data)))
    _strip_boilerplate(soup)
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    renderer = _Renderer()
    if root is soup:
        renderer.walk(soup)
    else:
        if root.name == "main" or root.get("role") == "main":  # the minutes' header kept above (a page header)
            for header in soup.find_all("header"):
                if header.find_parent(["article", "main"]) is None:
                    renderer.element(header)
        renderer.element(root)
    renderer.flush()
    text = base.finish("\n".join(renderer.lines))
    if not text.strip():
        raise LoadError("filen indeholder ingen tekst")
    return text
