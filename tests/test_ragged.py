"""Variable-length ("ragged") sequences through every public object.

A list, tuple, 1-D object array or pandas Series of sequences whose lengths
differ (or differ from the fitted length) takes the ragged path; equal-length
input keeps the array path.  These tests check what a user sees: the data
generator, shapes, that padding never reaches a result, consistency with the
array path, the places users take a model (searches, dask, pickle, partial
and warm-started fits), clear errors that change nothing, and determinism.
Everything runs on tiny data and tiny networks.
"""

import copy
import pickle
import re

import joblib
import numpy as np
import pandas as pd
import pytest
from distributed import get_task_stream
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

import sklearn_echo._ragged as ragged_module
from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    SequenceScaler,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo._ragged import length_sorted_batches, read_ragged

N_FEATURES = 4
LENGTH = 12
MIN_LENGTH = 2
# Tiny models: every fit takes a fraction of a second.
FAST = {"hidden_size": 3, "max_epochs": 2, "random_state": 0}
# The tolerance of "the same prediction": a block's other sequences and its
# length can change how sums are rounded, never more than this.
ATOL = 1e-5
# --- data ---------------------------------------------------------------------------


def _tokens(n_samples=60, *, seed=0, out_index=0, length=LENGTH, min_length=2):
    """Token sequences of lengths in [min_length, length] and their echo target."""
    return make_echo_sequences(
        n_samples,
        length,
        N_FEATURES,
        out_index=out_index,
        min_length=min_length,
        random_state=seed,
    )


def _floats(n_samples=60, *, n_features=2, seed=0, low=MIN_LENGTH, high=LENGTH):
    """2-D float32 sequences of lengths in [low, high]; y is the first step's sign."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(low, high + 1, size=n_samples)
    X = [rng.normal(size=(n, n_features)).astype(np.float32) for n in lengths]
    y = np.array([int(x[0, 0] > 0) for x in X])
    return X, y


def _targets(X):
    """A real target for the regressor: the first value of each sequence."""
    return np.array([float(np.asarray(x).reshape(len(x), -1)[0, 0]) for x in X])


def _object_array(X):
    """X's sequences in a 1-D object array."""
    array = np.empty(len(X), dtype=object)
    array[:] = list(X)
    return array


def _pipeline(**params):
    return make_pipeline(
        OneHotSequenceTransformer(n_features=N_FEATURES),
        LSTMClassifier(**{**FAST, **params}),
    )


def _token_classifier(**params):
    return TokenLSTMClassifier(n_features=N_FEATURES, **{**FAST, **params})


X_TOK, Y_TOK = _tokens()
X_FLOAT, Y_FLOAT = _floats()


def _assert_same_input(value, copied):
    """``value`` equals the deep copy taken before the call: type, dtype, values."""
    assert type(value) is type(copied)
    if isinstance(value, (list, tuple)):
        assert len(value) == len(copied)
        for item, item_copy in zip(value, copied, strict=True):
            _assert_same_input(item, item_copy)
    elif isinstance(value, np.ndarray) and value.dtype == object:
        assert value.shape == copied.shape
        for item, item_copy in zip(value.ravel(), copied.ravel(), strict=True):
            _assert_same_input(item, item_copy)
    elif isinstance(value, np.ndarray):
        assert value.dtype == copied.dtype
        # assert_array_equal counts NaN in the same place as equal.
        assert_array_equal(value, copied, strict=True)
    else:
        assert value == copied


# --- 1. make_echo_sequences(min_length=...) ------------------------------------------


def test_min_length_gives_a_list_of_int64_sequences_of_every_length_in_range():
    X, y = make_echo_sequences(500, 7, 5, min_length=3, random_state=0)
    assert isinstance(X, list)
    assert len(X) == 500
    assert all(isinstance(x, np.ndarray) and x.ndim == 1 for x in X)
    assert {x.dtype for x in X} == {np.dtype(np.int64)}
    assert {len(x) for x in X} == {3, 4, 5, 6, 7}
    values = np.concatenate(X)
    assert values.min() >= 0
    assert values.max() < 5
    assert y.shape == (500,)
    assert y.dtype == np.int64


@pytest.mark.parametrize("out_index", [0, 2, -1, -3])
def test_min_length_target_is_each_sequences_value_at_out_index(out_index):
    X, y = make_echo_sequences(
        200, 9, 6, out_index=out_index, min_length=3, random_state=1
    )
    # A negative index counts from each sequence's own end, as x[out_index] does.
    assert_array_equal(y, [x[out_index] for x in X])


@pytest.mark.parametrize(
    "out_index", [(0, -1), [0, -1], np.array([0, -1]), np.array([[0, -1]])], ids=repr
)
def test_min_length_with_several_out_indices_gives_one_column_each(out_index):
    # The shape of y is that of a call without min_length: one column each.
    X, y = make_echo_sequences(
        200, 9, 6, out_index=out_index, min_length=2, random_state=2
    )
    assert y.shape == (200, 2)
    assert make_echo_sequences(5, 9, 6, out_index=out_index)[1].shape == (5, 2)
    assert_array_equal(y[:, 0], [x[0] for x in X])
    assert_array_equal(y[:, 1], [x[-1] for x in X])


@pytest.mark.parametrize(
    ("out_index", "bad"), [(3, 3), (-4, -4), ((0, 3), 3), ((-4, 0), -4)]
)
def test_out_index_outside_the_shortest_sequence_raises(out_index, bad):
    with pytest.raises(
        ValueError,
        match=rf"^out_index={bad} is out of range for sequences as short as "
        r"min_length=3 \(negative values count from each sequence's own end\): "
        r"expected -3 <= out_index < 3\.$",
    ):
        make_echo_sequences(10, 8, 5, out_index=out_index, min_length=3)


@pytest.mark.parametrize(
    ("min_length", "error", "match"),
    [
        (0, ValueError, r"^min_length == 0, must be >= 1\.$"),
        (9, ValueError, r"^min_length == 9, must be <= 8\.$"),
        (2.0, TypeError, r"^min_length must be an integer, got 2\.0 of type float\.$"),
        (True, TypeError, r"^min_length must be an integer, got True of type bool\.$"),
        ("2", TypeError, r"^min_length must be an integer, got '2' of type str\.$"),
    ],
    ids=["zero", "above-length", "float", "bool", "string"],
)
def test_min_length_outside_one_to_length_or_not_an_int_raises(
    min_length, error, match
):
    with pytest.raises(error, match=match):
        make_echo_sequences(10, 8, 5, out_index=0, min_length=min_length)


