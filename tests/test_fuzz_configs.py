"""Fuzzing the small-text and configuration readers (issue 10 section 4): odds strings (one price
in each style, a whole market, then de-vigged by every method), the model-probabilities JSON of
``odds --model``, leadership contest TOML, and RCTab contest configurations (read and their CVR
sources opened). Each input is read or refused with a :class:`~kingmaker.errors.KingmakerError`
under a memory limit (tests/test_fuzz_harness.py)."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.counting.rctab.config import config_ballots, read_config
from kingmaker.counting.rctab.method import count_config
from kingmaker.leadership import Contest
from kingmaker.odds import fair_probabilities
from kingmaker.odds.analysis import read_model_probabilities
from kingmaker.odds.parse import PRICE_STYLES, parse_market, parse_price
from kingmaker.odds.registry import DEVIG_METHODS
from tests.test_fuzz_harness import DATA, PROFILE, harmless, mutated_bytes, mutated_json

PRICE_SEEDS = [
    b"5/2",
    b"4/6",
    b"100/30",
    b"evens",
    b"3.5",
    b"1.01",
    b"+250",
    b"-150",
    b"2.5/2.6",
    b"11-4",
    b".5",
]
MARKET_SEEDS = [
    b"D Miliband 4/6, E Miliband 5/2, Balls 16/1, Burnham 20/1, Abbott 33/1",
    b"A: 2.5, B=1.8, C 12.0",
    b"Yes -150, No +130",
    b"X 1.9/1.95, Y 2.1/2.2",
]
MODEL_SEEDS: list[Any] = [
    {"probabilities": {"D Miliband": 0.6, "E Miliband": 0.3, "Balls": 0.1}},
    {"win_probability": {"A": 0.5, "B": 0.5}},
]
LEADERSHIP_SEEDS = [p.read_bytes() for p in sorted((DATA / "leadership").glob("*.toml"))]
RCTAB_SEED: dict[str, Any] = {
    "tabulatorVersion": "TEST",
    "outputSettings": {"contestName": "Fuzz", "contestDate": "2024-01-01"},
    "cvrFileSources": [
        {
            "filePath": "clear_ballot.csv",
            "contestId": "Mayor",
            "firstVoteColumnIndex": "",
            "firstVoteRowIndex": "",
            "provider": "clear_ballot",
            "overvoteLabel": "",
            "skippedRankLabel": "",
            "undeclaredWriteInLabel": "",
            "treatBlankAsUndeclaredWriteIn": False,
        }
    ],
    "candidates": [
        {"name": "Alice", "excluded": False, "aliases": []},
        {"name": "Bob", "excluded": False, "aliases": ["B."]},
        {"name": "Carol", "excluded": False, "aliases": []},
    ],
    "rules": {
        "tiebreakMode": "useCandidateOrder",
        "overvoteRule": "alwaysSkipToNextRank",
        "winnerElectionMode": "singleWinnerMajority",
        "randomSeed": "0",
        "numberOfWinners": "1",
        "decimalPlacesForVoteArithmetic": "4",
        "minimumVoteThreshold": "0",
        "maxSkippedRanksAllowed": "1",
        "maxRankingsAllowed": "3",
        "nonIntegerWinningThreshold": False,
        "hareQuota": False,
        "batchElimination": False,
        "continueUntilTwoCandidatesRemain": False,
        "stopTabulationEarlyAfterRound": "",
        "exhaustOnDuplicateCandidate": True,
    },
}


def _devig_all(market: Any) -> None:
    for method in DEVIG_METHODS.names():
        fair = fair_probabilities(market, method)
        assert all(math.isfinite(p) and 0 <= p <= 1 for p in fair.probabilities), (method, fair)


@settings(PROFILE)
@given(mutated_bytes(PRICE_SEEDS), st.sampled_from(PRICE_STYLES))
def test_fuzz_odds_prices(data: bytes, style: str) -> None:
    text = data.decode("utf-8", "replace")
    price = harmless("odds-price", lambda: parse_price(text, style, runner="R"))
    if price is not None:
        assert math.isfinite(price.decimal) and price.decimal > 1, price


@settings(PROFILE)
@given(
    mutated_bytes(MARKET_SEEDS),
    st.sampled_from(PRICE_STYLES),
    st.sampled_from([0.0, 0.05, 0.999999, -0.1, 1.0, float("nan")]),
)
def test_fuzz_odds_markets(data: bytes, style: str, commission: float) -> None:
    text = data.decode("utf-8", "replace")

    def read() -> object:
        market = parse_market(text, style, commission)
        _devig_all(market)
        return market

    harmless("odds-market", read)


@settings(PROFILE)
@given(mutated_json(MODEL_SEEDS))
def test_fuzz_odds_model_json(data: bytes) -> None:
    def read() -> object:
        doc = json.loads(data)  # what ``odds --model`` does before it reads the table
        if not isinstance(doc, dict):
            return None
        return read_model_probabilities(doc, source="model.json")

    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return  # the CLI's JSON loading is not a reader of this package; the table reader is
    harmless("odds-model-json", read)


@settings(PROFILE)
@given(mutated_bytes(LEADERSHIP_SEEDS))
def test_fuzz_leadership_toml(data: bytes) -> None:
    def read() -> object:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "contest.toml"
            path.write_bytes(data)
            return Contest.read(path)

    harmless("leadership-toml", read)


@settings(PROFILE)
@given(mutated_json([RCTAB_SEED]))
def test_fuzz_rctab_contest_config(data: bytes) -> None:
    def read() -> object:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "clear_ballot.csv").write_bytes((DATA / "cvr" / "clear_ballot.csv").read_bytes())
            path = folder / "contest_config.json"
            path.write_bytes(data)
            config_ballots(read_config(path))  # the sources alone, then the count as `kingmaker count`
            return count_config(path)

    harmless("rctab-config", read)
