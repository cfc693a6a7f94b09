"""`python -m qa eval`: every dev file at once, k-fold cross-validated with folds grouped by document.

For each fold the ranker, its time margins, the abstainer (and for conversations the follow-up
detector) are fitted on the other folds only (qa/dev/train.py), then the held-out questions go through
the real search path (Searcher.finish). Conversation turns are ranked by the model of the fold that
holds their evidence document, the follow-up detector by one fitted on the other conversations.
Peers (BM25 and dense over fixed 800-character windows) and the hand-set fusion of the previous
release run in the same invocation; the ablation rows are cross-validated the same way.
"""
from __future__ import annotations

import json
import time
from pathlib import Path


from qa.ask.features import CONTENT
from qa.dev import train as T
from qa.dev.evaluate import fmt, sentence_hit

DENSE = ("dense", "dense_gap", "sent", "sent_gap", "dense_rr")
LEXICAL = ("lex", "cov", "title_cov", "idf_cov", "sent_cov", "max_sent_cov", "bigram", "lex_rr")
KINDS = ("type_fit", "type_miss", "decision_sec", "front", "side_fit", "body_fit", "body_other")


def measure(q: T.DevQuestion, answer: Answer) -> dict:
    texts = [T.norm(h.chunk.text) for h in answer.hits[:10]]
    ev = [T.norm(e) for e in q.evidence]
    rank = next((r for r, t in enumerate(texts, 1) if any(e in t for e in ev)), None) if ev else None
    all10 = all(any(T.norm(e) in t for t in texts) for e in q.need_all) if q.need_all else None
    # the words shown as the answer: does the first passage's shown sentence hold the evidence too
    shown = sentence_hit(answer.hits[0].sentence, q.evidence) if rank == 1 else None
    return {"id": q.id, "file": q.file, "cat": q.category, "rank": rank, "all10": all10,
            "answerable": bool(ev), "abstain": bool(answer.abstain), "p": answer.probability, "shown": shown}


def summary(rows: list[dict]) -> dict:
    a = [r for r in rows if r["answerable"]]
    u = [r for r in rows if not r["answerable"]]
    al = [r["all10"] for r in rows if r.get("all10") is not None]
    n = len(a)
    return {
        "n": n, "hit1": sum(r["rank"] == 1 for r in a) / n if n else None,
        "r5": sum(bool(r["rank"]) and r["rank"] <= 5 for r in a) / n if n else None,
        "mrr": sum(1 / r["rank"] for r in a if r["rank"]) / n if n else None,
        "all10": sum(al) / len(al) if al else None,
        "n_unans": len(u), "abst_u": sum(r["abstain"] for r in u) / len(u) if u else None,
        "abst_a": sum(r["abstain"] for r in a) / n if n else None,
        "shown": sum(sh) / len(sh) if (sh := [r["shown"] for r in a if r.get("shown") is not None]) else None,
    }


def separation(rows: list[dict], false_share: float = 0.05) -> str:
    """How well the held-out answer probabilities part unanswerable from answerable questions, whatever
    threshold was fitted: the AUC, and the share of unanswerable ones below the threshold that lets
    `false_share` of the answerable ones abstain (chosen on these very rows: a ceiling, not a result)."""
    import numpy as np

    pa = np.array([r["p"] for r in rows if r["answerable"] and r.get("p") is not None])
    pu = np.array([r["p"] for r in rows if not r["answerable"] and r.get("p") is not None])
    if not len(pa) or not len(pu):
        return ""
    auc = float(np.mean([(u < a) + 0.5 * (u == a) for u in pu for a in pa]))
    cut = np.quantile(pa, false_share)
    return (f"abstainer, held out: AUC {auc:.2f}; below the {false_share:.0%} quantile of the answerable "
            f"ones' probability: {np.mean(pu < cut):.2f} of the unanswerable")


def table(rows: list[tuple[str, list[dict]]]) -> str:
    head = (f"{'':<34} {'n':>4} {'hit@1':>6} {'R@5':>6} {'MRR':>6} {'all@10':>6} {'nU':>4} {'abst-U':>6} {'abst-A':>6}"
            f" {'shown':>6}")
    out = [head, "-" * len(head)]
    for name, rs in rows:
        if not name:
            out.append("")
            continue
        s = summary(rs)
        out.append(f"{name:<34} {s['n']:>4} {fmt(s['hit1']):>6} {fmt(s['r5']):>6} {fmt(s['mrr']):>6} {fmt(s['all10']):>6} "
                   f"{s['n_unans']:>4} {fmt(s['abst_u']):>6} {fmt(s['abst_a']):>6} {fmt(s['shown']):>6}")
    return "\n".join(out)


