"""The library's front door for the CLI and the app: open an index, ask, add, remove.

Callers never touch SQLite or FAISS; they get Answers, Documents and Reports.
"""
from __future__ import annotations

from pathlib import Path

from qa.index import Index, IndexMissing
from qa.indexer import STORE_FILE, Indexer, Progress, Report, display_path
from qa.model import Embedder, load_embedder
from qa.query import parse_query
from qa.search import Ranking, Searcher
from qa.settings import Settings
from qa.types import Answer, Chunk, Document


UPLOADS = "uploads"  # the corpus sub-folder where files added through the app are kept


class Assistant:
    """A loaded index with its searcher: the thing the app caches once per process."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, ranking: Ranking = Ranking()):
        self.settings = settings
        self.index = Index.open(settings.index_dir, settings, embedder)
        self.searcher = Searcher(self.index, settings, ranking)

    def ask(self, question: str, k: int = 10, **filters) -> Answer:
        return self.searcher.search(parse_query(question, **filters), k=k)

    def documents(self) -> list[Document]:
        return self.index.store.documents()

    def item_passages(self, chunk: Chunk) -> list[Chunk]:
        """Every passage of the agenda item a passage belongs to, in order (the 'whole item' view)."""
        return self.index.store.chunks_of(chunk.doc_id, chunk.item) if chunk.item else [chunk]

    def add_files(self, paths: list[Path], progress: Progress | None = None) -> Report:
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
                tmp = path.with_name(f".{path.name}.part")
                tmp.write_bytes(data)
                tmp.replace(path)
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
    if (Path(settings.index_dir) / STORE_FILE).exists():
        return None
    return build_index(settings, progress=progress)


def _clear(directory: Path) -> None:
    for p in Path(directory).glob("*"):
        if p.name.startswith(("chunks.sqlite", "vectors-")):
            p.unlink()


__all__ = ["Assistant", "build_index", "ensure_index", "IndexMissing"]
