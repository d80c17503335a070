"""Tests for ChannelsLastTransformer, and aeon's data through a Pipeline."""

import copy
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    ChannelsLastTransformer,
    LSTMClassifier,
    SequenceScaler,
)

USER_GUIDE = Path(__file__).parents[1] / "docs" / "user_guide.rst"


def _series(rng, lengths=(4, 9, 6), n_channels=3, dtype=np.float64):
    """aeon's unequal-length collection: a list of (n_channels, n_timepoints_i)."""
    return [rng.normal(size=(n_channels, n)).astype(dtype) for n in lengths]


# --- arrays -------------------------------------------------------------------------


def test_transform_moves_the_channels_last(rng):
    X = rng.normal(size=(5, 3, 8))
    Xt = ChannelsLastTransformer().fit_transform(X)
    assert Xt.shape == (5, 8, 3)
    for i in range(5):
        np.testing.assert_array_equal(Xt[i], X[i].T)
    assert Xt.flags.c_contiguous


def test_inverse_transform_moves_them_back(rng):
    steps = rng.normal(size=(5, 8, 3))
    layout = ChannelsLastTransformer()
    series = layout.inverse_transform(steps)
    assert series.shape == (5, 3, 8)
    np.testing.assert_array_equal(series, steps.transpose(0, 2, 1))
    np.testing.assert_array_equal(layout.transform(series), steps)


def test_2d_array_is_univariate_in_both_layouts_and_passes_unchanged(rng):
    X = rng.normal(size=(4, 7))
    layout = ChannelsLastTransformer().fit(X)
    for Xt in (layout.transform(X), layout.inverse_transform(X)):
        np.testing.assert_array_equal(Xt, X)
        assert not np.shares_memory(Xt, X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8, bool])
def test_dtype_is_kept(rng, dtype):
    X = (rng.normal(size=(2, 3, 4)) * 10).astype(dtype)
    layout = ChannelsLastTransformer()
    assert layout.transform(X).dtype == dtype
    assert layout.inverse_transform(X).dtype == dtype
    assert all(x.dtype == dtype for x in layout.transform(list(X[:, :, :2])))


@pytest.mark.parametrize("shape", [(3, 1, 6), (3, 4, 1), (1, 1, 1), (2, 5, 6)])
def test_output_never_shares_memory_with_the_input(rng, shape):
    # One channel or one time point: a transposed copy would already be
    # contiguous, and a careless ascontiguousarray a view of the input.
    X = rng.normal(size=shape)
    layout = ChannelsLastTransformer()
    for out in (layout.transform(X), layout.inverse_transform(X)):
        assert not np.shares_memory(out, X)
    sequences = list(X)
    for outs in (layout.transform(sequences), layout.inverse_transform(sequences)):
        for out, x in zip(outs, sequences, strict=True):
            assert not np.shares_memory(out, x)


def test_nan_and_infinity_pass_as_they_are():
    X = np.array([[[np.nan, 1.0], [np.inf, -np.inf]]])
    Xt = ChannelsLastTransformer().fit_transform(X)
    np.testing.assert_array_equal(Xt, X.transpose(0, 2, 1))
    (x,) = ChannelsLastTransformer().fit_transform([X[0], X[0, :, :1]])[:1]
    np.testing.assert_array_equal(x, X[0].T)


# --- lists of series ----------------------------------------------------------------


def test_list_of_series_becomes_a_list_of_channels_last_sequences(rng):
    X = _series(rng)
    Xt = ChannelsLastTransformer().fit_transform(X)
    assert isinstance(Xt, list)
    assert [x.shape for x in Xt] == [(4, 3), (9, 3), (6, 3)]
    for x, xt in zip(X, Xt, strict=True):
        np.testing.assert_array_equal(xt, x.T)
    # Views of one array, which sklearn_echo's estimators read in place.
    assert Xt.storage() is not None


def test_list_round_trips_through_inverse_transform(rng):
    X = _series(rng)
    layout = ChannelsLastTransformer()
    back = layout.inverse_transform(layout.transform(X))
    assert isinstance(back, list)
    for x, b in zip(X, back, strict=True):
        np.testing.assert_array_equal(b, x)


def test_list_of_equal_length_series_stays_a_list(rng):
    X = _series(rng, lengths=(5, 5))
    Xt = ChannelsLastTransformer().fit_transform(X)
    assert isinstance(Xt, list)
    assert [x.shape for x in Xt] == [(5, 3), (5, 3)]


def test_list_of_1d_series_passes_unchanged(rng):
    X = [rng.normal(size=n) for n in (3, 5)]
    layout = ChannelsLastTransformer()
    for out in (layout.fit_transform(X), layout.inverse_transform(X)):
        for x, o in zip(X, out, strict=True):
            np.testing.assert_array_equal(o, x)


