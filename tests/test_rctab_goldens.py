"""RCTab's own regression contests (../shared/data/ballots/rctab), matched round by round.

Each contest with an ``*_expected_detailed_report.json`` is read from its vendor CVRs by its
``*_config.json`` and counted by ``kingmaker count``'s ``rctab`` method; every round's
tallies, threshold, inactive ballots by reason, elected and eliminated candidates and the
transfers out of each must equal RCTab's exactly (as decimals).

Where RCTab settles a tie with its random generator (``tiebreakMode: random`` and a seed), the
draw is listed in :data:`DRAWS`: kingmaker replays it with Java's ``java.util.Random`` and the
same seed, so the rounds after the draw match too; the rounds before the draw are decided
by the counts alone.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from kingmaker.counting.rctab.config import read_config
from kingmaker.counting.rctab.method import count_config
from kingmaker.counting.result import Result
from kingmaker.errors import InputError
from kingmaker.io.rctab_report import rctab_report, urcvt_summary
from tests.cli_runner import invoke
from tests.conftest import shared_path

CONTESTS = (
    "2013_minneapolis_mayor",
    "2017_minneapolis_mayor",
    "2024_alaska_dominion",
    "aliases_cdf_json",
    "clear_ballot_kansas_primary",
    "continue_until_two_threshold_freeze",
    "dominion_alaska",
    "dominion_wyoming",
    "duplicate_test",
    "hart_cedar_park_school_board",
    "hart_travis_county_officers",
    "minneapolis_multi_seat_threshold",
    "nist_xml_cdf_2",
    "precinct_example",
    "skip_to_next_test",
    "test_set_8_multi_cdf",
    "test_set_allow_only_one_winner_per_round",
    "test_set_overvote_delimiter",
    "unisyn_xml_cdf_city_mayor",
    "uwi_cannot_win_test",
)
#: Contests where RCTab's random draw decides a tie: the draw, as kingmaker records it.
DRAWS = {
    "continue_until_two_threshold_freeze": ["round 4: B, C tied (eliminate); C chosen by random"],
    "nist_xml_cdf_2": [
        "round 1: Anita Rios and Bob Fitrakis, Edward FitzGerald and Sharen Swartz Neuhardt, "
        "John Kasich and Mary Taylor tied (eliminate); John Kasich and Mary Taylor chosen by random",
        "round 2: Anita Rios and Bob Fitrakis, Edward FitzGerald and Sharen Swartz Neuhardt tied (elect); "
        "Anita Rios and Bob Fitrakis chosen by random",
    ],
}
#: Round.inactive key -> RCTab's inactiveBallots key.
INACTIVE = {
    "overvotes": "overvotes",
    "skippedRankings": "skipped_rankings",
    "exhaustedChoices": "exhausted_choices",
    "repeatedRankings": "repeated_rankings",
    "finalRoundSurplus": "final_round_surplus",
}


def dec(x: Any) -> Decimal:
    """An exact number (int or decimal Fraction) or RCTab's decimal string as a Decimal."""
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    return Decimal(str(x))


def _count(case: str) -> tuple[Result, dict[str, Any]]:
    cfg_path = shared_path("ballots", "rctab", case, f"{case}_config.json")
    expected = json.loads(cfg_path.with_name(f"{case}_expected_detailed_report.json").read_text())
    cfg = read_config(cfg_path)
    missing = [s["filePath"] for s in cfg.sources if not (cfg_path.parent / s["filePath"]).exists()]
    if missing:
        pytest.skip(f"{case}: its CVR file(s) {missing} were not copied into ../shared/data")
    return count_config(cfg_path), expected


def tie_draws(result: Result) -> list[str]:
    """The tie-breaks settled by a random draw (Java's generator), as text."""
    draws = [t for t in result.ties if "java.util.Random" in t.detail]
    assert all("seed=" in t.detail for t in draws)  # the draw is reported as RCTab's, with its seed
    return [str(t) for t in draws]


