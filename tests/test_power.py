"""Power indices: hand-checked golden values, brute-force cross-checks, invariants, and the CLI."""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.power import (
    MAX_ENUMERATED_PLAYERS,
    KingmakerWarning,
    PowerResult,
    banzhaf,
    banzhaf_absolute,
    johnston,
    minimal_winning_coalitions,
    multi_criteria_banzhaf,
    multi_criteria_shapley_shubik,
    power_indices,
    shapley_shubik,
)
from tests.cli_runner import invoke

pytestmark = pytest.mark.filterwarnings("ignore::kingmaker.power.KingmakerWarning")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------
# A brute-force reference: enumerate every coalition (test-only, small games)
# --------------------------------------------------------------------------------------------


def brute(n: int, wins: Callable[[frozenset[int]], bool]) -> dict[str, list[Fraction]]:
    """Every index of the simple game ``wins`` on players 0..n-1, from its definition."""
    subsets = [frozenset(c) for r in range(n + 1) for c in itertools.combinations(range(n), r)]
    win = {s: wins(s) for s in subsets}
    fact = math.factorial
    ss = [Fraction(0)] * n
    swings = [0] * n
    for i in range(n):
        for s in subsets:
            if i not in s and win[s | {i}] and not win[s]:
                ss[i] += Fraction(fact(len(s)) * fact(n - 1 - len(s)), fact(n))
                swings[i] += 1
    total = sum(swings)
    bz = [Fraction(x, total) if total else Fraction(0) for x in swings]
    ba = [Fraction(x, 2 ** (n - 1)) for x in swings]
    mwc = [s for s in subsets if win[s] and all(not win[s - {i}] for i in s)]
    dp = [
        sum((Fraction(1, len(s)) for s in mwc if i in s), Fraction(0)) / len(mwc) if mwc else Fraction(0)
        for i in range(n)
    ]
    members = [sum(1 for s in mwc if i in s) for i in range(n)]
    hol = [Fraction(m, sum(members)) if mwc else Fraction(0) for m in members]
    raw = [Fraction(0)] * n
    for s in subsets:
        if win[s]:
            crit = [i for i in s if not win[s - {i}]]
            for i in crit:
                raw[i] += Fraction(1, len(crit))
    total_j = sum(raw)
    jo = [r / total_j if total_j else Fraction(0) for r in raw]
    return {
        "shapley_shubik": ss,
        "banzhaf": bz,
        "banzhaf_absolute": ba,
        "deegan_packel": dp,
        "holler": hol,
        "johnston": jo,
        "mwc": mwc,  # type: ignore[dict-item]
    }


def weighted(w: Sequence[int], q: int) -> Callable[[frozenset[int]], bool]:
    return lambda s: sum(w[i] for i in s) >= q


def as_list(d: dict[str, object]) -> list[object]:
    return list(d.values())


games = (
    st.lists(st.integers(0, 12), min_size=1, max_size=7)
    .filter(lambda w: sum(w) > 0)
    .flatmap(lambda w: st.tuples(st.just(w), st.integers(1, sum(w))))
)


# --------------------------------------------------------------------------------------------
# Golden values, checked by hand
# --------------------------------------------------------------------------------------------


