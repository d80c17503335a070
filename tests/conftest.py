"""Shared test set-up: threads, array-API checks, seeded data."""

import os

import numpy as np
import pytest
import torch
from hypothesis import settings

# SCIPY_ARRAY_API is set by the conftest.py at the repository's root, which
# pytest loads first.

# Two torch processes fighting over 2 cores run 10-50x slower: one thread each.
torch.set_num_threads(1)

# CI runs the property tests on a fixed sequence of examples, so that its verdict
# is reproducible; local runs keep drawing new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    """Mark scikit-learn's order and subset invariance checks ``invariance``.

    With the project's own invariance tests, ``.ci/run`` reruns them under
    instruction-set limits (``-m invariance``).

    Leave out the ``full_budget`` group (scikit-learn's checks on the
    defaults, about 20 minutes of one core) unless ``-m`` names it, as
    ``.ci/run``'s own step does (``-m full_budget``): a plain run, or one
    with ``-m "not slow"``, stays a few minutes.
    """
    for item in items:
        if "_invariance" in item.name:
            item.add_marker(pytest.mark.invariance)
    if "full_budget" in (config.getoption("markexpr") or ""):
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("full_budget") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture
def rng():
    """A fresh, seeded numpy generator for each test."""
    return np.random.RandomState(0)


@pytest.fixture(scope="module")
def dask_client():
    """A local dask cluster: two worker processes of one thread each, on loopback.

    Two workers, so that joblib's dask backend sends the fits to the cluster
    (with one, it runs them here, one after the other).  Each worker inherits
    this process's environment; ``env`` repeats the one-thread settings, so
    that a worker never spreads over both cores.  One cluster per test module
    that uses it, stopped when the module ends, so that no idle worker
    processes run beside the rest of the suite.
    """
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
