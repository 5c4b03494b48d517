"""Which governments do the numbers allow? Winning coalitions and the classic coalition theories.

Given a :class:`~kingmaker.parliament.Parliament` and a threshold (absolute or working majority, or
a number of seats), every feasible coalition of the parties that vote is examined at once with
bit masks in NumPy, and each winning one is tagged with the theories that predict it:

* **minimal winning** (von Neumann-Morgenstern; Riker): every member is pivotal;
* **minimum winning** (Riker's size principle): the winning coalitions with the fewest seats;
* **minimal connected winning** (Axelrod 1970): contiguous on the left-right scale, and losing or
  no longer contiguous if any member leaves;
* **minimal range** (Leiserson 1966; de Swaan 1973): the minimal winning coalitions with the
  smallest left-right range;
* **fewest parties** (Leiserson's bargaining proposition): the minimal winning coalitions with
  the fewest members.

Parties without a position are *unplaced*. A coalition with an unplaced member has no known range
or contiguity (``None``) and is never tagged by the theories that need positions (minimal connected
winning, minimal range); an unplaced non-member does not break another coalition's contiguity. The pivotal ("veto") members of a coalition are those whose exit
costs it the majority.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from kingmaker._coalition_rows import THEORIES, _Rows
from kingmaker.coalition_results import Coalition, CoalitionTable, Completion
from kingmaker.errors import InputError, KingmakerWarning, TooLargeError
from kingmaker.parliament import Parliament, Threshold

#: Most coalition members enumerated exhaustively: 2**22 = 4.2 million subsets, about 0.2 GB peak and
#: 0.3-0.5 s of CPU for :func:`complete` or :func:`coalitions` (measured on 2 shared cores).
MAX_PLAYERS = 22

Order = Literal["seats", "surplus", "parties", "range"]
ORDERS: tuple[str, ...] = ("seats", "surplus", "parties", "range")


class _Game:
    """The weighted game behind a parliament: players, weights, positions, feasible subsets."""

    def __init__(
        self,
        parliament: Parliament,
        threshold: Threshold,
        excluded: Sequence[str],
        incompatible: Sequence[tuple[str, str]],
    ):
        weights = parliament.weights(threshold)
        excluded = tuple(parliament.parse_party_list(excluded, "excluded")) if excluded else ()
        self.parliament = parliament
        self.threshold = threshold
        self.quota = parliament.quota(threshold)
        self.basis = parliament.basis(threshold)
        if 2 * self.quota <= self.basis:
            warnings.warn(
                f"the threshold {self.quota} is at most half of {self.basis}: two disjoint coalitions "
                "can both win; the analysis is still done",
                KingmakerWarning,
                stacklevel=3,
            )
        self.excluded = excluded
        self.players = tuple(p for p in weights if p not in excluded)
        if not self.players:
            raise InputError(
                f"every party that votes is excluded ({', '.join(excluded)}): no coalition can form"
            )
        if len(self.players) > MAX_PLAYERS:
            raise TooLargeError(
                f"{len(self.players)} parties can join coalitions; exhaustive coalition analysis is "
                f"limited to {MAX_PLAYERS} (2**{MAX_PLAYERS} subsets): exclude some small parties."
            )
        self.weights = np.array([weights[p] for p in self.players], dtype=np.int64)
        self.positions = np.array(
            [np.nan if (x := parliament.party(p).position) is None else x for p in self.players]
        )
        self.bit = {p: 1 << i for i, p in enumerate(self.players)}
        self.forbidden: list[int] = []
        for pair in incompatible:
            if isinstance(pair, str) or len(pair) != 2:
                raise InputError(f"incompatible: expected pairs of party names, got {pair!r}")
            a, b = (parliament.resolve(name, "incompatible") for name in pair)
            if a == b:
                raise InputError(f"incompatible: a party cannot be incompatible with itself ({pair[0]!r})")
            if a in self.bit and b in self.bit:
                self.forbidden.append(self.bit[a] | self.bit[b])

    def members(self, mask: int) -> tuple[str, ...]:
        return tuple(p for i, p in enumerate(self.players) if mask >> i & 1)

    def mask_of(self, parties: Iterable[str]) -> int:
        mask = 0
        for p in parties:
            if p not in self.bit:
                reason = "is excluded" if p in self.excluded else "has no voting members"
                raise InputError(f"{p} {reason} and cannot be part of a coalition")
            mask |= self.bit[p]
        return mask

    def table(self) -> dict[str, np.ndarray]:
        """Vectorised facts about every subset of players, indexed by bit mask (bit ``i``: player ``i``).

        Built by doubling: the subsets with player ``i`` are those of players ``0..i-1`` shifted by
        ``2**i``, so each fact costs one pass over ``2**n`` numbers (no ``2**n x n`` membership
        matrix). Positions are held as ranks among the distinct placed positions, so contiguity is
        one table look-up: the players strictly between a subset's two ends, as a bit mask.
        """
        n = len(self.players)
        size = 1 << n
        placed = ~np.isnan(self.positions)
        values = np.unique(self.positions[placed])
        k = len(values)
        ranks = np.where(placed, np.searchsorted(values, np.nan_to_num(self.positions)), -1)
        # 32-bit where the numbers allow: half the memory traffic of the passes below
        small = int(self.weights.sum()) < 2**31 - 1
        seats = np.zeros(size, dtype=np.int32 if small else np.int64)
        min_member = np.empty(size, dtype=seats.dtype)
        min_member[0] = np.iinfo(seats.dtype).max
        n_members = np.zeros(size, dtype=np.int8)
        lo = np.empty(size, dtype=np.int16)  # rank of the leftmost placed member; k: none
        hi = np.empty(size, dtype=np.int16)  # rank of the rightmost placed member; -1: none
        lo[0], hi[0] = k, -1
        unplaced_member = np.zeros(size, dtype=bool)
        for i, (w, r) in enumerate(zip(self.weights.tolist(), ranks.tolist(), strict=True)):
            old, new = slice(0, 1 << i), slice(1 << i, 2 << i)
            np.add(seats[old], w, out=seats[new])
            np.minimum(min_member[old], w, out=min_member[new])
            np.add(n_members[old], 1, out=n_members[new])
            if r < 0:
                lo[new], hi[new], unplaced_member[new] = lo[old], hi[old], True
            else:
                np.minimum(lo[old], r, out=lo[new])
                np.maximum(hi[old], r, out=hi[new])
                unplaced_member[new] = unplaced_member[old]
        all_placed = ~unplaced_member & (lo < k)
        ends = np.append(values, np.nan)  # index k and -1 both read NaN
        rng = np.where(all_placed, ends[hi] - ends[lo], np.nan)
        # contiguous: no placed non-member strictly inside (lo, hi); unknown with unplaced members
        masks = np.arange(size, dtype=np.int32 if n < 31 else np.int64)
        between = np.zeros((k + 1, k + 1), dtype=masks.dtype)  # [lo rank, hi rank + 1] -> players inside
        for i, r in enumerate(ranks.tolist()):
            if r >= 0:
                between[:r, r + 2 :] |= 1 << i
        inside = between[lo, hi + 1] & ~masks
        connected = (inside == 0) & all_placed
        feasible = np.ones(size, dtype=bool)
        for f in self.forbidden:
            feasible &= (masks & f) != f
        return {
            "seats": seats,
            "n_members": n_members,
            "feasible": feasible,
            "min_member": min_member,
            "range": rng,
            "connected": connected,
            "placed": all_placed,
        }


def _rows(game: _Game, f: dict[str, np.ndarray], theories: dict[str, np.ndarray], idx: np.ndarray) -> _Rows:
    """The coalitions ``idx`` (bit masks, in order) as columns: no Python object per coalition."""
    return _Rows(
        Coalition,
        game.players,
        game.weights,
        game.quota,
        game.basis,
        masks=idx,
        seats=f["seats"][idx],
        n_members=f["n_members"][idx],
        ranges=f["range"][idx],
        connected=np.where(f["placed"][idx], f["connected"][idx].astype(np.int8), np.int8(-1)),
        flags=[theories[name][idx] for name in THEORIES],
    )


def _without(a: np.ndarray, i: int) -> np.ndarray:
    """The entries of a subset-indexed array for the subsets without player ``i`` (a view)."""
    return a.reshape(-1, 2, 1 << i)[:, 0, :]


def _with(a: np.ndarray, i: int) -> np.ndarray:
    """The entries for the subsets with player ``i``, aligned with :func:`_without` (a view)."""
    return a.reshape(-1, 2, 1 << i)[:, 1, :]


def _theories(game: _Game, f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Winning, and the flag of each coalition theory, for every subset (boolean arrays)."""
    seats, q = f["seats"], game.quota
    winning = f["feasible"] & (seats >= q)
    winning[0] = False  # the empty coalition
    minimal = winning & (seats - f["min_member"] < q)
    # minimal connected winning: connected winning, and dropping any member loses or disconnects
    still = winning & f["connected"]
    mcw = still.copy()
    for i in range(len(game.players)):
        _with(mcw, i)[...] &= ~_without(still, i)
    minimum = winning & (seats == (seats[winning].min() if winning.any() else -1))
    rng = f["range"]
    ranged = minimal & f["placed"]
    min_range = rng[ranged].min() if ranged.any() else np.nan
    n_members = f["n_members"]
    return {
        "winning": winning,
        "minimal_winning": minimal,
        "minimum_winning": minimum,
        "minimal_connected_winning": mcw,
        "minimal_range": _near(rng, ranged, min_range),
        "fewest_parties": minimal & (n_members == (n_members[minimal].min() if minimal.any() else -1)),
    }


