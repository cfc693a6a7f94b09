"""The chunk store: one SQLite file holding documents, passages, their vectors and a lexical index.

SQLite is the single source of truth: every write is one transaction, so an index is never half
written, and readers (WAL mode) see the old or the new state. The FAISS file next to it is derived
data (see qa/vectors.py) and can always be rebuilt from the vectors stored here.

A distributed backend would implement the same public methods (see docs/SCALING.md).
"""
from __future__ import annotations

import errno
import re
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import numpy as np

from qa.danish.text import terms
from qa.errors import IndexCorrupt, IndexMismatch, IndexReadOnly, IndexWriteFailed
from qa.settings import Settings
from qa.storage.filters import Allowed, FilterColumns, filtered
from qa.types import Chunk, Document, Query

# The schema is built by numbered migrations, applied in order to a new or older file inside one
# transaction each; the version reached is stored in meta. A change of format adds a migration,
# it never throws the embedding cache away.
_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT, date TEXT, committee TEXT,
    doc_type TEXT, text TEXT NOT NULL, added REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    text TEXT NOT NULL, start INTEGER, "end" INTEGER, item TEXT, item_title TEXT, section TEXT,
    sides TEXT, source TEXT, doc_title TEXT, date TEXT, committee TEXT, doc_type TEXT,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_date ON chunks(date);
