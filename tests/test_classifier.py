"""Tests for LSTMClassifier."""

import io
import pickle
import re
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning, NotFittedError
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback, EpochScoring
from skorch.history import History

from sklearn_echo import LSTMClassifier

# Every test sets max_epochs itself: the defaults may change.
FAST = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}
# A row's probabilities in another call: equal to about 1e-16 (float64 prediction).
SAME = {"rtol": 1e-12, "atol": 0}


def _sequences(n_samples=60, length=4, n_features=2, seed=0):
    """Random float32 sequences of shape (n_samples, length, n_features)."""
    rng = np.random.RandomState(seed)
    return rng.normal(size=(n_samples, length, n_features)).astype(np.float32)


def _labels(n_samples=60, n_classes=3, seed=0):
    """Integer labels 0..n_classes-1, every class present."""
    y = np.arange(n_samples) % n_classes
    return np.random.RandomState(seed).permutation(y)


def _sign_problem(rng, n_samples, labels=(0, 1)):
    """Sequences whose class is the sign of the first step's first feature.

    The first step is exactly +-1, the rest is noise; an LSTM solves it in a few
    epochs whatever its seed.
    """
    y_index = rng.randint(2, size=n_samples)
    X = rng.normal(scale=0.5, size=(n_samples, 4, 2)).astype(np.float32)
    X[:, 0, 0] = np.where(y_index == 1, 1.0, -1.0)
    return X, np.asarray(labels)[y_index]


def _fitted_attributes(clf):
    return {name: value for name, value in vars(clf).items() if name.endswith("_")}


def _state_dict(clf):
    return {k: v.clone() for k, v in clf.net_.module_.state_dict().items()}


@pytest.fixture(scope="module")
def fitted():
    """A classifier fitted on 3-class data, with the data."""
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "hidden_size": 6, "max_epochs": 2}).fit(X, y)
    return clf, X, y


# --- fit: shapes and fitted attributes ---------------------------------------------


def test_fit_returns_self():
    clf = LSTMClassifier(**FAST)
    assert clf.fit(_sequences(), _labels()) is clf


def test_3d_input_sets_input_size_length_classes_and_net():
    X, y = _sequences(60, length=5, n_features=3), _labels(60, 3)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    assert clf.input_size_ == 3
    assert clf.n_features_in_ == 5
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_iter_ == 2
    assert isinstance(clf.net_, NeuralNetClassifier)
    assert isinstance(clf.net_.history, History)
    assert len(clf.net_.history) == 2
    assert clf.net_.module_.lstm.input_size == 3
    assert clf.net_.module_.lstm.hidden_size == 4
    assert clf.net_.module_.head.out_features == 3
    assert not hasattr(clf, "feature_names_in_")
    assert clf.predict(X).shape == (60,)
    assert clf.predict_proba(X).shape == (60, 3)


def test_2d_input_is_read_as_sequences_of_one_feature():
    X, y = _sequences(60, length=6, n_features=1), _labels(60, 2)
    clf_2d = LSTMClassifier(**FAST).fit(X[:, :, 0], y)
    assert clf_2d.input_size_ == 1
    assert clf_2d.n_features_in_ == 6
    assert clf_2d.net_.module_.lstm.input_size == 1
    # The same model as on the explicit (n, length, 1) array.
    clf_3d = LSTMClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(
        clf_2d.predict_proba(X[:, :, 0]), clf_3d.predict_proba(X)
    )
    # A 2-D array at predict is accepted by a model fitted on one feature per step.
    np.testing.assert_array_equal(
        clf_3d.predict_proba(X[:, :, 0]), clf_3d.predict_proba(X)
    )


def test_init_stores_parameters_unchanged():
    params = {
        "hidden_size": "bad",
        "num_layers": -3,
        "dropout": 2.0,
        "optimizer": "nope",
        "callbacks": "x",
        "device": "nonsense",
        "random_state": "seed",
    }
    clf = LSTMClassifier(**params)
    for name, value in params.items():
        assert clf.get_params()[name] == value
    assert not [name for name in vars(clf) if name.endswith("_")]


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score", "summary"])
def test_unfitted_classifier_raises_not_fitted_error(method):
    args = {
        "predict": (_sequences(),),
        "predict_proba": (_sequences(),),
        "score": (_sequences(), _labels()),
        "summary": (),
    }[method]
    with pytest.raises(NotFittedError):
        getattr(LSTMClassifier(**FAST), method)(*args)


# --- labels and probabilities ------------------------------------------------------


@pytest.mark.parametrize(
    "class_labels",
    [
        [0, 1, 2],
        ["ant", "bee", "cat"],
        [3, 7, 100],
        [-5, 0, 2],
        [0.0, 1.0, 2.0],
        [False, True],
    ],
    ids=["ints", "strings", "non-contiguous", "negative", "float-integral", "bool"],
)
def test_labels_of_any_kind_are_predicted_from_classes(class_labels):
    X = _sequences(60)
    y = np.asarray(class_labels)[_labels(60, len(class_labels))]
    clf = LSTMClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, sorted(class_labels))
    assert clf.classes_.dtype == y.dtype
    y_pred = clf.predict(X)
    assert y_pred.shape == (60,)
    assert y_pred.dtype == y.dtype
    assert set(y_pred.tolist()) <= set(class_labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, len(class_labels))
    assert proba.dtype == np.float64
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(y_pred, clf.classes_[proba.argmax(axis=1)])


def test_y_as_list_and_pandas_series_give_the_same_model():
    X, y = _sequences(), _labels()
    expected = LSTMClassifier(**FAST).fit(X, y).predict_proba(X)
    for y_as in (y.tolist(), pd.Series(y), y.astype(np.int32)):
        clf = LSTMClassifier(**FAST).fit(X, y_as)
        np.testing.assert_array_equal(clf.predict_proba(X), expected)


# --- learning --------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [(0, 1), ("yes", "no"), (100, 3)],
    ids=["0-1", "strings-reversed", "ints-reversed"],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_learns_the_sign_of_the_first_step(labels, seed):
    rng = np.random.RandomState(seed)
    X, y = _sign_problem(rng, 200, labels)
    X_test, y_test = _sign_problem(rng, 400, labels)
    clf = LSTMClassifier(
        hidden_size=8, max_epochs=5, lr=0.03, batch_size=16, random_state=seed
    ).fit(X, y)
    # Over 40 seeds the held-out accuracy was >= 0.996; chance is 0.5.
    assert clf.score(X_test, y_test) >= 0.9
    # The column of the true class, in the order of classes_, is the likely one:
    # sorted(labels) puts the positive class first for the reversed labels.
    proba = clf.predict_proba(X_test)
    true_column = np.searchsorted(clf.classes_, y_test)
    assert np.mean(proba[np.arange(len(y_test)), true_column] > 0.5) >= 0.9


