"""`search --batch` (issue 15, finding 7): one output line per input line, whatever the bytes.

Before: cp1252 or invalid UTF-8 crashed the whole batch with no output, U+2028/\\x0c/\\x85 split
a question in two (8 questions gave 16 lines), and a BOM stayed in the first question."""
from __future__ import annotations

import json

import pytest

from qa.api import read_questions

QUESTIONS = ["Hvad blev besluttet om hjemmearbejde?", "Hvad kostede budgettet?", "Hvem er formand?",
             "Hvornår var mødet?", "Hvad sagde medarbejdersiden?", "Hvad er status på projektet?",
             "Hvad mente ledelsen om resortflyt?", "Hvad med økonomien på Ærø?"]


def _write(tmp_path, data: bytes):
    p = tmp_path / "q.txt"
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_questions_are_decoded_like_the_text_loaders(tmp_path, encoding):
    lines = read_questions(_write(tmp_path, ("\n".join(QUESTIONS) + "\n").encode(encoding)))
    assert lines == QUESTIONS


def test_only_newline_ends_a_question(tmp_path):
    odd = [q.replace(" ", sep, 1) for q, sep in zip(QUESTIONS, ["\u2028", "\x0c", "\x85", "\u2029", "\x0b",
                                                               "\x1c", "\x1d", "\x1e"])]
    lines = read_questions(_write(tmp_path, ("\r\n".join(odd) + "\r\n").encode("utf-8")))
    assert len(lines) == len(QUESTIONS)


def test_a_broken_line_costs_only_that_line(tmp_path):
    data = "\n".join(QUESTIONS[:3]).encode() + b"\nhvad med \xe6\xf8\xe5?\n\xff\xfe\x80 bad\nnul\x00byte\n" + \
        QUESTIONS[3].encode()
    lines = read_questions(_write(tmp_path, data))
    assert len(lines) == 7
    assert lines[:3] == QUESTIONS[:3] and lines[3] == "hvad med æøå?" and lines[5] is None
    assert lines[6] == QUESTIONS[3]


def test_cli_batch_writes_one_json_line_per_input_line(tmp_path, monkeypatch, capsys):
    from qa import cli

    class Fake:
        def __init__(self, *a, **k):
            pass

        def ask(self, q, k=10, **f):
            if "boom" in q:
                raise RuntimeError("søgningen fejlede")
            from qa.types import Answer, Query
            return Answer(query=Query(text=q), hits=[])

    monkeypatch.setattr(cli.api, "Assistant", Fake)
    data = "\n".join(["første", "", "boom", "fjerde"]).encode("cp1252") + b"\n\x00\n"
    rc = cli.main(["--index", str(tmp_path), "search", "--batch", str(_write(tmp_path, data))])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 5 and rc == 3
    assert out[0]["query"] == "første" and "error" in out[1] and "error" in out[2] and "error" in out[4]
    assert out[2]["line"] == 3