def test_min_length_none_gives_exactly_the_arrays_of_a_call_without_it():
    kwargs = {"out_index": -2, "flip_y": 0.3, "random_state": 3}
    X_default, y_default = make_echo_sequences(50, 6, 7, **kwargs)
    X_none, y_none = make_echo_sequences(50, 6, 7, min_length=None, **kwargs)
    assert isinstance(X_none, np.ndarray)
    assert_array_equal(X_none, X_default, strict=True)
    assert_array_equal(y_none, y_default, strict=True)


def test_min_length_with_the_same_random_state_gives_the_same_data():
    first = make_echo_sequences(
        80, 9, 5, min_length=2, out_index=-2, flip_y=0.2, random_state=4
    )
    second = make_echo_sequences(
        80, 9, 5, min_length=2, out_index=-2, flip_y=0.2, random_state=4
    )
    other = make_echo_sequences(
        80, 9, 5, min_length=2, out_index=-2, flip_y=0.2, random_state=5
    )
    for a, b in zip(first[0], second[0], strict=True):
        assert_array_equal(a, b, strict=True)
    assert_array_equal(first[1], second[1], strict=True)
    assert [len(x) for x in first[0]] != [len(x) for x in other[0]]


# --- 2. every object accepts ragged input --------------------------------------------


@pytest.mark.parametrize(
    "container",
    [list, tuple, lambda X: pd.Series(list(X)), _object_array],
    ids=["list", "tuple", "series", "object-array"],
)
def test_transformer_round_trips_ragged_tokens(container):
    X = container(X_TOK)
    before = copy.deepcopy(X)
    encoder = OneHotSequenceTransformer(n_features=N_FEATURES).fit(X)
    assert not hasattr(encoder, "n_features_in_")
    onehot = encoder.transform(X)
    assert isinstance(onehot, list)
    assert len(onehot) == len(X_TOK)
    for tokens, steps in zip(X_TOK, onehot, strict=True):
        assert steps.dtype == np.float32
        assert_array_equal(steps, np.eye(N_FEATURES)[tokens])
    decoded = encoder.inverse_transform(onehot)
    assert isinstance(decoded, list)
    for tokens, back in zip(X_TOK, decoded, strict=True):
        assert_array_equal(back, tokens, strict=True)
    if isinstance(X, pd.Series):
        pd.testing.assert_series_equal(X, before)
    else:
        _assert_same_input(X, before)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 6), min_size=1, max_size=12), min_size=1, max_size=8
    )
)
def test_transformer_inverse_transform_undoes_transform_for_any_token_lists(X):
    encoder = OneHotSequenceTransformer().fit(X)
    decoded = encoder.inverse_transform(encoder.transform(X))
    assert [list(row) for row in decoded] == X


def _ragged_case(kind):
    """(estimator, X, y) for one way of giving an estimator ragged sequences."""
    if kind == "token":
        return _token_classifier(), X_TOK, Y_TOK
    if kind == "lstm-2d-floats":
        return LSTMClassifier(**FAST), X_FLOAT, Y_FLOAT
    if kind == "lstm-1d-floats":
        X = [x[:, 0].astype(np.float64) for x in X_FLOAT]
        return LSTMClassifier(**FAST), X, Y_FLOAT
    if kind == "lstm-transformer-output":
        X = OneHotSequenceTransformer(n_features=N_FEATURES).fit_transform(X_TOK)
        return LSTMClassifier(**FAST), X, Y_TOK
    if kind == "pipeline":
        return _pipeline(), X_TOK, Y_TOK
    if kind == "regressor-2d-floats":
        return LSTMRegressor(**FAST), X_FLOAT, _targets(X_FLOAT)
    if kind == "regressor-1d-floats":
        X = [list(x[:, 0]) for x in X_FLOAT]
        return LSTMRegressor(**FAST), X, _targets(X_FLOAT)
    raise AssertionError(kind)


CLASSIFIER_CASES = [
    "token",
    "lstm-2d-floats",
    "lstm-1d-floats",
    "lstm-transformer-output",
    "pipeline",
]
REGRESSOR_CASES = ["regressor-2d-floats", "regressor-1d-floats"]


@pytest.mark.parametrize("kind", CLASSIFIER_CASES)
def test_classifiers_fit_and_predict_ragged_input_with_the_right_shapes(kind):
    clf, X, y = _ragged_case(kind)
    before = copy.deepcopy(X)
    clf.fit(X, y)
    classes = np.unique(y)
    assert_array_equal(clf.classes_, classes)
    predicted = clf.predict(X)
    assert predicted.shape == (len(X),)
    assert set(predicted) <= set(classes)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(classes))
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(predicted, classes[proba.argmax(axis=1)])
    score = clf.score(X, y)
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(np.mean(predicted == y))
    _assert_same_input(X, before)


