"""CSV plumbing shared by the UK results readers (:mod:`kingmaker.io.hoc`, :mod:`kingmaker.io.ec_2010`):
decoding (UTF-8 or cp1252), rows with their line numbers, and cells read as whole numbers, each
problem an :class:`~kingmaker.errors.InputError` naming the file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from kingmaker.errors import InputError


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
    reader = csv.reader(io.StringIO(text))
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


def _int(cell: str, what: str, source: str, line: int, *, blank: int | None = 0) -> int:
    text = cell.strip().replace(",", "")
    if text == "":
        if blank is None:
            raise InputError(f"missing {what}", source=source, line=line)
        return blank
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{what} {cell!r} is not a number", source=source, line=line) from None
    if value != int(value):
        raise InputError(f"{what} {cell!r} is not a whole number", source=source, line=line)
    return int(value)


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
