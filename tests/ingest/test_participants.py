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
