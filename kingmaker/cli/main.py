"""Entry point of the ``kingmaker`` command.

Each command group lives in its own module under ``kingmaker.cli`` and exposes
``register(app)``; this module lists them (:data:`COMMANDS`), imports only the one that runs, and
turns :class:`KingmakerError` into one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import TYPE_CHECKING

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from kingmaker.errors import KingmakerError, KingmakerWarning

if TYPE_CHECKING:  # typer >= 0.26 carries its own copy of click: the real one is not imported
    from click import Command, Context, Option

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

#: Every command: its name, the module that registers it and its one-line help, in the order the
#: help lists them. Only the module of the command that runs is imported, so ``kingmaker --help``
#: and ``kingmaker CMD --help`` start without NumPy, pandas or SciPy; tests/test_startup.py checks
#: that these lines match the commands' own help.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "coalitions",
        "coalitions",
        "List every government the numbers allow, with the coalition theories and each one's veto players.",
    ),
    (
        "power",
        "power",
        "Voting power: Shapley-Shubik, Banzhaf (normalised and absolute), Deegan-Packel, Holler, Johnston.",
    ),
    ("count", "count", "Count ranked ballots; print the winners and the count sheet."),
    ("odds", "odds", "Bookmakers' odds to probabilities: overround and every standard de-vig method."),
    (
        "spoilers",
        "spoilers",
        "Spoilers (recount without each candidate), Condorcet winner and loser, other methods beside AV.",
    ),
    ("project", "forecast", "Project seats from a base election and new vote shares with a swing model."),
    (
        "forecast",
        "forecast",
        "Monte Carlo forecast: seat distributions, majorities and coalition probabilities.",
    ),
    (
        "serve",
        "web",
        "Serve the coalition page: hemicycle, coalition builder, governments, power, sliders, ballot counts.",
    ),
    (
        "live",
        "web",
        "Results night: accept declared results (token-protected), keep them in DuckDB, project the rest live.",
    ),
    ("plot", "plot", "Draw plots: a parliament hemicycle, a count round by round, a seat forecast."),
    (
        "seats",
        "seats",
        "Votes to seats: any system, comparisons, marginal seats, apportionment. Without a subcommand, allocates by --system.",
    ),
    (
        "leadership",
        "leadership",
        "Party leadership contests: real rules, the 2010 Labour count, Monte Carlo simulation.",
    ),
    ("data", "data", "Public election data sets: list them, fetch them into the cache."),
    (
        "formation",
        "formation",
        "Which government will form (a conditional logit fitted on 628 ParlGov formations) and how long it "
        "will last (a Weibull duration model).",
    ),
)


def load_command(name: str) -> Command:
    """The real command ``name``: import its module and let it register on a scratch app."""
    module = next(m for n, m, _ in COMMANDS if n == name)
    scratch = typer.Typer()
    importlib.import_module(f"kingmaker.cli.{module}").register(scratch)
    group = typer.main.get_group(scratch)
    return group.commands[name]


class _Listed(TyperCommand):
    """A command as the top-level help lists it: name and help, nothing imported."""


class _LazyGroup(TyperGroup):
    """The top-level group: lists :data:`COMMANDS` from their help lines, imports one when it runs."""

    def get_help_option(self, ctx: Context) -> Option | None:
        """The group's ``--help``, defaulting to False rather than None: Typer coerces a None
        flag through a Pydantic adapter, which would import Pydantic for ``kingmaker CMD --help``."""
        option = super().get_help_option(ctx)
        if option is not None and option.default is None:
            option.default = False
        return option

    def list_commands(self, ctx: Context) -> list[str]:
        return [name for name, _, _ in COMMANDS]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        for name, _, help_text in COMMANDS:
            if name == cmd_name:
                return _Listed(name, help=help_text)
        return None

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        if isinstance(cmd, _Listed):
            cmd = load_command(cmd.name)  # type: ignore[arg-type]
        return name, cmd, rest


app = typer.Typer(
    name="kingmaker",
    cls=_LazyGroup,
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


def run(argv: list[str] | None = None) -> None:
    """Run the CLI; a :class:`KingmakerError` becomes ``error: ...`` on stderr and exit code 2.

    Usage errors (unknown options, missing arguments) are Typer's own and also exit with 2. Under
    ``python -W error`` a :class:`KingmakerWarning` is raised instead of shown: it too becomes one
    ``error:`` line.
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
    except (KingmakerError, KingmakerWarning) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        warnings.showwarning = default_show


if __name__ == "__main__":
    run()
