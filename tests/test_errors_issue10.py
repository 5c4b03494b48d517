"""Issue 10, section 3: the library's side of "every error is one line": wrong answers refused.

The command-line side (one ``error:`` line, exit code 2, over every command) is the sweep in
tests/test_error_sweep.py; these are the library rules behind it: an election with no votes has
no winner, a party is never incompatible with itself, positions are finite, a 1e30 weight is a
number and not a leaked NumPy warning, and library messages name what the caller gave, never a
command-line flag.
"""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from kingmaker.ballots import Ballots
from kingmaker.coalitions import coalitions, complete
from kingmaker.counting import count
from kingmaker.errors import InputError, RuleError
from kingmaker.io import read_ballots
from kingmaker.parliament import Parliament
from kingmaker.ties import TieBreakPolicy, TiePolicy
from tests.cli_runner import invoke

REPO = Path(__file__).resolve().parents[1]
NO_VOTES_BLT = '3 2\n0\n"A"\n"B"\n"C"\n"t"\n'
BLANK_BALLOTS_BLT = '3 1\n4 0\n2 0\n0\n"A"\n"B"\n"C"\n"t"\n'
WITHDRAWN_ONLY_BLT = '3 2\n-1\n2 1 0\n0\n"A"\n"B"\n"C"\n"t"\n'


# ----------------------------------------------------------------------------- no votes, no winner
@pytest.mark.parametrize(
    "method", ["av", "stv-scottish", "stv-ers97", "stv-meek", "stv-gregory", "stv-irish"]
)
@pytest.mark.parametrize("text", [NO_VOTES_BLT, BLANK_BALLOTS_BLT, WITHDRAWN_ONLY_BLT])
def test_an_election_with_no_votes_has_no_winner(method: str, text: str) -> None:
    ballots = read_ballots(text, "blt")
    seats = 1 if method == "av" else 2
    with pytest.raises(InputError, match="no valid votes"):
        count(ballots, method=method, seats=seats)


def test_a_college_of_empty_sections_has_no_winner() -> None:
    empty = read_ballots('2 1\n0\n"A"\n"B"\n"t"\n', "blt")
    with pytest.raises(InputError, match="no valid votes"):
        count({"mps": empty, "members": empty}, method="college")


def test_one_vote_is_enough_to_count() -> None:
    result = count(read_ballots('3 1\n1 2 0\n0\n"A"\n"B"\n"C"\n"t"\n', "blt"), method="av")
    assert result.winners == ("B",)


def test_web_count_of_no_votes_is_a_json_400() -> None:
    pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from kingmaker.web.app import create_app

    client = TestClient(create_app(Parliament.preset("uk-2010")))
    r = client.post("/api/count?method=irv&format=blt", content=BLANK_BALLOTS_BLT.encode())
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert "no valid votes" in r.json()["error"]


@pytest.mark.parametrize("tie", ["most-votes", "lot", "raise"])
def test_a_district_with_no_votes_elects_no_one_even_by_lot(tie: str) -> None:
    with pytest.raises(RuleError, match="no votes were cast in d1"):
        TiePolicy(tie, seed=1).choose([0, 1], 1, np.array([0, 0]), ("A", "B"), "d1")


def test_tie_break_seed_is_a_whole_number_at_least_zero() -> None:
    with pytest.raises(InputError, match="seed must be a whole number >= 0, got -1"):
        TieBreakPolicy("random", seed=-1)
    assert TieBreakPolicy("random", seed=2**80).seed == 2**80  # NumPy seeds take any size


# ----------------------------------------------------------------------------- coalitions
def test_every_party_excluded_is_refused_not_an_empty_list() -> None:
    p = Parliament.from_seats({"Con": 3, "Lab": 2})
    with pytest.raises(InputError, match=r"every party that votes is excluded \(Con, Lab\)"):
        coalitions(p, excluded=["Con", "Lab"])
    assert coalitions(p, excluded=["Con"]).coalitions == ()  # Lab alone cannot win: a true answer


@pytest.mark.parametrize("pair", [("Con", "Con"), ("Con", "con")])
def test_a_party_is_never_incompatible_with_itself(pair: tuple[str, str]) -> None:
    p = Parliament.from_seats({"Con": 3, "Lab": 2, "LD": 1})
    with pytest.raises(InputError, match=r"incompatible: a party cannot be incompatible with itself"):
        coalitions(p, incompatible=[pair])
    with pytest.raises(InputError, match=r"incompatible"):
        complete(p, ["Lab"], incompatible=[pair])
    # Con:Lab still works, and Con stays in the analysis
    rows = coalitions(p, incompatible=[("Con", "Lab")]).coalitions
    assert [r.parties for r in rows] == [("Con", "LD")]


