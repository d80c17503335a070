"""Sample weights, class weights, their routing, and the device a model is on."""

import copy
import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.metrics import make_scorer, r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.fixes import parse_version
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

from sklearn_echo import (
    LSTMClassifier,
    LSTMFCNClassifier,
    LSTMFCNRegressor,
    LSTMRegressor,
    OneHotSequenceTransformer,
    SequenceScaler,
    TokenLSTMClassifier,
)
from sklearn_echo._callbacks import BatchAccuracy, BatchR2
from sklearn_echo._inputs import StepInput, TokenInput
from sklearn_echo._module import MultiOutputCrossEntropy, float64_device, weighted_loss
from sklearn_echo._net import _WeightedBatch
from sklearn_echo._params import auto_device
from sklearn_echo._ragged import RaggedSequences
from sklearn_echo._targets import ClassTargets, RealTargets
from sklearn_echo._weights import RowWeights, scaled

FAST = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
N = 48
RNG = np.random.RandomState(0)
X_STEPS = RNG.normal(size=(N, 4, 3)).astype(np.float32)
X_TOKENS = RNG.randint(0, 5, size=(N, 4))
Y = np.arange(N) % 3
Y_REAL = RNG.normal(size=N)
W = RNG.uniform(0.2, 3.0, size=N)


def _make(kind, **params):
    cls = {
        "lstm": LSTMClassifier,
        "token": TokenLSTMClassifier,
        "regressor": LSTMRegressor,
        "fcn": LSTMFCNClassifier,
        "fcn regressor": LSTMFCNRegressor,
    }[kind]
    if kind.startswith("fcn"):
        params = {"filters": (4, 6), "kernel_sizes": (3, 2), **params}
    return cls(**{**FAST, **params})


def _data(kind):
    X = X_TOKENS if kind == "token" else X_STEPS
    return X, (Y_REAL if kind.endswith("regressor") else Y)


def _state(model):
    return {k: v.clone() for k, v in model.net_.module_.state_dict().items()}


def _assert_same_model(a, b):
    sa, sb = _state(a), _state(b)
    assert sa.keys() == sb.keys()
    for name in sa:
        assert torch.equal(sa[name], sb[name]), name
    assert a.loss_curve_ == b.loss_curve_


def _differs(a, b):
    sa, sb = _state(a), _state(b)
    return any(not torch.equal(sa[name], sb[name]) for name in sa)


KINDS = ["lstm", "token", "regressor"]
# The LSTM-FCN estimators share the base's weighting; the tests of the loss,
# of rows of weight zero, of bad weights and of class weights run on them too.
FCN_KINDS = ["fcn", "fcn regressor"]

# --- the loss ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS + FCN_KINDS)
@pytest.mark.parametrize("value", [1.0, 3.5])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_equal_weights_train_bit_for_bit_as_no_weights(kind, value, early_stopping):
    X, y = _data(kind)
    params = {"early_stopping": early_stopping, "validation_fraction": 0.25}
    plain = _make(kind, **params).fit(X, y)
    weighted = _make(kind, **params).fit(X, y, sample_weight=np.full(N, value))
    _assert_same_model(plain, weighted)
    assert plain.validation_scores_ == weighted.validation_scores_
    plain.partial_fit(X, y)
    weighted.partial_fit(X, y, sample_weight=[value] * N)
    _assert_same_model(plain, weighted)


