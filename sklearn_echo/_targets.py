"""Targets: what an estimator learns, as objects.

:class:`ClassTargets` holds class labels (one target, or several side by
side) for :class:`~sklearn_echo.LSTMClassifier`; :class:`RealTargets` holds
real values and their standardisation for
:class:`~sklearn_echo.LSTMRegressor`.  A targets object is fitted state: the
estimator keeps it as ``_targets`` and copies its public part
(``classes_``, ``n_outputs_``) onto itself.  It checks and encodes ``y``,
says what the network needs (outputs, loss, the score recorded per epoch),
what the fit plan needs (the hold-out, the loss of the prior), and decodes
the network's outputs at prediction.

The class attributes say what does not depend on the data: the skorch net,
the score's name, the best score possible, and the stopping rule without a
hold-out.
"""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import assert_all_finite, column_or_1d

from sklearn_echo._callbacks import BatchAccuracy, BatchR2
from sklearn_echo._fit_plan import NoHoldOutRule
from sklearn_echo._module import MultiOutputCrossEntropy
from sklearn_echo._net import _ClassifierNet, _RegressorNet
from sklearn_echo._validation import value_repr, warn_at_caller
from sklearn_echo._weights import UNWEIGHTED


def _column_count_error(given, fitted, name):
    return ValueError(
        f"y has {given} target column(s), but {name} was fitted on {fitted}."
    )


def _refuse_sparse(y, name, what):
    if sp.issparse(y):
        raise TypeError(
            f"{name} expects a dense y of {what}, got a sparse matrix; pass "
            "y.toarray()."
        )


def _labels_1d(labels, name):
    """Return ``labels`` as a 1-D array; raise an error that names them if not."""
    try:
        return column_or_1d(labels)
    except ValueError:
        # scikit-learn's message calls any argument y.
        try:
            shape = np.shape(labels)
        except ValueError:
            shape = "ragged"
        raise ValueError(
            f"{name} should be a 1d array of labels, got an array of shape {shape}."
        ) from None


