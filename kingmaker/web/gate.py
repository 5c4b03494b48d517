"""Rationing the web's expensive reads, so that no read load can starve the rest of the server.

The expensive reads (coalition, coalitions, power, projection, ballot counts) never run on the
event loop nor on the thread pool that serves the cheap endpoints. :class:`ReadGate` admits each
one against two limits before any work starts:

* at most :data:`~kingmaker.web.models.MAX_READS_PER_CLIENT` in flight per client address, and
* at most :data:`~kingmaker.web.models.MAX_READS_IN_FLIGHT` in flight in all;

over either, the answer is 429 with ``Retry-After``. An admitted read runs on the gate's read
executor: a few threads by default, or a small pool of worker processes
(:func:`read_executor` with ``processes``), which takes the reads' Python work off the server's
GIL altogether. A client waits at most :data:`~kingmaker.web.models.READ_TIMEOUT_SECONDS` and then
gets 503; the work itself cannot be interrupted, so it keeps its place in the limits until it
ends (the limits bound the work actually running, not just the requests being waited on).
Answers are kept in a small in-process cache keyed by the question (parliaments are immutable);
a cached answer costs no work and holds no slot (but :class:`GateMiddleware` refuses a client at
a limit before its question is read, cached or not).

Results-night writes do not pass through here: :class:`~kingmaker.web.live.LiveService` runs them
on its own single writer thread.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib
import multiprocessing
import os
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from kingmaker.web.models import MAX_READS_IN_FLIGHT, MAX_READS_PER_CLIENT, READ_TIMEOUT_SECONDS, READ_WORKERS

T = TypeVar("T")

#: Answers kept per server; parliaments are immutable and hashable, so an answer never goes stale.
ANSWER_CACHE_SIZE = 256
#: How much lower the read worker processes run than the server (Unix ``nice``): when the CPU is
#: short, the event loop and the writer thread come first.
READ_NICENESS = 10
#: Seconds :class:`GateMiddleware` holds a refusal before sending it: a client that asks again at
#: once, ignoring ``Retry-After``, then costs the server a few requests a second per connection
#: rather than a thousand (measured: 1,500 refusals/s from 45 such clients took the write p99 from
#: ~100 to ~190 ms on 2 cores).
REFUSAL_DELAY_SECONDS = 0.25
#: Seconds a refused client is asked to wait (``Retry-After``).
RETRY_AFTER_SECONDS = 1
#: Seconds :meth:`ReadGate.close` lets the worker processes finish the reads they are running
#: before it terminates them: a stopping server must stop, whatever a worker is doing.
SHUTDOWN_GRACE_SECONDS = 2.0
#: Seconds to wait for a terminated worker before killing it (SIGKILL).
TERMINATE_WAIT_SECONDS = 1.0


def read_executor(processes: int = 0, threads: int = READ_WORKERS) -> Executor:
    """The executor for expensive reads: ``processes`` worker processes (started with ``spawn``,
    never ``fork``: the server has threads and an open database; each lowered to
    :data:`READ_NICENESS`) or, with 0, ``threads`` threads."""
    if processes > 0:
        return ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
        )
    return ThreadPoolExecutor(threads, thread_name_prefix="kingmaker-read")


def _start_worker() -> None:
    """Set up a read worker process: below the server's priority, and gone with the server."""
    if hasattr(os, "nice"):
        os.nice(READ_NICENESS)  # yield the CPU to the server (and its writes) when both want it
    parent = os.getppid()

    def watch() -> None:  # a killed server leaves no workers behind (they hold their queue open)
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="kingmaker-parent-watch", daemon=True).start()


def _call(fn: Callable[..., T], *args: Any) -> T:
    """Run one read, then hand the memory it freed back to the system (its big arrays are gone,
    but the C allocator would otherwise keep the pages for later: the server's memory would not
    come back down after a burst of large reads)."""
    try:
        return fn(*args)
    finally:
        _trim_memory()