@pytest.mark.parametrize("kind", KINDS + FCN_KINDS)
@pytest.mark.parametrize("weights", ["uniform", "random"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_row_of_weight_zero_is_left_out_bit_for_bit(kind, weights, early_stopping):
    # An extra row of garbage (a known label) with weight zero gives the model
    # fitted without it: the same hold-out, batches, budget and gradients.
    X, y = _data(kind)
    w = np.ones(N) if weights == "uniform" else W
    garbage = np.full((1, *X.shape[1:]), 4 if kind == "token" else 50.0, X.dtype)
    X_more, y_more = np.concatenate([X, garbage]), np.append(y, y[0])
    params = {"early_stopping": early_stopping, "validation_fraction": 0.25}
    without = _make(kind, **params).fit(X, y, sample_weight=w)
    with_zero = _make(kind, **params).fit(
        X_more, y_more, sample_weight=np.append(w, 0.0)
    )
    _assert_same_model(without, with_zero)
    # partial_fit too.
    without.partial_fit(X, y, sample_weight=w)
    with_zero.partial_fit(X_more, y_more, sample_weight=np.append(w, 0.0))
    _assert_same_model(without, with_zero)
    # The test can fail: with weight 1 the garbage row changes the model.
    counted = _make(kind, **params).fit(X_more, y_more, sample_weight=np.append(w, 1))
    assert _differs(without, counted)


@pytest.mark.parametrize("kind", ["lstm", "token", "regressor"])
def test_a_row_of_weight_zero_has_no_gradient(kind):
    # One batch of every row, weighted: the gradient of a step is unchanged by
    # a garbage row whose weight is zero, inside the same batch.
    X, y = _data(kind)
    model = _make(kind, max_epochs=1).fit(X, y)
    net = model.net_
    y_encoded = torch.from_numpy(model._targets.encode(y, "test"))
    garbage = np.full((1, *X.shape[1:]), 4 if kind == "token" else 50.0, X.dtype)

    def gradient(X_batch, y_batch, weights):
        net.module_.zero_grad()
        out = net.module_(torch.from_numpy(X_batch))
        weights = torch.as_tensor(weights, dtype=torch.float32)
        weighted_loss(net.criterion_, out, y_batch, weights).backward()
        return torch.cat([p.grad.ravel() for p in net.module_.parameters()])

    w = (W / W.mean()).astype(np.float32)
    base = gradient(X, y_encoded, w)
    X_more = np.concatenate([X, garbage])
    y_more = torch.cat([y_encoded, y_encoded[:1]])
    # mean() divides by the batch's size: N + 1 rows, rescaled to compare.
    zero = gradient(X_more, y_more, np.append(w, 0.0)) * (N + 1) / N
    assert_allclose(zero.numpy(), base.numpy(), rtol=1e-5, atol=1e-7)
    one = gradient(X_more, y_more, np.append(w, 1.0)) * (N + 1) / N
    assert not np.allclose(one.numpy(), base.numpy(), rtol=1e-3, atol=1e-5)


def _repeated_fit(kind, **params):
    X, y = _data(kind)
    counts = np.random.RandomState(1).randint(0, 4, size=N)
    # One batch of every (repeated) row: the weighted loss is the repeated
    # rows' mean, and shuffling only reorders the rows of the batch.
    params = {"batch_size": 1000, "max_epochs": 5, **params}
    weighted = _make(kind, **params).fit(X, y, sample_weight=counts)
    repeated = _make(kind, **params).fit(X.repeat(counts, 0), y.repeat(counts))
    return weighted, repeated, X


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("burn_in", [0, 3])
def test_integer_weights_train_as_repeated_rows_in_one_batch(kind, burn_in):
    # scikit-learn's check_sample_weight_equivalence, where it can hold: one
    # batch, to float32 rounding (the common check asks rtol=1e-7 under
    # shuffled mini-batches, an expected failure in test_common.py).
    weighted, repeated, X = _repeated_fit(kind, burn_in=burn_in)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-5)
    method = "predict" if kind == "regressor" else "predict_proba"
    assert_allclose(
        getattr(weighted, method)(X), getattr(repeated, method)(X), rtol=1e-4
    )


def test_weighted_loss_is_the_weighted_mean_of_each_criterion():
    rng = np.random.RandomState(0)
    logits = torch.from_numpy(rng.normal(size=(6, 5)).astype(np.float32))
    w = torch.from_numpy(rng.uniform(0.1, 2, size=6).astype(np.float32))
    w = w / w.mean()
    labels = torch.from_numpy(rng.randint(0, 2, size=(6, 2)))
    cases = [
        (torch.nn.CrossEntropyLoss(), labels[:, 0]),
        (MultiOutputCrossEntropy([2, 3]), labels),
        (torch.nn.MSELoss(), torch.from_numpy(rng.normal(size=(6, 5))).float()),
    ]
    for criterion, y in cases:
        rows = [criterion(logits[i : i + 1], y[i : i + 1]) for i in range(6)]
        expected = (w * torch.stack(rows)).sum() / w.sum()
        got = weighted_loss(criterion, logits, y, w)
        assert_allclose(got.item(), expected.item(), rtol=1e-6)
        ones = weighted_loss(criterion, logits, y, torch.ones(6))
        assert_allclose(ones.item(), criterion(logits, y).item(), rtol=1e-6)


def test_weights_are_scaled_to_a_mean_of_one_per_part():
    values = np.array([0.0, 1.0, 3.0, 2.0, 6.0])
    got = scaled(values, np.array([1, 2]), np.array([3, 4]))
    assert_allclose(got, [0.0, 0.5, 1.5, 0.5, 1.5])
    assert scaled(None, None, None) is None
    weights = RowWeights.of(np.array([0.0, 2.0, 2.0]))
    assert_array_equal(weights.kept, [1, 2])
    assert weights.values is None
    assert RowWeights.of(np.array([1.0, 2.0])).kept is None


# --- what the weights also weight -------------------------------------------------


def test_the_prior_and_the_standardisation_are_those_of_repeated_rows():
    counts = np.array([1, 0, 3, 2, 1, 2])
    y = np.array([0, 1, 2, 1, 0, 2])
    targets = ClassTargets(np.arange(3))
    assert_allclose(
        targets.prior_loss(y, counts.astype(float)),
        targets.prior_loss(y.repeat(counts)),
    )
    y_real = np.array([0.5, -1.0, 2.0, 3.0, 0.0, 1.0])
    weights = RowWeights.of(counts.astype(float))
    fitted = RealTargets.fit(y_real, "test", weights=weights)
    repeated = RealTargets.fit(y_real.repeat(counts), "test")
    assert_allclose(fitted.mean, repeated.mean)
    assert_allclose(fitted.scale, repeated.scale)
    assert_allclose(
        RealTargets(fitted.mean, fitted.scale).prior_loss(
            y_real[:, None], counts.astype(float)
        ),
        repeated.prior_loss(y_real.repeat(counts)[:, None]),
    )


@pytest.mark.parametrize("form", ["steps", "ragged", "tokens", "ragged tokens"])
def test_the_burn_in_mean_step_is_that_of_repeated_rows(form):
    counts = np.array([2, 0, 1, 3])
    rng = np.random.RandomState(0)
    tokens = "tokens" in form
    if "ragged" in form:
        lengths = np.array([2, 4, 1, 3])
        values = (
            rng.randint(0, 4, size=lengths.sum())
            if tokens
            else rng.normal(size=(lengths.sum(), 2)).astype(np.float32)
        )
        X = RaggedSequences(values, lengths)
        rows = np.repeat(np.arange(4), counts)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        repeated = RaggedSequences(
            np.concatenate([values[starts[i] : starts[i] + lengths[i]] for i in rows]),
            lengths[rows],
        )
    else:
        X = rng.randint(0, 4, size=(4, 3)) if tokens else rng.normal(size=(4, 3, 2))
        X = X if tokens else X.astype(np.float32)
        repeated = X.repeat(counts, 0)
    form_ = TokenInput() if tokens else StepInput()
    width = 5 if tokens else 2
    got = form_.mean_step(X, width, counts.astype(float))
    assert_allclose(got, form_.mean_step(repeated, width), rtol=1e-6)


def test_the_score_callbacks_weight_their_rows():
    rng = np.random.RandomState(0)
    y = torch.from_numpy(rng.randint(0, 3, size=20))
    logits = torch.from_numpy(rng.normal(size=(20, 3)).astype(np.float32))
    w = rng.uniform(0, 2, size=20).astype(np.float32)

    class Net:
        history = ()

    accuracy = BatchAccuracy()
    accuracy.on_epoch_begin(Net)
    for part in (slice(0, 7), slice(7, 20)):
        batch = _WeightedBatch(None, y[part], torch.from_numpy(w[part]))
        accuracy.on_batch_end(Net, batch=batch, training=False, y_pred=logits[part])
    accuracy._to_numbers()
    hits = (logits.argmax(1) == y).numpy()
    assert_allclose(
        accuracy.correct_[False] / accuracy.seen_[False], np.average(hits, weights=w)
    )
    target = torch.from_numpy(rng.normal(size=(20, 2)).astype(np.float32))
    r2 = BatchR2()
    r2.on_epoch_begin(Net)
    for part in (slice(0, 7), slice(7, 20)):
        batch = _WeightedBatch(None, target[part], torch.from_numpy(w[part]))
        r2.on_batch_end(Net, batch=batch, training=False, y_pred=logits[part, :2])
    total, squares, errors, count = r2.sums_[False].numpy()
    scores = 1 - errors / (squares - total**2 / count)
    assert_allclose(
        scores.mean(),
        r2_score(target.numpy(), logits[:, :2].numpy(), sample_weight=w),
        rtol=1e-6,
    )


class _HoldOut(Callback):
    """Keep the hold-out's rows and weights as training begins."""

    def on_train_begin(self, net, **kwargs):
        self.rows_ = net.iterator_valid__rows
        self.weights_ = net.iterator_valid__weights


@pytest.mark.parametrize("kind", ["lstm", "regressor"])
def test_early_stopping_scores_the_hold_out_weighted(kind):
    # As MLPClassifier (scikit-learn >= 1.7) and HistGradientBoosting: the
    # hold-out's weights weight its score.
    X, y = _data(kind)
    hold_out = _HoldOut()
    model = _make(
        kind,
        early_stopping=True,
        validation_fraction=0.25,
        max_epochs=3,
        callbacks=[hold_out],
    ).fit(X, y, sample_weight=W)
    rows = hold_out.rows_
    assert_allclose(hold_out.weights_[rows], W[rows] / W[rows].mean(), rtol=1e-6)
    # The weights kept are the best epoch's: their weighted score is the best.
    expected = model.score(X[rows], y[rows], sample_weight=W[rows])
    assert_allclose(model.best_validation_score_, expected, rtol=1e-4)


# --- bad weights ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(N + 1), re.escape(f"sample_weight.shape == ({N + 1},), expected")),
        (np.ones((N, 2)), "1D array or scalar"),
        (
            np.r_[np.ones(N - 1), -1.0],
            f"sample_weight must be >= 0, got -1.0 for row {N - 1}",
        ),
        (np.r_[np.ones(N - 1), np.nan], "sample_weight contains NaN"),
        (np.r_[np.ones(N - 1), np.inf], "sample_weight contains infinity"),
        (np.zeros(N), "sample_weight is zero for every row"),
    ],
    ids=["length", "2-D", "negative", "nan", "inf", "all-zero"],
)
@pytest.mark.parametrize("kind", KINDS + FCN_KINDS)
def test_bad_weights_raise_and_leave_a_fitted_model_as_it_was(kind, weights, message):
    X, y = _data(kind)
    model = _make(kind, warm_start=True).fit(X, y)
    before, attributes = _state(model), dict(vars(model))
    for call in ("fit", "partial_fit"):
        with pytest.raises(ValueError, match=message):
            getattr(model, call)(X, y, sample_weight=weights)
        assert vars(model).keys() == attributes.keys()
        assert all(vars(model)[k] is v for k, v in attributes.items())
        for name, value in _state(model).items():
            assert torch.equal(value, before[name]), name


