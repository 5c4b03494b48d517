"""A model's runner names matched to a market's as people write them (``kingmaker.odds.names``),
and the README's ``leadership simulate`` -> ``odds --model`` example through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.odds import match_runners, parse_aliases
from tests.cli_runner import invoke

REPO = Path(__file__).resolve().parents[1]
#: The market of the README's example, as written there.
README_MARKET = "D Miliband 4/6, E Miliband 5/2, Balls 16/1, Burnham 33/1, Abbott 50/1"
RUNNERS = ["D Miliband", "E Miliband", "Balls", "Burnham", "Abbott"]


def pairs(names, runners=RUNNERS, aliases=None):
    return {m.name: (m.runner, m.how) for m in match_runners(runners, names, aliases)}


def test_initials_forenames_and_surnames():
    got = pairs(["David Miliband", "Ed Miliband", "Ed Balls", "Burnham", "d. abbott"])
    assert got == {
        "David Miliband": ("D Miliband", "surname"),
        "Ed Miliband": ("E Miliband", "surname"),
        "Ed Balls": ("Balls", "surname"),
        "Burnham": ("Burnham", "exact"),
        "d. abbott": ("Abbott", "surname"),
    }
    assert pairs(["e. miliband"]) == {"e. miliband": ("E Miliband", "same")}
    # the other way round: the market has full names, the model initials
    assert pairs(["E Miliband"], ["David Miliband", "Ed Miliband"]) == {
        "E Miliband": ("Ed Miliband", "surname")
    }


def test_full_forenames_must_agree():
    with pytest.raises(UnknownNameError, match="not in the market"):
        match_runners(["Ed Miliband"], ["Edward Miliband"])
    assert pairs(["Edward Miliband"], ["Ed Miliband"], {"Edward Miliband": "Ed Miliband"}) == {
        "Edward Miliband": ("Ed Miliband", "alias")
    }


def test_ambiguity_names_the_candidates():
    with pytest.raises(UnknownNameError, match="could be any of D Miliband, E Miliband"):
        match_runners(RUNNERS, ["Miliband"])
    with pytest.raises(UnknownNameError, match="Miliband, E Miliband"):
        match_runners(["Miliband", "E Miliband"], ["Ed Miliband"])
    with pytest.raises(UnknownNameError, match="'David Miliband' and 'Dave Miliband' both match"):
        match_runners(["D Miliband", "E Miliband"], ["David Miliband", "Dave Miliband"])


def test_aliases_are_read_and_checked():
    assert parse_aliases(["A B=C", "D=E, F = G"]) == {"A B": "C", "D": "E", "F": "G"}
    with pytest.raises(InputError, match="MODEL NAME=RUNNER"):
        parse_aliases(["no equals sign"])
    with pytest.raises(UnknownNameError, match="'Nobody' is not in the market"):
        match_runners(RUNNERS, ["Ed Balls"], {"Ed Balls": "Nobody"})


surnames = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8), min_size=1, max_size=6, unique=True
)
forenames = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)


@given(surnames, st.data())
def test_initial_plus_surname_finds_the_full_name(sur, data):
    """With distinct surnames every "Initial Surname" finds its "Forename Surname", and nothing else."""
    full = [f"{data.draw(forenames).title()} {s.title()}" for s in sur]
    short = [f"{f[0]} {f.split()[1]}" for f in full]
    assert [m.runner for m in match_runners(full, short)] == full
    assert [m.runner for m in match_runners(short, full)] == short


def test_readme_example_runs_as_written(tmp_path):
    """The README's odds example, then with the JSON of ``leadership simulate`` as --model."""
    r = invoke("odds", README_MARKET)
    assert r.exit_code == 0, r.stderr
    assert "D Miliband" in r.stdout and "booksum 99.36%" in r.stdout
    sim = invoke(
        "leadership", "simulate", str(REPO / "tests/data/leadership/labour2010.toml"),
        "--sims", "2000", "--seed", "1", "--format", "json",
    )  # fmt: skip
    assert sim.exit_code == 0, sim.stderr
    model = tmp_path / "sim.json"
    model.write_text(sim.stdout)
    assert "David Miliband" in json.loads(sim.stdout)["win_probability"]
    r = invoke("odds", README_MARKET, "--model", str(model))
    assert r.exit_code == 0, r.stderr
    assert "David Miliband → D Miliband" in r.stdout and "Ed Balls → Balls" in r.stdout
    data = json.loads(invoke("odds", README_MARKET, "--model", str(model), "--format", "json").stdout)
    by_runner = {row["runner"]: row for row in data["runners"]}
    p = json.loads(sim.stdout)["win_probability"]
    assert by_runner["E Miliband"]["model"] == p["Ed Miliband"]
    assert {"name": "David Miliband", "runner": "D Miliband", "how": "surname"} in data["model_names"]


def test_cli_ambiguous_model_is_one_error_line(tmp_path):
    model = tmp_path / "m.json"
    model.write_text(json.dumps({"probabilities": {"Miliband": 0.5}}))
    r = invoke("odds", README_MARKET, "--model", str(model))
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert "could be any of D Miliband, E Miliband" in r.stderr
    r = invoke("odds", README_MARKET, "--model", str(model), "--alias", "Miliband=E Miliband")
    assert r.exit_code == 0, r.stderr
    assert "Miliband → E Miliband" in r.stdout
