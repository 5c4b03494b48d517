"""``kingmaker leadership``: party rules, the 2010 Labour arithmetic, and Monte Carlo contests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kingmaker.cli.common import TableOrJson, TableOrJsonOption, console, print_json
from kingmaker.leadership import Contest, PartyRules, Simulation, labour_2010_reproduction, rule_presets

leadership_app = typer.Typer(
    name="leadership",
    help="Party leadership contests: real rules, the 2010 Labour count, Monte Carlo simulation.",
    no_args_is_help=True,
)


def render_simulation(sim: Simulation) -> Table:
    """Rich table: win probability and probability of reaching each round, best first."""
    title = sim.title or "Leadership contest"
    table = Table(title=f"{title}\n{sim.sims:,} simulations, rules {sim.rules}, seed {sim.seed}")
    table.add_column("Candidate")
    table.add_column("Win", justify="right")
    table.add_column("±", justify="right")
    for label in sim.round_labels[1:]:
        table.add_column(f"Reach {label}", justify="right")
    for c in sorted(sim.candidates, key=lambda x: -sim.win_probability[x]):
        cells = [f"{sim.win_probability[c]:.2%}", f"{1.96 * sim.standard_error(c):.2%}"]
        cells += [f"{p:.1%}" for p in sim.reach[c][1:]]
        table.add_row(c, *cells)
    return table


@leadership_app.command("simulate")
def simulate(
    config: Annotated[Path, typer.Argument(help="Contest configuration (TOML).")],
    sims: Annotated[int, typer.Option("--sims", "-n", help="Number of simulated contests.")] = 100_000,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (reproducible results).")] = None,
    withdraw: Annotated[
        list[str] | None, typer.Option("--withdraw", help="Simulate without this candidate (repeatable).")
    ] = None,
    fmt: TableOrJsonOption = TableOrJson.table,
) -> None:
    """Monte Carlo: each candidate's probability of winning and of reaching each round.

    Uncertainty: ``concentration`` (first preferences) and ``transfer_concentration``
    (Dirichlet noise on each transfer row) in the config. The JSON output has
    ``win_probability`` and so feeds ``kingmaker odds --model``.
    """
    contest = Contest.read(config)
    sim = contest.simulate(sims, seed, withdrawn=withdraw or ())
    if fmt == TableOrJson.json:
        print_json(
            sim.to_dict(),
            "leadership simulate",
            options={"sims": sims, "seed": seed, "withdraw": withdraw},
            inputs={str(config): config},
        )
        return
    console.print(render_simulation(sim))
    console.print(f"Deterministic count at the central shares (the engine): {sim.deterministic_winner}")
    for note in sim.notes:
        console.print(f"Note: {note}")
    console.print(f"[{sim.elapsed:.2f} s]")


@leadership_app.command("count")
def count(
    config: Annotated[Path, typer.Argument(help="Contest configuration (TOML).")],
    fmt: TableOrJsonOption = TableOrJson.table,
) -> None:
    """The deterministic count at the central shares, by the engine, round by round."""
    contest = Contest.read(config)
    result = contest.count()
    if fmt == TableOrJson.json:
        print_json(result.to_dict(places=6), "leadership count", inputs={str(config): config})
        return
    table = Table(title=f"{contest.title or 'Leadership contest'} ({contest.rules.name})")
    table.add_column("Candidate")
    for r in result.rounds:
        table.add_column(r.action or f"round {r.number}", justify="right")
    for c in contest.candidates:
        row = []
        for r in result.rounds:
            v = r.tallies.get(c)
            mark = " ✓" if c in r.elected else " ✗" if c in r.eliminated else ""
            row.append("" if v is None else f"{float(v):,.3f}{mark}")
        table.add_row(c, *row)
    console.print(table)
    console.print(f"Winner: {result.winner}")


@leadership_app.command("rules")
def rules(
    name: Annotated[str | None, typer.Argument(help="Preset to show (omit to list them).")] = None,
    fmt: TableOrJsonOption = TableOrJson.table,
) -> None:
    """List the embedded party-rule presets, or show one with its sources."""
    names = [name] if name else list(rule_presets())
    presets = [PartyRules.preset(n) for n in names]
    if fmt == TableOrJson.json:
        data = [p.to_dict() for p in presets] if name is None else presets[0].to_dict()
        print_json(data, "leadership rules", options={"name": name}, key="rules")
        return
    for p in presets:
        console.print(f"[bold]{p.name}[/bold]: {p.title}")
        console.print(
            escape(
                f"  kind {p.kind}; sections: "
                + ", ".join(
                    s.name
                    + (f" ({s.weight})" if s.weight is not None else "")
                    + (f" [{s.stage}]" if s.stage else "")
                    for s in p.sections
                )
            )
        )
        if name:
            console.print(escape(f"  {p.description}"))
            for s in p.sources:
                console.print(escape(f"  source: {s}"))


@leadership_app.command("labour-2010")
def labour_2010(fmt: TableOrJsonOption = TableOrJson.table) -> None:
    """The 2010 Labour college count recomputed from the published section figures."""
    rep = labour_2010_reproduction()
    if fmt == TableOrJson.json:
        print_json(rep.to_dict(), "leadership labour-2010")
        return
    table = Table(title=f"{rep.title}: college % published vs recomputed (engine college_totals)")
    table.add_column("Round")
    table.add_column("Candidate")
    table.add_column("Published", justify="right")
    table.add_column("Recomputed", justify="right")
    table.add_column("MPs' pts", justify="right")
    table.add_column("")
    for r in rep.rounds:
        got = r.computed_rounded(2)
        for c, v in r.published.items():
            exact = "" if r.computed is None else f"{float(r.computed[c]):.4f}"
            rounded = "" if got is None else f"{got[c]:.2f}"
            known = "" if r.partial is None else f"{float(r.partial[c]):.3f}"
            table.add_row(
                str(r.number),
                c,
                f"{v:g}",
                f"{rounded} ({exact})" if exact else "published total only",
                known,
                "eliminated" if c == r.eliminated else "",
            )
    console.print(table)
    console.print(f"Elimination order: {', '.join(rep.elimination_order)}; winner: {rep.winner}")
    for r in rep.rounds:
        console.print(f"Round {r.number}: {r.basis}" + (f"; {r.note}" if r.note else ""))
    for line in rep.gaps:
        console.print(escape(f"Gap: {line}"))
    if rep.gap:
        console.print(escape(rep.gap))
    if any(r.partial is not None for r in rep.rounds):
        console.print(
            "MPs' pts: the MPs' and MEPs' section's college points (a third of its %), "
            "recounted from its 266 published ballots"
        )
    for s in rep.sources:
        console.print(escape(f"Source: {s}"))


def register(app: typer.Typer) -> None:
    """Add the ``leadership`` command group to ``app``."""
    app.add_typer(leadership_app, name="leadership")


__all__ = ["register"]
