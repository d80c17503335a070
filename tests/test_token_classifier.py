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
from sklearn_echo._module import LSTMModule, uses_lookup

FAST = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


def _data(n_samples=600, length=6, n_features=8, seed=0):
    return make_echo_sequences(n_samples, length, n_features, random_state=seed)


@pytest.mark.parametrize("lookup", [True, False], ids=["lookup", "one-hot"])
@pytest.mark.parametrize(
    "architecture",
    [{}, {"bidirectional": True}, {"num_layers": 2}, {"forget_bias": None}],
    ids=["default", "bidirectional", "two-layers", "torch-init"],
)
def test_token_module_starts_identical_to_the_one_hot_module(architecture, lookup):
    torch.manual_seed(0)
    onehot = LSTMModule(8, 5, **architecture).eval()
    after_onehot = torch.rand(3)
    torch.manual_seed(0)
    tokens = LSTMModule(8, 5, tokens=True, lookup=lookup, **architecture).eval()
    after_tokens = torch.rand(3)
    # Token 8 is the unknown one: the all-zero step.
    X = torch.randint(0, 9, (40, 7))
    X_onehot = torch.nn.functional.one_hot(X, 9)[..., :8].float()
    with torch.no_grad():
        assert torch.equal(onehot(X_onehot), tokens(X))
    # Building it draws the same random numbers, so what follows is unchanged.
    assert torch.equal(after_onehot, after_tokens)
    assert (tokens.embedding is not None) == lookup
    if not lookup:
        # The one-hot way is the one-hot module, parameter for parameter.
        expected = onehot.state_dict()
        actual = tokens.state_dict()
        assert actual.keys() == expected.keys()
        names = [name for name in expected if name != "mean_step"]
        assert all(torch.equal(actual[name], expected[name]) for name in names)


@pytest.mark.parametrize(
    ("n_features", "hidden_size", "bidirectional", "lookup"),
    [
        (8, 8, False, False),
        (31, 8, False, False),
        (32, 8, False, True),
        (63, 8, True, False),
        (64, 8, True, True),
    ],
)
def test_the_lookup_is_used_where_the_vocabulary_is_wider_than_the_gates(
    n_features, hidden_size, bidirectional, lookup
):
    # 4 * 8 = 32 gates per direction; the vocabulary counts the unknown token.
    assert uses_lookup(n_features, hidden_size, bidirectional) is lookup
    module = LSTMModule(
        n_features, 2, hidden_size, bidirectional=bidirectional, tokens=True
    )
    assert (module.embedding is not None) is lookup
    # Without tokens there is nothing to look up.
    assert LSTMModule(n_features, 2, hidden_size, lookup=True).embedding is None


# 4 * hidden_size = 32 gates per direction: 9 tokens (the unknown one
# included) are one-hot encoded, 71 looked up, with one direction or two.
@pytest.mark.parametrize("n_features", [8, 70], ids=["one-hot-way", "lookup-way"])
@pytest.mark.parametrize(
    "params",
    [{}, {"bidirectional": True, "num_layers": 2, "dropout": 0.2}],
    ids=["default", "bidirectional-2-layers-dropout"],
)
def test_token_path_and_one_hot_pipeline_give_the_same_predictions(params, n_features):
    X, y = _data(n_features=n_features)
    X_test, _ = _data(300, n_features=n_features, seed=1)
    params = {**FAST, **params}
    pipeline = make_pipeline(
        OneHotSequenceTransformer(n_features=n_features), LSTMClassifier(**params)
    ).fit(X, y)
    token = TokenLSTMClassifier(n_features=n_features, **params).fit(X, y)
    assert (token.net_.module_.embedding is not None) is (n_features == 70)
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


def test_a_warm_start_keeps_the_learnt_vocabulary():
    X, y = _data(n_features=8)
    clf = TokenLSTMClassifier(warm_start=True, **FAST).fit(X, y)
    # New data without the largest tokens continues the same network.
    clf.fit(np.minimum(X, 5), y)
    assert clf.vocabulary_size_ == 8
    assert len(clf.net_.history) == 6
    before = clf.predict_proba(X)
    message = r"vocabulary of tokens in \[0, 8\), but X contains the token 9"
    with pytest.raises(ValueError, match=message):
        clf.fit(np.where(X == 7, 9, X), y)
    assert clf.vocabulary_size_ == 8
    np.testing.assert_array_equal(clf.predict_proba(X), before)


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


def test_summary_of_a_small_vocabulary_shows_the_one_hot_step():
    X, y = _data(n_features=20, length=50, n_samples=20)
    token = TokenLSTMClassifier(max_epochs=1, random_state=0).fit(X, y)
    pipeline = make_pipeline(
        OneHotSequenceTransformer(), LSTMClassifier(max_epochs=1, random_state=0)
    ).fit(X, y)
    text = token.summary()
    assert "one_hot (OneHot)      (None, 50, 20)" in text
    assert "Input shape: (None, 50)" in text
    # The pipeline's network, and nothing fixed.
    assert "Non-trainable params: 0" in text
    assert text.splitlines()[-4:-1] == pipeline[-1].summary().splitlines()[-4:-1]


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
