"""Opening a built index for reading: the store, its matching vectors and the model that built it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.indexer import STORE_FILE, vectors_path
from qa.model import Embedder, load_embedder
from qa.settings import Settings
from qa.store import IndexMismatch, Store
from qa.vectors import VectorIndex


class IndexMissing(FileNotFoundError):
    """No index has been built in this directory yet."""


@dataclass
class Index:
    directory: Path
    store: Store
    vectors: VectorIndex | None
    embedder: Embedder
    generation: int

    @classmethod
    def open(cls, directory: Path, settings: Settings, embedder: Embedder | None = None) -> "Index":
        directory = Path(directory)
        if not (directory / STORE_FILE).exists():
            raise IndexMissing(
                f"Der er intet indeks i {directory}. Byg det med: python -m qa build --index {directory}"
            )
        store = Store(directory / STORE_FILE)
        model_id = store.meta("model_id")
        if embedder is None:
            if model_id and model_id != settings.model:
                raise IndexMismatch(
                    f"Indekset i {directory} er bygget med modellen {model_id!r}, men den valgte model er "
                    f"{settings.model!r}. Vælg samme model (QA_MODEL) eller byg forfra: python -m qa build --rebuild"
                )
            embedder = load_embedder(settings)
        store.bind_model(embedder.model_id, embedder.dim)
        index = cls(directory, store, None, embedder, -1)
        index.refresh()
        return index

    def refresh(self) -> bool:
        """Pick up a newer generation written by another process; True if anything changed."""
        gen = self.store.generation()
        if gen == self.generation:
            return False
        path = vectors_path(self.directory, gen)
        vectors = None
        if path.exists():
            try:
                vectors = VectorIndex.load(path)
            except RuntimeError:
                vectors = None
        if vectors is None or len(vectors) != self.store.count_chunks():
            # the writer stopped before writing this generation's file: the store has the vectors
            vectors = VectorIndex.build(*self.store.vectors())
        self.vectors, self.generation = vectors, gen
        return True

    def close(self) -> None:
        self.store.close()
