"""Hostile inputs for the robustness tests (issue 15): small files that unpack or parse big, and text that
would be markup if it were not escaped."""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx(path: Path, body_blocks, main: str = "word/document.xml") -> Path:
    """A minimal .docx whose main part is called `main` (any name), its body streamed from byte blocks."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          f'<Override PartName="/{main}" ContentType="{_MAIN}"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{main}"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        with z.open(main, "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'.encode())
            for block in body_blocks:
                f.write(block)
            f.write(b"</w:body></w:document>")
    return path


def empty_paragraphs(n_bytes: int):
    unit = b"<w:p/>" * ((1 << 20) // 6)
    for _ in range(max(1, n_bytes // len(unit))):
        yield unit


def paragraphs(n: int, text: str = "Medarbejdersiden tog orienteringen til efterretning."):
    para = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
    for _ in range(n // 1000):
        yield para * 1000
    yield para * (n % 1000)


def lying_zip(path: Path, name: str, payload: bytes, declared: int) -> Path:
    """A zip whose one part declares `declared` bytes but holds `payload` (both headers patched)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, payload)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 22, declared)
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, declared)
    path.write_bytes(bytes(data))
    return path


def pdf(path: Path, stream: bytes) -> Path:
    """A one-page PDF drawing the given content stream (stored deflated, so the file stays small)."""
    data = zlib.compress(stream, 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def slow_pdf(path: Path, words: int) -> Path:
    """One page of `words` words each moved by Td: pypdf's time grows faster than linearly in them."""
    return pdf(path, b"BT /F1 1 Tf 10 700 Td " + b"(referat ) Tj 0 -1 Td " * words + b"ET")

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '<iframe src="javascript:alert(4)"></iframe>',
    "[klik](javascript:alert(5))",
    '<a href="javascript:alert(6)">link</a>',
    "![x](javascript:alert(7))",
    "<details open ontoggle=alert(8)>",
    "<body onload=alert(9)>",
    "`<b>` ``<img src=x onerror=alert(10)>``",
    "<javascript:alert(11)>",
    "[ref]\n\n[ref]: javascript:alert(12)",
    "&lt;img src=x onerror=alert(13)&gt;",
    "<style>@import 'javascript:alert(14)'</style>",
    '<object data="javascript:alert(15)"></object>',
    "<input autofocus onfocus=alert(16)>",
    "<!--><img src=x onerror=alert(17)>-->",
    ":red[Rød] $\\LaTeX$ <marquee onstart=alert(18)>",
    "&#60;img src=x onerror=alert(19)&#62;",
    "\\<img src=x onerror=alert(20)>",
]


def hostile_history() -> list:
    """One conversation turn whose question, filters and every hit carry the payloads."""
    from qa.types import Answer, Chunk, Hit, Query

    hits = []
    for i, p in enumerate(PAYLOADS):
        chunk = Chunk(chunk_id=f"c{i}", doc_id=f"d{i}", text=f"Punkt om {p}\nog mere tekst {p}", start=0, end=10,
                      item="1", item_title=f"Titel {p}", section=f"Afsnit {p}", sides=(), source=f"corpus/{p}.txt",
                      doc_title=f"Referat {p}", date="2024-03-01", committee=f"MED {p}", doc_type="referat")
        hits.append(Hit(chunk=chunk, score=1.0 - i / 100, rank=i + 1, sentence=f"Sætning {p}", sentence_start=0))
    answer = Answer(query=Query(text="x"), hits=hits, abstain=False)
    return [{"question": "Hvad <img src=x onerror=alert(99)> sagde [de](javascript:alert(98))?",
             "searched": "<b onmouseover=alert(97)>x</b>", "filters": {"committee": "<svg onload=alert(96)>"},
             "answer": answer},
            {"question": "<script>alert(95)</script>", "error": "<img src=x onerror=alert(94)>"}]