def test_default_training_learns_the_sign_of_the_first_step():
    # The only test relying on the default max_epochs and lr.
    rng = np.random.RandomState(0)
    X, y = _sign_problem(rng, 300)
    X_test, y_test = _sign_problem(rng, 300)
    clf = LSTMClassifier(random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.9


# --- random_state ----------------------------------------------------------------


def test_same_int_random_state_gives_bit_identical_models():
    X, y = _sequences(), _labels()
    params = {**FAST, "max_epochs": 2, "dropout": 0.3}
    first = LSTMClassifier(**params).fit(X, y)
    second = LSTMClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    for name, value in _state_dict(first).items():
        assert torch.equal(value, _state_dict(second)[name]), name
    # Refitting the same estimator gives the same model again.
    np.testing.assert_array_equal(
        first.fit(X, y).predict_proba(X), second.predict_proba(X)
    )


def test_different_random_states_give_different_weights():
    X, y = _sequences(), _labels()
    first = _state_dict(LSTMClassifier(**{**FAST, "random_state": 0}).fit(X, y))
    second = _state_dict(LSTMClassifier(**{**FAST, "random_state": 1}).fit(X, y))
    assert any(not torch.equal(first[name], second[name]) for name in first)


def test_random_state_instance_is_accepted_and_seeds_like_its_int():
    X, y = _sequences(), _labels()
    from_instance = LSTMClassifier(
        **{**FAST, "random_state": np.random.RandomState(0)}
    ).fit(X, y)
    again = LSTMClassifier(**{**FAST, "random_state": np.random.RandomState(0)}).fit(
        X, y
    )
    np.testing.assert_array_equal(
        from_instance.predict_proba(X), again.predict_proba(X)
    )
    from_int = LSTMClassifier(**{**FAST, "random_state": 0}).fit(X, y)
    np.testing.assert_array_equal(
        from_instance.predict_proba(X), from_int.predict_proba(X)
    )


@pytest.mark.parametrize("random_state", [0, None])
def test_fit_does_not_change_torch_global_random_state(random_state):
    X, y = _sequences(), _labels()
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2, "random_state": random_state})
    clf.fit(X, y)
    clf.partial_fit(X, y)
    clf.predict_proba(X)
    assert torch.equal(torch.random.get_rng_state(), state)
    draws_after_fit = torch.rand(5)
    torch.manual_seed(123)
    np.testing.assert_array_equal(draws_after_fit.numpy(), torch.rand(5).numpy())


def test_fit_does_not_depend_on_torch_global_random_state():
    X, y = _sequences(), _labels()
    torch.manual_seed(1)
    first = LSTMClassifier(**FAST).fit(X, y).predict_proba(X)
    torch.manual_seed(2)
    second = LSTMClassifier(**FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)


# --- predict_proba is independent of the other rows --------------------------------


@pytest.mark.invariance
def test_predict_proba_rows_do_not_depend_on_the_other_rows(fitted):
    clf, X, _ = fitted
    full = clf.predict_proba(X)
    perm = np.random.RandomState(0).permutation(len(X))
    assert_allclose(clf.predict_proba(X[perm]), full[perm], **SAME)
    assert_allclose(clf.predict_proba(X[10:17]), full[10:17], **SAME)
    assert_allclose(clf.predict_proba(X[[5]]), full[[5]], **SAME)
    assert_allclose(clf.predict_proba(X[::-1]), full[::-1], **SAME)
    np.testing.assert_array_equal(clf.predict(X[[5]]), clf.predict(X)[[5]])


@pytest.mark.invariance
def test_predict_proba_rows_are_independent_beyond_one_predict_block(fitted):
    # predict_proba works on blocks of 1024 sequences; 2100 gives three blocks.
    clf = fitted[0]
    X = _sequences(2100, seed=1)
    full = clf.predict_proba(X)
    assert full.shape == (2100, 3)
    perm = np.random.RandomState(0).permutation(len(X))
    assert_allclose(clf.predict_proba(X[perm]), full[perm], **SAME)
    for rows in (slice(0, 1024), slice(1000, 1100), slice(1024, 2048), [2099], [0]):
        assert_allclose(clf.predict_proba(X[rows]), full[rows], **SAME)


@pytest.mark.invariance
@settings(deadline=None, max_examples=30)
@given(data=st.data())
def test_predict_proba_of_any_selection_equals_the_full_rows(fitted, data):
    clf, X, _ = fitted
    full = clf.predict_proba(X)
    rows = data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=80))
    assert_allclose(clf.predict_proba(X[rows]), full[rows], **SAME)


def test_predict_is_deterministic_with_dropout():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "num_layers": 2, "dropout": 0.5}).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    # Training leaves the module in eval mode, and predicting does not switch it.
    assert not clf.net_.module_.training


# --- partial_fit and warm_start ----------------------------------------------------


def test_partial_fit_first_call_takes_all_classes():
    X, y = _sequences(), _labels(60, 2)
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2, 5])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2, 5])
    assert clf.predict_proba(X).shape == (60, 4)
    assert clf.net_.module_.head.out_features == 4
    assert clf.n_iter_ == 1
    assert len(clf.net_.history) == 1
    # A later batch may hold a class the first one did not.
    clf.partial_fit(X, np.full(60, 5))
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2, 5])


def test_partial_fit_continues_training_one_epoch_per_call():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 3}).partial_fit(X, y)
    weights = _state_dict(clf)
    for epochs in (2, 3, 4):
        clf.partial_fit(X, y)
        assert len(clf.net_.history) == epochs
        assert clf.n_iter_ == 1
    assert any(not torch.equal(weights[k], v) for k, v in _state_dict(clf).items())


def test_partial_fit_after_fit_continues_the_fitted_network():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    history = list(clf.net_.history)
    weights = _state_dict(clf)
    clf.partial_fit(X, y)
    # The net is rebuilt with the current parameters, carrying history and weights.
    assert list(clf.net_.history)[:2] == history
    assert len(clf.net_.history) == 3
    assert any(not torch.equal(weights[k], v) for k, v in _state_dict(clf).items())


def test_partial_fit_with_label_not_in_classes_raises_value_error():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2])
    message = (
        "y contains the label 7, which is not among the classes [0, 1, 2] "
        "of this classifier."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        clf.partial_fit(X, np.where(y == 2, 7, y))
    assert len(clf.net_.history) == 1


def test_first_partial_fit_with_label_outside_classes_raises_value_error():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**FAST)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "net_")
    assert not hasattr(clf, "classes_")


def test_classes_of_the_wrong_shape_are_named_in_the_error():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**FAST)
    with pytest.raises(ValueError, match=r"^classes should be a 1d array"):
        clf.partial_fit(X, y, classes=[[0, 1, 2]])
    Y = np.column_stack([y, y])
    with pytest.raises(ValueError, match=r"^classes\[1\] should be a 1d array"):
        clf.partial_fit(X, Y, classes=[[0, 1, 2], [[0, 1, 2]]])
    assert not hasattr(clf, "net_")


def test_first_partial_fit_with_one_class_raises_value_error():
    X = _sequences()
    with pytest.raises(ValueError, match=r"needs at least 2 classes.*classes="):
        LSTMClassifier(**FAST).partial_fit(X, np.zeros(60, dtype=int))


def test_partial_fit_with_other_input_shape_raises_value_error():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**FAST).partial_fit(X, y)
    with pytest.raises(ValueError, match=r"1 features per step.*fitted with 2"):
        clf.partial_fit(X[:, :, :1], y)
    with pytest.raises(ValueError, match="X has 3 features, but LSTMClassifier is"):
        clf.partial_fit(X[:, :3], y)


