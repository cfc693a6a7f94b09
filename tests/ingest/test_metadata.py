"""Document descriptions on 21 generated documents in layouts the seed corpus lacks
(tests/fixtures/metadata_docs.py), plus the rules one by one on small inputs."""
from __future__ import annotations

import pytest

from qa.ingest import metadata as M
from qa.ingest.loaders import load_file
from qa.ingest.loaders import ocr
from qa.ingest.repair import repair
from tests.fixtures import metadata_docs

FIELDS = ("title", "committee", "body", "municipality", "date", "doc_type")
TEXT_DOCS = [e for e in metadata_docs.EXPECTED if not e.get("ocr")]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    if metadata_docs.font_path() is None:
        pytest.skip("DejaVuSans.ttf mangler (fonts-dejavu-core) - den scannede side kan ikke tegnes")
    out = tmp_path_factory.mktemp("docs13")
    metadata_docs.build(out)
    return out


@pytest.mark.parametrize("expected", TEXT_DOCS, ids=[e["file"] for e in TEXT_DOCS])
def test_every_field_of_a_generated_document(docs, expected):
    loaded = load_file(docs / expected["file"])
    assert loaded.text, loaded.error
    meta = M.describe(repair(loaded.text).text, expected["file"])
    assert {f: getattr(meta, f) for f in FIELDS} == {f: expected[f] for f in FIELDS}


@pytest.mark.skipif(ocr.unavailable() is not None, reason=f"OCR: {ocr.unavailable()}")
def test_scanned_minute_is_read_by_ocr_and_described(docs):
    (expected,) = [e for e in metadata_docs.EXPECTED if e.get("ocr")]
    loaded = load_file(docs / expected["file"])
    assert loaded.ocr and loaded.error is None
    for fact in ("5,8 procent", "6,4 procent", "40", "støjdæmpende skærme", "trivselsplan"):
        assert fact in loaded.text
    meta = M.describe(repair(loaded.text).text, expected["file"])
    assert {f: getattr(meta, f) for f in FIELDS} == {f: expected[f] for f in FIELDS}


# --- the rules one by one ---------------------------------------------------------------------

@pytest.mark.parametrize("line,kind,committee", [
    ("Referat af møde i Hoved-MED Teknik og Miljø d. 3. maj 2024", "HovedMED", "Hoved-MED Teknik og Miljø"),
    ("HMU Psykiatrien", "HovedMED", "HMU Psykiatrien"),
    ("H-MED Social og Sundhed", "HovedMED", "H-MED Social og Sundhed"),
    ("Område MED Ældre", "OmrådeMED", "Område MED Ældre"),
    ("OMU Skole og Fritid", "OmrådeMED", "OMU Skole og Fritid"),
    ("LMU Hjemmeplejen Syd", "LokalMED", "LMU Hjemmeplejen Syd"),
    ("Samarbejdsudvalget, Medicinsk Afdeling", "SU", "Samarbejdsudvalget, Medicinsk Afdeling"),
    ("SU-møde Kirurgisk Klinik", "SU", "SU Kirurgisk Klinik"),
    ("Arbejdsmiljøudvalget (AMU), Akutafdelingen", "AMU", "Arbejdsmiljøudvalget, Akutafdelingen"),
    ("MED-udvalg niveau II, Kultur og Fritid", "MEDII", "MED-udvalg niveau II, Kultur og Fritid"),
    ("LokalMED Dagtilbud Øst, Nordskov Kommune", "LokalMED", "LokalMED Dagtilbud Øst"),
    ("MED-udvalget for Ældre og Handicap", "MED", "MED-udvalget for Ældre og Handicap"),
    ("HovedMEDs høringssvar på forslaget", "HovedMED", "HovedMED"),
    ("REFERAT MEDII - Arbejdsmarked og Integration d. 10-03-2025", "MEDII", "MEDII - Arbejdsmarked og Integration"),
    ("Hoved-MED – Mødereferat", "HovedMED", "Hoved-MED"),  # the document type as a compound is no unit
    ("LokalMED Dagtilbud Øst – Beslutningsreferat", "LokalMED", "LokalMED Dagtilbud Øst"),
])
def test_committee_keeps_its_unit(line, kind, committee):
    start, end, found = M.V.body_spans(line)[0]
    assert (found, M.committee_at(line, start, end)) == (kind, committee)


def test_med_as_a_preposition_or_inside_a_word_is_no_body():
    assert M.V.body_spans("et område med mange ældre, en lokal med erfaring, områdemedarbejderne") == []


def test_the_body_reported_on_is_not_the_one_meeting():
    head = [("Referat", "Referat"), ("Nyt fra HovedMED", "Nyt fra HovedMED")]
    assert M.committee_of("Referat", head, "x.txt") == (None, None)
    assert M.committee_of("Referat", head, "LMU Vest 2024-01-02.txt") == ("LMU Vest", "LokalMED")
    assert M.committee_of("Referat fra LMU-møde på Plejehjemmet Ly", [], "x.txt") == ("LMU Plejehjemmet Ly", "LokalMED")


