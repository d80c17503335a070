import pickle
import re

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo._module import LSTMModule

FAST = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


def _data(n_samples=600, length=6, n_features=8, seed=0):
    return make_echo_sequences(n_samples, length, n_features, random_state=seed)


@pytest.mark.parametrize(
    "architecture",
    [{}, {"bidirectional": True}, {"num_layers": 2}, {"forget_bias": None}],
    ids=["default", "bidirectional", "two-layers", "torch-init"],
)
def test_token_module_starts_identical_to_the_one_hot_module(architecture):
    torch.manual_seed(0)
    onehot = LSTMModule(8, 5, **architecture).eval()
    after_onehot = torch.rand(3)
    torch.manual_seed(0)
    tokens = LSTMModule(8, 5, tokens=True, **architecture).eval()
    after_tokens = torch.rand(3)
    X = torch.randint(0, 8, (40, 7))
    X_onehot = torch.nn.functional.one_hot(X, 8).float()
    with torch.no_grad():
        assert torch.equal(onehot(X_onehot), tokens(X))
    # Building it draws the same random numbers, so what follows is unchanged.
    assert torch.equal(after_onehot, after_tokens)


@pytest.mark.parametrize(
    "params",
    [{}, {"bidirectional": True, "num_layers": 2, "dropout": 0.2}],
    ids=["default", "bidirectional-2-layers-dropout"],
)
def test_token_path_and_one_hot_pipeline_give_the_same_predictions(params):
    X, y = _data()
    X_test, _ = _data(300, seed=1)
    params = {**FAST, **params}
    pipeline = make_pipeline(
        OneHotSequenceTransformer(n_features=8), LSTMClassifier(**params)
    ).fit(X, y)
    token = TokenLSTMClassifier(n_features=8, **params).fit(X, y)
    assert_array_equal(token.predict(X_test), pipeline.predict(X_test))
    assert_allclose(
        token.predict_proba(X_test), pipeline.predict_proba(X_test), atol=1e-5
    )
    assert_allclose(
        token.net_.history[:, "train_loss"],
        pipeline[-1].net_.history[:, "train_loss"],
        rtol=1e-5,
    )


def test_unknown_tokens_ignored_like_the_one_hot_pipeline():
    X, y = _data(n_features=8)
    X_test, _ = _data(200, n_features=12, seed=1)  # tokens 8..11 are unknown
    pipeline = make_pipeline(
        OneHotSequenceTransformer(n_features=8, handle_unknown="ignore"),
        LSTMClassifier(**FAST),
    ).fit(X, y)
    token = TokenLSTMClassifier(n_features=8, handle_unknown="ignore", **FAST)
    token.fit(X, y)
    assert (X_test >= 8).any()
    assert_allclose(
        token.predict_proba(X_test), pipeline.predict_proba(X_test), atol=1e-5
    )


def test_unknown_token_raises_by_default():
    X, y = _data()
    clf = TokenLSTMClassifier(**FAST).fit(X, y)
    assert clf.vocabulary_size_ == 8
    with pytest.raises(
        ValueError, match=r"unknown token 9: fitted tokens are in \[0, 8\)"
    ):
        clf.predict(np.full((2, 6), 9))


def test_vocabulary_is_learnt_or_fixed():
    X, y = _data(n_features=8)
    assert TokenLSTMClassifier(**FAST).fit(X, y).vocabulary_size_ == 8
    clf = TokenLSTMClassifier(n_features=20, **FAST).fit(X, y)
    assert clf.vocabulary_size_ == 20
    assert clf.input_size_ == 20
    assert clf.n_features_in_ == 6
    with pytest.raises(ValueError, match=r"token 7, but n_features=5 allows"):
        TokenLSTMClassifier(n_features=5, **FAST).fit(X, y)


def test_large_vocabulary_trains_without_a_one_hot_array():
    # A one-hot of these 200 sequences would take 200 * 5 * 10**5 * 4 = 400 MB;
    # the token path holds 200 * 5 integers and a 10**5-row lookup.
    X = np.random.RandomState(0).randint(0, 10**5, size=(200, 5))
    y = X[:, 1] % 2
    clf = TokenLSTMClassifier(n_features=10**5, max_epochs=1, hidden_size=4)
    clf.fit(X, y)
    assert clf.predict(X).shape == (200,)
    assert clf.net_.module_.embedding.num_embeddings == 10**5 + 1


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        ([[1, -2, 3]], ValueError, "Negative values in data"),
        ([[1, 2.5, 3]], ValueError, "expects integer tokens, got the fractional"),
        ([["a", "b", "c"]], TypeError, "expects integer tokens, got strings"),
        (np.zeros((1, 3, 2)), ValueError, "Found array with dim 3"),
        ([1, 2, 3], ValueError, "Expected 2D array, got 1D array"),
        ([[1, np.nan, 3]], ValueError, "Input X contains NaN"),
    ],
)
def test_bad_tokens_are_rejected_with_a_clear_message(X, error, message):
    with pytest.raises(error, match=re.escape(message)):
        TokenLSTMClassifier(**FAST).fit(np.repeat(np.asarray(X), 2, axis=0), [0, 1])


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"n_features": 0}, ValueError, "n_features == 0, must be >= 1"),
        ({"n_features": 2.5}, TypeError, "n_features must be an integer"),
        ({"handle_unknown": "skip"}, ValueError, "handle_unknown must be 'error'"),
        ({"hidden_size": 0}, ValueError, "hidden_size == 0, must be >= 1"),
    ],
)
def test_bad_parameters_are_rejected(params, error, message):
    X, y = _data()
    with pytest.raises(error, match=re.escape(message)):
        TokenLSTMClassifier(**{**FAST, **params}).fit(X, y)


def test_summary_shows_the_lookup_and_the_fixed_selector():
    X, y = _data(n_features=100, length=50, n_samples=20)
    text = TokenLSTMClassifier(max_epochs=1, random_state=0).fit(X, y).summary()
    assert "embedding (Embedding)" in text
    assert "Input shape: (None, 50)" in text
    # The 100 x 100 selector is not trained; the lookup holds weight_ih's values.
    assert "Non-trainable params: 10,000" in text


def test_pickle_round_trip_gives_identical_probabilities():
    X, y = _data()
    clf = TokenLSTMClassifier(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_token_path_matches_the_one_hot_pipeline_with_several_targets():
    X, _ = _data()
    y = np.c_[X[:, 1], X[:, 3] % 3]
    X_test, _ = _data(300, seed=1)
    pipeline = make_pipeline(
        OneHotSequenceTransformer(n_features=8), LSTMClassifier(**FAST)
    ).fit(X, y)
    token = TokenLSTMClassifier(n_features=8, **FAST).fit(X, y)
    assert token.predict(X_test).shape == (300, 2)
    assert_array_equal(token.predict(X_test), pipeline.predict(X_test))
    for mine, theirs in zip(
        token.predict_proba(X_test), pipeline.predict_proba(X_test), strict=True
    ):
        assert_allclose(mine, theirs, atol=1e-5)