@pytest.mark.parametrize("kind", REGRESSOR_CASES)
def test_regressor_fits_and_predicts_ragged_input_with_the_right_shapes(kind):
    reg, X, y = _ragged_case(kind)
    before = copy.deepcopy(X)
    reg.fit(X, y)
    predicted = reg.predict(X)
    assert predicted.shape == (len(X),)
    assert predicted.dtype == np.float64
    assert np.isfinite(predicted).all()
    score = reg.score(X, y)
    expected = 1 - ((y - predicted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert score == pytest.approx(expected)
    _assert_same_input(X, before)


def test_regressor_predicts_several_targets_of_ragged_input():
    y = np.c_[_targets(X_FLOAT), [x[-1, 1] for x in X_FLOAT]]
    reg = LSTMRegressor(**FAST).fit(X_FLOAT, y)
    predicted = reg.predict(X_FLOAT)
    assert predicted.shape == (len(X_FLOAT), 2)
    assert np.isfinite(predicted).all()


def test_token_classifier_predicts_several_targets_of_ragged_input():
    X, y = _tokens(out_index=(0, -1))
    clf = _token_classifier().fit(X, y)
    assert clf.predict(X).shape == (len(X), 2)
    probas = clf.predict_proba(X)
    assert isinstance(probas, list)
    assert [p.shape for p in probas] == [(len(X), len(c)) for c in clf.classes_]
    for proba in probas:
        assert_allclose(proba.sum(axis=1), 1.0)
    assert 0.0 <= clf.score(X, y) <= 1.0


# --- 3. padding never changes a prediction -------------------------------------------


def _with_long_sequences(X, long):
    """X's sequences with much longer ones before, between and after them."""
    half = len(long) // 2
    return [*long[:half], *X[:3], *long[half:], *X[3:]], [
        *range(half, half + 3),
        *range(len(long) + 3, len(long) + len(X)),
    ]


def _outputs(model, X):
    if isinstance(model, LSTMRegressor):
        return model.predict(X)
    return model.predict_proba(X)


PADDING_CASES = {
    "lstm-1-layer": ("floats", LSTMClassifier, {}),
    "lstm-2-layers": ("floats", LSTMClassifier, {"num_layers": 2}),
    "lstm-bidirectional": ("floats", LSTMClassifier, {"bidirectional": True}),
    "token-1-layer": ("tokens", TokenLSTMClassifier, {"n_features": N_FEATURES}),
    "token-bidirectional": (
        "tokens",
        TokenLSTMClassifier,
        {"n_features": N_FEATURES, "bidirectional": True},
    ),
    "regressor": ("floats", LSTMRegressor, {}),
    # The burn-in start state is the same for every sequence of a block.
    "lstm-burn-in-2-layers": (
        "floats",
        LSTMClassifier,
        {"burn_in": 5, "num_layers": 2, "dropout": 0.2},
    ),
    "token-burn-in-bidirectional": (
        "tokens",
        TokenLSTMClassifier,
        {"n_features": N_FEATURES, "bidirectional": True, "burn_in": 5},
    ),
    "regressor-burn-in": ("floats", LSTMRegressor, {"burn_in": 5}),
}


@pytest.fixture(scope="module")
def padding_models():
    """One model fitted on ragged data for each case of PADDING_CASES."""
    models = {}
    for name, (data, cls, params) in PADDING_CASES.items():
        if data == "tokens":
            X, y = X_TOK, Y_TOK
        else:
            X = X_FLOAT
            y = _targets(X) if cls is LSTMRegressor else Y_FLOAT
        models[name] = cls(**{**FAST, **params}).fit(X, y)
    return models


def _test_and_long(data):
    """10 test sequences of lengths 2..12, and 6 five times as long (60 steps)."""
    if data == "tokens":
        X, _ = _tokens(10, seed=7)
        long, _ = _tokens(6, seed=8, length=5 * LENGTH, min_length=5 * LENGTH)
        return list(X), list(long)
    X, _ = _floats(10, seed=7)
    long, _ = _floats(6, seed=8, low=5 * LENGTH, high=5 * LENGTH)
    return X, long


@pytest.mark.parametrize("case", list(PADDING_CASES))
def test_a_sequence_predicted_alone_or_among_longer_ones_gets_the_same_output(
    padding_models, case
):
    model = padding_models[case]
    X, long = _test_and_long(PADDING_CASES[case][0])
    # Alone: a list of one sequence (read as sequences by a model fitted on
    # different lengths), and an array of one (the array path).
    alone = np.concatenate([_outputs(model, [x]) for x in X])
    alone_as_array = np.concatenate(
        [_outputs(model, np.asarray(x)[np.newaxis]) for x in X]
    )
    assert_allclose(alone_as_array, alone, rtol=0, atol=ATOL)
    mixed, rows = _with_long_sequences(X, long)
    together = _outputs(model, mixed)[rows]
    assert together.shape == alone.shape
    assert_allclose(together, alone, rtol=0, atol=ATOL)
    # And among sequences of its own lengths only.
    assert_allclose(_outputs(model, X), alone, rtol=0, atol=ATOL)


@pytest.mark.parametrize(
    "case", [name for name in PADDING_CASES if not name.startswith("regressor")]
)
def test_a_sequence_longer_than_any_seen_in_training_is_predicted(padding_models, case):
    model = padding_models[case]
    X, long = _test_and_long(PADDING_CASES[case][0])
    very_long = [np.concatenate([x] * 10) for x in long[:2]]
    assert min(map(len, very_long)) == 10 * 5 * LENGTH
    proba = model.predict_proba([*very_long, X[0]])
    assert proba.shape == (3, len(model.classes_))
    assert np.isfinite(proba).all()
    assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "case",
    [
        "lstm-bidirectional",
        "token-bidirectional",
        "regressor",
        "lstm-burn-in-2-layers",
        "token-burn-in-bidirectional",
    ],
)
def test_ragged_fitted_model_gives_equal_length_arrays_the_ragged_paths_outputs(
    padding_models, case
):
    model = padding_models[case]
    X, long = _test_and_long(PADDING_CASES[case][0])
    # Equal-length sequences as one array: the array path.
    block = np.stack([x[:MIN_LENGTH] for x in X])
    mixed, rows = _with_long_sequences(list(block), long)
    assert_allclose(
        _outputs(model, mixed)[rows], _outputs(model, block), rtol=0, atol=ATOL
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"bidirectional": True, "num_layers": 2, "dropout": 0.2},
        {"burn_in": 5},
    ],
    ids=["default", "bidirectional-2-layers-dropout", "burn-in"],
)
def test_token_classifier_and_one_hot_pipeline_agree_on_ragged_data(params):
    # tests/test_token_classifier.py asserts the same on equal-length data.
    X, y = _tokens(200, seed=0)
    X_test, _ = _tokens(100, seed=1)
    params = {"hidden_size": 4, "max_epochs": 2, "random_state": 0, **params}
    pipeline = _pipeline(**params).fit(X, y)
    token = _token_classifier(**params).fit(X, y)
    assert_array_equal(token.predict(X_test), pipeline.predict(X_test))
    assert_allclose(
        token.predict_proba(X_test), pipeline.predict_proba(X_test), atol=ATOL
    )
    assert_allclose(
        token.net_.history[:, "train_loss"],
        pipeline[-1].net_.history[:, "train_loss"],
        rtol=1e-5,
    )


# --- 4. consistency with the array path ----------------------------------------------