def test_navigation_lines():
    for line in ("Hent referatet som PDF Udskriv Fold alle", "Forside › Politik › Referater",
                 "Accepter alle Kun nødvendige Læs mere om cookies", "Udskriv · Del på Facebook"):
        assert M.is_navigation(line), line
    assert not M.is_navigation("Referat af møde i LokalMED Dagtilbud Øst")
    assert not M.is_navigation("Politik for hjemmearbejde")


def test_title_skips_chrome_running_header_and_first_item():
    text = ("Hent referatet som PDF Udskriv Fold alle\nX Kommune - OMU Vest\nReferat  af  møde  i  OMU  Vest\n"
            "1. Godkendelse af dagsorden og referat\nGodkendt.\n\nX Kommune - OMU Vest\n2. Eventuelt")
    assert M.document_title(text) == "Referat af møde i OMU Vest"


def test_a_bare_type_word_takes_the_heading_after_it_or_a_fuller_one():
    assert M.document_title("NOTAT\n\nHjemmearbejde i Borgerservice\n\nBaggrund\nTekst.") == \
        "NOTAT – Hjemmearbejde i Borgerservice"
    assert M.document_title("Referat\nMødedato: 1.2.2024\nPunkt 1: Budget") == "Referat"
    assert M.document_title("## Referat\nTID 10-11\n**25. november 2022**\n## Referat af møde i HovedMED\n"
                            "1. Godkendelse") == "Referat af møde i HovedMED"


def test_meeting_date_not_the_sending_date_and_file_name_fallbacks():
    assert M.meeting_date(M.head_lines("Udsendt: 26. januar 2024\nDato: 2. februar 2024\nPunkt 1: x"), "a") \
        == "2024-02-02"
    assert M.meeting_date(M.head_lines("Notat\nDato: 3. juni"), "memo_2018.txt") == "2018-06-03"
    assert M.meeting_date([], "2019-06-03 notat.txt") == "2019-06-03"
    assert M.meeting_date([], "notat 2017.txt") == "2017"
    assert M.file_date("scan_20231107.pdf") == "2023-11-07"
    assert M.file_date("referat 2017 og 2018.txt") is None


def test_decisions_make_a_referat_and_empty_fields_a_dagsorden():
    agenda = ("Dagsorden\nPunkt 1: Budget\nIndstilling: Det indstilles, at budgettet godkendes.\nBeslutning:\n\n"
              "Punkt 2: Eventuelt\nBeslutning:\n")
    assert not M.has_decisions(agenda)
    assert M.has_decisions(agenda.replace("Beslutning:\n\nPunkt 2", "Beslutning: Godkendt.\n\nPunkt 2"))
    assert M.has_decisions("Punkt 1\nKonklusion: Planen træder i kraft 1. april.")
    assert M.document_type("Dagsorden", [], "Dagsorden\nPunkt 1: x\nBeslutning: Godkendt.", "d.pdf") == "referat"
    assert M.document_type("Notat om x", [], "Beslutning: y", "n.txt") == "notat"


def test_municipality_region_or_hospital():
    assert M.municipality_of("", M.head_lines("KØBENHAVNS KOMMUNE\nReferat")) == "Københavns Kommune"
    assert M.municipality_of("", M.head_lines("Region Syddanmark\nSygehus Sønderå")) == "Region Syddanmark"
    assert M.municipality_of("", M.head_lines("Regionshospitalet Nordvest\nReferat")) == "Regionshospitalet Nordvest"
    assert M.municipality_of("Nyt fra KommuneMED\nRingkøbing-Skjern Kommune", []) == "Ringkøbing-Skjern Kommune"
    assert M.municipality_of("Hver Kommune skal ...", []) is None


def test_sidecar_overrides_fields(tmp_path):
    doc = tmp_path / "Referat X.pdf"
    doc.write_bytes(b"%PDF-1.4")
    assert M.read_sidecar(doc) == {}
    M.sidecar_path(doc).write_text('{"committee": "LokalMED Vest", "date": "2024-03-12", "x": 1, '
                                   '"municipality": null}', encoding="utf-8")
    overrides = M.read_sidecar(doc)
    assert overrides == {"committee": "LokalMED Vest", "date": "2024-03-12", "municipality": None}
    meta = M.with_overrides(M.DocMeta(title="T", municipality="A Kommune"), overrides)
    assert (meta.title, meta.committee, meta.date, meta.municipality) == ("T", "LokalMED Vest", "2024-03-12", None)
    M.sidecar_path(doc).write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ValueError, match="meta.json"):
        M.read_sidecar(doc)


