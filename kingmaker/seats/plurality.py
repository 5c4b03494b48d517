"""First past the post per district, seat totals, majorities and marginality.

A seat's *majority* is the winner's lead over the runner-up in votes; its *majority share* is
that lead as a fraction of the valid votes; the *swing needed* for the runner-up to win (uniform
two-party Butler swing) is half the majority share.

Registers ``fptp`` in :data:`~kingmaker.seats.registry.SYSTEMS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.errors import InputError
from kingmaker.seats.allocation import Allocation
from kingmaker.seats.registry import DISTRICT_HOUSE, SYSTEMS
from kingmaker.ties import TieBreak, TiePolicy, as_tie_policy
from kingmaker.votes import VoteTable


def plurality_winners(
    table: VoteTable, tie: str | TiePolicy = "most-votes", seed: int | None = None
) -> tuple[np.ndarray, list[TieBreak]]:
    """Column of each district's winner (most votes) and the ties broken.

    A tie for first place has no 'most votes' to break it, so the ``most-votes`` policy raises;
    use ``lot`` (the returning officer's lot) with a seed.
    """
    policy = as_tie_policy(tie, seed)
    votes = table.votes
    if np.any(table.seat_magnitudes() != 1):
        raise InputError("first past the post needs single-member districts", source=table.source)
    winners = votes.argmax(axis=1)
    top = votes[np.arange(len(winners)), winners]
    ties: list[TieBreak] = []
    rng = policy.generator()
    tied_rows = np.flatnonzero((votes == top[:, None]).sum(axis=1) > 1)
    for d in tied_rows:
        tied = [int(p) for p in np.flatnonzero(votes[d] == top[d])]
        chosen = policy.choose(tied, 1, votes[d], table.parties, table.ids[d], rng)
        winners[d] = chosen[0]
        ties.append(
            TieBreak(
                district=table.ids[d],
                seats=1,
                tied=tuple(table.parties[p] for p in tied),
                winners=(table.parties[chosen[0]],),
                policy=policy.label,
            )
        )
    return winners, ties


def fptp(table: VoteTable, *, tie: str | TiePolicy = "most-votes", seed: int | None = None) -> Allocation:
    """First past the post in every (single-member) district of ``table``."""
    winners, ties = plurality_winners(table, tie, seed)
    return single_member_allocation(table, winners, "fptp", ties=ties)


@SYSTEMS.register(
    "fptp",
    summary="first past the post in every district",
    properties=("fills-seats", "seeded", "permutation-invariant"),
    house=DISTRICT_HOUSE,
)
def _fptp_system(table: VoteTable, *, tie: str | TiePolicy = "most-votes", **_common: Any) -> Allocation:
    """:func:`fptp` as a seat system: one seat per district, so the house size, level and
    threshold :func:`kingmaker.seats.allocate` passes do not apply."""
    return fptp(table, tie=tie)


def single_member_allocation(
    table: VoteTable,
    winners: np.ndarray,
    method: str,
    *,
    ties: Sequence[TieBreak] = (),
    notes: Sequence[str] = (),
) -> Allocation:
    """One seat per district of ``table`` to the party column ``winners[d]`` (e.g. from
    :func:`plurality_winners`), as an :class:`Allocation` labelled ``method``."""
    ds = np.zeros(table.votes.shape, dtype=np.int64)
    ds[np.arange(table.n_districts), winners] = 1
    return Allocation(
        method=method,
        parties=table.parties,
        seats=ds.sum(axis=0),
        votes=table.totals(),
        districts=table.ids,
        district_seats=ds,
        ties=tuple(ties),
        groups=table.groups,
        notes=tuple(notes),
    )


@dataclass(frozen=True, eq=False)
class Marginality:
    """Winner, runner-up, majority and swing needed in every district of a table."""

    table: VoteTable
    winner: np.ndarray
    runner_up: np.ndarray
    majority: np.ndarray
    majority_share: np.ndarray

    @property
    def swing_needed(self) -> np.ndarray:
        """Swing from winner to runner-up that would tie the seat: half the majority share."""
        return self.majority_share / 2

    def to_frame(self) -> Any:
        """pandas DataFrame, one row per district, sorted as in the table."""
        import pandas as pd

        t = self.table
        return pd.DataFrame(
            {
                "district": list(t.districts),
                "code": list(t.ids),
                "region": list(t.regions) if t.regions else None,
                "winner": [t.parties[i] for i in self.winner],
                "runner_up": [t.parties[i] if i >= 0 else None for i in self.runner_up],
                "majority": self.majority,
                "majority_share": self.majority_share,
                "swing_needed": self.swing_needed,
            }
        )

    def most_marginal(self, n: int = 10) -> Any:
        """The ``n`` seats with the smallest majority share."""
        return self.to_frame().sort_values(["majority_share", "district"]).head(n)

    def safest(self, n: int = 10) -> Any:
        """The ``n`` seats with the largest majority share."""
        return self.to_frame().sort_values(["majority_share", "district"], ascending=[False, True]).head(n)

    def targets(self, party: str, n: int | None = None) -> Any:
        """Seats ``party`` came second in, easiest first (smallest swing needed)."""
        p = self.table.party_index(party)
        frame = self.to_frame()
        frame = frame[self.runner_up == p].sort_values(["swing_needed", "district"])
        return frame if n is None else frame.head(n)

    def defences(self, party: str, n: int | None = None) -> Any:
        """Seats ``party`` holds, most vulnerable first."""
        p = self.table.party_index(party)
        frame = self.to_frame()
        frame = frame[self.winner == p].sort_values(["swing_needed", "district"])
        return frame if n is None else frame.head(n)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python rows for JSON."""
        return {"districts": self.to_frame().to_dict(orient="records")}


def marginality(table: VoteTable, *, tie: str | TiePolicy = "lot", seed: int | None = 0) -> Marginality:
    """Majority and swing needed in every district (a first-place tie has majority 0)."""
    winners, _ = plurality_winners(table, tie, seed)
    votes = table.votes
    rows = np.arange(table.n_districts)
    top = votes[rows, winners]
    rest = votes.copy()
    rest[rows, winners] = -1
    runner = rest.argmax(axis=1)
    second = rest[rows, runner]
    runner = np.where(second <= 0, -1, runner)
    second = np.maximum(second, 0)
    majority = top - second
    totals = table.total_votes()
    share = np.where(totals > 0, majority / np.maximum(totals, 1), 0.0)
    return Marginality(table, winners, runner, majority, share)
