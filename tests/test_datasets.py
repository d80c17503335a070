"""Tests for make_echo_sequences."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_echo import make_adding_problem, make_echo_sequences

_INT64_MAX = np.iinfo(np.int64).max


# --- shapes, dtype, values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("n_samples", "length", "n_features"),
    [(1, 1, 1), (7, 3, 2), (50, 5, 10), (20, 12, 300)],
)
def test_returns_int64_arrays_of_documented_shapes(n_samples, length, n_features):
    X, y = make_echo_sequences(
        n_samples, length, n_features, out_index=0, random_state=0
    )
    assert isinstance(X, np.ndarray)
    assert isinstance(y, np.ndarray)
    assert X.shape == (n_samples, length)
    assert y.shape == (n_samples,)
    assert X.dtype == np.int64
    assert y.dtype == np.int64


def test_default_parameters_give_100_sequences_of_length_5_over_10_tokens():
    X, y = make_echo_sequences(random_state=0)
    assert X.shape == (100, 5)
    assert y.shape == (100,)
    assert 0 <= X.min() and X.max() < 10
    np.testing.assert_array_equal(y, X[:, 2])


@pytest.mark.parametrize("n_features", [1, 2, 10, 1000])
def test_values_lie_in_zero_to_n_features(n_features):
    X, y = make_echo_sequences(500, 6, n_features, random_state=0)
    assert X.min() >= 0
    assert X.max() < n_features
    assert y.min() >= 0
    assert y.max() < n_features


def test_single_token_vocabulary_gives_all_zero_sequences():
    X, y = make_echo_sequences(10, 4, 1, out_index=1, flip_y=1.0, random_state=0)
    np.testing.assert_array_equal(X, np.zeros((10, 4), dtype=np.int64))
    np.testing.assert_array_equal(y, np.zeros(10, dtype=np.int64))


def test_largest_int64_n_features_is_accepted_and_values_stay_in_range():
    X, y = make_echo_sequences(20, 3, _INT64_MAX, out_index=1, random_state=0)
    assert X.dtype == np.int64
    assert X.min() >= 0
    np.testing.assert_array_equal(y, X[:, 1])


def test_all_tokens_appear_on_large_data():
    # 5000 draws over 10 tokens: a missing token has probability ~1e-228.
    X, _ = make_echo_sequences(1000, 5, 10, random_state=0)
    np.testing.assert_array_equal(np.unique(X), np.arange(10))


# --- out_index ---------------------------------------------------------------------


@pytest.mark.parametrize("out_index", [0, 1, 2, 4])
def test_y_is_the_column_at_out_index(out_index):
    X, y = make_echo_sequences(30, 5, 10, out_index=out_index, random_state=0)
    np.testing.assert_array_equal(y, X[:, out_index])


@pytest.mark.parametrize("out_index", [-1, -2, -5])
def test_negative_out_index_counts_from_the_end(out_index):
    X, y = make_echo_sequences(30, 5, 10, out_index=out_index, random_state=0)
    np.testing.assert_array_equal(y, X[:, 5 + out_index])


def test_negative_out_index_gives_same_data_as_its_positive_equivalent():
    X_neg, y_neg = make_echo_sequences(30, 5, 10, out_index=-1, random_state=3)
    X_pos, y_pos = make_echo_sequences(30, 5, 10, out_index=4, random_state=3)
    np.testing.assert_array_equal(X_neg, X_pos)
    np.testing.assert_array_equal(y_neg, y_pos)


def test_numpy_integer_out_index_is_accepted():
    X, y = make_echo_sequences(10, 5, 10, out_index=np.int32(3), random_state=0)
    assert y.shape == (10,)
    np.testing.assert_array_equal(y, X[:, 3])


@pytest.mark.parametrize(
    "out_index",
    [[0, 2], (1, -1, 3), [4], np.array([0, 1, 2, 3, 4]), [2, 2]],
    ids=["list", "tuple-with-negative", "one-element-list", "array", "duplicates"],
)
def test_sequence_of_out_indices_gives_multi_output_y(out_index):
    X, y = make_echo_sequences(25, 5, 10, out_index=out_index, random_state=0)
    columns = [index % 5 for index in out_index]
    assert y.shape == (25, len(columns))
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, X[:, columns])


def test_multi_output_y_is_a_copy_not_a_view_of_x():
    X, y = make_echo_sequences(10, 5, 10, out_index=[0, 1], random_state=0)
    y[:] = -1
    assert X.min() >= 0


def test_y_does_not_share_memory_with_x():
    X, y = make_echo_sequences(10, 5, 10, out_index=1, random_state=0)
    assert not np.shares_memory(X, y)


# --- flip_y ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flip_y_zero_gives_exact_labels(seed):
    X, y = make_echo_sequences(200, 6, 4, out_index=3, flip_y=0.0, random_state=seed)
    np.testing.assert_array_equal(y, X[:, 3])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flip_y_one_with_many_tokens_changes_almost_every_label(seed):
    n_features = 10**6
    X, y = make_echo_sequences(
        2000, 4, n_features, out_index=1, flip_y=1.0, random_state=seed
    )
    assert y.min() >= 0
    assert y.max() < n_features
    # A redrawn label equals the true one with probability 1e-6 per sample.
    assert np.mean(y != X[:, 1]) > 0.99


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("flip_y", [0.1, 0.5, 1.0])
def test_fraction_of_wrong_labels_is_about_flip_y_times_n_minus_1_over_n(seed, flip_y):
    n_samples, n_features = 20_000, 10
    X, y = make_echo_sequences(
        n_samples, 5, n_features, out_index=2, flip_y=flip_y, random_state=seed
    )
    expected = flip_y * (n_features - 1) / n_features
    # Standard deviation of the observed fraction is at most 0.0036 here; 0.03 is
    # more than 8 of them, so no seed makes this fail in practice.
    assert abs(np.mean(y != X[:, 2]) - expected) < 0.03


def test_flip_y_leaves_the_sequences_unchanged():
    X_clean, _ = make_echo_sequences(100, 5, 10, flip_y=0.0, random_state=7)
    X_flipped, _ = make_echo_sequences(100, 5, 10, flip_y=0.5, random_state=7)
    np.testing.assert_array_equal(X_clean, X_flipped)


def test_flip_y_flips_multi_output_labels_independently_and_in_range():
    X, y = make_echo_sequences(
        5000, 5, 10, out_index=[0, 4], flip_y=0.5, random_state=0
    )
    assert y.shape == (5000, 2)
    assert 0 <= y.min() and y.max() < 10
    wrong = y != X[:, [0, 4]]
    # Each column is about 45 % wrong; both, about 20 %.
    assert np.all(np.abs(wrong.mean(axis=0) - 0.45) < 0.05)
    assert abs(np.mean(wrong.all(axis=1)) - 0.45**2) < 0.05


# --- random_state ------------------------------------------------------------------


def test_same_int_seed_gives_same_data():
    X1, y1 = make_echo_sequences(40, 6, 9, flip_y=0.3, random_state=42)
    X2, y2 = make_echo_sequences(40, 6, 9, flip_y=0.3, random_state=42)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_int_seed_and_randomstate_with_that_seed_give_same_data():
    X1, y1 = make_echo_sequences(40, 6, 9, flip_y=0.3, random_state=5)
    X2, y2 = make_echo_sequences(
        40, 6, 9, flip_y=0.3, random_state=np.random.RandomState(5)
    )
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_different_seeds_give_different_data():
    X1, _ = make_echo_sequences(50, 5, 10, random_state=0)
    X2, _ = make_echo_sequences(50, 5, 10, random_state=1)
    assert not np.array_equal(X1, X2)


def test_randomstate_instance_advances_between_calls(rng):
    X1, _ = make_echo_sequences(50, 5, 10, random_state=rng)
    X2, _ = make_echo_sequences(50, 5, 10, random_state=rng)
    # 250 tokens over 10 values: equal draws have probability 1e-250.
    assert not np.array_equal(X1, X2)


def test_random_state_none_gives_valid_data():
    X, y = make_echo_sequences(30, 4, 7, out_index=-1, random_state=None)
    assert X.shape == (30, 4)
    assert X.dtype == np.int64
    assert 0 <= X.min() and X.max() < 7
    np.testing.assert_array_equal(y, X[:, -1])


def test_invalid_random_state_is_rejected():
    with pytest.raises(ValueError, match="cannot be used to seed"):
        make_echo_sequences(random_state="zero")


# --- parameter validation ----------------------------------------------------------


@pytest.mark.parametrize("name", ["n_samples", "length", "n_features"])
@pytest.mark.parametrize("value", [0, -1])
def test_size_below_one_raises_value_error_naming_parameter(name, value):
    with pytest.raises(ValueError, match=rf"^{name} == {value}, must be >= 1\.$"):
        make_echo_sequences(**{name: value})


def test_n_features_above_int64_max_raises_value_error():
    with pytest.raises(
        ValueError, match=rf"^n_features == {2**63}, must be <= {_INT64_MAX}\.$"
    ):
        make_echo_sequences(n_features=2**63)


@pytest.mark.parametrize("name", ["n_samples", "length", "n_features"])
@pytest.mark.parametrize(
    ("value", "type_name"),
    [(2.0, "float"), ("3", "str"), (True, "bool"), (None, "NoneType")],
)
def test_non_integer_size_raises_type_error_naming_parameter(name, value, type_name):
    message = f"{name} must be an integer, got {value!r} of type {type_name}."
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        make_echo_sequences(**{name: value})


@pytest.mark.parametrize("out_index", [5, 6, -6, -100])
def test_out_index_out_of_range_raises_value_error(out_index):
    message = (
        f"out_index={out_index} is out of range for sequences of length 5: "
        "expected -5 <= out_index < 5."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make_echo_sequences(length=5, out_index=out_index)


def test_out_index_out_of_range_inside_a_sequence_raises_value_error():
    with pytest.raises(ValueError, match=r"out_index=7 is out of range"):
        make_echo_sequences(length=5, out_index=[1, 7])


def test_out_index_default_is_out_of_range_for_short_sequences():
    with pytest.raises(ValueError, match=r"out_index=2 is out of range.*length 2"):
        make_echo_sequences(length=2)


@pytest.mark.parametrize(
    ("out_index", "shown"),
    [(2.0, "2.0 of type float"), ("2", "'2' of type str"), (True, "True of type bool")],
)
def test_non_integer_out_index_raises_type_error(out_index, shown):
    with pytest.raises(
        TypeError,
        match=re.escape(
            f"out_index must be an integer or a sequence of integers, got {shown}"
        ),
    ):
        make_echo_sequences(out_index=out_index)


@pytest.mark.parametrize("out_index", [None, [1.5], [True], ["1"]])
def test_non_integer_entries_of_out_index_raise_type_error(out_index):
    with pytest.raises(TypeError, match="out_index must be an integer or a sequence"):
        make_echo_sequences(out_index=out_index)


def test_bool_inside_a_mixed_out_index_sequence_is_rejected():
    with pytest.raises(TypeError, match="out_index must be an integer or a sequence"):
        make_echo_sequences(out_index=[True, 1])


def test_zero_dimensional_array_out_index_gives_one_dimensional_y():
    X, y = make_echo_sequences(n_samples=4, out_index=np.array(2), random_state=0)
    assert y.shape == (4,)
    np.testing.assert_array_equal(y, X[:, 2])


@pytest.mark.parametrize("out_index", [[], (), np.array([], dtype=np.int64)])
def test_empty_out_index_raises_value_error(out_index):
    with pytest.raises(
        ValueError, match="out_index must be an integer or a non-empty sequence"
    ):
        make_echo_sequences(out_index=out_index)


@pytest.mark.parametrize("flip_y", [-0.1, -1, 1.01, 2])
def test_flip_y_outside_zero_one_raises_value_error(flip_y):
    with pytest.raises(ValueError, match=rf"^flip_y == {flip_y}, must be [<>]= "):
        make_echo_sequences(flip_y=flip_y)


@pytest.mark.parametrize("flip_y", [0, 1, 0.0, 1.0, np.float32(0.5)])
def test_flip_y_boundaries_and_numpy_floats_are_accepted(flip_y):
    X, y = make_echo_sequences(10, 5, 10, flip_y=flip_y, random_state=0)
    assert X.shape == (10, 5)
    assert y.shape == (10,)


@pytest.mark.parametrize(
    ("flip_y", "type_name"),
    [("0.5", "str"), (None, "NoneType"), (True, "bool"), ([0.5], "list")],
)
def test_non_numeric_flip_y_raises_type_error(flip_y, type_name):
    with pytest.raises(
        TypeError,
        match=rf"^flip_y must be a real number, got .* of type {type_name}\.$",
    ):
        make_echo_sequences(flip_y=flip_y)


@pytest.mark.parametrize("flip_y", [np.nan, np.inf, -np.inf])
def test_non_finite_flip_y_raises_value_error(flip_y):
    with pytest.raises(ValueError, match=r"^flip_y must be finite, got"):
        make_echo_sequences(flip_y=flip_y)


# --- properties --------------------------------------------------------------------


@st.composite
def _valid_parameters(draw):
    length = draw(st.integers(1, 8))
    return {
        "n_samples": draw(st.integers(1, 20)),
        "length": length,
        "n_features": draw(st.one_of(st.integers(1, 12), st.integers(1, _INT64_MAX))),
        "out_index": draw(
            st.one_of(
                st.integers(-length, length - 1),
                st.lists(st.integers(-length, length - 1), min_size=1, max_size=4),
            )
        ),
        "flip_y": draw(st.floats(0.0, 1.0)),
        "random_state": draw(st.integers(0, 2**32 - 1)),
    }


@settings(deadline=None, max_examples=50)
@given(params=_valid_parameters())
def test_random_valid_parameters_give_right_shapes_range_and_labels(params):
    X, y = make_echo_sequences(**params)
    n_samples, length = params["n_samples"], params["length"]
    out_index = params["out_index"]
    assert X.shape == (n_samples, length)
    assert X.dtype == np.int64
    assert y.dtype == np.int64
    assert X.min() >= 0
    assert X.max() < params["n_features"]
    assert y.min() >= 0
    assert y.max() < params["n_features"]
    if isinstance(out_index, list):
        assert y.shape == (n_samples, len(out_index))
    else:
        assert y.shape == (n_samples,)
    if params["flip_y"] == 0:
        np.testing.assert_array_equal(y, X[:, out_index])


@settings(deadline=None, max_examples=50)
@given(params=_valid_parameters())
def test_random_valid_parameters_are_deterministic_for_a_seed(params):
    X1, y1 = make_echo_sequences(**params)
    X2, y2 = make_echo_sequences(**params)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


# --- make_adding_problem ------------------------------------------------------------


@pytest.mark.parametrize(("n_samples", "length"), [(1, 2), (7, 3), (50, 100)])
def test_adding_problem_has_documented_shapes_and_dtypes(n_samples, length):
    X, y = make_adding_problem(n_samples, length, random_state=0)
    assert X.shape == (n_samples, length, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.float64


def test_adding_problem_marks_exactly_one_step_in_each_half():
    X, _ = make_adding_problem(500, 11, random_state=0)
    markers = X[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    # length 11: the first half is steps 0..4, the second steps 5..10.
    assert (markers[:, :5].sum(axis=1) == 1).all()
    assert (markers[:, 5:].sum(axis=1) == 1).all()


def test_adding_problem_target_is_the_sum_of_the_marked_values():
    X, y = make_adding_problem(300, 20, random_state=1)
    np.testing.assert_allclose(y, (X[:, :, 0] * X[:, :, 1]).sum(axis=1))
    assert ((X[:, :, 0] >= 0) & (X[:, :, 0] < 1)).all()


def test_adding_problem_mean_predictor_has_mse_about_one_sixth():
    # The baseline the literature quotes: predicting 1.0 gives MSE 1/6, R² 0.
    _, y = make_adding_problem(200_000, 10, random_state=0)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.002)


def test_adding_problem_markers_cover_every_step_of_their_half():
    X, _ = make_adding_problem(2_000, 10, random_state=0)
    assert (X[:, :, 1].sum(axis=0) > 0).all()


def test_adding_problem_same_seed_same_data_and_randomstate_equivalent():
    first = make_adding_problem(20, 8, random_state=3)
    second = make_adding_problem(20, 8, random_state=np.random.RandomState(3))
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    other = make_adding_problem(20, 8, random_state=4)
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples": 0}, ValueError, "n_samples == 0, must be >= 1"),
        ({"length": 1}, ValueError, "length == 1, must be >= 2"),
        ({"length": 2.5}, TypeError, "length must be an integer, got 2.5 of type"),
        ({"n_samples": True}, TypeError, "n_samples must be an integer, got True"),
    ],
)
def test_adding_problem_rejects_bad_arguments_naming_them(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        make_adding_problem(**kwargs)
