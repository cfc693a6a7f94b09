"""Building and updating an index: load -> repair -> chunk -> embed -> store, one document at a time.

Loading, repair and chunking of the next files run in a worker thread while the current file embeds
(the encoder releases the GIL, so the two overlap on two cores). Each document is written in its own SQLite transaction, so an interrupted build keeps every
document it finished and loses nothing else. Content hashes make rebuilding cheap: an unchanged
file is skipped, identical files are indexed once, and an embedding cache keyed by model and text
means a changed document only re-embeds the passages that changed. The hash includes INGEST_VERSION, so
that after a change to how text is repaired, chunked or split into sentences a plain build passes every
document through the new rules (and re-embeds only the passages whose text changed).
"""
from __future__ import annotations

import hashlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from qa.danish.text import sentences
from qa.embed.model import Embedder
from qa.embed.texts import embed_text, sentence_text
from qa.ingest.chunking import Chunker, Sections
from qa.ingest.corpus import walk
from qa.ingest.extract import Extractor
from qa.ingest.loaders import SUPPORTED_SUFFIXES, Loaded, load_file
from qa.ingest.metadata import describe_document, read_sidecar
from qa.ingest.repair import Repaired, repair, to_source
from qa.settings import ROOT, Settings
from qa.storage.layout import WriterLock, has_index, store_path, write_vectors_or_warn
from qa.storage.store import Store
from qa.types import Chunk, Document, Progress, Report

# Raise when repair, chunking or sentence splitting changes what is stored for the same text.
# 2: a lead-in line ending in ':' goes with its list; a year wrapped onto its own line is no list number.
# 4: a side named in a lead-in (".. følgende bemærkninger:") speaks in the passages after it, up to the decision.
# 5: a passage naming a participant speaks with the sides the participant list gives that person.
# 6: a table row "Beslutning | …" is a sub-section label and its text; "Hoved-MED – Mødereferat" is Hoved-MED.
# 7: a plain "3. Titel" line is an item heading when a sub-section label or a case number follows, or it repeats a contents entry.
# 8: "1) Titel" lines rising from 1 with text between them open items (OCR); inline HTML elements keep a gap;
#    an unnumbered "Godkendelse af dagsorden" ends the head; "Aftale:" records a decision.
# 9: a municipality named only in the page header is read from it; a committee takes its unit from the
#    municipality line above ("Egholt Kommune · Skoler Nord").
INGEST_VERSION = 9


def display_path(path: Path) -> str:
    """Source paths are stored relative to the project root when inside it (stable across clones)."""
    path = path.resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def corpus_files(corpus: Path) -> list[Path]:
    """The files a build reads: regular, visible, inside the corpus folder (see qa/ingest/corpus.py);
    metadata sidecars (`X.pdf.meta.json`) are read with their document, not as documents."""
    return walk(corpus)[0]


def _warn(report: Report, warning: str | None) -> None:
    if warning:
        report.warnings.append(warning)


