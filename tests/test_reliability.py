"""Reliability (issue 6): bad inputs, fuzzing, training faults, persistence, GPU.

The per-object tests (test_transformer.py, test_classifier.py, ...) cover most
bad inputs of one object each; the catalogue here is the cross-object table
(generator, transformer, classifier, token classifier, Pipeline, command line)
with what those files leave out, and each row also checks that the inputs and
any fitted model are left unchanged.
"""

import copy
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo.__main__ import main
from sklearn_echo._validation import physical_memory

N_FEATURES = 5
LENGTH = 4
# Tiny models: every fit takes milliseconds.
FAST = {"hidden_size": 2, "max_epochs": 1, "random_state": 0}
# A message that names an amount of memory, e.g. "would need 55.9 GiB".
MEMORY = r"\d[\d,.]* [GTPE]iB"
# check_array's words for a 3-D array; scikit-learn 1.7 changed them.
if parse_version(sklearn.__version__) >= parse_version("1.7"):
    DIM_3 = r"^Found array with dim 3, while dim <= 2 is required by {}\.$"
else:
    DIM_3 = r"^Found array with dim 3\. {} expected <= 2\.$"

requires_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA GPU"
)


def _tokens(n_samples=40, seed=0):
    return make_echo_sequences(
        n_samples, LENGTH, N_FEATURES, out_index=1, random_state=seed
    )


def _onehot(X):
    return np.eye(N_FEATURES, dtype=np.float32)[X]


X_TOK, Y = _tokens()
X_HOT = _onehot(X_TOK)


def _make(kind, **params):
    """A fresh, unfitted object of ``kind`` with tiny-model parameters."""
    if kind == "transformer":
        return OneHotSequenceTransformer(**{"n_features": N_FEATURES, **params})
    if kind == "lstm":
        return LSTMClassifier(**{**FAST, **params})
    if kind == "token":
        return TokenLSTMClassifier(**{"n_features": N_FEATURES, **FAST, **params})
    if kind == "pipeline":
        # Routed parameters ("step__name") go to their step, others to the LSTM.
        routed = {name: value for name, value in params.items() if "__" in name}
        lstm = {name: value for name, value in params.items() if "__" not in name}
        return make_pipeline(
            OneHotSequenceTransformer(n_features=N_FEATURES),
            LSTMClassifier(**{**FAST, **lstm}),
        ).set_params(**routed)
    raise AssertionError(kind)


def _training_data(kind):
    return X_HOT if kind == "lstm" else X_TOK


@pytest.fixture(scope="module")
def fitted():
    """One fitted object of each kind; tests deep-copy before changing them."""
    return {
        kind: _make(kind).fit(_training_data(kind), Y)
        for kind in ("transformer", "lstm", "token", "pipeline")
    }


def _output(obj, kind):
    """What a fitted object computes on its training data."""
    if kind == "transformer":
        return obj.transform(X_TOK)
    return obj.predict_proba(_training_data(kind))


def _snapshot(obj, kind):
    """The fitted state: the transformer's attributes, a classifier's outputs.

    For a Pipeline, the classifier step's: scikit-learn's ``Pipeline.fit`` is
    not atomic (a classifier that refuses the data leaves the encoder refitted
    to it), which this project cannot change.
    """
    if kind == "transformer":
        return {name: value for name, value in vars(obj).items() if name.endswith("_")}
    if kind == "pipeline":
        return obj[-1].predict_proba(X_HOT)
    return obj.predict_proba(_training_data(kind))


def _estimators(obj):
    return [step for _, step in obj.steps] if isinstance(obj, Pipeline) else [obj]


def _fitted_names(obj):
    final = _estimators(obj)[-1]
    return sorted(name for name in vars(final) if name.endswith("_"))


def _assert_unchanged(value, copied):
    """``value`` equals the deep copy taken before the call, dtype included."""
    if isinstance(value, np.ndarray):
        assert isinstance(copied, np.ndarray)
        assert value.dtype == copied.dtype
        assert value.shape == copied.shape
        # Element by element: NaN inside object arrays compares unequal.
        for a, b in zip(value.ravel().tolist(), copied.ravel().tolist(), strict=True):
            assert a == b or (a != a and b != b), (a, b)
    elif isinstance(value, pd.DataFrame):
        pd.testing.assert_frame_equal(value, copied)
    else:
        assert type(value) is type(copied)
        assert repr(value) == repr(copied)


# --- bad-input catalogue -----------------------------------------------------------

_ROWS = {}


def _row(id_, kind, state, method, args, error, match, params=None):
    _ROWS[id_] = (kind, state, method, args, error, match, params or {})