def _trim_memory() -> None:
    """glibc's ``malloc_trim(0)`` where there is one; nothing elsewhere."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM: Any = None


def _warm() -> None:
    """Run once in each worker so the first real read does not pay for the imports."""
    for name in ("kingmaker.coalitions", "kingmaker.power", "kingmaker.web.answers"):
        importlib.import_module(name)


class ReadGate:
    """Per-client and global limits, a timeout and an answer cache around one read executor.

    The reads run in ``processes`` worker processes, or with 0 (the default) in
    :data:`~kingmaker.web.models.READ_WORKERS` threads; ``executor`` replaces either (tests pass
    one they control). Reads whose function or arguments cannot be pickled (``local=True``) run
    on threads of this process either way.
    """

    def __init__(
        self,
        executor: Executor | None = None,
        *,
        processes: int = 0,
        per_client: int = MAX_READS_PER_CLIENT,
        in_flight: int = MAX_READS_IN_FLIGHT,
        timeout: float = READ_TIMEOUT_SECONDS,
        cache_size: int = ANSWER_CACHE_SIZE,
        refusal_delay: float = REFUSAL_DELAY_SECONDS,
    ) -> None:
        self.executor = executor if executor is not None else read_executor(processes)
        self.processes = processes if executor is None else 0
        self.local = (
            self.executor
            if isinstance(self.executor, ThreadPoolExecutor)
            else ThreadPoolExecutor(READ_WORKERS, thread_name_prefix="kingmaker-read-local")
        )
        self.per_client = per_client
        self.in_flight = in_flight
        self.timeout = timeout
        self.cache_size = cache_size
        self.refusal_delay = refusal_delay
        self._running: Counter[str] = Counter()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()

    @property
    def running(self) -> int:
        """Reads admitted and not yet finished (including any whose client timed out)."""
        return sum(self._running.values())

    def refusal(self, client: str) -> HTTPException | None:
        """The 429 that a new expensive read from ``client`` would get now, or None."""
        if self._running[client] >= self.per_client:
            return HTTPException(
                429,
                f"too many requests: {self._running[client]} expensive requests from {client} are still "
                f"running; the limit is {self.per_client} per client (max_reads_per_client)",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if self.running >= self.in_flight:
            return HTTPException(
                429,
                f"the server is busy: {self.running} expensive requests are running; the limit is "
                f"{self.in_flight} in all (max_reads_in_flight)",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return None

    def _admit(self, client: str) -> None:
        refused = self.refusal(client)
        if refused is not None:
            raise refused
        self._running[client] += 1

    def _release(self, client: str) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]

    async def run(self, client: str, fn: Callable[..., T], *args: Any, local: bool = False) -> T:
        """``fn(*args)`` on the read executor (or the local threads), within the limits."""
        self._admit(client)
        loop = asyncio.get_running_loop()
        try:
            work = loop.run_in_executor(self.local if local else self.executor, _call, fn, *args)
        except BaseException:
            self._release(client)
            raise
        work.add_done_callback(lambda _: self._release(client))
        try:
            return await asyncio.wait_for(asyncio.shield(work), self.timeout)
        except TimeoutError:
            work.add_done_callback(_consume)
            raise HTTPException(
                503,
                f"the request took longer than {self.timeout:g} s (read_timeout_seconds); try a smaller one",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None

    async def answer(self, client: str, key: Hashable, fn: Callable[..., T], *args: Any) -> T:
        """As :meth:`run`, but a question asked before is answered from the cache (no slot)."""
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]  # type: ignore[no-any-return]
        value = await self.run(client, fn, *args)
        self._cache[key] = value
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return value

    def warm(self) -> None:
        """Start the read workers now (each imports the library) rather than on the first read."""
        for _ in range(self.processes):
            self.executor.submit(_warm)

    def close(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stop the read executors, in bounded time: no new reads, the queued ones cancelled, the
        running ones given ``grace`` seconds to end; then the worker processes still alive are
        terminated (killed if that does not end them). Threads cannot be stopped and are left to end."""
        workers = _worker_processes(self.executor)
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.local is not self.executor:
            self.local.shutdown(wait=False, cancel_futures=True)
        _stop_processes(workers, grace)


def _worker_processes(executor: Executor) -> list[multiprocessing.process.BaseProcess]:
    """The worker processes of a process pool as they are now (none for other executors)."""
    if not isinstance(executor, ProcessPoolExecutor):
        return []
    processes = getattr(executor, "_processes", None) or {}  # no public accessor in concurrent.futures
    return list(processes.values())


def _stop_processes(processes: list[multiprocessing.process.BaseProcess], grace: float) -> None:
    """Wait up to ``grace`` seconds for ``processes`` to end, then terminate (and if need be kill)
    the ones left."""
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    left = [p for p in processes if p.is_alive()]
    for process in left:
        process.terminate()
    deadline = time.monotonic() + TERMINATE_WAIT_SECONDS
    for process in left:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in left:
        if process.is_alive():
            process.kill()  # SIGKILL also ends a stopped process, which SIGTERM does not
            process.join(TERMINATE_WAIT_SECONDS)


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a timed-out read's outcome, so an exception in it is not reported as never retrieved."""
    if not future.cancelled():
        future.exception()


class GateMiddleware:
    """Refuses an expensive read (429) before its body is read or parsed when its client is at a
    limit already, so that clients retrying at once cost the server as little as possible.

    ``paths``: the POST paths of the expensive reads. The handler still admits each read through
    :meth:`ReadGate.run` (this is only the cheap early answer).
    """

    def __init__(self, app: Any, gate: ReadGate, paths: frozenset[str]) -> None:
        self.app = app
        self.gate = gate
        self.paths = paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.paths:
            client = scope.get("client")
            refused = self.gate.refusal(client[0] if client else "unknown")
            if refused is not None:
                await asyncio.sleep(self.gate.refusal_delay)
                response = JSONResponse(
                    {"error": refused.detail}, refused.status_code, headers=refused.headers
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
