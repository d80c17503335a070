"""Results recorded before the estimators' base was split into modules (issue 24).

A refactoring must change nothing for a user: every estimator trains and
predicts as before.  This module fits small models of every kind (the one-hot
Pipeline, the token path, the regressor, ragged input, early stopping,
several targets, partial_fit and warm_start) on one thread with fixed seeds,
and compares their probabilities, predictions, loss curves and validation
scores with the values in ``tests/data/recorded_results.npz``.

On the machine that recorded them the values agree bit for bit (checked when
they were recorded, and after each refactoring, with ``--compare-exact``).
On another CPU, float32 training rounds differently (see the user guide's
"Prediction"), so the test allows a small tolerance, measured with the
kernels held to SSE4.1 against values recorded with AVX2.

Record again only for a deliberate change of results, and say so in the
commit::

    python tests/test_recorded_results.py --record
    python tests/test_recorded_results.py --compare-exact
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_adding_problem,
    make_echo_sequences,
)

RECORDED = Path(__file__).parent / "data" / "recorded_results.npz"
# Other CPUs' float32 kernels (SSE4.1 against AVX2: 5e-8 at most).
TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}
SMALL = {"hidden_size": 8, "random_state": 0}


def _echo(n_samples, seed, **kwargs):
    return make_echo_sequences(
        n_samples, 5, 6, out_index=1, random_state=seed, **kwargs
    )


def _pipeline(**params):
    return make_pipeline(
        OneHotSequenceTransformer(n_features=6), LSTMClassifier(**SMALL, **params)
    )


def _estimator(model):
    return model[-1] if hasattr(model, "steps") else model


def _results(name, model, X_test, method="predict_proba"):
    """The values of one fitted model that a user sees."""
    out = getattr(model, method)(X_test)
    if isinstance(out, list):
        out = np.concatenate(out, axis=1)
    estimator = _estimator(model)
    values = {
        f"{name}/{method}": np.asarray(out, dtype=np.float64),
        f"{name}/loss_curve_": np.asarray(estimator.loss_curve_),
        f"{name}/n_iter_": np.asarray(estimator.n_iter_),
    }
    if estimator.validation_scores_ is not None:
        values[f"{name}/validation_scores_"] = np.asarray(estimator.validation_scores_)
    return values


def compute():
    """Fit every case; return a dict of arrays."""
    torch.set_num_threads(1)
    X, y = _echo(300, 0)
    X_test, _ = _echo(50, 1)
    values = {}
    values.update(_results("pipeline", _pipeline(max_epochs=3).fit(X, y), X_test))
    token = TokenLSTMClassifier(n_features=6, max_epochs=3, **SMALL).fit(X, y)
    values.update(_results("token", token, X_test))
    bidirectional = _pipeline(max_epochs=2, bidirectional=True, num_layers=2)
    values.update(_results("bidirectional", bidirectional.fit(X, y), X_test))

    X_list, y_list = _echo(300, 2, min_length=2)
    X_list_test, _ = _echo(50, 3, min_length=2)
    for name, params in (
        ("ragged", {}),
        ("ragged_bidirectional", {"bidirectional": True}),
    ):
        model = _pipeline(max_epochs=2, **params).fit(X_list, y_list)
        values.update(_results(name, model, X_list_test))

    early = _pipeline(max_epochs=4, early_stopping=True, validation_fraction=0.2)
    values.update(_results("early_stopping", early.fit(X, y), X_test))

    y_two = np.c_[X[:, 1], X[:, 3] % 3]
    values.update(
        _results("two_targets", _pipeline(max_epochs=2).fit(X, y_two), X_test)
    )

    partial = _pipeline(max_epochs=1)
    partial[0].fit(X)
    onehot = partial[0].transform(X)
    classifier = partial[-1]
    classifier.partial_fit(onehot, y, classes=np.unique(y))
    classifier.partial_fit(onehot, y)
    classifier.set_params(warm_start=True, max_epochs=2).fit(onehot, y)
    values.update(_results("partial_warm", partial, X_test))

    X_add, y_add = make_adding_problem(300, 10, random_state=0)
    X_add_test, _ = make_adding_problem(50, 10, random_state=1)
    regressor = LSTMRegressor(max_epochs=3, **SMALL).fit(X_add, y_add)
    values.update(_results("regressor", regressor, X_add_test, "predict"))
    y_add_two = np.c_[y_add, X_add[:, :, 0].sum(axis=1)]
    regressor_two = LSTMRegressor(max_epochs=2, **SMALL).fit(X_add, y_add_two)
    values.update(_results("regressor_two", regressor_two, X_add_test, "predict"))
    early_regressor = LSTMRegressor(max_epochs=3, early_stopping=True, **SMALL)
    values.update(
        _results(
            "regressor_early", early_regressor.fit(X_add, y_add), X_add_test, "predict"
        )
    )
    return values


@pytest.fixture(scope="module")
def computed():
    return compute()


def test_every_recorded_value_is_computed_again(computed):
    recorded = np.load(RECORDED)
    assert sorted(recorded.files) == sorted(computed)
    for key in recorded.files:
        np.testing.assert_allclose(
            computed[key], recorded[key], err_msg=key, **TOLERANCE
        )


def _compare_exact():
    recorded = np.load(RECORDED)
    computed = compute()
    different = [
        key
        for key in recorded.files
        if key not in computed or not np.array_equal(recorded[key], computed[key])
    ]
    largest = max(
        (
            float(np.max(np.abs(recorded[key] - computed[key])))
            for key in recorded.files
            if key in computed and recorded[key].shape == computed[key].shape
        ),
        default=0.0,
    )
    print(
        f"{len(recorded.files)} values, {len(different)} not bit for bit: {different}"
    )
    print(f"largest absolute difference: {largest:.3g}")
    return not different


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        RECORDED.parent.mkdir(exist_ok=True)
        np.savez(RECORDED, **compute())
        print(f"recorded {RECORDED}")
    elif sys.argv[1:] == ["--compare-exact"]:
        sys.exit(0 if _compare_exact() else 1)
    else:
        sys.exit(
            "usage: python tests/test_recorded_results.py --record|--compare-exact"
        )
