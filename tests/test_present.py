"""What the front ends show: inert HTML, plain text, whole items, the Markdown export, citations."""
from __future__ import annotations

from datetime import datetime

from qa import present as app

RESORTFLYT = "Hvad mente medarbejdersiden om et resortflyt af beskæftigelsesansvaret?"


def test_passage_html_escapes_everything_and_marks_the_sentence():
    text = "# Punkt 1\n<script>alert(1)</script> **fed** `kode` $x$ [link](http://x)\n\nHer er svaret. Slut."
    sentence = "Her er svaret."
    html = app.passage_html(text, text.index(sentence), sentence)
    assert "<script" not in html and "</script" not in html
    assert "<mark>Her er svaret.</mark>" in html
    for raw in ("**", "`", "$", "[link]", "# Punkt"):
        assert raw not in html
    assert "\n" not in html  # one line: no markdown block can start inside it


def test_passage_html_without_a_matching_sentence():
    html = app.passage_html("Tekst & <b>mere</b>", 3, "findes ikke")
    assert "<mark>" not in html and "&#38;" in html and "<b>" not in html


def test_a_sentence_joined_from_a_neighbouring_passage_marks_its_part_in_this_passage():
    text = "Budget 2025. Direktionen foreslår, at besparelserne fordeles"
    joined = "Direktionen foreslår, at besparelserne fordeles efter andel."
    assert "<mark>Direktionen foreslår, at besparelserne fordeles</mark>" in \
        app.passage_html(text, text.index("Direktionen"), joined)
    head = "efter andel. Medarbejdersiden tog det til efterretning."
    assert "<mark>efter andel.</mark> Medarbejdersiden" in app.passage_html(head, 0, joined)


def test_whole_item_removes_the_overlap_between_passages():
    from qa.types import Chunk
    a = Chunk("a", "d", "Første del af punktet, som fortsætter her i teksten", 0, 51, item="2")
    b = Chunk("b", "d", "som fortsætter her i teksten og slutter her.", 23, 67, item="2")
    c = Chunk("c", "d", "Et nyt afsnit.", 69, 83, item="2")
    assert app.whole_item([c, b, a]) == (
        "Første del af punktet, som fortsætter her i teksten og slutter her.\n\nEt nyt afsnit.")


def test_conversation_markdown_has_question_answer_and_citations():
    from qa.present import citation
    from qa.types import Answer, Chunk, Hit, Query
    chunk = Chunk("c1", "d1", "Medarbejdersiden bakker ikke op om et resortflyt.", 0, 49, item="2",
                  item_title="Opfølgning på BIF-SOF-analysen", section="Resortflyt", committee="HovedMED",
                  date="2022-11-25", doc_type="referat", source="corpus/x.md")
    hit = Hit(chunk=chunk, score=1.0, rank=1, sentence=chunk.text, sentence_start=0)
    answer = Answer(query=Query(text="q"), hits=[hit], searched_for="q")
    history = [{"question": RESORTFLYT, "searched": RESORTFLYT, "filters": {"committee": "HovedMED"},
                "answer": answer, "error": None},
               {"question": "", "searched": "", "filters": {}, "answer": None, "error": "Spørgsmålet er tomt."}]
    md = app.conversation_markdown(history, now=datetime(2024, 5, 1, 12, 0))
    assert "Eksporteret 1. maj 2024 kl. 12:00." in md
    assert f"## 1. {RESORTFLYT}" in md
    assert "> Medarbejdersiden bakker ikke op om et resortflyt." in md
    assert citation(chunk) in md and "HovedMED, 25. november 2022, punkt 2" in md
    assert "*Filtre:* udvalg: HovedMED" in md
    assert "Spørgsmålet er tomt." in md


def test_plain_removes_markup_and_joins_broken_lines():
    assert app.plain("## **Beslutning**\n\n*Resortflyt*") == "Beslutning\n\nResortflyt"
    assert app.plain("det materiale, der blev \n \nfremlagt") == "det materiale, der blev fremlagt"
    assert app.plain("Punkt 1.\n\nNæste") == "Punkt 1.\n\nNæste"




def test_cut_notice_and_has_words():
    assert app.cut_notice(2000) == "Spørgsmålet var meget langt; jeg søgte kun på de første 2.000 tegn."
    assert app.has_words("Hvad?") and not app.has_words("?!… ---")


def test_citation_names_the_title_only_when_it_says_more_and_marks_ocr():
    from qa.present import adds_to_committee, citation
    from qa.types import Chunk

    assert not adds_to_committee("Referat af ekstraordinært møde i HovedMED d. 25. november 2022", "HovedMED")
    assert not adds_to_committee("Referat af møde i LokalMED Dagtilbud Øst", "LokalMED Dagtilbud Øst")
    assert adds_to_committee("NOTAT – Hjemmearbejde i Borgerservice", None)
    c = Chunk("d:0", "d", "Der indkøbes 40 skærme.", 0, 22, item="3", item_title="Ny trivselsplan",
              doc_title="Referat af møde i CenterMED Jobcenter", date="2023-11-07", committee="CenterMED Jobcenter",
              ocr=True)
    assert citation(c) == "CenterMED Jobcenter, 7. november 2023, punkt 3: Ny trivselsplan (OCR)"
    memo = Chunk("m:0", "m", "x", 0, 1, doc_title="NOTAT – Hjemmearbejde", date="2017", committee="LokalMED Vest")
    assert citation(memo) == "LokalMED Vest, 2017, NOTAT – Hjemmearbejde"


