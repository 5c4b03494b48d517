"""``kingmaker plot rounds`` and ``kingmaker plot forecast`` through the real entry point."""

from __future__ import annotations

from pathlib import Path

from kingmaker.ballots import Ballots
from kingmaker.counting import count
from kingmaker.report.rounds_plot import plot_rounds
from tests.cli_runner import invoke
from tests.conftest import shared_path

DATA = Path(__file__).parent / "data"


def _png(path: Path) -> None:
    assert path.exists() and path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 5000


def _error(*args: str) -> str:
    out = invoke(*args)
    assert out.exit_code == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


def test_plot_rounds_stv_and_av(tmp_path: Path) -> None:
    out = tmp_path / "rounds.png"
    r = invoke("plot", "rounds", str(DATA / "scottish_ward.blt"), "--method", "stv-scottish", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    _png(out)
    svg = tmp_path / "av.svg"
    r = invoke("plot", "rounds", str(DATA / "small.blt"), "--seats", "1", "--output", str(svg))
    assert r.exit_code == 0, r.stderr and svg.read_text().lstrip().startswith("<?xml")


def test_plot_rounds_figure_panels() -> None:
    result = count(Ballots.read(DATA / "scottish_ward.blt"), method="stv-scottish")
    fig = plot_rounds(result, max_cols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(result.rounds)
    assert visible[0].get_title(loc="left") == "Stage 1: first preferences"
    assert any(line.get_linestyle() == "--" for line in visible[0].lines)  # the quota
    assert fig._suptitle.get_text() == "stv-scottish, 3 seat(s): Ann, Bob, Cat elected"


def test_plot_rounds_college(tmp_path: Path) -> None:
    mps, members = tmp_path / "mps.blt", tmp_path / "members.blt"
    mps.write_text('3 1\n3 1 2 0\n2 2 0\n1 3 2 0\n0\n"A"\n"B"\n"C"\n"t"\n')
    members.write_text('3 1\n10 2 0\n8 1 0\n5 3 1 0\n0\n"A"\n"B"\n"C"\n"t"\n')
    out = tmp_path / "college.png"
    r = invoke("plot", "rounds", str(mps), str(members), "--method", "college", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    _png(out)


def test_plot_rounds_bad_input(tmp_path: Path) -> None:
    blt = str(DATA / "scottish_ward.blt")
    assert "must end in one of" in _error("plot", "rounds", blt, "-o", str(tmp_path / "x.txt"))
    assert "nope.blt" in _error("plot", "rounds", str(tmp_path / "nope.blt"), "-o", str(tmp_path / "x.png"))
    assert "unknown method" in _error("plot", "rounds", blt, "--method", "borda")
    assert not (tmp_path / "x.png").exists()
    assert invoke("plot", "rounds").exit_code == 2  # no ballot file: a usage error


def test_plot_forecast(tmp_path: Path) -> None:
    data_dir = str(shared_path("uk", "GE2010-results-flatfile-website.csv").parent)
    out = tmp_path / "forecast.png"
    shares = "Con=36,Lab=29,LD=23,SNP=1.7,PC=0.6,Grn=1,UKIP=3.2,BNP=1.9,Other=3.6"
    args = ["--base", "uk-2010-results", "--data-dir", data_dir, "--shares", shares]
    r = invoke(
        "plot", "forecast", *args, "--model", "uniform", "--sims", "200", "--seed", "3", "-o", str(out)
    )
    assert r.exit_code == 0, r.stderr
    _png(out)


def test_plot_forecast_bad_input(tmp_path: Path) -> None:
    assert "--base is required" in _error("plot", "forecast", "--shares", "Con=40,Lab=60")
    assert "must end in one of" in _error("plot", "forecast", "-o", str(tmp_path / "f.gif"))
    assert "--shares is required" in _error("plot", "forecast", "--base", "uk-2010-results", "-o", "f.png")