CREATE TABLE IF NOT EXISTS sentences (
    chunk INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences(chunk);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(terms, tokenize = "unicode61 remove_diacritics 0");
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
CREATE TABLE IF NOT EXISTS embed_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""
# v2: each sentence stores the sub-section it stands in, decided by chunking at build time, so a
# citation never depends on the heading rules of the program that reads the index. Sentences of an
# index migrated from v1 have none until the next build fills them in ('sections_pending').
_V2 = """
ALTER TABLE sentences ADD COLUMN section TEXT;
INSERT OR REPLACE INTO meta(key, value)
    SELECT 'sections_pending', '1' WHERE EXISTS (SELECT 1 FROM sentences);
"""
# v3 (issue 13, document metadata): the kind of body apart from the committee's name with its unit,
# the municipality or region, and whether the text was read by OCR - on documents and, copied as
# every citation field is, on passages. Rows of an older index are filled in by the next build,
# which re-describes every file it reads (Store.update_metadata) without re-embedding anything.
_V3 = """
ALTER TABLE documents ADD COLUMN body TEXT;
ALTER TABLE documents ADD COLUMN municipality TEXT;
ALTER TABLE documents ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chunks ADD COLUMN body TEXT;
ALTER TABLE chunks ADD COLUMN municipality TEXT;
ALTER TABLE chunks ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
"""
# v4 (issue 14): a covering index of what filters read, so neither the filter columns nor the vector
# file's id check scan the passage rows (3.9 KB each with their vector): at 1,000,000 passages
# `SELECT id FROM chunks` read 3.9 GB and took 11.9 s on a cold cache.
_V4 = """
CREATE INDEX IF NOT EXISTS chunks_filters ON chunks(date, body, committee, municipality, doc_type, sides);
"""
MIGRATIONS = [_V1, _V2, _V3, _V4]
FORMAT_VERSION = len(MIGRATIONS)

_CHUNK_COLS = (
    'id, chunk_id, doc_id, text, start, "end", item, item_title, section, sides, source, doc_title, '
    "date, committee, doc_type, body, municipality, ocr"
)
_DOC_COLS = "doc_id, source, {text}, title, date, committee, doc_type, body, municipality, ocr"


class Store:
    """The store file; `readonly` opens it for searching only (a read-only folder, another user's index).

    Opening checks the file: an empty or foreign file and one that fails SQLite's quick_check raise
    IndexCorrupt (settings.check_store; about 1 ms per MB), so a damaged index is refused with the
    rebuild command before anything reads wrong rows from it or writes more into it. A file above
    settings.check_store_max_mb is not read whole on open (at 1,000,000 passages, 22 GB, that took
    minutes); SQLite still refuses any damaged page it reads, which becomes the same IndexCorrupt.
    """

    def __init__(self, path: Path, settings: Settings = Settings(), readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self.common_from, self.common_share = settings.common_from, settings.common_share
        _check_header(self.path)
        with corruption(self.path.parent, writing=not readonly):
            self.db = _connect(self.path, readonly)
            if settings.check_store and self.path.stat().st_size <= settings.check_store_max_mb * 2**20:
                result = self.db.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    self.db.close()
                    raise IndexCorrupt.at(self.path.parent, "SQLite: " + result.splitlines()[0][:120])
            self._migrate()
        self._cached: dict[str, tuple[int, object]] = {}  # name -> (generation, value)
        # a top-k engine built for this generation (qa/storage/lexical.py); None: FTS5 answers
        self.engine = None

    def _migrate(self) -> None:
        """Bring the file to FORMAT_VERSION, one numbered migration per transaction."""
        has_meta = self.db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone()
        version = int(self.meta("format_version", "1")) if has_meta else 0
        if has_meta and not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='chunks'").fetchone():
            version = 0
        if version > FORMAT_VERSION:
            raise IndexMismatch.format(self.path.parent, version, FORMAT_VERSION)
        if self.readonly and version < FORMAT_VERSION:
            raise IndexReadOnly.at(self.path.parent)  # an older index needs its migration written first
        for n in range(version, FORMAT_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[n]):
                    self.db.execute(statement)
                self._set("format_version", str(n + 1))

    # --- meta -------------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def generation(self) -> int:
        return int(self.meta("generation", "0"))

    def bind_model(self, model_id: str, dim: int) -> None:
        """Record the model of a new index, or refuse an index built with another one."""
        have_model, have_dim = self.meta("model_id"), self.meta("dim")
        if have_model is None and self.readonly:
            return  # nothing to record into; an index without documents has nothing to mismatch
        if have_model is None:
            with self.transaction():
                self._set("model_id", model_id)
                self._set("dim", str(dim))
        elif have_model != model_id or int(have_dim or 0) != dim:
            raise IndexMismatch.model(self.path.parent, have_model, have_dim, model_id, dim)

    def _set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def transaction(self):
        return _Transaction(self)

    # --- writes (call inside transaction()) -----------------------------------------------
    def add_document(
        self,
        doc: Document,
        chunks: list[Chunk],
        vectors: np.ndarray,
        sentences: list[list[tuple[int, int, str | None]]],
        sentence_vectors: list[np.ndarray],
        lexical: list[str] | None = None,
    ) -> None:
        """One document with its passages, their vectors and their sentences ((start, end, section)).

        `lexical` is each passage's stemmed text for the lexical index, when the caller has it already."""
        self.db.execute(
            "INSERT INTO documents(doc_id, source, title, date, committee, doc_type, body, municipality, ocr, "
            "text, added) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (doc.doc_id, doc.source, doc.title, doc.date, doc.committee, doc.doc_type, doc.body,
             doc.municipality, int(doc.ocr), doc.text, time.time()),
        )
        for n, (c, vec, spans, svecs) in enumerate(zip(chunks, vectors, sentences, sentence_vectors)):
            cur = self.db.execute(
                'INSERT INTO chunks(chunk_id, doc_id, text, start, "end", item, item_title, section, sides, '
                "source, doc_title, date, committee, doc_type, body, municipality, ocr, vector) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (c.chunk_id, c.doc_id, c.text, c.start, c.end, c.item, c.item_title, c.section,
                 ",".join(c.sides), c.source, c.doc_title, c.date, c.committee, c.doc_type, c.body,
                 c.municipality, int(c.ocr), np.asarray(vec, dtype=np.float32).tobytes()),
            )
            rowid = cur.lastrowid
            fts = lexical[n] if lexical is not None else " ".join(lexical_terms(c))
            self.db.execute("INSERT INTO fts(rowid, terms) VALUES (?, ?)", (rowid, fts))
            self.db.executemany(
                'INSERT INTO sentences(chunk, start, "end", section, vector) VALUES (?,?,?,?,?)',
                [(rowid, s, e, sec, np.asarray(v, dtype=np.float32).tobytes()) for (s, e, sec), v in zip(spans, svecs)],
            )
        self._bump()

    def remove_document(self, doc_id: str) -> bool:
        ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]
        self.db.executemany("DELETE FROM fts WHERE rowid=?", [(i,) for i in ids])
        cur = self.db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        if cur.rowcount:
            self._bump()
        return bool(cur.rowcount)

    def move_document(self, doc_id: str, source: str) -> None:
        """A file renamed or moved keeps its passages and vectors; only its path changes."""
        self.db.execute("UPDATE documents SET source=? WHERE doc_id=?", (source, doc_id))
        self.db.execute("UPDATE chunks SET source=? WHERE doc_id=?", (source, doc_id))
        self._bump()

    def update_metadata(self, doc: Document) -> bool:
        """Give a stored document (and the passages that copy it) a new description - a sidecar's
        correction, or what a newer program reads in the same text. True if anything changed."""
        old = self.document(doc.doc_id)
        fields = ("title", "date", "committee", "doc_type", "body", "municipality", "ocr")
        if old is None or all(getattr(old, f) == getattr(doc, f) for f in fields):
            return False
        self.db.execute(
            "UPDATE documents SET title=?, date=?, committee=?, doc_type=?, body=?, municipality=?, ocr=? "
            "WHERE doc_id=?",
            (doc.title, doc.date, doc.committee, doc.doc_type, doc.body, doc.municipality, int(doc.ocr), doc.doc_id),
        )
        self.db.execute(
            "UPDATE chunks SET doc_title=?, date=?, doc_type=?, municipality=?, ocr=? WHERE doc_id=?",
            (doc.title, doc.date, doc.doc_type, doc.municipality, int(doc.ocr), doc.doc_id),
        )
        # a hearing section's own body stays; passages that carried the document's body follow it
        self.db.execute(
            "UPDATE chunks SET committee=?, body=? WHERE doc_id=? AND committee IS ? AND body IS ?",
            (doc.committee, doc.body, doc.doc_id, old.committee, old.body),
        )
        self._bump()
        return True

    def _bump(self) -> None:
        self._set("generation", str(self.generation() + 1))

    # --- embedding cache: unchanged passages are never embedded twice -------------------------
    def cached_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i: i + 500]
            q = f"SELECT key, vector FROM embed_cache WHERE key IN ({','.join('?' * len(part))})"
            for k, blob in self.db.execute(q, part):
                out[k] = np.frombuffer(blob, dtype=np.float32)
        return out

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embed_cache(key, vector) VALUES (?, ?)",
            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )

    # --- reads ------------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        rows = self.db.execute(f"SELECT {_DOC_COLS.format(text=repr(''))} FROM documents ORDER BY date, source")
        return [_document(r) for r in rows]

    def newest_date(self) -> str | None:
        """The newest meeting/document date in the index: what 'nu', 'senest' and 'i år' are read against."""
        return self._of_generation("newest", lambda: self.db.execute("SELECT max(date) FROM documents").fetchone()[0])

    def meeting_dates(self) -> tuple[str, ...]:
        """The distinct document dates in the index, ascending."""
        return self._of_generation("dates", lambda: tuple(r[0] for r in self.db.execute(
            "SELECT DISTINCT date FROM documents WHERE date IS NOT NULL ORDER BY date")))

    def document(self, doc_id: str) -> Document | None:
        r = self.db.execute(f"SELECT {_DOC_COLS.format(text='text')} FROM documents WHERE doc_id=?",
                            (doc_id,)).fetchone()
        return _document(r) if r else None

    def passage_counts(self) -> dict[str, int]:
        """Passages per document id."""
        return dict(self.db.execute("SELECT doc_id, count(*) FROM chunks GROUP BY doc_id"))

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone() is not None

    def find_document(self, ref: str) -> str | None:
        """A doc_id from a doc_id, its prefix, or its source path."""
        r = self.db.execute(
            "SELECT doc_id FROM documents WHERE doc_id=? OR source=? OR source LIKE ? ESCAPE '\\' "
            "OR doc_id LIKE ? LIMIT 2",
            (ref, ref, "%/" + _like(ref), _like(ref) + "%"),
        ).fetchall()
        return r[0][0] if len(r) == 1 else None

    def chunk_ids(self) -> np.ndarray:
        """Every passage's row id, ascending (to tell whether a vector file belongs to this store)."""
        rows = self.db.execute("SELECT id FROM chunks INDEXED BY chunks_filters")  # the index, not the rows
        return np.sort(np.fromiter((r[0] for r in rows), dtype=np.int64))

    def count_chunks(self) -> int:
        return self._of_generation("count", lambda: self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def _of_generation(self, name: str, compute):
        """A value of the whole store, computed once per generation: at 1,000,000 passages max(date) and
        count(*) scan their tables (147 and 16 ms per question, docs/BENCHMARKS.md)."""
        gen = self.generation()
        if name not in self._cached or self._cached[name][0] != gen:
            self._cached[name] = (gen, compute())
        return self._cached[name][1]

    def count_sentences(self) -> int:
        return self.db.execute("SELECT count(*) FROM sentences").fetchone()[0]

    def chunk_rows(self, doc_id: str) -> list[int]:
        """Row ids of a document's passages, in order."""
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id=? ORDER BY id", (doc_id,))]

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (after a large write)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All chunk ids and vectors (to build the FAISS index)."""
        dim = int(self.meta("dim", "0"))
        rows = self.db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
        return ids, vecs

    def chunk_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        q = f"SELECT id, vector FROM chunks WHERE id IN ({','.join('?' * len(ids))})"
        return {i: np.frombuffer(b, dtype=np.float32) for i, b in self.db.execute(q, ids)} if ids else {}

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        q = f"SELECT {_CHUNK_COLS} FROM chunks WHERE id IN ({','.join('?' * len(ids))})"
        return {r[0]: _chunk(r) for r in self.db.execute(q, ids)}

    def chunks_of(self, doc_id: str, item: str | None) -> list[Chunk]:
        """All passages of one agenda item (to show the whole item)."""
        q = f"SELECT {_CHUNK_COLS} FROM chunks WHERE doc_id=? AND item IS ? ORDER BY start"
        return [_chunk(r) for r in self.db.execute(q, (doc_id, item))]

    def chunk_ids_of(self, doc_id: str, item: str | None, item_title: str | None = None) -> list[int]:
        """The row ids of one agenda item's passages, in order (a follow-up's candidates). In a document
        without numbered items (a bundle of hearing responses) a part is known by its title alone."""
        if item is None and item_title:
            q = "SELECT id FROM chunks WHERE doc_id=? AND item IS NULL AND item_title=? ORDER BY start"
            return [r[0] for r in self.db.execute(q, (doc_id, item_title))]
        q = "SELECT id FROM chunks WHERE doc_id=? AND item IS ? ORDER BY start"
        return [r[0] for r in self.db.execute(q, (doc_id, item))]

    def sentences(self, ids: list[int], with_vectors: bool = True) -> dict[int, "Sentences"]:
        """Each passage's sentences in order: spans, the sub-section each stands in, and (optionally) vectors."""
        if not ids:
            return {}
        cols = 'chunk, start, "end", section' + (", vector" if with_vectors else "")
        q = f'SELECT {cols} FROM sentences WHERE chunk IN ({",".join("?" * len(ids))}) ORDER BY chunk, start'
        grouped: dict[int, Sentences] = {}
        for chunk, rows in groupby(self.db.execute(q, ids), key=itemgetter(0)):
            rows = list(rows)
            vectors = (np.frombuffer(b"".join(r[4] for r in rows), dtype=np.float32).reshape(len(rows), -1)
                       if with_vectors else np.zeros((len(rows), 0), np.float32))  # one array per passage
            grouped[chunk] = Sentences([(r[1], r[2]) for r in rows], [r[3] for r in rows], vectors)
        return grouped

    def sections_pending(self) -> bool:
        """Sentences migrated from an index that did not store their sub-sections (see _V2)."""
        return self.meta("sections_pending") == "1"

    def lexical_rows(self):
        """(id, stems) of every passage as the lexical index holds them, to build a top-k engine from."""
        return self.db.execute("SELECT rowid, terms FROM fts ORDER BY rowid")

    def chunk_texts(self) -> list[tuple[int, str]]:
        """(id, text) of every passage, for filling in derived data after a migration."""
        return self.db.execute("SELECT id, text FROM chunks ORDER BY id").fetchall()

    def set_sentence_sections(self, rows: list[tuple[str | None, int, int]]) -> None:
        """(section, chunk id, start) for each sentence; clears 'sections_pending'. Call inside a transaction."""
        self.db.executemany("UPDATE sentences SET section=? WHERE chunk=? AND start=?", rows)
        self.db.execute("DELETE FROM meta WHERE key='sections_pending'")

    def clear(self) -> None:
        """Remove every document (a rebuild), keeping the embedding cache: unchanged texts are not re-embedded."""
        with self.transaction():
            self.db.execute("DELETE FROM fts")
            self.db.execute("DELETE FROM documents")
            for key in ("model_id", "dim", "sections_pending"):
                self.db.execute("DELETE FROM meta WHERE key=?", (key,))
            self._bump()

    def allowed(self, query: Query) -> Allowed | None:
        """The passages the query's filters allow, or None when nothing is filtered. The filter columns
        are read once per generation (qa/storage/filters.py)."""
        if not filtered(query):
            return None
        return self._filter_columns().allowed(query)

    def places(self) -> list[str]:
        """The municipalities and regions of the indexed documents (lower-cased)."""
        return self._filter_columns().places()

    def committees(self) -> list[str]:
        """The committees of the indexed documents (lower-cased)."""
        return self._filter_columns().committees()

    def _filter_columns(self) -> FilterColumns:
        sql = ("SELECT id, date, body, committee, municipality, doc_type, sides "
               "FROM chunks INDEXED BY chunks_filters")
        return self._of_generation("filters", lambda: FilterColumns.from_rows(self.db.execute(sql)))

    def lexical(self, query_terms: list[str], k: int, allowed: Allowed | None = None,
                only: list[int] | None = None) -> dict[int, float]:
        """BM25 scores (higher is better) of the best `k` passages for these stemmed terms.

        Terms are quoted, so nothing a user types can become FTS query syntax.
        """
        uniq = list(dict.fromkeys(c for t in query_terms if (c := _CONTROL.sub("", t).strip())))
        if self.engine is not None and uniq:  # block-max WAND skips common terms' postings: no pruning needed
            return self.engine.scores(uniq, list(only)) if only is not None else self.engine.top(uniq, k, allowed)
        uniq = self._without_common(uniq)
        if not uniq:
            return {}
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in uniq)
        sql = "SELECT rowid, -bm25(fts) FROM fts WHERE fts MATCH ?"
        args: list = [match]
        if only is not None:
            sql += f" AND +rowid IN ({','.join('?' * len(only))})"  # '+': filter matches, not one MATCH per id
            args += list(only)
        elif allowed is not None:
            sql += " AND +rowid IN (SELECT value FROM json_each(?))"
            args.append("[" + ",".join(map(str, allowed.ids.tolist())) + "]")
        sql += " ORDER BY bm25(fts) LIMIT ?"
        args.append(k)
        return {int(r): float(s) for r, s in self.db.execute(sql, args)}

    def _without_common(self, uniq: list[str]) -> list[str]:
        """In a large index, terms found in more than `common_share` of the passages are dropped from the
        OR query (all kept if all are common): they rank almost nothing and cost most of the time."""
        n = self.count_chunks()
        if n < self.common_from or len(uniq) < 2:
            return uniq
        df = self._doc_freqs(uniq)
        kept = [t for t in uniq if df.get(t, 0) <= self.common_share * n]
        return kept or uniq

    def known_terms(self, candidates: list[str]) -> set[str]:
        """Which of these stemmed terms occur anywhere in the index."""
        return set(self._doc_freqs(candidates))

    def doc_freqs(self, candidates: list[str]) -> dict[str, int]:
        """How many passages contain each of these stemmed terms (terms in none are left out)."""
        return self._doc_freqs(candidates)

    def _doc_freqs(self, candidates: list[str]) -> dict[str, int]:
        """How many passages contain each of these terms (terms in none are left out)."""
        if not candidates:
            return {}
        q = f"SELECT term, doc FROM fts_vocab WHERE term IN ({','.join('?' * len(candidates))})"
        return dict(self.db.execute(q, candidates).fetchall())

    def close(self) -> None:
        self.db.close()