def test_list_of_equal_length_lists_of_numbers_is_a_2d_array(rng):
    X = rng.normal(size=(3, 4))
    Xt = ChannelsLastTransformer().fit_transform(X.tolist())
    assert isinstance(Xt, np.ndarray)
    np.testing.assert_array_equal(Xt, X)


@pytest.mark.parametrize("kind", ["tuple", "object array", "series"])
def test_other_containers_of_series_read_as_lists(rng, kind):
    X = _series(rng)
    if kind == "tuple":
        given_ = tuple(X)
    else:
        given_ = np.empty(len(X), dtype=object)
        given_[:] = X
        if kind == "series":
            given_ = pd.Series(given_)
    for x, xt in zip(X, ChannelsLastTransformer().transform(given_), strict=True):
        np.testing.assert_array_equal(xt, x.T)


def test_no_input_is_modified_in_place(rng):
    for X in (rng.normal(size=(3, 2, 5)), _series(rng), rng.normal(size=(3, 5))):
        before = copy.deepcopy(X)
        layout = ChannelsLastTransformer().fit(X)
        out = layout.transform(X)
        back = layout.inverse_transform(out)
        for o in (out, back):
            for item in o:
                item[...] = -1  # writing into the outputs
        for x, b in zip(X, before, strict=True):
            np.testing.assert_array_equal(x, b)


# --- stateless, checks and errors ---------------------------------------------------


def test_transform_needs_no_fit(rng):
    X = rng.normal(size=(2, 3, 4))
    np.testing.assert_array_equal(
        ChannelsLastTransformer().transform(X), X.transpose(0, 2, 1)
    )


def test_fit_on_an_array_records_its_columns_and_transform_checks_them(rng):
    layout = ChannelsLastTransformer().fit(rng.normal(size=(2, 3, 4)))
    assert layout.n_features_in_ == 3
    with pytest.raises(ValueError, match="X has 5 features, but ChannelsLast"):
        layout.transform(rng.normal(size=(2, 5, 4)))


def test_fit_on_a_list_records_no_columns(rng):
    layout = ChannelsLastTransformer().fit(rng.normal(size=(2, 3, 4)))
    layout.fit(_series(rng))
    assert not hasattr(layout, "n_features_in_")
    assert layout.transform(rng.normal(size=(2, 5, 4))).shape == (2, 4, 5)


def test_dataframe_is_a_2d_array_with_column_names(rng):
    X = pd.DataFrame(rng.normal(size=(3, 2)), columns=["t0", "t1"])
    layout = ChannelsLastTransformer().fit(X)
    assert list(layout.feature_names_in_) == ["t0", "t1"]
    np.testing.assert_array_equal(layout.transform(X), X.to_numpy())


