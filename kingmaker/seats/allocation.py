"""Seat allocations: the result type and the legal vote threshold shared by every seat rule.

:class:`Allocation` is what :mod:`kingmaker.seats.plurality`, :mod:`~kingmaker.seats.divisor`,
:mod:`~kingmaker.seats.quota` and :mod:`~kingmaker.seats.mixed` return: seats per party (and per
district where the rule works by district), the votes they were allocated from, every tie that a
policy had to break, the parties a threshold removed, and the components of mixed systems.

:class:`VoteThreshold` is the *legal* threshold of a list system (a share of the votes, or N
district wins), not the parliament's majority threshold (:data:`kingmaker.parliament.Threshold`).
This module is the bottom of :mod:`kingmaker.seats`: it imports no seat rule.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.ties import TieBreak

if TYPE_CHECKING:
    from kingmaker.seats.indices import Disproportionality
    from kingmaker.votes import VoteTable


@dataclass(frozen=True)
class VoteThreshold:
    """Legal vote threshold: a party needs ``national`` share of all votes, or ``districts`` wins.

    ``district`` is a share a party needs within a district (or region) to take seats there.
    Shares are exact :class:`Fraction` values; ``districts`` is the alternative ("or win N
    districts", as in Germany's three direct mandates).
    """

    national: Fraction | None = None
    district: Fraction | None = None
    districts: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.national is not None:
            parts.append(f"{float(self.national) * 100:g}% nationally")
        if self.district is not None:
            parts.append(f"{float(self.district) * 100:g}% in the district")
        if self.districts is not None:
            parts.append(f"or {self.districts} district wins")
        return " ".join(parts) or "none"

    def eligible(self, votes: np.ndarray, wins: np.ndarray | None = None) -> np.ndarray:
        """Boolean (districts, parties) mask of who may take seats; ``votes`` is 2-D."""
        votes = np.asarray(votes, dtype=np.int64)
        ok = np.ones(votes.shape, dtype=bool)
        if self.national is not None:
            totals = votes.sum(axis=0)
            grand = int(totals.sum())
            num, den = self.national.numerator, self.national.denominator
            passes = np.array([int(t) * den >= num * grand for t in totals])
            if self.districts is not None and wins is not None:
                passes |= np.asarray(wins) >= self.districts
            ok &= passes[None, :]
        if self.district is not None:
            num, den = self.district.numerator, self.district.denominator
            row_totals = votes.sum(axis=1, dtype=object)
            ok &= (votes.astype(object) * den >= row_totals[:, None] * num).astype(bool)
        return ok


def parse_share(text: str | float | Fraction) -> Fraction:
    """``"5%"`` or ``5`` (percent) or ``Fraction(1, 20)`` -> exact fraction of the vote."""
    if isinstance(text, Fraction):
        value = text
    else:
        raw = str(text).strip()
        if raw.endswith("%"):
            raw = raw[:-1]
        try:
            value = Fraction(raw) / 100
        except (ValueError, ZeroDivisionError):
            raise InputError(f"threshold {text!r} is not a percentage like 5%") from None
    if not 0 <= value <= 1:
        raise InputError(f"threshold {text!r} must be between 0% and 100%")
    return value


def as_vote_threshold(
    threshold: str | float | Fraction | VoteThreshold | None,
) -> VoteThreshold | None:
    """A national :class:`VoteThreshold` from ``"5%"``; passes thresholds and ``None`` through."""
    if threshold is None or isinstance(threshold, VoteThreshold):
        return threshold
    return VoteThreshold(national=parse_share(threshold))


@dataclass(frozen=True, eq=False)
class Allocation:
    """Seats per party from a rule, with the votes, ties and (per district) seats behind them.

    ``district_seats`` has shape (districts, parties) where the rule allocates per district or
    region (``districts`` names the rows). ``components`` splits mixed systems' seats, e.g.
    ``{"constituency": ..., "list": ...}``. ``excluded`` are parties a threshold removed.
    ``set_aside`` maps each column that is not a party (independents, the Speaker, lumped
    columns such as ``oth``; see :attr:`VoteTable.independents`) and took no list seats to its
    votes, which still count in ``votes`` and so in the shares and indices.
    """

    method: str
    parties: tuple[str, ...]
    seats: np.ndarray
    votes: np.ndarray
    districts: tuple[str, ...] = ()
    district_seats: np.ndarray | None = None
    ties: tuple[TieBreak, ...] = ()
    excluded: tuple[str, ...] = ()
    components: Mapping[str, np.ndarray] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    set_aside: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seats = np.asarray(self.seats, dtype=np.int64)
        votes = np.asarray(self.votes, dtype=np.int64)
        seats.setflags(write=False)
        votes.setflags(write=False)
        object.__setattr__(self, "seats", seats)
        object.__setattr__(self, "votes", votes)
        object.__setattr__(self, "parties", tuple(self.parties))
        if self.district_seats is not None:
            ds = np.asarray(self.district_seats, dtype=np.int64)
            ds.setflags(write=False)
            object.__setattr__(self, "district_seats", ds)
        comps = {}
        for key, value in self.components.items():
            arr = np.asarray(value, dtype=np.int64)
            arr.setflags(write=False)
            comps[key] = arr
        object.__setattr__(self, "components", MappingProxyType(comps))
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))
        object.__setattr__(
            self, "set_aside", MappingProxyType({str(k): int(v) for k, v in self.set_aside.items()})
        )
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def house_size(self) -> int:
        """Total seats allocated."""
        return int(self.seats.sum())

    def seats_of(self, party: str) -> int:
        """Seats of one party; :class:`UnknownNameError` if the party is not in the table."""
        try:
            return int(self.seats[self.parties.index(party)])
        except ValueError:
            raise UnknownNameError(f"unknown party {party!r}") from None

    def as_dict(self) -> dict[str, int]:
        """``{party: seats}`` for every party, in table order."""
        return {p: int(s) for p, s in zip(self.parties, self.seats, strict=True)}

    def winners(self) -> dict[str, int]:
        """``{party: seats}`` for parties with seats, most seats first."""
        order = sorted(range(len(self.parties)), key=lambda i: (-self.seats[i], -self.votes[i]))
        return {self.parties[i]: int(self.seats[i]) for i in order if self.seats[i] > 0}

    def combined(self) -> Allocation:
        """The same allocation with repeated-candidate columns (``"Ind (2)"``) folded into
        their party (``"Ind"``); see :func:`kingmaker.io.hoc.read_hoc_candidates`."""
        base = [
            p.rsplit(" (", 1)[0]
            if p.endswith(")") and " (" in p and p.rsplit(" (", 1)[1][:-1].isdigit()
            else p
            for p in self.parties
        ]
        names = tuple(dict.fromkeys(base))
        if len(names) == len(self.parties):
            return self
        index = np.array([names.index(b) for b in base])

        def fold(arr: np.ndarray) -> np.ndarray:
            out = np.zeros((*arr.shape[:-1], len(names)), dtype=np.int64)
            for j, i in enumerate(index):
                out[..., i] += arr[..., j]
            return out

        set_aside: dict[str, int] = {}
        for p, v in self.set_aside.items():
            key = base[self.parties.index(p)] if p in self.parties else p
            set_aside[key] = set_aside.get(key, 0) + v
        return Allocation(
            method=self.method,
            parties=names,
            seats=fold(self.seats),
            votes=fold(self.votes),
            districts=self.districts,
            district_seats=fold(self.district_seats) if self.district_seats is not None else None,
            ties=self.ties,
            excluded=self.excluded,
            components={k: fold(v) for k, v in self.components.items()},
            groups=self.groups,
            notes=self.notes,
            set_aside=set_aside,
        )

    def vote_shares(self) -> np.ndarray:
        """Each party's share of the votes (fractions)."""
        return self.votes / max(int(self.votes.sum()), 1)

    def seat_shares(self) -> np.ndarray:
        """Each party's share of the seats (fractions)."""
        return self.seats / max(self.house_size, 1)

    def indices(self) -> Disproportionality:
        """Gallagher, Loosemore-Hanby and effective numbers of parties for this allocation."""
        from kingmaker.seats.indices import disproportionality

        return disproportionality(self.votes, self.seats, self.parties)

    def to_dict(self, *, places: int | None = None) -> dict[str, Any]:
        """Plain-Python form for JSON: seats, votes, shares, ties, indices (floats rounded to
        ``places`` decimals when given)."""
        vs, ss = self.vote_shares(), self.seat_shares()
        out: dict[str, Any] = {
            "method": self.method,
            "house_size": self.house_size,
            "parties": [
                {
                    "party": p,
                    "votes": int(self.votes[i]),
                    "seats": int(self.seats[i]),
                    "vote_share": float(vs[i]),
                    "seat_share": float(ss[i]),
                    **{k: int(v[i]) for k, v in self.components.items()},
                }
                for i, p in enumerate(self.parties)
            ],
            "ties": [t.to_dict() for t in self.ties],
            "excluded": list(self.excluded),
            "set_aside": dict(self.set_aside),
            "groups": dict(self.groups),
            "notes": list(self.notes),
            "indices": self.indices().to_dict(),
        }
        return round_floats(out, places)

    def to_frame(self) -> Any:
        """pandas DataFrame: one row per party with votes, seats, shares and components."""
        import pandas as pd

        data: dict[str, Any] = {
            "party": list(self.parties),
            "votes": self.votes,
            "seats": self.seats,
            "vote_share": self.vote_shares(),
            "seat_share": self.seat_shares(),
        }
        for key, value in self.components.items():
            data[key] = value
        return pd.DataFrame(data)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(p)}</td><td>{s}</td></tr>" for p, s in self.winners().items())
        return (
            f"<p>{html.escape(self.method)}: {self.house_size} seats</p>"
            f"<table><tr><th>party</th><th>seats</th></tr>{rows}</table>"
        )

    def __repr__(self) -> str:
        shown = ", ".join(f"{p}={s}" for p, s in list(self.winners().items())[:8])
        ties = f", {len(self.ties)} ties" if self.ties else ""
        return f"Allocation({self.method}: {shown}{ties})"


