"""Odds parsing, overround and de-vigging: hand-checked values, forward models, invariants, CLI."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kingmaker.errors import InputError, RuleError, UnknownNameError
from kingmaker.odds import DEVIG_METHODS as METHODS
from kingmaker.odds import (
    Market,
    analyse_odds,
    fair_probabilities,
    format_american,
    format_fractional,
    parse_market,
    parse_price,
    read_model_probabilities,
)
from tests.cli_runner import invoke
from tests.conftest import shared_path

LABOUR_EXAMPLE = "D Miliband 4/6, E Miliband 5/2, Balls 16/1, Burnham 33/1, Abbott 50/1"
# Ladbrokes, c. 20 Sep 2010 (FACTS.md 4.1): a real 5-runner market with a 10.7% overround.
LADBROKES_SEP = "D Miliband 4/7, E Miliband 5/4, Balls 100/1, Burnham 100/1, Abbott 150/1"
# William Hill, 23 Sep 2010: the 2-runner market.
HILL_TWO = "D Miliband 1/2, E Miliband 6/4"


def probs(market: Market, method: str) -> np.ndarray:
    return np.array(fair_probabilities(market, method).probabilities)


def bisect(f, lo: float, hi: float) -> float:
    """Plain bisection, independent of the library's brentq."""
    flo = f(lo)
    for _ in range(200):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return (lo + hi) / 2


def shin_forward(p: np.ndarray, z: float) -> np.ndarray:
    """Shin (1993): the bookmaker's raw probabilities given true p and insider share z."""
    root = np.sqrt(z * p + (1 - z) * p**2)
    return root * root.sum()


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("5/2", 3.5),
        ("evens", 2.0),
        ("EVS", 2.0),
        ("Evs", 2.0),
        ("4/6", 1 + 4 / 6),
        ("100/30", 1 + 100 / 30),
        ("5-2", 3.5),
        ("3.5", 3.5),
        ("2", 2.0),  # the documented rule: a plain number is decimal
        ("+250", 3.5),
        ("-150", 1 + 100 / 150),
        ("+100", 2.0),
        ("1.56", 1.56),
        ("2.1/2.14", 2 / (1 / 2.1 + 1 / 2.14)),  # both sides with a point: exchange back/lay
    ],
)
def test_parse_price_auto(text: str, decimal: float) -> None:
    assert parse_price(text).decimal == pytest.approx(decimal, rel=1e-12)


def test_parse_price_styles() -> None:
    assert parse_price("250", "american").decimal == 3.5
    assert parse_price("-200", "american").decimal == 1.5
    assert parse_price("2", "decimal").decimal == 2.0
    assert parse_price("2.5/1", "fractional").decimal == 3.5
    pair = parse_price("2.1/2.14", "exchange")
    assert (pair.back, pair.lay, pair.style) == (2.1, 2.14, "exchange")
    assert parse_price("3.2", "exchange").lay is None
    with pytest.raises(InputError):
        parse_price("5/2", "decimal")
    with pytest.raises(InputError):
        parse_price("3.5", "fractional")
    with pytest.raises(UnknownNameError):
        parse_price("3.5", "roman")


