"""The CLI's wiring: flags in either place, Danish errors with exit code 2 (no model needed)."""
from __future__ import annotations

import pytest

from qa.cli import main, parser


@pytest.mark.parametrize("argv", [
    ["build", "--index", "X", "--model", "M"],
    ["--index", "X", "--model", "M", "build"],
    ["--index", "other", "build", "--index", "X", "--model", "M"],  # the command's own value wins
])
def test_index_and_model_before_or_after_the_command(argv):
    args = parser().parse_args(argv)
    assert (args.index, args.model, args.cmd) == ("X", "M", "build")


def test_no_flags_means_the_defaults():
    args = parser().parse_args(["info"])
    assert args.index is None and args.model is None


def test_info_without_an_index_is_a_danish_message(tmp_path, capsys):
    assert main(["info", "--index", str(tmp_path / "none")]) == 2
    assert "Der er intet indeks" in capsys.readouterr().err


@pytest.mark.slow
def test_chat_batch_writes_one_json_object_per_turn_and_does_not_leak_topics(built, tmp_path, capsys):
    import json

    conv = {"id": "c1", "turns": [{"question": "Hvor mange penge skal der findes i budget 2025?"},
                                  {"question": "Hvem blev valgt som næstformand i MEDII?"},
                                  {"question": "Hvornår blev det besluttet?"}]}
    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps(conv, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["chat", "--index", str(built.index_dir), "--batch", str(path), "--k", "3", "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["conversation"], x["turn"]) for x in lines] == [("c1", 1), ("c1", 2), ("c1", 3)]
    assert all({"query", "abstain", "hits", "searched_for"} <= set(x) and len(x["hits"]) <= 3 for x in lines)
    # a question naming its own body does not inherit "penge findes budget 2025"
    assert lines[1]["searched_for"] == "Hvem blev valgt som næstformand i MEDII?"
    assert lines[2]["searched_for"].startswith("Hvornår blev det besluttet?")
