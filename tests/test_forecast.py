"""Monte Carlo forecasts: determinism, coalition arithmetic against Parliament, bad input, CLI, plots."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from kingmaker.coalitions import coalitions as winning_coalitions
from kingmaker.conventions import SeatConventions
from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.forecast import (
    CHUNK_SIZE,
    PollingError,
    forecast,
)
from kingmaker.projection import ProjectionWarning
from kingmaker.votes import VoteTable
from tests.cli_runner import invoke
from tests.conftest import shared_path


def table(seats: int = 40, seed: int = 3) -> VoteTable:
    """A small synthetic country: two English regions, Scotland (SNP), the Speaker, NI (SF, DUP)."""
    rng = np.random.default_rng(seed)
    parties = ("Con", "Lab", "LD", "SNP", "SF", "DUP", "Speaker")
    rows, regions, nations = [], [], []
    for d in range(seats):
        if d == 0:
            rows.append([0, 0, 0, 0, 0, 0, 30000])
            regions.append("South East")
            nations.append("England")
            continue
        kind = d % 5
        if kind == 4:
            rows.append([0, 0, 0, 0, *rng.integers(8000, 20000, 2), 0])
            regions.append("Northern Ireland")
            nations.append("Northern Ireland")
        else:
            v = rng.integers(5000, 20000, 3).tolist()
            snp = int(rng.integers(8000, 20000)) if kind == 3 else 0
            rows.append([*v, snp, 0, 0, 0])
            region = {0: "North East", 1: "South East", 2: "North East", 3: "Scotland"}[kind]
            regions.append(region)
            nations.append("Scotland" if kind == 3 else "England")
    return VoteTable(
        np.array(rows),
        parties,
        tuple(f"S{d}" for d in range(seats)),
        regions=tuple(regions),
        nations=tuple(nations),
    )


SHARES = {"Con": 34, "Lab": 34, "LD": 22, "SNP": 10}


def run(**kwargs):
    args = {"sims": 2500, "seed": 7, "coalitions": ["Con+LD", "Lab+LD+SNP"]} | kwargs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProjectionWarning)
        return forecast(table(), SHARES, **args)


def test_same_seed_same_numbers_whatever_the_threads():
    a = run(workers=1)
    b = run(workers=3)
    assert np.array_equal(a.seats, b.seats)
    assert a.to_dict() == b.to_dict() | {"backend": a.backend}
    assert np.array_equal(a.seat_probabilities, b.seat_probabilities)
    c = run(seed=8)
    assert not np.array_equal(a.seats, c.seats)


def test_chunks_are_independent_of_the_run_length():
    """The first chunk's draws are the same whether 1,000 or 2,500 simulations run."""
    a = run(sims=CHUNK_SIZE)
    b = run(sims=2 * CHUNK_SIZE + 500)
    assert np.array_equal(a.seats, b.seats[:CHUNK_SIZE])
    assert b.sims == 2500 and b.seats.shape[0] == 2500


@pytest.mark.parametrize("model", ["uniform", "regional", "proportional", "transition"])
def test_ruling_out_hopeless_parties_changes_no_seat(model, monkeypatch):
    """Without constituency noise the draws that decide seats are the same whichever parties the
    kernel rules out of a seat, so the pruned run must equal the run that scores every party."""
    import kingmaker.forecast.kernel as fc

    error = PollingError(national=4.0, regional=3.0, seat=0.0)
    pruned = run(model=model, error=error, sims=1200)
    monkeypatch.setattr(fc, "_PRUNE_MARGIN", np.inf)
    full = run(model=model, error=error, sims=1200)
    assert np.array_equal(pruned.seats, full.seats)
    assert np.array_equal(pruned.seat_probabilities, full.seat_probabilities)
    assert len({tuple(r) for r in pruned.seats.tolist()}) > 1  # the errors do move seats


def test_summary_is_consistent():
    f = run()
    assert f.seats.sum(axis=1).tolist() == [40] * f.sims
    assert sum(f.p_largest.values()) == pytest.approx(1.0)
    assert f.p_hung == pytest.approx(1 - f.p_overall_majority)
    for p in f.shown_parties():
        assert f.low[p] <= f.median[p] <= f.high[p]
    assert f.median["Speaker"] == 1 and f.low["Speaker"] == 1  # the Speaker's seat is held
    assert f.absolute_majority == 21
    np.testing.assert_allclose(f.seat_probabilities.sum(axis=1), 1.0, rtol=1e-6)
    d = f.to_dict()
    assert set(d) >= {"win_probability", "overall_majority", "hung_parliament", "coalitions", "seats"}
    assert d["coalitions"][0]["coalition"] == "Con+LD"
    json.dumps(d)
    assert list(f.to_frame().columns) == ["median", "low_5", "high_95", "mean", "p_largest", "p_majority"]
    assert len(f.seat_frame()) == 40


def test_no_error_gives_the_central_projection_every_time():
    f = run(error=PollingError(0, 0, 0, 0), sims=1200)
    central = np.array([f.central_seats.get(p, 0) for p in f.parties])
    assert (f.seats == central).all()


