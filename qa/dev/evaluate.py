"""Retrieval quality on a question file: this system, its ablations and the baselines, side by side.

A question file has one JSON object per line: question, evidence (a quote), category, and for
two-document questions evidence2. A passage is a hit when its text contains the evidence after
lower-casing and removing all whitespace. The highlighted answer sentence of the first hit is right
("sent@1") when it and the evidence share at least half of the shorter one. Unanswerable questions
(no evidence) measure abstention.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable

import numpy as np

from qa.types import Answer

_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub("", text.lower())


@dataclass
class Item:
    question: str
    evidence: list[str]
    category: str


def load_items(path: Path) -> list[Item]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        ev = [row[k] for k in ("evidence", "evidence2") if row.get(k)]
        items.append(Item(row["question"], ev, row.get("category") or ("unanswerable" if not ev else "")))
    return items


@dataclass
class Result:
    n: int = 0
    hit1: float = 0.0
    r5: float = 0.0
    r10: float = 0.0
    mrr: float = 0.0
    sent1: float | None = None
    multi_both: float | None = None
    unans_abstain: float | None = None
    ans_abstain: float | None = None
    per_category: dict[str, dict[str, float]] = field(default_factory=dict)


def first_rank(texts: list[str], evidence: list[str]) -> int | None:
    """1-based rank of the first passage containing any of the evidence quotes."""
    ev = [norm(e) for e in evidence]
    for r, t in enumerate(texts, 1):
        nt = norm(t)
        if any(e in nt for e in ev):
            return r
    return None


def sentence_hit(sentence: str, evidence: list[str]) -> bool:
    """Whether a highlighted sentence shows the evidence: they overlap by half of the shorter text."""
    s = norm(sentence)
    for e in map(norm, evidence):
        if s and e:
            m = SequenceMatcher(None, s, e, autojunk=False).find_longest_match(0, len(s), 0, len(e))
            if m.size >= min(len(s), len(e)) / 2:
                return True
    return False


def score(items: list[Item], answers: list[Answer]) -> Result:
    ranks, cats, abst_ans, abst_un, multi, sents = [], {}, [], [], [], []
    for it, ans in zip(items, answers):
        texts = [h.chunk.text for h in ans.hits[:10]]
        if not it.evidence:
            abst_un.append(ans.abstain)
            continue
        abst_ans.append(ans.abstain)
        sents.append(bool(ans.hits) and sentence_hit(ans.hits[0].sentence, it.evidence))
        r = first_rank(texts, it.evidence)
        ranks.append(r)
        cats.setdefault(it.category, []).append(r)
        if len(it.evidence) > 1:
            multi.append(all(first_rank(texts, [e]) for e in it.evidence))
    res = _metrics(ranks)
    res.per_category = {c: vars(_metrics(rs)) for c, rs in sorted(cats.items())}
    for v in res.per_category.values():
        for key in ("sent1", "multi_both", "unans_abstain", "ans_abstain", "per_category"):
            v.pop(key, None)
    res.sent1 = float(np.mean(sents)) if sents else None
    res.multi_both = float(np.mean(multi)) if multi else None
    res.unans_abstain = float(np.mean(abst_un)) if abst_un else None
    res.ans_abstain = float(np.mean(abst_ans)) if abst_ans else None
    return res


def _metrics(ranks: list[int | None]) -> Result:
    n = len(ranks)
    if not n:
        return Result()
    return Result(
        n=n,
        hit1=sum(r == 1 for r in ranks) / n,
        r5=sum(r is not None and r <= 5 for r in ranks) / n,
        r10=sum(r is not None and r <= 10 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
    )


def run(items: list[Item], search: Callable[[str], Answer]) -> list[Answer]:
    return [search(it.question) for it in items]


def fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:.2f}"


def table(rows: list[tuple[str, Result]]) -> str:
    head = f"{'system':<34} {'n':>3} {'hit@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6} {'sent@1':>6} {'multi':>6} {'abst-U':>6} {'abst-A':>6}"
    out = [head, "-" * len(head)]
    for name, r in rows:
        if not name:
            out.append("")
            continue
        out.append(
            f"{name:<34} {r.n:>3} {fmt(r.hit1):>6} {fmt(r.r5):>6} {fmt(r.r10):>6} {fmt(r.mrr):>6} {fmt(r.sent1):>6} "
            f"{fmt(r.multi_both):>6} {fmt(r.unans_abstain):>6} {fmt(r.ans_abstain):>6}"
        )
    return "\n".join(out)


def category_table(res: Result) -> str:
    out = [f"{'category':<14} {'n':>3} {'hit@1':>6} {'R@5':>6} {'R@10':>6} {'MRR':>6}"]
    for c, m in res.per_category.items():
        out.append(f"{c:<14} {m['n']:>3} {m['hit1']:>6.2f} {m['r5']:>6.2f} {m['r10']:>6.2f} {m['mrr']:>6.2f}")
    return "\n".join(out)


def main(args, settings) -> int:
    """`python -m qa eval FILE`: this system, its peers and ablations on one question file, in one run."""
    import json as _json
    import tempfile
    import time

    from qa.api import Assistant, build_index
    from qa.dev.baseline import WindowBaseline

    items = load_items(Path(args.file))
    assistant = Assistant(settings)
    t0 = time.perf_counter()
    main_answers = run(items, lambda q: assistant.ask(q, k=10))
    per_q = (time.perf_counter() - t0) / max(1, len(items))
    result = score(items, main_answers)
    rows = [("this system", result)]
    if not args.quick:
        for name, variant in [
            ("dense only", settings.without("lexical", "sentences", "expansion", "hints", "diversity")),
            ("lexical only", settings.without("dense", "sentences", "hints", "diversity")),
        ]:
            other = assistant.variant(**_switches(variant))
            rows.append((name, score(items, run(items, lambda q: other.ask(q, k=10)))))
        base = WindowBaseline(settings.corpus_dir, assistant.index.embedder)
        rows.append(("800-char windows, dense", score(items, run(items, base.search))))
        rows.append(("", Result()))
        for name in ("lexical", "dense", "sentences", "expansion", "hints", "answer_types", "decomposition",
                     "diversity", "answerability"):
            other = assistant.variant(**{f"use_{name}": False})
            rows.append((f"without {name}", score(items, run(items, lambda q: other.ask(q, k=10)))))
        with tempfile.TemporaryDirectory() as tmp:
            s = settings.replace(index_dir=Path(tmp), embed_context=False)
            build_index(s, settings.corpus_dir, embedder=assistant.index.embedder)
            other = Assistant(s, embedder=assistant.index.embedder)
            rows.append(("without context in embedding", score(items, run(items, lambda q: other.ask(q, k=10)))))
            other.close()
        half = len(items) // 2
        rows.append(("", Result()))
        rows.append(("first half of the file", score(items[:half], main_answers[:half])))
        rows.append(("second half of the file", score(items[half:], main_answers[half:])))
    print(table(rows))
    print()
    print(category_table(result))
    print()
    print(f"hit@1 {result.hit1:.3f}  recall@5 {result.r5:.3f}  recall@10 {result.r10:.3f}  MRR@10 {result.mrr:.3f}"
          f"  ({result.n} answerable; {per_q * 1000:.0f} ms per question)")
    if args.json:
        Path(args.json).write_text(_json.dumps({n: vars(r) for n, r in rows if n}, indent=1, ensure_ascii=False))
    return 0


def _switches(settings) -> dict:
    from qa.settings import SWITCHES

    return {f"use_{n}": getattr(settings, f"use_{n}") for n in SWITCHES}
