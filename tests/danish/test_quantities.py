from __future__ import annotations

import pytest

from qa.danish.quantities import quantity_spans


def _spans(text: str) -> list[tuple[str, bool]]:
    return [(text[s:e], money) for s, e, money in quantity_spans(text)]


@pytest.mark.parametrize("text, expected", [
    ("Der skal findes 35 mio. kr. i budget 2025, jf. punkt 3.", [("35 mio. kr.", True)]),
    ("Sygefraværet i 3. kvartal 2023 var 5,8 %.", [("5,8 %", True)]),
    ("Besparelsen er på 1.250.000 kr. i 2026.", [("1.250.000 kr.", True)]),
    ("Der er ca. 300 medarbejdere i centret pr. 1. januar 2024.", [("ca. 300 medarbejdere", False)]),
    ("I alt 12 ansøgere.", [("12 ansøgere", False)]),
])
def test_amounts_and_counts_are_found_with_their_unit(text, expected):
    assert _spans(text) == expected


@pytest.mark.parametrize("text", [
    "Mødet holdes kl. 8.30 i mødelokale 402.",  # a clock time and a room
    "Se bilag 3 og punkt 4 fra 25. november 2022.",  # references and a date
    "Sagsnr. 81.38.00-P35-1-24 blev drøftet i 2024.",  # a case number and a year
    "Det drøftes igen i 2. halvår.",  # an ordinal
])
def test_dates_references_and_ordinals_are_not_quantities(text):
    assert _spans(text) == []