def test_warm_start_continues_training_for_max_epochs():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2, "warm_start": True}).fit(X, y)
    history = list(clf.net_.history)
    weights = _state_dict(clf)
    clf.fit(X, y)
    assert list(clf.net_.history)[:2] == history
    assert len(clf.net_.history) == 4
    assert clf.n_iter_ == 2
    assert any(not torch.equal(weights[k], v) for k, v in _state_dict(clf).items())
    clf.set_params(max_epochs=3).fit(X, y)
    assert len(clf.net_.history) == 7
    assert clf.n_iter_ == 3


def test_warm_start_applies_changed_training_parameters():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 1, "warm_start": True}).fit(X, y)
    clf.set_params(lr=1e-4, batch_size=7).fit(X, y)
    assert clf.net_.lr == 1e-4
    assert clf.net_.batch_size == 7
    assert all(g["lr"] == 1e-4 for g in clf.net_.optimizer_.param_groups)
    # Adam's moment estimates carry over: its step count keeps growing.
    state = next(iter(clf.net_.optimizer_.state.values()))
    assert int(state["step"]) > len(X) // 7


def test_warm_start_with_a_changed_architecture_raises_and_keeps_the_model():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 1, "warm_start": True}).fit(X, y)
    proba = clf.predict_proba(X)
    with pytest.raises(
        ValueError, match=r"warm_start=True cannot continue.*hidden_size"
    ):
        clf.set_params(hidden_size=3).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


def test_warm_start_false_restarts_training():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    first = clf.predict_proba(X)
    net = clf.net_
    clf.fit(X, y)
    assert clf.net_ is not net
    assert len(clf.net_.history) == 2
    assert clf.n_iter_ == 2
    np.testing.assert_array_equal(clf.predict_proba(X), first)


def test_warm_start_after_warm_start_false_fit_continues():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    clf.set_params(warm_start=True).fit(X, y)
    assert len(clf.net_.history) == 4


@pytest.mark.parametrize(
    ("X_new", "y_new"),
    [
        (_sequences(), _labels(60, 2)),
        (_sequences(), np.array([0, 1, 2, 3])[_labels(60, 4)]),
        (_sequences(n_features=1), _labels()),
        (_sequences(length=3), _labels()),
    ],
    ids=["fewer-classes", "more-classes", "other-input-size", "other-length"],
)
def test_warm_start_with_other_classes_or_shape_raises_value_error(X_new, y_new):
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "warm_start": True}).fit(X, y)
    proba = clf.predict_proba(X)
    with pytest.raises(ValueError, match=r"^warm_start=True continues the fitted"):
        clf.fit(X_new, y_new)
    assert len(clf.net_.history) == 1
    assert clf.n_features_in_ == 4
    assert clf.input_size_ == 2
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


# --- verbose -----------------------------------------------------------------------


def test_verbose_0_prints_nothing(capsys):
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2, "verbose": 0}).fit(X, y)
    clf.partial_fit(X, y)
    # The stopping message is silent too.
    LSTMClassifier(**{**FAST, "max_epochs": 3, "tol": 1e9, "n_iter_no_change": 1}).fit(
        X, y
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_verbose_1_prints_an_epoch_table_with_loss_and_accuracy(capsys):
    X, y = _sequences(), _labels()
    LSTMClassifier(**{**FAST, "max_epochs": 2, "verbose": 1}).fit(X, y)
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    header = lines[0].split()
    assert header[0] == "epoch"
    assert "train_loss" in header
    assert "train_acc" in header
    assert "valid_loss" not in header
    assert re.match(r"^-+(\s+-+)+$", lines[1])
    rows = [line.split() for line in lines[2:]]
    assert [row[0] for row in rows] == ["1", "2"]
    assert "%" not in captured.err  # no progress bar


def test_verbose_2_also_shows_a_progress_bar_on_stderr(capsys):
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2, "verbose": 2}).fit(X, y)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out
    assert "it/s" in captured.err or "%" in captured.err
    assert clf.predict(X).shape == (60,)


def test_verbose_1_prints_a_row_for_every_epoch_even_when_stopping_early(capsys):
    X, y, params = _learnt_quickly()
    clf = LSTMClassifier(
        **{**params, "max_epochs": 5, "tol": 1e9, "n_iter_no_change": 1, "verbose": 1}
    ).fit(X, y)
    assert clf.n_iter_ < 5
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()[2:]]
    epochs = [str(epoch) for epoch in range(1, clf.n_iter_ + 1)]
    assert [row for row in rows if row.isdigit()] == epochs


def test_verbose_prints_the_stopping_message(capsys):
    X, y, params = _learnt_quickly()
    LSTMClassifier(
        **{**params, "max_epochs": 5, "tol": 1e9, "n_iter_no_change": 1, "verbose": 1}
    ).fit(X, y)
    assert (
        "Training loss did not improve more than tol=1000000000.0 for 1 consecutive "
        "epochs. Stopping." in capsys.readouterr().out
    )


# --- summary -----------------------------------------------------------------------


def test_summary_of_lstm_25_on_100_inputs_counts_12700_parameters():
    tokens = np.random.RandomState(0).randint(100, size=(4, 3))
    X = np.eye(100, dtype=np.float32)[tokens]
    clf = LSTMClassifier(hidden_size=25, max_epochs=1, random_state=0)
    text = clf.fit(X, [0, 1, 0, 1]).summary()
    lines = text.splitlines()
    lstm_line = next(line for line in lines if "LSTM" in line)
    assert lstm_line.split()[-1] == "12,700"
    assert "(None, 25)" in lstm_line
    head_line = next(line for line in lines if "Linear" in line)
    assert head_line.split()[-1] == "52"  # 25 * 2 + 2
    assert "Total params: 12,752" in lines
    assert "Trainable params: 12,752" in lines
    assert "Non-trainable params: 0" in lines
    assert "Input shape: (None, 3, 100)" in lines


def test_summary_counts_match_the_module_parameters():
    X, y = _sequences(60, length=4, n_features=2), _labels()
    clf = LSTMClassifier(**FAST).fit(X, y)
    text = clf.summary()
    # LSTM: 4 gates * hidden * (inputs + hidden) weights + 2 bias vectors of 4 * 4.
    lstm_params = 4 * 4 * (2 + 4) + 2 * 4 * 4
    head_params = 4 * 3 + 3
    assert lstm_params + head_params == sum(
        p.numel() for p in clf.net_.module_.parameters()
    )
    assert re.search(r"lstm \(LSTM\)\s+\(None, 4\)\s+128$", text, re.MULTILINE)
    assert re.search(r"head \(Linear\)\s+\(None, 3\)\s+15$", text, re.MULTILINE)
    assert "Total params: 143" in text


def test_summary_of_bidirectional_network_with_dropout_lists_every_layer():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(
        **{**FAST, "bidirectional": True, "num_layers": 2, "dropout": 0.2}
    ).fit(X, y)
    text = clf.summary()
    assert "Dropout" in text
    assert re.search(r"lstm \(LSTM\)\s+\(None, 8\)", text)
    total = sum(p.numel() for p in clf.net_.module_.parameters())
    assert f"Total params: {total:,}" in text


# --- callbacks, optimizers, architectures, stopping -------------------------------


class _EpochCounter(Callback):
    def __init__(self):
        self.epochs_ = 0

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


