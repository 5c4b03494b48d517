"""Votes to seats: every seat system, run by name through one registry (``kingmaker seats``).

:func:`allocate` runs any system registered in :data:`SYSTEMS` (first past the post, the divisor
and largest-remainder list methods, AMS, MMP, AV+, AV) on a
:class:`~kingmaker.votes.VoteTable` and returns an :class:`Allocation`;
:func:`compare_systems` runs several on the same table and returns a :class:`Comparison`.

Modules, and the one direction their imports run (each imports only modules above it):

* :mod:`~kingmaker.seats.allocation`: :class:`Allocation`, the legal :class:`VoteThreshold`,
  the columns that are not parties; :mod:`~kingmaker.seats.indices`: disproportionality;
  :mod:`~kingmaker.seats.registry`: :data:`SYSTEMS`, :data:`DIVISORS`, :data:`QUOTAS`.
* :mod:`~kingmaker.seats.pooling`: thresholds, pooling by area, district-by-district allocation
  (shared by every list method).
* :mod:`~kingmaker.seats.plurality`: first past the post and marginality;
  :mod:`~kingmaker.seats.divisor`: highest averages; :mod:`~kingmaker.seats.quota`: largest
  remainder (uses the divisor module's seats-per-pool split);
  :mod:`~kingmaker.seats.apportion`: seats to regions by population.
* :mod:`~kingmaker.seats.mixed`: AMS, MMP, AV+ from counted constituencies, and the AMS / MMP
  counterfactuals; :mod:`~kingmaker.seats.av_counterfactual`: AV and AV+ from a
  :class:`~kingmaker.transfers.TransferMatrix`.
* :mod:`~kingmaker.seats.compare`: :func:`compare_systems` (runs :func:`allocate`, imported
  when called: it is defined in this package's ``__init__``).

So the allocation types are at the bottom and the rules import downwards only; each rule
module registers its systems where it defines them, and this package's :func:`allocate` looks
them up (the registries import the rule modules on first use).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from kingmaker.errors import InputError
from kingmaker.seats.allocation import (
    MAX_SEATS,
    Allocation,
    VoteThreshold,
    as_vote_threshold,
    check_seat_count,
    parse_share,
)
from kingmaker.seats.compare import Comparison, compare_systems
from kingmaker.seats.registry import DIVISORS, QUOTAS, SYSTEMS, normalise_name, takes_house
from kingmaker.ties import TiePolicy, as_tie_policy
from kingmaker.votes import VoteTable

# Import every rule module now, in the order SYSTEMS names them, so that the registries list
# their entries in that order however the package is first reached (a rule module imported
# directly runs this __init__ first).
SYSTEMS.names()

#: The arguments every system takes (the rest are a system's own ``options``).
COMMON = ("seats", "level", "threshold", "tie", "seed")


def allocate(
    table: VoteTable,
    system: str,
    *,
    seats: int | None = None,
    level: str = "national",
    threshold: str | Fraction | VoteThreshold | None = None,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
    **options: Any,
) -> Allocation:
    """Allocate seats from ``table`` by the system named ``system`` (see :data:`SYSTEMS`).

    ``seats`` defaults to the seats the table's districts return; at most
    :data:`~kingmaker.seats.allocation.MAX_SEATS` (TooLargeError, before any work). ``level`` pools the votes by
    ``national``, ``nation``, ``region`` or ``district`` for list systems (seats per region are
    the seats its districts return). Mixed systems (``ams``, ``mmp``, ``av-plus``) keep the house
    at ``seats`` too (default: the table's size, e.g. 650) with a scaled constituency tier; their
    ``top_up=N`` (ams, av-plus) or ``keep_constituencies=True`` (mmp) options keep every real
    constituency and grow the house instead. Independents, the Speaker and columns lumping many
    parties (:attr:`VoteTable.independents`) take no list seats above the district level: see
    :func:`~kingmaker.seats.allocation.set_aside_columns`. An option the system does not take
    is an :class:`~kingmaker.errors.InputError`.
    """
    entry = SYSTEMS.get(normalise_name(system), what="system")
    unknown = sorted(set(options) - set(entry.options))
    if unknown:
        takes = f"it takes {', '.join(entry.options)}" if entry.options else "it takes none"
        raise InputError(
            f"system {entry.name!r} has no option {', '.join(map(repr, unknown))} ({takes}, besides "
            f"{', '.join(COMMON)})"
        )
    if seats is not None:
        seats = check_seat_count(seats)
    for name in ("house", "house_size", "top_up"):
        if options.get(name) is not None:
            check_seat_count(options[name], name, minimum=0 if name == "top_up" else 1)
    policy = as_tie_policy(tie, seed)
    result: Allocation = entry.obj(
        table, seats=seats, level=level, threshold=threshold, tie=policy, **options
    )
    return result


__all__ = [
    "COMMON",
    "DIVISORS",
    "MAX_SEATS",
    "QUOTAS",
    "SYSTEMS",
    "Allocation",
    "Comparison",
    "VoteThreshold",
    "allocate",
    "as_vote_threshold",
    "check_seat_count",
    "compare_systems",
    "parse_share",
    "takes_house",
]
