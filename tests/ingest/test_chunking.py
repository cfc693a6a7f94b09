"""Agenda-item chunking on the shipped minutes and on small minutes written for the tests."""
from __future__ import annotations

import re

import pytest

from qa.danish.text import sentences
from qa.ingest.chunking import Chunker, Sections, section_at
from qa.ingest.metadata import describe_document
from qa.ingest.repair import repair
from qa.types import Document
from tests.conftest import corpus_file


def _chunk(text: str, max_chars: int = 1200):
    c = Chunker(max_chars=max_chars, overlap=100)
    doc = describe_document(text, "test.txt", "t")
    return doc, c.chunk(doc)


def _seed(fragment: str):
    return _chunk(repair(corpus_file(fragment).read_text(encoding="utf-8")).text)


def _items(chunks):
    return list(dict.fromkeys((c.item, c.item_title) for c in chunks if c.item))


@pytest.mark.parametrize("fragment", ["albertslund_afdelingsmed", "medii_arbejdsmarked"])
def test_minutes_with_a_table_of_contents_have_its_eleven_items(fragment):
    doc, chunks = _seed(fragment)
    items = _items(chunks)
    assert [i for i, _ in items] == [str(n) for n in range(1, 12)]
    assert doc.doc_type == "referat"
    # the table of contents itself is not content
    assert not any(re.search(r"\.{4,}\s*\d+", c.text) for c in chunks)


def test_afdelingsmed_titles_date_and_body():
    doc, chunks = _seed("albertslund_afdelingsmed")
    titles = dict(_items(chunks))
    assert titles["1"] == "Godkendelse af referat og dagsorden"
    assert titles["5"] == "Status på BDO undersøgelse"
    assert titles["11"] == "Eventuelt"
    assert (doc.date, doc.body, doc.committee) == ("2024-05-23", "AfdelingsMED",
                                                   "AfdelingsMED Borger, Arbejdsmarked & Erhverv")
    decision = [c for c in chunks if c.item == "1"][0]
    assert "Referaterne fra de sidste 2 møder er godkendt." in decision.text
    assert "81.38.00-P35-1-24" not in decision.text  # journal numbers are page furniture


def test_a_date_alone_on_a_line_is_content_not_a_case_number():
    """A deadline wrapped onto its own line reads like a journal or case number; it is content."""
    text = ("Referat af CenterMED 3. marts 2021\n\n"
            "1. Omstilling\n\n"
            "Centret er i gang med omstilling til den nye målgruppe, en proces der skal være på plads\n"
            "01.01.2022.\n"
            "Den nye vagtplan gælder fra\n"
            "2021-09-01\n"
            "81.38.00-P35-1-21\n")
    _, chunks = _chunk(text)
    body = " ".join(c.text for c in chunks)
    assert "01.01.2022." in body and "2021-09-01" in body
    assert "81.38.00-P35-1-21" not in body


def test_ad_items_and_front_matter_of_hovedmed_minutes():
    doc, chunks = _seed("hovedmed_referat")
    assert [i for i, _ in _items(chunks)] == ["1", "2", "3"]
    assert (doc.date, doc.body, doc.committee) == ("2022-11-25", "HovedMED", "HovedMED")
    assert "EAN-nummer" not in " ".join(c.text for c in chunks)
    long_item = [c for c in chunks if c.item == "2"]
    assert len(long_item) > 1 and all(len(c.text) <= 1200 for c in long_item)
    assert all(c.item_title.startswith("Opfølgning på BIF-SOF-analysen") for c in long_item)
    assert any("medarbejdersiden" in c.sides for c in long_item)


def test_hearing_document_is_cut_into_each_bodys_response():
    doc, chunks = _seed("hoeringssvar")
    titles = list(dict.fromkeys(c.item_title for c in chunks))
    for body in ("AMC", "Ungecentret", "JKI", "Erhvervhus", "CAB", "CBSI", "CKB"):
        assert any(body.lower() in t.lower() for t in titles), body
    assert doc.doc_type == "høringssvar"
    amc = [c for c in chunks if "AMC" in c.item_title]
    assert all(c.body == "CenterMED" for c in amc)


def test_memo_items_and_subsections():
    doc, chunks = _seed("slagelse_notat")
    assert [i for i, _ in _items(chunks)] == ["1", "2"]
    assert doc.doc_type == "notat"
    (c,) = [c for c in chunks if "tæt dialog med SektorMED" in c.text]
    assert section_at(c.text, c.text.index("tæt dialog")) == "Processen med TR/MED"