@pytest.mark.parametrize("named", [False, True])
def test_user_callback_is_called_every_epoch(named):
    X, y = _sequences(), _labels()
    counter = _EpochCounter()
    callbacks = [("counter", counter)] if named else [counter]
    clf = LSTMClassifier(**{**FAST, "max_epochs": 3, "callbacks": callbacks})
    clf.fit(X, y)
    assert counter.epochs_ == 3
    clf.partial_fit(X, y)
    assert counter.epochs_ == 4


@pytest.mark.parametrize("early_stopping", [False, True])
def test_user_callbacks_see_the_epoch_at_which_the_stopping_rule_ends_training(
    early_stopping,
):
    # The rule stops after one epoch without improvement (tol=1e9); the user's
    # callbacks, after it in the list, still see that last epoch.
    X, y, params = _learnt_quickly()
    counter = _EpochCounter()
    scoring = EpochScoring("accuracy", on_train=True, name="mine")
    clf = LSTMClassifier(
        **{
            **params,
            "max_epochs": 5,
            "tol": 1e9,
            "n_iter_no_change": 1,
            "early_stopping": early_stopping,
            "callbacks": [counter, scoring],
        }
    ).fit(X, y)
    assert clf.n_iter_ < 5
    assert counter.epochs_ == clf.n_iter_
    assert all("mine" in row for row in clf.net_.history)


class _BatchRecorder(Callback):
    """Counts the per-batch events and switches the module off after each batch."""

    def __init__(self):
        self.events_ = []

    def on_batch_begin(self, net, training=False, **kwargs):
        self.events_.append(("begin", training))

    def on_grad_computed(self, net, named_parameters, **kwargs):
        # A generator over the learnable parameters, as skorch hands it.
        names = [name for name, _ in named_parameters]
        self.events_.append(("grad", net.module_.training, len(names)))

    def on_batch_end(self, net, training=False, **kwargs):
        self.events_.append(("end", training))
        net.module_.eval()


def test_user_callback_sees_every_batch_event_in_train_mode():
    X, y = _sequences(), _labels()
    recorder = _BatchRecorder()
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 2, "batch_size": 16, "callbacks": [recorder]}
    )
    clf.fit(X, y)
    n_params = len(list(clf.net_.module_.parameters()))
    # 60 sequences in batches of 16: 4 batches an epoch, each with 3 events, and
    # train mode back on for every step although the callback switched it off.
    expected = [("begin", True), ("grad", True, n_params), ("end", True)] * 8
    assert recorder.events_ == expected
    # The list of listeners is not kept in the fitted model.
    assert "_batch_listeners" not in vars(clf.net_)


def test_train_acc_is_the_accuracy_of_the_training_batches():
    X, y = _sequences(), _labels()
    predicted = []

    class _Predictions(Callback):
        def on_batch_end(self, net, batch=None, y_pred=None, **kwargs):
            predicted.append((y_pred.argmax(1) == batch[1]).sum().item())

    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 1, "batch_size": 16, "callbacks": [_Predictions()]}
    )
    clf.fit(X, y)
    assert clf.net_.history[-1, "train_acc"] == sum(predicted) / len(y)


def test_named_optimizers_use_the_fused_kernel_and_classes_torch_defaults():
    X, y = _sequences(), _labels()
    fused = LSTMClassifier(**FAST).fit(X, y).net_.optimizer_
    assert fused.param_groups[0]["fused"] is True
    plain = LSTMClassifier(**{**FAST, "optimizer": torch.optim.Adam}).fit(X, y)
    assert not plain.net_.optimizer_.param_groups[0]["fused"]


def test_an_optimizer_that_calls_the_closure_many_times_trains():
    # LBFGS evaluates the loss several times per step through skorch's closure.
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "optimizer": torch.optim.LBFGS, "lr": 0.1})
    clf.fit(X, y)
    assert np.isfinite(clf.net_.history[-1, "train_loss"])
    assert clf.predict(X).shape == (60,)


@pytest.mark.parametrize(
    "optimizer",
    ["adam", "adamw", "rmsprop", "sgd", "ADAM", torch.optim.Adagrad],
    ids=["adam", "adamw", "rmsprop", "sgd", "upper-case", "class"],
)
def test_every_optimizer_fits_and_predicts(optimizer):
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2, "optimizer": optimizer})
    clf.fit(X, y)
    expected = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "rmsprop": torch.optim.RMSprop,
        "sgd": torch.optim.SGD,
        "ADAM": torch.optim.Adam,
    }.get(optimizer, optimizer)
    assert type(clf.net_.optimizer_) is expected
    assert clf.net_.lr == clf.lr_
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    assert np.isfinite(proba).all()


def test_lr_is_passed_to_the_optimizer():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, "lr": 0.0123}).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] == 0.0123


@pytest.mark.parametrize(
    "params",
    [
        {"bidirectional": True},
        {"num_layers": 2, "dropout": 0.3},
        {"num_layers": 2, "dropout": 0.3, "bidirectional": True},
        {"forget_bias": None},
        {"forget_bias": 0.0},
        {"clip_grad_norm": None},
        {"clip_grad_norm": 1e-3},
        {"dropout": 0.5},
        {"batch_size": 1000},
        {"batch_size": 1},
        {"burn_in": 3, "num_layers": 2, "dropout": 0.3, "bidirectional": True},
    ],
    ids=[
        "bidirectional",
        "2-layers-dropout",
        "2-layers-bidirectional",
        "no-forget-bias",
        "zero-forget-bias",
        "no-clipping",
        "tight-clipping",
        "dropout-1-layer",
        "batch-larger-than-data",
        "batch-of-one",
        "burn-in-2-layers-bidirectional",
    ],
)
def test_architectures_fit_and_predict(params):
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**{**FAST, **params}).fit(X, y)
    lstm = clf.net_.module_.lstm
    assert lstm.bidirectional == params.get("bidirectional", False)
    assert lstm.num_layers == params.get("num_layers", 1)
    assert clf.net_.module_.dropout.p == params.get("dropout", 0.0)
    assert clf.predict(X).shape == (60,)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, atol=1e-12)


def test_forget_bias_sets_the_initial_forget_gate_bias():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(
        **{**FAST, "forget_bias": 3.0, "lr": 1e-12, "optimizer": "sgd"}
    ).fit(X, y)
    bias_ih = clf.net_.module_.lstm.bias_ih_l0.detach().numpy()
    bias_hh = clf.net_.module_.lstm.bias_hh_l0.detach().numpy()
    np.testing.assert_allclose(bias_ih[4:8], 3.0, atol=1e-6)
    np.testing.assert_allclose(bias_hh[4:8], 0.0, atol=1e-6)


def _learnt_quickly():
    """A sign problem and parameters whose loss leaves the plateau in epoch 1.

    The stopping rule counts no epoch while the training loss is above 90% of
    the class prior's (the plateau), so a test of stopping needs a model that
    learns something at once.
    """
    X, y = _sign_problem(np.random.RandomState(0), 400)
    return X, y, {**FAST, "hidden_size": 8, "lr": 0.05}


def test_huge_tol_stops_training_early():
    X, y, params = _learnt_quickly()
    clf = LSTMClassifier(
        **{**params, "max_epochs": 5, "tol": 1e9, "n_iter_no_change": 1}
    ).fit(X, y)
    assert clf.loss_curve_[0] < 0.9 * np.log(2)
    # The first epoch always improves on "no loss yet"; the second cannot gain 1e9.
    assert clf.n_iter_ == 2
    assert clf.n_iter_ < clf.max_epochs
    assert len(clf.net_.history) == 2