def _near(values: np.ndarray, where: np.ndarray, target: float) -> np.ndarray:
    """``where & isclose(values, target)``, evaluated only where ``where`` holds."""
    out = np.zeros(len(values), dtype=bool)
    idx = np.flatnonzero(where)
    out[idx] = np.isclose(values[idx], target)
    return out


def _first(chosen: np.ndarray, keys: tuple[np.ndarray, np.ndarray], top: int | None) -> np.ndarray:
    """``chosen`` sorted by ``keys`` (primary first), then by mask; only the first ``top``.

    With ``top``, only the rows whose primary key is at most the ``top``-th smallest are sorted
    (the same first rows, without sorting millions). Whole-number keys are packed with the mask
    into one int64 and sorted once (the same order as the lexicographic sort, a fraction of its time).
    """
    primary, secondary = keys
    if top is not None and len(chosen) > top:
        keep = primary <= np.partition(primary, top - 1)[top - 1]
        chosen, primary, secondary = chosen[keep], primary[keep], secondary[keep]
    if len(chosen) and all(k.dtype.kind in "iu" and k.min() >= 0 for k in (primary, secondary)):
        mask_bits = int(chosen.max()).bit_length()
        second_bits = int(secondary.max()).bit_length()
        if int(primary.max()).bit_length() + second_bits + mask_bits <= 62:
            packed = (primary.astype(np.int64) << (second_bits + mask_bits)) | (
                secondary.astype(np.int64) << mask_bits
            )
            packed |= chosen
            idx = np.sort(packed) & ((1 << mask_bits) - 1)
            return idx if top is None else idx[:top]
    idx = chosen[np.lexsort((chosen, secondary, primary))]
    return idx if top is None else idx[:top]