def _n_for_memory(width, itemsize=4):
    """Sequences of LENGTH steps whose one-hot of ``width`` exceeds the memory."""
    memory = physical_memory() or 2**50
    return memory // (LENGTH * width * itemsize) + 1


_HUGE_N = _n_for_memory(10**9)
_one_class = (X_TOK[:1], Y[:1])
_mixed_labels = np.array(["a", 1] * 20, dtype=object)

# make_echo_sequences: args are the keyword arguments.
_row(
    "generator-huge-size-names-memory",
    "generator",
    None,
    None,
    {"n_samples": 10**9, "length": 10**6},
    ValueError,
    MEMORY,
)
_row(
    "generator-numpy-float-size",
    "generator",
    None,
    None,
    {"n_samples": np.float64(10)},
    TypeError,
    r"^n_samples must be an integer, got 10\.0 of type float64\.$",
)
_row(
    "generator-none-size",
    "generator",
    None,
    None,
    {"length": None},
    TypeError,
    r"^length must be an integer, got None",
)
# OneHotSequenceTransformer.
_row(
    "transformer-one-hot-of-1e9-values-names-memory",
    "transformer",
    "refit",
    "transform",
    (np.zeros((_HUGE_N, LENGTH), dtype=np.int64),),
    ValueError,
    rf"^The one-hot output of shape \({_HUGE_N}, {LENGTH}, 1000000000\) and dtype "
    rf"float32 would need {MEMORY}, more than this machine's {MEMORY} of memory\.$",
    {"n_features": 10**9},
)
_row(
    "transformer-one-hot-of-1e6-values-per-step-names-memory",
    "transformer",
    "refit",
    "transform",
    (np.zeros((10**6, LENGTH), dtype=np.int64),),
    ValueError,
    rf"shape \(1000000, {LENGTH}, 1000000\).*would need {MEMORY}",
    {"n_features": 10**6},
)
_row(
    "transformer-inverse-of-strings",
    "transformer",
    "fitted",
    "inverse_transform",
    (np.full((2, LENGTH, N_FEATURES), "1"),),
    TypeError,
    r"^OneHotSequenceTransformer expects .*, got strings\.$",
)
_row(
    "transformer-inverse-of-ragged-width",
    "transformer",
    "fitted",
    "inverse_transform",
    ([[[1, 0, 0, 0, 0]] * LENGTH, [[1, 0, 0, 0]] * (LENGTH - 1)],),
    ValueError,
    r"^OneHotSequenceTransformer expects the same number of features at every "
    r"step, but sequence 0 of X has 5 and sequence 1 has 4\.$",
)
_row(
    "transformer-inverse-of-infinity",
    "transformer",
    "fitted",
    "inverse_transform",
    (np.full((2, LENGTH, N_FEATURES), np.inf),),
    ValueError,
    r"contains infinity",
)
_row(
    "transformer-inverse-of-tokens",
    "transformer",
    "fitted",
    "inverse_transform",
    (X_TOK,),
    ValueError,
    r"^inverse_transform expects an array of shape \(n_samples, 4, 5\), got shape "
    r"\(40, 4\)\.$",
)
# LSTMClassifier.
_row(
    "lstm-hidden-size-that-exhausts-memory",
    "lstm",
    "unfitted",
    "fit",
    (X_HOT, Y),
    ValueError,
    MEMORY,
    {"hidden_size": 10**6},
)
_row(
    "lstm-burn-in-that-exhausts-memory",
    "lstm",
    "fitted",
    "fit",
    (X_HOT, Y),
    ValueError,
    rf"^The burn-in's steps of shape \(1000000000000, 10\) and dtype float32 "
    rf"would need {MEMORY}, more than this machine's {MEMORY} of memory\.$",
    {"burn_in": 10**12},
)
_row(
    "lstm-one-sample",
    "lstm",
    "fitted",
    "fit",
    (X_HOT[:1], Y[:1]),
    ValueError,
    r"needs samples of at least 2 classes in y; got one class",
)
_row(
    "lstm-labels-mixing-strings-and-numbers",
    "lstm",
    "fitted",
    "fit",
    (X_HOT, _mixed_labels),
    (ValueError, TypeError),
    r"(?i)label.*(type|mix)|(type|mix).*label",
)
_row(
    "lstm-y-none",
    "lstm",
    "unfitted",
    "fit",
    (X_HOT, None),
    ValueError,
    r"requires y to be passed, but the target y is None",
)
_row(
    "lstm-ragged-empty-sequence-at-predict",
    "lstm",
    "fitted",
    "predict_proba",
    ([X_HOT[0].tolist(), X_HOT[1, :0].tolist()],),
    ValueError,
    r"^Sequence 1 of X is empty: LSTMClassifier needs at least one step in every "
    r"sequence\.$",
)
_row(
    "lstm-object-array-with-none",
    "lstm",
    "fitted",
    "predict",
    (np.where(X_HOT > 0, None, 0.0).astype(object),),
    ValueError,
    r"^Input X contains NaN",
)
_row(
    "lstm-float64-beyond-float32",
    "lstm",
    "fitted",
    "predict",
    (np.full((2, LENGTH, N_FEATURES), 1e300),),
    ValueError,
    r"^Input X contains infinity or a value too large for dtype\('float32'\)",
)
_row(
    "lstm-score-with-fewer-labels",
    "lstm",
    "fitted",
    "score",
    (X_HOT, Y[:-1]),
    ValueError,
    r"inconsistent numbers of samples: \[39, 40\]",
)
# TokenLSTMClassifier.
_row(
    "token-unfitted-predict",
    "token",
    "unfitted",
    "predict",
    (X_TOK,),
    NotFittedError,
    r"TokenLSTMClassifier instance is not fitted yet",
)
_row(
    "token-unfitted-summary",
    "token",
    "unfitted",
    "summary",
    (),
    NotFittedError,
    r"not fitted yet",
)
_row(
    "token-burn-in-that-exhausts-memory",
    "token",
    "fitted",
    "fit",
    (X_TOK, Y),
    ValueError,
    rf"^The burn-in's steps of shape \(1000000000000, 10\) .*would need {MEMORY}",
    {"burn_in": 10**12},
)
_row(
    "token-vocabulary-that-exhausts-memory",
    "token",
    "unfitted",
    "fit",
    (X_TOK, Y),
    ValueError,
    MEMORY,
    {"n_features": 10**12},
)
_row(
    "token-learnt-vocabulary-that-exhausts-memory",
    "token",
    "fitted",
    "fit",
    (np.full((2, LENGTH), 2**62), [0, 1]),
    ValueError,
    MEMORY,
    {"n_features": None},
)
_row(
    "token-negative-at-predict",
    "token",
    "fitted",
    "predict",
    ([[0, -1, 2, 3]],),
    ValueError,
    r"^Negative values in data passed to TokenLSTMClassifier",
)
_row(
    "token-fractional-at-predict",
    "token",
    "fitted",
    "predict_proba",
    ([[0, 1.5, 2, 3]],),
    ValueError,
    r"^TokenLSTMClassifier expects integer tokens, got the fractional value",
)
_row(
    "token-infinity-at-predict",
    "token",
    "fitted",
    "predict",
    ([[0, np.inf, 2, 3]],),
    ValueError,
    r"^Input X contains infinity",
)
_row(
    "token-bool-at-predict",
    "token",
    "fitted",
    "predict",
    (np.ones((2, LENGTH), dtype=bool),),
    TypeError,
    r"^TokenLSTMClassifier expects integer tokens, got an array of dtype bool\.$",
)
_row(
    "token-shorter-at-predict",
    "token",
    "fitted",
    "predict",
    (X_TOK[:, :-1],),
    ValueError,
    r"^X has 3 features, but TokenLSTMClassifier is expecting 4 features",
)
_row(
    "token-one-hot-at-predict",
    "token",
    "fitted",
    "predict",
    (X_HOT,),
    ValueError,
    DIM_3.format("TokenLSTMClassifier"),
)
_row(
    "token-no-samples-at-predict",
    "token",
    "fitted",
    "predict",
    (np.zeros((0, LENGTH), dtype=np.int64),),
    ValueError,
    r"^Found array with 0 sample\(s\)",
)
_row(
    "token-unknown-at-partial-fit",
    "token",
    "fitted",
    "partial_fit",
    ([[0, 1, 2, 7], [1, 1, 1, 1]], [0, 1]),
    ValueError,
    r"^X contains the unknown token 7: fitted tokens are in \[0, 5\)",
)
_row(
    "token-object-strings",
    "token",
    "unfitted",
    "fit",
    (np.array([["1", "a", 2, 3]] * 2, dtype=object), [0, 1]),
    TypeError,
    r"^TokenLSTMClassifier expects integer tokens, got strings\.$",
)
_row(
    "token-one-sample",
    "token",
    "fitted",
    "fit",
    _one_class,
    ValueError,
    r"needs samples of at least 2 classes in y; got one class",
)
# Pipeline(OneHotSequenceTransformer, LSTMClassifier).
_row(
    "pipeline-unfitted-predict",
    "pipeline",
    "unfitted",
    "predict_proba",
    (X_TOK,),
    NotFittedError,
    r"not fitted yet",
)
_row(
    "pipeline-unknown-token-at-predict",
    "pipeline",
    "fitted",
    "predict",
    ([[0, 1, 2, 7]],),
    ValueError,
    r"^X contains the unknown token 7",
)
_row(
    "pipeline-longer-at-predict",
    "pipeline",
    "fitted",
    "predict",
    (np.c_[X_TOK, X_TOK],),
    ValueError,
    r"^X has 8 features, but OneHotSequenceTransformer is expecting 4 features",
)
_row(
    "pipeline-one-hot-at-predict",
    "pipeline",
    "fitted",
    "predict",
    (X_HOT,),
    ValueError,
    r"^Found array with dim 3",
)
_row(
    "pipeline-strings-at-predict",
    "pipeline",
    "fitted",
    "predict",
    (X_TOK.astype(str),),
    TypeError,
    r"^OneHotSequenceTransformer expects integer tokens, got strings\.$",
)
_row(
    "pipeline-fractional-at-fit",
    "pipeline",
    "fitted",
    "fit",
    (X_TOK + 0.5, Y),
    ValueError,
    r"expects integer tokens, got the fractional value",
)
_row(
    "pipeline-ragged-negative-token-at-fit",
    "pipeline",
    "unfitted",
    "fit",
    ([[0, 1, 2, 3], [0, -1]], [0, 1]),
    ValueError,
    r"^Negative values in data passed to OneHotSequenceTransformer",
)
_row(
    "pipeline-one-sample",
    "pipeline",
    "fitted",
    "fit",
    _one_class,
    ValueError,
    r"needs samples of at least 2 classes in y; got one class",
)
_row(
    "pipeline-invalid-lr",
    "pipeline",
    "fitted",
    "fit",
    (X_TOK, Y),
    ValueError,
    r"^lr == -1, must be > 0\.0\.$",
    {"lstmclassifier__lr": -1},
)
_row(
    "pipeline-one-hot-that-exhausts-memory",
    "pipeline",
    "unfitted",
    "fit",
    (X_TOK, Y),
    ValueError,
    rf"^The one-hot output of shape \(40, 4, 1000000000000\).*would need {MEMORY}",
    {"onehotsequencetransformer__n_features": 10**12},
)
_row(
    "pipeline-score-with-nan-labels",
    "pipeline",
    "fitted",
    "score",
    (X_TOK, np.where(Y == 0, np.nan, Y)),
    ValueError,
    r"contains NaN",
)