def test_coalition_probabilities_match_parliament_arithmetic():
    f = run()
    conv = SeatConventions.uk(f.parties)
    voting, working, absolute = conv.arithmetic(f.seats, f.parties)
    for s in range(0, f.sims, 250):
        seats = {p: int(f.seats[s, i]) for i, p in enumerate(f.parties)}
        parliament = conv.parliament(seats)
        assert parliament.absolute_majority == absolute
        assert parliament.working_majority_threshold == working[s]
        for threshold in ("absolute", "working"):
            wins = {c.parties for c in winning_coalitions(parliament, threshold=threshold).coalitions}
            weights = parliament.weights(threshold)
            for members in (("Con", "LD"), ("Lab", "LD", "SNP")):
                total = sum(weights.get(p, 0) for p in members)
                assert (total >= parliament.quota(threshold)) == (
                    (
                        sum(
                            f.seats[s, f.parties.index(p)] * (voting[s, f.parties.index(p)] > 0)
                            for p in members
                        )
                        >= absolute
                    )
                    if threshold == "absolute"
                    else (sum(voting[s, f.parties.index(p)] for p in members) >= working[s])
                )
                present = tuple(p for p in members if p in weights)
                if total >= parliament.quota(threshold) and all(
                    sum(weights[q] for q in present if q != r) < parliament.quota(threshold) for r in present
                ):
                    assert tuple(sorted(present)) in {tuple(sorted(w)) for w in wins}
    odds = {c.name: c for c in f.coalitions}
    assert 0 <= odds["Con+LD"].p_absolute <= odds["Con+LD"].p_working <= 1


def test_majority_arithmetic_of_2010():
    parties = ("Con", "Lab", "LD", "SF", "Speaker", "DUP")
    seats = np.array([[306, 258, 57, 5, 1, 23]])
    voting, working, absolute = SeatConventions.uk(parties).arithmetic(seats, parties)
    assert absolute == 326 and working[0] == 321
    assert voting[0].tolist() == [305, 256, 57, 0, 0, 23]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sims": 0}, InputError, "at least 1"),
        ({"sims": -5}, InputError, "at least 1"),
        ({"sims": 10**9}, TooLargeError, "limit"),
        ({"sims": 2.5}, InputError, "whole number"),
        ({"seed": -1}, InputError, "seed"),
        ({"coalitions": ["Con+Tory"]}, UnknownNameError, "Tory"),
        ({"backend": "spark"}, UnknownNameError, "backend"),
        ({"error": PollingError(correlation=-0.9)}, InputError, "impossible"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        run(**kwargs)


def test_bad_error_sizes():
    with pytest.raises(InputError, match="national"):
        PollingError(national=-1)
    with pytest.raises(InputError, match="correlation"):
        PollingError(correlation=2)


def test_missing_base():
    with pytest.raises(InputError, match="base"):
        forecast(None, SHARES)  # type: ignore[arg-type]


def test_plot_forecast(tmp_path):
    from kingmaker.report.forecast_plots import plot_forecast

    out = plot_forecast(run(sims=1000), tmp_path / "f.png")
    assert out.stat().st_size > 5000
    assert out.read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------------------------------- CLI
def data_dir() -> str:
    return str(shared_path("uk", "GE2010-results-flatfile-website.csv").parent)


UK_SHARES = "Con=36,Lab=29,LD=23,SNP=1.7,PC=0.6,Grn=1,UKIP=3.2,BNP=1.9,Other=3.6"


def test_cli_forecast_json_and_plot(tmp_path):
    out = tmp_path / "forecast.png"
    r = invoke(
        "forecast",
        "--base",
        "uk-2010-results",
        "--data-dir",
        data_dir(),
        "--shares",
        UK_SHARES,
        "--model",
        "regional",
        "--sims",
        "1500",
        "--seed",
        "11",
        "--coalition",
        "Con+LD",
        "--coalition",
        "Lab+LD+SNP+PC+SDLP+Grn+APNI",
        "--format",
        "json",
        "--plot",
        str(out),
    )
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["sims"] == 1500 and d["seed"] == 11
    assert d["win_probability"]["Con"] > 0.5
    assert d["seats"]["Speaker"]["median"] == 1
    assert [c["coalition"] for c in d["coalitions"]] == ["Con+LD", "Lab+LD+SNP+PC+SDLP+Green+Alliance"]
    assert d["absolute_majority"] == 326
    assert 315 <= d["median_working_majority_threshold"] <= 325
    assert out.exists()
    again = invoke(
        "forecast",
        "--base",
        "uk-2010-results",
        "--data-dir",
        data_dir(),
        "--shares",
        UK_SHARES,
        "--sims",
        "1500",
        "--seed",
        "11",
        "-c",
        "Con+LD",
        "-c",
        "Lab+LD+SNP+PC+SDLP+Grn+APNI",
        "--format",
        "json",
    )
    assert json.loads(again.stdout) == d


def test_cli_forecast_table():
    r = invoke(
        "forecast",
        "--base",
        "uk-2010-results",
        "--data-dir",
        data_dir(),
        "--shares",
        UK_SHARES,
        "--sims",
        "1000",
        "--seed",
        "1",
        "-c",
        "Con+LD",
    )
    assert r.exit_code == 0, r.stderr
    assert "P(hung parliament)" in r.stdout and "Con+LD" in r.stdout


def test_cli_project():
    r = invoke(
        "project",
        "--base",
        "uk-2010-results",
        "--data-dir",
        data_dir(),
        "--shares",
        "Con=37.7,Lab=31.2,UKIP=12.9,LD=8.1,SNP=4.9,Grn=3.8,PC=0.6",
        "--model",
        "regional",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["seats"]["SNP"] > 30 and len(d["changes"]) > 50
    assert "normalised" in r.stderr


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--shares", "Con=36,Lab=29,LD=23,Other=70"], "sum to"),
        (["--shares", "Con=-3,Lab=50,LD=53"], "negative"),
        (["--shares", "Tory=36,Lab=64"], "Tory"),
        (["--shares", UK_SHARES, "--sims", "0"], "at least 1"),
        (["--shares", UK_SHARES, "-c", "Con+Whig"], "Whig"),
        (["--shares", "Con 36"], "cannot read"),
    ],
)
def test_cli_bad_input_exit_2_one_line(args, match):
    r = invoke("forecast", "--base", "uk-2010-results", "--data-dir", data_dir(), *args)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and match in lines[0]


