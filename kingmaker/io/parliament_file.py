"""Parliament files: the preset TOML format and a simple CSV, read into a
:class:`~kingmaker.parties.ParliamentFile` (validated further by
:class:`~kingmaker.parliament.Parliament`).

TOML (as the presets in ``kingmaker/presets/``)::

    name = "uk-2010"
    title = "House of Commons, general election of 6 May 2010"
    [[party]]
    name = "Con"
    seats = 306
    position = 7.13          # optional, 0 = left, 10 = right
    [[non_voting]]
    party = "Con"
    seats = 1
    kind = "deputy"          # speaker, deputy, abstention or other
    reason = "..."

CSV columns: ``party,seats`` and optionally ``position``, ``non_voting`` (number of the party's
seats whose holders do not vote), ``flags`` (``speaker`` or ``abstains``: all its seats are
non-voting), ``full_name``, ``colour``. Every error names the file and, for CSV, the line.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from pathlib import Path

from kingmaker.errors import InputError
from kingmaker.io._source import SourceLike, open_source
from kingmaker.parties import MAX_PARTY_SEATS, NON_VOTING_KINDS, NonVoting, ParliamentFile, Party


def read_parliament_file(source: SourceLike, *, name: str | None = None) -> ParliamentFile:
    """Read a ``.toml`` or ``.csv`` parliament file from a path, bytes or text.

    The format comes from the extension of the path or ``name``; text without one is TOML when it
    has a ``[[party]]`` table, else CSV.
    """
    src = open_source(source, name=name)
    suffix = src.suffix
    if suffix not in (".toml", ".csv"):
        if suffix:
            raise InputError("unknown parliament file type; use .csv or .toml", source=src.name)
        suffix = ".toml" if "[[party]]" in src.text else ".csv"
    if suffix == ".toml":
        return parse_parliament_toml(src.text, src.name)
    return parse_parliament_csv(src.text, src.name)


def _whole(value: object, what: str, source: str, line: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} must be an integer, got {value!r}", source=source, line=line)
    if value < 0:
        raise InputError(f"{what} are negative ({value})", source=source, line=line)
    if value > MAX_PARTY_SEATS:
        raise InputError(f"{what}: {value} is more than {MAX_PARTY_SEATS:,} seats", source=source, line=line)
    return value


def _position(value: object, what: str, source: str, line: int | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{what} must be a number, got {value!r}", source=source, line=line)
    position = float(value)
    if not math.isfinite(position):
        raise InputError(f"{what} must be a finite number, got {value!r}", source=source, line=line)
    return position


def parse_parliament_toml(text: str, source: str) -> ParliamentFile:
    """A parliament from TOML text in the preset format; ``source`` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML: {exc}", source=source) from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or inline tables
        raise InputError("malformed TOML: nested too deeply", source=source) from None
    rows = data.get("party")
    if not isinstance(rows, list) or not rows:
        raise InputError("no [[party]] tables found", source=source)
    parties = []
    for i, row in enumerate(rows, start=1):
        where = f"[[party]] #{i}"
        if not isinstance(row, dict) or "name" not in row or "seats" not in row:
            raise InputError(f"{where} needs 'name' and 'seats'", source=source)
        label = f"{where} ({row['name']}): seats"
        seats = _whole(row["seats"], label, source)
        position = row.get("position")
        parties.append(
            Party(
                str(row["name"]),
                seats,
                None
                if position is None
                else _position(position, f"{where} ({row['name']}): position", source),
                str(row.get("full_name", "")),
                row.get("colour"),
            )
        )
    non_voting = []
    for i, row in enumerate(data.get("non_voting", []), start=1):
        if not isinstance(row, dict) or "party" not in row or "seats" not in row:
            raise InputError(f"[[non_voting]] #{i} needs 'party' and 'seats'", source=source)
        kind = str(row.get("kind", "other"))
        if kind not in NON_VOTING_KINDS:
            raise InputError(
                f"[[non_voting]] #{i}: kind must be one of {', '.join(NON_VOTING_KINDS)}", source=source
            )
        seats = _whole(row["seats"], f"[[non_voting]] #{i}: seats", source)
        non_voting.append(NonVoting(str(row["party"]), seats, kind, str(row.get("reason", ""))))
    return ParliamentFile(
        tuple(parties),
        tuple(non_voting),
        name=str(data.get("name", "custom")),
        title=str(data.get("title", "")),
        source=str(data.get("source", "")),
        positions_source=str(data.get("positions_source", "")),
    )


def parse_parliament_csv(text: str, source: str) -> ParliamentFile:
    """A parliament from ``party,seats[,position,non_voting,flags,full_name,colour]`` CSV text."""
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        return _csv_rows(reader, source)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", source=source, line=reader.line_num) from None


def _csv_rows(reader: csv.DictReader[str], source: str) -> ParliamentFile:
    """The parliament of a parliament CSV's rows (``source`` labels messages)."""
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "party" not in fields or "seats" not in fields:
        raise InputError("CSV header must have the columns 'party' and 'seats'", source=source, line=1)
    reader.fieldnames = fields
    parties: list[Party] = []
    non_voting: list[NonVoting] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputError("more fields than the header has", source=source, line=line)
        name = (row.get("party") or "").strip()
        if not name:
            raise InputError("empty party name", source=source, line=line)
        seats = _whole(
            _integer(row.get("seats"), f"seats of {name!r}", source, line), f"seats of {name!r}", source, line
        )
        pos_text = (row.get("position") or "").strip()
        position = (
            _position(
                _number(pos_text, f"position of {name!r}", source, line),
                f"position of {name!r}",
                source,
                line,
            )
            if pos_text
            else None
        )
        if any(p.name == name for p in parties):
            raise InputError(f"duplicate party name {name!r}", source=source, line=line)
        parties.append(
            Party(name, seats, position, (row.get("full_name") or "").strip(), (row.get("colour") or None))
        )
        flags = {f.strip().lower() for f in (row.get("flags") or "").replace(";", " ").split() if f}
        unknown_flags = flags - {"speaker", "abstains"}
        if unknown_flags:
            raise InputError(
                f"unknown flag(s) {', '.join(sorted(unknown_flags))} for {name!r}; use speaker or abstains",
                source=source,
                line=line,
            )
        nv_text = (row.get("non_voting") or "").strip()
        if "speaker" in flags:
            non_voting.append(NonVoting(name, seats, "speaker", "flagged as the Speaker"))
        elif "abstains" in flags:
            non_voting.append(NonVoting(name, seats, "abstention", "flagged as abstaining"))
        elif nv_text:
            n = _whole(
                _integer(nv_text, f"non_voting of {name!r}", source, line),
                f"non_voting of {name!r}",
                source,
                line,
            )
            if n:
                non_voting.append(NonVoting(name, n, "other", "declared non-voting in the file"))
    return ParliamentFile(tuple(parties), tuple(non_voting), name=Path(source).stem)


def _integer(text: str | None, what: str, source: str, line: int) -> int:
    text = (text or "").strip()
    if len(text) > 30:  # far beyond any seat count; int() of a huge string costs time
        raise InputError(f"{what}: {text[:20]}... is far too large", source=source, line=line)
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{what} must be a whole number, got {text!r}", source=source, line=line) from None


def _number(text: str, what: str, source: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{what} must be a number, got {text!r}", source=source, line=line) from None
