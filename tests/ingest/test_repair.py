"""Tests of qa.repair: exact offsets, each kind of repair, what must be left alone, and the
gold set's floor on repairs and ceiling on wrong joins (measured on the real seed files)."""
from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from qa.ingest.repair import Repaired, repair, to_source, word_counts
from qa.dev.repair_report import changes, default_seeds_dir, load_gold, score_gold, score_synthetic

GOLD = Path(__file__).resolve().parents[1] / "fixtures" / "repair_gold.tsv"
SEEDS = default_seeds_dir()
needs_seeds = pytest.mark.skipif(SEEDS is None, reason="shared/seeds not found (set REFERAT_SEEDS)")

DAMAGED = (
    "CenterMED har på ekst raordinært  m øde drøftet  oplægget  om  udm øntning af om lægningen af \n\n"
    "beskæft igelsesindsatsen.  \n\nPå baggrund af drøftelsen fremsendes følgende spørgsm ål st illet  af "
    "B-siden som  høringssvar: Da det  er faringsm æssigt  har været  svært  at  anvende alle de afsat te "
    "uddannelsesm idler kunne m an vælge at  reducere budget tet  yderligere t il fordel for  den interne "
    "indsats. Udmøntningen af omlægningen af beskæftigelsesindsatsen er sket.\n"
)


def squash(s: str) -> str:
    return re.sub(r"[\s\-\u00ad]", "", s)


def check_offsets(original: str, r: Repaired) -> None:
    assert len(r.offsets) == len(r.text) + 1
    assert r.offsets[-1] == len(original)
    assert all(a < b for a, b in zip(r.offsets, r.offsets[1:]))
    assert all(original[o] == ch for ch, o in zip(r.text, r.offsets))


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    if SEEDS is None:
        pytest.skip("shared/seeds not found")
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="module")
def repaired_seeds(seeds) -> dict[str, Repaired]:
    vocab: Counter[str] = Counter()
    for t in seeds.values():
        vocab.update(word_counts(t))
    return {name: repair(t, vocab) for name, t in seeds.items()}


# --- letter spacing ------------------------------------------------------------------------------


def test_letter_spacing_is_repaired_in_a_damaged_paragraph():
    r = repair(DAMAGED)
    for word in ["ekstraordinært", "møde", "udmøntning", "omlægningen", "beskæftigelsesindsatsen", "spørgsmål",
                 "stillet", "erfaringsmæssigt", "afsatte", "uddannelsesmidler", "man", "budgettet", "til"]:
        assert re.search(rf"(?<!\w){word}(?!\w)", r.text), word
    # real word pairs in the same paragraph stay apart
    for pair in ["har på", "drøftet  oplægget", "det  er", "alle de", "som  høringssvar", "fordel for  den"]:
        assert pair in r.text, pair
    assert r.joins >= 13
    check_offsets(DAMAGED, r)


@pytest.mark.parametrize("text", [
    "Vi mener, at det er vigtigt, og så er der i alt for mange, der er til at se i de rammer.",
    "HL gav ordet til Lars Ethelberg Nielsen (LEN) og Sandra K. Pedersen (AMR) fra TR HK.",
    "Kommunen vil med en plan, som de har lagt, give borgerne et godt tilbud i dag.",
    "Mødet blev holdt d. 4. nov. i byrådssalen, jf. punkt b og c.",
])
def test_clean_text_is_left_alone(text):
    r = repair(text)
    assert r.text == text and r.joins == 0


def test_vocabulary_argument_is_used():
    text = "Sagen blev fremlagt af Bent Mølle rhøj, som takkede for ordet."
    assert repair(text).text == text  # its own words alone do not vouch for "Møllerhøj"
    vocab = word_counts(text) + Counter({"Møllerhøj": 2})  # the corpus spells the name intact
    assert "Bent Møllerhøj, som" in repair(text, vocab).text


# --- hyphenation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Deltagere fra Ledelses-\nsiden og fra\n", "Ledelsessiden"),
    ("svagere un-\n\nge og beder", "svagere unge og"),
    ("Medarbejder-\nsiden bakker op", "Medarbejdersiden bakker"),
    ("en ny be-\nskæftigelsesindsats", "beskæftigelsesindsats"),
])
def test_line_end_hyphenation_is_joined(text, expected):
    r = repair(text)
    assert expected in r.text and r.dehyphenations == 1
    check_offsets(text, r)


@pytest.mark.parametrize("text", [
    "roller for job-\nog virksomhedskonsulenterne",  # suspended hyphen
    "Beskæftigelses-\neller Integrationsforvaltningen",
    "Opfølgning på BIF-\nSOF-analysen",  # capital after the hyphen
    "drøftet i MED-\nudvalget",  # acronym before the hyphen
    "brancher og A-\nkasser",  # single letter
    "den nye BIF-SOF-\nanalyse",  # inside a hyphenated chain
    "budget 2016-\n2017",
])
def test_real_hyphens_are_kept(text):
    r = repair(text)
    assert r.text == text and r.dehyphenations == 0


def test_hyphenated_form_known_from_the_corpus_is_kept():
    text = "i det nye set-\nup, og et set-up som før"
    assert repair(text).text == text


# --- furniture -----------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["Side3/3", "Side 3/3", "Side 2 af 5", "side 4", "- 7 -", "12", "3/5",
                                  "_ _ _ _ _ _ _ _", "-----", "________________"])
