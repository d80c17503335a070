"""The fit plan and the parameter table: pure values, tested without a network."""

import dataclasses

import numpy as np
import pytest

from sklearn_echo import LSTMClassifier, LSTMRegressor, TokenLSTMClassifier
from sklearn_echo._fit_plan import (
    EARLY_STOPPING_SAMPLES,
    FCN_REGRESSOR_RECIPE,
    LR,
    FitPlan,
    NoHoldOutRule,
    plan_fit,
    plan_partial_fit,
)
from sklearn_echo._params import (
    CLASSIFIER_PARAMETERS,
    LSTM_PARAMETERS,
    TOKEN_PARAMETERS,
    check_params,
)
from sklearn_echo._weights import RowWeights

RULE = NoHoldOutRule(lr_factor=1.0, patience_steps=1000)


class _Targets:
    """The three pure functions of the encoded targets that a plan reads."""

    hold_out_kind = "random hold-out"

    def __init__(self, problem=None):
        self.problem = problem

    def hold_out_problem(self, y_encoded, n_valid, params):
        return self.problem

    def stratify(self, y_encoded, n_valid):
        return None

    def prior_loss(self, y_train, weights=None):
        return float(np.cov(y_train, aweights=weights, bias=True))


def _params(**overrides):
    return check_params(LSTMClassifier(**overrides), LSTM_PARAMETERS)


def test_a_plan_is_frozen():
    plan = plan_partial_fit(_params(), 100)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.lr = 1.0
    assert not plan.stops and not plan.holds_out
    assert plan == FitPlan(epochs=1, batch_size=4, lr=LR / 4)


def test_small_fits_train_on_everything_with_a_patience_in_steps():
    y = np.arange(400) % 2
    plan = plan_fit(_params(), _Targets(), y, 0, RULE)
    assert (plan.train_rows, plan.valid_rows) == (None, None)
    # 400 sequences in batches of 8: 50 steps an epoch, 1,000 steps = 20 epochs.
    assert (plan.batch_size, plan.patience, plan.epochs) == (8, 20, 120)
    assert plan.lr == pytest.approx(LR * (8 / 64) ** 0.5)
    assert plan.prior_loss == pytest.approx(0.25)
    assert plan.stops and not plan.holds_out


def test_large_fits_hold_out_sorted_disjoint_rows_and_decay_the_rate():
    n_samples = EARLY_STOPPING_SAMPLES
    y = np.arange(n_samples) % 2
    plan = plan_fit(_params(), _Targets(), y, 0, RULE)
    assert plan.holds_out
    assert len(plan.valid_rows) == n_samples // 10
    assert np.all(np.diff(plan.train_rows) > 0) and np.all(np.diff(plan.valid_rows) > 0)
    everything = np.concatenate([plan.train_rows, plan.valid_rows])
    assert np.array_equal(np.sort(everything), np.arange(n_samples))
    assert (plan.patience, plan.lr_factor) == (2, 0.2)
    # The same seed draws the same hold-out.
    again = plan_fit(_params(), _Targets(), y, 0, RULE)
    assert np.array_equal(again.valid_rows, plan.valid_rows)


def test_rows_of_weight_zero_take_no_part_and_the_others_weigh_mean_one():
    n_samples = EARLY_STOPPING_SAMPLES + 100
    y = np.arange(n_samples) % 2
    weights = np.where(np.arange(n_samples) % 101 == 0, 0.0, 1.0 + y)
    plan = plan_fit(_params(), _Targets(), y, 0, RULE, RowWeights.of(weights))
    kept = np.flatnonzero(weights)
    # The hold-out is that of the kept rows alone, with the same seed.
    alone = plan_fit(_params(), _Targets(), y[kept], 0, RULE)
    assert np.array_equal(plan.train_rows, kept[alone.train_rows])
    assert np.array_equal(plan.valid_rows, kept[alone.valid_rows])
    for rows in (plan.train_rows, plan.valid_rows):
        assert plan.weights[rows].mean() == pytest.approx(1.0)
    assert plan.weights.dtype == np.float32
    assert plan.prior_loss == pytest.approx(
        np.cov(y[plan.train_rows], aweights=weights[plan.train_rows], bias=True)
    )
    # partial_fit: the kept rows, weighted.
    epoch = plan_partial_fit(_params(), n_samples, RowWeights.of(weights))
    assert np.array_equal(epoch.train_rows, kept)
    assert epoch.weights[kept].mean() == pytest.approx(1.0)
    assert epoch.batch_size == plan_partial_fit(_params(), len(kept)).batch_size


