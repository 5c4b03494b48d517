"""Argument checks shared by the simulations and projections, with the caller's label in messages.

On the model of scikit-learn's ``check_random_state``: one function per kind of argument, each
returning the clean value or raising :class:`~kingmaker.errors.InputError` (or
:class:`~kingmaker.errors.TooLargeError` for a documented limit), so that ``forecast``,
``forecast_from_declared``, the leadership simulation and the projection check ``sims``, ``seed``
and vote shares the same way. ``what`` names the value as the caller's user knows it; the library
never names a command-line flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from kingmaker.errors import InputError, TooLargeError


def _whole(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def check_sims(sims: Any, *, maximum: int, minimum: int = 1, what: str = "the number of simulations") -> int:
    """``sims`` as an int in ``[minimum, maximum]``; a bool, a fraction or a text is refused."""
    kind = "a positive whole number (at least 1)" if minimum == 1 else f"a whole number of at least {minimum}"
    if not _whole(sims) or sims < minimum:
        raise InputError(f"{what} must be {kind}, got {sims!r}")
    if sims > maximum:
        raise TooLargeError(f"{sims:,} simulations is more than the limit of {maximum:,}")
    return int(sims)


def check_seed(seed: Any, *, what: str = "seed", allow_none: bool = True) -> int | None:
    """``seed`` as a whole number >= 0 (``None`` kept where allowed: fresh entropy)."""
    if seed is None and allow_none:
        return None
    if not _whole(seed) or seed < 0:
        raise InputError(f"{what} must be a whole number >= 0, got {seed!r}")
    return int(seed)


def check_shares(shares: Mapping[str, Any], *, what: str = "") -> dict[str, float]:
    """Each share as a finite float >= 0 (percent or fractions alike).

    ``what`` prefixes each message (``"shares for Scotland: "``); a share that is not a number, not
    finite or negative is refused naming its key.
    """
    out: dict[str, float] = {}
    for key, raw in shares.items():
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InputError(f"{what}share of {key!r} must be a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise InputError(f"{what}share of {key!r} is not a finite number")
        if value < 0:
            raise InputError(f"{what}share of {key!r} is negative ({value:g}); shares are percentages >= 0")
        out[key] = value
    return out


def check_votes_cast(result: Any) -> None:
    """Refuse a count in which no candidate ever held a vote (every round's tallies are zero).

    With no votes every candidate ties at zero, and a rule would "elect" one by its tie-break (a
    lot, the order of the file) or fill the seats with the candidates left: an election with no
    votes has no winner, so this is an :class:`InputError` rather than a result. It covers empty
    files, ballots that are all blank and ballots that rank only withdrawn candidates. A result
    without rounds is not checked.
    """
    rounds = getattr(result, "rounds", None)
    if rounds and all(not any(r.tallies.values()) for r in rounds):
        raise InputError(
            "no valid votes: every ballot is empty or ranks only withdrawn candidates, "
            "so no one can be elected (not even by lot)"
        )


__all__ = ["check_seed", "check_shares", "check_sims", "check_votes_cast"]