def assignments(runs: list[tuple[int, list[dict], list[dict]]]) -> str:
    """The headline figures under each fold assignment, and their range: how much of a difference between
    two versions is the luck of the folds."""
    cols = (("hit@1", "hit1", 0), ("R@5", "r5", 0), ("MRR", "mrr", 0), ("abst-U", "abst_u", 0),
            ("abst-A", "abst_a", 0), ("follow", "hit1", 1), ("switch", "hit1", 2), ("shown", "shown", 0))
    head = f"{'fold assignment':<34} " + " ".join(f"{c:>6}" for c, _, _ in cols)
    vals = []
    for _, rows, conv in runs:
        parts = (rows, [r for r in conv if r["kind"] == "followup"], [r for r in conv if r["kind"] == "switch"])
        vals.append([summary(parts[w])[key] or 0.0 for _, key, w in cols])
    out = ["", head, "-" * len(head)]
    out += [f"{('seed ' + str(s) + (' (the table above)' if not s else '')):<34} " + " ".join(f"{v:6.2f}" for v in row)
            for (s, _, _), row in zip(runs, vals)]
    lo, hi = [min(c) for c in zip(*vals)], [max(c) for c in zip(*vals)]
    out.append(f"{'mean':<34} " + " ".join(f"{sum(c) / len(c):6.2f}" for c in zip(*vals)))
    out.append(f"{'max - min':<34} " + " ".join(f"{b - a:6.2f}" for a, b in zip(lo, hi)))
    return "\n".join(out)


def breakdown(rows: list[dict], key: str = "file") -> list[tuple[str, list[dict]]]:
    return [(f"  {v}", [r for r in rows if r[key] == v]) for v in sorted({r[key] for r in rows})]


def cross_validate(qs, searcher, settings, convs, fold, k, names=CONTENT, use_time=True, abstain=True, texts=None):
    """Held-out answers for every question (and conversation turn) under this configuration."""
    models = {}
    for f in range(k):
        train = [q for q, g in zip(qs, fold) if g != f]
        if abstain:
            conv_train = [c for i, c in enumerate(convs) if i % k != f]
            models[f] = T.fit_model(train, searcher, settings, conv_train, texts=texts)
        else:
            models[f] = T.fit_ranker(train, settings.ranker_l2, names, use_time)
    s_time = searcher.settings
    searcher.settings = s_time.replace(use_time=use_time, use_abstain=abstain)
    rows = [measure(q, searcher.finish(q.cands, models[g])) for q, g in zip(qs, fold)]
    searcher.settings = s_time
    return rows, models


def conversation_rows(convs, qs, fold, models, searcher, settings, ref, doc_fold, k_top=10):
    """Every turn answered as `qa chat` would (T.ask_conversation): the follow-up detector of a fold that
    did not see the conversation, the ranker of the fold holding the turn's evidence document, and the
    previous turn's answer the one the system gave."""
    out = []
    for i, c in enumerate(convs):
        first_doc = next((T.norm(t["evidence"]) for t in c["turns"] if t["evidence"]), "")
        base_fold = doc_fold(first_doc)
        fmodel = models[i % len(models)].followup if settings.use_followup_model else None

        def model_for(t):
            return models[doc_fold(T.norm(t["evidence"])) if t["evidence"] else base_fold]

        for a in T.ask_conversation(c, searcher, settings, model_for, fmodel):
            t = a.turn
            q = T.DevQuestion(c["id"], "conversations", t["question"], [t["evidence"]] if t["evidence"] else [], [],
                              t["kind"])
            r = measure(q, a.answer)
            r["kind"], r["searched"], r["leans"] = t["kind"], a.searched, a.leans
            r["previous"] = a.cands.query.previous is not None
            ev = T.norm(t["evidence"])
            gold = next((x.chunk for x in a.cands.items if ev and ev in T.norm(x.chunk.text)), None)
            top = a.answer.hits[0].chunk if a.answer.hits else None
            r["top"], r["gold"] = (f"{c.date} {c.item}. {c.item_title}" if c else None for c in (top, gold))
            out.append(r)
    return out


