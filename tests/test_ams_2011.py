"""The 2011 Scottish Parliament by region: AMS list seats where the list votes are known.

Data: ``../shared/data/facts/scottish_parliament_2011_regions.csv`` (sources per row; FACTS.md
7.1). Constituency and list seats are verified for all eight regions (everypolitician term 4,
MSPs elected 5 May 2011). Regional list votes were found for two regions only: Highlands and
Islands (all 14 lists) and Glasgow (the nine largest lists; every other list polled under
2,276). The other six regions' list votes are in no reachable source, so their list seats
cannot be replayed: they stay marked UNVERIFIED there, and this test checks that they do.
"""

from __future__ import annotations

import csv
from fractions import Fraction

import numpy as np
import pytest

from kingmaker.seats.mixed import ams
from kingmaker.votes import VoteTable
from tests.conftest import shared_path

LIST_SEATS_PER_REGION = 7
REPLAYABLE = ("Glasgow", "Highlands and Islands")
UNVERIFIED = (
    "Central Scotland",
    "Lothian",
    "Mid Scotland and Fife",
    "North East Scotland",
    "South Scotland",
    "West Scotland",
)


def _rows() -> list[dict[str, str]]:
    path = shared_path("facts", "scottish_parliament_2011_regions.csv")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_seats_are_verified_for_all_eight_regions() -> None:
    rows = _rows()
    regions = {r["region"] for r in rows}
    assert regions == set(REPLAYABLE) | set(UNVERIFIED)
    assert all(r["seats_status"] == "verified" for r in rows)
    for region in regions:
        lists = sum(int(r["list_seats"]) for r in rows if r["region"] == region)
        assert lists == LIST_SEATS_PER_REGION, region
    assert sum(int(r["constituency_seats"]) for r in rows) == 73
    assert sum(int(r["list_seats"]) for r in rows) == 56


def test_list_votes_are_known_only_for_two_regions() -> None:
    """A region can be replayed only when every seat-winning list's votes are known. In the six
    others some are missing from every reachable source (Lothian has only the Greens' 21,505;
    Mid Scotland and Fife and West Scotland only shares): marked UNVERIFIED, not guessed."""
    rows = _rows()
    for region in UNVERIFIED:
        winners = [r for r in rows if r["region"] == region and int(r["list_seats"])]
        missing = [r for r in winners if r["votes_status"] == "UNVERIFIED" and r["list_votes"] == ""]
        assert missing, f"{region} could now be replayed: add it to REPLAYABLE"
    for r in rows:
        if r["region"] in REPLAYABLE:
            assert r["votes_status"] == "verified" and int(r["list_votes"]) > 0, r


@pytest.mark.parametrize("region", REPLAYABLE)
def test_ams_reproduces_the_list_seats(region: str) -> None:
    """Regional D'Hondt with each party's first divisor its constituency seats + 1 gives the
    published list seats, party by party. Glasgow: SNP 2, Lab 3, Con 1, Green 1; Highlands and
    Islands: SNP 3, Lab 2, Con 2."""
    rows = [r for r in _rows() if r["region"] == region]
    table = VoteTable.from_records([(region, r["party"], int(r["list_votes"])) for r in rows])
    const = np.zeros(table.votes.shape, dtype=np.int64)
    published = {}
    for r in rows:
        const[0, table.party_index(r["party"])] = int(r["constituency_seats"])
        published[r["party"]] = int(r["list_seats"])
    result = ams(table, const, LIST_SEATS_PER_REGION)
    got = dict(zip(table.parties, result.components["list"].tolist(), strict=True))
    assert got == published
    assert result.ties == ()
    # the last list seat's D'Hondt quotient, against the lists not in the source (Glasgow:
    # each under 2,276 votes): none of them could have taken a seat
    last = min(
        Fraction(int(r["list_votes"]), int(r["constituency_seats"]) + int(r["list_seats"]))
        for r in rows
        if int(r["list_seats"])
    )
    assert last > 2276


def test_the_two_regions_national_picture() -> None:
    """Both regions together: SNP 11 constituency + 5 list, Labour 4 + 5, LD 2 + 0, Con 0 + 3,
    Green 0 + 1 (the sum of the published rows; the AMS list seats above reproduce it)."""
    rows = [r for r in _rows() if r["region"] in REPLAYABLE]
    total: dict[str, tuple[int, int]] = {}
    for r in rows:
        c, ls = total.get(r["party"], (0, 0))
        total[r["party"]] = (c + int(r["constituency_seats"]), ls + int(r["list_seats"]))
    assert total["SNP"] == (11, 5) and total["Labour"] == (4, 5)
    assert total["Liberal Democrat"] == (2, 0) and total["Conservative"] == (0, 3)
    assert total["Scottish Green"] == (0, 1)
