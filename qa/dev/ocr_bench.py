"""Measure OCR options on the generated two-page scanned minute: time and accuracy (docs/OCR.md).

    python -m qa.dev.ocr_bench            # from the repository root; options whose packages are
                                          # missing (pytesseract, ocrmypdf, pdftoppm) are left out
The page comes from tests/fixtures/metadata_docs.py, so the truth is known exactly.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"


def lev(a, b) -> int:
    """Levenshtein distance of two sequences (characters or words)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _norm(t: str) -> str:
    return " ".join(re.sub(r"\bSide \d+\b", "", t).split())


def score(pages: list[str], truth: list[str], facts: list[str]) -> dict:
    cer = sum(lev(_norm(p), t) for p, t in zip(pages, truth)) / sum(len(t) for t in truth)
    words_t, words_o = " ".join(truth).split(), _norm(" ".join(pages)).split()
    joined = _norm(" ".join(pages))
    return {"cer": round(cer, 4), "wer": round(lev(words_o, words_t) / len(words_t), 4),
            "facts": f"{sum(f in joined for f in facts)}/{len(facts)}"}


def main() -> None:
    from tests.fixtures import metadata_docs as docs

    truth = [" ".join(" ".join(lines).split()) for lines in docs.SCAN_PAGES]
    facts = ["CenterMED Jobcenter", "Havnstrup Kommune", "7. november 2023", "5,8 procent", "6,4 procent", "40",
             "støjdæmpende skærme", "Sygefravær", "trivselsplan", "Beslutning:", "5. december 2023"]
    tmp = Path(tempfile.mkdtemp())
    pdf = tmp / "scan.pdf"
    docs._scan_pdf(docs.SCAN_PAGES, pdf)

    def pdfium(dpi):
        import pypdfium2

        doc = pypdfium2.PdfDocument(str(pdf))
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]

    def pdftoppm(dpi):
        from PIL import Image

        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(tmp / "p")], check=True)
        return [Image.open(p).copy() for p in sorted(tmp.glob("p*.png"))]

    def tesserocr_read(images):
        import tesserocr

        with tesserocr.PyTessBaseAPI(path=TESSDATA, lang="dan") as api:
            out = []
            for im in images:
                api.SetImage(im)
                out.append(api.GetUTF8Text())
            return out

    def pytesseract_read(images):
        import pytesseract

        return [pytesseract.image_to_string(im, lang="dan") for im in images]

    def ocrmypdf_read():
        import ocrmypdf
        from pypdf import PdfReader

        out = tmp / "ocr.pdf"
        ocrmypdf.ocr(pdf, out, language="dan", progress_bar=False, output_type="pdf", optimize=0)
        return [p.extract_text() for p in PdfReader(out).pages]

    options = []
    for dpi in (200, 300):
        options += [(f"pypdfium2 {dpi} dpi + tesserocr", lambda d=dpi: tesserocr_read(pdfium(d))),
                    (f"pypdfium2 {dpi} dpi + pytesseract", lambda d=dpi: pytesseract_read(pdfium(d)))]
        if shutil.which("pdftoppm"):
            options.append((f"pdftoppm {dpi} dpi + pytesseract", lambda d=dpi: pytesseract_read(pdftoppm(d))))
    options.append(("ocrmypdf", ocrmypdf_read))
    print(json.dumps({"load": os.getloadavg()}))
    for name, fn in options:
        try:
            best, pages = None, None
            for _ in range(2):
                t = time.perf_counter()
                pages = fn()
                best = min(best or 1e9, time.perf_counter() - t)
            print(json.dumps({"option": name, "seconds_2_pages": round(best, 2), **score(pages, truth, facts)},
                             ensure_ascii=False), flush=True)
        except ImportError as e:
            print(json.dumps({"option": name, "skipped": str(e)}, ensure_ascii=False))
    print(json.dumps({"load": os.getloadavg()}))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
