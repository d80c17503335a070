"""The burn-in start state (``burn_in``): what it computes and where it is kept.

With ``burn_in=B`` every sequence starts from the cell state that the LSTM
reaches after reading B copies of the training data's mean step, computed
with the current weights and no gradient, and from a zero hidden state.
These tests check the state against that definition, that it follows the
weights, that fits set the mean step from the data and that partial and
warm-started fits keep it, that the token and one-hot paths agree, and the
errors.  Padding
invariance with a burn-in is checked with the other padding cases in
``tests/test_ragged.py``.
"""

import copy
import pickle
import re

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo._module import LSTMModule

FAST = {"hidden_size": 3, "max_epochs": 2, "random_state": 0, "burn_in": 5}


def _floats(n_samples=40, *, seed=0, low=2, high=9, n_features=2):
    """Float sequences of lengths in [low, high] and the sign of the first step."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(low, high + 1, size=n_samples)
    X = [rng.normal(1.0, 1.0, size=(n, n_features)).astype(np.float32) for n in lengths]
    return X, np.array([int(x[0, 0] > 1.0) for x in X])


def _module(burn_in, **params):
    torch.manual_seed(0)
    module = LSTMModule(3, 2, hidden_size=4, burn_in=burn_in, **params)
    module.mean_step.copy_(torch.tensor([0.5, -1.0, 2.0]))
    return module


# --- the state is the one the definition gives --------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"num_layers": 2, "dropout": 0.5}, {"bidirectional": True}],
    ids=["1-layer", "2-layers-dropout", "bidirectional"],
)
def test_burn_in_starts_from_the_cell_state_of_the_mean_steps_and_a_zero_output(
    params,
):
    module = _module(4, **params).eval()
    h, c = module.start_state()
    with torch.no_grad():
        _, (_, c_read) = module.lstm(module.mean_step.expand(1, 4, 3))
    assert h.shape == c.shape == c_read.shape == (c_read.shape[0], 1, 4)
    assert_array_equal(h.numpy(), 0)
    assert_allclose(c, c_read, rtol=0, atol=1e-6)
    assert not np.allclose(c.numpy(), 0)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_is_the_lstms_from_the_burn_in_state(bidirectional):
    module = _module(4, bidirectional=bidirectional).eval()
    x = torch.randn(3, 6, 3)
    with torch.no_grad():
        _, (_, c) = module.lstm(module.mean_step.expand(1, 4, 3))
        c = c.expand(-1, 3, -1).contiguous()
        _, (h_n, _) = module.lstm(x, (torch.zeros_like(c), c))
        last = torch.cat([h_n[-2], h_n[-1]], 1) if bidirectional else h_n[-1]
        expected = module.head(last)
        assert_allclose(module(x), expected, rtol=0, atol=1e-6)
        lengths = torch.tensor([6, 6, 6])
        assert_allclose(module(x, lengths), expected, rtol=0, atol=1e-6)
        # The state passed in, as prediction does, gives the same.
        state = module.start_state()
        assert_allclose(module(x, start=state), expected, rtol=0, atol=1e-6)
        assert_allclose(module(x, lengths, state), expected, rtol=0, atol=1e-6)


def test_burn_in_of_zero_starts_from_zeros_like_a_plain_lstm():
    module = _module(0)
    assert module.start_state() is None
    x = torch.randn(5, 6, 3)
    with torch.no_grad():
        _, (h_n, _) = module.lstm(x)
        assert_allclose(module(x), module.head(h_n[-1]), rtol=0, atol=0)


def test_burn_in_takes_no_gradient_and_no_dropout_in_training():
    module = _module(4, num_layers=2, dropout=0.9).train()
    h, c = module.start_state()
    assert not h.requires_grad and not c.requires_grad
    # Dropout between the layers would make two reads differ.
    _, c_again = module.start_state()
    assert_array_equal(c.numpy(), c_again.numpy())
    assert module.lstm.training
    assert_allclose(c, module.eval().start_state()[1], rtol=0, atol=1e-6)


def test_start_state_follows_the_weights():
    module = _module(4)
    before = module.start_state()[1]
    with torch.no_grad():
        module.lstm.weight_hh_l0.mul_(0.5)
    after = module.start_state()[1]
    assert not torch.allclose(before, after)
    with torch.no_grad():
        _, (_, c) = module.lstm(module.mean_step.expand(1, 4, -1))
    assert_allclose(after, c, rtol=0, atol=1e-6)


def test_a_state_made_under_inference_mode_serves_a_backward_pass():
    # predict makes the state under inference_mode; passed to a forward pass
    # with gradients (an attribution method, say), it must still work.
    module = _module(4).eval()
    with torch.inference_mode():
        state = module.start_state()
    for batch in (1, 3):
        x = torch.randn(batch, 5, 3, requires_grad=True)
        module(x, start=state).sum().backward()
        assert x.grad is not None


# --- the estimators set and keep the mean step ---------------------------------------


def test_fit_sets_the_mean_of_the_real_steps_not_of_padding():
    X, y = _floats()
    clf = LSTMClassifier(**FAST).fit(X, y)
    expected = np.concatenate(X).mean(axis=0)
    assert_allclose(clf.net_.module_.mean_step.numpy(), expected, rtol=1e-6)
    block = np.stack([x[:2] for x in X])
    clf.fit(block, y)
    assert_allclose(
        clf.net_.module_.mean_step.numpy(), block.mean(axis=(0, 1)), rtol=1e-6
    )


def test_token_mean_step_is_each_tokens_frequency():
    X, y = make_echo_sequences(50, 8, 4, out_index=0, min_length=2, random_state=0)
    clf = TokenLSTMClassifier(n_features=6, **FAST).fit(X, y)
    counts = np.bincount(np.concatenate(X), minlength=7)
    # Six tokens and the unknown one, which never occurs in training.
    assert_allclose(
        clf.net_.module_.mean_step.numpy(), counts / counts.sum(), rtol=1e-6
    )


@pytest.mark.parametrize("min_length", [None, 3], ids=["equal-length", "ragged"])
def test_token_classifier_and_one_hot_pipeline_agree_with_a_burn_in(min_length):
    X, y = make_echo_sequences(
        80, 8, 4, out_index=0, min_length=min_length, random_state=0
    )
    X_test, _ = make_echo_sequences(
        40, 8, 4, out_index=0, min_length=min_length, random_state=1
    )
    params = {**FAST, "num_layers": 2, "bidirectional": True}
    pipeline = make_pipeline(
        OneHotSequenceTransformer(n_features=4), LSTMClassifier(**params)
    ).fit(X, y)
    token = TokenLSTMClassifier(n_features=4, **params).fit(X, y)
    assert_allclose(
        token.predict_proba(X_test), pipeline.predict_proba(X_test), atol=1e-5
    )


def test_partial_fit_and_warm_start_keep_the_mean_step_of_the_first_fit():
    X, y = _floats()
    shifted = [x + 5.0 for x in X]
    first = np.concatenate(X).mean(axis=0)
    clf = LSTMClassifier(**FAST).fit(X, y)
    clf.partial_fit(shifted, y)
    assert_allclose(clf.net_.module_.mean_step.numpy(), first, rtol=1e-6)
    clf.set_params(warm_start=True).fit(shifted, y)
    assert_allclose(clf.net_.module_.mean_step.numpy(), first, rtol=1e-6)
    # A new fit starts over.
    clf.set_params(warm_start=False).fit(shifted, y)
    assert_allclose(clf.net_.module_.mean_step.numpy(), first + 5.0, rtol=1e-6)


def test_warm_start_may_change_the_burn_in():
    X, y = _floats()
    clf = LSTMClassifier(**FAST, warm_start=True).fit(X, y)
    clf.set_params(burn_in=0).fit(X, y)
    assert clf.net_.module_.start_state() is None
    clf.set_params(burn_in=7).fit(X, y)
    assert clf.net_.module_.burn_in == 7


def test_first_fit_with_partial_fit_sets_the_mean_step():
    X, y = _floats()
    clf = LSTMClassifier(**FAST).partial_fit(X, y, classes=[0, 1])
    assert_allclose(
        clf.net_.module_.mean_step.numpy(), np.concatenate(X).mean(axis=0), rtol=1e-6
    )


@pytest.mark.parametrize("cls", [LSTMClassifier, LSTMRegressor])
def test_a_pickled_model_with_a_burn_in_predicts_the_same(cls):
    X, y = _floats()
    model = cls(**FAST).fit(X, y)
    before = model.predict(X)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.net_.module_.burn_in == 5
    assert_array_equal(restored.predict(X), before)
    assert_array_equal(copy.deepcopy(model).predict(X), before)


def test_burn_in_changes_what_is_learned_and_zero_is_the_default():
    X, y = _floats()
    assert LSTMClassifier().burn_in == 0
    with_burn_in = LSTMClassifier(**FAST).fit(X, y).predict_proba(X)
    without = LSTMClassifier(**{**FAST, "burn_in": 0}).fit(X, y).predict_proba(X)
    assert not np.allclose(with_burn_in, without)


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ValueError, "burn_in == -1, must be >= 0."),
        (2.5, TypeError, "burn_in must be an integer, got 2.5 of type float."),
        ("20", TypeError, "burn_in must be an integer, got '20' of type str."),
    ],
)
@pytest.mark.parametrize("cls", [LSTMClassifier, LSTMRegressor, TokenLSTMClassifier])
def test_bad_burn_in_raises_and_leaves_a_fitted_model_unchanged(
    cls, value, error, message
):
    X, y = make_echo_sequences(30, 5, 3, random_state=0)
    if cls is not TokenLSTMClassifier:
        X = X[:, :, np.newaxis].astype(np.float32)
    model = cls(**FAST).fit(X, y)
    before = model.predict(X)
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        model.set_params(burn_in=value).fit(X, y)
    assert_array_equal(model.predict(X), before)