class ClassTargets:
    """Class labels, of one target or of several (one column each).

    Parameters
    ----------
    classes : ndarray or list of ndarray
        The sorted labels; a list of one array per target for several.
    """

    net_class = _ClassifierNet
    score_key = "acc"
    # A validation accuracy of 1 cannot improve.
    best_possible_score = 1.0
    description = "classes"
    hold_out_kind = "stratified validation hold-out"
    # Without a hold-out the stopping rule watches the training loss, at a
    # constant learning rate and with a patience of 1,000 gradient steps (the
    # user guide's "Training that lands" says why).
    no_hold_out_rule = NoHoldOutRule(lr_factor=1.0, patience_steps=1000)

    def __init__(self, classes):
        self.classes = classes

    # ------------------------------------------------------------------ fitting

    @staticmethod
    def check(y, name):
        """Return y as (n_samples,) or (n_samples, k) with k >= 2."""
        _refuse_sparse(y, name, "labels")
        if y.ndim == 2 and y.shape[1] == 1:
            # One target: DataConversionWarning, as RandomForestClassifier warns.
            warn_at_caller(
                "A column-vector y was passed when a 1d array was expected. "
                "Please change the shape of y to (n_samples, ), for example "
                "using ravel().",
                DataConversionWarning,
            )
            y = column_or_1d(y)
        # The labels of a 2-D y are checked column by column (_check_labels):
        # each column is one target, and columns may hold labels of other types.
        return y

    @classmethod
    def fit(cls, y, name, previous=None, weights=None):
        """Return the targets of checked ``y`` (``previous`` is not needed).

        The classes are those of every row, of weight zero too (``weights``
        is not needed), as scikit-learn's classifiers take them from ``y``.
        """
        if y.ndim == 1:
            classes = _check_labels(y)
            if len(classes) < 2:
                raise ValueError(
                    f"{name} needs samples of at least 2 classes in y; got one "
                    f"class: {classes.tolist()}."
                )
            return cls(classes)
        classes = [
            _check_labels(_column(y, j), name=f"y[:, {j}]") for j in range(y.shape[1])
        ]
        for j, labels in enumerate(classes):
            if len(labels) < 2:
                raise ValueError(
                    f"{name} needs at least 2 classes in every column of y; column "
                    f"{j} holds only the class {value_repr(labels[0])}. A target "
                    "with one class needs no model: drop that column."
                )
        return cls(classes)

    @classmethod
    def partial_fit(cls, y, name, previous=None, weights=None, classes=None):
        """Return the targets after a ``partial_fit`` call on checked ``y``.

        ``previous`` are the targets of the earlier calls (None on the
        first); ``classes`` the user's ``classes=``; ``weights`` is not
        needed (see :meth:`fit`).
        """
        classes = cls._check_classes_argument(y, classes)
        if previous is not None:
            if classes is not None and _signature(classes) != previous.signature():
                raise ValueError(
                    f"classes={_signature(classes)} differs from the classes_ "
                    f"{previous.signature()} of the first call to partial_fit."
                )
            return previous
        if y.ndim == 1:
            labels = np.unique(y) if classes is None else classes
            if len(labels) < 2:
                raise ValueError(
                    f"{name} needs at least 2 classes; got {labels.tolist()}. Pass "
                    "every class with classes=."
                )
            return cls(labels)
        labels = (
            [np.unique(_column(y, j)) for j in range(y.shape[1])]
            if classes is None
            else classes
        )
        for j, column in enumerate(labels):
            if len(column) < 2:
                raise ValueError(
                    f"{name} needs at least 2 classes in every column of y; column "
                    f"{j} has {column.tolist()}. Pass every class with classes=."
                )
        return cls(labels)

    @staticmethod
    def _check_classes_argument(y, classes):
        """Check y's labels and ``classes=``; return the classes, checked."""
        if y.ndim == 1:
            _check_labels(y)
            if classes is not None:
                classes = _check_labels(_labels_1d(classes, "classes"), name="classes")
            return classes
        for j in range(y.shape[1]):
            _check_labels(_column(y, j), name=f"y[:, {j}]")
        if classes is None:
            return None
        if not isinstance(classes, (list, tuple)) or len(classes) != y.shape[1]:
            raise ValueError(
                f"classes must be a list of {y.shape[1]} arrays, one per column of "
                f"y, got {classes!r}."
            )
        return [
            _check_labels(_labels_1d(labels, f"classes[{j}]"), name=f"classes[{j}]")
            for j, labels in enumerate(classes)
        ]

    def fitted_attributes(self):
        """Return the estimator's public attributes that describe the targets."""
        return {"classes_": self.classes, "n_outputs_": len(self.sizes)}

    @property
    def multi_output(self):
        """Whether there are several targets (a 2-D ``y``)."""
        return isinstance(self.classes, list)

    @property
    def sizes(self):
        """The number of classes of each target, a list."""
        if self.multi_output:
            return [len(labels) for labels in self.classes]
        return [len(self.classes)]

    def signature(self):
        """Return the classes as plain lists: comparable, readable in messages."""
        return _signature(self.classes)

    def encode(self, y, name):
        """Map labels to 0..n_classes-1 per target; fail on unknown labels."""
        if self.multi_output != (y.ndim == 2) or (
            y.ndim == 2 and y.shape[1] != len(self.classes)
        ):
            fitted = len(self.sizes)
            raise _column_count_error(y.shape[1] if y.ndim == 2 else 1, fitted, name)
        if y.ndim == 1:
            return _encode(self.classes, y)
        return np.stack(
            [
                _encode(labels, _column(y, j), name=f"y[:, {j}]")
                for j, labels in enumerate(self.classes)
            ],
            axis=1,
        )

    # ----------------------------------------------------------- the network

    @property
    def n_logits(self):
        """The number of outputs of the network: the classes of every target."""
        return sum(self.sizes)

    def net_kwargs(self):
        """Return the skorch net's keyword arguments for these targets."""
        if self.multi_output:
            criterion = {
                "criterion": MultiOutputCrossEntropy,
                "criterion__sizes": self.sizes,
            }
        else:
            criterion = {"criterion": torch.nn.CrossEntropyLoss}
        return {
            **criterion,
            "classes": list(range(self.n_logits)),
            # Accuracy is counted per batch by BatchAccuracy; skorch's
            # valid_acc would cache every prediction of the epoch.
            "callbacks__valid_acc": None,
        }

    def score_callback(self):
        """Return the (name, callback) that records the score per epoch."""
        return (
            "train_acc",
            BatchAccuracy(sizes=self.sizes if self.multi_output else None),
        )

    # ---------------------------------------------------------- the fit plan

    def hold_out_problem(self, y_encoded, n_valid, params):
        """Why no stratified hold-out of ``n_valid`` rows exists; None if one does."""
        n_samples = len(y_encoded)
        if y_encoded.ndim == 2:
            # Stratified by the combination of labels where possible
            # (stratify), else random: only both sides must be non-empty.
            if n_valid < n_samples:
                return None
            return (
                f"validation_fraction={params.validation_fraction} of "
                f"{n_samples} sequences leaves none to train on"
            )
        n_classes = len(self.classes)
        counts = np.bincount(y_encoded, minlength=n_classes)
        if counts.min() >= 2 and n_classes <= n_valid <= n_samples - n_classes:
            return None
        if counts.min() < 2:
            rare = self.classes[counts.argmin()]
            return (
                f"class {value_repr(rare)} has {counts.min()} sequence; the "
                "hold-out needs at least one of each class on both sides"
            )
        return (
            f"validation_fraction={params.validation_fraction} of "
            f"{n_samples} sequences holds out {n_valid}, and both the "
            f"hold-out and the training part need at least one sequence "
            f"of each of the {n_classes} classes"
        )

    def stratify(self, y_encoded, n_valid):
        """Return the labels to stratify the hold-out on, or None for random."""
        if y_encoded.ndim == 1:
            return y_encoded
        # Each combination of labels is one stratum, as scikit-learn's
        # StratifiedShuffleSplit does for a 2-D y, where each can be on both
        # sides.
        _, combination, counts = np.unique(
            y_encoded, axis=0, return_inverse=True, return_counts=True
        )
        n_strata = len(counts)
        if counts.min() >= 2 and n_strata <= n_valid <= len(y_encoded) - n_strata:
            return combination.ravel()
        return None

    def prior_loss(self, y_train, weights=None):
        """Return the cross-entropy of predicting each target's class frequencies.

        With ``weights`` (of the rows of ``y_train``), the weighted loss of
        predicting the weighted frequencies.
        """
        columns = [y_train] if y_train.ndim == 1 else list(y_train.T)
        entropies = []
        for column, size in zip(columns, self.sizes, strict=True):
            if weights is None:
                frequencies = np.bincount(column, minlength=size) / len(column)
            else:
                counts = np.bincount(column, weights=weights, minlength=size)
                frequencies = counts / counts.sum()
            frequencies = frequencies[frequencies > 0]
            entropies.append(float(-(frequencies * np.log(frequencies)).sum()))
        # The loss is the mean over targets of their cross-entropies.
        return float(np.mean(entropies))

    # ------------------------------------------------------------ prediction

    def probabilities(self, n_samples, blocks):
        """Return ``predict_proba``'s result from the network's blocks."""
        sizes = self.sizes
        probas = [np.empty((n_samples, size)) for size in sizes]
        for rows, logits in blocks:
            # The softmax in float64 makes every row sum to one within 1e-15.
            for proba, block in zip(probas, logits.split(sizes, dim=1), strict=True):
                proba[rows] = block.double().softmax(dim=1).numpy()
        return probas if self.multi_output else probas[0]

    def labels(self, n_samples, blocks):
        """Return ``predict``'s result: the most probable label of each target."""
        if not self.multi_output:
            best = np.empty(n_samples, dtype=np.int64)
            for rows, logits in blocks:
                # The largest logit is the largest probability: no softmax.
                best[rows] = logits.argmax(dim=1).numpy()
            return self.classes[best]
        sizes = self.sizes
        best = np.empty((n_samples, len(sizes)), dtype=np.int64)
        for rows, logits in blocks:
            for j, block in enumerate(logits.split(sizes, dim=1)):
                best[rows, j] = block.argmax(dim=1).numpy()
        # One array of the labels' common type; object where the targets'
        # labels are of different kinds (numbers must not become strings).
        kinds = {labels.dtype.kind for labels in self.classes}
        dtype = np.result_type(*self.classes) if len(kinds) == 1 else object
        y_pred = np.empty(best.shape, dtype=dtype)
        for j, labels in enumerate(self.classes):
            y_pred[:, j] = labels[best[:, j]]
        return y_pred


