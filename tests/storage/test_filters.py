"""The in-memory filter columns agree with the SQL filter they replaced (the reference below)."""
from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest

from qa.storage.filters import Allowed, FilterColumns, date_bounds
from qa.types import Query

BODIES = ["HovedMED", "MEDII", "LokalMED", None]
COMMITTEES = ["Hoved-MED Teknik", "MED Ældre og Handicap", None]
SIDES = ["ledelsen", "medarbejdersiden", "amr", "tr"]


def _reference(db: sqlite3.Connection, q: Query) -> set[int]:
    """The SQL WHERE clause of the previous release, kept here as the reference."""
    where, args = [], []
    if q.date_from:
        where.append("(date >= ? OR (length(date) = 4 AND date = substr(?, 1, 4)))")
        args += [q.date_from, q.date_from]
    if q.date_to:
        where.append("date <= ?")
        args.append(q.date_to)
    if q.committee:
        where.append("(lower(body) = lower(?) OR lower(committee) = lower(?))")
        args += [q.committee, q.committee]
    if q.municipality:
        where.append("lower(municipality) = lower(?)")
        args.append(q.municipality)
    if q.doc_type:
        where.append("lower(doc_type) = lower(?)")
        args.append(q.doc_type)
    if q.side:
        where.append("(',' || sides || ',') LIKE ?")
        args.append(f"%,{q.side},%")
    return {r[0] for r in db.execute(f"SELECT id FROM chunks WHERE {' AND '.join(where)}", args)}


def _rows(n: int, rng: random.Random) -> list[tuple]:
    rows, id_ = [], 0
    for _ in range(n):
        id_ += rng.choice([1, 1, 1, 5])  # removed documents leave gaps in the ids
        y = rng.randint(2015, 2025)
        date = rng.choice([f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", str(y), None])
        sides = ",".join(rng.sample(SIDES, rng.randint(0, 2)))
        rows.append((id_, date, rng.choice(BODIES), rng.choice(COMMITTEES), rng.choice(["Søby Kommune", None]),
                     rng.choice(["referat", "notat", None]), sides))
    return rows


def test_the_columns_allow_exactly_what_the_sql_filter_allowed():
    rng = random.Random(3)
    rows = _rows(600, rng)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE chunks (id INTEGER PRIMARY KEY, date, body, committee, municipality, doc_type, sides)")
    db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    cols = FilterColumns.from_rows(rows)
    for _ in range(300):
        y = rng.randint(2015, 2025)
        q = Query("x", date_from=rng.choice([None, f"{y}-{rng.randint(1, 12):02d}-01"]),
                  date_to=rng.choice([None, f"{y + rng.randint(0, 2)}-12-31"]),
                  committee=rng.choice([None, "hovedmed", "HOVED-MED TEKNIK", "ukendt"]),
                  municipality=rng.choice([None, "søby kommune"]), doc_type=rng.choice([None, "Notat"]),
                  side=rng.choice([None] + SIDES))
        got = cols.allowed(q)
        if got is None:
            assert not (q.date_from or q.date_to or q.committee or q.municipality or q.doc_type or q.side)
            continue
        assert set(got.ids.tolist()) == _reference(db, q), q


def test_dates_cover_their_whole_period_and_unknown_dates_none():
    assert date_bounds("2017-03-05") == (20170305, 20170305)
    assert date_bounds("2017") == (20170101, 20171231)
    assert date_bounds("2017-03") == (20170301, 20170331)
    first, last = date_bounds(None)
    assert first > last


def test_allowed_keeps_only_known_allowed_ids():
    a = Allowed.of([2, 5, 9])
    assert len(a) == 3 and a.ids.tolist() == [2, 5, 9]
    assert a.keep(np.array([5, 6, 9, 100, -1])).tolist() == [True, False, True, False, False]
    assert np.unpackbits(a.bitmap, bitorder="little")[:10].tolist() == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]


@pytest.mark.parametrize("side", ["amr", "ukendt"])
def test_a_side_no_passage_has_allows_nothing(side):
    cols = FilterColumns.from_rows([(1, "2020-01-01", None, None, None, None, "ledelsen")])
    assert len(cols.allowed(Query("x", side=side))) == 0
