"""ParlGov's cabinet view: every party in parliament at each cabinet formation in 37 democracies.

:func:`read_parlgov` reads ``view_cabinet.csv`` (a path, or its bytes or text) into a
:class:`ParlGov` of :class:`Cabinet` records; :func:`load_parlgov` finds the file through the
registered ``parlgov`` data set (``data_dir=``, ``$KINGMAKER_PARLGOV_DIR``,
``$KINGMAKER_DATA_DIR``, the cache, or a download checked by SHA-256).

What the rows mean (ParlGov's codebook): one row per party with seats at each cabinet's start;
``cabinet_party`` marks the members and ``prime_minister`` the PM's party. A new cabinet starts
at any change of party set or prime minister, at every general election and at any resignation;
a cabinet ends when the next one starts. The pseudo-parties ``none``, ``etc`` and ``one-seat``
lump independents and minor parties: :attr:`CabinetParty.lumped` marks them, and they are never
a party of a government. ParlGov counts a Speaker with the party they left (UK 2010: Con 307).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io.limits import parse_whole
from kingmaker.parties import MAX_PARTY_SEATS

#: ParlGov's pseudo-parties: lumped independents and minor parties, not parties.
LUMPED: frozenset[str] = frozenset({"none", "etc", "one-seat"})

REQUIRED: tuple[str, ...] = (
    "country_name_short",
    "country_name",
    "election_date",
    "start_date",
    "cabinet_name",
    "caretaker",
    "cabinet_party",
    "prime_minister",
    "seats",
    "election_seats_total",
    "party_name_short",
    "party_name_english",
    "left_right",
    "election_id",
    "cabinet_id",
    "previous_cabinet_id",
    "party_id",
)


@dataclass(frozen=True)
class CabinetParty:
    """One party (or lumped group) in parliament when a cabinet started."""

    name: str
    party_id: int
    seats: int
    left_right: float | None
    in_cabinet: bool
    prime_minister: bool
    full_name: str = ""

    @property
    def lumped(self) -> bool:
        """True for ParlGov's pseudo-parties (``none``, ``etc``, ``one-seat``)."""
        return self.name in LUMPED


@dataclass(frozen=True)
class Cabinet:
    """One cabinet and the parliament it faced at its start."""

    cabinet_id: int
    country: str
    country_name: str
    name: str
    start: date
    election_date: date
    election_id: int
    previous_cabinet_id: int | None
    caretaker: bool
    seats_total: int
    parties: tuple[CabinetParty, ...]

    @property
    def real_parties(self) -> tuple[CabinetParty, ...]:
        """The parties with seats, lumped groups left out."""
        return tuple(p for p in self.parties if not p.lumped and p.seats > 0)

    @property
    def government(self) -> tuple[str, ...]:
        """The cabinet's real parties with seats (zero-seat and lumped members left out)."""
        return tuple(p.name for p in self.real_parties if p.in_cabinet)

    @property
    def pm_party(self) -> str | None:
        """The prime minister's party, if a real party holds the post."""
        return next((p.name for p in self.parties if p.prime_minister and not p.lumped), None)

    @property
    def house(self) -> int:
        """Seats of every row, lumped groups included (the house the majority is measured on)."""
        return sum(p.seats for p in self.parties)

    @property
    def label(self) -> str:
        """``"DEU 2017-09-24"``: country code and election date."""
        return f"{self.country} {self.election_date.isoformat()}"


