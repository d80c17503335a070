"""Serving: threads sharing one fitted model, and answers that ignore batch-mates.

A fitted model behind a web service answers many short requests from several
threads at once.  These tests check that prediction changes nothing shared
(the module's train/eval mode above all), that every answer equals the serial
one, and that a sequence gets the same prediction alone, in any block and at
any position (prediction runs in float64: see ``sklearn_echo/_prediction.py``).
CI runs the invariance tests again under AVX2 and SSE4.1 kernels (``.ci/run``).
"""

import copy
import os
import pickle
import subprocess
import sys
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)

N_FEATURES = 6
LENGTH = 5
# Dropout between two layers and before the head: a forward pass run in train
# mode by mistake gives other probabilities, so a race shows.
DROPOUT = {"hidden_size": 8, "num_layers": 2, "dropout": 0.5}
FAST = {**DROPOUT, "max_epochs": 1, "random_state": 0}
# Predictions run in float64: a row's result in another block or at another
# position differs by about 1e-16 (the user guide's "Prediction").
SAME = {"rtol": 1e-12, "atol": 0}


def _data(n_samples=300, seed=0):
    return make_echo_sequences(
        n_samples, LENGTH, N_FEATURES, out_index=1, random_state=seed
    )


def _make(kind, **params):
    if kind == "pipeline":
        return make_pipeline(
            OneHotSequenceTransformer(n_features=N_FEATURES),
            LSTMClassifier(**{**FAST, **params}),
        )
    if kind == "token":
        return TokenLSTMClassifier(n_features=N_FEATURES, **{**FAST, **params})
    return LSTMClassifier(**{**FAST, **params})


def _input(kind, X):
    """The kind's input: one-hot for LSTMClassifier, tokens otherwise."""
    return np.eye(N_FEATURES, dtype=np.float32)[X] if kind == "lstm" else X


def _classifier(model):
    return model[-1] if hasattr(model, "steps") else model


def _snapshot(model):
    """Everything of a fitted model that prediction could change."""
    clf = _classifier(model)
    module = clf.net_.module_
    return {
        "attributes": {name: id(value) for name, value in vars(clf).items()},
        "modes": [sub.training for sub in module.modules()],
        "module": id(module),
        "tensors": {k: v.clone() for k, v in module.state_dict().items()},
        "pickle": pickle.dumps(model),
    }


def _assert_unchanged(model, before):
    after = _snapshot(model)
    assert after["attributes"] == before["attributes"]
    assert after["modes"] == before["modes"]
    assert after["module"] == before["module"]
    assert after["tensors"].keys() == before["tensors"].keys()
    for name, tensor in before["tensors"].items():
        assert torch.equal(after["tensors"][name], tensor), name
    # The model would be saved byte for byte as before.
    assert after["pickle"] == before["pickle"]


def _hammer(requests, n_threads):
    """Run the (function, expected) requests from ``n_threads`` threads at once.

    Each thread answers every request, starting at a different one, so that
    different calls overlap.  Returns the requests whose answer differed.
    """
    barrier = threading.Barrier(n_threads)
    wrong, errors = [], []

    def client(offset):
        barrier.wait()
        try:
            for i in range(len(requests)):
                name, call, expected = requests[(i + offset) % len(requests)]
                if not np.array_equal(call(), expected):
                    wrong.append(name)
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return wrong


def _requests(model, X, y):
    """predict, predict_proba and score calls on one to all rows, with answers."""
    requests = []
    for start in range(0, 60, 3):
        rows = slice(start, start + 1 + start % 5)
        for method in ("predict_proba", "predict"):
            call = (lambda m, r: lambda: getattr(model, m)(X[r]))(method, rows)
            requests.append((f"{method}[{rows}]", call, call()))
    requests.append(("predict_proba[all]", lambda: model.predict_proba(X), None))
    requests.append(("score[all]", lambda: model.score(X, y), None))
    return [
        (name, call, call() if expected is None else expected)
        for name, call, expected in requests
    ]


# --- many threads, one model --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params"),
    [("pipeline", {}), ("lstm", {}), ("token", {}), ("token", {"burn_in": 5})],
    ids=["pipeline", "lstm", "token", "token-burn-in"],
)
def test_threads_sharing_a_model_get_the_serial_answers_and_change_nothing(
    kind, params
):
    X_tok, y = _data()
    X = _input(kind, X_tok)
    model = _make(kind, **params).fit(X, y)
    requests = _requests(model, X, y)
    before = _snapshot(model)
    # Before the fix, 8 threads x 64 calls on 3000 sequences gave 1 or 2 wrong
    # answers; 8 threads x 42 short calls x 5 rounds gave several every round.
    for _ in range(5):
        assert _hammer(requests, n_threads=8) == []
    _assert_unchanged(model, before)


