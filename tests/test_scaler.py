"""Tests for SequenceScaler."""

import copy
import pickle
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_echo import LSTMClassifier, LSTMRegressor, SequenceScaler


def _sequences(rng, lengths=(3, 7, 5, 1, 4), n_features=3, dtype=np.float32):
    """A list of sequences of different lengths, features on different scales."""
    return [
        (rng.normal(size=(length, n_features)) * [1, 10, 100][:n_features] + 5).astype(
            dtype
        )
        for length in lengths
    ]


def _padded(sequences, value=0.0):
    """The sequences zero-padded at the end to the longest, as one 3-D array."""
    longest = max(map(len, sequences))
    out = np.full((len(sequences), longest, sequences[0].shape[1]), value)
    for i, x in enumerate(sequences):
        out[i, : len(x)] = x
    return out.astype(sequences[0].dtype)


def _fitted_state(scaler):
    return {k: copy.deepcopy(v) for k, v in vars(scaler).items() if k.endswith("_")}


def _assert_same_state(state, scaler):
    assert set(state) == set(_fitted_state(scaler))
    for name, value in state.items():
        np.testing.assert_array_equal(getattr(scaler, name), value, err_msg=name)


# --- the statistics ----------------------------------------------------------------


def test_fit_on_3d_array_learns_statistics_of_each_feature_over_all_steps(rng):
    X = rng.normal(size=(10, 6, 3)) * [1, 10, 100] + [0, 5, -7]
    scaler = SequenceScaler().fit(X)
    reference = StandardScaler().fit(X.reshape(-1, 3))
    np.testing.assert_allclose(scaler.mean_, reference.mean_, rtol=1e-12)
    np.testing.assert_allclose(scaler.var_, reference.var_, rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, reference.scale_, rtol=1e-12)
    assert scaler.n_steps_seen_ == 60
    assert scaler.n_features_per_step_ == 3
    # scikit-learn's number of features is the sequence length here.
    assert scaler.n_features_in_ == 6


def test_transform_gives_each_feature_mean_zero_and_std_one(rng):
    X = rng.normal(size=(10, 6, 3)) * [1, 10, 100] + [0, 5, -7]
    Xt = SequenceScaler().fit_transform(X)
    np.testing.assert_allclose(Xt.mean(axis=(0, 1)), 0, atol=1e-12)
    np.testing.assert_allclose(Xt.std(axis=(0, 1)), 1, rtol=1e-12)


def test_2d_array_is_sequences_of_one_feature_scaled_by_one_mean_and_std(rng):
    X = rng.normal(size=(8, 5)) * 3 + 2
    scaler = SequenceScaler().fit(X)
    assert scaler.n_features_per_step_ == 1
    assert scaler.n_features_in_ == 5
    np.testing.assert_allclose(scaler.mean_, [X.mean()], rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, [X.std()], rtol=1e-12)
    Xt = scaler.transform(X)
    assert Xt.shape == (8, 5)
    np.testing.assert_allclose(Xt, (X - X.mean()) / X.std(), rtol=1e-12)
    # The same as the 3-D array of one feature per step.
    np.testing.assert_allclose(
        SequenceScaler().fit_transform(X[:, :, np.newaxis])[:, :, 0], Xt, rtol=1e-12
    )


def test_constant_feature_gets_scale_one_and_is_only_centred():
    X = np.stack([np.full((2, 4), 7.0), np.arange(8.0).reshape(2, 4)], axis=-1)
    scaler = SequenceScaler().fit(X)
    np.testing.assert_array_equal(scaler.var_[0], 0)
    np.testing.assert_array_equal(scaler.scale_, [1.0, np.sqrt(5.25)])
    np.testing.assert_array_equal(scaler.transform(X)[..., 0], 0)


