"""Shapley-Shubik and Banzhaf by dynamic programming over weights (generating functions).

The kernels count coalitions by size and weight (Shapley-Shubik) or by weight (Banzhaf), then
remove each distinct weight once by deconvolution. Float mode runs only where the recursions are
numerically stable; exact mode runs the same recursions on Python integers. Pure functions of a
weight list and a quota: validation happens in :mod:`kingmaker.power._game`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import TooLargeError
from kingmaker.power._game import Progress, Value, _no_progress

#: Largest Shapley-Shubik table (coalition sizes x weights) in float mode: 30 million cells = 240 MB.
MAX_DP_CELLS = 30_000_000
#: Largest Shapley-Shubik table in exact mode (Python integers are slow and big): 5 million cells.
MAX_EXACT_DP_CELLS = 5_000_000
#: Most Banzhaf work in float mode, ``(players + distinct weights) x weights`` cells: about 10 s
#: (one pass over the weight distribution per player to build it, one per distinct weight to
#: remove it; measured at 15-60 ns a cell on 2 shared cores).
MAX_BANZHAF_CELLS = 500_000_000
#: Most Banzhaf work in exact mode (Python integers: about 50 times slower a cell).
MAX_EXACT_BANZHAF_CELLS = 10_000_000
#: Widest Banzhaf weight distribution (float64: 80 MB, about 400 MB at peak with the removals).
MAX_BANZHAF_WIDTH = 10_000_000
#: Up to this many players the float Shapley-Shubik table holds plain counts (C(1000, 500) < 1e300);
#: beyond, each row is divided by C(n, k).
_UNSCALED_MAX_PLAYERS = 1000


def _shapley_shubik_dp(
    w: Sequence[int], quota: int, exact: bool, progress: Progress | None = None
) -> list[Value]:
    """Shapley-Shubik value of each player of ``[quota; w]`` by a 2-D generating function.

    ``F[k][x]`` counts the coalitions of size ``k`` and weight ``x``. For a player of weight ``v``
    the others' table ``C`` follows by deconvolution, ``C[k] = F[k] - shift_v(C[k-1])``, and
    ``SS = sum_k sum_{x in [q-v, q-1]} C[k][x] k! (n-1-k)! / n!``.

    Only rows ``k <= (n-1)/2`` are built: there the deconvolution never amplifies an error (row
    ``k-1`` is smaller than row ``k``), whereas past n/2 the errors of the huge middle rows would be
    divided by tiny binomials. Rows past the middle come from the complement symmetry
    ``C[k][x] = C[n-1-k][W-v-x]``. Columns stop at ``max(q-1, W-q)``, and each removal only
    computes the columns that feed the windows. Float mode counts in float64 up to
    :data:`_UNSCALED_MAX_PLAYERS` players and beyond stores ``F[k] / C(n, k)`` so nothing
    overflows; exact mode uses Python integers.
    """
    n = len(w)
    total = sum(w)
    zero: Value = Fraction(0) if exact else 0.0
    if n == 0 or quota > total:
        return [zero] * n
    tick = progress or _no_progress
    half = (n - 1) // 2  # rows 0..half are built; complement rows reach n-2-half <= half
    width = max(quota - 1, total - quota) + 1
    cells = (half + 1) * width
    limit = MAX_EXACT_DP_CELLS if exact else MAX_DP_CELLS
    if cells > limit:
        raise TooLargeError(
            f"the Shapley-Shubik table would have {cells:,} cells ({half + 1} coalition sizes x "
            f"{width} weights); the limit is {limit:,}"
            + (" with exact=True (floats go further)" if exact else "")
        )
    distinct = sorted(set(w))
    steps = n + len(distinct)
    scaled = not exact and n > _UNSCALED_MAX_PLAYERS
    dtype: Any = object if exact else np.float64
    table = np.zeros((half + 1, width), dtype=dtype)
    spare = np.zeros((half + 1, width), dtype=dtype)  # ping-pong: no temporaries
    table[0, 0] = 1
    ratio = np.array([k / (n - k + 1) for k in range(half + 1)])  # C(n,k-1) / C(n,k)
    reach = 0
    for m, v in enumerate(sorted(w), start=1):
        rows = min(m, half)  # rows 1..rows may change, from source rows 0..rows-1
        new_reach = min(reach + v, width - 1)
        cols = new_reach + 1
        if rows >= 1 and v < cols:
            target = spare[1 : rows + 1, v:cols]
            if scaled:
                np.multiply(table[0:rows, 0 : cols - v], ratio[1 : rows + 1, None], out=target)
                target += table[1 : rows + 1, v:cols]
            else:
                np.add(table[1 : rows + 1, v:cols], table[0:rows, 0 : cols - v], out=target)
            spare[1 : rows + 1, :v] = table[1 : rows + 1, :v]
            spare[0, :cols] = table[0, :cols]
            table, spare = spare, table
        reach = new_reach
        tick(m, steps)
    del spare
    if exact:
        fact = [math.factorial(k) for k in range(n + 1)]
        weight = [Fraction(fact[k] * fact[n - 1 - k], fact[n]) for k in range(half + 1)]
    elif scaled:
        weight = [1.0 / (n - k) for k in range(half + 1)]  # C(n,k) / (n C(n-1,k))
    else:
        weight = [1.0 / n / float(math.comb(n - 1, k)) for k in range(half + 1)]
    by_weight: dict[int, Value] = {}
    top_complement = n - 2 - half
    for j, v in enumerate(distinct):
        lo_d, hi_d = max(0, quota - v), quota - 1
        lo_c, hi_c = max(0, total - quota - v + 1), total - quota
        low = min(lo_d, lo_c)
        acc: Any = Fraction(0) if exact else 0.0
        prev: np.ndarray | None = None
        prev_start = 0
        for k in range(half + 1):
            start = max(0, low - (half - k) * v)  # columns below never reach a window
            row = table[k, start:].copy()
            if prev is not None and v < width:
                first = max(start, v)
                src = prev[first - v - prev_start : width - v - prev_start]
                if scaled:
                    row[first - start :] -= ratio[k] * src
                else:
                    row[first - start :] -= src
            part = row[lo_d - start : hi_d + 1 - start].sum() if lo_d <= hi_d else 0
            if k <= top_complement and lo_c <= hi_c:
                part = part + row[lo_c - start : hi_c + 1 - start].sum()
            acc += (int(part) if exact else float(part)) * weight[k]
            prev, prev_start = row, start
        by_weight[v] = acc if exact else float(acc)
        tick(n + j + 1, steps)
    return [by_weight[v] for v in w]


def _divide_by_one_plus_shift(p: np.ndarray, v: int) -> np.ndarray:
    """``c`` with ``c + shift_v(c) = p`` (the coefficients of ``p / (1 + x**v)``), vectorised.

    The recurrence ``c[x] = p[x] - c[x-v]`` unrolls to ``c[x] = sum_j (-1)**j p[x - j v]``: an
    alternating cumulative sum down each residue class mod ``v``, one NumPy cumsum in all.
    """
    length = len(p)
    if v <= 0:
        raise ValueError("the shift must be positive")
    blocks = -(-length // v)
    padded = np.zeros(blocks * v, dtype=p.dtype)
    padded[:length] = p
    grid = padded.reshape(blocks, v)
    if p.dtype == object:
        sign = np.array([1 if j % 2 == 0 else -1 for j in range(blocks)], dtype=object)[:, None]
    else:
        sign = np.where(np.arange(blocks) % 2 == 0, 1.0, -1.0)[:, None]
    return (sign * np.cumsum(sign * grid, axis=0)).ravel()[:length]


def _banzhaf_dp(w: Sequence[int], quota: int, exact: bool, progress: Progress | None = None) -> list[Value]:
    """Swing probability (float) or swing count (exact int, as Fraction-ready int) of each player.

    ``P[x]`` is the probability that a random coalition (each player in with probability 1/2) weighs
    ``x``; a player of weight ``v`` swings the others' coalitions of weight ``[q-v, q-1]``. The
    others' distribution is ``2 P / (1 + x**v)``. Only the lower half of the weights is kept: when
    ``q-1 > W-q`` the complement window ``[W-q-v+1, W-q]`` is used instead (same count, by
    ``S <-> others \\ S``), so the deconvolution always runs below the peak, where it is accurate.
    Exact mode counts coalitions with Python integers and returns swing *counts*.
    """
    n = len(w)
    total = sum(w)
    if n == 0 or quota > total:
        return [0 if exact else 0.0] * n
    tick = progress or _no_progress
    complement = quota - 1 > total - quota
    top = total - quota if complement else quota - 1
    width = top + 1
    distinct = sorted(set(w))
    steps = n + len(distinct)
    cells = steps * width
    limit = MAX_EXACT_BANZHAF_CELLS if exact else MAX_BANZHAF_CELLS
    if cells > limit or width > MAX_BANZHAF_WIDTH:
        raise TooLargeError(
            f"the Banzhaf computation would pass over {width:,} weights {steps} times ({n} players, "
            f"{len(distinct)} distinct weights: {cells:,} cells); the limits are {limit:,} cells"
            + (" in exact mode" if exact else "")
            + f" and {MAX_BANZHAF_WIDTH:,} weights. Coarser weight units (e.g. thousands) shrink it."
        )
    dist = np.zeros(width, dtype=object if exact else np.float64)
    dist[0] = 1
    for m, v in enumerate(w, start=1):
        if v == 0:
            if exact:
                dist = dist * 2
        else:  # a player heavier than the kept range only halves the probabilities
            if v < width:
                dist[v:] += dist[: width - v]
            if not exact:
                dist *= 0.5
        if m % 64 == 0 or m == n:
            tick(m, steps)
    by_weight: dict[int, Value] = {}
    for j, v in enumerate(distinct):
        if v == 0:
            by_weight[v] = 0 if exact else 0.0
            continue
        lo, hi = (
            (max(0, total - quota - v + 1), total - quota) if complement else (max(0, quota - v), quota - 1)
        )
        if exact:
            # ``dist`` counts coalitions of all n players; zero-weight players doubled it above.
            others = _divide_by_one_plus_shift(dist, v)
            by_weight[v] = int(others[lo : hi + 1].sum())
        else:
            others = _divide_by_one_plus_shift(dist, v)
            by_weight[v] = float(2.0 * others[lo : hi + 1].sum())
        tick(n + j + 1, steps)
    return [by_weight[v] for v in w]