def _equal_length_case(kind, length=6):
    """(estimator, X) fitted on equal-length arrays of ``length`` steps."""
    X, y = make_echo_sequences(40, length, N_FEATURES, out_index=0, random_state=0)
    if kind == "transformer":
        return OneHotSequenceTransformer(n_features=N_FEATURES).fit(X), X
    if kind == "token":
        return _token_classifier().fit(X, y), X
    if kind == "pipeline":
        return _pipeline().fit(X, y), X
    X_hot = np.eye(N_FEATURES, dtype=np.float32)[X]
    if kind == "lstm":
        return LSTMClassifier(**FAST).fit(X_hot, y), X_hot
    if kind == "regressor":
        return LSTMRegressor(**FAST).fit(X_hot, y.astype(float)), X_hot
    raise AssertionError(kind)


def _predict(obj, X):
    if isinstance(obj, OneHotSequenceTransformer):
        return obj.transform(X)
    return _outputs(obj, X)


@pytest.mark.parametrize("kind", [*CLASSIFIER_CASES, *REGRESSOR_CASES])
def test_fit_on_ragged_data_leaves_no_n_features_in(kind):
    estimator, X, y = _ragged_case(kind)
    estimator.fit(X, y)
    for step in getattr(estimator, "steps", [(None, estimator)]):
        assert not hasattr(step[1], "n_features_in_")
        assert not hasattr(step[1], "feature_names_in_")


@pytest.mark.parametrize("kind", ["transformer", "token", "pipeline"])
def test_refit_on_ragged_data_forgets_the_length_and_names_of_an_array_fit(kind):
    X, y = make_echo_sequences(40, 6, N_FEATURES, out_index=0, random_state=0)
    df = pd.DataFrame(X, columns=list("abcdef"))
    if kind == "transformer":
        estimator = OneHotSequenceTransformer(n_features=N_FEATURES).fit(df)
    else:
        estimator = (_token_classifier() if kind == "token" else _pipeline()).fit(df, y)
    first = estimator[0] if kind == "pipeline" else estimator
    assert first.n_features_in_ == 6
    assert list(first.feature_names_in_) == list("abcdef")
    if kind == "transformer":
        estimator.fit(X_TOK)
    else:
        estimator.fit(X_TOK, Y_TOK)
    assert not hasattr(first, "n_features_in_")
    assert not hasattr(first, "feature_names_in_")
    # It now takes sequences of any length.
    assert len(_predict(estimator, np.zeros((2, 9), dtype=np.int64))) == 2


@pytest.mark.parametrize(
    ("kind", "shape"),
    [
        ("transformer", (3, 8)),
        ("token", (3, 8)),
        ("pipeline", (3, 8)),
        ("lstm", (3, 8, N_FEATURES)),
        ("regressor", (3, 8, N_FEATURES)),
    ],
)
def test_equal_length_fit_still_rejects_an_array_of_another_length(kind, shape):
    estimator, _ = _equal_length_case(kind)
    name = type(estimator[0] if kind == "pipeline" else estimator).__name__
    with pytest.raises(
        ValueError,
        match=rf"^X has 8 features, but {name} is expecting 6 features as input\.$",
    ):
        _predict(
            estimator, np.zeros(shape, dtype=np.int64 if len(shape) == 2 else float)
        )


@pytest.mark.parametrize(
    "kind", ["transformer", "token", "pipeline", "lstm", "regressor"]
)
def test_equal_length_fit_predicts_ragged_lists_and_lists_of_another_length(kind):
    estimator, X = _equal_length_case(kind)
    ragged = [X[0][:2], X[1], np.concatenate([X[2], X[3]])]
    out = _predict(estimator, ragged)
    assert len(out) == 3
    # Equal-length sequences of another length, given as a list, take the
    # ragged path: each gets what it gets alone.
    other_length = [np.concatenate([x, x[:2]]) for x in X[:3]]
    together = _predict(estimator, other_length)
    assert len(together) == 3
    for x, row in zip(other_length, together, strict=True):
        alone = _predict(estimator, [x])
        assert len(alone) == 1
        assert_allclose(row, alone[0], rtol=0, atol=ATOL)
    if kind != "transformer":
        # A ragged result for X's own sequences matches the array path.
        mixed = [*X[:5], X[5][:3]]
        assert_allclose(
            _predict(estimator, mixed)[:5],
            _predict(estimator, X[:5]),
            rtol=0,
            atol=ATOL,
        )


def test_ragged_fit_predicts_equal_length_arrays_of_any_length():
    clf = _token_classifier().fit(X_TOK, Y_TOK)
    for length in (1, 5, 30):
        X = np.zeros((4, length), dtype=np.int64)
        assert clf.predict_proba(X).shape == (4, len(clf.classes_))


@pytest.mark.parametrize(
    "container",
    [lambda X: pd.Series(list(X)), _object_array],
    ids=["series", "object-array"],
)
def test_equal_length_sequences_in_a_series_or_object_array_fit_like_a_list(
    container,
):
    # read_ragged's rule: sequence by sequence AND lengths differ; equal
    # lengths keep the array path whatever holds them.
    X, y = make_echo_sequences(40, 6, N_FEATURES, out_index=0, random_state=0)
    as_list = _token_classifier().fit(list(X), y)
    as_container = _token_classifier().fit(container(X), y)
    assert as_list.n_features_in_ == 6
    assert getattr(as_container, "n_features_in_", None) == 6
    assert_array_equal(as_container.predict_proba(X), as_list.predict_proba(X))
    encoder = OneHotSequenceTransformer(n_features=N_FEATURES).fit(X)
    assert_array_equal(encoder.transform(container(X)), encoder.transform(list(X)))


# --- 5. where users take it ----------------------------------------------------------


@pytest.mark.parametrize(
    "make_search",
    [
        lambda n_jobs: GridSearchCV(
            _pipeline(max_epochs=1),
            {"lstmclassifier__hidden_size": [2, 4]},
            cv=2,
            n_jobs=n_jobs,
            error_score="raise",
        ),
        lambda n_jobs: RandomizedSearchCV(
            _pipeline(max_epochs=1),
            {"lstmclassifier__hidden_size": [2, 3, 4]},
            n_iter=2,
            cv=2,
            n_jobs=n_jobs,
            random_state=0,
            error_score="raise",
        ),
    ],
    ids=["grid", "randomized"],
)
def test_searches_with_two_jobs_fit_the_pipeline_on_a_ragged_list(make_search):
    X, y = _tokens(80, seed=3)
    parallel = make_search(2).fit(X, y)
    sequential = make_search(1).fit(X, y)
    scores = parallel.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    assert_array_equal(scores, sequential.cv_results_["mean_test_score"])
    assert parallel.best_params_ == sequential.best_params_
    X_test, _ = _tokens(10, seed=4)
    assert_array_equal(parallel.predict_proba(X_test), sequential.predict_proba(X_test))
    assert not hasattr(parallel.best_estimator_[0], "n_features_in_")


