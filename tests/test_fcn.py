"""LSTMFCNClassifier and LSTMFCNRegressor, and the module behind them."""

import copy
import threading
import zipfile

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from torch import nn

from sklearn_echo import LSTMClassifier, LSTMFCNClassifier, LSTMFCNRegressor
from sklearn_echo._fcn_module import LSTMFCNModule
from sklearn_echo.io import export_onnx, load, save

# Small and quick: three short blocks, a few epochs.
SMALL = {"filters": (6, 8, 6), "max_epochs": 4, "random_state": 0}


def _waves(n, length, rng, n_classes=2):
    """Sine waves whose frequency is the class, with noise."""
    y = np.arange(n) % n_classes
    t = np.linspace(0, 1, length)
    X = np.sin(2 * np.pi * (2 + 2 * y[:, None]) * t) + 0.3 * rng.randn(n, length)
    return X.astype(np.float32), y


def _ragged(X, rng, low=3):
    return [x[: rng.randint(low, len(x) + 1)] for x in X]


# ---------------------------------------------------------------- the module


@pytest.mark.invariance
@pytest.mark.parametrize("pool_length", [None, 9])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_reaches_an_output_in_training_or_prediction(
    bidirectional, pool_length
):
    torch.manual_seed(0)
    module = LSTMFCNModule(
        2, 3, filters=(5, 7, 4), bidirectional=bidirectional, pool_length=pool_length
    )
    lengths = torch.tensor([9, 4, 1, 6])
    X = torch.randn(4, 9, 2)
    garbage = X.clone()
    for i, length in enumerate(lengths):
        garbage[i, length:] = 100 * torch.randn(9 - length, 2)
    # Training mode: batch norm over real steps only, dropout off for the
    # comparison.
    module.dropout.p = 0.0
    module.train()
    assert torch.equal(module(X, lengths), module(garbage, lengths))
    # Prediction: each sequence alone gives its row of the batch.
    predict = module.float64_predictor()
    batch = predict(garbage, lengths)
    for i, length in enumerate(lengths):
        alone = predict(X[i : i + 1, :length])
        torch.testing.assert_close(batch[i : i + 1], alone, rtol=0, atol=1e-12)


def _without_pool_length(module, scale=1.0):
    """A copy of ``module`` that averages each sequence over its own steps.

    Its head's weights on the pooled features are multiplied by ``scale``.
    """
    plain = copy.deepcopy(module)
    plain.pool_length.zero_()
    lstm_width = module.lstm.hidden_size
    with torch.no_grad():
        plain.head.weight[:, lstm_width:] *= scale
    return plain


@pytest.mark.parametrize("training", [False, True])
def test_pooling_is_over_the_pool_length_or_the_own_length(training):
    torch.manual_seed(0)
    module = LSTMFCNModule(2, 3, filters=(5, 4), kernel_sizes=(3, 2), pool_length=9)
    module.dropout.p = 0.0
    module.train(training)
    X = torch.randn(3, 12, 2)
    # A sequence of pool_length steps or more: the average over its own
    # steps, to the bit (so an equal-length fit is what it was before).
    for length in (9, 12):
        plain = _without_pool_length(module)
        assert torch.equal(module(X[:, :length]), plain(X[:, :length]))
        lengths = torch.tensor([length] * 3)
        assert torch.equal(module(X, lengths), plain(X, lengths))
    # A shorter one: as if its last block went on in zeros to 9 steps, which
    # scales the pooled features by 4 / 9, array or list.
    short = _without_pool_length(module, scale=4 / 9)
    torch.testing.assert_close(module(X[:, :4]), short(X[:, :4]))
    lengths = torch.tensor([4, 4, 4])
    torch.testing.assert_close(module(X, lengths), short(X, lengths))
    # The float64 prediction does the same.
    torch.testing.assert_close(
        module.predict_float64(X[:, :4]), short.predict_float64(X[:, :4])
    )


def test_same_padding_is_torchs():
    torch.manual_seed(0)
    module = LSTMFCNModule(3, 2, filters=(4, 4), kernel_sizes=(8, 5))
    x = torch.randn(2, 3, 11)
    conv = module.convs[0]
    same = nn.Conv1d(3, 4, 8, padding="same")
    same.load_state_dict(conv.state_dict())
    with pytest.warns(UserWarning, match="even kernel"):
        expected = same(x)
    from sklearn_echo._fcn_module import _same_padding

    torch.testing.assert_close(conv(_same_padding(x, 8)), expected)