def main(args, settings) -> int:
    from qa.api import Assistant
    from qa.dev.baseline import WindowBaseline, WindowBM25

    t0 = time.perf_counter()
    eval_dir = Path(args.eval_dir)
    k = settings.cv_folds
    assistant = Assistant(settings.replace(use_learned=False))
    searcher = assistant.searcher
    store = assistant.index.store
    ref = store.newest_date()
    qs = T.load_questions(eval_dir)
    if not qs:
        print(f"Ingen dev-filer i {eval_dir} (brug --eval-dir).")
        return 2
    convs = T.load_conversations(eval_dir)
    texts = T.doc_texts(store)
    T.attach(qs, searcher, ref, texts)

    def run(seed: int):
        fold = T.folds([q.group for q in qs], k, seed)
        group_fold = {q.group: f for q, f in zip(qs, fold)}

        def doc_fold(ev: str) -> int:
            g = next((d for d, t in texts.items() if ev and ev in t), None)
            return group_fold.get(g, 0)

        main_rows, models = cross_validate(qs, searcher, settings, convs, fold, k, texts=texts)
        conv = conversation_rows(convs, qs, fold, models, searcher, settings, ref, doc_fold)
        return fold, doc_fold, main_rows, models, conv

    fold, doc_fold, main_rows, models, conv = run(0)
    spread = [(0, main_rows, conv)]
    for seed in range(1, args.fold_seeds):
        _, _, other_rows, _, other_conv = run(seed)
        spread.append((seed, other_rows, other_conv))
    rows = [("this system (CV)", main_rows)] + breakdown(main_rows, "file")
    rows += [("", [])] + [(f"  {c}", [r for r in main_rows if r["cat"] == c])
                          for c in sorted({r["cat"] for r in main_rows}) if c != "unanswerable"]
    rows += [("", []), ("conversation turns (CV)", conv)] + breakdown(conv, "kind")
    if not args.quick:
        peers = []
        hand = Assistant(settings.replace(use_learned=False), _index=assistant.index)
        peers.append(("hand-set fusion (previous release)", [measure(q, hand.ask(q.question)) for q in qs]))
        for name, cls in (("BM25, 800-char windows", WindowBM25), ("dense, 800-char windows", WindowBaseline)):
            base = cls(settings.corpus_dir, assistant.index.embedder)
            peers.append((name, [measure(q, base.search(q.question)) for q in qs]))
        rows += [("", [])] + peers + [("", [])]
        for name, names, use_time in (
            ("CV without time", CONTENT, False),
            ("CV without dense features", tuple(n for n in CONTENT if n not in DENSE), True),
            ("CV without lexical features", tuple(n for n in CONTENT if n not in LEXICAL), True),
            ("CV without kind/side/body features", tuple(n for n in CONTENT if n not in KINDS), True),
            ("CV ranker only (no abstention)", CONTENT, True),
        ):
            r, _ = cross_validate(qs, searcher, settings, convs, fold, k, names, use_time, abstain=False)
            rows.append((name, r))
        # the same fitted models, but a follow-up does not look at the previous answer (stage 3 unused)
        alone = conversation_rows(convs, qs, fold, models, searcher, settings.replace(use_previous_answer=False),
                                  ref, doc_fold)
        rows += [("", []), ("turns without the previous answer", alone)] + breakdown(alone, "kind")[1:3] + [("", [])]
        saved = searcher.settings
        other = not saved.learned_hard_checks
        searcher.settings = saved.replace(learned_hard_checks=other)
        rows.append((f"CV {'with' if other else 'without'} hard text checks", [
            measure(q, searcher.finish(q.cands, models[g])) for q, g in zip(qs, fold)]))
        searcher.settings = saved
    print(table(rows))
    print(separation(main_rows))
    if len(spread) > 1:
        print(assignments(spread))
    print(f"\n{len(qs)} questions in {k} folds grouped by document; {len(conv)} conversation turns; "
          f"{time.perf_counter() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"questions": main_rows, "conversations": conv}, ensure_ascii=False,
                                              indent=0), encoding="utf-8")
    return 0
