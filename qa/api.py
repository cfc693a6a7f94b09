"""The library's front door for the CLI and the app: open an index, ask, add, remove.

Callers never touch SQLite or FAISS; they get Answers, Documents and Reports.
"""
from __future__ import annotations

from pathlib import Path

from qa.index import Index, IndexMissing
from qa.indexer import STORE_FILE, Indexer, Progress, Report
from qa.model import Embedder, load_embedder
from qa.query import parse_query
from qa.search import Ranking, Searcher
from qa.settings import Settings
from qa.types import Answer, Chunk, Document


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