def coalitions(
    parliament: Parliament,
    threshold: Threshold = "absolute",
    *,
    top: int | None = None,
    order: Order = "seats",
    minimal_only: bool = False,
    excluded: Sequence[str] = (),
    incompatible: Sequence[tuple[str, str]] = (),
) -> CoalitionTable:
    """Every winning coalition of ``parliament`` under ``threshold`` with its theories and pivots.

    ``order``: ``seats`` (smallest first: the tightest governments), ``surplus`` (same as seats),
    ``parties`` (fewest first) or ``range`` (narrowest first). ``minimal_only`` keeps only the
    minimal winning coalitions. ``excluded`` parties never join; ``incompatible`` pairs never sit
    together. Ties in the order are broken by the party order of the parliament (a documented,
    stable policy).
    """
    if order not in ORDERS:
        raise InputError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")
    if top is not None and top <= 0:
        raise InputError(f"top must be positive, got {top}")
    game = _Game(parliament, threshold, excluded, incompatible)
    f = game.table()
    theories = _theories(game, f)
    winning = theories["winning"]
    seats, n_members, rng = f["seats"], f["n_members"], f["range"]
    chosen = np.flatnonzero(theories["minimal_winning"] if minimal_only else winning)
    keys = {
        "seats": (seats[chosen], n_members[chosen]),
        "surplus": (seats[chosen], n_members[chosen]),
        "parties": (n_members[chosen], seats[chosen]),
        "range": (np.nan_to_num(rng[chosen], nan=np.inf), seats[chosen]),
    }[order]
    # final tie-break on the mask (party order of the parliament)
    rows = _rows(game, f, theories, _first(chosen, keys, top))
    return CoalitionTable(
        parliament=parliament.name,
        threshold=str(threshold),
        quota=game.quota,
        basis=game.basis,
        players=game.players,
        excluded=game.excluded,
        coalitions=rows,
        total_winning=int(winning.sum()),
        total_minimal_winning=int(theories["minimal_winning"].sum()),
    )


