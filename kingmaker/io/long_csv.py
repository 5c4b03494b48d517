"""Generic long vote CSV: ``district,party,votes[,region,nation,electorate,seats]``, one row per cell.

A header row is required. ``seats`` is the district magnitude: the seats that district returns
(a multi-member region of a list election, e.g. the 2019 European Parliament regions), read into
:attr:`VoteTable.magnitudes`; without it every district returns one seat. A district's region,
nation, electorate and seats must agree on every one of its rows. A column the reader does not
know is an :class:`InputError` naming it, not silently dropped (``ignore=`` names columns to
leave out on purpose). Problems raise :class:`InputError` with the file and line.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

import numpy as np

from kingmaker.errors import InputError
from kingmaker.io._source import SourceLike, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, parse_whole
from kingmaker.votes import VoteTable

REQUIRED = ("district", "party", "votes")
OPTIONAL = ("region", "nation", "electorate", "seats")


def read_long_csv(
    source: SourceLike,
    *,
    election: str | None = None,
    name: str | None = None,
    ignore: Collection[str] = (),
) -> VoteTable:
    """Read a long ``district,party,votes`` CSV (a path, bytes or text) into a :class:`VoteTable`.

    ``seats``, where given, is each district's magnitude. ``ignore`` names extra columns to
    leave out; any other unknown column raises :class:`InputError` naming it.
    """
    text_src = open_source(source, name=name)
    src = text_src.name
    reader = csv.reader(text_src.text.splitlines())
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file", source=src, line=1) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=src, line=1) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; need {','.join(REQUIRED)}", source=src, line=1
        )
    skip = {c.strip().lower() for c in ignore}
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL and h not in skip]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(map(repr, unknown))}: a long vote CSV has "
            f"{', '.join(REQUIRED + OPTIONAL)} (seats: the seats each district returns); "
            "name columns to leave out in ignore",
            source=src,
            line=1,
        )
    dupes = sorted({h for h in header if header.count(h) > 1 and h not in skip})
    if dupes:
        raise InputError(f"column(s) named twice: {', '.join(dupes)}", source=src, line=1)
    col = {c: header.index(c) for c in REQUIRED + OPTIONAL if c in header}
    districts: dict[str, int] = {}
    parties: dict[str, int] = {}
    meta: dict[str, dict[str, str]] = {}
    cells: dict[tuple[int, int], int] = {}
    total = 0
    try:
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) < len(header):
                raise InputError(f"expected {len(header)} fields, found {len(row)}", source=src, line=line)
            district, party, raw = (row[col[c]].strip() for c in REQUIRED)
            if not district or not party:
                raise InputError("empty district or party", source=src, line=line)
            votes = parse_whole(raw, "votes", src, line, negative=True, not_a_number="is not a whole number")
            if votes < 0:
                raise InputError(f"negative votes ({votes}) for {party} in {district}", source=src, line=line)
            total += votes
            if total > 2**63 - 1:  # int64, the vote table's type
                what = f"votes {raw!r} is" if votes > 2**63 - 1 else "the votes add up"
                raise InputError(f"{what} beyond the 64-bit range", source=src, line=line)
            d = districts.setdefault(district, len(districts))
            p = parties.setdefault(party, len(parties))
            if (d, p) in cells:
                raise InputError(f"duplicate row for {party} in {district}", source=src, line=line)
            cells[(d, p)] = votes
            known = meta.setdefault(district, {})
            for c in OPTIONAL:
                if c in col:
                    value = row[col[c]].strip()
                    if known.setdefault(c, value) != value:
                        raise InputError(
                            f"{district} has {c} {known[c]!r} and {value!r}", source=src, line=line
                        )
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=src, line=reader.line_num) from None
    if not cells:
        raise InputError("no vote rows", source=src)
    table = np.zeros((len(districts), len(parties)), dtype=np.int64)
    for (d, p), v in cells.items():
        table[d, p] = v
    names = tuple(districts)
    electorates = None
    if "electorate" in col:
        electorates = np.array(
            [parse_whole(meta[n]["electorate"] or "0", f"{n}: electorate", src, None) for n in names],
            dtype=np.int64,
        )
    magnitudes = None
    if "seats" in col:
        magnitudes = np.array([_magnitude(n, meta[n]["seats"], src) for n in names], dtype=np.int64)
    return VoteTable(
        table,
        tuple(parties),
        names,
        regions=tuple(meta[n]["region"] for n in names) if "region" in col else None,
        nations=tuple(meta[n]["nation"] for n in names) if "nation" in col else None,
        electorates=electorates,
        magnitudes=magnitudes,
        source=src,
        election=election,
    )


def _magnitude(district: str, raw: str, src: str) -> int:
    """A district's ``seats`` cell: a whole number of seats, at least one."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20 or int(raw) < 1:
        raise InputError(f"{district}: seats {raw!r} must be a whole number of at least 1", source=src)
    return DEFAULT_LIMITS.check("max_seats", int(raw), f"{district}: seats", src)


def write_long_csv(table: VoteTable, path: str | Path) -> None:
    """Write ``table`` as a long CSV that :func:`read_long_csv` reads back unchanged."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        seats = table.magnitudes is not None
        writer.writerow(["district", "party", "votes", "region", "nation"] + (["seats"] if seats else []))
        for d, name in enumerate(table.ids):
            for p, party in enumerate(table.parties):
                writer.writerow(
                    [
                        name,
                        party,
                        int(table.votes[d, p]),
                        (table.regions or [""] * table.n_districts)[d] or "",
                        (table.nations or [""] * table.n_districts)[d] or "",
                    ]
                    + ([int(table.seat_magnitudes()[d])] if seats else [])
                )
