"""Tests for qa.ingest.loaders: every format round-trips Danish text, every bad file gets a reason.

All fixtures are generated here (short made-up minutes), so the tests document exactly
which bytes produce which result. PDFs are written by hand with a correct xref table
(pypdf cannot lay out text) using Helvetica with WinAnsiEncoding, which covers æøå.
"""
from __future__ import annotations

import io
from pathlib import Path

import docx as python_docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from pypdf import PdfReader, PdfWriter

from qa.ingest.loaders import ocr
from qa.ingest.loaders import SUPPORTED_SUFFIXES, Loaded, _Format, _REGISTRY, load_file
from qa.settings import Settings

MINUTES = [
    "Referat af møde i AfdelingsMED d. 3. april 2024",
    "Punkt 1: Godkendelse af dagsorden",
    "Beslutning: Godkendt.",
    "Punkt 2: Høring om ændret åbningstid på Ørestad Bibliotek",
    "Medarbejdersiden ønsker, at høringssvaret når frem før fristen.",
]
MINUTES_TEXT = "\n".join(MINUTES) + "\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --------------------------------------------------------------------------- PDF helpers


def _pdf_string(s: str) -> bytes:
    b = s.encode("cp1252")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(pages: list[list[str] | str | None]) -> bytes:
    """A minimal valid PDF: a page is a list of text lines, None (a grey box, no text) or "image"."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog, pages_id = add(b""), add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for spec in pages:
        resources = b"/Font << /F1 %d 0 R >>" % font
        if spec is None:
            content = b"0.5 g 72 72 200 200 re f"
        elif spec == "image":
            pixels = bytes(range(0, 256, 4))  # 8x8 grey gradient
            img = add(b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 /Length 64 >>\nstream\n" + pixels + b"\nendstream")
            resources += b" /XObject << /Im1 %d 0 R >>" % img
            content = b"q 400 0 0 400 72 300 cm /Im1 Do Q"
        else:
            ops = [b"BT /F1 12 Tf 14 TL 72 760 Td"] + [_pdf_string(line) + b" Tj T*" for line in spec] + [b"ET"]
            content = b"\n".join(ops)
        c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << %s >> "
                        b"/Contents %d 0 R >>" % (pages_id, resources, c)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                          + b"] /Count %d >>" % len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password="ejer-hemmelig", algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.fixture
def no_ocr(monkeypatch):
    """Make the result independent of whether Tesseract happens to be installed: it is not."""
    monkeypatch.setattr(ocr, "unavailable", lambda settings=None: "scannet PDF uden tekstlag — OCR mangler")


# --------------------------------------------------------------------------- plain text


def test_utf8_text_round_trip_keeps_lines_and_normalises_line_endings(tmp_path):
    body = "Referat\r\n\r\n  Punkt 1: Godkendelse af dagsorden\r\nBeslutning: Godkendt – æøå ÆØÅ\rslut"
    expected = "Referat\n\n  Punkt 1: Godkendelse af dagsorden\nBeslutning: Godkendt – æøå ÆØÅ\nslut"
    assert load_file(write(tmp_path, "referat.txt", body)) == Loaded(expected, None, "txt")


def test_utf8_bom_is_stripped(tmp_path):
    result = load_file(write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + MINUTES_TEXT.encode("utf-8")))
    assert result.text == MINUTES_TEXT


def test_utf16_with_bom_from_notepad(tmp_path):
    result = load_file(write(tmp_path, "notepad.txt", MINUTES_TEXT.encode("utf-16")))
    assert result.text == MINUTES_TEXT


@pytest.mark.parametrize(
    "sentence",
    [
        MINUTES_TEXT,
        "På mødet blev økonomien gennemgået.",
        "Sø",  # two letters: too short for statistics, must still be cp1252
        "ØKONOMIUDVALGET ÅRSBERETNING",
        "Kommunens ’grønne’ plan – budget på 5 € pr. borger, jf. § 3",
        "Ledelsens “svar” på medarbejdersidens ’forslag’ blev drøftet",  # ’ is Æ in cp865
        "Der er bekymring i forhold til ’hvad betyder det nye for mig’, jf. CAB’s profil",  # no æøå
        "Punkt 3: Eventuelt. Intet.\nNæste møde: tirsdag.",
    ],
)
def test_cp1252_danish_is_decoded_as_cp1252(tmp_path, sentence):
    result = load_file(write(tmp_path, "gammel.txt", sentence.encode("cp1252")))
    assert result.text == sentence


def test_latin1_danish(tmp_path):
    result = load_file(write(tmp_path, "latin1.txt", MINUTES_TEXT.encode("latin-1")))
    assert result.text == MINUTES_TEXT


@pytest.mark.parametrize("encoding", ["cp865", "mac_roman"])
@pytest.mark.parametrize("sentence", [MINUTES_TEXT, "Resumé: en god idé, men ’for sent’."])
def test_old_dos_and_mac_code_pages(tmp_path, encoding, sentence):
    if encoding == "cp865":
        sentence = sentence.replace("’", "'")  # cp865 has no curly quotes
    result = load_file(write(tmp_path, "dos.txt", sentence.encode(encoding)))
    assert result.text == sentence


def test_utf8_with_a_stray_cp1252_paste(tmp_path):
    data = "Høring om ændret åbningstid. ".encode("utf-8") + "Bemærkning fra Søren.".encode("cp1252")
    expected = "Høring om ændret åbningstid. Bemærkning fra Søren."
    assert load_file(write(tmp_path, "blandet.txt", data)).text == expected


def test_decomposed_letters_are_composed(tmp_path):
    result = load_file(write(tmp_path, "mac.txt", "A\u030arhus og bla\u030a"))  # 'Å' and 'å' as a + ring
    assert result.text == "Århus og blå"


def test_markdown_is_loaded_as_text(tmp_path):
    md = "# Referat\n\n## Punkt 1: Godkendelse\n\n* Godkendt af ledelsen og medarbejdersiden\n"
    assert load_file(write(tmp_path, "noter.md", md)) == Loaded(md, None, "md")


def test_inline_bold_is_dropped_but_a_bold_heading_line_keeps_its_stars(tmp_path):
    md = ("**Beslutning**\n"
          "1. **At nedlægge jobcentrene.** Kommunerne skal stadig varetage indsatsen.\n"
          "Det blev __vedtaget__ med 2 stemmer; filen hedder vagt__plan__2024.xlsx\n")
    assert load_file(write(tmp_path, "referat.txt", md)).text == (
        "**Beslutning**\n"
        "1. At nedlægge jobcentrene. Kommunerne skal stadig varetage indsatsen.\n"
        "Det blev vedtaget med 2 stemmer; filen hedder vagt__plan__2024.xlsx\n")


@pytest.mark.parametrize("name", ["tom.txt", "tom.md", "tom.pdf", "tom.docx", "tom.html"])
def test_empty_file(tmp_path, name):
    assert load_file(write(tmp_path, name, b"")) == Loaded(None, "filen er tom", name.split(".")[1])


def test_whitespace_only_text_is_empty(tmp_path):
    assert load_file(write(tmp_path, "blank.txt", " \r\n\t\n  ")).error == "filen er tom"


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4,  # a zip with a .txt name
        bytes(b % 32 for b in range(4000)),  # control bytes, no NUL among the first
        "Referat\n".encode("utf-16-le"),  # UTF-16 without BOM is NUL-laden: refused, not garbled
    ],
)
def test_binary_junk_with_txt_suffix(tmp_path, data):
    result = load_file(write(tmp_path, "junk.txt", data))
    assert result == Loaded(None, "filen ligner ikke tekst (binære data)", "txt")


def test_50_mb_text_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "kæmpe log.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: instant to create, and never read
    result = load_file(path)
    assert result.text is None
    assert result.error == "filen er for stor (50 MB; grænsen er 8 MB)"


def test_text_size_limit_is_a_setting(tmp_path):
    s = Settings(max_text_file_bytes=100)
    assert load_file(write(tmp_path, "lille.txt", "æ" * 50), s).text == "æ" * 50  # 100 bytes: at the limit
    assert load_file(write(tmp_path, "stor.txt", "æ" * 51), s).error.startswith("filen er for stor")


def test_large_text_loads(tmp_path):
    body = (MINUTES_TEXT * (990_000 // len(MINUTES_TEXT))).encode("cp1252")  # just below the character budget
    result = load_file(write(tmp_path, "stor.txt", body))
    assert result.text is not None and len(result.text) == len(body)
    assert result.text.startswith(MINUTES[0])


# --------------------------------------------------------------------------- PDF


def test_pdf_round_trip_pages_joined_by_blank_line(tmp_path, no_ocr):
    pdf = make_pdf([MINUTES[:3], None, MINUTES[3:]])
    result = load_file(write(tmp_path, "referat.pdf", pdf))
    assert result == Loaded("\n".join(MINUTES[:3]) + "\n\n" + "\n".join(MINUTES[3:]), None, "pdf")


def test_pdf_without_text_layer_is_skipped_saying_what_to_install(tmp_path, no_ocr):
    result = load_file(write(tmp_path, "scannet.pdf", make_pdf(["image", None])))
    assert result == Loaded(None, "scannet PDF uden tekstlag — OCR mangler", "pdf")


def test_pdf_with_some_scanned_pages_is_not_indexed_half(tmp_path, no_ocr):
    result = load_file(write(tmp_path, "blandet.pdf", make_pdf([MINUTES, "image"])))
    assert result.text is None and result.error.startswith("1 af 2 sider er scannet")


def test_missing_tesseract_data_names_the_debian_packages(monkeypatch, tmp_path):
    from qa.settings import Settings

    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    reason = ocr.unavailable(Settings(tessdata=str(tmp_path)))
    assert "tesseract-ocr-dan" in reason and "apt-get install" in reason
    assert ocr.unavailable(Settings(ocr=False)).endswith("(QA_OCR=0)")


def test_scanned_pages_are_read_in_page_order_and_marked(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "unavailable", lambda settings=None: None)
    monkeypatch.setattr(ocr, "read_pages", lambda path, numbers, settings=None:
                        {n: f"Side {n} læst\n" for n in numbers})
    result = load_file(write(tmp_path, "blandet.pdf", make_pdf(["image", MINUTES[:1], None, "image"])))
    assert result == Loaded(f"Side 0 læst\n\n{MINUTES[0]}\n\nSide 3 læst", None, "pdf", ocr=True)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_pdf(tmp_path, keep):
    pdf = make_pdf([MINUTES, MINUTES])
    result = load_file(write(tmp_path, "afbrudt.pdf", pdf[: int(len(pdf) * keep)]))
    assert result == Loaded(None, "filen kunne ikke læses (beskadiget eller afkortet PDF)", "pdf")


def test_pdf_with_garbled_body(tmp_path):
    pdf = make_pdf([MINUTES])
    garbled = pdf[:15] + bytes(i * 7 % 256 for i in range(len(pdf) - 40)) + b"\nstartxref\n9\n%%EOF\n"
    result = load_file(write(tmp_path, "rodet.pdf", garbled))
    assert result.text is None and "beskadiget PDF" in result.error


def test_not_a_pdf_at_all(tmp_path):
    page = "<!DOCTYPE html><html><body>Siden findes ikke</body></html>"  # a saved error page
    assert load_file(write(tmp_path, "download.pdf", page)).error == "filen kunne ikke læses (ikke en PDF-fil)"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_encrypted_pdf_with_password(tmp_path, algorithm):
    pdf = encrypt_pdf(make_pdf([MINUTES]), "hemmelig", algorithm)
    result = load_file(write(tmp_path, "lukket.pdf", pdf))
    assert result == Loaded(None, "PDF-filen er krypteret (kræver adgangskode)", "pdf")


def test_encrypted_pdf_with_empty_user_password_opens(tmp_path):
    """Permission-only protection (no printing/copying) is common on official PDFs."""
    pdf = encrypt_pdf(make_pdf([MINUTES]), "", "AES-128")
    assert PdfReader(io.BytesIO(pdf)).is_encrypted
    assert load_file(write(tmp_path, "beskyttet.pdf", pdf)).text == "\n".join(MINUTES)


def test_extracted_text_limit(tmp_path):
    result = load_file(write(tmp_path, "lang.pdf", make_pdf([MINUTES, MINUTES])), Settings(max_text_chars=100))
    assert result.text is None and result.error.startswith("teksten er for lang")


# --------------------------------------------------------------------------- DOCX


def make_docx(path: Path) -> Path:
    doc = python_docx.Document()
    doc.add_heading("Referat af møde i AfdelingsMED", level=1)
    doc.add_paragraph("Dato: 3. april 2024")
    doc.add_paragraph("")
    doc.add_paragraph("")
    doc.add_heading("Dagsorden", level=2)
    doc.add_paragraph("Godkendelse af dagsorden", style="List Number")
    doc.add_paragraph("Høring om åbningstider", style="List Number")
    doc.add_paragraph("Eventuelt", style="List Number")
    doc.add_heading("Punkt 1: Godkendelse af dagsorden", level=2)
    doc.add_heading("Beslutning", level=3)
    para = doc.add_paragraph("Godkendt. ")
    para.add_run("Dog med én bemærkning fra medarbejdersiden.").bold = True
    table = doc.add_table(rows=3, cols=3)
    rows = [["Navn", "Rolle", "Fremmøde"], ["Søren Ågård", "Formand", "Ja"], ["Ærø Østergård", "", ""]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.text = "Afbud"
    doc.add_paragraph("Opfølgning:", style="List Bullet")
    # a content control (agenda-system templates) and tracked changes, via raw XML
    last = doc.add_paragraph("Næste møde: 14. maj 2024.")
    last._p.addprevious(parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Høringsfrist: 1. maj.</w:t></w:r></w:p>'
        "</w:sdtContent></w:sdt>"))
    last._p.addprevious(parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">Ledelsen </w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>afviste</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>tiltrådte</w:t></w:r></w:ins>'
        '<w:r><w:t xml:space="preserve"> forslaget.</w:t><w:tab/><w:t>(enstemmigt)</w:t></w:r></w:p>'))
    doc.save(str(path))
    return path


DOCX_EXPECTED = "\n".join([
    "# Referat af møde i AfdelingsMED",
    "Dato: 3. april 2024",
    "",
    "## Dagsorden",
    "1. Godkendelse af dagsorden",
    "2. Høring om åbningstider",
    "3. Eventuelt",
    "## Punkt 1: Godkendelse af dagsorden",
    "### Beslutning",
    "Godkendt. Dog med én bemærkning fra medarbejdersiden.",
    "Navn | Rolle | Fremmøde",
    "Søren Ågård | Formand | Ja",
    "Ærø Østergård | Afbud",
    "- Opfølgning:",
    "Høringsfrist: 1. maj.",
    "Ledelsen tiltrådte forslaget.\t(enstemmigt)",
    "Næste møde: 14. maj 2024.",
])


def test_docx_round_trip_with_structure(tmp_path):
    path = make_docx(tmp_path / "Referat AfdelingsMED 3. april.docx")
    assert load_file(path) == Loaded(DOCX_EXPECTED, None, "docx")


def test_docx_list_numbers_restart_per_list(tmp_path):
    """Two numbered lists that Word shows as 1-2 and 1-2 (the second with a restart override)."""
    doc = python_docx.Document()
    for text in ("Første", "Anden"):
        doc.add_paragraph(text, style="List Number")
    numbering = doc.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="99"><w:abstractNumId w:val="0"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    for text in ("Tredje", "Fjerde"):
        p = doc.add_paragraph(text, style="List Number")
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="99"/></w:numPr>'))
    doc.save(str(tmp_path / "lister.docx"))
    assert load_file(tmp_path / "lister.docx").text == "1. Første\n2. Anden\n1. Tredje\n2. Fjerde"


def test_docx_without_text(tmp_path):
    doc = python_docx.Document()
    doc.add_paragraph("")
    doc.save(str(tmp_path / "tom.docx"))
    assert load_file(tmp_path / "tom.docx") == Loaded(None, "filen indeholder ingen tekst", "docx")


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_docx(tmp_path, cut):
    data = make_docx(tmp_path / "hel.docx").read_bytes()
    result = load_file(write(tmp_path, "halv.docx", data[: int(len(data) * cut)]))
    assert result == Loaded(None, "filen kunne ikke læses (beskadiget DOCX)", "docx")


def test_zip_that_is_not_a_word_document(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "falsk.docx", "w") as z:
        z.writestr("noter.txt", "ikke et Word-dokument")
    assert load_file(tmp_path / "falsk.docx").error == "filen kunne ikke læses (beskadiget DOCX)"


def test_old_doc_or_encrypted_docx(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    result = load_file(write(tmp_path, "gammel.docx", ole))
    assert result.error == "Word-filen er krypteret eller i det gamle .doc-format"


def test_docx_zip_bomb_guard(tmp_path):
    result = load_file(make_docx(tmp_path / "bombe.docx"), Settings(max_markup_bytes=1000))
    assert result.text is None and result.error.startswith("filen indeholder for meget XML")


# --------------------------------------------------------------------------- HTML

AGENDA_PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Dagsorden og referat</title><style>p { color: red }</style>
<script>var tekst = "må ikke komme med";</script></head>
<body><header><nav><a href="/">Forside</a> <a href="/moeder">Møder</a></nav></header>
<div class="cookie" style="display: none">Vi bruger cookies</div>
<main><article><header><h1>Referat:  HovedMED<br>12. juni 2024</h1></header>
<h2>Punkt 1: Godkendelse af dagsorden</h2><p>Beslutning:
   Godkendt uden bemærkninger.</p>
<h2>Punkt 2: Økonomi</h2><p>Budgettet for 2025 blev <b>drøftet</b>.<br>Medarbejdersiden ønskede en plan.</p>
<!-- kommentar må ikke komme med -->
<ul><li>Høringsfrist: 1. september</li><li>Næste møde: <i>14. august</i></li></ul>
<ol start="3"><li>Opfølgning</li><li>Eventuelt &amp; lukket punkt</li></ol>
<table><tr><th>Navn</th><th>Rolle</th></tr><tr><td>Søren Ågård</td><td>Formand</td></tr></table>
</article></main>
<aside>Relaterede møder</aside><footer>Københavns Kommune · Kontakt</footer></body></html>
"""
AGENDA_EXPECTED = "\n".join([
    "# Referat: HovedMED 12. juni 2024",
    "## Punkt 1: Godkendelse af dagsorden",
    "Beslutning: Godkendt uden bemærkninger.",
    "## Punkt 2: Økonomi",
    "Budgettet for 2025 blev drøftet.",
    "Medarbejdersiden ønskede en plan.",
    "- Høringsfrist: 1. september",
    "- Næste møde: 14. august",
    "3. Opfølgning",
    "4. Eventuelt & lukket punkt",
    "Navn | Rolle",
    "Søren Ågård | Formand",
])