def test_class_weights_of_zero_for_every_row_raise():
    with pytest.raises(ValueError, match="Every row has weight zero"):
        _make("lstm", class_weight={0: 0, 1: 0, 2: 0}).fit(X_STEPS, Y)


# --- class_weight -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lstm", "token", "fcn"])
def test_balanced_class_weight_trains_as_its_sample_weight_bit_for_bit(kind):
    X, y = _data(kind)
    y = np.where(np.arange(N) < 8, 0, 1)  # imbalanced: 8 against 40
    balanced = _make(kind, class_weight="balanced").fit(X, y)
    weighted = _make(kind).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    _assert_same_model(balanced, weighted)
    assert _differs(balanced, _make(kind).fit(X, y))


def test_class_and_sample_weights_multiply_bit_for_bit():
    class_weight = {0: 2.0, 2: 0.5}
    both = _make("lstm", class_weight=class_weight).fit(X_STEPS, Y, sample_weight=W)
    product = W * np.array([2.0, 1.0, 0.5])[Y]
    alone = _make("lstm").fit(X_STEPS, Y, sample_weight=product)
    _assert_same_model(both, alone)


def test_several_targets_take_a_list_of_dicts_or_balanced():
    # Integers in one column, strings in the other.
    y = np.empty((N, 2), dtype=object)
    y[:, 0], y[:, 1] = Y, np.where(np.arange(N) < 10, "a", "b")
    listed = [{0: 2.0}, {"a": 3.0}]
    weights = np.array([2.0, 1.0, 1.0])[Y] * np.where(np.arange(N) < 10, 3.0, 1.0)
    _assert_same_model(
        _make("lstm", class_weight=listed).fit(X_STEPS, y),
        _make("lstm").fit(X_STEPS, y, sample_weight=weights),
    )
    _assert_same_model(
        _make("lstm", class_weight="balanced").fit(X_STEPS, y),
        _make("lstm").fit(
            X_STEPS, y, sample_weight=compute_sample_weight("balanced", y)
        ),
    )


