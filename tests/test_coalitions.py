"""Coalitions: the 2010 arithmetic, theories, completions, invariants against brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kingmaker.coalitions import coalitions, complete
from kingmaker.errors import InputError, TooLargeError
from kingmaker.parliament import Parliament

UK2010 = Parliament.preset("uk-2010")


def test_con_ld_absolute_and_working():
    c = coalitions(UK2010).find(["Con", "LD"])
    assert c is not None
    assert (c.seats, c.majority, c.surplus) == (363, 76, 37)
    assert c.minimal_winning and c.fewest_parties and set(c.pivotal) == {"Con", "LD"}
    w = coalitions(UK2010, "working").find(["Con", "LD"])
    # Speaker, deputies and SF left out: 362 of 641 voting, majority 83 (as reported in October 2010)
    assert (w.seats, w.majority) == (362, 83)


def test_lab_ld_short_by_11_and_rainbow():
    r = complete(UK2010, ["Lab", "LD"])
    assert (r.seats, r.shortfall) == (315, 11)
    assert not r.wins
    partners = {frozenset(p) for p in r.partners}
    assert frozenset({"SNP", "PC", "SDLP"}) in partners
    assert frozenset({"Con"}) in partners
    # every completion is minimal: dropping any partner loses
    for c, p in zip(r.completions, r.partners, strict=True):
        assert c.seats >= 326
        for x in p:
            assert c.seats - UK2010.party(x).seats < 326
    rainbow = complete(UK2010, ["Lab", "LD", "SNP", "PC", "SDLP", "Green", "Alliance"])
    assert rainbow.wins and rainbow.seats == 329 and rainbow.majority == 8
    assert set(rainbow.pivotal) == {"Lab", "LD", "SNP"}  # PC/SDLP (3) can leave: 326 remains


def test_rainbow_with_hermon_is_330_as_in_facts():
    r = complete(UK2010, ["Lab", "LD", "SNP", "PC", "SDLP", "Green", "Alliance", "Ind"])
    assert r.seats == 330


def test_theories_2010():
    table = coalitions(UK2010, minimal_only=True)
    assert all(c.minimal_winning for c in table)
    minimum = [c for c in table if c.minimum_winning]
    assert minimum and all(c.seats == 326 for c in minimum)
    fewest = {frozenset(c.parties) for c in table if c.fewest_parties}
    assert fewest == {frozenset({"Con", "LD"}), frozenset({"Con", "Lab"})}
    mr = [c for c in table if c.minimal_range]
    assert [c.parties for c in mr] == [("Lab", "LD", "SNP", "PC", "SDLP")]
    assert mr[0].connected and mr[0].minimal_connected_winning


def test_unplaced_member_has_unknown_range():
    c = coalitions(UK2010).find(["Lab", "LD", "SNP", "PC", "Green", "Ind"])
    assert c.range is None and c.connected is None and not c.minimal_connected_winning


def test_excluded_and_incompatible():
    t = coalitions(UK2010, excluded=["Con"])
    assert all("Con" not in c.parties for c in t)
    t2 = coalitions(UK2010, incompatible=[("Con", "Lab")])
    assert all(not {"Con", "Lab"} <= set(c.parties) for c in t2)
    assert t2.total_winning < coalitions(UK2010).total_winning


def test_orders_and_top():
    by_parties = coalitions(UK2010, order="parties", top=3)
    assert len(by_parties) == 3 and by_parties.coalitions[0].n_parties == 2
    by_range = coalitions(UK2010, order="range", minimal_only=True)
    ranges = [c.range for c in by_range if c.range is not None]
    assert ranges == sorted(ranges)
    with pytest.raises(InputError):
        coalitions(UK2010, order="alphabet")  # type: ignore[arg-type]


def test_too_many_players():
    p = Parliament.from_seats({f"P{i}": 1 for i in range(30)})
    with pytest.raises(TooLargeError, match="limited to 22"):
        coalitions(p)


def test_group_with_unvoting_party_is_refused():
    with pytest.raises(InputError, match="no voting members"):
        complete(UK2010, ["Lab", "SF"])


def test_frames_and_dicts():
    t = coalitions(UK2010, top=5)
    df = t.to_frame()
    assert list(df["seats"]) == [c.seats for c in t]
    d = t.to_dict()
    assert d["quota"] == 326 and len(d["coalitions"]) == 5


weights_st = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=7)


@pytest.mark.filterwarnings("ignore::kingmaker.errors.KingmakerWarning")  # random quotas may be <= half
@settings(max_examples=60, deadline=None)
@given(weights_st, st.data())
def test_matches_brute_force(weights, data):
    if sum(weights) == 0:
        weights[0] = 1
    seats = {f"P{i}": w for i, w in enumerate(weights)}
    positions = {f"P{i}": data.draw(st.floats(0, 10)) for i in range(len(weights))}
    p = Parliament.from_seats(seats, positions)
    q = data.draw(st.integers(min_value=1, max_value=sum(weights)))
    table = coalitions(p, q)
    players = [n for n, w in seats.items() if w > 0]
    brute = {}
    for k in range(1, len(players) + 1):
        for combo in itertools.combinations(players, k):
            s = sum(seats[x] for x in combo)
            if s >= q:
                brute[frozenset(combo)] = s
    assert {frozenset(c.parties): c.seats for c in table} == brute
    for c in table:
        assert set(c.pivotal) == {x for x in c.parties if c.seats - seats[x] < q}
        assert c.minimal_winning == (set(c.pivotal) == set(c.parties))
        assert c.majority == 2 * c.seats - sum(weights)
        # contiguity by definition
        lo = min(positions[x] for x in c.parties)
        hi = max(positions[x] for x in c.parties)
        gap = any(lo < positions[x] < hi for x in players if x not in c.parties)
        assert c.connected == (not gap)


def test_parliament_shortcuts_and_notebook_repr():
    assert UK2010.coalitions().find(["Con", "LD"]).seats == 363
    assert UK2010.complete(["Lab", "LD"]).shortfall == 11
    assert "<table" in UK2010.coalitions(top=3)._repr_html_()
    assert "<table" in UK2010._repr_html_()


@pytest.mark.filterwarnings("ignore::kingmaker.errors.KingmakerWarning")
@settings(max_examples=60, deadline=None)
@given(weights_st, st.data())
def test_completions_match_brute_force(weights, data):
    if sum(weights) == 0:
        weights[0] = 1
    seats = {f"P{i}": w for i, w in enumerate(weights)}
    p = Parliament.from_seats(seats)
    players = [n for n, w in seats.items() if w > 0]
    group = data.draw(st.lists(st.sampled_from(players), min_size=1, max_size=len(players), unique=True))
    q = data.draw(st.integers(min_value=1, max_value=sum(weights)))
    got = complete(p, group, q, top=None)
    bit = {name: 1 << i for i, name in enumerate(players)}
    others = [x for x in players if x not in group]
    have = sum(seats[x] for x in group)
    found = []
    for k in range(1, len(others) + 1):
        for combo in itertools.combinations(others, k):
            total = have + sum(seats[x] for x in combo)
            if have < q <= total and all(total - seats[x] < q for x in combo):
                found.append((k, total, sum(bit[x] for x in (*group, *combo)), frozenset(combo)))
    assert [frozenset(x) for x in got.partners] == [f for *_, f in sorted(found)]
    assert got.shortfall == max(0, q - have)


def test_twenty_two_parties_are_analysed():
    """The largest game the library enumerates (2**22 subsets) is answered, not refused."""
    seats = {f"P{i}": 10 + 3 * i for i in range(22)}
    p = Parliament.from_seats(seats)
    r = complete(p, ["P21", "P20"], top=3)
    q = p.quota("absolute")
    assert r.shortfall == q - (73 + 70) and len(r.completions) == 3
    for c, partners in zip(r.completions, r.partners, strict=True):
        assert c.seats >= q and all(c.seats - seats[x] < q for x in partners)
    assert len(coalitions(p, top=5, minimal_only=True)) == 5


def test_rows_stream_as_the_records_give_them():
    """iter_dicts (no Coalition objects) gives exactly what each Coalition's to_dict gives."""
    table = coalitions(UK2010)
    rows = list(table.iter_dicts())
    assert rows == [c.to_dict() for c in table.coalitions] and len(rows) == table.total_winning
    assert table.coalitions[-1] == list(table)[-1] and table.coalitions[1:3] == tuple(list(table)[1:3])
    assert table.total_minimal_winning == len(coalitions(UK2010, minimal_only=True))
    r = complete(UK2010, ["Lab", "LD"], top=None)
    assert list(r.iter_dicts()) == [
        {"partners": list(p), **c.to_dict()} for p, c in zip(r.partners, r.completions, strict=True)
    ]


