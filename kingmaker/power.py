"""Voting power in weighted voting games: who can turn a losing coalition into a winning one.

A weighted game ``[q; w_1, ..., w_n]`` lets a coalition win when its members' weights sum to at
least the quota ``q``. This module measures each player's a-priori power:

* **Shapley-Shubik**: the share of the n! orderings of the players in which the player is pivotal.
* **Banzhaf** (normalised) and **Penrose-Banzhaf** (absolute): how many coalitions of the others
  the player swings from losing to winning; absolute = swing probability ``swings / 2**(n-1)``.
* **Deegan-Packel**: each minimal winning coalition is equally likely and shared equally among
  its members.
* **Holler** (public good index): the share of minimal-winning-coalition memberships.
* **Johnston**: each *vulnerable* winning coalition (one with at least one critical member) is
  shared equally among its critical members. (Johnston needs every vulnerable coalition, not just
  the minimal winning ones.)

Shapley-Shubik and Banzhaf are computed exactly with generating functions (dynamic programming
over weights, never enumerating coalitions): cost ``O(n * W)`` for Banzhaf and ``O(n**2 * W / 4)``
for Shapley-Shubik, where ``W`` is the total weight, with the per-player removal done once per
*distinct* weight. ``exact=True`` runs the same recursions on Python integers and returns
:class:`fractions.Fraction`; the default returns floats that agree with the exact values to about
1e-13 (the float recursions only ever run where they are numerically stable: see
:func:`_shapley_shubik_dp`).

The indices built on minimal winning coalitions enumerate them with a pruned depth-first search
over *coalition patterns* (how many players of each distinct weight join), and refuse with
:class:`~kingmaker.errors.TooLargeError` past :data:`MAX_COALITION_PATTERNS` patterns.

Two variants of the game are supported:

* ``excluded`` players never join a coalition. They keep their weight in the total (and so in the
  quota checks) but act as dummies: every index gives them 0.
* ``incompatible`` pairs never sit in the same coalition. The game then becomes: a coalition wins
  when it *contains* a feasible (pair-free) coalition that reaches the quota, i.e. when a government
  can be formed from its members. That game is monotone, so the usual axioms still hold (Shapley-
  Shubik sums to 1), and its minimal winning coalitions are exactly the feasible minimal winning
  coalitions of the original game. It is solved by enumerating all ``2**n`` coalitions with NumPy
  bit masks, so at most :data:`MAX_ENUMERATED_PLAYERS` players may join.

Multi-criteria games (a coalition must meet several quotas at once, e.g. the Council of the EU:
55% of member states and 65% of the population) are handled by
:func:`multi_criteria_shapley_shubik` and :func:`multi_criteria_banzhaf`.
"""

from __future__ import annotations

import itertools
import math
import numbers
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from kingmaker.errors import InputError, KingmakerWarning, TooLargeError, UnknownNameError

Value = float | Fraction
Weights = Sequence[int] | Mapping[str, int]
#: ``progress(done, total)``: called as the dynamic programmes advance (for progress bars).
Progress = Callable[[int, int], None]

#: Most players who may join a game with incompatible pairs (all 2**n coalitions are enumerated:
#: 2**25 = 33.5 million, about 150 MB and a few seconds).
MAX_ENUMERATED_PLAYERS = 25
#: Most coalition patterns (players counted per distinct weight) the search for minimal winning /
#: vulnerable coalitions may visit before it refuses; about a second per 500,000.
MAX_COALITION_PATTERNS = 1_000_000
#: Most minimal winning coalitions :func:`minimal_winning_coalitions` lists by default.
MAX_MINIMAL_WINNING_COALITIONS = 100_000
#: Largest Shapley-Shubik table (coalition sizes x weights) in float mode: 30 million cells = 240 MB.
MAX_DP_CELLS = 30_000_000
#: Largest Shapley-Shubik table in exact mode (Python integers are slow and big): 5 million cells.
MAX_EXACT_DP_CELLS = 5_000_000
#: Up to this many players the float Shapley-Shubik table holds plain counts (C(1000, 500) < 1e300);
#: beyond, each row is divided by C(n, k).
_UNSCALED_MAX_PLAYERS = 1000
#: Largest multi-criteria table (coalition sizes x the product of the criteria ranges): 10 million.
MAX_MULTI_CRITERIA_CELLS = 10_000_000


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _as_int(value: object, what: str) -> int:
    """``value`` as an int, or InputError naming ``what`` (floats like 3.0 are accepted)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        as_int = int(value)
    except (OverflowError, ValueError):
        raise InputError(f"{what} must be a whole number, got {value!r}") from None
    if as_int != value:
        raise InputError(f"{what} must be a whole number, got {value!r}")
    return as_int


def _players_and_weights(
    weights: Weights, players: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Names and validated integer weights; names default to P1, P2, ... for a plain sequence."""
    if isinstance(weights, Mapping):
        if players is not None:
            raise InputError("give player names either as the keys of weights or as players=, not both")
        names = tuple(weights.keys())
        raw = list(weights.values())
    else:
        if isinstance(weights, str | bytes):
            raise InputError("weights must be a sequence of whole numbers or a mapping name -> weight")
        raw = list(weights)
        names = tuple(players) if players is not None else tuple(f"P{i + 1}" for i in range(len(raw)))
        if len(names) != len(raw):
            raise InputError(f"{len(names)} player names for {len(raw)} weights")
    if not raw:
        raise InputError("the game is empty: give at least one player")
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"player names must be non-empty strings, got {name!r}")
        if name in seen:
            raise InputError(f"duplicate player name {name!r}")
        seen.add(name)
    ints = []
    for name, w in zip(names, raw, strict=True):
        value = _as_int(w, f"the weight of {name}")
        if value < 0:
            raise InputError(f"the weight of {name} is negative ({value}); weights must be >= 0")
        ints.append(value)
    return names, tuple(ints)


