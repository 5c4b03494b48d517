"""Disproportionality indices: how far seat shares are from vote shares.

- Gallagher least-squares index: ``sqrt(sum((v_i - s_i)**2) / 2)`` in percentage points.
- Loosemore-Hanby index: ``sum(|v_i - s_i|) / 2`` in percentage points.
- Effective number of parties (Laakso-Taagepera): ``1 / sum(p_i**2)``, by votes and by seats.
- Each party's seat share minus its vote share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kingmaker.errors import InputError


def _shares(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if np.any(arr < 0):
        raise InputError("votes and seats cannot be negative")
    total = arr.sum()
    if total <= 0:
        raise InputError("shares need a positive total")
    return arr / total


def gallagher(votes: Sequence[float] | np.ndarray, seats: Sequence[float] | np.ndarray) -> float:
    """Gallagher least-squares index, in percentage points (0 = perfectly proportional)."""
    v, s = _shares(votes), _shares(seats)
    return float(np.sqrt(((v - s) ** 2).sum() / 2) * 100)


def loosemore_hanby(votes: Sequence[float] | np.ndarray, seats: Sequence[float] | np.ndarray) -> float:
    """Loosemore-Hanby index, in percentage points."""
    v, s = _shares(votes), _shares(seats)
    return float(np.abs(v - s).sum() / 2 * 100)


def effective_number_of_parties(values: Sequence[float] | np.ndarray) -> float:
    """Laakso-Taagepera effective number of parties of a vote or seat distribution."""
    p = _shares(values)
    return float(1 / (p**2).sum())


def seat_vote_gaps(votes: Sequence[float] | np.ndarray, seats: Sequence[float] | np.ndarray) -> np.ndarray:
    """Each party's seat share minus its vote share, in percentage points."""
    return (_shares(seats) - _shares(votes)) * 100


@dataclass(frozen=True)
class Disproportionality:
    """All indices of one allocation; gaps are per party, in percentage points."""

    gallagher: float
    loosemore_hanby: float
    enp_votes: float
    enp_seats: float
    parties: tuple[str, ...]
    gaps: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form for JSON."""
        return {
            "gallagher": self.gallagher,
            "loosemore_hanby": self.loosemore_hanby,
            "enp_votes": self.enp_votes,
            "enp_seats": self.enp_seats,
            "seat_minus_vote_share": dict(zip(self.parties, self.gaps, strict=True)),
        }


def disproportionality(
    votes: Sequence[float] | np.ndarray,
    seats: Sequence[float] | np.ndarray,
    parties: Sequence[str] | None = None,
) -> Disproportionality:
    """Every index for one vote and seat distribution."""
    parties = tuple(parties) if parties is not None else tuple(str(i) for i in range(len(votes)))
    return Disproportionality(
        gallagher=gallagher(votes, seats),
        loosemore_hanby=loosemore_hanby(votes, seats),
        enp_votes=effective_number_of_parties(votes),
        enp_seats=effective_number_of_parties(seats),
        parties=parties,
        gaps=tuple(float(g) for g in seat_vote_gaps(votes, seats)),
    )
