"""``kingmaker plot ...``: pictures of parliaments and counts (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kingmaker.cli.common import FileOption, PresetOption, SeatsOption, load_parliament

plot_app = typer.Typer(
    help="Draw plots: a parliament hemicycle, a count round by round.", no_args_is_help=True
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
) -> None:
    """The parliament arc with party colours, the majority line and an optional highlighted coalition."""
    from kingmaker.report.hemicycle import plot_hemicycle, save_figure

    parliament = load_parliament(preset, file, seats)
    members = coalition.split(",") if coalition else ()
    fig = plot_hemicycle(parliament, members, title=title)
    save_figure(fig, str(output))
    typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add the ``plot`` group to the CLI."""
    app.add_typer(plot_app, name="plot")
