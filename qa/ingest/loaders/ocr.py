"""OCR of scanned PDF pages: pypdfium2 renders a page at its scan's own resolution and Tesseract
(in-process through tesserocr) reads it with the Danish model.

Chosen by measurement on a two-page scanned minute (docs/OCR.md): the same accuracy as pytesseract
and ocrmypdf, 4-5x faster than pytesseract on a loaded machine, without a subprocess per page or
a second PDF. Up-sampling a 200 dpi scan to 300 dpi made Tesseract worse, so the render resolution
follows the page image. Everything here is optional at run time: when Tesseract or its Danish data
is missing, `unavailable()` says in Danish what to install and the file is skipped with that reason.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from qa.settings import Settings, load_settings

log = logging.getLogger(__name__)

# Where distributions put Tesseract's language data (Debian/Ubuntu 5 and 4, Fedora, Homebrew).
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
INSTALL = ("installér tesseract-ocr og tesseract-ocr-dan (apt-get install tesseract-ocr tesseract-ocr-dan) "
           "og Python-pakkerne tesserocr og pypdfium2 — `make setup` gør det som root")


def tessdata_dir(settings: Settings, lang: str) -> Path | None:
    """The folder holding `<lang>.traineddata`: the setting, TESSDATA_PREFIX, then the usual places."""
    for folder in (settings.tessdata, os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS):
        if folder and (Path(folder) / f"{lang}.traineddata").is_file():
            return Path(folder)
    return None


def unavailable(settings: Settings | None = None) -> str | None:
    """Why scanned pages cannot be read here (Danish, with what to install), or None if they can."""
    settings = settings or load_settings()
    if not settings.ocr:
        return "scannet PDF uden tekstlag — OCR er slået fra (QA_OCR=0)"
    try:
        import pypdfium2  # noqa: F401
        import tesserocr  # noqa: F401
    except ImportError:
        return f"scannet PDF uden tekstlag — OCR mangler: {INSTALL}"
    if tessdata_dir(settings, settings.ocr_lang) is None:
        return f"scannet PDF uden tekstlag — Tesseracts danske sprogdata mangler: {INSTALL}"
    return None


def _dpi(page, settings: Settings) -> float | None:
    """The resolution of the page's largest image, so the render neither loses nor invents pixels;
    None for a page without images (blank: nothing to read)."""
    import pypdfium2.raw as pdfium_c

    best = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
        width_px, _ = obj.get_px_size()
        left, _, right, _ = obj.get_bounds()
        if right - left > 1:
            best = max(best, width_px / ((right - left) / 72))
    return min(max(round(best), settings.ocr_min_dpi), settings.ocr_max_dpi) if best else None


def read_pages(path: Path, numbers: list[int], settings: Settings | None = None) -> dict[int, str]:
    """OCR text of the given pages (0-based) of a PDF; call only when `unavailable()` is None."""
    import pypdfium2 as pdfium
    import tesserocr

    settings = settings or load_settings()
    folder = tessdata_dir(settings, settings.ocr_lang)
    out: dict[int, str] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        with tesserocr.PyTessBaseAPI(path=str(folder), lang=settings.ocr_lang) as api:
            for n in numbers:
                page = pdf[n]
                dpi = _dpi(page, settings)
                if dpi:
                    api.SetImage(page.render(scale=dpi / 72, grayscale=True).to_pil())
                    out[n] = api.GetUTF8Text()
                page.close()
    finally:
        pdf.close()
    return out
