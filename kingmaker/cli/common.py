"""Options and helpers shared by several commands: where a parliament comes from, output formats."""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kingmaker.cli.tables import console as console
from kingmaker.errors import InputError

if TYPE_CHECKING:  # imported where used: a command's --help that needs no parliament skips them
    from kingmaker.parliament import Parliament, Threshold


class Format(StrEnum):
    """Output formats of analysis commands."""

    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """Output formats of commands whose results are not one flat table (no CSV)."""

    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table, json or csv.")]
TableOrJsonOption = Annotated[TableOrJson, typer.Option("--format", help="table or json.")]


def __getattr__(name: str) -> Any:
    """``PresetOption``, made on first use: its help lists the presets, which loads them."""
    if name != "PresetOption":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from kingmaker.parliament import DEFAULT_PRESET
    from kingmaker.presets import PARLIAMENTS

    option = Annotated[
        str | None,
        typer.Option(
            "--preset",
            "-p",
            "--parlgov",
            help=f"Embedded parliament: {', '.join(PARLIAMENTS.names())} (default {DEFAULT_PRESET}); or a "
            "ParlGov election COUNTRY:YEAR or COUNTRY:DATE, e.g. --parlgov DEU:2017 (files: "
            "$KINGMAKER_PARLGOV_DIR or kingmaker data fetch parlgov).",
        ),
    ]
    globals()[name] = option
    return option


FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file", "-f", help="Parliament file: CSV (party,seats[,position,non_voting,flags]) or TOML."
    ),
]
SeatsOption = Annotated[
    str | None,
    typer.Option(
        "--seats", help='Parliament on the command line: "Con=306,Lab=258,LD=57" (party=seats[@position]).'
    ),
]
ThresholdOption = Annotated[
    str,
    typer.Option(
        "--threshold",
        "-t",
        help="absolute (more than half of all seats), working (of members who vote), or N.",
    ),
]


def load_parliament(preset: str | None, file: Path | None, seats: str | None) -> Parliament:
    """The parliament named by exactly one of --preset, --file, --seats (default: uk-2010)."""
    from kingmaker.parliament import DEFAULT_PRESET, Parliament

    given = [x for x in (preset, file, seats) if x is not None]
    if len(given) > 1:
        raise InputError("give only one of --preset, --file and --seats")
    if file is not None:
        return Parliament.read(file)
    if seats is not None:
        return Parliament.parse_seats(seats, label="--seats")
    if preset is not None and ":" in preset:  # --parlgov COUNTRY:ELECTION
        return Parliament.from_parlgov(*preset.split(":", 1))
    return Parliament.preset(preset or DEFAULT_PRESET)


def read_json_file(path: Path, what: str = "JSON file") -> Any:
    """The JSON value in ``path``; a missing, unreadable, non-UTF-8, malformed or too deeply nested
    file is an :class:`InputError` naming the file (never a traceback).

    Python's decoder recurses once per level of nesting, so a file of 100,000 ``[`` raises
    ``RecursionError``: refused as "nested too deeply".
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{what} not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory, not a file", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text (byte {exc.start})", source=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", source=str(path), line=exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to read", source=str(path)) from None


#: File types a figure can be written as.
FIGURE_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".pdf")


def check_output_path(
    path: Path, what: str = "output file", suffixes: tuple[str, ...] = FIGURE_SUFFIXES
) -> None:
    """Refuse, before any work, an output ``path`` that cannot be written: a suffix not in
    ``suffixes``, a folder that does not exist (it is not created: a mistyped folder should not
    appear on disk) or a path that is a folder."""
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(f"{what} {str(path)!r} must end in one of {', '.join(suffixes)}")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{what} {str(path)!r}: the folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise InputError(f"{what} {str(path)!r} is a folder")


def parse_threshold(text: str) -> Threshold:
    """``absolute``, ``working`` or a positive whole number of seats."""
    text = text.strip().lower()
    if text in ("absolute", "working"):
        return text  # type: ignore[return-value]
    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"--threshold must be absolute, working or a number of seats, got {text!r}"
        ) from None


def parse_pairs(text: str | None, option: str = "--incompatible") -> list[tuple[str, str]]:
    """``"Con:Lab,LD:DUP"`` -> ``[("Con", "Lab"), ("LD", "DUP")]``: pairs that will not sit together."""
    if not text:
        return []
    out = []
    for item in text.split(","):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) != 2 or not all(parts):
            raise InputError(f"{option}: cannot read {item!r}; expected A:B pairs, e.g. Con:Lab")
        if parts[0] == parts[1]:
            raise InputError(
                f"{option}: {item.strip()!r} pairs a name with itself; a pair needs two different names"
            )
        out.append((parts[0], parts[1]))
    return out


#: The data sets' advice (kingmaker.datasets) as a command.
DATA_FLAGS = {"(base_url=DIR)": "(kingmaker data fetch NAME --from DIR)"}


@contextmanager
def flag_names(spellings: Mapping[str, str]) -> Iterator[None]:
    """Put the command line's flags into the library's messages raised in the block.

    The library names what its caller gave (``coalition_indices=False``, ``the 'lot' policy``),
    never a flag; a command maps those spellings to its own (``--no-coalition-indices``,
    ``--tie lot``) so that its user reads the option they can type.
    """
    from kingmaker.errors import KingmakerError

    try:
        yield
    except KingmakerError as exc:
        text = str(exc)
        for spelling, flag in spellings.items():
            text = text.replace(spelling, flag)
        if text != str(exc):
            exc.args = (text,)
        raise


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Collect every warning raised in the block and echo each as ``warning: ...`` on stderr
    once the block has finished (not when it raises)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)


def parliament_inputs(
    preset: str | None, file: Path | None, seats: str | None, parliament: Parliament | None = None
) -> dict[str, Any]:
    """The provenance inputs of a parliament chosen by --preset, --file or --seats: the file's
    bytes, the seats text, or the (embedded) parliament itself."""
    if file is not None:
        return {str(file): file}
    if seats is not None:
        return {"seats": seats}
    if parliament is not None:
        return {preset or parliament.name: parliament}
    from kingmaker.parliament import DEFAULT_PRESET

    return {"preset": preset or DEFAULT_PRESET}


def table_inputs(table: Any) -> dict[str, Any]:
    """The provenance input of a loaded vote table: its source file where that still exists,
    else the table itself (hashed through ``to_dict()``)."""
    source = Path(str(getattr(table, "source", "") or ""))
    if source.suffix and source.is_file():
        return {str(source): source}
    return {getattr(table, "election", None) or "votes": table}


def print_json(
    data: Any,
    method: str,
    *,
    options: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
    key: str = "items",
) -> None:
    """``data`` as JSON on stdout (UTF-8, stable key order), with its ``"provenance"`` block.

    The one way a command prints JSON: ``method`` (the command or method name), ``options``
    and ``inputs`` (name -> path, bytes, text or object; see :func:`kingmaker.provenance.provenance`)
    become the block. A list is wrapped as ``{key: data, "provenance": ...}``.
    """
    from kingmaker.provenance import provenance, with_provenance

    block = provenance(method, options, inputs)
    typer.echo(json.dumps(with_provenance(data, block, key), indent=2, ensure_ascii=False, default=str))


def print_csv(rows: list[dict[str, Any]]) -> None:
    """Rows as CSV on stdout (header from the first row)."""
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    typer.echo(buf.getvalue(), nl=False)
