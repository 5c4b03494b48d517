"""What describes one possible government: the features of the formation model and the theories.

A :class:`Situation` is one formation opportunity: the parties with seats, their left-right
positions, the house and its majority, the previous cabinet and its prime minister's party, and
(for past formations) the government that formed. :func:`describe` computes, for every
alternative of :func:`~kingmaker.formation.alternatives.enumerate_alternatives`, the features of
Martin & Stevenson (2001, AJPS 45:33-50, "Government formation in parliamentary democracies")
plus two that the coalition literature justifies:

========================  ==================================================================
``minority``              fewer seats than an absolute majority (Strøm 1990)
``minimal_winning``       winning, and every member pivotal (Riker 1962); surplus majority
                          governments are the reference category
``n_parties``             number of parties (bargaining costs; Leiserson 1966)
``range``                 left-right distance between its outermost placed members (de Swaan)
``connected``             no placed non-member sits strictly inside its range (Axelrod 1970)
``largest_in``            holds the largest party (Martin & Stevenson's formateur advantage)
``median_in``             holds the party of the median member on left-right (Laver & Schofield)
``incumbent``             the same parties as the previous cabinet (Martin & Stevenson)
``prev_pm_in``            holds the previous prime minister's party
``unplaced``              number of members without a left-right position (so that a missing
                          position does not pass for a narrow range)
========================  ==================================================================

The theory flags (:data:`THEORIES`) follow the definitions of :mod:`kingmaker.coalitions`
exactly (the tests check that they agree), computed over all subsets before the size bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kingmaker.errors import InputError
from kingmaker.formation.alternatives import DEFAULT_MAX_SIZE, Alternatives, enumerate_alternatives

#: Feature name -> what it measures (the model's covariates, in this order).
FEATURES: dict[str, str] = {
    "minority": "fewer seats than an absolute majority",
    "minimal_winning": "winning, and every member pivotal",
    "n_parties": "number of parties",
    "range": "left-right range of its placed members (0-10 scale)",
    "connected": "no placed non-member inside its left-right range",
    "largest_in": "holds the largest party",
    "median_in": "holds the median party on left-right",
    "incumbent": "same parties as the previous cabinet",
    "prev_pm_in": "holds the previous prime minister's party",
    "unplaced": "members without a left-right position",
}

#: Theory name -> description (each names a set of governments; the baselines pick among them).
THEORIES: dict[str, str] = {
    "minimal_winning": "minimal winning: every member pivotal (von Neumann-Morgenstern; Riker)",
    "minimum_winning": "minimum winning: the winning governments with the fewest seats (Riker)",
    "minimal_connected_winning": "minimal connected winning (Axelrod 1970)",
    "minimal_range": "minimal winning with the smallest left-right range (Leiserson; de Swaan)",
    "fewest_parties": "minimal winning with the fewest parties (Leiserson's bargaining proposition)",
    "largest_alone": "the largest party governs alone",
}


@dataclass(frozen=True, eq=False)
class Situation:
    """One formation opportunity (see the module docstring)."""

    label: str
    parties: tuple[str, ...]
    seats: np.ndarray
    positions: np.ndarray
    house: int
    quota: int
    previous: tuple[str, ...] = ()
    previous_pm: str | None = None
    formed: tuple[str, ...] | None = None
    country: str = ""
    year: int = 0
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.parties) != len(self.seats) or len(self.parties) != len(self.positions):
            raise InputError(f"{self.label}: parties, seats and positions differ in length")
        if (np.asarray(self.seats) <= 0).any():
            raise InputError(f"{self.label}: every party of a formation needs at least one seat")
        for group, what in ((self.previous, "previous cabinet"), (self.formed or (), "government")):
            unknown = [p for p in group if p not in self.parties]
            if unknown:
                raise InputError(f"{self.label}: {what} party {', '.join(unknown)} has no seats here")
        if self.previous_pm is not None and self.previous_pm not in self.parties:
            object.__setattr__(self, "previous_pm", None)  # the old PM's party lost its seats


@dataclass(frozen=True, eq=False)
class Described:
    """A situation's alternatives with their feature matrix and theory flags."""

    situation: Situation
    alternatives: Alternatives
    X: np.ndarray
    seats: np.ndarray
    theories: dict[str, np.ndarray]

    @property
    def chosen(self) -> int | None:
        """Row of the government that formed, if known and inside the bound."""
        formed = self.situation.formed
        return None if not formed else self.alternatives.index_of(formed)

    def feature_dict(self, row: int) -> dict[str, float]:
        """The features of one alternative by name."""
        return {name: float(self.X[row, j]) for j, name in enumerate(FEATURES)}