def test_nearly_constant_feature_counts_as_constant_as_in_standard_scaler():
    # The float64 mean of many copies of 0.1 is not exactly 0.1.
    X = np.full((1000, 3, 1), 0.1)
    scaler = SequenceScaler().fit(X)
    reference = StandardScaler().fit(X.reshape(-1, 1))
    np.testing.assert_array_equal(scaler.scale_, [1.0])
    np.testing.assert_array_equal(reference.scale_, [1.0])
    np.testing.assert_allclose(scaler.transform(X), 0, atol=1e-12)


# --- sequences of different lengths, and padding ------------------------------------


def test_list_statistics_are_those_of_the_real_steps_only(rng):
    X = _sequences(rng)
    scaler = SequenceScaler().fit(X)
    steps = np.concatenate(X).astype(np.float64)
    np.testing.assert_allclose(scaler.mean_, steps.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.var_, steps.var(axis=0), rtol=1e-6)
    assert scaler.n_steps_seen_ == len(steps) == 20
    assert not hasattr(scaler, "n_features_in_")


def test_padding_never_enters_the_statistics(rng):
    X = _sequences(rng)
    by_list = SequenceScaler().fit(X)
    # However much a list's sequences would be padded, its statistics are
    # those of its real steps: the same as of the steps as one long sequence.
    one_sequence = SequenceScaler().fit([np.concatenate(X)])
    np.testing.assert_allclose(by_list.mean_, one_sequence.mean_, rtol=1e-12)
    np.testing.assert_allclose(by_list.var_, one_sequence.var_, rtol=1e-12)
    # A padded array is read as it is: its pad steps would count (which is why
    # sequences of different lengths go in a list).
    padded = SequenceScaler().fit(_padded(X))
    assert not np.allclose(padded.mean_, by_list.mean_)


def test_list_and_padded_array_give_the_same_real_steps(rng):
    X = _sequences(rng)
    scaler = SequenceScaler().fit(X)
    by_list = scaler.transform(X)
    by_array = scaler.transform(_padded(X))
    for i, x in enumerate(by_list):
        np.testing.assert_array_equal(x, by_array[i, : len(x)])


def test_list_and_array_of_equal_lengths_agree(rng):
    X = _sequences(rng, lengths=(4, 4, 4))
    array = np.stack(X)
    for per_sequence in (False, True):
        by_list = SequenceScaler(per_sequence=per_sequence).fit_transform(X)
        by_array = SequenceScaler(per_sequence=per_sequence).fit_transform(array)
        np.testing.assert_array_equal(np.stack(by_list), by_array)


def test_list_comes_back_as_a_list_of_arrays_of_the_sequences_shapes(rng):
    X = _sequences(rng)
    Xt = SequenceScaler().fit_transform(X)
    assert isinstance(Xt, list)
    assert [x.shape for x in Xt] == [x.shape for x in X]
    assert all(x.dtype == np.float32 for x in Xt)
    # Even when the sequences have one length (a list of 2-D sequences).
    equal = _sequences(rng, lengths=(4, 4))
    assert isinstance(SequenceScaler().fit_transform(equal), list)


def test_list_of_1d_sequences_is_one_feature_per_step_and_comes_back_1d(rng):
    X = [rng.normal(size=n) for n in (3, 6, 2)]
    scaler = SequenceScaler().fit(X)
    assert scaler.n_features_per_step_ == 1
    Xt = scaler.transform(X)
    assert [x.shape for x in Xt] == [(3,), (6,), (2,)]
    steps = np.concatenate(X).astype(np.float32)
    np.testing.assert_allclose(
        np.concatenate(Xt), (steps - steps.mean()) / steps.std(), rtol=1e-5
    )


def test_list_of_equal_length_lists_of_numbers_is_a_2d_array(rng):
    X = rng.normal(size=(4, 3))
    Xt = SequenceScaler().fit_transform(X.tolist())
    assert isinstance(Xt, np.ndarray)
    np.testing.assert_allclose(Xt, SequenceScaler().fit_transform(X), rtol=1e-12)


