"""The results of the coalition analysis: one :class:`Coalition` row, the :class:`CoalitionTable` of
every winning coalition, and the :class:`Completion` of a group of parties. Rows are stored as
NumPy columns (:mod:`kingmaker._coalition_rows`) and built into objects only when read;
:mod:`kingmaker.coalitions` computes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from kingmaker._coalition_rows import _Rows
from kingmaker.provenance import frame_html, json_ready


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

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """Plain data (lists, not tuples) for JSON; ``places`` rounds the range."""
        d = {f: getattr(self, f) for f in _FIELDS}
        d["parties"] = list(self.parties)
        d["pivotal"] = list(self.pivotal)
        return json_ready(d, places)

    def to_frame(self):  # -> pandas.DataFrame
        """One row: this coalition, party lists joined with '+'."""
        import pandas as pd

        d = self.to_dict()
        d["parties"] = "+".join(self.parties)
        d["pivotal"] = "+".join(self.pivotal)
        return pd.DataFrame([d])

    def _repr_html_(self) -> str:
        return frame_html(self)


_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Coalition))


@dataclass(frozen=True)
class CoalitionTable:
    """All winning coalitions of a parliament under one threshold, sorted by ``order``.

    ``coalitions`` is a sequence that builds each :class:`Coalition` when read; :meth:`iter_dicts`
    streams the rows as plain data without building them (for JSON of millions of rows).
    """

    parliament: str
    threshold: str
    quota: int
    basis: int
    players: tuple[str, ...]
    excluded: tuple[str, ...]
    coalitions: Sequence[Coalition]
    total_winning: int
    total_minimal_winning: int | None = None

    def __len__(self) -> int:
        return len(self.coalitions)

    def __iter__(self):
        return iter(self.coalitions)

    def find(self, parties: Iterable[str]) -> Coalition | None:
        """The coalition with exactly these parties, if it is in the table."""
        key = set(parties)
        if isinstance(self.coalitions, _Rows):
            if not key <= set(self.players):
                return None
            at = self.coalitions.position(sum(1 << self.players.index(p) for p in key))
            return None if at is None else self.coalitions[at]
        return next((c for c in self.coalitions if set(c.parties) == key), None)

    def iter_dicts(self) -> Iterator[dict[str, Any]]:
        """Each coalition as :meth:`Coalition.to_dict` gives it, streamed (no Coalition objects)."""
        if isinstance(self.coalitions, _Rows):
            return self.coalitions.iter_dicts()
        return (c.to_dict() for c in self.coalitions)

    def iter_json(self) -> Iterator[str]:
        """Each row of :meth:`iter_dicts` as its ``json.dumps(..., ensure_ascii=False)`` text, streamed."""
        if isinstance(self.coalitions, _Rows):
            return self.coalitions.iter_json()
        return (json.dumps(d, ensure_ascii=False) for d in self.iter_dicts())

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def head(self) -> dict[str, Any]:
        """Everything in :meth:`to_dict` but the coalition rows (for streamed output)."""
        return {
            "parliament": self.parliament,
            "threshold": self.threshold,
            "quota": self.quota,
            "basis": self.basis,
            "players": list(self.players),
            "excluded": list(self.excluded),
            "total_winning": self.total_winning,
        }

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """The table as JSON: the game (quota, basis, players) and every coalition row."""
        rows = self.iter_dicts()
        return {
            **self.head(),
            "coalitions": list(rows) if places is None else [json_ready(d, places) for d in rows],
        }

    def to_frame(self):  # -> pandas.DataFrame
        """One row per coalition; party lists joined with '+'."""
        import pandas as pd

        rows = []
        for d in self.iter_dicts():
            d["parties"] = "+".join(d["parties"])
            d["pivotal"] = "+".join(d["pivotal"])
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
    completions: Sequence[Coalition]

    @property
    def wins(self) -> bool:
        return self.shortfall == 0

    @property
    def partners(self) -> tuple[tuple[str, ...], ...]:
        """Each completion's parties outside the group."""
        return tuple(tuple(p for p in c.parties if p not in self.group) for c in self.completions)

    def iter_dicts(self) -> Iterator[dict[str, Any]]:
        """Each completion as ``{"partners": [...], **coalition}``, streamed."""
        if isinstance(self.completions, _Rows):
            rows = self.completions
            gmask = sum(1 << rows.players.index(p) for p in self.group)
            return rows.iter_dicts(without=gmask)
        return (
            {"partners": list(p), **c.to_dict()} for p, c in zip(self.partners, self.completions, strict=True)
        )

    def iter_json(self) -> Iterator[str]:
        """Each row of :meth:`iter_dicts` as its ``json.dumps(..., ensure_ascii=False)`` text, streamed."""
        if isinstance(self.completions, _Rows):
            gmask = sum(1 << self.completions.players.index(p) for p in self.group)
            return self.completions.iter_json(without=gmask)
        return (json.dumps(d, ensure_ascii=False) for d in self.iter_dicts())

    def head(self) -> dict[str, Any]:
        """Everything in :meth:`to_dict` but the completions."""
        return {
            "group": list(self.group),
            "seats": self.seats,
            "quota": self.quota,
            "basis": self.basis,
            "shortfall": self.shortfall,
            "majority": self.majority,
            "wins": self.wins,
            "pivotal": list(self.pivotal),
        }

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """The group's seats, shortfall or majority, pivotal members and each completion."""
        rows = self.iter_dicts()
        return {
            **self.head(),
            "completions": list(rows) if places is None else [json_ready(d, places) for d in rows],
        }

    def to_frame(self):  # -> pandas.DataFrame
        """One row per completion: the partners and the completed coalition."""
        import pandas as pd

        rows = []
        for p, c in zip(self.partners, self.completions, strict=True):
            d = c.to_dict()
            d["partners"] = "+".join(p)
            d["parties"] = "+".join(c.parties)
            d["pivotal"] = "+".join(c.pivotal)
            rows.append(d)
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        status = f"majority of {self.majority}" if self.wins else f"short by {self.shortfall}"
        return frame_html(self, f"{'+'.join(self.group)}: {self.seats} seats, {status}")