@pytest.mark.parametrize(
    ("class_weight", "error", "message"),
    [
        ("auto", ValueError, "class_weight must be None, 'balanced', a dict"),
        (3, TypeError, "class_weight must be None, 'balanced', a dict"),
        ({0: -1.0}, ValueError, r"class_weight\[0\] == -1.0, must be >= 0"),
        ({0: "x"}, TypeError, r"class_weight\[0\] must be a real number"),
        ([{0: 1.0}, 2], TypeError, r"class_weight\[1\] must be a dict"),
        ({7: 1.0}, ValueError, r"class_weight names the class 7, which is not among"),
        ([{0: 1.0}], ValueError, "class_weight must be a dict or 'balanced'"),
    ],
)
def test_bad_class_weight_raises_naming_it(class_weight, error, message):
    clf = _make("lstm", class_weight=class_weight)
    with pytest.raises(error, match=message):
        clf.fit(X_STEPS, Y)
    assert not hasattr(clf, "net_")


def test_several_targets_need_one_dict_per_column():
    y = np.stack([Y, Y % 2], axis=1)
    for class_weight in ({0: 1.0}, [{0: 1.0}]):
        with pytest.raises(ValueError, match="a list of 2 dicts, one per column"):
            _make("lstm", class_weight=class_weight).fit(X_STEPS, y)


