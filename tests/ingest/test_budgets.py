"""Budgets per file (issue 15, findings 1 and 2): what a zip unpacks to over all its parts, the
characters extracted, and wall time and memory in a child process that can be stopped.

The hostile files are generated here and kept small; the slow ones are bounded by the budgets
under test (a few seconds each)."""
from __future__ import annotations

import time

from qa.ingest.extract import STOPPED, Extractor, out_of_memory
from qa.ingest.loaders import load_file
from qa.settings import Settings
from tests.hostile import docx, empty_paragraphs, lying_zip, paragraphs, slow_pdf

MB = 1 << 20


def test_docx_main_part_with_any_name_counts_toward_the_markup_budget(tmp_path):
    """Before: only parts named *.xml were counted, so word/document.bin walked past the check."""
    s = Settings(max_markup_bytes=4 * MB)
    for main in ("word/document.xml", "word/document.bin", "word/media/image1.png"):
        path = docx(tmp_path / f"bomb-{main.rsplit('/', 1)[-1]}.docx", empty_paragraphs(8 * MB), main)
        t = time.perf_counter()
        loaded = load_file(path, s)
        assert loaded.text is None and "for meget XML" in loaded.error, (main, loaded)
        assert time.perf_counter() - t < 5  # refused while streaming, before any parsing


def test_docx_unpacked_size_over_all_parts(tmp_path):
    s = Settings(max_unpacked_bytes=2 * MB)
    path = docx(tmp_path / "stor.docx", paragraphs(100))
    import zipfile

    with zipfile.ZipFile(path, "a") as z:  # a large "image" that is not markup
        z.writestr("word/media/image1.png", b"\x89PNG" + bytes(3 * MB))
    loaded = load_file(path, s)
    assert loaded.text is None and "udpakket" in loaded.error


def test_docx_part_lying_about_its_size_is_damaged_not_read(tmp_path):
    path = lying_zip(tmp_path / "løgn.docx", "word/document.xml", b"<w:p/>" * 1_000_000, declared=100)
    loaded = load_file(path, Settings())
    assert loaded.text is None and "beskadiget" in loaded.error


def test_docx_within_budgets_still_loads(tmp_path):
    path = docx(tmp_path / "ok.docx", paragraphs(2000), main="word/document.bin")
    loaded = load_file(path, Settings())
    assert loaded.error is None and loaded.text.count("efterretning") == 2000


def test_extracted_characters_budget_is_a_setting(tmp_path):
    path = tmp_path / "lang.txt"
    path.write_text("Punkt 1: Budget\n" + "Budgettet blev godkendt. " * 2000, encoding="utf-8")
    assert load_file(path, Settings()).error is None
    loaded = load_file(path, Settings(max_text_chars=10_000))
    assert loaded.text is None and "for lang" in loaded.error and "10.000" in loaded.error


def test_raw_text_size_budget_is_a_setting(tmp_path):
    path = tmp_path / "stor.txt"
    path.write_bytes(b"referat " * 200_000)  # 1.6 MB
    loaded = load_file(path, Settings(max_text_file_bytes=1 * MB))
    assert loaded.text is None and "for stor" in loaded.error


def test_a_file_that_reads_too_long_is_stopped_and_the_next_one_is_read(tmp_path):
    """Before: a one-page PDF of 1.6 M characters was read for 59 s (and 12 M for over 300 s)."""
    slow = slow_pdf(tmp_path / "langsom.pdf", 200_000)  # ~1.6 M characters, about a minute in pypdf
    fine = tmp_path / "fin.txt"
    fine.write_text("Punkt 1: Budget\nBudgettet blev godkendt.\n", encoding="utf-8")
    with Extractor(Settings(extract_timeout_s=3)) as ex:
        t = time.perf_counter()
        loaded = ex.load(slow)
        took = time.perf_counter() - t
        assert loaded.text is None and "for lang tid" in loaded.error and "3 s" in loaded.error
        assert took < 10
        assert ex.load(fine).text.startswith("Punkt 1")  # a fresh child after the kill


def test_a_file_over_the_memory_budget_is_skipped(tmp_path):
    """The worker's address space is limited; a parser that runs out gets a Danish reason, the run goes on."""
    path = docx(tmp_path / "bombe.docx", empty_paragraphs(24 * MB), main="word/document.bin")
    s = Settings(max_markup_bytes=100 * MB, extract_memory_mb=400, extract_timeout_s=60)
    with Extractor(s) as ex:
        t = time.perf_counter()
        loaded = ex.load(path)
        assert loaded.text is None, loaded
        assert loaded.error in (out_of_memory(400), STOPPED), loaded.error
        assert time.perf_counter() - t < 60
        fine = tmp_path / "fin.txt"
        fine.write_text("Punkt 1: Budget\nBudgettet blev godkendt.\n", encoding="utf-8")
        assert ex.load(fine).text.startswith("Punkt 1")  # a fresh child, with its memory back


def test_worker_gives_the_same_text_as_loading_in_process(tmp_path):
    from tests.conftest import CORPUS

    with Extractor(Settings()) as ex:
        for p in sorted(CORPUS.iterdir()):
            assert ex.load(p) == load_file(p, Settings())
