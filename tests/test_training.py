"""Tests for the training recipe: budget, stopping rule, early stopping, init."""

import pickle

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_echo import LSTMClassifier, TokenLSTMClassifier
from sklearn_echo._fit_plan import LR as _AUTO_LR
from sklearn_echo._fit_plan import FitPlan, plan_fit, resolve_batch
from sklearn_echo._targets import ClassTargets

FAST = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}


def _sign_problem(n_samples, seed=0, n_classes=2, flip=0.0):
    """Sequences whose class is told by the first step; learnt in an epoch or two.

    ``flip`` relabels that share of the sequences at random, so that no
    validation score reaches 1 (which ends a fit early).
    """
    rng = np.random.RandomState(seed)
    y = rng.randint(n_classes, size=n_samples)
    X = rng.normal(scale=0.3, size=(n_samples, 4, n_classes)).astype(np.float32)
    X[np.arange(n_samples), 0, y] += 2.0
    flipped = rng.rand(n_samples) < flip
    y[flipped] = rng.randint(n_classes, size=flipped.sum())
    return X, y


def _noise(n_samples=90, seed=0):
    """Sequences and labels drawn independently: nothing to learn."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4, 2)).astype(np.float32)
    return X, np.arange(n_samples) % 3


class _EpochStates(Callback):
    """Keep each epoch's weights and validation accuracy."""

    def on_train_begin(self, net, **kwargs):
        self.states_ = []

    def on_epoch_end(self, net, **kwargs):
        state = {k: v.clone() for k, v in net.module_.state_dict().items()}
        self.states_.append((net.history[-1, "valid_acc"], state))


# --- early stopping ----------------------------------------------------------------


def test_early_stopping_sets_mlpclassifier_attributes():
    X, y = _sign_problem(300, flip=0.2)
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 4, "early_stopping": True, "n_iter_no_change": 10}
    ).fit(X, y)
    assert clf.early_stopping_ is True
    assert clf.n_iter_ == 4
    assert len(clf.loss_curve_) == len(clf.validation_scores_) == 4
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    assert all(0.0 <= score <= 1.0 for score in clf.validation_scores_)


def test_without_early_stopping_best_loss_is_the_lowest_training_loss():
    X, y = _sign_problem(300)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 3, "early_stopping": False}).fit(X, y)
    assert clf.early_stopping_ is False
    assert clf.validation_scores_ is None
    assert clf.best_validation_score_ is None
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.loss_curve_ == list(clf.net_.history[:, "train_loss"])


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    X, y = _sign_problem(400, seed=1, flip=0.2)
    recorder = _EpochStates()
    clf = LSTMClassifier(
        **{
            **FAST,
            "max_epochs": 6,
            "lr": 0.2,  # large enough that the validation score moves around
            "early_stopping": True,
            "n_iter_no_change": 10,
            "callbacks": [recorder],
        }
    ).fit(X, y)
    scores = [score for score, _ in recorder.states_]
    assert scores == clf.validation_scores_
    best = int(np.argmax(scores))
    final = clf.net_.module_.state_dict()
    for name, tensor in recorder.states_[best][1].items():
        torch.testing.assert_close(final[name], tensor, rtol=0, atol=0)


def test_early_stopping_holds_out_validation_fraction_stratified():
    X, y = _sign_problem(200, n_classes=2)
    seen = {}

    class _Sizes(Callback):
        def on_batch_end(self, net, batch=None, training=False, **kwargs):
            key = "train" if training else "valid"
            seen.setdefault(key, []).append(batch[1].numpy())

    LSTMClassifier(
        **{
            **FAST,
            "early_stopping": True,
            "validation_fraction": 0.25,
            "callbacks": [_Sizes()],
        }
    ).fit(X, y)
    train, valid = np.concatenate(seen["train"]), np.concatenate(seen["valid"])
    assert len(valid) == 50 and len(train) == 150
    # Stratified: the class shares of the hold-out follow y's.
    np.testing.assert_allclose(np.bincount(valid) / 50, np.bincount(y) / 200, atol=0.02)


