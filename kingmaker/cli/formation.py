"""``kingmaker formation``: which government will form, with what probability, and how long it lasts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kingmaker.cli.common import (
    FileOption,
    PresetOption,
    SeatsOption,
    TableOrJson,
    TableOrJsonOption,
    check_output_path,
    console,
    load_parliament,
    print_json,
)
from kingmaker.cli.tables import print_table
from kingmaker.errors import InputError

ParlgovDirOption = Annotated[
    Path | None,
    typer.Option(
        "--parlgov-dir",
        help="Folder holding ParlGov's view_cabinet.csv (default: $KINGMAKER_PARLGOV_DIR, "
        "else the parlgov data set: kingmaker data fetch parlgov).",
    ),
]


def _formation_table(result) -> Table:  # result: FormationResult
    table = Table(
        title=f"{result.label}: the most likely governments ({result.alternatives:,} possible, "
        f"majority {result.quota} of {result.house})",
        title_justify="left",
    )
    for col, just in (
        ("#", "right"),
        ("Government", "left"),
        ("Probability", "right"),
        ("Seats", "right"),
        ("Type", "left"),
        ("Drivers (log-odds)", "left"),
        *((("Formed", "left"),) if result.formed is not None else ()),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for i, g in enumerate(result.governments, start=1):
        f = g.features
        kind = "minority" if f["minority"] else ("minimal winning" if f["minimal_winning"] else "surplus")
        drivers = ", ".join(
            f"{k} {v:+.1f}" for k, v in sorted(g.contributions.items(), key=lambda kv: -abs(kv[1]))[:3] if v
        )
        table.add_row(
            str(i),
            "+".join(g.parties),
            f"{g.probability:.1%}",
            str(g.seats),
            kind,
            drivers or "-",
            *(("[bold]formed[/bold]" if g.formed else "",) if result.formed is not None else ()),
        )
    return table


def _print_duration(res, plot: Path | None) -> None:
    console.print(
        f"\n[bold]{'+'.join(res.parties)}[/bold]: median {res.median_months:.1f} months in office; "
        f"P(lasting the full {res.term_months}-month term) = {res.p_full_term:.1%}"
    )
    cov = ", ".join(f"{k} {v:g}" for k, v in res.covariates.items())
    console.print(f"  covariates: {cov}")
    marks = [m for m in (6, 12, 24, 36, 48, 60) if m <= res.months[-1]]
    import numpy as np

    surv = np.interp(marks, res.months, res.survival)
    console.print(
        "  still in office after "
        + ", ".join(f"{m} months {s:.0%}" for m, s in zip(marks, surv, strict=True))
    )
    if plot is not None:
        from kingmaker.report.hemicycle import save_figure

        save_figure(res.plot(), str(plot))
        console.print(f"  survival curve written to {plot}")


def register(app: typer.Typer) -> None:
    """Add the ``formation`` command group to ``app``."""
    formation_app = typer.Typer(
        help="Which government will form (a conditional logit fitted on 628 ParlGov formations) "
        "and how long it will last (a Weibull duration model).",
        invoke_without_command=True,
    )

    @formation_app.callback()
    def formation_cmd(
        ctx: typer.Context,
        preset: PresetOption = None,
        file: FileOption = None,
        seats: SeatsOption = None,
        parlgov_dir: ParlgovDirOption = None,
        previous: Annotated[
            str | None,
            typer.Option("--previous", help="Parties of the cabinet before the election, e.g. Lab."),
        ] = None,
        previous_pm: Annotated[
            str | None, typer.Option("--previous-pm", help="The previous prime minister's party, e.g. Lab.")
        ] = None,
        top: Annotated[int, typer.Option(help="How many governments to list.")] = 10,
        show_duration: Annotated[
            bool,
            typer.Option("--duration", help="Survival curve of a cabinet (--with, else the most likely)."),
        ] = False,
        with_: Annotated[
            str | None, typer.Option("--with", help="The cabinet for --duration, e.g. Con,LD.")
        ] = None,
        caretaker: Annotated[bool, typer.Option(help="--duration: the cabinet is a caretaker.")] = False,
        term_months: Annotated[
            int | None,
            typer.Option(help="--duration: months to the end of the term (ParlGov: the country's; else 48)."),
        ] = None,
        plot: Annotated[
            Path | None, typer.Option(help="--duration: write the survival curve (PNG/SVG/PDF).")
        ] = None,
        format: TableOrJsonOption = TableOrJson.table,
    ) -> None:
        """The most likely governments with probabilities and the features that drive each."""
        if ctx.invoked_subcommand is not None:
            return
        if plot is not None:
            check_output_path(plot, "--plot")
        from kingmaker.formation import (
            default_duration_model,
            duration,
            parliament_duration,
            predict,
            situation_from_cabinet,
            situation_from_parliament,
        )

        parliament = None
        term = term_months
        if preset is not None and ":" in preset:
            if previous or previous_pm:
                raise InputError("--previous and --previous-pm come from ParlGov for --parlgov elections")
            from kingmaker.datasets import load_parlgov

            country, _, when = preset.partition(":")
            pg = load_parlgov(parlgov_dir)
            cab = pg.formation(country, when)
            situation = situation_from_cabinet(pg, cab)
            term = term or default_duration_model().terms.get(cab.country)
        else:
            parliament = load_parliament(preset, file, seats)
            prev = parliament.parse_party_list(previous, "--previous") if previous else ()
            if previous_pm is not None:
                parliament.parse_party_list(previous_pm, "--previous-pm")
            situation = situation_from_parliament(parliament, previous=prev, previous_pm=previous_pm)
        result = predict(situation, top=top)
        dur = None
        if show_duration or with_:
            if with_ is not None:
                names = [t.strip() for t in with_.split(",") if t.strip()]
                if not names:
                    raise InputError(
                        "--with: a duration query needs a cabinet of at least one party; got an empty coalition"
                    )
            else:
                names = list(result.governments[0].parties)
            if parliament is not None:
                names = list(parliament.parse_party_list(names, "--with"))
                dur = parliament_duration(parliament, names, caretaker=caretaker, term_months=term)
            else:
                idx = {p: i for i, p in enumerate(situation.parties)}
                unknown = [n for n in names if n not in idx]
                if unknown:
                    raise InputError(
                        f"--with: unknown party {', '.join(unknown)}; parties: {', '.join(situation.parties)}"
                    )
                dur = duration(
                    names,
                    [int(situation.seats[idx[n]]) for n in names],
                    [float(situation.positions[idx[n]]) for n in names],
                    situation.house,
                    caretaker=caretaker,
                    term_months=term,
                )
        if format == TableOrJson.json:
            out = {"formation": result.to_dict(places=6)}
            if dur is not None:
                out["duration"] = dur.to_dict(places=4)
            print_json(out, "formation", options={"top": top})
            if dur is not None and plot is not None:
                from kingmaker.report.hemicycle import save_figure

                save_figure(dur.plot(), str(plot))
            return
        print_table(_formation_table(result), console, keep=2)  # blocks where wider than the terminal
        if result.formed is not None:
            console.print(
                f"Formed: [bold]{'+'.join(result.formed)}[/bold], ranked {result.formed_rank} "
                f"with probability {result.formed_probability:.1%} (in-sample: the shipped model saw it)."
            )
        meta = result.model
        console.print(
            f"Model: conditional logit on {meta.get('formations')} ParlGov formations, fitted {meta.get('fitted')}."
        )
        if dur is not None:
            _print_duration(dur, plot)

    @formation_app.command("fit")
    def fit_cmd(
        parlgov_dir: ParlgovDirOption = None,
        out: Annotated[
            Path | None,
            typer.Option(help="Folder to write the two model JSON files (default: the package's presets)."),
        ] = None,
    ) -> None:
        """Refit the shipped formation and duration models on ParlGov (about a minute)."""
        from kingmaker.datasets import load_parlgov
        from kingmaker.formation.fitting import PRESETS_DIR, fit_shipped

        target = out or PRESETS_DIR
        if not target.is_dir():
            raise InputError("no such folder", source=str(target))
        info = fit_shipped(load_parlgov(parlgov_dir), target, progress=lambda m: console.print(m))
        console.print(
            f"wrote {target}/formation-model.json ({info['formation']['meta']['formations']} formations) "
            f"and cabinet-duration.json ({info['duration']['meta']['cabinets']} cabinets)"
        )

    app.add_typer(formation_app, name="formation")
