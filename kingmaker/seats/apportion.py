"""Apportionment: seats to regions (or nations) by population or electorate, with any divisor
method or largest-remainder quota (``kingmaker seats apportion``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.seats.allocation import Allocation
from kingmaker.seats.divisor import divisor_method, highest_averages
from kingmaker.seats.pooling import check_seats
from kingmaker.seats.quota import largest_remainder
from kingmaker.seats.registry import DIVISORS, QUOTAS, normalise_name
from kingmaker.ties import TiePolicy


def apportion(
    populations: Mapping[str, int],
    seats: int,
    method: str = "sainte-lague",
    *,
    minimum: int = 0,
    tie: str | TiePolicy = "most-votes",
    seed: int | None = None,
) -> Allocation:
    """Apportion ``seats`` to regions by population (or electorate) with any divisor method
    (:data:`~kingmaker.seats.registry.DIVISORS`) or quota
    (:data:`~kingmaker.seats.registry.QUOTAS`); ``minimum`` seats each are given first (divisor
    methods then continue from them)."""
    check_seats(seats)
    names = tuple(populations)
    pops = np.array([int(v) for v in populations.values()], dtype=np.int64)
    if np.any(pops < 0):
        raise InputError("populations cannot be negative")
    if minimum * len(names) > seats:
        raise InputError(f"{len(names)} regions x minimum {minimum} exceed {seats} seats")
    key = normalise_name(method)
    if key in QUOTAS:
        if minimum:
            raise InputError("a minimum per region needs a divisor method")
        quota = QUOTAS.get(key).obj
        result = largest_remainder(pops, seats, quota, tie=tie, seed=seed, names=names)
        return Allocation(
            method=f"apportionment ({quota.name})",
            parties=names,
            seats=result[0][0],
            votes=pops,
            ties=tuple(result[1]),
        )
    if key not in DIVISORS:
        raise UnknownNameError(
            f"unknown apportionment method {method!r}; choose a divisor method "
            f"({', '.join(DIVISORS.names())}) or a quota ({', '.join(QUOTAS.names())})"
        )
    spec = divisor_method(key)
    init = np.full((1, len(names)), minimum, dtype=np.int64)
    ds, ties = (
        highest_averages(
            pops[None, :],
            seats - minimum * len(names),
            spec,
            initial=init,
            tie=tie,
            seed=seed,
            names=names,
            districts=("apportionment",),
        )
        if seats - minimum * len(names) > 0
        else (np.zeros((1, len(names)), np.int64), [])
    )
    return Allocation(
        method=f"apportionment ({spec.name})",
        parties=names,
        seats=ds[0] + minimum,
        votes=pops,
        ties=tuple(ties),
    )