def test_early_stopping_auto_holds_out_from_10000_sequences():
    X, y = _sign_problem(9_999)
    small = LSTMClassifier(**{**FAST, "hidden_size": 2}).fit(X[:, :2], y)
    assert small.early_stopping_ is False
    X, y = _sign_problem(10_000)
    large = LSTMClassifier(**{**FAST, "hidden_size": 2}).fit(X[:, :2], y)
    assert large.early_stopping_ is True
    assert len(large.validation_scores_) == 1


@pytest.mark.parametrize(
    "params, n_samples, message",
    [
        (
            {"validation_fraction": 0.01},
            100,
            r"^early_stopping=True needs a stratified validation hold-out: "
            r"validation_fraction=0.01 of 100 sequences holds out 1, and both the "
            r"hold-out and the training part need at least one sequence of each of "
            r"the 2 classes\. Change validation_fraction, pass more data or set "
            r"early_stopping=False\.$",
        ),
        (
            {"validation_fraction": 0.99},
            100,
            "holds out 99, and both the hold-out and the training part",
        ),
    ],
)
def test_a_hold_out_without_every_class_raises_and_changes_nothing(
    params, n_samples, message
):
    X, y = _sign_problem(n_samples)
    clf = LSTMClassifier(**FAST).fit(X, y)
    before = pickle.dumps(clf)
    clf.set_params(early_stopping=True, **params)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    clf.set_params(early_stopping="auto", validation_fraction=0.1)
    assert pickle.dumps(clf) == before


def test_a_class_of_one_sequence_cannot_be_stratified():
    X, y = _sign_problem(50)
    y = np.where(np.arange(50) == 7, "rare", np.where(y == 1, "a", "b"))
    with pytest.raises(
        ValueError, match=r"class 'rare' has 1 sequence; the hold-out needs"
    ):
        LSTMClassifier(**FAST, early_stopping=True).fit(X, y)


def test_early_stopping_auto_falls_back_when_a_class_cannot_be_held_out():
    X, y = _sign_problem(10_000)
    y = y.copy()
    y[0] = 2  # one sequence of a third class
    clf = LSTMClassifier(**{**FAST, "hidden_size": 2}).fit(X[:, :2], y)
    assert clf.early_stopping_ is False
    assert clf.validation_scores_ is None


def test_a_perfect_validation_score_twice_stops_and_keeps_the_later_weights(capsys):
    X, y = _sign_problem(1000)
    # It sees every epoch, the last too (the rule ends training after the
    # user's callbacks).
    recorder = _EpochStates()
    clf = LSTMClassifier(
        **{
            **FAST,
            "hidden_size": 8,
            "max_epochs": 20,
            "early_stopping": True,
            "n_iter_no_change": 5,
            "verbose": 1,
            "callbacks": [recorder],
        }
    ).fit(X, y)
    assert clf.validation_scores_[-2:] == [1.0, 1.0]
    # The weights are the last epoch's, not those of the first perfect one.
    assert len(recorder.states_) == clf.n_iter_
    first_perfect = recorder.states_[-2][1]
    final = clf.net_.module_.state_dict()
    assert any(not torch.equal(final[k], v) for k, v in first_perfect.items())
    assert clf.validation_scores_.count(1.0) == 2
    assert clf.n_iter_ < 20
    assert (
        "Validation score was 1.0, the best possible, in two consecutive epochs. "
        "Stopping." in capsys.readouterr().out
    )


def test_the_fitted_model_keeps_no_reference_to_the_training_data():
    X, y = _sign_problem(2000)
    clf = LSTMClassifier(**{**FAST, "early_stopping": True}).fit(X, y)
    assert clf.net_.train_split is None
    assert not any("__rows" in key for key in vars(clf.net_))
    # X alone is 32 kB.
    assert len(pickle.dumps(clf)) < 20_000


def test_partial_fit_runs_one_epoch_without_a_hold_out():
    X, y = _sign_problem(300)
    clf = LSTMClassifier(**{**FAST, "early_stopping": True, "max_epochs": 5})
    clf.partial_fit(X, y).partial_fit(X, y)
    assert clf.n_iter_ == 1
    assert len(clf.net_.history) == 2
    assert clf.early_stopping_ is False
    assert clf.validation_scores_ is None
    assert len(clf.loss_curve_) == 2