MADE_UP = """Referat af møde i LokalMED Vejvæsen
Mødedato: 3. april 2024

Dagsorden
1. Godkendelse af dagsorden
2. Hjemmearbejde
3. Eventuelt

Side 1 af 3

Sag nr. 1: Godkendelse af dagsorden
Beslutning
Godkendt.

Sag nr. 2: Hjemmearbejde
Sagsfremstilling
Ledelsen foreslår en fast hjemmearbejdsdag om ugen for alle, der kan passe opgaven hjemme.
Medarbejdersiden bakker op, men ønsker at det aftales i hvert team.
Beslutning
Forslaget blev vedtaget med medarbejdersidens tilføjelse.

Sag nr. 3: Eventuelt
Intet.
"""


def test_made_up_minutes_of_another_municipality():
    doc, chunks = _chunk(MADE_UP)
    assert (doc.date, doc.body, doc.doc_type) == ("2024-04-03", "LokalMED", "referat")
    assert _items(chunks) == [("1", "Godkendelse af dagsorden"), ("2", "Hjemmearbejde"), ("3", "Eventuelt")]
    item2 = [c for c in chunks if c.item == "2"][0]
    assert {"ledelsen", "medarbejdersiden"} <= set(item2.sides)
    assert "Side 1 af 3" not in " ".join(c.text for c in chunks)
    # the citation offsets point at the passage in the source text
    assert MADE_UP[item2.start: item2.end].startswith("Sag nr. 2: Hjemmearbejde")
    assert section_at(item2.text, item2.text.index("Forslaget")) == "Beslutning"


def test_long_items_are_split_with_their_title_and_exact_offsets():
    body = " ".join(f"Sætning nummer {n} om budgettet for skoleområdet." for n in range(120))
    text = f"Punkt 1: Budget 2026\n\nSagsfremstilling\n\n{body}\n\nPunkt 2: Eventuelt\n\nIntet.\n"
    _, chunks = _chunk(text, max_chars=500)
    item1 = [c for c in chunks if c.item == "1"]
    assert len(item1) > 5
    assert all(len(c.text) <= 500 and c.item_title == "Budget 2026" for c in item1)
    for c in item1:
        assert text[c.start: c.end] == c.text
    # consecutive pieces overlap a little, so no sentence is lost at a boundary
    assert all(a.end > b.start for a, b in zip(item1, item1[1:]))


def test_a_line_ending_in_a_colon_goes_with_the_list_it_announces():
    intro = " ".join(f"Der er sket meget i afdelingen i periode {n}." for n in range(8))
    items = "\n".join(f"{n}. Fokusområde nummer {n}: " + "Det vedrører alle medarbejdere i hele huset. " * 3
                      for n in range(1, 5))
    text = f"Punkt 1: Orientering\n\n{intro}\n\nVi har 4 fokusområder i afdelingen:\n\n{items}\n"
    _, chunks = _chunk(text, max_chars=500)
    item1 = [c for c in chunks if c.item == "1"]
    assert len(item1) > 2
    assert not any(c.text.endswith(":") for c in item1)
    lead = next(c for c in item1 if "fokusområder i afdelingen:" in c.text)
    assert lead.text.startswith("Vi har 4 fokusområder") and "1. Fokusområde" in lead.text
    assert all(text[c.start: c.end] == c.text and len(c.text) <= 500 for c in item1)


def test_a_heading_line_is_not_glued_to_the_sentence_under_it():
    """Before: "Beslutning Tryghedsteamet videreføres i 2024." was one sentence, and shown so."""
    text = ("Punkt 4: Vold og trusler\nJ.nr. 27.12.00-G01-4-24\nSagsfremstilling\nAntallet faldt fra 74 til 52"
            " episoder.\nLedelsens vurdering\nTeamet har virket efter hensigten.\nBeslutning\nTryghedsteamet"
            " videreføres i 2024 og\nfinansieres af mindreforbruget.")
    sections = Sections.of(text)
    cut = sections.cut(text, sentences(text))
    shown = [text[a:b] for a, b, _ in cut]
    assert shown == ["J.nr. 27.12.00-G01-4-24", "Antallet faldt fra 74 til 52 episoder.",
                     "Teamet har virket efter hensigten.",
                     "Tryghedsteamet videreføres i 2024 og\nfinansieres af mindreforbruget."]  # a wrapped line stays
    # each is embedded as before: with the heading that was glued to it
    assert text[cut[-1][2]:cut[-1][1]].startswith("Beslutning\nTryghedsteamet")
    assert sections.at(text.index("Tryghedsteamet")) == "Beslutning"


