"""A parliament: parties, seats, left-right positions and the conventions that change the arithmetic.

Two thresholds matter when a parliament is hung:

* the **absolute majority**: more than half of all seats (326 of 650);
* the **working majority**: more than half of the members who actually vote. In the House of Commons
  the Speaker and the three Deputy Speakers do not vote, and Sinn Féin MPs do not take their seats,
  so in 2010 only 641 members voted and 321 was enough.

A :class:`Parliament` records both, explains each, and gives the weights and quota of the weighted
voting game that coalition and power analysis work on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path
from typing import Any, Literal

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.names import resolve, resolve_all
from kingmaker.parties import MAX_PARTY_SEATS, NonVoting, ParliamentFile, Party
from kingmaker.presets import PARLIAMENTS
from kingmaker.provenance import json_result

Threshold = Literal["absolute", "working"] | int

#: Presets shipped with the package (``kingmaker/presets/<name>.toml``), from the preset registry.
PRESETS: tuple[str, ...] = PARLIAMENTS.names()
DEFAULT_PRESET = "uk-2010"


def majority_of(members: Any) -> Any:
    """More than half of ``members`` (an int, or an array of them): ``members // 2 + 1``.

    The one formula behind both thresholds: the absolute majority is the majority of the house,
    the working majority that of the members who vote (also per simulation, in forecasts).
    """
    return members // 2 + 1


@dataclass(frozen=True)
class Parliament:
    """Seats per party plus the conventions that decide who votes.

    Build one with :meth:`preset`, :meth:`from_seats` or :meth:`read`; it validates on construction
    (no negative or non-integer seats, no duplicate names, at least one seat).
    """

    parties: tuple[Party, ...]
    non_voting: tuple[NonVoting, ...] = ()
    name: str = "custom"
    title: str = ""
    source: str = ""
    positions_source: str = ""
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.parties:
            raise InputError("the parliament is empty: give at least one party with seats")
        index: dict[str, int] = {}
        for i, party in enumerate(self.parties):
            _check_seats(party.name, party.seats)
            if not party.name.strip():
                raise InputError("a party has an empty name")
            if party.name in index:
                raise InputError(f"duplicate party name {party.name!r}")
            if party.position is not None and not _finite_number(party.position):
                raise InputError(
                    f"position of {party.name!r} must be a finite number, got {party.position!r}"
                )
            index[party.name] = i
        if sum(p.seats for p in self.parties) <= 0:
            raise InputError("the parliament has no seats: every party has 0")
        object.__setattr__(self, "_index", index)
        held: dict[str, int] = {}
        for nv in self.non_voting:
            if nv.party not in index:
                raise UnknownNameError(f"non-voting seats given for unknown party {nv.party!r}")
            _check_seats(f"{nv.party} (non-voting)", nv.seats)
            held[nv.party] = held.get(nv.party, 0) + nv.seats
            if held[nv.party] > self.parties[index[nv.party]].seats:
                raise InputError(
                    f"{nv.party} has {self.parties[index[nv.party]].seats} seats but "
                    f"{held[nv.party]} are declared non-voting"
                )

    # ----- construction -------------------------------------------------------------------
    @classmethod
    def preset(cls, name: str = DEFAULT_PRESET) -> Parliament:
        """An embedded parliament, e.g. ``Parliament.preset("uk-2010")``; see :data:`PRESETS`."""
        from kingmaker.io.parliament_file import parse_parliament_toml

        entry = PARLIAMENTS.get(name, what="preset")
        return cls._from_file(parse_parliament_toml(entry.obj.read_text("utf-8"), f"preset {entry.name}"))

    @classmethod
    def from_seats(
        cls,
        seats: Mapping[str, int],
        positions: Mapping[str, float] | None = None,
        non_voting: Iterable[NonVoting] = (),
        name: str = "custom",
    ) -> Parliament:
        """A parliament from ``{party: seats}``, with optional left-right positions."""
        positions = dict(positions or {})
        unknown = set(positions) - set(seats)
        if unknown:
            raise UnknownNameError(f"position given for unknown party: {', '.join(sorted(unknown))}")
        parties = tuple(Party(p, s, positions.get(p)) for p, s in seats.items())
        return cls(parties, tuple(non_voting), name=name)

    @classmethod
    def from_parlgov(
        cls, country: str, election: str | int, *, data_dir: str | Path | None = None
    ) -> Parliament:
        """The parliament of a ParlGov election (``"DEU"``, ``2017`` or ``"2017-09-24"``), the cabinet
        that formed named in its title: see :mod:`kingmaker.io.parlgov`."""
        from kingmaker.datasets import load_parlgov
        from kingmaker.io.parlgov import parliament_spec

        spec = parliament_spec(load_parlgov(data_dir).formation(country, election))
        parties = tuple(Party(p["name"], p["seats"], p["position"], p["full_name"]) for p in spec["parties"])
        nv = tuple(NonVoting(**row) for row in spec["non_voting"])
        keep = ("name", "title", "source", "positions_source")
        return cls(parties, nv, **{k: spec[k] for k in keep})

    def with_seats(
        self,
        seats: Mapping[str, int],
        name: str | None = None,
        title: str | None = None,
        *,
        keep_others: bool = False,
        keep_deputies: bool = False,
    ) -> Parliament:
        """A hypothetical parliament with new seat numbers (from a projection, another system or
        the web page's overrides): the one rule for "the same House, other numbers".

        * Parties keep their positions, full names and colours; a new name joins unplaced.
        * ``seats`` is the whole House, unless ``keep_others`` is true: then a party it does not
          name keeps its present seats (the web page's partial overrides).
        * The Speaker and abstentionist parties keep their conventions with every seat they now
          hold (a party that does not take its seats abstains with all its members).
        * Deputy Speakers are dropped, since who would hold those posts is unknown, unless
          ``keep_deputies`` is true: then they are kept, capped at the party's new seats.
        * ``name`` defaults to ``"<name> (hypothetical)"`` and ``title`` to this one's title.

        An all-empty House is an :class:`~kingmaker.errors.InputError`.
        """
        known = {p.name: p for p in self.parties}
        counts = {p.name: p.seats for p in self.parties} if keep_others else {}
        counts.update(seats)
        parties = []
        for party, n in counts.items():
            old = known.get(party)
            parties.append(
                Party(
                    party,
                    n,
                    old.position if old else None,
                    old.full_name if old else "",
                    old.colour if old else None,
                )
            )
        if sum(p.seats for p in parties) <= 0:
            raise InputError("the seats given add up to an empty parliament")
        held = dict(counts)
        kept = []
        for nv in self.non_voting:
            if nv.kind in ("speaker", "abstention"):
                n = held.get(nv.party, 0)
            elif keep_deputies:
                n = min(nv.seats, held.get(nv.party, 0))
            else:
                continue
            if n > 0:
                held[nv.party] -= n
                kept.append(NonVoting(nv.party, n, nv.kind, nv.reason))
        return Parliament(
            tuple(parties),
            tuple(kept),
            name=name or f"{self.name} (hypothetical)",
            title=self.title if title is None else title,
            source=self.source,
            positions_source=self.positions_source,
        )

    @classmethod
    def parse_seats(cls, text: str, label: str = "seats") -> Parliament:
        """Parse the form ``"Con=306,Lab=258,LD=57"`` (``party=seats[@position]``).

        ``label`` starts each error message (the caller's name for the text, e.g. ``--seats``).
        """
        seats: dict[str, int] = {}
        positions: dict[str, float] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            m = re.fullmatch(r"(.+?)\s*=\s*([^@]+?)(?:\s*@\s*(.+))?", item)
            if not m:
                raise InputError(f"{label}: cannot read {item!r}; expected PARTY=SEATS, e.g. Con=306")
            party, value, pos = m.group(1).strip(), m.group(2).strip(), m.group(3)
            if party in seats:
                raise InputError(f"{label}: duplicate party name {party!r}")
            seats[party] = _parse_int(value, f"{label}: seats of {party!r}")
            if pos is not None:
                positions[party] = _parse_float(pos, f"{label}: position of {party!r}")
        return cls.from_seats(seats, positions)

    @classmethod
    def read(cls, source: str | Path | bytes, name: str | None = None) -> Parliament:
        """Read a parliament from a ``.toml`` (preset format) or ``.csv`` file, given as a path, bytes
        or text (see :func:`kingmaker.io.parliament_file.read_parliament_file` for the columns)."""
        from kingmaker.io.parliament_file import read_parliament_file

        return cls._from_file(read_parliament_file(source, name=name))

    @classmethod
    def _from_file(cls, spec: ParliamentFile) -> Parliament:
        return cls(
            spec.parties,
            spec.non_voting,
            name=spec.name,
            title=spec.title,
            source=spec.source,
            positions_source=spec.positions_source,
        )

    # ----- arithmetic ----------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """Party names in the order given."""
        return tuple(p.name for p in self.parties)

    def party(self, name: str) -> Party:
        """The party called ``name`` (UnknownNameError if there is none)."""
        try:
            return self.parties[self._index[name]]
        except KeyError:
            raise UnknownNameError(f"unknown party {name!r}; parties are: {', '.join(self.names)}") from None

    @property
    def house(self) -> int:
        """All seats."""
        return sum(p.seats for p in self.parties)

    @property
    def absolute_majority(self) -> int:
        """Seats needed for more than half of all seats (326 of 650)."""
        return majority_of(self.house)

    def non_voting_seats(self, party: str) -> int:
        """How many of the party's seats are held by members who do not vote."""
        self.party(party)
        return sum(nv.seats for nv in self.non_voting if nv.party == party)

    def voting_seats(self, party: str) -> int:
        """The party's members who vote."""
        return self.party(party).seats - self.non_voting_seats(party)

    @property
    def voting_members(self) -> int:
        """Members who vote, once the non-voting conventions are applied (641 in 2010)."""
        return self.house - sum(nv.seats for nv in self.non_voting)

    @property
    def working_majority_threshold(self) -> int:
        """Votes needed to win every division when all voting members vote (321 in 2010)."""
        return majority_of(self.voting_members)

    def quota(self, threshold: Threshold = "absolute") -> int:
        """Seats (or votes) a coalition needs under ``threshold``: absolute, working, or a number."""
        if threshold == "absolute":
            return self.absolute_majority
        if threshold == "working":
            return self.working_majority_threshold
        if isinstance(threshold, int) and not isinstance(threshold, bool):
            if threshold <= 0:
                raise InputError(f"threshold must be positive, got {threshold}")
            if threshold > self.house:
                raise InputError(f"threshold {threshold} is above the {self.house} seats of the house")
            return threshold
        raise InputError(f"unknown threshold {threshold!r}; use absolute, working or a number of seats")

    def basis(self, threshold: Threshold = "absolute") -> int:
        """The total a majority is measured against: all seats, or the voting members."""
        return self.voting_members if threshold == "working" else self.house

    def weights(self, threshold: Threshold = "absolute") -> dict[str, int]:
        """Seats each party brings to a coalition: all its seats (absolute, or a number) or its voters
        (working). Parties none of whose members vote (the Speaker, Sinn Féin) cannot join a
        coalition and are left out."""
        self.quota(threshold)  # validates
        out = {}
        for p in self.parties:
            voting = self.voting_seats(p.name)
            if voting > 0:
                out[p.name] = voting if threshold == "working" else p.seats
        return out

    def explain(self) -> list[str]:
        """Plain-English lines on how the thresholds are worked out."""
        lines = [
            f"House of {self.house} seats: an absolute majority is {self.absolute_majority} "
            f"(more than half of {self.house}).",
        ]
        for nv in self.non_voting:
            lines.append(f"{nv.party}: {nv.seats} seat(s) do not vote. {nv.reason}")
        absent = sum(nv.seats for nv in self.non_voting if nv.kind == "abstention")
        if absent and absent < sum(nv.seats for nv in self.non_voting):
            sitting = self.house - absent
            lines.append(
                f"Counting only the {absent} who do not take their seats: {sitting} sit, "
                f"so {sitting // 2 + 1} is enough."
            )
        if self.non_voting:
            lines.append(
                f"That leaves {self.voting_members} voting members, so {self.working_majority_threshold} "
                "wins every division when all vote: the working-majority threshold."
            )
        return lines

    def resolve(self, name: str, label: str = "") -> str:
        """The party ``name`` stands for: exact, ignoring case, or an alias (``Grn`` -> ``Green``);
        see :mod:`kingmaker.names`. ``label`` starts the error message (the caller's name for it)."""
        return resolve(name, self.names, what="party", label=label)

    def parse_party_list(self, text: str | Iterable[str], label: str = "parties") -> tuple[str, ...]:
        """Resolve a comma-separated or listed group of party names (:mod:`kingmaker.names`).

        Each name may be spelt exactly, in another case or by an alias (``Grn`` for ``Green``);
        duplicates are dropped. ``label`` starts each error message (the caller's name for the
        list, e.g. ``excluded`` or ``--with``); an unknown name is an :class:`UnknownNameError`.
        """
        return resolve_all(text, self.names, what="party", label=label)

    # ----- analysis shortcuts (the analysis lives in kingmaker.coalitions and kingmaker.power) --
    def coalitions(self, threshold: Threshold = "absolute", **options: Any):
        """Every winning coalition under ``threshold``: see :func:`kingmaker.coalitions.coalitions`."""
        from kingmaker.coalitions import coalitions

        return coalitions(self, threshold, **options)

    def complete(self, group: Iterable[str], threshold: Threshold = "absolute", **options: Any):
        """A group's shortfall and completions: see :func:`kingmaker.coalitions.complete`."""
        from kingmaker.coalitions import complete

        return complete(self, group, threshold, **options)

    def power(self, threshold: Threshold = "absolute", **options: Any):
        """Voting power of the parties that vote: see :func:`kingmaker.power.power_indices`."""
        from kingmaker.power import power_indices

        return power_indices(self.weights(threshold), self.quota(threshold), **options)

    def formation(self, **options: Any):
        """The most likely governments: see :func:`kingmaker.formation.formation`."""
        from kingmaker.formation import formation

        return formation(self, **options)

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain data: parties, thresholds and conventions."""
        return {
            "name": self.name,
            "title": self.title,
            "house": self.house,
            "absolute_majority": self.absolute_majority,
            "voting_members": self.voting_members,
            "working_majority_threshold": self.working_majority_threshold,
            "parties": [
                {
                    "name": p.name,
                    "seats": p.seats,
                    "voting_seats": self.voting_seats(p.name),
                    "position": p.position,
                    "full_name": p.full_name,
                }
                for p in self.parties
            ],
            "non_voting": [nv.__dict__ for nv in self.non_voting],
            "source": self.source,
            "positions_source": self.positions_source,
        }

    def to_frame(self):  # -> pandas.DataFrame
        """Parties as a pandas DataFrame (one row each)."""
        import pandas as pd

        return pd.DataFrame(self.to_dict()["parties"]).set_index("name")


def _check_seats(name: str, seats: object) -> None:
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise InputError(f"seats of {name!r} must be a whole number, got {seats!r}")
    if seats < 0:
        raise InputError(f"seats of {name!r} are negative ({seats})")
    if seats > MAX_PARTY_SEATS:
        raise InputError(f"seats of {name!r}: {seats} is more than {MAX_PARTY_SEATS:,}")


def _parse_int(text: str, what: str) -> int:
    text = text.strip()
    try:
        value = int(text) if len(text) <= 30 else None
    except ValueError:
        value = None
    if value is None:
        raise InputError(f"{what} must be a whole number, got {text[:40]!r}")
    return value


def _parse_float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, got {text!r}")
    return value


def _finite_number(x: object) -> bool:
    """A real number that is neither NaN nor infinite (a position on the left-right scale)."""
    return not isinstance(x, bool) and isinstance(x, Real) and math.isfinite(x)