def test_page_furniture_is_dropped(line):
    text = f"Sidste sætning på siden.\n\n{line}\n\nFørste sætning på næste side.\n"
    r = repair(text)
    assert line not in r.text and r.furniture_lines == 1
    assert "Sidste sætning på siden." in r.text and "Første sætning på næste side." in r.text
    check_offsets(text, r)


def test_short_legitimate_lines_and_list_numbers_stay():
    text = ("Punkt 2: Årshjul\n\nBeslutning\n\nGodkendt.\n\nPunkt 3: Regnskab\n\nBeslutning\n\nGodkendt.\n\n"
            "Punkt 4: Budget\n\nBeslutning\n\nGodkendt.\n\n1.\nat dagsorden godkendes\n2\nat referatet godkendes\n"
            "Antal\n12\nmedarbejdere\n")
    r = repair(text)
    assert r.text == text and r.furniture_lines == 0


def test_repeated_header_and_footer_at_page_edges_are_dropped():
    body = ["Tekst på side {i} om sagen.", "Medarbejdersiden bemærkede at {i} forslag", "var drøftet før.",
            "Ledelsen svarede, at der er tale om", "et medindflydelsespunkt nr. {i}.", "Dagsordenen blev godkendt."]
    pages = ["Københavns Kommune\nReferat af HovedMED 25.11.2022\n" + "\n".join(body[k:] + body[:k]).format(i=i)
             + f"\nSide {i} af 4" for i, k in zip(range(1, 5), (0, 2, 4, 1))]
    text = "\f".join(pages)
    r = repair(text)
    assert "Københavns Kommune" not in r.text and "Referat af HovedMED" not in r.text and "Side 2 af 4" not in r.text
    assert all(f"Tekst på side {i} om sagen." in r.text for i in range(1, 5))
    assert r.text.count("\f") == 3  # page breaks themselves are kept
    check_offsets(text, r)


# --- offsets -------------------------------------------------------------------------------------


def _random_span_checks(original: str, r: Repaired, n: int, seed: int) -> int:
    """original[to_source(span)] equals the span once whitespace and hyphens are squashed,
    for spans that do not reach over a dropped furniture line."""
    rng = random.Random(seed)
    checked = 0
    dropped_lines = list(_deleted_lines(original, r))
    for _ in range(n):
        if not r.text:
            break
        a = rng.randrange(len(r.text))
        b = min(len(r.text), a + rng.randint(1, 200))
        s, e = to_source(r, a, b)
        assert "".join(original[o] for o in r.offsets[a:b]) == r.text[a:b]
        assert s <= r.offsets[a] and e >= r.offsets[b - 1] + 1
        dropped = any(e2 - s2 > 3 and not squash(original[s2:e2]) == "" and s < e2 and s2 < e
                      for s2, e2 in dropped_lines)
        if not dropped:
            assert squash(original[s:e]) == squash(r.text[a:b])
            checked += 1
    return checked


def _deleted_lines(original: str, r: Repaired):
    prev = -1
    for o in r.offsets:
        if o > prev + 1 and "\n" in original[prev + 1:o] and squash(original[prev + 1:o]):
            yield prev + 1, o
        prev = o


def test_offsets_map_back_on_damaged_text():
    r = repair(DAMAGED)
    assert _random_span_checks(DAMAGED, r, 300, seed=1) == 300
    assert to_source(r, 0, 0) == (0, 0)
    end = len(r.text)
    assert to_source(r, end, end) == (len(DAMAGED), len(DAMAGED))
    i = r.text.index("omlægningen")
    s, e = to_source(r, i, i + len("omlægningen"))
    assert DAMAGED[s:e] == "om lægningen"


@needs_seeds
def test_offsets_map_back_on_every_seed(seeds, repaired_seeds):
    checked = 0
    for k, (name, text) in enumerate(seeds.items()):
        r = repaired_seeds[name]
        check_offsets(text, r)
        checked += _random_span_checks(text, r, 100, seed=k)
    assert checked > 400


def test_empty_and_trivial_inputs():
    for text in ["", "\n", "ord", "8"]:
        r = repair(text)
        check_offsets(text, r)
    with pytest.raises(ValueError):
        to_source(repair("abc"), 2, 5)


# --- measured quality ----------------------------------------------------------------------------


@needs_seeds
def test_gold_set_floor_on_repairs_and_ceiling_on_wrong_joins(repaired_seeds):
    rows = load_gold(GOLD)
    assert sum(r.kind == "broken" for r in rows) >= 30 and sum(r.kind == "keep" for r in rows) >= 40
    s = score_gold(rows, SEEDS, dict(repaired_seeds))
    assert s.repaired >= 0.8 * s.broken, s.failures
    assert s.wrong_joins <= 2, s.failures


@needs_seeds
def test_clean_seeds_get_no_joins_and_damage_is_reported(seeds, repaired_seeds):
    damaged = max(seeds, key=lambda n: repaired_seeds[n].joins)
    assert repaired_seeds[damaged].joins >= 20
    assert sum(r.joins for n, r in repaired_seeds.items() if n != damaged) <= 1
    kinds = Counter(c.kind for c in changes(seeds[damaged], repaired_seeds[damaged]))
    assert kinds["join"] >= 20 and kinds["dehyphenation"] >= 1 and kinds["furniture"] >= 1


@needs_seeds
def test_synthetic_damage_on_a_clean_seed(seeds, repaired_seeds):
    clean = sorted((t for n, t in seeds.items() if repaired_seeds[n].joins == 0), key=len)[:2]
    rep, broken, wrong = score_synthetic(clean, "mt", 0.3, seed=7)
    assert broken > 100
    assert rep >= 0.85 * broken
    assert wrong <= 0.03 * broken
