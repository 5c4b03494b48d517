"""Swing models: formulas on small hand-built tables, special cases, bad input, real 2010 data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.conventions import SeatConventions
from kingmaker.errors import InputError, UnknownNameError
from kingmaker.projection import (
    ProjectionWarning,
    parse_shares,
    plan_projection,
    project,
)
from kingmaker.votes import VoteTable
from tests.conftest import shared_path

PARTIES = ("Con", "Lab", "LD", "SNP", "Speaker")


def small_table() -> VoteTable:
    """Six seats: four English (two regions), one Scottish, the Speaker's; votes sum to 100 each."""
    votes = [
        [50, 30, 20, 0, 0],  # E1 North
        [30, 50, 20, 0, 0],  # E2 North
        [45, 35, 20, 0, 0],  # E3 South
        [20, 30, 50, 0, 0],  # E4 South
        [20, 35, 15, 30, 0],  # S1 Scotland
        [0, 0, 0, 0, 100],  # Speaker's seat (South)
    ]
    return VoteTable(
        np.array(votes),
        PARTIES,
        ("E1", "E2", "E3", "E4", "S1", "Spk"),
        nations=("England",) * 4 + ("Scotland", "England"),
        regions=("North East", "North East", "South East", "South East", "Scotland", "South East"),
    )


def quiet_project(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProjectionWarning)
        return project(*args, **kwargs)


def base_national(table: VoteTable) -> dict[str, float]:
    """National shares (percent) over the seats the swing applies to (not the Speaker's)."""
    v = table.votes[:5]
    return {p: 100 * v[:, i].sum() / v.sum() for i, p in enumerate(PARTIES)}


def test_unchanged_shares_reproduce_the_base():
    table = small_table()
    for model in ("uniform", "proportional", "regional", "transition"):
        p = quiet_project(table, base_national(table), model)
        assert p.changes == ()
        np.testing.assert_allclose(p.shares, p.base_shares, atol=1e-12)


def test_uniform_swing_formula_and_snp_concentration():
    table = small_table()
    shares = base_national(table)  # Con 33, Lab 36, LD 25, SNP 6
    shares["Con"] += 5
    shares["Lab"] -= 2
    shares["LD"] -= 6
    shares["SNP"] += 3
    plan = plan_projection(table, shares, "uniform")
    raw = plan.scores(plan.targets[None])[0] * 100
    np.testing.assert_allclose(raw[0, :3], [55, 28, 14], atol=1e-9)
    # the SNP stands in one of the five seats, which casts a fifth of the votes: +3 nationally = +15 there
    assert raw[4, 3] == pytest.approx(45.0)
    # national totals of the raw scores hit the targets; seats are then renormalised to 100
    nat = plan.weights[:5] @ raw[:5] / plan.weights[:5].sum()
    np.testing.assert_allclose(nat[:4], [shares[p] for p in PARTIES[:4]])
    p = project(table, shares, "uniform")
    np.testing.assert_allclose(p.shares[0, :3], raw[0, :3] / raw[0].sum())
    assert p.winners[4] == "SNP"
    assert p.seats["SNP"] == 1


def test_proportional_swing_formula():
    table = small_table()
    shares = base_national(table)
    shares["LD"] /= 2
    shares["Con"] += base_national(table)["LD"] / 2
    p = project(table, shares, "proportional")
    ratio = shares["Con"] / base_national(table)["Con"]
    raw = np.array([50 * ratio, 30, 10])
    np.testing.assert_allclose(p.shares[0, :3], raw / raw.sum(), atol=1e-12)


def test_regional_swing_measured_per_region():
    table = small_table()
    north = {"Con": 50.0, "Lab": 30.0, "LD": 20.0}  # base North: Con 40, Lab 40, LD 20
    south = {"Con": 32.5, "Lab": 32.5, "LD": 35.0}  # base South: 32.5, 32.5, 35: unchanged
    p = project(table, {"North East": north, "South East": south}, "regional")
    np.testing.assert_allclose(p.shares[1, :3] * 100, [40, 40, 20], atol=1e-9)  # E2: Con +10, Lab -10
    assert p.winners[1] in ("Con", "Lab")
    np.testing.assert_allclose(p.shares[2], p.base_shares[2])  # South unchanged
    assert p.held[4] and p.held[5]  # Scotland not given, the Speaker's seat: held
    assert p.level == "region"


def test_regional_with_national_shares_clips_per_area():
    table = small_table()
    shares = base_national(table)
    shares["LD"] -= 18  # LD 25 -> 7: North East LD (20) would stay above 0, Scotland (15) would not
    shares["Con"] += 18
    p = quiet_project(table, shares, "regional")
    assert (p.shares >= 0).all()
    np.testing.assert_allclose(p.shares.sum(axis=1), 1.0)
    assert p.shares[4, 2] == 0.0  # LD clipped in Scotland