class RealTargets:
    """Real values of one target or several, learnt standardised.

    The network learns y standardised per target (mean 0, variance 1), and
    prediction undoes it: a linear head on a tanh-bounded state grows its
    scale only slowly (the user guide's "Regression" has the measurements).

    Parameters
    ----------
    mean, scale : ndarray of shape (n_outputs,)
        The standardisation of each target.
    """

    net_class = _RegressorNet
    score_key = "r2"
    # None: no validation R² ends training at once (see LSTMRegressor's tol).
    best_possible_score = None
    description = "number of targets"
    hold_out_kind = "validation hold-out"
    # Without a hold-out: no learning-rate decay (as MLPRegressor's Adam) and a
    # patience of 250 gradient steps; the classifier's rule froze regression
    # fits half-way (the user guide's "Regression" has the measurements).
    no_hold_out_rule = NoHoldOutRule(lr_factor=1.0, patience_steps=250)

    def __init__(self, mean, scale):
        self.mean = mean
        self.scale = scale

    @staticmethod
    def check(y, name):
        """Return y as a float64 array of shape (n_samples,) or (n_samples, k)."""
        _refuse_sparse(y, name, "real numbers")
        if y.dtype.kind not in "biuf":
            bad = next((v for v in y.ravel() if not _is_real(v)), None)
            if bad is not None:
                raise TypeError(
                    f"{name} expects y of real numbers, got the value "
                    f"{value_repr(bad)} of type {type(bad).__name__}. For class "
                    "labels, use LSTMClassifier."
                )
        y = y.astype(np.float64)
        # validate_data checked NaN/inf already, except in an object array.
        assert_all_finite(y, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            # One target, as MLPRegressor reads it: predict returns 1-D.
            y = y[:, 0]
        return y

    @classmethod
    def fit(cls, y, name, previous=None, weights=UNWEIGHTED):
        """Return the targets of ``y``; a warm start keeps ``previous``'s scale.

        The standardisation is that of the rows of non-zero weight, weighted
        (``weights``, a :class:`~sklearn_echo._weights.RowWeights`).
        """
        if previous is not None and previous.n_outputs == _n_columns(y):
            return previous
        return cls(*_standardization(weights.select(y), weights.of_rows(weights.kept)))

    @classmethod
    def partial_fit(cls, y, name, previous=None, weights=UNWEIGHTED):
        """Return the targets after a ``partial_fit`` call.

        The first call's targets fix the standardisation for the later calls
        (as the first call of MLPRegressor fixes its weights' scale).
        """
        if previous is not None:
            return previous
        return cls(*_standardization(weights.select(y), weights.of_rows(weights.kept)))

    def fitted_attributes(self):
        """Return the estimator's public attributes that describe the targets."""
        return {"n_outputs_": self.n_outputs}

    @property
    def n_outputs(self):
        """The number of targets."""
        return len(self.mean)

    n_logits = n_outputs

    def signature(self):
        """Return the number of targets, for the warm-start error."""
        return self.n_outputs

    def encode(self, y, name):
        """Return y standardised, as float32 of shape (n_samples, n_outputs)."""
        given = _n_columns(y)
        if given != self.n_outputs:
            raise _column_count_error(given, self.n_outputs, name)
        y = y.reshape(len(y), -1)
        return np.ascontiguousarray((y - self.mean) / self.scale, np.float32)

    def net_kwargs(self):
        """Return the skorch net's keyword arguments for these targets."""
        return {"criterion": torch.nn.MSELoss}

    def score_callback(self):
        """Return the (name, callback) that records the score per epoch."""
        return ("train_r2", BatchR2())

    def hold_out_problem(self, y_encoded, n_valid, params):
        """Why no hold-out of ``n_valid`` rows exists; None if one does."""
        n_samples = len(y_encoded)
        if 2 <= n_valid <= n_samples - 1:
            return None
        return (
            f"validation_fraction={params.validation_fraction} of {n_samples} "
            f"sequences holds out {n_valid}, and the hold-out needs at least 2 "
            "sequences (R² needs a spread) and the training part at least 1"
        )

    def stratify(self, y_encoded, n_valid):
        """Return None: a random hold-out (as MLPRegressor's)."""
        return None

    def prior_loss(self, y_train, weights=None):
        """Return the loss of predicting the mean: the variance, over targets.

        With ``weights`` (of the rows of ``y_train``), the weighted variance.
        """
        y_train = y_train.astype(np.float64)
        if weights is None:
            return float(np.mean(y_train.var(axis=0)))
        mean = np.average(y_train, axis=0, weights=weights)
        return float(
            np.mean(np.average((y_train - mean) ** 2, axis=0, weights=weights))
        )

    def values(self, n_samples, blocks):
        """Return ``predict``'s result on the scale of ``y``, float64."""
        y_pred = np.empty((n_samples, self.n_outputs))
        for rows, out in blocks:
            y_pred[rows] = out.double().numpy() * self.scale + self.mean
        return y_pred[:, 0] if self.n_outputs == 1 else y_pred


def _n_columns(y):
    return 1 if y.ndim == 1 else y.shape[1]


def _is_real(value):
    """Whether ``value`` is a real number (not a string that reads as one)."""
    return isinstance(value, (int, float, np.integer, np.floating, np.bool_, bool))


def _standardization(y, weights=None):
    """Return the per-target mean and scale that standardise ``y``.

    A constant target keeps scale 1, as ``StandardScaler`` does.  With
    ``weights``, the weighted mean and standard deviation.
    """
    y = y.reshape(len(y), -1)
    with np.errstate(over="ignore", invalid="ignore"):
        mean, scale = _mean_and_std(y, weights)
    if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
        # Values near float64's limit (1.8e308; squares from 1.3e154) overflow
        # the sums: compute them on y divided by its largest magnitude.
        peak = np.abs(y).max(axis=0)
        peak[peak == 0] = 1.0
        mean, scale = _mean_and_std(y / peak, weights)
        mean, scale = mean * peak, scale * peak
    # Rounding leaves a tiny spread for a constant target.
    constant = scale <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
    scale[constant] = 1.0
    return mean, scale


def _mean_and_std(y, weights):
    """Return the (weighted) mean and standard deviation of each column of y."""
    if weights is None:
        return y.mean(axis=0), y.std(axis=0)
    mean = np.average(y, axis=0, weights=weights)
    return mean, np.sqrt(np.average((y - mean) ** 2, axis=0, weights=weights))


def _signature(classes):
    """Return the classes as plain lists: comparable, readable in messages."""
    if isinstance(classes, list):
        return [labels.tolist() for labels in classes]
    return classes.tolist()


def _column(y, j):
    """Return column ``j`` of a 2-D ``y``, as the array of its own labels.

    A DataFrame whose columns hold labels of different types (integers in one,
    strings in another) arrives as one object array; a column of Python ints
    in an object array is a type scikit-learn does not read as labels, so the
    column gets the dtype its labels share.  A column that mixes types stays
    object, and ``_check_labels`` says so.
    """
    column = y[:, j]
    if column.dtype == object and len({type(value) for value in column}) == 1:
        return np.asarray(column.tolist())
    return column


def _check_labels(y, name="y"):
    """Check classification labels; return the sorted distinct ones."""
    try:
        check_classification_targets(y)
        return np.unique(y)
    except TypeError as exc:
        # Both sort the labels, which fails on e.g. a mix of strings and numbers.
        raise TypeError(
            f"{name} mixes labels that cannot be compared ({exc}); use labels of "
            "one type, e.g. all strings or all integers."
        ) from exc


def _encode(classes, y, name="y"):
    """Map labels to 0..len(classes)-1; fail on labels not in ``classes``."""
    encoded = np.searchsorted(classes, y)
    encoded = np.clip(encoded, 0, len(classes) - 1)
    unknown = classes[encoded] != y
    if unknown.any():
        raise ValueError(
            f"{name} contains the label {value_repr(y[unknown][0])}, which is not "
            f"among the classes {classes.tolist()} of this classifier."
        )
    return encoded.astype(np.int64)
