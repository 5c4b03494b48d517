"""Every registered formation baseline: runs on a tiny parliament, names only governments that
exist, gives a probability distribution, and is described in JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kingmaker.errors import UnknownNameError
from kingmaker.formation import BASELINES, Situation, describe
from kingmaker.formation.baselines import baseline_probabilities, named_share

TINY = Situation(
    label="tiny",
    parties=("L", "C", "R", "X"),
    seats=np.array([40, 25, 30, 5]),
    positions=np.array([2.0, 5.0, 8.0, np.nan]),
    house=100,
    quota=51,
    formed=("C", "R"),
)


@pytest.mark.parametrize("name", BASELINES.names())
def test_baseline_contract(name):
    entry = BASELINES.get(name)
    d = describe(TINY)
    named = entry.obj(d)
    assert named.dtype == bool and named.shape == (len(d.alternatives),)
    assert named.any()  # every theory names something in this parliament
    assert entry.has("deterministic") and np.array_equal(named, entry.obj(describe(TINY)))
    p = baseline_probabilities(d, name, named_share([d], name))
    assert abs(p.sum() - 1) < 1e-12 and np.all(p > 0)
    assert p[named].min() > p[~named].max() or not (~named).any()
    assert json.loads(json.dumps(entry.to_dict()))["name"] == name


def test_registry_lookup():
    assert len(BASELINES) == 6
    assert BASELINES.canonical("MINIMAL-WINNING") == "minimal-winning"
    with pytest.raises(UnknownNameError, match="did you mean 'largest-alone'"):
        BASELINES.get("largest-alon")
