"""Leadership contests: rule presets, the 2010 Labour arithmetic, Monte Carlo against the engine."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from kingmaker.ballots import Ballots
from kingmaker.counting.av import irv
from kingmaker.counting.college import college_totals
from kingmaker.errors import InputError, TooLargeError, UnknownNameError
from kingmaker.leadership import (
    Contest,
    PartyRules,
    SpatialModel,
    TransferMatrix,
    labour_2010_reproduction,
    rule_presets,
    spoiler_probabilities,
)
from tests.cli_runner import invoke
from tests.conftest import REPO, shared_path

DATA = Path(__file__).parent / "data" / "leadership"
CONFIGS = ["labour2010", "conservative2005", "labour2015", "libdem2d"]
LAB = ["David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott"]


def contest(name: str) -> Contest:
    return Contest.read(DATA / f"{name}.toml")


def fixed(c: Contest) -> Contest:
    """The same contest with no uncertainty."""
    return dataclasses.replace(
        c, sections=tuple(dataclasses.replace(s, concentration=None) for s in c.sections)
    )


def half_up(x: Fraction, places: int = 2) -> float:
    q = Fraction(1, 10**places)
    return float((x / q + Fraction(1, 2)).__floor__() * q)


# ============================================================================ presets
def test_presets_load_with_sources() -> None:
    assert set(rule_presets()) == {"labour-2010", "labour-2015", "conservative", "libdem"}
    kinds = {n: PartyRules.preset(n).kind for n in rule_presets()}
    assert kinds == {
        "labour-2010": "college",
        "labour-2015": "omov",
        "conservative": "exhaustive",
        "libdem": "omov",
    }
    for n in rule_presets():
        r = PartyRules.preset(n)
        assert r.sources and r.description and r.title
        assert r.to_dict()["name"] == n
    lab = PartyRules.preset("labour-2010")
    assert [s.weight for s in lab.sections] == [Fraction(1, 3)] * 3
    assert PartyRules.preset("labour-2015").section_names == (
        "members",
        "registered_supporters",
        "affiliated_supporters",
    )
    with pytest.raises(UnknownNameError, match="unknown leadership rules"):
        PartyRules.preset("ukip")


# ============================================================================ Labour 2010
def _facts() -> list[dict[str, str]]:
    with open(shared_path("facts", "labour_leadership_2010.csv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _section_figures(rows: list[dict[str, str]], rnd: int) -> dict[str, dict[str, str]]:
    """Each section's published figures for a round: votes where every candidate's are given
    (MPs & MEPs, affiliates), otherwise the percentages (members)."""
    by: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if (
            int(r["round"]) == rnd
            and r["section"] in ("mps_meps", "members", "affiliates")
            and r["status"] != "UNVERIFIED"
        ):
            by.setdefault(r["section"], []).append(r)
    out: dict[str, dict[str, str]] = {}
    for sec, rs in by.items():
        key = "votes" if all(r["votes"] for r in rs) else "percent_in_section"
        out[sec] = {r["candidate"]: r[key] for r in rs}
    return out


def test_labour_2010_college_totals_exactly_as_published() -> None:
    """Round 1 and the final round from each section's published figures (FACTS.md 3.2).

    Sources: MPs & MEPs votes, PrefLib 00030-00000001.soi (rangevoting.org/LabourUK2010.html);
    members, theguardian.com/politics/2010/sep/25/labour-leadership-result-ed-miliband and
    sluggerotoole.com/2010/09/25/miliband-the-younger/ (weighted x3); affiliates,
    politicalbetting.com 2010/09/28 (votes); final-round sections,
    theguardian.com/politics/2010/sep/25/ed-miliband-victory-tories; college totals,
    newstatesman.com/blogs/the-staggers/2010/09/labour-leader-miliband-prize and liberalconspiracy.org.
    """
    rows = _facts()
    published = {
        (int(r["round"]), r["candidate"]): float(r["percent_in_section"])
        for r in rows
        if r["section"] == "college"
    }
    r1 = college_totals(_section_figures(rows, 1))  # equal thirds by default
    assert {c: half_up(v) for c, v in r1.items()} == {c: published[1, c] for c in LAB}
    assert sum(r1.values()) == 100
    assert min(r1, key=r1.get) == "Diane Abbott"
    # weighted first-round contributions (sluggerotoole): DM 13.910 / 14.688 / 9.182
    mps = _section_figures(rows, 1)["mps_meps"]
    assert half_up(Fraction(100, 3) * Fraction(mps["David Miliband"]) / 266, 3) == 13.910
    r4 = college_totals(_section_figures(rows, 4))
    assert {c: half_up(v) for c, v in r4.items()} == {"Ed Miliband": 50.65, "David Miliband": 49.35}
    # rounds 2 and 3: section splits unpublished; the published totals give the eliminations
    r2 = {c: published[2, c] for c in LAB[:4]}
    r3 = {c: published[3, c] for c in LAB[:3]}
    assert min(r2, key=r2.get) == "Andy Burnham" and min(r3, key=r3.get) == "Ed Balls"


def test_labour_2010_reproduction_from_the_embedded_figures() -> None:
    rep = labour_2010_reproduction()
    assert rep.elimination_order == ("Diane Abbott", "Andy Burnham", "Ed Balls")
    assert rep.winner == "Ed Miliband"
    assert rep.rounds[0].matches() and rep.rounds[-1].matches()
    assert rep.rounds[-1].computed_rounded(2) == {"David Miliband": 49.35, "Ed Miliband": 50.65}
    # rounds 2 and 3: members' and affiliates' figures not found, so published totals only
    for r in rep.rounds[1:3]:
        assert r.computed is None and r.matches() is None
        assert r.missing == ("members", "affiliates") and r.basis.startswith("published total only")
    assert rep.rounds[0].basis == rep.rounds[3].basis == "recomputed from every section"
    # the MPs' and MEPs' points in rounds 2 and 3 (from the ballots) agree with the facts sheet
    rows = _facts()
    for rnd in (2, 3):
        want = {
            r["candidate"]: float(r["weighted_percent_of_college"])
            for r in rows
            if r["section"] == "mps_meps" and int(r["round"]) == rnd
        }
        got = rep.rounds[rnd - 1].partial
        assert {c: half_up(v, 3) for c, v in got.items()} == want
        # and the missing sections' points = published total - MPs' points (members_plus_affiliates)
        rest = {
            r["candidate"]: float(r["weighted_percent_of_college"])
            for r in rows
            if r["section"] == "members_plus_affiliates" and int(r["round"]) == rnd
        }
        for c, v in rest.items():
            assert float(rep.rounds[rnd - 1].published[c]) - float(got[c]) == pytest.approx(v, abs=6e-4)
    # the embedded package data agree with the facts sheet
    for rnd in (1, 4):
        facts = college_totals(_section_figures(rows, rnd))
        emb = next(r for r in rep.rounds if r.number == rnd).computed
        assert {c: half_up(v, 3) for c, v in facts.items()} == {c: half_up(v, 3) for c, v in emb.items()}
    assert rep.to_dict()["rounds"][3]["matches"] is True
    assert rep.to_dict()["rounds"][1]["missing_sections"] == ["members", "affiliates"]
    assert rep.to_frame().loc[(4, "Ed Miliband"), "published"] == 50.65


def test_labour_2010_mps_section_every_round_from_the_ballots() -> None:
    b = Ballots.read(shared_path("facts", "labour_leadership_2010_mps_meps.soi"))
    b = b.rename(
        {
            "D.Abbott": "Diane Abbott",
            "E.Balls": "Ed Balls",
            "A.Burnhm": "Andy Burnham",
            "D.Milbnd": "David Miliband",
            "E.Milbnd": "Ed Miliband",
        }
    )
    # the college eliminated Abbott, Burnham, Balls in that order, as does the MPs' own count
    res = irv(b, until="two")
    got = [dict(r.tallies) for r in res.rounds]
    assert got == [
        {"Diane Abbott": 7, "Ed Balls": 40, "Andy Burnham": 24, "David Miliband": 111, "Ed Miliband": 84},
        {"Ed Balls": 41, "Andy Burnham": 24, "David Miliband": 111, "Ed Miliband": 88},
        {"Ed Balls": 43, "David Miliband": 125, "Ed Miliband": 96},
        {"David Miliband": 140, "Ed Miliband": 122},
    ]
    assert half_up(Fraction(122 * 100, 262), 3) == 46.565  # published final MP share of EM


def test_cli_labour_2010() -> None:
    res = invoke("leadership", "labour-2010")
    assert res.exit_code == 0, res.stderr
    assert "50.65" in res.stdout and "49.35" in res.stdout
    assert "Diane Abbott, Andy Burnham, Ed Balls; winner: Ed Miliband" in res.stdout
    assert "50.65 (50.6536)" in res.stdout and "37.78 (37.7803)" in res.stdout
    assert "Round 2: published total only (members, affiliates figures not found)" in res.stdout
    assert "Round 4: recomputed from every section" in res.stdout
    assert "14.015" in res.stdout  # DM's round-2 MPs' points, 111 of 264 live ballots / 3
    data = json.loads(invoke("leadership", "labour-2010", "--format", "json").stdout)
    assert data["winner"] == "Ed Miliband"


def test_labour_2010_gap_is_stated_in_the_output_and_json() -> None:
    """Rounds 2 and 3 by section are not obtainable: kept as published totals, gap stated."""
    rep = labour_2010_reproduction()
    assert rep.gaps == (
        "round 2: published college totals only; the members' and affiliates' section figures are not obtainable",
        "round 3: published college totals only; the members' and affiliates' section figures are not obtainable",
    )
    assert "not obtainable" in rep.gap and "266" in rep.gap
    out = invoke("leadership", "labour-2010").stdout
    assert "Gap: round 2: published college totals only" in out and "Gap: round 3:" in out
    assert "Rounds 2 and 3 are published college totals only" in " ".join(out.split())
    data = json.loads(invoke("leadership", "labour-2010", "--format", "json").stdout)
    assert data["gaps"] == list(rep.gaps) and data["gap_note"] == rep.gap
    assert [r["basis"].startswith("published total only") for r in data["rounds"]] == [
        False,
        True,
        True,
        False,
    ]


# ============================================================================ models
def test_transfer_matrix_first_transfer_is_the_row_and_rows_sum_to_one() -> None:
    c = contest("labour2010")
    model = c.sections[0].transfers
    assert isinstance(model, TransferMatrix)
    rm = model.ranking_model()
    for i in range(len(LAB)):
        assert rm.prob[rm.first == i].sum() == pytest.approx(1.0)
    tables = rm.landing_tables()
    abbott = LAB.index("Diane Abbott")
    row = tables[1 << abbott][abbott]
    assert row == pytest.approx(model.matrix[abbott])  # 45% to Ed Miliband etc., 10% exhaust
    assert row.sum() == pytest.approx(0.90)
    assert tables[0] == pytest.approx(np.eye(5))


def test_spatial_model_ranks_by_distance() -> None:
    m = SpatialModel(("L", "C", "R"), np.array([-1.0, 0.0, 1.0]), spread=0.2, voters=2000)
    rm = m.ranking_model()
    for i in range(3):
        assert rm.prob[rm.first == i].sum() == pytest.approx(1.0)
    t = rm.landing_tables()
    assert t[1 << 0][0, 1] == pytest.approx(1.0)  # L voters' next choice is C
    assert t[1 << 1][1, 0] == pytest.approx(0.5, abs=0.05)  # C voters split
    assert t[(1 << 0) | (1 << 1)][0, 2] == pytest.approx(1.0)
    trunc = SpatialModel(("L", "C", "R"), np.array([-1.0, 0.0, 1.0]), max_preferences=1).ranking_model()
    assert trunc.landing_tables()[1 << 0][0].sum() == 0  # plumpers exhaust


# ============================================================================ engine equality
@pytest.mark.parametrize("name", CONFIGS)
def test_zero_uncertainty_reproduces_the_engine_count(name: str) -> None:
    c = fixed(contest(name))
    result = c.count()  # the engine: college / AV / exhaustive ballot
    sim = c.simulate(50, seed=1, keep=2)
    assert sim.win_probability[result.winner] == 1.0
    assert sim.deterministic_winner == result.winner
    assert len(sim.round_labels) == len(result.rounds)
    for k, rnd in enumerate(result.rounds):
        engine = np.array([float(rnd.tallies.get(x, np.nan)) for x in c.candidates])
        for j in range(2):
            np.testing.assert_allclose(sim.kept["tallies"][k][j], engine, rtol=1e-9, atol=1e-9)
        reach = np.array([sim.reach[x][k] for x in c.candidates])
        np.testing.assert_array_equal(reach, (~np.isnan(engine)).astype(float))


@pytest.mark.parametrize("name", CONFIGS)
def test_every_simulated_draw_matches_the_engine(name: str) -> None:
    c = contest(name)
    sim = c.simulate(3000, seed=7, keep=12)
    for j in range(12):
        shares = {k: v[j] for k, v in sim.kept["shares"].items()}
        result = c.count(shares=shares)
        assert result.winner == c.candidates[int(sim.winners[j])]
        for k, rnd in enumerate(result.rounds):
            engine = np.array([float(rnd.tallies.get(x, np.nan)) for x in c.candidates])
            np.testing.assert_allclose(sim.kept["tallies"][k][j], engine, rtol=1e-9, atol=1e-9)


def test_withdrawal_matches_the_engine() -> None:
    c = fixed(contest("labour2010"))
    sim = c.simulate(10, seed=0, withdrawn=["Ed Balls"])
    assert sim.win_probability[c.count(withdrawn=["Ed Balls"]).winner] == 1.0
    assert sim.reach["Ed Balls"] == (0.0,) * len(sim.round_labels)


# ============================================================================ transfer uncertainty
def noisy(c: Contest, conc: float | None) -> Contest:
    """The same contest with Dirichlet noise of concentration ``conc`` on every transfer row."""
    return dataclasses.replace(
        c, sections=tuple(dataclasses.replace(s, transfer_concentration=conc) for s in c.sections)
    )


def test_transfer_row_draws_have_the_row_as_mean() -> None:
    m = TransferMatrix.from_mapping(
        {"A": {"B": 60, "C": 30}, "B": {"A": 100}, "C": {"B": 80}}, ["A", "B", "C"]
    )
    rng = np.random.default_rng(0)
    draws = np.stack([m.draw(rng, 40.0).matrix for _ in range(4000)])
    np.testing.assert_allclose(draws.mean(axis=0), m.matrix, atol=0.01)
    assert (draws[:, 1, 0] == 1.0).all()  # a single non-zero entry (no exhaust) stays fixed
    assert (draws[:, 0, 0] == 0).all() and (draws[:, 2, 0] == 0).all()  # zeros stay zero
    # sd of an entry p is sqrt(p(1-p)/(c+1)); the 10% that exhausts from A is drawn too
    assert draws[:, 0, 1].std() == pytest.approx(np.sqrt(0.6 * 0.4 / 41), rel=0.1)
    assert (1 - draws[:, 0].sum(axis=1)).mean() == pytest.approx(0.1, abs=0.005)


def test_zero_transfer_uncertainty_reproduces_the_engine() -> None:
    c = contest("labour2010")
    base = c.simulate(5000, seed=9, keep=3)
    # no transfer_concentration: the fixed matrix, the same draws of the shares as before
    assert noisy(c, None).simulate(5000, seed=9).to_dict()["win_probability"] == base.win_probability
    # a vanishing transfer uncertainty converges on it; the share draws are not disturbed
    near = noisy(c, 1e12).simulate(5000, seed=9, keep=3)
    np.testing.assert_array_equal(near.kept["shares"]["members"], base.kept["shares"]["members"])
    assert near.win_probability == pytest.approx(base.win_probability, abs=1e-3)
    # and with fixed shares as well, every simulation is the engine's deterministic count
    f = noisy(fixed(c), 1e12)
    result = f.count()
    sim = f.simulate(200, seed=2, keep=1)
    assert sim.win_probability[result.winner] == 1.0
    for k, rnd in enumerate(result.rounds):
        engine = np.array([float(rnd.tallies.get(x, np.nan)) for x in c.candidates])
        np.testing.assert_allclose(sim.kept["tallies"][k][0], engine, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["labour2010", "conservative2005"])
def test_every_draw_with_transfer_uncertainty_matches_the_engine(name: str) -> None:
    c = noisy(contest(name), 25.0)
    sim = c.simulate(3000, seed=11, keep=10)
    assert any("Dirichlet(25 x row)" in n for n in sim.notes)
    mats = sim.kept["transfers"]
    assert set(mats) == {s.name for s in c.sections}
    for j in range(10):
        shares = {k: v[j] for k, v in sim.kept["shares"].items()}
        transfers = {k: v[j] for k, v in mats.items()}
        # sections sharing the top-level model share its draw in each simulation
        assert len({id(t) for t in transfers.values()}) == 1
        result = c.count(shares=shares, transfers=transfers)
        assert result.winner == c.candidates[int(sim.winners[j])]
        for k, rnd in enumerate(result.rounds):
            engine = np.array([float(rnd.tallies.get(x, np.nan)) for x in c.candidates])
            np.testing.assert_allclose(sim.kept["tallies"][k][j], engine, rtol=1e-9, atol=1e-9)
    # the draws differ between simulations
    assert len({id(m) for m in mats[c.sections[0].name]}) > 1


def test_transfer_uncertainty_widens_the_outcome_and_is_reproducible() -> None:
    c = fixed(contest("labour2010"))
    assert c.simulate(2000, seed=1).win_probability["Ed Miliband"] == 1.0
    wide = noisy(c, 10.0)
    a = wide.simulate(4000, seed=1)
    assert 0.0 < a.win_probability["David Miliband"] < 1.0
    a_dict, b_dict = a.to_dict(), wide.simulate(4000, seed=1).to_dict()
    a_dict.pop("elapsed_seconds"), b_dict.pop("elapsed_seconds")
    assert a_dict == b_dict


def test_transfer_uncertainty_in_the_config(tmp_path: Path) -> None:
    text = BASE.replace("[transfers]", "transfer_concentration = 30\ntransfer_draws = 50\n[transfers]")
    c = Contest.read(write(tmp_path, text))
    assert c.transfer_draws == 50 and c.sections[0].transfer_concentration == 30
    assert c.to_dict()["sections"]["members"]["transfer_concentration"] == 30
    sim = c.simulate(1000, seed=0)
    assert "50 distinct matrices, shared by section(s) members" in sim.notes[-1]
    override = text.replace("[sections.members]\n", "[sections.members]\ntransfer_concentration = 5\n")
    assert Contest.read(write(tmp_path, override)).sections[0].transfer_concentration == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("transfer_concentration = -1", "transfer_concentration must be positive"),
        ("transfer_concentration = 'x'", "transfer_concentration must be a number"),
        ("transfer_draws = 0", "transfer_draws must be a whole number from 1"),
        ("transfer_draws = 2.5", "transfer_draws must be a whole number"),
    ],
)
def test_bad_transfer_uncertainty(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Contest.read(write(tmp_path, BASE.replace("[transfers]", text + "\n[transfers]")))


def test_transfer_uncertainty_needs_a_matrix(tmp_path: Path) -> None:
    spatial = contest("libdem2d")
    with pytest.raises(InputError, match="needs a \\[transfers\\] matrix"):
        noisy(spatial, 10.0)
    text = (
        (DATA / "libdem2d.toml").read_text().replace("[spatial]", "transfer_concentration = 10\n[spatial]", 1)
    )
    with pytest.raises(InputError, match="needs a \\[transfers\\] matrix"):
        Contest.read(write(tmp_path, text))


def test_cli_simulate_with_transfer_uncertainty(tmp_path: Path) -> None:
    text = (
        (DATA / "labour2010.toml")
        .read_text()
        .replace("concentration = 300\n", "concentration = 300\ntransfer_concentration = 20\n", 1)
    )
    cfg = write(tmp_path, text)
    res = invoke("leadership", "simulate", str(cfg), "--sims", "5000", "--seed", "3")
    assert res.exit_code == 0, res.stderr
    assert "Note: transfer uncertainty: each transfer row drawn from Dirichlet(20 x row)" in res.stdout
    js = invoke("leadership", "simulate", str(cfg), "--sims", "5000", "--seed", "3", "--format", "json")
    model = tmp_path / "model.json"
    model.write_text(js.stdout)
    market = "David Miliband 4/7, Ed Miliband 5/4, Ed Balls 100/1, Andy Burnham 100/1, Diane Abbott 150/1"
    odds = json.loads(invoke("odds", market, "--model", str(model), "--format", "json").stdout)
    assert {r["runner"]: r["model"] for r in odds["runners"]} == json.loads(js.stdout)["win_probability"]


# ============================================================================ simulation
def test_fixed_seed_is_reproducible() -> None:
    c = contest("labour2010")
    a = c.simulate(20_000, seed=42).to_dict()
    b = c.simulate(20_000, seed=42).to_dict()
    a.pop("elapsed_seconds"), b.pop("elapsed_seconds")
    assert a == b
    other = c.simulate(20_000, seed=43).to_dict()
    assert other["win_probability"] != a["win_probability"]
    assert sum(a["win_probability"].values()) == pytest.approx(1.0)
    # Ed Miliband is favoured on the published first preferences and these transfers
    assert 0.5 < a["win_probability"]["Ed Miliband"] < 0.9
    assert a["reach_round"]["Diane Abbott"]["round 1"] == 1.0


def test_large_block_count_same_as_engine_winner_distribution() -> None:
    c = contest("labour2015")
    sim = c.simulate(60_000, seed=3)  # two blocks
    assert sim.win_probability["Jeremy Corbyn"] == 1.0
    frame = sim.to_frame()
    assert list(frame.columns[:2]) == ["win", "round 1"]


def test_spoilers_of_a_simulated_contest() -> None:
    c = contest("libdem2d")
    rep = c.spoilers()
    assert rep.winner == "D"
    assert [s.spoiler for s in rep.spoilers] == ["A"]
    probs = spoiler_probabilities(c, 2000, seed=1)
    assert probs["A"] > 0.3 and probs["E"] == 0.0
    lab = fixed(contest("labour2010")).spoilers(methods=())
    assert lab.winner == "Ed Miliband" and lab.methods == {}


# ============================================================================ bad input
def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "contest.toml"
    p.write_text(text)
    return p


BASE = """
rules = "libdem"
candidates = ["A", "B", "C"]
[transfers]
A = { B = 60, C = 30 }
B = { A = 50, C = 50 }
C = { B = 80 }
[sections.members]
shares = { A = 40, B = 35, C = 25 }
"""


def test_valid_base_config(tmp_path: Path) -> None:
    c = Contest.read(write(tmp_path, BASE))
    assert c.count().winner in ("A", "B")


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ('rules = "libdem"\ncandidates = ["A", "B"\n', InputError, "malformed TOML"),
        (BASE.replace("A = { B = 60, C = 30 }", "A = { B = 60, Z = 30 }"), UnknownNameError, "'Z'"),
        (
            BASE.replace("Z", "Z").replace("[transfers]", "[transfers]\nQ = { A = 1 }"),
            UnknownNameError,
            "'Q'",
        ),
        (BASE.replace("C = 25 }", "C = 35 }"), InputError, "add up to 110"),
        (BASE.replace("C = 25 }", "C = -25 }").replace("A = 40", "A = 90"), InputError, "negative"),
        (BASE.replace("shares = { A = 40", "shares = { Z = 40"), UnknownNameError, "'Z'"),
        (BASE.replace("B = 80", "B = 120"), InputError, "more than 100"),
        (BASE.replace("B = 80", "B = -5"), InputError, "negative"),
        (BASE.replace("[sections.members]", "[sections.mps]"), UnknownNameError, "unknown section"),
        (BASE.replace('rules = "libdem"', 'rules = "greens"'), UnknownNameError, "unknown leadership rules"),
        (BASE + "concentration = 0\n", InputError, "concentration must be positive"),
        (BASE.replace("[transfers]", "[spatial]\npositions = { A = 1 }\n[transfers]"), InputError, "either"),
        (
            BASE.replace("A = { B = 60, C = 30 }\n", "")
            .replace("B = { A = 50, C = 50 }\n", "")
            .replace("C = { B = 80 }\n", "")
            .replace("[transfers]\n", ""),
            InputError,
            "transfer assumptions",
        ),
        (
            'candidates = ["A"]\nrules = "libdem"\n[sections.members]\nshares = { A = 100 }\n[transfers]\n',
            InputError,
            "two candidates",
        ),
        (BASE.replace("shares = ", "votes = {A = 1}\nshares = "), InputError, "exactly one"),
        (BASE + "bogus = 1\n", InputError, "unknown key"),
    ],
)
def test_bad_config_raises_clear_errors(tmp_path: Path, text: str, error: type, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(error, match=message) as info:
        Contest.read(path)
    assert str(path) in str(info.value)


def test_bad_simulation_arguments() -> None:
    c = contest("labour2010")
    for sims in (0, -5, 2.5, True):
        with pytest.raises(InputError, match="positive whole number"):
            c.simulate(sims)  # type: ignore[arg-type]
    with pytest.raises(TooLargeError):
        c.simulate(10**9)
    with pytest.raises(UnknownNameError):
        c.simulate(10, withdrawn=["Gordon Brown"])
    with pytest.raises(InputError, match="seed"):
        c.simulate(10, seed=-1)


def test_omov_needs_voters_to_pool_sections(tmp_path: Path) -> None:
    text = (DATA / "labour2015.toml").read_text().replace("votes = ", "shares = ")
    text = (
        text.replace("121751", "49.6")
        .replace("55698", "22.7")
        .replace("54470", "22.2")
        .replace("13601", "5.5")
    )
    with pytest.raises(InputError):
        Contest.read(write(tmp_path, text))


# ============================================================================ CLI
def test_cli_simulate_table_and_json_chain_into_odds(tmp_path: Path) -> None:
    cfg = str(DATA / "labour2010.toml")
    res = invoke("leadership", "simulate", cfg, "--sims", "20000", "--seed", "1")
    assert res.exit_code == 0, res.stderr
    assert "Ed Miliband" in res.stdout and "Reach round 4" in res.stdout
    js = invoke("leadership", "simulate", cfg, "--sims", "20000", "--seed", "1", "--format", "json")
    data = json.loads(js.stdout)
    assert set(data["win_probability"]) == set(LAB) and data["sims"] == 20000 and data["seed"] == 1
    model = tmp_path / "model.json"
    model.write_text(js.stdout)
    market = "David Miliband 4/7, Ed Miliband 5/4, Ed Balls 100/1, Andy Burnham 100/1, Diane Abbott 150/1"
    odds = invoke("odds", market, "--model", str(model))
    assert odds.exit_code == 0, odds.stderr
    assert "Model" in odds.stdout and "Edge vs" in odds.stdout
    # end to end: the odds report carries the simulated probabilities, runner by runner
    odds_js = json.loads(invoke("odds", market, "--model", str(model), "--format", "json").stdout)
    got = {r["runner"]: r["model"] for r in odds_js["runners"]}
    assert got == data["win_probability"]
    em = next(r for r in odds_js["runners"] if r["runner"] == "Ed Miliband")
    assert em["expected_value"] == pytest.approx(data["win_probability"]["Ed Miliband"] * 2.25 - 1)
    again = invoke("leadership", "simulate", cfg, "--sims", "20000", "--seed", "1", "--format", "json")
    assert json.loads(again.stdout)["win_probability"] == data["win_probability"]


def test_cli_count_rules_and_spoilers_on_a_config() -> None:
    res = invoke("leadership", "count", str(DATA / "conservative2005.toml"))
    assert res.exit_code == 0, res.stderr
    assert "members' ballot" in res.stdout and "Winner: David Cameron" in res.stdout
    res = invoke("leadership", "rules")
    assert res.exit_code == 0 and "labour-2010" in res.stdout and "[exhaustive]" in res.stdout
    res = invoke("leadership", "rules", "labour-2015")
    assert "ukpolitical.info" in res.stdout
    res = invoke("spoilers", str(DATA / "libdem2d.toml"))
    assert res.exit_code == 0, res.stderr
    assert "Spoiler: without A, B wins instead of D." in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sims", "0"], "positive whole number"),
        (["--sims", "10", "--withdraw", "Nobody"], "unknown candidate"),
    ],
)
def test_cli_bad_arguments_exit_2_one_line(args: list[str], message: str) -> None:
    res = invoke("leadership", "simulate", str(DATA / "labour2010.toml"), *args)
    assert res.exit_code == 2
    assert res.stderr.startswith("error:") and message in res.stderr and res.stderr.count("\n") == 1


def test_cli_bad_config_exit_2_one_line(tmp_path: Path) -> None:
    for text in (
        "rules = [",
        BASE.replace("C = 25 }", "C = 35 }"),
        BASE.replace("A = { B = 60, C = 30 }", "A = { B = 60, Z = 30 }"),
    ):
        res = invoke("leadership", "simulate", str(write(tmp_path, text)), "--sims", "10")
        assert res.exit_code == 2, res.stdout
        assert res.stderr.startswith("error:") and res.stderr.count("\n") == 1
    res = invoke("leadership", "simulate", str(tmp_path / "missing.toml"))
    assert res.exit_code == 2 and "file not found" in res.stderr


def test_benchmark_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "leadership.py"), "--sims", "5000", "--peer-sample", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert "winners agree with the engine on 3/3" in out.stdout