@pytest.mark.parametrize(
    ("kind", "state", "method", "args", "error", "match", "params"),
    list(_ROWS.values()),
    ids=list(_ROWS),
)
def test_bad_input_raises_a_clear_error_and_changes_nothing(
    fitted, kind, state, method, args, error, match, params
):
    """Rows: generator kwargs, or an object that is unfitted, the fitted one
    (``params`` set after fitting), or refitted with ``params``."""
    before = copy.deepcopy(args)
    if kind == "generator":
        with pytest.raises(error, match=match):
            make_echo_sequences(**args)
        for name, value in args.items():
            _assert_unchanged(value, before[name])
        return
    if state == "unfitted":
        obj = _make(kind, **params)
    elif state == "fitted":
        obj = copy.deepcopy(fitted[kind])
    else:
        obj = _make(kind, **params).fit(_training_data(kind), Y)
    original_params = obj.get_params()
    names = _fitted_names(obj)
    snapshot = None if state == "unfitted" else _snapshot(obj, kind)
    if state == "fitted":
        obj.set_params(**params)
    with pytest.raises(error, match=match):
        getattr(obj, method)(*args)
    for value, copied in zip(args, before, strict=True):
        _assert_unchanged(value, copied)
    if state == "unfitted":
        _assert_unfitted(obj)
        return
    obj.set_params(**{name: original_params[name] for name in params})
    _assert_same_state(obj, kind, names, snapshot)