def test_tol_zero_and_long_patience_run_every_epoch():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 4, "tol": 0.0, "n_iter_no_change": 10}
    ).fit(X, y)
    assert clf.n_iter_ == 4


# --- rejected inputs ---------------------------------------------------------------


def _with(X, index, value):
    X = X.copy()
    X[index] = value
    return X


_X = _sequences()
_Y = _labels()


@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        (_with(_X, (0, 1, 1), np.nan), _Y, ValueError, r"^Input X contains NaN"),
        (_with(_X, (3, 0, 0), np.inf), _Y, ValueError, r"^Input X contains infinity"),
        (_with(_X, (3, 0, 0), -np.inf), _Y, ValueError, r"^Input X contains infinity"),
        (
            _X[:, 0, 0],
            _Y,
            ValueError,
            r"^Expected 2D array, got 1D array instead",
        ),
        (
            _X[..., np.newaxis],
            _Y,
            ValueError,
            r"^X must be 2-D \(n_samples, length\) or 3-D \(n_samples, length, "
            r"n_features\), got an array of 4 dimensions, shape \(60, 4, 2, 1\)\.$",
        ),
        (_X, _Y + 0.5, ValueError, r"^Unknown label type: continuous"),
        (
            _X,
            np.random.RandomState(0).uniform(size=60),
            ValueError,
            r"^Unknown label type: continuous",
        ),
        (
            _X,
            np.full(60, 3),
            ValueError,
            r"^LSTMClassifier needs samples of at least 2 classes in y; got one "
            r"class: \[3\]\.$",
        ),
        (
            _X,
            _Y[:-1],
            ValueError,
            r"inconsistent numbers of samples: \[60, 59\]",
        ),
        (
            _X,
            np.c_[_Y, np.full(60, 7)],
            ValueError,
            r"^LSTMClassifier needs at least 2 classes in every column of y; "
            r"column 1 holds only the class 7\. A target with one class needs no "
            r"model: drop that column\.$",
        ),
        (_X, np.c_[_Y, _Y + 0.5], ValueError, r"^Unknown label type: continuous"),
        (_X, np.where(_Y == 0, np.nan, _Y), ValueError, r"Input y contains NaN"),
        (
            [["a", "b", "c"], ["d", "e", "f"]],
            [0, 1],
            TypeError,
            r"^LSTMClassifier expects numeric sequences, got strings\.$",
        ),
        (
            np.array([[["a"], ["b"]], [["c"], ["d"]]]),
            [0, 1],
            TypeError,
            r"^LSTMClassifier expects numeric sequences, got strings\.$",
        ),
        (
            [[1.0, 2.0, 3.0], [[1.0], [2.0]]],
            [0, 1],
            ValueError,
            r"^LSTMClassifier expects sequences that are all 1-D .* but sequence 0 "
            r"of X is 1-D and sequence 1 is 2-D",
        ),
        (
            [[[1.0], [2.0]], [[1.0]]],
            [0, 1, 1],
            ValueError,
            r"^Found input variables with inconsistent numbers of samples: \[2, 3\]",
        ),
        (
            np.zeros((0, 3, 2), dtype=np.float32),
            np.zeros(0, dtype=int),
            ValueError,
            r"^Found array with 0 sample\(s\)",
        ),
        (
            np.zeros((4, 0), dtype=np.float32),
            [0, 1, 0, 1],
            ValueError,
            r"^Found array with 0 feature\(s\)",
        ),
        (
            np.array([[1j, 2], [3, 4]]),
            [0, 1],
            ValueError,
            r"^Complex data not supported",
        ),
    ],
    ids=[
        "nan",
        "inf",
        "minus-inf",
        "1-D",
        "4-D",
        "half-integer-y",
        "continuous-y",
        "one-class",
        "length-mismatch",
        "2-D-y-one-class-column",
        "2-D-y-continuous-column",
        "nan-y",
        "strings",
        "strings-3-D",
        "ragged",
        "ragged-3-D",
        "no-samples",
        "no-steps-2-D",
        "complex",
    ],
)
def test_invalid_training_data_is_rejected_with_a_clear_message(X, y, error, match):
    with pytest.raises(error, match=match):
        LSTMClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((4, 0, 2), "(4, 0, 2)"),
        ((4, 3, 0), "(4, 3, 0)"),
    ],
    ids=["no-steps-3-D", "no-features-per-step"],
)
def test_empty_sequences_or_steps_are_rejected_with_a_clear_message(shape, message):
    # sklearn's "Found array with 0 feature(s) (shape=...)" only covers 2-D input;
    # the 3-D equivalents must not reach torch (which raises RuntimeError
    # "Expected sequence length to be larger than 0 in RNN" and ValueError
    # "input_size must be greater than zero").
    with pytest.raises(ValueError, match=rf"{re.escape(message)}.*LSTMClassifier"):
        LSTMClassifier(**FAST).fit(np.zeros(shape, dtype=np.float32), [0, 1, 0, 1])


@pytest.mark.parametrize(
    ("X_new", "error", "match"),
    [
        (
            _sequences(length=3),
            ValueError,
            r"^X has 3 features, but LSTMClassifier is expecting 4 features as input",
        ),
        (
            _sequences(length=5),
            ValueError,
            r"^X has 5 features, but LSTMClassifier is expecting 4 features as input",
        ),
        (
            _sequences(n_features=3),
            ValueError,
            r"^X has 3 features per step, but LSTMClassifier was fitted with 2 "
            r"features per step\.$",
        ),
        (
            _sequences()[:, :, 0],
            ValueError,
            r"^X has 1 features per step, but LSTMClassifier was fitted with 2",
        ),
        (_with(_X, (0, 0, 0), np.nan), ValueError, r"^Input X contains NaN"),
        (_with(_X, (0, 0, 0), np.inf), ValueError, r"^Input X contains infinity"),
        (
            np.zeros((0, 4, 2), dtype=np.float32),
            ValueError,
            r"^Found array with 0 sample\(s\)",
        ),
        (
            [[["a", "b"]] * 4],
            TypeError,
            r"^LSTMClassifier expects numeric sequences, got strings\.$",
        ),
        (
            _X[..., np.newaxis],
            ValueError,
            r"^X must be 2-D \(n_samples, length\) or 3-D",
        ),
    ],
    ids=[
        "shorter",
        "longer",
        "more-features-per-step",
        "2-D",
        "nan",
        "inf",
        "no-samples",
        "strings",
        "4-D",
    ],
)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_invalid_prediction_data_is_rejected(fitted, method, X_new, error, match):
    clf = fitted[0]
    args = (X_new, np.zeros(len(X_new), dtype=int)) if method == "score" else (X_new,)
    with pytest.raises(error, match=match):
        getattr(clf, method)(*args)


