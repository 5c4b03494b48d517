"""CSV plumbing shared by the UK results readers (:mod:`kingmaker.io.hoc`, :mod:`kingmaker.io.ec_2010`):
decoding (UTF-8 or cp1252), rows with their line numbers, and cells read as whole numbers, each
problem an :class:`~kingmaker.errors.InputError` naming the file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from kingmaker.errors import InputError
from kingmaker.io.limits import MAX_TABLE_NUMBER, parse_whole


def _open_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("cannot decode the file as UTF-8 or cp1252", source=str(path))


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header (stripped) and (line, row) pairs of a CSV file."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", source=str(path))
    text = _open_text(path)
    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file", source=str(path), line=1) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=str(path), line=1) from None

    def gen() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", source=str(path), line=reader.line_num) from None

    return header, gen()


def _int(
    cell: str,
    what: str,
    source: str,
    line: int,
    *,
    blank: int | None = 0,
    negative: bool = True,
    most: int = MAX_TABLE_NUMBER,
) -> int:
    """A whole number (``1,200`` and ``1200.0`` allowed) of at most ``most`` in size; negative
    ones are kept unless ``negative`` is False (the 1918 file marks unopposed returns so)."""
    text = cell.strip().replace(",", "")
    if text == "":
        if blank is None:
            raise InputError(f"missing {what}", source=source, line=line)
        return blank
    return parse_whole(text, what, source, line, negative=negative, most=most)


def _column(header: list[str], name: str, source: str) -> int:
    lowered = [h.lower() for h in header]
    try:
        return lowered.index(name.lower())
    except ValueError:
        raise InputError(f"missing column {name!r}", source=source, line=1) from None


def _cell(row: list[str], index: int, source: str, line: int) -> str:
    if index >= len(row):
        raise InputError(
            f"row has {len(row)} fields, expected at least {index + 1}", source=source, line=line
        )
    return row[index]
