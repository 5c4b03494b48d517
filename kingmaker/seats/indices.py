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
from kingmaker.provenance import frame_html, json_result


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

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form for JSON."""
        return {
            "gallagher": self.gallagher,
            "loosemore_hanby": self.loosemore_hanby,
            "enp_votes": self.enp_votes,
            "enp_seats": self.enp_seats,
            "seat_minus_vote_share": dict(zip(self.parties, self.gaps, strict=True)),
        }

    def to_frame(self) -> Any:
        """One row per party: seat share minus vote share (points); the indices in ``attrs``."""
        import pandas as pd

        frame = pd.DataFrame(
            {"seat_minus_vote_share": list(self.gaps)}, index=pd.Index(list(self.parties), name="party")
        )
        frame.attrs.update({k: v for k, v in self.to_dict().items() if k != "seat_minus_vote_share"})
        return frame

    def _repr_html_(self) -> str:
        caption = (
            f"Gallagher {self.gallagher:.2f}, Loosemore-Hanby {self.loosemore_hanby:.2f}, "
            f"ENP votes {self.enp_votes:.2f}, seats {self.enp_seats:.2f}"
        )
        return frame_html(self, caption)


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