def test_transition_losses_are_multiplicative_and_never_negative():
    table = small_table()
    shares = base_national(table)
    loss = shares["LD"] * 0.5
    shares["LD"] -= loss
    shares["Con"] += loss
    # plain Transition Model (threshold 1): each seat keeps half of its LD vote
    p = project(table, shares, "transition", level="national", strong_threshold=1.0)
    np.testing.assert_allclose(p.shares[:5, 2], p.base_shares[:5, 2] / 2)
    # the released votes go to the only gainer, Con, seat by seat
    np.testing.assert_allclose(p.shares[:5, 0] - p.base_shares[:5, 0], p.base_shares[:5, 2] / 2)
    # strong transition: LD's strong support above 20% (E4 50%) is kept until the weak is gone
    strong = project(table, shares, "transition", level="national")
    assert strong.shares[3, 2] > p.shares[3, 2]
    assert (strong.shares >= 0).all()
    assert strong.projected_national["LD"] == pytest.approx(shares["LD"] / 100)


def test_transition_gainer_not_standing_everywhere_keeps_its_target():
    table = small_table()
    shares = base_national(table)
    shares["SNP"] += 4
    shares["LD"] -= 4
    plan = plan_projection(table, shares, "transition", level="nation")
    p = project(table, shares, "transition", level="nation")
    scotland = plan.area_names.index("Scotland")
    np.testing.assert_allclose(p.shares[4], plan.targets[scotland])  # one-seat area: exactly on target
    assert p.shares[4, 3] > 0.40  # from 0.30
    assert (p.shares[:4, 3] == 0).all()  # never appears where it did not stand


def test_negative_share_is_clipped_and_seat_renormalised():
    table = small_table()
    shares = base_national(table)
    shares["LD"] -= 18  # LD 25 -> 7: seat E1-E3 have LD 20, S1 15 -> would go negative
    shares["Lab"] += 18
    p = project(table, shares, "uniform")
    assert p.shares[4, 2] == 0.0
    np.testing.assert_allclose(p.shares.sum(axis=1), 1.0)


def test_speaker_seat_is_held():
    table = small_table()
    shares = base_national(table)
    shares["Con"] += 20
    shares["Lab"] -= 20
    p = project(table, shares, "uniform")
    assert p.winners[5] == "Speaker" and p.held[5]
    assert p.seats["Speaker"] == 1
    assert p.speaker == "Speaker"


def test_new_party_must_be_declared_and_stands_everywhere():
    table = small_table()
    shares = base_national(table)
    shares["Con"] -= 10
    shares["Reform"] = 10
    with pytest.raises(UnknownNameError, match="Reform"):
        project(table, shares, "uniform")
    p = project(table, shares, "uniform", new_parties=["Reform"])
    assert "Reform" in p.parties
    col = p.parties.index("Reform")
    np.testing.assert_allclose(p.shares[:5, col], 0.10)
    assert p.shares[5, col] == 0.0  # not in the Speaker's seat
    pp = project(table, shares, "proportional", new_parties=["Reform"])
    assert pp.projected_national["Reform"] == pytest.approx(0.10, abs=0.01)


def test_unnamed_parties_keep_share_or_split_other():
    table = small_table()
    p = project(table, {"Con": 40, "Lab": 30, "LD": 24, "SNP": 6}, "uniform")
    assert p.seats["Speaker"] == 1
    p2 = project(table, {"Con": 40, "Lab": 30, "Other": 30}, "uniform")
    assert p2.national_target["LD"] + p2.national_target["SNP"] == pytest.approx(0.30)


def test_shares_not_summing_to_100():
    table = small_table()
    with pytest.warns(ProjectionWarning, match="normalised"):
        p = project(table, {"Con": 35, "Lab": 37, "LD": 25, "SNP": 6}, "uniform")  # 103
    assert sum(p.national_target.values()) == pytest.approx(1.0)
    with pytest.raises(InputError, match="sum to 120"):
        project(table, {"Con": 50, "Lab": 40, "LD": 24, "SNP": 6}, "uniform")


@pytest.mark.parametrize(
    ("shares", "error", "match"),
    [
        ({"Con": -5, "Lab": 75, "LD": 24, "SNP": 6}, InputError, "negative"),
        ({"Tory": 40, "Lab": 30}, UnknownNameError, "Tory"),
        ({}, InputError, "no shares"),
        ({"Con": "lots"}, InputError, "number"),
    ],
)
def test_bad_shares(shares, error, match):
    with pytest.raises(error, match=match):
        project(small_table(), shares, "uniform")


