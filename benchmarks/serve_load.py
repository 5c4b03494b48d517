"""Bounded load test of the web server, on loopback only.

Starts ``kingmaker live`` as a child process on 127.0.0.1 (a synthetic 650-seat base and a fresh
DuckDB file in a temporary folder), then for ``--duration`` seconds runs ``--clients`` concurrent
readers and ``--writers`` concurrent writers posting declared results (each constituency once, then
the same numbers again, which the server accepts as unchanged), each on its own keep-alive
connection with hand-written HTTP/1.1 (``--client httpx``: a shared httpx AsyncClient, which spends
so much CPU itself that on two cores it, not the server, sets the pace).

Writers (``--writes``): ``declare`` posts results; ``amend`` declares every seat before the run, then
PUTs amendments (``/api/live/results/{constituency}``, each a real change written with its audit row).

Readers (``--reads``):

* ``light`` ask the coalition endpoint about the served parliament (answers come from the cache);
* ``worst`` send the most expensive requests the server accepts, each different so no cache helps:
  a parliament of ``max_coalition_parties`` parties (read from ``/api/config``) to the coalition,
  governments (all winning, ordered by range, 200 rows) and power endpoints in turn. A refused
  read (429, over the per-client or global limit) is counted as *shed*, not as an error, and the
  reader asks again at once (an impolite client: the worst case for the server); ``--sources N``
  spreads the readers over N loopback addresses (127.0.0.2, ...) so the per-client limit does not
  shed them all.

Prints requests per second, p50/p99 latency, the error count (which must be 0: the script exits 1
otherwise, and in ``worst`` mode also when the write p99 is 200 ms or more or the server's memory is
not back within 50 MB of its baseline), the CPU seconds the server and the load generator used,
the server's resident memory (with its worker processes) before, at the peak and after, and the
load average. There is no peer to compare with: this is a capacity check.

    python benchmarks/serve_load.py [--duration 20] [--clients 50] [--writers 10] [--client raw|httpx]
    python benchmarks/serve_load.py --reads worst --clients 45 --writers 4 --sources 45 [--read-processes 2]
    python benchmarks/serve_load.py --reads worst --clients 45 --writers 4 --sources 45 --writes amend
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

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
    """CPU seconds (user + system) used so far by process ``pid`` and its children that are still
    running (Linux /proc; NaN elsewhere)."""
    total = 0.0
    for p in (pid, *child_pids(pid)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            if p == pid:
                return float("nan")
    return total


def child_pids(pid: int) -> list[int]:
    """Every descendant of ``pid`` (the server's read worker processes): psutil, else /proc."""
    try:
        import psutil

        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # the process is gone
        return []
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = [int(x) for x in (task / "children").read_text().split()]
                out += kids
                todo += kids
        except OSError:
            continue
    return out


def rss_mb(pid: int) -> float:
    """Resident memory (MB) of process ``pid`` and its descendants: psutil, else /proc/PID/status."""
    total = 0
    for p in (pid, *child_pids(pid)):
        try:
            import psutil

            total += psutil.Process(p).memory_info().rss
        except ImportError:
            try:
                line = next(
                    x for x in Path(f"/proc/{p}/status").read_text().splitlines() if x.startswith("VmRSS")
                )
                total += int(line.split()[1]) * 1024
            except (OSError, StopIteration):
                continue
        except Exception:  # gone meanwhile
            continue
    return total / 2**20


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

    def __init__(self, host: str, port: int, source: str | None = None) -> None:
        self.host, self.port, self.source = host, port, source
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, payload: object, headers: dict[str, str] | None = None, method: str = "POST"
    ) -> tuple[int, str]:
        if self.writer is None:
            local = (self.source, 0) if self.source else None
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, local_addr=local)
        body = json.dumps(payload).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
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
        self, path: str, payload: object, headers: dict[str, str] | None = None, method: str = "POST"
    ) -> tuple[int, str]:
        r = await self.client.request(method, self.url + path, json=payload, headers=headers)
        return r.status_code, r.text

    async def close(self) -> None:
        return None


FAILURES = (httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError, StopIteration)


class Tally:
    """Latencies and outcomes of one role."""

    def __init__(self) -> None:
        self.ok: list[float] = []
        self.shed: list[float] = []
        self.errors: list[str] = []


def light_request(i: int) -> tuple[str, dict]:
    """A cheap read: a coalition of the served parliament (answered from the cache after once)."""
    return "/api/coalition", {"parties": GROUPS[i % len(GROUPS)]}