def median_party(seats: np.ndarray, positions: np.ndarray) -> int | None:
    """Index of the median party on left-right among placed parties: counting seats from the
    left, the party whose seats first pass half of the placed seats (the pivot of a majority
    from either end). Ties in position keep the parliament's order; None when none is placed."""
    placed = np.flatnonzero(~np.isnan(positions))
    if not placed.size:
        return None
    order = placed[np.argsort(positions[placed], kind="stable")]
    cum = np.cumsum(seats[order])
    return int(order[np.searchsorted(cum, cum[-1] / 2, side="right")])


def describe(situation: Situation, max_size: int = DEFAULT_MAX_SIZE) -> Described:
    """Features and theory flags of every alternative of ``situation``."""
    parties = situation.parties
    seats_p = np.asarray(situation.seats, dtype=np.int64)
    pos = np.asarray(situation.positions, dtype=float)
    n = len(parties)
    enumerate_alternatives(parties, max_size)  # validates the size before the full enumeration
    full = enumerate_alternatives(parties, n)
    member, masks = full.member, full.masks
    seats = member @ seats_p
    q = situation.quota
    winning = seats >= q
    big = np.iinfo(np.int64).max
    min_member = np.where(member, seats_p, big).min(axis=1)
    minimal = winning & (seats - min_member < q)
    placed = ~np.isnan(pos)
    inp = member & placed
    lo = np.where(inp, pos, np.inf).min(axis=1)
    hi = np.where(inp, pos, -np.inf).max(axis=1)
    any_placed = np.isfinite(lo)
    rng = np.where(any_placed, hi - lo, 0.0)
    all_placed = ~(member & ~placed).any(axis=1) & any_placed
    inside = placed & ~member & (pos > lo[:, None]) & (pos < hi[:, None])
    connected = ~inside.any(axis=1) & all_placed
    n_members = member.sum(axis=1)

    # theories, as kingmaker.coalitions defines them (over every subset)
    index = np.zeros(1 << n, dtype=np.int64) - 1
    index[masks] = np.arange(len(masks))
    mcw = winning & connected
    for i in range(n):
        has = member[:, i]
        without = masks & ~np.int64(1 << i)
        row = index[without]
        still = np.where(without > 0, winning[row] & connected[row], False)
        mcw &= ~(has & still)
    minimum = winning & (seats == (seats[winning].min() if winning.any() else -1))
    ranged = minimal & all_placed
    min_range = rng[ranged].min() if ranged.any() else np.nan
    min_range_flag = ranged & np.isclose(rng, min_range)
    fewest = minimal & (n_members == (n_members[minimal].min() if minimal.any() else -1))
    largest = seats_p == seats_p.max()
    largest_alone = (n_members == 1) & (member[:, largest].any(axis=1))

    med = median_party(seats_p, pos)
    median_in = member[:, med] if med is not None else np.zeros(len(masks), dtype=bool)
    prev_mask = sum(1 << parties.index(p) for p in situation.previous)
    incumbent = (masks == prev_mask) if prev_mask else np.zeros(len(masks), dtype=bool)
    if situation.previous_pm is not None:
        prev_pm_in = member[:, parties.index(situation.previous_pm)]
    else:
        prev_pm_in = np.zeros(len(masks), dtype=bool)

    columns = {
        "minority": ~winning,
        "minimal_winning": minimal,
        "n_parties": n_members,
        "range": rng,
        "connected": connected,
        "largest_in": member[:, largest].any(axis=1),
        "median_in": median_in,
        "incumbent": incumbent,
        "prev_pm_in": prev_pm_in,
        "unplaced": (member & ~placed).sum(axis=1),
    }
    keep = n_members <= max_size
    X = np.column_stack([np.asarray(columns[f], dtype=float)[keep] for f in FEATURES])
    flags = {
        "minimal_winning": minimal,
        "minimum_winning": minimum,
        "minimal_connected_winning": mcw,
        "minimal_range": min_range_flag,
        "fewest_parties": fewest,
        "largest_alone": largest_alone,
    }
    alts = Alternatives(parties, masks[keep], member[keep], max_size)
    return Described(situation, alts, X, seats[keep], {k: v[keep] for k, v in flags.items() if k in THEORIES})