@pytest.mark.parametrize(
    "text",
    ["0/1", "1", "1.0", "0.5", "abc", "-2/1", "5/0", "+50", "-99", "", "2.14/2.1", "5/2/1"],
)
def test_bad_prices_name_runner_and_price(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_price(text, runner="Ed Balls")
    assert "Ed Balls" in str(info.value)
    assert repr(text) in str(info.value)


@given(st.integers(1, 500), st.integers(1, 100))
def test_fractional_round_trip(num: int, den: int) -> None:
    price = parse_price(f"{num}/{den}")
    assert price.decimal == pytest.approx(1 + num / den, rel=1e-15)
    again = parse_price(format_fractional(price.decimal))
    assert Fraction(format_fractional(again.decimal).replace("evens", "1/1")) == Fraction(num, den)


@given(st.integers(100, 100_000), st.booleans())
def test_american_round_trip(size: int, plus: bool) -> None:
    text = f"{'+' if plus else '-'}{size}"
    price = parse_price(text)
    assert parse_price(format_american(price.decimal)).decimal == pytest.approx(price.decimal)


@given(st.floats(1.001, 1000.0, allow_nan=False))
def test_decimal_round_trip(value: float) -> None:
    assert parse_price(repr(value)).decimal == value


def test_parse_market_forms() -> None:
    market = parse_market(LABOUR_EXAMPLE)
    assert market.runners == ("D Miliband", "E Miliband", "Balls", "Burnham", "Abbott")
    assert parse_market("A: 2/1, B = evens, C +300").runners == ("A", "B", "C")
    with pytest.raises(InputError, match="at least 2"):
        parse_market("Balls 16/1")
    with pytest.raises(InputError, match="twice"):
        parse_market("Balls 16/1, Balls 5/1")
    with pytest.raises(InputError, match="needs a runner name"):
        parse_market("16/1, Balls 5/1")


# ------------------------------------------------------------------ hand-checked values

PENALTYBLOG_1_13_1 = {
    # calculate_implied(decimal odds, method=...) from penaltyblog 1.13.1, run once by hand:
    # an outside cross-check (penaltyblog is not a dependency; see kingmaker.odds docstring).
    HILL_TWO: {
        "power": [0.637921385809, 0.362078614191],
        "odds_ratio": [0.633974596216, 0.366025403785],
        "shin": [0.633333333333, 0.366666666666],
    },
    LADBROKES_SEP: {
        "multiplicative": [
            0.574733483515,
            0.40140116309,
            0.008942105118,
            0.008942105118,
            0.005981143159,
        ],
        "power": [0.594144100665, 0.39294104907, 0.004912005869, 0.004912005869, 0.003090838527],
        "odds_ratio": [
            0.585869450645,
            0.392731796847,
            0.008019158918,
            0.008019158918,
            0.005360434671,
        ],
        "shin": [0.592256884229, 0.404313254881, 0.001398501209, 0.001398501209, 0.000632858472],
    },
}


def test_two_runner_by_hand() -> None:
    market = parse_market(HILL_TWO)  # raw 2/3 and 2/5, booksum 16/15
    assert market.booksum == pytest.approx(16 / 15)
    assert market.overround == pytest.approx(1 / 15)
    assert probs(market, "multiplicative") == pytest.approx([10 / 16, 6 / 16], abs=1e-12)
    assert probs(market, "additive") == pytest.approx([19 / 30, 11 / 30], abs=1e-12)
    # odds ratio, two runners: odds(p1) * odds(p2) = 1, so c = sqrt(odds(pi1) odds(pi2)) = sqrt(4/3)
    # and odds(p1) = 2 / c = sqrt(3).
    result = fair_probabilities(market, "odds_ratio")
    assert result.parameter == pytest.approx(math.sqrt(4 / 3), abs=1e-12)
    assert result.probabilities[0] == pytest.approx(math.sqrt(3) / (1 + math.sqrt(3)), abs=1e-12)
    # power: (2/3)^k + (2/5)^k = 1, by plain bisection.
    k = bisect(lambda k: (2 / 3) ** k + 0.4**k - 1, 1.0, 2.0)
    result = fair_probabilities(market, "power")
    assert result.parameter == pytest.approx(k, abs=1e-12)
    assert result.probabilities == pytest.approx([(2 / 3) ** k, 0.4**k], abs=1e-12)
    # Shin with two runners equals the additive method (Clarke, Kovalchik and Ingram 2017), and
    # the forward model reproduces the quoted prices.
    result = fair_probabilities(market, "shin")
    assert result.probabilities == pytest.approx([19 / 30, 11 / 30], abs=1e-12)
    assert shin_forward(np.array(result.probabilities), result.parameter) == pytest.approx(
        [2 / 3, 2 / 5], abs=1e-12
    )
    for method, expected in PENALTYBLOG_1_13_1[HILL_TWO].items():
        assert probs(market, method) == pytest.approx(expected, abs=1e-9)


def test_five_runner_by_hand() -> None:
    market = parse_market(LADBROKES_SEP)
    raw = [Fraction(7, 11), Fraction(4, 9), Fraction(1, 101), Fraction(1, 101), Fraction(1, 151)]
    booksum = sum(raw)
    assert market.booksum == pytest.approx(float(booksum), abs=1e-15)
    assert probs(market, "multiplicative") == pytest.approx([float(r / booksum) for r in raw], abs=1e-15)
    # additive would give Abbott 1/151 - (booksum - 1)/5 < 0: refused.
    assert float(raw[4] - (booksum - 1) / 5) < 0
    with pytest.raises(RuleError, match="Abbott"):
        fair_probabilities(market, "additive")
    pi = np.array([float(r) for r in raw])
    # power: one k with sum(pi^k) = 1, by bisection.
    k = bisect(lambda k: float((pi**k).sum() - 1), 1.0, 3.0)
    assert probs(market, "power") == pytest.approx(pi**k, abs=1e-12)
    # odds ratio: odds(pi) / odds(p) is the same c for every runner.
    p = probs(market, "odds_ratio")
    ratios = (pi / (1 - pi)) / (p / (1 - p))
    assert ratios == pytest.approx(np.full(5, ratios[0]), rel=1e-10)
    assert p.sum() == pytest.approx(1, abs=1e-12)
    # Shin: the forward model with the fitted z gives back the quoted prices.
    result = fair_probabilities(market, "shin")
    assert 0 < result.parameter < 1
    assert shin_forward(np.array(result.probabilities), result.parameter) == pytest.approx(pi, abs=1e-12)
    for method, expected in PENALTYBLOG_1_13_1[LADBROKES_SEP].items():
        assert probs(market, method) == pytest.approx(expected, abs=1e-9)


def test_additive_by_hand_on_an_underround() -> None:
    market = parse_market(LABOUR_EXAMPLE)  # 3/5 + 2/7 + 1/17 + 1/34 + 1/51 < 1
    raw = [Fraction(3, 5), Fraction(2, 7), Fraction(1, 17), Fraction(1, 34), Fraction(1, 51)]
    booksum = sum(raw)
    assert booksum < 1
    assert probs(market, "additive") == pytest.approx([float(r - (booksum - 1) / 5) for r in raw], abs=1e-15)
    result = fair_probabilities(market, "shin")
    assert result.parameter < 0  # the documented extrapolation for an underround
    pi = np.array([float(r) for r in raw])
    assert shin_forward(np.array(result.probabilities), result.parameter) == pytest.approx(pi, abs=1e-12)


# ------------------------------------------------------------------ forward models recovered

true_probabilities = st.lists(st.floats(0.01, 1.0), min_size=2, max_size=10).map(
    lambda xs: np.array(xs) / sum(xs)
)


@given(true_probabilities, st.floats(1.0, 1.6))
def test_power_recovers_its_model(p: np.ndarray, k: float) -> None:
    market = Market.from_prices({f"r{i}": float(1 / x) for i, x in enumerate(p ** (1 / k))})
    result = fair_probabilities(market, "power")
    assert result.parameter == pytest.approx(k, rel=1e-7)
    assert np.array(result.probabilities) == pytest.approx(p, abs=1e-9)


@given(true_probabilities, st.floats(0.5, 2.0))
def test_odds_ratio_recovers_its_model(p: np.ndarray, c: float) -> None:
    pi = c * p / (1 - p + c * p)
    market = Market.from_prices({f"r{i}": float(1 / x) for i, x in enumerate(pi)})
    result = fair_probabilities(market, "odds_ratio")
    assert result.parameter == pytest.approx(c, rel=1e-7)
    assert np.array(result.probabilities) == pytest.approx(p, abs=1e-9)


@given(true_probabilities, st.floats(0.0, 0.3))
def test_shin_recovers_its_model(p: np.ndarray, z: float) -> None:
    pi = shin_forward(p, z)
    assume(pi.max() < 1)
    market = Market.from_prices({f"r{i}": float(1 / x) for i, x in enumerate(pi)})
    result = fair_probabilities(market, "shin")
    assert result.parameter == pytest.approx(z, abs=1e-8)
    assert np.array(result.probabilities) == pytest.approx(p, abs=1e-9)


# ------------------------------------------------------------------ invariants

decimal_odds = st.lists(st.floats(1.01, 1000.0, allow_nan=False), min_size=2, max_size=12)


@settings(max_examples=200)
@given(decimal_odds)
def test_every_method_sums_to_one_and_keeps_order(odds: list[float]) -> None:
    market = Market.from_prices({f"r{i}": d for i, d in enumerate(odds)})
    analysis = analyse_odds(market)
    assert {r.method for r in analysis.results} | {m for m, _ in analysis.skipped} == set(METHODS)
    assert {m for m, _ in analysis.skipped} <= {"additive"}
    pi = market.raw_probabilities
    for result in analysis.results:
        p = np.array(result.probabilities)
        assert p.sum() == pytest.approx(1.0, abs=1e-9), result.method
        assert (p >= 0).all()
        for i in range(len(p)):
            for j in range(len(p)):
                if pi[i] > pi[j]:
                    assert p[i] >= p[j] - 1e-12, result.method


@given(true_probabilities)
def test_fair_odds_come_back_unchanged(p: np.ndarray) -> None:
    market = Market.from_prices({f"r{i}": float(1 / x) for i, x in enumerate(p)})
    for method in METHODS:
        assert probs(market, method) == pytest.approx(p, abs=1e-9), method


def test_commission_nets_exchange_prices() -> None:
    market = parse_market("Hung 1.56, Con maj 2.82", commission=0.05)
    assert market.decimal_odds == pytest.approx([1 + 0.56 * 0.95, 1 + 1.82 * 0.95])
    assert market.booksum > parse_market("Hung 1.56, Con maj 2.82").booksum


def test_results_to_dict_and_frame() -> None:
    analysis = analyse_odds(parse_market(LABOUR_EXAMPLE), model={"e miliband": 0.5})
    frame = analysis.to_frame()
    assert list(frame.index) == list(analysis.market.runners)
    assert {"price", "raw", *METHODS, "model", "edge", "expected_value"} <= set(frame.columns)
    data = analysis.to_dict()
    json.dumps(data)
    edge = data["runners"][1]["edge"]
    assert edge == pytest.approx(0.5 - analysis["shin"]["E Miliband"])
    assert data["runners"][1]["expected_value"] == pytest.approx(0.5 * 3.5 - 1)
    assert data["runners"][0]["model"] is None
    assert analysis["power"].to_frame()["probability"].sum() == pytest.approx(1)
    with pytest.raises(UnknownNameError):
        analyse_odds(parse_market(LABOUR_EXAMPLE), model={"Johnson": 0.1})


def test_read_model_probabilities_accepts_both_keys() -> None:
    assert read_model_probabilities({"probabilities": {"A": 0.4}}) == {"A": 0.4}
    assert read_model_probabilities({"win_probability": {"A": 1}}) == {"A": 1.0}
    with pytest.raises(InputError):
        read_model_probabilities({"p": {"A": 0.4}})
    with pytest.raises(InputError):
        read_model_probabilities({"probabilities": {"A": 1.4}})


# ------------------------------------------------------------------ real data


def _markets(path: Path) -> dict[tuple[str, str, str], list[dict[str, str]]]:
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            groups[(row["date"], row["bookmaker"], row["market"])].append(row)
    return groups


@pytest.mark.parametrize("name", ["odds_labour_leadership_2010.csv", "odds_ge2010.csv"])
def test_real_prices_match_the_files(name: str) -> None:
    groups = _markets(shared_path("facts", name))
    checked = 0
    for rows in groups.values():
        for row in rows:
            text = row["odds_fractional"] or row["odds_decimal"]
            price = parse_price(text, runner=row["selection"])
            assert price.decimal == pytest.approx(float(row["odds_decimal"]), abs=1e-4)
            assert price.implied_probability == pytest.approx(float(row["implied_probability_raw"]), abs=1e-4)
            checked += 1
        # overlapping selections ("Either Miliband", "Not a Miliband") are not one market
        runners = {r["selection"]: r["odds_fractional"] or r["odds_decimal"] for r in rows}
        runners = {k: v for k, v in runners.items() if "Miliband" not in k or k[0] in "DE"}
        if len(runners) >= 2:
            analysis = analyse_odds(Market.from_prices(runners))
            for result in analysis.results:
                assert sum(result.probabilities) == pytest.approx(1, abs=1e-9)
    assert checked >= 20


def test_betfair_exit_poll_market() -> None:
    rows = _markets(shared_path("facts", "odds_ge2010.csv"))
    betfair = [r for key, rs in rows.items() if "Betfair" in key[1] for r in rs]
    market = Market.from_prices({r["selection"]: r["odds_decimal"] for r in betfair}, "exchange")
    assert market.booksum == pytest.approx(1 / 1.56 + 1 / 2.82)
    assert probs(market, "multiplicative")[0] == pytest.approx((1 / 1.56) / market.booksum)


# ------------------------------------------------------------------ CLI


def test_cli_table() -> None:
    result = invoke("odds", LABOUR_EXAMPLE)
    assert result.exit_code == 0, result.stderr
    for word in (
        "D Miliband",
        "Abbott",
        "Multiplicative",
        "Additive",
        "Power",
        "Odds ratio",
        "Shin",
    ):
        assert word in result.stdout
    assert "underround" in result.stdout
    assert "60.39%" in result.stdout  # multiplicative D Miliband: 0.6 / 0.99356


def test_cli_json_and_csv() -> None:
    result = invoke("odds", LADBROKES_SEP, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overround"] == pytest.approx(parse_market(LADBROKES_SEP).overround)
    assert set(data["methods"]) == {"multiplicative", "power", "odds_ratio", "shin"}
    assert "Abbott" in data["skipped"]["additive"]
    result = invoke("odds", HILL_TWO, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("runner,price,decimal,raw,multiplicative,additive")
    assert len(lines) == 3


@pytest.mark.parametrize("key", ["probabilities", "win_probability"])
def test_cli_model_edge(tmp_path: Path, key: str) -> None:
    model = tmp_path / "result.json"
    model.write_text(json.dumps({key: {"D Miliband": 0.45, "E Miliband": 0.55}}))
    result = invoke("odds", HILL_TWO, "--model", str(model), "--format", "json")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["runners"][1]
    assert row["edge"] == pytest.approx(0.55 - 11 / 30)  # Shin = additive for 2 runners
    assert row["expected_value"] == pytest.approx(0.55 * 2.5 - 1)
    table = invoke("odds", HILL_TWO, "--model", str(model))
    assert "Edge vs Shin" in table.stdout and "+18.33%" in table.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("Balls abc, Burnham 33/1",), "'abc'"),
        (("Balls 0/1, Burnham 33/1",), "'0/1'"),
        (("Balls 1.0, Burnham 33/1",), "'1.0'"),
        (("Balls -2/1, Burnham 33/1",), "negative"),
        (("Balls 16/1",), "at least 2"),
        (("Balls 16/1, Burnham 5/2", "--price-format", "decimal"), "Balls"),
        (("Balls 16/1, Burnham 5/2", "--commission", "1.5"), "commission"),
    ],
)
def test_cli_bad_input(args: tuple[str, ...], needle: str) -> None:
    result = invoke("odds", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert needle in lines[0]


def test_cli_bad_model(tmp_path: Path) -> None:
    cases = {
        "missing.json": None,
        "bad.json": "{not json",
        "keys.json": json.dumps({"p": {}}),
        "who.json": json.dumps({"probabilities": {"Johnson": 0.1}}),
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        result = invoke("odds", HILL_TWO, "--model", str(path))
        assert result.exit_code == 2, name
        assert len(result.stderr.strip().splitlines()) == 1, name
        assert name in result.stderr or "Johnson" in result.stderr