def test_describe_document_on_short_texts():
    doc = M.describe_document("Referat af møde i Hoved-MED\nMødedato: 5. marts 2024\nBilag fra 1. januar 2020\n"
                              "Punkt 1: x\nBeslutning: Godkendt.", "a.txt", "id", ocr=True)
    assert (doc.committee, doc.body, doc.date, doc.doc_type, doc.ocr) == ("Hoved-MED", "HovedMED", "2024-03-05",
                                                                          "referat", True)
    assert M.describe_document("NOTAT\nBilag 3\nTekst.", "b.txt", "id").doc_type == "notat"


def test_a_local_committee_takes_its_unit_from_the_line_above_and_a_slug_gives_kind_and_unit():
    head = M.head_lines("Nørreskolen\nReferat af SU-møde den 4/9-2023\n1. Budget")
    title = M.document_title("Nørreskolen\nReferat af SU-møde den 4/9-2023\n1. Budget", head)
    assert M.committee_of(title, head, "x.txt") == ("SU Nørreskolen", "SU")
    head = M.head_lines("Københavns Kommune\nReferat af møde i HovedMED\n1. Budget")
    assert M.committee_of("Referat af møde i HovedMED", head, "x.txt") == ("HovedMED", "HovedMED")
    assert M.committee_of("Referat", [], "referat_områdemed_vest_2024-02-12.txt") == ("OmrådeMED Vest", "OmrådeMED")
    # the unit after the municipality on the line above: "Egholt Kommune · Skoler Nord"
    text = "Egholt Kommune · Skoler Nord\nReferat – Område-MED\nTorsdag 5/9-2024 kl. 13-15\nAd punkt 1 – Budget"
    head = M.head_lines(text)
    assert M.committee_of(M.document_title(text, head), head, "x.docx") == ("Område-MED Skoler Nord", "OmrådeMED")
    assert M.committee_of("Referat", [], "2015-11_koebenhavn_hovedmed_hoeringssvar.txt") == ("HovedMED", "HovedMED")


def test_an_iso_date_line_is_no_case_number():
    assert M.meeting_date(M.head_lines("# Referat: LokalMED Vest\n2024-10-01\nPunkt 1: x"), "a.html") == "2024-10-01"


def test_a_date_wrapped_over_two_lines_is_still_the_date():
    text = ("HovedMED\n\nHøringssvar om omlægningen\n\nEfter drøftelsen på det ekstraordinære møde den 12. november\n"
            "2015 har HovedMED følgende bemærkninger:\n")
    assert M.meeting_date(M.head_lines(text), "svar.txt") == "2015-11-12"
    # a date on the next line alone belongs to that line, not to the one before
    assert M.meeting_date(M.head_lines("Referat\nMødedato: 5. juni 2023\n"), "x.txt") == "2023-06-05"


def test_an_unnumbered_first_item_ends_the_head_and_an_agreement_is_a_decision():
    """A Word file whose items are unnumbered headings (tests/fixtures/heldout4): "Godkendelse af dagsorden og
    referat" is the first item, not the title; the municipality's line naming the committee is the title."""
    text = ("# Havnstrup Kommune – MED-udvalget for Teknik og Miljø\nMødet blev holdt tirsdag den 9. april 2024.\n"
            "## Godkendelse af dagsorden og referat\nDagsordenen blev godkendt.\n## Ny vagtplan\n"
            "Aftale: Forslaget sendes til en arbejdsgruppe.")
    meta = M.describe(text, "Referat TMU-MED april.docx")
    assert meta.title == "Havnstrup Kommune – MED-udvalget for Teknik og Miljø"
    assert (meta.date, meta.committee, meta.doc_type) == ("2024-04-09", "MED-udvalget for Teknik og Miljø", "referat")
    assert M.has_decisions("## Ny vagtplan\nAftale: Forslaget sendes videre.")
    assert not M.has_decisions("## Aftale om hjemmearbejde\nForslaget beskrives nedenfor.")


def test_a_municipality_named_only_in_the_page_header_is_read_from_the_loaded_text():
    page = ("Egholt Kommune - Lokal-MED Skoler Nord | Referat 03.10.2024\n{body}\nSide {n} af 3")
    bodies = ["Referat\nLokal-MED Skoler Nord\nMødedato Torsdag den 3. oktober 2024\nPunkt 1: Budget\nDrøftet.",
              "Punkt 2: APV\nHandleplanerne er lagt.", "Punkt 3: Eventuelt\nIntet."]
    loaded = "\f".join(page.format(body=b, n=n) for n, b in enumerate(bodies, 1))
    text = repair(loaded).text
    assert "Egholt Kommune" not in text  # the running header went with the furniture
    assert M.describe(text, "referat.pdf").municipality is None
    assert M.describe(text, "referat.pdf", loaded).municipality == "Egholt Kommune"
