"""``kingmaker project`` and ``kingmaker forecast``: swing projections and Monte Carlo seat forecasts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kingmaker.cli.common import (
    DATA_FLAGS,
    Format,
    FormatOption,
    check_output_path,
    console,
    flag_names,
    print_csv,
    print_json,
    warnings_to_stderr,
)
from kingmaker.errors import InputError
from kingmaker.forecast.backends import BACKENDS
from kingmaker.projection.registry import SWING_MODELS
from kingmaker.votes import VoteTable

#: Swing models, from the registry (kingmaker.projection.models).
Model = StrEnum("Model", [(name, name) for name in SWING_MODELS.names()])  # type: ignore[misc]
#: Where the simulations run (kingmaker.forecast.backends).
Backend = StrEnum("Backend", [(name, name) for name in BACKENDS])  # type: ignore[misc]


BaseOption = Annotated[
    str | None,
    typer.Option(
        "--base",
        "-b",
        help="Base election: a data set (uk-2010-results, uk-2015-results, ...) or a results file.",
    ),
]
SharesOption = Annotated[
    str | None,
    typer.Option(
        "--shares",
        "-s",
        help='New shares in percent: "Con=36,Lab=29,LD=23,Other=12" or per area "Scotland: SNP=50,Lab=24; Wales: ...".',
    ),
]
ModelOption = Annotated[
    Model,
    typer.Option(
        "--model",
        "-m",
        help=f"Swing model: {', '.join(SWING_MODELS.names())} (see kingmaker.projection.models).",
    ),
]
LevelOption = Annotated[
    str | None, typer.Option("--level", help="Where the swing is measured: national, nation or region.")
]
NewPartyOption = Annotated[
    list[str] | None,
    typer.Option("--new-party", help="A party with no base vote (stands everywhere). Repeatable."),
]
ScopeOption = Annotated[
    str, typer.Option("--scope", help="National shares describe: auto (GB when NI seats exist), all, gb.")
]
SimsOption = Annotated[int, typer.Option("--sims", "-n", help="Number of simulations.")]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Random seed (same seed, same numbers).")]
CoalitionOption = Annotated[
    list[str] | None,
    typer.Option("--coalition", "-c", help="A coalition to assess, e.g. Con+LD. Repeatable."),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder holding the data set's files (else cache / download)."),
]


def load_base(base: str | None, data_dir: Path | None = None) -> VoteTable:
    """The base election: a results file path, or a registered data set name."""
    if not base:
        raise InputError("--base is required: the base election (e.g. uk-2010-results, or a results file)")
    path = Path(base)
    if path.suffix and path.exists():
        from kingmaker.io.hoc import read_results

        return read_results(path)
    from kingmaker.datasets import load_dataset

    with flag_names(DATA_FLAGS):
        return load_dataset(base, data_dir=data_dir)


def base_inputs(base: str | None, table: VoteTable) -> dict[str, object]:
    """Provenance inputs of ``--base``: the results file, or the loaded data set's table."""
    path = Path(base or "")
    return {str(path): path} if path.suffix and path.exists() else {base or "base": table}


def _shares(text: str | None):  # -> Shares
    from kingmaker.projection import parse_shares

    if text is None:
        raise InputError('--shares is required, e.g. --shares "Con=36,Lab=29,LD=23"')
    return parse_shares(text, label="--shares")


def project_command(
    base: BaseOption = None,
    shares: SharesOption = None,
    model: ModelOption = Model.uniform,
    level: LevelOption = None,
    new_party: NewPartyOption = None,
    scope: ScopeOption = "auto",
    changes: Annotated[
        bool, typer.Option("--changes/--no-changes", help="List the seats that change hands.")
    ] = True,
    constituencies: Annotated[
        bool,
        typer.Option(
            "--constituencies", help="With --format csv/json: every constituency's projected result."
        ),
    ] = False,
    data_dir: DataDirOption = None,
    output: FormatOption = Format.table,
) -> None:
    """Project seats from a base election and new vote shares with a swing model."""
    from kingmaker.projection import project

    table = load_base(base, data_dir)
    parsed = _shares(shares)
    with warnings_to_stderr():
        result = project(table, parsed, model.value, level=level, scope=scope, new_parties=new_party or ())
    if output is Format.json:
        data = result.to_dict()
        if not constituencies:
            data.pop("constituencies")
        options = {"shares": shares, "model": model.value, "level": level, "scope": scope}
        print_json(
            data, "project", options={**options, "new_party": new_party}, inputs=base_inputs(base, table)
        )
        return
    if output is Format.csv:
        if constituencies:
            print_csv(result.to_frame().to_dict(orient="records"))
        else:
            print_csv([{"party": p, **r} for p, r in result.seats_frame().to_dict(orient="index").items()])
        return
    seats = Table(title=f"Projected seats ({result.model} swing, measured {result.level})")
    for col in ("Party", "Base", "Projected", "Change"):
        seats.add_column(col, justify="left" if col == "Party" else "right")
    for party, row in result.seats_frame().iterrows():
        seats.add_row(str(party), str(row["base"]), str(row["projected"]), f"{row['change']:+d}")
    console.print(seats)
    if changes:
        moved = Table(title=f"Seats that change hands ({len(result.changes)})")
        for col in ("Constituency", "Region", "From", "To", "Margin (pts)"):
            moved.add_column(col, justify="right" if col.startswith("Margin") else "left")
        for c in result.changes:
            moved.add_row(c.district, c.region or "", c.before, c.after, f"{c.margin:.1f}")
        console.print(moved)


