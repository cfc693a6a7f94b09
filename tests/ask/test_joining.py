"""Shown sentences: joined across a passage boundary, without the label lines they begin with."""
from __future__ import annotations

from qa.ask.joining import continued, cut_at_end, cut_at_start, preceded

FIRST = ("Punkt 4. Budget\n\nDer skal findes 35 mio. kr. i budget 2025. Direktionen foreslår, at besparelserne "
         "fordeles mellem områderne efter")
SECOND = ("fordeles mellem områderne efter deres andel af budgettet, og at forslagene drøftes i august. "
          "Medarbejdersiden tog det til efterretning.")


def test_a_sentence_cut_at_the_end_is_completed_from_the_next_passage():
    sentence = FIRST[FIRST.index("Direktionen"):]
    assert cut_at_end(FIRST, FIRST.index("Direktionen"), sentence)
    assert continued(FIRST, sentence, SECOND) == (
        "Direktionen foreslår, at besparelserne fordeles mellem områderne efter deres andel af budgettet, "
        "og at forslagene drøftes i august.")


def test_a_sentence_cut_at_the_start_gets_its_beginning_from_the_previous_passage():
    sentence = SECOND[: SECOND.index("august.") + 7]
    assert cut_at_start(0, sentence)
    assert preceded(SECOND, sentence, FIRST) == (
        "Direktionen foreslår, at besparelserne fordeles mellem områderne efter deres andel af budgettet, "
        "og at forslagene drøftes i august.")


def test_whole_sentences_and_unrelated_neighbours_are_left_alone():
    done = "Der skal findes 35 mio. kr. i budget 2025."
    assert not cut_at_end(done, 0, done)
    assert not cut_at_start(0, "Medarbejdersiden tog det til efterretning.")
    assert continued("Noget helt andet uden ende", "Noget helt andet uden ende", "Punkt 5. Eventuelt") == \
        "Noget helt andet uden ende"


def test_without_overlap_a_lower_case_start_still_continues():
    assert continued("Ledelsen oplyste, at", "Ledelsen oplyste, at", "tallene kommer i marts. Andet.") == \
        "Ledelsen oplyste, at tallene kommer i marts."


def test_label_lines_at_the_start_of_a_shown_sentence_are_left_out():
    from qa.ask.joining import without_labels

    text = "Sagsnr. 81.38.00-P35-3-23\nAnledning\nPunktet blev udsat på mødet den 13. juni 2023, hvor\nmedarbejdersiden"
    start = text.index("81.38")
    sentence, at = without_labels(text[start:], start)
    assert sentence.startswith("Punktet blev udsat") and text[at:at + len(sentence)] == sentence
    for whole in ("Birgitte Holm Andersen orienterede\nom, at HovedMED har vedtaget en seniorpolitik.",
                  "Ledelsen og\nMedarbejdersiden er enige.", "Godkendt."):
        assert without_labels(whole, 0) == (whole, 0)
    title = "## Referat af ekstraordinært møde i HovedMED d. 25. november 2022\n\nSTED Rådhuset, værelse 57."
    sentence, at = without_labels(title, 10)
    assert sentence == "STED Rådhuset, værelse 57." and at == 10 + title.index("STED")


def test_a_shown_sentence_goes_on_into_the_lines_it_wraps_onto():
    from qa.ask.joining import wrapped_on
    from qa.danish.text import sentences

    text = ("CAB’s MED-udvalg har udarbejdet et samlet høringssvar på baggrund af forslagene til \n\n"
            "omlægningen af beskæftigelsesindsatsen. Det er det bedst tænkelige forslag.")
    spans = sentences(text)
    first = text[spans[0][0]:spans[0][1]]
    assert first.endswith("forslagene til")  # the splitter cut at the blank line
    assert wrapped_on(text, spans, 0, first).endswith("omlægningen af beskæftigelsesindsatsen.")
    ended = "Det er det bedst tænkelige forslag."
    assert wrapped_on(text, spans, text.index(ended), ended) == ended  # an ended sentence stays as it is
    two = "Beslutning\n\nDer blev ikke truffet nogen beslutning"  # a next sentence in upper case is its own
    assert wrapped_on(two, sentences(two), 0, "Beslutning") == "Beslutning"
