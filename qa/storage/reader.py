"""Opening a built index for reading: the store, its matching vectors and the model that built it."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.embed.model import Embedder, load_embedder
from qa.errors import IndexMismatch, IndexMissing, IndexReadOnly
from qa.settings import Settings
from qa.storage.layout import has_index, store_path, vectors_path
from qa.storage.store import Store, corruption
from qa.storage.vectors import VectorIndex


log = logging.getLogger(__name__)


def _save_quietly(vectors: VectorIndex, path: Path) -> None:
    """Write a rebuilt vector file for the next reader; a folder that cannot be written is fine."""
    try:
        vectors.save(path)
    except (OSError, RuntimeError):
        log.info("Den genopbyggede vektorfil kunne ikke gemmes i %s", path.parent)


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
        try:
            store = Store(store_path(directory), settings)
        except IndexReadOnly:  # a folder or file we may not write: search it as it is
            store = Store(store_path(directory), settings, readonly=True)
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
        """Pick up a newer generation written by another process; True if anything changed.

        The vector file is derived: when it is missing, unreadable or holds other ids than the store
        (a writer stopped before writing it, a failed write, a foreign file), it is rebuilt from the
        stored vectors and written back when the folder allows it.
        """
        with corruption(self.directory):
            gen = self.store.generation()
            if gen == self.generation:
                return False
            path = vectors_path(self.directory, gen)
            vectors = None
            if path.exists():
                try:
                    vectors = VectorIndex.load(path, self.settings)
                except RuntimeError:
                    log.warning("Vektorfilen %s kunne ikke læses; den genopbygges fra indekset", path)
            store_ids = self.store.chunk_ids()
            if vectors is not None and not np.array_equal(vectors.ids(), store_ids):
                log.warning("Vektorfilen %s passer ikke til indekset; den genopbygges", path)
                vectors = None
            if vectors is None:
                vectors = VectorIndex.build(*self.store.vectors(), settings=self.settings)
                if self.store.generation() == gen:
                    _save_quietly(vectors, path)
            self.vectors, self.generation = vectors, gen
        return True

    def vectors_stale(self, unknown: int) -> None:
        """The searcher met ids the store does not know: rebuild the vectors before the next question."""
        log.warning("%d vektor-id(er) findes ikke i indekset; vektorerne genopbygges", unknown)
        self.generation = -1

    def close(self) -> None:
        self.store.close()