def worst_request(i: int, served: list[str], parties: int) -> tuple[str, dict]:
    """The most expensive read the caps accept, different for every ``i`` (no cache hit): the
    served parties emptied and ``parties`` new ones, to the three analysis endpoints in turn."""
    seats = {name: 0 for name in served}
    seats.update({f"X{j}": 5 + (i * 7 + j * 13) % 97 for j in range(parties)})
    seats["X0"], seats["X1"] = 5 + i % 3000, 5 + i // 3000 % 3000  # unique per request, < 10,000 in all
    kind = i % 3
    if kind == 0:
        return "/api/coalition", {"seats": seats, "parties": ["X1", "X2"]}
    if kind == 1:
        return "/api/coalitions", {"seats": seats, "order": "range", "minimal_only": False, "top": 200}
    return "/api/power", {"seats": seats}


async def reader(session, stop: float, make, counter: list[int], tally: Tally) -> None:  # type: ignore[no-untyped-def]
    while time.monotonic() < stop:
        counter[0] += 1
        path, body = make(counter[0])
        t0 = time.perf_counter()
        try:
            status, text = await session.post(path, body)
            if status == 200:
                tally.ok.append(time.perf_counter() - t0)
            elif status == 429:
                tally.shed.append(time.perf_counter() - t0)
            else:
                tally.errors.append(f"read {status}: {text[:100]}")
        except FAILURES as exc:
            tally.errors.append(f"read {type(exc).__name__}")
    await session.close()


def amend_request(result: dict, i: int) -> tuple[str, str, dict]:
    """The ``i``-th PUT amending ``result`` (declared before the run, ``i`` from 1): its first party's
    votes one up, then back, in turn, so every amendment is a real change with its audit row."""
    first = next(iter(result["votes"]))
    votes = {**result["votes"], first: result["votes"][first] + i % 2}
    return "PUT", f"/api/live/results/{quote(result['constituency'])}", {"votes": votes, "reason": "recount"}


