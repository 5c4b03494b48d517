"""Bounded load test of the web server, on loopback only.

Starts ``kingmaker live`` as a child process on 127.0.0.1 (a synthetic 650-seat base and a fresh
DuckDB file in a temporary folder), then for ``--duration`` seconds runs ``--clients`` concurrent
readers asking the coalition endpoint and ``--writers`` concurrent writers posting declared results
(each constituency once, then the same numbers again, which the server accepts as unchanged), each
on its own keep-alive connection with hand-written HTTP/1.1 (``--client httpx``: a shared httpx
AsyncClient, which spends so much CPU itself that on two cores it, not the server, sets the pace).
Prints requests per second, p50/p99 latency, the error count (which must be 0: the script exits 1
otherwise), the CPU seconds the server and the load generator used, and the load average. There is
no peer to compare with: this is a capacity check.

    python benchmarks/serve_load.py [--duration 20] [--clients 50] [--writers 10] [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

TOKEN = "benchmark-token-0123456789"
PARTIES = ("Con", "Lab", "LD", "SNP", "Grn")
LAUNCH = (
    "import sys, typer; from kingmaker.cli import web; app = typer.Typer(); web.register(app); "
    "app(sys.argv[1:], prog_name='kingmaker')"
)
GROUPS = (["Con", "LD"], ["Lab", "LD"], ["Con"], ["Lab", "LD", "SNP"], ["Con", "Lab"])


def synthetic_base(path: Path, seats: int = 650, seed: int = 2010) -> list[dict]:
    """Write a long base CSV of ``seats`` seats; return one declared result per seat (a small swing)."""
    rng = np.random.default_rng(seed)
    votes = rng.integers(500, 25_000, size=(seats, len(PARTIES)))
    lines = ["district,party,votes,nation,region"]
    results = []
    for d in range(seats):
        name = f"Seat {d + 1}"
        lines += [f"{name},{p},{votes[d, j]},England,London" for j, p in enumerate(PARTIES)]
        shifted = {p: int(max(0, votes[d, j] + rng.integers(-800, 800))) for j, p in enumerate(PARTIES)}
        results.append({"constituency": name, "votes": shifted})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return results


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def load_average() -> str:
    """``/proc/loadavg``'s 1, 5 and 15 minute figures (empty where absent)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit("the server exited before it was ready")
            try:
                if (await client.get(f"{url}/api/config", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
    raise SystemExit("the server did not start")


class RawSession:
    """One keep-alive HTTP/1.1 connection with hand-written requests: a load generator that costs
    the client a few tens of microseconds per request, so the server is what is measured (httpx
    spends about a millisecond of client CPU per request, which on a 2-core machine makes the load
    generator the bottleneck)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, payload: object, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = json.dumps(payload).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n"
        )
        try:
            self.writer.write(head.encode() + body)
            assert self.reader is not None
            raw = await self.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = next(
                int(v) for k, _, v in (x.partition(":") for x in lines[1:]) if k.lower() == "content-length"
            )
            text = (await self.reader.readexactly(length)).decode()
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
            await self.close()
            raise
        return status, text

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class HttpxSession:
    """The same through a shared ``httpx.AsyncClient`` (``--client httpx``)."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client, self.url = client, url

    async def post(
        self, path: str, payload: object, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        r = await self.client.post(self.url + path, json=payload, headers=headers)
        return r.status_code, r.text

    async def close(self) -> None:
        return None


FAILURES = (httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError, StopIteration)


async def reader(session, stop: float, k: int, out: list, errors: list) -> None:  # type: ignore[no-untyped-def]
    i = k
    while time.monotonic() < stop:
        body = {"parties": GROUPS[i % len(GROUPS)]}
        t0 = time.perf_counter()
        try:
            status, text = await session.post("/api/coalition", body)
            if status != 200:
                errors.append(f"read {status}: {text[:100]}")
        except FAILURES as exc:
            errors.append(f"read {type(exc).__name__}")
        out.append(time.perf_counter() - t0)
        i += 1
    await session.close()


async def writer(
    session, stop: float, queue: list[dict], out: list, errors: list, k: int, n_writers: int
) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    i = k
    while time.monotonic() < stop:
        result = queue[i % len(queue)]
        t0 = time.perf_counter()
        try:
            status, text = await session.post("/api/live/results", {"results": [result]}, headers)
            if status != 200:
                errors.append(f"write {status}: {text[:100]}")
        except FAILURES as exc:
            errors.append(f"write {type(exc).__name__}")
        out.append(time.perf_counter() - t0)
        i += n_writers
    await session.close()


def row(role: str, lat: list[float], errors: int, seconds: float) -> str:
    a = np.array(lat) * 1000 if lat else np.array([np.nan])
    return (
        f"{role:<26}{len(lat):>9}{len(lat) / seconds:>10.1f}{np.percentile(a, 50):>10.1f}"
        f"{np.percentile(a, 99):>10.1f}{errors:>8}"
    )


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--writers", type=int, default=10)
    ap.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="raw: one hand-written keep-alive HTTP/1.1 connection per client (cheap, measures the "
        "server); httpx: a shared httpx.AsyncClient (as before; its own CPU use dominates on few cores)",
    )
    args = ap.parse_args()
    if not (0 < args.duration <= 120 and 0 < args.clients <= 200 and 0 <= args.writers <= 50):
        raise SystemExit("bounded: duration <= 120 s, clients <= 200, writers <= 50")
    with tempfile.TemporaryDirectory(prefix="kingmaker-load-") as tmp:
        base = Path(tmp) / "base.csv"
        results = synthetic_base(base)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                LAUNCH,
                "live",
                "--base",
                str(base),
                "--db",
                str(Path(tmp) / "r.duckdb"),
                "--port",
                str(port),
                "--simulations",
                "100",
            ],
            env={**os.environ, "KINGMAKER_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await wait_ready(url, proc)
            reads: list[float] = []
            writes: list[float] = []
            read_errors: list[str] = []
            write_errors: list[str] = []
            limits = httpx.Limits(max_connections=args.clients + args.writers)
            load_before = load_average()
            async with httpx.AsyncClient(timeout=30, limits=limits) as client:
                server_cpu0, client_cpu0 = process_cpu(proc.pid), time.process_time()
                start = time.monotonic()
                stop = start + args.duration
                if args.client == "raw":
                    sessions = [RawSession("127.0.0.1", port) for _ in range(args.clients + args.writers)]
                else:
                    sessions = [HttpxSession(client, url) for _ in range(args.clients + args.writers)]
                await asyncio.gather(
                    *(reader(sessions[k], stop, k, reads, read_errors) for k in range(args.clients)),
                    *(
                        writer(
                            sessions[args.clients + k], stop, results, writes, write_errors, k, args.writers
                        )
                        for k in range(args.writers)
                    ),
                )
                seconds = time.monotonic() - start
                server_cpu = process_cpu(proc.pid) - server_cpu0
                client_cpu = time.process_time() - client_cpu0
                load_after = load_average()
                declared = (await client.get(f"{url}/api/live/state")).json()["declared"]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(
        f"kingmaker serve load test: {args.duration:g} s on 127.0.0.1, {args.clients} readers "
        f"(POST /api/coalition), {args.writers} writers (POST /api/live/results), {args.client} client"
    )
    print(f"{'role':<26}{'requests':>9}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    print(row("coalition readers", reads, len(read_errors), seconds))
    print(row("result writers", writes, len(write_errors), seconds))
    print(f"constituencies declared during the run: {declared}")
    print(
        f"CPU seconds during the run: server {server_cpu:.1f}, load generator {client_cpu:.1f} "
        f"({os.cpu_count()} cores); load average before {load_before}, after {load_after}"
    )
    for e in (read_errors + write_errors)[:5]:
        print("  error:", e)
    return 1 if read_errors or write_errors else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
