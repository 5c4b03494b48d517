"""The web's work limits: the coalition-size cap, the read gate (per-client and global limits,
timeout, cache), reads in worker processes, and results-night writes on their own thread."""

from __future__ import annotations

import asyncio
import threading
import warnings
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")
pytest.importorskip("httpx", reason="httpx is not installed")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import httpx

from kingmaker.parliament import Parliament
from kingmaker.web.app import create_app
from kingmaker.web.gate import ReadGate
from kingmaker.web.live import LiveService
from kingmaker.web.models import MAX_COALITION_PARTIES, MAX_SEATS
from kingmaker.web.store import ResultStore
from tests.test_web_live import TOKEN, base_table, result_of

UK2010 = Parliament.preset("uk-2010")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def many_parties(n: int) -> dict[str, int]:
    """A seat override that leaves exactly ``n`` parties able to join a coalition."""
    seats = {name: 0 for name in UK2010.names}
    seats.update({f"P{i}": 10 + 3 * i for i in range(n)})
    assert sum(seats.values()) <= MAX_SEATS
    return seats


class HeldExecutor(Executor):
    """Runs nothing until the test says so: every read stays in flight."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Future, Any, tuple]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        self.jobs.append((future, fn, args))
        return future

    def release(self) -> None:
        jobs, self.jobs = self.jobs, []
        for future, fn, args in jobs:
            try:
                future.set_result(fn(*args))
            except Exception as exc:  # handed to the awaiting request
                future.set_exception(exc)


def client_from(app: Any, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def wait_for(condition: Any, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


# ----------------------------------------------------------------------------- the coalition-size cap
def test_coalition_analyses_over_the_cap_are_refused_before_any_work() -> None:
    gate = ReadGate(HeldExecutor())
    client = TestClient(create_app(UK2010, gate=gate))
    assert client.get("/api/config").json()["limits"]["max_coalition_parties"] == MAX_COALITION_PARTIES
    seats = many_parties(MAX_COALITION_PARTIES + 2)
    for path, body in (
        ("/api/coalition", {"seats": seats, "parties": ["P0"]}),
        ("/api/coalitions", {"seats": seats}),
    ):
        r = client.post(path, json=body)
        assert r.status_code == 413, r.text
        assert f"{MAX_COALITION_PARTIES + 2} parties" in r.json()["error"]
        assert "max_coalition_parties" in r.json()["error"]
    assert gate.executor.jobs == []  # refused before anything was queued


def test_the_largest_accepted_analysis_is_answered() -> None:
    client = TestClient(create_app(UK2010))
    seats = many_parties(MAX_COALITION_PARTIES)
    r = client.post("/api/coalition", json={"seats": seats, "parties": ["P0", "P1"]})
    assert r.status_code == 200, r.text
    body = r.json()
    quota = body["quota"]
    assert body["shortfall"] == quota - seats["P0"] - seats["P1"] and body["completions"]
    for c in body["completions"]:
        assert c["seats"] >= quota and all(c["seats"] - seats[p] < quota for p in c["partners"])
    table = client.post("/api/coalitions", json={"seats": seats, "top": 5}).json()
    assert len(table["players"]) == MAX_COALITION_PARTIES and len(table["coalitions"]) == 5


def test_power_has_no_coalition_cap() -> None:
    """Power shows Shapley-Shubik and Banzhaf only, computed without enumerating coalitions."""
    client = TestClient(create_app(UK2010))
    r = client.post("/api/power", json={"seats": many_parties(50)})
    assert r.status_code == 200, r.text
    rows = r.json()["view"]["rows"]
    assert len(rows) == 50 and abs(sum(x["shapley_shubik"] for x in rows) - 1) < 1e-9


# ----------------------------------------------------------------------------- the read gate
def test_per_client_and_global_limits_give_429_and_cached_answers_need_no_work() -> None:
    async def scenario() -> None:
        held = HeldExecutor()
        gate = ReadGate(held, per_client=2, in_flight=3, refusal_delay=0)
        app = create_app(UK2010, gate=gate)
        async with client_from(app, "10.0.0.1") as one, client_from(app, "10.0.0.2") as two:
            first = [
                asyncio.create_task(one.post("/api/coalition", json={"parties": [p]})) for p in ("Con", "Lab")
            ]
            await wait_for(lambda: len(held.jobs) == 2)
            r = await one.post("/api/coalition", json={"parties": ["LD"]})
            assert r.status_code == 429 and r.headers["retry-after"] == "1"
            assert "max_reads_per_client" in r.json()["error"]
            other = asyncio.create_task(two.post("/api/power", json={}))
            await wait_for(lambda: len(held.jobs) == 3)
            r = await two.post("/api/coalitions", json={})
            assert r.status_code == 429 and "max_reads_in_flight" in r.json()["error"]
            assert gate.running == 3
            held.release()
            answers = [await t for t in (*first, other)]
            assert [a.status_code for a in answers] == [200, 200, 200]
            assert gate.running == 0
            # the same questions again, more at once than the limits admit: answered from the
            # cache, with no work queued
            again = await asyncio.gather(
                *(one.post("/api/coalition", json={"parties": ["Con"]}) for _ in range(4))
            )
            assert [r.json() for r in again] == [answers[0].json()] * 4
            assert held.jobs == [] and gate.running == 0

    asyncio.run(scenario())


def test_a_slow_read_times_out_with_503_and_keeps_its_slot_until_done() -> None:
    async def scenario() -> None:
        held = HeldExecutor()
        gate = ReadGate(held, timeout=0.05)
        async with client_from(create_app(UK2010, gate=gate), "10.0.0.3") as c:
            r = await c.post("/api/coalitions", json={})
            assert r.status_code == 503 and "read_timeout_seconds" in r.json()["error"]
            assert gate.running == 1  # the work is still running: it still counts
            held.release()
            await wait_for(lambda: gate.running == 0)

    asyncio.run(scenario())


def test_reads_in_worker_processes_give_the_same_answers() -> None:
    seats = many_parties(12)
    questions = [
        ("/api/coalition", {"parties": ["Lab", "LD"]}),
        ("/api/coalition", {"seats": seats, "parties": ["P3"], "threshold": "working"}),
        ("/api/coalitions", {"order": "range", "top": 20}),
        ("/api/power", {"seats": seats}),
    ]
    local = TestClient(create_app(UK2010))
    expected = [local.post(path, json=body).json() for path, body in questions]
    with TestClient(create_app(UK2010, gate=ReadGate(processes=1))) as pooled:
        got = [pooled.post(path, json=body) for path, body in questions]
        assert [r.status_code for r in got] == [200] * len(questions)
        assert [r.json() for r in got] == expected
        bad = pooled.post("/api/coalition", json={"parties": ["Lab", "SF"]})
        assert bad.status_code == 400 and "no voting members" in bad.json()["error"]


# ----------------------------------------------------------------------------- writes
@pytest.fixture
def live(tmp_path: Path) -> LiveService:
    service = LiveService(base_table(), ResultStore(tmp_path / "r.duckdb"), token=TOKEN, simulations=0)
    yield service
    service.close()


def test_writes_run_on_the_writer_thread_even_when_every_read_slot_is_taken(live: LiveService) -> None:
    threads: list[str] = []
    add = live.store.add

    def recording_add(batch: Any, *change: Any) -> Any:
        threads.append(threading.current_thread().name)
        return add(batch, *change)

    live.store.add = recording_add  # type: ignore[method-assign]

    async def scenario() -> None:
        held = HeldExecutor()
        gate = ReadGate(held, per_client=4, in_flight=2, refusal_delay=0)
        async with client_from(create_app(live.parliament, live=live, gate=gate), "10.0.0.4") as c:
            reads = [asyncio.create_task(c.post("/api/coalitions", json={"top": k})) for k in (1, 2)]
            await wait_for(lambda: len(held.jobs) == 2)
            assert (await c.post("/api/power", json={})).status_code == 429  # reads are full
            r = await c.post("/api/live/results", json={"results": [result_of(0)]}, headers=AUTH)
            assert r.status_code == 200 and r.json()["stored"] == ["Seat 1"]
            csv = "constituency,party,votes\n" + "".join(
                f"Seat 2,{p},{v}\n" for p, v in result_of(1)["votes"].items()
            )
            r = await c.post("/api/live/results.csv", content=csv.encode(), headers=AUTH)
            assert r.status_code == 200 and r.json()["stored"] == ["Seat 2"]
            assert (await c.post("/api/live/results", json={"results": [result_of(2)]})).status_code == 401
            held.release()
            done = [await t for t in reads]
            assert [r.status_code for r in done] == [200, 200]

    asyncio.run(scenario())
    assert len(threads) == 2 and all(name.startswith("kingmaker-write") for name in threads)
