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

import csv
import io
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from kingmaker.errors import InputError, UnknownNameError

Threshold = Literal["absolute", "working"] | int

#: Presets shipped with the package (``kingmaker/presets/<name>.toml``).
PRESETS: tuple[str, ...] = ("uk-2010", "uk-2015", "uk-2017", "uk-2019")
DEFAULT_PRESET = "uk-2010"

_NON_VOTING_KINDS = ("speaker", "deputy", "abstention", "other")


@dataclass(frozen=True)
class Party:
    """One party (or independent member) and its seats."""

    name: str
    seats: int
    position: float | None = None
    full_name: str = ""
    colour: str | None = None


@dataclass(frozen=True)
class NonVoting:
    """Seats of a party whose holders do not vote, and why (Speaker, deputies, abstentionists)."""

    party: str
    seats: int
    kind: str
    reason: str


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
        if name not in PRESETS:
            raise UnknownNameError(f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}")
        text = resources.files("kingmaker.presets").joinpath(f"{name}.toml").read_text("utf-8")
        return cls._from_toml_text(text, source=f"preset {name}")

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
        from kingmaker.io.parlgov import load_parlgov, parliament_spec

        spec = parliament_spec(load_parlgov(data_dir).formation(country, election))
        parties = tuple(Party(p["name"], p["seats"], p["position"], p["full_name"]) for p in spec["parties"])
        nv = tuple(NonVoting(**row) for row in spec["non_voting"])
        keep = ("name", "title", "source", "positions_source")
        return cls(parties, nv, **{k: spec[k] for k in keep})

    def with_seats(self, seats: Mapping[str, int], name: str | None = None, title: str = "") -> Parliament:
        """A hypothetical parliament with new seat numbers (from a projection or another system).

        Parties keep their positions and colours; new parties are unplaced. The Speaker and
        abstentionist parties keep their conventions (all of their seats do not vote); Deputy
        Speakers are dropped, since who would hold those posts is unknown.
        """
        known = {p.name: p for p in self.parties}
        parties = []
        for party, n in seats.items():
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
        kept = []
        for nv in self.non_voting:
            if nv.kind in ("speaker", "abstention") and seats.get(nv.party, 0) > 0:
                kept.append(NonVoting(nv.party, seats[nv.party], nv.kind, nv.reason))
        return Parliament(
            tuple(parties),
            tuple(kept),
            name=name or f"{self.name} (hypothetical)",
            title=title,
            positions_source=self.positions_source,
        )

    @classmethod
    def parse_seats(cls, text: str) -> Parliament:
        """Parse the command-line form ``"Con=306,Lab=258,LD=57"`` (``party=seats[@position]``)."""
        seats: dict[str, int] = {}
        positions: dict[str, float] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            m = re.fullmatch(r"(.+?)\s*=\s*([^@]+?)(?:\s*@\s*(.+))?", item)
            if not m:
                raise InputError(f"--seats: cannot read {item!r}; expected PARTY=SEATS, e.g. Con=306")
            party, value, pos = m.group(1).strip(), m.group(2).strip(), m.group(3)
            if party in seats:
                raise InputError(f"--seats: duplicate party name {party!r}")
            seats[party] = _parse_int(value, f"--seats: seats of {party!r}")
            if pos is not None:
                positions[party] = _parse_float(pos, f"--seats: position of {party!r}")
        return cls.from_seats(seats, positions)

    @classmethod
    def read(cls, path: str | Path) -> Parliament:
        """Read a parliament from a ``.toml`` (preset format) or ``.csv`` file.

        CSV columns: ``party,seats`` and optionally ``position``, ``non_voting`` (number of the
        party's seats whose holders do not vote), ``flags`` (``speaker`` or ``abstains``: all its
        seats are non-voting), ``full_name``, ``colour``.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError("no such file", source=str(path))
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", source=str(path)) from None
        if path.suffix.lower() == ".toml":
            return cls._from_toml_text(text, source=str(path))
        if path.suffix.lower() == ".csv":
            return cls._from_csv_text(text, source=str(path))
        raise InputError("unknown parliament file type; use .csv or .toml", source=str(path))

    @classmethod
    def _from_toml_text(cls, text: str, source: str) -> Parliament:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"malformed TOML: {exc}", source=source) from None
        rows = data.get("party")
        if not isinstance(rows, list) or not rows:
            raise InputError("no [[party]] tables found", source=source)
        parties = []
        for i, row in enumerate(rows, start=1):
            where = f"[[party]] #{i}"
            if not isinstance(row, dict) or "name" not in row or "seats" not in row:
                raise InputError(f"{where} needs 'name' and 'seats'", source=source)
            seats = row["seats"]
            if not isinstance(seats, int) or isinstance(seats, bool):
                raise InputError(f"{where} ({row['name']}): seats must be an integer", source=source)
            position = row.get("position")
            if position is not None and not isinstance(position, int | float):
                raise InputError(f"{where} ({row['name']}): position must be a number", source=source)
            parties.append(
                Party(
                    str(row["name"]),
                    seats,
                    None if position is None else float(position),
                    str(row.get("full_name", "")),
                    row.get("colour"),
                )
            )
        non_voting = []
        for i, row in enumerate(data.get("non_voting", []), start=1):
            if not isinstance(row, dict) or "party" not in row or "seats" not in row:
                raise InputError(f"[[non_voting]] #{i} needs 'party' and 'seats'", source=source)
            kind = str(row.get("kind", "other"))
            if kind not in _NON_VOTING_KINDS:
                raise InputError(
                    f"[[non_voting]] #{i}: kind must be one of {', '.join(_NON_VOTING_KINDS)}",
                    source=source,
                )
            non_voting.append(NonVoting(str(row["party"]), row["seats"], kind, str(row.get("reason", ""))))
        return cls(
            tuple(parties),
            tuple(non_voting),
            name=str(data.get("name", "custom")),
            title=str(data.get("title", "")),
            source=str(data.get("source", "")),
            positions_source=str(data.get("positions_source", "")),
        )

    @classmethod
    def _from_csv_text(cls, text: str, source: str) -> Parliament:
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "party" not in fields or "seats" not in fields:
            raise InputError("CSV header must have the columns 'party' and 'seats'", source=source, line=1)
        reader.fieldnames = fields
        parties: list[Party] = []
        non_voting: list[NonVoting] = []
        for row in reader:
            line = reader.line_num
            if None in row:
                raise InputError("more fields than the header has", source=source, line=line)
            name = (row.get("party") or "").strip()
            if not name:
                raise InputError("empty party name", source=source, line=line)
            seats = _parse_int((row.get("seats") or "").strip(), f"seats of {name!r}", source, line)
            pos_text = (row.get("position") or "").strip()
            position = _parse_float(pos_text, f"position of {name!r}", source, line) if pos_text else None
            if any(p.name == name for p in parties):
                raise InputError(f"duplicate party name {name!r}", source=source, line=line)
            if seats < 0:
                raise InputError(f"seats of {name!r} are negative ({seats})", source=source, line=line)
            parties.append(
                Party(
                    name, seats, position, (row.get("full_name") or "").strip(), (row.get("colour") or None)
                )
            )
            flags = {f.strip().lower() for f in (row.get("flags") or "").replace(";", " ").split() if f}
            unknown_flags = flags - {"speaker", "abstains"}
            if unknown_flags:
                raise InputError(
                    f"unknown flag(s) {', '.join(sorted(unknown_flags))} for {name!r}; use speaker or abstains",
                    source=source,
                    line=line,
                )
            nv_text = (row.get("non_voting") or "").strip()
            if "speaker" in flags:
                non_voting.append(NonVoting(name, seats, "speaker", "flagged as the Speaker"))
            elif "abstains" in flags:
                non_voting.append(NonVoting(name, seats, "abstention", "flagged as abstaining"))
            elif nv_text:
                n = _parse_int(nv_text, f"non_voting of {name!r}", source, line)
                if n:
                    non_voting.append(NonVoting(name, n, "other", "declared non-voting in the file"))
        return cls(tuple(parties), tuple(non_voting), name=Path(source).stem)

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
        return self.house // 2 + 1

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
        return self.voting_members // 2 + 1

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

    def parse_party_list(self, text: str | Iterable[str], option: str = "--with") -> tuple[str, ...]:
        """Validate a comma-separated or listed group of party names (UnknownNameError otherwise)."""
        items = [t.strip() for t in text.split(",")] if isinstance(text, str) else [str(t) for t in text]
        items = [t for t in items if t]
        if not items:
            raise InputError(f"{option}: give at least one party name")
        seen: list[str] = []
        for item in items:
            if item not in self._index:
                raise UnknownNameError(
                    f"{option}: unknown party {item!r}; parties are: {', '.join(self.names)}"
                )
            if item not in seen:
                seen.append(item)
        return tuple(seen)

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


def _parse_int(text: str, what: str, source: str | None = None, line: int | None = None) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{what} must be a whole number, got {text!r}", source=source, line=line) from None


def _parse_float(text: str, what: str, source: str | None = None, line: int | None = None) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{what} must be a number, got {text!r}", source=source, line=line) from None
