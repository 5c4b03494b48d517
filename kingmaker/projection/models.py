"""The four swing models, each registered by name in :data:`~kingmaker.projection.registry.SWING_MODELS`.

Notation (see :mod:`kingmaker.projection`): ``b[d, p]`` is party *p*'s share of the vote in seat
*d* at the base, ``B[a, p]`` its share across area *a* (the whole scope for national shares,
votes-weighted) and ``T[a, p]`` its new share there; ``f[d, p]`` is 1 for a party that stands in
every seat of the area, ``W / W_p`` (votes cast in the area over votes cast in the seats where *p*
stands) for one that stands in part of it, and 0 where it does not stand.

Each model is a function ``(plan, targets) -> scores``: area targets ``(S, A, P)`` to unnormalised
seat shares ``(S, D, P)`` for a :class:`~kingmaker.projection.plan.ProjectionPlan`. Held seats (the
Speaker's, seats outside the scope) keep their base shares; the winner of a seat is its largest
score. A new model is one function here with its ``@SWING_MODELS.register`` line: ``project``,
``forecast``, the CLI's ``--model`` and the contract tests pick it up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from kingmaker.projection.registry import SWING_MODELS

if TYPE_CHECKING:
    from kingmaker.projection.plan import ProjectionPlan

#: Fitting passes of the transition model's gain correction ``k``.
FIT_PASSES = 3


def _additive(plan: ProjectionPlan, targets: np.ndarray) -> np.ndarray:
    b = plan.base_shares[None]
    return b + plan.per_seat(targets - plan.area_base[None], 0.0) * plan.seat_factor[None]


@SWING_MODELS.register(
    "uniform",
    summary="uniform national swing: every seat moves by the national change (additive)",
    properties=("deterministic",),
    kind="additive",
    level="national",
)
def uniform(plan: ProjectionPlan, targets: np.ndarray) -> np.ndarray:
    """Uniform national swing, additive: ``s[d, p] = b[d, p] + (T[p] - B[p]) * f[d, p]``.

    For a party standing in only part of the area ``f = W / W_p``, so that a GB-wide SNP gain of
    3 points becomes a gain of about 33 points in each Scottish seat (the SNP stands in Scotland
    only, where some 9% of the GB votes are cast) and the projected national share still equals
    the target. Shares that would go negative are clipped to 0 and the seat renormalised.
    """
    return _additive(plan, targets)


@SWING_MODELS.register(
    "proportional",
    summary="proportional swing: every seat's share scales by the national ratio",
    properties=("deterministic",),
    kind="proportional",
    level="national",
)
def proportional(plan: ProjectionPlan, targets: np.ndarray) -> np.ndarray:
    """Proportional swing: ``s[d, p] = b[d, p] * T[p] / B[p]``; a new party (``B = 0``) gets
    ``T[p] * f[d, p]``."""
    b = plan.base_shares[None]
    base = plan.area_base[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0, targets / base, 0.0)
    fresh = np.where(base > 0, 0.0, targets)
    return b * plan.per_seat(ratio, 1.0) + plan.per_seat(fresh, 0.0) * plan.seat_factor[None]


@SWING_MODELS.register(
    "regional",
    summary="regional uniform swing: the additive swing measured per region (or nation)",
    properties=("deterministic",),
    kind="additive",
    level="region",
)
def regional(plan: ProjectionPlan, targets: np.ndarray) -> np.ndarray:
    """Regional uniform swing: the additive formula applied per area *a* (the table's regions by
    default, or nations): ``s[d, p] = b[d, p] + (T[a, p] - B[a, p]) * f[d, p]``, the change
    measured in the area of *d* (``f`` now within the area).

    With only national shares, each area's target is first derived from its base by the same
    additive rule, ``T[a] = clip(B[a] + (T - B) * g[a, p], 0)`` renormalised, with ``g`` = votes
    cast in the scope over votes cast in the areas where *p* stands (0 in the others); the areas
    then differ only through clipping, and in :mod:`kingmaker.forecast` through the regional noise.
    """
    return _additive(plan, targets)


@SWING_MODELS.register(
    "transition",
    summary="Strong Transition Model (Electoral Calculus, Baxter 2007): weak supporters leave first",
    options=("strong_threshold",),
    properties=("deterministic",),
    kind="transition",
    level="region",
)
def transition(plan: ProjectionPlan, targets: np.ndarray) -> np.ndarray:
    """The Electoral Calculus *Strong Transition Model* (Baxter 2007), measured per area like
    ``regional``.

    Each party's support in a seat is split into *weak* supporters, ``w[d, p] = min(b[d, p], tau)``,
    and *strong* ones, ``b - w``, with ``tau`` = 20% of the vote (``strong_threshold``). A party that
    declines in the area, ``L[a, p] = B - T > 0``, loses its weak supporters first, at one rate in
    every seat, and its strong ones only once the weak are all gone:
    ``loss[d, p] = min(1, L / Wk) * w[d, p] + max(0, L - Wk) / St * (b[d, p] - w[d, p])`` with
    ``Wk``, ``St`` the area's weak and strong totals. Losses are therefore multiplicative (a party
    that loses a quarter of its vote loses about a quarter in each seat, so more votes where it was
    stronger) and shares can never go negative. The votes released in a seat,
    ``R[d] = sum_p loss[d, p]``, go to the gaining parties (``G[a, q] = T - B > 0``) that stand
    there, in proportion to their area gains: ``gain[d, q] = R[d] * G[q] * k[q] / sum_r G[r] k[r]``,
    with ``k`` a correction (:data:`FIT_PASSES` fitting passes) that keeps each gainer's area total
    on target where it does not stand everywhere, as far as the votes released where it stands allow
    (a party surging in one nation needs that nation's shares, or ``level="nation"``, to get its
    gain). A seat where no gaining party stands keeps its base shares (the votes its decliners
    would lose have nowhere to go). ``strong_threshold=1`` gives the plain Transition Model (purely proportional losses,
    Electoral Calculus 2004). References: electoralcalculus.co.uk, "Transition Model 2004" and
    "Strong Transition Model 2007".
    """
    base = plan.area_base[None]
    loss = np.maximum(base - targets, 0.0)
    gain = np.maximum(targets - base, 0.0)
    weak_total = plan.area_weak[None]
    strong_total = base - weak_total
    with np.errstate(divide="ignore", invalid="ignore"):
        weak_rate = np.where(weak_total > 0, np.minimum(loss / weak_total, 1.0), 0.0)
        strong_rate = np.where(strong_total > 0, np.clip((loss - weak_total) / strong_total, 0.0, 1.0), 0.0)
    b = plan.base_shares
    weak = plan.weak
    strong = b - weak
    stand = (plan.stand & ~plan.held[:, None]).astype(np.float64)
    # Every per-seat sum over parties is a product of an area's (S, P) rates with its seats'
    # (D_a, P) shares, so the fitting works on (S, D) and (S, A, P) arrays only; the full
    # (S, D, P) scores are built once at the end.
    n_s = targets.shape[0]
    seats_of = [np.flatnonzero(plan.area_of == a) for a in range(plan.n_areas)]
    released = np.zeros((n_s, len(b)))  # (S, D) votes lost in each seat; 0 in held seats
    for a, rows in enumerate(seats_of):
        released[:, rows] = weak_rate[:, a] @ weak[rows].T + strong_rate[:, a] @ strong[rows].T
    share_w = [plan.weights[rows] / max(plan.weights[rows].sum(), 1e-300) for rows in seats_of]
    k = np.ones_like(gain)
    ratio = np.zeros_like(released)
    passes = FIT_PASSES if plan.partial_standing else 1
    for i in range(passes):
        pull = gain * k  # (S, A, P): each gainer's pull, shared where it stands
        norm = np.zeros_like(released)
        for a, rows in enumerate(seats_of):
            norm[:, rows] = pull[:, a] @ stand[rows].T
        ratio = np.divide(released, norm, out=np.zeros_like(norm), where=norm > 0)
        if i + 1 < passes:
            achieved = np.empty_like(gain)  # (S, A, P) area gains
            for a, rows in enumerate(seats_of):
                achieved[:, a] = pull[:, a] * ((ratio[:, rows] * share_w[a]) @ stand[rows])
            with np.errstate(divide="ignore", invalid="ignore"):
                k = np.where((achieved > 0) & (gain > 0), k * gain / achieved, k)
    # b - lost + the released votes shared in proportion to the pull
    out = b[None] - plan.per_seat(weak_rate, 0.0) * weak[None]
    out -= plan.per_seat(strong_rate, 0.0) * strong[None]
    gained = plan.per_seat(gain * k, 0.0)
    gained *= stand[None]
    gained *= ratio[:, :, None]
    out += gained
    # a seat where no gaining party stands keeps its base shares: its losers' votes have nowhere to go
    stranded = (norm <= 0) & (released > 0)
    if stranded.any():
        out = np.where(stranded[:, :, None], b[None], out)
    return out


__all__ = ["FIT_PASSES", "proportional", "regional", "transition", "uniform"]
