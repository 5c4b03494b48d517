"""``kingmaker power``: voting power indices of a parliament or of any weighted game."""

from __future__ import annotations

import sys
import warnings
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kingmaker.cli.common import (
    TableOrJson,
    TableOrJsonOption,
    console,
    flag_names,
    parliament_inputs,
    parse_pairs,
    print_json,
)
from kingmaker.cli.tables import print_table
from kingmaker.errors import InputError, KingmakerWarning

if TYPE_CHECKING:  # the library (NumPy) is imported when the command runs, not for --help
    from kingmaker.power import PowerResult

#: The library's names for this command's options, put back as flags in its messages.
POWER_FLAGS = {"coalition_indices=False": "--no-coalition-indices", "exact=True": "--exact"}

#: Above this many DP cells (players x weights) a progress bar is shown on a terminal.
PROGRESS_MIN_WORK = 5_000_000

_COLUMNS = (
    ("shapley_shubik", "Shapley-Shubik"),
    ("banzhaf", "Banzhaf"),
    ("banzhaf_absolute", "Penrose (abs. Banzhaf)"),
    ("deegan_packel", "Deegan-Packel"),
    ("holler", "Holler"),
    ("johnston", "Johnston"),
)


def _names(text: str | None) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()] if text else []


def _game_from_options(
    preset: str | None,
    file: Path | None,
    seats: str | None,
    weights_file: Path | None,
    quota: int | None,
    threshold: str | None,
) -> tuple[dict[str, int], int, str]:
    """Weights, quota and a one-line description from the command-line options."""
    if quota is not None and threshold is not None:
        raise InputError("give either --quota or --threshold, not both")
    if weights_file is not None:
        from kingmaker.io.weights_csv import read_weights_csv

        if any(x is not None for x in (preset, file, seats)):
            raise InputError("give either --weights or a parliament (--preset, --file, --seats), not both")
        weights = read_weights_csv(weights_file)
        total = sum(weights.values())
        if quota is not None:
            return weights, quota, f"{weights_file}: quota {quota} of {total}"
        thr = (threshold or "").strip().lower()
        if thr == "absolute":
            return weights, total // 2 + 1, f"{weights_file}: absolute majority, {total // 2 + 1} of {total}"
        if thr == "working":
            raise InputError("--threshold working needs a parliament (--preset, --file or --seats)")
        if not thr:
            raise InputError("--weights needs --quota Q (or --threshold absolute|N)")
        try:
            q = int(thr)
        except ValueError:
            raise InputError(f"--threshold must be absolute or a number, got {threshold!r}") from None
        return weights, q, f"{weights_file}: quota {q} of {total}"
    from kingmaker.cli.common import load_parliament, parse_threshold

    parliament = load_parliament(preset, file, seats)
    thr_value = parse_threshold(str(quota) if quota is not None else threshold or "absolute")
    q = parliament.quota(thr_value)
    weights = parliament.weights(thr_value)
    label = thr_value if isinstance(thr_value, str) else "custom quota"
    title = parliament.title or parliament.name
    return weights, q, f"{title}: {label} majority threshold, {q} seats"


def _all_zero(result: PowerResult) -> bool:
    """Whether every index computed is 0 for every player: no coalition can win (in a game with a
    winning coalition, each member of a minimal one is a swing)."""
    computed = [getattr(result, key) for key in result.INDICES if getattr(result, key) is not None]
    return bool(computed) and all(v == 0 for values in computed for v in values.values())


def _cell(value: float | Fraction | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, Fraction):
        return str(value)
    return f"{value:.4f}"


def _print_table(result: PowerResult, description: str) -> None:
    console.print(f"[bold]{description}[/bold]")
    total = sum(result.weights)
    console.print(
        f"Quota {result.quota} of {total} (coalitions with at least {result.quota} win)"
        + (
            f"; {result.minimal_winning_coalitions:,} minimal winning coalitions"
            if result.minimal_winning_coalitions is not None
            else ""
        )
    )
    if result.excluded:
        console.print(f"Excluded (never join): {', '.join(result.excluded)}")
    if result.incompatible:
        console.print("Incompatible: " + ", ".join(f"{a}:{b}" for a, b in result.incompatible))
    table = Table(title_justify="left")
    table.add_column("Player")
    table.add_column("Weight", justify="right")
    for key, title in _COLUMNS:
        if getattr(result, key) is not None:
            table.add_column(title, justify="right")
    for player, weight in zip(result.players, result.weights, strict=True):
        cells = [player, str(weight)]
        for key, _ in _COLUMNS:
            values = getattr(result, key)
            if values is not None:
                cells.append(_cell(values[player]))
        table.add_row(*cells)
    print_table(table, console)  # in blocks of indices where wider than the terminal