def lexical_terms(chunk: Chunk) -> list[str]:
    """What the lexical index stores for a passage: its words and its item title, stemmed."""
    return terms(" ".join(filter(None, [chunk.item_title, chunk.section, chunk.text])))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Sentences:
    """The sentences of one passage as stored: offsets in its text, sub-section labels, vectors."""

    spans: list[tuple[int, int]]
    sections: list[str | None]
    vectors: np.ndarray | list


def _statements(script: str) -> list[str]:
    """A migration script as single statements (executescript would commit the open transaction)."""
    out, buf = [], ""
    for line in script.strip().splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out


def _like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunk(r) -> Chunk:
    return Chunk(
        chunk_id=r[1], doc_id=r[2], text=r[3], start=r[4], end=r[5], item=r[6], item_title=r[7],
        section=r[8], sides=tuple(s for s in (r[9] or "").split(",") if s), source=r[10] or "",
        doc_title=r[11] or "", date=r[12], committee=r[13], doc_type=r[14], body=r[15], municipality=r[16],
        ocr=bool(r[17]),
    )


_SQLITE_MAGIC = b"SQLite format 3\x00"
# OperationalErrors that mean "cannot write here", not "damaged"
_READ_ONLY = ("readonly database", "unable to open database file", "read-only file system")
_WRITE_FAILED = ("disk is full", "disk i/o error", "file too large")