@dataclass(frozen=True)
class ParlGov:
    """Every cabinet of the file, ordered by country, start date and cabinet id."""

    cabinets: tuple[Cabinet, ...]
    source: str = "view_cabinet.csv"
    sha256: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.cabinet_id: c for c in self.cabinets})

    @property
    def countries(self) -> dict[str, str]:
        """Country code -> country name."""
        return {c.country: c.country_name for c in self.cabinets}

    def cabinet(self, cabinet_id: int) -> Cabinet:
        """The cabinet with this ParlGov id."""
        try:
            return self._by_id[cabinet_id]  # type: ignore[attr-defined]
        except KeyError:
            raise UnknownNameError(f"no cabinet with id {cabinet_id} in {self.source}") from None

    def previous(self, cab: Cabinet) -> Cabinet | None:
        """The cabinet ParlGov names as this one's predecessor."""
        return self._by_id.get(cab.previous_cabinet_id)  # type: ignore[attr-defined]

    def of_country(self, country: str) -> tuple[Cabinet, ...]:
        """Every cabinet of one country (a code or name, any case), in order."""
        code = self.country_code(country)
        return tuple(c for c in self.cabinets if c.country == code)

    def country_code(self, country: str) -> str:
        """``"deu"``, ``"DEU"`` or ``"Germany"`` -> ``"DEU"``; unknown names list the nearest."""
        names = self.countries
        key = country.strip().lower()
        for code, name in names.items():
            if key in (code.lower(), name.lower()):
                return code
        pool = [*names, *names.values()]
        near = difflib.get_close_matches(country.strip(), pool, n=3, cutoff=0.4)
        near += [c for c in names if c.lower().startswith(key[:1])][:3] if not near else []
        hint = f"; nearest: {', '.join(dict.fromkeys(near))}" if near else ""
        raise UnknownNameError(
            f"unknown ParlGov country {country!r}{hint}; codes: {', '.join(sorted(names))}"
        )

    def elections(self, country: str) -> tuple[date, ...]:
        """The general-election dates of a country, in order."""
        return tuple(sorted({c.election_date for c in self.of_country(country)}))

    def formation(self, country: str, when: str | int | date) -> Cabinet:
        """The cabinet formed after the election held on ``when`` (a date, or a year with one
        election) in ``country``: the first that is not a caretaker, else the first (the outgoing
        cabinet often stays on as caretaker while the new one is negotiated, as in Germany 2017).
        An unknown country or date names the nearest matches."""
        cabinets = self.of_country(country)
        code = cabinets[0].country
        dates = sorted({c.election_date for c in cabinets})
        text = when.isoformat() if isinstance(when, date) else str(when).strip()
        if text.isdigit() and len(text) == 4:
            hits = [d for d in dates if d.year == int(text)]
            if len(hits) > 1:
                raise InputError(
                    f"{code} held {len(hits)} elections in {text} "
                    f"({', '.join(d.isoformat() for d in hits)}): give the date"
                )
            target = int(text)
            if not hits:
                near = sorted(dates, key=lambda d: abs(d.year - target))[:3]
                raise UnknownNameError(
                    f"{code} held no election in {text}; nearest: {', '.join(sorted(d.isoformat() for d in near))}"
                )
            day = hits[0]
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise InputError(f"cannot read {text!r} as an election year or date (YYYY-MM-DD)") from None
            if day not in dates:
                near = sorted(dates, key=lambda d: abs((d - day).days))[:3]
                raise UnknownNameError(
                    f"{code} held no election on {day.isoformat()}; nearest: "
                    f"{', '.join(sorted(d.isoformat() for d in near))}"
                )
        return _formed(tuple(c for c in cabinets if c.election_date == day))

    def formations(self, since: str | date = "1945-01-01") -> tuple[Cabinet, ...]:
        """The cabinet formed after each election (see :meth:`formation`), for elections whose
        first cabinet starts on or after ``since``."""
        start = date.fromisoformat(since) if isinstance(since, str) else since
        groups: dict[int, list[Cabinet]] = {}
        for cab in self.cabinets:
            groups.setdefault(cab.election_id, []).append(cab)
        return tuple(_formed(tuple(g)) for g in groups.values() if g[0].start >= start)

    def next_cabinet(self, cab: Cabinet) -> Cabinet | None:
        """The cabinet that followed ``cab`` in its country (None for the last one on file)."""
        same = self.of_country(cab.country)
        i = same.index(cab)
        return same[i + 1] if i + 1 < len(same) else None


def _formed(cabinets: tuple[Cabinet, ...]) -> Cabinet:
    """The first non-caretaker cabinet of one election's cabinets (in order), else the first."""
    return next((c for c in cabinets if not c.caretaker), cabinets[0])


def _int(row: dict[str, str], key: str, source: str, line: int, *, optional: bool = False) -> int | None:
    text = (row.get(key) or "").strip()
    if not text and optional:
        return None
    digits = text.removesuffix(".0")
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(f"{key} must be a whole number, got {text!r}", source=source, line=line)
    return parse_whole(digits, key, source, line)


def _day(row: dict[str, str], key: str, source: str, line: int) -> date:
    text = (row.get(key) or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{key} must be a date YYYY-MM-DD, got {text!r}", source=source, line=line) from None


def _float(row: dict[str, str], key: str, source: str, line: int) -> float | None:
    text = (row.get(key) or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{key} must be a number, got {text!r}", source=source, line=line) from None


def _text(source: str | Path | bytes) -> tuple[str, str, str]:
    """(text, display name, SHA-256 of the bytes) of a path, bytes or CSV text."""
    if isinstance(source, bytes):
        raw, name = source, "<bytes>"
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        path = Path(source)
        if not path.is_file():
            raise InputError("no such file", source=str(path))
        raw, name = path.read_bytes(), str(path)
    else:
        raw, name = source.encode("utf-8"), "<text>"
    try:
        return raw.decode("utf-8-sig"), name, hashlib.sha256(raw).hexdigest()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=name) from None


def read_parlgov(source: str | Path | bytes) -> ParlGov:
    """Read ParlGov's ``view_cabinet.csv`` from a path, its bytes or its text."""
    text, name, digest = _text(source)
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        return _read_rows(reader, name, digest)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=name, line=reader.line_num) from None


