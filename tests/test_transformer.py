"""Tests for OneHotSequenceTransformer."""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.fixes import parse_version

from sklearn_echo import OneHotSequenceTransformer, make_echo_sequences

X_SMALL = [[2, 0, 1], [1, 1, 0]]

# check_array's words for a 3-D array; scikit-learn 1.7 changed them.
if parse_version(sklearn.__version__) >= parse_version("1.7"):
    DIM_3 = r"^Found array with dim 3, while dim <= 2 is required by {}\.$"
else:
    DIM_3 = r"^Found array with dim 3\. {} expected <= 2\.$"


def _expected_onehot(X, vocabulary_size, dtype=np.float32):
    """The one-hot encoding built independently of the transformer."""
    return np.eye(vocabulary_size, dtype=dtype)[np.asarray(X, dtype=np.int64)]


# --- fit -------------------------------------------------------------------------


def test_fit_returns_self():
    encoder = OneHotSequenceTransformer()
    assert encoder.fit(X_SMALL) is encoder


def test_fit_learns_vocabulary_size_as_largest_token_plus_one():
    encoder = OneHotSequenceTransformer().fit([[0, 4, 1], [2, 2, 3]])
    assert encoder.vocabulary_size_ == 5
    assert isinstance(encoder.vocabulary_size_, int)


def test_fit_uses_n_features_as_vocabulary_size_when_given():
    encoder = OneHotSequenceTransformer(n_features=10).fit(X_SMALL)
    assert encoder.vocabulary_size_ == 10
    assert isinstance(encoder.vocabulary_size_, int)


def test_n_features_equal_to_largest_token_plus_one_is_accepted():
    encoder = OneHotSequenceTransformer(n_features=3).fit(X_SMALL)
    assert encoder.vocabulary_size_ == 3


def test_numpy_integer_n_features_is_accepted():
    encoder = OneHotSequenceTransformer(n_features=np.int64(4)).fit(X_SMALL)
    assert encoder.vocabulary_size_ == 4


def test_n_features_in_is_the_sequence_length():
    X, _ = make_echo_sequences(20, 7, 5, random_state=0)
    encoder = OneHotSequenceTransformer().fit(X)
    assert encoder.n_features_in_ == 7


def test_all_zero_data_gives_vocabulary_of_one():
    encoder = OneHotSequenceTransformer().fit(np.zeros((3, 4), dtype=np.int64))
    assert encoder.vocabulary_size_ == 1
    np.testing.assert_array_equal(
        encoder.transform(np.zeros((3, 4), dtype=np.int64)), np.ones((3, 4, 1))
    )


def test_init_stores_parameters_unchanged():
    encoder = OneHotSequenceTransformer(
        n_features="bad", dtype="not-a-dtype", handle_unknown="maybe"
    )
    assert encoder.get_params() == {
        "n_features": "bad",
        "dtype": "not-a-dtype",
        "handle_unknown": "maybe",
    }


def test_unfitted_transformer_raises_not_fitted_error():
    encoder = OneHotSequenceTransformer()
    with pytest.raises(NotFittedError):
        encoder.transform(X_SMALL)
    with pytest.raises(NotFittedError):
        encoder.inverse_transform(np.zeros((1, 3, 3)))


# --- transform -----------------------------------------------------------------


