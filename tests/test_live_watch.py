"""Results night's watched file: only complete constituencies are stored, whatever moment the file is
read at; a conflict and a missing file are reported (issue 10, section 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kingmaker.web.watch import Watcher, parse_results_csv, read_watched
from tests.test_web_live import TOKEN, base_table

pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")

from kingmaker.web.live import LiveService
from kingmaker.web.store import ResultStore


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LiveService]:
    s = LiveService(base_table(), ResultStore(tmp_path / "w.duckdb"), token=TOKEN, simulations=0)
    yield s
    s.close()


def rows(name: str, votes: dict[str, int], total: bool) -> str:
    t = sum(votes.values())
    return "".join(f"{name},{p},{v}" + (f",{t}" if total else "") + "\n" for p, v in votes.items())


EIGHT = {"Con": 100, "Lab": 250, "LD": 80}


def test_half_written_constituency_is_never_stored(service: LiveService, tmp_path: Path) -> None:
    """The issue's case: two of a constituency's rows written, the rest later. Before, the two rows
    were stored for ever and the rest ignored without a word."""
    feed = tmp_path / "feed.csv"
    told: list[str] = []
    watcher = Watcher(service, feed, report=told.append)
    full = "constituency,party,votes,total\n" + rows("Seat 3", EIGHT, True)
    lines = full.splitlines(keepends=True)
    feed.write_text("".join(lines[:3]) + "Seat 3,LD,8", encoding="utf-8")  # 2 rows + a half-written line
    watcher.poll()
    assert service.store.count() == 0
    assert any("Seat 3 not taken: rows add up to 350 of the total 430" in t for t in told), told
    feed.write_text(full, encoding="utf-8")
    watcher.poll()
    assert service.store.all() == {"Seat 3": EIGHT}


def test_older_format_waits_for_the_next_constituency(service: LiveService, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    watcher = Watcher(service, feed, report=lambda m: None)
    head = "constituency,party,votes\n"
    feed.write_text(head + "Seat 3,Con,100\nSeat 3,Lab,250\n", encoding="utf-8")
    watcher.poll()
    assert service.store.count() == 0  # the last constituency might still be growing
    feed.write_text(head + rows("Seat 3", EIGHT, False) + "Seat 4,Con,1\n", encoding="utf-8")
    watcher.poll()
    assert service.store.all() == {"Seat 3": EIGHT}


def test_scattered_rows_are_refused(service: LiveService, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    told: list[str] = []
    text = "constituency,party,votes\nSeat 3,Con,1\nSeat 4,Con,2\nSeat 3,Lab,3\nSeat 5,Lab,1\n"
    feed.write_text(text, encoding="utf-8")
    Watcher(service, feed, report=told.append).poll()
    assert service.store.all() == {"Seat 4": {"Con": 2}}
    assert any("Seat 3 not taken: its rows are not together" in t for t in told), told


def test_conflict_is_reported_once_and_the_stored_result_kept(service: LiveService, tmp_path: Path) -> None:
    from kingmaker.web.models import DeclaredResult

    service.submit([DeclaredResult(constituency="Seat 3", votes=EIGHT)])
    feed = tmp_path / "feed.csv"
    told: list[str] = []
    watcher = Watcher(service, feed, report=told.append)
    changed = {**EIGHT, "Lab": 251}
    feed.write_text("constituency,party,votes,total\n" + rows("Seat 3", changed, True), encoding="utf-8")
    watcher.poll()
    feed.write_text(
        "constituency,party,votes,total\n" + rows("Seat 3", changed, True) + "\n", encoding="utf-8"
    )
    watcher.poll()  # the file changed, the conflict did not: told once
    conflicts = [t for t in told if "conflict (409)" in t]
    assert len(conflicts) == 1 and "Seat 3 was already declared" in conflicts[0], told
    assert service.store.all() == {"Seat 3": EIGHT}


def test_missing_file_is_reported_at_start_and_while_missing(service: LiveService, tmp_path: Path) -> None:
    feed = tmp_path / "later.csv"
    told: list[str] = []
    watcher = Watcher(service, feed, missing_every=0.0, report=told.append)
    watcher.poll()
    assert len(told) == 1 and "does not exist" in told[0] and str(feed) in told[0]
    watcher.poll()
    assert len(told) == 2 and "still missing" in told[1]
    slow = Watcher(service, feed, missing_every=3600.0, report=told.append)
    slow.poll()
    slow.poll()  # rate-limited: the second poll within the hour says nothing
    assert len(told) == 3
    feed.write_text("constituency,party,votes,total\n" + rows("Seat 3", EIGHT, True), encoding="utf-8")
    watcher.poll()
    assert "found" in told[-1] and service.store.count() == 1


def test_the_live_command_warns_about_a_missing_watch_file_at_start(
    service: LiveService, tmp_path: Path
) -> None:
    told: list[str] = []
    service.watch_csv(tmp_path / "nowhere.csv", interval=60, report=told.append)
    import time

    deadline = time.monotonic() + 5
    while not told and time.monotonic() < deadline:
        time.sleep(0.02)
    assert told and "does not exist" in told[0]


def test_upload_csv_checks_its_total_and_takes_a_winner() -> None:
    ok = parse_results_csv(b"constituency,party,votes,total,winner\nSeat 1,Con,5,10,Lab\nSeat 1,Lab,5,10,\n")
    assert ok[0].votes == {"Con": 5, "Lab": 5} and ok[0].winner == "Lab"
    from kingmaker.errors import InputError

    with pytest.raises(InputError, match="add up to 9, not the total 10"):
        parse_results_csv(b"constituency,party,votes,total\nSeat 1,Con,4,10\nSeat 1,Lab,5,10\n")


# ----------------------------------------------------------------------------- any moment of writing
results_strategy = st.lists(
    st.tuples(
        st.integers(1, 12),
        st.dictionaries(st.sampled_from(["Con", "Lab", "LD"]), st.integers(0, 5000), min_size=1),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda r: r[0],
).filter(lambda rs: all(sum(v.values()) > 0 for _, v in rs))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results=results_strategy, total=st.booleans(), data=st.data())
def test_any_prefix_of_the_file_yields_only_complete_results(
    results: list[tuple[int, dict[str, int]]], total: bool, data: st.DataObject
) -> None:
    """Cut the file at any byte (the moment the watcher reads it): every result taken is exactly
    as in the finished file; and the finished file yields them all (the last one too with totals)."""
    head = "constituency,party,votes" + (",total" if total else "") + "\n"
    text = (head + "".join(rows(f"Seat {k}", v, total) for k, v in results)).encode()
    final = {r.constituency: r.votes for r in read_watched(text).complete}
    expected = {f"Seat {k}": v for k, v in results}
    assert final == (expected if total else {n: v for n, v in list(expected.items())[:-1]})
    cut = data.draw(st.integers(0, len(text)))
    for r in read_watched(text[:cut]).complete:
        assert r.votes == expected[r.constituency]
