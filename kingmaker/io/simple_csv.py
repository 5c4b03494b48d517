"""The simple ballot CSV: ``count,rank1,rank2,...`` one distinct ranking per row.

A header row (first cell ``count`` or ``weight``) is optional. Cells hold candidate names;
``a=b`` is an equal ranking, an empty cell before a later mark is a skipped rank, and empty
cells at the end are the end of the ranking.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots, group_code, group_index
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.io import format_weight, padded_rankings


def read_simple_csv(
    path: str | Path, *, candidates: Sequence[str] | None = None, seats: int | None = None
) -> Ballots:
    """Read ``count,rank1,rank2,...`` rows; candidate order is first appearance unless given."""
    src = str(path)
    names: list[str] = list(candidates) if candidates is not None else []
    index = {c: i for i, c in enumerate(names)}
    groups: dict[tuple[int, ...], int] = {}
    rows: list[list[int]] = []
    weights: list[float] = []

    def code_of(name: str, no: int) -> int:
        if name not in index:
            if candidates is not None:
                raise UnknownNameError(f"{src}:{no}: unknown candidate {name!r}")
            index[name] = len(names)
            names.append(name)
        return index[name]

    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as fh:
            for no, rec in enumerate(csv.reader(fh), start=1):
                if not rec or all(not c.strip() for c in rec):
                    continue
                first = rec[0].strip()
                if no == 1 and first.lower() in ("count", "weight", "n", "ballots"):
                    continue
                try:
                    w = float(first)
                except ValueError:
                    raise InputError(f"non-numeric count {first!r}", source=src, line=no) from None
                if w < 0 or not np.isfinite(w):
                    raise InputError(f"bad count {first!r}", source=src, line=no)
                cells = [c.strip() for c in rec[1:]]
                while cells and not cells[-1]:
                    cells.pop()
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
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=src) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=src) from None
    if not names:
        raise InputError("no candidates found", source=src)
    return Ballots.from_matrix(
        padded_rankings(rows), names, np.asarray(weights), groups=tuple(groups), seats=seats, source=src
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
