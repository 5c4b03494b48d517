"""PowerResult keeps the common result contract: ``to_dict(places=None)`` always JSON-safe,
``to_frame()`` one row per player, ``_repr_html_()`` renders (and escapes names)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from kingmaker.power import PowerResult, power_indices, power_table

pytestmark = pytest.mark.filterwarnings("ignore::kingmaker.errors.KingmakerWarning")

GAMES = {
    "float": dict(weights={"A": 50, "B": 49, "C": 1}, quota=51),
    "exact": dict(weights={"A": 50, "B": 49, "C": 1}, quota=51, exact=True),
    "no-coalition-indices": dict(weights={"A": 4, "B": 3, "C": 2, "D": 1}, quota=6, coalition_indices=False),
    "excluded": dict(weights={"A": 4, "B": 3, "C": 2, "D": 1}, quota=6, excluded=["D"], exact=True),
    "incompatible": dict(weights={"A": 4, "B": 3, "C": 2, "D": 1}, quota=6, incompatible=[("A", "B")]),
    "odd names": dict(weights={"<A&B>": 3, "C's": 2, 'D"': 2}, quota=4),
}


def _result(name: str) -> PowerResult:
    return power_indices(**GAMES[name])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(GAMES))
def test_to_dict_is_json_safe_without_places(name: str) -> None:
    r = _result(name)
    data = r.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == ["players", "quota", *PowerResult.INDICES]
    for key in PowerResult.INDICES:
        values = getattr(r, key)
        if values is None:
            assert data[key] is None
            continue
        assert list(data[key]) == list(r.players)
        for player, v in values.items():
            out = data[key][player]
            if isinstance(v, Fraction):
                assert out == f"{v.numerator}/{v.denominator}" or out == str(v)  # exact, as "a/b"
                assert Fraction(out) == v
            else:
                assert out == v


@pytest.mark.parametrize("places", [0, 2, 4])
@pytest.mark.parametrize("name", list(GAMES))
def test_to_dict_with_places_rounds_every_value(name: str, places: int) -> None:
    r = _result(name)
    data = r.to_dict(places=places)
    assert json.loads(json.dumps(data)) == data
    for key in PowerResult.INDICES:
        values = getattr(r, key)
        if values is None:
            continue
        for player, v in values.items():
            out = data[key][player]
            assert isinstance(out, float)
            assert out == round(float(v), places)


def test_old_json_safe_keyword_still_works() -> None:
    r = _result("exact")
    assert r.to_dict(json_safe=True) == r.to_dict()
    assert r.to_dict(json_safe=False) == r.to_dict()


@pytest.mark.parametrize("name", list(GAMES))
def test_to_frame_has_one_row_per_player(name: str) -> None:
    r = _result(name)
    frame = r.to_frame()
    assert list(frame.index) == list(r.players)
    assert list(frame.columns) == ["weight", *PowerResult.INDICES]
    assert list(frame["weight"]) == list(r.weights)
    for key in PowerResult.INDICES:
        values = getattr(r, key)
        if values is None:
            assert frame[key].isna().all()
        else:
            assert math.fsum(frame[key]) == pytest.approx(math.fsum(float(v) for v in values.values()))


@pytest.mark.parametrize("name", list(GAMES))
def test_repr_html_renders_and_escapes(name: str) -> None:
    html = _result(name)._repr_html_()
    assert "<table" in html and f"Quota {GAMES[name]['quota']}" in html
    assert "<A&B>" not in html


def test_power_table_rows_match_the_result() -> None:
    weights = {"Con": 306, "Lab": 258, "LD": 57, "DUP": 8, "SNP": 6, "Oth": 15}
    quota = 326
    rows = power_table(weights, quota)
    full = power_indices(weights, quota)
    assert [r["party"] for r in rows] == list(weights)
    assert [r["seats"] for r in rows] == list(weights.values())
    for row in rows:
        assert row["shapley_shubik"] == pytest.approx(full.shapley_shubik[row["party"]], abs=1e-12)
        assert row["banzhaf"] == pytest.approx(full.banzhaf[row["party"]], abs=1e-12)
    assert json.loads(json.dumps(rows)) == rows
    assert math.fsum(r["shapley_shubik"] for r in rows) == pytest.approx(1.0)
    rounded = power_table(weights, quota, places=3)
    assert all(r["banzhaf"] == round(r["banzhaf"], 3) for r in rounded)
