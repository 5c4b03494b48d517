"""kingmaker: the numbers of elections, parliaments and coalitions.

The public API is re-exported here and loaded lazily (PEP 562), so ``import kingmaker`` stays
quick and pulls in pandas, SciPy or pref_voting only when the part that needs them is used::

    import kingmaker as km

    commons = km.Parliament.preset("uk-2010")
    commons.coalitions().find(["Con", "LD"])          # 363 seats, majority 76
    km.shapley_shubik(commons.weights(), commons.quota())
    km.count(km.Ballots.read("ballots.blt"), method="stv-scottish", seats=3)
"""

from __future__ import annotations

import importlib
from typing import Any

from kingmaker.errors import InputError, KingmakerError, RuleError, TooLargeError, UnknownNameError

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # parliaments, coalitions, power
    "Parliament": "kingmaker.parliament",
    "PRESETS": "kingmaker.parliament",
    "coalitions": "kingmaker.coalitions",
    "complete": "kingmaker.coalitions",
    "power_indices": "kingmaker.power",
    "shapley_shubik": "kingmaker.power",
    "banzhaf": "kingmaker.power",
    "banzhaf_absolute": "kingmaker.power",
    "deegan_packel": "kingmaker.power",
    "holler": "kingmaker.power",
    "johnston": "kingmaker.power",
    "minimal_winning_coalitions": "kingmaker.power",
    "power_table": "kingmaker.power",
    # government formation and duration
    "parlgov_formation": "kingmaker.formation",
    "FormationModel": "kingmaker.formation",
    "load_parlgov": "kingmaker.datasets",
    # ranked ballots and their counts
    "Ballots": "kingmaker.ballots",
    "ReadLimits": "kingmaker.io.limits",
    "Result": "kingmaker.counting.result",
    "count": "kingmaker.counting",
    # vote tables and seats
    "VoteTable": "kingmaker.votes",
    "Allocation": "kingmaker.seats.allocation",
    "allocate": "kingmaker.seats",
    "fptp": "kingmaker.seats.plurality",
    "load_dataset": "kingmaker.datasets",
    "fetch": "kingmaker.datasets",
    # projection and forecasts
    "project": "kingmaker.projection",
    "forecast": "kingmaker.forecast",
    "PollingError": "kingmaker.forecast",
    # leadership, spoilers, odds
    "Contest": "kingmaker.leadership",
    "PartyRules": "kingmaker.leadership",
    "labour_2010_reproduction": "kingmaker.leadership",
    "spoiler_analysis": "kingmaker.spoilers",
    "to_pref_voting": "kingmaker.spoilers",
    "parse_market": "kingmaker.odds.parse",
    "fair_probabilities": "kingmaker.odds.devig",
    "analyse_odds": "kingmaker.odds.analysis",
}

__all__ = [
    "InputError",
    "KingmakerError",
    "RuleError",
    "TooLargeError",
    "UnknownNameError",
    "__version__",
    *_EXPORTS,
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kingmaker' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
