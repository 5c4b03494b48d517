"""Contract of every registered swing model (kingmaker.projection.registry.SWING_MODELS).

Each entry, whatever its formula: fills every seat of the house, leaves the seats as they were
when the shares do not change, gives the same answer twice, serialises to JSON and back, renders
in a notebook, and declares the kind and default level that ``project`` and the forecast kernel
rely on.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kingmaker.projection import LEVELS, SWING_MODELS, ProjectionWarning, project
from kingmaker.projection.plan import plan_projection
from kingmaker.votes import VoteTable

MODELS = SWING_MODELS.names()
PARTIES = ("Con", "Lab", "LD", "SNP")


def country(votes: np.ndarray) -> VoteTable:
    """Seats alternating between two English regions and Scotland (the SNP stands there only)."""
    n = len(votes)
    regions = tuple(("North", "South", "Scotland")[d % 3] for d in range(n))
    votes = votes.copy()
    votes[[d for d in range(n) if regions[d] != "Scotland"], 3] = 0
    nations = tuple("Scotland" if r == "Scotland" else "England" for r in regions)
    return VoteTable(votes, PARTIES, tuple(f"S{d}" for d in range(n)), regions=regions, nations=nations)


def base_table() -> VoteTable:
    return country(np.random.default_rng(5).integers(1000, 30000, size=(30, 4)))


def base_shares(t: VoteTable) -> dict[str, float]:
    totals = t.totals()
    return {p: 100 * float(v) / float(totals.sum()) for p, v in zip(t.parties, totals, strict=True)}


def quiet_project(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProjectionWarning)
        return project(*args, **kwargs)


def test_the_registry_lists_the_four_models():
    assert set(MODELS) == {"uniform", "proportional", "regional", "transition"}


@pytest.mark.parametrize("name", MODELS)
def test_entry_declares_what_project_and_forecast_need(name):
    entry = SWING_MODELS.get(name)
    assert entry.extra["kind"] in ("additive", "proportional", "transition")
    assert entry.extra["level"] in LEVELS
    assert entry.obj.__doc__ and "=" in entry.obj.__doc__  # the formula lives in the docstring
    assert entry.has("deterministic")
    result = quiet_project(base_table(), {"Con": 40, "Lab": 30, "LD": 20, "SNP": 10}, name)
    assert result.model == name and result.level == entry.extra["level"]


@pytest.mark.parametrize("name", MODELS)
def test_unchanged_shares_leave_every_seat_as_it_was(name):
    t = base_table()
    result = quiet_project(t, base_shares(t), name)
    assert result.winners == result.base_winners and dict(result.seats) == dict(result.base_seats)
    np.testing.assert_allclose(result.shares, result.base_shares, atol=1e-9)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=15, deadline=None)
@given(
    votes=st.lists(st.lists(st.integers(0, 50_000), min_size=4, max_size=4), min_size=3, max_size=12),
    target=st.lists(st.floats(0.5, 60), min_size=4, max_size=4),
)
# a seat where only a declining party stands (found by Hypothesis for the transition model: its
# votes were released with no gainer there to take them, and the seat's shares summed to 0)
@example(votes=[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]], target=[1.0, 1.0, 1.0, 5.0])
def test_every_seat_is_filled_and_shares_are_shares(name, votes, target):
    v = np.array(votes, dtype=np.int64)
    v[:, 0] += 1  # every seat has votes
    t = country(v)
    shares = dict(zip(PARTIES, (100 * x / sum(target) for x in target), strict=True))
    result = quiet_project(t, shares, name)
    assert sum(result.seats.values()) == t.n_districts
    assert len(result.winners) == t.n_districts
    assert np.all(result.shares >= 0)
    np.testing.assert_allclose(result.shares.sum(axis=1), 1.0, atol=1e-9)
    # a party never appears in a seat it did not contest at the base
    assert not np.any((result.shares > 0) & (result.base_shares == 0))


@pytest.mark.parametrize("name", MODELS)
def test_same_input_same_result_and_json_round_trip(name):
    t = base_table()
    shares = {"Con": 33, "Lab": 37, "LD": 18, "SNP": 12}
    a, b = quiet_project(t, shares, name), quiet_project(t, shares, name)
    assert a.to_dict() == b.to_dict()
    text = json.dumps(a.to_dict())
    assert json.loads(text) == json.loads(json.dumps(b.to_dict()))
    assert sum(json.loads(text)["seats"].values()) == t.n_districts


@pytest.mark.parametrize("name", MODELS)
def test_repr_html_renders(name):
    html = quiet_project(base_table(), {"Con": 40, "Lab": 30, "LD": 20, "SNP": 10}, name)._repr_html_()
    assert html.startswith("<p>Projection (") and "<table" in html and name in html


@pytest.mark.parametrize("name", MODELS)
def test_plan_scores_many_targets_at_once(name):
    """The forecast kernel scores stacks of targets: row s must equal the projection of target s."""
    plan = plan_projection(base_table(), {"Con": 40, "Lab": 30, "LD": 20, "SNP": 10}, name)
    stack = np.stack([plan.targets, plan.area_base])
    scores = plan.scores(stack)
    np.testing.assert_allclose(scores[0], plan.scores(plan.targets[None])[0])
    np.testing.assert_allclose(plan.shares(stack)[1], plan.base_shares, atol=1e-9)


def test_unknown_model_names_the_choices():
    from kingmaker.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match=r"unknown model 'swingometer'.*uniform, proportional"):
        project(base_table(), {"Con": 50, "Lab": 50}, "swingometer")
