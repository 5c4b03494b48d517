"""Cabinet duration: spells from ParlGov, the Weibull model, and the survival of a proposed cabinet."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kingmaker import Parliament
from kingmaker.datasets import load_parlgov
from kingmaker.errors import InputError
from kingmaker.formation import DurationModel, default_duration_model, duration, parliament_duration, spells
from kingmaker.formation.duration import country_terms, covariates
from kingmaker.io.parlgov import read_parlgov
from tests.conftest import shared_path

MINI = Path(__file__).parent / "data" / "parlgov" / "view_cabinet.csv"


def test_covariates_of_a_cabinet():
    x = covariates([306, 57], [7.13, 5.0], 650)
    assert x == {
        "minority": 0.0,
        "n_parties": 2.0,
        "range": pytest.approx(2.13),
        "margin": 37 / 650,
        "caretaker": 0.0,
    }
    assert covariates([258], [None], 650, caretaker=True)["minority"] == 1.0
    with pytest.raises(InputError, match="empty coalition"):
        covariates([], [], 650)


def test_survival_curve_is_a_survival_curve():
    model = default_duration_model()
    res = duration(["Con", "LD"], [306, 57], [7.13, 5.0], 650, term_months=60, model=model)
    s = np.array(res.survival)
    assert s[0] == 1.0 and np.all(np.diff(s) <= 0) and 0 < s[-1] < 1
    assert model.survival(res.covariates, np.array([res.median_months]))[0] == pytest.approx(0.5)
    assert res.p_full_term == pytest.approx(float(model.survival(res.covariates, np.array([60]))[0]))
    assert json.loads(json.dumps(res.to_dict(places=3)))["term_months"] == 60
    assert len(res.to_frame()) == len(res.months) and "survival" in res._repr_html_()
    minority = duration(["Con"], [306], [7.13], 650, term_months=60, model=model)
    assert minority.median_months < res.median_months  # minority cabinets fall sooner


def test_duration_errors_and_plot(tmp_path):
    commons = Parliament.preset("uk-2010")
    with pytest.raises(InputError, match="empty coalition"):
        parliament_duration(commons, [])
    with pytest.raises(KeyError, match="unknown party 'Zed'"):
        parliament_duration(commons, ["Zed"])
    with pytest.raises(InputError, match="term must be a positive"):
        parliament_duration(commons, ["Con"], term_months=-3)
    fig = parliament_duration(commons, ["Con", "LD"], term_months=60).plot()
    fig.savefig(tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_shipped_model_round_trip():
    model = default_duration_model()
    assert set(model.coef) == {"minority", "n_parties", "range", "margin", "caretaker"}
    assert model.terms["GBR"] == 60 and model.terms["AUS"] == 36 and model.meta["data_sha256"]
    again = DurationModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.coef == model.coef
    with pytest.raises(InputError, match="malformed duration model"):
        DurationModel.from_dict({"coef": {}})


def test_spells_of_the_mini_file_code_failures_and_censoring():
    pg = read_parlgov(MINI)
    df = spells(pg, since="1990-01-01").set_index("cabinet_id")
    # Alpha I ends at the 2004 election, 48 months on, in a 48-month term: regular, censored
    assert country_terms(pg)["ATL"] == 48 and df.loc[11, "event"] == 0
    assert df.loc[12, "event"] == 1  # Alpha II ends by a change of parties: a failure
    assert df.loc[14, "caretaker"] == 1.0
    assert df.loc[15, "event"] == 0  # the last cabinet on file is censored
    assert df.loc[21, "event"] == 1  # an election four months after the last one is early


def test_real_spells():
    pg = load_parlgov(shared_path("parlgov", "view_cabinet.csv").parent)
    df = spells(pg)
    assert len(df) > 1100 and 0.4 < df["event"].mean() < 0.8
    cameron = df[df["cabinet_id"] == pg.formation("GBR", 2010).cabinet_id].iloc[0]
    assert cameron["event"] == 0 and 55 < cameron["months"] < 62  # served to the 2015 election
