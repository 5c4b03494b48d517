"""Contract suite for every seat system in kingmaker.seats.SYSTEMS (and the divisor and quota
registries): each entry runs on a small table and keeps what it declares.

Driven by the registries: a system added with ``@SYSTEMS.register(...)`` is checked here without
editing this file. Checks: the house is filled (``fills-seats``; others at least fill it), JSON
round trip of ``to_dict()``, the same seed gives the same result (``seeded``), an unknown option
is an InputError, ``_repr_html_`` and ``to_frame`` render, column order does not matter
(``permutation-invariant``, on tie-free tables) and one more seat never takes a seat away
(``house-monotone``, Hypothesis, tie-free tables).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kingmaker._registry import PROPERTIES
from kingmaker.errors import InputError, RuleError, UnknownNameError
from kingmaker.seats import DIVISORS, QUOTAS, SYSTEMS, allocate, compare_systems, takes_house
from kingmaker.votes import VoteTable

PARTIES = ("A", "B", "C", "D")
#: Six single-member districts in three regions; no first-place ties, some without a majority.
VOTES = np.array(
    [
        [410, 300, 190, 100],
        [380, 420, 150, 50],
        [200, 330, 390, 80],
        [520, 210, 170, 99],
        [260, 270, 310, 161],
        [300, 450, 120, 131],
    ]
)


def small_table(votes: np.ndarray = VOTES, parties: tuple[str, ...] = PARTIES) -> VoteTable:
    return VoteTable(
        votes,
        parties,
        tuple(f"d{i}" for i in range(len(votes))),
        regions=("North", "North", "Mid", "Mid", "South", "South")[: len(votes)],
        nations=("E",) * len(votes),
    )


ENTRIES = SYSTEMS.entries()
IDS = [e.name for e in ENTRIES]


def test_the_registries_are_consistent() -> None:
    assert len(ENTRIES) >= 14
    for e in ENTRIES:
        assert e.summary and set(e.properties) <= set(PROPERTIES)
        for alias in e.aliases:
            assert SYSTEMS.get(alias).name == e.name
    # every divisor method and quota is also a seat system of the same name
    assert set(DIVISORS.names()) | set(QUOTAS.names()) <= set(SYSTEMS.names())
    assert {e.name for e in DIVISORS.with_property("house-monotone")} == set(DIVISORS.names())
    with pytest.raises(UnknownNameError, match="unknown system 'borda'"):
        allocate(small_table(), "borda")
    assert allocate(small_table(), "D'Hondt").as_dict() == allocate(small_table(), "d_hondt").as_dict()


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_fills_the_house(entry) -> None:
    table = small_table()
    districts = int(table.seat_magnitudes().sum())
    result = allocate(table, entry.name)
    assert (result.seats >= 0).all() and len(result.seats) == len(result.parties)
    if entry.has("fills-seats"):
        assert result.house_size == districts
    else:
        assert result.house_size >= districts
    if takes_house(entry.name):
        bigger = allocate(table, entry.name, seats=9)
        assert bigger.house_size == 9 if entry.has("fills-seats") else bigger.house_size >= 9
    else:  # one seat per district whatever is asked
        assert allocate(table, entry.name, seats=9).house_size == districts


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_json_round_trip_frame_and_html(entry) -> None:
    result = allocate(small_table(), entry.name)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert sum(p["seats"] for p in data["parties"]) == result.house_size
    rounded = result.to_dict(places=2)
    assert json.loads(json.dumps(rounded)) == rounded
    assert all(round(p["vote_share"], 2) == p["vote_share"] for p in rounded["parties"])
    html = result._repr_html_()
    assert "<table>" in html and str(result.house_size) in html
    frame = result.to_frame()
    assert list(frame["party"]) == list(result.parties) and int(frame["seats"].sum()) == result.house_size


#: Ties everywhere: two parties level in every district and every region.
TIED = np.array([[300, 300, 100, 50]] * 6)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.has("seeded")], ids=lambda e: e.name)
def test_same_seed_same_result(entry) -> None:
    table = small_table(TIED)
    runs = [allocate(table, entry.name, tie="lot", seed=11).to_dict() for _ in range(2)]
    assert runs[0] == runs[1]
    first = allocate(small_table(), entry.name, tie="lot", seed=3).to_dict()
    assert first == allocate(small_table(), entry.name, tie="lot", seed=3).to_dict()


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_unknown_option_is_an_input_error(entry) -> None:
    with pytest.raises(InputError, match="no option 'bogus'"):
        allocate(small_table(), entry.name, bogus=1)


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.has("permutation-invariant")], ids=lambda e: e.name
)
def test_column_order_does_not_matter(entry) -> None:
    table = small_table()
    order = [3, 1, 0, 2]
    shuffled = small_table(VOTES[:, order], tuple(PARTIES[i] for i in order))
    a = allocate(table, entry.name, tie="raise")
    b = allocate(shuffled, entry.name, tie="raise")
    assert a.as_dict() == b.as_dict()


@settings(max_examples=60, deadline=None)
@given(
    votes=st.lists(st.integers(0, 100_000), min_size=2, max_size=6).filter(lambda v: sum(v) > 0),
    seats=st.integers(1, 40),
    which=st.integers(0, 100),
)
def test_house_monotone_where_declared(votes: list[int], seats: int, which: int) -> None:
    """One more seat never takes a seat away, on tables without ties (a tie raises and the
    example is dropped)."""
    monotone = SYSTEMS.with_property("house-monotone")
    assert monotone, "the divisor methods declare house-monotone"
    entry = monotone[which % len(monotone)]
    table = VoteTable(np.array([votes]), tuple(f"P{i}" for i in range(len(votes))), ("d",))
    try:
        before = allocate(table, entry.name, seats=seats, tie="raise")
        after = allocate(table, entry.name, seats=seats + 1, tie="raise")
    except RuleError:
        assume(False)
    assert after.house_size == seats + 1
    assert (after.seats >= before.seats).all(), entry.name


def test_compare_systems_runs_every_system() -> None:
    table = small_table()
    comparison = compare_systems(table, SYSTEMS.names())
    assert comparison.systems == SYSTEMS.names() and comparison.house == 6
    rows = comparison.rows()
    for s in comparison.systems:
        assert sum(row[s] for row in rows) == comparison.results[s].house_size
    data = comparison.to_dict(places=3)
    assert json.loads(json.dumps(data)) == data and set(data["systems"]) == set(SYSTEMS.names())
    assert list(comparison.to_frame().columns) == ["party", "vote_share", *SYSTEMS.names()]
    assert "<table>" in comparison._repr_html_()
    with pytest.raises(InputError, match="no system compared takes"):
        compare_systems(table, "fptp,dhondt", transfers="x.csv")
    with pytest.raises(InputError):
        compare_systems(table, " , ")
