"""RCTab's generic CVR CSV (``provider: genericCsv``), RCTab's own CVR export among them.

A header row, then one row per ballot; the rank columns start at ``first_vote_column``
(1-based; RCTab's export ``Source Filepath,CVR Provider,...,Rank 1,Rank 2,...`` puts them after
its eight columns and is recognised by that header) and hold candidate names or the labels
(``overvote_label``, ``undervote_label``... as for ES&S: RCTab's export writes ``overvote``
and ``undervote``). ``precinct_column`` keeps precincts. Decoded like an ES&S sheet
(:func:`kingmaker.io.ess.decode_rows`).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io._marks import ROW_OPTIONS, open_text, peek, raw_source, read_bytes
from kingmaker.io.ess import decode_rows
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS

_EXPORT_HEADER = b"Source Filepath,CVR Provider,Contest Id"


def looks_like_rctab_csv(source: Any) -> bool:
    """True for RCTab's own CVR export (its header starts ``Source Filepath,CVR Provider,Contest Id``)."""
    return peek(source, 256).lstrip(b"\xef\xbb\xbf").startswith(_EXPORT_HEADER)


def read_rctab_csv(
    source: Any,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    first_vote_column: int | str | None = None,
    first_vote_row: int | str | None = 2,
    id_column: int | str | None = None,
    precinct_column: int | str | None = None,
    overvote_label: str | None = None,
    undervote_label: str | None = None,
    undeclared_write_in_label: str | None = None,
    overvote_delimiter: str | None = "|",
    treat_blank_as_undeclared_write_in: bool = False,
    max_rankings: int | None = None,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read a generic RCTab CVR CSV (a path, bytes or text); see the module doc."""
    del id_column
    path, data, src = raw_source(source, name)
    limits = limits or DEFAULT_LIMITS
    raw = read_bytes(path, data, src)
    export = raw.lstrip(b"\xef\xbb\xbf").startswith(_EXPORT_HEADER)
    try:
        rows = []
        for line, row in enumerate(csv.reader(open_text(raw, src)), start=1):
            limits.check("max_rows", line, "the number of rows", src, line)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=src) from None
    if not rows:
        raise InputError("empty CSV file", source=src)
    if first_vote_column in (None, ""):
        first_vote_column = 9 if export else 2
    if export:
        overvote_label = overvote_label or "overvote"
        undervote_label = undervote_label or "undervote"
        precinct_column = precinct_column or 8
    return decode_rows(
        rows,
        src,
        limits,
        first_vote_column=first_vote_column,
        first_vote_row=first_vote_row,
        precinct_column=precinct_column,
        max_rankings=max_rankings,
        seats=seats,
        candidates=candidates,
        aliases=aliases,
        overvote_label=overvote_label,
        undervote_label=undervote_label,
        undeclared_write_in_label=undeclared_write_in_label,
        overvote_delimiter=overvote_delimiter,
        treat_blank_as_undeclared_write_in=treat_blank_as_undeclared_write_in,
    )


BALLOT_FORMATS.register(
    "rctab_csv",
    summary="RCTab's generic CVR CSV (its own CVR export among them)",
    aliases=("genericCsv",),
    extensions=(".csv",),
    options=ROW_OPTIONS,
    raw=True,
    sniff_raw=looks_like_rctab_csv,
)(read_rctab_csv)
