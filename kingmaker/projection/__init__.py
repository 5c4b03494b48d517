"""Seat projection: from a base election and new vote shares to seats, with four swing models.

The base is a :class:`~kingmaker.votes.VoteTable` of single-member constituencies (the previous
result); the new shares are given in percent, either nationally (``{"Con": 36, "Lab": 29, ...}``)
or per area (``{"Scotland": {"SNP": 50, ...}, "Wales": {...}}``, areas being the table's nations
or regions). Write ``b[d, p]`` for party *p*'s share of the vote in seat *d* at the base,
``B[a, p]`` for its share across area *a* (the whole scope for national shares, votes-weighted) and
``T[a, p]`` for its new share there. Seats are won by the largest projected share.

Models
------
Registered by name in :data:`~kingmaker.projection.registry.SWING_MODELS`, each with its formula
in its docstring (:mod:`kingmaker.projection.models`): ``uniform`` (uniform national swing,
additive), ``proportional`` (proportional swing), ``regional`` (regional uniform swing) and
``transition`` (the Electoral Calculus Strong Transition Model, Baxter 2007).

Special cases
-------------
* **Parties that do not stand everywhere** (SNP, Plaid Cymru, the Northern Ireland parties) gain
  or lose only where they stood at the base (``f`` in :mod:`kingmaker.projection.models`); a party never appears in a seat it did
  not contest.
* **Scope of national shares.** GB polls exclude Northern Ireland, so by default (``scope="auto"``)
  national shares are GB shares when the table has Northern Ireland seats, and those 18 seats keep
  their base result. ``scope="all"`` applies national shares to every seat. Per-area shares apply
  to the areas named; seats in other areas keep their base result.
* **Shares that would go negative** (additive models) are clipped to 0 and the seat's shares are
  renormalised to sum to 1, which spreads the excess over the other parties in proportion to their
  shares; the projected national shares can then miss the targets slightly (reported in
  :attr:`Projection.projected_national`).
* **The Speaker's seat** (a party named ``Speaker`` or ``Spk``): by convention the main parties do
  not contest it, so it keeps its base result, takes no part in measuring the swing, and the
  Speaker keeps it.
* **New parties** with no base vote must be declared (``new_parties=``; an undeclared unknown name
  is an :class:`~kingmaker.errors.UnknownNameError`). A new party is taken to stand in every seat
  the swing applies to (not the Speaker's) and gets its target share there (``f = 1``).
* **Parties not named** in the shares keep their base share, unless the shares have an ``Other``
  (``Others``, ``Oth``) entry, which is then split among the unnamed parties in proportion to their
  base shares.
* **Shares that do not sum to 100**: within :data:`SHARE_TOLERANCE` points they are normalised,
  with a warning when off by more than 0.1 points; beyond it, refused. Negative shares are refused.

Package layout and dependency direction (each module imports only those above it)::

    registry.py   SWING_MODELS (filled by models.py on first lookup)
    shares.py     parse_shares, target_vector, ProjectionWarning (names via kingmaker.names)
    plan.py       ProjectionPlan, plan_projection (the arrays a projection or forecast needs)
    models.py     uniform, proportional, regional, transition: (plan, targets) -> scores
    result.py     Projection, SeatChange, projection_from_plan (who votes: kingmaker.conventions)
    declared.py   results night: declared_votes, DeclaredSwing, swing_from_declared
    __init__.py   project()
"""

from __future__ import annotations

from collections.abc import Iterable

from kingmaker.conventions import SeatConventions
from kingmaker.projection.declared import (
    MIN_REGION_SEATS,
    NAMED_SHARE_FLOOR,
    DeclaredSwing,
    declared_votes,
    swing_from_declared,
)
from kingmaker.projection.plan import (
    LEVELS,
    POOLED,
    SCOPES,
    STRONG_THRESHOLD,
    ProjectionPlan,
    plan_projection,
)
from kingmaker.projection.registry import SWING_MODELS
from kingmaker.projection.result import Projection, SeatChange, projection_from_plan
from kingmaker.projection.shares import (
    SHARE_SILENT,
    SHARE_TOLERANCE,
    ProjectionWarning,
    Shares,
    national_shares,
    parse_shares,
)
from kingmaker.votes import VoteTable


def project(
    base: VoteTable,
    shares: Shares,
    model: str = "uniform",
    *,
    level: str | None = None,
    scope: str = "auto",
    new_parties: Iterable[str] = (),
    speaker: str | None = "auto",
    strong_threshold: float = STRONG_THRESHOLD,
    conventions: SeatConventions | None = None,
) -> Projection:
    """Project ``base`` onto new ``shares`` (percent) with ``model``; see the module docstring.

    ``model`` is a name in :data:`SWING_MODELS`. ``level`` is ``national``, ``nation`` or
    ``region`` (default: the model's registered level, national for uniform and proportional,
    region for regional and transition; or the level of per-area shares).
    """
    plan = plan_projection(
        base,
        shares,
        model,
        level=level,
        scope=scope,
        new_parties=new_parties,
        speaker=speaker,
        strong_threshold=strong_threshold,
    )
    return projection_from_plan(plan, conventions)


__all__ = [
    "LEVELS",
    "MIN_REGION_SEATS",
    "NAMED_SHARE_FLOOR",
    "POOLED",
    "SCOPES",
    "SHARE_SILENT",
    "SHARE_TOLERANCE",
    "STRONG_THRESHOLD",
    "SWING_MODELS",
    "DeclaredSwing",
    "Projection",
    "ProjectionPlan",
    "ProjectionWarning",
    "SeatChange",
    "Shares",
    "declared_votes",
    "national_shares",
    "parse_shares",
    "plan_projection",
    "project",
    "projection_from_plan",
    "swing_from_declared",
]
