"""Every registered de-vig method keeps the promises of a probability model, driven by DEVIG_METHODS.

For each entry: the fair probabilities sum to 1 and lie in [0, 1], the runners keep their order
(a shorter price never ends up less likely), the result survives a JSON round trip, a fair book
comes back unchanged, and what the entry declares (deterministic, its fitted parameter) holds.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.errors import RuleError, UnknownNameError
from kingmaker.odds import DEVIG_METHODS, Market, analyse_odds, fair_probabilities, parse_market

ENTRIES = DEVIG_METHODS.entries()
IDS = [e.name for e in ENTRIES]

MARKETS = {
    "overround": "A 4/6, B 5/2, C 16/1, D 33/1, E 50/1",
    "underround": "A 11/10, B 21/10, C 9/1",
    "two-runner": "A 1/2, B 6/4",
    "exchange": "A 2.1/2.14, B 3.0/3.05, C 6.2/6.4",
}


def test_registry_is_filled() -> None:
    assert len(ENTRIES) >= 5
    for e in ENTRIES:
        assert e.summary and e.extra.get("title")
        assert DEVIG_METHODS.get(e.name.upper()) is e  # case-insensitive lookup
        for alias in e.aliases:
            assert DEVIG_METHODS.canonical(alias) == e.name


def _check(market: Market, name: str) -> None:
    try:
        fair = fair_probabilities(market, name)
    except RuleError:
        assert name == "additive", f"{name} refused a market"  # only additive may refuse
        return
    p = fair.probabilities
    raw = [float(x) for x in market.raw_probabilities]
    assert fair.method == name and fair.runners == market.runners
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-12)
    assert all(0.0 <= x <= 1.0 for x in p)
    for i in range(len(p)):
        for j in range(len(p)):
            if raw[i] > raw[j]:
                assert p[i] >= p[j] - 1e-12, (name, market.runners[i], market.runners[j])
    data = fair.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data["probabilities"]) == list(market.runners)
    entry = DEVIG_METHODS.get(name)
    assert (entry.extra.get("parameter") is None) == (fair.parameter is None)
    if entry.extra.get("parameter") is not None:
        assert list(data["parameter"]) == [entry.extra["parameter"]]
    rounded = fair.to_dict(places=3)
    assert all(v == round(v, 3) for v in rounded["probabilities"].values())
    if entry.has("deterministic"):
        assert fair_probabilities(market, name) == fair
    assert "<table" in fair._repr_html_()


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
@pytest.mark.parametrize("market", MARKETS.values(), ids=list(MARKETS))
def test_probabilities_on_real_shaped_markets(entry, market: str) -> None:
    _check(parse_market(market), entry.name)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_fair_book_is_unchanged(entry) -> None:
    market = Market.from_prices({"A": 2.0, "B": 4.0, "C": 4.0})
    fair = fair_probabilities(market, entry.name)
    assert fair.probabilities == pytest.approx((0.5, 0.25, 0.25), abs=1e-12)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(odds=st.lists(st.floats(min_value=1.01, max_value=200.0), min_size=2, max_size=8))
def test_invariants_on_any_market(entry, odds: list[float]) -> None:
    market = Market.from_prices({f"R{i}": d for i, d in enumerate(odds)})
    _check(market, entry.name)


def test_unknown_method_is_refused() -> None:
    market = parse_market(MARKETS["overround"])
    with pytest.raises(UnknownNameError, match="de-vig method"):
        fair_probabilities(market, "no-such-method")
    with pytest.raises(UnknownNameError):
        analyse_odds(market, edge_method="no-such-method")


def test_analysis_covers_every_registered_method() -> None:
    analysis = analyse_odds(parse_market(MARKETS["overround"]))
    assert [r.method for r in analysis.results] + [m for m, _ in analysis.skipped] == list(IDS)
    data = analysis.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert "<table" in analysis._repr_html_()
