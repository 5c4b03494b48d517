"""Cast-vote-record CSV as published by US ranked-choice jurisdictions.

One row per ballot; columns ``Rank 1 .. Rank N`` (also ``Choice 1``, ``rank1``,
``1st Choice``...; or name them with ``rank_columns=``). Each cell holds a candidate name or
a label: overvote, undervote/skipped (an empty cell counts as undervote) or write-in. Labels
are configurable. Overvotes and skipped ranks are kept as cast (:data:`OVERVOTE`,
:data:`SKIPPED`); undervotes after the last mark are simply the end of the ballot.
An optional ``weight``/``count`` column weights each row. Read with pyarrow where installed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.errors import InputError

_RANK_COL = re.compile(
    r"^\s*(?:(?:rank|choice|preference|pref)\s*[_ #.-]?\s*(\d+)"
    r"|(\d+)\s*(?:st|nd|rd|th)?\s*[_ -]?\s*(?:rank|choice|preference|pref))\s*$",
    re.IGNORECASE,
)
DEFAULT_OVERVOTE = ("overvote", "over vote", "over-vote", "ov")
DEFAULT_UNDERVOTE = ("", "undervote", "under vote", "under-vote", "skipped", "blank", "uv")
DEFAULT_WRITE_IN = ("write-in", "writein", "write in", "uwi", "undeclared write-in", "write-ins")
WRITE_IN_NAME = "Write-in"


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        try:
            return next(csv.reader(fh))
        except StopIteration:
            return []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"unreadable CSV header ({exc})", source=str(path), line=1) from None


def rank_columns_of(header: Sequence[str]) -> list[str]:
    """The rank columns of a CVR header, in rank order."""
    found = []
    for col in header:
        m = _RANK_COL.match(col)
        if m:
            found.append((int(m.group(1) or m.group(2)), col))
    return [c for _, c in sorted(found)]


def looks_like_cvr(path: str | Path) -> bool:
    """True when the CSV header has rank/choice columns (and is not ``count,rank1,...``)."""
    header = _header(Path(path))
    ranks = rank_columns_of(header)
    if not ranks:
        return False
    simple = header and header[0].strip().lower() in ("count", "weight", "n", "ballots")
    return not (simple and len(ranks) == len(header) - 1)


def _read_columns(
    path: Path, columns: list[str], header: list[str]
) -> dict[str, tuple[np.ndarray, list[str]]]:
    """For each column: (integer codes, labels) dictionary-encoded."""
    src = str(path)
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is optional
        pa = None
    if pa is not None:
        try:
            table = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in header},
                    strings_can_be_null=False,
                    include_columns=columns,
                ),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            msg = str(exc)
            m = re.search(r"[Rr]ow #?(\d+)", msg)
            raise InputError(
                f"malformed CSV: {msg.splitlines()[0]}", source=src, line=int(m.group(1)) if m else None
            ) from None
        out = {}
        for c in columns:
            enc = table.column(c).combine_chunks().dictionary_encode()
            idx = enc.indices.to_numpy(zero_copy_only=False)
            out[c] = (np.asarray(idx, dtype=np.int64), enc.dictionary.to_pylist())
        return out
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"malformed CSV: {exc}", source=src) from None
    out = {}
    for c in columns:
        codes, uniq = pd.factorize(df[c])
        out[c] = (codes.astype(np.int64), list(uniq))
    return out


def read_cvr(
    path: str | Path,
    *,
    rank_columns: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    overvote: Iterable[str] = DEFAULT_OVERVOTE,
    undervote: Iterable[str] = DEFAULT_UNDERVOTE,
    write_in: Iterable[str] = DEFAULT_WRITE_IN,
    weight_column: str | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read a cast-vote-record CSV (one ballot per row) into :class:`Ballots`.

    Labels are matched case-insensitively after stripping spaces. ``candidates`` fixes the
    candidate list (an unknown name is then an error naming the line); otherwise every other
    label is a candidate, in order of first appearance.
    """
    p = Path(path)
    src = str(path)
    header = _header(p)
    if not header:
        raise InputError("empty CSV file", source=src)
    cols = list(rank_columns) if rank_columns else rank_columns_of(header)
    if not cols:
        raise InputError(
            "no rank columns found (e.g. 'Rank 1', 'Choice 2'); pass rank_columns=", source=src, line=1
        )
    missing = [c for c in cols if c not in header]
    if missing:
        raise InputError(f"rank columns not in header: {', '.join(missing)}", source=src, line=1)
    if weight_column is None:
        for c in header:
            if c.strip().lower() in ("weight", "count", "ballot count", "ballotcount"):
                weight_column = c
    use = cols + ([weight_column] if weight_column else [])
    data = _read_columns(p, use, header)
    ov = {s.strip().lower() for s in overvote}
    uv = {s.strip().lower() for s in undervote}
    wi = {s.strip().lower() for s in write_in}
    names: list[str] = list(candidates) if candidates is not None else []
    index = {c: i for i, c in enumerate(names)}
    lower_index = {c.strip().lower(): i for i, c in enumerate(names)}
    n_rows = len(data[cols[0]][0])
    mat = np.empty((n_rows, len(cols)), dtype=np.int32)
    for j, c in enumerate(cols):
        idx, labels = data[c]
        lut = np.empty(len(labels), dtype=np.int32)
        for k, label in enumerate(labels):
            raw = label.strip()
            key = raw.lower()
            if key in uv:
                lut[k] = SKIPPED
            elif key in ov:
                lut[k] = OVERVOTE
            else:
                name = WRITE_IN_NAME if key in wi else raw
                if name in index:
                    lut[k] = index[name]
                elif key in lower_index:
                    lut[k] = lower_index[key]
                elif candidates is not None and name != WRITE_IN_NAME:
                    row = int(np.nonzero(idx == k)[0][0])
                    raise InputError(f"unknown candidate {raw!r} in column {c!r}", source=src, line=row + 2)
                else:
                    index[name] = len(names)
                    lower_index[key] = len(names)
                    names.append(name)
                    lut[k] = index[name]
        mat[:, j] = lut[idx] if len(lut) else SKIPPED
    # undervotes after the last mark are the end of the ballot
    marked = mat != SKIPPED
    if mat.shape[1]:
        last = mat.shape[1] - 1 - np.argmax(marked[:, ::-1], axis=1)
        last = np.where(marked.any(axis=1), last, -1)
        trailing = np.arange(mat.shape[1])[None, :] > last[:, None]
        mat[trailing] = PAD
    weights = None
    if weight_column:
        idx, labels = data[weight_column]
        try:
            vals = np.array([float(x) for x in labels], dtype=np.float64)
        except ValueError:
            bad = next(x for x in labels if not _is_number(x))
            row = int(np.nonzero(idx == labels.index(bad))[0][0])
            raise InputError(f"non-numeric weight {bad!r}", source=src, line=row + 2) from None
        weights = vals[idx]
    if not names:
        raise InputError("no candidate names found in the rank columns", source=src)
    return Ballots.from_matrix(mat, names, weights, seats=seats, source=src)


def _is_number(x: str) -> bool:
    try:
        float(x)
    except ValueError:
        return False
    return True


def write_cvr(ballots: Ballots, path: str | Path) -> None:
    """Write one row per ballot (integer weights expanded), with ``overvote``/``undervote`` labels."""
    b = ballots
    if not b.is_integral:
        raise InputError("a CVR needs whole-number weights", source=str(path))
    if b.groups:
        raise InputError("a CVR cannot hold equal rankings; use BLT or PrefLib", source=str(path))
    width = b.rankings.shape[1]
    labels = np.array([*b.candidates, "", "undervote", "overvote"], dtype=object)
    codes = b.rankings.astype(np.int64)
    codes = np.where(codes >= 0, codes, len(b.candidates) + (-codes - 1))
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([f"Rank {j + 1}" for j in range(width)])
        for row, weight in zip(codes, b.weights, strict=True):
            line = list(labels[row])
            for _ in range(int(weight)):
                w.writerow(line)
