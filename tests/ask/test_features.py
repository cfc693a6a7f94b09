"""Ranking features read the passage's metadata as it is stored."""
from __future__ import annotations

from qa.ask.features import passage_features
from qa.ask.query import parse_query
from qa.types import Chunk


def _features(question: str, **meta) -> dict[str, float]:
    chunk = Chunk("c1", "d1", "Majken Callesen blev valgt som næstformand.", 0, 44, item="1",
                  item_title="Konstituering", **meta)
    query = parse_query(question)
    return passage_features(query, ["næstformand"], {"næstformand": 1.0}, chunk, (0.9, (0, 44), False, 1.0, 1.0),
                            0.8, 1.0)


def test_the_asked_kind_of_body_fits_a_committee_named_with_its_unit():
    f = _features("Hvem blev valgt som næstformand i MEDII?", committee="MEDII - Arbejdsmarked og Integration",
                  body="MEDII")
    assert (f["body_fit"], f["body_other"]) == (1.0, 0.0)
    f = _features("Hvem blev valgt som næstformand i MEDII?", committee="HovedMED", body="HovedMED")
    assert (f["body_fit"], f["body_other"]) == (0.0, 1.0)
    f = _features("Hvem blev valgt som næstformand?", committee="HovedMED", body="HovedMED")
    assert (f["body_fit"], f["body_other"]) == (0.0, 0.0)
