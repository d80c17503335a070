"""Sample and class weights: which rows train, and how much each one counts.

``fit`` and ``partial_fit`` take ``sample_weight``; the classifiers also take
``class_weight``.  Both become one weight per row (their product), checked
here, and then a frozen :class:`RowWeights`: the rows that train (those of
non-zero weight) and the weights of those rows, or None where they are all
equal.  Nothing about the weights is decided anywhere else: the fit plan
(:mod:`sklearn_echo._fit_plan`) draws its hold-out from the kept rows and
scales their weights, the targets standardise and take their prior with
them, and the net's batches carry them (:mod:`sklearn_echo._net`).

Why rows of weight zero are left out rather than multiplied by zero: the
model is then the one fitted without them (the same batches, hold-out,
budget and batch size), which is what a weight of zero means.  Why equal
weights are dropped: the weighted mean of the loss is then the plain mean,
and computing it the plain way keeps a fit with weights of ones bit for bit
the fit without weights.
"""

import inspect
from dataclasses import dataclass

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import _check_sample_weight

from sklearn_echo._validation import value_repr

# Recent scikit-learn releases refuse all-zero weights themselves, in their
# own words; check_sample_weight says it in the same words on every release.
_OWN_ZERO_CHECK = (
    {"allow_all_zero_weights": True}
    if "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters
    else {}
)


@dataclass(frozen=True)
class RowWeights:
    """The weights of one call to ``fit`` or ``partial_fit``, resolved.

    Attributes
    ----------
    kept : ndarray of int64 or None
        The rows of non-zero weight, sorted; None when every row has one.
    values : ndarray of float64 of shape (n_samples,) or None
        Each row's weight (zero for the rows left out); None when the kept
        rows all weigh the same, and train as without weights.
    """

    kept: object = None
    values: object = None

    @classmethod
    def of(cls, weights):
        """Return the resolved weights of a checked array of weights, or None."""
        if weights is None:
            return cls()
        positive = weights > 0
        kept = None if positive.all() else np.flatnonzero(positive)
        on_kept = weights if kept is None else weights[kept]
        values = None if np.all(on_kept == on_kept[0]) else weights
        return cls(kept=kept, values=values)

    @property
    def weighted(self):
        """Whether the kept rows weigh differently (the loss is weighted)."""
        return self.values is not None

    def select(self, array):
        """Return the kept rows of ``array`` (itself when every row is kept)."""
        return array if self.kept is None else array[self.kept]

    def of_rows(self, rows):
        """Return the weights of ``rows`` (None for all), or None if unweighted."""
        if self.values is None:
            return None
        return self.values if rows is None else self.values[rows]

    def per_row(self, n_samples):
        """Return every row's weight (zero where left out), or None for all ones."""
        if self.values is not None:
            return self.values
        if self.kept is None:
            return None
        weights = np.zeros(n_samples)
        weights[self.kept] = 1.0
        return weights


# No weights: every row trains, all alike.
UNWEIGHTED = RowWeights()


def check_sample_weight(sample_weight, n_samples):
    """Return ``sample_weight`` as float64 of shape (n_samples,), or None.

    scikit-learn's ``_check_sample_weight`` reads scalars, lists and Series
    and checks the shape and that the values are finite; the sign and the
    all-zero case are checked here, in the same words on every release of
    scikit-learn this package supports.
    """
    if sample_weight is None:
        return None
    # A stand-in for X: only its number of rows is read.
    rows = np.broadcast_to(np.float64(0), (n_samples,))
    weights = _check_sample_weight(
        sample_weight, rows, dtype=np.float64, copy=True, **_OWN_ZERO_CHECK
    )
    negative = np.flatnonzero(weights < 0)
    if len(negative):
        row = negative[0]
        raise ValueError(
            f"sample_weight must be >= 0, got {value_repr(weights[row])} for row {row}."
        )
    if not weights.any():
        raise ValueError(
            "sample_weight is zero for every row: at least one row needs a "
            "positive weight."
        )
    return weights


def class_weight_of_rows(class_weight, y, y_encoded, classes):
    """Return each row's class weight (float64): the product over targets.

    ``'balanced'`` is :func:`~sklearn.utils.class_weight.compute_sample_weight`
    of ``y``, so that a fit with it is the fit with ``sample_weight=
    compute_sample_weight('balanced', y)``.  A dict maps labels to weights
    (1 for the labels it leaves out); several targets take a list of dicts,
    one per column, as ``RandomForestClassifier``.

    Parameters
    ----------
    class_weight : 'balanced', dict or list of dict
        The checked parameter.
    y : ndarray of shape (n_samples,) or (n_samples, k)
        The labels.
    y_encoded : ndarray of shape (n_samples,) or (n_samples, k)
        The labels encoded as indices into ``classes``.
    classes : ndarray or list of k ndarrays
        The classifier's classes (``classes_``).
    """
    if class_weight == "balanced":
        return compute_sample_weight("balanced", y)
    multi = isinstance(classes, list)
    if multi != isinstance(class_weight, list) or (
        multi and len(class_weight) != len(classes)
    ):
        expected = (
            f"a list of {len(classes)} dicts, one per column of y, or 'balanced'"
            if multi
            else "a dict or 'balanced' for a y of one column"
        )
        raise ValueError(f"class_weight must be {expected}; got {class_weight!r}.")
    tables = class_weight if multi else [class_weight]
    columns = list(y_encoded.T) if multi else [y_encoded]
    labels = classes if multi else [classes]
    weights = np.ones(len(y_encoded))
    for j, (table, column, known) in enumerate(
        zip(tables, columns, labels, strict=True)
    ):
        name = f"class_weight[{j}]" if multi else "class_weight"
        known_set = set(known.tolist())
        for label in table:
            if label not in known_set:
                raise ValueError(
                    f"{name} names the class {value_repr(label)}, which is not "
                    f"among the classes {known.tolist()} of y."
                )
        per_class = np.array([float(table.get(label, 1.0)) for label in known])
        weights *= per_class[column]
    return weights


def combine(sample_weight, class_weights):
    """Return the product of the checked weights (None stands for ones)."""
    if class_weights is None:
        return sample_weight
    weights = class_weights if sample_weight is None else sample_weight * class_weights
    if not weights.any():
        raise ValueError(
            "Every row has weight zero (sample_weight times class_weight): at "
            "least one row needs a positive weight."
        )
    return weights


def scaled(values, train_rows, valid_rows):
    """Return float32 weights of mean 1 on the training rows and on the hold-out.

    Each batch's loss is ``mean(w_i * loss_i)`` over its rows: with weights
    of mean 1 over the training rows, an epoch's batches average to the
    weighted mean ``sum(w_i * loss_i) / sum(w_i)``, and a batch's gradient is
    on the scale of an unweighted one, whatever the scale of the weights.
    """
    if values is None:
        return None
    scaled = np.zeros(len(values), dtype=np.float32)
    groups = [slice(None) if train_rows is None else train_rows]
    if valid_rows is not None:
        groups.append(valid_rows)
    for rows in groups:
        scaled[rows] = values[rows] / values[rows].mean()
    return scaled
