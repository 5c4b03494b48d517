"""The formation model: alternatives, features, theories, the conditional logit and predictions."""

from __future__ import annotations

import json
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker import Parliament
from kingmaker.errors import InputError, TooLargeError
from kingmaker.formation import (
    BASELINES,
    FEATURES,
    FormationModel,
    Situation,
    default_model,
    describe,
    enumerate_alternatives,
    fit,
    predict,
)
from kingmaker.formation.baselines import baseline_probabilities
from kingmaker.formation.features import median_party
from kingmaker.formation.model import subsample
from kingmaker.formation.results import topk_with_ties


def situation(seats, positions=None, **kw) -> Situation:
    names = tuple(f"P{i}" for i in range(len(seats)))
    pos = [np.nan] * len(seats) if positions is None else positions
    house = kw.pop("house", sum(seats))
    return Situation(
        label="test",
        parties=names,
        seats=np.array(seats),
        positions=np.array(pos, dtype=float),
        house=house,
        quota=house // 2 + 1,
        **kw,
    )


def test_alternatives_are_every_bounded_subset():
    parties = tuple("ABCDEFGHIJ")
    alts = enumerate_alternatives(parties, 3)
    assert len(alts) == comb(10, 1) + comb(10, 2) + comb(10, 3)
    assert alts.members(alts.index_of(["C", "A"])) == ("A", "C")
    with pytest.raises(InputError, match="over the bound of 3"):
        alts.index_of(["A", "B", "C", "D"])
    with pytest.raises(InputError, match="at least two parties with seats; this parliament has 1 \\(A\\)"):
        enumerate_alternatives(("A",))
    with pytest.raises(TooLargeError, match="23 parties"):
        enumerate_alternatives(tuple(f"p{i}" for i in range(23)))


def test_median_party():
    assert median_party(np.array([10, 30, 20]), np.array([5.0, 1.0, 9.0])) == 0
    assert median_party(np.array([10, 30, 20]), np.array([np.nan, 1.0, 9.0])) == 1  # 30 of 50 placed seats
    assert median_party(np.array([30, 30]), np.array([1.0, 9.0])) == 1  # 30 is not more than half of 60
    assert median_party(np.array([10, 20]), np.array([np.nan, np.nan])) is None


def test_features_of_a_small_parliament():
    s = situation([45, 35, 20], [2.0, 5.0, 8.0], previous=("P1", "P2"), previous_pm="P1")
    d = describe(s)
    row = d.alternatives.index_of(["P1", "P2"])
    f = d.feature_dict(row)
    assert f == {
        "minority": 0.0,
        "minimal_winning": 1.0,
        "n_parties": 2.0,
        "range": 3.0,
        "connected": 1.0,
        "largest_in": 0.0,
        "median_in": 1.0,
        "incumbent": 1.0,
        "prev_pm_in": 1.0,
        "unplaced": 0.0,
    }
    alone = d.feature_dict(d.alternatives.index_of(["P0"]))
    assert alone["minority"] == 1.0 and alone["largest_in"] == 1.0 and alone["incumbent"] == 0.0
    assert d.feature_dict(d.alternatives.index_of(["P0", "P2"]))["connected"] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 60), min_size=2, max_size=7),
    st.lists(st.one_of(st.none(), st.integers(0, 20).map(lambda x: x / 2)), min_size=7, max_size=7),
)
def test_theory_flags_agree_with_kingmaker_coalitions(seats, positions):
    """describe() tags each winning government exactly as kingmaker.coalitions does."""
    positions = positions[: len(seats)]
    parliament = Parliament.from_seats(
        {f"P{i}": s for i, s in enumerate(seats)},
        {f"P{i}": p for i, p in enumerate(positions) if p is not None},
    )
    d = describe(situation(seats, [np.nan if x is None else x for x in positions]))
    table = parliament.coalitions()
    for c in table.coalitions:
        row = d.alternatives.index_of(list(c.parties))
        for theory in (
            "minimal_winning",
            "minimum_winning",
            "minimal_connected_winning",
            "minimal_range",
            "fewest_parties",
        ):
            assert bool(d.theories[theory][row]) == getattr(c, theory), (theory, c.parties)
    winning = {frozenset(c.parties) for c in table.coalitions}
    for theory in ("minimal_winning", "minimum_winning", "minimal_range", "fewest_parties"):
        for row in np.flatnonzero(d.theories[theory]):
            assert frozenset(d.alternatives.members(int(row))) in winning


