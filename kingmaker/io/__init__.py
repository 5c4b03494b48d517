"""Readers and writers of ballot files; each turns bytes into validated :class:`Ballots`.

Formats: BLT (:mod:`kingmaker.io.blt`), PrefLib ``.soc .soi .toc .toi``
(:mod:`kingmaker.io.preflib`), cast-vote-record CSV (:mod:`kingmaker.io.cvr`) and the simple
``count,rank1,rank2,...`` CSV (:mod:`kingmaker.io.simple_csv`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker.errors import InputError

if TYPE_CHECKING:
    from kingmaker.ballots import Ballots

PREFLIB_EXTENSIONS = (".soc", ".soi", ".toc", ".toi")


def padded_rankings(rows: Sequence[Sequence[int]]) -> np.ndarray:
    """Ragged rows of ranking codes, as the readers collect them, as one (rows, longest row)
    int32 matrix padded with :data:`kingmaker.ballots.PAD`."""
    from kingmaker.ballots import PAD

    width = max((len(r) for r in rows), default=0)
    mat = np.full((len(rows), width), PAD, dtype=np.int32)
    for i, r in enumerate(rows):
        mat[i, : len(r)] = r
    return mat


def format_weight(weight: float | int) -> str:
    """A ballot weight as the writers print it: whole numbers without a decimal point."""
    if float(weight).is_integer():
        return str(int(weight))
    return repr(float(weight))


def detect_format(path: str | Path) -> str:
    """Name of the reader for ``path``: ``blt``, ``preflib``, ``cvr`` or ``csv``."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext == ".blt":
        return "blt"
    if ext in PREFLIB_EXTENSIONS:
        return "preflib"
    if ext == ".csv":
        from kingmaker.io.cvr import looks_like_cvr

        return "cvr" if looks_like_cvr(p) else "csv"
    raise InputError(
        f"cannot tell the ballot format from the extension {ext or '(none)'!r}; "
        "use .blt, .soc/.soi/.toc/.toi or .csv, or pass format=",
        source=str(path),
    )


def read_ballots(path: str | Path, format: str | None = None, **options: Any) -> Ballots:
    """Read ballots from ``path`` with the reader for ``format`` (detected when omitted)."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", source=str(path))
    fmt = (format or detect_format(p)).lower()
    if fmt == "blt":
        from kingmaker.io.blt import read_blt

        return read_blt(p, **options)
    if fmt in ("preflib", "soc", "soi", "toc", "toi"):
        from kingmaker.io.preflib import read_preflib

        return read_preflib(p, **options)
    if fmt == "cvr":
        from kingmaker.io.cvr import read_cvr

        return read_cvr(p, **options)
    if fmt in ("csv", "simple", "simple_csv"):
        from kingmaker.io.simple_csv import read_simple_csv

        return read_simple_csv(p, **options)
    raise InputError(f"unknown ballot format {fmt!r}", source=str(path))


def write_ballots(ballots: Ballots, path: str | Path, format: str | None = None) -> None:
    """Write ``ballots`` as BLT, PrefLib or simple CSV, chosen by extension or ``format``."""
    p = Path(path)
    fmt = (format or p.suffix.lower().lstrip(".")).lower()
    if fmt == "blt":
        from kingmaker.io.blt import write_blt

        write_blt(ballots, p)
    elif fmt in ("preflib", "soc", "soi", "toc", "toi"):
        from kingmaker.io.preflib import write_preflib

        write_preflib(ballots, p)
    elif fmt in ("csv", "simple", "simple_csv"):
        from kingmaker.io.simple_csv import write_simple_csv

        write_simple_csv(ballots, p)
    elif fmt == "cvr":
        from kingmaker.io.cvr import write_cvr

        write_cvr(ballots, p)
    else:
        raise InputError(f"no writer for format {fmt!r}", source=str(path))


__all__ = ["detect_format", "read_ballots", "write_ballots"]