@pytest.mark.parametrize("kind", ["tuple", "object array", "series"])
def test_other_containers_of_sequences_read_as_lists(rng, kind):
    X = _sequences(rng)
    expected = SequenceScaler().fit_transform(X)
    if kind == "tuple":
        given_ = tuple(X)
    else:
        given_ = np.empty(len(X), dtype=object)
        given_[:] = X
        if kind == "series":
            given_ = pd.Series(given_)
    for x, e in zip(SequenceScaler().fit_transform(given_), expected, strict=True):
        np.testing.assert_array_equal(x, e)


def test_fitted_on_arrays_it_scales_lists_of_any_length(rng):
    scaler = SequenceScaler().fit(rng.normal(size=(5, 4, 3)))
    X = _sequences(rng)
    Xt = scaler.transform(X)
    for x, xt in zip(X, Xt, strict=True):
        np.testing.assert_allclose(xt, (x - scaler.mean_) / scaler.scale_, rtol=1e-5)


def test_fitted_on_arrays_it_refuses_an_array_of_another_length(rng):
    scaler = SequenceScaler().fit(rng.normal(size=(5, 4, 3)))
    with pytest.raises(ValueError, match="X has 6 features, but SequenceScaler is"):
        scaler.transform(rng.normal(size=(5, 6, 3)))


def test_fitted_on_a_list_it_scales_arrays_of_any_length(rng):
    scaler = SequenceScaler().fit(_sequences(rng))
    assert scaler.transform(rng.normal(size=(2, 9, 3))).shape == (2, 9, 3)


# --- per_sequence ------------------------------------------------------------------


def test_per_sequence_z_normalises_each_sequence_and_feature(rng):
    X = _sequences(rng, lengths=(3, 7, 5, 4), dtype=np.float64)
    scaler = SequenceScaler(per_sequence=True).fit(X)
    assert scaler.mean_ is None and scaler.var_ is None and scaler.scale_ is None
    assert scaler.n_features_per_step_ == 3
    Xt = scaler.transform(X)
    for x, xt in zip(X, Xt, strict=True):
        expected = (x - x.mean(axis=0)) / x.std(axis=0)
        np.testing.assert_allclose(xt, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(xt.mean(axis=0), 0, atol=1e-6)
        np.testing.assert_allclose(xt.std(axis=0), 1, rtol=1e-5)


def test_per_sequence_on_a_3d_array_is_that_of_each_sequence_alone(rng):
    X = rng.normal(size=(6, 5, 2)) * [1, 50] + 3
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    for x, xt in zip(X, Xt, strict=True):
        alone = SequenceScaler(per_sequence=True).fit_transform(x[np.newaxis])[0]
        np.testing.assert_array_equal(xt, alone)
        np.testing.assert_allclose(xt, (x - x.mean(0)) / x.std(0), rtol=1e-12)


def test_per_sequence_2d_array_normalises_each_row(rng):
    X = rng.normal(size=(4, 10)) * 5 + 1
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    expected = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    np.testing.assert_allclose(Xt, expected, rtol=1e-12, atol=1e-12)


def test_per_sequence_constant_sequence_gives_zeros(rng):
    X = [np.full((5, 2), 3.0), rng.normal(size=(4, 2)), np.array([[1.0, 2.0]])]
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    np.testing.assert_array_equal(Xt[0], 0)
    # A sequence of one step is constant too.
    np.testing.assert_array_equal(Xt[2], 0)
    assert np.all(np.isfinite(Xt[1]))


def test_per_sequence_does_not_depend_on_the_fitted_data(rng):
    X = _sequences(rng)
    a = SequenceScaler(per_sequence=True).fit(X).transform(X)
    b = SequenceScaler(per_sequence=True).fit(rng.normal(size=(2, 3, 3))).transform(X)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_per_sequence_has_no_inverse_transform_and_says_why(rng):
    scaler = SequenceScaler(per_sequence=True).fit(_sequences(rng))
    assert not hasattr(scaler, "inverse_transform")
    with pytest.raises(AttributeError, match="no attribute 'inverse_transform'") as e:
        scaler.inverse_transform(np.zeros((1, 2, 3)))
    assert "per_sequence=True" in str(e.value.__cause__)
    assert "not kept" in str(e.value.__cause__)
    # Nor has a Pipeline that holds it.
    pipe = make_pipeline(SequenceScaler(per_sequence=True))
    assert not hasattr(pipe, "inverse_transform")
    assert hasattr(make_pipeline(SequenceScaler()), "inverse_transform")


def test_changing_per_sequence_after_fit_asks_for_a_new_fit(rng):
    X = _sequences(rng)
    scaler = SequenceScaler(per_sequence=True).fit(X)
    scaler.set_params(per_sequence=False)
    message = "fitted with per_sequence=True, but per_sequence is now False: fit it"
    with pytest.raises(ValueError, match=message):
        scaler.transform(X)
    with pytest.raises(ValueError, match=message):
        scaler.inverse_transform(X)
    with pytest.raises(ValueError, match=message):
        scaler.partial_fit(X)
    scaler = SequenceScaler().fit(X).set_params(per_sequence=True)
    with pytest.raises(ValueError, match="fitted with per_sequence=False, but"):
        scaler.transform(X)


# --- inverse_transform --------------------------------------------------------------


def test_inverse_transform_round_trips_arrays(rng):
    X = rng.normal(size=(7, 5, 3)) * [1, 10, 100] + [0, 5, -7]
    scaler = SequenceScaler().fit(X)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(X)), X, rtol=1e-12, atol=1e-12
    )
    X2 = X[:, :, 0]
    scaler = SequenceScaler().fit(X2)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(X2)), X2, rtol=1e-12, atol=1e-12
    )


