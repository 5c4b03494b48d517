"""ES&S cast-vote-record spreadsheets (``.xlsx``), as RCTab reads them.

One row per ballot from ``first_vote_row`` (1-based; the rows above are headers); the rank
columns start at ``first_vote_column`` (1-based) and run to the last column (or for
``max_rankings`` columns; a trailing ``Count``/``Weight`` column is not a rank). Cells hold
candidate names or the contest's labels (``overvote_label``, ``undervote_label``,
``undeclared_write_in_label``; a blank cell is a skipped rank, or an undeclared write-in with
``treat_blank_as_undeclared_write_in``); a cell ``A|D`` (``overvote_delimiter``, ``|`` unless
given) is an overvote naming A and D (an equal-ranking group), never a candidate named ``A|D``. ``precinct_column`` keeps each ballot's
precinct. The option names are RCTab's ``cvrFileSources`` fields in snake case.

Read first by :mod:`kingmaker.io._xlsx`, which finds the cells of a plain CVR sheet with array
operations, decodes each distinct value once and reads only the columns used (the 80,101-row
Minneapolis sheet in half the CPU time of the calamine route); anything it does not read
exactly goes to python-calamine (Rust), about ten times faster than openpyxl (see
``benchmarks/cvr_read.py``). Before calamine allocates, the sheet's extent (its ``<dimension>``
claim and the rows and columns its cells name) is checked against the limits: calamine allocates
the dense rectangle the cells span, so a 1 KB sheet with one cell at A1 and one at XFD1048576
would otherwise cost gigabytes. The fast path checks the same extent as it scans.
"""

from __future__ import annotations

import io
import operator
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kingmaker.ballots import Ballots
from kingmaker.errors import InputError
from kingmaker.io._marks import ROW_OPTIONS, Labels, cell_text, peek, raw_source
from kingmaker.io._xlsx import SheetCodes, read_sheet
from kingmaker.io.limits import DEFAULT_LIMITS, ReadLimits
from kingmaker.io.registry import BALLOT_FORMATS

_NOT_RANKS = {"count", "weight", "ballot count", "ballotcount"}
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
#: Attributes ``r="123"`` (rows) and ``r="ABC123"`` (cells, by the letters' count): each pattern
#: starts with a literal, so the regex engine scans for it at C speed.
_ROW_NUMBER = re.compile(rb' r="([0-9]+)"')
_COLUMN_LETTERS = {n: re.compile(rb' r="[A-Z]{%d}[0-9]' % n) for n in (2, 3, 4)}
#: The most columns references of up to n letters reach (``ZZ`` is column 702).
_COLUMNS_UP_TO = {n: sum(26**k for k in range(1, n + 1)) for n in (2, 3)}


def _cells_beyond(n: int) -> re.Pattern[bytes]:
    """Cell references (`` r="AB123"``) whose row number is above ``n``, as one regex that scans at C
    speed: more digits than ``n`` has, or as many with a larger digit where the first one differs."""
    digits = str(n)
    above = [b"[0-9]{%d,}" % (len(digits) + 1)]
    for i, ch in enumerate(digits):
        if ch != "9":
            above.append(digits[:i].encode() + b"[%c-9][0-9]{%d}" % (ord(ch) + 1, len(digits) - i - 1))
    return re.compile(rb' r="[A-Z]+(?:' + b"|".join(above) + rb')"')


def looks_like_xlsx(source: Any) -> bool:
    """True for an Office Open XML workbook: a zip whose first entries include ``[Content_Types].xml``
    or ``xl/``."""
    head = peek(source, 4096)
    return head.startswith(b"PK\x03\x04") and (b"xl/" in head or b"[Content_Types].xml" in head)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _check_extent(book: bytes | Path, limits: ReadLimits, src: str) -> None:
    """Refuse a workbook whose sheets would make calamine allocate beyond ``limits.max_cells``."""
    try:
        with zipfile.ZipFile(io.BytesIO(book) if isinstance(book, bytes) else book) as zf:
            for info in zf.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                limits.check("max_cells", info.file_size // 8, "the sheet's size in bytes / 8", src)
                xml = zf.read(info)
                m = _DIMENSION.search(xml, 0, 4096)
                if m and m.group(3):
                    area = (_column_number(m.group(3)) - _column_number(m.group(1)) + 1) * (
                        int(m.group(4)) - int(m.group(2)) + 1
                    )
                    limits.check(
                        "max_cells", area, f"the sheet's claimed extent {m.group(0)[16:-1].decode()}", src
                    )
                rows = max(max(map(int, _ROW_NUMBER.findall(xml)), default=0), xml.count(b"<row"))
                # calamine sizes the sheet by its cell references, whatever the rows say: a cell
                # "F3000000" in a 7-row sheet made it allocate 18 million cells.
                beyond = _cells_beyond(rows).search(xml)
                if beyond:
                    raise InputError(
                        f"cell reference {beyond.group(0)[4:-1].decode()} lies beyond the sheet's "
                        f"highest row, {rows:,}",
                        source=src,
                    )
                if _COLUMN_LETTERS[4].search(xml):
                    raise InputError("a cell reference has more than three column letters", source=src)
                cols = (
                    _COLUMNS_UP_TO[3]
                    if _COLUMN_LETTERS[3].search(xml)
                    else _COLUMNS_UP_TO[2]
                    if _COLUMN_LETTERS[2].search(xml)
                    else 26
                )
                limits.check("max_rows", rows, "the highest row number", src)
                limits.check("max_cells", rows * cols, "the rows x columns the cells span", src)
    except InputError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        zlib.error,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise InputError(f"not a readable .xlsx workbook ({exc})", source=src) from None


def _sheet_rows(book: bytes | Path, sheet: int | str, src: str) -> list[list[Any]]:
    """The cells of one sheet as rows of Python values (calamine)."""
    import python_calamine as pc

    try:
        wb = (
            pc.CalamineWorkbook.from_path(str(book))
            if isinstance(book, Path)
            else (pc.CalamineWorkbook.from_filelike(io.BytesIO(book)))
        )
        ws = wb.get_sheet_by_name(sheet) if isinstance(sheet, str) else wb.get_sheet_by_index(sheet)
        return ws.to_python(skip_empty_area=False)
    except (pc.CalamineError, IndexError, ValueError, OSError) as exc:
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})", source=src) from None
    except BaseException as exc:  # a Rust panic inside calamine surfaces as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
        raise InputError(f"not a readable .xlsx workbook (calamine: {exc})", source=src) from None


