"""``kingmaker live`` and ``serve`` refuse a bad ``--db`` or a busy ``--port`` with one ``error:`` line
and exit 2, and warn when ``--host`` exposes them beyond this machine (issue 10, section 2)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("duckdb", reason="the web extra (duckdb) is not installed")

from tests.cli_runner import CliResult, invoke
from tests.test_web_live import TOKEN, write_base_csv


def one_error_line(r: CliResult, *words: str) -> None:
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in lines[0], r.stderr


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KINGMAKER_TOKEN", TOKEN)
    return write_base_csv(tmp_path / "base.csv")


def live(base: Path, db: Path, *more: str) -> CliResult:
    return invoke("live", "--base", str(base), "--db", str(db), "--port", "0", "--simulations", "0", *more)


def test_db_that_is_a_folder_a_missing_folder_or_not_duckdb(base: Path, tmp_path: Path) -> None:
    one_error_line(live(base, tmp_path), "is a folder")
    one_error_line(live(base, tmp_path / "nowhere" / "r.duckdb"), "does not exist")
    text = tmp_path / "notes.duckdb"
    text.write_text("constituency,party,votes\n" * 200, encoding="utf-8")
    one_error_line(live(base, text), "not a DuckDB database file")


def test_db_locked_by_another_process(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(db)!r}); print('ok', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        one_error_line(live(base, db), "in use by another process")
    finally:
        holder.communicate("", timeout=20)


def test_port_in_use(base: Path, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = invoke("live", "--base", str(base), "--db", str(tmp_path / "r.duckdb"), "--port", str(port))
        one_error_line(r)
        assert r.stderr.strip() == f"error: port {port} is in use"
        r = invoke("serve", "--preset", "uk-2010", "--port", str(port))
        assert r.exit_code == 2 and r.stderr.strip() == f"error: port {port} is in use"


def test_non_loopback_host_is_warned_about(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kingmaker.cli import web

    served: list[int] = []
    monkeypatch.setattr(
        web, "_run_server", lambda app, sock: served.append(sock.getsockname()[1]) or sock.close()
    )
    r = live(base, tmp_path / "r.duckdb", "--host", "0.0.0.0")
    assert r.exit_code == 0, r.stderr
    assert "warning: --host 0.0.0.0 is not a loopback address" in r.stderr
    assert "the write token" in r.stderr and "plain HTTP" in r.stderr
    assert f"serving on http://0.0.0.0:{served[0]}/" in r.stdout  # port 0: the port actually bound
    r = live(base, tmp_path / "r.duckdb")
    assert r.exit_code == 0 and "warning" not in r.stderr
    r = invoke("serve", "--preset", "uk-2010", "--port", "0", "--host", "0.0.0.0")
    assert r.exit_code == 0 and "plain HTTP" in r.stderr and "token" not in r.stderr


def test_a_failed_start_leaves_no_results_file(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    with socket.socket() as busy:  # the base is checked before the port and the database
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = str(busy.getsockname()[1])
        one_error_line(
            invoke("live", "--base", "no-such-results", "--db", str(db), "--port", port), "neither"
        )
    assert not db.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("district,party,votes\nSeat 1,Con,many\n", encoding="utf-8")
    one_error_line(live(bad, db))
    assert not db.exists() and not (tmp_path / "r.duckdb.wal").exists()