def test_inverse_transform_round_trips_lists(rng):
    X = _sequences(rng)
    scaler = SequenceScaler().fit(X)
    back = scaler.inverse_transform(scaler.transform(X))
    assert isinstance(back, list)
    for x, b in zip(X, back, strict=True):
        assert b.shape == x.shape and b.dtype == np.float32
        np.testing.assert_allclose(b, x, rtol=1e-5, atol=1e-4)


def test_inverse_transform_checks_the_features_per_step(rng):
    scaler = SequenceScaler().fit(_sequences(rng))
    with pytest.raises(ValueError, match="X has 2 features per step, but Sequence"):
        scaler.inverse_transform(_sequences(rng, n_features=2))


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3)),
        elements=st.floats(-1e6, 1e6),
    )
)
def test_inverse_transform_of_transform_is_the_identity(X):
    scaler = SequenceScaler().fit(X)
    back = scaler.inverse_transform(scaler.transform(X))
    np.testing.assert_allclose(back, X, rtol=1e-9, atol=1e-9 * (1 + np.abs(X).max()))


@settings(max_examples=50, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(2, 6), st.integers(1, 3)),
        # Values whose squares float64 holds to full precision (no subnormals).
        elements=st.one_of(st.just(0.0), st.floats(1e-6, 1e3), st.floats(-1e3, -1e-6)),
    )
)
def test_per_sequence_output_has_mean_zero_and_std_one_or_zero(X):
    Xt = SequenceScaler(per_sequence=True).fit_transform(X)
    assert Xt.shape == X.shape
    np.testing.assert_allclose(Xt.mean(axis=1), 0, atol=1e-9)
    std = Xt.std(axis=1)
    # 1 for a feature that varies over the sequence, 0 for a constant one.
    assert np.all(np.isclose(std, 1, rtol=1e-6) | np.isclose(std, 0, atol=1e-6))


# --- partial_fit --------------------------------------------------------------------


def test_partial_fit_on_batches_equals_one_fit(rng):
    X = rng.normal(size=(30, 6, 3)) * [1, 10, 1000] + [0, 5, 1e4]
    full = SequenceScaler().fit(X)
    streamed = SequenceScaler()
    for batch in np.array_split(X, [1, 7, 8, 20]):
        assert streamed.partial_fit(batch) is streamed
    np.testing.assert_allclose(streamed.mean_, full.mean_, rtol=1e-12)
    np.testing.assert_allclose(streamed.var_, full.var_, rtol=1e-12)
    np.testing.assert_allclose(streamed.scale_, full.scale_, rtol=1e-12)
    assert streamed.n_steps_seen_ == full.n_steps_seen_ == 180


