"""Multi-criteria weighted games: a coalition wins when it reaches every quota at once.

The Council of the EU is the standard example (55% of the member states and 65% of the
population). A head-count criterion (every weight 1) is read off the coalition-size dimension,
so it costs nothing extra; the other criteria span a table of coalitions by size and weight vector.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import InputError, KingmakerWarning, TooLargeError
from kingmaker.power._game import (
    Progress,
    Value,
    _as_int,
    _check_quota,
    _no_progress,
    _players_and_weights,
    _to_value,
)

#: Largest multi-criteria table (coalition sizes x the product of the criteria ranges): 10 million.
MAX_MULTI_CRITERIA_CELLS = 10_000_000


def _multi_game(
    weight_matrix: Sequence[Sequence[int]] | Mapping[str, Sequence[int]],
    quotas: Sequence[int],
    players: Sequence[str] | None,
) -> tuple[tuple[str, ...], list[tuple[int, ...]], tuple[int, ...]]:
    """Validate a multi-criteria game: names, one weight vector per player, one quota per criterion."""
    if isinstance(weight_matrix, Mapping):
        if players is not None:
            raise InputError("give player names either as the keys of weight_matrix or as players=")
        names = tuple(weight_matrix.keys())
        rows = list(weight_matrix.values())
    else:
        rows = list(weight_matrix)
        names = tuple(players) if players is not None else tuple(f"P{i + 1}" for i in range(len(rows)))
    if not rows:
        raise InputError("the game is empty: give at least one player")
    if isinstance(quotas, str | bytes) or not isinstance(quotas, Sequence | np.ndarray):
        raise InputError("quotas must be a sequence of whole numbers, one per criterion")
    d = len(quotas)
    if d == 0:
        raise InputError("give at least one criterion (one quota)")
    _players_and_weights(list(range(len(rows))), names)  # names: count, duplicates, emptiness
    vectors: list[tuple[int, ...]] = []
    for name, row in zip(names, rows, strict=True):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence | np.ndarray) or len(row) != d:
            raise InputError(f"the weights of {name} must be {d} whole numbers, one per criterion")
        vec = tuple(_as_int(x, f"weight {c + 1} of {name}") for c, x in enumerate(row))
        if any(x < 0 for x in vec):
            raise InputError(f"the weights of {name} include a negative number: {vec}")
        vectors.append(vec)
    totals = [sum(vec[c] for vec in vectors) for c in range(d)]
    qs = tuple(_check_quota(quotas[c], totals[c], f"quota of criterion {c + 1}") for c in range(d))
    if all(2 * qs[c] <= totals[c] for c in range(d)):
        warnings.warn(
            f"every quota {qs} is at most half of its criterion's total {tuple(totals)}: two "
            "disjoint coalitions can both win (an improper game); the indices are still computed",
            KingmakerWarning,
            stacklevel=3,
        )
    return names, vectors, qs


def _multi_criteria_swings(
    vectors: Sequence[tuple[int, ...]], quotas: Sequence[int], progress: Progress | None = None
) -> list[list[int]]:
    """Per player, the number of coalitions of the others it swings, by their size (exact ints).

    Works on complements: ``S`` (others) is swung by ``i`` iff ``S + i`` wins and ``S`` loses, so
    ``swings = #{S: w(S) >= q - v} - #{S: w(S) >= q}``; with ``T = others \\ S`` these are lower
    orthant counts ``#{T: w(T) <= W - q}`` and ``#{T: w(T) <= W - v - q}``. So the table of
    coalitions by (size, weight vector) is only needed on the box ``[0, W_c - q_c]`` per criterion,
    a criterion where every weight is 1 (a head count) is read off the size dimension, and the
    per-player table comes by deconvolution along the size, ``D[k] = F[k] - shift_v(D[k-1])``, in
    exact integers (int64 up to 62 players, Python integers beyond). Cost: ``n * cells`` additions
    for ``cells = (rows) * prod(W_c - q_c + 1)``, refused past :data:`MAX_MULTI_CRITERIA_CELLS`.
    """
    n = len(vectors)
    d = len(quotas)
    totals = [sum(vec[c] for vec in vectors) for c in range(d)]
    counts = [c for c in range(d) if all(vec[c] == 1 for vec in vectors)]
    dims = [c for c in range(d) if c not in counts]
    if not dims:  # only head counts: a dummy criterion (all weights 0, quota 0) keeps arrays 2-D
        vectors = [(*vec, 0) for vec in vectors]
        quotas, totals, dims = (*quotas, 0), [*totals, 0], [d]
    head = max((quotas[c] for c in counts), default=0)  # coalitions need at least this many members
    rows = n - head + 1 if counts else n  # |T| <= n - head
    box = tuple(totals[c] - quotas[c] + 1 for c in dims)
    cells = rows * math.prod(box)
    if cells > MAX_MULTI_CRITERIA_CELLS:
        raise TooLargeError(
            f"the multi-criteria table would have {cells:,} cells ({rows} sizes x "
            f"{' x '.join(map(str, box)) or '1'} weights); the limit is {MAX_MULTI_CRITERIA_CELLS:,}. "
            "Express large weights in coarser units (e.g. population in thousands)"
        )
    dtype: Any = np.int64 if n <= 62 else object
    tick = progress or _no_progress
    table = np.zeros((rows, *box), dtype=dtype)
    table[(0,) * (1 + len(dims))] = 1
    distinct = sorted(set(vectors))
    steps = n + len(distinct)

    def shifted(v: tuple[int, ...]) -> tuple[tuple[slice, ...], tuple[slice, ...]] | None:
        """Slices (target, source) of the box for a shift by ``v``; None if it leaves the box."""
        tgt, src = [], []
        for c, size in zip(dims, box, strict=True):
            if v[c] >= size:
                return None
            tgt.append(slice(v[c], size))
            src.append(slice(0, size - v[c]))
        return tuple(tgt), tuple(src)

    for m, vec in enumerate(vectors, start=1):
        sl = shifted(vec)
        if sl is not None and rows > 1:
            tgt, src = sl
            table[(slice(1, rows), *tgt)] += table[(slice(0, rows - 1), *src)]
        tick(m, steps)
    result: dict[tuple[int, ...], list[int]] = {}
    for j, vec in enumerate(distinct):
        sl = shifted(vec)
        inner = tuple(slice(0, size - vec[c]) for c, size in zip(dims, box, strict=True))
        empty_inner = any(size - vec[c] <= 0 for c, size in zip(dims, box, strict=True))
        by_size = [0] * n  # by |S| = n - 1 - |T|
        prev = None
        for k in range(rows):
            row = table[k].copy()
            if prev is not None and sl is not None:
                tgt, src = sl
                row[tgt] -= prev[src]
            wins_with = int(np.sum(row)) if (not counts or k <= n - head) else 0
            wins_without = (
                int(np.sum(row[inner])) if (not empty_inner and (not counts or k <= n - 1 - head)) else 0
            )
            if k <= n - 1:
                by_size[n - 1 - k] += wins_with - wins_without
            prev = row
        result[vec] = by_size
        tick(n + j + 1, steps)
    return [result[vec] for vec in vectors]


def multi_criteria_shapley_shubik(
    weight_matrix: Sequence[Sequence[int]] | Mapping[str, Sequence[int]],
    quotas: Sequence[int],
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Shapley-Shubik index of a game where a coalition must reach every quota at once.

    ``weight_matrix``: one row of weights per player (one column per criterion), or a mapping
    name -> row; ``quotas``: one per criterion. A criterion whose weights are all 1 (a head count,
    e.g. "55% of the member states") costs nothing extra: it is the coalition-size dimension.
    Complexity ``O(n * rows * prod(W_c - q_c + 1))`` over the other criteria; refused with
    TooLargeError past :data:`MAX_MULTI_CRITERIA_CELLS` table cells (use coarser units).
    """
    names, vectors, qs = _multi_game(weight_matrix, quotas, players)
    n = len(vectors)
    by_size = _multi_criteria_swings(vectors, qs, progress)
    fact = [math.factorial(k) for k in range(n + 1)]
    vals = [
        Fraction(sum(c * fact[s] * fact[n - 1 - s] for s, c in enumerate(row)), fact[n]) for row in by_size
    ]
    return {name: _to_value(v, exact) for name, v in zip(names, vals, strict=True)}


def multi_criteria_banzhaf(
    weight_matrix: Sequence[Sequence[int]] | Mapping[str, Sequence[int]],
    quotas: Sequence[int],
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    normalized: bool = True,
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Banzhaf index (``normalized=False``: absolute, swing probability) of a multi-criteria game.
    Arguments and limits as :func:`multi_criteria_shapley_shubik`."""
    names, vectors, qs = _multi_game(weight_matrix, quotas, players)
    n = len(vectors)
    swings = [sum(row) for row in _multi_criteria_swings(vectors, qs, progress)]
    total = sum(swings)
    if normalized:
        vals = [Fraction(s, total) if total else Fraction(0) for s in swings]
    else:
        vals = [Fraction(s, 2 ** (n - 1)) for s in swings]
    return {name: _to_value(v, exact) for name, v in zip(names, vals, strict=True)}