def test_early_stopping_auto_skips_an_impossible_hold_out_and_true_refuses_it():
    y = np.arange(EARLY_STOPPING_SAMPLES) % 2
    targets = _Targets(problem="class 'a' has 1 sequence")
    assert not plan_fit(_params(), targets, y, 0, RULE).holds_out
    with pytest.raises(ValueError, match=r"needs a random hold-out: class 'a'"):
        plan_fit(_params(early_stopping=True), targets, y, 0, RULE)


def test_a_cosine_schedule_without_a_hold_out_runs_to_its_end():
    # 1,000 sequences in batches of 20: 50 steps an epoch, 1,200 steps in 24
    # epochs, at least 120.  The constant-rate rule would stop after 5
    # epochs (250 steps) without improvement; 120 in 120 epochs cannot occur.
    y = np.arange(1000) % 2
    rule = NoHoldOutRule(lr_factor=1.0, patience_steps=250)
    plan = plan_fit(_params(), _Targets(), y, 0, rule, recipe=FCN_REGRESSOR_RECIPE)
    assert (plan.batch_size, plan.epochs, plan.patience) == (20, 120, 120)
    assert plan.decay_steps == 120 * 50
    constant = plan_fit(_params(), _Targets(), y, 0, rule)
    assert constant.patience < constant.epochs
    # An explicit patience, and the hold-out's, stay what they were.
    params = _params(n_iter_no_change=3)
    assert (
        plan_fit(params, _Targets(), y, 0, rule, recipe=FCN_REGRESSOR_RECIPE).patience
        == 3
    )
    y = np.arange(EARLY_STOPPING_SAMPLES) % 2
    plan = plan_fit(_params(), _Targets(), y, 0, rule, recipe=FCN_REGRESSOR_RECIPE)
    assert plan.holds_out and plan.patience == 2


def test_explicit_values_are_kept():
    y = np.arange(100) % 2
    params = _params(max_epochs=7, batch_size=10, lr=0.5, n_iter_no_change=3)
    plan = plan_fit(params, _Targets(), y, 0, RULE)
    assert (plan.epochs, plan.batch_size, plan.lr, plan.patience) == (7, 10, 0.5, 3)


def test_checked_parameters_are_an_immutable_tuple_of_converted_values():
    params = _params(hidden_size=np.int64(3), lr=np.float32(0.5), verbose=True)
    assert type(params.hidden_size) is int and params.hidden_size == 3
    assert type(params.lr) is float and params.verbose == 1
    assert params.optimizer[1] == {"fused": True}
    with pytest.raises(AttributeError):
        params.hidden_size = 4
    assert list(params._fields) == list(LSTM_PARAMETERS)


@pytest.mark.parametrize("cls", [LSTMClassifier, LSTMRegressor, TokenLSTMClassifier])
def test_every_constructor_parameter_but_random_state_is_in_the_table(cls):
    table = {
        LSTMClassifier: CLASSIFIER_PARAMETERS,
        LSTMRegressor: LSTM_PARAMETERS,
        TokenLSTMClassifier: TOKEN_PARAMETERS,
    }[cls]
    assert cls()._parameter_table is table
    assert set(cls().get_params()) - set(table) == {"random_state"}


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        ("hidden_size", 0, ValueError, "hidden_size == 0, must be >= 1"),
        ("dropout", 1.0, ValueError, "dropout == 1.0, must be < 1.0"),
        ("bidirectional", "yes", TypeError, "bidirectional must be a bool"),
        ("forget_bias", "auto", ValueError, "forget_bias must be a real number, 'ch"),
        ("max_epochs", "many", ValueError, "max_epochs must be an integer >= 1 or"),
        ("lr", 0.0, ValueError, "lr == 0.0, must be > 0.0"),
        ("optimizer", "adagrad", ValueError, "optimizer must be one of"),
        ("device", "tpu", ValueError, "device must"),
        ("device", "xla", ValueError, "device must be 'auto', 'cpu', 'cuda', 'cuda:N'"),
        ("callbacks", "log", TypeError, "callbacks must be None or a list"),
    ],
)
def test_a_bad_value_names_its_parameter(name, value, error, message):
    with pytest.raises(error, match=message):
        _params(**{name: value})
