"""One result contract for every public result type.

Each has ``to_dict(places=None)`` whose output survives ``json.dumps(..., allow_nan=False)`` (with
and without ``places``, which rounds every float), ``to_frame()`` returning a pandas DataFrame, and
``_repr_html_()`` returning a string. Every instance is built on a tiny input by the library's own
entry points, so a new result type joins the contract by adding one line to :data:`BUILDERS`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kingmaker.parliament import Parliament
from tests.test_web_live import base_table, result_of

DATA = Path(__file__).parent.parent / "data"
BLT = b'3 1\n4 1 2 3 0\n3 2 3 0\n2 3 1 0\n0\n"Ann"\n"Bob"\n"Cat"\n"test"\n'


def _ballots():
    from kingmaker.io import read_ballots

    return read_ballots(BLT, "blt", name="contract")


def _house() -> Parliament:
    return Parliament.from_seats({"A": 40, "B": 35, "C": 20, "D": 5})


def _result():
    from kingmaker.counting import count

    return count(_ballots(), "irv", 1)


def _allocation():
    from kingmaker.seats import allocate

    return allocate(base_table(), "dhondt", seats=5)


def _comparison():
    from kingmaker.seats import compare_systems

    return compare_systems(base_table(), ["fptp", "dhondt"])


def _coalitions():
    from kingmaker.coalitions import coalitions

    return coalitions(_house(), "absolute")


def _completion():
    from kingmaker.coalitions import complete

    return complete(_house(), ["B", "C"], "absolute")


def _power():
    from kingmaker.power import power_indices

    return power_indices({"A": 40, "B": 35, "C": 20, "D": 5}, 51)


def _projection():
    from kingmaker.projection import project

    return project(base_table(), {"Con": 30, "Lab": 45, "LD": 25})


def _forecast():
    from kingmaker.forecast import forecast

    return forecast(base_table(), {"Con": 30, "Lab": 45, "LD": 25}, sims=40, seed=1, model="uniform")


def _declared():
    from kingmaker.forecast import forecast_from_declared

    declared = {r["constituency"]: r["votes"] for r in (result_of(0), result_of(3))}
    return forecast_from_declared(base_table(), declared, sims=30, seed=2)


def _contest():
    from kingmaker.leadership import Contest

    return Contest.read(DATA / "leadership" / "labour2010.toml")


def _odds():
    from kingmaker.odds import analyse_odds, parse_market

    return analyse_odds(parse_market("D Miliband 4/6, E Miliband 5/2, Balls 16/1, Burnham 33/1, Abbott 50/1"))


def _spoilers():
    from kingmaker.spoilers import spoiler_analysis

    return spoiler_analysis(_ballots())


def _disproportionality():
    from kingmaker.seats.indices import disproportionality

    return disproportionality([50, 30, 20], [6, 3, 1], ["A", "B", "C"])


def _party_rules():
    from kingmaker.leadership import PartyRules

    return PartyRules.preset("labour-2010")


#: Result type -> a tiny instance of it.
BUILDERS: dict[str, Callable[[], Any]] = {
    "Result": _result,
    "Allocation": _allocation,
    "Comparison": _comparison,
    "CoalitionTable": _coalitions,
    "Coalition": lambda: _coalitions().coalitions[0],
    "Completion": _completion,
    "PowerResult": _power,
    "Projection": _projection,
    "Forecast": _forecast,
    "DeclaredForecast": _declared,
    "DeclaredSwing": lambda: _declared().swing,
    "Simulation": lambda: _contest().simulate(200, seed=3),
    "Result (leadership count)": lambda: _contest().count(),
    "SpoilerReport": _spoilers,
    "OddsAnalysis": _odds,
    "Parliament": _house,
    "VoteTable": base_table,
    "Disproportionality": _disproportionality,
    "PartyRules": _party_rules,
}


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


@pytest.fixture(scope="module", params=list(BUILDERS))
def result(request: pytest.FixtureRequest) -> Any:
    return BUILDERS[request.param]()


def test_to_dict_is_json_safe_and_rounds(result: Any) -> None:
    plain = result.to_dict()
    assert isinstance(plain, dict) and plain
    json.dumps(plain, allow_nan=False)
    rounded = result.to_dict(places=2)
    json.dumps(rounded, allow_nan=False)
    assert all(math.isclose(f, round(f, 2)) for f in _floats(rounded))
    assert set(rounded) == set(plain)


def test_to_frame_is_a_dataframe(result: Any) -> None:
    assert isinstance(result.to_frame(), pd.DataFrame)


def test_repr_html_renders(result: Any) -> None:
    html = result._repr_html_()
    assert isinstance(html, str) and "<table" in html