def _check_quota(quota: object, total: int, what: str = "quota") -> int:
    q = _as_int(quota, f"the {what}")
    if q <= 0:
        raise InputError(f"the {what} must be positive, got {q}")
    if q > total:
        raise InputError(f"the {what} {q} is above the total weight {total}: no coalition can win")
    return q


def _warn_improper(quota: int, total: int) -> None:
    warnings.warn(
        f"the quota {quota} is at most half of the total weight {total}: two disjoint coalitions "
        "can both win (an improper game); the indices are still computed",
        KingmakerWarning,
        stacklevel=4,
    )


@dataclass(frozen=True)
class _Game:
    """A validated weighted game: names, weights, quota, who may join and the incompatible pairs."""

    names: tuple[str, ...]
    weights: tuple[int, ...]
    quota: int
    active: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...]
    excluded: tuple[str, ...]
    incompatible: tuple[tuple[str, str], ...]

    @property
    def n(self) -> int:
        return len(self.names)


def _game(
    weights: Weights,
    quota: object,
    players: Sequence[str] | None = None,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
) -> _Game:
    names, ints = _players_and_weights(weights, players)
    total = sum(ints)
    q = _check_quota(quota, total)
    if 2 * q <= total:
        _warn_improper(q, total)
    index = {name: i for i, name in enumerate(names)}

    def lookup(name: object, where: str) -> int:
        if not isinstance(name, str) or name not in index:
            raise UnknownNameError(f"{where}: unknown player {name!r}; players are: {', '.join(names)}")
        return index[name]

    ex = tuple(dict.fromkeys(excluded))
    out = {lookup(name, "excluded") for name in ex}
    pairs: list[tuple[int, int]] = []
    named_pairs: list[tuple[str, str]] = []
    for pair in incompatible:
        if isinstance(pair, str) or len(pair) != 2:
            raise InputError(f"incompatible: expected pairs of player names, got {pair!r}")
        a, b = lookup(pair[0], "incompatible"), lookup(pair[1], "incompatible")
        if a == b:
            raise InputError(f"incompatible: a player cannot be incompatible with itself ({pair[0]!r})")
        named_pairs.append((names[a], names[b]))
        if a not in out and b not in out:
            pairs.append((min(a, b), max(a, b)))
    active = tuple(i for i in range(len(names)) if i not in out)
    return _Game(names, ints, q, active, tuple(sorted(set(pairs))), ex, tuple(named_pairs))


# --------------------------------------------------------------------------------------------
# Shapley-Shubik and Banzhaf by dynamic programming over weights
# --------------------------------------------------------------------------------------------


def _no_progress(done: int, total: int) -> None:
    pass


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
            + (" in exact mode (drop --exact / exact=True)" if exact else "")
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


# --------------------------------------------------------------------------------------------
# Minimal winning and vulnerable coalitions by a pruned search over coalition patterns
# --------------------------------------------------------------------------------------------


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
                        "need them all; skip them with coalition_indices=False (command line: "
                        "--no-coalition-indices). Shapley-Shubik and Banzhaf have no such limit."
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