def test_html_main_text_in_cp1252_from_meta(tmp_path):
    result = load_file(write(tmp_path, "dagsorden.html", AGENDA_PAGE.encode("cp1252")))
    assert result == Loaded(AGENDA_EXPECTED, None, "html")


def test_a_page_header_with_the_meeting_facts_is_the_minutes_own(tmp_path):
    page = ("<html><body><header><p>Nordby Kommune</p><h1>Referat</h1><p>Mødedato: 12.09.2023</p>"
            "<p>Deltagere: Anders Holm (formand)</p></header><main><h2>Pkt. 1 Budget</h2><p>Godkendt.</p></main>"
            "</body></html>")
    text = load_file(write(tmp_path, "referat.html", page)).text
    assert "Mødedato: 12.09.2023" in text and "Deltagere: Anders Holm (formand)" in text
    site = "<html><body><header><p>Nordby Kommune</p><p>Søg</p></header><main><p>Godkendt.</p></main></body></html>"
    assert load_file(write(tmp_path, "side.html", site)).text == "Godkendt."


def test_html_utf8_wins_over_a_wrong_meta_charset(tmp_path):
    result = load_file(write(tmp_path, "dagsorden.htm", AGENDA_PAGE.encode("utf-8")))
    assert result.text == AGENDA_EXPECTED


