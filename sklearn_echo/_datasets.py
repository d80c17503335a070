"""Synthetic data for the echo sequence problem."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from sklearn_echo._validation import (
    INT64_MAX,
    check_allocation,
    check_float,
    check_int,
    value_repr,
)


def _check_out_index(out_index, length):
    """Return the out_index as a non-negative int or a tuple of them."""
    scalar = not isinstance(out_index, (list, tuple, np.ndarray)) or (
        isinstance(out_index, np.ndarray) and out_index.ndim == 0
    )
    if scalar:
        indices = [out_index.item() if isinstance(out_index, np.ndarray) else out_index]
    elif isinstance(out_index, np.ndarray):
        indices = list(out_index.ravel())
    else:
        indices = list(out_index)
    if not indices:
        raise ValueError(
            "out_index must be an integer or a non-empty sequence of them."
        )
    checked = []
    for index in indices:
        if isinstance(index, (bool, np.bool_)) or not isinstance(
            index, numbers.Integral
        ):
            raise TypeError(
                f"out_index must be an integer or a sequence of integers, got "
                f"{value_repr(index)} of type {type(index).__name__}."
            )
        if not -length <= index < length:
            raise ValueError(
                f"out_index={int(index)} is out of range for sequences of length "
                f"{length}: expected -{length} <= out_index < {length}."
            )
        checked.append(int(index) % length)
    return checked[0] if scalar else tuple(checked)


def make_echo_sequences(
    n_samples=100,
    length=5,
    n_features=10,
    *,
    out_index=2,
    flip_y=0.0,
    random_state=None,
):
    """Generate random integer sequences and the value seen at ``out_index``.

    The *echo sequence* problem: each sample is a sequence of ``length`` integers
    drawn uniformly from ``[0, n_features)``; its target is the value the sequence
    held at position ``out_index``.  A recurrent model that reads the sequence
    step by step must remember that value until the end.

    Parameters
    ----------
    n_samples : int, default=100
        The number of sequences.

    length : int, default=5
        The number of steps in each sequence.

    n_features : int, default=10
        The number of distinct values a step can take, i.e. the width of the
        one-hot encoding of a step (:class:`OneHotSequenceTransformer`) and the
        number of possible classes.  This keeps the tutorial's meaning; in
        :func:`sklearn.datasets.make_classification`, ``n_features`` is instead
        the number of columns of ``X``, which here is ``length``.

    out_index : int or sequence of int, default=2
        The position whose value is the target.  Negative values count from the
        end, as in Python indexing.  A sequence of ``k`` positions gives a
        multi-output target of shape ``(n_samples, k)``.

    flip_y : float, default=0.0
        The fraction of labels replaced by a value drawn uniformly from
        ``[0, n_features)``, as in :func:`sklearn.datasets.make_classification`.
        The drawn value may equal the true one, so the fraction of wrong labels
        is ``flip_y * (n_features - 1) / n_features`` on average.

    random_state : int, RandomState instance or None, default=None
        Determines the random numbers.  Pass an int for the same data at every
        call.  See :term:`Glossary <random_state>`.

    Returns
    -------
    X : ndarray of shape (n_samples, length), dtype=int64
        The sequences, with values in ``[0, n_features)``.

    y : ndarray of shape (n_samples,) or (n_samples, k), dtype=int64
        The value at ``out_index`` of each sequence (possibly flipped).

    See Also
    --------
    OneHotSequenceTransformer : One-hot encode the sequences for an LSTM.
    sklearn.datasets.make_classification : The generator this one mirrors.

    Examples
    --------
    >>> from sklearn_echo import make_echo_sequences
    >>> X, y = make_echo_sequences(n_samples=3, length=5, n_features=10,
    ...                            random_state=0)
    >>> X
    array([[5, 0, 3, 3, 7],
           [9, 3, 5, 2, 4],
           [7, 6, 8, 8, 1]])
    >>> y
    array([3, 5, 8])
    """
    n_samples = check_int(n_samples, "n_samples", min_val=1)
    length = check_int(length, "length", min_val=1)
    n_features = check_int(n_features, "n_features", min_val=1, max_val=INT64_MAX)
    index = _check_out_index(out_index, length)
    flip_y = check_float(flip_y, "flip_y", min_val=0.0, max_val=1.0)
    generator = check_random_state(random_state)
    check_allocation((n_samples, length), np.int64, "The sequences X")

    X = generator.randint(n_features, size=(n_samples, length), dtype=np.int64)
    y = X[:, index].copy()
    if flip_y > 0:
        flip = generator.uniform(size=y.shape) < flip_y
        y[flip] = generator.randint(n_features, size=flip.sum(), dtype=np.int64)
    return X, y