# --------------------------------------------------------------------------------------------
# Multi-criteria games
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Results and the public functions
# --------------------------------------------------------------------------------------------


def _fmt(value: Value | None) -> Any:
    """A value for JSON: floats as numbers, fractions as "a/b" strings."""
    if isinstance(value, Fraction):
        return str(value)
    return value


@dataclass(frozen=True)
class PowerResult:
    """Every power index of one weighted game, per player (in the order given).

    ``deegan_packel``, ``holler`` and ``johnston`` are ``None`` when they were not asked for
    (``coalition_indices=False``). Values are floats, or Fractions with ``exact=True``.
    """

    players: tuple[str, ...]
    weights: tuple[int, ...]
    quota: int
    shapley_shubik: dict[str, Value]
    banzhaf: dict[str, Value]
    banzhaf_absolute: dict[str, Value]
    deegan_packel: dict[str, Value] | None = None
    holler: dict[str, Value] | None = None
    johnston: dict[str, Value] | None = None
    minimal_winning_coalitions: int | None = None
    exact: bool = False
    excluded: tuple[str, ...] = ()
    incompatible: tuple[tuple[str, str], ...] = ()

    INDICES = ("shapley_shubik", "banzhaf", "banzhaf_absolute", "deegan_packel", "holler", "johnston")

    def to_dict(self, *, json_safe: bool = False) -> dict[str, Any]:
        """``{"players", "quota", and one name -> value mapping per index}``.

        With ``json_safe``, Fractions become ``"a/b"`` strings (floats stay numbers).
        """
        out: dict[str, Any] = {"players": list(self.players), "quota": self.quota}
        for key in self.INDICES:
            values = getattr(self, key)
            if values is None:
                out[key] = None
            else:
                out[key] = {k: (_fmt(v) if json_safe else v) for k, v in values.items()}
        return out

    def to_frame(self):  # -> pandas.DataFrame
        """One row per player: weight and each index (as floats; NaN where not computed)."""
        import pandas as pd

        data: dict[str, list[Any]] = {"weight": list(self.weights)}
        for key in self.INDICES:
            values = getattr(self, key)
            data[key] = [float("nan") if values is None else float(values[p]) for p in self.players]
        return pd.DataFrame(data, index=pd.Index(list(self.players), name="player"))

    def _repr_html_(self) -> str:
        return f"<p>Quota {self.quota} of {sum(self.weights)}</p>" + self.to_frame()._repr_html_()


def _spread(game: _Game, values: Sequence[Value], zero: Value) -> dict[str, Value]:
    """Active players' values into a dict over all players (excluded players get ``zero``)."""
    out = dict.fromkeys(game.names, zero)
    for i, v in zip(game.active, values, strict=True):
        out[game.names[i]] = v
    return out


def _active_weights(game: _Game) -> list[int]:
    return [game.weights[i] for i in game.active]


def _to_value(x: Fraction, exact: bool) -> Value:
    return x if exact else float(x)


def _ss_values(game: _Game, exact: bool, progress: Progress | None) -> list[Value]:
    if game.pairs:
        en = _enumerate(_active_weights(game), game.quota, _local_pairs(game))
        return [_to_value(x, exact) for x in en.shapley_shubik]
    return _shapley_shubik_dp(_active_weights(game), game.quota, exact, progress)


def _local_pairs(game: _Game) -> list[tuple[int, int]]:
    pos = {g: i for i, g in enumerate(game.active)}
    return [(pos[a], pos[b]) for a, b in game.pairs]


def _banzhaf_values(game: _Game, exact: bool, normalized: bool, progress: Progress | None) -> list[Value]:
    """Normalised Banzhaf (shares of all swings) or absolute (swing probability) per active player."""
    w = _active_weights(game)
    n = len(w)
    if game.pairs:
        counts: list[Any] = _enumerate(w, game.quota, _local_pairs(game)).swings
        exact_counts = True
    else:
        counts = _banzhaf_dp(w, game.quota, exact, progress)
        exact_counts = exact
    if exact_counts:
        if normalized:
            total = sum(counts)
            fr = [Fraction(c, total) if total else Fraction(0) for c in counts]
        else:
            fr = [Fraction(c, 2 ** (n - 1)) for c in counts]
        return [_to_value(x, exact) for x in fr]
    if normalized:
        total_f = math.fsum(counts)
        return [c / total_f if total_f else 0.0 for c in counts]
    return [float(c) for c in counts]


