"""Opening a built index for reading: the store, its matching vectors and the model that built it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.embed.model import Embedder, load_embedder
from qa.errors import IndexMismatch, IndexMissing
from qa.settings import Settings
from qa.storage.layout import has_index, open_lexical, store_path, vectors_path
from qa.storage.store import Store
from qa.storage.vectors import VectorIndex


@dataclass
class Index:
    directory: Path
    store: Store
    vectors: VectorIndex | None
    embedder: Embedder
    generation: int
    settings: Settings = Settings()

    @classmethod
    def open(cls, directory: Path, settings: Settings, embedder: Embedder | None = None) -> "Index":
        directory = Path(directory)
        if not has_index(directory):
            raise IndexMissing.at(directory)
        store = Store(store_path(directory), settings)
        model_id = store.meta("model_id")
        if embedder is None:
            if model_id and model_id != settings.model:
                raise IndexMismatch.model(directory, model_id, None, settings.model)
            embedder = load_embedder(settings)
        store.bind_model(embedder.model_id, embedder.dim)
        index = cls(directory, store, None, embedder, -1, settings)
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
                vectors = VectorIndex.load(path, self.settings)
            except RuntimeError:
                vectors = None
        if vectors is None or len(vectors) != self.store.count_chunks():
            # the writer stopped before writing this generation's file: the store has the vectors
            vectors = VectorIndex.build(*self.store.vectors(), settings=self.settings)
        self.vectors, self.generation = vectors, gen
        self.store.engine = open_lexical(self.directory, gen, self.settings)
        return True

    def close(self) -> None:
        self.store.close()
