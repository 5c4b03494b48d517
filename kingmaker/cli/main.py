"""Entry point of the ``kingmaker`` command.

Each command group lives in its own module under ``kingmaker.cli`` and exposes
``register(app)``; this module only assembles them and turns :class:`KingmakerError`
into one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import typer

from kingmaker.errors import KingmakerError, KingmakerWarning

#: Command modules, each with a ``register(app: typer.Typer) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "coalitions",
    "power",
    "plot",
    "count",
    "seats",
    "odds",
    "spoilers",
    "leadership",
    "forecast",
    "formation",
    "data",
    "web",
)

app = typer.Typer(
    name="kingmaker",
    help="Elections, parliaments and coalitions: count, allocate seats, find governments, measure power.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from kingmaker import __version__

        typer.echo(f"kingmaker {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Elections, parliaments and coalitions: count, allocate seats, find governments, measure power."""


def _register_all() -> None:
    """Register every command module; one that fails to import fails loudly (no silent skip)."""
    for name in COMMAND_MODULES:
        importlib.import_module(f"kingmaker.cli.{name}").register(app)


_register_all()


def run(argv: list[str] | None = None) -> None:
    """Run the CLI; a :class:`KingmakerError` becomes ``error: ...`` on stderr and exit code 2.

    Usage errors (unknown options, missing arguments) are Typer's own and also exit with 2.
    """
    shown: set[str] = set()
    default_show = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        if issubclass(category, KingmakerWarning):
            if str(message) not in shown:
                shown.add(str(message))
                print(f"warning: {message}", file=sys.stderr)
            return
        default_show(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        app(args=argv, prog_name="kingmaker")
    except KingmakerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        warnings.showwarning = default_show


if __name__ == "__main__":
    run()