def test_partial_fit_refuses_balanced_and_takes_a_dict():
    # As SGDClassifier.partial_fit.
    clf = _make("lstm", class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported"):
        clf.partial_fit(X_STEPS, Y)
    assert not hasattr(clf, "net_")
    with_dict = _make("lstm", class_weight={1: 3.0}).partial_fit(
        X_STEPS, Y, classes=[0, 1, 2]
    )
    as_weights = _make("lstm").partial_fit(
        X_STEPS, Y, classes=[0, 1, 2], sample_weight=np.where(Y == 1, 3.0, 1.0)
    )
    _assert_same_model(with_dict, as_weights)


def test_token_classifier_predicts_the_only_class_of_non_zero_weight():
    # check_classifiers_one_label_sample_weights on tokens (the common check
    # fits on floats, which are no tokens).
    rng = np.random.RandomState(0)
    X, y = rng.randint(0, 10, size=(10, 10)), np.arange(10) % 2
    clf = TokenLSTMClassifier(max_epochs=20, random_state=0)
    clf.fit(X, y, sample_weight=y.copy())
    assert_array_equal(clf.predict(rng.randint(0, 10, size=(10, 10))), np.ones(10))


def test_token_classifier_follows_heavy_class_weights():
    # check_class_weight_classifiers on tokens: noisy classes, one weighted
    # a million times more, is predicted almost everywhere.
    rng = np.random.RandomState(0)
    y = rng.randint(0, 3, size=100)
    X = np.where(
        rng.uniform(size=(100, 6)) < 0.3, y[:, None], rng.randint(0, 3, (100, 6))
    )
    clf = TokenLSTMClassifier(
        class_weight={0: 1000, 1: 0.0001, 2: 0.0001}, max_epochs=20, random_state=0
    ).fit(X[:50], y[:50])
    assert np.mean(clf.predict(X[50:]) == 0) > 0.87


# --- metadata routing -------------------------------------------------------------


def test_pipeline_routes_sample_weight_to_fit():
    X_tok, y = X_TOKENS, Y
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LSTMClassifier(**FAST).set_fit_request(sample_weight=True)
        pipe = make_pipeline(OneHotSequenceTransformer(n_features=5), clf)
        pipe.fit(X_tok, y, sample_weight=W)
    direct = LSTMClassifier(**FAST).fit(
        OneHotSequenceTransformer(n_features=5).fit_transform(X_tok), y, sample_weight=W
    )
    _assert_same_model(pipe[-1], direct)


# scikit-learn before 1.8 reads a Pipeline's default score request from the
# Pipeline itself, not from its last step (scikit-learn #30937, fixed in 1.8 by
# #31898), so a weighted scorer is the form that routes on every release this
# package admits; the user guide says so.
SKLEARN_ROUTES_PIPELINE_SCORE = parse_version(sklearn.__version__) >= parse_version(
    "1.8"
)


def _weighted_cross_validate(pipe, scoring):
    with sklearn.config_context(enable_metadata_routing=True):
        return cross_validate(
            pipe,
            X_STEPS,
            Y_REAL,
            cv=KFold(2),
            params={"sample_weight": W},
            scoring=scoring,
            return_estimator=True,
            return_indices=True,
        )


def _routed_pipeline():
    with sklearn.config_context(enable_metadata_routing=True):
        reg = (
            LSTMRegressor(**FAST)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        return make_pipeline(SequenceScaler(), reg)


@pytest.mark.parametrize("scoring", ["weighted scorer", "estimator's score"])
def test_cross_validate_routes_weights_to_fit_and_score(scoring):
    pipe = _routed_pipeline()
    if scoring == "weighted scorer":
        with sklearn.config_context(enable_metadata_routing=True):
            scorer = make_scorer(r2_score).set_score_request(sample_weight=True)
    else:
        scorer = None
        if not SKLEARN_ROUTES_PIPELINE_SCORE:
            with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
                _weighted_cross_validate(pipe, scorer)
            return
    result = _weighted_cross_validate(pipe, scorer)
    for fitted, train, test, score in zip(
        result["estimator"],
        result["indices"]["train"],
        result["indices"]["test"],
        result["test_score"],
        strict=True,
    ):
        alone = make_pipeline(SequenceScaler(), LSTMRegressor(**FAST))
        alone.fit(X_STEPS[train], Y_REAL[train], lstmregressor__sample_weight=W[train])
        _assert_same_model(fitted[-1], alone[-1])
        assert score == alone.score(X_STEPS[test], Y_REAL[test], sample_weight=W[test])
        assert score != alone.score(X_STEPS[test], Y_REAL[test])


def test_grid_search_routes_sample_weight():
    with sklearn.config_context(enable_metadata_routing=True):
        clf = TokenLSTMClassifier(**FAST).set_fit_request(sample_weight=True)
        clf.set_score_request(sample_weight=True)
        search = GridSearchCV(clf, {"hidden_size": [3, 4]}, cv=2, refit=True)
        search.fit(X_TOKENS, Y, sample_weight=W)
    best = TokenLSTMClassifier(**{**FAST, **search.best_params_})
    _assert_same_model(search.best_estimator_, best.fit(X_TOKENS, Y, sample_weight=W))


def test_partial_fit_takes_routed_weights_too():
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LSTMRegressor(**FAST).set_partial_fit_request(sample_weight=True)
        assert clf.get_metadata_routing().consumes("partial_fit", ["sample_weight"])
    routed = clf.partial_fit(X_STEPS, Y_REAL, sample_weight=W)
    direct = LSTMRegressor(**FAST).partial_fit(X_STEPS, Y_REAL, sample_weight=W)
    _assert_same_model(routed, direct)


def test_weights_are_not_requested_unless_asked():
    # Without set_fit_request, routing refuses the weights rather than
    # silently training without them.
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(SequenceScaler(), LSTMClassifier(**FAST))
        with pytest.raises(ValueError, match="sample_weight"):
            pipe.fit(X_STEPS, Y, sample_weight=W)


# --- devices ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_auto_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert auto_device() == torch.device(expected)


def test_auto_device_fits_on_this_machine_and_says_where():
    clf = _make("lstm", device="auto").fit(X_STEPS, Y)
    expected = str(auto_device())
    assert clf.device_ == expected
    assert _make("lstm").fit(X_STEPS, Y).device_ == "cpu"


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="MPS is available here")
def test_mps_without_mps_raises_a_clear_error():
    message = (
        "device='mps' was requested, but MPS (Apple's Metal GPU) is not available "
        "on this machine; use device='cpu' or device='auto'."
    )
    clf = _make("lstm", device="mps")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        clf.fit(X_STEPS, Y)


def test_other_device_types_are_refused():
    with pytest.raises(ValueError, match=r"'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"):
        _make("lstm", device="meta").fit(X_STEPS, Y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("device", ["cuda", "auto"])
@pytest.mark.parametrize("kind", KINDS)
def test_weighted_fit_on_cuda_matches_the_cpu(kind, device):
    # On a GPU machine 'auto' is CUDA; weighted batches and scores run there.
    X, y = _data(kind)
    params = {"early_stopping": True, "validation_fraction": 0.25}
    cpu = _make(kind, **params).fit(X, y, sample_weight=W)
    gpu = _make(kind, device=device, **params).fit(X, y, sample_weight=W)
    assert gpu.device_.startswith("cuda")
    assert next(gpu.net_.module_.parameters()).device.type == "cuda"
    # cuDNN sums in another order: close, not bit for bit.
    assert_allclose(gpu.loss_curve_, cpu.loss_curve_, rtol=1e-3)
    method = "predict" if kind == "regressor" else "predict_proba"
    assert_allclose(getattr(gpu, method)(X), getattr(cpu, method)(X), atol=2e-3)


def test_a_model_on_mps_predicts_on_the_cpu_in_float64():
    # MPS has no float64.
    assert float64_device(torch.device("mps")) == torch.device("cpu")
    assert float64_device(torch.device("cuda:1")) == torch.device("cuda:1")


def _as_if_fitted_on(model, device):
    """The model with its net marked as trained on ``device`` (its tensors stay)."""
    model = copy.deepcopy(model)
    model.net_.device = device
    model.device_ = device
    return model


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_gpu_model_unpickles_on_the_cpu_where_the_gpu_is_missing(device):
    available = {
        "cuda": torch.cuda.is_available,
        "mps": torch.backends.mps.is_available,
    }
    if available[device]():
        pytest.skip(f"{device} is available here")
    clf = _make("lstm").fit(X_STEPS, Y)
    with pytest.warns(DeviceWarning):
        loaded = pickle.loads(pickle.dumps(_as_if_fitted_on(clf, device)))
    assert (loaded.device_, str(loaded.net_.device)) == ("cpu", "cpu")
    assert_array_equal(loaded.predict_proba(X_STEPS), clf.predict_proba(X_STEPS))


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_gpu_model_file_loads_on_the_cpu_where_the_gpu_is_missing(device, tmp_path):
    pytest.importorskip("safetensors")
    from sklearn_echo import io

    available = {
        "cuda": torch.cuda.is_available,
        "mps": torch.backends.mps.is_available,
    }
    if available[device]():
        pytest.skip(f"{device} is available here")
    clf = _make("lstm").fit(X_STEPS, Y)
    io.save(_as_if_fitted_on(clf, device), tmp_path / "model.zip")
    with pytest.warns(DeviceWarning, match=f"fitted on '{device}'"):
        loaded = io.load(tmp_path / "model.zip")
    assert (loaded.device_, str(loaded.net_.device)) == ("cpu", "cpu")
    assert_array_equal(loaded.predict_proba(X_STEPS), clf.predict_proba(X_STEPS))


# --- model files ------------------------------------------------------------------


@pytest.mark.parametrize(
    "class_weight",
    [
        "balanced",
        {0: 2.0, 2: 0.5},
        {np.int64(0): 2.0, np.int64(1): 0.5},
        {"a": 2.0, np.str_("b"): 0.5},
        [{0: 2.0}, {np.int64(1): 3.0}],
    ],
    ids=["balanced", "dict", "numpy keys", "string keys", "list"],
)
def test_class_weight_round_trips_through_model_files(class_weight, tmp_path):
    pytest.importorskip("safetensors")
    from sklearn_echo import io

    first = next(iter(class_weight[0])) if isinstance(class_weight, list) else None
    if isinstance(class_weight, dict) and "a" in class_weight:
        y = np.where(Y == 0, "a", np.where(Y == 1, "b", "c"))
    elif first is not None:
        y = np.stack([Y, Y % 2], axis=1)
    else:
        y = Y
    clf = _make("lstm", class_weight=class_weight)
    io.save(clf, tmp_path / "unfitted.zip")
    unfitted = io.load(tmp_path / "unfitted.zip")
    assert repr(unfitted.class_weight) == repr(class_weight)
    clf.fit(X_STEPS, y)
    io.save(clf, tmp_path / "fitted.zip")
    loaded = io.load(tmp_path / "fitted.zip")
    assert repr(loaded.class_weight) == repr(class_weight)
    assert loaded.device_ == "cpu"
    # It trains on as the original does.
    loaded.set_params(warm_start=True).fit(X_STEPS, y)
    clf.set_params(warm_start=True).fit(X_STEPS, y)
    _assert_same_model(loaded, clf)


def test_old_pickles_without_device_get_one(tmp_path):
    clf = _make("lstm").fit(X_STEPS, Y)
    del clf.device_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pickle.loads(pickle.dumps(clf)).device_ == "cpu"