def _index(value: int | str | None, what: str, src: str) -> int | None:
    """A 1-based column/row index option (RCTab writes them as strings; '' means none) as 0-based."""
    if value is None or value == "":
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a whole number, got {value!r}", source=src) from None
    if n < 1:
        raise InputError(f"{what} must be 1 or more, got {n}", source=src)
    return n - 1


def read_ess(
    source: Any,
    *,
    name: str | None = None,
    limits: ReadLimits | None = None,
    first_vote_column: int | str = 2,
    first_vote_row: int | str = 2,
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
    sheet: int | str = 0,
    seats: int | None = None,
) -> Ballots:
    """Read an ES&S ``.xlsx`` CVR (a path or the bytes) into :class:`Ballots`; see the module doc.

    ``id_column`` is accepted for RCTab's configs and not used (ballot ids are not kept).
    """
    del id_column
    path, data, src = raw_source(source, name)
    limits = limits or DEFAULT_LIMITS
    book: bytes | Path = data if data is not None else path  # type: ignore[assignment]
    if isinstance(book, Path) and book.is_dir():
        raise InputError("is a directory, not an .xlsx workbook", source=src)
    layout = _layout(first_vote_column, first_vote_row, precinct_column, src)
    options: dict[str, Any] = {
        "max_rankings": max_rankings,
        "seats": seats,
        "label_options": {
            "candidates": candidates,
            "aliases": aliases,
            "overvote_label": overvote_label,
            "undervote_label": undervote_label,
            "undeclared_write_in_label": undeclared_write_in_label,
            "overvote_delimiter": overvote_delimiter,
            "treat_blank_as_undeclared_write_in": treat_blank_as_undeclared_write_in,
        },
    }
    col0, _, pcol = layout
    grid = read_sheet(book, sheet, src, limits, keep=lambda c: c >= col0 or c == pcol)
    if grid is not None:
        return _decode_grid(grid, src, limits, layout, **options)
    _check_extent(book, limits, src)
    rows = _sheet_rows(book, sheet, src)
    width = max((len(r) for r in rows), default=0)
    row0 = layout[1]
    body = rows[row0:]
    return _decode(
        lambda j: _factorize(body, j),
        rows[row0 - 1] if 0 < row0 <= len(rows) else None,
        width,
        len(body),
        src,
        limits,
        layout,
        **options,
    )


def _factorize(rows: Sequence[Sequence[Any]], col: int) -> tuple[np.ndarray, list[Any]]:
    """Column ``col`` of rectangular ``rows`` as (code per row, distinct values in first-seen order).

    ``dict.fromkeys`` and ``map(dict.__getitem__, ...)`` run in C, as fast per cell as pandas'
    hash table here, without importing pandas (0.6 s of a fresh process's 1.2 s read of an
    80,000-row sheet). A dict lookup tries identity first, so each NaN cell finds itself.
    """
    column = list(map(operator.itemgetter(col), rows))
    uniques = list(dict.fromkeys(column))
    index = {value: code for code, value in enumerate(uniques)}
    codes = np.fromiter(map(index.__getitem__, column), dtype=np.int64, count=len(column))
    return codes, uniques


def _first_seen(codes: np.ndarray) -> list[tuple[int, int]]:
    """(code, row of its first use) for each code in ``codes``, in order of first use."""
    seen, at = np.unique(codes, return_index=True)
    return sorted(zip(seen.tolist(), at.tolist(), strict=True), key=operator.itemgetter(1))


