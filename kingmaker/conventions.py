"""Who votes in a House whose seats come from a projection or a simulation: :class:`SeatConventions`.

A :class:`~kingmaker.parliament.Parliament` read from a preset lists its non-voting members. A
projected or simulated House has only seats per party, so the conventions are rules applied to
those seats:

* the Speaker's seats (party ``speaker``) never vote;
* ``abstaining`` parties (Sinn Féin) do not take their seats;
* ``deputies``: the Deputy Speakers, who do not vote, drawn by convention from both sides:
  ``(1, 2)`` means one from the largest voting party and two from the second largest, which
  reproduces the House of 2010, 2015 and 2017 (one Conservative, two Labour).

One vectorised implementation, :meth:`SeatConventions.non_voting_seats` on a ``(sims, parties)``
seat matrix, serves the single House of a projection (:meth:`SeatConventions.non_voting`, one
row) and the many Houses of a forecast (:meth:`SeatConventions.arithmetic`); the thresholds are
:func:`kingmaker.parliament.majority_of` of the house and of the voting members, as in
:class:`~kingmaker.parliament.Parliament`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kingmaker.parliament import Parliament, majority_of
from kingmaker.parties import NonVoting

#: Party names taken to be the Speaker.
SPEAKER_NAMES: tuple[str, ...] = ("speaker", "spk")
#: Party names taken to be Sinn Féin (abstentionists).
ABSTAINING_NAMES: tuple[str, ...] = ("sf", "sinn fein", "sinn féin")


@dataclass(frozen=True)
class SeatConventions:
    """Who does not vote in a House given only seats per party (see the module docstring)."""

    speaker: str | None = None
    abstaining: tuple[str, ...] = ()
    deputies: tuple[int, ...] = (1, 2)

    @classmethod
    def uk(cls, parties: Iterable[str]) -> SeatConventions:
        """House of Commons conventions for these party names (Speaker/Spk, SF)."""
        names = tuple(parties)
        spk = next((p for p in names if p.lower() in SPEAKER_NAMES), None)
        abstain = tuple(p for p in names if p.lower() in ABSTAINING_NAMES)
        return cls(spk, abstain, (1, 2))

    def _deputy_columns(self, seats: np.ndarray, parties: Sequence[str]) -> tuple[np.ndarray, list]:
        """Seats of the Speaker and abstainers ``(S, P)``, and per deputy rank the column chosen
        in each simulation with the number of deputies it gives (0 where no party is left)."""
        seats = np.asarray(seats, dtype=np.int64)
        n, n_p = seats.shape
        out = np.zeros_like(seats)
        eligible = np.ones(n_p, dtype=bool)
        names = list(parties)
        for name in (self.speaker, *self.abstaining):
            if name and name in names:
                j = names.index(name)
                out[:, j] = seats[:, j]
                eligible[j] = False
        ranked = np.where(eligible[None, :] & (seats > 0), seats, -1)
        rows = np.arange(n)
        ranks = []
        for count in self.deputies:
            top = ranked.argmax(axis=1)  # the first largest: ties go to the earlier column
            given = np.where(ranked[rows, top] > 0, np.minimum(count, seats[rows, top]), 0)
            ranks.append((top, given))
            ranked[rows, top] = -1
        return out, ranks

    def non_voting_seats(self, seats: np.ndarray, parties: Sequence[str]) -> np.ndarray:
        """Non-voting seats ``(S, P)`` for ``(S, P)`` seat counts with columns ``parties``."""
        out, ranks = self._deputy_columns(seats, parties)
        rows = np.arange(out.shape[0])
        for top, given in ranks:
            out[rows, top] += given
        return out

    def arithmetic(self, seats: np.ndarray, parties: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
        """Voting seats ``(S, P)``, the working-majority threshold per row, and the absolute
        majority, for ``(S, P)`` seat counts (every row the same house size)."""
        seats = np.asarray(seats).astype(np.int32)
        voting = seats - self.non_voting_seats(seats, parties).astype(np.int32)
        house = int(seats[0].sum()) if len(seats) else 0
        return voting, majority_of(voting.sum(axis=1)), majority_of(house)

    def non_voting(self, seats: Mapping[str, int]) -> tuple[NonVoting, ...]:
        """The :class:`~kingmaker.parliament.NonVoting` entries for one seat distribution."""
        parties = list(seats)
        row = np.array([[int(seats[p]) for p in parties]], dtype=np.int64)
        _, ranks = self._deputy_columns(row, parties)
        out: list[NonVoting] = []
        if self.speaker and seats.get(self.speaker, 0):
            out.append(NonVoting(self.speaker, seats[self.speaker], "speaker", "The Speaker does not vote."))
        for p in self.abstaining:
            if seats.get(p, 0):
                out.append(NonVoting(p, seats[p], "abstention", f"{p} MPs do not take their seats."))
        for top, given in ranks:
            if given[0]:
                out.append(
                    NonVoting(parties[top[0]], int(given[0]), "deputy", "Deputy Speaker(s) by convention.")
                )
        return tuple(out)

    def parliament(self, seats: Mapping[str, int], name: str = "projection") -> Parliament:
        """A :class:`Parliament` of these seats (parties with no seat left out) and conventions."""
        kept = {p: int(s) for p, s in seats.items() if s > 0}
        return Parliament.from_seats(kept, non_voting=self.non_voting(kept), name=name)


__all__ = ["ABSTAINING_NAMES", "SPEAKER_NAMES", "SeatConventions"]