def test_warm_start_with_early_stopping_continues_and_extends_the_curves():
    X, y = _sign_problem(300, flip=0.2)
    clf = LSTMClassifier(
        **{
            **FAST,
            "max_epochs": 2,
            "early_stopping": True,
            "warm_start": True,
            "n_iter_no_change": 10,
        }
    )
    clf.fit(X, y).fit(X, y)
    assert len(clf.loss_curve_) == len(clf.validation_scores_) == 4


def test_fits_with_early_stopping_are_reproducible():
    X, y = _sign_problem(300)
    params = {**FAST, "max_epochs": 3, "early_stopping": True}
    first = LSTMClassifier(**params).fit(X, y)
    second = LSTMClassifier(**params).fit(X, y)
    assert first.validation_scores_ == second.validation_scores_
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


# --- the stopping rule ---------------------------------------------------------------


def test_no_epoch_counts_towards_stopping_while_on_the_plateau():
    # Random labels: the loss never leaves that of the class prior, so even an
    # impossible tol and a patience of one epoch do not stop the fit.
    X, y = _noise()
    clf = LSTMClassifier(
        **{**FAST, "max_epochs": 6, "tol": 1e9, "n_iter_no_change": 1}
    ).fit(X, y)
    assert clf.n_iter_ == 6
    assert min(clf.loss_curve_) > 0.9 * np.log(3)


def test_with_a_hold_out_each_epoch_without_improvement_divides_lr_by_5():
    X, y = _sign_problem(400, flip=0.2)
    clf = LSTMClassifier(
        **{
            **FAST,
            "hidden_size": 8,
            "lr": 0.05,
            "max_epochs": 4,
            "tol": 1e9,
            "n_iter_no_change": 10,
            "early_stopping": True,
        }
    ).fit(X, y)
    assert clf.loss_curve_[0] < 0.9 * np.log(2)
    # Epoch 1 improves on "no loss yet"; epochs 2, 3 and 4 cannot gain 1e9.
    lr = clf.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.05 * 0.2**3)
    # The next fit starts at lr again.
    clf.set_params(warm_start=True, max_epochs=1).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.05)


def test_without_a_hold_out_the_learning_rate_stays_and_patience_is_in_steps():
    X, y = _sign_problem(400)
    clf = LSTMClassifier(
        **{**FAST, "hidden_size": 8, "lr": 0.05, "max_epochs": 4, "tol": 1e9}
    ).fit(X, y)
    assert not clf.early_stopping_
    assert clf.net_.optimizer_.param_groups[0]["lr"] == 0.05
    # n_iter_no_change="auto": 1,000 steps of 50 batches an epoch is 20 epochs,
    # so this fit runs its 4.
    assert clf.n_iter_ == 4


@pytest.mark.parametrize(
    "n_samples, early_stopping, patience",
    [(400, False, 20), (40_000, False, 2), (400, True, 2), (40_000, True, 2)],
)
def test_n_iter_no_change_auto(n_samples, early_stopping, patience):
    clf = LSTMClassifier(early_stopping=early_stopping)
    y = np.arange(n_samples) % 2
    targets = ClassTargets(np.array([0, 1]))
    plan = plan_fit(clf._check_params(), targets, y, 0, targets.no_hold_out_rule)
    assert plan.patience == patience


# --- budget, batch size and learning rate ----------------------------------------


@pytest.mark.parametrize(
    "n_samples, batch_size, lr",
    [
        (40, 4, _AUTO_LR / 4),
        (200, 4, _AUTO_LR / 4),
        (600, 12, _AUTO_LR * (12 / 64) ** 0.5),
        (3200, 64, _AUTO_LR),
        (1_000_000, 64, _AUTO_LR),
    ],
)
def test_auto_batch_size_and_lr_follow_the_training_set(n_samples, batch_size, lr):
    resolved = resolve_batch("auto", "auto", n_samples)
    assert resolved == (batch_size, pytest.approx(lr))


def test_an_explicit_batch_size_scales_the_auto_lr_and_an_explicit_lr_is_kept():
    assert resolve_batch(16, "auto", 10) == (16, pytest.approx(_AUTO_LR / 2))
    assert resolve_batch("auto", 0.3, 10) == (4, 0.3)


def test_fitted_batch_size_and_lr_say_what_auto_chose():
    X, y = _sign_problem(200)
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert (clf.batch_size_, clf.lr_) == (4, pytest.approx(_AUTO_LR / 4))
    assert clf.net_.batch_size == 4