def complete(
    parliament: Parliament,
    group: Iterable[str],
    threshold: Threshold = "absolute",
    *,
    top: int | None = 10,
    excluded: Sequence[str] = (),
    incompatible: Sequence[tuple[str, str]] = (),
) -> Completion:
    """How far ``group`` is from a majority and the smallest sets of other parties that complete it.

    A completion is a set of partners whose every member is needed (drop any one and the group plus
    the rest falls short). Completions are listed by number of partners, then by seats.
    """
    group = parliament.parse_party_list(group, "group")
    game = _Game(parliament, threshold, excluded, incompatible)
    gmask = game.mask_of(group)
    for forbidden in game.forbidden:
        if gmask & forbidden == forbidden:
            raise InputError(f"the group {'+'.join(group)} contains an incompatible pair")
    f = game.table()
    theories = _theories(game, f)
    all_seats = f["seats"]
    seats = int(all_seats[gmask])
    q = game.quota
    shortfall = max(0, q - seats)
    pivotal = tuple(p for p in group if seats >= q and seats - int(game.weights[game.players.index(p)]) < q)
    win = f["feasible"] & (all_seats >= q)
    minimal_c = win.copy() if shortfall else np.zeros_like(win)
    minimal_c[gmask] = False  # at least one partner
    for i in range(len(game.players)):
        if gmask >> i & 1:
            _without(minimal_c, i)[...] = False  # supersets of the group only
        else:  # minimal: dropping partner i loses (or leaves an infeasible set: then it is needed)
            _with(minimal_c, i)[...] &= ~_without(win, i)
    chosen = np.flatnonzero(minimal_c)
    n_partners = f["n_members"][chosen].astype(np.int64) - bin(gmask).count("1")
    idx = _first(chosen, (n_partners, all_seats[chosen]), top)
    return Completion(
        group=group,
        seats=seats,
        quota=q,
        basis=game.basis,
        shortfall=shortfall,
        majority=2 * seats - game.basis,
        pivotal=pivotal,
        completions=_rows(game, f, theories, idx),
    )