def test_partial_fit_on_lists_and_arrays_equals_one_fit_on_all_steps(rng):
    # float32: a list's steps are read as float32, an array keeps its dtype.
    X = _sequences(rng, lengths=(3, 7, 5, 1, 4, 9, 2), dtype=np.float32)
    full = SequenceScaler().fit(X)
    streamed = SequenceScaler().partial_fit(X[:3]).partial_fit(X[3:5])
    # An array of equal-length sequences, then a list again.
    streamed.partial_fit(np.stack(X[5:6])).partial_fit(X[6:])
    np.testing.assert_allclose(streamed.mean_, full.mean_, rtol=1e-12)
    np.testing.assert_allclose(streamed.var_, full.var_, rtol=1e-12)
    assert streamed.n_steps_seen_ == sum(map(len, X))


def test_fit_after_partial_fit_starts_again(rng):
    X = rng.normal(size=(4, 3, 2))
    scaler = SequenceScaler().partial_fit(X + 100).fit(X)
    np.testing.assert_allclose(scaler.mean_, SequenceScaler().fit(X).mean_)
    assert scaler.n_steps_seen_ == 12


def test_partial_fit_refuses_another_number_of_features_per_step(rng):
    scaler = SequenceScaler().partial_fit(rng.normal(size=(4, 3, 2)))
    state = _fitted_state(scaler)
    with pytest.raises(ValueError, match="X has 3 features per step, but Sequence"):
        scaler.partial_fit(_sequences(rng, n_features=3))
    _assert_same_state(state, scaler)


def test_partial_fit_with_per_sequence_counts_steps_only(rng):
    scaler = SequenceScaler(per_sequence=True)
    scaler.partial_fit(_sequences(rng)).partial_fit(rng.normal(size=(2, 4, 3)))
    assert scaler.mean_ is None
    assert scaler.n_steps_seen_ == 28


# --- get_feature_names_out ----------------------------------------------------------


def test_feature_names_out_are_the_columns_of_an_array(rng):
    scaler = SequenceScaler().fit(rng.normal(size=(3, 4, 2)))
    assert list(scaler.get_feature_names_out()) == ["x0", "x1", "x2", "x3"]


def test_feature_names_out_are_those_of_a_dataframe(rng):
    X = pd.DataFrame(rng.normal(size=(5, 3)), columns=["a", "b", "c"])
    scaler = SequenceScaler().fit(X)
    assert list(scaler.get_feature_names_out()) == ["a", "b", "c"]
    out = SequenceScaler().set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["a", "b", "c"]


def test_feature_names_out_after_a_list_need_input_features(rng):
    scaler = SequenceScaler().fit(_sequences(rng))
    with pytest.raises(ValueError, match="fitted on a list of sequences, which has"):
        scaler.get_feature_names_out()
    assert list(scaler.get_feature_names_out(["p", "q"])) == ["p", "q"]


# --- parameters and bad input -------------------------------------------------------


def test_init_stores_parameters_unchanged():
    assert SequenceScaler(per_sequence="maybe").get_params() == {
        "per_sequence": "maybe"
    }


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("yes", "per_sequence must be True or False, got 'yes' of type str."),
        (1, "per_sequence must be True or False, got 1 of type int."),
        (None, "per_sequence must be True or False, got None of type NoneType."),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit", "fit_transform"])
def test_invalid_per_sequence_raises_type_error_naming_it(rng, method, value, match):
    scaler = SequenceScaler(per_sequence=value)
    with pytest.raises(TypeError, match=f"^{re.escape(match)}$"):
        getattr(scaler, method)(rng.normal(size=(2, 3)))


def test_numpy_bool_per_sequence_is_accepted(rng):
    X = rng.normal(size=(2, 3))
    Xt = SequenceScaler(per_sequence=np.True_).fit_transform(X)
    np.testing.assert_array_equal(
        Xt, SequenceScaler(per_sequence=True).fit_transform(X)
    )


