"""Coalition enumeration: minimal winning and vulnerable coalitions, and games with incompatible pairs.

* A pruned depth-first search over *coalition patterns* (how many players of each distinct weight
  join) finds the minimal winning and vulnerable coalitions that Deegan-Packel, Holler and
  Johnston need, refusing past :data:`MAX_COALITION_PATTERNS` patterns.
* Games with incompatible pairs enumerate all ``2**n`` coalitions with NumPy bit masks (at most
  :data:`MAX_ENUMERATED_PLAYERS` players) and compute every index exactly from them.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from kingmaker.errors import TooLargeError
from kingmaker.power._game import Value

#: Most players who may join a game with incompatible pairs (all 2**n coalitions are enumerated:
#: 2**25 = 33.5 million, about 150 MB and a few seconds).
MAX_ENUMERATED_PLAYERS = 25
#: Most coalition patterns (players counted per distinct weight) the search for minimal winning /
#: vulnerable coalitions may visit before it refuses; about a second per 500,000.
MAX_COALITION_PATTERNS = 1_000_000


@dataclass
class _PatternStats:
    """What the coalition search gathers, per class of equal positive weight (heaviest first)."""

    values: list[int]
    counts: list[int]
    minimal_winning: int = 0  # number of minimal winning coalitions
    member: list[int] = field(default_factory=list)  # MWCs containing one given player of class l
    by_size: list[dict[int, int]] = field(default_factory=list)  # ... of each size
    critical: list[dict[int, int]] = field(default_factory=list)  # vulnerable coalitions where one
    # given player of class l is critical, by number of critical members
    patterns: list[dict[int, int]] = field(default_factory=list)  # MWC patterns, if listed
    vulnerable: bool = False  # whether vulnerable coalitions were searched (Johnston)


def _search_patterns(
    w: Sequence[int],
    quota: int,
    *,
    vulnerable: bool,
    limit: int = MAX_COALITION_PATTERNS,
    keep_patterns: bool = False,
) -> _PatternStats:
    """Enumerate minimal winning (and, with ``vulnerable``, all vulnerable) coalition patterns.

    Players of equal weight are interchangeable, so a pattern says how many of each weight class
    join; it stands for ``prod C(m_l, c_l)`` coalitions. Classes are taken heaviest first and the
    search is cut when the remaining weight cannot reach the quota, when a pattern is already
    winning (minimal mode: any extension is not minimal) or when its surplus ``w - q`` reaches its
    heaviest member's weight (vulnerable mode: then nobody in it or any extension is critical).
    A winning pattern is minimal iff its lightest member is critical (``w - q < lightest``).
    Zero-weight players are dummies and left out. Raises TooLargeError past ``limit`` patterns.
    """
    classes: dict[int, int] = {}
    for v in w:
        if v > 0:
            classes[v] = classes.get(v, 0) + 1
    values = sorted(classes, reverse=True)
    counts = [classes[v] for v in values]
    d = len(values)
    stats = _PatternStats(
        values, counts, 0, [0] * d, [{} for _ in range(d)], [{} for _ in range(d)], [], vulnerable
    )
    suffix = [0] * (d + 1)
    for j in range(d - 1, -1, -1):
        suffix[j] = suffix[j + 1] + values[j] * counts[j]
    if suffix[0] < quota:
        return stats
    binom = [[math.comb(m, c) for c in range(m + 1)] for m in counts]
    chosen = [0] * d
    picked: list[int] = []
    visited = 0

    def record(weight: int, size: int, mult: int, lightest: int) -> None:
        surplus = weight - quota
        if surplus < lightest:
            stats.minimal_winning += mult
            for cls in picked:
                share = mult * chosen[cls] // counts[cls]
                stats.member[cls] += share
                sizes = stats.by_size[cls]
                sizes[size] = sizes.get(size, 0) + share
            if keep_patterns:
                stats.patterns.append({cls: chosen[cls] for cls in picked})
        if vulnerable:
            crit = [cls for cls in picked if values[cls] > surplus]
            k = sum(chosen[cls] for cls in crit)
            for cls in crit:
                share = mult * chosen[cls] // counts[cls]
                table = stats.critical[cls]
                table[k] = table.get(k, 0) + share

    def visit(start: int, weight: int, heaviest: int, size: int, mult: int) -> None:
        nonlocal visited
        for cls in range(start, d):
            if weight + suffix[cls] < quota:
                break
            v = values[cls]
            top = heaviest if size else v
            for c in range(1, counts[cls] + 1):
                new = weight + c * v
                if vulnerable:
                    if new >= quota + top:
                        break
                elif new - v >= quota:
                    break
                visited += 1
                if visited > limit:
                    raise TooLargeError(
                        f"more than {limit:,} coalition patterns to search for minimal winning"
                        f"{' and vulnerable' if vulnerable else ''} coalitions (players of equal "
                        "weight counted together); the Deegan-Packel, Holler and Johnston indices "
                        "need them all; skip them with coalition_indices=False. Shapley-Shubik and "
                        "Banzhaf have no such limit."
                    )
                chosen[cls] = c
                picked.append(cls)
                m2 = mult * binom[cls][c]
                if new >= quota:
                    record(new, size + c, m2, v)
                if vulnerable or new < quota:
                    visit(cls + 1, new, top, size + c, m2)
                picked.pop()
                chosen[cls] = 0

    old_limit = sys.getrecursionlimit()
    if d + 100 > old_limit:
        sys.setrecursionlimit(d + 100)
    try:
        visit(0, 0, 0, 0, 1)
    finally:
        sys.setrecursionlimit(old_limit)
    return stats


def _coalition_indices_from_patterns(
    w: Sequence[int], stats: _PatternStats, exact: bool
) -> tuple[list[Value], list[Value], list[Value] | None]:
    """Deegan-Packel, Holler and (if searched) Johnston values per player from pattern statistics."""
    pos = {v: i for i, v in enumerate(stats.values)}
    d = len(stats.values)
    zero = Fraction(0)
    dp = [zero] * d
    hol = [zero] * d
    john = [zero] * d
    if stats.minimal_winning:
        memberships = sum(stats.member[i] * stats.counts[i] for i in range(d))
        for i in range(d):
            dp[i] = sum((Fraction(c, s) for s, c in stats.by_size[i].items()), zero) / stats.minimal_winning
            hol[i] = Fraction(stats.member[i], memberships)
    raw = [sum((Fraction(c, k) for k, c in stats.critical[i].items()), zero) for i in range(d)]
    total = sum((raw[i] * stats.counts[i] for i in range(d)), zero)
    if total:
        john = [r / total for r in raw]
    conv: Callable[[Fraction], Value] = (lambda x: x) if exact else float

    def per_player(vals: list[Fraction]) -> list[Value]:
        return [conv(vals[pos[v]]) if v in pos else conv(zero) for v in w]

    return per_player(dp), per_player(hol), per_player(john) if stats.vulnerable else None


# --------------------------------------------------------------------------------------------
# Games with incompatible pairs: enumeration of all 2**n coalitions with bit masks
# --------------------------------------------------------------------------------------------


@dataclass
class _Enumerated:
    """Exact results of the enumeration, per active player."""

    shapley_shubik: list[Fraction]
    swings: list[int]
    deegan_packel: list[Fraction]
    holler: list[Fraction]
    johnston: list[Fraction]
    minimal_winning: list[int]  # bit masks of the minimal winning coalitions


def _winning_table(w: Sequence[int], quota: int, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """``win[mask]``: the coalition ``mask`` contains a pair-free coalition reaching the quota."""
    n = len(w)
    lo_bits = min(n, 20)
    hi_bits = n - lo_bits
    partners = [0] * n
    for a, b in pairs:
        partners[a] |= 1 << b
        partners[b] |= 1 << a
    lo_mask = (1 << lo_bits) - 1
    weight = np.zeros(1, dtype=np.int64)
    feasible = np.ones(1, dtype=bool)
    for i in range(lo_bits):
        below = partners[i] & ((1 << i) - 1)
        ok = feasible.copy()
        if below:
            ok &= (np.arange(len(weight), dtype=np.int64) & below) == 0
        weight = np.concatenate([weight, weight + w[i]])
        feasible = np.concatenate([feasible, ok])
    index = np.arange(1 << lo_bits, dtype=np.int64)
    win = np.empty(1 << n, dtype=bool)
    size = 1 << lo_bits
    for h in range(1 << hi_bits):
        members = [lo_bits + b for b in range(hi_bits) if h >> b & 1]
        segment = win[h * size : (h + 1) * size]
        high = sum(1 << m for m in members)
        if any(partners[m] & high for m in members):
            segment[:] = False
            continue
        bad = 0
        for m in members:
            bad |= partners[m] & lo_mask
        seg = feasible & (weight + sum(w[m] for m in members) >= quota)
        if bad:
            seg &= (index & bad) == 0
        segment[:] = seg
    for i in range(n):  # upward closure: supersets of a winning coalition win
        grid = win.reshape(-1, 2, 1 << i)
        grid[:, 1, :] |= grid[:, 0, :]
    return win


def _enumerate(w: Sequence[int], quota: int, pairs: Sequence[tuple[int, int]]) -> _Enumerated:
    """Every index of the game with incompatible pairs, exactly, by enumerating all coalitions."""
    n = len(w)
    if n > MAX_ENUMERATED_PLAYERS:
        raise TooLargeError(
            f"{n} players may join a game with incompatible pairs; at most {MAX_ENUMERATED_PLAYERS} "
            "are supported (all 2**n coalitions are enumerated)"
        )
    zero = Fraction(0)
    if n == 0:
        return _Enumerated([], [], [], [], [], [])
    win = _winning_table(w, quota, pairs)
    popcount = np.zeros(1, dtype=np.uint8)
    for _ in range(n):
        popcount = np.concatenate([popcount, popcount + 1])
    critical = np.zeros(1 << n, dtype=np.uint8)  # critical members of each winning coalition
    fact = [math.factorial(k) for k in range(n + 1)]
    ss: list[Fraction] = []
    swings: list[int] = []
    for i in range(n):
        grid = win.reshape(-1, 2, 1 << i)
        swing = grid[:, 1, :] & ~grid[:, 0, :]
        sizes = np.bincount(popcount.reshape(-1, 2, 1 << i)[:, 0, :][swing], minlength=n)
        swings.append(int(sizes.sum()))
        ss.append(Fraction(sum(int(c) * fact[s] * fact[n - 1 - s] for s, c in enumerate(sizes)), fact[n]))
        critical.reshape(-1, 2, 1 << i)[:, 1, :] += swing
    raw_j: list[Fraction] = []
    for i in range(n):
        grid = win.reshape(-1, 2, 1 << i)
        swing = grid[:, 1, :] & ~grid[:, 0, :]
        ks = np.bincount(critical.reshape(-1, 2, 1 << i)[:, 1, :][swing])
        raw_j.append(sum((Fraction(int(c), k) for k, c in enumerate(ks) if c), zero))
    total_j = sum(raw_j, zero)
    johnston = [r / total_j if total_j else zero for r in raw_j]
    masks = np.flatnonzero(win & (critical == popcount))
    sizes_all = popcount[masks]
    dp: list[Fraction] = []
    hol_raw: list[int] = []
    for i in range(n):
        has = ((masks >> i) & 1).astype(bool)
        by_size = np.bincount(sizes_all[has])
        hol_raw.append(int(has.sum()))
        dp.append(
            sum((Fraction(int(c), s) for s, c in enumerate(by_size) if c), zero) / len(masks)
            if len(masks)
            else zero
        )
    total_h = sum(hol_raw)
    holler = [Fraction(h, total_h) if total_h else zero for h in hol_raw]
    return _Enumerated(ss, swings, dp, holler, johnston, [int(m) for m in masks])