@pytest.mark.parametrize(
    "n_samples, epochs",
    # 6,000 gradient steps, at least 20 epochs.
    [(40, 600), (200, 120), (3200, 120), (12_800, 30), (100_000, 20)],
)
def test_max_epochs_auto_is_a_budget_of_gradient_steps(n_samples, epochs):
    clf = LSTMClassifier(early_stopping=False)
    y = np.arange(n_samples) % 2
    targets = ClassTargets(np.array([0, 1]))
    plan = plan_fit(clf._check_params(), targets, y, 0, targets.no_hold_out_rule)
    assert plan.epochs == epochs


# --- chrono initialisation ----------------------------------------------------------


@pytest.mark.parametrize("bidirectional", [False, True])
def test_chrono_initialisation_spreads_time_scales_up_to_the_length(bidirectional):
    clf = LSTMClassifier(
        **{**FAST, "hidden_size": 50, "num_layers": 2, "bidirectional": bidirectional}
    )
    # The initial weights: a fit of 0 steps is not possible, so build the net.
    params = clf._check_params()
    clf._targets = ClassTargets(np.array([0, 1]))
    plan = FitPlan(epochs=1, batch_size=4, lr=0.01)
    # t_max: the (longest) sequence length.
    module = clf._build_net(
        params, plan, None, input_size=2, t_min=40, t_max=40
    ).module_
    hidden = 50
    for name, bias in module.lstm.named_parameters():
        if name.startswith("bias_ih"):
            forget, inputs = bias[hidden : 2 * hidden], bias[:hidden]
            assert forget.min() >= 0.0 and forget.max() <= np.log(39)
            torch.testing.assert_close(inputs, -forget)
            # Spread out, not one value.
            assert forget.std() > 0.5
        elif name.startswith("bias_hh"):
            assert not bias[: 2 * hidden].any()


def test_chrono_initialisation_keeps_the_token_path_exact():
    tokens = np.random.RandomState(0).randint(5, size=(40, 6))
    y = tokens[:, 1]
    onehot = np.eye(5, dtype=np.float32)[tokens]
    params = {**FAST, "max_epochs": 2}
    dense = LSTMClassifier(**params).fit(onehot, y)
    token = TokenLSTMClassifier(n_features=5, **params).fit(tokens, y)
    np.testing.assert_allclose(
        dense.predict_proba(onehot), token.predict_proba(tokens), atol=1e-5
    )


def test_a_float_forget_bias_still_sets_every_forget_gate():
    X, y = _sign_problem(20)
    clf = LSTMClassifier(**{**FAST, "forget_bias": 3.0, "max_epochs": 1, "lr": 1e-9})
    clf.fit(X, y)
    bias = clf.net_.module_.lstm.bias_ih_l0.detach()
    torch.testing.assert_close(bias[4:8], torch.full((4,), 3.0), atol=1e-6, rtol=0)


# --- progress output ----------------------------------------------------------------


def test_verbose_shows_the_validation_columns_without_colour_codes(capsys):
    X, y = _sign_problem(300)
    LSTMClassifier(
        **{**FAST, "max_epochs": 3, "early_stopping": True, "verbose": 1}
    ).fit(X, y)
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == [
        "epoch",
        "train_acc",
        "train_loss",
        "valid_acc",
        "valid_loss",
        "dur",
    ]
    # capsys is no terminal: no ANSI escape codes.
    assert "\x1b[" not in out


def test_verbose_colours_the_best_values_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    X, y = _sign_problem(300)
    LSTMClassifier(**{**FAST, "max_epochs": 2, "verbose": 1}).fit(X, y)
    assert "\x1b[" in capsys.readouterr().out


# --- weight decay -----------------------------------------------------------------


class _InitialWeights(Callback):
    """Keep a copy of the module's weights as training begins."""

    def on_train_begin(self, net, **kwargs):
        self.start_ = {k: v.clone() for k, v in net.module_.named_parameters()}


def _one_step(model, weight_decay, **params):
    """Fit one gradient step (a batch of the whole set); return fit and start."""
    X, y = _sign_problem(40)
    if model is TokenLSTMClassifier:
        X = (X.argmax(axis=2) + 2 * (X[:, :, 0] > 0)).astype(np.int64)
    start = _InitialWeights()
    clf = model(
        **{**FAST, "batch_size": 40, "lr": 0.1, **params},
        weight_decay=weight_decay,
        callbacks=[start],
    )
    return clf.fit(X, y), start.start_


