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
