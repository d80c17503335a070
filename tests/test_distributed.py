"""Scale-out (issue 6): the same random_state gives the same results on any backend.

A real dask.distributed cluster of two worker processes on loopback (the
``dask_client`` fixture of ``conftest.py``); joblib's default backend (loky) for
comparison.  Each worker runs one task at a time with one torch thread: dask's
Nanny sets ``OMP_NUM_THREADS=1`` before it spawns a worker
(``pre-spawn-environ``), and the ``env`` the fixture passes to ``LocalCluster``
repeats it explicitly, so that an ``OMP_NUM_THREADS`` inherited from the shell
cannot override it.
"""

import os

import joblib
import numpy as np
import pytest
import torch
from distributed import get_task_stream
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)

X, Y = make_echo_sequences(200, 4, 5, random_state=0)
GRID = {"lstmclassifier__hidden_size": [4, 8]}


def _pipeline():
    return make_pipeline(
        OneHotSequenceTransformer(n_features=5),
        LSTMClassifier(max_epochs=2, random_state=0),
    )


def _token_classifier():
    return TokenLSTMClassifier(
        n_features=5, hidden_size=8, max_epochs=2, random_state=0
    )


@pytest.fixture(scope="module")
def sequential_search():
    return GridSearchCV(_pipeline(), GRID, cv=2, n_jobs=1).fit(X, Y)


def _search(backend, dask_client):
    if backend == "dask":
        with get_task_stream(dask_client) as tasks:
            with joblib.parallel_backend("dask"):
                search = GridSearchCV(_pipeline(), GRID, cv=2).fit(X, Y)
        # The fits ran on the cluster, not in this process.
        assert tasks.data
        return search
    return GridSearchCV(_pipeline(), GRID, cv=2, n_jobs=2).fit(X, Y)


def test_dask_workers_are_other_processes_with_one_torch_thread(dask_client):
    pids = dask_client.run(os.getpid)
    assert len(set(pids.values())) == 2
    assert os.getpid() not in pids.values()
    assert set(dask_client.run(torch.get_num_threads).values()) == {1}


@pytest.mark.parametrize("backend", ["dask", "loky"])
def test_grid_search_gives_the_sequential_scores_on_any_backend(
    backend, dask_client, sequential_search
):
    search = _search(backend, dask_client)
    expected = sequential_search.cv_results_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        assert_array_equal(search.cv_results_[key], expected[key])
    assert search.cv_results_["params"] == expected["params"]
    assert search.best_params_ == sequential_search.best_params_
    # The refit best model (fitted in this process) is the same model too.
    assert_array_equal(search.predict_proba(X), sequential_search.predict_proba(X))


@pytest.mark.parametrize(
    "make_estimator", [_pipeline, _token_classifier], ids=["pipeline", "token"]
)
def test_cross_val_score_is_the_same_for_n_jobs_1_2_and_dask(
    make_estimator, dask_client
):
    scores = {
        "n_jobs=1": cross_val_score(make_estimator(), X, Y, cv=3, n_jobs=1),
        "n_jobs=2": cross_val_score(make_estimator(), X, Y, cv=3, n_jobs=2),
    }
    with joblib.parallel_backend("dask"):
        scores["dask"] = cross_val_score(make_estimator(), X, Y, cv=3)
    assert np.isfinite(scores["n_jobs=1"]).all()
    assert_array_equal(scores["n_jobs=2"], scores["n_jobs=1"])
    assert_array_equal(scores["dask"], scores["n_jobs=1"])


@pytest.mark.parametrize(
    "make_estimator", [_pipeline, _token_classifier], ids=["pipeline", "token"]
)
def test_fits_in_other_processes_give_identical_predict_proba(
    make_estimator, dask_client
):
    expected = make_estimator().fit(X, Y).predict_proba(X)
    # Two loky worker processes, then one fit on each dask worker.
    in_loky = joblib.Parallel(n_jobs=2)(
        joblib.delayed(clone(make_estimator()).fit)(X, Y) for _ in range(2)
    )
    workers = sorted(dask_client.scheduler_info()["workers"])
    futures = [
        dask_client.submit(
            clone(make_estimator()).fit, X, Y, workers=[worker], pure=False
        )
        for worker in workers
    ]
    on_dask = dask_client.gather(futures)
    for fitted in [*in_loky, *on_dask]:
        assert_array_equal(fitted.predict_proba(X), expected)
