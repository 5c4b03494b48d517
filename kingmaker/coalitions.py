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
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from kingmaker.errors import InputError, KingmakerWarning, TooLargeError
from kingmaker.parliament import Parliament, Threshold

#: Most coalition members enumerated exhaustively (2**22 = 4.2 million subsets, ~0.5 GB peak).
MAX_PLAYERS = 22

Order = Literal["seats", "surplus", "parties", "range"]
ORDERS: tuple[str, ...] = ("seats", "surplus", "parties", "range")


@dataclass(frozen=True)
class Coalition:
    """One winning (or examined) coalition and the theories that single it out."""

    parties: tuple[str, ...]
    seats: int
    majority: int
    surplus: int
    n_parties: int
    range: float | None
    connected: bool | None
    minimal_winning: bool
    minimum_winning: bool
    minimal_connected_winning: bool
    minimal_range: bool
    fewest_parties: bool
    pivotal: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, not tuples) for JSON."""
        d = asdict(self)
        d["parties"] = list(self.parties)
        d["pivotal"] = list(self.pivotal)
        return d


@dataclass(frozen=True)
class CoalitionTable:
    """All winning coalitions of a parliament under one threshold, sorted by ``order``."""

    parliament: str
    threshold: str
    quota: int
    basis: int
    players: tuple[str, ...]
    excluded: tuple[str, ...]
    coalitions: tuple[Coalition, ...]
    total_winning: int

    def __len__(self) -> int:
        return len(self.coalitions)

    def __iter__(self):
        return iter(self.coalitions)

    def find(self, parties: Iterable[str]) -> Coalition | None:
        """The coalition with exactly these parties, if it is in the table."""
        key = frozenset(parties)
        return next((c for c in self.coalitions if frozenset(c.parties) == key), None)

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        return {
            "parliament": self.parliament,
            "threshold": self.threshold,
            "quota": self.quota,
            "basis": self.basis,
            "players": list(self.players),
            "excluded": list(self.excluded),
            "total_winning": self.total_winning,
            "coalitions": [c.to_dict() for c in self.coalitions],
        }

    def to_frame(self):  # -> pandas.DataFrame
        """One row per coalition; party lists joined with '+'."""
        import pandas as pd

        rows = []
        for c in self.coalitions:
            d = c.to_dict()
            d["parties"] = "+".join(c.parties)
            d["pivotal"] = "+".join(c.pivotal)
            rows.append(d)
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class Completion:
    """A named group, how far it is from winning, and the smallest sets of parties that complete it."""

    group: tuple[str, ...]
    seats: int
    quota: int
    basis: int
    shortfall: int
    majority: int
    pivotal: tuple[str, ...]
    completions: tuple[Coalition, ...]
    partners: tuple[tuple[str, ...], ...]

    @property
    def wins(self) -> bool:
        return self.shortfall == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": list(self.group),
            "seats": self.seats,
            "quota": self.quota,
            "basis": self.basis,
            "shortfall": self.shortfall,
            "majority": self.majority,
            "wins": self.wins,
            "pivotal": list(self.pivotal),
            "completions": [
                {"partners": list(p), **c.to_dict()}
                for p, c in zip(self.partners, self.completions, strict=True)
            ],
        }


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
        excluded = tuple(parliament.parse_party_list(excluded, "--exclude")) if excluded else ()
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
        if len(self.players) > MAX_PLAYERS:
            raise TooLargeError(
                f"{len(self.players)} parties can join coalitions; exhaustive coalition analysis is "
                f"limited to {MAX_PLAYERS} (2**{MAX_PLAYERS} subsets). Exclude small parties with --exclude."
            )
        self.weights = np.array([weights[p] for p in self.players], dtype=np.int64)
        self.positions = np.array(
            [np.nan if (x := parliament.party(p).position) is None else x for p in self.players]
        )
        self.bit = {p: 1 << i for i, p in enumerate(self.players)}
        self.forbidden: list[int] = []
        for a, b in incompatible:
            for name in (a, b):
                parliament.party(name)
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
        """Vectorised facts about every subset of players."""
        n = len(self.players)
        masks = np.arange(1 << n, dtype=np.int64)
        member = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
        seats = member @ self.weights
        feasible = np.ones(len(masks), dtype=bool)
        for f in self.forbidden:
            feasible &= (masks & f) != f
        big = np.iinfo(np.int64).max
        min_member = np.where(member, self.weights, big).min(axis=1)
        pos = self.positions
        placed = ~np.isnan(pos)
        lo = np.where(member & placed, pos, np.inf).min(axis=1)
        hi = np.where(member & placed, pos, -np.inf).max(axis=1)
        all_placed = ~(member & ~placed).any(axis=1) & np.isfinite(lo)
        rng = np.where(all_placed, hi - lo, np.nan)
        # contiguous: no placed non-member strictly inside (lo, hi); unknown with unplaced members
        inside = placed & (~member) & (pos > lo[:, None]) & (pos < hi[:, None])
        connected = ~inside.any(axis=1) & all_placed
        return {
            "masks": masks,
            "member": member,
            "seats": seats,
            "feasible": feasible,
            "min_member": min_member,
            "range": rng,
            "connected": connected,
            "placed": all_placed,
        }

    def record(self, mask: int, facts: dict[str, np.ndarray], flags: dict[str, bool]) -> Coalition:
        seats = int(facts["seats"][mask])
        members = self.members(mask)
        pivotal = tuple(p for p in members if seats - int(self.weights[self.players.index(p)]) < self.quota)
        r = facts["range"][mask]
        return Coalition(
            parties=members,
            seats=seats,
            majority=2 * seats - self.basis,
            surplus=seats - self.quota,
            n_parties=len(members),
            range=None if np.isnan(r) else round(float(r), 6),
            connected=bool(facts["connected"][mask]) if facts["placed"][mask] else None,
            pivotal=pivotal,
            **flags,
        )


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
        raise InputError(f"--top must be positive, got {top}")
    game = _Game(parliament, threshold, excluded, incompatible)
    f = game.table()
    masks, seats, q = f["masks"], f["seats"], game.quota
    winning = f["feasible"] & (seats >= q) & (masks > 0)
    minimal = winning & (seats - f["min_member"] < q)
    # minimal connected winning: connected winning, and dropping any member loses or disconnects
    mcw = winning & f["connected"]
    for i in range(len(game.players)):
        has = (masks >> i) & 1 == 1
        without = masks & ~np.int64(1 << i)
        still = winning[without] & f["connected"][without] & (without > 0)
        mcw &= ~(has & still)
    flags_minimum = winning & (seats == (seats[winning].min() if winning.any() else -1))
    rng = f["range"]
    ranged = minimal & f["placed"]
    min_range = rng[ranged].min() if ranged.any() else np.nan
    flags_range = ranged & np.isclose(rng, min_range)
    n_members = f["member"].sum(axis=1)
    fewest = minimal & (n_members == (n_members[minimal].min() if minimal.any() else -1))

    chosen = np.flatnonzero(minimal if minimal_only else winning)
    sort_keys = {
        "seats": (seats[chosen], n_members[chosen]),
        "surplus": (seats[chosen], n_members[chosen]),
        "parties": (n_members[chosen], seats[chosen]),
        "range": (np.nan_to_num(rng[chosen], nan=np.inf), seats[chosen]),
    }[order]
    # lexsort: last key is primary; final tie-break on the mask (party order of the parliament)
    idx = chosen[np.lexsort((chosen, sort_keys[1], sort_keys[0]))]
    if top is not None:
        idx = idx[:top]
    rows = tuple(
        game.record(
            int(m),
            f,
            {
                "minimal_winning": bool(minimal[m]),
                "minimum_winning": bool(flags_minimum[m]),
                "minimal_connected_winning": bool(mcw[m]),
                "minimal_range": bool(flags_range[m]),
                "fewest_parties": bool(fewest[m]),
            },
        )
        for m in idx
    )
    return CoalitionTable(
        parliament=parliament.name,
        threshold=str(threshold),
        quota=q,
        basis=game.basis,
        players=game.players,
        excluded=game.excluded,
        coalitions=rows,
        total_winning=int(winning.sum()),
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
    group = parliament.parse_party_list(group, "--with")
    table = coalitions(parliament, threshold, excluded=excluded, incompatible=incompatible)
    game = _Game(parliament, threshold, excluded, incompatible)
    gmask = game.mask_of(group)
    for f in game.forbidden:
        if gmask & f == f:
            raise InputError(f"the group {'+'.join(group)} contains an incompatible pair")
    f = game.table()
    seats = int(f["seats"][gmask])
    q = game.quota
    shortfall = max(0, q - seats)
    pivotal = tuple(p for p in group if seats >= q and seats - int(game.weights[game.players.index(p)]) < q)
    masks, all_seats = f["masks"], f["seats"]
    partners_mask = masks & ~np.int64(gmask)
    is_superset = (masks & gmask) == gmask
    win = f["feasible"] & (all_seats >= q)
    candidates = is_superset & win & (partners_mask > 0) if shortfall else np.zeros_like(win)
    # minimal completion: dropping any partner loses (or the pair becomes infeasible: then it is needed)
    minimal_c = candidates.copy()
    for i in range(len(game.players)):
        bit = np.int64(1 << i)
        is_partner = (partners_mask & bit) != 0
        minimal_c &= ~(is_partner & win[masks & ~bit])
    chosen = np.flatnonzero(minimal_c)
    n_partners = np.array([bin(int(m)).count("1") for m in partners_mask[chosen]], dtype=np.int64)
    idx = chosen[np.lexsort((chosen, all_seats[chosen], n_partners))]
    if top is not None:
        idx = idx[:top]
    lookup = {frozenset(c.parties): c for c in table.coalitions}
    rows = tuple(lookup[frozenset(game.members(int(m)))] for m in idx)
    partners = tuple(tuple(p for p in c.parties if p not in group) for c in rows)
    return Completion(
        group=group,
        seats=seats,
        quota=q,
        basis=game.basis,
        shortfall=shortfall,
        majority=2 * seats - game.basis,
        pivotal=pivotal,
        completions=rows,
        partners=partners,
    )