def test_float64_prediction_is_the_eval_forward():
    torch.manual_seed(0)
    module = LSTMFCNModule(2, 3, filters=(5, 6, 4)).eval()
    X = torch.randn(5, 12, 2)
    with torch.no_grad():
        expected = module(X).double()
    torch.testing.assert_close(module.predict_float64(X), expected, atol=1e-5, rtol=0)


def test_one_value_per_channel_still_trains():
    # nn.BatchNorm1d refuses a batch of one step of one sequence in training.
    module = LSTMFCNModule(1, 2, filters=(3, 3), kernel_sizes=(3, 3)).train()
    assert module(torch.randn(1, 1, 1)).shape == (1, 2)


def test_recalibrated_norms_hold_the_statistics_of_the_data():
    torch.manual_seed(0)
    module = LSTMFCNModule(2, 2, filters=(4, 5), kernel_sizes=(3, 3)).eval()
    X = torch.randn(7, 10, 2)
    lengths = torch.tensor([10, 3, 8, 5, 10, 2, 6])
    module.recalibrate_norms([(X, lengths)])
    from sklearn_echo._fcn_module import _same_padding

    mask = (torch.arange(10) < lengths[:, None]).float()[:, None, :]
    with torch.no_grad():
        h = module.convs[0](_same_padding(X.transpose(1, 2) * mask, 3))
    n = mask.sum()
    mean = (h * mask).sum(dim=(0, 2)) / n
    torch.testing.assert_close(module.norms[0].running_mean, mean)
    # The mode and momentum it had.
    assert not module.training
    assert module.norms[0].momentum == 0.1


# ---------------------------------------------------------------- estimators


@pytest.mark.invariance
def test_classifier_learns_waves_and_predicts_rows_alone(rng):
    X, y = _waves(60, 30, rng)
    clf = LSTMFCNClassifier(filters=(8, 16, 8), max_epochs=30, random_state=0)
    clf.fit(X[:40], y[:40])
    assert clf.score(X[40:], y[40:]) > 0.9
    proba = clf.predict_proba(X[40:])
    alone = np.vstack([clf.predict_proba(X[i : i + 1]) for i in range(40, 60)])
    np.testing.assert_allclose(proba, alone, rtol=0, atol=1e-12)
    assert clf.summary().count("Conv1d") == 3


@pytest.mark.invariance
def test_ragged_lists_predict_as_each_sequence_alone(rng):
    X, y = _waves(30, 20, rng)
    X = _ragged(X, rng)
    clf = LSTMFCNClassifier(**SMALL).fit(X, y)
    assert not hasattr(clf, "n_features_in_")
    proba = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba([x]) for x in X])
    np.testing.assert_allclose(proba, alone, rtol=0, atol=1e-12)


def test_sequences_of_one_length_train_without_a_pool_length(rng):
    # An array, or a list of one length: each sequence, shorter ones
    # predicted later too, is averaged over its own steps.
    X, y = _waves(24, 16, rng)
    for data in (X, list(X)):
        clf = LSTMFCNClassifier(**SMALL).fit(data, y)
        assert float(clf.net_.module_.pool_length) == 0
        assert "Average over time" not in clf.summary()


def test_pool_length_is_the_longest_training_sequence_and_a_warm_start_keeps_it(
    rng,
):
    X, y = _waves(24, 20, rng)
    X = [x[: 6 + i % 9] for i, x in enumerate(X)]  # 6 to 14 steps
    clf = LSTMFCNClassifier(warm_start=True, **SMALL).fit(X, y)
    assert float(clf.net_.module_.pool_length) == 14
    assert "Average over time: over 14 steps" in clf.summary()
    # Longer sequences later: the head learnt on the first fit's pooling.
    longer = [np.tile(x, 2) for x in X]
    clf.fit(longer, y)
    assert float(clf.net_.module_.pool_length) == 14
    clf.partial_fit(longer, y)
    assert float(clf.net_.module_.pool_length) == 14
    # A new fit learns it again.
    clf.set_params(warm_start=False).fit(longer, y)
    assert float(clf.net_.module_.pool_length) == 28
    # A row of weight zero does not train, and does not count.
    X[0] = np.tile(X[0], 5)  # 30 steps
    weights = np.ones(len(X))
    weights[0] = 0
    clf = LSTMFCNClassifier(**SMALL).fit(X, y, sample_weight=weights)
    assert float(clf.net_.module_.pool_length) == 14


