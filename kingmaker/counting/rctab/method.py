"""The ``rctab`` counting method: RCTab's rules on kingmaker ballots, as a registry entry."""

from __future__ import annotations

from typing import Any

from kingmaker.ballots import Ballots
from kingmaker.counting.options import merge_options, one_set, option_names
from kingmaker.counting.rctab.rules import RCTabOptions
from kingmaker.counting.rctab.tabulate import tabulate
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result


@METHODS.register(
    "rctab",
    summary="RCTab's rules (US ranked-choice: IRV, multi-winner, multi-pass, bottoms-up); a *_config.json counts as configured",
    options=tuple(o for o in option_names(RCTabOptions) if o != "notes"),
    properties=("exact-conservation", "permutation-invariant", "seeded", "multi-winner", "fills-seats"),
    places=4,
    one_seat_options=("until", "batch", "first_round_threshold"),
)
def rctab(
    ballots: Ballots, seats: int | None = None, options: RCTabOptions | None = None, **kw: Any
) -> Result:
    """Count ``ballots`` by RCTab's rules for ``seats`` seats (default: the file's, else 1).

    Keyword options are the fields of :class:`RCTabOptions` and the mark options
    (``overvote``, ``skipped_limit``, ``duplicates``, ``equal_rankings``).
    """
    b, n = one_set(ballots, seats, "rctab", default=1)
    opts = merge_options(RCTabOptions, options, kw, rule="rctab")
    return tabulate(b, n, opts)


def count_config(
    path: Any, seats: int | None = None, ballots: Ballots | None = None, **overrides: Any
) -> Result:
    """Count an RCTab ``*_config.json``: its CVRs by its rules (``overrides`` replace rules).

    ``ballots`` (already read) skips reading the config's CVR sources.
    """
    from kingmaker.counting.options import check_known
    from kingmaker.counting.rctab.config import config_ballots, read_config

    cfg = read_config(path)
    check_known(overrides, METHODS.get("rctab").options, "rctab")
    b = ballots if ballots is not None else config_ballots(cfg)
    kw = {**cfg.options, **overrides}
    return rctab(b, seats if seats is not None else cfg.seats, **kw)


__all__ = ["count_config", "rctab"]
