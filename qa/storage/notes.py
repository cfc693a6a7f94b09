"""What the app keeps between visits, beside the index: conversations and answer feedback.

A small SQLite file of its own (notes.sqlite in the index folder), so a rebuild of the index never
touches it and nothing in it leaves the machine. Conversations are stored as JSON of the app's
turns (Answers included), keyed by a random id the browser keeps in its address (?samtale=…), so a
reload shows the same conversation.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path

from qa.types import Answer, Chunk, Hit, Period, Query, Turn

NOTES_FILE = "notes.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, updated TEXT NOT NULL, turns TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, created TEXT NOT NULL, conversation TEXT, turn TEXT NOT NULL,
    vote INTEGER NOT NULL, question TEXT NOT NULL, searched TEXT, filters TEXT,
    sentence TEXT, citation TEXT, source TEXT, UNIQUE (conversation, turn));
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _build(cls, data: dict):
    """A dataclass from its asdict() form; lists back to tuples where the field default is a tuple,
    unknown keys (written by a newer version) ignored."""
    values = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        v = data[f.name]
        if isinstance(v, list) and cls in (Query, Chunk):
            v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
        values[f.name] = v
    return cls(**values)


def answer_to_dict(answer: Answer) -> dict:
    return asdict(answer)


def answer_from_dict(data: dict) -> Answer:
    hits = [_build(Hit, {**h, "chunk": _build(Chunk, h["chunk"])}) for h in data.get("hits", [])]
    q = dict(data.get("query", {}))
    for name, cls in (("period", Period), ("previous", Turn)):  # records inside the query come back as records
        if isinstance(q.get(name), dict):
            q[name] = _build(cls, q[name])
    return _build(Answer, {**data, "query": _build(Query, q), "hits": hits})


def _plain(value):
    """JSON for what json cannot write itself: numpy numbers (scores, signals) as Python numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")


def _turn_json(turn: dict) -> dict:
    return {k: (answer_to_dict(v) if isinstance(v, Answer) else v) for k, v in turn.items()
            if not k.startswith("_") and (v is None or isinstance(v, (str, int, float, bool, list, dict, Answer)))}


def _turn_back(data: dict) -> dict:
    out = dict(data)
    if isinstance(out.get("answer"), dict):
        out["answer"] = answer_from_dict(out["answer"])
    return out


class Notes:
    """Conversations and feedback in notes.sqlite; one connection per call, so any thread may use it."""

    def __init__(self, directory: Path):
        self.path = Path(directory) / NOTES_FILE
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=5)
        if not self._ready:
            with self._lock:
                con.executescript(_SCHEMA)
                self._ready = True
        return con

    # conversations ------------------------------------------------------------------------
    def save_conversation(self, conversation: str, turns: list[dict]) -> None:
        payload = json.dumps([_turn_json(t) for t in turns], ensure_ascii=False, default=_plain)
        with self._connect() as con:
            con.execute("INSERT INTO conversations (id, updated, turns) VALUES (?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET updated = excluded.updated, turns = excluded.turns",
                        (conversation, _now(), payload))

    def load_conversation(self, conversation: str) -> list[dict]:
        with self._connect() as con:
            row = con.execute("SELECT turns FROM conversations WHERE id = ?", (conversation,)).fetchone()
        return [_turn_back(t) for t in json.loads(row[0])] if row else []

    def delete_conversation(self, conversation: str) -> None:
        with self._connect() as con:
            con.execute("DELETE FROM conversations WHERE id = ?", (conversation,))

    # feedback -----------------------------------------------------------------------------
    def record_feedback(self, conversation: str, turn: str, vote: int | None, *, question: str,
                        searched: str = "", filters: dict | None = None, sentence: str = "", citation: str = "",
                        source: str = "") -> None:
        """Thumbs up (1) or down (0) on one answer, with what was shown; None takes the vote back."""
        with self._connect() as con:
            if vote is None:
                con.execute("DELETE FROM feedback WHERE conversation = ? AND turn = ?", (conversation, turn))
                return
            con.execute(
                "INSERT INTO feedback (created, conversation, turn, vote, question, searched, filters, sentence, "
                "citation, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(conversation, turn) DO UPDATE "
                "SET vote = excluded.vote, created = excluded.created",
                (_now(), conversation, turn, 1 if vote else -1, question, searched,
                 json.dumps(filters or {}, ensure_ascii=False), sentence, citation, source))

    def feedback(self) -> list[dict]:
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            rows = con.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [{**dict(r), "filters": json.loads(r["filters"] or "{}")} for r in rows]
