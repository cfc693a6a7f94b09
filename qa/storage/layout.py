"""The index folder: which files it holds, the writer lock, and writing the derived FAISS file.

The only place that knows the file names, so the reader, the indexer, the CLI and the benchmark can
never disagree on them.
"""
from __future__ import annotations

import fcntl
import logging
from pathlib import Path

from qa.atomic import remove_stale
from qa.errors import IndexBusy, IndexReadOnly
from qa.settings import Settings
from qa.storage.store import Store
from qa.storage.vectors import VectorIndex

STORE_FILE = "chunks.sqlite"
LOCK_FILE = "writer.lock"

log = logging.getLogger(__name__)


def store_path(directory: Path) -> Path:
    return Path(directory) / STORE_FILE


def has_index(directory: Path) -> bool:
    return store_path(directory).exists()


def vectors_path(directory: Path, generation: int) -> Path:
    return Path(directory) / f"vectors-{generation}.faiss"


def write_vectors(directory: Path, store: Store, settings: Settings = Settings()) -> VectorIndex:
    """The FAISS file for the store's current generation; older ones are removed afterwards."""
    directory = Path(directory)
    ids, vecs = store.vectors()
    index = VectorIndex.build(ids, vecs, settings=settings)
    target = vectors_path(directory, store.generation())
    index.save(target)
    for old in directory.glob("vectors-*.faiss"):
        if old != target:
            old.unlink(missing_ok=True)
    remove_stale(directory, "vectors-*.faiss.tmp*")
    return index


def write_vectors_or_warn(directory: Path, store: Store, settings: Settings = Settings()) -> str | None:
    """Write the FAISS file after the documents are committed; a failure (disk full, a folder turned
    read-only) is a Danish warning, not an error: the store has every vector and the next reader
    rebuilds the file from it."""
    try:
        write_vectors(directory, store, settings)
    except (OSError, RuntimeError) as e:  # faiss reports I/O errors as RuntimeError
        cause = str(e).rsplit(":", 1)[-1].strip() or type(e).__name__
        log.warning("Vektorfilen kunne ikke skrives i %s (%s)", directory, cause)
        return (f"Vektorfilen kunne ikke skrives ({cause[:80]}); dokumenterne er gemt, og filen genopbygges, "
                "næste gang indekset åbnes.")
    return None


def remove_index_files(directory: Path) -> None:
    """Delete the store and its vector files (a rebuild of a store that cannot be opened)."""
    for p in Path(directory).glob("*"):
        if p.name.startswith((STORE_FILE, "vectors-")):
            p.unlink()


class WriterLock:
    """One writer at a time per index directory (readers never need it)."""

    def __init__(self, directory: Path):
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / LOCK_FILE
        self.fh = None

    def __enter__(self):
        try:
            self.fh = open(self.path, "a+")
        except OSError as e:  # a folder we may not write (permissions, a read-only file system)
            raise IndexReadOnly.at(self.path.parent) from e
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise IndexBusy.at(self.path.parent)
        return self

    def __exit__(self, *_):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()