class Indexer:
    def __init__(self, index_dir: Path, settings: Settings, embedder: Embedder | None):
        self.dir = Path(index_dir)
        self.settings = settings
        self.embedder = embedder
        self.chunker = Chunker(settings.chunk_chars, settings.chunk_overlap)

    def build(self, corpus: Path, progress: Progress | None = None) -> Report:
        """Bring the index in line with a corpus folder: add new and changed files, drop removed ones."""
        files, refused = walk(corpus)
        with WriterLock(self.dir):
            store = self._store()
            report = Report(skipped=[(str(Path(display_path(p.parent)) / p.name), why) for p, why in refused])
            self._add(store, files, report, progress)
            # removals last, so a build stopped half-way has lost nothing it had before
            wanted = {display_path(p) for p in files}
            for doc in store.documents():
                if doc.source in wanted:
                    continue
                with store.transaction():
                    if doc.doc_id in report.seen:  # the same content now lives elsewhere: moved or renamed
                        store.move_document(doc.doc_id, report.seen[doc.doc_id])
                    else:
                        store.remove_document(doc.doc_id)
                        report.removed.append(doc.source)
            _warn(report, write_vectors_or_warn(self.dir, store, self.settings))
            store.close()
        return report

    def add(self, paths: list[Path], progress: Progress | None = None) -> Report:
        with WriterLock(self.dir):
            store = self._store()
            report = Report()
            self._add(store, paths, report, progress)
            _warn(report, write_vectors_or_warn(self.dir, store, self.settings))
            store.close()
        return report

    def remove(self, ref: str) -> str | None:
        """Remove one document by id, id prefix or source path; returns its id, or None if not found."""
        if not has_index(self.dir):
            return None
        with WriterLock(self.dir):
            store = Store(store_path(self.dir), self.settings)  # removing embeds nothing: no model needed
            doc_id = store.find_document(ref)
            if doc_id:
                with store.transaction():
                    store.remove_document(doc_id)
                write_vectors_or_warn(self.dir, store, self.settings)  # logged; the reader rebuilds
            store.close()
        return doc_id

    # ------------------------------------------------------------------------------------------
    def _store(self) -> Store:
        store = Store(store_path(self.dir), self.settings)
        store.bind_model(self.embedder.model_id, self.embedder.dim)
        if store.sections_pending():
            self._fill_sections(store)
        return store

    @staticmethod
    def _fill_sections(store: Store) -> None:
        """Store the sub-section of every sentence of an index migrated from a format without them."""
        rows = []
        for cid, text in store.chunk_texts():
            sections = Sections.of(text)
            rows += [(sections.at(a), cid, a) for a, _ in sentences(text)]
        with store.transaction():
            store.set_sentence_sections(rows)

    def _add(self, store: Store, paths: list[Path], report: Report, progress: Progress | None) -> None:
        """Index new and changed files; a file's previous version is replaced in the same transaction."""
        existing = {d.source: d.doc_id for d in store.documents()}
        for n, path, source, prepared in self._prepared(paths):
            if progress:
                progress(n, len(paths), f"{path.name} · {report.chunks} passager")
            if isinstance(prepared, str):
                report.skipped.append((source, prepared))
                continue
            doc, chunks = prepared
            report.seen[doc.doc_id] = source
            if store.has_document(doc.doc_id):
                with store.transaction():  # a corrected sidecar, or a description read anew
                    store.update_metadata(doc)
                report.unchanged.append(source)
                continue
            if not chunks:
                report.skipped.append((source, "ingen brugbar tekst efter oprydning"))
                continue
            def tick(done: int, total: int, n: int = n, name: str = path.name) -> None:
                if progress:  # the bar's text moves while a document embeds
                    progress(n, len(paths), f"{done}/{total} tekster · {name} · {report.chunks + done} passager")

            vectors, spans, svecs = self._embed(store, chunks, tick)
            with store.transaction():
                old = existing.get(source)
                if old and report.seen.get(old, source) != source:
                    store.move_document(old, report.seen[old])  # its old content lives on in another file
                elif old:
                    store.remove_document(old)
                store.add_document(doc, chunks, vectors, spans, svecs)
            existing[source] = doc.doc_id
            report.added.append(source)
            report.chunks += len(chunks)
        if progress:
            progress(len(paths), len(paths), "færdig")

    def _prepared(self, paths: list[Path]):
        """(n, path, source, (document, passages) or the Danish reason it cannot be used) per file, in
        order; up to `settings.ingest_ahead` files are loaded, repaired and chunked ahead in a thread."""
        def work(path: Path, source: str, load: Callable[[Path], Loaded]) -> tuple[Document, list[Chunk]] | str:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                return f"ukendt filtype {path.suffix or '(ingen)'}"
            prepared = self.prepare(path, source, load)
            if isinstance(prepared, str):
                return prepared
            doc, fixed = prepared
            return doc, self.chunk(doc, fixed)

        ahead = max(1, self.settings.ingest_ahead)
        # files are read in a child process that can be stopped (qa/ingest/extract.py)
        with Extractor(self.settings) as extractor, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-ingest") as pool:
            queue: deque[tuple[int, Path, str, Future]] = deque()
            todo = iter(enumerate(paths))
            try:
                for n, path in todo:
                    source = display_path(path)
                    queue.append((n, path, source, pool.submit(work, path, source, extractor.load)))
                    if len(queue) > ahead:
                        m, p, src, fut = queue.popleft()
                        yield m, p, src, fut.result()
                while queue:
                    m, p, src, fut = queue.popleft()
                    yield m, p, src, fut.result()
            finally:
                for *_, fut in queue:
                    fut.cancel()

    def prepare(self, path: Path, source: str, load: Callable[[Path], Loaded] | None = None
                ) -> tuple[Document, Repaired] | str:
        """A repaired, described Document with its repair (for offsets), or the Danish reason the file
        cannot be used. `load` reads the file (the indexer's stoppable child; in-process by default)."""
        try:
            overrides = read_sidecar(path)
        except ValueError as e:
            return str(e)
        loaded = load(path) if load else load_file(path, self.settings)
        if loaded.text is None:
            return loaded.error or "filen kunne ikke læses"
        fixed = repair(loaded.text)
        if not fixed.text.strip():
            return "filen er tom"
        doc_id = hashlib.sha256(f"{INGEST_VERSION}\0{fixed.text}".encode("utf-8")).hexdigest()[:16]
        return describe_document(fixed.text, source, doc_id, ocr=loaded.ocr, overrides=overrides,
                                 loaded=loaded.text), fixed

    def chunk(self, doc: Document, fixed: Repaired) -> list[Chunk]:
        """Passages whose start/end point into the source text as loaded (before repair)."""
        chunks = self.chunker.chunk(doc)
        return [replace(c, start=a, end=b) for c in chunks for a, b in [to_source(fixed, c.start, c.end)]]

    def _embed(self, store: Store, chunks: list[Chunk], tick: Callable[[int, int], None]):
        """Vectors for the passages and their sentences, reusing cached ones."""
        texts = [embed_text(c) if self.settings.embed_context else c.text for c in chunks]
        cut = [_sentences_with_sections(c.text) for c in chunks]
        spans = [[(s, e, sec) for s, e, sec, _ in sp] for sp in cut]
        if self.settings.sentence_vectors == "late" and getattr(self.embedder, "late_chunking", False):
            # pooled over what the default path embeds: the sentence with the heading glued to it
            vectors, svecs = self._late(store, chunks, texts, [[(ctx, e) for _, e, _, ctx in sp] for sp in cut], tick)
            return vectors, spans, svecs
        sent_texts = [sentence_text(c, c.text[ctx:e]) for c, sp in zip(chunks, cut) for _, e, _, ctx in sp]
        all_vecs = self._cached_encode(store, texts + sent_texts, tick)
        vectors = all_vecs[: len(texts)]
        svecs, pos = [], len(texts)
        for sp in spans:
            svecs.append(all_vecs[pos: pos + len(sp)])
            pos += len(sp)
        return vectors, spans, svecs

    def _late(self, store: Store, chunks: list[Chunk], texts: list[str], spans, tick):
        """Passage and sentence vectors from one forward pass per passage (cached per passage text; `spans`:
        the (start, end) each sentence vector pools, in the passage); the few sentences truncation cut off
        are embedded on their own."""
        dim = self.embedder.dim
        keys = [self._key(t) for t in texts]
        # "late2": the sentences pool their glued heading too (INGEST_VERSION 3 cut it from the shown span)
        late_keys = [self._key("late2\0" + t) for t in texts]
        have = store.cached_vectors(keys + late_keys)
        todo = list(dict.fromkeys(i for i in range(len(texts)) if keys[i] not in have or late_keys[i] not in have))
        if todo:
            done = [0]

            def count(k: int) -> None:
                done[0] += k
                tick(done[0], len(todo))

            shifted = []
            for i in todo:
                off = len(texts[i]) - len(chunks[i].text)  # the passage ends the embedded text
                shifted.append([(a + off, b + off) for a, b in spans[i]])
            vecs, sents = self.embedder.encode_passages_late([texts[i] for i in todo], shifted, count)
            new = {}
            for i, v, sv in zip(todo, vecs, sents):
                new[keys[i]], new[late_keys[i]] = v, sv.reshape(-1)
            with store.transaction():
                store.cache_vectors(new)
            have.update(new)
        vectors = np.vstack([have[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
        svecs = [np.array(have[k], dtype=np.float32).reshape(-1, dim) for k in late_keys]
        cut = [(p, j) for p, sv in enumerate(svecs) for j in range(len(sv)) if not sv[j].any()]
        if cut:
            alone = self._cached_encode(store, [sentence_text(chunks[p], chunks[p].text[spans[p][j][0]: spans[p][j][1]])
                                                for p, j in cut], tick)
            for (p, j), v in zip(cut, alone):
                svecs[p][j] = v
        return vectors, svecs

    def _cached_encode(self, store: Store, texts: list[str], tick: Callable[[int, int], None]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        have = store.cached_vectors(keys)
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in have))
        if todo:
            done = [0]

            def count(k: int) -> None:
                done[0] += k
                tick(done[0], len(todo))

            fresh = self.embedder.encode_passages(todo, count)
            new = {self._key(t): v for t, v in zip(todo, fresh)}
            with store.transaction():
                store.cache_vectors(new)
            have.update(new)
        return np.vstack([have[k] for k in keys]) if keys else np.zeros((0, self.embedder.dim), np.float32)

    def _key(self, text: str) -> str:
        """Embedding-cache key: the same text under the same model is embedded once."""
        return hashlib.sha1((self.embedder.model_id + "\0" + text).encode("utf-8")).hexdigest()


def _sentences_with_sections(text: str) -> list[tuple[int, int, str | None, int]]:
    """(start, end, sub-section in force at the start, where its embedded text starts) of each sentence of
    a passage (Sections.cut: a heading glued to a sentence is cut from what is shown, not from its vector)."""
    sections = Sections.of(text)
    return [(a, b, sections.at(a), ctx) for a, b, ctx in sections.cut(text, sentences(text))]