# --- invalid parameters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"hidden_size": 0}, ValueError, "hidden_size == 0, must be >= 1."),
        ({"hidden_size": -2}, ValueError, "hidden_size == -2, must be >= 1."),
        (
            {"hidden_size": "25"},
            TypeError,
            "hidden_size must be an integer, got '25' of type str.",
        ),
        (
            {"hidden_size": 2.0},
            TypeError,
            "hidden_size must be an integer, got 2.0 of type float.",
        ),
        ({"num_layers": 0}, ValueError, "num_layers == 0, must be >= 1."),
        ({"burn_in": -1}, ValueError, "burn_in == -1, must be >= 0."),
        ({"lr": 0}, ValueError, "lr == 0, must be > 0.0."),
        ({"lr": -1}, ValueError, "lr == -1, must be > 0.0."),
        ({"lr": np.nan}, ValueError, "lr must be finite, got nan."),
        (
            {"lr": "fast"},
            ValueError,
            "lr must be a positive real number or 'auto', got 'fast'.",
        ),
        ({"lr": [0.1]}, TypeError, "lr must be a real number, got [0.1] of type list."),
        ({"batch_size": 0}, ValueError, "batch_size == 0, must be >= 1."),
        ({"max_epochs": 0}, ValueError, "max_epochs == 0, must be >= 1."),
        (
            {"max_epochs": 2.5},
            TypeError,
            "max_epochs must be an integer, got 2.5 of type float.",
        ),
        ({"dropout": 1.0}, ValueError, "dropout == 1.0, must be < 1.0."),
        ({"dropout": -0.1}, ValueError, "dropout == -0.1, must be >= 0.0."),
        ({"tol": -1.0}, ValueError, "tol == -1.0, must be >= 0.0."),
        ({"clip_grad_norm": 0}, ValueError, "clip_grad_norm == 0, must be > 0.0."),
        (
            {"clip_grad_norm": "1"},
            TypeError,
            "clip_grad_norm must be a real number, got '1' of type str.",
        ),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change == 0, must be >= 1."),
        ({"verbose": -1}, ValueError, "verbose == -1, must be >= 0."),
        (
            {"forget_bias": "big"},
            ValueError,
            "forget_bias must be a real number, 'chrono' or None, got 'big'.",
        ),
        (
            {"max_epochs": "all"},
            ValueError,
            "max_epochs must be an integer >= 1 or 'auto', got 'all'.",
        ),
        (
            {"batch_size": "auto "},
            ValueError,
            "batch_size must be an integer >= 1 or 'auto', got 'auto '.",
        ),
        (
            {"early_stopping": "yes"},
            ValueError,
            "early_stopping must be a bool or 'auto', got 'yes'.",
        ),
        (
            {"early_stopping": 1},
            TypeError,
            "early_stopping must be a bool, got 1.",
        ),
        (
            {"validation_fraction": 0.0},
            ValueError,
            "validation_fraction == 0.0, must be > 0.0.",
        ),
        (
            {"validation_fraction": 1},
            ValueError,
            "validation_fraction == 1, must be < 1.0.",
        ),
        (
            {"bidirectional": "yes"},
            TypeError,
            "bidirectional must be a bool, got 'yes'.",
        ),
        ({"warm_start": 1}, TypeError, "warm_start must be a bool, got 1."),
        # numpy scalars read as written, on numpy 1 and 2 alike (not np.int64(1)).
        (
            {"warm_start": np.int64(1)},
            TypeError,
            "warm_start must be a bool, got 1.",
        ),
        (
            {"hidden_size": np.float64(2.0)},
            TypeError,
            "hidden_size must be an integer, got 2.0 of type float64.",
        ),
        (
            {"max_epochs": np.float32(0.1)},
            TypeError,
            "max_epochs must be an integer, got 0.1 of type float32.",
        ),
        ({"lr": np.float32(np.nan)}, ValueError, "lr must be finite, got nan."),
        (
            {"optimizer": "adamm"},
            ValueError,
            "optimizer must be one of ['adam', 'adamw', 'rmsprop', 'sgd'] or a "
            "torch optimizer class, got 'adamm'.",
        ),
        (
            {"optimizer": 42},
            TypeError,
            "optimizer must be one of ['adam', 'adamw', 'rmsprop', 'sgd'] or a "
            "torch optimizer class, got 42.",
        ),
        (
            {"optimizer": torch.nn.Linear},
            TypeError,
            "optimizer must be one of ['adam', 'adamw', 'rmsprop', 'sgd'] or a "
            "torch optimizer class, got <class 'torch.nn.modules.linear.Linear'>.",
        ),
        (
            {"device": "nonsense-device"},
            ValueError,
            "device must name a torch device such as 'cpu' or 'cuda', got "
            "'nonsense-device'.",
        ),
        (
            {"device": None},
            ValueError,
            "device must name a torch device such as 'cpu' or 'cuda', got None.",
        ),
        (
            {"callbacks": "x"},
            TypeError,
            "callbacks must be None or a list of skorch callbacks, got 'x'.",
        ),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else "-",
)
def test_invalid_parameters_raise_at_fit_with_a_clear_message(params, error, message):
    clf = LSTMClassifier(**{**FAST, **params})
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        clf.fit(_X, _Y)
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        clone(clf).partial_fit(_X, _Y)
    assert not hasattr(clf, "net_")