def decode_rows(
    rows: Sequence[Sequence[Any]],
    src: str,
    limits: ReadLimits,
    *,
    first_vote_column: int | str | None,
    first_vote_row: int | str | None,
    precinct_column: int | str | None,
    max_rankings: int | None,
    seats: int | None,
    **label_options: Any,
) -> Ballots:
    """Ballots from a sheet's rows (also RCTab's generic CSV): rank columns decoded a distinct value
    at a time, so the per-cell work is numpy's. ``label_options`` name the marks (candidates,
    aliases, overvote/undervote/write-in labels, the overvote delimiter): see :class:`Labels`."""
    col0, row0, pcol = _layout(first_vote_column, first_vote_row, precinct_column, src)
    width = max((len(r) for r in rows), default=0)
    header = rows[row0 - 1] if 0 < row0 <= len(rows) else None
    body = rows[row0:]
    if min(map(len, body), default=width) < width:  # ragged (a CSV): pad to the widest row
        body = [list(r) + [""] * (width - len(r)) for r in body]
    return _decode(
        lambda j: _factorize(body, j),
        header,
        width,
        len(body),
        src,
        limits,
        (col0, row0, pcol),
        max_rankings=max_rankings,
        seats=seats,
        label_options=label_options,
    )


def _decode_grid(
    grid: SheetCodes, src: str, limits: ReadLimits, layout: tuple[int, int, int | None], **kw: Any
) -> Ballots:
    """Ballots from :func:`kingmaker.io._xlsx.read_sheet`'s code matrix (-1, no cell, reads as "")."""
    row0 = layout[1]
    distinct = ["", *grid.values]
    n_rows, width = grid.codes.shape
    header = [distinct[c + 1] for c in grid.codes[row0 - 1].tolist()] if 0 < row0 <= n_rows else None
    body = grid.codes[row0:]
    return _decode(lambda j: (body[:, j] + 1, distinct), header, width, len(body), src, limits, layout, **kw)


def _layout(
    first_vote_column: int | str | None,
    first_vote_row: int | str | None,
    precinct_column: int | str | None,
    src: str,
) -> tuple[int, int, int | None]:
    """The first rank column, first ballot row and precinct column, 0-based."""
    col0 = _index(first_vote_column, "first_vote_column", src) or 0
    row0 = _index(first_vote_row, "first_vote_row", src) or 0
    return col0, row0, _index(precinct_column, "precinct_column", src)


def _decode(
    column: Callable[[int], tuple[np.ndarray, Sequence[Any]]],
    header_cells: Sequence[Any] | None,
    width: int,
    n_rows: int,
    src: str,
    limits: ReadLimits,
    layout: tuple[int, int, int | None],
    *,
    max_rankings: int | None,
    seats: int | None,
    label_options: Mapping[str, Any],
) -> Ballots:
    """Ballots from a sheet given column by column: ``column(j)`` is (a code per ballot row, the
    values the codes index). Each value a column uses is decoded once, in first-seen order."""
    labels = Labels(src=src, limits=limits, **label_options)
    col0, row0, pcol = layout
    header = [cell_text(v).lower() for v in header_cells] if header_cells is not None else []
    ncols = width - col0
    if header:
        stop = next((j for j in range(col0, len(header)) if header[j] in _NOT_RANKS), width)
        ncols = stop - col0
    if max_rankings is not None:
        ncols = min(ncols, int(max_rankings))
    if ncols < 1:
        raise InputError(f"no rank columns at or after column {col0 + 1}", source=src)
    limits.check("max_ranks", ncols, "the number of rank columns", src, row0)
    limits.check("max_rows", n_rows, "the number of ballot rows", src)
    limits.check("max_cells", n_rows * ncols, "rows x rank columns", src)
    mat = np.empty((n_rows, ncols), dtype=np.int32)
    for j in range(ncols):
        codes, distinct = column(col0 + j)
        lut = np.zeros(len(distinct), dtype=np.int32)
        for k, first in _first_seen(codes):
            lut[k] = labels.cell(cell_text(distinct[k]), row0 + first + 1)
        mat[:, j] = lut[codes] if len(lut) else 0
    precinct, names = None, ()
    if pcol is not None:
        if pcol >= width:
            raise InputError(f"precinct_column {pcol + 1} is beyond the sheet's {width} columns", source=src)
        codes, distinct = column(pcol)
        table: dict[str, int] = {}
        remap = np.zeros(len(distinct), dtype=np.int32)
        for k, _ in _first_seen(codes):
            remap[k] = table.setdefault(cell_text(distinct[k]), len(table))
        precinct, names = (remap[codes] if len(remap) else codes), tuple(table)
    return labels.finish(mat, precinct=precinct, precinct_names=names, seats=seats)


BALLOT_FORMATS.register(
    "ess",
    summary="ES&S cast-vote-record .xlsx (one ballot per row; RCTab's ES&S options)",
    extensions=(".xlsx",),
    options=(*ROW_OPTIONS, "sheet"),
    raw=True,
    sniff_raw=looks_like_xlsx,
)(read_ess)