def round_floats(value: Any, places: int | None) -> Any:
    """``value`` (nested dicts and lists) with every float rounded to ``places`` decimals;
    unchanged when ``places`` is ``None``."""
    if places is None:
        return value
    if isinstance(value, float):
        return round(value, places)
    if isinstance(value, dict):
        return {k: round_floats(v, places) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [round_floats(v, places) for v in value]
    return value


# ---------------------------------------------------------------------------- non-party columns


def set_aside_columns(
    table: VoteTable, level: str = "national"
) -> tuple[np.ndarray, dict[str, int], tuple[str, ...]]:
    """Columns of ``table`` that cannot take list seats when votes are pooled at ``level``.

    Independents and the Speaker (:attr:`VoteTable.independents`) are candidates, not parties:
    at ``district`` level each stands where they stand, but pooled by region, nation or nationally
    a column such as ``Ind1`` would sum hundreds of different people into a phantom party. A
    column that lumps many parties and independents (``oth``, ``Other``: marked with
    :func:`kingmaker.votes.lumped_column_note`) is set aside the same way. Columns that are one
    party in each area (``SNP``/``PC`` split from ``natSW`` at read time, ``UCUNF``) are parties.
    Returns a boolean mask over the parties (``True`` = set aside), their votes, and the notes
    that say so (``"independents cannot pool: N votes set aside ..."``,
    ``"oth lumps many parties and independents: N votes set aside ..."``).
    """
    mask = np.zeros(table.n_parties, dtype=bool)
    if level == "district" or not table.independents:
        return mask, {}, ()
    totals = table.totals()
    votes: dict[str, int] = {}
    for p in table.independents:
        i = table.parties.index(p)
        if totals[i] > 0:
            mask[i] = True
            votes[p] = int(totals[i])
    notes: list[str] = []
    from kingmaker.party_names import SPEAKER_NOTE
    from kingmaker.votes import is_lumped_note

    speaker = {p: v for p, v in votes.items() if table.independents[p] == SPEAKER_NOTE}
    lumped = {p: v for p, v in votes.items() if is_lumped_note(table.independents[p])}
    independent = {p: v for p, v in votes.items() if p not in speaker and p not in lumped}
    if independent:
        notes.append(
            f"independents cannot pool: {sum(independent.values()):,} votes set aside "
            f"({', '.join(independent)}: a different candidate in each seat, not a party; "
            "no list seats, votes still counted in the shares)"
        )
    for p, v in lumped.items():
        notes.append(
            f"{p} lumps many parties and independents: {v:,} votes set aside "
            "(not one party; no list seats, votes still counted in the shares)"
        )
    for p, v in speaker.items():
        notes.append(
            f"the Speaker ({p}, {v:,} votes) stands as Speaker seeking re-election, not for a party: "
            "set aside from list seats, votes still counted in the shares"
        )
    return mask, votes, tuple(notes)


def swamped_pools(pooled_votes: np.ndarray, aside: np.ndarray) -> np.ndarray:
    """Rows of ``pooled_votes`` where the set-aside columns (``aside``) hold more than half the
    votes: the data cannot say which parties those votes are for (Northern Ireland in the HoC
    Library 1918-2019 file, where every NI party is in ``oth``). There the set-aside columns
    still compete, so the parties get only the seats their own votes earn, and the seats the
    set-aside columns would win are left unfilled (:func:`unfilled_note`) rather than handed to
    a few per cent of the vote."""
    if not aside.any():
        return np.zeros(pooled_votes.shape[0], dtype=bool)
    return 2 * pooled_votes[:, aside].sum(axis=1) > pooled_votes.sum(axis=1)


def unfilled_note(pools: Sequence[str], seats: int, columns: Sequence[str]) -> str:
    """The note of seats left unfilled in :func:`swamped_pools`."""
    return (
        f"{seats} seat(s) left unfilled in {', '.join(pools)}: most votes there are in "
        f"{', '.join(columns)} (not parties), so the data cannot say who would take them"
    )


# ---------------------------------------------------------------------------- seat counts

#: Most seats one allocation may fill (a house, a pool's seats, top-up seats), checked before any
#: work. The rules keep bids per party and seat, so a billion seats would take minutes and
#: gigabytes; the largest real chambers have about 3,000 members (the web caps at 10,000).
MAX_SEATS = 100_000


def check_seat_count(seats: object, what: str = "seats", *, minimum: int = 1) -> int:
    """``seats`` as an int: :class:`InputError` unless a whole number of at least ``minimum``,
    :class:`TooLargeError` over :data:`MAX_SEATS`. ``what`` names the value in the message."""
    if isinstance(seats, bool) or not isinstance(seats, int | np.integer):
        raise InputError(f"{what} must be a whole number of seats, got {seats!r}")
    n = int(seats)
    if n < minimum:
        kind = "positive" if minimum == 1 else f"at least {minimum}"
        raise InputError(f"{what} must be {kind}, got {n}")
    if n > MAX_SEATS:
        raise TooLargeError(f"{what}: {n:,} is more than the {MAX_SEATS:,} seats one allocation may fill")
    return n
