from qa.danish.text import sentences, terms


def test_terms_are_stemmed_danish_without_stop_words():
    assert terms("Hvad besluttede vi om hjemmearbejde?") == ["beslutted", "hjemmearbejd"]
    assert "æ" in "".join(terms("Ændringer i særlige forhold"))  # Danish letters are letters
    assert terms("35 mio. kr.")[0] == "35"


def test_sentences_respect_danish_abbreviations_and_list_items():
    text = "Der skal findes 35 mio. kr. i budgettet. Det er en svær øvelse.\n- Punkt et\n- Punkt to"
    spans = [text[s:e] for s, e in sentences(text)]
    assert spans == ["Der skal findes 35 mio. kr. i budgettet.", "Det er en svær øvelse.", "- Punkt et", "- Punkt to"]


def test_a_year_wrapped_onto_the_next_line_is_not_a_list_number():
    text = ("Jonas orienterede om, at der holdes en temadag om forflytning torsdag den 27. april\n"
            "2023. Næste møde holdes den 13. juni 2023.\n1. Første punkt\n12. Tolvte punkt")
    spans = [text[s:e] for s, e in sentences(text)]
    assert spans == ["Jonas orienterede om, at der holdes en temadag om forflytning torsdag den 27. april\n2023.",
                     "Næste møde holdes den 13. juni 2023.", "1. Første punkt", "12. Tolvte punkt"]