def test_callbacks_holding_a_non_callback_raise_type_error():
    # skorch itself fails with "AttributeError: 'str' object has no attribute
    # 'set_params'", which names neither the parameter nor what it expects.
    with pytest.raises(TypeError, match="callbacks"):
        LSTMClassifier(**{**FAST, "callbacks": ["x"]}).fit(_X, _Y)


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="checks the message when CUDA is unavailable"
)
@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_device_without_cuda_raises_value_error(device):
    message = (
        f"device={device!r} was requested, but CUDA is not available on this "
        "machine; use device='cpu'."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        LSTMClassifier(**{**FAST, "device": device}).fit(_X, _Y)


@pytest.mark.parametrize(
    "device", ["cpu", torch.device("cpu")], ids=["string", "torch-device"]
)
def test_cpu_device_is_accepted(device):
    clf = LSTMClassifier(**{**FAST, "device": device}).fit(_X, _Y)
    assert next(clf.net_.module_.parameters()).device.type == "cpu"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("hidden_size", np.int64(4)),
        ("num_layers", np.int64(2)),
        ("max_epochs", np.int32(2)),
        ("batch_size", np.int64(16)),
        ("n_iter_no_change", np.int64(3)),
        ("verbose", np.int64(0)),
        ("lr", np.float32(0.01)),
        ("dropout", np.float32(0.25)),
        ("tol", np.float32(0.001)),
        ("forget_bias", np.float32(2.0)),
        ("burn_in", np.int64(3)),
        ("bidirectional", np.True_),
        ("warm_start", np.False_),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_numpy_scalar_parameters_are_accepted(name, value):
    # e.g. GridSearchCV(param_grid={"hidden_size": np.arange(4, 9, 4)}).
    clf = LSTMClassifier(**{**FAST, name: value}).fit(_X, _Y)
    expected = LSTMClassifier(**{**FAST, name: value.item()}).fit(_X, _Y)
    # A float32 learning rate makes the optimizer round some steps in float32.
    np.testing.assert_allclose(
        clf.predict_proba(_X), expected.predict_proba(_X), rtol=1e-6, atol=0
    )


# --- state and inputs are preserved ------------------------------------------------


class _FailingCallback(Callback):
    def on_epoch_end(self, net, **kwargs):
        raise ValueError("callback failed on purpose")


@pytest.mark.parametrize(
    ("params", "X_bad", "y_bad"),
    [
        ({}, _with(_X, (0, 0, 0), np.nan), _Y),
        ({"lr": -1}, _X, _Y),
        ({"optimizer": "adamm"}, _X, _Y),
        ({}, _X, np.zeros(60)),
        ({}, _X, _Y + 0.5),
        ({}, _sequences(length=7, n_features=5), _Y[:10]),
        ({}, [[1.0, 2.0], [np.inf]], [0, 1]),
        ({"callbacks": [_FailingCallback()]}, _sequences(length=7), _labels(60, 2)),
        ({"warm_start": True}, _sequences(length=7), _Y),
    ],
    ids=[
        "nan",
        "negative-lr",
        "bad-optimizer",
        "one-class",
        "continuous-y",
        "length-mismatch",
        "ragged",
        "callback-raises-during-training",
        "warm-start-other-shape",
    ],
)
def test_failed_fit_leaves_fitted_classifier_unchanged(params, X_bad, y_bad):
    df = pd.DataFrame(_X[:, :, 0], columns=["a", "b", "c", "d"])
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(df, _Y)
    proba = clf.predict_proba(df)
    state = dict(vars(clf))
    net = clf.net_
    clf.set_params(**params)
    with pytest.raises((ValueError, TypeError)):
        clf.fit(X_bad, y_bad)
    assert set(vars(clf)) == set(state)
    assert clf.net_ is net
    assert len(clf.net_.history) == 2
    assert clf.n_iter_ == 2
    assert clf.n_features_in_ == 4
    assert clf.input_size_ == 1
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(clf.predict_proba(df), proba)


def test_failed_partial_fit_leaves_fitted_classifier_unchanged():
    clf = LSTMClassifier(**FAST).fit(_X, _Y)
    proba = clf.predict_proba(_X)
    state = dict(vars(clf))
    for X_bad, y_bad in [
        (_X, np.full(60, 9)),
        (_with(_X, (0, 0, 0), np.nan), _Y),
        (_sequences(length=6), _Y),
    ]:
        with pytest.raises(ValueError):
            clf.partial_fit(X_bad, y_bad)
    assert set(vars(clf)) == set(state)
    assert clf.n_features_in_ == 4
    assert len(clf.net_.history) == 1
    np.testing.assert_array_equal(clf.predict_proba(_X), proba)


def test_failed_first_fit_leaves_classifier_unfitted():
    clf = LSTMClassifier(**FAST)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.fit(_with(_X, (0, 0, 0), np.nan), _Y)
    assert not [name for name in vars(clf) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        clf.predict(_X)


@pytest.mark.parametrize(
    "X",
    [
        _sequences(),
        _sequences()[:, :, 0].astype(np.float64),
        _sequences().astype(np.float64),
        np.asfortranarray(_sequences()),
        np.random.RandomState(0).randint(5, size=(60, 4)),
    ],
    ids=["float32-3-D", "float64-2-D", "float64-3-D", "fortran", "int-2-D"],
)
def test_fit_and_predict_do_not_modify_the_inputs(X):
    y = _Y.copy()
    X_copy, y_copy = X.copy(), y.copy()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2})
    clf.fit(X, y)
    clf.partial_fit(X, y)
    clf.predict(X)
    clf.predict_proba(X)
    clf.score(X, y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


@pytest.mark.parametrize("kind", ["read-only", "memmap"])
@pytest.mark.parametrize("n_samples", [60, 1100], ids=["one-block", "two-blocks"])
def test_read_only_and_memmap_inputs_work_without_warnings(tmp_path, kind, n_samples):
    X = _sequences(n_samples)
    y = _labels(n_samples)
    if kind == "read-only":
        X_in = X.copy()
        X_in.setflags(write=False)
        y_in = y.copy()
        y_in.setflags(write=False)
    else:
        X_in = np.memmap(tmp_path / "X.dat", dtype=X.dtype, mode="w+", shape=X.shape)
        X_in[:] = X
        X_in.flush()
        X_in = np.memmap(tmp_path / "X.dat", dtype=X.dtype, mode="r", shape=X.shape)
        y_in = y
    expected = LSTMClassifier(**FAST).fit(X, y).predict_proba(X)
    # torch warns about a non-writable array once per process only; 1100 rows
    # give a full predict block, which must not be handed to torch as a view.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = LSTMClassifier(**FAST).fit(X_in, y_in)
        clf.partial_fit(X_in, y_in)
        proba = LSTMClassifier(**FAST).fit(X_in, y_in).predict_proba(X_in)
    np.testing.assert_array_equal(proba, expected)


# --- accepted inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "as_input",
    [
        lambda X: X,
        lambda X: X.astype(np.float64),
        lambda X: X.tolist(),
        lambda X: X.astype(object),
        lambda X: np.asfortranarray(X),
    ],
    ids=["float32", "float64", "list", "object", "fortran"],
)
@pytest.mark.parametrize("ndim", [2, 3])
def test_accepted_input_types_give_the_same_model(as_input, ndim):
    X = _sequences(n_features=1) if ndim == 3 else _sequences(n_features=1)[:, :, 0]
    expected = LSTMClassifier(**FAST).fit(X, _Y).predict_proba(X)
    clf = LSTMClassifier(**FAST).fit(as_input(X), _Y)
    assert clf.input_size_ == 1
    assert clf.n_features_in_ == 4
    np.testing.assert_array_equal(clf.predict_proba(as_input(X)), expected)


def test_list_of_lists_of_ints_is_accepted():
    X = [[0, 1, 2], [2, 1, 0], [1, 1, 1], [0, 0, 2]]
    clf = LSTMClassifier(**FAST).fit(X, ["a", "b", "a", "b"])
    assert clf.input_size_ == 1
    assert clf.n_features_in_ == 3
    assert set(clf.predict(X)) <= {"a", "b"}


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, bool])
def test_integer_and_bool_arrays_are_read_as_floats(dtype):
    X = np.random.RandomState(0).randint(2, size=(60, 4, 3)).astype(dtype)
    expected = LSTMClassifier(**FAST).fit(X.astype(np.float32), _Y).predict_proba(X)
    clf = LSTMClassifier(**FAST).fit(X, _Y)
    assert clf.input_size_ == 3
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


def test_dataframe_sets_feature_names_in():
    df = pd.DataFrame(_X[:, :, 0], columns=["s0", "s1", "s2", "s3"])
    clf = LSTMClassifier(**FAST).fit(df, pd.Series(_Y))
    np.testing.assert_array_equal(clf.feature_names_in_, ["s0", "s1", "s2", "s3"])
    assert clf.n_features_in_ == 4
    assert clf.input_size_ == 1
    expected = LSTMClassifier(**FAST).fit(_X[:, :, 0], _Y).predict_proba(_X[:, :, 0])
    np.testing.assert_array_equal(clf.predict_proba(df), expected)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(df.rename(columns={"s0": "first"}))


def test_dataframe_with_integer_columns_sets_no_feature_names_in():
    clf = LSTMClassifier(**FAST).fit(pd.DataFrame(_X[:, :, 0]), _Y)
    assert not hasattr(clf, "feature_names_in_")


# --- pickle and clone --------------------------------------------------------------


