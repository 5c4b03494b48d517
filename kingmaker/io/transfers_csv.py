"""Transfer matrix CSV: ``from,to,share`` rows, ``#`` comment lines, the first comment the label.

::

    # ILLUSTRATIVE AV transfer matrix -- invented round numbers, NOT survey data.
    from,to,share
    Con,LD,0.30
    Lab,LD,0.40

``share`` is the fraction (0 to 1) of ``from``'s voters who rank ``to`` next; a ``from``
party's shares may add up to less than 1 (the rest exhaust), and a party with no rows
exhausts entirely. The result is a :class:`~kingmaker.transfers.TransferMatrix` over every
name in the file, in order of first appearance. :func:`illustrative_transfers` reads the
ILLUSTRATIVE matrix shipped with kingmaker (``presets/av_transfers_illustrative.csv``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from kingmaker.errors import InputError
from kingmaker.transfers import TransferMatrix

#: The ILLUSTRATIVE transfer matrix shipped as package data (invented, not survey data).
ILLUSTRATIVE_TRANSFERS = Path(__file__).resolve().parents[1] / "presets" / "av_transfers_illustrative.csv"


def read_transfer_matrix(path: str | Path) -> TransferMatrix:
    """Read a ``from,to,share`` CSV (lines starting with ``#`` are comments; the first one is
    the matrix's label). Errors name the file and line."""
    path = Path(path)
    src = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read transfer matrix: {exc}", source=src) from None
    try:
        return _matrix(lines, src)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=src) from None


def _matrix(lines: list[str], src: str) -> TransferMatrix:
    """The transfer matrix of a file's ``lines`` (``src`` labels messages)."""
    label = next((ln.lstrip("# ").strip() for ln in lines if ln.startswith("#")), "")
    body = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")]
    if not body:
        raise InputError("empty transfer matrix", source=src)
    header = [h.strip().lower() for h in next(csv.reader([body[0][1]]))]
    if header[:3] != ["from", "to", "share"]:
        raise InputError("header must be from,to,share", source=src, line=body[0][0])
    shares: dict[str, dict[str, float]] = {}
    names: dict[str, None] = {}
    for line, text in body[1:]:
        row = next(csv.reader([text]))
        if len(row) < 3:
            raise InputError("expected from,to,share", source=src, line=line)
        try:
            share = float(row[2])
        except ValueError:
            raise InputError(f"share {row[2]!r} is not a number", source=src, line=line) from None
        if not 0 <= share <= 1:
            raise InputError(f"share {share} is not between 0 and 1", source=src, line=line)
        a, b = row[0].strip(), row[1].strip()
        if a == b:
            raise InputError(f"{a} cannot transfer to itself", source=src, line=line)
        shares.setdefault(a, {})[b] = share
        names.setdefault(a)
        names.setdefault(b)
    for a, to in shares.items():
        if sum(to.values()) > 1 + 1e-9:
            raise InputError(f"{a}'s transfer shares add up to more than 1", source=src)
    candidates = tuple(names)
    index = {c: i for i, c in enumerate(candidates)}
    matrix = np.zeros((len(candidates), len(candidates)))
    for a, to in shares.items():
        for b, share in to.items():
            matrix[index[a], index[b]] = share
    return TransferMatrix(candidates, matrix, label=label)


def illustrative_transfers() -> TransferMatrix:
    """The ILLUSTRATIVE matrix shipped with kingmaker (invented round numbers, not data)."""
    return read_transfer_matrix(ILLUSTRATIVE_TRANSFERS)


__all__ = ["ILLUSTRATIVE_TRANSFERS", "illustrative_transfers", "read_transfer_matrix"]