def _assert_unfitted(obj):
    try:
        check_is_fitted(obj)
    except NotFittedError:
        return
    raise AssertionError(f"the call failed, but left {obj!r} fitted")


def _assert_same_state(obj, kind, names, snapshot):
    assert _fitted_names(obj) == names
    if kind == "transformer":
        assert _snapshot(obj, kind) == snapshot
    else:
        assert_array_equal(_snapshot(obj, kind), snapshot)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], r"[Ss]eed"),
        (["--out-index", "1.5"], r"argument --out-index: expected an integer"),
        (["--n-features", "1"], r"at least 2 classes"),
        (["--n-features", str(2**64)], r"n_features"),
        (
            ["--n-features", "1000000", "--length", "1000", "--n-samples", "1000"],
            rf"one-hot output .* would need {MEMORY}",
        ),
        (["--n-samples", str(10**12)], MEMORY),
    ],
    ids=[
        "negative-seed",
        "fractional-out-index",
        "one-value-so-one-class",
        "n-features-beyond-int64",
        "one-hot-of-1e6-values-per-step",
        "sequences-that-exhaust-memory",
    ],
)
def test_bad_command_line_is_a_usage_error_without_traceback(args, message, capsys):
    small = ["demo", "--length", "5", "--n-features", "10", "--n-samples", "50"]
    small += ["--n-test", "10", "--epochs", "1", "--quiet"]
    with pytest.raises(SystemExit) as exit_info:
        main([*small, *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: sklearn-echo" in err
    assert "Traceback" not in err
    assert re.search(message, err), err


# --- fuzzing -----------------------------------------------------------------------

_INTS = st.one_of(
    st.integers(0, N_FEATURES),
    st.sampled_from([-1, -7, 2**40, 2**62, 2**63 - 1, -(2**63)]),
)
_FLOAT32S = st.one_of(
    st.integers(0, N_FEATURES).map(float),
    st.sampled_from([0.5, -1.0, -0.0, np.nan, np.inf, -np.inf, 1e20, 3e38]),
)
_FLOATS = st.one_of(_FLOAT32S, st.sampled_from([1e300, -1e300, 2.0**63, 2.0**70]))
_STRINGS = st.sampled_from(["a", "1", "", "nan", "-1", "2.5"])
_ELEMENTS = {
    # Valid tokens but for the odd huge one.
    "tokens": st.one_of(
        st.integers(0, N_FEATURES - 1), st.sampled_from([2**40, 2**62, 2**63 - 1])
    ),
    "int64": _INTS,
    "uint8": st.integers(0, 255),
    "float64": _FLOATS,
    "float32": _FLOAT32S,
    "bool": st.booleans(),
    "object": st.one_of(_INTS, _FLOATS, _STRINGS, st.none()),
    "str": _STRINGS,
}
# Near-valid tokens are drawn more often: they reach deepest into fit.
_DTYPES = [*sorted(_ELEMENTS), "tokens", "tokens"]
# The shapes each kind was fitted on (any number of samples).
_GOOD_SHAPES = {
    "transformer": [(LENGTH,), (LENGTH, N_FEATURES)],
    "lstm": [(LENGTH, N_FEATURES), (LENGTH,)],
    "token": [(LENGTH,)],
    "pipeline": [(LENGTH,)],
}


@st.composite
def _arrays(draw, good_shapes, max_dims=4):
    """Arrays of random shape and dtype, with NaN/inf, negative and huge values."""
    if good_shapes and draw(st.booleans()):
        shape = (draw(st.integers(0, 4)), *draw(st.sampled_from(good_shapes)))
    else:
        shape = draw(
            hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=4)
        )
    dtype = draw(st.sampled_from(_DTYPES))
    values = draw(
        st.lists(
            _ELEMENTS[dtype], min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
        )
    )
    if dtype == "object":
        array = np.empty(len(values), dtype=object)
        array[:] = values
    else:
        array = np.array(values, dtype="int64" if dtype == "tokens" else dtype)
    array = array.reshape(shape)
    form = draw(st.sampled_from(["array", "list", "frame"]))
    if form == "list":
        return array.tolist()
    if form == "frame" and array.ndim == 2:
        return pd.DataFrame(array)
    return array


def _labels(n_samples):
    return st.lists(st.integers(0, 2), min_size=n_samples, max_size=n_samples).map(
        np.array
    )


def _n_samples(X):
    return len(X) if isinstance(X, (list, pd.DataFrame)) or np.ndim(X) else 1


def _check_result(obj, method, X, result):
    """A call that did not raise must return what it documents."""
    n_samples = _n_samples(X)
    if method in ("fit", "partial_fit"):
        assert result is obj
        # Never a silent model of NaNs.  Several targets give one array of
        # probabilities per target, each as wide as its classes.
        if hasattr(obj, "predict_proba"):
            proba = obj.predict_proba(X)
            for target in proba if isinstance(proba, list) else [proba]:
                assert np.isfinite(target).all()
    elif method == "predict":
        assert result.shape == (n_samples,)
        assert np.isin(result, obj.classes_).all()
    elif method == "predict_proba":
        assert result.shape == (n_samples, len(obj.classes_))
        assert np.isfinite(result).all()
        assert_allclose(result.sum(axis=1), 1.0)
    elif method == "score":
        assert 0.0 <= result <= 1.0
    elif method in ("transform", "fit_transform"):
        if isinstance(result, list):
            # Sequences given one by one, of another length than fitted.
            assert [len(item) for item in result] == [len(item) for item in X]
            assert all(set(np.unique(item)) <= {0, 1} for item in result)
        else:
            assert result.shape[:2] == np.shape(X)
            assert set(np.unique(result)) <= {0, 1}
    elif method == "inverse_transform":
        if isinstance(result, list):
            assert [len(item) for item in result] == [len(item) for item in X]
            assert all(item.dtype == np.int64 for item in result)
        else:
            assert result.shape == np.shape(X)[:2]
            assert result.dtype == np.int64
    else:
        raise AssertionError(method)


def _innermost_file(exc):
    traceback = exc.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback.tb_frame.f_code.co_filename


_LEARN_VOCABULARY = {
    "transformer": {"n_features": None},
    "lstm": {},
    "token": {"n_features": None},
    "pipeline": {"onehotsequencetransformer__n_features": None},
}
_METHODS = {
    "transformer": ["fit", "transform", "fit_transform", "inverse_transform"],
    "lstm": ["fit", "partial_fit", "predict", "predict_proba", "score"],
    "token": ["fit", "partial_fit", "predict", "predict_proba", "score"],
    "pipeline": ["fit", "predict", "predict_proba", "score"],
}


@pytest.mark.parametrize(
    ("kind", "method"),
    [(kind, method) for kind, methods in _METHODS.items() for method in methods],
)
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_arrays_give_a_clean_result_or_a_clear_error(fitted, kind, method, data):
    is_fitted = data.draw(st.booleans(), label="fitted")
    mutates = method in ("fit", "partial_fit", "fit_transform")
    if not is_fitted:
        # The default n_features=None: the vocabulary is learnt from X.
        obj = _make(kind, **_LEARN_VOCABULARY[kind])
    else:
        obj = copy.deepcopy(fitted[kind]) if mutates else fitted[kind]
    X = data.draw(_arrays(_GOOD_SHAPES[kind]), label="X")
    args = (X,)
    if method in ("fit", "partial_fit", "score") and kind != "transformer":
        y = data.draw(
            st.one_of(_labels(_n_samples(X)), _arrays([], max_dims=2)), label="y"
        )
        args = (X, y)
    before = copy.deepcopy(args)
    names = _fitted_names(obj)
    snapshot = _snapshot(obj, kind) if is_fitted else None
    clear_errors = (ValueError, TypeError)  # NotFittedError is a ValueError
    if mutates and kind != "transformer":
        clear_errors += (FloatingPointError,)
    try:
        result = getattr(obj, method)(*args)
    except clear_errors as exc:
        assert str(exc)
        assert f"{os.sep}torch{os.sep}" not in _innermost_file(exc), repr(exc)
        # A failed call leaves the object as it was.
        if is_fitted:
            _assert_same_state(obj, kind, names, snapshot)
        else:
            _assert_unfitted(obj)
    else:
        _check_result(obj, method, X, result)
    for value, copied in zip(args, before, strict=True):
        _assert_unchanged(value, copied)


# --- training faults ---------------------------------------------------------------

X_ECHO, Y_ECHO = _tokens(200)
X_ECHO_HOT = _onehot(X_ECHO)
_ABSURD = {"lr": 1e38, "clip_grad_norm": None, "hidden_size": 4, "random_state": 0}


@pytest.mark.parametrize(
    ("optimizer", "message"),
    [
        ("sgd", r"^The training loss became (inf|nan) in epoch 1"),
        # 'adam' is torch's fused Adam, whose step stays in C++ and gives nan.
        ("adam", r"^The training loss became (inf|nan) in epoch 1"),
        # torch's default Adam computes its step size in Python, which overflows.
        (torch.optim.Adam, r"^Training overflowed"),
    ],
    ids=["sgd", "adam", "torch-adam"],
)
def test_diverging_training_raises_floating_point_error_naming_lr(optimizer, message):
    clf = LSTMClassifier(optimizer=optimizer, max_epochs=2, **_ABSURD)
    with pytest.raises(FloatingPointError, match=rf"{message}.*lr \(now 1e\+38\)"):
        clf.fit(X_ECHO_HOT, Y_ECHO)
    assert not [name for name in vars(clf) if name.endswith("_")]


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_diverging_fit_leaves_the_earlier_fitted_model_unchanged(optimizer):
    clf = LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0)
    clf.fit(X_ECHO_HOT, Y_ECHO)
    proba = clf.predict_proba(X_ECHO_HOT)
    state = dict(vars(clf))
    clf.set_params(optimizer=optimizer, max_epochs=2, lr=1e38, clip_grad_norm=None)
    with pytest.raises(FloatingPointError):
        clf.fit(X_ECHO_HOT, Y_ECHO)
    assert vars(clf).keys() == state.keys()
    assert clf.net_ is state["net_"]
    assert len(clf.net_.history) == 2
    assert_array_equal(clf.predict_proba(X_ECHO_HOT), proba)


