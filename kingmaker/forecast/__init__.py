"""Monte Carlo seat forecasts: polling error -> shares -> seats -> majorities and coalitions.

Each simulation draws

1. a **national polling error** for every party, normal with standard deviation
   ``national * sqrt(t (1 - t)) / sqrt(0.35 * 0.65)`` points for a party polling ``t`` (so
   ``national`` is the error of a party at 35%, and small parties err less), and equal correlation
   ``correlation`` between parties; the noisy shares are clipped at 0 and renormalised to 100;
2. a **regional error** per party in each region (the table's regions, else its nations), the same
   form with ``regional`` points for the party's central share in that region;
3. a **constituency error** per party in each seat, ``seat`` points for the party's central
   projected share in that seat (same scaling);

then projects the shares to seats with the chosen swing model (:mod:`kingmaker.projection`), the
regional and constituency errors being added to each party's projected share in each seat.

Default sizes and why: ``national = 2.5`` points, so that a big party's mean absolute error is
``2.5 * sqrt(2/pi) = 2.0`` points, the historical average of final polls: about 2 points per party
across 45 countries 1942-2017 (Jennings & Wlezien 2018, *Nature Human Behaviour* 2, 276-283), and
of the same order in Britain since 1945, with larger misses in 1970, 1992 and 2015 (Sturgis et al.
2016, *Report of the Inquiry into the 2015 British general election opinion polls*, British
Polling Council / Market Research Society). ``correlation = 0``: the renormalisation to 100 already
makes errors negatively correlated (one party's overstatement is another's understatement); set it
negative to model a Con-Lab see-saw like 1992 and 2015. ``regional = 1.5`` and ``seat = 3.0``
points are judgement defaults of the size of the spread of regional and constituency swings around
the national swing in British elections since 2010 (swing is never truly uniform); raise them for
volatile elections. Each size must be finite and from 0 to
:data:`~kingmaker.forecast.kernel.MAX_ERROR_POINTS` (100 points: the whole scale of a share).

Results are **deterministic**: simulations are cut into chunks of :data:`CHUNK_SIZE`, and chunk *i*
draws from ``numpy.random.SeedSequence(seed, spawn_key=(i,))``, so the numbers depend only on the
seed and the number of simulations, never on how chunks are spread over threads or Dask workers.

Running on Dask
---------------
``forecast(..., backend="dask")`` (CLI ``--backend dask``) sends the chunks to a
``dask.distributed`` cluster and gathers the seat counts; the result is identical to the local run
with the same seed. Without an address a ``LocalCluster`` of ``workers`` (default 2) processes is
started and closed afterwards. To use an existing cluster::

    dask scheduler                       # on the scheduler machine, prints tcp://HOST:8786
    dask worker tcp://HOST:8786          # on each worker machine (same kingmaker version installed)
    kingmaker forecast --base uk-2010-results --shares "Con=36,Lab=29,LD=23" \\
        --backend dask --scheduler tcp://HOST:8786

or pass ``scheduler="tcp://HOST:8786"`` (or a ``distributed.Client``) to :func:`forecast`. The
workers need ``kingmaker`` and ``numpy`` importable; the base data travel with the tasks, so the
workers need no data files. Install with ``pip install "dask[distributed]"``.

Progress is reported through ``progress(done, total)``, a plain callable; the library draws
nothing (``kingmaker forecast`` draws a Rich bar from it, as ``kingmaker power`` does).

Package layout and dependency direction (each module imports only those above it; all of them
sit above :mod:`kingmaker.projection` and :mod:`kingmaker.conventions`)::

    kernel.py     PollingError, SimulationPlan, chunking and seeding, simulate_chunk
    backends.py   the Backend protocol: LocalThreads ("local"), DaskBackend ("dask")
    result.py     Forecast, CoalitionOdds, summarise, parse_coalition
    declared.py   results night: DeclaredForecast, forecast_from_declared, LIVE_ERROR
    __init__.py   forecast()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from kingmaker._validate import check_seed, check_sims
from kingmaker.conventions import SeatConventions
from kingmaker.errors import InputError
from kingmaker.forecast.backends import BACKENDS, Backend, DaskBackend, LocalThreads, make_backend
from kingmaker.forecast.declared import LIVE_ERROR, DeclaredForecast, forecast_from_declared
from kingmaker.forecast.kernel import (
    CHUNK_SIZE,
    MAX_SIMS,
    POOL_BELOW,
    PollingError,
    chunk_sizes,
    simulation_plan,
)
from kingmaker.forecast.result import CoalitionOdds, Forecast, coalition_odds, parse_coalition, summarise
from kingmaker.projection import POOLED, Shares, plan_projection
from kingmaker.votes import VoteTable

Progress = Callable[[int, int], None]


def forecast(
    base: VoteTable,
    shares: Shares,
    *,
    model: str = "regional",
    sims: int = 10_000,
    seed: int | None = None,
    error: PollingError | None = None,
    coalitions: Iterable[str | Iterable[str]] = (),
    level: str | None = None,
    scope: str = "auto",
    new_parties: Iterable[str] = (),
    conventions: SeatConventions | None = None,
    backend: str | Backend = "local",
    scheduler: Any = None,
    workers: int | None = None,
    processes: bool = True,
    progress: Progress | None = None,
    pool_below: float | None = POOL_BELOW,
) -> Forecast:
    """Simulate ``sims`` elections around ``shares`` and count seats, majorities and coalitions.

    ``coalitions`` are ``"Con+LD"`` strings or party lists; each gets P(absolute majority) and
    P(working majority) under ``conventions`` (default: House of Commons, see
    :class:`~kingmaker.conventions.SeatConventions`). ``backend`` is ``local`` (threads),
    ``dask`` (``scheduler``: address, Client, or ``None`` for a LocalCluster of ``workers``), or
    any :class:`~kingmaker.forecast.backends.Backend`. ``progress``, if given, is called with
    ``(done, total)`` simulations as chunks finish.
    """
    sims = check_sims(sims, maximum=MAX_SIMS)
    runner = make_backend(backend, scheduler=scheduler, workers=workers, processes=processes)
    seed = check_seed(seed)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy) % (2**63)
    if progress is not None and not callable(progress):
        raise InputError(f"progress must be a function of (done, total), got {progress!r}")
    error = error or PollingError()
    plan = plan_projection(
        base, shares, model, level=level, scope=scope, new_parties=new_parties, pool_below=pool_below
    )
    parties = plan.parties
    conventions = conventions or SeatConventions.uk(parties)
    named = [parse_coalition(c, parties) for c in coalitions]
    sp = simulation_plan(plan, error, seed, base.regions)
    chunks = list(enumerate(chunk_sizes(sims)))
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, sims)

    parts = runner.run(sp, chunks, advance)
    seat_matrix = np.concatenate([parts[i][0] for i, _ in chunks], axis=0)
    wins = sum(parts[i][1].astype(np.int64) for i, _ in chunks)
    return summarise(seat_matrix, wins, plan, sp, conventions, named, runner.name, error)


__all__ = [
    "BACKENDS",
    "CHUNK_SIZE",
    "LIVE_ERROR",
    "MAX_SIMS",
    "POOLED",
    "POOL_BELOW",
    "Backend",
    "CoalitionOdds",
    "DaskBackend",
    "DeclaredForecast",
    "Forecast",
    "LocalThreads",
    "PollingError",
    "coalition_odds",
    "forecast",
    "forecast_from_declared",
    "parse_coalition",
]
