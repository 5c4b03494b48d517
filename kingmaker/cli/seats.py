"""``kingmaker seats``: votes to seats under any system, comparisons, marginal seats.

Commands (a Typer group whose callback runs when no subcommand is given)::

    kingmaker seats --election 2010 --system sainte-lague --level region --threshold 5%
    kingmaker seats --data results.csv --system dhondt --seats 20
    kingmaker seats compare --election 2010 --systems fptp,sainte-lague,ams,av
    kingmaker seats marginal --election 2017 --top 15 [--party Lab]
    kingmaker seats apportion --election 2010 --seats 650 --by electorate --method hare

``--data`` is a results file (HoC Library, Electoral Commission 2010 or a long
``district,party,votes`` CSV) or a data set name (``kingmaker data list``); without it
``--election YEAR`` loads ``uk-YEAR-results`` (fetched and cached on first use).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from kingmaker.cli.common import (
    DATA_FLAGS,
    Format,
    FormatOption,
    console,
    flag_names,
    print_json,
    table_inputs,
)
from kingmaker.cli.seats_marginal import named, print_marginal
from kingmaker.cli.tables import WideOption, console_for
from kingmaker.errors import InputError
from kingmaker.seats import DIVISORS, QUOTAS, SYSTEMS, Allocation, Comparison, allocate, compare_systems
from kingmaker.seats.compare import shown
from kingmaker.seats.registry import normalise_name
from kingmaker.votes import VoteTable

ElectionOpt = Annotated[
    str | None,
    typer.Option(
        "--election",
        "-e",
        help="UK general election year (2010, 2015, 2017, 2019, 2024; others from the 1918-2019 file).",
    ),
]
DataOpt = Annotated[
    str | None,
    typer.Option("--data", "-d", help="Results file or data set name (default: uk-ELECTION-results)."),
]
LevelOpt = Annotated[
    str, typer.Option("--level", help="Pool votes by national, nation, region or district (list systems).")
]
ThresholdOpt = Annotated[str | None, typer.Option("--threshold", "-t", help="National threshold, e.g. 5%.")]
TieOpt = Annotated[str, typer.Option("--tie", help="Tie policy: most-votes, lot (with --seed) or raise.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed for --tie lot.")]
TransfersOpt = Annotated[
    Path | None,
    typer.Option(
        "--transfers", help="AV transfer matrix CSV (from,to,share); default: the ILLUSTRATIVE preset."
    ),
]
TopUpOpt = Annotated[
    int | None,
    typer.Option(
        "--top-up",
        help="ams / av-plus: keep every real constituency and add this many top-up seats (the house "
        "grows). Default: the house stays fixed (see --house).",
    ),
]
HouseOpt = Annotated[
    int | None,
    typer.Option(
        "--house",
        help="House size for every system (default: the seats the districts return, 650 for the UK). "
        "Mixed systems keep it fixed with a scaled constituency tier: ams 56/129 list seats "
        "(Scottish share), av-plus 17.5% top-up (Jenkins), mmp half list seats (German).",
    ),
]


def load_votes(data: str | None, election: str | None) -> VoteTable:
    """The vote table named by ``--data`` (file or data set) and/or ``--election``."""
    from kingmaker.datasets import DATASETS, dataset_for_election, load_dataset
    from kingmaker.io.hoc import read_results

    if data is not None:
        path = Path(data)
        if path.exists():
            with flag_names({"election=YEAR": "--election YEAR"}):
                return read_results(path, election=election)
        if data in DATASETS:
            with flag_names(DATA_FLAGS):
                return load_dataset(data, election=election)
        raise InputError(f"--data {data!r} is neither a file nor a data set ({', '.join(DATASETS)})")
    year = election or "2010"
    with flag_names(DATA_FLAGS):
        return load_dataset(dataset_for_election(year), election=year)


def _system_options(transfers: Path | None, top_up: int | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if transfers is not None:
        options["transfers"] = transfers
    if top_up is not None:
        options["top_up"] = top_up
    return options


#: The tie policies' advice (kingmaker.ties.TiePolicy) in this command's flags.
TIE_FLAGS = {"give a seed": "give --seed N", "the 'lot' policy": "--tie lot"}

#: Where votes may be pooled (kingmaker.votes.VoteTable.labels).
LEVELS: tuple[str, ...] = ("national", "nation", "region", "district")


def _level(level: str) -> str:
    """``--level`` checked by name, before a system that does not pool (fptp) silently ignores it."""
    if level not in LEVELS:
        raise InputError(f"--level: unknown level {level!r}; use one of {', '.join(LEVELS)}")
    return level


def _run(
    table: VoteTable,
    system: str,
    level: str,
    threshold: str | None,
    seats: int | None,
    tie: str,
    seed: int | None,
    options: dict[str, Any],
) -> Allocation:
    with flag_names(TIE_FLAGS):
        return allocate(
            table, system, seats=seats, level=level, threshold=threshold, tie=tie, seed=seed, **options
        ).combined()


def _emit_csv(rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["party"])
    writer.writeheader()
    writer.writerows(rows)
    typer.echo(out.getvalue(), nl=False)


def print_allocation(
    alloc: Allocation, fmt: Format, title: str, options: dict[str, Any] | None = None, inputs: Any = None
) -> None:
    """One allocation as a Rich table (with indices and ties), JSON (with provenance) or CSV."""
    if fmt is Format.json:
        print_json(
            {"title": title, **alloc.to_dict()}, f"seats {alloc.method}", options=options, inputs=inputs
        )
        return
    vs, ss = alloc.vote_shares(), alloc.seat_shares()
    comps = list(alloc.components)
    if fmt is Format.csv:
        _emit_csv(
            [
                {
                    "party": alloc.parties[i],
                    "votes": int(alloc.votes[i]),
                    "vote_share": f"{vs[i]:.6f}",
                    "seats": int(alloc.seats[i]),
                    "seat_share": f"{ss[i]:.6f}",
                    **{c: int(alloc.components[c][i]) for c in comps},
                }
                for i in range(len(alloc.parties))
            ]
        )
        return
    table = Table(title=title)
    for col in ("party", "votes", "vote %", "seats", "seat %", "seats - votes (pp)", *comps):
        table.add_column(col, justify="left" if col == "party" else "right")
    rows = shown(alloc)
    for i in rows:
        table.add_row(
            alloc.parties[i],
            f"{alloc.votes[i]:,}",
            f"{vs[i] * 100:.1f}",
            str(alloc.seats[i]),
            f"{ss[i] * 100:.1f}",
            f"{(ss[i] - vs[i]) * 100:+.1f}",
            *(str(alloc.components[c][i]) for c in comps),
        )
    rest = [i for i in range(len(alloc.parties)) if i not in set(rows)]
    if rest:
        table.add_row(
            f"({len(rest)} others)",
            f"{int(alloc.votes[rest].sum()):,}",
            f"{vs[rest].sum() * 100:.1f}",
            str(int(alloc.seats[rest].sum())),
            "",
            "",
        )
    table.add_row("total", f"{int(alloc.votes.sum()):,}", "100.0", str(alloc.house_size), "100.0", "")
    console.print(table)
    ind = alloc.indices()
    console.print(
        f"Gallagher {ind.gallagher:.2f}  Loosemore-Hanby {ind.loosemore_hanby:.2f}  "
        f"ENP votes {ind.enp_votes:.2f}  ENP seats {ind.enp_seats:.2f}"
    )
    if alloc.set_aside:
        console.print(
            "set aside (not parties, no list seats): "
            + ", ".join(f"{p} {v:,}" for p, v in alloc.set_aside.items())
        )
    if alloc.excluded:
        big = [p for p in alloc.excluded if p in alloc.parties and vs[alloc.parties.index(p)] >= 0.005]
        more = len(alloc.excluded) - len(big)
        console.print(
            f"below the threshold: {', '.join(big) or '-'}" + (f" and {more} smaller parties" if more else "")
        )
    for tie in alloc.ties:
        console.print(f"tie: {tie}")
    for key, note in alloc.groups.items():
        console.print(f"note: {key} is {note}")
    for note in alloc.notes:
        console.print(f"note: {note}")


def print_comparison(
    comparison: Comparison, fmt: Format, label: str, options: dict[str, Any] | None = None, inputs: Any = None
) -> None:
    """A :class:`~kingmaker.seats.Comparison` as a Rich table (with indices, ties and notes),
    JSON or CSV."""
    if fmt is Format.json:
        print_json(comparison.to_dict(), "seats compare", options=options, inputs=inputs)
        return
    rows = comparison.rows()
    if fmt is Format.csv:
        _emit_csv(rows)
        return
    results = comparison.results
    out = Table(
        title=f"{label}: seats by system, house of {comparison.house} for every system"
        + (" (overhang seats added)" if comparison.grown else "")
        + "; mixed systems: constituency tier scaled, see notes"
    )
    out.add_column("party")
    out.add_column("vote %", justify="right")
    for s in comparison.systems:
        out.add_column(s, justify="right")
    for row in rows:
        out.add_row(
            row["party"], f"{row['vote_share'] * 100:.1f}", *(str(row[s]) for s in comparison.systems)
        )
    out.add_row("total", "100.0", *(str(r.house_size) for r in results.values()))
    out.add_row("Gallagher", "", *(f"{r.indices().gallagher:.2f}" for r in results.values()))
    out.add_row("ENP seats", "", *(f"{r.indices().enp_seats:.2f}" for r in results.values()))
    console.print(out)
    for s, tie_ in comparison.ties():
        console.print(f"tie ({s}): {tie_}")
    for note, where in comparison.notes().items():
        console.print(f"note ({', '.join(where)}): {note}")


def register(app: typer.Typer) -> None:
    """Add the ``seats`` command group to ``app``."""
    seats_app = typer.Typer(
        help="Votes to seats: any system, comparisons, marginal seats, apportionment. "
        "Without a subcommand, allocates by --system.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @seats_app.callback()
    def seats_main(
        ctx: typer.Context,
        election: ElectionOpt = None,
        data: DataOpt = None,
        system: Annotated[
            str, typer.Option("--system", "-s", help=f"One of: {', '.join(SYSTEMS.names())}.")
        ] = "fptp",
        level: LevelOpt = "national",
        threshold: ThresholdOpt = None,
        seats: Annotated[
            int | None, typer.Option("--seats", help="House size (default: seats the districts return).")
        ] = None,
        tie: TieOpt = "most-votes",
        seed: SeedOpt = None,
        transfers: TransfersOpt = None,
        top_up: TopUpOpt = None,
        house: HouseOpt = None,
        fmt: FormatOption = Format.table,
    ) -> None:
        """Seats per party under --system, with vote and seat shares and disproportionality."""
        if ctx.invoked_subcommand is not None:
            return
        if house is not None and seats is not None and house != seats:
            raise InputError("--house and --seats both give the house size: use one")
        SYSTEMS.get(system, what="system")
        table = load_votes(data, election)
        alloc = _run(
            table,
            system,
            _level(level),
            threshold,
            seats if seats is not None else house,
            tie,
            seed,
            _system_options(transfers, top_up),
        )
        label = table.election or Path(table.source or "").name
        options = {"system": system, "level": level, "threshold": threshold, "seats": seats, "house": house}
        options |= {"tie": tie, "seed": seed, "transfers": transfers, "top_up": top_up}
        print_allocation(alloc, fmt, f"{label}: {alloc.method}", options, table_inputs(table))

    @seats_app.command("compare")
    def compare(
        systems: Annotated[
            str, typer.Option("--systems", help="Comma-separated systems.")
        ] = "fptp,sainte-lague,ams,av",
        election: ElectionOpt = None,
        data: DataOpt = None,
        level: LevelOpt = "national",
        threshold: ThresholdOpt = None,
        tie: TieOpt = "most-votes",
        seed: SeedOpt = None,
        transfers: TransfersOpt = None,
        house: HouseOpt = None,
        fmt: FormatOption = Format.table,
    ) -> None:
        """One table, one column of seats per system, with each system's Gallagher index.

        Every system fills the same house (--house, default the seats the districts return): list
        systems allocate it all; mixed systems split it into a constituency tier (the real wins
        scaled down in each region) and a list tier. The title states the house size.
        """
        names = [s.strip() for s in systems.split(",") if s.strip()]
        if not names:
            raise InputError("--systems needs at least one system")
        for name in names:
            SYSTEMS.get(name, what="system")
        table = load_votes(data, election)
        with flag_names(TIE_FLAGS):
            comparison = compare_systems(
                table,
                names,
                house=house,
                level=_level(level),
                threshold=threshold,
                tie=tie,
                seed=seed,
                **_system_options(transfers, None),
            )
        options = {"systems": names, "house": house, "level": level, "threshold": threshold, "tie": tie}
        options |= {"seed": seed, "transfers": transfers}
        label = table.election or Path(table.source or "").name
        print_comparison(comparison, fmt, label, options, table_inputs(table))

    @seats_app.command("marginal")
    def marginal(
        election: ElectionOpt = None,
        data: DataOpt = None,
        top: Annotated[int, typer.Option("--top", "-n", help="How many seats to list.")] = 10,
        party: Annotated[
            str | None,
            typer.Option(
                "--party",
                help="List this party's targets (seats it came second in) and its most vulnerable seats.",
            ),
        ] = None,
        fmt: FormatOption = Format.table,
        wide: WideOption = False,
    ) -> None:
        """Most marginal and safest seats, or a party's target list (swing needed = half the majority share)."""
        from kingmaker.datasets import candidate_names
        from kingmaker.seats.plurality import marginality

        table = load_votes(data, election)
        if top <= 0:
            raise InputError("--top must be positive")
        m = marginality(table)
        if party is not None:
            table.party_index(party)
            sections = {
                f"{party} targets": m.targets(party, top),
                f"{party} defences": m.defences(party, top),
            }
        else:
            sections = {"most marginal": m.most_marginal(top), "safest": m.safest(top)}
        people = candidate_names(table)
        records = {
            k: [named(rec, table, people) for rec in v.to_dict(orient="records")] for k, v in sections.items()
        }
        if fmt is Format.json:
            print_json(
                records, "seats marginal", options={"top": top, "party": party}, inputs=table_inputs(table)
            )
            return
        if fmt is Format.csv:
            _emit_csv([{"list": k, **rec} for k, recs in records.items() for rec in recs])
            return
        label = table.election or Path(table.source or "").name
        print_marginal(records, str(label), bool(people), console_for(wide))

    @seats_app.command("apportion")
    def apportion_cmd(
        seats: Annotated[int, typer.Option("--seats", help="Seats to apportion.")],
        election: ElectionOpt = None,
        data: DataOpt = None,
        level: Annotated[str, typer.Option("--level", help="region or nation.")] = "region",
        by: Annotated[str, typer.Option("--by", help="electorate or seats (current seats).")] = "electorate",
        method: Annotated[
            str,
            typer.Option(
                "--method",
                help=f"A divisor method ({', '.join(DIVISORS.names())}) or a quota "
                f"({', '.join(QUOTAS.names())}).",
            ),
        ] = "sainte-lague",
        fmt: FormatOption = Format.table,
    ) -> None:
        """Apportion seats to regions (or nations) by electorate with any method.

        Electorates come from the results file where it has them (2010, the per-constituency
        files); the per-candidate files of 2015-2024 have none, so they are joined by ONS code from
        that year's per-constituency file (2017, 2019, 2024) or the 1918-2019 file (2015).
        """
        from kingmaker.seats.allocation import check_seat_count
        from kingmaker.seats.apportion import apportion

        check_seat_count(seats, "--seats")
        if by not in ("electorate", "seats"):
            raise InputError("--by must be electorate or seats")

        votes = load_votes(data, election)
        joined = None  # the data set the electorates were joined from, if not the results file
        if by == "electorate":
            from kingmaker.datasets import electorate_dataset, with_electorates

            filled = with_electorates(votes)
            if filled is not votes:
                joined, votes = electorate_dataset(str(votes.election)), filled
        table = votes.aggregate(_level(level))
        if by == "electorate":
            if table.electorates is None or not np.any(table.electorates):
                raise InputError("this data has no electorates; use --by seats")
            weights = table.electorates
        elif by == "seats":
            weights = table.seat_magnitudes()
        else:
            raise InputError("--by must be electorate or seats")
        result = apportion(dict(zip(table.ids, weights.tolist(), strict=True)), seats, method)
        rows = [
            {"area": a, by: int(w), "seats": int(s), "current": int(c)}
            for a, w, s, c in zip(
                result.parties, result.votes, result.seats, table.seat_magnitudes(), strict=True
            )
        ]
        if fmt is Format.json:
            data = {"method": result.method, "rows": rows, "ties": [str(t) for t in result.ties]}
            if joined:
                data["electorates_from"] = joined
            options = {"seats": seats, "level": level, "by": by, "method": method}
            print_json(data, "seats apportion", options=options, inputs=table_inputs(table))
            return
        if fmt is Format.csv:
            _emit_csv(rows)
            return
        label = table.election or Path(table.source or "").name
        out = Table(title=f"{label}: {seats} seats by {by}, {normalise_name(method)}")
        for col in ("area", by, "seats", "current"):
            out.add_column(col, justify="left" if col == "area" else "right")
        for r in rows:
            out.add_row(r["area"], f"{r[by]:,}", str(r["seats"]), str(r["current"]))
        console.print(out)
        if joined:
            console.print(f"Electorates from data set {joined}, joined by ONS code.")
        for t in result.ties:
            console.print(f"tie: {t}")

    app.add_typer(seats_app, name="seats")