def test_a_module_left_in_train_mode_predicts_without_dropout_and_stays_so():
    X_tok, y = _data()
    model = _make("pipeline").fit(X_tok, y)
    expected = model.predict_proba(X_tok)
    module = model[-1].net_.module_
    # A user may switch the module (or load a model pickled by an earlier
    # version, which kept it in train mode).
    module.train()
    requests = _requests(model, X_tok, y)
    assert np.array_equal(requests[-2][2], expected)
    before = _snapshot(model)
    assert _hammer(requests, n_threads=4) == []
    _assert_unchanged(model, before)
    assert module.training


def test_prediction_sees_weights_changed_in_place_in_either_mode():
    X_tok, y = _data()
    model = _make("token").fit(X_tok, y)
    module = model.net_.module_
    module.train()
    before = model.predict_proba(X_tok)
    # Weights changed in place (as an optimizer does) are seen by the next call.
    with torch.no_grad():
        module.head.bias.add_(1.0)
        module.head.bias[0] += 3.0
    after = model.predict_proba(X_tok)
    assert not np.allclose(after, before)
    module.eval()
    np.testing.assert_array_equal(model.predict_proba(X_tok), after)


# --- training still trains in train mode --------------------------------------------


class _ModeRecorder(Callback):
    """Records the module's mode at every training batch."""

    def __init__(self):
        self.modes_ = []

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.modes_.append(all(sub.training for sub in net.module_.modules()))


@pytest.mark.parametrize("kind", ["lstm", "token"])
def test_fit_partial_fit_and_warm_start_train_with_dropout_and_end_in_eval_mode(kind):
    X_tok, y = _data(60)
    X = _input(kind, X_tok)
    recorder = _ModeRecorder()
    clf = _make(kind, batch_size=16, callbacks=[("modes", recorder)])
    clf.fit(X, y)
    module = clf.net_.module_
    assert not any(sub.training for sub in module.modules())
    clf.partial_fit(X, y)
    clf.set_params(warm_start=True).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert not restored.net_.module_.training
    restored.partial_fit(X, y)
    # 4 batches an epoch: fit, partial_fit, warm-started fit, and the restored
    # copy's partial_fit (which holds its own copy of the recorder).
    assert recorder.modes_ == [True] * 4 * 3
    restored_modes = dict(restored.net_.callbacks_)["modes"].modes_
    assert restored_modes == [True] * 4 * 3 + [True] * 4
    assert not clf.net_.module_.training
    assert not restored.net_.module_.training
    # Dropout is active while training: the same seed without it trains
    # another model.
    plain = _make(kind, dropout=0.0).fit(X, y)
    same_seed = _make(kind).fit(X, y)
    assert not np.array_equal(plain.predict_proba(X), same_seed.predict_proba(X))


# --- a row's prediction ignores the rest of the call --------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_size": 1},
        {"hidden_size": 3, "bidirectional": True},
        {"hidden_size": 8, "num_layers": 2},
        {"hidden_size": 25},
        {"hidden_size": 16, "bidirectional": True, "num_layers": 2},
        {"hidden_size": 8, "burn_in": 5},
        {"hidden_size": 16, "bidirectional": True, "num_layers": 2, "burn_in": 5},
    ],
    ids=[
        "h1",
        "h3-bi",
        "h8-2layers",
        "h25",
        "h16-bi-2layers",
        "h8-burn-in",
        "h16-bi-2layers-burn-in",
    ],
)
@pytest.mark.invariance
@pytest.mark.parametrize("kind", ["lstm", "token"])
def test_any_number_of_rows_gets_the_probabilities_of_the_full_call(kind, params):
    X_tok, y = _data(1100)
    X = _input(kind, X_tok)
    clf = _make(kind, dropout=0.0, **params).fit(X[:200], y[:200])
    full = clf.predict_proba(X)
    for n_rows in [*range(1, 18), 31, 32, 33, 100, 1024]:
        start = (n_rows * 37) % 60
        rows = slice(start, start + n_rows)
        np.testing.assert_allclose(clf.predict_proba(X[rows]), full[rows], **SAME)
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(clf.predict_proba(X[order]), full[order], **SAME)
    np.testing.assert_allclose(clf.predict_proba(X[::-1]), full[::-1], **SAME)


