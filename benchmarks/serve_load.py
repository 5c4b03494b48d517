"""Bounded load test of the web server, on loopback only.

Starts ``kingmaker live`` as a child process on 127.0.0.1 (a synthetic 650-seat base and a fresh
DuckDB file in a temporary folder), then for ``--duration`` seconds runs ``--clients`` concurrent
readers asking the coalition endpoint and ``--writers`` concurrent writers posting declared results
(each constituency once, then the same numbers again, which the server accepts as unchanged), all
with httpx async. Prints requests per second, p50/p99 latency and the error count (which must be 0:
the script exits 1 otherwise). There is no peer to compare with: this is a capacity check.

    python benchmarks/serve_load.py [--duration 20] [--clients 50] [--writers 10]
"""

from __future__ import annotations

import argparse
import asyncio
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


async def reader(client: httpx.AsyncClient, url: str, stop: float, k: int, out: list, errors: list) -> None:
    i = k
    while time.monotonic() < stop:
        body = {"parties": GROUPS[i % len(GROUPS)]}
        t0 = time.perf_counter()
        try:
            r = await client.post(f"{url}/api/coalition", json=body)
            if r.status_code != 200:
                errors.append(f"read {r.status_code}: {r.text[:100]}")
        except httpx.HTTPError as exc:
            errors.append(f"read {type(exc).__name__}")
        out.append(time.perf_counter() - t0)
        i += 1


async def writer(
    client: httpx.AsyncClient,
    url: str,
    stop: float,
    queue: list[dict],
    out: list,
    errors: list,
    k: int,
    n_writers: int,
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    i = k
    while time.monotonic() < stop:
        result = queue[i % len(queue)]
        t0 = time.perf_counter()
        try:
            r = await client.post(f"{url}/api/live/results", json={"results": [result]}, headers=headers)
            if r.status_code != 200:
                errors.append(f"write {r.status_code}: {r.text[:100]}")
        except httpx.HTTPError as exc:
            errors.append(f"write {type(exc).__name__}")
        out.append(time.perf_counter() - t0)
        i += n_writers


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
            async with httpx.AsyncClient(timeout=30, limits=limits) as client:
                start = time.monotonic()
                stop = start + args.duration
                await asyncio.gather(
                    *(reader(client, url, stop, k, reads, read_errors) for k in range(args.clients)),
                    *(
                        writer(client, url, stop, results, writes, write_errors, k, args.writers)
                        for k in range(args.writers)
                    ),
                )
                seconds = time.monotonic() - start
                declared = (await client.get(f"{url}/api/live/state")).json()["declared"]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(
        f"kingmaker serve load test: {args.duration:g} s on 127.0.0.1, {args.clients} readers "
        f"(POST /api/coalition), {args.writers} writers (POST /api/live/results)"
    )
    print(f"{'role':<26}{'requests':>9}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    print(row("coalition readers", reads, len(read_errors), seconds))
    print(row("result writers", writes, len(write_errors), seconds))
    print(f"constituencies declared during the run: {declared}")
    for e in (read_errors + write_errors)[:5]:
        print("  error:", e)
    return 1 if read_errors or write_errors else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