@pytest.mark.parametrize("model", [LSTMClassifier, TokenLSTMClassifier])
def test_weight_decay_shrinks_input_and_output_weights_only(model):
    # One AdamW step: the decayed weights are the undecayed step's result
    # minus lr * weight_decay * their start; biases and recurrent weights
    # (the LSTM's memory) take exactly the undecayed step.
    plain, start = _one_step(model, 0.0)
    decayed, same_start = _one_step(model, 0.5)
    lr, decay = 0.1, 0.5
    names = dict(plain.net_.module_.named_parameters())
    decayed_names = dict(decayed.net_.module_.named_parameters())
    shrunk = []
    for name, value in names.items():
        assert torch.equal(start[name], same_start[name])
        if "bias" in name or "weight_hh" in name:
            assert torch.equal(decayed_names[name], value), name
        else:
            shrunk.append(name)
            torch.testing.assert_close(
                decayed_names[name], value - lr * decay * start[name], rtol=0, atol=1e-6
            )
    expected = {"head.weight", "lstm.weight_ih_l0"}
    if model is TokenLSTMClassifier and "embedding.weight" in names:
        expected.add("embedding.weight")
    assert set(shrunk) == expected


def test_weight_decay_zero_is_one_group_and_the_steps_of_adam():
    X, y = _sign_problem(60)
    default = LSTMClassifier(**{**FAST, "max_epochs": 3}).fit(X, y)
    adam = LSTMClassifier(**{**FAST, "max_epochs": 3, "optimizer": "adam"}).fit(X, y)
    assert type(default.net_.optimizer_) is torch.optim.AdamW
    groups = default.net_.optimizer_.param_groups
    assert len(groups) == 1 and groups[0]["weight_decay"] == 0.0
    np.testing.assert_array_equal(default.predict_proba(X), adam.predict_proba(X))


@pytest.mark.parametrize(
    ("optimizer", "weight_decay", "expected"),
    [
        # The names pass weight_decay always (AdamW's own default is 0.01).
        ("adamw", 0.0, [0.0]),
        ("sgd", 0.0, [0.0]),
        ("rmsprop", 0.25, [0.0, 0.0, 0.25]),
        # A class keeps its own default unless weight_decay is set.
        (torch.optim.Adagrad, 0.0, [0.0]),
        (torch.optim.Adagrad, 0.25, [0.0, 0.0, 0.25]),
    ],
)
def test_weight_decay_reaches_every_optimizer(optimizer, weight_decay, expected):
    X, y = _sign_problem(40)
    clf = LSTMClassifier(**FAST, optimizer=optimizer, weight_decay=weight_decay)
    groups = clf.fit(X, y).net_.optimizer_.param_groups
    assert [group["weight_decay"] for group in groups] == expected


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-0.1, ValueError, r"weight_decay == -0.1, must be >= 0.0"),
        ("auto", TypeError, r"weight_decay must be a real number, got .auto."),
        (float("nan"), ValueError, r"weight_decay"),
    ],
)
def test_bad_weight_decay_is_refused_and_a_fitted_model_kept(value, error, message):
    X, y = _sign_problem(40)
    clf = LSTMClassifier(**FAST).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(error, match=message):
        clf.set_params(weight_decay=value).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_warm_start_follows_a_changed_weight_decay():
    X, y = _sign_problem(40)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    # Turned on: the parameters regroup, and the optimizer starts anew.
    clf.set_params(warm_start=True, weight_decay=0.3).fit(X, y)
    groups = clf.net_.optimizer_.param_groups
    assert [group["weight_decay"] for group in groups] == [0.0, 0.0, 0.3]
    assert len(clf.net_.history) == 4
    # Changed: the moments carry over, the new value applies.
    steps = [int(s["step"]) for s in clf.net_.optimizer_.state.values()]
    clf.set_params(weight_decay=0.1).fit(X, y)
    groups = clf.net_.optimizer_.param_groups
    assert [group["weight_decay"] for group in groups] == [0.0, 0.0, 0.1]
    assert [int(s["step"]) for s in clf.net_.optimizer_.state.values()] == [
        step + 20 for step in steps
    ]
