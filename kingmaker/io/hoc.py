"""Readers for UK general election results into :class:`~kingmaker.votes.VoteTable`.

- :func:`read_hoc_1918` -- the House of Commons Library's 1918-2017 / 1918-2019 constituency
  file (CBP-8647), which holds five vote *buckets*: ``con``, ``lib``, ``lab``, ``natSW`` (SNP in
  Scotland plus Plaid Cymru in Wales, one column) and ``oth`` (everyone else, including every
  Northern Ireland party, the Greens, UKIP and the Speaker). ``natSW`` is one party in each
  row's nation, so it is split by nation into ``SNP`` and ``PC`` columns; ``oth`` stays one
  column, described in :attr:`VoteTable.groups` and, being many parties and independents, set
  aside from list seats (:attr:`VoteTable.independents`).
- :func:`read_hoc_candidates` -- the per-candidate files (2015, 2017, 2019, 2024; both the
  original snake_case layout and the current "Title Case" one); candidates of the same party
  abbreviation in one seat are summed (``Ind`` is then grouped, and says so).
- :func:`read_hoc_constituencies` -- the per-constituency files (2017 original layout, 2019 and
  2024 current layout) whose last columns lump minor candidates as ``other`` (read as ``Other``,
  set aside from list seats like ``oth``).
- :func:`~kingmaker.io.ec_2010.read_ec_2010` (in :mod:`kingmaker.io.ec_2010`) -- the Electoral
  Commission's 2010 flat file with its party key.
- :func:`read_results` -- any of these, recognised by the header.

Every reader raises :class:`~kingmaker.errors.InputError` naming the file and line. Party
columns go through the alias table of :mod:`kingmaker.party_names` (``Grn`` -> ``Green``,
``Spk`` -> ``Speaker``, ``APNI`` -> ``Alliance``), so every data set uses the same keys, and
independents and the Speaker are marked in :attr:`VoteTable.independents`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from kingmaker.errors import InputError
from kingmaker.io._results_csv import _cell, _column, _int, _rows
from kingmaker.io.ec_2010 import read_ec_2010
from kingmaker.io.limits import DEFAULT_LIMITS
from kingmaker.party_names import canonical_parties, non_party_columns
from kingmaker.votes import VoteTable, canonical_region, lumped_column_note, nation_of_region

#: The most seats one constituency may return (the readers' cap on a seats claim).
MAX_SEATS = DEFAULT_LIMITS.max_seats
#: The file's vote buckets, in its column order.
BUCKETS = ("con", "lib", "lab", "natSW", "oth")
#: The columns of a :func:`read_hoc_1918` table: ``natSW`` split by nation into SNP and PC.
COLUMNS_1918 = ("con", "lib", "lab", "SNP", "PC", "oth")
#: ``natSW`` belongs to the SNP in Scotland and to Plaid Cymru in Wales.
NATSW_PARTY = {"Scotland": "SNP", "Wales": "PC"}
BUCKET_NAMES = {
    "con": "Conservative",
    "lib": "Liberal / Alliance / Liberal Democrat",
    "lab": "Labour",
    "natSW": "SNP (in Scotland) and Plaid Cymru (in Wales), one column",
    "SNP": "Scottish National Party (the file's natSW bucket in Scotland)",
    "PC": "Plaid Cymru (the file's natSW bucket in Wales)",
    "oth": "all other candidates, one column",
}
BUCKET_GROUPS = {
    "natSW": "grouped in the source: SNP in Scotland plus Plaid Cymru in Wales (one column); rows "
    "whose nation neither the file nor the constituency's name gives stay in this column",
    "oth": (
        "grouped in the source: every other candidate -- Greens, UKIP, Brexit, BNP, "
        "independents, the Speaker and all Northern Ireland parties (in 2010 also the NI "
        "Conservatives, who stood jointly with the UUP as UCUNF)"
    ),
}
#: The ``oth`` bucket is many parties and independents: not a party, no list seats.
OTH_NOTE = lumped_column_note("oth", "the HoC Library's bucket of every other candidate")
#: The constituency files' ``Other`` column (all candidates outside the named parties).
OTHER_NOTE = lumped_column_note("Other", "all candidates outside the named party columns")


def natsw_party(nation: str | None, name: str) -> str | None:
    """``SNP`` or ``PC``: whose votes the ``natSW`` bucket holds in a row of ``nation``
    (``None`` where the file gives none, e.g. the university seats: then from the
    constituency's name, ``University of Wales`` -> ``PC``); ``None`` if neither says."""
    if nation in NATSW_PARTY:
        return NATSW_PARTY[nation]
    lowered = name.lower()
    if "wales" in lowered or "welsh" in lowered:
        return "PC"
    if "scot" in lowered:
        return "SNP"
    return None


# ---------------------------------------------------------------------------- 1918-20xx buckets


def read_hoc_1918(path: str | Path, election: str | int) -> VoteTable:
    """One election of the HoC Library 1918-2017/2019 file, with the five vote buckets.

    The columns are :data:`COLUMNS_1918`: ``con``, ``lib``, ``lab``, then the ``natSW`` bucket
    split by each row's nation into ``SNP`` (Scotland) and ``PC`` (Wales) -- in a nation the
    bucket is that one party, so both are parties like any other -- and ``oth``. A row with
    ``natSW`` votes but no nation (a university seat) goes by its name (:func:`natsw_party`);
    if that says nothing either, a ``natSW`` column is kept for it (grouped, noted). ``oth`` lumps
    many parties and independents: it is marked in :attr:`VoteTable.independents` (note
    :data:`OTH_NOTE`), so it wins constituencies but takes no list seats above the district level.

    Unopposed returns (negative vote figures) are left out and listed in ``notes``; empty cells
    count as 0. Regions are the ONS regions (``Eastern`` becomes ``East of England``).
    """
    path = Path(path)
    src = str(path)
    header, rows = _rows(path)
    col = {
        h: _column(header, h, src)
        for h in ("constituency_id", "seats", "country/region", "electorate", "total_votes", "election")
    }
    name_col = _column(header, "constituency_name" if "constituency_name" in header else "constituency", src)
    vote_cols = [_column(header, f"{b}_votes", src) for b in BUCKETS]
    wanted = str(election)
    names: list[str] = []
    codes: list[str] = []
    regions: list[str] = []
    nations: list[str | None] = []
    electorates: list[int] = []
    magnitudes: list[int] = []
    votes: list[list[int]] = []
    notes: list[str] = []
    for line, row in rows:
        if _cell(row, col["election"], src, line).strip() != wanted:
            continue
        name = " ".join(_cell(row, name_col, src, line).split())
        cells = [
            _int(_cell(row, c, src, line), f"{b} votes", src, line)
            for b, c in zip(BUCKETS, vote_cols, strict=True)
        ]
        if any(v < 0 for v in cells):
            notes.append(f"{name}: unopposed return, left out")
            continue
        region_raw = _cell(row, col["country/region"], src, line).strip()
        region = canonical_region(region_raw)
        code = _cell(row, col["constituency_id"], src, line).strip() or f"{name} ({wanted})"
        names.append(name)
        codes.append(code)
        regions.append(region)
        nations.append(nation_of_region(region))
        electorate = _cell(row, col["electorate"], src, line).strip()
        electorates.append(_int(electorate, "electorate", src, line, negative=False) if electorate else 0)
        seats = _int(
            _cell(row, col["seats"], src, line), "seats", src, line, blank=1, negative=False, most=MAX_SEATS
        )
        magnitudes.append(seats or 1)
        votes.append(cells)
    if not votes:
        raise InputError(f"no rows for election {wanted}", source=src)
    buckets = np.array(votes, dtype=np.int64)
    natsw = buckets[:, BUCKETS.index("natSW")]
    owner = [natsw_party(n, d) for n, d in zip(nations, names, strict=True)]
    split = {p: np.where([o == p for o in owner], natsw, 0) for p in ("SNP", "PC")}
    unknown = np.where([o is None for o in owner], natsw, 0)
    columns = [*buckets[:, :3].T, split["SNP"], split["PC"], buckets[:, 4]]
    parties = COLUMNS_1918
    groups = {"oth": BUCKET_GROUPS["oth"]}
    if unknown.any():
        columns.insert(5, unknown)
        parties = (*COLUMNS_1918[:5], "natSW", "oth")
        groups["natSW"] = BUCKET_GROUPS["natSW"]
    return VoteTable(
        np.column_stack(columns),
        parties,
        tuple(names),
        codes=tuple(codes),
        nations=tuple(nations),
        regions=tuple(regions),
        electorates=np.array(electorates),
        magnitudes=np.array(magnitudes),
        groups=groups,
        party_names={p: BUCKET_NAMES[p] for p in parties},
        independents={"oth": OTH_NOTE},
        source=src,
        election=wanted,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------- candidate files

_CANDIDATE_LAYOUTS = {
    # original snake_case layout (2015, 2019 candidate files)
    "ons_id": (
        "ons_id",
        "constituency_name",
        "region_name",
        "country_name",
        "party_abbreviation",
        "party_name",
        "votes",
    ),
    # current Title Case layout (2017 re-issue, 2024)
    "ONS ID": (
        "ONS ID",
        "Constituency name",
        "Region name",
        "Country name",
        "Party abbreviation",
        "Party name",
        "Votes",
    ),
}


def _candidate_columns(
    path: str | Path, layouts: dict[str, Sequence[str]]
) -> tuple[str, Iterator[tuple[int, list[str]]], list[int]]:
    """A per-candidate file's name, its rows, and the indices of the columns its layout (told by
    which key column the header has) names; an InputError when it is no such file."""
    src = str(path)
    header, rows = _rows(Path(path))
    layout = next((v for k, v in layouts.items() if k in header), None)
    if layout is None:
        raise InputError("not a HoC Library candidate file (no ONS id column)", source=src, line=1)
    return src, rows, [_column(header, name, src) for name in layout]


def read_hoc_candidates(path: str | Path, *, election: str | None = None) -> VoteTable:
    """A HoC Library per-candidate results file: one column per party abbreviation.

    Where several candidates share an abbreviation in one seat (mostly ``Ind``), the second goes
    to column ``"Ind (2)"``, the third to ``"Ind (3)"`` and so on, so that first past the post
    still sees candidates (summing them would elect phantom independents: 2 in 2024).
    :attr:`VoteTable.groups` lists those columns.
    """
    src, rows, idx = _candidate_columns(path, _CANDIDATE_LAYOUTS)
    seats: dict[str, int] = {}
    meta: list[tuple[str, str, str, str]] = []
    parties: dict[str, int] = {}
    party_names: dict[str, str] = {}
    cells: dict[tuple[int, int], int] = {}
    repeats: dict[str, int] = {}
    for line, row in rows:
        code, name, region, country, abbrev, pname, vote = (_cell(row, i, src, line).strip() for i in idx)
        if not code:
            raise InputError("missing ONS id", source=src, line=line)
        if not abbrev:
            raise InputError("missing party abbreviation", source=src, line=line)
        count = _int(vote, "votes", src, line, blank=None)
        if count < 0:
            raise InputError(f"negative votes ({count})", source=src, line=line)
        d = seats.get(code)
        if d is None:
            d = seats[code] = len(seats)
            region = canonical_region(region)
            if country in ("Scotland", "Wales", "Northern Ireland"):
                region = country
            meta.append((name, region, nation_of_region(region) or country, code))
        column, n = abbrev, 1
        while (d, parties.get(column, -1)) in cells:
            n += 1
            column = f"{abbrev} ({n})"
        if n > 1:
            repeats[abbrev] = repeats.get(abbrev, 0) + 1
        p = parties.setdefault(column, len(parties))
        party_names.setdefault(column, pname)
        cells[(d, p)] = count
    if not seats:
        raise InputError("no candidate rows", source=src)
    votes = np.zeros((len(seats), len(parties)), dtype=np.int64)
    for (d, p), count in cells.items():
        votes[d, p] = count
    groups = {
        abbrev: f"{n} seat(s) had several {abbrev} candidates: the second and later ones are in "
        f"columns '{abbrev} (2)', '{abbrev} (3)', ...; add them up for {abbrev}'s total"
        for abbrev, n in repeats.items()
    }
    columns = canonical_parties(parties)
    return VoteTable(
        votes,
        columns,
        tuple(m[0] for m in meta),
        codes=tuple(m[3] for m in meta),
        nations=tuple(m[2] for m in meta),
        regions=tuple(m[1] for m in meta),
        groups=groups,
        party_names={c: party_names[p] for p, c in zip(parties, columns, strict=True)},
        independents=non_party_columns(columns),
        source=src,
        election=election,
    )


#: The candidate files' name columns, by layout (the key of :data:`_CANDIDATE_LAYOUTS`).
_NAME_COLUMNS = {
    "ons_id": ("ons_id", "party_abbreviation", "firstname", "surname"),
    "ONS ID": ("ONS ID", "Party abbreviation", "Candidate first name", "Candidate surname"),
}


def read_hoc_candidate_names(path: str | Path) -> dict[tuple[str, str], str]:
    """``{(ONS code, party column): "First Surname"}`` of a HoC Library per-candidate file: the
    person behind each vote cell of :func:`read_hoc_candidates` (the same columns, repeats of an
    abbreviation in a seat numbered ``"Ind (2)"``, ... in file order)."""
    src, rows, idx = _candidate_columns(path, _NAME_COLUMNS)
    raw: dict[tuple[str, str], str] = {}
    for line, row in rows:
        code, abbrev, first, last = (_cell(row, i, src, line).strip() for i in idx)
        column, n = abbrev, 1
        while (code, column) in raw:
            n += 1
            column = f"{abbrev} ({n})"
        raw[(code, column)] = " ".join(f"{first} {last}".split())
    return {(code, canonical_parties([column])[0]): name for (code, column), name in raw.items()}


# ---------------------------------------------------------------------------- constituency files


#: The per-constituency files' columns, by layout (told by which ONS id column the header has):
#: first party, last (the "other" column), ONS code, name, region, country, electorate.
_CONSTITUENCY_LAYOUTS = {
    "ons_id": ("con", "other", "ons_id", "constituency_name", "region_name", "country_name", "electorate"),
    "ons id": (
        "con",
        "all other candidates",
        "ons id",
        "constituency name",
        "region name",
        "country name",
        "electorate",
    ),
}


def read_hoc_constituencies(path: str | Path, *, election: str | None = None) -> VoteTable:
    """A HoC Library per-constituency file (2017 original or 2019/2024 current layout).

    The named party columns are kept; ``other`` (all other candidates) becomes the grouped column
    ``Other``, which lumps many parties and independents and so takes no list seats above the
    district level (:data:`OTHER_NOTE`).
    """
    path = Path(path)
    src = str(path)
    header, rows = _rows(path)
    lower = [h.lower() for h in header]
    layout = next((cols for key, cols in _CONSTITUENCY_LAYOUTS.items() if key in lower), None)
    if layout is None:
        raise InputError("not a HoC Library constituency file", source=src, line=1)
    first, last, code_c, name_c, region_c, country_c, elect_c = (_column(header, c, src) for c in layout)
    if last < first:
        raise InputError(
            f"the party columns run from {header[first]!r} to {header[last]!r}, which comes before it",
            source=src,
            line=1,
        )
    party_cols = list(range(first, last + 1))
    parties = list(canonical_parties(header[c] if c != last else "Other" for c in party_cols))
    names, codes, regions, nations, electorates, votes = [], [], [], [], [], []
    for line, row in rows:
        region = canonical_region(_cell(row, region_c, src, line))
        country = _cell(row, country_c, src, line).strip()
        if country in ("Scotland", "Wales", "Northern Ireland"):
            region = country
        names.append(_cell(row, name_c, src, line).strip())
        codes.append(_cell(row, code_c, src, line).strip())
        regions.append(region)
        nations.append(nation_of_region(region) or country)
        electorates.append(_int(_cell(row, elect_c, src, line), "electorate", src, line, negative=False))
        votes.append(
            [_int(_cell(row, c, src, line), header[c], src, line, negative=False) for c in party_cols]
        )
    return VoteTable(
        np.array(votes, dtype=np.int64),
        tuple(parties),
        tuple(names),
        codes=tuple(codes),
        nations=tuple(nations),
        regions=tuple(regions),
        electorates=np.array(electorates),
        groups={"Other": "grouped in the source: all candidates outside the named party columns"},
        independents={**non_party_columns(parties), "Other": OTHER_NOTE},
        source=src,
        election=election,
    )


# ---------------------------------------------------------------------------- detection


def read_results(path: str | Path, *, election: str | int | None = None) -> VoteTable:
    """Read any supported results file, recognised by its header.

    The 1918-20xx file needs ``election``; a long ``district,party,votes`` CSV is read by
    :func:`kingmaker.io.long_csv.read_long_csv`.
    """
    path = Path(path)
    header, _ = _rows(path)
    lower = {h.lower() for h in header}
    if "natsw_votes" in lower:
        if election is None:
            raise InputError(
                "this file holds every election since 1918: give the election's year (election=YEAR)",
                source=str(path),
            )
        return read_hoc_1918(path, election)
    if "press association reference" in lower:
        key = path.with_name("GE2010-party-abbreviations.csv")
        return read_ec_2010(path, key if key.exists() else None)
    if {"party_abbreviation", "party abbreviation"} & lower:
        return read_hoc_candidates(path, election=None if election is None else str(election))
    if {"other", "all other candidates"} & lower:
        return read_hoc_constituencies(path, election=None if election is None else str(election))
    if {"district", "party", "votes"} <= lower:
        from kingmaker.io.long_csv import read_long_csv

        return read_long_csv(path)
    raise InputError("unrecognised results file (header not known)", source=str(path), line=1)
