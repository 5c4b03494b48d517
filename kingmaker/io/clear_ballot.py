"""Clear Ballot cast-vote-record CSV, as RCTab reads it.

One row per ballot; each ballot-choice column is named
``Choice_<n>_<k>:<contest>:<rank>:<vote for>:<candidate>:<party>`` and holds 1 where that
candidate is marked at that rank. ``contest_id`` is the contest's name (needed when the file
has several); ``undeclared_write_in_label`` is the candidate name the file gives write-ins.
Two candidates at one rank are an overvote naming them; ``PrecinctID`` gives the precinct.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io._marks import (
    CONTEST_OPTIONS,
    Labels,
    ballots_from_marks,
    open_text,
    peek,
    raw_source,
    read_bytes,
)
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS


def looks_like_clear_ballot(source: Any) -> bool:
    """True for a CSV whose header starts ``RowNumber,BoxID`` and has ``Choice_`` columns."""
    head = peek(source, 8192).lstrip(b"\xef\xbb\xbf")
    return head.startswith(b"RowNumber,BoxID") and b",Choice_" in head


def read_clear_ballot(
    source: Any,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    contest_id: str | None = None,
    candidates: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
    undeclared_write_in_label: str | None = None,
    max_rankings: int | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read a Clear Ballot CVR CSV (a path, bytes or text); see the module doc."""
    path, data, src = raw_source(source, name)
    limits = limits or DEFAULT_LIMITS
    reader = csv.reader(open_text(read_bytes(path, data, src), src))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty CSV file", source=src) from None
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header ({exc})", source=src, line=1) from None
    labels = Labels(
        src=src,
        limits=limits,
        candidates=candidates,
        aliases=aliases,
        undeclared_write_in_label=undeclared_write_in_label,
    )
    columns: list[tuple[int, int, int]] = []  # (column, rank, candidate code)
    contests: set[str] = set()
    for j, col in enumerate(header):
        parts = col.split(":")
        if not parts[0].startswith("Choice_") or len(parts) < 5:
            continue
        contests.add(parts[1])
        if contest_id is not None and parts[1] != contest_id:
            continue
        try:
            rank = int(parts[2])
        except ValueError:
            raise InputError(f"column {col!r} has no whole-number rank", source=src, line=1) from None
        limits.check("max_ranks", rank, "a column's rank", src, 1)
        columns.append((j, rank, labels.candidate(parts[4].strip(), 1)))
    if contest_id is None and len(contests) > 1:
        raise InputError(
            f"the file has {len(contests)} contests ({', '.join(sorted(contests))}); give contest_id",
            source=src,
        )
    if not columns:
        raise InputError(f"no Choice_ columns for contest {contest_id!r}", source=src, line=1)
    pcol = header.index("PrecinctID") if "PrecinctID" in header else None
    ballot: list[int] = []
    rank_of: list[int] = []
    code: list[int] = []
    precinct: list[int] = []
    units: dict[str, int] = {}
    n = 0
    try:
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            limits.check("max_rows", n + 1, "the number of ballot rows", src, line)
            for j, r, c in columns:
                if j < len(row) and row[j].strip() == "1":
                    ballot.append(n)
                    rank_of.append(r)
                    code.append(c)
            precinct.append(
                units.setdefault(row[pcol] if pcol is not None and pcol < len(row) else "", len(units))
            )
            n += 1
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=src, line=reader.line_num) from None
    return ballots_from_marks(
        labels,
        n,
        ballot,
        rank_of,
        code,
        precinct=np.asarray(precinct, dtype=np.int32) if pcol is not None else None,
        precinct_names=list(units) if pcol is not None else (),
        max_rankings=max_rankings,
        seats=seats,
    )


BALLOT_FORMATS.register(
    "clear_ballot",
    summary="Clear Ballot cast-vote-record CSV (Choice_<n>_<k>:<contest>:<rank>:... columns)",
    aliases=("clearBallot",),
    extensions=(".csv",),
    options=CONTEST_OPTIONS,
    raw=True,
    sniff_raw=looks_like_clear_ballot,
)(read_clear_ballot)