@pytest.mark.parametrize(
    "make_estimator", [_pipeline, _token_classifier], ids=["pipeline", "token"]
)
def test_cross_val_score_on_a_ragged_list_is_the_same_here_and_on_dask(
    make_estimator, dask_client
):
    X, y = _tokens(90, seed=5)
    here = cross_val_score(make_estimator(), X, y, cv=3, error_score="raise")
    with get_task_stream(dask_client) as tasks:
        with joblib.parallel_backend("dask"):
            on_dask = cross_val_score(make_estimator(), X, y, cv=3, error_score="raise")
    # The fits ran on the cluster, not in this process.
    assert tasks.data
    assert np.isfinite(here).all()
    assert_array_equal(on_dask, here)


@pytest.mark.parametrize(
    "kind", ["token", "lstm-2d-floats", "pipeline", "regressor-2d-floats"]
)
def test_pickle_round_trip_gives_identical_predictions_on_ragged_input(kind):
    estimator, X, y = _ragged_case(kind)
    estimator.fit(X, y)
    restored = pickle.loads(pickle.dumps(estimator))
    assert_array_equal(_outputs(restored, X), _outputs(estimator, X))
    assert_array_equal(restored.predict(X), estimator.predict(X))


@pytest.mark.parametrize("first_batch", ["ragged", "equal-length"])
def test_partial_fit_trains_one_epoch_per_ragged_batch(first_batch):
    clf = _token_classifier()
    classes = np.arange(N_FEATURES)
    if first_batch == "ragged":
        clf.partial_fit(X_TOK[:20], Y_TOK[:20], classes=classes)
    else:
        X, y = make_echo_sequences(20, 6, N_FEATURES, out_index=0, random_state=6)
        clf.partial_fit(X, y, classes=classes)
        assert clf.n_features_in_ == 6
    clf.partial_fit(X_TOK[20:40], Y_TOK[20:40])
    clf.partial_fit(X_TOK[40:], Y_TOK[40:])
    assert len(clf.net_.history) == 3
    assert clf.n_iter_ == 1
    assert_array_equal(clf.classes_, classes)
    proba = clf.predict_proba(X_TOK)
    assert proba.shape == (len(X_TOK), N_FEATURES)
    assert_allclose(proba.sum(axis=1), 1.0)


def test_partial_fit_on_ragged_batches_is_deterministic():
    def run():
        clf = _token_classifier()
        clf.partial_fit(X_TOK[:30], Y_TOK[:30], classes=np.arange(N_FEATURES))
        return clf.partial_fit(X_TOK[30:], Y_TOK[30:]).predict_proba(X_TOK)

    assert_array_equal(run(), run())


def test_warm_start_continues_an_equal_length_fit_with_ragged_data():
    X, y = make_echo_sequences(40, 6, N_FEATURES, out_index=0, random_state=0)
    clf = _token_classifier(warm_start=True).fit(X, y)
    history = [row["train_loss"] for row in clf.net_.history]
    clf.fit(X_TOK, Y_TOK)
    # The same network, trained two more epochs: its history goes on.
    assert len(clf.net_.history) == 4
    assert [row["train_loss"] for row in clf.net_.history[:2]] == history
    assert clf.n_iter_ == 2
    assert not hasattr(clf, "n_features_in_")
    fresh = _token_classifier().fit(X_TOK, Y_TOK)
    assert not np.array_equal(clf.predict_proba(X_TOK), fresh.predict_proba(X_TOK))


def test_warm_start_continues_a_ragged_fit_with_equal_length_arrays():
    X, y = make_echo_sequences(40, 6, N_FEATURES, out_index=0, random_state=0)
    clf = _token_classifier(warm_start=True).fit(X_TOK, Y_TOK)
    history = [row["train_loss"] for row in clf.net_.history]
    clf.fit(X, y)
    assert len(clf.net_.history) == 4
    assert [row["train_loss"] for row in clf.net_.history[:2]] == history
    assert clf.n_iter_ == 2
    assert clf.n_features_in_ == 6
    fresh = _token_classifier().fit(X, y)
    assert not np.array_equal(clf.predict_proba(X), fresh.predict_proba(X))
    assert clf.predict_proba(X_TOK).shape == (len(X_TOK), N_FEATURES)


# --- 6. bad input: a clear error, nothing changed ------------------------------------

