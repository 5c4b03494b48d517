"""``kingmaker data``: list and fetch the known public data sets (see :mod:`kingmaker.datasets`)."""

from __future__ import annotations

from typing import Annotated

import typer

from kingmaker.cli.common import console
from kingmaker.cli.tables import Column, fitted_table, print_fitted


def register(app: typer.Typer) -> None:
    """Add the ``data`` command group to ``app``."""
    data_app = typer.Typer(
        help="Public election data sets: list them, fetch them into the cache.", no_args_is_help=True
    )

    @data_app.command("list")
    def list_cmd() -> None:
        """The known data sets and their official sources."""
        from kingmaker.datasets import DATASETS

        rows = [
            [ds.name, ds.description, "\n".join(f"{f.name} <- {f.url or f.note}" for f in ds.files)]
            for ds in DATASETS.values()
        ]
        columns = (Column("name", overflow="fold"), Column("description"), Column("files", overflow="fold"))
        print_fitted(*fitted_table(columns, rows, console, title="data sets"), console)

    @data_app.command("fetch")
    def fetch_cmd(
        name: Annotated[str, typer.Argument(help="Data set name (kingmaker data list).")],
        source: Annotated[
            str | None,
            typer.Option(
                "--from",
                help="Mirror: base URL or local folder holding the files (default: the official source).",
            ),
        ] = None,
        cache: Annotated[
            str | None,
            typer.Option("--cache", help="Cache folder (default: $KINGMAKER_CACHE or the user cache)."),
        ] = None,
    ) -> None:
        """Download a data set into the cache and check each file's SHA-256."""
        from kingmaker.cli.common import flag_names
        from kingmaker.datasets import dataset, fetch

        ds = dataset(name)
        with flag_names({"(base_url=DIR)": "(--from DIR)"}):
            fetch(name, base_url=source, cache=cache, progress=lambda m: console.print(m, soft_wrap=True))
        console.print(ds.attribution)

    app.add_typer(data_app, name="data")
