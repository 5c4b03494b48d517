"""A stopping server stops: SIGTERM to ``kingmaker serve``/``live`` (the parent alone, as a service
manager or ``kill PID`` sends it) ends it in bounded time with no read worker left behind, even when
a worker does not answer (issue 10: ``ReadGate.close`` used to wait for its workers for ever)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")
pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")
httpx = pytest.importorskip("httpx", reason="httpx is not installed")

from kingmaker.web.gate import ReadGate  # noqa: E402
from tests.test_web_live import TOKEN, write_base_csv  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def read_workers(parent: int) -> list[int]:
    """The PIDs of ``parent``'s read worker processes (multiprocessing's spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def start(argv: list[str]) -> tuple[subprocess.Popen, str]:
    """``kingmaker ARGV`` in its own process group; returns it once it serves, with its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kingmaker.cli.main", *argv],
        env={**os.environ, "KINGMAKER_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    url = None
    while url is None:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"server exited before serving (exit {proc.wait()})")
        found = re.search(r"http://\S+/", line)
        url = found.group(0) if found else None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "api/config", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("server did not serve within 60 s")


@pytest.mark.parametrize("command", ["serve", "live"])
def test_sigterm_to_the_parent_alone_stops_server_and_workers(command: str, tmp_path: Path) -> None:
    if command == "serve":
        argv = ["serve", "--preset", "uk-2010"]
    else:
        base = write_base_csv(tmp_path / "base.csv")
        argv = ["live", "--base", str(base), "--db", str(tmp_path / "r.duckdb"), "--simulations", "20"]
    proc, _ = start([*argv, "--port", "0", "--read-processes", "2"])
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(workers) < 1 and time.monotonic() < deadline:
            workers = read_workers(proc.pid)
            time.sleep(0.1)
        assert workers, "no read worker process started"
        time.sleep(0.5)
        workers = read_workers(proc.pid)
        for pid in workers:  # a worker that answers nothing (stuck in a read): SIGTERM cannot end it
            os.kill(pid, signal.SIGSTOP)
        started = time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError("the server did not stop within 10 s of SIGTERM") from None
        assert time.monotonic() - started < 10
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)], "read workers survived the server"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_gate_close_ends_a_running_read_after_its_grace() -> None:
    gate = ReadGate(processes=1)
    pid = gate.executor.submit(os.getpid).result(timeout=60)
    running = gate.executor.submit(time.sleep, 120)
    time.sleep(0.3)
    closing = threading.Thread(target=gate.close, kwargs={"grace": 0.5}, daemon=True)
    started = time.monotonic()
    closing.start()
    closing.join(timeout=10)
    try:
        assert not closing.is_alive(), "ReadGate.close() waited for a running read"
        assert time.monotonic() - started < 10
        assert not alive(pid)
        assert running.done()
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
