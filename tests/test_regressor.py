"""Tests for LSTMRegressor."""

import pickle
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch import NeuralNetRegressor
from skorch.history import History

from sklearn_echo import LSTMRegressor, make_adding_problem
from sklearn_echo._callbacks import BatchR2

# Every test sets max_epochs itself: the defaults may change.
FAST = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}


def _first_step(n_samples=200, n_targets=None, seed=0, length=4):
    """Sequences whose targets are linear in the first step: quick to learn."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_samples, length, 2)).astype(np.float32)
    y = X[:, 0, 0] + 0.5 * X[:, 0, 1]
    if n_targets is not None:
        y = np.stack([y * (j + 1) - j for j in range(n_targets)], axis=1)
    return X, y


# --- shapes and scores --------------------------------------------------------------


def test_one_target_gives_float64_predictions_of_shape_n():
    X, y = _first_step()
    reg = LSTMRegressor(**FAST).fit(X, y)
    y_pred = reg.predict(X)
    assert y_pred.shape == (200,) and y_pred.dtype == np.float64
    assert reg.n_outputs_ == 1
    assert reg.net_.module_.head.out_features == 1
    assert isinstance(reg.net_, NeuralNetRegressor)


def test_k_targets_give_predictions_of_shape_n_k_from_one_head():
    X, y = _first_step(n_targets=3)
    reg = LSTMRegressor(**FAST).fit(X, y)
    assert reg.predict(X).shape == (200, 3)
    assert reg.n_outputs_ == 3
    assert reg.net_.module_.head.out_features == 3
    assert "(None, 3)" in reg.summary()


def test_column_vector_y_is_one_target_with_1d_predictions():
    X, y = _first_step()
    column = LSTMRegressor(**FAST).fit(X, y[:, np.newaxis])
    flat = LSTMRegressor(**FAST).fit(X, y)
    assert column.n_outputs_ == 1
    assert_array_equal(column.predict(X), flat.predict(X))


def test_score_is_r2_averaged_over_targets():
    X, y = _first_step(n_targets=2)
    reg = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, y)
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)))


def test_learns_a_target_linear_in_the_first_step():
    X, y = _first_step(600)
    X_new, y_new = _first_step(300, seed=1)
    reg = LSTMRegressor(hidden_size=8, max_epochs=30, random_state=0).fit(X, y)
    assert reg.score(X_new, y_new) > 0.9


def test_same_seed_gives_identical_predictions():
    X, y = _first_step()
    first = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, y).predict(X)
    second = LSTMRegressor(**{**FAST, "max_epochs": 2}).fit(X, y).predict(X)
    assert_array_equal(first, second)


def test_targets_are_standardised_so_an_affine_change_of_y_changes_nothing_else():
    # The net learns (y - mean) / std: a fit on 1000 * y + 5000 is the same fit,
    # and its predictions are the same map of the first fit's.
    X, y = _first_step()
    reg = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, y)
    scaled = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, 1000 * y + 5000)
    assert_allclose(scaled.predict(X), 1000 * reg.predict(X) + 5000, rtol=1e-4)
    assert_allclose(scaled.loss_curve_, reg.loss_curve_, rtol=1e-4)
    # The training loss is on the standardised scale: about 1 to start.
    assert 0.5 < reg.loss_curve_[0] < 1.5


@pytest.mark.parametrize("factor", [1e200, 1e307])
def test_targets_near_the_float64_limit_are_standardised_too(factor):
    # Their squares (and at 1e307 their sum) overflow float64.
    X, y = _first_step()
    reg = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, y)
    big = LSTMRegressor(**{**FAST, "max_epochs": 3}).fit(X, factor * y.astype(float))
    assert np.isfinite(big.predict(X)).all()
    assert_allclose(big.predict(X) / factor, reg.predict(X), rtol=1e-4)


def test_constant_target_is_learnt_and_training_ends():
    X, _ = _first_step()
    reg = LSTMRegressor(hidden_size=4, max_epochs=50, random_state=0)
    reg.fit(X, np.full(200, 3.0))
    assert_allclose(reg.predict(X), 3.0, atol=0.05)
    # No plateau to wait out: the stopping rule ends the fit long before 50.
    assert reg.n_iter_ < 50


# --- training machinery shared with the classifier ----------------------------------


def test_partial_fit_continues_and_fixes_the_number_of_targets():
    X, y = _first_step(n_targets=2)
    reg = LSTMRegressor(**FAST)
    reg.partial_fit(X, y)
    reg.partial_fit(X, y)
    assert len(reg.loss_curve_) == 2 and reg.n_iter_ == 1
    with pytest.raises(ValueError, match=r"^y has 1 target column\(s\), but"):
        reg.partial_fit(X, y[:, 0])
    assert len(reg.loss_curve_) == 2


def test_warm_start_extends_the_curve_and_refuses_other_targets():
    X, y = _first_step()
    reg = LSTMRegressor(**{**FAST, "warm_start": True}).fit(X, y)
    reg.fit(X, y)
    assert len(reg.loss_curve_) == 2
    with pytest.raises(ValueError, match=r"^warm_start=True continues.*number of"):
        reg.fit(X, np.c_[y, y])
    assert reg.n_outputs_ == 1 and len(reg.loss_curve_) == 2


def test_early_stopping_records_r2_on_the_hold_out_and_keeps_the_best():
    X, y = _first_step(400)
    reg = LSTMRegressor(
        **{**FAST, "max_epochs": 4, "early_stopping": True, "n_iter_no_change": 10}
    ).fit(X, y)
    assert reg.early_stopping_ is True and reg.best_loss_ is None
    assert len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert all(score <= 1.0 for score in reg.validation_scores_)
    # The hold-out (random, 10%) is not used for training.
    assert reg.net_.history[-1, "valid_batch_count"] == 1


def test_early_stopping_needs_two_sequences_in_the_hold_out():
    X, y = _first_step(8)
    with pytest.raises(ValueError, match=r"^early_stopping=True needs a validation"):
        LSTMRegressor(**{**FAST, "early_stopping": True}).fit(X, y)


def test_batch_r2_equals_r2_score_over_the_epoch():
    rng = np.random.RandomState(0)
    y = rng.normal(size=(50, 2))
    y[:, 1] = 4.0  # a constant target: r2_score's force_finite gives 0 here
    y_pred = y + rng.normal(scale=0.3, size=y.shape)
    net = SimpleNamespace(history=History())
    net.history.new_epoch()
    callback = BatchR2()
    callback.on_train_begin(net)
    callback.on_epoch_begin(net)
    for rows in (slice(0, 20), slice(20, 50)):
        batch = (None, torch.from_numpy(y[rows]).float())
        callback.on_batch_end(
            net, batch=batch, training=False, y_pred=torch.from_numpy(y_pred[rows])
        )
    callback.on_epoch_end(net)
    expected = r2_score(y.astype(np.float32), y_pred)
    assert net.history[-1, "valid_r2"] == pytest.approx(expected, abs=1e-6)


def test_verbose_prints_the_r2_of_each_epoch(capsys):
    X, y = _first_step()
    LSTMRegressor(**{**FAST, "verbose": 1}).fit(X, y)
    out = capsys.readouterr().out
    assert "train_r2" in out and "train_loss" in out


# --- scikit-learn integration -------------------------------------------------------


def test_pickle_round_trip_gives_identical_predictions():
    X, y = _first_step(n_targets=2)
    reg = LSTMRegressor(**FAST).fit(X, y)
    loaded = pickle.loads(pickle.dumps(reg))
    assert_array_equal(loaded.predict(X), reg.predict(X))


def test_works_in_pipeline_grid_search_and_cross_val_score():
    X, y = _first_step(120)
    flatten = FunctionTransformer(lambda X: X[:, :, :1])  # first feature only
    model = make_pipeline(flatten, LSTMRegressor(**FAST))
    scores = cross_val_score(model, X, y, cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    search = GridSearchCV(
        model, {"lstmregressor__hidden_size": [2, 3]}, cv=2, error_score="raise"
    ).fit(X, y)
    assert search.best_params_["lstmregressor__hidden_size"] in (2, 3)
    assert clone(model[-1]).get_params() == model[-1].get_params()


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (
            np.array(["1.5", "2"] * 100),
            TypeError,
            r"^LSTMRegressor expects y of real numbers, got the value '1.5' of type "
            r"str_?\. For class labels, use LSTMClassifier\.$",
        ),
        (
            np.array([1.0, "a"] * 100, dtype=object),
            TypeError,
            r"^LSTMRegressor expects y of real numbers, got the value 'a' of type",
        ),
        (np.array([1.0, np.nan] * 100), ValueError, r"^Input y contains NaN"),
        (np.array([1.0, np.inf] * 100), ValueError, r"^Input y contains infinity"),
        # scikit-learn reads None in an object array as a missing value.
        (
            np.array([1.0, None] * 100, dtype=object),
            ValueError,
            r"^Input y contains NaN",
        ),
        (np.ones((200, 2, 2)), ValueError, r"Found array with dim 3"),
    ],
    ids=["strings", "object-strings", "nan", "inf", "none", "3-D"],
)
def test_bad_y_raises_a_clear_error_and_changes_nothing(y, error, match):
    X, good = _first_step()
    reg = LSTMRegressor(**FAST).fit(X, good)
    before = reg.predict(X)
    with pytest.raises(error, match=match):
        reg.fit(X, y)
    assert reg.n_outputs_ == 1
    assert_array_equal(reg.predict(X), before)


def test_y_none_is_rejected_as_scikit_learn_words_it():
    X, _ = _first_step()
    with pytest.raises(ValueError, match="requires y to be passed"):
        LSTMRegressor(**FAST).fit(X, None)


# --- learning (slow) ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_defaults_learn_the_adding_problem_at_length_100(seed):
    # The target: R² >= 0.99 on fresh data from 20,000 sequences
    # (benchmarks/bench_regression.py sweeps more seeds and lengths).
    X, y = make_adding_problem(20_000, 100, random_state=seed)
    X_new, y_new = make_adding_problem(5_000, 100, random_state=10_000 + seed)
    reg = LSTMRegressor(random_state=seed).fit(X, y)
    assert reg.score(X_new, y_new) >= 0.99