def _read_rows(reader: csv.DictReader[str], name: str, digest: str) -> ParlGov:
    """The cabinets of ``reader``'s rows (``name`` labels messages; ``digest`` is the file's hash)."""
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", source=name, line=1)
    rows: dict[int, list[tuple[dict[str, Any], CabinetParty]]] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputError("more fields than the header has", source=name, line=line)
        if None in row.values():
            raise InputError("fewer fields than the header has", source=name, line=line)
        seats = _int(row, "seats", name, line)
        if seats is None or seats > MAX_PARTY_SEATS:
            raise InputError(f"seats must be 0 to {MAX_PARTY_SEATS:,}, got {seats}", source=name, line=line)
        party = CabinetParty(
            name=row["party_name_short"].strip(),
            party_id=_int(row, "party_id", name, line) or 0,
            seats=seats,
            left_right=_float(row, "left_right", name, line),
            in_cabinet=_int(row, "cabinet_party", name, line) == 1,
            prime_minister=_int(row, "prime_minister", name, line) == 1,
            full_name=row["party_name_english"].strip(),
        )
        if not party.name:
            raise InputError("empty party_name_short", source=name, line=line)
        head = {
            "cabinet_id": _int(row, "cabinet_id", name, line),
            "country": row["country_name_short"].strip(),
            "country_name": row["country_name"].strip(),
            "name": row["cabinet_name"].strip(),
            "start": _day(row, "start_date", name, line),
            "election_date": _day(row, "election_date", name, line),
            "election_id": _int(row, "election_id", name, line),
            "previous_cabinet_id": _int(row, "previous_cabinet_id", name, line, optional=True),
            "caretaker": _int(row, "caretaker", name, line) == 1,
            "seats_total": _int(row, "election_seats_total", name, line, optional=True) or 0,
        }
        group = rows.setdefault(head["cabinet_id"], [])
        if group and group[0][0] != head:
            raise InputError(
                f"cabinet {head['cabinet_id']} has rows that disagree on its country, dates or name",
                source=name,
                line=line,
            )
        group.append((head, party))
    if not rows:
        raise InputError("no cabinets in the file", source=name)
    cabinets = [Cabinet(**group[0][0], parties=tuple(p for _, p in group)) for group in rows.values()]
    cabinets.sort(key=lambda c: (c.country, c.start, c.cabinet_id))
    return ParlGov(tuple(cabinets), source=name, sha256=digest)


def parliament_spec(cab: Cabinet) -> dict[str, Any]:
    """The parliament a cabinet faced, as plain data for :class:`~kingmaker.parliament.Parliament`:
    ``parties`` (name, seats, position, full_name), ``non_voting`` (party, seats, kind, reason) and
    ``name``/``title``/``source``. Lumped groups keep their seats in the house but are marked
    non-voting so that they join no coalition; zero-seat parties are left out."""
    parties = [
        {"name": p.name, "seats": p.seats, "position": p.left_right, "full_name": p.full_name}
        for p in cab.parties
        if p.seats > 0
    ]
    lumped = [
        {
            "party": p.name,
            "seats": p.seats,
            "kind": "other",
            "reason": f"ParlGov lumps independents and minor parties as {p.name!r}: not a party, "
            "so it joins no coalition (its seats still count toward the house)",
        }
        for p in cab.parties
        if p.lumped and p.seats > 0
    ]
    formed = "+".join(cab.government) or "no party"
    pm = cab.pm_party or "none"
    return {
        "parties": parties,
        "non_voting": lumped,
        "name": f"parlgov-{cab.country}-{cab.election_date.isoformat()}",
        "title": f"{cab.country_name}, election {cab.election_date.isoformat()}: cabinet formed "
        f"{cab.start.isoformat()} {cab.name} ({formed}; PM {pm}{'; caretaker' if cab.caretaker else ''})",
        "source": f"ParlGov view_cabinet.csv, cabinet_id {cab.cabinet_id}",
        "positions_source": "ParlGov left_right (0-10, mean of expert surveys)",
        "government": list(cab.government),
    }