def test_cli_missing_base():
    r = invoke("forecast", "--shares", UK_SHARES)
    assert r.exit_code == 2 and "--base is required" in r.stderr
    r = invoke("forecast", "--base", "uk-1066-results", "--shares", UK_SHARES)
    assert r.exit_code == 2 and "unknown data set" in r.stderr


# ----- backends, progress and party names
class RecordingBackend:
    """An in-process Backend (kingmaker.forecast.backends): runs the chunks in reverse order."""

    name = "fake"

    def __init__(self) -> None:
        self.chunks: list[tuple[int, int]] = []

    def run(self, sp, chunks, advance):
        from kingmaker.forecast.kernel import simulate_chunk

        self.chunks = list(chunks)
        out = {}
        for i, n in reversed(chunks):
            out[i] = simulate_chunk(sp, i, n)
            advance(n)
        return out


def test_any_backend_gives_the_same_numbers_and_reports_progress():
    fake = RecordingBackend()
    calls: list[tuple[int, int]] = []
    f = run(sims=2500, backend=fake, progress=lambda done, total: calls.append((done, total)))
    local = run(sims=2500)
    assert fake.chunks == [(0, 1000), (1, 1000), (2, 500)]
    assert f.backend == "fake" and np.array_equal(f.seats, local.seats)
    assert f.to_dict() == local.to_dict() | {"backend": "fake"}
    assert calls == [(500, 2500), (1500, 2500), (2500, 2500)]
    with pytest.raises(InputError, match="progress"):
        run(sims=10, progress=True)


def test_coalitions_accept_aliases_and_any_case():
    f = run(coalitions=["con+ld", ["LAB", "ld", "snp"]])
    assert [c.parties for c in f.coalitions] == [("Con", "LD"), ("Lab", "LD", "SNP")]
    with pytest.raises(UnknownNameError, match=r"^coalition 'Con\+Tory': unknown party 'Tory'"):
        run(coalitions=["Con+Tory"])


def _green_results(tmp_path):
    """The synthetic country with its SNP column called Green, as a long results CSV."""
    t = table()
    path = tmp_path / "results.csv"
    rows = ["district,party,votes,region,nation"]
    for d, name in enumerate(t.districts):
        for p, party in enumerate(t.parties):
            if t.votes[d, p]:
                rows.append(
                    f"{name},{'Green' if party == 'SNP' else party},{t.votes[d, p]},{t.regions[d]},{t.nations[d]}"
                )
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_cli_project_and_forecast_accept_an_alias(tmp_path):
    base = _green_results(tmp_path)
    shares = {"canonical": "Con=34,Lab=34,LD=22,Green=10", "alias": "Con=34,lab=34,LD=22,Grn=10"}
    projected = {
        k: invoke("project", "--base", base, "--shares", s, "--format", "json") for k, s in shares.items()
    }
    assert projected["alias"].exit_code == 0, projected["alias"].stderr
    alias, canonical = (json.loads(projected[k].stdout) for k in ("alias", "canonical"))
    assert alias.pop("provenance")["options"]["shares"] == shares["alias"]
    canonical.pop("provenance")
    assert alias == canonical
    args = (
        "forecast",
        "--base",
        base,
        "--shares",
        shares["alias"],
        "--sims",
        "1000",
        "--seed",
        "3",
        "--format",
        "json",
    )
    d = json.loads(invoke(*args, "-c", "lab+grn").stdout)
    same = json.loads(invoke(*args, "-c", "Lab+Green").stdout)
    d.pop("provenance"), same.pop("provenance")
    assert d["coalitions"][0]["coalition"] == "Lab+Green" and d == same
    bad = invoke("project", "--base", base, "--shares", "Con=34,Lab=34,LD=22,Gren=10")
    assert bad.exit_code == 2 and "error: unknown party 'Gren' (did you mean 'Green'?)" in bad.stderr
