"""Several seat systems on one vote table, side by side (``kingmaker seats compare``).

:func:`compare_systems` runs each system by name on the same table and the same house, and
returns a :class:`Comparison`: every allocation, the parties worth showing (those with seats
under some system or at least :data:`SHOWN_SHARE` of the votes), their vote shares, the seats
per system, and the notes and ties of all systems, each note once with the systems it applies to.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kingmaker.errors import InputError
from kingmaker.seats.allocation import Allocation, VoteThreshold, round_floats
from kingmaker.seats.registry import SYSTEMS, normalise_name, takes_house
from kingmaker.ties import TieBreak, TiePolicy

if TYPE_CHECKING:
    import pandas as pd

    from kingmaker.votes import VoteTable

#: A party without seats is shown when it has at least this share of the votes.
SHOWN_SHARE = 0.005


def shown(alloc: Allocation, min_share: float = SHOWN_SHARE) -> list[int]:
    """Columns of ``alloc`` worth a row: parties with seats or at least ``min_share`` of the
    votes, most seats first (then most votes)."""
    vs = alloc.vote_shares()
    order = sorted(range(len(alloc.parties)), key=lambda i: (-alloc.seats[i], -alloc.votes[i]))
    return [i for i in order if alloc.seats[i] > 0 or vs[i] >= min_share]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Seats under several systems from one vote table, every system filling the same ``house``.

    ``systems`` are the names as asked (the column names), ``results`` their allocations,
    ``parties`` every party shown by some system (in order of first appearance, each system's
    largest first), ``vote_shares`` each party's share of the votes (fractions).
    """

    house: int
    systems: tuple[str, ...]
    results: Mapping[str, Allocation]
    parties: tuple[str, ...]
    vote_shares: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "systems", tuple(self.systems))
        object.__setattr__(self, "parties", tuple(self.parties))
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))
        object.__setattr__(self, "vote_shares", MappingProxyType(dict(self.vote_shares)))

    def seats(self, system: str) -> dict[str, int]:
        """``{party: seats}`` under ``system`` for every party shown (0 where it has none)."""
        alloc = self.results[system].as_dict()
        return {p: alloc.get(p, 0) for p in self.parties}

    def rows(self) -> list[dict[str, Any]]:
        """One dict per party shown: ``party``, ``vote_share`` and the seats under each system."""
        per = {s: self.seats(s) for s in self.systems}
        return [
            {
                "party": p,
                "vote_share": float(self.vote_shares.get(p, 0.0)),
                **{s: per[s][p] for s in self.systems},
            }
            for p in self.parties
        ]

    @property
    def grown(self) -> bool:
        """Whether a system that fills the house given ended up larger (overhang seats)."""
        return any(r.house_size != self.house for s, r in self.results.items() if takes_house(s))

    def notes(self) -> dict[str, tuple[str, ...]]:
        """Every note of every system, once each, with the systems it applies to."""
        shared: dict[str, list[str]] = {}
        for s, r in self.results.items():
            for note in r.notes:
                shared.setdefault(note, []).append(s)
        return {note: tuple(where) for note, where in shared.items()}

    def ties(self) -> list[tuple[str, TieBreak]]:
        """Every tie broken, with the system that broke it."""
        return [(s, t) for s, r in self.results.items() for t in r.ties]

    def to_dict(self, *, places: int | None = None) -> dict[str, Any]:
        """JSON-safe: the house, every system's full allocation and the rows (floats rounded to
        ``places`` decimals when given)."""
        return round_floats(
            {
                "house": self.house,
                "systems": {s: r.to_dict() for s, r in self.results.items()},
                "rows": self.rows(),
            },
            places,
        )

    def to_frame(self) -> pd.DataFrame:
        """pandas DataFrame, one row per party shown: vote share and the seats per system."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=["party", "vote_share", *self.systems])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(s)}</th>" for s in self.systems)
        body = "".join(
            f"<tr><td>{html.escape(row['party'])}</td><td>{row['vote_share'] * 100:.1f}</td>"
            + "".join(f"<td>{row[s]}</td>" for s in self.systems)
            + "</tr>"
            for row in self.rows()
        )
        total = "".join(f"<td>{self.results[s].house_size}</td>" for s in self.systems)
        return (
            f"<p>seats by system, house of {self.house}</p>"
            f"<table><tr><th>party</th><th>vote %</th>{head}</tr>{body}"
            f"<tr><td>total</td><td>100.0</td>{total}</tr></table>"
        )

    def __repr__(self) -> str:
        return f"Comparison(house {self.house}: {', '.join(self.systems)})"


def compare_systems(
    table: VoteTable,
    systems: Sequence[str] | str,
    *,
    house: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
    combine: bool = True,
    **options: Any,
) -> Comparison:
    """Run each of ``systems`` (names, or one comma-separated string) on ``table``.

    Every system fills the same house: ``house``, default the seats the districts return (list
    systems allocate it all; mixed systems split it into a scaled constituency tier and a list
    tier; first past the post and AV fill one seat per district). ``options`` go to the systems
    that take them (e.g. ``transfers`` to ``av`` and ``av-plus``); one that no system takes is
    an :class:`~kingmaker.errors.InputError`. With ``combine`` (default) repeated-candidate
    columns are folded into their party (:meth:`Allocation.combined`).
    """
    from kingmaker.seats import allocate

    names = (
        [s.strip() for s in systems.split(",")]
        if isinstance(systems, str)
        else [str(s).strip() for s in systems]
    )
    names = list(dict.fromkeys(s for s in names if s))
    if not names:
        raise InputError("a comparison needs at least one system")
    entries = {s: SYSTEMS.get(normalise_name(s), what="system") for s in names}
    taken = {o for e in entries.values() for o in e.options}
    unused = sorted(set(options) - taken)
    if unused:
        raise InputError(f"no system compared takes the option(s) {', '.join(map(repr, unused))}")
    size = house if house is not None else int(table.seat_magnitudes().sum())
    results: dict[str, Allocation] = {}
    for s, entry in entries.items():
        own = {k: v for k, v in options.items() if k in entry.options}
        alloc = allocate(table, s, seats=house, level=level, threshold=threshold, tie=tie, seed=seed, **own)
        results[s] = alloc.combined() if combine else alloc
    parties: list[str] = []
    for r in results.values():
        for i in shown(r):
            if r.parties[i] not in parties:
                parties.append(r.parties[i])
    first = next(iter(results.values()))
    shares = {p: float(v) for p, v in zip(first.parties, first.vote_shares(), strict=True)}
    return Comparison(
        house=size, systems=tuple(names), results=results, parties=tuple(parties), vote_shares=shares
    )


__all__ = ["SHOWN_SHARE", "Comparison", "compare_systems", "shown"]
