from qa.danish.text import sentences, terms


def test_terms_are_stemmed_danish_without_stop_words():
    assert terms("Hvad besluttede vi om hjemmearbejde?") == ["beslutted", "hjemmearbejd"]
    assert "æ" in "".join(terms("Ændringer i særlige forhold"))  # Danish letters are letters
    assert terms("35 mio. kr.")[0] == "35"


def test_sentences_respect_danish_abbreviations_and_list_items():
    text = "Der skal findes 35 mio. kr. i budgettet. Det er en svær øvelse.\n- Punkt et\n- Punkt to"
    spans = [text[s:e] for s, e in sentences(text)]
    assert spans == ["Der skal findes 35 mio. kr. i budgettet.", "Det er en svær øvelse.", "- Punkt et", "- Punkt to"]