def test_html_without_main_or_meta(tmp_path):
    page = ("<html><body><nav>Menu</nav><div><h3>Høringssvar fra CenterMED</h3>"
            "<div>Vi støtter forslaget.</div>Tekst uden tag</div><script>x()</script></body></html>")
    result = load_file(write(tmp_path, "svar.html", page.encode("cp1252")))
    assert result.text == "### Høringssvar fra CenterMED\nVi støtter forslaget.\nTekst uden tag"


def test_html_with_only_boilerplate(tmp_path):
    page = "<html><head><title>Tom</title></head><body><nav>Forside</nav><script>x()</script></body></html>"
    assert load_file(write(tmp_path, "tom.html", page)) == Loaded(None, "filen indeholder ingen tekst", "html")


# --------------------------------------------------------------------------- dispatch


def test_names_with_spaces_danish_letters_and_upper_case_suffix(tmp_path, no_ocr):
    folder = tmp_path / "Møder 2024" / "Ærø Øst"
    folder.mkdir(parents=True)
    assert load_file(write(folder, "Referat HovedMED – 12. juni å.TXT", MINUTES_TEXT)).text == MINUTES_TEXT
    pdf = write(folder, "Høringssvar fra Ølstykke.PDF", make_pdf([MINUTES]))
    assert load_file(pdf).text == "\n".join(MINUTES)
    assert load_file(make_docx(folder / "Notat om åbningstider.docx")).text == DOCX_EXPECTED


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("data.xyz", "ukendt filtype .xyz"),
        ("gammelt referat.doc", "ukendt filtype .doc (gem som .docx eller PDF)"),
        ("README", "ukendt filtype (ingen filendelse)"),
    ],
)
def test_unknown_suffix(tmp_path, name, error):
    assert load_file(write(tmp_path, name, MINUTES_TEXT)) == Loaded(None, error, "")