def power_command(
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            "-p",
            "--parlgov",
            help="Embedded parliament, e.g. uk-2010 (the default); or a ParlGov election COUNTRY:YEAR.",
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Parliament file (party,seats CSV or TOML).")
    ] = None,
    seats: Annotated[
        str | None, typer.Option("--seats", help='Parliament inline: "Con=306,Lab=258,LD=57".')
    ] = None,
    weights: Annotated[
        Path | None,
        typer.Option("--weights", "-w", help="Any weighted game: CSV with columns player,weight."),
    ] = None,
    quota: Annotated[
        int | None, typer.Option("--quota", "-q", help="Weight a coalition needs to win.")
    ] = None,
    threshold: Annotated[
        str | None,
        typer.Option(
            "--threshold",
            "-t",
            help="absolute (default; more than half), working (of members who vote), or N.",
        ),
    ] = None,
    exact: Annotated[bool, typer.Option("--exact", help="Exact fractions instead of floats.")] = False,
    exclude: Annotated[str | None, typer.Option(help="Players who join no coalition, e.g. DUP,SNP.")] = None,
    incompatible: Annotated[
        str | None, typer.Option(help="Pairs that will not sit together, e.g. Con:Lab (at most 25 players).")
    ] = None,
    coalition_indices: Annotated[
        bool,
        typer.Option(
            "--coalition-indices/--no-coalition-indices",
            help="Deegan-Packel, Holler, Johnston (need an enumeration that very large games refuse).",
        ),
    ] = True,
    index: Annotated[
        list[str] | None,
        typer.Option(
            "--index",
            "-i",
            help="Compute only this index (repeat or comma-separate), e.g. banzhaf or shapley-shubik; "
            "an unknown name lists them all.",
        ),
    ] = None,
    format: TableOrJsonOption = TableOrJson.table,
) -> None:
    """Voting power: Shapley-Shubik, Banzhaf (normalised and absolute), Deegan-Packel, Holler, Johnston."""
    from kingmaker.names import resolve, resolve_all
    from kingmaker.power import PowerResult, power_indices

    game_weights, q, description = _game_from_options(preset, file, seats, weights, quota, threshold)
    indices = [name for text in index for name in _names(text)] if index else None
    players = list(game_weights)
    excluded = list(resolve_all(exclude, players, what="player", label="--exclude")) if exclude else []
    pairs = [
        (
            resolve(a, players, what="player", label="--incompatible"),
            resolve(b, players, what="player", label="--incompatible"),
        )
        for a, b in parse_pairs(incompatible)
    ]
    if excluded and len(excluded) == len(players):  # the library's answer would be all zeros
        raise InputError(
            f"--exclude: every player is excluded ({', '.join(excluded)}): no coalition can form"
        )
    for a, b in pairs:
        if a == b:  # the same player spelt two ways
            raise InputError(f"--incompatible: a player cannot be incompatible with itself ({a!r})")
    left = sum(w for name, w in game_weights.items() if name not in excluded)
    if excluded and left < q:  # the library's answer would be all zeros: say why instead
        raise InputError(
            f"--exclude {','.join(excluded)}: no coalition can win: the players left hold {left} "
            f"of the {q} needed, so every power index would be 0"
        )
    err = Console(stderr=True, highlight=False)
    work = len(game_weights) * sum(game_weights.values())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KingmakerWarning)
        with Progress(
            TextColumn("computing power indices"),
            BarColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal or work < PROGRESS_MIN_WORK,
        ) as bar:
            task = bar.add_task("power", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            with flag_names(POWER_FLAGS):
                result = power_indices(
                    game_weights,
                    q,
                    exact=exact,
                    excluded=excluded,
                    incompatible=pairs,
                    coalition_indices=coalition_indices,
                    progress=progress,
                    indices=indices,
                )
    for w in caught:
        if issubclass(w.category, KingmakerWarning):
            print(f"warning: {w.message}", file=sys.stderr)
    if pairs and _all_zero(result):
        raise InputError(
            "--incompatible "
            + ",".join(f"{a}:{b}" for a, b in pairs)
            + (f" (with --exclude {','.join(excluded)})" if excluded else "")
            + f": no coalition of compatible players reaches the {q} needed, so every power index is 0"
        )
    if format == TableOrJson.json:
        options = {
            "quota": q,
            "threshold": threshold,
            "exact": exact,
            "exclude": excluded,
            "incompatible": pairs,
            "coalition_indices": coalition_indices,
            "index": list(indices) if indices is not None else None,
        }
        inputs = {str(weights): weights} if weights is not None else parliament_inputs(preset, file, seats)
        data = result.to_dict()
        if indices is not None:  # only what was asked for
            data = {k: v for k, v in data.items() if k not in PowerResult.INDICES or v is not None}
        print_json(data, "power", options=options, inputs=inputs)
    else:
        _print_table(result, description)


def register(app: typer.Typer) -> None:
    """Add ``power`` to the CLI."""
    app.command("power")(power_command)
