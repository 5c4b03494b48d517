"""The Dask backend gives exactly the local numbers for the same seed (2-worker LocalCluster)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_forecast import run

pytest.importorskip("dask.distributed", reason='the dask backend needs "dask[distributed]"')


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        yield c


def test_dask_matches_local_through_an_address(cluster):
    local = run(sims=2000, seed=21)
    remote = run(sims=2000, seed=21, backend="dask", scheduler=cluster.scheduler_address)
    assert remote.backend == "dask"
    assert np.array_equal(local.seats, remote.seats)
    assert np.array_equal(local.seat_probabilities, remote.seat_probabilities)
    assert local.to_dict() == remote.to_dict() | {"backend": "local"}


def test_dask_own_local_cluster():
    local = run(sims=1500, seed=4)
    remote = run(sims=1500, seed=4, backend="dask", workers=2, processes=False)
    assert np.array_equal(local.seats, remote.seats)


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    from kingmaker.errors import InputError
    from kingmaker.forecast import backends

    monkeypatch.setattr(backends, "DASK_CONNECT_TIMEOUT", 1)
    with pytest.raises(InputError, match="cannot reach"):
        run(sims=10, backend="dask", scheduler="tcp://127.0.0.1:1")
