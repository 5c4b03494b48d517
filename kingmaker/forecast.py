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
volatile elections.

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
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.io.party_names import canonical_party
from kingmaker.projection import (
    MIN_REGION_SEATS,
    POOLED,
    DeclaredSwing,
    ProjectionPlan,
    ProjectionWarning,
    SeatConventions,
    Shares,
    declared_votes,
    plan_projection,
    projection_from_plan,
    swing_from_declared,
)
from kingmaker.votes import VoteTable

#: Simulations per chunk; part of the definition of the random stream (do not vary per run).
CHUNK_SIZE = 1000
#: Most simulations one call accepts.
MAX_SIMS = 10_000_000
#: Simulations x seats per working block of a chunk (float32 arrays of this size stay in the CPU
#: cache; part of the definition of the random stream).
_BLOCK_ELEMENTS = 65_536
#: Slack (shares) on the bounds that rule a party out of a seat for a block (float32 rounding).
_PRUNE_MARGIN = 1e-5
#: Reference share for the error sizes: the given sd applies to a party at 35%.
_REF = math.sqrt(0.35 * 0.65)
#: Minor parties below this share of every seat's vote are pooled in forecasts.
POOL_BELOW = 0.10
BACKENDS: tuple[str, ...] = ("local", "dask")
#: Seconds to wait for a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT = 20


@dataclass(frozen=True)
class PollingError:
    """Sizes of the simulated errors, in percentage points (see the module docstring)."""

    national: float = 2.5
    correlation: float = 0.0
    regional: float = 1.5
    seat: float = 3.0

    def __post_init__(self) -> None:
        for name in ("national", "regional", "seat"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise InputError(f"{name} error must be a number of points >= 0, got {value}")
        if not math.isfinite(self.correlation) or not -1 <= self.correlation <= 1:
            raise InputError(f"correlation must be between -1 and 1, got {self.correlation}")


@dataclass(frozen=True)
class CoalitionOdds:
    """How often a named group of parties reaches a majority across the simulations."""

    parties: tuple[str, ...]
    p_absolute: float
    p_working: float
    median_seats: int
    low: int
    high: int

    @property
    def name(self) -> str:
        """``Con+LD``."""
        return "+".join(self.parties)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "coalition": self.name,
            "parties": list(self.parties),
            "p_absolute_majority": self.p_absolute,
            "p_working_majority": self.p_working,
            "median_seats": self.median_seats,
            "interval_90": [self.low, self.high],
        }


