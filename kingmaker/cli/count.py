"""``kingmaker count``: count ranked ballots and print the count sheet."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kingmaker.counting.result import Result
from kingmaker.errors import InputError

FORMATS = ("table", "json", "csv")


def _fmt(x: object, places: int) -> str:
    if x is None:
        return ""
    if isinstance(x, Fraction) and x.denominator != 1:
        return f"{float(x):,.{places}f}"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.{places}f}"
    return f"{int(x):,}"  # type: ignore[call-overload]


def _signed(x: object, places: int) -> str:
    if not x:
        return ""
    s = _fmt(x, places)
    return s if s.startswith("-") else "+" + s


def _places(result: Result) -> int:
    """Decimals shown for ``result``: its method's registered display places (else 4)."""
    from kingmaker.counting.registry import METHODS

    if result.method in METHODS:
        places = METHODS.get(result.method).places
        if places is not None:
            return places
    return 4


def render_table(result: Result, console: Console) -> None:
    """Winners, then a returning-officer style count sheet (candidates x rounds)."""
    p = _places(result)
    console.print(
        f"[bold]{result.method}[/bold], {result.seats} seat(s). "
        f"Elected: [bold green]{', '.join(result.winners) or '-'}[/bold green]"
    )
    head = f"Valid votes: {_fmt(result.valid, p)}"
    if result.quota is not None:
        head += f"   Quota: {_fmt(result.quota, p)}"
    console.print(head)
    table = Table(show_lines=False, header_style="bold")
    table.add_column("Candidate")
    for r in result.rounds:
        if r.number > 1:
            table.add_column("transfer", justify="right", style="dim")
        table.add_column(f"Stage {r.number}", justify="right")
    status: dict[str, str] = {}
    for c in result.candidates:
        cells = [c]
        for r in result.rounds:
            if r.number > 1:
                cells.append(_signed(r.transfers.get(c), p))
            v = r.tallies.get(c)
            mark = ""
            if c in r.elected:
                mark, status[c] = " *", "elected"
            elif c in r.eliminated:
                mark, status[c] = " x", "eliminated"
            cells.append("" if v is None else _fmt(v, p) + mark)
        table.add_row(*cells)
    ex = ["Exhausted"]
    loss = ["Loss to rounding"]
    tot = ["Total"]
    any_loss = any(r.loss for r in result.rounds)
    for r in result.rounds:
        if r.number > 1:
            ex.append(_signed(r.exhausted_transfer, p))
            loss.append("")
            tot.append("")
        ex.append(_fmt(r.exhausted, p))
        loss.append(_fmt(r.loss, p))
        tot.append(_fmt(r.continuing_total + r.exhausted + r.loss, p))
    table.add_section()
    table.add_row(*ex)
    if any_loss:
        table.add_row(*loss)
    table.add_row(*tot)
    console.print(table)
    console.print("* elected, x eliminated at the end of that stage")
    for r in result.rounds:
        if r.number > 1 and r.action:
            console.print(f"Stage {r.number}: {r.action}")
    for t in result.ties:
        console.print(
            f"Tie at stage {t.round} ({t.purpose}) between {', '.join(t.tied)}: "
            f"{t.chosen} chosen by {t.policy}" + (f" [{t.detail}]" if t.detail else "")
        )
    for note in result.notes:
        console.print(f"Note: {note}")