def test_pickle_round_trip_gives_identical_predictions(fitted):
    clf, X, _ = fitted
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.get_params() == clf.get_params()
    np.testing.assert_array_equal(restored.classes_, clf.classes_)
    assert restored.n_features_in_ == clf.n_features_in_
    assert restored.input_size_ == clf.input_size_
    assert len(restored.net_.history) == len(clf.net_.history)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


def test_joblib_round_trip_gives_identical_predictions(fitted):
    clf, X, _ = fitted
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_pickled_classifier_can_continue_training():
    X, y = _sequences(), _labels()
    clf = LSTMClassifier(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    restored.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert len(restored.net_.history) == 2
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_clone_gives_an_unfitted_classifier_with_the_same_params(fitted):
    clf, X, y = fitted
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not [name for name in vars(copy) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        copy.predict(X)
    # Same params and an int random_state: refitting gives the same model.
    np.testing.assert_array_equal(copy.fit(X, y).predict_proba(X), clf.predict_proba(X))


def test_clone_copies_callbacks():
    counter = _EpochCounter()
    clf = LSTMClassifier(**{**FAST, "callbacks": [counter]})
    copy = clone(clf)
    assert copy.callbacks[0] is not counter
    copy.fit(_X, _Y)
    assert counter.epochs_ == 0
    assert copy.callbacks[0].epochs_ == 1


# --- several targets (multi-output) -------------------------------------------------


def _two_targets(n_samples=300, seed=0):
    """Two targets told by the first step's features: int and string labels."""
    X = _sequences(n_samples, seed=seed)
    first = (X[:, 0, 0] > 0).astype(int) + (X[:, 0, 0] > 1)
    second = np.where(X[:, 0, 1] > 0, "up", "down")
    y = np.empty((n_samples, 2), dtype=object)
    y[:, 0], y[:, 1] = first, second
    return X, y


def test_multi_output_fit_gives_one_head_per_target_and_list_classes():
    X, y = _two_targets()
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.n_outputs_ == 2
    assert isinstance(clf.classes_, list) and len(clf.classes_) == 2
    np.testing.assert_array_equal(clf.classes_[0], [0, 1, 2])
    np.testing.assert_array_equal(clf.classes_[1], ["down", "up"])
    # One linear layer: the 3 + 2 logits side by side.
    assert clf.net_.module_.head.out_features == 5


def test_multi_output_predict_and_predict_proba_shapes_and_consistency():
    X, y = _two_targets()
    clf = LSTMClassifier(**{**FAST, "max_epochs": 3}).fit(X, y)
    y_pred = clf.predict(X)
    assert y_pred.shape == (300, 2)
    proba = clf.predict_proba(X)
    assert isinstance(proba, list) and [p.shape for p in proba] == [(300, 3), (300, 2)]
    for j, p in enumerate(proba):
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
        np.testing.assert_array_equal(clf.classes_[j][p.argmax(axis=1)], y_pred[:, j])


def test_multi_output_score_is_subset_accuracy():
    X, y = _two_targets()
    clf = LSTMClassifier(**FAST).fit(X, y)
    y_pred = clf.predict(X)
    expected = np.mean(np.all(y_pred == y, axis=1))
    assert clf.score(X, y) == pytest.approx(expected)
    # Below each target's accuracy unless they agree on every row.
    assert clf.score(X, y) <= min(np.mean(y_pred == y, axis=0))


def test_multi_output_learns_both_targets():
    X, y = _two_targets(600)
    X_new, y_new = _two_targets(300, seed=1)
    clf = LSTMClassifier(hidden_size=8, max_epochs=20, random_state=0).fit(X, y)
    assert clf.score(X_new, y_new) > 0.9


def test_column_vector_y_is_one_target_with_the_usual_warning():
    X, y = _sequences(), _labels()
    with pytest.warns(
        DataConversionWarning, match="A column-vector y was passed"
    ) as record:
        column = LSTMClassifier(**FAST).fit(X, y[:, np.newaxis])
    # The warning points at the user's line (this file), not into the library.
    assert [Path(w.filename).name for w in record] == [Path(__file__).name]
    with pytest.warns(DataConversionWarning) as record:
        LSTMClassifier(**FAST).partial_fit(X, y[:, np.newaxis])
    assert [Path(w.filename).name for w in record] == [Path(__file__).name]
    flat = LSTMClassifier(**FAST).fit(X, y)
    assert column.n_outputs_ == 1 and not isinstance(column.classes_, list)
    np.testing.assert_array_equal(column.predict(X), flat.predict(X))


def test_multi_output_partial_fit_takes_a_list_of_classes():
    X, y = _two_targets(60)
    clf = LSTMClassifier(**FAST)
    classes = [np.array([0, 1, 2, 3]), np.array(["down", "up"])]
    clf.partial_fit(X, y, classes=classes)
    assert [c.tolist() for c in clf.classes_] == [[0, 1, 2, 3], ["down", "up"]]
    clf.partial_fit(X, y)
    assert len(clf.loss_curve_) == 2
    with pytest.raises(ValueError, match=r"^classes=.* differs from the classes_"):
        clf.partial_fit(X, y, classes=[np.array([0, 1, 2]), np.array(["down", "up"])])
    with pytest.raises(ValueError, match=r"^y has 1 target column\(s\), but"):
        clf.partial_fit(X, y[:, 0].astype(int))
    assert len(clf.loss_curve_) == 2


def test_multi_output_early_stopping_holds_out_and_records_subset_accuracy():
    X, y = _two_targets(400)
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 3, "early_stopping": True, "n_iter_no_change": 10}
    ).fit(X, y)
    assert clf.early_stopping_ is True
    assert len(clf.validation_scores_) == clf.n_iter_
    assert all(0.0 <= score <= 1.0 for score in clf.validation_scores_)


def test_multi_output_warm_start_refuses_changed_classes_and_keeps_the_model():
    X, y = _two_targets()
    clf = LSTMClassifier(**{**FAST, "warm_start": True}).fit(X, y)
    before = clf.predict(X)
    changed = y.copy()
    changed[:, 1] = np.where(changed[:, 1] == "up", "north", "south")
    with pytest.raises(ValueError, match=r"^warm_start=True continues.*classes"):
        clf.fit(X, changed)
    np.testing.assert_array_equal(clf.predict(X), before)


def test_multi_output_pickle_round_trip_gives_identical_probabilities():
    X, y = _two_targets()
    clf = LSTMClassifier(**FAST).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    for mine, theirs in zip(clf.predict_proba(X), loaded.predict_proba(X), strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_book_config_with_two_echo_positions_reaches_99_percent_on_each(seed):
    # The target: length 5, 10 values, out_index=(1, 3).
    from sklearn.pipeline import make_pipeline

    from sklearn_echo import OneHotSequenceTransformer, make_echo_sequences

    X, y = make_echo_sequences(10_000, 5, 10, out_index=(1, 3), random_state=seed)
    X_new, y_new = make_echo_sequences(
        5_000, 5, 10, out_index=(1, 3), random_state=10_000 + seed
    )
    model = make_pipeline(
        OneHotSequenceTransformer(n_features=10), LSTMClassifier(random_state=seed)
    ).fit(X, y)
    per_output = np.mean(model.predict(X_new) == y_new, axis=0)
    assert (per_output >= 0.99).all(), per_output
