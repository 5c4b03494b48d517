"""Contract suite for every counting method in ``kingmaker.counting.registry.METHODS``.

Driven by the registry: a method added there is checked here with no edit. Each method counts
small fixed and seeded random profiles and must keep what it declares: conservation (exact
where declared), the seats filled, a JSON round trip of ``to_dict()``, the same result from the
same seed, ballot-order invariance where declared, every declared option accepted, an unknown
option refused with an :class:`InputError` that names it, and an HTML rendering.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from kingmaker._registry import PROPERTIES, Entry
from kingmaker.ballots import Ballots
from kingmaker.counting import count
from kingmaker.counting.options import MarkOptions
from kingmaker.counting.registry import METHODS
from kingmaker.counting.result import Result
from kingmaker.errors import InputError
from tests.cli_runner import invoke

CANDIDATES = ("Ann", "Bob", "Cat", "Dan", "Eve")
ENTRIES = METHODS.entries()
IDS = [e.name for e in ENTRIES]
SEEDS = (0, 1, 2)

#: A value for every option a method may declare; a new option needs a value here.
SAMPLE_OPTIONS: dict[str, Any] = {
    "marks": MarkOptions(overvote="skip"),
    "overvote": "skip",
    "skipped_limit": 2,
    "duplicates": "exhaust",
    "equal_rankings": "resolve",
    "tiebreak": "forwards",
    "seed": 3,
    "order": CANDIDATES,
    "until": "two",
    "batch": True,
    "min_votes": 2,
    "precision": 6,
    "tolerance": "0.001",
    "max_iterations": 500,
    "weights": (1, 2),
    "finalists": 3,
    "papers": "as-they-lie",
    "winner_mode": "multi-one",
    "cutoff": True,
    "decimals": 2,
    "excluded": ("Eve",),
    "first_round_threshold": True,
    "hare": True,
    "non_integer_threshold": True,
    "max_rankings": 5,
    "percentage": "0.1",
    "stop_after": 3,
    "uwi": "Dan",
}

#: Pairs of properties of which a method declares exactly one.
EXCLUSIVE = (
    ("exact-conservation", "float-conservation"),
    ("permutation-invariant", "not-permutation-invariant"),
    ("single-winner", "multi-winner"),
)


def _rows(seed: int) -> list[tuple[list[str], int]]:
    """About 40 distinct-ish truncated rankings of the five candidates, with whole weights."""
    rng = np.random.default_rng(seed)
    worth = np.array([5.0, 4.0, 3.0, 2.0, 1.5])
    rows = []
    for _ in range(40):
        keys = np.log(worth) + rng.gumbel(size=len(CANDIDATES))
        order = [CANDIDATES[i] for i in np.argsort(-keys)]
        rows.append((order[: int(rng.integers(1, len(CANDIDATES) + 1))], int(rng.integers(1, 6))))
    return rows


#: The fixed profile: a clear Droop/AV story with a surplus, exclusions and exhausted papers.
FIXED = [
    (["Ann", "Bob", "Cat"], 14),
    (["Bob", "Ann"], 9),
    (["Cat", "Dan", "Bob"], 8),
    (["Dan", "Cat"], 6),
    (["Eve", "Dan", "Ann"], 4),
    (["Eve"], 2),
    (["Ann", "Eve"], 3),
]


def _ballots(rows: list[tuple[list[str], int]]) -> Ballots:
    return Ballots.from_rankings([r for r, _ in rows], CANDIDATES, [w for _, w in rows])


def _profile(seed: int | None) -> list[tuple[list[str], int]]:
    return FIXED if seed is None else _rows(seed)


def _input(entry: Entry[Any], rows: list[tuple[list[str], int]], shuffle: int | None = None) -> Any:
    """The ballots ``entry`` counts, built from ``rows`` (ballot order shuffled by ``shuffle``)."""

    def make(part: list[tuple[list[str], int]]) -> Ballots:
        part = list(part)
        if shuffle is not None:
            random.Random(shuffle).shuffle(part)
        return _ballots(part)

    second = [(list(reversed(r)), w) for r, w in rows]  # another electorate, same candidates
    inputs = entry.extra.get("inputs")
    if inputs == "sections":
        return {"MPs": make(rows), "members": make(second)}
    if inputs == "pair":
        return (make(rows), make(second))
    return make(rows)


def _seats(entry: Entry[Any]) -> int:
    return 2 if entry.has("multi-winner") else 1


def _count(
    entry: Entry[Any], profile: int | None = None, shuffle: int | None = None, **options: Any
) -> Result:
    """Count profile ``profile`` (``None``: the fixed one; else a seeded random one) by ``entry``."""
    return count(_input(entry, _profile(profile), shuffle), entry.name, _seats(entry), **options)


def _numbers(result: Result) -> list[Any]:
    out: list[Any] = [result.valid, result.quota]
    for r in result.rounds:
        out += [*r.tallies.values(), r.exhausted, r.loss, *r.transfers.values(), r.quota, r.valid]
    return [x for x in out if x is not None]


# ---------------------------------------------------------------- the registry itself
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_declarations_are_complete(entry: Entry[Any]) -> None:
    assert set(entry.properties) <= set(PROPERTIES)
    for a, b in EXCLUSIVE:
        assert entry.has(a) != entry.has(b), f"{entry.name}: declare exactly one of {a}, {b}"
    assert entry.has("seeded") and entry.places is not None and entry.summary
    assert "seed" in entry.options and "tiebreak" in entry.options
    missing = set(entry.options) - set(SAMPLE_OPTIONS)
    assert not missing, f"add a sample value for {sorted(missing)}"
    for name in (entry.name, *entry.aliases):
        assert METHODS.get(name.upper()).name == entry.name


# ---------------------------------------------------------------- every method, every profile
@pytest.mark.parametrize("seed", [None, *SEEDS], ids=["fixed", *(f"random{s}" for s in SEEDS)])
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_conservation_and_seats(entry: Entry[Any], seed: int | None) -> None:
    r = _count(entry, seed)
    assert r.method == entry.name
    r.check_conservation()
    if entry.has("exact-conservation"):
        floats = [x for x in _numbers(r) if isinstance(x, float)]
        assert not floats, f"{entry.name} declares exact conservation but reports floats {floats[:3]}"
    else:
        assert all(isinstance(x, int | float | Fraction) for x in _numbers(r))
    assert len(set(r.winners)) == len(r.winners) and set(r.winners) <= set(CANDIDATES)
    if entry.has("fills-seats"):
        assert len(r.winners) == _seats(entry) == r.seats
    if entry.has("single-winner"):
        assert r.winner == r.winners[0]


@pytest.mark.parametrize("seed", [None, 0], ids=["fixed", "random0"])
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_json_round_trip(entry: Entry[Any], seed: int | None) -> None:
    r = _count(entry, seed)
    for places in (None, entry.places):
        d = r.to_dict(places=places)
        assert json.loads(json.dumps(d)) == d
        assert d["method"] == entry.name and d["winners"] == list(r.winners)
        assert len(d["rounds"]) == len(r.rounds)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_same_seed_same_result(entry: Entry[Any]) -> None:
    for seed in SEEDS:
        a = _count(entry, seed, seed=11, tiebreak="random")
        b = _count(entry, seed, seed=11, tiebreak="random")
        assert a.to_dict() == b.to_dict()
        assert a.options == b.options


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_ballot_order(entry: Entry[Any]) -> None:
    """Shuffling the ballots changes nothing where the method declares permutation invariance."""
    if entry.has("not-permutation-invariant"):
        pytest.skip(f"{entry.name} declares that ballot order may matter")
    for seed in (None, *SEEDS):
        base = _count(entry, seed)
        for shuffle in (1, 2):
            other = _count(entry, seed, shuffle=shuffle)
            assert other.winners == base.winners
            assert [dict(x.tallies) for x in other.rounds] == [dict(x.tallies) for x in base.rounds]
            assert [x.exhausted for x in other.rounds] == [x.exhausted for x in base.rounds]


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_every_declared_option_is_accepted(entry: Entry[Any]) -> None:
    one_seat = entry.extra.get("one_seat_options", ())
    for name in entry.options:
        if name in one_seat:  # the method takes this option for one seat only
            r = count(_input(entry, FIXED), entry.name, 1, **{name: SAMPLE_OPTIONS[name]})
            r.check_conservation()
            continue
        r = _count(entry, None, **{name: SAMPLE_OPTIONS[name]})
        r.check_conservation()
        assert r.method == entry.name


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_unknown_option_is_an_input_error(entry: Entry[Any]) -> None:
    with pytest.raises(InputError, match="no_such_option"):
        _count(entry, None, no_such_option=1)
    # the rule itself refuses it too, not only count()
    with pytest.raises(InputError, match="no_such_option"):
        entry.obj(_input(entry, FIXED), _seats(entry), no_such_option=1)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_html_renders(entry: Entry[Any]) -> None:
    r = _count(entry, 0)
    html = r._repr_html_()
    assert entry.name in html and "<table" in html
    assert all(w in html for w in r.winners)


def test_every_method_is_in_the_cli_help() -> None:
    out = invoke("count", "--help")
    assert out.exit_code == 0, out.stderr
    for entry in ENTRIES:
        assert entry.name in out.stdout, entry.name


def test_cli_refuses_an_unknown_method_with_the_choices() -> None:
    out = invoke("count", "x.blt", "--method", "borda")
    assert out.exit_code == 2
    assert "unknown method 'borda'" in out.stderr
    assert all(name in out.stderr for name in IDS)
