"""Grouping identical integer rows, fast at any width: the engine of ballot compression.

:func:`group_rows` is what :func:`kingmaker.ballots.compress_rankings` groups rankings with;
it takes an optional leading key (e.g. a precinct label) so that rows can group by
(key, ranking). It depends on numpy and :mod:`kingmaker.errors` only.
"""

from __future__ import annotations

import numpy as np

from kingmaker.errors import InputError

#: Rows packed per slice: the slice of the matrix and its key stay in the CPU cache.
_SLICE = 1 << 15


def group_rows(matrix: np.ndarray, lead: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Find the distinct rows of an integer ``matrix``: ``(first, inverse)``.

    ``first[g]`` is the index of the first row of group ``g`` and ``inverse[i]`` the group of
    row ``i``; groups come in lexicographic order of their rows (numeric, column by column),
    which is the order :func:`compress_rankings` has always returned. ``lead`` (one integer per
    row, e.g. a precinct label) is an optional leading key column: rows then group by
    (lead, row). See :func:`sort_rows` for how.
    """
    order, starts = sort_rows(matrix, lead)
    ids = np.cumsum(starts, dtype=np.intp)
    ids -= 1
    inverse = np.empty(len(order), dtype=np.intp)
    inverse[order] = ids
    return order[starts], inverse


def sort_rows(matrix: np.ndarray, lead: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sort the rows of an integer ``matrix``: ``(order, starts)``.

    ``order`` lists the row indices in lexicographic order of their rows (numeric, column by
    column, ``lead`` first if given), equal rows by index; ``starts[p]`` is True where position
    ``p`` of that order begins a group of equal rows. Enough to group without the inverse.

    Why not ``np.unique(axis=0)`` or ``argsort``: they compare records or carry indices, several
    times slower than numpy's vectorised sort of plain 64-bit integers. So this is a
    most-significant-first radix refinement built on that sort alone. Each pass packs into one
    uint64 key, most significant first: the row's group number so far, as many columns as fit
    (mixed radix, values shifted to start at 0), and the row's position in the pass (so the
    sorted keys carry their own permutation, and ties keep row order). Only rows that still
    share their group with another row, and whose remaining columns are not all the least
    value (trailing padding), go on to the next columns, so later passes work on a small set.
    Columns are packed slice by slice (whole rows taken at once, no gather per column); memory
    stays a few arrays of one word per row.
    """
    matrix = np.asarray(matrix)
    if matrix.dtype.kind != "i":
        matrix = matrix.astype(np.int64)
    matrix = np.ascontiguousarray(matrix)
    n = len(matrix)
    if lead is not None:
        lead = np.asarray(lead).reshape(-1)
        if len(lead) != n:
            raise InputError("one lead key per ranking row is needed")
        if lead.dtype.kind != "i":
            lead = lead.astype(np.int64)
    cols = _Columns(matrix, lead)
    if n < 2 or not cols.width:
        return np.arange(n, dtype=np.intp), np.arange(n) == 0
    # first pass: every row, in row order; its group is the same, nothing is finished yet
    key, order, j = _refine(cols, None, np.zeros(n, dtype=np.uint64), None, 0)
    starts = _starts(key)
    act = np.flatnonzero(_shared(starts))  # positions of rows still sharing their group
    del key
    while j < cols.width and len(act):
        rows = order[act]
        group = np.cumsum(starts[act], dtype=np.uint64)
        group -= np.uint64(1)  # group number among the active rows
        live = cols.live(rows, j) if j >= cols.shift else None
        key, pos, j = _refine(cols, rows, group, live, j)
        order[act] = rows[pos]
        new = _starts(key)
        del key, rows, group
        starts[act] = new
        keep = _shared(new)
        if live is not None:
            keep &= live[pos]
        act = act[keep]
    return order, starts


def _refine(
    cols: _Columns, rows: np.ndarray | None, group: np.ndarray, live: np.ndarray | None, j: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """One pass: sort ``rows`` (all, in order, when None) by (group, live, next columns from
    ``j``): ``(sorted keys without the position, permutation of rows, next column)``. ``group``
    (uint64) is consumed. A row that is not live has only the least value left: it sorts first
    in its group, and its columns pack to zero, so they are not even read."""
    count = len(group)
    idx_bits = (count - 1).bit_length()
    room = 1 << (64 - idx_bits)  # keys (group, live, columns) below this leave room for the index
    prefix = (int(group[-1]) + 1) * (1 if live is None else 2)  # values of (group, live)
    span, k = prefix, 0
    while j + k < cols.width and span * cols.bases[j + k] <= room:
        span *= cols.bases[j + k]
        k += 1
    if not k:  # one column's values too spread to pack beside the index: rank them, argsort
        rank = np.unique(cols.column(rows, j), return_inverse=True)[1].reshape(-1)
        key = group.view(np.int64)
        if live is not None:
            key = key * 2 + live
        key = key * (int(rank.max()) + 1) + rank
        pos = np.argsort(key, kind="stable")
        return key[pos], pos, j + 1
    key = group
    if live is not None:
        key <<= np.uint64(1)
        key += live
    if rows is None and prefix == 1:
        key = cols.pack(None, j, k)
    elif live is None or live.all():
        key *= np.uint64(span // prefix)
        key += cols.pack(rows, j, k)
    else:
        key *= np.uint64(span // prefix)
        which = np.flatnonzero(live)
        key[which] += cols.pack(rows[which], j, k)
    key <<= np.uint64(idx_bits)
    key |= np.arange(count, dtype=np.uint64)
    key.sort()
    pos = (key & np.uint64((1 << idx_bits) - 1)).view(np.int64)
    key >>= np.uint64(idx_bits)
    return key, pos, j + k


def take_rows(matrix: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Rows ``index`` of a 2-D ``matrix``, as a new C-contiguous array.

    Through a view of each row as one opaque item, so numpy copies a row at a time; twice as
    fast as ``matrix.take(index, axis=0)`` on scattered rows, several times ``matrix[index]``.
    """
    matrix = np.ascontiguousarray(matrix)
    n, m = matrix.shape
    if not m or not n:
        return matrix[index]
    items = matrix.view(np.dtype((np.void, m * matrix.itemsize))).reshape(n)
    return items.take(index).view(matrix.dtype).reshape(len(index), m)


def _starts(key: np.ndarray) -> np.ndarray:
    """Where each run of equal values of sorted ``key`` begins."""
    new = np.empty(len(key), dtype=bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    return new


class _Columns:
    """The key columns: ``lead`` (if any) then the matrix's, each with its offset and base."""

    def __init__(self, matrix: np.ndarray, lead: np.ndarray | None) -> None:
        self.matrix, self.lead = matrix, lead
        n, m = matrix.shape
        self.shift = 0 if lead is None else 1
        self.width = m + self.shift if n else 0
        self.lo, self.base, self.magnitude = 0, 1, 0  # the matrix's: least value, range, max |value|
        if n and m:
            lo, hi = int(matrix.min()), int(matrix.max())
            self.lo, self.base, self.magnitude = lo, hi - lo + 1, max(-lo, hi)
        self.bases = [self.base] * m
        if lead is not None and n:
            self.lead_lo = int(lead.min())
            self.bases.insert(0, int(lead.max()) - self.lead_lo + 1)

    def _rows(self, rows: np.ndarray | None, a: int, b: int) -> np.ndarray:
        """Whole matrix rows ``a .. b-1`` of ``rows`` (of all rows, in order, when None)."""
        if rows is None:
            return self.matrix[a:b]
        return take_rows(self.matrix, rows[a:b])  # a row at a time: far faster than [rows, j:k]

    def column(self, rows: np.ndarray | None, c: int) -> np.ndarray:
        """Column ``c`` (lead first) of the given rows (all, in order, when None), as int64."""
        if c < self.shift:
            col = self.lead if rows is None else self.lead[rows]
        else:
            col = self.matrix[:, c - self.shift] if rows is None else self.matrix[rows, c - self.shift]
        return col.astype(np.int64)

    def live(self, rows: np.ndarray, j: int) -> np.ndarray:
        """Whether each row's columns from ``j`` on (lead first; ``j`` past the lead) hold
        anything but the matrix's least value. A row for which they don't is finished: it
        equals every other such row of its group, and sorts before the rest of the group."""
        out = np.empty(len(rows), dtype=bool)
        for a in range(0, len(rows), _SLICE):
            block = self._rows(rows, a, a + _SLICE)[:, j - self.shift :]
            np.any(block != self.lo, axis=1, out=out[a : a + _SLICE])
        return out

    def pack(self, rows: np.ndarray | None, j: int, k: int) -> np.ndarray:
        """Columns ``j .. j+k-1`` (lead first) of the rows (all, in order, when None), shifted to
        start at 0 and packed in mixed radix into one uint64 each. The caller has checked that
        the product of their bases fits, so arithmetic modulo 2**64 (uint64 wrapping) is exact."""
        count = self.matrix.shape[0] if rows is None else len(rows)
        mj = max(j - self.shift, 0)
        mk = j + k - self.shift - mj  # matrix columns in this pack
        powers = [self.base ** (mk - 1 - t) for t in range(mk)]
        lead = None
        if j < self.shift:
            lead = self.lead if rows is None else self.lead[rows]
            lead = (lead.astype(np.int64) - np.int64(self.lead_lo)).view(np.uint64)
            lead *= np.uint64(self.base**mk)
            if not mk:
                return lead
        if self.magnitude * sum(powers) < 2**63:  # a plain int64 dot product cannot overflow
            part = np.empty(count, dtype=np.int64)
            weights = np.array(powers, dtype=np.int64)
            for a in range(0, count, _SLICE):
                block = self._rows(rows, a, a + _SLICE)[:, mj : mj + mk]
                np.einsum("ij,j->i", block.astype(np.int64), weights, out=part[a : a + _SLICE])
            key = part.view(np.uint64)
            key -= np.uint64(self.lo * sum(powers) % 2**64)
            if lead is not None:
                key += lead
            return key
        key = np.zeros(count, dtype=np.uint64) if lead is None else lead
        for a in range(0, count, _SLICE):  # huge values: shift each column first, wrapping
            block = self._rows(rows, a, a + _SLICE)[:, mj : mj + mk].astype(np.int64)
            block -= np.int64(self.lo)
            acc = key[a : a + _SLICE]
            for t in range(mk):
                acc += block[:, t].view(np.uint64) * np.uint64(powers[t])
        return key


def _shared(starts: np.ndarray) -> np.ndarray:
    """Whether each position lies in a run of 2 or more, where runs begin at ``starts``."""
    same = ~starts
    shared = same.copy()
    shared[:-1] |= same[1:]
    return shared