def test_golden_51_50_49_1() -> None:
    # Orderings: P1 is pivotal unless it comes first (2/3); the others split the rest.
    # Swings: P1 swings {P2}, {P3}, {P2,P3}; P2 and P3 each swing {P1} -> 3:1:1.
    r = power_indices([50, 49, 1], 51, exact=True)
    assert as_list(r.shapley_shubik) == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    assert as_list(r.banzhaf) == [Fraction(3, 5), Fraction(1, 5), Fraction(1, 5)]
    assert as_list(r.banzhaf_absolute) == [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4)]
    # MWCs {P1,P2}, {P1,P3}: DP 1/2, 1/4, 1/4; Holler memberships 2:1:1.
    assert as_list(r.deegan_packel) == [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    assert as_list(r.holler) == [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    # Vulnerable: {1,2} and {1,3} (both critical, 1/2 each), {1,2,3} (only P1) -> 2 : 1/2 : 1/2.
    assert as_list(r.johnston) == [Fraction(2, 3), Fraction(1, 6), Fraction(1, 6)]
    assert r.minimal_winning_coalitions == 2


def test_golden_4_2_1_1_1() -> None:
    # [4; 2,1,1,1]: A is a veto player and pivotal whenever it comes 3rd or 4th (1/2).
    r = power_indices({"A": 2, "B": 1, "C": 1, "D": 1}, 4, exact=True)
    sixth = Fraction(1, 6)
    assert r.shapley_shubik == {"A": Fraction(1, 2), "B": sixth, "C": sixth, "D": sixth}
    # Swings: A swings {2 or 3 of B,C,D} = 4; B swings {A,C}, {A,D} = 2.
    assert r.banzhaf == {"A": Fraction(2, 5), "B": Fraction(1, 5), "C": Fraction(1, 5), "D": Fraction(1, 5)}
    assert r.banzhaf_absolute["A"] == Fraction(1, 2)
    assert r.banzhaf_absolute["B"] == Fraction(1, 4)
    # MWCs: A with two of B,C,D: DP A = 3 * 1/3 * 1/3, B = 2/9; Holler 3:2:2:2.
    assert r.deegan_packel == {
        "A": Fraction(1, 3),
        "B": Fraction(2, 9),
        "C": Fraction(2, 9),
        "D": Fraction(2, 9),
    }
    assert r.holler == {"A": Fraction(1, 3), "B": Fraction(2, 9), "C": Fraction(2, 9), "D": Fraction(2, 9)}
    # Johnston: triples share 1/3 each; in ABCD only A is critical: A = 2, others 2/3 -> 1/2, 1/6.
    assert r.johnston == {"A": Fraction(1, 2), "B": sixth, "C": sixth, "D": sixth}
    assert minimal_winning_coalitions({"A": 2, "B": 1, "C": 1, "D": 1}, 4) == (
        ("A", "B", "C"),
        ("A", "B", "D"),
        ("A", "C", "D"),
    )


def test_dictator_and_unanimity() -> None:
    assert shapley_shubik([6, 1, 1, 1], 6, exact=True) == {"P1": 1, "P2": 0, "P3": 0, "P4": 0}
    assert banzhaf([3, 3, 3], 9, exact=True) == dict.fromkeys(("P1", "P2", "P3"), Fraction(1, 3))
    assert banzhaf_absolute([3, 3, 3], 9, exact=True)["P1"] == Fraction(1, 4)


def test_us_electoral_college_known_value() -> None:
    # 2012-2020 apportionment; the classic result: California's Shapley-Shubik index ~ 0.1103.
    ev = [9, 3, 11, 6, 55, 9, 7, 3, 3, 29, 16, 4, 4, 20, 11, 6, 6, 8, 8, 4, 10, 11, 16, 10, 6, 10, 3, 5, 6,
          4, 14, 5, 29, 15, 3, 18, 7, 7, 20, 4, 9, 3, 11, 38, 6, 3, 13, 12, 5, 10, 3]  # fmt: skip
    assert sum(ev) == 538 and len(ev) == 51
    ss = shapley_shubik(ev, 270)
    exact = shapley_shubik(ev, 270, exact=True)
    assert math.fsum(ss.values()) == pytest.approx(1, abs=1e-12)
    assert all(abs(ss[k] - float(exact[k])) < 1e-12 for k in ss)
    assert ss["P5"] == pytest.approx(0.1103, abs=5e-4)


# --------------------------------------------------------------------------------------------
# Against the brute-force reference
# --------------------------------------------------------------------------------------------


@FAST
@given(games)
def test_all_indices_match_brute_force(game: tuple[list[int], int]) -> None:
    w, q = game
    ref = brute(len(w), weighted(w, q))
    r = power_indices(w, q, exact=True)
    for key in PowerResult.INDICES:
        assert as_list(getattr(r, key)) == ref[key], key
    assert r.minimal_winning_coalitions == len(ref["mwc"])
    listed = {frozenset(int(p[1:]) - 1 for p in c) for c in minimal_winning_coalitions(w, q)}
    assert listed == set(ref["mwc"])


@FAST
@given(games)
def test_float_mode_matches_exact(game: tuple[list[int], int]) -> None:
    w, q = game
    exact = power_indices(w, q, exact=True)
    fast = power_indices(w, q)
    for key in PowerResult.INDICES:
        for name in exact.players:
            assert abs(getattr(fast, key)[name] - float(getattr(exact, key)[name])) < 1e-12


@pytest.mark.parametrize(
    ("n", "high", "share"),
    [
        (90, 1, 0.5),
        (120, 3, 0.5),
        (70, 40, 0.5),
        (150, 2, 0.9),
        (80, 10, 0.2),
        (60, 100, 0.75),
        (101, 1, 0.99),
    ],
)
def test_float_dp_stable_in_larger_games(n: int, high: int, share: float) -> None:
    """Small weights (v = 1) in large games, extreme quotas: float agrees with exact to 1e-12."""
    rng = np.random.default_rng(n)
    w = [int(x) for x in rng.integers(1, high + 1, n)]
    q = max(1, int(sum(w) * share))
    for f in (shapley_shubik, banzhaf, banzhaf_absolute):
        fast, exact = f(w, q), f(w, q, exact=True)
        for k in fast:
            assert abs(fast[k] - float(exact[k])) <= 1e-12 * max(1.0, float(exact[k])), (f.__name__, k)
            if exact[k] > 0:  # relative accuracy too: no catastrophic cancellation in the tails
                assert abs(fast[k] / float(exact[k]) - 1) < 1e-9


def test_scaled_rows_for_huge_games(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 1000 players rows are stored divided by C(n, k); check that path against exact."""
    import kingmaker.power._dp as power

    rng = np.random.default_rng(3)
    w = [int(x) for x in rng.integers(1, 6, 150)]
    q = sum(w) * 2 // 3
    exact = shapley_shubik(w, q, exact=True)
    monkeypatch.setattr(power, "_UNSCALED_MAX_PLAYERS", 10)
    scaled = shapley_shubik(w, q)
    assert max(abs(scaled[k] / float(exact[k]) - 1) for k in exact) < 1e-12


def test_large_game_runs_and_sums_to_one() -> None:
    rng = np.random.default_rng(0)
    w = [int(x) for x in rng.integers(1, 101, 400)]
    q = sum(w) // 2 + 1
    ss = shapley_shubik(w, q)
    assert math.fsum(ss.values()) == pytest.approx(1, abs=1e-10)
    assert min(ss.values()) > 0
    bz = banzhaf(w * 3, 3 * q)  # 1200 players
    assert math.fsum(bz.values()) == pytest.approx(1, abs=1e-10)


def feasible_cover(
    w: Sequence[int], q: int, pairs: Sequence[tuple[int, int]]
) -> Callable[[frozenset[int]], bool]:
    """Wins iff it contains a pair-free sub-coalition reaching q (the module's definition)."""

    def wins(s: frozenset[int]) -> bool:
        members = sorted(s)
        for r in range(len(members) + 1):
            for t in itertools.combinations(members, r):
                if sum(w[i] for i in t) >= q and not any(a in t and b in t for a, b in pairs):
                    return True
        return False

    return wins


@FAST
@given(
    games.flatmap(
        lambda g: st.tuples(
            st.just(g),
            st.lists(st.tuples(st.integers(0, len(g[0]) - 1), st.integers(0, len(g[0]) - 1)), max_size=3),
            st.lists(st.integers(0, len(g[0]) - 1), max_size=2),
        )
    )
)
def test_incompatible_and_excluded_match_brute_force(args) -> None:
    (w, q), raw_pairs, raw_excluded = args
    pairs = [(a, b) for a, b in raw_pairs if a != b]
    excluded = set(raw_excluded)
    names = [f"P{i + 1}" for i in range(len(w))]
    ref_pairs = [(a, b) for a, b in pairs]
    base = feasible_cover(w, q, ref_pairs)
    ref = brute(len(w), lambda s: base(s - excluded))
    r = power_indices(
        w,
        q,
        exact=True,
        excluded=[names[i] for i in excluded],
        incompatible=[(names[a], names[b]) for a, b in pairs],
    )
    for key in PowerResult.INDICES:
        assert as_list(getattr(r, key)) == ref[key], key
    assert r.minimal_winning_coalitions == len(ref["mwc"])
    for i in excluded:
        assert r.shapley_shubik[names[i]] == 0


def test_incompatible_example_by_hand() -> None:
    # A=40, B=40, C=30, q=51, A and B never together: winning = contains AC or BC.
    # C is pivotal unless first in the order: 2/3; A and B 1/6 each.
    r = power_indices({"A": 40, "B": 40, "C": 30}, 51, incompatible=[("A", "B")], exact=True)
    assert r.shapley_shubik == {"A": Fraction(1, 6), "B": Fraction(1, 6), "C": Fraction(2, 3)}
    assert minimal_winning_coalitions({"A": 40, "B": 40, "C": 30}, 51, incompatible=[("A", "B")]) == (
        ("A", "C"),
        ("B", "C"),
    )


def test_incompatible_limit() -> None:
    w = list(range(1, MAX_ENUMERATED_PLAYERS + 2))
    with pytest.raises(TooLargeError, match=str(MAX_ENUMERATED_PLAYERS)):
        shapley_shubik(w, sum(w) // 2 + 1, incompatible=[("P1", "P2")])
    # excluded players do not count towards the limit
    assert shapley_shubik(w, sum(w) // 2 + 1, incompatible=[("P1", "P2")], excluded=["P26"])["P26"] == 0


def test_coalition_search_limit() -> None:
    w = [1] * 40
    with pytest.raises(TooLargeError, match="coalition patterns"):
        johnston(w + list(range(2, 60)), 1000, max_patterns=10_000)
    # Shapley-Shubik and Banzhaf need no enumeration; power_indices can skip the coalition indices.
    r = power_indices(w + list(range(2, 60)), 1000, coalition_indices=False)
    assert r.deegan_packel is None and r.johnston is None
    with pytest.raises(TooLargeError, match="minimal winning coalitions"):
        minimal_winning_coalitions([1] * 30, 15, limit=1000)


def test_equal_weights_are_grouped_in_the_search() -> None:
    # 200 identical players: C(200,101) minimal winning coalitions, but one pattern.
    r = power_indices([1] * 200, 101, exact=True)
    assert r.deegan_packel is not None and r.johnston is not None
    assert set(r.deegan_packel.values()) == {Fraction(1, 200)}
    assert r.minimal_winning_coalitions == math.comb(200, 101)


# --------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------


@FAST
@given(games)
def test_shapley_shubik_sums_to_one_and_symmetry(game: tuple[list[int], int]) -> None:
    w, q = game
    ss = shapley_shubik(w, q, exact=True)
    assert sum(ss.values()) == 1
    bz = banzhaf(w, q, exact=True)
    assert sum(bz.values()) == 1
    for i, j in itertools.combinations(range(len(w)), 2):
        if w[i] == w[j]:
            assert ss[f"P{i + 1}"] == ss[f"P{j + 1}"]
            assert bz[f"P{i + 1}"] == bz[f"P{j + 1}"]


@FAST
@given(games)
def test_dummy_players_get_zero(game: tuple[list[int], int]) -> None:
    w, q = game
    ref = brute(len(w), weighted(w, q))
    r = power_indices(w, q)
    for i in range(len(w)):
        if ref["banzhaf_absolute"][i] == 0:  # a dummy: never swings anything
            for key in PowerResult.INDICES:
                assert getattr(r, key)[f"P{i + 1}"] == 0


@FAST
@given(games, st.integers(0, 6))
def test_zero_weight_player_changes_nobody(game: tuple[list[int], int], where: int) -> None:
    w, q = game
    where = min(where, len(w))
    before = as_list(shapley_shubik(w, q, exact=True))
    after = as_list(shapley_shubik([*w[:where], 0, *w[where:]], q, exact=True))
    assert after[where] == 0
    assert after[:where] + after[where + 1 :] == before
    fb = as_list(shapley_shubik(w, q))
    fa = as_list(shapley_shubik([*w[:where], 0, *w[where:]], q))
    assert max(abs(a - b) for a, b in zip(fa[:where] + fa[where + 1 :], fb, strict=True)) < 1e-12


# --------------------------------------------------------------------------------------------
# Multi-criteria games
# --------------------------------------------------------------------------------------------


multi_games = (
    st.integers(1, 6)
    .flatmap(
        lambda n: st.integers(1, 3).flatmap(
            lambda d: st.tuples(
                st.lists(st.lists(st.integers(0, 6), min_size=d, max_size=d), min_size=n, max_size=n).filter(
                    lambda rows: all(sum(r[c] for r in rows) > 0 for c in range(len(rows[0])))
                ),
                st.just(d),
                st.booleans(),
            )
        )
    )
    .flatmap(
        lambda t: st.tuples(
            st.just([[*row, 1] for row in t[0]] if t[2] else t[0]),
            st.tuples(*[st.integers(1, sum(r[c] for r in t[0])) for c in range(t[1])]).map(list),
            st.integers(1, len(t[0])) if t[2] else st.just(None),
        )
    )
)


@FAST
@given(multi_games)
def test_multi_criteria_match_brute_force(args) -> None:
    rows, quotas, heads = args
    if heads is not None:
        quotas = [*quotas, heads]
    d = len(quotas)
    ref = brute(len(rows), lambda s: all(sum(rows[i][c] for i in s) >= quotas[c] for c in range(d)))
    assert as_list(multi_criteria_shapley_shubik(rows, quotas, exact=True)) == ref["shapley_shubik"]
    assert as_list(multi_criteria_banzhaf(rows, quotas, exact=True)) == ref["banzhaf"]
    assert (
        as_list(multi_criteria_banzhaf(rows, quotas, exact=True, normalized=False)) == ref["banzhaf_absolute"]
    )


def test_multi_criteria_single_criterion_is_the_weighted_game() -> None:
    w = [9, 7, 4, 4, 2, 1]
    assert multi_criteria_shapley_shubik([[x] for x in w], [14], exact=True) == shapley_shubik(
        w, 14, exact=True
    )
    assert multi_criteria_banzhaf([[x] for x in w], [14]) == pytest.approx(banzhaf(w, 14))


def test_eu_council_double_majority() -> None:
    """27 states, 55% of states (15) and 65% of population; population in thousands (1 Jan 2023)."""
    pop = {"DE": 84359, "FR": 68173, "IT": 58997, "ES": 48059, "PL": 36754, "RO": 19055, "NL": 17811,
           "BE": 11743, "CZ": 10828, "SE": 10522, "PT": 10467, "GR": 10414, "HU": 9597, "AT": 9105,
           "BG": 6448, "DK": 5933, "FI": 5564, "SK": 5429, "IE": 5271, "HR": 3851, "LT": 2857, "SI": 2117,
           "LV": 1883, "EE": 1366, "CY": 921, "LU": 661, "MT": 542}  # fmt: skip
    total = sum(pop.values())
    matrix = {k: [1, v] for k, v in pop.items()}
    quotas = [15, math.ceil(0.65 * total)]
    ss = multi_criteria_shapley_shubik(matrix, quotas)
    bz = multi_criteria_banzhaf(matrix, quotas)
    assert math.fsum(ss.values()) == pytest.approx(1, abs=1e-12)
    assert ss["DE"] > ss["FR"] > ss["IT"] > ss["ES"] > ss["PL"]
    assert bz["MT"] > 0
    # The head count read off the size dimension (weights all 1) and the same criterion as a weight
    # dimension (weights all 2, quota 30) give the same game; population in units of 100,000 here.
    coarse = {k: round(v / 100) for k, v in pop.items()}
    q_pop = math.ceil(0.65 * sum(coarse.values()))
    as_count = multi_criteria_shapley_shubik({k: [1, v] for k, v in coarse.items()}, [15, q_pop], exact=True)
    as_weight = multi_criteria_shapley_shubik({k: [2, v] for k, v in coarse.items()}, [30, q_pop], exact=True)
    assert as_count == as_weight
    assert sum(as_count.values()) == 1


def test_multi_criteria_twelve_players_match_brute_force() -> None:
    rng = np.random.default_rng(7)
    rows = [[int(a), int(b), 1] for a, b in zip(rng.integers(1, 30, 12), rng.integers(0, 9, 12), strict=True)]
    quotas = [int(sum(r[0] for r in rows) * 0.6), int(sum(r[1] for r in rows) * 0.5), 7]
    ref = brute(12, lambda s: all(sum(rows[i][c] for i in s) >= quotas[c] for c in range(3)))
    assert as_list(multi_criteria_shapley_shubik(rows, quotas, exact=True)) == ref["shapley_shubik"]
    assert as_list(multi_criteria_banzhaf(rows, quotas, exact=True)) == ref["banzhaf"]


def test_multi_criteria_limit_and_validation() -> None:
    with pytest.raises(TooLargeError, match="coarser units"):
        multi_criteria_banzhaf([[10**7, 1], [10**7, 1], [1, 1]], [10**7 + 1, 2])
    with pytest.raises(InputError, match="above the total"):
        multi_criteria_banzhaf([[1, 2], [3, 4]], [5, 3])
    with pytest.raises(InputError, match="2 whole numbers"):
        multi_criteria_banzhaf([[1, 2], [3]], [1, 1])
    with pytest.warns(KingmakerWarning):
        multi_criteria_banzhaf([[1, 2], [3, 4]], [1, 1])


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "quota", "match"),
    [
        ([3, 2], 6, "above the total weight 5"),
        ([3, -2], 2, "negative"),
        ([3, 2.5], 3, "whole number"),
        ([3, "2"], 3, "whole number"),
        ([], 1, "empty"),
        ([3, 2], 0, "positive"),
        ([3, 2], 2.5, "whole number"),
    ],
)
def test_bad_input(weights: list[object], quota: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        shapley_shubik(weights, quota)  # type: ignore[arg-type]


def test_duplicate_names_and_unknown_names() -> None:
    with pytest.raises(InputError, match="duplicate player name 'A'"):
        banzhaf([1, 2], 2, players=["A", "A"])
    with pytest.raises(UnknownNameError, match="unknown player 'Z'"):
        banzhaf({"A": 1, "B": 2}, 2, excluded=["Z"])
    with pytest.raises(UnknownNameError):
        banzhaf({"A": 1, "B": 2}, 2, incompatible=[("A", "Z")])


def test_low_quota_warns_but_computes() -> None:
    with pytest.warns(KingmakerWarning, match="at most half"):
        ss = shapley_shubik([5, 5], 5, exact=True)
    assert ss == {"P1": Fraction(1, 2), "P2": Fraction(1, 2)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shapley_shubik([5, 5], 6)  # a proper game: no warning


def test_excluded_everyone_who_matters() -> None:
    r = power_indices({"A": 60, "B": 30, "C": 10}, 51, excluded=["A"])
    assert set(r.shapley_shubik.values()) == {0.0} and set(r.johnston.values()) == {0.0}  # type: ignore[union-attr]


def test_result_frame_and_dict() -> None:
    r = power_indices({"A": 2, "B": 1, "C": 1, "D": 1}, 4)
    frame = r.to_frame()
    assert list(frame.index) == ["A", "B", "C", "D"]
    assert frame.loc["A", "shapley_shubik"] == pytest.approx(0.5)
    assert list(r.to_dict()) == ["players", "quota", *PowerResult.INDICES]
    exact = power_indices({"A": 2, "B": 1, "C": 1, "D": 1}, 4, exact=True).to_dict(json_safe=True)
    assert exact["shapley_shubik"]["A"] == "1/2"
    assert "<table" in r._repr_html_()


def test_progress_callback() -> None:
    seen: list[tuple[int, int]] = []
    shapley_shubik([3, 2, 2, 1], 5, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "w.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_weights_json_exact(tmp_path: Path) -> None:
    f = write(tmp_path, "player,weight\nA,50\nB,49\nC,1\n")
    res = invoke("power", "--weights", f, "--quota", "51", "--exact", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert list(data) == ["players", "quota", *PowerResult.INDICES, "provenance"]
    assert data["players"] == ["A", "B", "C"] and data["quota"] == 51
    assert data["shapley_shubik"] == {"A": "2/3", "B": "1/6", "C": "1/6"}
    assert data["johnston"] == {"A": "2/3", "B": "1/6", "C": "1/6"}


def test_cli_weights_table_float(tmp_path: Path) -> None:
    f = write(tmp_path, "# a comment\nplayer,weight\n\nA,2\nB,1\nC,1\nD,1\n")
    res = invoke("power", "--weights", f, "--quota", "4")
    assert res.exit_code == 0, res.stderr
    assert "Shapley-Shubik" in res.stdout and "0.5000" in res.stdout and "Johnston" in res.stdout
    res = invoke("power", "--weights", f, "--threshold", "absolute", "--format", "json")
    assert json.loads(res.stdout)["quota"] == 3


def test_cli_preset(tmp_path: Path) -> None:
    res = invoke("power", "--preset", "uk-2010", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["quota"] == 326
    assert math.fsum(data["shapley_shubik"].values()) == pytest.approx(1)
    assert data["shapley_shubik"]["Lab"] == pytest.approx(data["shapley_shubik"]["LD"])
    res = invoke(
        "power",
        "--preset",
        "uk-2010",
        "--threshold",
        "working",
        "--exclude",
        "DUP",
        "--incompatible",
        "Con:Lab",
    )
    assert res.exit_code == 0, res.stderr
    assert "Incompatible: Con:Lab" in res.stdout


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("player,weight\nA,3\nB,2\n", ("--quota", "6"), "quota 6 is above the total weight 5"),
        ("player,weight\nA,3\nB,-2\n", ("--quota", "2"), ":3: the weight of B is negative"),
        ("player,weight\nA,3\nA,2\n", ("--quota", "3"), ":3: duplicate player name 'A' (first on line 2)"),
        ("player,weight\nA,3\nB,x\n", ("--quota", "3"), ":3: the weight of B must be a whole number"),
        ("player,weight\nA,3\nB,1,7\n", ("--quota", "3"), ":3: expected 2 fields"),
        ("name,seats\nA,3\n", ("--quota", "3"), ":1: expected a header row"),
        ("player,weight\n", ("--quota", "3"), "the game is empty"),
        ("", ("--quota", "3"), "the game is empty"),
        ("player,weight\nA,3\n,2\n", ("--quota", "3"), ":3: empty player name"),
        ("player,weight\nA,3\nB,2\n", (), "needs --quota"),
        ("player,weight\nA,3\nB,2\n", ("--threshold", "working"), "needs a parliament"),
        ("player,weight\nA,3\nB,2\n", ("--quota", "3", "--exclude", "Z"), "unknown player 'Z'"),
        ("player,weight\nA,3\nB,2\n", ("--quota", "3", "--incompatible", "AB"), "expected A:B pairs"),
    ],
)
def test_cli_bad_input(tmp_path: Path, content: str, args: tuple[str, ...], message: str) -> None:
    f = write(tmp_path, content)
    res = invoke("power", "--weights", f, *args)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert message in lines[0]


def test_cli_missing_file(tmp_path: Path) -> None:
    res = invoke("power", "--weights", str(tmp_path / "nope.csv"), "--quota", "3")
    assert res.exit_code == 2 and "nope.csv" in res.stderr and "cannot read" in res.stderr


def test_cli_low_quota_warns_exit_zero(tmp_path: Path) -> None:
    f = write(tmp_path, "player,weight\nA,3\nB,2\n")
    res = invoke("power", "--weights", f, "--quota", "2", "--format", "json")
    assert res.exit_code == 0
    assert res.stderr.startswith("warning: the quota 2 is at most half of the total weight 5")
    assert json.loads(res.stdout)["shapley_shubik"] == {"A": 0.5, "B": 0.5}


def test_cli_large_game_without_coalition_indices(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = "".join(f"p{i},{int(x)}\n" for i, x in enumerate(rng.integers(1, 101, 120)))
    f = write(tmp_path, "player,weight\n" + rows)
    res = invoke(
        "power", "--weights", f, "--threshold", "absolute", "--no-coalition-indices", "--format", "json"
    )
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["johnston"] is None and len(data["shapley_shubik"]) == 120
    res = invoke("power", "--weights", f, "--threshold", "absolute")
    assert res.exit_code == 2 and "--no-coalition-indices" in res.stderr


def test_weights_reader_takes_a_path_bytes_or_text(tmp_path: Path) -> None:
    """The reader moved to io: the same game from a path, from bytes and from text; errors name
    the display name given, never a temporary path."""
    from kingmaker.io.weights_csv import parse_weights_csv, read_weights_csv

    text = "\ufeffplayer,weight,note\nA,50,x\nB,49,y\nC,1,z\n"
    f = write(tmp_path, text)
    want = {"A": 50, "B": 49, "C": 1}
    assert read_weights_csv(f) == want
    assert read_weights_csv(Path(f)) == want
    assert read_weights_csv(text.encode("utf-8")) == want
    assert parse_weights_csv(text) == want
    with pytest.raises(InputError, match=r"^upload\.csv:3: the weight of B is negative") as err:
        read_weights_csv(b"player,weight\nA,3\nB,-2\n", name="upload.csv")
    assert err.value.line == 3
    with pytest.raises(InputError, match="not a UTF-8"):
        read_weights_csv(b"player,weight\n\xff,3\n", name="upload.csv")
    with pytest.raises(InputError, match=r"^pasted:3: duplicate player name 'A'"):
        parse_weights_csv("player,weight\nA,3\nA,2\n", name="pasted")


# --------------------------------------------------------------------------------------------
# Large weights: gcd scaling, the Banzhaf guard, one index alone
# --------------------------------------------------------------------------------------------


@FAST
@given(games, st.integers(2, 1000), st.integers(0, 999))
def test_gcd_scaled_game_has_the_same_indices(game: tuple[list[int], int], g: int, shift: int) -> None:
    """Weights times ``g`` with any quota in ``(g*(q-1), g*q]`` is the same game: every index equal."""
    w, q = game
    big_q = g * q - shift % g
    small = power_indices(w, q, exact=True)
    big = power_indices([g * x for x in w], big_q, exact=True)
    for key in PowerResult.INDICES:
        assert as_list(getattr(big, key)) == as_list(getattr(small, key)), key
    assert big.minimal_winning_coalitions == small.minimal_winning_coalitions


def test_shapley_shubik_of_a_game_in_thousands() -> None:
    """100 players whose weights are multiples of 1000: as fast and the same as the game in units."""
    rng = np.random.default_rng(7)
    w = [int(x) for x in rng.integers(1, 200, 100)]
    q = sum(w) // 2 + 1
    units = shapley_shubik(w, q)
    thousands = shapley_shubik([1000 * x for x in w], 1000 * q)
    assert list(thousands.values()) == pytest.approx(list(units.values()), rel=1e-12, abs=1e-15)


def test_banzhaf_refuses_a_huge_weight_range() -> None:
    from kingmaker.power import MAX_BANZHAF_CELLS

    rng = np.random.default_rng(1)
    w = [int(x) for x in rng.integers(1, 10**6, 200)]
    with pytest.raises(TooLargeError, match=f"{MAX_BANZHAF_CELLS:,} cells"):
        banzhaf(w, sum(w) // 2 + 1)
    with pytest.raises(TooLargeError, match="exact mode"):
        banzhaf([10**5 + i for i in range(20)], 10**6 + 100, exact=True)


@FAST
@given(games, st.sampled_from(PowerResult.INDICES))
def test_one_index_alone_equals_the_full_result(game: tuple[list[int], int], key: str) -> None:
    w, q = game
    full = power_indices(w, q, exact=True)
    alone = power_indices(w, q, exact=True, indices=[key.replace("_", "-")])
    assert getattr(alone, key) == getattr(full, key)
    assert all(getattr(alone, other) is None for other in PowerResult.INDICES if other != key)


def test_cli_index_banzhaf_alone(tmp_path: Path) -> None:
    f = write(tmp_path, "player,weight\nA,50000\nB,49000\nC,1000\n")
    res = invoke("power", "--weights", f, "--quota", "51000", "--index", "banzhaf")
    assert res.exit_code == 0, res.stderr
    assert "Banzhaf" in res.stdout and "0.6000" in res.stdout
    for other in ("Shapley", "Penrose", "Deegan", "Holler", "Johnston"):
        assert other not in res.stdout
    res = invoke("power", "--weights", f, "--quota", "51000", "--index", "banzhaf", "--format", "json")
    data = json.loads(res.stdout)
    assert data.pop("provenance")["options"]["index"] == ["banzhaf"]
    assert data == {
        "players": ["A", "B", "C"],
        "quota": 51000,
        "banzhaf": {"A": 0.6, "B": 0.2, "C": 0.2},
    }
    res = invoke("power", "--weights", f, "--quota", "51000", "--index", "bz")
    assert res.exit_code == 2 and "unknown power index 'bz'" in res.stderr
