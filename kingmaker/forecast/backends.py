"""Where the simulation chunks run: a small :class:`Backend` protocol and its two implementations.

A backend takes the :class:`~kingmaker.forecast.kernel.SimulationPlan` and the chunks
``[(index, n), ...]`` and returns ``{index: (seats, wins)}`` from
:func:`~kingmaker.forecast.kernel.simulate_chunk`, calling ``advance(n)`` as chunks finish. Since
each chunk's draws depend only on ``(seed, index, n)``, every backend gives the same numbers, and a
test can pass any in-process object with a ``name`` and a ``run`` method (httpx's transports are
the model).

* :class:`LocalThreads` (``"local"``): a thread pool on this machine (NumPy releases the GIL).
* :class:`DaskBackend` (``"dask"``): a ``dask.distributed`` cluster, given by address, as a
  ``Client``, or a ``LocalCluster`` started and closed here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kingmaker.errors import InputError, UnknownNameError
from kingmaker.forecast.kernel import SimulationPlan, simulate_batch, simulate_chunk

#: Seconds to wait for a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT = 20

Chunks = list[tuple[int, int]]
Parts = dict[int, tuple[np.ndarray, np.ndarray]]
Advance = Callable[[int], None]


@runtime_checkable
class Backend(Protocol):
    """Runs simulation chunks somewhere; ``name`` is reported in :attr:`Forecast.backend`."""

    name: str

    def run(self, sp: SimulationPlan, chunks: Chunks, advance: Advance) -> Parts:
        """``{index: (seats, wins)}`` for every chunk ``(index, n)``; ``advance(n)`` after each."""
        ...


@dataclass(frozen=True)
class LocalThreads:
    """Chunks on a thread pool of ``workers`` threads (default: up to 4, one per core)."""

    workers: int | None = None
    name: str = "local"

    def run(self, sp: SimulationPlan, chunks: Chunks, advance: Advance) -> Parts:
        """See :class:`Backend`."""
        out: Parts = {}
        workers = self.workers or min(4, os.cpu_count() or 1)
        if workers <= 1 or len(chunks) == 1:
            for i, n in chunks:
                out[i] = simulate_chunk(sp, i, n)
                advance(n)
            return out
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(simulate_chunk, sp, i, n): (i, n) for i, n in chunks}
            for fut in as_completed(futures):
                i, n = futures[fut]
                out[i] = fut.result()
                advance(n)
        return out


@dataclass(frozen=True)
class DaskBackend:
    """Chunks on a ``dask.distributed`` cluster, in batches of about four per worker.

    ``scheduler`` is an address (``tcp://HOST:8786``), a ``Client``, or ``None`` for a
    ``LocalCluster`` of ``workers`` (default 2) processes (threads with ``processes=False``).
    """

    scheduler: Any = None
    workers: int | None = None
    processes: bool = True
    name: str = "dask"

    def run(self, sp: SimulationPlan, chunks: Chunks, advance: Advance) -> Parts:
        """See :class:`Backend`."""
        try:
            from dask.distributed import Client, LocalCluster
            from dask.distributed import as_completed as dask_completed
        except ImportError:
            raise InputError(
                'the dask backend needs dask.distributed: pip install "dask[distributed]"'
            ) from None
        cluster = None
        own_client = True
        if self.scheduler is None:
            cluster = LocalCluster(
                n_workers=self.workers or 2,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=":0",
            )
            client = Client(cluster)
        elif isinstance(self.scheduler, str):
            try:
                client = Client(self.scheduler, timeout=DASK_CONNECT_TIMEOUT)
            except OSError as exc:
                raise InputError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        else:
            client, own_client = self.scheduler, False
        try:
            n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (self.workers or 2))
            per_task = max(1, math.ceil(len(chunks) / (4 * n_workers)))
            batches = [chunks[k : k + per_task] for k in range(0, len(chunks), per_task)]
            [remote] = client.scatter([sp], broadcast=True)
            futures = [client.submit(simulate_batch, remote, b, pure=False) for b in batches]
            out: Parts = {}
            for fut in dask_completed(futures):
                for i, seats, wins in fut.result():
                    out[i] = (seats, wins)
                    advance(seats.shape[0])
            return out
        finally:
            if own_client:
                client.close()
            if cluster is not None:
                cluster.close()


_FACTORIES: dict[str, Callable[[Any, int | None, bool], Backend]] = {
    "local": lambda scheduler, workers, processes: LocalThreads(workers),
    "dask": lambda scheduler, workers, processes: DaskBackend(scheduler, workers, processes),
}
#: Backend names accepted by :func:`make_backend` (and the CLI's ``--backend``).
BACKENDS: tuple[str, ...] = tuple(_FACTORIES)


def make_backend(
    backend: str | Backend, *, scheduler: Any = None, workers: int | None = None, processes: bool = True
) -> Backend:
    """A :class:`Backend` from its name (``local`` or ``dask``), or ``backend`` itself."""
    if isinstance(backend, Backend):
        return backend
    factory = _FACTORIES.get(backend)
    if factory is None:
        raise UnknownNameError(f"unknown backend {backend!r}; use {', '.join(BACKENDS)}")
    return factory(scheduler, workers, processes)


__all__ = ["BACKENDS", "DASK_CONNECT_TIMEOUT", "Backend", "DaskBackend", "LocalThreads", "make_backend"]