# Token sequences: the transformer and TokenLSTMClassifier.
_TOKEN_ROWS = [
    (
        "empty-sequence",
        [[0, 1, 2], np.array([], dtype=np.int64)],
        ValueError,
        "Sequence 1 of X is empty: {name} needs at least one step in every sequence.",
    ),
    (
        "mixing-1-d-and-2-d",
        [[0, 1, 2], [[0], [1]]],
        ValueError,
        "{name} expects 1-D sequences of tokens, but sequence 1 of X is 2-D "
        "(shape (2, 1)).",
    ),
    (
        "negative-token",
        [[0, 1, 2], [1, -1]],
        ValueError,
        "Negative values in data passed to {name}: tokens must be integers >= 0, "
        "got -1.",
    ),
    (
        "fractional-token",
        [[0, 1, 2], [1.0, 2.5]],
        ValueError,
        "{name} expects integer tokens, got the fractional value 2.5.",
    ),
    (
        "strings",
        [[0, 1, 2], ["a", "b"]],
        TypeError,
        "{name} expects sequences of integer tokens, but sequence 1 of X has "
        "dtype <U1.",
    ),
]
# Real-valued steps (one-hot wide, as the models are fitted): LSTMClassifier
# and LSTMRegressor.
_NAN_STEPS = np.zeros((2, N_FEATURES))
_NAN_STEPS[1, 2] = np.nan
_INF_STEPS = np.zeros((3, N_FEATURES), dtype=np.float32)
_INF_STEPS[0, 0] = -np.inf
_FLOAT_ROWS = [
    (
        "empty-sequence",
        [np.zeros((3, N_FEATURES)), np.zeros((0, N_FEATURES))],
        ValueError,
        "Sequence 1 of X is empty: {name} needs at least one step in every sequence.",
    ),
    (
        "mixing-1-d-and-2-d",
        [np.zeros((3, N_FEATURES)), np.zeros(2)],
        ValueError,
        "{name} expects sequences that are all 1-D (one feature per step) or all "
        "2-D of shape (length, n_features), but sequence 0 of X is 2-D and "
        "sequence 1 is 1-D (shape (2,)).",
    ),
    (
        "strings",
        [np.zeros((3, N_FEATURES)), np.full((2, N_FEATURES), "a")],
        TypeError,
        "{name} expects sequences of real-valued steps, but sequence 1 of X has "
        "dtype <U1.",
    ),
    (
        "nan",
        [np.zeros((3, N_FEATURES)), _NAN_STEPS],
        ValueError,
        "Input X contains NaN (in sequence 1); {name} needs finite values.",
    ),
    (
        "infinity",
        [_INF_STEPS, np.zeros((2, N_FEATURES), dtype=np.float32)],
        ValueError,
        "Input X contains infinity (in sequence 0); {name} needs finite values.",
    ),
    (
        "different-numbers-of-features",
        [np.zeros((3, N_FEATURES)), np.zeros((2, N_FEATURES - 1))],
        ValueError,
        f"{{name}} expects the same number of features at every step, but "
        f"sequence 0 of X has {N_FEATURES} and sequence 1 has {N_FEATURES - 1}.",
    ),
]


def _bad_input_rows():
    """(kind, method, X, y, error, exact message) for every bad input."""
    names = {
        "transformer": "OneHotSequenceTransformer",
        "token": "TokenLSTMClassifier",
        "lstm": "LSTMClassifier",
        "regressor": "LSTMRegressor",
    }
    rows = {}

    def add(id_, kind, method, X, error, message, y=None):
        if y is None and kind != "transformer":
            y = np.arange(len(X)) % 2
            y = y.astype(float) if kind == "regressor" else y
        rows[f"{kind}-{method}-{id_}"] = (
            kind,
            method,
            X,
            y,
            error,
            f"^{re.escape(message.format(name=names[kind]))}$",
        )

    for kind, table in [
        ("transformer", _TOKEN_ROWS),
        ("token", _TOKEN_ROWS),
        ("lstm", _FLOAT_ROWS),
        ("regressor", _FLOAT_ROWS),
    ]:
        for id_, X, error, message in table:
            for method in ("fit", "predict"):
                add(id_, kind, method, X, error, message)
    for kind in ("transformer", "token"):
        add(
            "token-above-n-features",
            kind,
            "fit",
            [[0, 1, 2], [1, 9]],
            ValueError,
            f"X contains the token 9, but n_features={N_FEATURES} allows tokens in "
            f"[0, {N_FEATURES}).",
        )
        add(
            "unknown-token",
            kind,
            "predict",
            [[0, 1, 2], [1, 9]],
            ValueError,
            f"X contains the unknown token 9: fitted tokens are in [0, {N_FEATURES})."
            " Pass handle_unknown='ignore' to encode unknown tokens as all-zero steps.",
        )
    for kind in ("lstm", "regressor"):
        add(
            "other-number-of-features-than-fitted",
            kind,
            "predict",
            [np.zeros((3, N_FEATURES + 1)), np.zeros((2, N_FEATURES + 1))],
            ValueError,
            f"X has {N_FEATURES + 1} features per step, but {{name}} was fitted "
            f"with {N_FEATURES} features per step.",
        )
    inconsistent = "Found input variables with inconsistent numbers of samples: [3, 2]"
    add(
        "x-longer-than-y",
        "token",
        "fit",
        [[0, 1, 2], [1, 2], [3]],
        ValueError,
        inconsistent,
        y=[0, 1],
    )
    for kind in ("lstm", "regressor"):
        add(
            "x-longer-than-y",
            kind,
            "fit",
            [
                np.zeros((3, N_FEATURES)),
                np.ones((2, N_FEATURES)),
                np.ones((1, N_FEATURES)),
            ],
            ValueError,
            inconsistent,
            y=[0.0, 1.0] if kind == "regressor" else [0, 1],
        )
    return rows


_BAD_ROWS = _bad_input_rows()
# The reference sequences the fitted models' outputs are compared on.
X_REF_TOK, Y_REF = make_echo_sequences(30, 6, N_FEATURES, out_index=0, random_state=9)
X_REF_HOT = np.eye(N_FEATURES, dtype=np.float32)[X_REF_TOK]


def _make(kind):
    if kind == "transformer":
        return OneHotSequenceTransformer(n_features=N_FEATURES)
    if kind == "token":
        return _token_classifier()
    if kind == "lstm":
        return LSTMClassifier(**FAST)
    return LSTMRegressor(**FAST)


@pytest.fixture(scope="module")
def array_fitted():
    """Each kind fitted on equal-length arrays: it has ``n_features_in_``."""
    return {
        "transformer": _make("transformer").fit(X_REF_TOK),
        "token": _make("token").fit(X_REF_TOK, Y_REF),
        "lstm": _make("lstm").fit(X_REF_HOT, Y_REF),
        "regressor": _make("regressor").fit(X_REF_HOT, Y_REF.astype(float)),
    }


def _snapshot(obj):
    """What must not change: the attributes, and what the object computes."""
    state = {name: value for name, value in vars(obj).items() if name != "net_"}
    if isinstance(obj, OneHotSequenceTransformer):
        return state, obj.transform(X_REF_TOK)
    net = obj.net_
    X = X_REF_TOK if isinstance(obj, TokenLSTMClassifier) else X_REF_HOT
    return (
        sorted(state),
        net,
        len(net.history),
        obj.n_features_in_,
        obj.input_size_,
        _outputs(obj, X),
    )


def _assert_same_snapshot(before, after):
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        if isinstance(a, np.ndarray):
            assert_array_equal(a, b, strict=True)
        elif isinstance(a, dict):
            assert a.keys() == b.keys()
            for name in a:
                assert_array_equal(a[name], b[name], strict=True)
        else:
            assert a is b or a == b


