"""Weighted-game CSV: ``player,weight``, one row per player (``kingmaker power --weights``).

Blank lines and lines starting with ``#`` are skipped; other columns are allowed and ignored.
:func:`read_weights_csv` takes a path or the file's bytes, :func:`parse_weights_csv` the text;
both take a display ``name`` used in error messages (so an upload never shows a temporary path).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from kingmaker.errors import InputError
from kingmaker.io.limits import MAX_TABLE_NUMBER, parse_whole


def read_weights_csv(source: str | os.PathLike[str] | bytes, *, name: str | None = None) -> dict[str, int]:
    """Players and weights from a ``player,weight`` CSV given as a path or as bytes (UTF-8).

    ``name`` labels the source in errors (default: the path, or ``"<bytes>"``). Every problem is an
    :class:`InputError` naming the source and line; see :func:`parse_weights_csv`.
    """
    if isinstance(source, bytes | bytearray):
        label = name or "<bytes>"
        data = bytes(source)
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the weights file: {exc.strerror or exc}", source=label) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=label) from None
    return parse_weights_csv(text, name=label)


def parse_weights_csv(text: str, *, name: str = "<text>") -> dict[str, int]:
    """Players and weights from the text of a ``player,weight`` CSV, in file order.

    Raises :class:`InputError` (with ``name`` and the line) for a missing header column, a row of
    the wrong length, an empty name, a weight that is not a whole number >= 0, a duplicate name,
    or no players at all.
    """
    reader = csv.reader(text.removeprefix("\ufeff").splitlines())
    try:
        return _weights(reader, name)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=name, line=reader.line_num) from None


def _weights(reader: Any, source: str) -> dict[str, int]:
    """The players and weights of ``reader``'s rows (``source`` labels messages)."""
    header: list[str] | None = None
    col_player = col_weight = 0
    weights: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            if "player" not in header or "weight" not in header:
                raise InputError(
                    f"expected a header row with columns player,weight; got {','.join(row)!r}",
                    source=source,
                    line=line,
                )
            col_player, col_weight = header.index("player"), header.index("weight")
            continue
        if len(row) != len(header):
            raise InputError(
                f"expected {len(header)} fields ({','.join(header)}), got {len(row)}: {','.join(row)!r}",
                source=source,
                line=line,
            )
        player, raw = row[col_player].strip(), row[col_weight].strip()
        if not player:
            raise InputError("empty player name", source=source, line=line)
        if not raw.isascii() or not raw.lstrip("-").isdigit():
            raise InputError(
                f"the weight of {player} must be a whole number, got {raw!r}", source=source, line=line
            )
        if raw.startswith("-"):
            raise InputError(f"the weight of {player} is negative ({raw})", source=source, line=line)
        weight = parse_whole(raw, f"the weight of {player}", source, line)
        if player in weights:
            raise InputError(
                f"duplicate player name {player!r} (first on line {first_line[player]})",
                source=source,
                line=line,
            )
        weights[player] = weight
        first_line[player] = line
    if not weights:
        raise InputError("the game is empty: no players (expected rows player,weight)", source=source)
    if sum(weights.values()) > MAX_TABLE_NUMBER:
        raise InputError(f"the weights add up to more than {MAX_TABLE_NUMBER:,}", source=source)
    return weights
