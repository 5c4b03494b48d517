"""Results night: the live server as a real process, killed with SIGKILL and restarted, loses nothing
that it acknowledged; plus the ``serve``/``live`` commands."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kingmaker.votes import VoteTable

TOKEN = "test-token-0123456789abcdef"
PARTIES = ("Con", "Lab", "LD")


def base_table() -> VoteTable:
    """Twelve English seats: Lab 6, Con 5, LD 1 at the base election."""
    i = np.arange(12)
    votes = np.stack([400 + 30 * i, 700 - 25 * i, 200 + 5 * i], axis=1)
    votes[11] = [300, 280, 900]
    return VoteTable(
        votes,
        PARTIES,
        tuple(f"Seat {k + 1}" for k in i),
        nations=("England",) * 12,
        regions=("London",) * 12,
        election="test",
    )


def result_of(k: int, shift: int = 60) -> dict:
    """A declared result for seat ``k`` (0-based): Labour up ``shift`` votes on the base."""
    row = base_table().votes[k]
    return {
        "constituency": f"Seat {k + 1}",
        "votes": {"Con": int(row[0]) - shift, "Lab": int(row[1]) + shift, "LD": int(row[2])},
    }


def write_base_csv(path: Path) -> Path:
    """The base as a long district,party,votes,nation CSV (what ``--base FILE`` reads)."""
    table = base_table()
    lines = ["district,party,votes,nation,region"]
    for d, name in enumerate(table.districts):
        lines += [f"{name},{p},{table.votes[d, j]},England,London" for j, p in enumerate(PARTIES)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LAUNCH = (
    "import sys, typer; from kingmaker.cli import web; app = typer.Typer(); web.register(app); "
    "app(sys.argv[1:], prog_name='kingmaker')"
)


def start_live(base: Path, db: Path, port: int) -> subprocess.Popen:
    """``kingmaker live`` in a child process (through kingmaker.cli.web, wired or not in main)."""
    env = {**os.environ, "KINGMAKER_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "live",
            "--base",
            str(base),
            "--db",
            str(db),
            "--port",
            str(port),
            "--simulations",
            "20",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so its read workers go with it
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"live server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/config", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("live server did not start within 60 s")


def test_acknowledged_results_survive_sigkill(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")
    httpx = pytest.importorskip("httpx", reason="httpx is not installed")
    base, db, port = write_base_csv(tmp_path / "base.csv"), tmp_path / "results.duckdb", free_port()
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    proc = start_live(base, db, port)
    acknowledged = []
    try:
        assert httpx.post(f"{url}/api/live/results", json={"results": [result_of(0)]}).status_code == 401
        for k in range(6):
            r = httpx.post(
                f"{url}/api/live/results", json={"results": [result_of(k)]}, headers=auth, timeout=10
            )
            assert r.status_code == 200, r.text
            acknowledged.append(f"Seat {k + 1}")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the server and any read worker it started
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    proc = start_live(base, db, port)
    try:
        state = httpx.get(f"{url}/api/live/state", timeout=10).json()
        assert state["declared_results"] == acknowledged
        clash = {"results": [result_of(0, shift=-10)]}
        r = httpx.post(f"{url}/api/live/results", json=clash, headers=auth, timeout=10)
        assert r.status_code == 409
        assert httpx.get(f"{url}/api/live/state", timeout=10).json()["declared_results"] == acknowledged
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # no read worker outlives the test
        if proc.stdout:
            proc.stdout.close()


def test_acknowledged_corrections_survive_sigkill(tmp_path: Path) -> None:
    """An amendment and a withdrawal, once acknowledged, are in the file after a SIGKILL, with
    their audit rows."""
    pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")
    httpx = pytest.importorskip("httpx", reason="httpx is not installed")
    base, db, port = write_base_csv(tmp_path / "base.csv"), tmp_path / "results.duckdb", free_port()
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    proc = start_live(base, db, port)
    try:
        batch = {"results": [result_of(0), result_of(1)]}
        assert httpx.post(f"{url}/api/live/results", json=batch, headers=auth, timeout=10).status_code == 200
        fix = {"votes": result_of(0, shift=7)["votes"], "reason": "recount"}
        r = httpx.put(f"{url}/api/live/results/Seat 1", json=fix, headers=auth, timeout=10)
        assert r.status_code == 200 and r.json()["amended"] == ["Seat 1"], r.text
        r = httpx.delete(
            f"{url}/api/live/results/Seat 2", params={"reason": "typo"}, headers=auth, timeout=10
        )
        assert r.status_code == 200, r.text
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    from kingmaker.web.store import ResultStore

    store = ResultStore(db)
    try:
        assert store.all() == {"Seat 1": fix["votes"]}
        assert [(e["action"], e["constituency"]) for e in store.audit()] == [
            ("withdraw", "Seat 2"),
            ("amend", "Seat 1"),
            ("declare", "Seat 2"),
            ("declare", "Seat 1"),
        ]
        assert store.audit()[1]["reason"] == "recount" and store.audit()[1]["client"] == "127.0.0.1"
    finally:
        store.close()


def test_watch_csv_is_ingested(tmp_path: Path) -> None:
    """The older format (no total column) where it is unambiguous: a constituency another follows."""
    pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")
    from kingmaker.web.live import LiveService
    from kingmaker.web.store import ResultStore

    service = LiveService(base_table(), ResultStore(tmp_path / "w.duckdb"), token=TOKEN, simulations=0)
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "constituency,party,votes\nSeat 5,Con,10\nSeat 5,Lab,20\nSeat 6,Con,5\nSeat 6,Lab,7\n",
        encoding="utf-8",
    )
    told: list[str] = []
    service.watch_csv(feed, interval=0.05, report=told.append)
    deadline = time.monotonic() + 10
    while service.store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    service.close()
    # Seat 6 is the file's last constituency: nothing says its rows are all there yet
    assert ResultStore(tmp_path / "w.duckdb").all() == {"Seat 5": {"Con": 10, "Lab": 20}}
    assert any("Seat 6 not taken" in t and "total column" in t for t in told), told


def _wired() -> bool:
    from kingmaker.cli.main import COMMAND_MODULES

    return "web" in COMMAND_MODULES


@pytest.mark.skipif(not _wired(), reason='"web" is not yet in kingmaker.cli.main.COMMAND_MODULES')
def test_cli_commands_are_registered() -> None:
    from tests.cli_runner import invoke

    for command in ("serve", "live"):
        r = invoke(command, "--help")
        assert r.exit_code == 0 and "--port" in r.stdout
    r = invoke("live", "--base", "no-such-results", "--db", "x.duckdb")
    assert r.exit_code == 2 and "neither a known data set" in r.stderr
