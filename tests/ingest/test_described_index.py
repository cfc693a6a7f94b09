"""The generated documents of tests/fixtures/metadata_docs.py built into an index: `info --json`
reports every field right, a sidecar corrects a field on the next build, the scanned minute is
found by its facts and its citation says it was read by OCR."""
from __future__ import annotations

import json
import shutil

import pytest

from qa.cli import main
from qa.ingest.loaders import ocr
from tests.conftest import APP_MODEL
from tests.fixtures import metadata_docs

pytestmark = pytest.mark.slow
FIELDS = ("title", "committee", "body", "municipality", "date", "doc_type")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if ocr.unavailable() is not None or metadata_docs.font_path() is None:
        pytest.skip(f"OCR eller skrifttype mangler: {ocr.unavailable()}")
    corpus = tmp_path_factory.mktemp("corpus13")
    metadata_docs.build(corpus)
    index = tmp_path_factory.mktemp("index13")
    assert main(["build", "--corpus", str(corpus), "--index", str(index), "--model", APP_MODEL]) == 0
    return corpus, index


def _info(index, capsys) -> dict:
    capsys.readouterr()
    assert main(["info", "--json", "--index", str(index)]) == 0
    return {d["source"].rsplit("/", 1)[-1]: d for d in json.loads(capsys.readouterr().out)["documents"]}


def test_info_json_has_every_field_right(built, capsys):
    docs = _info(built[1], capsys)
    assert len(docs) == len(metadata_docs.EXPECTED)
    for e in metadata_docs.EXPECTED:
        d = docs[e["file"]]
        assert {f: d[f] for f in FIELDS} == {f: e[f] for f in FIELDS}, e["file"]
        assert d["ocr"] is bool(e.get("ocr")) and d["passages"] >= 1 and len(d["doc_id"]) == 16


def test_scanned_minute_is_found_by_its_facts(built, capsys):
    capsys.readouterr()
    argv = ["search", "Hvor mange støjdæmpende skærme indkøbes?", "--json", "--k", "3",
            "--index", str(built[1]), "--model", APP_MODEL]
    assert main(argv) == 0
    top = json.loads(capsys.readouterr().out)["hits"][0]
    assert top["source"].endswith("scannet_centermed.pdf") and top["ocr"] is True
    assert "40" in top["text"] and top["citation"].endswith("(OCR)")
    assert top["citation"].startswith("CenterMED Jobcenter, 7. november 2023")


def test_a_sidecar_corrects_a_field_on_the_next_build(built, capsys, tmp_path):
    corpus, index = built
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    (corpus / "su.md.meta.json").write_text('{"committee": "SU Kirurgisk Klinik, Viborg"}', encoding="utf-8")
    try:
        assert main(["build", "--corpus", str(corpus), "--index", str(copy), "--model", APP_MODEL]) == 0
    finally:
        (corpus / "su.md.meta.json").unlink()
    docs = _info(copy, capsys)
    assert docs["su.md"]["committee"] == "SU Kirurgisk Klinik, Viborg"
    assert docs["su.md"]["body"] == "SU" and len(docs) == len(metadata_docs.EXPECTED)  # the sidecar is no document