class _TrainingBatches(Callback):
    """Record each training batch's sequence lengths, per epoch."""

    def on_train_begin(self, net, **kwargs):
        self.epochs = []

    def on_epoch_begin(self, net, **kwargs):
        self.epochs.append([])

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            (steps, lengths), _ = batch
            if lengths is None:  # a batch of one length
                lengths = torch.full((len(steps),), steps.shape[1])
            self.epochs[-1].append(tuple(sorted(lengths.tolist())))


@pytest.mark.parametrize(
    "cls, random_draws", [(LSTMFCNClassifier, True), (LSTMClassifier, False)]
)
def test_ragged_training_batches_are_random_draws_for_batch_norm(
    rng, cls, random_draws
):
    # Length goes with the class here, as in PickupGestureWiimoteZ.  Sorted by
    # length, 40 sequences (one pool) make the same 4 batches every epoch, each
    # of one class's lengths, and batch norm would normalise the class away;
    # the LSTM-FCN draws its batches at random instead.  The LSTM (no batch
    # norm) keeps the length-sorted batches, which pad less.
    y = np.arange(40) % 2
    X = [rng.randn(5 + 20 * label + int(rng.randint(3))) for label in y]
    batches = _TrainingBatches()
    params = SMALL if cls is LSTMFCNClassifier else {"max_epochs": 4, "random_state": 0}
    cls(batch_size=10, callbacks=[("batches", batches)], **params).fit(X, y)
    members = [sorted(epoch) for epoch in batches.epochs]
    # Lengths 5-7 are class 0, 25-27 class 1: a batch mixes both or not.
    mixed = [any(b[0] < 10 < b[-1] for b in epoch) for epoch in batches.epochs]
    if random_draws:
        assert all(mixed)
        assert members[0] != members[1]
    else:
        assert not any(mixed)


def test_the_same_seed_gives_the_same_model(rng):
    X, y = _waves(24, 16, rng)
    a = LSTMFCNClassifier(**SMALL).fit(X, y).predict_proba(X)
    b = LSTMFCNClassifier(**SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("cls", "batch", "lr", "epochs"),
    [
        (LSTMFCNClassifier, 8, 0.012 * np.sqrt(8 / 64), 20),
        (LSTMFCNRegressor, 16, 0.024 * np.sqrt(16 / 64), 120),
    ],
)
def test_auto_values_are_the_recipe_the_docstring_states(cls, batch, lr, epochs, rng):
    # Each estimator has its own recipe: the regressor's larger batch, twice
    # the rate at a given batch and at least 120 epochs (the user guide's
    # "Recorded series").
    X, y = _waves(40, 16, rng)
    model = cls(filters=(6, 8, 6), max_epochs=1, random_state=0).fit(X, y)
    assert model.batch_size_ == batch
    assert model.lr_ == pytest.approx(lr)
    doc = " ".join(cls.__doc__.split())
    assert f"about 1,200 gradient steps or {epochs} epochs, whichever is longer" in doc
    assert f"``'auto'`` is {batch}, and up to 64" in doc
    assert f"``'auto'`` is ``{lr:.2g}`` for batches of {batch}" in doc


def test_fit_decays_the_rate_and_partial_fit_keeps_it(rng):
    X, y = _waves(24, 16, rng)
    clf = LSTMFCNClassifier(**SMALL).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] < 0.05 * clf.lr_
    clf = LSTMFCNClassifier(**SMALL).partial_fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] == clf.lr_
    # partial_fit never recalibrates: the running statistics are the
    # training steps' moving averages.
    assert int(clf.net_.module_.norms[0].num_batches_tracked) == len(
        clf.net_.history[-1, "batches"]
    )