@pytest.mark.parametrize("case", CONTESTS)
def test_matches_rctab_round_by_round(case: str) -> None:
    result, expected = _count(case)
    result.check_conservation()
    assert tie_draws(result) == DRAWS.get(case, [])
    rounds = expected["results"]
    assert len(result.rounds) == len(rounds)
    for exp, got in zip(rounds, result.rounds, strict=True):
        n = exp["round"]
        assert {c: dec(v) for c, v in got.tallies.items()} == {
            c: Decimal(v) for c, v in exp["tally"].items()
        }, n
        assert dec(got.quota) == Decimal(exp["threshold"]), n
        for key, value in exp["inactiveBallots"].items():
            assert dec(got.inactive.get(INACTIVE[key], 0)) == Decimal(value), (n, key)
        elected = sorted(a["elected"] for a in exp["tallyResults"] if "elected" in a)
        eliminated = sorted(a["eliminated"] for a in exp["tallyResults"] if "eliminated" in a)
        assert (sorted(got.elected), sorted(got.eliminated)) == (elected, eliminated), n
        for action in exp["tallyResults"]:
            who = action.get("elected") or action.get("eliminated")
            want = {k: Decimal(v) for k, v in action["transfers"].items() if Decimal(v)}
            assert {k: dec(v) for k, v in got.flows.get(who, {}).items() if v} == want, (n, who)
    winners = {a["elected"] for r in rounds for a in r["tallyResults"] if "elected" in a}
    assert set(result.winners) == winners
    summary = expected["summary"]
    assert dec(result.valid) == Decimal(summary["totalNumBallots"])
    assert result.rounds[0].inactive.get("no_rankings", 0) == summary["undervotes"]


def test_report_writer_reproduces_rctab_json() -> None:
    """``--format rctab`` on a config prints RCTab's detailed report (numbers compared as decimals)."""
    case = "minneapolis_multi_seat_threshold"
    path = shared_path("ballots", "rctab", case, f"{case}_config.json")
    out = invoke("count", str(path), "--format", "rctab")
    assert out.exit_code == 0, out.stderr
    mine = json.loads(out.stdout)
    theirs = json.loads(path.with_name(f"{case}_expected_detailed_report.json").read_text())

    def norm(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items() if k != "generatedBy"}
        if isinstance(x, list):
            return [norm(v) for v in x]
        if isinstance(x, str):
            try:
                return Decimal(x)
            except ArithmeticError:
                return x
        return x

    for a, b in zip(theirs["results"], mine["results"], strict=True):
        b["tallyResults"] = sorted(
            b["tallyResults"], key=lambda t: (t.get("elected", ""), t.get("eliminated", ""))
        )
        a["tallyResults"] = sorted(
            a["tallyResults"], key=lambda t: (t.get("elected", ""), t.get("eliminated", ""))
        )
        for t in a["tallyResults"]:
            t["transfers"] = {k: v for k, v in t["transfers"].items() if Decimal(v)}
    assert norm(mine["results"]) == norm(theirs["results"])
    assert norm(mine["summary"]) == norm(theirs["summary"])
    assert mine["config"]["contest"] == theirs["config"]["contest"]


def test_urcvt_summary_has_every_round() -> None:
    case = "skip_to_next_test"
    result, expected = _count(case)
    s = urcvt_summary(
        result, read_config(shared_path("ballots", "rctab", case, f"{case}_config.json")).output
    )
    assert [r["round"] for r in s["results"]] == [r["round"] for r in expected["results"]]
    assert s["config"]["threshold"] == "8" and s["config"]["contest"] == "Overvote2"
    assert s["results"][1]["tallyResults"] == [
        {"eliminated": "C", "transfers": {"A": "1", "B": "2", "exhausted": "1"}}
    ]
    assert rctab_report(result)["summary"]["totalNumBallots"] == "15"


def test_more_rankings_than_allowed_is_refused() -> None:
    """RCTab refuses ``max_ranking_enforcement`` (a CVR ranks more than the config allows)."""
    path = shared_path("ballots", "rctab", "max_ranking_enforcement", "max_ranking_enforcement_config.json")
    with pytest.raises(InputError):
        count_config(path)


def test_minneapolis_2013_through_the_cli() -> None:
    case = "2013_minneapolis_mayor"
    path = shared_path("ballots", "rctab", case, f"{case}_config.json")
    out = invoke("count", str(path), "--format", "json")
    assert out.exit_code == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["method"] == "rctab" and d["winners"] == ["BETSY HODGES"] and len(d["rounds"]) == 33
    assert Path(path).exists()


def test_plot_rounds_of_a_config(tmp_path: Path) -> None:
    case = "skip_to_next_test"
    path = shared_path("ballots", "rctab", case, f"{case}_config.json")
    out = tmp_path / "rounds.png"
    res = invoke("plot", "rounds", str(path), "--output", str(out))
    assert res.exit_code == 0, res.stderr
    assert out.stat().st_size > 1000
