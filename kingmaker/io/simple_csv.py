"""The simple ballot CSV: ``count,rank1,rank2,...`` one distinct ranking per row.

A header row (first cell ``count`` or ``weight``) is optional. Cells hold candidate names;
``a=b`` is an equal ranking, an empty cell before a later mark is a skipped rank, and empty
cells at the end are the end of the ranking.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code, group_index
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io import format_weight
from kingmaker.io._source import SourceLike, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits, Tally, padded_rankings, parse_weight
from kingmaker.io.registry import BALLOT_FORMATS

HEADER_WORDS = ("count", "weight", "n", "ballots")


def read_simple_csv(
    source: SourceLike,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    candidates: Sequence[str] | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read ``count,rank1,rank2,...`` rows (a path, bytes or text); candidate order is first
    appearance unless given. ``limits`` caps rows, ranks, candidates and the total count."""
    text = open_source(source, name=name)
    src = text.name
    limits = limits or DEFAULT_LIMITS
    names: list[str] = list(candidates) if candidates is not None else []
    limits.check("max_candidates", len(names), "the number of candidates given", src)
    index = {c: i for i, c in enumerate(names)}
    groups: dict[tuple[int, ...], int] = {}
    rows: list[list[int]] = []
    weights: list[int | float] = []
    tally = Tally(limits, src)

    def code_of(cand: str, no: int) -> int:
        if cand not in index:
            if candidates is not None:
                raise UnknownNameError(f"{src}:{no}: unknown candidate {cand!r}")
            limits.check("max_candidates", len(names) + 1, "the number of candidates", src, no)
            index[cand] = len(names)
            names.append(cand)
        return index[cand]

    reader = csv.reader(io.StringIO(text.text))
    try:
        for rec in reader:
            no = reader.line_num
            if not rec or all(not c.strip() for c in rec):
                continue
            first = rec[0].strip()
            if no == 1 and first.lower() in HEADER_WORDS:
                continue
            if not re.fullmatch(r"[0-9.eE+/-]+", first):
                raise InputError(f"non-numeric count {first[:40]!r}", source=src, line=no)
            w = parse_weight(first, "count", src, no)
            cells = [c.strip() for c in rec[1:]]
            while cells and not cells[-1]:
                cells.pop()
            tally.add(w, len(cells), no)
            row: list[int] = []
            for cell in cells:
                if not cell:
                    row.append(SKIPPED)
                elif cell.lower() == "overvote":
                    row.append(OVERVOTE)
                elif "=" in cell:
                    members = tuple(sorted({code_of(x.strip(), no) for x in cell.split("=")}))
                    row.append(
                        members[0]
                        if len(members) == 1
                        else group_code(groups.setdefault(members, len(groups)))
                    )
                else:
                    row.append(code_of(cell, no))
            rows.append(row)
            weights.append(w)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=src, line=reader.line_num) from None
    if not names:
        raise InputError("no candidates found", source=src)
    return Ballots.from_matrix(
        padded_rankings(rows, limits, src),
        names,
        np.asarray(weights) if weights else np.zeros(0, dtype=np.int64),
        groups=tuple(groups),
        seats=seats,
        source=src,
    )


def write_simple_csv(ballots: Ballots, path: str | Path) -> None:
    """Write ``count,rank1,...`` rows (equal ranks as ``a=b``, overvotes as ``overvote``)."""
    b = ballots
    width = b.rankings.shape[1]
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["count", *[f"rank{j + 1}" for j in range(width)]])
        for row, weight in zip(b.rankings, b.weights, strict=True):
            cells: list[str] = []
            for code in row:
                code = int(code)
                if code == PAD:
                    break
                if code == SKIPPED:
                    cells.append("")
                elif code == OVERVOTE:
                    cells.append("overvote")
                elif code < 0:
                    cells.append("=".join(b.candidates[c] for c in b.groups[group_index(code)]))
                else:
                    cells.append(b.candidates[code])
            w.writerow([format_weight(weight), *cells])


def looks_like_simple_csv(text: str) -> bool:
    """True when the first record starts with a count (or a ``count`` header) and has a comma."""
    first = next((s for s in text.splitlines()[:20] if s.strip()), "")
    head = first.split(",", 1)[0].strip().lower()
    return "," in first and (head in HEADER_WORDS or bool(re.fullmatch(r"[0-9.]+", head)))


BALLOT_FORMATS.register(
    "csv",
    summary="simple CSV: count,rank1,rank2,... one distinct ranking per row, names in the cells",
    aliases=("simple", "simple_csv"),
    extensions=(".csv",),
    options=("candidates", "seats"),
    writer=write_simple_csv,
    sniff=looks_like_simple_csv,
)(read_simple_csv)
