"""``kingmaker plot ...``: pictures of parliaments and counts (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kingmaker.cli.common import (
    FileOption,
    PresetOption,
    SeatsOption,
    check_output_path,
    load_parliament,
    read_json_file,
    warnings_to_stderr,
)
from kingmaker.cli.forecast import (
    BaseOption,
    CoalitionOption,
    DataDirOption,
    Model,
    ModelOption,
    SeedOption,
    SharesOption,
    SimsOption,
)
from kingmaker.counting.registry import METHODS
from kingmaker.errors import InputError

plot_app = typer.Typer(
    help="Draw plots: a parliament hemicycle, a count round by round, a seat forecast.", no_args_is_help=True
)

OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="Image file to write (.png, .svg or .pdf).")
]


@plot_app.command("hemicycle")
def hemicycle_command(
    output: OutputOption = Path("parliament.png"),
    preset: PresetOption = None,
    file: FileOption = None,
    seats: SeatsOption = None,
    coalition: Annotated[str | None, typer.Option(help="Highlight a coalition, e.g. Con,LD.")] = None,
    title: Annotated[str | None, typer.Option(help="Plot title.")] = None,
    result: Annotated[
        Path | None,
        typer.Option(
            "--result",
            help="Seats from `kingmaker seats ... --format json` (or a JSON {party: seats}); "
            "the parliament from --preset/--file gives colours, positions and the Speaker.",
        ),
    ] = None,
) -> None:
    """The parliament arc with party colours, the majority line and an optional highlighted coalition."""
    from kingmaker.report.hemicycle import plot_hemicycle, save_figure

    check_output_path(output, "--output")
    parliament = load_parliament(preset, file, seats)
    if result is not None:
        if seats is not None:
            raise InputError("give --result or --seats, not both")
        data = _read_result_seats(result)
        parliament = parliament.with_seats(data["seats"], title=data["title"])
    members = parliament.parse_party_list(coalition, "--coalition") if coalition else ()
    fig = plot_hemicycle(parliament, members, title=title)
    save_figure(fig, str(output))
    typer.echo(f"wrote {output}")


def _read_result_seats(path: Path) -> dict:
    """Seat numbers from an allocation's JSON: ``{"parties": [{"party", "seats"}, ...]}`` or ``{party: n}``."""
    data = read_json_file(path, "--result file")
    title = ""
    if isinstance(data, dict) and isinstance(data.get("parties"), list):
        title = str(data.get("title", ""))
        rows = data["parties"]
        if not all(isinstance(r, dict) and "party" in r and "seats" in r for r in rows):
            raise InputError("each entry of 'parties' needs 'party' and 'seats'", source=str(path))
        seats = {str(r["party"]): r["seats"] for r in rows}
    elif isinstance(data, dict) and all(isinstance(v, int) for v in data.values()):
        seats = {str(k): v for k, v in data.items()}
    else:
        raise InputError(
            "expected the JSON of `kingmaker seats --format json` or an object {party: seats}",
            source=str(path),
        )
    for party, n in seats.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InputError(f"seats of {party!r} must be a whole number >= 0, got {n!r}", source=str(path))
    seats = {p: n for p, n in seats.items() if n > 0}
    if not seats:
        raise InputError("no party has any seats", source=str(path))
    return {"seats": seats, "title": title}


@plot_app.command("rounds")
def rounds_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Ballot file(s) as for `kingmaker count` (several for college or exhaustive)."),
    ],
    output: OutputOption = Path("rounds.png"),
    method: Annotated[
        str,
        typer.Option("--method", "-m", help=f"Counting method: {', '.join(METHODS.names())}."),
    ] = "av",
    seats: Annotated[
        int | None, typer.Option("--seats", "-s", help="Seats to fill (default: the file's, else 1)")
    ] = None,
    tiebreak: Annotated[
        str | None, typer.Option("--tiebreak", help="backwards, forwards, random or order")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random tie-break")] = 0,
    title: Annotated[str | None, typer.Option(help="Plot title.")] = None,
) -> None:
    """The count round by round: votes per candidate at each stage, transfers, quota, elected and eliminated."""
    from kingmaker.cli.count import count_files
    from kingmaker.report.hemicycle import save_figure
    from kingmaker.report.rounds_plot import plot_rounds

    check_output_path(output, "--output")
    result = count_files(files, method, seats, tiebreak=tiebreak, seed=seed)
    save_figure(plot_rounds(result, title=title), str(output))
    typer.echo(f"wrote {output}")


@plot_app.command("forecast")
def forecast_command(
    output: OutputOption = Path("forecast.png"),
    base: BaseOption = None,
    shares: SharesOption = None,
    model: ModelOption = Model.regional,
    sims: SimsOption = 10_000,
    seed: SeedOption = None,
    coalition: CoalitionOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Monte Carlo seat distributions and outcome probabilities (as `kingmaker forecast --plot`)."""
    from kingmaker.cli.forecast import _shares, load_base
    from kingmaker.forecast import forecast
    from kingmaker.report.forecast_plots import plot_forecast

    check_output_path(output, "--output")
    if not base:
        load_base(base, data_dir)  # the "--base is required" error
    parsed = _shares(shares)  # before loading (and perhaps downloading) the base election
    table = load_base(base, data_dir)
    with warnings_to_stderr():
        result = forecast(table, parsed, model=model.value, sims=sims, seed=seed, coalitions=coalition or ())
    plot_forecast(result, output)
    typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add the ``plot`` group to the CLI."""
    app.add_typer(plot_app, name="plot")