def test_a_last_step_that_overflows_raises_instead_of_leaving_nan_weights():
    # One batch, one epoch: the only loss is computed before the step that
    # overflows, so a check of the loss alone sees nothing wrong.
    clf = LSTMClassifier(optimizer="rmsprop", max_epochs=1, batch_size=200, **_ABSURD)
    try:
        clf.fit(X_ECHO_HOT, Y_ECHO)
    except FloatingPointError:
        return
    assert np.isfinite(clf.predict_proba(X_ECHO_HOT)).all(), (
        "fit returned a model that predicts NaN"
    )


@pytest.mark.parametrize("method", ["warm-start-fit", "partial_fit"])
def test_diverging_continued_training_leaves_history_and_optimizer_unchanged(method):
    clf = LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0)
    clf.fit(X_ECHO_HOT, Y_ECHO)
    reference = copy.deepcopy(clf)
    clf.set_params(warm_start=True, lr=1e38, clip_grad_norm=None, max_epochs=1)
    with pytest.raises(FloatingPointError):
        if method == "partial_fit":
            clf.partial_fit(X_ECHO_HOT, Y_ECHO)
        else:
            clf.fit(X_ECHO_HOT, Y_ECHO)
    assert clf.n_iter_ == 2
    assert len(clf.net_.history) == 2
    assert_array_equal(
        clf.predict_proba(X_ECHO_HOT), reference.predict_proba(X_ECHO_HOT)
    )
    # The optimizer state must be the fitted one too: training on from here
    # gives what training on from the untouched copy gives.
    clf.set_params(**reference.get_params())
    clf.partial_fit(X_ECHO_HOT, Y_ECHO)
    reference.partial_fit(X_ECHO_HOT, Y_ECHO)
    assert_array_equal(
        clf.predict_proba(X_ECHO_HOT), reference.predict_proba(X_ECHO_HOT)
    )