def test_transform_gives_exact_one_hot_content():
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    onehot = encoder.transform(X_SMALL)
    expected = np.array(
        [
            [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
            [[0, 1, 0], [0, 1, 0], [1, 0, 0]],
        ],
        dtype=np.float32,
    )
    np.testing.assert_array_equal(onehot, expected)


def test_transform_shape_is_samples_by_length_by_vocabulary():
    X, _ = make_echo_sequences(13, 6, 8, random_state=0)
    encoder = OneHotSequenceTransformer(n_features=8).fit(X)
    onehot = encoder.transform(X)
    assert onehot.shape == (13, 6, 8)
    np.testing.assert_array_equal(onehot, _expected_onehot(X, 8))


def test_transform_default_dtype_is_float32():
    onehot = OneHotSequenceTransformer().fit_transform(X_SMALL)
    assert onehot.dtype == np.float32


@pytest.mark.parametrize(
    "dtype",
    [
        np.float32,
        np.float64,
        np.float16,
        np.int8,
        np.int64,
        np.uint8,
        bool,
        "float64",
        "int32",
        "bool",
    ],
)
def test_transform_respects_dtype_parameter(dtype):
    encoder = OneHotSequenceTransformer(dtype=dtype).fit(X_SMALL)
    onehot = encoder.transform(X_SMALL)
    assert onehot.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(onehot, _expected_onehot(X_SMALL, 3, dtype=dtype))


def test_transform_of_other_data_uses_fitted_vocabulary():
    encoder = OneHotSequenceTransformer(n_features=6).fit(X_SMALL)
    X_new = [[5, 4, 3], [0, 0, 0]]
    np.testing.assert_array_equal(encoder.transform(X_new), _expected_onehot(X_new, 6))


def test_fit_transform_equals_fit_then_transform():
    X, _ = make_echo_sequences(10, 4, 6, random_state=0)
    encoder = OneHotSequenceTransformer()
    np.testing.assert_array_equal(
        encoder.fit_transform(X), clone(encoder).fit(X).transform(X)
    )


# --- inverse_transform -----------------------------------------------------------


def test_inverse_transform_round_trips_to_int64_tokens():
    X, _ = make_echo_sequences(20, 5, 7, random_state=0)
    encoder = OneHotSequenceTransformer().fit(X)
    decoded = encoder.inverse_transform(encoder.transform(X))
    assert decoded.dtype == np.int64
    np.testing.assert_array_equal(decoded, X)


def test_inverse_transform_decodes_scores_by_argmax():
    encoder = OneHotSequenceTransformer().fit([[0, 1], [2, 2]])
    scores = np.array([[[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]])
    np.testing.assert_array_equal(encoder.inverse_transform(scores), [[1, 0]])


def test_inverse_transform_accepts_lists_and_bool_arrays():
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    onehot = encoder.transform(X_SMALL)
    np.testing.assert_array_equal(encoder.inverse_transform(onehot.tolist()), X_SMALL)
    np.testing.assert_array_equal(
        encoder.inverse_transform(onehot.astype(bool)), X_SMALL
    )


@pytest.mark.parametrize(
    "shape", [(2, 3), (2, 3, 4), (2, 2, 3), (2, 4, 3), (2, 3, 3, 1), (6,)]
)
def test_inverse_transform_with_wrong_shape_raises_value_error(shape):
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    message = (
        "inverse_transform expects an array of shape (n_samples, 3, 3), "
        f"got shape {shape}."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encoder.inverse_transform(np.zeros(shape))


def test_inverse_transform_with_nan_raises_value_error():
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    with pytest.raises(ValueError, match="Input contains NaN"):
        encoder.inverse_transform(np.full((2, 3, 3), np.nan))


# --- handle_unknown ----------------------------------------------------------------


def test_handle_unknown_error_raises_at_transform_on_unknown_token():
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    message = (
        "X contains the unknown token 5: fitted tokens are in [0, 3). Pass "
        "handle_unknown='ignore' to encode unknown tokens as all-zero steps."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encoder.transform([[1, 2, 5]])


def test_handle_unknown_error_is_the_default():
    assert OneHotSequenceTransformer().handle_unknown == "error"
    encoder = OneHotSequenceTransformer(n_features=4).fit(X_SMALL)
    with pytest.raises(ValueError, match=r"unknown token 4: .*\[0, 4\)"):
        encoder.transform([[0, 4, 0]])


def test_handle_unknown_ignore_gives_all_zero_step_for_unknown_token():
    encoder = OneHotSequenceTransformer(handle_unknown="ignore").fit(X_SMALL)
    onehot = encoder.transform([[1, 2, 5], [7, 0, 3]])
    expected = np.array(
        [
            [[0, 1, 0], [0, 0, 1], [0, 0, 0]],
            [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
        ],
        dtype=np.float32,
    )
    np.testing.assert_array_equal(onehot, expected)


def test_inverse_transform_gives_minus_one_for_ignored_unknown_tokens():
    encoder = OneHotSequenceTransformer(handle_unknown="ignore").fit(X_SMALL)
    decoded = encoder.inverse_transform(encoder.transform([[1, 2, 5], [7, 0, 3]]))
    np.testing.assert_array_equal(decoded, [[1, 2, -1], [-1, 0, -1]])


# --- accepted inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "as_input",
    [
        lambda X: X.tolist(),
        lambda X: X.astype(np.int32),
        lambda X: X.astype(np.int64),
        lambda X: X.astype(np.uint8),
        lambda X: X.astype(np.uint64),
        lambda X: X.astype(np.float32),
        lambda X: X.astype(np.float64),
        lambda X: X.astype(object),
    ],
    ids=["list", "int32", "int64", "uint8", "uint64", "float32", "float64", "object"],
)
def test_accepted_input_types_give_the_same_encoding(as_input):
    X, _ = make_echo_sequences(8, 4, 6, random_state=0)
    encoder = OneHotSequenceTransformer().fit(as_input(X))
    assert encoder.vocabulary_size_ == X.max() + 1
    assert encoder.n_features_in_ == 4
    onehot = encoder.transform(as_input(X))
    np.testing.assert_array_equal(onehot, _expected_onehot(X, X.max() + 1))
    np.testing.assert_array_equal(encoder.inverse_transform(onehot), X)


def test_negative_zero_float_token_is_token_zero():
    encoder = OneHotSequenceTransformer().fit(np.array([[-0.0, 1.0]]))
    np.testing.assert_array_equal(
        encoder.transform(np.array([[-0.0, 1.0]])), [[[1, 0], [0, 1]]]
    )


def test_dataframe_with_string_columns_sets_feature_names_in():
    df = pd.DataFrame(X_SMALL, columns=["t0", "t1", "t2"])
    encoder = OneHotSequenceTransformer().fit(df)
    np.testing.assert_array_equal(encoder.feature_names_in_, ["t0", "t1", "t2"])
    assert encoder.n_features_in_ == 3
    np.testing.assert_array_equal(encoder.transform(df), _expected_onehot(X_SMALL, 3))


def test_dataframe_with_integer_columns_sets_no_feature_names_in():
    encoder = OneHotSequenceTransformer().fit(pd.DataFrame(X_SMALL))
    assert not hasattr(encoder, "feature_names_in_")


def test_array_input_sets_no_feature_names_in():
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    assert not hasattr(encoder, "feature_names_in_")


def test_dataframe_with_renamed_columns_at_transform_raises_value_error():
    df = pd.DataFrame(X_SMALL, columns=["t0", "t1", "t2"])
    encoder = OneHotSequenceTransformer().fit(df)
    with pytest.raises(ValueError, match="feature names should match"):
        encoder.transform(df.rename(columns={"t0": "first"}))


def test_dataframe_with_nullable_integer_dtype_is_accepted():
    df = pd.DataFrame(X_SMALL, columns=["a", "b", "c"], dtype="Int64")
    encoder = OneHotSequenceTransformer().fit(df)
    np.testing.assert_array_equal(encoder.transform(df), _expected_onehot(X_SMALL, 3))


# --- rejected inputs ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["fit", "transform"])
@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (
            [[1, -1, 0]],
            ValueError,
            r"^Negative values in data passed to OneHotSequenceTransformer: tokens "
            r"must be integers >= 0, got -1\.$",
        ),
        (
            np.array([[1.0, -2.0, 0.0]]),
            ValueError,
            r"Negative values in data passed to OneHotSequenceTransformer",
        ),
        (
            [[1, 1.5, 0]],
            ValueError,
            r"^OneHotSequenceTransformer expects integer tokens, got the fractional "
            r"value 1\.5\.$",
        ),
        ([[1, np.nan, 0]], ValueError, r"^Input X contains NaN\."),
        ([[1, np.inf, 0]], ValueError, r"^Input X contains infinity"),
        ([[1, -np.inf, 0]], ValueError, r"^Input X contains infinity"),
        (
            [["a", "b", "c"]],
            TypeError,
            r"^OneHotSequenceTransformer expects integer tokens, got strings\.$",
        ),
        (
            np.array([["1", "2", "0"]]),
            TypeError,
            r"^OneHotSequenceTransformer expects integer tokens, got strings\.$",
        ),
        (
            np.array([[True, False, True]]),
            TypeError,
            r"^OneHotSequenceTransformer expects integer tokens, got an array of "
            r"dtype bool\.$",
        ),
        ([1, 2, 0], ValueError, r"^Expected 2D array, got 1D array instead"),
        (
            np.zeros((2, 3, 3), dtype=np.int64),
            ValueError,
            DIM_3.format("OneHotSequenceTransformer"),
        ),
        (
            np.zeros((0, 3), dtype=np.int64),
            ValueError,
            r"^Found array with 0 sample\(s\) \(shape=\(0, 3\)\) while a minimum of "
            r"1 is required by OneHotSequenceTransformer\.$",
        ),
        (
            np.array([[2.0**64, 0.0, 0.0]]),
            ValueError,
            r"^OneHotSequenceTransformer got a token of .*, larger than int64 holds",
        ),
        (
            np.array([[2**64 - 1, 0, 0]], dtype=np.uint64),
            ValueError,
            r"^OneHotSequenceTransformer got a token of .*, larger than int64 holds",
        ),
    ],
    ids=[
        "negative",
        "negative-float",
        "fractional",
        "nan",
        "inf",
        "minus-inf",
        "strings",
        "numeric-strings",
        "bool",
        "1-D",
        "3-D",
        "no-samples",
        "float-beyond-int64",
        "uint64-beyond-int64",
    ],
)
def test_invalid_tokens_are_rejected_with_a_clear_message(method, X, error, match):
    encoder = OneHotSequenceTransformer()
    if method == "transform":
        encoder.fit(X_SMALL)
    with pytest.raises(error, match=match):
        getattr(encoder, method)(X)


def test_float_token_of_exactly_two_to_the_63_is_rejected():
    with pytest.raises(ValueError, match="larger than int64 holds"):
        OneHotSequenceTransformer().fit(np.array([[2.0**63]]))


@pytest.mark.parametrize("X", [[], np.empty((0,))], ids=["list", "array"])
def test_empty_input_is_rejected(X):
    with pytest.raises(ValueError, match=r"Expected 2D array, got 1D array instead"):
        OneHotSequenceTransformer().fit(X)


def test_input_with_no_steps_is_rejected():
    with pytest.raises(ValueError, match=r"Found array with 0 feature\(s\)"):
        OneHotSequenceTransformer().fit(np.zeros((3, 0), dtype=np.int64))


def test_a_list_of_sequences_of_different_lengths_gives_a_list_of_one_hots():
    X = [[1, 2, 3], [1, 2]]
    encoder = OneHotSequenceTransformer().fit(X)
    assert not hasattr(encoder, "n_features_in_")
    onehot = encoder.transform(X)
    assert isinstance(onehot, list)
    np.testing.assert_array_equal(onehot[0], np.eye(4, dtype=np.float32)[[1, 2, 3]])
    np.testing.assert_array_equal(onehot[1], np.eye(4, dtype=np.float32)[[1, 2]])
    decoded = encoder.inverse_transform(onehot)
    assert [item.tolist() for item in decoded] == X


@pytest.mark.parametrize("X_new", [[[1, 2]], [[1, 2, 0, 0]]], ids=["shorter", "longer"])
def test_an_array_of_another_length_at_transform_raises_value_error(X_new):
    # An array keeps scikit-learn's contract: as many columns as in fit.
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    length = len(X_new[0])
    message = (
        f"X has {length} features, but OneHotSequenceTransformer is expecting 3 "
        "features as input."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        encoder.transform(np.array(X_new))


@pytest.mark.parametrize("X_new", [[[1, 2]], [[1, 2, 0, 0]]], ids=["shorter", "longer"])
def test_a_list_of_another_length_at_transform_is_encoded(X_new):
    # A list gives its sequences one by one: any length is encoded.
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    onehot = encoder.transform(X_new)
    assert isinstance(onehot, list)
    np.testing.assert_array_equal(onehot[0].argmax(axis=1), X_new[0])


@pytest.mark.parametrize(("n_features", "largest"), [(2, 2), (1, 2)])
def test_token_at_or_above_n_features_at_fit_raises_value_error(n_features, largest):
    message = (
        f"X contains the token {largest}, but n_features={n_features} allows tokens "
        f"in [0, {n_features})."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        OneHotSequenceTransformer(n_features=n_features).fit(X_SMALL)


# --- invalid parameters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_features", "error", "message"),
    [
        (0, ValueError, "n_features == 0, must be >= 1."),
        (-1, ValueError, "n_features == -1, must be >= 1."),
        (2.5, TypeError, "n_features must be an integer, got 2.5 of type float."),
        ("3", TypeError, "n_features must be an integer, got '3' of type str."),
        (True, TypeError, "n_features must be an integer, got True of type bool."),
    ],
)
def test_invalid_n_features_raises_at_fit(n_features, error, message):
    encoder = OneHotSequenceTransformer(n_features=n_features)
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        encoder.fit(X_SMALL)


@pytest.mark.parametrize("handle_unknown", ["raise", "IGNORE", None, ""])
def test_invalid_handle_unknown_raises_value_error_at_fit(handle_unknown):
    message = f"handle_unknown must be 'error' or 'ignore', got {handle_unknown!r}."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        OneHotSequenceTransformer(handle_unknown=handle_unknown).fit(X_SMALL)


@pytest.mark.parametrize(
    "dtype", ["not-a-dtype", object, str, "U3", np.complex64, "complex128", "M8[s]"]
)
def test_invalid_dtype_raises_type_error_at_fit(dtype):
    message = f"dtype must be a numpy numeric dtype, got {dtype!r}."
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        OneHotSequenceTransformer(dtype=dtype).fit(X_SMALL)


def test_parameter_set_invalid_after_fit_raises_at_transform():
    encoder = OneHotSequenceTransformer().fit(X_SMALL)
    encoder.set_params(dtype="not-a-dtype")
    with pytest.raises(TypeError, match="dtype must be a numpy numeric dtype"):
        encoder.transform(X_SMALL)


# --- state and inputs are preserved ------------------------------------------------


@pytest.mark.parametrize(
    ("params", "X_bad"),
    [
        ({}, [[1, -1, 0, 4]]),
        ({}, [[0.5, 1.0]]),
        ({}, [[1, np.nan]]),
        ({}, [["a", "b"]]),
        ({}, np.zeros((0, 5), dtype=np.int64)),
        ({}, [[1, 2], []]),
        ({"n_features": 4}, [[9, 0, 1, 2, 3]]),
        ({"n_features": 0}, [[1, 2, 3, 4, 5]]),
        ({"handle_unknown": "raise"}, [[1, 2, 3, 4, 5]]),
        ({"dtype": object}, [[1, 2, 3, 4, 5]]),
    ],
    ids=[
        "negative",
        "fractional",
        "nan",
        "strings",
        "no-samples",
        "ragged-with-empty-sequence",
        "token-above-n_features",
        "bad-n_features",
        "bad-handle_unknown",
        "bad-dtype",
    ],
)
def test_failed_fit_leaves_fitted_transformer_unchanged(params, X_bad):
    df = pd.DataFrame(X_SMALL, columns=["a", "b", "c"])
    encoder = OneHotSequenceTransformer().fit(df)
    encoder.set_params(**params)
    state = dict(vars(encoder))
    with pytest.raises((ValueError, TypeError)):
        encoder.fit(X_bad)
    assert set(vars(encoder)) == set(state)
    assert encoder.vocabulary_size_ == 3
    assert encoder.n_features_in_ == 3
    np.testing.assert_array_equal(encoder.feature_names_in_, ["a", "b", "c"])
    for name, value in state.items():
        if name != "feature_names_in_":
            assert getattr(encoder, name) == value, name


def test_failed_fit_on_unfitted_transformer_leaves_it_unfitted():
    encoder = OneHotSequenceTransformer(n_features=2)
    with pytest.raises(ValueError, match="n_features=2 allows"):
        encoder.fit(X_SMALL)
    assert not hasattr(encoder, "n_features_in_")
    assert not hasattr(encoder, "vocabulary_size_")
    with pytest.raises(NotFittedError):
        encoder.transform(X_SMALL)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.float64])
def test_inputs_are_not_modified(dtype):
    X = np.array([[3, 0, 1], [1, 2, 0]], dtype=dtype)
    X_copy = X.copy()
    encoder = OneHotSequenceTransformer(handle_unknown="ignore").fit(X)
    np.testing.assert_array_equal(X, X_copy)

    onehot = encoder.transform(X)
    np.testing.assert_array_equal(X, X_copy)
    assert not np.shares_memory(onehot, X)

    onehot_copy = onehot.copy()
    decoded = encoder.inverse_transform(onehot)
    np.testing.assert_array_equal(onehot, onehot_copy)
    assert not np.shares_memory(decoded, onehot)
    assert not np.shares_memory(decoded, X)

    # An all-zero step writes -1 into the decoded array, never into the input.
    X_unknown = np.array([[9, 0, 1]], dtype=dtype)
    unknown_copy = X_unknown.copy()
    zero_step = encoder.transform(X_unknown)
    zero_step_copy = zero_step.copy()
    encoder.inverse_transform(zero_step)
    np.testing.assert_array_equal(X_unknown, unknown_copy)
    np.testing.assert_array_equal(zero_step, zero_step_copy)


def test_list_and_dataframe_inputs_are_not_modified():
    X_list = [[2, 0, 1], [1, 1, 0]]
    df = pd.DataFrame(X_list, columns=["a", "b", "c"])
    df_copy = df.copy()
    encoder = OneHotSequenceTransformer().fit(df)
    encoder.inverse_transform(encoder.transform(df))
    pd.testing.assert_frame_equal(df, df_copy)
    OneHotSequenceTransformer().fit_transform(X_list)
    assert X_list == [[2, 0, 1], [1, 1, 0]]


# --- pickle ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"n_features": 9, "dtype": np.int8, "handle_unknown": "ignore"}],
)
def test_pickled_fitted_transformer_gives_same_transform(params):
    X, _ = make_echo_sequences(15, 5, 6, random_state=0)
    encoder = OneHotSequenceTransformer(**params).fit(X)
    restored = pickle.loads(pickle.dumps(encoder))
    assert restored.get_params() == encoder.get_params()
    assert restored.vocabulary_size_ == encoder.vocabulary_size_
    assert restored.n_features_in_ == encoder.n_features_in_
    onehot = restored.transform(X)
    assert onehot.dtype == encoder.transform(X).dtype
    np.testing.assert_array_equal(onehot, encoder.transform(X))
    np.testing.assert_array_equal(restored.inverse_transform(onehot), X)


