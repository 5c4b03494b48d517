"""Results night: the declared seats fixed, the rest projected from the swing seen so far and
simulated with the :func:`~kingmaker.forecast.forecast` machinery (:func:`forecast_from_declared`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker._validate import check_seed, check_sims
from kingmaker.conventions import SeatConventions
from kingmaker.errors import InputError
from kingmaker.forecast.backends import LocalThreads
from kingmaker.forecast.kernel import MAX_SIMS, POOL_BELOW, PollingError, chunk_sizes, simulation_plan
from kingmaker.forecast.result import CoalitionOdds, Forecast, coalition_odds, parse_coalition, summarise
from kingmaker.parliament import majority_of
from kingmaker.projection import (
    MIN_REGION_SEATS,
    DeclaredSwing,
    ProjectionPlan,
    ProjectionWarning,
    declared_votes,
    plan_projection,
    projection_from_plan,
    swing_from_declared,
)
from kingmaker.provenance import frame_html, json_result
from kingmaker.votes import VoteTable

#: Errors on results night before any seat declares: the national and regional parts shrink with
#: the square root of the share of seats still to declare (the swing is measured on more and more
#: seats); the constituency part does not (each undeclared seat is as uncertain as before).
LIVE_ERROR = PollingError(national=2.5, correlation=0.0, regional=1.5, seat=3.0)


@dataclass(frozen=True, eq=False)
class DeclaredForecast:
    """Results night: seats won in the declared seats, the central projection of the rest, and a
    :class:`Forecast` whose simulations keep the declared seats fixed.

    ``seats`` are declared plus projected, most first. ``forecast`` is ``None`` when nothing is
    left to simulate (``settled``: every seat declared, or the rest keep their base result) or
    when ``sims`` was 0.
    """

    swing: DeclaredSwing
    parties: tuple[str, ...]
    declared_seats: Mapping[str, int]
    projected_seats: Mapping[str, int]
    seats: Mapping[str, int]
    absolute_majority: int
    settled: bool
    conventions: SeatConventions
    forecast: Forecast | None = None

    @property
    def n_declared(self) -> int:
        """Seats declared so far."""
        return self.swing.n_declared

    def odds(self, parties: str | Iterable[str]) -> CoalitionOdds | None:
        """P(majority) of a group over the simulations (``None`` without simulations)."""
        if self.forecast is None:
            return None
        fc = self.forecast
        members = parse_coalition(parties, self.parties)
        # a party the simulation does not model (no seat in any draw) adds nothing
        cols = fc.seats
        names = list(fc.parties)
        missing = [p for p in members if p not in names]
        if missing:
            cols = np.concatenate([cols, np.zeros((cols.shape[0], len(missing)), dtype=cols.dtype)], axis=1)
            names += missing
        voting, working, absolute = self.conventions.arithmetic(cols, names)
        return coalition_odds(cols, voting, working, absolute, names, members)

    def probability(self, parties: str | Iterable[str]) -> float | None:
        """P(absolute majority) of a group: simulated, 1 or 0 once settled, else ``None``."""
        if self.settled:
            seats = sum(self.seats.get(p, 0) for p in parse_coalition(parties, self.parties))
            return 1.0 if seats >= self.absolute_majority else 0.0
        odds = self.odds(parties)
        return None if odds is None else odds.p_absolute

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "declared": self.n_declared,
            "swing": self.swing.to_dict(),
            "declared_seats": dict(self.declared_seats),
            "projected_seats": dict(self.projected_seats),
            "seats": dict(self.seats),
            "absolute_majority": self.absolute_majority,
            "settled": self.settled,
            "forecast": None if self.forecast is None else self.forecast.to_dict(),
        }

    def to_frame(self) -> Any:
        """One row per party: seats declared, projected and in all."""
        import pandas as pd

        rows = [
            {
                "party": p,
                "declared": self.declared_seats.get(p, 0),
                "projected": self.projected_seats.get(p, 0),
                "total": n,
            }
            for p, n in self.seats.items()
        ]
        return pd.DataFrame(rows, columns=["party", "declared", "projected", "total"]).set_index("party")

    def _repr_html_(self) -> str:
        return frame_html(self, f"{self.n_declared} seats declared; majority {self.absolute_majority}")


def forecast_from_declared(
    base: VoteTable,
    declared: Mapping[str, Mapping[str, int]],
    *,
    sims: int = 500,
    seed: int = 0,
    error: PollingError | None = None,
    coalitions: Iterable[str | Iterable[str]] = (),
    min_region_seats: int = MIN_REGION_SEATS,
    conventions: SeatConventions | None = None,
    workers: int | None = 1,
    pool_below: float | None = POOL_BELOW,
    winners: Mapping[str, str] | None = None,
) -> DeclaredForecast:
    """Results night: fix the declared seats, project the rest from the swing seen so far, and
    simulate the undeclared seats only with the :func:`forecast` machinery.

    ``declared`` maps base districts to declared votes per party. Declared seats go to the most
    votes; a tie for the most to the party ``winners`` names for that district (the returning
    officer's lot), else by lot seeded 0. The rest are projected by :func:`~kingmaker.projection.
    swing_from_declared`'s targets and model; Northern Ireland and the Speaker's seat keep their
    base result until declared. Each of ``sims`` simulations draws the errors of ``error``
    (default :data:`LIVE_ERROR`) with the national and regional parts scaled by the square root of
    the fraction of seats not yet declared. ``coalitions`` get :class:`CoalitionOdds` in the
    forecast; :meth:`DeclaredForecast.odds` gives them for any group afterwards.
    """
    from kingmaker.seats.plurality import plurality_winners

    sims = check_sims(sims, minimum=0, maximum=MAX_SIMS)
    seed = check_seed(seed, allow_none=False)
    error = error or LIVE_ERROR
    mask, votes = declared_votes(base, declared)
    parties = base.parties
    if mask.any():
        table = VoteTable(votes[mask], parties, tuple(np.array(base.districts)[mask]))
        winners_of = np.asarray(plurality_winners(table, "lot", seed=0)[0], dtype=np.int64)
        row = {d: k for k, d in enumerate(table.districts)}
        for district, named in (winners or {}).items():
            k, j = row.get(district), parties.index(named) if named in parties else None
            if k is None or j is None or table.votes[k, j] != table.votes[k].max():
                raise InputError(f"winners: {named!r} did not top the declared votes of {district!r}")
            winners_of[k] = j
    else:
        winners_of = np.zeros(0, dtype=np.int64)
    won = np.bincount(winners_of, minlength=len(parties))
    keep = {parties[j] for j in np.flatnonzero(won)}
    swing = swing_from_declared(base, declared, min_region_seats=min_region_seats, keep=keep)
    declared_seats = {p: int(won[j]) for j, p in enumerate(parties) if won[j]}
    projected: dict[str, int] = {}
    fc: Forecast | None = None
    settled = True
    if not mask.all():
        rest = swing.undeclared(base)
        if swing.targets is None:  # only held seats left: they keep their base result
            for j in rest.votes.argmax(axis=1):
                projected[parties[j]] = projected.get(parties[j], 0) + 1
        else:
            settled = False
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProjectionWarning)
                plan = plan_projection(rest, swing.targets, swing.model, pool_below=pool_below)
            projected = dict(projection_from_plan(plan).seats)
            if sims > 0:
                fc = _simulate_declared(
                    plan,
                    rest,
                    mask,
                    winners_of,
                    parties,
                    sims,
                    seed,
                    error,
                    coalitions,
                    conventions,
                    workers,
                    base,
                )
    totals = {
        p: declared_seats.get(p, 0) + projected.get(p, 0)
        for p in dict.fromkeys([*declared_seats, *projected])
    }
    totals = dict(sorted(((p, s) for p, s in totals.items() if s > 0), key=lambda kv: -kv[1]))
    names = tuple(dict.fromkeys([*parties, *totals]))
    return DeclaredForecast(
        swing=swing,
        parties=names,
        declared_seats=MappingProxyType(declared_seats),
        projected_seats=MappingProxyType(projected),
        seats=MappingProxyType(totals),
        absolute_majority=majority_of(base.n_districts),
        settled=settled,
        conventions=conventions or SeatConventions.uk(names),
        forecast=fc,
    )


def _simulate_declared(
    plan: ProjectionPlan,
    rest: VoteTable,
    mask: np.ndarray,
    winners: np.ndarray,
    parties: tuple[str, ...],
    sims: int,
    seed: int,
    error: PollingError,
    coalitions: Iterable[str | Iterable[str]],
    conventions: SeatConventions | None,
    workers: int | None,
    base: VoteTable,
) -> Forecast:
    """Simulate the undeclared seats of ``plan`` and add the declared seats (``winners``: base party
    column of each declared seat's winner, in base order) to every draw."""
    won = np.bincount(winners, minlength=len(parties))
    scale = math.sqrt(1.0 - float(mask.mean()))
    err = PollingError(
        national=error.national * scale,
        correlation=error.correlation,
        regional=error.regional * scale,
        seat=error.seat,
    )
    sp = simulation_plan(plan, err, int(seed), rest.regions)
    chunks = list(enumerate(chunk_sizes(sims)))
    parts = LocalThreads(workers).run(sp, chunks, lambda n: None)
    column = {p: j for j, p in enumerate(plan.parties)}
    fixed = np.zeros(len(plan.parties), dtype=np.int64)
    for j in np.flatnonzero(won):
        fixed[column[parties[j]]] += won[j]  # declared winners are named, so never pooled
    seat_matrix = np.concatenate([parts[i][0] for i, _ in chunks], axis=0).astype(np.int32) + fixed[None]
    wins = sum(parts[i][1].astype(np.int64) for i, _ in chunks)
    conv = conventions or SeatConventions.uk(plan.parties)
    named = [parse_coalition(c, plan.parties) for c in coalitions]
    fc = summarise(seat_matrix, wins, plan, sp, conv, named, "local", err)
    # per seat over the whole base: declared seats are won with certainty
    probs = np.zeros((base.n_districts, len(plan.parties)), dtype=np.float32)
    probs[~mask] = fc.seat_probabilities
    declared_idx = np.flatnonzero(mask)
    probs[declared_idx, [column[parties[w]] for w in winners]] = 1.0
    central = dict(fc.central_seats)
    for j in np.flatnonzero(won):
        central[parties[j]] = central.get(parties[j], 0) + int(won[j])
    return replace(
        fc,
        districts=base.districts,
        seat_probabilities=probs,
        central_seats=MappingProxyType(dict(sorted(central.items(), key=lambda kv: -kv[1]))),
    )


__all__ = ["LIVE_ERROR", "DeclaredForecast", "forecast_from_declared"]