def _call(obj, method, X, y):
    if method == "predict":
        return _predict(obj, X)
    if isinstance(obj, OneHotSequenceTransformer):
        return obj.fit(X)
    return obj.fit(X, y)


@pytest.mark.parametrize(
    ("kind", "method", "X", "y", "error", "match"),
    list(_BAD_ROWS.values()),
    ids=list(_BAD_ROWS),
)
def test_bad_ragged_input_raises_a_clear_error_and_changes_nothing(
    array_fitted, kind, method, X, y, error, match
):
    obj = copy.deepcopy(array_fitted[kind])
    before = _snapshot(obj)
    X_copy, y_copy = copy.deepcopy(X), copy.deepcopy(y)
    with pytest.raises(error, match=match):
        _call(obj, method, X, y)
    _assert_same_input(X, X_copy)
    _assert_same_input(y, y_copy)
    _assert_same_snapshot(before, _snapshot(obj))
    if method == "fit":
        # A first fit that fails leaves the object unfitted.
        fresh = _make(kind)
        with pytest.raises(error, match=match):
            _call(fresh, method, X, y)
        assert not [name for name in vars(fresh) if name.endswith("_")]


def test_ragged_fitted_model_is_unchanged_by_a_failed_ragged_fit():
    clf = _token_classifier().fit(X_TOK, Y_TOK)
    proba = clf.predict_proba(X_TOK)
    state = dict(vars(clf))
    with pytest.raises(ValueError, match=r"^Negative values in data passed to"):
        clf.fit([[0, 1], [0, 1, -2]], [0, 1])
    assert vars(clf) == state
    assert not hasattr(clf, "n_features_in_")
    assert_array_equal(clf.predict_proba(X_TOK), proba)


@pytest.mark.parametrize("method", ["fit", "predict"])
@pytest.mark.parametrize("kind", ["transformer", "token"])
def test_a_nan_token_is_reported_as_nan_not_as_a_fractional_value(
    array_fitted, kind, method
):
    # The array path says "Input X contains NaN.", and ragged real-valued steps
    # "Input X contains NaN (in sequence 1); ...".
    obj = copy.deepcopy(array_fitted[kind])
    with pytest.raises(ValueError, match=r"^Input X contains NaN"):
        _call(obj, method, [[0.0, 1.0, 2.0], [1.0, np.nan]], [0, 1])


@pytest.mark.parametrize("method", ["fit", "predict"])
@pytest.mark.parametrize("second", [np.zeros((2, 0)), np.zeros((2, 3))])
def test_sequences_without_features_get_a_clear_error(array_fitted, method, second):
    # On the array path: "Found array with 0 step(s) or 0 feature(s) per step";
    # beside sequences with features too.
    obj = copy.deepcopy(array_fitted["lstm"])
    with pytest.raises(ValueError, match=r"0 feature"):
        _call(obj, method, [np.zeros((3, 0)), second], [0, 1])


# --- 7. determinism ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["token", "lstm-2d-floats", "pipeline", "regressor-2d-floats"]
)
def test_two_fits_with_the_same_random_state_on_ragged_data_are_identical(kind):
    first, X, y = _ragged_case(kind)
    second, _, _ = _ragged_case(kind)
    assert_array_equal(_outputs(first.fit(X, y), X), _outputs(second.fit(X, y), X))


def test_bidirectional_fits_with_the_same_random_state_on_ragged_data_are_identical():
    first = LSTMClassifier(**FAST, bidirectional=True, num_layers=2).fit(
        X_FLOAT, Y_FLOAT
    )
    second = LSTMClassifier(**FAST, bidirectional=True, num_layers=2).fit(
        X_FLOAT, Y_FLOAT
    )
    assert_array_equal(first.predict_proba(X_FLOAT), second.predict_proba(X_FLOAT))


def test_ragged_fits_with_other_random_states_differ():
    first = _token_classifier(random_state=0).fit(X_TOK, Y_TOK)
    second = _token_classifier(random_state=1).fit(X_TOK, Y_TOK)
    assert not np.array_equal(first.predict_proba(X_TOK), second.predict_proba(X_TOK))


# --- how the sequences are stored --------------------------------------------------


def test_views_of_one_array_are_read_in_place_and_never_written():
    # make_echo_sequences returns views of one buffer, one after the other: read
    # as they are, without a copy of every step.
    X, y = make_echo_sequences(300, 12, 5, min_length=3, random_state=0)
    before = [x.copy() for x in X]
    _, sequences = read_ragged(X, "test", tokens=True, reset=True)
    assert np.shares_memory(sequences.values, X[0])
    clf = TokenLSTMClassifier(n_features=5, max_epochs=2, random_state=0).fit(X, y)
    clf.predict_proba(X)
    for x, copied in zip(X, before, strict=True):
        assert_array_equal(x, copied)


@pytest.mark.parametrize("columns", [slice(0, 2), slice(1, 3), [0, 2]])
def test_pieces_of_some_columns_of_one_array_are_read_as_they_are(columns):
    # Consecutive row ranges of one array, each keeping two of its three
    # columns: the steps are those two columns, not the array's rows.
    rng = np.random.RandomState(0)
    data = rng.randn(60, 3).astype(np.float32)
    lengths = [5, 7, 6, 9, 8, 10, 15]
    starts = np.cumsum([0, *lengths[:-1]])
    X = [data[a : a + n, columns] for a, n in zip(starts, lengths, strict=True)]
    _, sequences = read_ragged(X, "test", tokens=False, reset=True)
    assert_array_equal(sequences.values, np.concatenate(X))
    assert SequenceScaler().fit(X).mean_ == pytest.approx(np.concatenate(X).mean(0))
    model = LSTMClassifier(max_epochs=1, random_state=0).fit(X, np.arange(7) % 2)
    assert model.input_size_ == 2
    model.predict([x.copy() for x in X])


@pytest.mark.parametrize(
    "reorder",
    [lambda X: X[::-1], lambda X: X[::2], lambda X: [x.copy() for x in X]],
    ids=["reversed", "every-other", "copies"],
)
def test_sequences_that_are_not_consecutive_views_are_copied_in_order(reorder):
    X, _ = make_echo_sequences(50, 12, 5, min_length=3, random_state=0)
    X = reorder(X)
    _, sequences = read_ragged(X, "test", tokens=True, reset=True)
    assert [x.tolist() for x in sequences.to_list()] == [x.tolist() for x in X]


