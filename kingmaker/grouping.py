"""Grouping identical integer rows, fast at any width: the engine of ballot compression.

:func:`group_rows` is what :func:`kingmaker.ballots.compress_rankings` groups rankings with;
it takes an optional leading key (e.g. a precinct label) so that rows can group by
(key, ranking). It depends on numpy and :mod:`kingmaker.errors` only.
"""

from __future__ import annotations

import numpy as np

from kingmaker.errors import InputError


def group_rows(matrix: np.ndarray, lead: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Find the distinct rows of an integer ``matrix``: ``(first, inverse)``.

    ``first[g]`` is the index of one row of group ``g`` and ``inverse[i]`` the group of row
    ``i``; groups come in lexicographic order of their rows (numeric, column by column), which
    is the order :func:`compress_rankings` has always returned. ``lead`` (one integer per row,
    e.g. a precinct label) is an optional leading key column: rows then group by (lead, row).

    Why not ``np.unique(axis=0)``: it sorts structured records, 10x slower than sorting
    integers. This is a most-significant-first radix refinement instead: as many columns as
    fit are packed into one int64 key (mixed radix) led by the row's group number so far, and
    rows are sorted by it; only rows that still share their group with another row go on to
    the next columns. The cost grows with the number of keys (about rank bits / 62) on a
    shrinking set of rows: no cliff at 16 columns.
    """
    matrix = np.asarray(matrix)
    if matrix.dtype.kind != "i":
        matrix = matrix.astype(np.int64)
    n, m = matrix.shape
    brk = np.zeros(n, dtype=bool)  # in sorted order: True where a new group starts
    if lead is not None:
        lead = np.asarray(lead).reshape(-1)
        if len(lead) != n:
            raise InputError("one lead key per ranking row is needed")
        perm = np.argsort(lead, kind="stable")
        ordered = lead[perm]
        brk[1:] = ordered[1:] != ordered[:-1]
    else:
        perm = np.arange(n, dtype=np.intp)
    if n:
        brk[0] = True
    act = _shared(np.arange(n, dtype=np.intp), brk[:n])
    if n and m:
        lo = int(matrix.min())
        base = int(matrix.max()) - lo + 1
        j = 0
        while j < m and len(act):
            local = np.cumsum(brk[act], dtype=np.int64) - 1  # group number among active ones
            cap = 2**62 // (int(local[-1]) + 1)
            rows = perm[act]
            if base >= cap:  # values too spread to pack even one column: sort structured rows
                rest = np.unique(matrix[rows, j:], axis=0, return_inverse=True)[1].reshape(-1)
                key = local * len(rows) + rest
                j = m
            else:
                key = local
                span = 1
                while j < m and span * base < cap:
                    key *= base
                    key += matrix[rows, j]
                    key -= lo
                    span *= base
                    j += 1
            order = np.argsort(key)
            key = key[order]
            perm[act] = rows[order]
            starts = np.empty(len(act), dtype=bool)
            starts[0] = True
            np.not_equal(key[1:], key[:-1], out=starts[1:])
            del key, order, rows
            brk[act] = starts
            act = act[_shared(np.arange(len(act)), starts)]
    ids = np.cumsum(brk, dtype=np.intp) - 1
    inverse = np.empty(n, dtype=np.intp)
    inverse[perm] = ids
    return perm[brk], inverse


def _shared(positions: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The entries of ``positions`` that lie in a run of 2 or more (runs begin where ``starts``)."""
    if len(positions) == 0:
        return positions
    begin = np.flatnonzero(starts)
    sizes = np.diff(np.append(begin, len(starts)))
    return positions[np.repeat(sizes > 1, sizes)]
