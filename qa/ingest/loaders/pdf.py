"""PDF via pypdf: the text layer page by page, pages joined by a blank line.

Minutes from agenda systems are born-digital PDFs; scanned pages have no text layer and are read
by OCR (see `ocr`: Tesseract with Danish data). Where OCR is not installed, a file with scanned
pages is skipped with a Danish reason that says what to install, never indexed with pages missing.
Damaged and password-protected files get a clear reason instead of a stack trace or, worse,
silently partial text.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf import PasswordType
from pypdf.errors import DependencyError, EmptyFileError

from . import base, ocr
from .base import LoadError

log = logging.getLogger(__name__)

NO_TEXT = "ingen tekst (heller ikke ved OCR)"
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
    """The text layer of every page ('' for a page without one), in page order."""
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
            text = ""
        text = base.finish(text).strip()
        texts.append(text)
        total += len(text) + 2
        if total > max_chars:
            raise base.too_long(max_chars)
    if pages and failed == len(pages):
        raise LoadError(CORRUPT)
    return texts


def _has_image(page, depth: int = 0) -> bool:
    """Whether a page draws an image (directly or inside a form): a text-less page with one is a scan,
    one without is blank. Reads the resource dictionaries only, decodes nothing."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                return True
            if obj.get("/Subtype") == "/Form" and depth < 3 and _has_image(obj, depth + 1):
                return True
    except Exception:  # noqa: BLE001 - odd resources: treat as an image, let OCR decide
        return True
    return False


def load(path: Path, budget: base.Budget) -> base.Extracted:
    _check_envelope(path)
    reader = _open(path)
    texts = _page_texts(reader, budget.text_chars)
    scanned = [i for i, t in enumerate(texts) if not t and _has_image(reader.pages[i])]
    if scanned:
        reason = ocr.unavailable()
        if reason:
            if not any(texts):
                raise LoadError(reason)
            raise LoadError(f"{len(scanned)} af {len(texts)} sider er scannet — {reason}")
        try:
            read = ocr.read_pages(path, scanned)
        except Exception as e:  # noqa: BLE001 - an image pdfium or Tesseract cannot read
            log.warning("OCR mislykkedes for %s", path, exc_info=True)
            raise LoadError(f"OCR af de scannede sider mislykkedes ({type(e).__name__})") from e
        for i, text in read.items():
            texts[i] = base.finish(text).strip()
    pages = [t for t in texts if t]
    if not pages:
        raise LoadError(NO_TEXT)
    return base.Extracted("\n\n".join(pages), ocr_pages=sum(1 for i in scanned if texts[i]))
