"""``kingmaker count``: count ranked ballots and print the count sheet."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from kingmaker.cli.common import console, print_json
from kingmaker.cli.tables import print_table
from kingmaker.counting.result import Result
from kingmaker.errors import InputError, UnknownNameError

FORMATS = ("table", "json", "csv", "rctab", "urcvt")


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
    reasons = list(dict.fromkeys(k for r in result.rounds for k, v in r.inactive.items() if v))
    for key in reasons:  # the exhausted ballots by reason, where the count records it
        row = ["  " + key.replace("_", " ")]
        for r in result.rounds:
            if r.number > 1:
                row.append("")
            row.append(_fmt(r.inactive.get(key, 0), p))
        table.add_row(*row)
    if any_loss:
        table.add_row(*loss)
    table.add_row(*tot)
    print_table(table, console)  # in blocks of stages where the sheet is wider than the terminal
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


def order_names(values: list[str] | None) -> tuple[str, ...] | None:
    """``--order`` values -> names: ``@FILE`` reads one name a line; one value with commas is
    split at them; repeated values are one name each (so names with commas can be given)."""
    if not values:
        return None
    names: list[str] = []
    for v in values:
        if v.startswith("@"):
            path = Path(v[1:])
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as e:
                raise InputError(f"cannot read the --order file: {e.strerror}", source=str(path)) from None
            names += [x.strip() for x in lines if x.strip()]
        elif len(values) == 1 and "," in v:
            names += [x.strip() for x in v.split(",") if x.strip()]
        else:
            names.append(v.strip())
    return tuple(names)


def _check_order(order: object, loaded: list[Any]) -> None:
    """Every name in ``--order`` must be a candidate of the ballots (a misspelt name would
    otherwise surface only when a tie needs it, or never)."""
    if not order:
        return
    known = {c for ballots in loaded for c in ballots.candidates}
    unknown = [n for n in order if n not in known]  # type: ignore[attr-defined]
    if unknown:
        raise UnknownNameError(
            f"--order: unknown candidate(s) {', '.join(map(repr, unknown))}; candidates: "
            + ", ".join(loaded[0].candidates if len(loaded) == 1 else sorted(known))
        )


def count_files(
    files: list[Path],
    method: str = "av",
    seats: int | None = None,
    *,
    tiebreak: str | None = None,
    seed: int = 0,
    order: str | list[str] | None = None,
    overvote: str | None = None,
    skipped_limit: int | None = None,
    duplicates: str | None = None,
    batch: bool = False,
    until: str | None = None,
    weights: str | None = None,
    names: str | None = None,
    **more: object,
) -> Result:
    """Read ballot ``files`` and count them by ``method`` with the command-line options.

    Shared by ``kingmaker count`` and ``kingmaker plot rounds``: several files are the
    sections of a college (``names``/``weights`` comma-separated; a file or a section name given
    twice is refused, being almost surely a slip) or the MPs' and members' ballots of an
    exhaustive ballot (the method's registered ``inputs``). One RCTab contest
    configuration (``*_config.json``) is counted by its own rules (method ``rctab``), the
    options given replacing its rules. ``more``: further rule options by their Python names
    (``None`` values are not given).
    """
    from kingmaker._validate import check_seed
    from kingmaker.ballots import Ballots
    from kingmaker.counting import count
    from kingmaker.counting.options import SeatsNotGiven
    from kingmaker.counting.rctab.config import is_config
    from kingmaker.counting.registry import METHODS

    check_seed(seed, what="--seed", allow_none=False)
    config = len(files) == 1 and is_config(files[0])
    entry = METHODS.get("rctab" if config else method, what="method")
    m = entry.name
    given: dict[str, object] = {
        "tiebreak": tiebreak or None,
        "seed": seed or None,
        "order": order_names([order] if isinstance(order, str) else order),
        "overvote": overvote,
        "skipped_limit": skipped_limit,
        "duplicates": duplicates,
        "batch": True if batch else None,
        "until": until or None,
        **more,
    }
    opts = {k: v for k, v in given.items() if v is not None and v is not False}
    refused = [k for k in opts if k not in entry.options]
    if refused:
        flags = ", ".join("--" + k.replace("_", "-") for k in refused)
        takers = [e.name for e in METHODS.entries() if all(k in e.options for k in refused)]
        raise InputError(
            f"{flags}: not an option of {m}"
            + (f" (methods that take it: {', '.join(takers)})" if takers else "")
        )
    if config:
        from kingmaker.counting.rctab.method import count_config

        return count_config(files[0], seats, **opts)
    loaded = [Ballots.read(f) for f in files]
    _check_order(opts.get("order"), loaded)
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
        _check_sections_distinct(files)
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:  # a dict of sections would silently keep only the last of each
            raise InputError(
                f"--sections: {twice[0]!r} names {labels.count(twice[0])} sections; each needs its own name"
                if names
                else f"{labels.count(twice[0])} section files are named {twice[0]!r} (a section takes its "
                "file's name): name the sections with --sections"
            )
        return count(dict(zip(labels, loaded, strict=True)), method=m, **opts)
    if inputs == "pair":
        return count(loaded, method=m, **opts)
    if len(loaded) != 1:
        raise InputError(f"{m} counts one ballot file, {len(loaded)} given")
    try:
        return count(loaded[0], method=m, seats=seats, **opts)
    except SeatsNotGiven:
        raise InputError(
            f"{m} fills several seats and the file does not say how many; give --seats N",
            source=str(files[0]),
        ) from None


def _check_sections_distinct(files: list[Path]) -> None:
    """Refuse a ballot file given twice as sections of a college: two sections with the same
    ballots are almost surely a slip (and would count its voters twice); a user who means it
    copies the file."""
    seen: dict[tuple[int, int] | str, Path] = {}
    for f in files:
        try:
            st = Path(f).stat()
            key: tuple[int, int] | str = (st.st_dev, st.st_ino)  # the same file by any path
        except OSError:
            key = str(Path(f).resolve())
        if key in seen:
            also = "" if str(seen[key]) == str(f) else f" (also as {seen[key]})"
            raise InputError(
                f"ballot file given twice as a college section{also}: each section is its own file "
                "(copy it if two sections really have the same ballots)",
                source=str(f),
            )
        seen[key] = Path(f)


def _write(result: Result, fmt: str, files: list[Path]) -> None:
    """Print ``result`` as ``fmt`` (json, csv, rctab, urcvt)."""
    if fmt == "json":
        print_json(result.to_dict(places=_places(result)), result.method, inputs={str(f): f for f in files})
    elif fmt == "csv":
        typer.echo(result.to_frame().to_csv(), nl=False)
    else:  # RCTab's own schemas, as RCTab writes them (no provenance block)
        from kingmaker.counting.rctab.config import is_config, read_config
        from kingmaker.io.rctab_report import rctab_report, urcvt_summary

        meta = read_config(files[0]).output if len(files) == 1 and is_config(files[0]) else None
        write = rctab_report if fmt == "rctab" else urcvt_summary
        typer.echo(json.dumps(write(result, meta, _places(result)), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add the ``count`` command to ``app``."""
    from kingmaker.counting.rctab.rules import TIE_MODES, WINNER_MODES
    from kingmaker.counting.registry import METHODS

    method_help = "Counting method (or alias): " + "; ".join(
        e.name + (f" ({', '.join(e.aliases)})" if e.aliases else "") + f": {e.summary}"
        for e in METHODS.entries()
    )

    @app.command("count")
    def count_command(
        files: list[Path] = typer.Argument(
            ...,
            help="Ballot file(s): .blt, .soi/.soc/.toi/.toc, .csv (CVR or count,rank1,...), or an RCTab *_config.json (counted by its rules). Several for college (one per section, each file once) or exhaustive (MPs, members).",
        ),
        method: str = typer.Option("av", "--method", "-m", help=method_help),
        seats: int | None = typer.Option(
            None, "--seats", "-s", help="Seats to fill (default: the file's; 1 for a one-seat method)"
        ),
        fmt: str = typer.Option(
            "table",
            "--format",
            "-f",
            help="table, json, csv, rctab (RCTab's detailed JSON report) or urcvt (Universal RCV Tabulator summary, for rcvis)",
        ),
        tiebreak: str | None = typer.Option(
            None,
            "--tiebreak",
            help="backwards, forwards, random or order; rctab also: " + ", ".join(TIE_MODES),
        ),
        seed: int = typer.Option(
            0, "--seed", help="Seed of the random tie-break (stv-irish: also of the papers drawn)"
        ),
        order: list[str] | None = typer.Option(
            None,
            "--order",
            help="Tie-break order: repeat for each name (names may hold commas), one comma-separated value, or @FILE with a name a line",
        ),
        overvote: str | None = typer.Option(None, "--overvote", help="exhaust or skip"),
        skipped_limit: int | None = typer.Option(
            None, "--skipped-limit", help="Consecutive skipped ranks that exhaust a ballot"
        ),
        duplicates: str | None = typer.Option(None, "--duplicates", help="skip or exhaust"),
        equal_rankings: str | None = typer.Option(
            None,
            "--equal-rankings",
            help="overvote (a=b is an overvote) or resolve (counts for the one still continuing)",
        ),
        batch: bool = typer.Option(
            False, "--batch", help="AV, rctab: batch-eliminate candidates who cannot win"
        ),
        until: str | None = typer.Option(None, "--until", help="AV, rctab: majority or two"),
        winner_mode: str | None = typer.Option(
            None, "--winner-mode", help="rctab: " + ", ".join(f"{k} ({v})" for k, v in WINNER_MODES.items())
        ),
        min_votes: float | None = typer.Option(
            None, "--min-votes", help="AV, rctab: eliminate together the candidates below this many votes"
        ),
        max_rankings: int | None = typer.Option(
            None, "--max-rankings", help="rctab: refuse ballots that rank more choices"
        ),
        decimals: int | None = typer.Option(
            None, "--decimals", help="rctab: decimal places of vote arithmetic (truncated)"
        ),
        non_integer_threshold: bool = typer.Option(
            False, "--non-integer-threshold", help="rctab: threshold to --decimals places"
        ),
        hare: bool = typer.Option(False, "--hare", help="rctab: Hare quota (votes / seats, rounded up)"),
        first_round_threshold: bool = typer.Option(
            False, "--first-round-threshold", help="rctab: the threshold is fixed from round 1"
        ),
        cutoff: bool = typer.Option(
            False, "--cutoff", help="rctab: eliminate every candidate below the threshold"
        ),
        percentage: float | None = typer.Option(
            None, "--percentage", help="rctab bottoms-up-threshold: the share every winner needs (0.1 = 10%)"
        ),
        stop_after: int | None = typer.Option(None, "--stop-after", help="rctab: stop after this round"),
        exclude: list[str] | None = typer.Option(
            None, "--exclude", help="rctab: a candidate excluded from the count (repeat for several)"
        ),
        uwi: str | None = typer.Option(
            None, "--uwi", help="rctab: the candidate that stands for undeclared write-ins (eliminated first)"
        ),
        weights: str | None = typer.Option(
            None, "--weights", help="College section weights, comma-separated"
        ),
        names: str | None = typer.Option(
            None,
            "--sections",
            help="College section names, comma-separated (default: each file's name; each once)",
        ),
        papers: str | None = typer.Option(
            None,
            "--papers",
            help="stv-irish: which papers of a surplus transfer: random (drawn with --seed) or as-they-lie (file order)",
        ),
    ) -> None:
        """Count ranked ballots; print the winners and the count sheet."""
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
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
            equal_rankings=equal_rankings,
            winner_mode=winner_mode,
            min_votes=min_votes,
            max_rankings=max_rankings,
            decimals=decimals,
            non_integer_threshold=non_integer_threshold,
            hare=hare,
            first_round_threshold=first_round_threshold,
            cutoff=cutoff,
            percentage=percentage,
            stop_after=stop_after,
            excluded=tuple(exclude) if exclude else None,
            uwi=uwi,
            papers=papers,
        )
        if fmt == "table":
            render_table(result, console)
        else:
            _write(result, fmt, files)