@pytest.mark.parametrize("kind", ["lstm", "token"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_float64_prediction_is_the_float32_forward_within_float32_rounding(
    kind, bidirectional
):
    X_tok, y = _data(300)
    X = _input(kind, X_tok)
    clf = _make(kind, dropout=0.0, bidirectional=bidirectional, burn_in=3).fit(X, y)
    module = clf.net_.module_
    with torch.inference_mode():
        forward = module(torch.from_numpy(X)).double()
        exact = module.predict_float64(torch.from_numpy(X))
    assert exact.dtype == torch.float64
    np.testing.assert_allclose(exact, forward, rtol=0, atol=1e-5)
    # Sequences of different lengths take the same path, padding skipped.
    lengths = torch.from_numpy(np.arange(len(X)) % LENGTH + 1)
    with torch.inference_mode():
        ragged_forward = module(torch.from_numpy(X), lengths).double()
        ragged_exact = module.predict_float64(torch.from_numpy(X), lengths)
    np.testing.assert_allclose(ragged_exact, ragged_forward, rtol=0, atol=1e-5)


_ONEDNN_PROBE = """
import torch
torch.set_num_threads(1)
lstm = torch.nn.LSTM(10, 25, batch_first=True)
with torch.inference_mode():
    lstm(torch.randn(3, 5, 10))
"""


@pytest.mark.invariance
@pytest.mark.parametrize(
    ("limit", "forbidden"), [("AVX2", "avx512"), ("SSE41", "avx")], ids=str
)
def test_the_instruction_set_limits_of_the_ci_step_reach_the_lstm_kernel(
    limit, forbidden
):
    # .ci/run repeats the invariance tests with the kernels held to AVX2 and to
    # SSE4.1, whatever the CPU: check that oneDNN's LSTM obeys the limit.
    env = {**os.environ, "ONEDNN_MAX_CPU_ISA": limit, "ONEDNN_VERBOSE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _ONEDNN_PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    kernels = [
        line.split(",")[5]
        for line in result.stdout.splitlines()
        if line.startswith("onednn_verbose") and ",exec,cpu,rnn," in line
    ]
    assert kernels, result.stdout[-2000:]
    assert not any(forbidden in kernel for kernel in kernels), kernels


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("kind", ["lstm", "token"])
def test_on_cuda_a_row_ignores_its_batch_mates_and_matches_the_cpu(kind):
    X_tok, y = _data(600)
    X = _input(kind, X_tok)
    clf = _make(kind, dropout=0.0, bidirectional=True, device="cuda").fit(X, y)
    with warnings.catch_warnings():
        # cuDNN warns where the float64 weights are not laid out as it reads them.
        warnings.simplefilter("error")
        full = clf.predict_proba(X)
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(clf.predict_proba(X[order]), full[order], **SAME)
    for rows in (slice(0, 1), slice(5, 22), slice(100, 400)):
        np.testing.assert_allclose(clf.predict_proba(X[rows]), full[rows], **SAME)
    # The same weights predicted on the CPU: float64 on both devices.
    on_cpu = pickle.loads(pickle.dumps(clf))
    on_cpu.net_.module_.to("cpu")
    np.testing.assert_allclose(on_cpu.predict_proba(X), full, rtol=1e-9, atol=0)


def test_prediction_copies_nothing_global_and_leaves_torchs_random_state():
    X_tok, y = _data()
    clf = _make("token").fit(X_tok, y)
    state = torch.random.get_rng_state()
    dtype = torch.get_default_dtype()
    clf.predict_proba(X_tok)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.get_default_dtype() == dtype
    assert all(p.dtype == torch.float32 for p in clf.net_.module_.parameters())


# --- the fast input path keeps validate_data's errors and warnings ------------------


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_still_rejected(value):
    X_tok, y = _data(60)
    X = _input("lstm", X_tok)
    clf = _make("lstm").fit(X, y)
    bad = X[:3].copy()
    bad[1, 2, 0] = value
    with pytest.raises(ValueError, match=r"NaN|infinity"):
        clf.predict(bad)


def test_large_finite_input_whose_sum_overflows_is_accepted_quietly():
    X_tok, y = _data(60)
    X = _input("lstm", X_tok)
    clf = _make("lstm").fit(X, y)
    big = np.full((2, LENGTH, N_FEATURES), 3e38, np.float32)
    with np.errstate(all="raise"):
        assert clf.predict_proba(big).shape == (2, len(clf.classes_))


@pytest.mark.parametrize("kind", ["lstm", "token", "pipeline"])
def test_wrong_length_and_feature_names_still_raise_and_warn(kind):
    X_tok, y = _data(60)
    X = _input(kind, X_tok)
    model = _make(kind).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :-1])
    if kind == "lstm":
        return
    names = [f"step{i}" for i in range(LENGTH)]
    named = _make(kind).fit(pd.DataFrame(X_tok, columns=names), y)
    with pytest.warns(UserWarning, match="feature names"):
        named.predict(X_tok[:2])


def test_bad_tokens_are_still_rejected_on_the_fast_path():
    X_tok, y = _data(60)
    clf = _make("token").fit(X_tok, y)
    negative = X_tok[:2].copy()
    negative[0, 0] = -1
    with pytest.raises(ValueError, match="Negative values"):
        clf.predict(negative)
    unknown = X_tok[:2].copy()
    unknown[0, 0] = N_FEATURES
    with pytest.raises(ValueError, match="unknown token"):
        clf.predict(unknown)
    # Unsigned and narrow integer tokens give the same answers as int64.
    expected = clf.predict_proba(X_tok)
    for dtype in (np.uint8, np.int16, np.uint64):
        np.testing.assert_array_equal(clf.predict_proba(X_tok.astype(dtype)), expected)


def test_copies_of_a_model_predict_alike():
    X_tok, y = _data()
    model = _make("pipeline").fit(X_tok, y)
    expected = model.predict_proba(X_tok)
    np.testing.assert_array_equal(copy.deepcopy(model).predict_proba(X_tok), expected)
