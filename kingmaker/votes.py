"""Votes per party in each district: :class:`VoteTable`.

A :class:`VoteTable` is the input of every seat-allocation rule: a districts x parties matrix of
integer votes with each district's name, code, nation, region, electorate and magnitude (seats it
returns), and the party names. It validates on construction and is immutable.

Where a source file lumps several parties into one column, :attr:`VoteTable.groups` says what
it holds; no split is invented. Whether such a column can take list seats depends on what it is:

- one party (per area): the House of Commons Library's ``natSW`` bucket is the SNP in Scotland
  and Plaid Cymru in Wales, so :func:`kingmaker.io.hoc.read_hoc_1918` splits it by nation into
  ``SNP`` and ``PC`` columns (the file says each row's nation); ``UCUNF`` (the 2010
  Conservative-UUP joint ticket) was one list. These are parties and take seats like any other.
- many parties and independents (the Library's ``oth``, the constituency files' ``Other``): not a
  party anywhere. Such a column is listed in :attr:`VoteTable.independents` with a note made by
  :func:`lumped_column_note` and is set aside like independents.

Columns that are not a party at all -- independents (a different candidate in every seat, such
as the 2010 file's ``Ind1``..``Ind5``), the Speaker, and the lumped columns above -- are listed
in :attr:`VoteTable.independents` with a note: they win constituencies, but list, quota and mixed
allocations above the district level set them aside instead of pooling them into a phantom party
(their votes still count in the shares; see :mod:`kingmaker.party_names` and
:func:`kingmaker.seats.allocation.set_aside_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.names import resolve_index
from kingmaker.provenance import json_result

#: England's nine regions (ONS names), then the three other nations used as regions.
UK_REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Scotland",
    "Wales",
    "Northern Ireland",
)

_REGION_ALIASES = {
    "eastern": "East of England",
    "east": "East of England",
    "east of england": "East of England",
    "yorkshire and the humber": "Yorkshire and The Humber",
    "yorkshire & the humber": "Yorkshire and The Humber",
    "yorkshire and humber": "Yorkshire and The Humber",
}


#: Words every :func:`lumped_column_note` contains (how a lumped column's note is recognised).
LUMPED_MARK = "lumps many parties and independents"


def lumped_column_note(column: str, holds: str = "") -> str:
    """The :attr:`VoteTable.independents` note of a column that lumps many parties and
    independents together (``oth``, ``Other``): it is not a party, so it takes no list seats."""
    what = f" ({holds})" if holds else ""
    return (
        f"{column} {LUMPED_MARK}{what}: not one party, so in list, quota and mixed allocations "
        "above the district level it takes no list seats (its votes still count in the totals)"
    )


def is_lumped_note(note: str) -> bool:
    """Whether an :attr:`VoteTable.independents` note marks a lumped column (see
    :func:`lumped_column_note`)."""
    return LUMPED_MARK in note


def canonical_region(name: str) -> str:
    """The ONS spelling of a UK region name (``Eastern`` -> ``East of England``, ...)."""
    clean = " ".join(name.split())
    alias = _REGION_ALIASES.get(clean.lower())
    if alias:
        return alias
    for region in UK_REGIONS:
        if region.lower() == clean.lower():
            return region
    return clean


def nation_of_region(region: str) -> str | None:
    """The UK nation a region belongs to (``None`` for names that are not UK regions)."""
    region = canonical_region(region)
    if region in ("Scotland", "Wales", "Northern Ireland"):
        return region
    if region in UK_REGIONS:
        return "England"
    return None


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class VoteTable:
    """Votes of each party (columns) in each district (rows), validated and read-only.

    ``votes`` is an ``int64`` array of shape ``(districts, parties)``; the metadata tuples have one
    entry per district (``None`` where the source does not say). ``codes`` are district ids (ONS
    codes for UK constituencies); when absent the names are the ids. ``groups`` maps a party column
    that lumps several parties together to a description of what it holds. ``party_names`` maps a
    column (an abbreviation) to the party's full name where the source gives it.
    ``independents`` maps each column that is not a party (independents, the Speaker, columns
    that lump many parties such as ``oth``) to a note saying why: such columns take no list seats
    when votes are pooled above the district level.
    """

    votes: np.ndarray
    parties: tuple[str, ...]
    districts: tuple[str, ...]
    codes: tuple[str, ...] | None = None
    nations: tuple[str | None, ...] | None = None
    regions: tuple[str | None, ...] | None = None
    electorates: np.ndarray | None = None
    magnitudes: np.ndarray | None = None
    groups: Mapping[str, str] = field(default_factory=dict)
    party_names: Mapping[str, str] = field(default_factory=dict)
    independents: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    election: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        src = self.source
        try:
            votes = np.asarray(self.votes)
            if votes.dtype.kind == "f" and (
                not np.all(np.isfinite(votes)) or np.any(votes != np.round(votes))
            ):
                raise InputError("votes must be whole numbers", source=src)
            votes = votes.astype(np.int64)
        except (TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"votes must be integers: {exc}", source=src) from None
        if votes.ndim == 1:
            votes = votes.reshape(1, -1)
        if votes.ndim != 2:
            raise InputError("votes must be a districts x parties table", source=src)
        n_d, n_p = votes.shape
        parties = tuple(str(p) for p in self.parties)
        districts = tuple(str(d) for d in self.districts)
        if len(parties) != n_p:
            raise InputError(f"{n_p} vote columns but {len(parties)} party names", source=src)
        if len(districts) != n_d:
            raise InputError(f"{n_d} vote rows but {len(districts)} district names", source=src)
        if n_p == 0 or n_d == 0:
            raise InputError("a vote table needs at least one district and one party", source=src)
        _no_duplicates(parties, "party", src)
        codes = tuple(str(c) for c in self.codes) if self.codes is not None else None
        if codes is not None and len(codes) != n_d:
            raise InputError("one district code per district is needed", source=src)
        _no_duplicates(codes if codes is not None else districts, "district", src)
        if np.any(votes < 0):
            d, p = np.argwhere(votes < 0)[0]
            raise InputError(f"negative votes ({votes[d, p]}) for {parties[p]} in {districts[d]}", source=src)
        object.__setattr__(self, "votes", _frozen(votes))
        object.__setattr__(self, "parties", parties)
        object.__setattr__(self, "districts", districts)
        object.__setattr__(self, "codes", codes)
        for name in ("nations", "regions"):
            value = getattr(self, name)
            if value is not None:
                value = tuple(None if v is None or v == "" else str(v) for v in value)
                if len(value) != n_d:
                    raise InputError(f"one entry of {name} per district is needed", source=src)
            object.__setattr__(self, name, value)
        for name in ("electorates", "magnitudes"):
            value = getattr(self, name)
            if value is not None:
                value = np.asarray(value, dtype=np.int64)
                if value.shape != (n_d,):
                    raise InputError(f"one entry of {name} per district is needed", source=src)
                if np.any(value < 0):
                    raise InputError(f"{name} cannot be negative", source=src)
                value = _frozen(value)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))
        object.__setattr__(self, "party_names", MappingProxyType(dict(self.party_names)))
        unknown = [p for p in self.independents if p not in parties]
        if unknown:
            raise InputError(f"independent column(s) {', '.join(unknown)} not among the parties", source=src)
        object.__setattr__(self, "independents", MappingProxyType(dict(self.independents)))
        object.__setattr__(self, "notes", tuple(self.notes))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_mapping(cls, votes: Mapping[str, int], *, district: str = "all", **metadata: Any) -> VoteTable:
        """One district from ``{party: votes}``."""
        return cls(
            np.array([list(votes.values())], dtype=object).astype(np.int64)
            if votes
            else np.zeros((1, 0), dtype=np.int64),
            tuple(votes),
            (district,),
            **metadata,
        )

    @classmethod
    def from_records(
        cls,
        records: Iterable[tuple[str, str, int]],
        *,
        regions: Mapping[str, str] | None = None,
        nations: Mapping[str, str] | None = None,
        **metadata: Any,
    ) -> VoteTable:
        """From ``(district, party, votes)`` rows; districts and parties in first-seen order."""
        district_index: dict[str, int] = {}
        party_index: dict[str, int] = {}
        cells: dict[tuple[int, int], int] = {}
        for district, party, count in records:
            d = district_index.setdefault(district, len(district_index))
            p = party_index.setdefault(party, len(party_index))
            if (d, p) in cells:
                raise InputError(f"duplicate row for {party} in {district}", source=metadata.get("source"))
            cells[(d, p)] = int(count)
        votes = np.zeros((len(district_index), len(party_index)), dtype=np.int64)
        for (d, p), count in cells.items():
            votes[d, p] = count
        names = tuple(district_index)
        return cls(
            votes,
            tuple(party_index),
            names,
            regions=tuple(regions.get(n) for n in names) if regions else None,
            nations=tuple(nations.get(n) for n in names) if nations else None,
            **metadata,
        )

    # ------------------------------------------------------------------ queries
    @property
    def n_districts(self) -> int:
        """Number of districts (rows)."""
        return self.votes.shape[0]

    @property
    def n_parties(self) -> int:
        """Number of parties (columns)."""
        return self.votes.shape[1]

    @property
    def ids(self) -> tuple[str, ...]:
        """District ids: the codes where known, otherwise the names."""
        return self.codes if self.codes is not None else self.districts

    def party_index(self, party: str, what: str = "party") -> int:
        """Column of ``party``: exact, ignoring case, or an alias (``Grn`` finds ``Green``); see
        :mod:`kingmaker.names`. :class:`UnknownNameError` naming the nearest known parties otherwise."""
        return resolve_index(party, self.parties, what=what)

    def district_index(self, district: str) -> int:
        """Row of a district given by code or name."""
        for keys in (self.codes or (), self.districts):
            if district in keys:
                return keys.index(district)
        raise UnknownNameError(f"unknown district {district!r}")

    def totals(self) -> np.ndarray:
        """Each party's votes summed over all districts."""
        return self.votes.sum(axis=0)

    def total_votes(self) -> np.ndarray:
        """Valid votes in each district."""
        return self.votes.sum(axis=1)

    def shares(self) -> np.ndarray:
        """Each party's national vote share (fractions summing to 1)."""
        totals = self.totals()
        return totals / max(int(totals.sum()), 1)

    def seat_magnitudes(self) -> np.ndarray:
        """Seats each district returns (1 where the source does not say)."""
        if self.magnitudes is None:
            return np.ones(self.n_districts, dtype=np.int64)
        return self.magnitudes

    def labels(self, level: str) -> tuple[str, ...]:
        """Each district's label at ``level``: ``district``, ``region``, ``nation`` or ``national``."""
        if level == "district":
            return self.ids
        if level == "national":
            return ("all",) * self.n_districts
        if level in ("region", "nation"):
            values = self.regions if level == "region" else self.nations
            if values is None or any(v is None for v in values):
                raise InputError(f"this vote table has no {level} for every district", source=self.source)
            return tuple(str(v) for v in values)
        raise InputError(f"unknown level {level!r}; use district, region, nation or national")

    def select(self, mask: Sequence[bool] | np.ndarray) -> VoteTable:
        """The districts where ``mask`` is true."""
        mask = np.asarray(mask, dtype=bool)
        idx = np.flatnonzero(mask)
        return VoteTable(
            self.votes[idx],
            self.parties,
            tuple(self.districts[i] for i in idx),
            codes=tuple(self.codes[i] for i in idx) if self.codes else None,
            nations=tuple(self.nations[i] for i in idx) if self.nations else None,
            regions=tuple(self.regions[i] for i in idx) if self.regions else None,
            electorates=self.electorates[idx] if self.electorates is not None else None,
            magnitudes=self.magnitudes[idx] if self.magnitudes is not None else None,
            groups=self.groups,
            party_names=self.party_names,
            independents=self.independents,
            source=self.source,
            election=self.election,
            notes=self.notes,
        )

    def aggregate(self, level: str) -> VoteTable:
        """Votes summed by ``region``, ``nation`` or ``national``: one row per group.

        The magnitude of a group is the seats its districts return and its electorate their sum.
        """
        labels = self.labels(level)
        names = tuple(dict.fromkeys(labels))
        index = {n: i for i, n in enumerate(names)}
        rows = np.fromiter((index[lab] for lab in labels), dtype=np.int64, count=len(labels))
        votes = np.zeros((len(names), self.n_parties), dtype=np.int64)
        np.add.at(votes, rows, self.votes)
        mags = np.bincount(rows, weights=self.seat_magnitudes(), minlength=len(names))
        electorates = None
        if self.electorates is not None:
            electorates = np.bincount(rows, weights=self.electorates, minlength=len(names))
        nations = None
        if level == "region" and self.nations is not None:
            nation_of = dict(zip(labels, self.nations, strict=True))
            nations = tuple(nation_of[n] for n in names)
        elif level == "nation":
            nations = names
        return VoteTable(
            votes,
            self.parties,
            names,
            nations=nations,
            regions=names if level == "region" else None,
            electorates=electorates.astype(np.int64) if electorates is not None else None,
            magnitudes=mags.astype(np.int64),
            groups=self.groups,
            party_names=self.party_names,
            independents=self.independents,
            source=self.source,
            election=self.election,
            notes=self.notes,
        )

    def drop_empty_parties(self) -> VoteTable:
        """The same table without parties that won no votes anywhere."""
        keep = np.flatnonzero(self.totals() > 0)
        return VoteTable(
            self.votes[:, keep],
            tuple(self.parties[i] for i in keep),
            self.districts,
            codes=self.codes,
            nations=self.nations,
            regions=self.regions,
            electorates=self.electorates,
            magnitudes=self.magnitudes,
            groups={k: v for k, v in self.groups.items() if k in {self.parties[i] for i in keep}},
            party_names=self.party_names,
            independents={k: v for k, v in self.independents.items() if k in {self.parties[i] for i in keep}},
            source=self.source,
            election=self.election,
            notes=self.notes,
        )

    # ------------------------------------------------------------------ export
    def to_frame(self) -> Any:
        """A pandas DataFrame: district metadata columns, then one column per party."""
        import pandas as pd

        frame = pd.DataFrame(self.votes, columns=list(self.parties))
        meta: dict[str, Any] = {"district": list(self.districts)}
        if self.codes is not None:
            meta["code"] = list(self.codes)
        if self.nations is not None:
            meta["nation"] = list(self.nations)
        if self.regions is not None:
            meta["region"] = list(self.regions)
        if self.electorates is not None:
            meta["electorate"] = self.electorates
        front = pd.DataFrame(meta)
        return pd.concat([front, frame], axis=1)

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (lists and dicts) for JSON."""
        return {
            "source": self.source,
            "election": self.election,
            "parties": list(self.parties),
            "districts": list(self.districts),
            "codes": list(self.codes) if self.codes else None,
            "nations": list(self.nations) if self.nations else None,
            "regions": list(self.regions) if self.regions else None,
            "electorates": self.electorates.tolist() if self.electorates is not None else None,
            "votes": self.votes.tolist(),
            "groups": dict(self.groups),
            "independents": dict(self.independents),
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        src = f", source={self.source!r}" if self.source else ""
        return f"VoteTable({self.n_districts} districts x {self.n_parties} parties{src})"

    def _repr_html_(self) -> str:
        totals = self.totals()
        order = np.argsort(-totals)[:12]
        rows = "".join(f"<tr><td>{self.parties[i]}</td><td>{totals[i]:,}</td></tr>" for i in order)
        return f"<p>{self!r}</p><table><tr><th>party</th><th>votes</th></tr>{rows}</table>"


def _no_duplicates(names: Sequence[str], what: str, source: str | None) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"duplicate {what} {name!r}", source=source)
        seen.add(name)
