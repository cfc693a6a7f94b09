"""Measure what :mod:`qa.repair` does to real files, and how well it does it on a gold set.

    python -m qa.dev.repair_report FILE... [--samples N] [--own-vocab] [--gold TSV]

For every file: letter-spacing joins, dehyphenations and dropped furniture lines, and a sample
of the changes as "before -> after", so that a person can judge them.  By default the
vocabulary is the word counts of all the files given, as the indexing pipeline would pass the
corpus's; ``--own-vocab`` makes each file use only its own words.

``--gold`` scores a hand-made gold set (tests/fixtures/repair_gold.tsv): how many of its broken
words come out repaired, and how many wrong joins are made.  Rows name the seed file a fragment
was taken from and are judged inside the repaired whole file, so the repair sees the fragment's
real surroundings; rows with file "-" are whole lines repaired on their own.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.repair import Repaired, deleted_spans, repair, word_counts
from qa.settings import ROOT


# ---------------------------------------------------------------------------------------------
# Changes as a person reads them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # join | dehyphenation | furniture
    before: str  # source text of the affected words
    after: str  # the same place in the repaired text
    source_start: int


def _kind(deleted: str) -> str:
    if deleted and not deleted.strip(" \u00a0"):
        return "join"
    if deleted[:1] in "-\u00ad\u2010" and "\n" in deleted:
        return "dehyphenation"
    return "furniture"


def changes(original: str, r: Repaired) -> list[Change]:
    """Each place the repair changed, widened to whole words and merged when they touch."""
    sites: list[list] = []  # [a, b, kind]
    for s, e, _ in deleted_spans(r):
        kind = _kind(original[s:e])
        if kind == "furniture":
            a, b = s, e
        else:
            a = s
            while a > 0 and not original[a - 1].isspace():
                a -= 1
            b = e
            while b < len(original) and not original[b].isspace():
                b += 1
        if sites and sites[-1][2] != "furniture" and kind != "furniture" and a <= sites[-1][1]:
            sites[-1][1] = max(sites[-1][1], b)
            if kind != sites[-1][2]:
                sites[-1][2] = f"{sites[-1][2]}+{kind}"
        else:
            sites.append([a, b, kind])
    out = []
    for a, b, kind in sites:
        after = "".join(ch for ch, o in zip(r.text, r.offsets) if a <= o < b)
        out.append(Change(kind, original[a:b], after, a))
    return out


def _show(s: str, width: int = 70) -> str:
    s = s.replace("\n", "\\n")
    return s if len(s) <= width else s[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# The gold set
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldRow:
    kind: str  # broken | keep
    file: str  # seed file name, or "-" for a line judged on its own
    damaged: str
    expected: str
    note: str = ""


@dataclass
class GoldScore:
    broken: int = 0  # broken words in the gold set
    repaired: int = 0  # of which came out exactly right
    keep_pairs: int = 0  # rows that must come out unchanged
    wrong_joins: int = 0  # tokens the repair created that are not in the expected text
    failures: list | None = None


def _unescape(s: str) -> str:
    return s.replace("\\n", "\n").replace("\\t", "\t")


def load_gold(path: str | Path) -> list[GoldRow]:
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for rec in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not rec or rec[0].startswith("#") or rec[0] == "kind":
                continue
            kind, file, damaged, expected = rec[:4]
            rows.append(GoldRow(kind, file, _unescape(damaged), _unescape(expected), rec[4] if len(rec) > 4 else ""))
    return rows


def score_gold(rows: list[GoldRow], seeds_dir: str | Path, repaired: dict[str, Repaired] | None = None) -> GoldScore:
    """Repair each seed once (vocabulary: all seeds' words) and judge every row in place;
    a synthetic line ("-") is repaired on its own, with only its own words as vocabulary.

    Counting is by whitespace tokens: a broken word is a token of ``expected`` that the damaged
    text lacks; it is repaired if the output has it.  A wrong join is an output token that is
    neither in the damaged nor in the expected text (something glued that should not be).
    """
    seeds_dir = Path(seeds_dir)
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}
    vocab: Counter[str] = Counter()
    for t in texts.values():
        vocab.update(word_counts(t))
    repaired = {} if repaired is None else repaired  # seed name -> repair with all seeds' words
    score = GoldScore(failures=[])
    for row in rows:
        if row.file == "-":  # its clean original is in the seeds: the line's own words only
            out = repair(row.damaged).text
        else:
            text = texts[row.file]
            pos = text.find(row.damaged)
            if pos < 0:
                raise ValueError(f"gold fragment not found in {row.file}: {row.damaged!r}")
            if row.file not in repaired:
                repaired[row.file] = repair(text, vocab)
            r = repaired[row.file]
            end = pos + len(row.damaged)
            out = "".join(ch for ch, o in zip(r.text, r.offsets) if pos <= o < end)
        exp, dam, got = Counter(row.expected.split()), Counter(row.damaged.split()), Counter(out.split())
        broken = exp - dam
        score.broken += sum(broken.values())
        score.repaired += sum((broken & got).values())
        wrong = sum(((got - dam) - exp).values())
        score.wrong_joins += wrong
        if row.kind == "keep":
            score.keep_pairs += 1
        if wrong or (broken - got):
            score.failures.append((row, out))
    return score


def damage(text: str, letters: str = "mt", p: float = 0.5, seed: int = 0) -> str:
    """Put a spurious space after ``letters`` inside words with probability ``p``: the kind of
    damage a PDF font with wrong glyph widths causes (seed 001 shows it after m and t)."""
    rng = random.Random(seed)
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if ch.isalpha() and ch.lower() in letters and i + 1 < len(text) and text[i + 1].isalpha() and rng.random() < p:
            out.append(" ")
    return "".join(out)


def score_synthetic(texts: list[str], letters: str = "mt", p: float = 0.5, seed: int = 0) -> tuple[int, int, int]:
    """(repaired, broken, wrong) words when clean texts are damaged by :func:`damage` and repaired.

    Leave-one-out: a damaged text's vocabulary is the other texts' words plus its own damaged
    words, never its own clean words, which would give the answers away.
    """
    counts = [word_counts(t) for t in texts]
    rep = broken_n = wrong = 0
    for i, t in enumerate(texts):
        d = damage(t, letters, p, seed + i)
        vocab = word_counts(d)
        for j, c in enumerate(counts):
            if j != i:
                vocab.update(c)
        got = Counter(repair(d, vocab).text.split())
        exp, dam = Counter(t.split()), Counter(d.split())
        broken = exp - dam
        broken_n += sum(broken.values())
        rep += sum((broken & got).values())
        wrong += sum(((got - dam) - exp).values())
    return rep, broken_n, wrong


def default_seeds_dir(files: list[str] = ()) -> Path | None:
    """Where the seed files are: beside the given files, or in shared/seeds next to the repo."""
    here = ROOT
    env = [Path(os.environ["REFERAT_SEEDS"])] if os.environ.get("REFERAT_SEEDS") else []
    for cand in env + [Path(f).parent for f in files] + [here.parent / "shared" / "seeds", here / "shared" / "seeds"]:
        if cand.is_dir() and any(cand.glob("*.txt")):
            return cand
    return None


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qa.dev.repair_report", description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help="text files to repair and report on")
    ap.add_argument("--samples", type=int, default=12, help="changes shown per file and kind (default 12)")
    ap.add_argument("--own-vocab", action="store_true", help="each file uses only its own words as vocabulary")
    ap.add_argument("--gold", help="gold TSV to score (tests/fixtures/repair_gold.tsv)")
    ap.add_argument("--seeds", help="folder of the seed files the gold rows name (default: beside the files)")
    ap.add_argument("--synthetic", metavar="LETTERS:P", action="append", default=[],
                    help="also damage the files that need no repair (spaces after LETTERS with probability P, "
                         "e.g. mt:0.5) and score the repair; repeatable")
    args = ap.parse_args(argv)

    texts = {f: Path(f).read_text(encoding="utf-8", errors="replace") for f in args.files}
    corpus: Counter[str] = Counter()
    if not args.own_vocab:
        for t in texts.values():
            corpus.update(word_counts(t))
    totals = Counter()
    for f, t in texts.items():
        r = repair(t, None if args.own_vocab else corpus)
        totals.update(joins=r.joins, dehyphenations=r.dehyphenations, furniture_lines=r.furniture_lines, files=1)
        print(f"== {f}: {len(t)} -> {len(r.text)} chars; joins={r.joins} "
              f"dehyphenations={r.dehyphenations} furniture_lines={r.furniture_lines}")
        by_kind: dict[str, list[Change]] = {}
        for c in changes(t, r):
            by_kind.setdefault(c.kind, []).append(c)
        for kind, cs in sorted(by_kind.items()):
            for c in cs[: args.samples]:
                print(f"   {kind:<14} {_show(c.before)!s:<42} -> {_show(c.after) if c.kind != 'furniture' else '(dropped)'}")
            if len(cs) > args.samples:
                print(f"   {kind:<14} ... {len(cs) - args.samples} more")
    if texts:
        print(f"== total over {totals['files']} files: joins={totals['joins']} "
              f"dehyphenations={totals['dehyphenations']} furniture_lines={totals['furniture_lines']}")

    clean = []
    for f, t in texts.items():
        r0 = repair(t, None if args.own_vocab else corpus)
        if r0.joins == 0:
            clean.append(t)
    for spec in args.synthetic:
        letters, _, p = spec.partition(":")
        rep, broken, wrong = score_synthetic(clean, letters, float(p or 0.5))
        print(f"== synthetic damage after [{letters}] p={float(p or 0.5)} on {len(clean)} clean files: "
              f"{rep}/{broken} broken words repaired ({rep / max(broken, 1):.1%}), {wrong} wrong words")

    if args.gold:
        seeds = Path(args.seeds) if args.seeds else default_seeds_dir(args.files)
        if seeds is None:
            print("no seed folder found for the gold set (use --seeds)", file=sys.stderr)
            return 2
        rows = load_gold(args.gold)
        for label, sel in (("seed fragments", [r for r in rows if r.file != "-"]),
                           ("synthetic lines", [r for r in rows if r.file == "-"]),
                           ("all", rows)):
            s = score_gold(sel, seeds)
            print(f"== gold ({label}): {s.repaired}/{s.broken} broken words repaired, "
                  f"{s.wrong_joins} wrong joins over {len(sel)} rows ({s.keep_pairs} must-keep)")
        for row, out in score_gold(rows, seeds).failures or []:
            print(f"   miss  {_show(row.damaged, 40)!s:<42} -> {_show(out, 40)}   (want {_show(row.expected, 40)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
