"""The participant list gives names their sides; a passage naming a participant speaks with them."""
from __future__ import annotations

from qa.ingest.chunking import Chunker
from qa.ingest.participants import named_sides, participants
from qa.types import Document


def test_one_person_a_line_under_side_headings():
    lines = [
        "Deltagere Ledelsessiden:",
        "Birgitte Holm Andersen, direktør for Ældre og Handicap (formand)",
        "Lise Mørk, leder af Bo- og Aktivitetscenter Kildebakken",
        "Medarbejdersiden:",
        "Mette Kjær, fællestillidsrepræsentant, FOA (næstformand)",
        "Susanne Bech, tillidsrepræsentant for social- og sundhedspersonalet,",
        "FOA",
        "Jonas Winther, arbejdsmiljørepræsentant, Hjemmeplejen",
        "Afbud",
        "Line Hvidt, AMR",
    ]
    roles = participants(lines)
    assert roles["Birgitte Holm Andersen"] == ("formand", "ledelsen")
    assert roles["Lise Mørk"] == ("ledelsen",)
    assert "Aktivitetscenter Kildebakken" not in roles  # a place in a role is no person
    assert set(roles["Mette Kjær"]) == {"tr", "næstformand", "medarbejdersiden"}
    assert set(roles["Susanne Bech"]) == {"tr", "medarbejdersiden"}  # "FOA" on its own line ends no group
    assert set(roles["Jonas Winther"]) == {"amr", "medarbejdersiden"}
    assert roles["Line Hvidt"] == ("amr",)  # after "Afbud" the group heading no longer holds


def test_several_people_on_one_line_with_roles_in_brackets():
    roles = participants(["Deltagere: Anders Holm (formand, leder), Birgitte Skov (næstformand, TR BUPL), "
                          "Dennis Kjeldsen (områdeleder), Eva Lindberg (TR FOA)", "Afbud: Frederik Hansen"])
    assert roles == {"Anders Holm": ("formand",), "Birgitte Skov": ("tr", "næstformand"),
                     "Eva Lindberg": ("tr",)}
    assert participants(["Mødedeltagere Pia Ulv Helleland, Majken Callesen, Lene Marie Nørlund"]) == {}


def test_a_passage_naming_a_participant_speaks_with_their_sides():
    roles = {"Birgitte Skov": ("tr", "næstformand"), "Anders Holm": ("formand",)}
    assert named_sides("Birgitte\nSkov foreslog i stedet at spare på vikarbudgettet.", roles) == ("tr", "næstformand")
    assert named_sides("Birgitte Skovs forslag blev drøftet.", roles) == ("tr", "næstformand")
    assert named_sides("Birgitte Skovgaard orienterede.", roles) == ()


def test_chunks_of_minutes_carry_the_sides_of_the_people_they_name():
    text = ("Referat\nDeltagere: Anders Holm (formand), Birgitte Skov (TR BUPL)\n\n"
            "Pkt. 1 Budget 2024\nBirgitte Skov foreslog at spare på vikarbudgettet.\n\n"
            "Pkt. 2 Eventuelt\nIntet.\n")
    chunks = Chunker().chunk(Document("d", "referat.txt", text, "Referat", date="2023-09-12"))
    by_item = {c.item: c for c in chunks}
    assert by_item["1"].sides == ("tr",)
    assert by_item["2"].sides == ()
    assert by_item[None].sides == ("tr", "formand")  # the list itself names them, as before: no extra sides


def test_two_layouts_we_wrote_read_with_their_items_and_speakers():
    """Our own Nordby minutes (tests/fixtures/heldout): a web page with the meeting's facts in the page header
    and roles in brackets, and a 'Beslutningsreferat' with "Ad 1)" items and an attendance line without roles."""
    from pathlib import Path

    from qa.ingest.loaders import load_file

    folder = Path(__file__).resolve().parents[1] / "fixtures" / "heldout"
    page = load_file(folder / "LokalMED Børn og Unge 2023-09-12.html").text
    chunks = Chunker().chunk(Document("d1", "page.html", page, "Referat"))
    by_item = {c.item: c for c in chunks}
    assert "Deltagere: Anders Holm" in by_item[None].text  # the page header is the minutes' own
    assert by_item["3"].item_title == "Budget 2024 – besparelser på dagtilbud"
    assert set(by_item["3"].sides) == {"medarbejdersiden", "tr", "næstformand"}  # Birgitte Skov (TR BUPL)
    assert "amr" in by_item["2"].sides  # Camilla Nørgaard (AMR) speaks in the sickness item

    text = load_file(folder / "LokalMED Børn og Unge 2024-02-20.txt").text
    items = {c.item: c for c in Chunker().chunk(Document("d2", "referat.txt", text, "Beslutningsreferat"))}
    assert [items[i].item_title for i in ("4", "5")] == ["APV 2024", "Evt"]
    assert items["3"].sides == ("medarbejdersiden",)  # "Til stede:" gives no roles, the text names the side