class _InterruptInEpoch(Callback):
    """Raise KeyboardInterrupt (Ctrl-C) after the 2nd training batch of an epoch."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        self.batches_ = 0

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.batches_ += 1
            if len(net.history) == self.epoch and self.batches_ == 2:
                raise KeyboardInterrupt


@pytest.mark.parametrize("kind", ["lstm", "token"])
def test_interrupted_fit_keeps_the_last_finished_epoch_and_warns(kind):
    X = X_ECHO_HOT if kind == "lstm" else X_ECHO
    params = {"hidden_size": 4, "batch_size": 32}
    clf = _make(kind, max_epochs=3, callbacks=[_InterruptInEpoch()], **params)
    with pytest.warns(
        UserWarning, match=r"interrupted during epoch 2.*after epoch 1"
    ) as record:
        clf.fit(X, Y_ECHO)
    # The warning points at the user's line (this file), not into the library.
    assert [Path(w.filename).name for w in record] == [Path(__file__).name]
    assert clf.n_iter_ == 1
    assert len(clf.net_.history) == 1
    one_epoch = _make(kind, max_epochs=1, **params).fit(X, Y_ECHO)
    assert_array_equal(clf.predict_proba(X), one_epoch.predict_proba(X))
    assert_array_equal(clf.predict(X), one_epoch.predict(X))
    # The optimizer state is the one after epoch 1 too.
    clf.set_params(callbacks=None).partial_fit(X, Y_ECHO)
    one_epoch.partial_fit(X, Y_ECHO)
    assert_array_equal(clf.predict_proba(X), one_epoch.predict_proba(X))


# --- persistence -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["token", "pipeline", "transformer"])
def test_joblib_file_round_trip_gives_identical_outputs(fitted, kind, tmp_path):
    obj = fitted[kind]
    path = tmp_path / "model.joblib"
    joblib.dump(obj, path, compress=3)
    restored = joblib.load(path)
    assert_array_equal(_output(restored, kind), _output(obj, kind))
    if kind != "transformer":
        assert_array_equal(restored.predict(X_TOK), obj.predict(X_TOK))


@pytest.mark.parametrize("kind", ["lstm", "token", "pipeline"])
def test_unpickling_loads_tensors_with_weights_only(fitted, kind, monkeypatch):
    obj = fitted[kind]
    clf = _estimators(obj)[-1]
    assert clf.net_.torch_load_kwargs == {"weights_only": True}
    payload = pickle.dumps(obj)
    calls = []
    load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    restored = pickle.loads(payload)
    assert calls
    assert all(call.get("weights_only") is True for call in calls)
    assert _estimators(restored)[-1].net_.torch_load_kwargs == {"weights_only": True}
    assert_array_equal(_output(restored, kind), _output(obj, kind))


def test_pickled_token_classifier_continues_training_like_the_original(fitted):
    clf = copy.deepcopy(fitted["token"])
    restored = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X_TOK, Y)
    restored.partial_fit(X_TOK, Y)
    assert_array_equal(restored.predict_proba(X_TOK), clf.predict_proba(X_TOK))


_LOAD_ON_CPU = """
import pickle, sys
import numpy as np, torch
assert not torch.cuda.is_available()
with open(sys.argv[1], "rb") as f:
    clf = pickle.load(f)