def test_unfitted_scaler_raises_not_fitted_error():
    with pytest.raises(NotFittedError):
        SequenceScaler().transform(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        SequenceScaler().inverse_transform(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        SequenceScaler().get_feature_names_out()


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (
            np.zeros((2, 3, 1, 1)),
            ValueError,
            "X must be 2-D .* or 3-D .*, got an array of 4",
        ),
        (
            np.zeros((2, 3, 0)),
            ValueError,
            "0 feature\\(s\\) per step .* SequenceScaler",
        ),
        (np.zeros(3), ValueError, "Expected 2D array, got 1D array"),
        ([[1.0, np.nan], [2.0, 3.0]], ValueError, "Input X contains NaN"),
        (
            [np.ones((2, 2)), np.array([[1.0, np.inf]])],
            ValueError,
            "Input X contains infinity \\(in sequence 1\\); SequenceScaler needs",
        ),
        (
            [np.ones((2, 2)), np.ones((3, 3))],
            ValueError,
            "same number of features at every step, but sequence 0 of X has 2 and "
            "sequence 1 has 3",
        ),
        (
            [np.ones((2, 2)), np.ones((0, 2))],
            ValueError,
            "Sequence 1 of X is empty: SequenceScaler needs at least one step",
        ),
        (
            [np.ones((2, 2)), np.array([["a", "b"]])],
            TypeError,
            "SequenceScaler expects sequences of real-valued steps, but sequence 1",
        ),
        ([["a", "b"], ["c", "d"]], TypeError, "SequenceScaler expects numeric"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(X, error, match):
    with pytest.raises(error, match=match):
        SequenceScaler().fit(X)


def test_transform_refuses_another_number_of_features_per_step(rng):
    scaler = SequenceScaler().fit(rng.normal(size=(3, 4, 2)))
    with pytest.raises(ValueError, match=r"^X has 3 features per step, but Sequence"):
        scaler.transform(_sequences(rng, n_features=3))


@pytest.mark.parametrize(
    "bad",
    [
        [np.ones((2, 3)), np.array([[np.nan, 1.0, 1.0]])],
        np.zeros((2, 4, 3, 1)),
        [np.ones((2, 3)), np.ones((2, 2))],
    ],
    ids=["nan", "4-D", "widths"],
)
@pytest.mark.parametrize("method", ["fit", "fit_transform", "partial_fit"])
def test_a_failed_fit_leaves_a_fitted_scaler_unchanged(rng, bad, method):
    scaler = SequenceScaler().fit(rng.normal(size=(5, 4, 2)))
    state = _fitted_state(scaler)
    with pytest.raises(ValueError):
        getattr(scaler, method)(bad)
    _assert_same_state(state, scaler)


def test_a_failed_fit_on_a_bad_parameter_leaves_the_fitted_scaler_unchanged(rng):
    X = rng.normal(size=(5, 4, 2))
    scaler = SequenceScaler().fit(X)
    state = _fitted_state(scaler)
    scaler.set_params(per_sequence="no")
    with pytest.raises(TypeError, match="per_sequence must be True or False"):
        scaler.fit(_sequences(rng, n_features=2))
    _assert_same_state(state, scaler)


# --- input untouched, dtypes, copies, pickles ---------------------------------------


@pytest.mark.parametrize("per_sequence", [False, True])
def test_no_input_is_modified_in_place(rng, per_sequence):
    X_array = rng.normal(size=(4, 5, 3)) * 10 + 3
    X_list = _sequences(rng)
    X_2d = rng.normal(size=(4, 5)) * 10 + 3
    for X in (X_array, X_list, X_2d):
        before = copy.deepcopy(X)
        scaler = SequenceScaler(per_sequence=per_sequence)
        Xt = scaler.fit_transform(X)
        scaler.partial_fit(X)
        if not per_sequence:
            scaler.inverse_transform(X)
        for x, b, xt in zip(X, before, Xt, strict=True):
            np.testing.assert_array_equal(x, b)
            assert not np.shares_memory(x, xt)


def test_read_only_input_is_accepted(rng):
    X = rng.normal(size=(4, 5, 3))
    X.flags.writeable = False
    sequences = _sequences(rng)
    for x in sequences:
        x.flags.writeable = False
    for given_ in (X, sequences):
        SequenceScaler().fit_transform(given_)
        SequenceScaler(per_sequence=True).fit_transform(given_)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
        (np.int8, np.float64),
    ],
)
def test_array_keeps_a_float_dtype_and_makes_others_float64(rng, dtype, expected):
    X = (rng.normal(size=(3, 4, 2)) * 10).astype(dtype)
    for per_sequence in (False, True):
        scaler = SequenceScaler(per_sequence=per_sequence)
        assert scaler.fit_transform(X).dtype == expected


def test_list_of_float64_sequences_comes_back_as_float32(rng):
    X = _sequences(rng, dtype=np.float64)
    assert all(x.dtype == np.float32 for x in SequenceScaler().fit_transform(X))


def test_output_list_reads_back_without_a_pass_over_its_sequences(rng):
    # Views of one array, as the one-hot transformer returns: an LSTM after it
    # reads the array in place.
    Xt = SequenceScaler().fit_transform(_sequences(rng))
    assert Xt.storage() is not None
    assert all(x.base is Xt[0].base for x in Xt)


@pytest.mark.parametrize("per_sequence", [False, True])
def test_pickled_scaler_transforms_as_the_original(rng, per_sequence):
    X = _sequences(rng)
    scaler = SequenceScaler(per_sequence=per_sequence).fit(X)
    loaded = pickle.loads(pickle.dumps(scaler))
    assert loaded.get_params() == scaler.get_params()
    for a, b in zip(loaded.transform(X), scaler.transform(X), strict=True):
        np.testing.assert_array_equal(a, b)
    if not per_sequence:
        np.testing.assert_array_equal(loaded.mean_, scaler.mean_)


def test_clone_gives_an_unfitted_scaler_with_the_same_parameters(rng):
    scaler = SequenceScaler(per_sequence=True).fit(_sequences(rng))
    cloned = clone(scaler)
    assert cloned.get_params() == {"per_sequence": True}
    assert not hasattr(cloned, "n_steps_seen_")


# --- in a Pipeline -----------------------------------------------------------------


def _steps_and_labels(rng, n_samples=24):
    X = rng.normal(size=(n_samples, 5, 2)) * [100, 0.01] + [1000, -3]
    y = (X[:, :, 0].mean(axis=1) > 1000).astype(int)
    return X, y


def test_pipeline_before_lstm_classifier(rng):
    X, y = _steps_and_labels(rng)
    model = make_pipeline(
        SequenceScaler(), LSTMClassifier(hidden_size=4, max_epochs=2, random_state=0)
    ).fit(X, y)
    assert model.predict(X).shape == (24,)
    assert set(model.predict(X)) <= {0, 1}
    np.testing.assert_allclose(model[0].mean_, X.reshape(-1, 2).mean(axis=0))
    assert model[-1].input_size_ == 2
    # The classifier saw scaled steps.
    assert model[-1].n_features_in_ == 5


def test_pipeline_before_lstm_regressor_on_a_list(rng):
    X = _sequences(rng, lengths=(3, 7, 5, 4, 6, 2, 8, 5))
    y = np.array([x[:, 0].mean() for x in X])
    model = make_pipeline(
        SequenceScaler(per_sequence=True),
        LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0),
    ).fit(X, y)
    prediction = model.predict(X)
    assert prediction.shape == (8,) and np.all(np.isfinite(prediction))
    assert np.isfinite(model.score(X, y))


def test_pipeline_with_scaler_pickles_and_predicts_the_same(rng):
    X, y = _steps_and_labels(rng)
    model = make_pipeline(
        SequenceScaler(), LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0)
    ).fit(X, y.astype(float))
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
