from __future__ import annotations

from qa.storage.notes import Notes
from qa.types import Answer, Chunk, Hit, Period, Query, Turn


def _answer() -> Answer:
    chunk = Chunk("c1", "d1", "Medarbejdersiden bakker ikke op.", 0, 32, item="2", sides=("medarbejdersiden",),
                  committee="HovedMED", date="2022-11-25", source="corpus/x.md")
    query = Query(text="resortflyt", date_hint=("2022-01-01", "2022-12-31"), parts=("a", "b"),
                  period=Period("2022-01-01", "2022-12-31", "year", "2022"),
                  previous=Turn("Hvad?", "resortflyt", "d1", "2", "Resortflyt", "2022-11-25", "Medarbejdersiden …"))
    return Answer(query=query, hits=[Hit(chunk=chunk, score=1.2, sentence=chunk.text, sentence_start=0,
                                         signals={"dense": 0.8})], searched_for="resortflyt", cut=True)


def test_conversation_round_trips_with_its_answers(tmp_path):
    notes = Notes(tmp_path)
    turns = [{"id": "t1", "question": "Hvad?", "searched": "resortflyt", "filters": {"committee": "HovedMED"},
              "answer": _answer(), "error": None, "notice": None, "vote": 1},
             {"id": "t2", "question": "", "answer": None, "error": "Spørgsmålet er tomt."}]
    notes.save_conversation("abc", turns)
    back = Notes(tmp_path).load_conversation("abc")
    assert back == turns  # dataclasses compare by value: tuples are tuples again
    assert back[0]["answer"].hits[0].chunk.sides == ("medarbejdersiden",)
    assert back[0]["answer"].query.previous.item == "2" and back[0]["answer"].query.period.kind == "year"
    assert Notes(tmp_path).load_conversation("other") == []
    notes.delete_conversation("abc")
    assert notes.load_conversation("abc") == []


def test_numpy_scores_are_stored_as_numbers(tmp_path):
    import numpy as np

    answer = _answer()
    answer.hits[0].signals["dense"] = np.float32(0.5)
    Notes(tmp_path).save_conversation("n", [{"id": "t", "question": "q", "answer": answer}])
    assert Notes(tmp_path).load_conversation("n")[0]["answer"].hits[0].signals["dense"] == 0.5


def test_feedback_is_one_vote_per_answer_and_can_be_taken_back(tmp_path):
    notes = Notes(tmp_path)
    notes.record_feedback("abc", "t1", 1, question="Hvad?", sentence="S.", source="corpus/x.md")
    notes.record_feedback("abc", "t1", 0, question="Hvad?", sentence="S.", source="corpus/x.md")
    notes.record_feedback("abc", "t2", 1, question="Hvor?", filters={"side": "ledelsen"})
    rows = notes.feedback()
    assert [(r["turn"], r["vote"]) for r in rows] == [("t1", -1), ("t2", 1)]
    assert rows[1]["filters"] == {"side": "ledelsen"}
    notes.record_feedback("abc", "t1", None, question="Hvad?")
    assert [r["turn"] for r in notes.feedback()] == ["t2"]
    assert (tmp_path / "notes.sqlite").exists()