def _synthetic(n_formations: int, coef: np.ndarray, seed: int) -> list:
    """Formations whose governments are drawn from the conditional logit with ``coef``."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_formations):
        k = int(rng.integers(3, 7))
        seats = rng.integers(1, 60, size=k)
        pos = np.where(rng.random(k) < 0.15, np.nan, rng.uniform(0, 10, size=k))
        prev = tuple(f"P{j}" for j in range(k) if rng.random() < 0.4) or ("P0",)
        s = situation(list(seats), list(pos), previous=prev, previous_pm=prev[0])
        d = describe(s)
        u = d.X @ coef
        p = np.exp(u - u.max())
        pick = int(rng.choice(len(p), p=p / p.sum()))
        formed = d.alternatives.members(pick)
        out.append(
            describe(situation(list(seats), list(pos), previous=prev, previous_pm=prev[0], formed=formed))
        )
    return out


TRUE = np.array([-1.5, 0.8, -0.6, -0.4, 0.2, 1.0, 0.8, 2.5, -0.3, -1.0])


def test_fit_recovers_known_coefficients_and_matches_statsmodels():
    data = _synthetic(400, TRUE, seed=1)
    model = fit(data)
    assert np.all(np.abs(model.coef - TRUE) < 4 * model.se + 0.05), model.to_frame()
    sample = subsample(data[:200], 8, seed=3)
    assert all(len(d.X) <= 9 and d.chosen == 0 for d in sample)
    a = fit(sample, engine="statsmodels").coef
    b = fit(sample).coef
    assert np.max(np.abs(a - b)) < 0.02


def test_model_json_round_trip_and_shipped_model():
    model = default_model()
    assert model.features == tuple(FEATURES)
    assert model.meta["data_sha256"] and model.meta["fitted"] and model.meta["formations"] >= 600
    again = FormationModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(again.coef, model.coef)
    assert "incumbent" in model._repr_html_()
    with pytest.raises(InputError, match="malformed formation model"):
        FormationModel.from_dict({"features": ["x"], "coef": {}})


def test_uk_2010_preset_prediction():
    commons = Parliament.preset("uk-2010")
    result = commons.formation(previous=("Lab",), previous_pm="Lab", top=None)
    probs = [g.probability for g in result.governments]
    assert abs(sum(probs) - 1) < 1e-9 and probs == sorted(probs, reverse=True)
    ranks = ["+".join(g.parties) for g in result.governments]
    assert ranks.index("Con+LD") < 3
    assert "SF" not in {p for g in result.governments for p in g.parties}  # abstentionists govern with no one
    top = commons.formation(previous=("Lab",), previous_pm="Lab", top=5)
    assert len(top.governments) == 5 and top.governments[0].parties == result.governments[0].parties
    d = top.to_dict(places=3)
    assert json.loads(json.dumps(d))["governments"][0]["probability"] == round(probs[0], 3)
    assert list(top.to_frame().columns[:4]) == ["government", "probability", "seats", "formed"]
    assert "probability" in top._repr_html_()


def test_prediction_errors():
    with pytest.raises(InputError, match="at least two parties"):
        Parliament.from_seats({"A": 10}).formation()
    with pytest.raises(InputError, match="top must be positive"):
        Parliament.from_seats({"A": 10, "B": 5}, {"A": 3.0}).formation(top=0)
    with pytest.raises(KeyError, match="unknown party 'Zed'"):
        Parliament.preset("uk-2010").formation(previous=("Zed",))
    with pytest.raises(InputError, match="no party has a left-right position"):
        Parliament.from_seats({"A": 10, "B": 5}).formation()


def test_baselines_are_distributions_and_topk_handles_ties():
    d = describe(situation([45, 35, 20], [2.0, 5.0, 8.0], formed=("P0", "P1")))
    for name in BASELINES.names():
        p = baseline_probabilities(d, name, 0.6)
        assert abs(p.sum() - 1) < 1e-12 and (p > 0).all()
    assert topk_with_ties(np.array([0.4, 0.4, 0.2]), 0, 1) == 0.5
    assert topk_with_ties(np.array([0.4, 0.4, 0.2]), 2, 3) == 1.0
    assert topk_with_ties(np.array([0.5, 0.3, 0.2]), 2, 2) == 0.0


def test_predict_marks_the_formed_government():
    s = situation([45, 35, 20], [2.0, 5.0, 8.0], formed=("P1", "P2"))
    r = predict(s, top=None)
    assert r.formed == ("P1", "P2") and r.formed_rank is not None
    assert [g.formed for g in r.governments].count(True) == 1
    assert r.governments[r.formed_rank - 1].parties == ("P1", "P2")
