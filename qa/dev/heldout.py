"""`python -m qa.dev.heldout [FOLDER]`: our own minutes, asked through qa.api with the shipped weights,
questions one by one and conversations turn by turn.

tests/fixtures/heldout (the default): Nordby, a web page and a "Beslutningsreferat" with "Ad 1)" items;
tests/fixtures/heldout2: Vestkyst Hoved-MED, Word files whose items are two-column tables ("Sagsfremstilling",
"Drøftelse", "Beslutning") under a bold "Sag 2: ..." line; tests/fixtures/heldout3: Bakkedal Center-MED,
agenda-system PDFs with plain "2. Titel" headings, numeric dates and contents without dot leaders (make.py
writes them); tests/fixtures/heldout4: Havnstrup MED Teknik og Miljø, a Word file with unnumbered heading items,
an agenda-system web page with the item number in its own element, and a scanned page read by OCR (make.py);
tests/fixtures/heldout5: Rønnevig Område-MED Dagtilbud Øst over a year, written by a helper who had not seen the
code: an agenda-system PDF ("Punkt 4:", running page header), a secretary's Word file ("Ad punkt 3 –"), an
intranet Markdown export ("## PUNKT 2 - TITEL") and a høringssvar letter (make.py, check.py).
Layouts the dev files do not have, of committees they never name; nothing is fitted on them.
Index a folder together with the seeds and archive-dev (QA_INDEX_DIR) so the questions compete with the
other committees' passages.
"""
from __future__ import annotations

import json
from pathlib import Path

from qa.api import Assistant
from qa.dev.train import norm
from qa.errors import QAError
from qa.settings import ROOT, load_settings

FOLDER = ROOT / "tests" / "fixtures" / "heldout"


def _rank(answer, evidence: str) -> int | None:
    ev = norm(evidence)
    return next((r for r, h in enumerate(answer.hits[:10], 1) if ev and ev in norm(h.chunk.text)), None)


def main(folder: Path = FOLDER) -> int:
    try:
        a = Assistant(load_settings())
    except QAError as e:
        print(e)
        return 2
    hit = n = unans = unans_abst = ans_abst = 0
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        ans = a.ask(q["question"])
        r = _rank(ans, q["evidence"])
        if q["evidence"]:
            n, hit, ans_abst = n + 1, hit + (r == 1), ans_abst + ans.abstain
        else:
            unans, unans_abst = unans + 1, unans_abst + ans.abstain
        print(f"{q['id']} rank={r} abstain={ans.abstain} p={ans.probability:.2f}  {q['question']}")
    print(f"questions: hit@1 {hit}/{n}, answerable abstaining {ans_abst}/{n}, unanswerable abstaining "
          f"{unans_abst}/{unans}")
    kinds: dict[str, list[bool]] = {}
    for line in (folder / "conversations.jsonl").read_text(encoding="utf-8").splitlines():
        conv, prev = json.loads(line), None
        for t in conv["turns"]:
            ans = a.ask(t["question"], previous=prev)
            r = _rank(ans, t["evidence"])
            right = (r == 1 and not ans.abstain) if t["evidence"] else ans.abstain
            kinds.setdefault(t["kind"], []).append(right)
            print(f"  {conv['id']} [{t['kind']}] rank={r} abstain={ans.abstain} leans={ans.followup}  {t['question']}")
            prev = ans.turn
    # a turn is right when its first passage holds the evidence and it does not abstain (or, unanswerable, abstains)
    print("turns right: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in kinds.items()))
    return 0


if __name__ == "__main__":
    import sys
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER))
