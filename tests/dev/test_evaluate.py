from qa.dev.evaluate import Item, first_rank, score, sentence_hit
from qa.ask.query import parse_query
from qa.types import Answer, Chunk, Hit


def _answer(question, texts, abstain=False):
    hits = [Hit(Chunk(f"c{i}", "d", t, 0, len(t)), 1.0 - i / 10, rank=i + 1) for i, t in enumerate(texts)]
    return Answer(parse_query(question), hits, abstain=abstain)


def test_a_hit_ignores_case_and_whitespace():
    assert first_rank(["intet her", "Referaterne fra de\nsidste 2  møder er godkendt."],
                      ["referaterne fra de sidste 2 møder er godkendt"]) == 2
    assert first_rank(["intet her"], ["godkendt"]) is None


def test_metrics_multi_and_abstention():
    items = [
        Item("a", ["svar a"], "statement"),
        Item("b", ["svar b"], "number"),
        Item("c", ["første", "anden"], "multi"),
        Item("u", [], "unanswerable"),
    ]
    answers = [
        _answer("a", ["svar a"]),
        _answer("b", ["x", "y", "svar b"]),
        _answer("c", ["første del", "x", "anden del"]),
        _answer("u", ["x"], abstain=True),
    ]
    res = score(items, answers)
    assert res.n == 3
    assert res.hit1 == 2 / 3
    assert res.r5 == 1.0
    assert abs(res.mrr - (1 + 1 / 3 + 1) / 3) < 1e-9
    assert res.multi_both == 1.0
    assert res.unans_abstain == 1.0 and res.ans_abstain == 0.0
    assert res.per_category["number"]["hit1"] == 0.0


def test_the_shown_sentence_counts_when_it_overlaps_the_evidence():
    ev = ["Der skal findes 35 mio. kr. og der arbejdes pt. med at udarbejde forslag."]
    assert sentence_hit("Budget 2025: I slutningen af august. Der skal findes 35 mio. kr. og der arbejdes pt. med", ev)
    assert sentence_hit("Der skal findes 35 mio. kr.", ev)  # half of the shorter text is enough
    assert not sentence_hit("Budget 2025: I slutningen af august bliver budgetkataloget offentliggjort.", ev)
    assert not sentence_hit("", ev)
    items = [Item("a", ev, "number")]
    hit = Hit(Chunk("c", "d", ev[0], 0, len(ev[0])), 1.0, rank=1, sentence="Der skal findes 35 mio. kr.")
    assert score(items, [Answer(parse_query("a"), [hit])]).sent1 == 1.0
