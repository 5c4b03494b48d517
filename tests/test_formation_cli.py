"""``kingmaker formation`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_runner import invoke

MINI = Path(__file__).parent / "data" / "parlgov"


def test_uk_2010_preset_json():
    r = invoke(
        "formation", "--preset", "uk-2010", "--previous", "Lab", "--previous-pm", "Lab", "--format", "json"
    )
    assert r.exit_code == 0, r.stderr
    govs = json.loads(r.stdout)["formation"]["governments"]
    assert len(govs) == 10
    assert ["Con", "LD"] in [g["parties"] for g in govs[:3]]
    assert govs[0]["probability"] >= govs[1]["probability"]
    assert set(govs[0]["contributions"]) == set(govs[0]["features"])


def test_table_with_duration_and_plot(tmp_path):
    out = tmp_path / "curve.png"
    r = invoke(
        "formation",
        "--preset",
        "uk-2010",
        "--top",
        "3",
        "--with",
        "Con,LD",
        "--term-months",
        "60",
        "--plot",
        str(out),
    )
    assert r.exit_code == 0, r.stderr
    assert "the most likely governments" in r.stdout and "Con+LD: median" in r.stdout
    assert "P(lasting the full 60-month term)" in r.stdout
    assert out.stat().st_size > 1000


def test_parlgov_election_marks_the_formed_cabinet(monkeypatch):
    monkeypatch.setenv("KINGMAKER_PARLGOV_DIR", str(MINI))
    r = invoke("formation", "--parlgov", "ATL:2004", "--format", "json", "--duration")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["formation"]["formed"] == ["A", "B"]
    assert data["duration"]["term_months"] == 48  # the shipped model's term for an unknown country: default
    r = invoke("formation", "--parlgov-dir", str(MINI), "--parlgov", "ATL:2000")
    assert r.exit_code == 0, r.stderr
    assert "formed" in r.stdout and "Formed: A+B" in r.stdout


def _one_line_error(*args: str) -> str:
    r = invoke(*args)
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    return r.stderr


def test_bad_input_is_one_line_and_exit_2(monkeypatch):
    monkeypatch.setenv("KINGMAKER_PARLGOV_DIR", str(MINI))
    assert "unknown ParlGov country 'XYZ'" in _one_line_error("formation", "--parlgov", "XYZ:2004")
    assert "held no election in 1999; nearest" in _one_line_error("formation", "--parlgov", "ATL:1999")
    assert "at least two parties" in _one_line_error("formation", "--seats", "A=10@3")
    assert "no party has a left-right position" in _one_line_error("formation", "--seats", "A=10,B=5")
    assert "empty coalition" in _one_line_error("formation", "--preset", "uk-2010", "--with", " , ")
    assert "unknown party 'Zed'" in _one_line_error("formation", "--preset", "uk-2010", "--with", "Zed")
    assert "unknown party 'Zed'" in _one_line_error("formation", "--preset", "uk-2010", "--previous", "Zed")
    assert "--with: unknown party" in _one_line_error("formation", "--parlgov", "ATL:2004", "--with", "Q")
