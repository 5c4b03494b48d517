"""The Electoral Commission's 2010 general election flat file, with its party key and the ONS
codes attached from an embedded table (see :func:`read_ec_2010`)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from kingmaker.errors import InputError
from kingmaker.io._results_csv import _cell, _column, _int, _rows
from kingmaker.party_names import canonical_parties, non_party_columns
from kingmaker.votes import VoteTable, canonical_region, nation_of_region

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
            _int(_cell(row, i, src, line) if i < len(row) else "", header[i], src, line, negative=False)
            for i in party_cols
        ]
        valid = _int(_cell(row, meta[5], src, line), "Votes", src, line, blank=None, negative=False)
        if sum(cells) != valid:
            raise InputError(
                f"party votes sum to {sum(cells)}, not the {valid} valid votes", source=src, line=line
            )
        names.append(name)
        refs.append(_cell(row, meta[0], src, line).strip())
        regions.append(region)
        nations.append(nation_of_region(region))
        electorates.append(_int(_cell(row, meta[4], src, line), "Electorate", src, line, negative=False))
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
