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
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from kingmaker.ballots import OVERVOTE, PAD, SKIPPED, Ballots
from kingmaker.errors import InputError
from kingmaker.io._source import SourceLike, open_source
from kingmaker.io.limits import DEFAULT_LIMITS, INT64_MAX, ReadLimits, parse_weight
from kingmaker.io.registry import BALLOT_FORMATS

_RANK_COL = re.compile(
    r"^\s*(?:(?:rank|choice|preference|pref)\s*[_ #.-]?\s*(\d+)"
    r"|(\d+)\s*(?:st|nd|rd|th)?\s*[_ -]?\s*(?:rank|choice|preference|pref))\s*$",
    re.IGNORECASE,
)
DEFAULT_OVERVOTE = ("overvote", "over vote", "over-vote", "ov")
DEFAULT_UNDERVOTE = ("", "undervote", "under vote", "under-vote", "skipped", "blank", "uv")
DEFAULT_WRITE_IN = ("write-in", "writein", "write in", "uwi", "undeclared write-in", "write-ins")
WRITE_IN_NAME = "Write-in"


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (csv needs only the first record's)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _header(text: str, src: str) -> list[str]:
    """The first CSV record of ``text`` (the header), or ``[]`` for an empty file; only the lines
    the record spans are read (a StringIO of a whole 1M-row file cost a third of its read)."""
    try:
        return next(csv.reader(_lines(text)))
    except StopIteration:
        return []
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header ({exc})", source=src, line=1) from None


def rank_columns_of(header: Sequence[str]) -> list[str]:
    """The rank columns of a CVR header, in rank order."""
    found = []
    for col in header:
        m = _RANK_COL.match(col)
        if m:
            found.append((int(m.group(1) or m.group(2)), col))
    return [c for _, c in sorted(found)]


def looks_like_cvr(text: str) -> bool:
    """True when the CSV header of ``text`` has rank/choice columns (and is not ``count,rank1,...``)."""
    try:
        header = next(csv.reader(io.StringIO(text[:1_000_000])))
    except (StopIteration, csv.Error):
        return False
    ranks = rank_columns_of(header)
    if not ranks:
        return False
    simple = header and header[0].strip().lower() in ("count", "weight", "n", "ballots")
    return not (simple and len(ranks) == len(header) - 1)


def _read_columns(
    text: str, src: str, columns: list[str], header: list[str]
) -> dict[str, tuple[np.ndarray, list[str]]]:
    """For each column: (integer codes, labels) dictionary-encoded."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is optional
        pa = None
    if pa is not None:
        try:
            table = pacsv.read_csv(
                pa.BufferReader(text.encode("utf-8")),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in header},
                    strings_can_be_null=False,
                    include_columns=columns,
                ),
            )
        except (pa.ArrowException, OSError) as exc:
            msg = str(exc)
            m = re.search(r"[Rr]ow #?(\d+)", msg)
            raise InputError(
                f"malformed CSV: {msg.splitlines()[0] if msg else type(exc).__name__}",
                source=src,
                line=int(m.group(1)) if m else None,
            ) from None
        out = {}
        for c in columns:
            enc = table.column(c).combine_chunks().dictionary_encode()
            idx = enc.indices.to_numpy(zero_copy_only=False)
            out[c] = (np.asarray(idx, dtype=np.int64), enc.dictionary.to_pylist())
        return out
    import pandas as pd  # pragma: no cover - used only without pyarrow

    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, usecols=columns)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"malformed CSV: {exc}", source=src) from None
    out = {}
    for c in columns:
        codes, uniq = pd.factorize(df[c])
        out[c] = (codes.astype(np.int64), list(uniq))
    return out


def read_cvr(
    source: SourceLike,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    rank_columns: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    overvote: Iterable[str] = DEFAULT_OVERVOTE,
    undervote: Iterable[str] = DEFAULT_UNDERVOTE,
    write_in: Iterable[str] = DEFAULT_WRITE_IN,
    weight_column: str | None = None,
    seats: int | None = None,
) -> Ballots:
    """Read a cast-vote-record CSV (one ballot per row; a path, bytes or text) into :class:`Ballots`.

    Labels are matched case-insensitively after stripping spaces. ``candidates`` fixes the
    candidate list (an unknown name is then an error naming the line); otherwise every other
    label is a candidate, in order of first appearance. ``limits`` caps the rank columns, rows,
    candidates and total weight; ``name`` names the input in messages.
    """
    text = open_source(source, name=name)
    src = text.name
    limits = limits or DEFAULT_LIMITS
    header = _header(text.text, src)
    if not header:
        raise InputError("empty CSV file", source=src)
    cols = list(rank_columns) if rank_columns else rank_columns_of(header)
    if not cols:
        raise InputError(
            "no rank columns found (e.g. 'Rank 1', 'Choice 2'); pass rank_columns=", source=src, line=1
        )
    limits.check("max_ranks", len(cols), "the number of rank columns", src, 1)
    missing = [c for c in cols if c not in header]
    if missing:
        raise InputError(f"rank columns not in header: {', '.join(missing)}", source=src, line=1)
    twice = sorted({c for c in cols if header.count(c) > 1})
    if twice:
        raise InputError(f"column {twice[0]!r} appears more than once in the header", source=src, line=1)
    if weight_column is None:
        for c in header:
            if c.strip().lower() in ("weight", "count", "ballot count", "ballotcount"):
                weight_column = c
    use = cols + ([weight_column] if weight_column else [])
    data = _read_columns(text.text, src, list(dict.fromkeys(use)), header)
    n_rows = len(data[cols[0]][0])
    limits.check("max_rows", n_rows, "the number of ballot rows", src)
    limits.check("max_cells", n_rows * len(cols), "rows x rank columns", src)
    weights, total = _weights(data[weight_column], src) if weight_column else (None, n_rows)
    if total > INT64_MAX:
        raise InputError("the ballot weights add up beyond the 64-bit range", source=src)
    limits.check("max_ballots", math.ceil(total), "the total ballot weight", src)
    ov = {s.strip().lower() for s in overvote}
    uv = {s.strip().lower() for s in undervote}
    wi = {s.strip().lower() for s in write_in}
    names: list[str] = list(candidates) if candidates is not None else []
    limits.check("max_candidates", len(names), "the number of candidates given", src)
    index = {c: i for i, c in enumerate(names)}
    lower_index = {c.strip().lower(): i for i, c in enumerate(names)}
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
                cand = WRITE_IN_NAME if key in wi else raw
                if cand in index:
                    lut[k] = index[cand]
                elif key in lower_index:
                    lut[k] = lower_index[key]
                elif candidates is not None and cand != WRITE_IN_NAME:
                    row = int(np.nonzero(idx == k)[0][0])
                    raise InputError(f"unknown candidate {raw!r} in column {c!r}", source=src, line=row + 2)
                else:
                    if len(names) >= limits.max_candidates:
                        line = int(np.nonzero(idx == k)[0][0]) + 2
                        limits.check("max_candidates", len(names) + 1, "the number of candidates", src, line)
                    index[cand] = len(names)
                    lower_index[key] = len(names)
                    names.append(cand)
                    lut[k] = index[cand]
        mat[:, j] = lut[idx] if len(lut) else SKIPPED
    # undervotes after the last mark are the end of the ballot
    marked = mat != SKIPPED
    if mat.shape[1]:
        last = mat.shape[1] - 1 - np.argmax(marked[:, ::-1], axis=1)
        last = np.where(marked.any(axis=1), last, -1)
        trailing = np.arange(mat.shape[1])[None, :] > last[:, None]
        mat[trailing] = PAD
    if not names:
        raise InputError("no candidate names found in the rank columns", source=src)
    return Ballots.from_matrix(mat, names, weights, seats=seats, source=src)


def _weights(column: tuple[np.ndarray, list[str]], src: str) -> tuple[np.ndarray, int | float]:
    """Each row's weight from the dictionary-encoded weight column, and their exact total."""
    idx, labels = column
    first = np.zeros(len(labels), dtype=np.int64)
    seen, at = np.unique(idx, return_index=True)
    first[seen] = at
    values = [parse_weight(label, "weight", src, int(first[k]) + 2) for k, label in enumerate(labels)]
    uses = np.bincount(idx, minlength=len(labels)) if len(idx) else np.zeros(len(labels), dtype=np.int64)
    total = sum(v * int(u) for v, u in zip(values, uses, strict=True))
    exact = all(isinstance(v, int) for v in values)
    table = np.array(values, dtype=np.int64 if exact else np.float64)
    return (table[idx] if len(values) else np.zeros(len(idx), dtype=np.int64)), total


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


BALLOT_FORMATS.register(
    "cvr",
    summary="cast-vote-record CSV: one ballot per row, 'Rank 1'.. columns of names or labels",
    extensions=(".csv",),
    options=("rank_columns", "candidates", "overvote", "undervote", "write_in", "weight_column", "seats"),
    writer=write_cvr,
    sniff=looks_like_cvr,
)(read_cvr)