@pytest.mark.parametrize(
    ("n_iter_no_change", "epochs"), [("auto", 6), (2, 3)], ids=["auto", "two"]
)
def test_without_a_hold_out_the_schedule_runs_to_its_end(n_iter_no_change, epochs, rng):
    # 250 sequences in batches of 2: 125 steps an epoch, so that the LSTM's
    # rule (250 steps without improvement) would give a patience of 2 epochs.
    # A tol of 10 counts no epoch after the first as an improvement.
    X = rng.uniform(size=(250, 8, 1))
    y = X.mean(axis=(1, 2))
    reg = LSTMFCNRegressor(
        filters=(6, 8, 6),
        max_epochs=6,
        batch_size=2,
        tol=10.0,
        n_iter_no_change=n_iter_no_change,
        random_state=0,
    ).fit(X, y)
    assert reg.n_iter_ == epochs


class _InitialWeights(Callback):
    """Keep a copy of the module's weights as training begins."""

    def on_train_begin(self, net, **kwargs):
        self.start_ = {k: v.clone() for k, v in net.module_.named_parameters()}


@pytest.mark.parametrize("cls", [LSTMFCNClassifier, LSTMFCNRegressor])
def test_weight_decay_shrinks_the_convolution_branch_only(cls, rng):
    # One AdamW step (one batch of the whole set, one epoch): the filters and
    # the batch-norm scales are the undecayed step's result minus
    # lr * weight_decay * their start; the LSTM branch, the head and every
    # bias take exactly the undecayed step.
    X, y = _waves(24, 16, rng)
    lr, decay = 0.1, 0.5
    fits = {}
    for weight_decay in (0.0, decay):
        start = _InitialWeights()
        model = cls(
            filters=(6, 8, 6),
            max_epochs=1,
            batch_size=24,
            lr=lr,
            weight_decay=weight_decay,
            callbacks=[start],
            random_state=0,
        ).fit(X, y)
        fits[weight_decay] = dict(model.net_.module_.named_parameters()), start.start_
    (plain, start), (decayed, same_start) = fits[0.0], fits[decay]
    shrunk = []
    for name, value in plain.items():
        assert torch.equal(start[name], same_start[name])
        if name.startswith(("convs.", "norms.")) and name.endswith(".weight"):
            shrunk.append(name)
            torch.testing.assert_close(
                decayed[name], value - lr * decay * start[name], rtol=0, atol=1e-6
            )
            assert not torch.equal(decayed[name], value)
        else:
            assert torch.equal(decayed[name], value), name
    assert sorted(shrunk) == [
        f"{kind}.{i}.weight" for kind in ("convs", "norms") for i in range(3)
    ]


def test_the_regressor_decays_by_default_and_the_classifier_does_not():
    # The regressor overfits more without weight decay (the user guide's
    # "Recorded series", section "Regression"); the classifier's recipe was
    # chosen without it.
    assert LSTMFCNRegressor().weight_decay == 0.1
    assert LSTMFCNClassifier().weight_decay == 0.0
    for cls, default in ((LSTMFCNRegressor, 0.1), (LSTMFCNClassifier, 0.0)):
        doc = " ".join(cls.__doc__.split())
        assert f"weight_decay : float, default={default}" in doc


def test_fit_ends_with_the_statistics_of_the_training_data(rng):
    X, y = _waves(24, 16, rng)
    clf = LSTMFCNClassifier(**SMALL).fit(X, y)
    # One recalibration batch holds all 24 sequences.
    assert int(clf.net_.module_.norms[0].num_batches_tracked) == 1