def test_a_side_named_in_a_lead_in_speaks_in_the_sub_sections_after_it_up_to_the_decision():
    points = "\n".join(f"- Punkt {i} om samarbejdet på tværs af forvaltningerne skal styrkes og udvikles." for i in range(12))
    text = ("Referat\n\n**Ad 2. Organisering**\n\nDirektøren gennemgik rapporten om organiseringen af området.\n\n"
            "Medarbejdersiden tog orienteringen til efterretning med følgende bemærkninger:\n\n"
            f"*Samarbejde*\n\n{points}\n\n*Rammer*\n\n{points}\n\n"
            "**Beslutning:**\n\nHovedMED drøftede rapporten og tog den til efterretning.\n")
    doc = Document(doc_id="d", title="Referat", text=text, source="x.txt", date="2022-11-25")
    chunks = [c for c in Chunker(max_chars=900).chunk(doc) if c.item == "2"]
    points_chunks = [c for c in chunks if "Punkt 3" in c.text and "Medarbejdersiden" not in c.text]
    assert points_chunks and all("medarbejdersiden" in c.sides for c in points_chunks)
    decision = [c for c in chunks if "HovedMED drøftede" in c.text]
    assert decision and all("medarbejdersiden" not in c.sides for c in decision if "Medarbejdersiden" not in c.text)


# An agenda-system PDF's text layer: plain "N. Titel" headings, a contents list without dot leaders, a case
# number under each heading (the layout of tests/fixtures/heldout3, in other words).
_PLAIN = """Referat
Center-MED Sundhed og Omsorg
Mødedato: 28.11.2023
Indholdsfortegnelse
1. Godkendelse af dagsorden 2
2. Sygefravær 3. kvartal 2023 2
3. Budget 2024 3
1. Godkendelse af dagsorden
Sagsnr.: 23/18811
Beslutning
Dagsordenen blev godkendt uden bemærkninger.
2. Sygefravær 3. kvartal 2023
Sagsnr.: 23/04410
Sagsfremstilling
Sygefraværet var 8,4 % i 3. kvartal 2023. Der er tre forslag:
1. Et forflytningsteam
2. Flere hjælpemidler
Beslutning
Ledelsen undersøger prisen.
3. Budget 2024
Sagsfremstilling
Byrådet har vedtaget budget 2024, og Sundhed og Omsorg skal finde 4,2 mio. kr.
"""


def test_plain_numbered_headings_open_items_but_contents_entries_and_lists_do_not():
    _, chunks = _chunk(_PLAIN)
    assert _items(chunks) == [("1", "Godkendelse af dagsorden"), ("2", "Sygefravær 3. kvartal 2023"),
                              ("3", "Budget 2024")]
    two = " ".join(c.text for c in chunks if c.item == "2")
    assert "1. Et forflytningsteam" in two and "Ledelsen undersøger prisen." in two  # the list stays in its item


def test_plain_numbered_lines_without_a_label_or_contents_entry_stay_text():
    text = ("Referat\nMødedato: 28.11.2023\nVi drøftede tre ting\n1. Sygefravær i Hjemmeplejen\n"
            "2. Budget for næste år\nDet blev besluttet at vende tilbage.\n")
    _, chunks = _chunk(text)
    assert not _items(chunks)


def test_without_contents_the_labels_and_the_numbering_decide():
    no_toc = "\n".join(ln for ln in _PLAIN.splitlines() if not re.search(r"\s\d$", ln) and ln != "Indholdsfortegnelse")
    _, chunks = _chunk(no_toc)
    # "2. Flere hjælpemidler" is followed by "Beslutning" too, but item 2 is open: the next item is 3
    assert [i for i, _ in _items(chunks)] == ["1", "2", "3"]


def test_an_agenda_system_pdf_we_wrote_reads_with_its_items_date_and_committee():
    """tests/fixtures/heldout3: the text layer of a PDF whose headings are plain "2. Titel" lines."""
    from pathlib import Path

    from qa.ingest.loaders import load_file

    pdf = Path(__file__).resolve().parents[1] / "fixtures" / "heldout3" / "referat-1.pdf"
    doc, chunks = _chunk(repair(load_file(pdf).text).text)
    assert doc.date == "2023-11-28" and doc.committee == "Center-MED Sundhed og Omsorg"
    assert [t for _, t in _items(chunks)] == ["Godkendelse af dagsorden", "Sygefravær 3. kvartal 2023", "Budget 2024",
                                              "Arbejdsmiljø: natarbejde på plejecentrene", "Eventuelt"]