def test_library_labels_are_not_flags() -> None:
    p = Parliament.from_seats({"Con": 3, "Lab": 2})
    with pytest.raises(InputError, match=r"^excluded: unknown party 'Zed'"):
        coalitions(p, excluded=["Zed"])
    with pytest.raises(InputError, match=r"^group: unknown party 'Zed'"):
        complete(p, ["Zed"])


# ----------------------------------------------------------------------------- positions and weights
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_positions_are_refused_naming_the_party(bad: float) -> None:
    with pytest.raises(InputError, match=r"position of 'A' must be a finite number"):
        Parliament.from_seats({"A": 3, "B": 2}, positions={"A": bad, "B": 1.0})


@pytest.mark.parametrize("text", ["A=3@nan,B=2@1", "A=3@inf,B=2@1", "A=3@1e400,B=2@1"])
def test_non_finite_inline_positions_are_refused(text: str) -> None:
    with pytest.raises(InputError, match=r"^--seats: position of 'A' must be a finite number"):
        Parliament.parse_seats(text, label="--seats")


def test_a_1e30_ballot_weight_is_a_float_and_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the old int64 cast warned "invalid value encountered in cast"
        b = Ballots(np.array([[0, 1], [1, 0]]), np.array([1e30, 2.0]), ("A", "B"))
    assert b.weights.dtype == np.float64 and b.total == 1e30 + 2.0
    assert Ballots(np.array([[0, 1]]), np.array([3.0]), ("A", "B")).weights.dtype == np.int64


def _run_w_error(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -W error -m kingmaker ARGS``: any warning that is not handled becomes a traceback."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "kingmaker", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


@pytest.mark.parametrize(
    ("voters", "said"),
    [
        ("1e30", "voters is 1e+30"),  # the reader's number cap answers first
        ("1e12", "more people than are alive"),  # under that cap, the electorate check does
    ],
)
def test_absurd_section_voters_under_w_error(tmp_path: Path, voters: str, said: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'candidates = ["A", "B"]\nrules = "libdem"\n[transfers]\nA = { B = 50 }\n'
        f"[sections.members]\nvoters = {voters}\nshares = {{ A = 60, B = 40 }}\n"
    )
    out = _run_w_error("leadership", "count", str(config))
    assert out.returncode == 2, out.stderr
    (line,) = out.stderr.splitlines()  # one line naming the file, the section and what is wrong
    assert line.startswith(f"error: {config}: ") and "members" in line and said in line, line


def test_kingmaker_warning_under_w_error_is_one_error_line() -> None:
    out = _run_w_error("coalitions", "--seats", "A=3,B=2", "--threshold", "2")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the threshold 2 is at most half of 5")


# ----------------------------------------------------------------------------- flags in messages
_FLAG = re.compile(r"(?<![\w-])--[a-z]")
#: Status lines that ``kingmaker live`` prints about its own ``--watch`` option (not library errors).
_COMMAND_OUTPUT = {"kingmaker/web/live.py"}


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of ``path`` that is not a docstring, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_library_messages_name_no_command_line_flag() -> None:
    """Outside kingmaker/cli the library names what its caller gave (``excluded``,
    ``coalition_indices=False``); the CLI puts its flags in (``cli.common.flag_names``)."""
    found = []
    for path in sorted((REPO / "kingmaker").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("kingmaker/cli/") or rel in _COMMAND_OUTPUT:
            continue
        found += [f"{rel}:{line}: {text[:80]!r}" for line, text in _strings(path) if _FLAG.search(text)]
    assert not found, found


def test_the_cli_puts_its_flags_into_library_advice(tmp_path: Path) -> None:
    votes = tmp_path / "v.csv"
    votes.write_text("district,party,votes\nd1,A,5\nd1,B,5\nd2,A,4\nd2,B,1\n")
    with pytest.raises(RuleError, match="the 'lot' policy") as info:
        TiePolicy("most-votes").choose([0, 1], 1, np.array([5, 5]), ("A", "B"), "d1")
    assert "--" not in str(info.value)
    out = invoke("seats", "--data", str(votes), "--system", "fptp")
    assert out.exit_code == 2 and "give --seed N" in out.stderr and "--tie lot" in out.stderr