def test_warm_start_continues_and_refuses_new_blocks(rng):
    X, y = _waves(24, 16, rng)
    clf = LSTMFCNClassifier(warm_start=True, **SMALL).fit(X, y)
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 2 * SMALL["max_epochs"]
    clf.set_params(filters=(6, 8, 7))
    with pytest.raises(ValueError, match="filters"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"filters": (8, 8)}, ValueError, "one entry per convolution block"),
        ({"filters": ()}, ValueError, "at least one"),
        ({"filters": (8, 0, 8)}, ValueError, r"filters\[1\]"),
        ({"kernel_sizes": "853"}, TypeError, "kernel_sizes must be a tuple"),
        ({"kernel_sizes": (8, 5.0, 3)}, TypeError, r"kernel_sizes\[1\]"),
        ({"burn_in": 3}, ValueError, "burn_in"),
    ],
)
def test_bad_parameters_get_clear_errors_and_change_nothing(rng, params, error, match):
    X, y = _waves(20, 10, rng)
    clf = LSTMFCNClassifier(**SMALL).fit(X, y)
    before = clf.predict_proba(X)
    if "burn_in" in params:
        with pytest.raises(ValueError, match="Invalid parameter 'burn_in'"):
            clf.set_params(**params)
        return
    clf.set_params(**params)
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_a_network_too_large_for_memory_is_refused(rng):
    X, y = _waves(8, 6, rng)
    clf = LSTMFCNClassifier(filters=(10**6, 10**6), kernel_sizes=(8, 8))
    with pytest.raises(ValueError, match="parameters"):
        clf.fit(X, y)


def test_several_targets_and_channels(rng):
    X = rng.randn(30, 12, 3).astype(np.float32)
    Y = np.column_stack([X[:, :, 0].mean(1) > 0, X[:, :, 2].mean(1) > 0])
    clf = LSTMFCNClassifier(**SMALL).fit(X, Y)
    assert clf.predict(X).shape == (30, 2)
    assert len(clf.predict_proba(X)) == 2


def test_regressor_learns_a_frequency(rng):
    t = np.linspace(0, 1, 24)
    freq = rng.uniform(1, 3, size=80)
    X = np.sin(2 * np.pi * freq[:, None] * t)
    reg = LSTMFCNRegressor(filters=(8, 16, 8), max_epochs=40, random_state=0)
    reg.fit(X[:60], freq[:60])
    assert reg.score(X[60:], freq[60:]) > 0.8


def test_threads_share_a_fitted_model(rng):
    X, y = _waves(40, 16, rng)
    clf = LSTMFCNClassifier(**SMALL).fit(X, y)
    expected = clf.predict_proba(X)
    results = [None] * 4

    def work(i):
        results[i] = clf.predict_proba(X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        np.testing.assert_array_equal(result, expected)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("device", ["cuda", "auto"])
def test_cuda_fit_predicts_each_row_as_alone(device, rng):
    X, y = _waves(30, 20, rng)
    X = _ragged(X, rng)
    clf = LSTMFCNClassifier(device=device, **SMALL).fit(X, y)
    assert clf.device_.startswith("cuda")
    proba = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba([x]) for x in X])
    np.testing.assert_allclose(proba, alone, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cls", [LSTMFCNClassifier, LSTMFCNRegressor])
def test_model_files_round_trip(cls, rng, tmp_path):
    X, y = _waves(20, 10, rng)
    X = _ragged(X, rng)
    model = cls(**SMALL).fit(X, y)
    save(model, tmp_path / "m.zip")
    loaded = load(tmp_path / "m.zip")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.get_params() == model.get_params()


@pytest.mark.parametrize("value", [-1.0, 2.5, np.nan, np.inf, 2.0**25])
def test_a_model_file_with_a_bad_pool_length_is_refused(rng, tmp_path, value):
    from safetensors.numpy import load as load_tensors
    from safetensors.numpy import save as save_tensors

    X, y = _waves(20, 10, rng)
    X = [x[: 5 + i % 6] for i, x in enumerate(X)]  # 5 to 10 steps
    save(LSTMFCNClassifier(**SMALL).fit(X, y), tmp_path / "m.zip")
    with zipfile.ZipFile(tmp_path / "m.zip") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    tensors = load_tensors(members["tensors.safetensors"])
    (key,) = [k for k in tensors if k.endswith("pool_length")]
    assert tensors[key] == 10
    tensors[key] = np.array(value, np.float32)
    members["tensors.safetensors"] = save_tensors(tensors)
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="pool_length: must be a whole number"):
        load(tmp_path / "bad.zip")


def test_onnx_export_refuses_the_lstm_fcn_by_name(rng, tmp_path):
    pytest.importorskip("onnx")
    X, y = _waves(20, 10, rng)
    clf = LSTMFCNClassifier(**SMALL).fit(X, y)
    with pytest.raises(TypeError, match="got a LSTMFCNClassifier"):
        export_onnx(clf, tmp_path / "m.onnx")
