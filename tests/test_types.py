"""The records that travel: what an answer hands the next turn of a conversation."""
from __future__ import annotations

from qa.types import Answer, Chunk, Hit, Query


def _answer(abstain: bool) -> Answer:
    chunk = Chunk("c1", "d1", "Tryghedsteamet godkendes som forsøg.", 0, 36, item="4", item_title="Vold og trusler",
                  date="2023-03-15")
    return Answer(Query("Hvad er tryghedsteamet?"), [Hit(chunk, 1.0)], abstain=abstain, searched_for="tryghedsteamet",
                  question="Hvad er tryghedsteamet?")


def test_the_next_turn_knows_where_the_answer_stood():
    t = _answer(False).turn
    assert (t.question, t.searched_for, t.doc_id, t.item, t.item_title, t.date) == (
        "Hvad er tryghedsteamet?", "tryghedsteamet", "d1", "4", "Vold og trusler", "2023-03-15")
    assert t.passage.startswith("Tryghedsteamet")


def test_an_abstaining_answer_gives_the_next_turn_no_place():
    t = _answer(True).turn
    assert t.doc_id is None and t.passage == "" and t.searched_for == "tryghedsteamet"