def test_missing_file_and_directory(tmp_path):
    assert load_file(tmp_path / "findes ikke.pdf") == Loaded(None, "filen findes ikke", "pdf")
    (tmp_path / "mappe.txt").mkdir()
    assert load_file(tmp_path / "mappe.txt") == Loaded(None, "ikke en almindelig fil", "txt")


def test_supported_suffixes():
    assert {".pdf", ".docx", ".html", ".htm", ".md", ".txt"} <= SUPPORTED_SUFFIXES
    assert ".doc" not in SUPPORTED_SUFFIXES


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_random_bytes_never_raise(tmp_path, suffix):
    junk = bytes((i * 131 + 7) % 256 for i in range(3000))
    result = load_file(write(tmp_path, "junk" + suffix, junk))
    assert result.text is None and result.error


def test_unexpected_loader_bug_becomes_an_error(tmp_path, monkeypatch):
    def broken(path, budget):
        raise RuntimeError("bug")

    monkeypatch.setitem(_REGISTRY, ".txt", _Format("txt", broken, True))
    result = load_file(write(tmp_path, "a.txt", "x"))
    assert result == Loaded(None, "filen kunne ikke læses (RuntimeError)", "txt")


def test_an_item_laid_out_as_a_label_and_text_table_keeps_its_labels_as_sub_section_lines(tmp_path):
    doc = python_docx.Document()
    doc.add_paragraph("Hoved-MED").runs[0].bold = True
    meta = doc.add_table(rows=1, cols=2)
    meta.cell(0, 0).text, meta.cell(0, 1).text = "Mødedato", "7. marts 2024"
    doc.add_paragraph("Sag 2: Sygefravær 2023").runs[0].bold = True
    item = doc.add_table(rows=2, cols=2)
    for r, (label, text) in enumerate([("Drøftelse", "Medarbejdersiden ønsker en fastholdelseskonsulent."),
                                       ("Beslutning:", "Taget til efterretning.")]):
        item.cell(r, 0).text, item.cell(r, 1).text = label, text
    path = tmp_path / "tabel.docx"
    doc.save(str(path))
    assert load_file(path).text.splitlines() == [
        "Hoved-MED", "Mødedato | 7. marts 2024", "Sag 2: Sygefravær 2023",
        "Drøftelse", "Medarbejdersiden ønsker en fastholdelseskonsulent.", "Beslutning:", "Taget til efterretning."]
    html = ("<html><body><h2>Punkt 1: Budget</h2><table><tr><td>Beslutning</td><td>Godkendt.</td></tr>"
            "<tr><td>Ansvarlig</td><td>HR</td></tr></table></body></html>")
    assert load_file(write(tmp_path, "tabel.html", html)).text.splitlines()[-3:] == [
        "Beslutning", "Godkendt.", "Ansvarlig | HR"]


def test_an_item_number_and_its_title_in_separate_inline_elements_stay_apart(tmp_path):
    """An agenda system's layout (tests/fixtures/heldout4): CSS, not text, puts the gap after the number."""
    page = ('<html><body><div class="item"><span class="no">3</span><span class="title">Budget 2025</span></div>'
            "<p><b>AMR</b>s forslag: <i>sparekrav</i>et.</p></body></html>")
    text = load_file(write(tmp_path, "referat.html", page)).text
    assert text.splitlines() == ["3 Budget 2025", "AMRs forslag: sparekravet."]  # inside a word: no gap