def test_cli_json_streams_the_library_rows():
    import json

    from tests.cli_runner import invoke

    seats = "A=30,B=25,C=20,D=15,E=6,F=4"
    res = invoke("coalitions", "--seats", seats, "--format", "json")
    assert res.exit_code == 0, res.stderr
    parliament = Parliament.from_seats({k: int(v) for k, v in (x.split("=") for x in seats.split(","))})
    streamed = json.loads(res.stdout)
    assert streamed.pop("provenance")["method"] == "coalitions"
    assert streamed == coalitions(parliament).to_dict()
    res = invoke("coalitions", "--seats", seats, "--with", "A", "--format", "json")
    streamed = json.loads(res.stdout)
    assert streamed.pop("provenance")["method"] == "coalitions"
    assert streamed == complete(parliament, ["A"], top=None).to_dict()


def test_json_rows_are_json_dumps_of_the_dicts():
    """The fast JSON path writes exactly what json.dumps writes for each row (positions, unplaced
    parties, non-ASCII names, partners)."""
    import json

    parliament = Parliament.from_seats(
        {"Ä": 30, 'B"q': 25, "C": 20, "D": 15, "E": 6, "F": 4}, positions={"Ä": -1.5, 'B"q': 0.25, "C": 1 / 3}
    )
    for table in (coalitions(UK2010), coalitions(parliament), coalitions(parliament, top=2)):
        assert list(table.iter_json()) == [json.dumps(d, ensure_ascii=False) for d in table.iter_dicts()]
    for r in (complete(UK2010, ["Lab", "LD"], top=None), complete(parliament, ["C"], top=None)):
        assert list(r.iter_json()) == [json.dumps(d, ensure_ascii=False) for d in r.iter_dicts()]
        assert r.completions


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 22)), min_size=1, max_size=60, unique_by=lambda t: t
    ),
    st.sampled_from([None, 1, 5]),
)
def test_packed_sort_is_the_lexicographic_sort(keys, top):
    """The one-int64 sort of the coalition order equals sorting by (primary, secondary, mask)."""
    import numpy as np

    from kingmaker.coalitions import _first

    rng = np.random.default_rng(len(keys))
    chosen = np.sort(rng.choice(1 << 22, size=len(keys), replace=False)).astype(np.int64)
    primary = np.array([k[0] for k in keys], dtype=np.int32)
    secondary = np.array([k[1] for k in keys], dtype=np.int8)
    want = sorted(range(len(keys)), key=lambda i: (keys[i][0], keys[i][1], chosen[i]))
    want_masks = [int(chosen[i]) for i in want][:top]
    assert _first(chosen, (primary, secondary), top).tolist() == want_masks