# --------------------------------------------------------------------------------------------
# The chat's answer: the fact asked for, relevant sources, precedent grouping, feedback rows
# --------------------------------------------------------------------------------------------
def _hit(text: str, score: float, *, doc: str = "d1", date: str | None = "2024-05-23", committee="AfdelingsMED",
         item="2", start=0, sentence: str | None = None):
    from qa.types import Chunk, Hit
    chunk = Chunk(f"c{doc}{start}", doc, text, start, start + len(text), item=item, item_title="Budget",
                  committee=committee, date=date, doc_type="referat", doc_title=f"Referat {doc}",
                  source=f"corpus/{doc}.md")
    sentence = text if sentence is None else sentence
    return Hit(chunk=chunk, score=score, sentence=sentence, sentence_start=text.find(sentence))


def _answer(hits, answer_type=None, about_meeting=False, abstain=False):
    from qa.types import Answer, Query
    return Answer(query=Query(text="q", answer_type=answer_type, about_meeting=about_meeting), hits=hits,
                  abstain=abstain)


def test_answer_lead_gives_the_number_or_date_the_question_asks_for():
    money = _answer([_hit("Der skal findes 35 mio. kr. i budget 2025, oplyste formanden.", 1.0)], "money")
    assert app.answer_lead(money).text == "35 mio. kr."
    when = _answer([_hit("Mødet blev flyttet til den 12. november 2015 efter aftale.", 1.0)], "date")
    assert (app.answer_lead(when).text, app.answer_lead(when).from_meeting) == ("12. november 2015", False)
    # a question about the meeting itself falls back to the meeting's date; another date question does not
    meeting = _answer([_hit("HovedMED holdt ekstraordinært møde om forslaget.", 1.0, date="2015-11-12")], "date",
                      about_meeting=True)
    assert app.answer_lead(meeting).text == "12. november 2015" and app.answer_lead(meeting).from_meeting
    other = _answer([_hit("Tidsplanen følger, når rapporten foreligger.", 1.0)], "date")
    assert app.answer_lead(other) is None
    assert app.answer_lead(_answer([_hit("35 mio. kr.", 1.0)], None)) is None  # not asked for
    assert app.answer_lead(_answer([_hit("35 mio. kr.", 1.0)], "money", abstain=True)) is None


def test_split_relevant_is_relative_to_the_best_hit():
    hits = [_hit("a", 1.30), _hit("b", 1.10, start=5), _hit("c", 0.61, start=9), _hit("d", 0.50, start=12)]
    relevant, maybe = app.split_relevant(hits, 0.8)
    assert [h.chunk.text for h in relevant] == ["a", "b"] and [h.chunk.text for h in maybe] == ["c", "d"]
    assert app.split_relevant(hits, 0.8, abstain=True) == ([], hits)
    assert app.split_relevant([], 0.8) == ([], [])


def test_card_label_is_one_line_with_body_date_and_item():
    assert app.card_label(2, _hit("x", 1.0).chunk) == "[2] AfdelingsMED · 23. maj 2024 · Punkt 2: Budget"
    assert "uden dato" in app.card_label(1, _hit("x", 1.0, date=None).chunk)


def test_meetings_group_by_document_in_relevance_or_date_order():
    hits = [_hit("new best", 1.2, doc="b", date="2024-05-23"), _hit("old", 1.0, doc="a", date="2015-11-12"),
            _hit("new second", 0.9, doc="b", date="2024-05-23", start=50), _hit("undated", 1.1, doc="c", date=None)]
    by_relevance = app.meetings(hits, "relevance")
    assert [m.hits[0].chunk.text for m in by_relevance] == ["new best", "undated", "old"]
    assert [h.chunk.text for h in by_relevance[0].hits] == ["new best", "new second"]
    assert [m.date for m in app.meetings(hits, "date")] == ["2015-11-12", "2024-05-23", None]
    rows = app.timeline(hits)
    assert [(when, h.chunk.text) for when, _, h in rows] == [
        ("12. november 2015", "old"), ("23. maj 2024", "new best"), ("uden dato", "undated")]


def test_feedback_question_follows_the_eval_format():
    up = {"id": 3, "question": "Hvor mange penge?", "vote": 1, "sentence": "Der skal findes 35 mio. kr.",
          "source": "corpus/uploads/x.pdf", "searched": "Hvor mange penge?", "filters": {}, "citation": "c",
          "created": "2026-01-01T10:00:00+00:00"}
    row = app.feedback_question(up)
    assert (row["id"], row["evidence"], row["doc"], row["category"]) == (
        "fb-3", "Der skal findes 35 mio. kr.", "x.pdf", "feedback")
    down = app.feedback_question({**up, "vote": -1})
    assert down["evidence"] == "" and down["rejected"] == up["sentence"] and down["category"] == "feedback-down"