@pytest.mark.parametrize(
    ("method", "X", "error", "match"),
    [
        (
            "transform",
            np.zeros((2, 3, 4, 5)),
            ValueError,
            "ChannelsLastTransformer expects a 2-D or 3-D array, got an array of 4",
        ),
        ("transform", np.zeros((2, 0, 4)), ValueError, "0 channel\\(s\\)"),
        ("transform", np.zeros(3), ValueError, "Expected 2D array, got 1D array"),
        (
            "transform",
            [np.ones((3, 4)), np.ones((2, 5))],
            ValueError,
            "same number of channels in every sequence, but sequence 0 of X has 3 "
            "and sequence 1 has 2",
        ),
        (
            "inverse_transform",
            [np.ones((4, 3)), np.ones((5, 2))],
            ValueError,
            "same number of channels in every sequence, but sequence 0 of X has 3 "
            "and sequence 1 has 2",
        ),
        (
            "transform",
            [np.ones((3, 4)), np.ones(4)],
            ValueError,
            re.escape(
                "expects sequences that are all 2-D (n_channels, n_timepoints) or "
                "all 1-D (one channel), but sequence 0 of X is 2-D and sequence 1"
            ),
        ),
        (
            "inverse_transform",
            [np.ones((3, 4, 1))],
            ValueError,
            re.escape("all 2-D (length, n_features) or all 1-D (one channel), but"),
        ),
        (
            "transform",
            [np.ones((3, 4)), np.ones((3, 0))],
            ValueError,
            "Sequence 1 of X is empty: ChannelsLastTransformer needs at least one",
        ),
        (
            "transform",
            [np.ones((3, 4)), np.ones((0, 4))],
            ValueError,
            "Sequence 1 of X has 0 channels",
        ),
        (
            "transform",
            [np.ones((1, 2)), np.array([["a", "b"]])],
            TypeError,
            "expects numeric sequences, but sequence 1 of X has dtype <U1",
        ),
        ("transform", [["a", "b"], ["c", "d"]], TypeError, "expects numeric series"),
        (
            "inverse_transform",
            np.zeros((2, 3, 0)),
            ValueError,
            "inverse_transform expects a 2-D or 3-D array with at least one step",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(method, X, error, match):
    with pytest.raises(error, match=match):
        getattr(ChannelsLastTransformer(), method)(X)


@pytest.mark.parametrize(
    "bad", [np.zeros((3, 4, 5, 1)), np.zeros((3, 4, 0)), ["a", "b"]], ids=repr
)
def test_a_failed_fit_leaves_a_fitted_transformer_as_it_was(rng, bad):
    X = pd.DataFrame(rng.randn(3, 5), columns=list("abcde"))
    fitted = ChannelsLastTransformer().fit(X)
    before = dict(vars(fitted))
    with pytest.raises((TypeError, ValueError)):
        fitted.fit(bad)
    assert vars(fitted).keys() == before.keys()
    assert_array_equal(fitted.feature_names_in_, before["feature_names_in_"])
    assert_array_equal(fitted.transform(X), X.to_numpy())


def test_pickle_and_clone(rng):
    X = rng.normal(size=(2, 3, 4))
    layout = ChannelsLastTransformer().fit(X)
    loaded = pickle.loads(pickle.dumps(layout))
    np.testing.assert_array_equal(loaded.transform(X), layout.transform(X))
    assert loaded.n_features_in_ == 3
    assert not hasattr(clone(layout), "n_features_in_")
    # The list it returns pickles too.
    Xt = layout.transform(_series(rng))
    for a, b in zip(pickle.loads(pickle.dumps(Xt)), Xt, strict=True):
        np.testing.assert_array_equal(a, b)


# --- aeon's data --------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic_motions():
    datasets = pytest.importorskip("aeon.datasets")
    X, y = datasets.load_classification("BasicMotions", split="train")
    return X, y


@pytest.fixture(scope="module")
def japanese_vowels():
    datasets = pytest.importorskip("aeon.datasets")
    # Older aeon releases load a padded copy unless told not to.
    X, y = datasets.load_classification(
        "JapaneseVowels", split="train", load_equal_length=False
    )
    # A few dozen utterances of different lengths, every class among them.
    return X[::9], y[::9]


def test_basic_motions_goes_through_a_pipeline(basic_motions):
    X, y = basic_motions
    assert X.shape == (40, 6, 100)
    model = make_pipeline(
        ChannelsLastTransformer(),
        SequenceScaler(),
        LSTMClassifier(hidden_size=8, max_epochs=2, random_state=0),
    ).fit(X, y)
    assert model[-1].input_size_ == 6 and model[-1].n_features_in_ == 100
    assert model.predict(X).shape == (40,)
    steps = model[:-1].transform(X)
    # Each channel standardised over all the steps of all the cases.
    np.testing.assert_allclose(steps.mean(axis=(0, 1)), 0, atol=1e-10)
    np.testing.assert_allclose(steps.std(axis=(0, 1)), 1, rtol=1e-10)
    # And back to aeon's layout, on the original scale.
    np.testing.assert_allclose(model[:-1].inverse_transform(steps), X, rtol=1e-10)


def test_japanese_vowels_list_goes_through_a_pipeline(japanese_vowels):
    X, y = japanese_vowels
    assert isinstance(X, list) and len(X) == 30
    assert len({x.shape[1] for x in X}) > 1 and {x.shape[0] for x in X} == {12}
    model = make_pipeline(
        ChannelsLastTransformer(),
        SequenceScaler(),
        LSTMClassifier(hidden_size=8, max_epochs=2, random_state=0),
    ).fit(X, y)
    assert model.predict(X).shape == (30,)
    steps = model[:-1].transform(X)
    assert [s.shape for s in steps] == [x.T.shape for x in X]
    # The statistics of the real steps only: no padding.
    real = np.concatenate([x.T for x in X])
    np.testing.assert_allclose(model[1].mean_, real.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(model[1].scale_, real.std(axis=0), rtol=1e-6)
    back = model[:-1].inverse_transform(steps)
    for x, b in zip(X, back, strict=True):
        assert b.shape == x.shape
        np.testing.assert_allclose(b, x, rtol=1e-5, atol=1e-5)


def _user_guide_example():
    """The code of the user guide's aeon example (the block after its label)."""
    text = USER_GUIDE.read_text()
    section = text.split(".. _aeon-layout:", 1)[1]
    match = re.search(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", section)
    return "\n".join(line[3:] for line in match.group(1).splitlines())


def test_the_user_guide_example_runs(basic_motions):
    code = _user_guide_example()
    assert "ChannelsLastTransformer()" in code and "load_classification" in code
    # As written, but with a budget of two epochs to keep the test fast.
    fast = code.replace(
        "LSTMClassifier(random_state=0)", "LSTMClassifier(random_state=0, max_epochs=2)"
    )
    assert fast != code
    namespace = {}
    exec(compile(fast, str(USER_GUIDE), "exec"), namespace)
    assert 0 <= namespace["score"] <= 1
