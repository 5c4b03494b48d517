"""The long vote CSV: its ``seats`` column is the district magnitude; unknown columns are refused.

Real data: the 2019 European Parliament election in Great Britain, eleven regions electing 3 to
10 members each by D'Hondt (``../shared/data/facts/ep2019_uk.csv``: each regional returning
officer's declaration as recorded at electionpolling.co.uk/results/2019ep). GB result: Brexit
29, LD 16, Lab 10, Green 7, Con 4, SNP 3, PC 1 (70 seats; Northern Ireland's 3 are by STV and
left out).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kingmaker.errors import InputError
from kingmaker.io.long_csv import read_long_csv, write_long_csv
from kingmaker.seats import allocate
from tests.conftest import shared_path

GB_2019 = {"Brexit": 29, "LD": 16, "Lab": 10, "Green": 7, "Con": 4, "SNP": 3, "PC": 1}


def _ep2019(*, lumped: bool) -> tuple[str, list[dict[str, str]]]:
    """The GB regions as a long CSV with a seats column, and the facts rows used."""
    path = shared_path("facts", "ep2019_uk.csv")
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["method"] == "dhondt"]
    if not lumped:
        rows = [r for r in rows if "aggregated" not in r["party"]]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["district", "party", "votes", "seats"])
    for r in rows:
        w.writerow([r["region"], r["party"], r["votes"], r["region_seats"]])
    return out.getvalue(), rows


@pytest.mark.parametrize("lumped", [False, True], ids=["parties", "with-lumped-rows"])
def test_ep2019_regions_seats_column_is_the_district_magnitude(lumped: bool) -> None:
    text, rows = _ep2019(lumped=lumped)
    table = read_long_csv(text, name="ep2019.csv")
    assert table.n_districts == 11
    assert dict(zip(table.districts, table.seat_magnitudes().tolist(), strict=True))["South East"] == 10
    assert int(table.seat_magnitudes().sum()) == 70
    result = allocate(table, "dhondt", level="district")
    assert {p: n for p, n in result.as_dict().items() if n} == GB_2019
    # and region by region, every party's seats as declared
    won = {(r["region"], r["party"]): int(r["seats_won"]) for r in rows}
    for d, region in enumerate(result.districts):
        for p, party in enumerate(result.parties):
            assert int(result.district_seats[d, p]) == won.get((region, party), 0), (region, party)


def test_without_a_seats_column_every_district_returns_one() -> None:
    table = read_long_csv("district,party,votes\nd1,A,10\nd1,B,5\nd2,A,1\nd2,B,7\n")
    assert table.magnitudes is None and table.seat_magnitudes().tolist() == [1, 1]
    assert allocate(table, "dhondt", level="district").as_dict() == {"A": 1, "B": 1}


def test_seats_round_trip(tmp_path: Path) -> None:
    table = read_long_csv("district,party,votes,seats\nN,A,100,3\nN,B,40,3\nS,A,10,2\nS,B,30,2\n")
    assert table.seat_magnitudes().tolist() == [3, 2]
    out = tmp_path / "w.csv"
    write_long_csv(table, out)
    again = read_long_csv(out)
    assert again.seat_magnitudes().tolist() == [3, 2] and again.votes.tolist() == table.votes.tolist()
    # N: 100, 50, 40 -> A 2, B 1; S: 30, 15 -> B 2
    assert allocate(table, "dhondt", level="district").as_dict() == {"A": 2, "B": 3}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("district,party,votes,seats\nN,A,1,3\nN,B,2,4\n", "N has seats '3' and '4'"),
        ("district,party,votes,seats\nN,A,1,0\n", "seats '0' must be a whole number of at least 1"),
        ("district,party,votes,seats\nN,A,1,two\n", "seats 'two'"),
        ("district,party,votes,share_pct\nN,A,1,50\n", "unknown column.*'share_pct'"),
        ("district,party,votes,seats,seats\nN,A,1,3,3\n", "named twice: seats"),
    ],
)
def test_bad_seats_and_unknown_columns_are_reported(body: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_long_csv(body, name="upload.csv")
    assert "upload.csv" in str(info.value)


def test_unknown_columns_can_be_left_out_on_purpose() -> None:
    body = "district,party,votes,seats,share_pct,Source\nN,A,100,3,71.4,x\nN,B,40,3,28.6,x\n"
    with pytest.raises(InputError, match=r"'share_pct', 'source'"):
        read_long_csv(body)
    table = read_long_csv(body, ignore=("share_pct", "source"))
    assert table.seat_magnitudes().tolist() == [3]


def test_the_ep2019_facts_file_itself_names_its_extra_columns() -> None:
    """Read as it stands (its own column names), the facts file is refused with the columns
    named: ``region_seats`` is not silently taken for, or dropped instead of, ``seats``."""
    path = shared_path("facts", "ep2019_uk.csv")
    with pytest.raises(InputError, match=r"missing column.*district"):
        read_long_csv(path)
    text = path.read_text(encoding="utf-8").replace("region,region_seats", "district,region_seats", 1)
    with pytest.raises(InputError, match=r"'election'.*'region_seats'"):
        read_long_csv(text)
