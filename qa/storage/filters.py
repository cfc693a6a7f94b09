"""What a question's filters allow, as a mask over passage ids, computed from columns held in memory.

At 1,000,000 passages, selecting the allowed ids in SQL and handing FAISS the list cost 165 + 60 ms
for a filter allowing half (docs/BENCHMARKS.md); the same filter over these columns is a few vectorised
comparisons, and the mask goes to FAISS as a bitmap and to the lexical engine as a membership test.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from qa.danish.dates import first_day, last_day
from qa.types import Query


@dataclass(frozen=True)
class Allowed:
    """The passages a filter allows: `mask[id]` is True for an allowed passage id."""

    mask: np.ndarray

    @cached_property
    def count(self) -> int:
        return int(self.mask.sum())

    def __len__(self) -> int:
        return self.count

    @cached_property
    def ids(self) -> np.ndarray:
        """The allowed ids, ascending."""
        return np.flatnonzero(self.mask).astype(np.int64)

    def keep(self, ids: np.ndarray) -> np.ndarray:
        """Which of these ids are allowed (unknown ids are not)."""
        ids = np.asarray(ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < len(self.mask))
        out = np.zeros(len(ids), dtype=bool)
        out[inside] = self.mask[ids[inside]]
        return out

    @cached_property
    def bitmap(self) -> np.ndarray:
        """The mask as FAISS's IDSelectorBitmap reads it (bit i of byte i // 8, least significant first)."""
        return np.packbits(self.mask, bitorder="little")

    @classmethod
    def of(cls, ids) -> "Allowed":
        """From a list of ids (tests, callers that already have ids)."""
        ids = np.asarray(ids, dtype=np.int64)
        ids = ids[ids >= 0]
        mask = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=bool)
        mask[ids] = True
        return cls(mask)


def filtered(query: Query) -> bool:
    """Whether the query restricts the passages at all."""
    return bool(query.date_from or query.date_to or query.committee or query.municipality or query.doc_type
                or query.side)


def date_bounds(date: str | None) -> tuple[int, int]:
    """(first day, last day) a stored date covers, as yyyymmdd: '2017' is the whole year, '2017-03' the
    month; an unknown date covers nothing (it is never inside a period)."""
    try:
        first, last = first_day(date), last_day(date)
    except (TypeError, ValueError):  # no date, or not one
        return 99_999_999, -1
    return int(first.strftime("%Y%m%d")), int(last.strftime("%Y%m%d"))


def _day(iso: str, last: bool) -> int:
    first, end = date_bounds(iso)
    return end if last else first


@dataclass
class FilterColumns:
    """One row per passage id: the fields a filter reads, as numbers (codes for the text fields)."""

    size: int  # highest id + 1
    first: np.ndarray  # int32 yyyymmdd, the first day the passage's meeting date covers
    last: np.ndarray  # int32, its last day
    codes: dict[str, np.ndarray]  # body, committee, municipality, doc_type -> int32 code per id (-1: none)
    vocab: dict[str, dict[str, int]]  # field -> lower-cased value -> code
    sides: np.ndarray  # int64 bit set per id
    side_bits: dict[str, int] = field(default_factory=dict)
    present: np.ndarray | None = None  # bool: an id the store has

    @classmethod
    def from_rows(cls, rows) -> "FilterColumns":
        """From (id, date, body, committee, municipality, doc_type, sides) rows."""
        rows = list(rows)
        size = max((r[0] for r in rows), default=-1) + 1
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        first = np.full(size, 99_999_999, dtype=np.int32)
        last = np.full(size, -1, dtype=np.int32)
        bounds = np.array([date_bounds(r[1]) for r in rows], dtype=np.int32).reshape(-1, 2)
        first[ids], last[ids] = bounds[:, 0], bounds[:, 1]
        codes, vocab = {}, {}
        for col, name in enumerate(("body", "committee", "municipality", "doc_type"), start=2):
            words: dict[str, int] = {}
            values = np.full(size, -1, dtype=np.int32)
            values[ids] = [words.setdefault(r[col].lower(), len(words)) if r[col] else -1 for r in rows]
            codes[name], vocab[name] = values, words
        bits: dict[str, int] = {}
        sides = np.zeros(size, dtype=np.int64)
        for i, r in zip(ids, rows):
            for side in filter(None, (r[6] or "").split(",")):
                if len(bits) < 63 or side in bits:
                    sides[i] |= 1 << bits.setdefault(side, len(bits))
        present = np.zeros(size, dtype=bool)
        present[ids] = True
        return cls(size, first, last, codes, vocab, sides, bits, present)

    def allowed(self, query: Query) -> Allowed | None:
        """The mask of the query's filters, or None when nothing is filtered."""
        if not filtered(query):
            return None
        masks = []
        if query.date_from:  # a meeting overlapping the period: '2017' is in any period of 2017
            masks.append(self.last >= _day(query.date_from, last=False))
        if query.date_to:
            masks.append(self.first <= _day(query.date_to, last=True))
        if query.committee:  # a kind of body (HovedMED) or one committee by name
            masks.append(self._is("body", query.committee) | self._is("committee", query.committee))
        if query.municipality:
            masks.append(self._is("municipality", query.municipality))
        if query.doc_type:
            masks.append(self._is("doc_type", query.doc_type))
        if query.side:
            bit = self.side_bits.get(query.side)
            masks.append(np.zeros(self.size, bool) if bit is None else (self.sides >> bit) & 1 == 1)
        mask = self.present.copy()
        for m in masks:
            mask &= m
        return Allowed(mask)

    def places(self) -> list[str]:
        """The municipalities and regions the passages name (lower-cased)."""
        return list(self.vocab["municipality"])

    def committees(self) -> list[str]:
        """The committees the passages belong to (lower-cased)."""
        return list(self.vocab["committee"])

    def _is(self, name: str, value: str) -> np.ndarray:
        code = self.vocab[name].get(value.lower())
        return np.zeros(self.size, bool) if code is None else self.codes[name] == code
