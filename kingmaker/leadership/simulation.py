"""Vectorised Monte Carlo of a leadership contest: win and reach-round probabilities.

:func:`simulate_contest` (:meth:`Contest.simulate <kingmaker.leadership.contest.Contest.simulate>`)
draws every section's first-preference shares around the given ones and counts all the
simulations at once; :func:`spoiler_probabilities` reruns it with each candidate withdrawn.

How the Monte Carlo stays the engine's count: a transfer model turns into ranked ballots
(:class:`~kingmaker.leadership.transfers.RankingModel`, rankings conditional on the first
preference). The deterministic path (:meth:`Contest.count
<kingmaker.leadership.contest.Contest.count>`) hands those ballots, weighted by the
first-preference shares, to the engine (:mod:`kingmaker.counting.college`,
:mod:`kingmaker.counting.av`, :mod:`kingmaker.counting.exhaustive`). The vectorised path uses the
same ballots: for every set of eliminated candidates it precomputes where each first
preference's ballots sit (an ``n x n`` landing table), so a section's tally in a simulation
is ``shares @ table``, done for all simulations at once. The round logic (percentages of
live ballots, majority test, last place out, backwards tie-break) follows the engine's
rules, and the tests check equality with the engine. One caveat: an *exact* tie (equal
shares with no uncertainty) may be broken by floating-point noise in the engine's float
tallies but by the engine's tie-break rule here; such counts are reported in
:attr:`Simulation.ties` and the notes. With Dirichlet noise ties have probability 0.

Transfer uncertainty: with ``transfer_concentration = c`` each row of a transfer matrix (the
shares going to every other candidate plus the share that exhausts) is drawn from
Dirichlet(``c`` x row) in every simulation: its mean is the row as given, each entry ``p``
has standard deviation ``sqrt(p (1 - p) / (c + 1))``, and zero entries stay zero. The
vectorised count needs a landing table per matrix, so ``transfer_draws`` distinct matrices
are drawn once per run (from the seed) and each simulation picks one of them at random.
Sections that share a transfer model (the top-level one) and its concentration share the
draw in each simulation (the uncertainty is about voters' behaviour, common to sections);
a section with its own matrix gets its own draws. Without ``transfer_concentration`` the
matrix is fixed and the simulation is exactly the engine's count of the drawn shares.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from kingmaker._validate import check_seed, check_sims
from kingmaker.errors import RuleError, TooLargeError
from kingmaker.leadership.transfers import _landing_tables
from kingmaker.provenance import frame_html, json_result
from kingmaker.transfers import TransferMatrix, _check_names

if TYPE_CHECKING:
    from kingmaker.leadership.sections import ContestInputs as Contest

#: Most simulations in one call.
MAX_SIMS = 50_000_000
#: Simulations processed per block (bounds memory). Fixed, so that a seed alone fixes the results.
CHUNK = 50_000
#: Memory allowed for the landing tables of the noisy transfer matrices of one model.
MAX_TRANSFER_TABLE_BYTES = 512 * 2**20


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo result: probabilities of winning and of reaching each round.

    ``reach[c][k]`` is the probability that candidate ``c`` is still in the count at round
    ``k + 1`` (round 1 is 1 for everyone). ``deterministic_winner`` is the engine's count at
    the central shares. ``to_dict()`` has ``win_probability`` so that it feeds
    ``kingmaker odds --model``.
    """

    title: str
    rules: str
    candidates: tuple[str, ...]
    sims: int
    seed: int | None
    win_probability: Mapping[str, float]
    reach: Mapping[str, tuple[float, ...]]
    round_labels: tuple[str, ...]
    deterministic_winner: str
    ties: int = 0
    elapsed: float = 0.0
    withdrawn: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    kept: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    winners: np.ndarray | None = field(default=None, compare=False, repr=False)

    def standard_error(self, candidate: str) -> float:
        """Monte Carlo standard error of a win probability."""
        p = self.win_probability[candidate]
        return math.sqrt(p * (1 - p) / self.sims)

    @json_result
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: ``win_probability``, ``reach_round`` per candidate, and the settings."""
        return {
            "title": self.title,
            "rules": self.rules,
            "sims": self.sims,
            "seed": self.seed,
            "win_probability": dict(self.win_probability),
            "standard_error": {c: self.standard_error(c) for c in self.candidates},
            "reach_round": {
                c: dict(zip(self.round_labels, self.reach[c], strict=True)) for c in self.candidates
            },
            "deterministic_winner": self.deterministic_winner,
            "withdrawn": list(self.withdrawn),
            "ties": self.ties,
            "elapsed_seconds": round(self.elapsed, 4),
            "notes": list(self.notes),
        }

    def to_frame(self) -> Any:
        """Candidates by win probability and probability of reaching each round."""
        import pandas as pd

        rows = []
        for c in self.candidates:
            row = {"candidate": c, "win": self.win_probability[c]}
            row.update(dict(zip(self.round_labels, self.reach[c], strict=True)))
            rows.append(row)
        return pd.DataFrame(rows).set_index("candidate").sort_values("win", ascending=False)

    def _repr_html_(self) -> str:
        return frame_html(self, f"{self.title or 'Leadership contest'}: {self.sims:,} simulations")


def _round_labels(kind: str, n_active: int) -> tuple[str, ...]:
    if kind == "exhaustive":
        k = max(n_active - 2, 0)
        return (*tuple(f"MPs' ballot {i + 1}" for i in range(k)), "members' ballot")
    return tuple(f"round {i + 1}" for i in range(max(n_active, 1)))


def simulate_contest(
    contest: Contest,
    sims: int,
    seed: int | None = None,
    *,
    withdrawn: Sequence[str] = (),
    keep: int = 0,
    chunk: int = CHUNK,
) -> Simulation:
    """Vectorised Monte Carlo of ``contest`` (see :meth:`Contest.simulate`)."""
    sims = check_sims(sims, maximum=MAX_SIMS)
    seed = check_seed(seed)
    _check_names(list(withdrawn), contest.candidates, "withdrawn")
    t0 = time.perf_counter()
    rules = contest.rules
    n = len(contest.candidates)
    start_mask = 0
    for c in withdrawn:
        start_mask |= 1 << contest.candidates.index(c)
    n_active = n - len(set(withdrawn))
    if n_active < 1:
        raise RuleError("every candidate has withdrawn")
    labels = _round_labels(rules.kind, n_active)
    det = contest.count(withdrawn=withdrawn).winner
    rng = np.random.default_rng(seed)
    # transfer uncertainty draws from a child stream, so the share draws are the same with or without it
    pools, pool_of = _transfer_pools(contest, rng.spawn(1)[0] if _has_transfer_noise(contest) else None)
    tables = [
        _landing_tables(s.transfers) if pool_of[i] is None else pools[pool_of[i]][1]
        for i, s in enumerate(contest.sections)
    ]
    trng = rng.spawn(1)[0] if pools else None
    wins = np.zeros(n, dtype=np.int64)
    reach = np.zeros((len(labels), n), dtype=np.int64)
    ties = 0
    winners_all = np.empty(sims, dtype=np.int64)
    kept_shares: dict[str, list[np.ndarray]] = {s.name: [] for s in contest.sections}
    kept_draws: dict[str, list[np.ndarray]] = {
        s.name: [] for i, s in enumerate(contest.sections) if pool_of[i] is not None
    }
    kept_tallies: list[list[np.ndarray]] = []
    done = 0
    while done < sims:
        k = min(chunk, sims - done)
        F = [s.draw(rng, k) for s in contest.sections]
        picks = [] if trng is None else [trng.integers(len(p[0]), size=k) for p in pools]
        idx = [None if pool_of[i] is None else picks[pool_of[i]] for i in range(len(contest.sections))]
        want = max(0, min(keep - done, k))
        w, rch, nt, tall = _count_block(contest, F, tables, start_mask, n_active, keep=want, draws=idx)
        wins += np.bincount(w, minlength=n)
        reach += rch
        ties += nt
        winners_all[done : done + k] = w
        if want:
            for i, (s, f) in enumerate(zip(contest.sections, F, strict=True)):
                kept_shares[s.name].append(f[:want])
                if idx[i] is not None:
                    kept_draws[s.name].append(idx[i][:want])
            kept_tallies.append(tall)
        done += k
    kept: dict[str, Any] = {}
    if keep:
        kept["shares"] = {k_: np.vstack(v) for k_, v in kept_shares.items()}
        if kept_draws:
            # each kept simulation's noisy transfer matrix per section (TransferMatrix objects)
            kept["transfers"] = {
                name: [pools[pool_of[i]][0][j] for j in np.concatenate(kept_draws[name])]
                for i, name in enumerate(s.name for s in contest.sections)
                if pool_of[i] is not None
            }
        kept["tallies"] = [
            np.concatenate([blk[r] for blk in kept_tallies], axis=0) for r in range(len(labels))
        ]
    used = len(labels)
    while used > 1 and not reach[used - 1].any():
        used -= 1
    labels, reach = labels[:used], reach[:used]
    if keep:
        kept["tallies"] = kept["tallies"][:used]
    notes = list(contest.notes)
    for p in range(len(pools)):
        secs = [s for i, s in enumerate(contest.sections) if pool_of[i] == p]
        notes.append(
            f"transfer uncertainty: each transfer row drawn from Dirichlet({secs[0].transfer_concentration:g}"
            f" x row), {len(pools[p][0])} distinct matrices, shared by section(s) "
            + ", ".join(s.name for s in secs)
        )
    if ties:
        notes.append(f"{ties} simulated count(s) met an exact tie, broken as the engine does (backwards)")
    return Simulation(
        title=contest.title,
        rules=rules.name,
        candidates=contest.candidates,
        sims=int(sims),
        seed=seed,
        win_probability=MappingProxyType(
            {c: float(wins[i]) / sims for i, c in enumerate(contest.candidates)}
        ),
        reach=MappingProxyType(
            {
                c: tuple(float(reach[r, i]) / sims for r in range(len(labels)))
                for i, c in enumerate(contest.candidates)
            }
        ),
        round_labels=labels,
        deterministic_winner=det,
        ties=ties,
        elapsed=time.perf_counter() - t0,
        withdrawn=tuple(withdrawn),
        notes=tuple(notes),
        kept=MappingProxyType(kept),
        winners=winners_all,
    )


def _has_transfer_noise(contest: Contest) -> bool:
    return any(s.transfer_concentration is not None for s in contest.sections)


def _transfer_pools(
    contest: Contest, rng: np.random.Generator | None
) -> tuple[list[tuple[list[TransferMatrix], np.ndarray]], list[int | None]]:
    """Noisy transfer matrices and their landing tables, one pool per (model, concentration).

    Returns the pools (``(matrices, tables[draw, mask, i, j])``) and, per section, the index
    of its pool (``None``: a fixed model). Sections sharing a model and concentration share
    a pool, hence the draw in each simulation.
    """
    pools: list[tuple[list[TransferMatrix], np.ndarray]] = []
    keys: dict[tuple[int, float], int] = {}
    pool_of: list[int | None] = []
    n = len(contest.candidates)
    per_table = (1 << n) * n * n * 8
    draws = contest.transfer_draws
    if draws * per_table > MAX_TRANSFER_TABLE_BYTES:
        raise TooLargeError(
            f"{draws} transfer draws for {n} candidates need {draws * per_table / 2**20:,.0f} MiB of "
            f"landing tables (limit {MAX_TRANSFER_TABLE_BYTES // 2**20} MiB): lower transfer_draws"
        )
    for s in contest.sections:
        tc = s.transfer_concentration
        if tc is None or rng is None:
            pool_of.append(None)
            continue
        assert isinstance(s.transfers, TransferMatrix)
        key = (id(s.transfers), float(tc))
        if key not in keys:
            mats = [s.transfers.draw(rng, tc) for _ in range(draws)]
            tabs = np.stack([m.ranking_model().landing_tables() for m in mats])
            keys[key] = len(pools)
            pools.append((mats, tabs))
        pool_of.append(keys[key])
    return pools, pool_of


def _section_tally(
    F: np.ndarray, table: np.ndarray, masks: np.ndarray, draw: np.ndarray | None = None
) -> np.ndarray:
    """``F[s] @ table[masks[s]]`` (or ``table[draw[s], masks[s]]``) for every simulation ``s``."""
    if draw is not None:
        return np.einsum("si,sij->sj", F, table[draw, masks])
    first = int(masks[0])
    if not (masks != first).any():
        return np.einsum("si,ij->sj", F, table[first])  # einsum: no BLAS threads for tiny matrices
    return np.einsum("si,sij->sj", F, table[masks])


def _count_block(
    contest: Contest,
    F: list[np.ndarray],
    tables: list[np.ndarray],
    start_mask: int,
    n_active: int,
    keep: int = 0,
    draws: Sequence[np.ndarray | None] | None = None,
) -> tuple[np.ndarray, np.ndarray, int, list[np.ndarray]]:
    """Count a block of simulations round by round on ``(sims, candidates)`` arrays.

    Returns each simulation's winner, reach counts per round and candidate, the number of
    exact ties met, and (for the first ``keep`` simulations) the round tallies with NaN where
    a candidate is out or the count has ended. Tallies are in the engine's units: college
    percentages, pooled votes, or each stage's votes. ``draws`` gives, per section, each
    simulation's noisy transfer matrix (an index into that section's stacked tables) or None.
    """
    rules = contest.rules
    if draws is None:
        draws = [None] * len(F)
    kind = rules.kind
    k, n = F[0].shape
    bits = 1 << np.arange(n, dtype=np.int64)
    alive = np.ones((k, n), dtype=bool)
    alive &= (start_mask & bits) == 0
    masks = np.full(k, start_mask, dtype=np.int64)
    open_ = np.ones(k, dtype=bool)
    winner = np.full(k, -1, dtype=np.int64)
    labels = _round_labels(kind, n_active)
    reach = np.zeros((len(labels), n), dtype=np.int64)
    history: list[np.ndarray] = []
    kept: list[np.ndarray] = []
    n_ties = 0
    scale = np.array([s.voters if s.voters is not None else 100.0 for s in contest.sections])
    if kind == "college":
        wts = np.array([float(rules.section(s.name).weight or 0) for s in contest.sections])
        wts = wts / wts.sum()
    else:
        wts = scale
    mps_i = fin_i = 0
    if kind == "exhaustive":
        names = [s.name for s in contest.sections]
        mps_i = names.index(rules.stage_section("exhaustive").name)
        fin_i = names.index(rules.stage_section("final").name)
    for rnd in range(len(labels)):
        final_stage = kind == "exhaustive" and rnd == len(labels) - 1
        if kind == "college":
            score = np.zeros((k, n))
            for f, tab, w, d in zip(F, tables, wts, draws, strict=True):
                t = _section_tally(f, tab, masks, d)
                tot = t.sum(axis=1, keepdims=True)
                score += np.where(tot > 0, 100.0 * w * t / np.where(tot > 0, tot, 1.0), 0.0)
            total = np.full(k, 100.0)
        elif kind == "omov":
            score = np.zeros((k, n))
            for f, tab, w, d in zip(F, tables, wts, draws, strict=True):
                score += w * _section_tally(f, tab, masks, d)
            total = score.sum(axis=1)
        else:
            i = fin_i if final_stage else mps_i
            score = scale[i] * _section_tally(F[i], tables[i], masks, draws[i])
            total = score.sum(axis=1)
        reach[rnd] = (alive & open_[:, None]).sum(axis=0)
        if keep:
            kept.append(np.where(alive[:keep] & open_[:keep, None], score[:keep], np.nan))
        history.append(np.where(alive, score, np.nan))
        masked_hi = np.where(alive, score, -np.inf)
        best = masked_hi.argmax(axis=1)
        top = masked_hi.max(axis=1)
        n_alive = alive.sum(axis=1)
        if kind == "exhaustive":
            decide = np.full(k, final_stage)
        else:
            decide = (top * 2 > total) | (n_alive <= 1) | (total <= 0)
        decide &= open_
        winner[decide] = best[decide]
        open_ &= ~decide
        if not open_.any():
            break
        masked_lo = np.where(alive, score, np.inf)
        low = masked_lo.min(axis=1)
        loser = masked_lo.argmin(axis=1)
        tied = open_ & ((masked_lo == low[:, None]).sum(axis=1) > 1)
        for s in np.nonzero(tied)[0]:
            loser[s] = _break_tie(contest.candidates, history, s, np.nonzero(masked_lo[s] == low[s])[0])
            n_ties += 1
        rows = np.nonzero(open_)[0]
        alive[rows, loser[rows]] = False
        masks[rows] |= bits[loser[rows]]
    if (winner < 0).any():  # pragma: no cover - every count ends within n rounds
        raise RuleError("a simulated count did not finish")
    if keep:
        kept += [np.full((keep, n), np.nan) for _ in range(len(labels) - len(kept))]
    return winner, reach, n_ties, kept


def _break_tie(candidates: Sequence[str], history: list[np.ndarray], s: int, tied: np.ndarray) -> int:
    """The engine's tie-break for an elimination (backwards, then its seeded lot)."""
    from kingmaker.ties import TieBreaker, TieBreakPolicy

    breaker = TieBreaker(TieBreakPolicy("backwards"), candidates)
    for h in history:
        row = h[s]
        breaker.record({int(c): float(row[c]) for c in np.nonzero(~np.isnan(row))[0]})
    chosen, _ = breaker.break_tie(
        [int(c) for c in tied], lowest=True, round_no=len(history), purpose="eliminate"
    )
    return chosen


def spoiler_probabilities(contest: Contest, sims: int, seed: int | None = None) -> dict[str, float]:
    """For each candidate, the probability that their withdrawal changes the winner.

    Every run uses the same seed, hence the same draws of the shares, so the comparison is
    simulation by simulation. A candidate's own win counts as a change only for others.
    """
    base = contest.simulate(sims, seed)
    assert base.winners is not None
    out = {}
    for i, c in enumerate(contest.candidates):
        alt = contest.simulate(sims, seed, withdrawn=[c])
        assert alt.winners is not None
        changed = (alt.winners != base.winners) & (base.winners != i)
        out[c] = float(changed.mean())
    return out


__all__ = [
    "CHUNK",
    "MAX_SIMS",
    "MAX_TRANSFER_TABLE_BYTES",
    "Simulation",
    "simulate_contest",
    "spoiler_probabilities",
]