# A scan's OCR (tests/fixtures/heldout4/scan0042.pdf): "1) Titel" lines, blank lines, nothing else marking them.
_SCAN = """MED-udvalget for Teknik og Miljø
REFERAT af møde den 28.01.2025 kl. 9.00-11.00

1) Godkendelse af dagsorden
Godkendt.

2) Opfølgning på budget 2025

De to stillinger er nedlagt. Vi aftalte tre ting:
1) Et møde i marts
2) En ny arbejdsplan

3) Sygefravær 2024
Sygefraværet for hele 2024 blev 5,6 %.
"""


def test_numbered_title_lines_with_text_of_their_own_open_items():
    _, chunks = _chunk(_SCAN)
    assert _items(chunks) == [("1", "Godkendelse af dagsorden"), ("2", "Opfølgning på budget 2025"),
                              ("3", "Sygefravær 2024")]
    assert "2) En ny arbejdsplan" in " ".join(c.text for c in chunks if c.item == "2")  # the list stays inside


def test_two_numbered_title_lines_alone_are_not_a_sequence_of_items():
    text = "Referat\nMødedato: 28.11.2023\n\n1) Sygefravær\nVi drøftede tallene.\n\n2) Budget\nIntet nyt.\n"
    _, chunks = _chunk(text)
    assert not _items(chunks)


@pytest.mark.parametrize("name, date, titles", [
    ("Referat TMU-MED april.docx", "2024-04-09", ["Godkendelse af dagsorden og referat", "Orientering fra ledelsen",
                                                  "Sygefravær 1. kvartal 2024", "Ny vagtplan i vintertjenesten",
                                                  "Eventuelt"]),
    ("dagsorden-referat-17092024.html", "2024-09-17", ["Godkendelse af dagsorden", "Sygefravær 2. kvartal 2024",
                                                       "Vintertjeneste – ny vagtplan", "Budget 2025", "Eventuelt"]),
])
def test_the_havnstrup_minutes_we_wrote_read_with_their_items(name, date, titles):
    """tests/fixtures/heldout4: unnumbered Word headings; a web page with the item number in its own element."""
    from pathlib import Path

    from qa.ingest.loaders import load_file

    path = Path(__file__).resolve().parents[1] / "fixtures" / "heldout4" / name
    doc, chunks = _chunk(repair(load_file(path).text).text)
    assert (doc.date, doc.committee, doc.doc_type) == (date, "MED-udvalget for Teknik og Miljø", "referat")
    assert list(dict.fromkeys(c.item_title for c in chunks if c.item_title in titles)) == titles
    assert all(len(c.text) < 1200 for c in chunks)  # each item its own passage, not one run of text


@pytest.mark.parametrize("name, date, items", [
    ("Referat_Omraade-MED_Dagtilbud_Oest_20-02-2024.pdf", "2024-02-20", 7),
    ("Referat_OMED_dagtilbud_oest_juni2024.docx", "2024-06-12", 7),
    ("intranet_referat_omed_dagtilbud_oest_2024-11.md", "2024-11-12", 8),
])
def test_the_roennevig_minutes_a_helper_wrote_read_as_one_committee_with_their_items(name, date, items):
    """tests/fixtures/heldout5: "Punkt 4:" under a running page header naming the municipality, bold "Ad punkt 3 –"
    lines under "Rønnevig Kommune · Dagtilbud Øst", "## PUNKT 2 - TITEL"; three meetings of one committee."""
    from pathlib import Path

    from qa.ingest.loaders import load_file

    loaded = load_file(Path(__file__).resolve().parents[1] / "fixtures" / "heldout5" / name).text
    text = repair(loaded).text
    doc = describe_document(text, name, "t", loaded=loaded)
    assert (doc.date, doc.municipality, doc.doc_type) == (date, "Rønnevig Kommune", "referat")
    assert doc.committee.startswith("Område-MED Dagtilbud Øst")
    chunks = Chunker(max_chars=1200, overlap=100).chunk(doc)
    assert [str(n) for n in range(1, items + 1)] == list(dict.fromkeys(c.item for c in chunks if c.item))
