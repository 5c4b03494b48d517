"""Results night's corrections, ties decided by lot and the live state the page draws (issue 10
section 2, issue 14): amend and withdraw with an audit trail, the returning officer's winner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")
from fastapi.testclient import TestClient

from kingmaker.votes import VoteTable
from kingmaker.web.app import create_app
from kingmaker.web.live import LiveService
from kingmaker.web.store import ResultStore
from tests.test_web_live import TOKEN, base_table, result_of

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[TestClient, LiveService]]:
    service = LiveService(base_table(), ResultStore(tmp_path / "r.duckdb"), token=TOKEN, simulations=40)
    yield TestClient(create_app(service.parliament, live=service)), service
    service.close()


def declare(c: TestClient, *results: dict) -> None:
    r = c.post("/api/live/results", json={"results": list(results)}, headers=AUTH)
    assert r.status_code == 200, r.text


# ----------------------------------------------------------------------------- amend and withdraw
def test_amend_replaces_the_result_and_is_audited(live: tuple[TestClient, LiveService]) -> None:
    c, service = live
    declare(c, result_of(7, shift=200))  # Seat 8: Lab gain from Con
    first = c.get("/api/live/state").json()
    recount = {"votes": {"Con": 610, "Lab": 525, "LD": 235}, "reason": "recount: Con hold"}
    assert c.put("/api/live/results/Seat 8", json=recount).status_code == 401
    assert (
        c.put("/api/live/results/Seat 8", json=recount, headers={"Authorization": "Bearer x"}).status_code
        == 403
    )
    r = c.put("/api/live/results/seat 8", json=recount, headers=AUTH)
    assert r.status_code == 200 and r.json()["amended"] == ["Seat 8"], r.text
    assert service.store.all()["Seat 8"] == recount["votes"]
    state = c.get("/api/live/state").json()
    assert state["version"] > first["version"]
    seats = {row["party"]: row["declared"] for row in state["seats"]}
    assert seats.get("Con") == 1 and seats.get("Lab", 0) == 0
    assert state["feed"][0]["result"] == "hold" and state["feed"][0]["amended_at"] is not None
    [fix] = state["corrections"]
    assert fix["action"] == "amend" and fix["reason"] == "recount: Con hold" and fix["actor"] == "operator"
    assert fix["old_votes"] == result_of(7, shift=200)["votes"] and fix["new_votes"] == recount["votes"]
    assert "client" not in fix  # addresses stay off the public page
    # the same numbers again change nothing and add no audit row
    again = c.put("/api/live/results/Seat 8", json=recount, headers=AUTH).json()
    assert again == {"amended": [], "unchanged": ["Seat 8"]}
    public = c.get("/api/live/audit").json()["audit"]
    assert [e["action"] for e in public] == ["amend", "declare"] and "client" not in public[0]
    desk = c.get("/api/live/audit?corrections=true", headers=AUTH).json()["audit"]
    assert [e["action"] for e in desk] == ["amend"] and desk[0]["client"] == "testclient"


def test_amend_and_withdraw_refusals(live: tuple[TestClient, LiveService]) -> None:
    c, service = live
    declare(c, result_of(0))
    before = service.store.all()
    cases = [
        ("put", "/api/live/results/Seat 2", {"votes": {"Con": 1}, "reason": "x"}, 404, "not been declared"),
        (
            "put",
            "/api/live/results/Atlantis",
            {"votes": {"Con": 1}, "reason": "x"},
            422,
            "unknown constituency",
        ),
        ("put", "/api/live/results/Seat 1", {"votes": {"Con": 1}}, 422, "reason"),
        ("put", "/api/live/results/Seat 1", {"votes": {"Con": 1}, "reason": "  "}, 422, "reason"),
        ("put", "/api/live/results/Seat 1", {"votes": {"UKIP": 1}, "reason": "x"}, 422, "unknown party"),
        ("put", "/api/live/results/Seat 1", {"votes": {"Con": 5, "Lab": 5}, "reason": "x"}, 422, "tied"),
        ("delete", "/api/live/results/Seat 1", None, 422, "reason"),
        ("delete", "/api/live/results/Seat 2?reason=typo", None, 404, "no declared result"),
    ]
    for method, url, body, status, words in cases:
        r = c.request(method.upper(), url, json=body, headers=AUTH)
        assert r.status_code == status, (url, body, r.text)
        assert words in r.json()["error"], r.text
    assert service.store.all() == before
    assert c.get("/api/live/state").json()["corrections"] == []


def test_withdraw_then_declare_again(live: tuple[TestClient, LiveService]) -> None:
    c, service = live
    declare(c, result_of(0), result_of(1))
    assert c.delete("/api/live/results/Seat 1?reason=declared in error").status_code == 401
    r = c.delete("/api/live/results/Seat 1?reason=declared in error", headers=AUTH)
    assert r.status_code == 200 and r.json() == {"withdrawn": ["Seat 1"], "declared": 1}
    state = c.get("/api/live/state").json()
    assert state["declared"] == 1 and state["to_come"] == 11 and state["declared_results"] == ["Seat 2"]
    assert state["corrections"][0]["action"] == "withdraw"
    assert state["corrections"][0]["old_votes"] == result_of(0)["votes"]
    declare(c, result_of(0, shift=5))
    assert service.store.all()["Seat 1"] == result_of(0, shift=5)["votes"]


def test_corrections_survive_a_restart_and_old_files_open(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a file written before corrections existed
    con.execute(
        "CREATE TABLE results (constituency VARCHAR PRIMARY KEY, votes VARCHAR NOT NULL, "
        "seq BIGINT NOT NULL, declared_at DOUBLE NOT NULL)"
    )
    con.execute("""INSERT INTO results VALUES ('Seat 1', '{"Con":5,"Lab":9}', 1, 0.0)""")
    con.close()
    from kingmaker.web.models import Amendment
    from kingmaker.web.store import Change

    service = LiveService(base_table(), ResultStore(path), token=TOKEN, simulations=0)
    assert service.version == 1 and service.store.all() == {"Seat 1": {"Con": 5, "Lab": 9}}
    service.amend("Seat 1", Amendment(votes={"Con": 9, "Lab": 5}, reason="typo"), Change("desk", "10.0.0.1"))
    service.close()
    store = ResultStore(path)
    try:
        assert store.revision == 2 and store.all() == {"Seat 1": {"Con": 9, "Lab": 5}}
        [fix] = store.corrections()
        assert (fix["actor"], fix["client"], fix["reason"]) == ("desk", "10.0.0.1", "typo")
    finally:
        store.close()


def test_each_token_holder_is_named_in_the_audit_trail(tmp_path: Path) -> None:
    tokens = {"desk-a": "a" * 20, "desk-b": "b" * 20}
    service = LiveService(base_table(), ResultStore(tmp_path / "r.duckdb"), token=tokens, simulations=0)
    try:
        c = TestClient(create_app(service.parliament, live=service))
        body = {"results": [result_of(0)]}
        assert (
            c.post(
                "/api/live/results", json=body, headers={"Authorization": "Bearer " + "b" * 20}
            ).status_code
            == 200
        )
        fix = {"votes": result_of(0, shift=9)["votes"], "reason": "typo"}
        r = c.put("/api/live/results/Seat 1", json=fix, headers={"Authorization": "Bearer " + "a" * 20})
        assert r.status_code == 200
        actors = [(e["action"], e["actor"]) for e in c.get("/api/live/audit").json()["audit"]]
        assert actors == [("amend", "desk-a"), ("declare", "desk-b")]
    finally:
        service.close()


# ----------------------------------------------------------------------------- ties decided by lot
def test_an_undecided_tie_is_refused(live: tuple[TestClient, LiveService]) -> None:
    c, service = live
    tie = {"constituency": "Seat 1", "votes": {"Con": 500, "Lab": 500, "LD": 10}}
    r = c.post("/api/live/results", json={"results": [tie]}, headers=AUTH)
    assert r.status_code == 422 and "Con and Lab tied on 500 votes" in r.json()["error"], r.text
    wrong = c.post("/api/live/results", json={"results": [{**tie, "winner": "LD"}]}, headers=AUTH)
    assert wrong.status_code == 400 and "must have the most votes" in wrong.json()["error"]
    missing = c.post("/api/live/results", json={"results": [{**tie, "winner": "Grn"}]}, headers=AUTH)
    assert missing.status_code == 400 and "not among the parties" in missing.json()["error"]
    assert service.store.count() == 0


@pytest.mark.parametrize("winner", ["Con", "Lab"])
def test_the_returning_officers_winner_takes_a_tied_seat(
    live: tuple[TestClient, LiveService], winner: str
) -> None:
    """Whichever of the tied parties the lot chose, not whichever column comes first."""
    c, service = live
    tie = {"constituency": "Seat 1", "votes": {"Con": 500, "Lab": 500, "LD": 10}, "winner": winner}
    declare(c, tie)
    state = c.get("/api/live/state").json()
    assert {row["party"]: row["declared"] for row in state["seats"]}.get(winner) == 1
    assert state["feed"][0]["winner"] == winner and state["feed"][0]["by_lot"] is True
    declare(c, tie)  # idempotent with its winner
    other = "Lab" if winner == "Con" else "Con"
    r = c.post("/api/live/results", json={"results": [{**tie, "winner": other}]}, headers=AUTH)
    assert r.status_code == 409
    # a winner given where nobody tied is consistent and simply not needed
    declare(c, {**result_of(2), "winner": "Lab"})
    assert service.store.results()["Seat 3"].winner is None


# ----------------------------------------------------------------------------- what the page draws
def test_state_carries_ranges_progress_and_the_feed(live: tuple[TestClient, LiveService]) -> None:
    c, _ = live
    declare(c, result_of(7, shift=200), result_of(0))
    s = c.get("/api/live/state").json()
    assert (s["declared"], s["to_come"], s["total"]) == (2, 10, 12)
    assert s["interval"] == {"low": 5, "high": 95, "simulated": True}
    for row in s["seats"]:
        lo, hi = row["interval_90"]
        assert lo <= hi and row["declared"] <= lo <= s["total"] and hi <= row["declared"] + 10
    gain = next(d for d in s["feed"] if d["constituency"] == "Seat 8")
    # base Seat 8: Con 610, Lab 525, LD 235; declared: Con 410, Lab 725, LD 235 (1370 votes)
    assert (gain["winner"], gain["result"], gain["from"], gain["runner_up"]) == ("Lab", "gain", "Con", "Con")
    assert gain["majority"] == 315 and gain["majority_pct"] == pytest.approx(23.0)
    assert gain["swing"] == {"from": "Con", "to": "Lab", "points": pytest.approx(14.6, abs=0.05)}
    assert gain["turnout"] is None  # the base has no electorates
    hold = next(d for d in s["feed"] if d["constituency"] == "Seat 1")
    assert (hold["result"], hold["from"]) == ("hold", None)


def test_feed_turnout_from_the_base_electorate(tmp_path: Path) -> None:
    base = base_table()
    with_electorate = VoteTable(
        base.votes,
        base.parties,
        base.districts,
        nations=base.nations,
        regions=base.regions,
        electorates=np.full(12, 2000),
        election="test",
    )
    service = LiveService(with_electorate, ResultStore(tmp_path / "e.duckdb"), token=TOKEN, simulations=0)
    try:
        from kingmaker.web.models import DeclaredResult

        service.submit([DeclaredResult(**result_of(7, shift=200))])
        [item] = service.state()["feed"]
        assert item["turnout"] == pytest.approx(68.5)  # 1370 of 2000
        assert service.state()["interval"]["simulated"] is False
    finally:
        service.close()


def test_corrections_run_on_the_writer_thread(live: tuple[TestClient, LiveService]) -> None:
    import threading

    c, service = live
    threads: list[str] = []
    for name in ("amend", "withdraw"):
        original = getattr(service.store, name)

        def recording(*args: object, _original: object = original) -> object:
            threads.append(threading.current_thread().name)
            return _original(*args)  # type: ignore[operator]

        setattr(service.store, name, recording)
    declare(c, result_of(0))
    fix = {"votes": result_of(0, shift=3)["votes"], "reason": "typo"}
    assert c.put("/api/live/results/Seat 1", json=fix, headers=AUTH).status_code == 200
    assert c.delete("/api/live/results/Seat 1?reason=typo", headers=AUTH).status_code == 200
    assert len(threads) == 2 and all(t.startswith("kingmaker-write") for t in threads), threads
