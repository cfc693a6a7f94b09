"""Shared pieces of the format loaders: the error they raise, the size limits, final clean-up.

The limits exist so that one odd file (a 2 GB log renamed .txt, a zip bomb posing as .docx)
cannot stall or exhaust an indexing run; they are module constants so tests and callers can
change them. They are read at call time, so `monkeypatch.setattr(base, "MAX_...", n)` works.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MB = 1024 * 1024

# Raw size of a text-like file (.txt, .md, .html) that we are willing to read into memory.
# 20 MB is ~10,000 pages of minutes; anything larger is almost surely not a minute.
MAX_TEXT_FILE_BYTES = 20 * MB
# Raw size of a container file (.pdf, .docx): these carry images, so they may be large
# while holding little text. They are parsed lazily, page by page / part by part.
MAX_CONTAINER_FILE_BYTES = 200 * MB
# Uncompressed size of word/document.xml inside a .docx (guards against zip bombs).
MAX_DOCX_XML_BYTES = 200 * MB
# Length of the extracted text, for every format: the same bound as for a text file.
MAX_TEXT_CHARS = 20 * MB


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


def too_big(size: int, limit: int) -> LoadError:
    return LoadError(f"filen er for stor ({size_mb(size)}; grænsen er {size_mb(limit)})")


def too_long() -> LoadError:
    return LoadError(f"teksten er for lang (over {MAX_TEXT_CHARS:,} tegn)".replace(",", "."))


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
