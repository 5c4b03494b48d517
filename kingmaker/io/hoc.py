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
- :func:`read_ec_2010` -- the Electoral Commission's 2010 flat file with its party key.
- :func:`read_results` -- any of these, recognised by the header.

Every reader raises :class:`~kingmaker.errors.InputError` naming the file and line. Party
columns go through the alias table of :mod:`kingmaker.io.party_names` (``Grn`` -> ``Green``,
``Spk`` -> ``Speaker``, ``APNI`` -> ``Alliance``), so every data set uses the same keys, and
independents and the Speaker are marked in :attr:`VoteTable.independents`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from kingmaker.errors import InputError
from kingmaker.io.party_names import canonical_parties, non_party_columns
from kingmaker.votes import VoteTable, canonical_region, lumped_column_note, nation_of_region

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


def _open_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("cannot decode the file as UTF-8 or cp1252", source=str(path))


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header (stripped) and (line, row) pairs of a CSV file."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", source=str(path))
    text = _open_text(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file", source=str(path), line=1) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=str(path), line=1) from None

    def gen() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", source=str(path), line=reader.line_num) from None

    return header, gen()


def _int(cell: str, what: str, source: str, line: int, *, blank: int | None = 0) -> int:
    text = cell.strip().replace(",", "")
    if text == "":
        if blank is None:
            raise InputError(f"missing {what}", source=source, line=line)
        return blank
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{what} {cell!r} is not a number", source=source, line=line) from None
    if value != int(value):
        raise InputError(f"{what} {cell!r} is not a whole number", source=source, line=line)
    return int(value)


def _column(header: list[str], name: str, source: str) -> int:
    lowered = [h.lower() for h in header]
    try:
        return lowered.index(name.lower())
    except ValueError:
        raise InputError(f"missing column {name!r}", source=source, line=1) from None


def _cell(row: list[str], index: int, source: str, line: int) -> str:
    if index >= len(row):
        raise InputError(
            f"row has {len(row)} fields, expected at least {index + 1}", source=source, line=line
        )
    return row[index]


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
        electorates.append(_int(electorate, "electorate", src, line) if electorate else 0)
        magnitudes.append(_int(_cell(row, col["seats"], src, line), "seats", src, line, blank=1) or 1)
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


def read_hoc_candidates(path: str | Path, *, election: str | None = None) -> VoteTable:
    """A HoC Library per-candidate results file: one column per party abbreviation.

    Where several candidates share an abbreviation in one seat (mostly ``Ind``), the second goes
    to column ``"Ind (2)"``, the third to ``"Ind (3)"`` and so on, so that first past the post
    still sees candidates (summing them would elect phantom independents: 2 in 2024).
    :attr:`VoteTable.groups` lists those columns.
    """
    path = Path(path)
    src = str(path)
    header, rows = _rows(path)
    layout = next((v for k, v in _CANDIDATE_LAYOUTS.items() if k in header), None)
    if layout is None:
        raise InputError("not a HoC Library candidate file (no ONS id column)", source=src, line=1)
    idx = [_column(header, name, src) for name in layout]
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


# ---------------------------------------------------------------------------- constituency files


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
    if "ons_id" in lower:
        first = lower.index("con")
        last = lower.index("other")
        code_c, name_c, region_c, country_c, elect_c = (
            lower.index(c)
            for c in ("ons_id", "constituency_name", "region_name", "country_name", "electorate")
        )
    elif "ons id" in lower:
        first = lower.index("con")
        last = lower.index("all other candidates")
        code_c, name_c, region_c, country_c, elect_c = (
            lower.index(c)
            for c in ("ons id", "constituency name", "region name", "country name", "electorate")
        )
    else:
        raise InputError("not a HoC Library constituency file", source=src, line=1)
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
        electorates.append(_int(_cell(row, elect_c, src, line), "electorate", src, line))
        votes.append([_int(_cell(row, c, src, line), header[c], src, line) for c in party_cols])
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


# ---------------------------------------------------------------------------- EC 2010

_EC_META = (
    "Press Association Reference",
    "Constituency Name",
    "Region",
    "Election Year",
    "Electorate",
    "Votes",
)
#: Flat-file column -> abbreviation in the party key, where the two disagree.
_EC_KEY_ALIASES = {"BCP": "BCD", "Wessex Reg": "WR"}


def read_ec_party_key(path: str | Path) -> dict[str, str]:
    """``{abbreviation: party name}`` from ``GE2010-party-abbreviations.csv``."""
    path = Path(path)
    src = str(path)
    header, rows = _rows(path)
    a, n = _column(header, "Abbreviation", src), _column(header, "Party Name/Description", src)
    return {_cell(r, a, src, line).strip(): _cell(r, n, src, line).strip() for line, r in rows}


#: Press Association reference -> ONS code of the 650 seats of 2010 (package data).
EC_2010_CODES = Path(__file__).resolve().parents[1] / "presets" / "uk-2010-constituency-codes.csv"


def normalised_name(name: str) -> str:
    """A constituency name for matching: lower case, ``&`` -> ``and``, letters and digits only."""
    text = name.lower().replace("&", " and ")
    return "".join(ch for ch in text if ch.isalnum())


def ec_2010_codes(refs: list[str], names: list[str]) -> tuple[tuple[str, ...] | None, str]:
    """ONS codes for the EC 2010 flat file's rows, from the embedded table.

    The table (``presets/uk-2010-constituency-codes.csv``) was derived by
    :func:`match_codes_by_votes` from the HoC Library's 1918-2019 file (CBP-8647, the 2010 rows)
    and is checked against it by ``tests/test_hoc.py`` where the data is present. A row is
    matched by its Press Association reference and its name must agree (normalised). Returns
    ``(codes, "")``, or ``(None, why)`` if any row does not match (the table then stays keyed by
    name).
    """
    table: dict[str, tuple[str, str]] = {}
    with EC_2010_CODES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            table[row["pa_reference"]] = (normalised_name(row["constituency"]), row["ons_code"])
    codes: list[str] = []
    for ref, name in zip(refs, names, strict=True):
        hit = table.get(ref)
        if hit is None or hit[0] != normalised_name(name):
            return None, (
                f"no ONS codes attached: row {ref} ({name}) is not in the embedded 2010 table; "
                "districts are keyed by name"
            )
        codes.append(hit[1])
    if len(set(codes)) != len(codes):
        return None, "no ONS codes attached: the file repeats a constituency; districts are keyed by name"
    return tuple(codes), ""


def match_codes_by_votes(
    table: VoteTable, coded: VoteTable, columns: tuple[tuple[str, str], ...]
) -> dict[str, str]:
    """``{district name of table: code of coded}`` for rows with the same votes in ``columns``
    (pairs of column names, one in each table) and the same total; every row must match
    exactly one. How the embedded 2010 table was derived (EC flat file vs HoC 1918-2019 file,
    columns Con/con, LD/lib, Lab/lab); kept to re-derive and check it."""
    if coded.codes is None:
        raise InputError("the coded table has no district codes", source=coded.source)
    a = [table.party_index(x) for x, _ in columns]
    b = [coded.party_index(y) for _, y in columns]
    index: dict[tuple[int, ...], list[str]] = {}
    for row, code in zip(coded.votes, coded.codes, strict=True):
        index.setdefault((*(int(row[i]) for i in b), int(row.sum())), []).append(code)
    out: dict[str, str] = {}
    for row, name in zip(table.votes, table.districts, strict=True):
        hits = index.get((*(int(row[i]) for i in a), int(row.sum())), [])
        if len(hits) != 1:
            raise InputError(
                f"{name}: {len(hits)} rows of {coded.source} have the same votes", source=table.source
            )
        out[name] = hits[0]
    if len(set(out.values())) != len(out):
        raise InputError("two constituencies matched the same code", source=table.source)
    return out


def read_ec_2010(path: str | Path, abbreviations: str | Path | None = None) -> VoteTable:
    """The Electoral Commission 2010 flat file: every party's votes in every seat.

    The file has no ONS codes: they are attached from the embedded table of
    :func:`ec_2010_codes` (Press Association reference -> ONS code, checked against the name);
    if the file does not match it, districts stay keyed by name and a note says why.
    ``Ind1``-``Ind5`` keep independents apart (each column holds a different candidate in every
    seat, so all five are marked in :attr:`VoteTable.independents`). ``abbreviations`` (the
    party key) fills in party names.
    """
    path = Path(path)
    src = str(path)
    header, rows = _rows(path)
    meta = [_column(header, h, src) for h in _EC_META]
    party_cols = [i for i, h in enumerate(header) if i not in meta and h]
    source_names = tuple(header[i] for i in party_cols)
    parties = canonical_parties(source_names)
    names, refs, regions, nations, electorates, votes = [], [], [], [], [], []
    for line, row in rows:
        name = " ".join(_cell(row, meta[1], src, line).split())
        if not name:
            raise InputError("missing constituency name", source=src, line=line)
        region = canonical_region(_cell(row, meta[2], src, line))
        cells = [
            _int(_cell(row, i, src, line) if i < len(row) else "", header[i], src, line) for i in party_cols
        ]
        valid = _int(_cell(row, meta[5], src, line), "Votes", src, line, blank=None)
        if sum(cells) != valid:
            raise InputError(
                f"party votes sum to {sum(cells)}, not the {valid} valid votes", source=src, line=line
            )
        names.append(name)
        refs.append(_cell(row, meta[0], src, line).strip())
        regions.append(region)
        nations.append(nation_of_region(region))
        electorates.append(_int(_cell(row, meta[4], src, line), "Electorate", src, line))
        votes.append(cells)
    party_names: dict[str, str] = {}
    if abbreviations is not None:
        key = read_ec_party_key(abbreviations)
        for raw, p in zip(source_names, parties, strict=True):
            k = _EC_KEY_ALIASES.get(raw, "Ind" if raw.startswith("Ind") else raw)
            if k in key:
                party_names[p] = key[k]
    codes, code_note = ec_2010_codes(refs, names)
    return VoteTable(
        np.array(votes, dtype=np.int64),
        parties,
        tuple(names),
        codes=codes,
        nations=tuple(nations),
        regions=tuple(regions),
        electorates=np.array(electorates),
        groups={
            "UCUNF": "Ulster Conservatives and Unionists - New Force: the Conservative-UUP "
            "joint ticket in Northern Ireland"
        },
        party_names=party_names,
        independents=non_party_columns(parties),
        source=src,
        election="2010",
        notes=(code_note,) if code_note else (),
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
            raise InputError("this file holds every election since 1918: give --election", source=str(path))
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