def _check_header(path: Path) -> None:
    """An existing store must be a SQLite file: an empty one is damaged, not an empty index."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return  # a new index
    except IsADirectoryError:
        raise IndexCorrupt.at(path.parent, f"{path.name} er en mappe")
    if not head:
        raise IndexCorrupt.at(path.parent, f"{path.name} er tom (0 byte)")
    if head != _SQLITE_MAGIC:
        raise IndexCorrupt.at(path.parent, f"{path.name} er ikke en SQLite-fil")


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if not readonly:
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=FULL")
        return db
    uri = "file:" + quote(str(path.resolve()))
    try:
        db = sqlite3.connect(uri + "?mode=ro", uri=True, check_same_thread=False, isolation_level=None, timeout=30)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        # a WAL index in a folder we cannot write: its -shm cannot be made, so read the file as it is
        # (immutable: no one can be writing it, since no one can write there)
        return sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True, check_same_thread=False,
                               isolation_level=None)


@contextmanager
def corruption(directory: Path, writing: bool = False) -> Iterator[None]:
    """SQLite's 'malformed', 'not a database' and decoding errors as IndexCorrupt; 'cannot write here'
    as IndexReadOnly when writing. Wraps every use of a store by the front door."""
    try:
        yield
    except sqlite3.OperationalError as e:
        text = str(e).lower()
        if any(m in text for m in _READ_ONLY):
            if writing:
                raise IndexReadOnly.at(directory) from e
            raise
        if writing and any(m in text for m in _WRITE_FAILED):
            raise IndexWriteFailed.at(directory, f"SQLite: {e}"[:120]) from e
        if "could not decode" in text or "malformed" in text:
            raise IndexCorrupt.at(directory, f"SQLite: {e}"[:160]) from e
        raise
    except sqlite3.DatabaseError as e:  # DatabaseError itself: malformed image, not a database, ...
        raise IndexCorrupt.at(directory, f"SQLite: {e}"[:160]) from e
    except OSError as e:
        if writing and e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO):
            raise IndexWriteFailed.at(directory, e.strerror or type(e).__name__) from e
        raise


def _document(r) -> Document:
    return Document(*r[:7], body=r[7], municipality=r[8], ocr=bool(r[9]))


class _Transaction:
    def __init__(self, store: Store):
        self.db = store.db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
