"""Shared pieces of the format loaders: the error they raise, the budgets, final clean-up.

The budgets exist so that one odd file (a 2 GB log renamed .txt, a zip bomb posing as .docx, a
page of twelve million characters) cannot stall or exhaust an indexing run. Their values are
settings (qa/settings.py); `Budget.of(settings)` is what a loader reads.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from qa.danish.vocabulary import is_subsection_label
from qa.settings import Settings

MB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    """What one file may cost; see qa/settings.py and docs/ROBUSTNESS.md for the values."""

    text_file_bytes: int  # raw size of a text-like file (.txt, .md, .html), read whole into memory
    container_file_bytes: int  # raw size of a .pdf/.docx: they carry images, so may be large
    unpacked_bytes: int  # a zip's parts together, as declared and as actually unpacked
    markup_bytes: int  # a zip's XML/HTML parts together (lxml needs ~23 bytes of memory per byte)
    zip_entries: int
    text_chars: int  # extracted text, every format

    @classmethod
    def of(cls, settings: Settings) -> "Budget":
        return cls(settings.max_text_file_bytes, settings.max_container_file_bytes, settings.max_unpacked_bytes,
                   settings.max_markup_bytes, settings.max_zip_entries, settings.max_text_chars)


@dataclass(frozen=True)
class Extracted:
    """A loader's text plus how it was read: `ocr_pages` pages came from page images by OCR."""

    text: str
    ocr_pages: int = 0


class LoadError(Exception):
    """A file that cannot be used; the message is the one-line Danish reason shown to users."""


def size_mb(n: int) -> str:
    """Human size in whole megabytes (Danish users read '50 MB', not bytes)."""
    return f"{max(1, round(n / MB))} MB"


def count(n: int) -> str:
    """A count the Danish way: 1.000.000."""
    return f"{n:,}".replace(",", ".")


def too_big(size: int, limit: int) -> LoadError:
    return LoadError(f"filen er for stor ({size_mb(size)}; grænsen er {size_mb(limit)})")


def too_long(limit: int) -> LoadError:
    return LoadError(f"teksten er for lang (over {count(limit)} tegn)")


def finish(text: str) -> str:
    """Unify line endings to \\n and compose characters (NFC) - nothing else.

    NFC matters for Danish: macOS and some PDF producers write 'å' as 'a' + combining ring,
    which would otherwise never match a query typed as 'å'. Line structure is kept as is
    because the chunker relies on it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def table_row(cells: list[str]) -> list[str]:
    """A table row as lines: its cells joined by " | ", except that a first cell naming a sub-section
    ("Beslutning | Godkendt.", as agenda systems lay an item out in a two-column table) becomes a line of
    its own above the rest, so the label is a sub-section heading, as in running text, and never part of
    the sentence shown as the answer."""
    cells = [c.strip() for c in cells]
    if len(cells) >= 2 and cells[0] and is_subsection_label(cells[0]) and any(cells[1:]):
        return [cells[0], " | ".join(c for c in cells[1:] if c)]
    return [" | ".join(cells)] if any(cells) else []