async def writer(  # type: ignore[no-untyped-def]
    session, stop: float, queue: list[dict], tally: Tally, k: int, n_writers: int, amend: bool = False
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    i = k
    rounds: dict[int, int] = {}
    while time.monotonic() < stop:
        result = queue[i % len(queue)]
        if amend:
            n = rounds[i % len(queue)] = rounds.get(i % len(queue), 0) + 1
            method, path, body = amend_request(result, n)
        else:
            method, path, body = "POST", "/api/live/results", {"results": [result]}
        t0 = time.perf_counter()
        try:
            status, text = await session.post(path, body, headers, method)
            if status != 200:
                tally.errors.append(f"write {status}: {text[:100]}")
        except FAILURES as exc:
            tally.errors.append(f"write {type(exc).__name__}")
        tally.ok.append(time.perf_counter() - t0)
        i += n_writers
    await session.close()


async def probe(client: httpx.AsyncClient, url: str, stop: float, tally: Tally) -> None:
    """``GET /api/config`` five times a second: is the server still answering its cheap pages?"""
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        try:
            r = await client.get(url + "/api/config")
            if r.status_code != 200:
                tally.errors.append(f"config {r.status_code}")
        except httpx.HTTPError as exc:
            tally.errors.append(f"config {type(exc).__name__}")
        tally.ok.append(time.perf_counter() - t0)
        await asyncio.sleep(0.2)


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
    ap.add_argument("--reads", choices=("light", "worst"), default="light", help="what the readers ask")
    ap.add_argument(
        "--writes",
        choices=("declare", "amend"),
        default="declare",
        help="declare: POST each result (then the same again); amend: declare every result before the "
        "run, then PUT amendments (each a real change, audited)",
    )
    ap.add_argument("--sources", type=int, default=1, help="loopback addresses the readers come from")
    ap.add_argument("--read-processes", type=int, default=0, help="the server's --read-processes")
    ap.add_argument("--settle", type=float, default=5.0, help="seconds after the run before memory is read")
    args = ap.parse_args()
    if not (
        0 < args.duration <= 120
        and 0 < args.clients <= 200
        and 0 <= args.writers <= 50
        and 1 <= args.sources <= 200
        and 0 <= args.read_processes <= 8
        and 0 <= args.settle <= 60
    ):
        raise SystemExit("bounded: duration <= 120 s, clients <= 200, writers <= 50, sources <= 200")
    if args.sources > 1 and args.client != "raw":
        raise SystemExit("--sources needs --client raw")
    with tempfile.TemporaryDirectory(prefix="kingmaker-load-") as tmp:
        base = Path(tmp) / "base.csv"
        results = synthetic_base(base)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-c",
            LAUNCH,
            "live",
            "--base",
            str(base),
            "--db",
            str(Path(tmp) / "r.duckdb"),
        ]
        command += ["--port", str(port), "--simulations", "100", "--read-processes", str(args.read_processes)]
        proc = subprocess.Popen(
            command,
            env={**os.environ, "KINGMAKER_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await wait_ready(url, proc)
            reads, writes, probes = Tally(), Tally(), Tally()
            limits = httpx.Limits(max_connections=args.clients + args.writers)
            async with httpx.AsyncClient(timeout=30, limits=limits) as client:
                config = (await client.get(f"{url}/api/config")).json()
                served = config["parties"]
                cap = config["limits"].get("max_coalition_parties", 20)
                if args.reads == "worst":
                    make = functools.partial(worst_request, served=served, parties=cap)
                    for i in range(3):  # warm up every endpoint once (imports, workers)
                        path, body = make(-1 - i)
                        await client.post(url + path, json=body)
                else:
                    make = light_request
                if args.writes == "amend":
                    auth = {"Authorization": f"Bearer {TOKEN}"}
                    r = await client.post(f"{url}/api/live/results", json={"results": results}, headers=auth)
                    r.raise_for_status()
                await asyncio.sleep(1)
                rss_before = rss_mb(proc.pid)
                load_before = load_average()
                server_cpu0, client_cpu0 = process_cpu(proc.pid), time.process_time()
                start = time.monotonic()
                stop = start + args.duration
                n = args.clients + args.writers
                if args.client == "raw":
                    sources = (
                        [None] if args.sources == 1 else [f"127.0.0.{2 + k}" for k in range(args.sources)]
                    )
                    sessions = [
                        RawSession("127.0.0.1", port, sources[k % len(sources)]) for k in range(args.clients)
                    ]
                    sessions += [RawSession("127.0.0.1", port) for _ in range(args.writers)]
                else:
                    sessions = [HttpxSession(client, url) for _ in range(n)]
                peak = [rss_before]

                async def watch_memory() -> None:
                    while time.monotonic() < stop:
                        peak[0] = max(peak[0], rss_mb(proc.pid))
                        await asyncio.sleep(0.5)

                counter = [0]
                await asyncio.gather(
                    watch_memory(),
                    probe(client, url, stop, probes),
                    *(reader(sessions[k], stop, make, counter, reads) for k in range(args.clients)),
                    *(
                        writer(
                            sessions[args.clients + k],
                            stop,
                            results,
                            writes,
                            k,
                            args.writers,
                            amend=args.writes == "amend",
                        )
                        for k in range(args.writers)
                    ),
                )
                seconds = time.monotonic() - start
                server_cpu = process_cpu(proc.pid) - server_cpu0
                client_cpu = time.process_time() - client_cpu0
                load_after = load_average()
                declared = (await client.get(f"{url}/api/live/state", timeout=60)).json()["declared"]
                await asyncio.sleep(args.settle)
                rss_after = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    what = "POST /api/coalition" if args.reads == "light" else "worst-case coalition/coalitions/power"
    print(
        f"kingmaker serve load test: {args.duration:g} s on 127.0.0.1, {args.clients} readers ({what}, "
        f"from {args.sources} address(es)), {args.writers} writers "
        f"({'PUT /api/live/results/{constituency}' if args.writes == 'amend' else 'POST /api/live/results'}), "
        f"{args.client} "
        f"client, read processes {args.read_processes}"
    )
    print(f"{'role':<26}{'requests':>9}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    print(row("readers answered", reads.ok, len(reads.errors), seconds))
    print(row("readers shed (429)", reads.shed, 0, seconds))
    print(
        row(
            "result amenders" if args.writes == "amend" else "result writers",
            writes.ok,
            len(writes.errors),
            seconds,
        )
    )
    print(row("GET /api/config probe", probes.ok, len(probes.errors), seconds))
    print(f"constituencies declared during the run: {declared}")
    print(
        f"CPU seconds during the run: server {server_cpu:.1f} (with its workers), load generator "
        f"{client_cpu:.1f} ({os.cpu_count()} cores); load average before {load_before}, after {load_after}"
    )
    print(
        f"server memory (RSS with workers): before {rss_before:.0f} MB, peak {peak[0]:.0f} MB, "
        f"{args.settle:g} s after {rss_after:.0f} MB"
    )
    for e in (reads.errors + writes.errors + probes.errors)[:5]:
        print("  error:", e)
    failed = bool(reads.errors or writes.errors or probes.errors)
    if args.reads == "worst":
        p99 = float(np.percentile(np.array(writes.ok) * 1000, 99)) if writes.ok else float("nan")
        memory_ok = rss_after - rss_before < 50
        print(
            f"targets: write p99 {p99:.0f} ms < 200 ms: {'yes' if p99 < 200 else 'NO'}; 0 errors: "
            f"{'yes' if not failed else 'NO'}; memory back within 50 MB: {'yes' if memory_ok else 'NO'}"
        )
        failed = failed or not p99 < 200 or not memory_ok
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