def test_length_sorted_batches_hold_every_sequence_once_in_similar_lengths():
    lengths = np.random.RandomState(0).randint(1, 100, size=1000)
    order = np.random.RandomState(1).permutation(1000)
    batches = length_sorted_batches(order, lengths, 10, pooled=True)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    # Pools of 50 batches (500 sequences) sorted by length: a batch spans a few
    # lengths, where a random batch spans most of 1..99.
    spans = [np.ptp(lengths[batch]) for batch in batches]
    assert np.median(spans) <= 3


def test_pools_of_one_batch_make_every_batch_a_random_draw():
    lengths = np.random.RandomState(0).randint(1, 100, size=1000)
    order = np.random.RandomState(1).permutation(1000)
    batches = length_sorted_batches(order, lengths, 10, pooled=True, pool_batches=1)
    # Each batch is the next 10 of the shuffled order, sorted within itself.
    for start, batch in zip(range(0, 1000, 10), batches, strict=True):
        assert sorted(batch.tolist()) == sorted(order[start : start + 10].tolist())
        assert np.all(np.diff(lengths[batch]) >= 0)


def test_the_default_pool_is_read_at_each_call(monkeypatch):
    # benchmarks/bench_variable_length.py sets POOL_BATCHES to 1 for its
    # "random batches" row; the default must follow it.
    lengths = np.random.RandomState(0).randint(1, 100, size=100)
    order = np.random.RandomState(1).permutation(100)
    monkeypatch.setattr(ragged_module, "POOL_BATCHES", 1)
    default = length_sorted_batches(order, lengths, 10, pooled=True)
    drawn = length_sorted_batches(order, lengths, 10, pooled=True, pool_batches=1)
    assert [b.tolist() for b in default] == [b.tolist() for b in drawn]


def test_a_training_set_of_one_pool_is_cut_into_the_same_batches_every_epoch():
    # Why the LSTM-FCN trains on random draws (FitRecipe.length_sorted): in
    # one pool, sorting by length fixes each batch's members, whatever the
    # shuffle.
    lengths = np.random.RandomState(0).randint(1, 100, size=50)

    def members(pool_batches, seed):
        order = np.random.RandomState(seed).permutation(50)
        batches = length_sorted_batches(
            order, lengths, 10, pooled=True, pool_batches=pool_batches
        )
        return {frozenset(batch.tolist()) for batch in batches}

    sorted_default = [members(ragged_module.POOL_BATCHES, seed) for seed in range(3)]
    assert sorted_default[0] == sorted_default[1] == sorted_default[2]
    drawn = [members(1, seed) for seed in range(3)]
    assert drawn[0] != drawn[1] and drawn[1] != drawn[2]


def test_a_list_is_read_as_sequences_by_a_model_fitted_on_different_lengths():
    # No fitted length: every list takes the sequence path (no block-size probe
    # per new length), and agrees with the array path.
    X, y = make_echo_sequences(200, 12, 5, min_length=3, random_state=0)
    clf = TokenLSTMClassifier(n_features=5, max_epochs=2, random_state=0).fit(X, y)
    one = [np.array([1, 2, 3, 4])]
    _, sequences = read_ragged(one, "test", tokens=True, reset=False)
    assert sequences is not None
    assert_allclose(
        clf.predict_proba(one), clf.predict_proba(np.array(one)), rtol=0, atol=1e-6
    )


def test_partial_fit_on_different_lengths_forgets_the_fitted_length():
    X, y = make_echo_sequences(60, 6, 3, random_state=0)
    clf = TokenLSTMClassifier(n_features=3, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_features_in_ == 6
    X_ragged, y_ragged = make_echo_sequences(60, 9, 3, min_length=3, random_state=1)
    clf.partial_fit(X_ragged, y_ragged)
    assert not hasattr(clf, "n_features_in_")
    assert clf.predict(np.zeros((2, 9), dtype=np.int64)).shape == (2,)


def test_generated_and_transformed_lists_are_read_back_without_a_pass():
    X, _ = make_echo_sequences(50, 12, 5, min_length=3, random_state=0)
    stored = X.storage()
    assert stored is not None
    assert read_ragged(X, "test", tokens=True, reset=True)[1].values is stored.values
    onehot = OneHotSequenceTransformer(n_features=5).fit_transform(X)
    assert onehot.storage() is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda X: X.__setitem__(0, X[0].copy()),
        lambda X: X.append(np.array([1, 2, 3])),
        lambda X: X.reverse(),
        lambda X: X.pop(),
    ],
    ids=["item-replaced", "appended", "reordered", "removed"],
)
def test_a_changed_list_is_read_as_a_plain_list(change):
    X, _ = make_echo_sequences(50, 12, 5, min_length=3, random_state=0)
    change(X)
    assert X.storage() is None
    _, sequences = read_ragged(X, "test", tokens=True, reset=True)
    assert [x.tolist() for x in sequences.to_list()] == [x.tolist() for x in X]


def test_values_changed_in_place_are_checked_again():
    X, y = make_echo_sequences(50, 12, 5, min_length=3, random_state=0)
    X[3][1] = -2  # a view: the stored array changes with it
    with pytest.raises(ValueError, match=r"^Negative values in data passed to"):
        TokenLSTMClassifier(n_features=5, **FAST).fit(X, y)
    X_new, _ = make_echo_sequences(20, 12, 5, min_length=3, random_state=1)
    onehot = OneHotSequenceTransformer(n_features=5).fit(X_new).transform(X_new)
    onehot[2][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^Input X contains NaN \(in sequence 2\)"):
        LSTMClassifier(**FAST).fit(onehot, np.arange(20) % 2)


@pytest.mark.parametrize(
    "copier",
    [copy.copy, copy.deepcopy, lambda X: pickle.loads(pickle.dumps(X))],
    ids=["copy", "deepcopy", "pickle"],
)
def test_copies_of_a_generated_list_hold_the_same_sequences(copier):
    X, _ = make_echo_sequences(50, 12, 5, min_length=3, random_state=0)
    copied = copier(X)
    assert copied.storage() is not None
    assert [x.tolist() for x in copied] == [x.tolist() for x in X]
    assert type(X[:10]) is list
