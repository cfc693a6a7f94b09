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
