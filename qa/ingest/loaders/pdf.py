"""PDF via pypdf: the text layer page by page, pages joined by a blank line.

Minutes from agenda systems are born-digital PDFs; scanned ones have no text layer and
are reported as needing OCR (OCR runs only if pytesseract with Danish data happens to be
installed - it is not a requirement). Damaged and password-protected files get a clear
reason instead of a stack trace or, worse, silently partial text.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf import PasswordType
from pypdf.errors import DependencyError, EmptyFileError

from . import base
from .base import LoadError

log = logging.getLogger(__name__)

NO_TEXT = "ingen tekst — kræver OCR"
CORRUPT = "filen kunne ikke læses (beskadiget PDF)"


def _check_envelope(path: Path) -> None:
    """Reject files that are not PDFs or were cut off, before pypdf tries to 'repair' them.

    pypdf in lenient mode may rebuild a truncated file and return only its first pages;
    a minute missing its decisions is worse than no minute, so a missing %%EOF is an error.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(1024)
        f.seek(max(0, size - 65536))
        tail = f.read().rstrip(b"\x00 \t\r\n")
    if b"%PDF-" not in head:
        raise LoadError("filen kunne ikke læses (ikke en PDF-fil)")
    if b"%%EOF" not in tail[-1024:]:
        raise LoadError("filen kunne ikke læses (beskadiget eller afkortet PDF)")


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path, strict=False)
    except EmptyFileError as e:
        raise LoadError("filen er tom") from e
    except Exception as e:  # noqa: BLE001 - on a damaged file pypdf raises almost any type
        raise LoadError(CORRUPT) from e
    if reader.is_encrypted:
        # Many official PDFs are "encrypted" only to restrict printing/editing, with an
        # empty user password: those open fine. Real passwords we cannot guess.
        try:
            result = reader.decrypt("")
        except DependencyError as e:
            raise LoadError("PDF-filen er krypteret med AES (pakken cryptography mangler)") from e
        except Exception as e:  # noqa: BLE001 - damaged encryption dictionary
            raise LoadError("PDF-filen er krypteret og kunne ikke åbnes") from e
        if result == PasswordType.NOT_DECRYPTED:
            raise LoadError("PDF-filen er krypteret (kræver adgangskode)")
    return reader


def _page_texts(reader: PdfReader, max_chars: int) -> list[str]:
    try:
        pages = list(reader.pages)
    except Exception as e:  # noqa: BLE001 - a broken page tree
        raise LoadError(CORRUPT) from e
    texts: list[str] = []
    total = failed = 0
    for number, page in enumerate(pages, 1):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - pypdf raises many types on odd content streams
            log.warning("side %d kunne ikke læses", number, exc_info=True)
            failed += 1
            continue
        text = base.finish(text).strip()
        if text:
            texts.append(text)
            total += len(text) + 2
            if total > max_chars:
                raise base.too_long(max_chars)
    if pages and failed == len(pages):
        raise LoadError(CORRUPT)
    return texts


def _ocr(reader: PdfReader) -> str | None:
    """OCR the page images if pytesseract and Danish tesseract data are present, else None."""
    try:
        import pytesseract  # optional, deliberately not a requirement
    except ImportError:
        return None
    try:
        if "dan" not in pytesseract.get_languages(config=""):
            return None
        pages = []
        for page in reader.pages:
            parts = [pytesseract.image_to_string(img.image, lang="dan") for img in page.images]
            text = base.finish("\n".join(parts)).strip()
            if text:
                pages.append(text)
    except Exception:  # noqa: BLE001 - missing binary, unreadable image: fall back to the error
        log.warning("OCR mislykkedes", exc_info=True)
        return None
    return "\n\n".join(pages) or None


def load(path: Path, budget: base.Budget) -> str:
    _check_envelope(path)
    reader = _open(path)
    texts = _page_texts(reader, budget.text_chars)
    if not texts:
        ocr = _ocr(reader)
        if ocr is None:
            raise LoadError(NO_TEXT)
        return ocr
    return "\n\n".join(texts)