@dataclass(frozen=True, eq=False)
class Forecast:
    """Distribution of seats over the simulations, and the probabilities of the outcomes.

    ``seats`` is the ``(sims, parties)`` matrix of seat counts; ``seat_probabilities`` the
    ``(districts, parties)`` share of simulations each party wins each seat.
    """

    model: str
    level: str
    sims: int
    seed: int
    backend: str
    parties: tuple[str, ...]
    seats: np.ndarray
    median: Mapping[str, int]
    low: Mapping[str, int]
    high: Mapping[str, int]
    mean: Mapping[str, float]
    p_largest: Mapping[str, float]
    p_majority: Mapping[str, float]
    p_overall_majority: float
    p_hung: float
    coalitions: tuple[CoalitionOdds, ...]
    absolute_majority: int
    median_working_threshold: int
    districts: tuple[str, ...]
    seat_probabilities: np.ndarray
    central_seats: Mapping[str, int]
    national_target: Mapping[str, float]
    error: PollingError
    notes: tuple[str, ...] = ()
    pooled: tuple[str, ...] = field(default=(), repr=False)

    def shown_parties(self) -> tuple[str, ...]:
        """Parties that win a seat in some simulation, most seats first."""
        return tuple(
            p
            for p in sorted(self.parties, key=lambda p: -self.mean[p])
            if self.seats[:, self.parties.index(p)].any()
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (probabilities as fractions)."""
        shown = self.shown_parties()
        return {
            "model": self.model,
            "level": self.level,
            "sims": self.sims,
            "seed": self.seed,
            "backend": self.backend,
            "error": asdict(self.error),
            "absolute_majority": self.absolute_majority,
            "median_working_majority_threshold": self.median_working_threshold,
            "seats": {
                p: {
                    "median": self.median[p],
                    "interval_90": [self.low[p], self.high[p]],
                    "mean": round(self.mean[p], 3),
                }
                for p in shown
            },
            "win_probability": {p: self.p_largest[p] for p in shown},
            "majority_probability": {p: self.p_majority[p] for p in shown},
            "overall_majority": self.p_overall_majority,
            "hung_parliament": self.p_hung,
            "coalitions": [c.to_dict() for c in self.coalitions],
            "central_projection": dict(self.central_seats),
            "national_target": {p: round(v * 100, 3) for p, v in self.national_target.items()},
            "notes": list(self.notes),
            "pooled_parties": list(self.pooled),
        }

    def to_frame(self) -> Any:
        """One row per party: median, 90% interval, mean, P(largest), P(majority)."""
        import pandas as pd

        rows = [
            {
                "party": p,
                "median": self.median[p],
                "low_5": self.low[p],
                "high_95": self.high[p],
                "mean": self.mean[p],
                "p_largest": self.p_largest[p],
                "p_majority": self.p_majority[p],
            }
            for p in self.shown_parties()
        ]
        return pd.DataFrame(rows).set_index("party")

    def coalition_frame(self) -> Any:
        """One row per named coalition."""
        import pandas as pd

        return pd.DataFrame([c.to_dict() for c in self.coalitions])

    def seat_frame(self) -> Any:
        """Per constituency: each party's probability of winning it (columns), most likely winner."""
        import pandas as pd

        shown = list(self.shown_parties())
        idx = [self.parties.index(p) for p in shown]
        frame = pd.DataFrame(self.seat_probabilities[:, idx], columns=shown)
        frame.insert(0, "likely_winner", [shown[i] for i in frame.to_numpy().argmax(axis=1)])
        frame.insert(0, "district", list(self.districts))
        return frame

    def _repr_html_(self) -> str:
        return (
            f"<p>Forecast: {self.sims:,} simulations ({self.model}), P(hung) = {self.p_hung:.1%}</p>"
            + self.to_frame().to_html()
        )


# ----------------------------------------------------------------------------------------------
# the simulation plan and kernel
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SimulationPlan:
    """Everything a worker needs to simulate any chunk (picklable, no VoteTable)."""

    plan: ProjectionPlan
    seed: int
    national: np.ndarray  # (P,) central national shares (fractions)
    national_sd: np.ndarray  # (P,) fractions
    national_mix: np.ndarray  # (P, P): z @ mix.T has the wanted correlation
    derived_areas: bool  # area targets derived from national shares (else fixed per area)
    region_of: np.ndarray  # (D,) noise region, n_regions for the Speaker's seat
    regional_sd: np.ndarray  # (R, P) float32
    # The kernel works on the seats sorted into groups of the same (swing area, noise region),
    # party by party: arrays ``_t`` are (P, D) in that order, ``order[i]`` the i-th seat.
    order: np.ndarray  # (D,) int
    group_size: np.ndarray  # (G,) seats in each group
    group_area: np.ndarray  # (G,) swing area (n_areas: held seats)
    group_region: np.ndarray  # (G,) noise region (R: no regional noise)
    group_factor: np.ndarray  # (G, P) float32: f of the group's area (additive models)
    seat_sd_t: np.ndarray  # (P, D) float32
    base_t: np.ndarray  # (P, D) float32 base shares, -inf where a party does not stand
    mask_t: np.ndarray  # (P, D) float32, 0 or -inf


def _scaled_sd(points: float, share: np.ndarray, floor: float = 0.01) -> np.ndarray:
    share = np.clip(share, floor, 1 - floor)
    return points / 100.0 * np.sqrt(share * (1 - share)) / _REF


def _correlation_mix(n: int, rho: float) -> np.ndarray:
    corr = np.full((n, n), rho) + (1 - rho) * np.eye(n)
    values, vectors = np.linalg.eigh(corr)
    if values.min() < -1e-9:
        raise InputError(
            f"correlation {rho} is impossible for {n} parties: equal correlations must be >= {-1 / max(n - 1, 1):.3f}"
        )
    return vectors * np.sqrt(np.clip(values, 0, None))[None, :]


def simulation_plan(
    plan: ProjectionPlan, error: PollingError, seed: int, regions: Sequence[str | None] | None
) -> SimulationPlan:
    """Precompute the error scales and masks for :func:`simulate_chunk`."""
    central = plan.shares(plan.targets[None])[0]
    n_d, n_p = central.shape
    if regions is not None and all(r is not None for r in regions):
        names = tuple(dict.fromkeys(str(r) for r in regions))
        region_of = np.array([names.index(str(r)) for r in regions])
    else:
        names = ("all",)
        region_of = np.zeros(n_d, dtype=np.int64)
    region_of = np.where(plan.speaker_seat, len(names), region_of)
    member = (region_of[None, :] == np.arange(len(names))[:, None]).astype(np.float64)
    region_share = (member * plan.weights) @ central / np.maximum(member @ plan.weights, 1e-300)[:, None]
    regional_sd = (_scaled_sd(error.regional, region_share) * (region_share > 0)).astype(np.float32)
    seat_sd = _scaled_sd(error.seat, central) * plan.stand
    seat_sd[plan.speaker_seat] = 0.0
    national = plan.national_target
    present = national > 0
    # a party standing in part of the scope errs like a party of its share where it stands
    scope = plan.scope
    stand_w = plan.weights[scope] @ plan.stand[scope]
    concentration = np.divide(plan.weights[scope].sum(), stand_w, out=np.ones(n_p), where=stand_w > 0)
    national_sd = _scaled_sd(error.national, national * concentration, floor=1e-4) / concentration * present
    mix = _correlation_mix(n_p, error.correlation) if n_p > 1 else np.ones((1, 1))
    stand_any = plan.stand | (plan.held[:, None] & (plan.base_shares > 0))
    base_masked = np.where(stand_any, plan.base_shares, -np.inf)
    # groups of seats sharing swing area and noise region, so that per-group terms broadcast
    n_r = len(names)
    pair, group_of = np.unique(plan.area_of * (n_r + 1) + region_of, return_inverse=True)
    order = np.argsort(group_of, kind="stable")
    # seat_factor is the area's f where the party stands and 0 elsewhere (where base is -inf)
    area_factor = np.zeros((plan.n_areas + 1, n_p))
    np.maximum.at(area_factor, plan.area_of, plan.seat_factor)

    def t32(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a[order].T, dtype=np.float32)

    return SimulationPlan(
        plan=plan,
        seed=seed,
        national=national,
        national_sd=national_sd,
        national_mix=mix,
        derived_areas=plan.level != "national" and not plan.per_area,
        region_of=region_of,
        regional_sd=regional_sd,
        order=order,
        group_size=np.bincount(group_of, minlength=len(pair)),
        group_area=pair // (n_r + 1),
        group_region=pair % (n_r + 1),
        group_factor=area_factor[pair // (n_r + 1)].astype(np.float32),
        seat_sd_t=t32(seat_sd),
        base_t=t32(base_masked),
        mask_t=t32(np.where(stand_any, 0.0, -np.inf)),
    )


_NORMAL_TABLE: np.ndarray | None = None


def _normal_table() -> np.ndarray:
    """The standard normal discretised to 65,536 equiprobable quantiles (float32, truncated at
    +-4.33 sd), looked up with 16-bit uniform integers: about 3.5 times faster than
    ``standard_normal`` and ample for constituency noise. The truncation also bounds each seat's
    noise, which lets the kernel rule out parties that cannot win a seat."""
    global _NORMAL_TABLE
    if _NORMAL_TABLE is None:
        from statistics import NormalDist

        inv = NormalDist().inv_cdf
        _NORMAL_TABLE = np.array([inv((i + 0.5) / 65536) for i in range(65536)], dtype=np.float32)
    return _NORMAL_TABLE


def _renormalise(x: np.ndarray) -> np.ndarray:
    np.maximum(x, 0.0, out=x)
    total = x.sum(axis=-1, keepdims=True)
    return np.divide(x, total, out=np.zeros_like(x), where=total > 0)


def chunk_sizes(sims: int) -> list[int]:
    """Simulations in each chunk (all :data:`CHUNK_SIZE` but the last)."""
    full, rest = divmod(sims, CHUNK_SIZE)
    return [CHUNK_SIZE] * full + ([rest] if rest else [])


def simulate_chunk(sp: SimulationPlan, index: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Simulate chunk ``index`` of ``n`` simulations: seats ``(n, P)`` int16 and per-seat win
    counts ``(D, P)`` int32. Depends only on ``(seed, index, n)``.

    The seats' scores are built party by party over blocks of simulations x seats small enough
    to stay in the CPU cache (float32; exact IEEE operations in a fixed order, so the numbers do
    not depend on the CPU or thread), keeping a running maximum and its party. Within a block, a
    party is skipped in the seats where its highest possible score (largest structured part plus
    the table's largest noise) is below some other party's lowest possible one: it cannot win
    there whatever its noise, so the seats won are exactly those of the full computation."""
    plan = sp.plan
    rng = np.random.default_rng(np.random.SeedSequence(sp.seed, spawn_key=(index,)))
    n_d, n_p = plan.base_shares.shape
    # 1. national error -> area targets (S, A, P)
    z = rng.standard_normal((n, n_p))
    e_nat = (z @ sp.national_mix.T) * sp.national_sd
    if plan.level == "national":
        targets = _renormalise(sp.national[None, :] + e_nat)[:, None, :]
    elif sp.derived_areas:
        nat = _renormalise(sp.national[None, :] + e_nat)
        change = (nat - plan.national_base[None, :])[:, None, :] * plan.national_gain[None]
        targets = _renormalise(plan.area_base[None] + change)
    else:
        targets = _renormalise(plan.targets[None] + e_nat[:, None, :] * plan.national_gain[None])
    # 2. regional error (S, R+1, P), the extra row (Speaker's seat) zero
    n_r = sp.regional_sd.shape[0]
    e_reg = np.zeros((n, n_r + 1, n_p), dtype=np.float32)
    e_reg[:, :n_r] = rng.standard_normal((n, n_r, n_p), dtype=np.float32) * sp.regional_sd[None]
    # the swing and regional error are the same for every seat of a group: (P, S, G)
    additive = plan.kind == "additive"
    sizes = sp.group_size
    if additive:
        delta = np.zeros((n, plan.n_areas + 1, n_p), dtype=np.float32)
        delta[:, :-1] = targets - plan.area_base[None]
        part = delta[:, sp.group_area]
        part *= sp.group_factor[None]
        part += e_reg[:, sp.group_region]
        group_part = np.ascontiguousarray(part.transpose(2, 0, 1))
    group_start = np.concatenate([[0], np.cumsum(sizes)])
    group_of = np.repeat(np.arange(len(sizes)), sizes)  # (D,) in the sorted order
    table = _normal_table()
    reach = sp.seat_sd_t * table[-1]  # (P, D) the largest noise
    # 3. constituency error and the winners, block by block
    block = max(1, min(n, _BLOCK_ELEMENTS // n_d))
    party_type = np.int8 if n_p <= 127 else np.int16
    work = np.empty(block * n_d, dtype=np.float32)
    above = np.empty(block * n_d, dtype=bool)
    step = np.empty(block * n_d, dtype=party_type)
    seats = np.empty((n, n_p), dtype=np.int16)
    wins = np.zeros(n_d * n_p, dtype=np.int64)
    seat_offset = np.arange(n_d) * n_p
    for start in range(0, n, block):
        stop = min(n, start + block)
        m = stop - start
        if additive:
            block_part = group_part[:, start:stop]  # (P, m, G)
            high = sp.base_t + np.repeat(block_part.max(axis=1), sizes, axis=1)
            low = sp.base_t + np.repeat(block_part.min(axis=1), sizes, axis=1)
        else:
            mean = plan.scores(targets[start:stop])[:, sp.order].astype(np.float32)  # (m, D, P)
            mean += e_reg[start:stop][:, sp.group_region[group_of]]
            mean_t = np.ascontiguousarray(mean.transpose(2, 0, 1))
            mean_t += sp.mask_t[:, None, :]
            high = mean_t.max(axis=1)
            low = mean_t.min(axis=1)
        high += reach
        low -= reach
        live = high >= low.max(axis=0) - _PRUNE_MARGIN  # (P, D)
        best = np.full((m, n_d), -np.inf, dtype=np.float32)
        winner = np.zeros((m, n_d), dtype=party_type)
        for p in range(n_p):
            cols = np.flatnonzero(live[p])
            if not cols.size:
                continue
            lo, hi = int(cols[0]), int(cols[-1]) + 1
            w = hi - lo
            count = m * w
            raw = rng.bit_generator.random_raw(-(-count // 4)).astype("<u8", copy=False)
            score = np.take(table, raw.view("<u2")[:count], out=work[:count], mode="clip").reshape(m, w)
            score *= sp.seat_sd_t[p, lo:hi]
            score += sp.base_t[p, lo:hi] if additive else mean_t[p, :, lo:hi]
            if additive:
                g0, g1 = group_of[lo], group_of[hi - 1] + 1
                spread = np.repeat(block_part[p, :, g0:g1], sizes[g0:g1], axis=1)
                score += spread[:, lo - group_start[g0] : hi - group_start[g0]]
            top = best[:, lo:hi]
            leads = np.greater(score, top, out=above[:count].reshape(m, w))
            np.maximum(top, score, out=top)
            # parties come in increasing order: "p where it leads" is a running maximum
            lead = np.multiply(leads, party_type(p), out=step[:count].reshape(m, w))
            np.maximum(winner[:, lo:hi], lead, out=winner[:, lo:hi])
        won = winner.astype(np.intp)
        per_sim = (won + (np.arange(m) * n_p)[:, None]).ravel()
        seats[start:stop] = np.bincount(per_sim, minlength=m * n_p).reshape(m, n_p)
        won += seat_offset
        wins += np.bincount(won.ravel(), minlength=n_d * n_p)
    out = np.empty((n_d, n_p), dtype=np.int32)
    out[sp.order] = wins.reshape(n_d, n_p)
    return seats, out


def simulate_batch(
    sp: SimulationPlan, chunks: Sequence[tuple[int, int]]
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Several chunks ``(index, n)`` in one task (the unit sent to a Dask worker)."""
    return [(i, *simulate_chunk(sp, i, n)) for i, n in chunks]


# ----------------------------------------------------------------------------------------------
# backends
# ----------------------------------------------------------------------------------------------
Progress = Callable[[int], None]


def _run_local(
    sp: SimulationPlan, chunks: list[tuple[int, int]], workers: int | None, advance: Progress
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    workers = workers or min(4, os.cpu_count() or 1)
    if workers <= 1 or len(chunks) == 1:
        for i, n in chunks:
            out[i] = simulate_chunk(sp, i, n)
            advance(n)
        return out
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(simulate_chunk, sp, i, n): (i, n) for i, n in chunks}
        for fut in as_completed(futures):
            i, n = futures[fut]
            out[i] = fut.result()
            advance(n)
    return out


def _run_dask(
    sp: SimulationPlan,
    chunks: list[tuple[int, int]],
    scheduler: Any,
    workers: int | None,
    advance: Progress,
    processes: bool = True,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise InputError('the dask backend needs dask.distributed: pip install "dask[distributed]"') from None
    cluster = None
    own_client = True
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
        )
        client = Client(cluster)
    elif isinstance(scheduler, str):
        try:
            client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        client, own_client = scheduler, False
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 2))
        per_task = max(1, math.ceil(len(chunks) / (4 * n_workers)))
        batches = [chunks[k : k + per_task] for k in range(0, len(chunks), per_task)]
        [remote] = client.scatter([sp], broadcast=True)
        futures = [client.submit(simulate_batch, remote, b, pure=False) for b in batches]
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for fut in dask_completed(futures):
            for i, seats, wins in fut.result():
                out[i] = (seats, wins)
                advance(seats.shape[0])
        return out
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()


# ----------------------------------------------------------------------------------------------
# the public entry point
# ----------------------------------------------------------------------------------------------
def parse_coalition(text: str | Iterable[str], parties: Sequence[str]) -> tuple[str, ...]:
    """``"Con+LD"`` (or ``Con,LD``, or a list) validated against ``parties``."""
    if isinstance(text, str):
        items = [t.strip() for t in text.replace(",", "+").split("+")]
    else:
        items = [str(t).strip() for t in text]
    items = [t for t in items if t]
    if not items:
        raise InputError("--coalition: give at least one party, e.g. Con+LD")
    lowered = {p.lower(): p for p in parties}
    out: list[str] = []
    for item in items:
        name = item if item in parties else lowered.get(item.lower())
        if name is None and canonical_party(item) in parties:
            name = canonical_party(item)  # another file's spelling: Grn -> Green
        if name is None:
            raise UnknownNameError(f"--coalition: unknown party {item!r}; parties are: {', '.join(parties)}")
        if name not in out:
            out.append(name)
    return tuple(out)


def majority_arithmetic(
    seats: np.ndarray, parties: Sequence[str], conventions: SeatConventions
) -> tuple[np.ndarray, np.ndarray, int]:
    """Vectorised conventions of :class:`~kingmaker.parliament.Parliament` for ``(sims, P)`` seats.

    Returns the voting seats ``(sims, P)`` (after the Speaker, abstainers and Deputy Speakers),
    the working-majority threshold per simulation and the absolute-majority threshold.
    """
    seats = seats.astype(np.int32)
    n, n_p = seats.shape
    non = np.zeros_like(seats)
    eligible = np.ones(n_p, dtype=bool)
    for name in (conventions.speaker, *conventions.abstaining):
        if name and name in parties:
            j = list(parties).index(name)
            non[:, j] = seats[:, j]
            eligible[j] = False
    ranked = np.where(eligible[None, :] & (seats > 0), seats, -1)
    rows = np.arange(n)
    for count in conventions.deputies:
        top = ranked.argmax(axis=1)
        ok = ranked[rows, top] > 0
        non[rows[ok], top[ok]] += np.minimum(count, seats[rows[ok], top[ok]])
        ranked[rows, top] = -1
    voting = seats - non
    house = int(seats[0].sum()) if n else 0
    working = (voting.sum(axis=1)) // 2 + 1
    return voting, working, house // 2 + 1


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
    backend: str = "local",
    scheduler: Any = None,
    workers: int | None = None,
    processes: bool = True,
    progress: bool | Callable[[int, int], None] = False,
    pool_below: float | None = POOL_BELOW,
) -> Forecast:
    """Simulate ``sims`` elections around ``shares`` and count seats, majorities and coalitions.

    ``coalitions`` are ``"Con+LD"`` strings or party lists; each gets P(absolute majority) and
    P(working majority) under ``conventions`` (default: House of Commons, see
    :class:`~kingmaker.projection.SeatConventions`). ``backend`` is ``local`` (threads) or
    ``dask`` (``scheduler``: address, Client, or ``None`` for a LocalCluster of ``workers``).
    ``progress=True`` shows a Rich progress bar on stderr; a callable gets ``(done, total)``.
    """
    if isinstance(sims, bool) or not isinstance(sims, int | np.integer):
        raise InputError(f"the number of simulations must be a whole number, got {sims!r}")
    if sims <= 0:
        raise InputError(f"the number of simulations must be at least 1, got {sims}")
    if sims > MAX_SIMS:
        raise TooLargeError(f"{sims:,} simulations is more than the limit of {MAX_SIMS:,}")
    if backend not in BACKENDS:
        raise UnknownNameError(f"unknown backend {backend!r}; use {', '.join(BACKENDS)}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy) % (2**63)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"the seed must be a whole number >= 0, got {seed!r}")
    error = error or PollingError()
    plan = plan_projection(
        base, shares, model, level=level, scope=scope, new_parties=new_parties, pool_below=pool_below
    )
    parties = plan.parties
    conventions = conventions or SeatConventions.uk(parties)
    named = [parse_coalition(c, parties) for c in coalitions]
    sp = simulation_plan(plan, error, int(seed), base.regions)
    chunks = list(enumerate(chunk_sizes(sims)))

    bar = None
    if progress is True:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(
            TextColumn("simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        task = bar.add_task("sims", total=sims)
        bar.start()
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if bar is not None:
            bar.update(task, completed=done)
        elif callable(progress):
            progress(done, sims)

    try:
        if backend == "local":
            parts = _run_local(sp, chunks, workers, advance)
        else:
            parts = _run_dask(sp, chunks, scheduler, workers, advance, processes=processes)
    finally:
        if bar is not None:
            bar.stop()
    seat_matrix = np.concatenate([parts[i][0] for i, _ in chunks], axis=0)
    wins = sum(parts[i][1].astype(np.int64) for i, _ in chunks)
    return summarise(seat_matrix, wins, plan, sp, conventions, named, backend, error)


def coalition_odds(
    seat_matrix: np.ndarray,
    voting: np.ndarray,
    working: np.ndarray,
    absolute: int,
    parties: Sequence[str],
    members: tuple[str, ...],
) -> CoalitionOdds:
    """How often ``members`` reach each majority, from :func:`majority_arithmetic`'s arrays."""
    cols = [list(parties).index(p) for p in members]
    able = voting[:, cols] > 0  # parties none of whose members vote cannot join
    total = (seat_matrix[:, cols] * able).sum(axis=1)
    voters = voting[:, cols].sum(axis=1)
    lo, med, hi = np.quantile(total, [0.05, 0.5, 0.95], method="inverted_cdf").astype(int)
    return CoalitionOdds(
        members,
        float((total >= absolute).mean()),
        float((voters >= working).mean()),
        int(med),
        int(lo),
        int(hi),
    )


def summarise(
    seat_matrix: np.ndarray,
    wins: np.ndarray,
    plan: ProjectionPlan,
    sp: SimulationPlan,
    conventions: SeatConventions,
    named: Sequence[tuple[str, ...]],
    backend: str,
    error: PollingError,
) -> Forecast:
    """Turn the ``(sims, P)`` seat matrix into a :class:`Forecast`."""
    parties = plan.parties
    n = seat_matrix.shape[0]
    q = np.quantile(seat_matrix, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf").astype(int)
    mean = seat_matrix.mean(axis=0)
    top = seat_matrix.max(axis=1, keepdims=True)
    is_top = seat_matrix == top
    p_largest = (is_top / is_top.sum(axis=1, keepdims=True)).sum(axis=0) / n
    voting, working, absolute = majority_arithmetic(seat_matrix, parties, conventions)
    majority = seat_matrix >= absolute
    p_majority = majority.mean(axis=0)
    overall = float(majority.any(axis=1).mean())
    odds = [coalition_odds(seat_matrix, voting, working, absolute, parties, m) for m in named]
    central = projection_from_plan(plan, conventions)
    nat = plan.national_target
    return Forecast(
        model=plan.model,
        level=plan.level,
        sims=n,
        seed=sp.seed,
        backend=backend,
        parties=parties,
        seats=seat_matrix,
        median=MappingProxyType({p: int(q[1, i]) for i, p in enumerate(parties)}),
        low=MappingProxyType({p: int(q[0, i]) for i, p in enumerate(parties)}),
        high=MappingProxyType({p: int(q[2, i]) for i, p in enumerate(parties)}),
        mean=MappingProxyType({p: float(mean[i]) for i, p in enumerate(parties)}),
        p_largest=MappingProxyType({p: float(p_largest[i]) for i, p in enumerate(parties)}),
        p_majority=MappingProxyType({p: float(p_majority[i]) for i, p in enumerate(parties)}),
        p_overall_majority=overall,
        p_hung=1.0 - overall,
        coalitions=tuple(odds),
        absolute_majority=absolute,
        median_working_threshold=int(np.median(working)),
        districts=plan.districts,
        seat_probabilities=(wins / n).astype(np.float32),
        central_seats=central.seats,
        national_target=MappingProxyType(
            {parties[i]: float(v) for i in np.argsort(-nat) if (v := nat[i]) > 0.0005}
        ),
        error=error,
        notes=plan.notes,
        pooled=plan.pooled,
    )


# ----------------------------------------------------------------------------------------------
# results night: declared seats fixed, the rest simulated
# ----------------------------------------------------------------------------------------------
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
        voting, working, absolute = majority_arithmetic(cols, names, self.conventions)
        return coalition_odds(cols, voting, working, absolute, names, members)

    def probability(self, parties: str | Iterable[str]) -> float | None:
        """P(absolute majority) of a group: simulated, 1 or 0 once settled, else ``None``."""
        if self.settled:
            members = parties.replace(",", "+").split("+") if isinstance(parties, str) else parties
            seats = sum(self.seats.get(str(p).strip(), 0) for p in members)
            return 1.0 if seats >= self.absolute_majority else 0.0
        odds = self.odds(parties)
        return None if odds is None else odds.p_absolute

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
) -> DeclaredForecast:
    """Results night: fix the declared seats, project the rest from the swing seen so far, and
    simulate the undeclared seats only with the :func:`forecast` machinery.

    ``declared`` maps base districts to declared votes per party. Declared seats go to the most
    votes (a tie by lot, seeded 0). The rest are projected by :func:`~kingmaker.projection.
    swing_from_declared`'s targets and model; Northern Ireland and the Speaker's seat keep their
    base result until declared. Each of ``sims`` simulations draws the errors of ``error``
    (default :data:`LIVE_ERROR`) with the national and regional parts scaled by the square root of
    the fraction of seats not yet declared. ``coalitions`` get :class:`CoalitionOdds` in the
    forecast; :meth:`DeclaredForecast.odds` gives them for any group afterwards.
    """
    from kingmaker.seats.plurality import plurality_winners

    if isinstance(sims, bool) or not isinstance(sims, int | np.integer) or sims < 0:
        raise InputError(f"the number of simulations must be a whole number >= 0, got {sims!r}")
    if sims > MAX_SIMS:
        raise TooLargeError(f"{sims:,} simulations is more than the limit of {MAX_SIMS:,}")
    error = error or LIVE_ERROR
    mask, votes = declared_votes(base, declared)
    parties = base.parties
    winners = np.zeros(0, dtype=np.int64)
    if mask.any():
        table = VoteTable(votes[mask], parties, tuple(np.array(base.districts)[mask]))
        winners = np.asarray(plurality_winners(table, "lot", seed=0)[0], dtype=np.int64)
    won = np.bincount(winners, minlength=len(parties))
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
                    winners,
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
        absolute_majority=base.n_districts // 2 + 1,
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
    parts = _run_local(sp, chunks, workers, lambda n: None)
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


__all__ = [
    "BACKENDS",
    "CHUNK_SIZE",
    "LIVE_ERROR",
    "POOLED",
    "CoalitionOdds",
    "DeclaredForecast",
    "Forecast",
    "PollingError",
    "coalition_odds",
    "forecast",
    "forecast_from_declared",
    "majority_arithmetic",
    "parse_coalition",
]
