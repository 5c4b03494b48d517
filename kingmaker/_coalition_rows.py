"""Coalition rows held as columns: the winning coalitions of an analysis without a Python object each.

:mod:`kingmaker.coalitions` finds the coalitions with NumPy over all ``2**n`` subsets; the rows it
returns can number millions (22 parties), so they are kept as arrays and turned into plain data
only when read: chunk by chunk for streaming (JSON), one record at a time when indexed.
Imports nothing from the rest of kingmaker (the record class is passed in).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

#: The theory flags, in the order of the record's fields.
THEORIES = (
    "minimal_winning",
    "minimum_winning",
    "minimal_connected_winning",
    "minimal_range",
    "fewest_parties",
)
#: Rows turned into Python data at a time by :meth:`_Rows.iter_dicts` (bounded memory).
_CHUNK = 1 << 16


class _Rows(Sequence[T]):
    """The coalitions of a table as columns (one NumPy array per field), in order.

    Holds no Python object per coalition: :meth:`iter_dicts` streams plain rows chunk by chunk and
    indexing builds one record at a time (``make(**row)``: a :class:`~kingmaker.coalitions.Coalition`).
    Member lists come from two look-up tables of member tuples, one per half of the bit mask, so a
    row costs one tuple join.
    """

    def __init__(
        self,
        make: Callable[..., T],
        players: tuple[str, ...],
        weights: np.ndarray,
        quota: int,
        basis: int,
        *,
        masks: np.ndarray,
        seats: np.ndarray,
        n_members: np.ndarray,
        ranges: np.ndarray,
        connected: np.ndarray,
        flags: Sequence[np.ndarray],
    ):
        """``connected``: 1 yes, 0 no, -1 unknown; ``flags``: one boolean array per :data:`THEORIES`."""
        self.make = make
        self.players, self.weights = players, weights
        self.quota, self.basis = quota, basis
        self.masks = masks.astype(np.int64, copy=False)
        self.seats = seats.astype(np.int64, copy=False)
        self.n_members = n_members
        self.range = ranges
        self.connected = connected
        self.flags = list(flags)
        self.half = len(players) // 2

    @cached_property
    def low(self) -> list[tuple[str, ...]]:
        """Member tuples of every mask of the first half of the players (built when first read)."""
        return self._tables[0]

    @cached_property
    def high(self) -> list[tuple[str, ...]]:
        return self._tables[1]

    @cached_property
    def _tables(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        return _halves(self.players, self.half)

    @cached_property
    def low_json(self) -> list[str]:
        """The same as JSON list bodies (quoted names joined by ``, ``)."""
        return [", ".join(_members(self._quoted[: self.half], m)) for m in range(1 << self.half)]

    @cached_property
    def high_json(self) -> list[str]:
        n = len(self.players)
        return [", ".join(_members(self._quoted[self.half :], m)) for m in range(1 << (n - self.half))]

    @cached_property
    def _quoted(self) -> list[str]:
        return [json.dumps(p, ensure_ascii=False) for p in self.players]

    def __len__(self) -> int:
        return len(self.masks)

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        row = next(self.iter_dicts(i, i + 1, tuples=True))
        return self.make(**row)

    def __iter__(self):
        for row in self.iter_dicts(tuples=True):
            yield self.make(**row)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Rows | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"<{len(self)} coalitions>"

    def names(self, masks: np.ndarray) -> list[tuple[str, ...]]:
        """Member tuples of ``masks`` (one chunk), in party order."""
        lo_mask = (1 << self.half) - 1
        low, high = self.low, self.high
        return [low[m & lo_mask] + high[m >> self.half] for m in masks.tolist()]

    def json_names(self, masks: np.ndarray) -> list[str]:
        """JSON lists of the member names of ``masks``, as ``json.dumps`` writes them."""
        lo_mask = (1 << self.half) - 1
        low, high = self.low_json, self.high_json
        out = []
        for m in masks.tolist():
            a, b = low[m & lo_mask], high[m >> self.half]
            out.append(f"[{a}, {b}]" if a and b else f"[{a or b}]")
        return out

    def iter_json(self, *, without: int = 0) -> Iterator[str]:
        """Each row as ``json.dumps(row, ensure_ascii=False)`` of :meth:`iter_dicts` writes it, built
        from pre-quoted names without a dict per row (the fast path of JSON output)."""
        true = ("false", "true")
        for a in range(0, len(self), _CHUNK):
            b = min(len(self), a + _CHUNK)
            masks, seats = self.masks[a:b], self.seats[a:b]
            surplus = seats - self.quota
            pivotal = np.zeros_like(masks)
            for i, w in enumerate(self.weights.tolist()):
                pivotal |= ((masks >> i) & 1 & (w > surplus)) << i
            members, piv = self.json_names(masks), self.json_names(pivotal)
            partners = self.json_names(masks & ~without) if without else None
            flags = [f[a:b].tolist() for f in self.flags]
            rng = self.range[a:b].tolist()
            conn = self.connected[a:b].tolist()
            basis, quota = self.basis, self.quota
            for j, (s, n) in enumerate(zip(seats.tolist(), self.n_members[a:b].tolist(), strict=True)):
                r = rng[j]
                head = "{" if partners is None else '{"partners": ' + partners[j] + ", "
                yield (
                    f'{head}"parties": {members[j]}, "seats": {s}, "majority": {2 * s - basis}, '
                    f'"surplus": {s - quota}, "n_parties": {n}, '
                    f'"range": {"null" if r != r else repr(round(r, 6))}, '
                    f'"connected": {"null" if conn[j] < 0 else true[conn[j]]}, '
                    f'"minimal_winning": {true[flags[0][j]]}, "minimum_winning": {true[flags[1][j]]}, '
                    f'"minimal_connected_winning": {true[flags[2][j]]}, '
                    f'"minimal_range": {true[flags[3][j]]}, "fewest_parties": {true[flags[4][j]]}, '
                    f'"pivotal": {piv[j]}}}'
                )

    def position(self, mask: int) -> int | None:
        hit = np.flatnonzero(self.masks == mask)
        return int(hit[0]) if len(hit) else None

    def iter_dicts(
        self, start: int = 0, stop: int | None = None, *, tuples: bool = False, without: int = 0
    ) -> Iterator[dict[str, Any]]:
        """Rows ``start:stop`` as ``Coalition.to_dict()`` gives them (``tuples``: as the fields).

        ``without``: a bit mask of players left out of a ``partners`` entry put first (completions).
        """
        stop = len(self) if stop is None else stop
        seq = tuple if tuples else list
        for a in range(start, stop, _CHUNK):
            b = min(stop, a + _CHUNK)
            masks, seats = self.masks[a:b], self.seats[a:b]
            surplus = seats - self.quota
            pivotal = np.zeros_like(masks)
            for i, w in enumerate(self.weights.tolist()):  # member i is pivotal iff w_i > surplus
                pivotal |= ((masks >> i) & 1 & (w > surplus)) << i
            members, piv = self.names(masks), self.names(pivotal)
            partners = self.names(masks & ~without) if without else None
            flags = [f[a:b].tolist() for f in self.flags]
            rng = self.range[a:b].tolist()
            conn = self.connected[a:b].tolist()
            for j, (seats_j, n_j) in enumerate(
                zip(seats.tolist(), self.n_members[a:b].tolist(), strict=True)
            ):
                r = rng[j]
                row: dict[str, Any] = {} if partners is None else {"partners": seq(partners[j])}
                row.update(
                    parties=seq(members[j]),
                    seats=seats_j,
                    majority=2 * seats_j - self.basis,
                    surplus=seats_j - self.quota,
                    n_parties=n_j,
                    range=None if r != r else round(r, 6),
                    connected=None if conn[j] < 0 else conn[j] == 1,
                    minimal_winning=flags[0][j],
                    minimum_winning=flags[1][j],
                    minimal_connected_winning=flags[2][j],
                    minimal_range=flags[3][j],
                    fewest_parties=flags[4][j],
                    pivotal=seq(piv[j]),
                )
                yield row


def _members(players: Sequence[str], mask: int) -> tuple[str, ...]:
    return tuple(p for i, p in enumerate(players) if mask >> i & 1)


def _halves(players: tuple[str, ...], half: int) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    n = len(players)
    return (
        [_members(players[:half], m) for m in range(1 << half)],
        [_members(players[half:], m) for m in range(1 << (n - half))],
    )
