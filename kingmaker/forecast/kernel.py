"""The simulation kernel: the plan a worker needs, the chunking, the seeding and :func:`simulate_chunk`.

Results are **deterministic**: simulations are cut into chunks of :data:`CHUNK_SIZE`, and chunk *i*
draws from ``numpy.random.SeedSequence(seed, spawn_key=(i,))``, so the numbers depend only on the
seed and the number of simulations, never on how chunks are spread over threads or Dask workers
(:mod:`kingmaker.forecast.backends`). :data:`CHUNK_SIZE` and :data:`_BLOCK_ELEMENTS` are part of
the definition of the random stream.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kingmaker.errors import InputError
from kingmaker.projection import ProjectionPlan

#: Simulations per chunk; part of the definition of the random stream (do not vary per run).
CHUNK_SIZE = 1000
#: Most simulations one call accepts.
MAX_SIMS = 10_000_000
#: Minor parties below this share of every seat's vote are pooled in forecasts.
POOL_BELOW = 0.10
#: Simulations x seats per working block of a chunk (float32 arrays of this size stay in the CPU
#: cache; part of the definition of the random stream).
_BLOCK_ELEMENTS = 65_536
#: Slack (shares) on the bounds that rule a party out of a seat for a block (float32 rounding).
_PRUNE_MARGIN = 1e-5
#: Largest error size (sd, points) accepted: shares live on a 0-100 scale, so a larger spread is
#: noise over the whole scale (and 1e308 overflows the arithmetic), never a forecast.
MAX_ERROR_POINTS = 100.0
#: Reference share for the error sizes: the given sd applies to a party at 35%.
_REF = math.sqrt(0.35 * 0.65)


@dataclass(frozen=True)
class PollingError:
    """Sizes of the simulated errors, in percentage points (see :mod:`kingmaker.forecast`)."""

    national: float = 2.5
    correlation: float = 0.0
    regional: float = 1.5
    seat: float = 3.0

    def __post_init__(self) -> None:
        for name in ("national", "regional", "seat"):
            value = getattr(self, name)
            if not math.isfinite(value) or not 0 <= value <= MAX_ERROR_POINTS:
                raise InputError(
                    f"{name} error must be a number of points from 0 to {MAX_ERROR_POINTS:g}, got {value:g}"
                )
        if not math.isfinite(self.correlation) or not -1 <= self.correlation <= 1:
            raise InputError(f"correlation must be between -1 and 1, got {self.correlation}")


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


__all__ = [
    "CHUNK_SIZE",
    "MAX_SIMS",
    "POOL_BELOW",
    "PollingError",
    "SimulationPlan",
    "chunk_sizes",
    "simulate_batch",
    "simulate_chunk",
    "simulation_plan",
]