def count_files(
    files: list[Path],
    method: str = "av",
    seats: int | None = None,
    *,
    tiebreak: str | None = None,
    seed: int = 0,
    order: str | None = None,
    overvote: str | None = None,
    skipped_limit: int | None = None,
    duplicates: str | None = None,
    batch: bool = False,
    until: str | None = None,
    weights: str | None = None,
    names: str | None = None,
) -> Result:
    """Read ballot ``files`` and count them by ``method`` with the command-line options.

    Shared by ``kingmaker count`` and ``kingmaker plot rounds``: several files are the
    sections of a college (``names``/``weights`` comma-separated) or the MPs' and members'
    ballots of an exhaustive ballot (the method's registered ``inputs``).
    """
    from kingmaker.ballots import Ballots
    from kingmaker.counting import count
    from kingmaker.counting.registry import METHODS

    entry = METHODS.get(method, what="method")
    m = entry.name
    loaded = [Ballots.read(f) for f in files]
    given: dict[str, object] = {
        "tiebreak": tiebreak or None,
        "seed": seed or None,
        "order": tuple(x.strip() for x in order.split(",")) if order else None,
        "overvote": overvote,
        "skipped_limit": skipped_limit,
        "duplicates": duplicates,
        "batch": True if batch else None,
        "until": until or None,
    }
    opts = {k: v for k, v in given.items() if v is not None}
    if ("batch" in opts or "until" in opts) and "batch" not in entry.options:
        takers = [e.name for e in METHODS.entries() if "batch" in e.options]
        raise InputError(f"--batch and --until apply to {' and '.join(takers)} only")
    inputs = entry.extra.get("inputs")
    if inputs == "sections":
        labels = [x.strip() for x in names.split(",")] if names else [Path(f).stem for f in files]
        if len(labels) != len(loaded):
            raise InputError(f"{len(labels)} section names for {len(loaded)} files")
        if weights:
            try:
                opts["weights"] = [Fraction(x.strip()) for x in weights.split(",")]
            except ValueError:
                raise InputError(f"bad --weights {weights!r}") from None
        return count(dict(zip(labels, loaded, strict=True)), method=m, **opts)
    if inputs == "pair":
        return count(loaded, method=m, **opts)
    if len(loaded) != 1:
        raise InputError(f"{m} counts one ballot file, {len(loaded)} given")
    return count(loaded[0], method=m, seats=seats, **opts)


def register(app: typer.Typer) -> None:
    """Add the ``count`` command to ``app``."""
    from kingmaker.counting.registry import METHODS

    method_help = "Counting method (or alias): " + "; ".join(
        e.name + (f" ({', '.join(e.aliases)})" if e.aliases else "") + f": {e.summary}"
        for e in METHODS.entries()
    )

    @app.command("count")
    def count_command(
        files: list[Path] = typer.Argument(
            ...,
            help="Ballot file(s): .blt, .soi/.soc/.toi/.toc, .csv (CVR or count,rank1,...). Several for college (one per section) or exhaustive (MPs, members).",
        ),
        method: str = typer.Option("av", "--method", "-m", help=method_help),
        seats: int | None = typer.Option(
            None, "--seats", "-s", help="Seats to fill (default: the file's, else 1)"
        ),
        fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv"),
        tiebreak: str | None = typer.Option(None, "--tiebreak", help="backwards, forwards, random or order"),
        seed: int = typer.Option(
            0, "--seed", help="Seed of the random tie-break (stv-irish: also of the papers drawn)"
        ),
        order: str | None = typer.Option(None, "--order", help="Tie-break order, comma-separated names"),
        overvote: str | None = typer.Option(None, "--overvote", help="exhaust or skip"),
        skipped_limit: int | None = typer.Option(
            None, "--skipped-limit", help="Consecutive skipped ranks that exhaust a ballot"
        ),
        duplicates: str | None = typer.Option(None, "--duplicates", help="skip or exhaust"),
        batch: bool = typer.Option(False, "--batch", help="AV: batch-eliminate candidates who cannot win"),
        until: str | None = typer.Option(None, "--until", help="AV: majority or two"),
        weights: str | None = typer.Option(
            None, "--weights", help="College section weights, comma-separated"
        ),
        names: str | None = typer.Option(None, "--sections", help="College section names, comma-separated"),
    ) -> None:
        """Count ranked ballots; print the winners and the count sheet."""
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; use table, json or csv")
        result = count_files(
            files,
            method,
            seats,
            tiebreak=tiebreak,
            seed=seed,
            order=order,
            overvote=overvote,
            skipped_limit=skipped_limit,
            duplicates=duplicates,
            batch=batch,
            until=until,
            weights=weights,
            names=names,
        )
        if fmt == "json":
            typer.echo(json.dumps(result.to_dict(places=_places(result)), indent=2, ensure_ascii=False))
        elif fmt == "csv":
            typer.echo(result.to_frame().to_csv(), nl=False)
        else:
            render_table(result, Console(width=200))