def shapley_shubik(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Shapley-Shubik index of each player: its share of the orderings in which it is pivotal.

    ``weights``: a sequence of whole numbers (players named P1, P2, ... unless ``players`` names
    them) or a mapping name -> weight. A coalition wins when its weight reaches ``quota``.
    Exact by dynamic programming over weights (``exact=True``: Fractions); ``excluded`` players
    never join (they get 0); ``incompatible`` pairs never sit together (see the module notes; at
    most :data:`MAX_ENUMERATED_PLAYERS` players then). Raises InputError on invalid input and
    warns (:class:`KingmakerWarning`) when the quota is at most half of the total weight.

    >>> shapley_shubik([50, 49, 1], 51, exact=True)
    {'P1': Fraction(2, 3), 'P2': Fraction(1, 6), 'P3': Fraction(1, 6)}
    """
    game = _game(weights, quota, players, excluded, incompatible)
    zero: Value = Fraction(0) if exact else 0.0
    return _spread(game, _ss_values(game, exact, progress), zero)


def banzhaf(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    normalized: bool = True,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Banzhaf index: each player's share of all swings (``normalized=False``: the absolute,
    Penrose-Banzhaf index, i.e. the probability that the player swings a random coalition of the
    others). Arguments as :func:`shapley_shubik`.

    >>> banzhaf([50, 49, 1], 51, exact=True)
    {'P1': Fraction(3, 5), 'P2': Fraction(1, 5), 'P3': Fraction(1, 5)}
    """
    game = _game(weights, quota, players, excluded, incompatible)
    zero: Value = Fraction(0) if exact else 0.0
    return _spread(game, _banzhaf_values(game, exact, normalized, progress), zero)


def banzhaf_absolute(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> dict[str, Value]:
    """Absolute (Penrose-Banzhaf) index: swings / 2**(n-1). Arguments as :func:`shapley_shubik`."""
    return banzhaf(
        weights,
        quota,
        players=players,
        exact=exact,
        normalized=False,
        excluded=excluded,
        incompatible=incompatible,
        progress=progress,
    )


def _coalition_values(
    game: _Game, exact: bool, johnston: bool, limit: int
) -> tuple[list[Value], list[Value], list[Value] | None, int]:
    """Deegan-Packel, Holler, Johnston (or None) per active player, and the number of MWCs."""
    w = _active_weights(game)
    if game.pairs:
        en = _enumerate(w, game.quota, _local_pairs(game))
        conv = [[_to_value(x, exact) for x in vals] for vals in (en.deegan_packel, en.holler, en.johnston)]
        return conv[0], conv[1], conv[2] if johnston else None, len(en.minimal_winning)
    stats = _search_patterns(w, game.quota, vulnerable=johnston, limit=limit)
    dp, hol, jo = _coalition_indices_from_patterns(w, stats, exact)
    return dp, hol, jo, stats.minimal_winning


def deegan_packel(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    max_patterns: int = MAX_COALITION_PATTERNS,
) -> dict[str, Value]:
    """Deegan-Packel index: each minimal winning coalition is equally likely and its members share
    it equally. Enumerates minimal winning coalitions (TooLargeError past ``max_patterns``
    coalition patterns, default :data:`MAX_COALITION_PATTERNS`)."""
    game = _game(weights, quota, players, excluded, incompatible)
    dp, _, _, _ = _coalition_values(game, exact, False, max_patterns)
    return _spread(game, dp, Fraction(0) if exact else 0.0)


def holler(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    max_patterns: int = MAX_COALITION_PATTERNS,
) -> dict[str, Value]:
    """Holler's public good index: the player's share of all memberships of minimal winning
    coalitions. Limits as :func:`deegan_packel`."""
    game = _game(weights, quota, players, excluded, incompatible)
    _, hol, _, _ = _coalition_values(game, exact, False, max_patterns)
    return _spread(game, hol, Fraction(0) if exact else 0.0)


def johnston(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    max_patterns: int = MAX_COALITION_PATTERNS,
) -> dict[str, Value]:
    """Johnston index: each vulnerable winning coalition (at least one member whose exit makes it
    lose) is shared equally among its critical members; normalised to sum to 1. Enumerates the
    vulnerable coalitions (TooLargeError past ``max_patterns`` coalition patterns)."""
    game = _game(weights, quota, players, excluded, incompatible)
    _, _, jo, _ = _coalition_values(game, exact, True, max_patterns)
    assert jo is not None
    return _spread(game, jo, Fraction(0) if exact else 0.0)


def minimal_winning_coalitions(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    limit: int = MAX_MINIMAL_WINNING_COALITIONS,
) -> tuple[tuple[str, ...], ...]:
    """Every minimal winning coalition (each member's exit makes it lose), heaviest first.

    Players within a coalition are listed in the order given. Raises TooLargeError when there are
    more than ``limit`` (default :data:`MAX_MINIMAL_WINNING_COALITIONS`) of them, or when the search
    passes :data:`MAX_COALITION_PATTERNS` patterns.
    """
    game = _game(weights, quota, players, excluded, incompatible)
    w = _active_weights(game)
    names = [game.names[i] for i in game.active]

    def too_many(count: int) -> TooLargeError:
        return TooLargeError(f"{count:,} minimal winning coalitions; the limit is {limit:,}")

    found: list[tuple[int, ...]] = []
    if game.pairs:
        masks = _enumerate(w, game.quota, _local_pairs(game)).minimal_winning
        if len(masks) > limit:
            raise too_many(len(masks))
        found = [tuple(i for i in range(len(w)) if m >> i & 1) for m in masks]
    else:
        stats = _search_patterns(w, game.quota, vulnerable=False, keep_patterns=True)
        if stats.minimal_winning > limit:
            raise too_many(stats.minimal_winning)
        members = {v: [i for i, x in enumerate(w) if x == v] for v in stats.values}
        for pattern in stats.patterns:
            parts = [itertools.combinations(members[stats.values[cls]], c) for cls, c in pattern.items()]
            for combo in itertools.product(*parts):
                found.append(tuple(sorted(i for part in combo for i in part)))
    found.sort(key=lambda c: (-sum(w[i] for i in c), c))
    return tuple(tuple(names[i] for i in c) for c in found)


def power_indices(
    weights: Weights,
    quota: int,
    *,
    players: Sequence[str] | None = None,
    exact: bool = False,
    excluded: Iterable[str] = (),
    incompatible: Iterable[tuple[str, str]] = (),
    coalition_indices: bool = True,
    max_patterns: int = MAX_COALITION_PATTERNS,
    progress: Progress | None = None,
) -> PowerResult:
    """All six indices of one game in a :class:`PowerResult`.

    ``coalition_indices=False`` skips Deegan-Packel, Holler and Johnston (left ``None``), which
    need an enumeration that large games refuse with TooLargeError; Shapley-Shubik and Banzhaf
    scale to hundreds of players. Other arguments as :func:`shapley_shubik`.
    """
    game = _game(weights, quota, players, excluded, incompatible)
    zero: Value = Fraction(0) if exact else 0.0
    w = _active_weights(game)
    mwc: int | None = None
    dp = hol = jo = None
    if game.pairs:
        en = _enumerate(w, game.quota, _local_pairs(game))
        ss = [_to_value(x, exact) for x in en.shapley_shubik]
        total = sum(en.swings)
        bz = [_to_value(Fraction(c, total) if total else Fraction(0), exact) for c in en.swings]
        ba = [_to_value(Fraction(c, 2 ** (len(w) - 1)), exact) for c in en.swings]
        if coalition_indices:
            dp = [_to_value(x, exact) for x in en.deegan_packel]
            hol = [_to_value(x, exact) for x in en.holler]
            jo = [_to_value(x, exact) for x in en.johnston]
            mwc = len(en.minimal_winning)
    else:
        if coalition_indices:  # the search can refuse: do it before the long dynamic programmes
            dp, hol, jo, mwc = _coalition_values(game, exact, True, max_patterns)
        ss = _shapley_shubik_dp(w, game.quota, exact, progress)
        counts = _banzhaf_dp(w, game.quota, exact, None)
        if exact:
            total = sum(counts)
            bz = [Fraction(c, total) if total else Fraction(0) for c in counts]
            ba = [Fraction(c, 2 ** (len(w) - 1)) for c in counts]
        else:
            total_f = math.fsum(counts)
            bz = [c / total_f if total_f else 0.0 for c in counts]
            ba = [float(c) for c in counts]
    return PowerResult(
        players=game.names,
        weights=game.weights,
        quota=game.quota,
        shapley_shubik=_spread(game, ss, zero),
        banzhaf=_spread(game, bz, zero),
        banzhaf_absolute=_spread(game, ba, zero),
        deegan_packel=None if dp is None else _spread(game, dp, zero),
        holler=None if hol is None else _spread(game, hol, zero),
        johnston=None if jo is None else _spread(game, jo, zero),
        minimal_winning_coalitions=mwc,
        exact=exact,
        excluded=game.excluded,
        incompatible=game.incompatible,
    )


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