def test_bad_arguments():
    table = small_table()
    good = base_national(table)
    with pytest.raises(InputError, match="base"):
        project(None, good)  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="model"):
        project(table, good, "cube-law")
    with pytest.raises(UnknownNameError, match="Atlantis"):
        project(table, {"Atlantis": {"Con": 100}}, "regional")
    with pytest.raises(InputError, match="level"):
        project(table, {"Scotland": {"SNP": 50, "Lab": 50}}, "regional", level="region")


def test_parse_shares():
    assert parse_shares("Con=36, Lab=29%,LD=23") == {"Con": 36, "Lab": 29, "LD": 23}
    assert parse_shares("Scotland: SNP=50,Lab=50; Wales: Lab=100") == {
        "Scotland": {"SNP": 50, "Lab": 50},
        "Wales": {"Lab": 100},
    }
    for bad in ("", "Con", "Con=x", "Con=1,Con=2"):
        with pytest.raises(InputError):
            parse_shares(bad)


def test_outputs_and_parliament():
    table = small_table()
    shares = base_national(table)
    shares["Lab"] += 8
    shares["Con"] -= 8
    p = project(table, shares, "uniform")
    assert [c.district for c in p.changes] == ["E3"]
    assert p.changes[0].before == "Con" and p.changes[0].after == "Lab"
    assert p.changes[0].margin == pytest.approx(6.0)
    frame = p.to_frame()
    assert list(frame["winner"]) == list(p.winners)
    d = p.to_dict()
    assert d["seats"] == dict(p.seats) and d["changes"][0]["district"] == "E3"
    assert p.seats_frame().loc["Lab", "change"] == 1
    parliament = p.parliament()
    assert parliament.house == 6
    assert parliament.voting_seats("Speaker") == 0


def test_seat_conventions_reproduce_2010():
    seats = {
        "Con": 306,
        "Lab": 258,
        "LD": 57,
        "DUP": 8,
        "SNP": 6,
        "SF": 5,
        "PC": 3,
        "SDLP": 3,
        "Green": 1,
        "Alliance": 1,
        "Ind": 1,
        "Speaker": 1,
    }
    parliament = SeatConventions.uk(seats).parliament(seats)
    assert parliament.voting_members == 641
    assert parliament.working_majority_threshold == 321
    assert parliament.non_voting_seats("Con") == 1 and parliament.non_voting_seats("Lab") == 2


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(0.5, 60), min_size=4, max_size=4),
    st.sampled_from(["uniform", "proportional", "regional", "transition"]),
)
def test_projected_shares_are_valid(raw, model):
    """Whatever the targets: shares in [0, 1], each seat sums to 1, parties only where they stood."""
    total = sum(raw)
    shares = dict(zip(PARTIES[:4], (100 * x / total for x in raw), strict=True))
    p = quiet_project(small_table(), shares, model)
    assert (p.shares >= 0).all() and (p.shares <= 1 + 1e-12).all()
    np.testing.assert_allclose(p.shares.sum(axis=1), 1.0)
    assert (p.shares[p.base_shares == 0] == 0).all()
    assert sum(p.seats.values()) == 6


# ------------------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def uk2010() -> VoteTable:
    folder = shared_path("uk", "GE2010-results-flatfile-website.csv").parent
    from kingmaker.datasets import load_dataset

    return load_dataset("uk-2010-results", data_dir=folder)


def test_real_2010_base_reproduces_itself(uk2010):
    p = quiet_project(uk2010, {"Con": 36.9}, "uniform")  # Con's own GB share, others kept
    assert p.seats["Con"] == 306 and p.seats["Lab"] == 258 and p.seats["LD"] == 57
    assert p.seats["Speaker"] == 1


def test_real_2010_snp_surge_and_northern_ireland(uk2010):
    shares = {"Con": 37.7, "Lab": 31.2, "UKIP": 12.9, "LD": 8.1, "SNP": 4.9, "Grn": 3.8, "PC": 0.6}
    for model in ("uniform", "regional", "transition"):
        p = quiet_project(uk2010, shares, model)
        assert p.seats["SNP"] >= 30, model
        ni = [i for i, n in enumerate(uk2010.nations) if n == "Northern Ireland"]
        assert all(p.winners[i] == p.base_winners[i] for i in ni)  # GB shares leave NI as it was
        assert all(
            p.shares[i, p.parties.index("SNP")] == 0 for i, n in enumerate(uk2010.nations) if n != "Scotland"
        )
    with pytest.warns(ProjectionWarning, match="normalised"):
        pl = plan_projection(uk2010, shares, "regional")
    assert pl.level == "region" and len(pl.area_names) == 11