# --- properties --------------------------------------------------------------------

_TOKEN_DTYPES = st.sampled_from([np.int64, np.int32, np.uint8, np.float64])
_OUTPUT_DTYPES = st.sampled_from([np.float32, np.float64, np.int8, np.uint8, bool])


def _token_arrays(max_token=12):
    return _TOKEN_DTYPES.flatmap(
        lambda dtype: arrays(
            dtype=dtype,
            shape=array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
            elements=st.integers(0, max_token),
        )
    )


@settings(deadline=None, max_examples=50)
@given(X=_token_arrays(), dtype=_OUTPUT_DTYPES, extra=st.integers(0, 3))
def test_inverse_transform_of_transform_is_identity(X, dtype, extra):
    n_features = int(X.max()) + 1 + extra
    for encoder in (
        OneHotSequenceTransformer(dtype=dtype),
        OneHotSequenceTransformer(dtype=dtype, n_features=n_features),
    ):
        decoded = encoder.fit(X).inverse_transform(encoder.transform(X))
        assert decoded.dtype == np.int64
        np.testing.assert_array_equal(decoded, X)


@settings(deadline=None, max_examples=50)
@given(X=_token_arrays(), dtype=_OUTPUT_DTYPES)
def test_every_step_of_transform_sums_to_exactly_one(X, dtype):
    encoder = OneHotSequenceTransformer(dtype=dtype).fit(X)
    onehot = encoder.transform(X)
    n_samples, length = X.shape
    assert onehot.shape == (n_samples, length, int(X.max()) + 1)
    assert onehot.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(onehot.astype(np.int64).sum(axis=2), 1)
    np.testing.assert_array_equal(
        onehot, _expected_onehot(X, encoder.vocabulary_size_, dtype=dtype)
    )


@settings(deadline=None, max_examples=50)
@given(data=st.data(), vocabulary=st.integers(1, 6))
def test_ignored_unknown_tokens_are_zero_steps_and_decode_to_minus_one(
    data, vocabulary
):
    X_new = data.draw(
        arrays(
            np.int64,
            array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
            elements=st.integers(0, 2 * vocabulary),
        )
    )
    encoder = OneHotSequenceTransformer(
        n_features=vocabulary, handle_unknown="ignore"
    ).fit(np.zeros((1, X_new.shape[1]), dtype=np.int64))
    onehot = encoder.transform(X_new)
    known = X_new < vocabulary
    np.testing.assert_array_equal(onehot.sum(axis=2), known.astype(np.float32))
    np.testing.assert_array_equal(
        encoder.inverse_transform(onehot), np.where(known, X_new, -1)
    )
