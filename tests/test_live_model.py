"""Results-night modelling: the swing seen in declared seats (projection) and the forecast that keeps
declared seats fixed and simulates only the rest (forecast)."""

from __future__ import annotations

import numpy as np
import pytest

from kingmaker.errors import UnknownNameError
from kingmaker.forecast import LIVE_ERROR, forecast, forecast_from_declared
from kingmaker.projection import MIN_REGION_SEATS, project, swing_from_declared
from kingmaker.votes import VoteTable

PARTIES = ("Con", "Lab", "LD", "SNP")


def table() -> VoteTable:
    """16 seats: 8 in London, 6 in Scotland (where the SNP stands), 2 in Northern Ireland."""
    i = np.arange(16)
    votes = np.stack([400 + 30 * (i % 8), 700 - 25 * (i % 8), 200 + 5 * i, np.zeros(16, int)], axis=1)
    votes[8:14, 3] = 300 + 40 * np.arange(6)
    votes[14:, :3] = [[50, 60, 40], [30, 20, 10]]
    votes[14:, 3] = 0
    nations = ("England",) * 8 + ("Scotland",) * 6 + ("Northern Ireland",) * 2
    regions = ("London",) * 8 + ("Scotland",) * 6 + ("Northern Ireland",) * 2
    return VoteTable(votes, PARTIES, tuple(f"S{k}" for k in i), nations=nations, regions=regions)


def declare(base: VoteTable, rows: list[int], shift: int = 100) -> dict[str, dict[str, int]]:
    """Seats ``rows`` declared with ``shift`` votes moved from Con to Lab."""
    out = {}
    for d in rows:
        v = base.votes[d].copy()
        v[0] -= shift
        v[1] += shift
        out[base.districts[d]] = {p: int(x) for p, x in zip(base.parties, v, strict=True)}
    return out


def test_swing_is_the_share_change_in_declared_seats() -> None:
    base = table()
    declared = declare(base, [0, 1])
    swing = swing_from_declared(base, declared)
    before = base.votes[[0, 1]].sum(axis=0)
    now = before + np.array([-200, 200, 0, 0])
    expected = 100 * (now / now.sum() - before / before.sum())
    assert swing.change["Lab"] == pytest.approx(expected[1]) and swing.change["Con"] == pytest.approx(
        expected[0]
    )
    assert sum(swing.change.values()) == pytest.approx(0.0, abs=1e-9)
    assert swing.n_declared == 2 and not swing.regional_change and swing.model == "uniform"
    # the undeclared GB seats' base shares plus the change (NI keeps its base result)
    rest = np.ones(16, bool)
    rest[[0, 1, 14, 15]] = False
    b = base.votes[rest].sum(axis=0) / base.votes[rest].sum()
    assert swing.targets["Lab"] == pytest.approx(100 * b[1] + expected[1])
    assert sum(swing.targets.values()) == pytest.approx(100.0)
    assert [p for p, _ in swing.largest(2)] in (["Con", "Lab"], ["Lab", "Con"])


def test_northern_ireland_takes_no_part_in_the_swing() -> None:
    base = table()
    ni = declare(base, [14], shift=20)
    assert all(v == 0 for v in swing_from_declared(base, ni).change.values())


def test_regional_swing_once_enough_seats_declare() -> None:
    base = table()
    rows = list(range(MIN_REGION_SEATS))
    swing = swing_from_declared(base, declare(base, rows))
    assert swing.model == "regional" and set(swing.regional_change) == {"London"}
    assert set(swing.targets) == {"London", "Scotland"}
    # London: its own swing; Scotland: the national change (measured in London too here)
    assert swing.targets["London"]["Lab"] > swing.targets["Scotland"]["Lab"]
    fewer = swing_from_declared(base, declare(base, rows), min_region_seats=len(rows) + 1)
    assert fewer.model == "uniform" and not fewer.regional_change


def test_unknown_names_are_refused() -> None:
    base = table()
    with pytest.raises(UnknownNameError):
        swing_from_declared(base, {"Nowhere": {"Con": 1}})
    with pytest.raises(UnknownNameError):
        swing_from_declared(base, {"S0": {"Reform": 1}})


def test_nothing_declared_is_the_ordinary_forecast() -> None:
    base = table()
    live = forecast_from_declared(base, {}, sims=400, seed=11)
    swing = live.swing
    plain = forecast(base, swing.targets, model="uniform", sims=400, seed=11, error=LIVE_ERROR, workers=1)
    assert np.array_equal(live.forecast.seats, plain.seats)
    assert dict(live.projected_seats) == dict(project(base, swing.targets).seats)


def test_declared_seats_are_fixed_in_every_simulation() -> None:
    base = table()
    declared = declare(base, [0, 1, 2, 8], shift=300)
    live = forecast_from_declared(base, declared, sims=300, seed=3, coalitions=["Lab", "Con+LD"])
    fc = live.forecast
    assert fc is not None and fc.sims == 300
    assert live.declared_seats == {"Lab": 4}
    lab = fc.seats[:, fc.parties.index("Lab")]
    assert (lab >= 4).all()
    assert (fc.seats.sum(axis=1) == base.n_districts).all()
    assert sum(live.seats.values()) == base.n_districts
    assert live.seats["Lab"] == live.declared_seats["Lab"] + live.projected_seats.get("Lab", 0)
    # declared seats are certain; the rest have probabilities
    d = list(fc.districts).index("S0")
    assert fc.seat_probabilities[d, fc.parties.index("Lab")] == 1.0
    assert fc.seat_probabilities.sum(axis=1) == pytest.approx(np.ones(base.n_districts))
    odds = live.odds("Lab")
    assert odds == fc.coalitions[0] and 0.0 <= odds.p_absolute <= 1.0
    assert live.probability("Lab") == odds.p_absolute
    again = forecast_from_declared(base, declared, sims=300, seed=3)
    assert np.array_equal(again.forecast.seats, fc.seats)


def test_error_shrinks_as_seats_declare() -> None:
    base = table()
    early = forecast_from_declared(base, declare(base, [0]), sims=600, seed=1)
    late = forecast_from_declared(base, declare(base, [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]), sims=600, seed=1)
    assert late.forecast.error.national < early.forecast.error.national < LIVE_ERROR.national
    assert late.forecast.error.seat == LIVE_ERROR.seat


def test_settled_and_unsimulated_states() -> None:
    base = table()
    everything = declare(base, list(range(16)), shift=0)
    done = forecast_from_declared(base, everything, sims=100)
    assert done.settled and done.forecast is None and not done.projected_seats
    winner = max(done.seats, key=done.seats.get)
    assert done.probability(winner) == (1.0 if done.seats[winner] >= done.absolute_majority else 0.0)
    everyone = "+".join(p.lower() for p in done.seats)  # any case, through kingmaker.names
    assert done.probability(everyone) == 1.0
    with pytest.raises(UnknownNameError, match="Whig"):
        done.probability("Lab+Whig")
    # only Northern Ireland left: it keeps its base result, nothing to simulate
    gb = forecast_from_declared(base, declare(base, list(range(14)), shift=0), sims=100)
    assert gb.settled and gb.forecast is None and sum(gb.projected_seats.values()) == 2
    none = forecast_from_declared(base, declare(base, [0]), sims=0)
    assert not none.settled and none.forecast is None and none.probability("Lab") is None