def forecast_command(
    base: BaseOption = None,
    shares: SharesOption = None,
    model: ModelOption = Model.regional,
    sims: SimsOption = 10_000,
    seed: SeedOption = None,
    coalition: CoalitionOption = None,
    national_error: Annotated[
        float,
        typer.Option(
            "--national-error", help="National polling error (sd, points, for a party at 35%; 0 to 100)."
        ),
    ] = 2.5,
    correlation: Annotated[
        float, typer.Option("--correlation", help="Correlation of party errors (-1 to 1).")
    ] = 0.0,
    regional_error: Annotated[
        float, typer.Option("--regional-error", help="Regional error (sd, points; 0 to 100).")
    ] = 1.5,
    seat_error: Annotated[
        float, typer.Option("--seat-error", help="Constituency error (sd, points; 0 to 100).")
    ] = 3.0,
    level: LevelOption = None,
    new_party: NewPartyOption = None,
    scope: ScopeOption = "auto",
    backend: Annotated[Backend, typer.Option("--backend", help="local (threads) or dask.")] = Backend.local,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (default: start a LocalCluster)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Threads (local) or LocalCluster workers.")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the seat distributions to this PNG/SVG/PDF.")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal, long runs)."),
    ] = None,
    data_dir: DataDirOption = None,
    output: FormatOption = Format.table,
) -> None:
    """Monte Carlo forecast: seat distributions, majorities and coalition probabilities."""
    from kingmaker.forecast import PollingError, forecast

    if scheduler is not None and backend is not Backend.dask:
        raise InputError("--scheduler needs --backend dask")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if plot is not None:
        check_output_path(plot, "--plot")
    table = load_base(base, data_dir)
    parsed = _shares(shares)
    error = PollingError(national_error, correlation, regional_error, seat_error)
    if progress is None:
        progress = sims >= 50_000 and sys.stderr.isatty()
    with warnings_to_stderr(), _progress_bar(sims, progress) as report:
        result = forecast(
            table,
            parsed,
            model=model.value,
            sims=sims,
            seed=seed,
            error=error,
            coalitions=coalition or (),
            level=level,
            scope=scope,
            new_parties=new_party or (),
            backend=backend.value,
            scheduler=scheduler,
            workers=workers,
            progress=report,
        )
    if plot is not None:
        from kingmaker.report.forecast_plots import plot_forecast

        plot_forecast(result, plot)
    if output is Format.json:
        options = {
            "shares": shares,
            "model": model.value,
            "sims": sims,
            "seed": seed,
            "coalitions": coalition,
            "error": [national_error, correlation, regional_error, seat_error],
            "level": level,
            "scope": scope,
            "new_party": new_party,
        }
        print_json(result.to_dict(), "forecast", options=options, inputs=base_inputs(base, table))
        return
    if output is Format.csv:
        print_csv([{"party": p, **r} for p, r in result.to_frame().to_dict(orient="index").items()])
        return
    _print_forecast(result)
    if plot is not None:
        console.print(f"plot written to {plot}")


@contextmanager
def _progress_bar(total: int, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich bar on stderr fed by the library's ``progress(done, total)`` callback (or none)."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("sims", total=total)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _pct(x: float) -> str:
    return "<0.1%" if 0 < x < 0.001 else f"{x:.1%}"


def _print_forecast(result) -> None:  # result: Forecast
    t = Table(
        title=f"Forecast: {result.sims:,} simulations, {result.model} swing (seed {result.seed})",
        caption=f"absolute majority {result.absolute_majority}; working majority (median) {result.median_working_threshold}",
    )
    for col in ("Party", "Median", "90% interval", "Central", "P(largest)", "P(majority)"):
        t.add_column(col, justify="left" if col == "Party" else "right")
    for p in result.shown_parties():
        t.add_row(
            p,
            str(result.median[p]),
            f"{result.low[p]}-{result.high[p]}",
            str(result.central_seats.get(p, 0)),
            _pct(result.p_largest[p]),
            _pct(result.p_majority[p]),
        )
    console.print(t)
    console.print(
        f"P(overall majority) = {_pct(result.p_overall_majority)}   P(hung parliament) = {_pct(result.p_hung)}"
    )
    if result.coalitions:
        c = Table(title="Coalitions")
        for col in (
            "Coalition",
            "Median seats",
            "90% interval",
            "P(absolute majority)",
            "P(working majority)",
        ):
            c.add_column(col, justify="left" if col == "Coalition" else "right")
        for odds in result.coalitions:
            c.add_row(
                odds.name,
                str(odds.median_seats),
                f"{odds.low}-{odds.high}",
                _pct(odds.p_absolute),
                _pct(odds.p_working),
            )
        console.print(c)


def register(app: typer.Typer) -> None:
    """Add ``project`` and ``forecast`` to the ``kingmaker`` command."""
    app.command("project")(project_command)
    app.command("forecast")(forecast_command)