print(next(clf.net_.module_.parameters()).device)
np.save(sys.argv[3], clf.predict_proba(np.load(sys.argv[2])))
"""


@requires_cuda
def test_model_trained_on_cuda_unpickles_and_predicts_on_a_cpu_only_machine(tmp_path):
    clf = LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0, device="cuda")
    clf.fit(X_HOT, Y)
    expected = clf.predict_proba(X_HOT)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X_HOT)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _LOAD_ON_CPU,
            str(tmp_path / "model.pkl"),
            str(tmp_path / "X.npy"),
            str(tmp_path / "proba.npy"),
        ],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cpu"
    assert "Traceback" not in result.stderr
    assert_allclose(np.load(tmp_path / "proba.npy"), expected, atol=1e-5)


# --- GPU ---------------------------------------------------------------------------


@requires_cuda
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "auto"])
@pytest.mark.parametrize("kind", ["lstm", "token", "pipeline"])
def test_fit_and_predict_on_the_gpu_match_the_cpu(kind, device):
    params = {"hidden_size": 8, "max_epochs": 2}
    X = _training_data(kind)
    cpu = _make(kind, **params).fit(X, Y)
    gpu = _make(kind, device=device, **params).fit(X, Y)
    module = _estimators(gpu)[-1].net_.module_
    assert next(module.parameters()).device.type == "cuda"
    proba = gpu.predict_proba(X)
    expected = cpu.predict_proba(X)
    assert isinstance(proba, np.ndarray)
    # cuDNN sums in another order: close, not bit for bit.
    assert_allclose(proba, expected, atol=2e-3)
    # Predictions agree wherever the CPU model is not near a tie.
    top2 = np.sort(expected, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 5e-3
    assert_array_equal(gpu.predict(X)[clear], cpu.predict(X)[clear])
    # Predicting neither moves the model off the GPU nor switches its mode
    # (training leaves it in eval mode).
    assert next(module.parameters()).device.type == "cuda"
    assert not module.training


class _RecordStart(Callback):
    """Keep a copy of the module's weights as training begins."""

    def on_train_begin(self, net, **kwargs):
        self.start_ = {k: v.clone() for k, v in net.module_.state_dict().items()}


@pytest.mark.parametrize("kind", ["lstm", "token"])
def test_fit_interrupted_in_its_first_epoch_keeps_the_initial_model(kind):
    # Nothing finished: the weights are the initial ones, the optimizer holds
    # none of the state the unfinished epoch made, and the curves are empty.
    X = X_ECHO_HOT if kind == "lstm" else X_ECHO
    start = _RecordStart()
    clf = _make(
        kind,
        hidden_size=4,
        batch_size=32,
        max_epochs=3,
        callbacks=[start, _InterruptInEpoch(epoch=1)],
    )
    with pytest.warns(UserWarning, match=r"interrupted during epoch 1"):
        clf.fit(X, Y_ECHO)
    assert (clf.n_iter_, len(clf.net_.history)) == (0, 0)
    assert (clf.loss_curve_, clf.best_loss_) == ([], None)
    assert not clf.net_.optimizer_.state
    state = clf.net_.module_.state_dict()
    assert state.keys() == start.start_.keys()
    for name, value in start.start_.items():
        assert torch.equal(state[name], value), name
    # It predicts, and trains on from there.
    assert clf.predict(X).shape == (len(X),)
    clf.set_params(callbacks=None).partial_fit(X, Y_ECHO)
    assert clf.n_iter_ == 1
