"""Synthetic data: the echo sequence problem and the adding problem."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from sklearn_echo._ragged import RaggedSequences
from sklearn_echo._validation import (
    INT64_MAX,
    check_allocation,
    check_float,
    check_int,
    value_repr,
)


def _check_out_index(out_index, length, what=None):
    """Return the out_index as a non-negative int or a tuple of them.

    ``what`` describes the sequences in the error (default: their length).
    """
    what = what or f"sequences of length {length}"
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
                f"out_index={int(index)} is out of range for {what}: expected "
                f"-{length} <= out_index < {length}."
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
    min_length=None,
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
        end, as in Python indexing: from each sequence's own end when the
        lengths vary (``-1`` is its last value).  A sequence of ``k``
        positions gives a multi-output target of shape ``(n_samples, k)``.
        With ``min_length=k`` it must lie in ``[-k, k)``.

    flip_y : float, default=0.0
        The fraction of labels replaced by a value drawn uniformly from
        ``[0, n_features)``, as in :func:`sklearn.datasets.make_classification`.
        The drawn value may equal the true one, so the fraction of wrong labels
        is ``flip_y * (n_features - 1) / n_features`` on average.

    min_length : int or None, default=None
        ``None`` gives every sequence ``length`` steps.  An int in
        ``[1, length]`` draws each sequence's length uniformly from
        ``[min_length, length]``, and ``X`` is then a list of sequences of
        different lengths, the input the estimators take as it is.

    random_state : int, RandomState instance or None, default=None
        Determines the random numbers.  Pass an int for the same data at every
        call.  See :term:`Glossary <random_state>`.

    Returns
    -------
    X : ndarray of shape (n_samples, length), dtype=int64, or list of ndarray
        The sequences, with values in ``[0, n_features)``.  With
        ``min_length``, a list of ``n_samples`` 1-D int64 arrays (views of one
        buffer, so a million sequences cost little more than their values).

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

    Sequences of 3 to 6 steps, whose target is their last value:

    >>> X, y = make_echo_sequences(n_samples=3, length=6, n_features=10,
    ...                            out_index=-1, min_length=3, random_state=0)
    >>> X
    [array([0, 3, 3]), array([7, 9, 3, 5, 2, 4]), array([7, 6, 8, 8])]
    >>> y
    array([3, 4, 8])
    """
    n_samples = check_int(n_samples, "n_samples", min_val=1)
    length = check_int(length, "length", min_val=1)
    n_features = check_int(n_features, "n_features", min_val=1, max_val=INT64_MAX)
    if min_length is not None:
        min_length = check_int(min_length, "min_length", min_val=1, max_val=length)
    # With lengths that vary, a negative index counts from each sequence's
    # own end, so it must hold in the shortest.
    if min_length is None:
        index = _check_out_index(out_index, length)
    else:
        index = _check_out_index(
            out_index,
            min_length,
            f"sequences as short as min_length={min_length} (negative values count "
            "from each sequence's own end)",
        )
    flip_y = check_float(flip_y, "flip_y", min_val=0.0, max_val=1.0)
    generator = check_random_state(random_state)
    check_allocation((n_samples, length), np.int64, "The sequences X")

    if min_length is None:
        X = generator.randint(n_features, size=(n_samples, length), dtype=np.int64)
        y = X[:, index].copy()
    else:
        # The indices as given (a negative one counts from each sequence's
        # own end), in the shape of the checked ones: flat.
        signed = out_index if isinstance(index, int) else np.ravel(out_index)
        X, y = _echo_ragged(
            generator, n_samples, min_length, length, n_features, signed
        )
    if flip_y > 0:
        flip = generator.uniform(size=y.shape) < flip_y
        y[flip] = generator.randint(n_features, size=flip.sum(), dtype=np.int64)
    return X, y


def _echo_ragged(generator, n_samples, min_length, length, n_features, out_index):
    """Draw sequences of lengths in [min_length, length] and their targets."""
    lengths = generator.randint(min_length, length + 1, size=n_samples)
    starts = np.zeros(n_samples, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    values = generator.randint(n_features, size=int(lengths.sum()), dtype=np.int64)
    indices = np.asarray(out_index, dtype=np.int64)
    # Each index counts from the sequence's start, or its own end if negative.
    positions = np.where(
        indices >= 0,
        indices,
        lengths.reshape((-1,) + (1,) * indices.ndim) + indices,
    )
    starts = starts.reshape((-1,) + (1,) * indices.ndim)
    y = values[starts + positions]
    return RaggedSequences(values, lengths.astype(np.int64)).to_list(), y


def make_adding_problem(n_samples=100, length=100, *, random_state=None):
    """Generate the adding problem: add the two marked values of a sequence.

    The adding problem of Hochreiter & Schmidhuber (1997), in the form of
    Le et al. (2015) and Arjovsky et al. (2016), a standard test of how far a
    recurrent network carries information.  Each step has two channels:
    channel 0 holds a value drawn from U(0, 1), channel 1 a marker that is 1
    at exactly two steps, one in each half of the sequence, and 0 elsewhere.
    The target is the sum of the two marked values.  A model that predicts
    the mean (1.0) has a mean squared error of 1/6, about 0.167, and an R² of
    0; a model must remember the first marked value for up to ``length``
    steps to do better than about 0.083 (the error of adding only the
    second one).

    Parameters
    ----------
    n_samples : int, default=100
        The number of sequences.

    length : int, default=100
        The number of steps in each sequence, at least 2.  The first marker
        lies in steps ``[0, length // 2)``, the second in
        ``[length // 2, length)``.

    random_state : int, RandomState instance or None, default=None
        Determines the random numbers.  Pass an int for the same data at every
        call.  See :term:`Glossary <random_state>`.

    Returns
    -------
    X : ndarray of shape (n_samples, length, 2), dtype=float64
        The sequences: values in channel 0, markers in channel 1.

    y : ndarray of shape (n_samples,), dtype=float64
        The sum of the two marked values of each sequence, in [0, 2).

    See Also
    --------
    LSTMRegressor : An LSTM that learns it.
    make_echo_sequences : The echo problem, a classification task.
    sklearn.datasets.make_regression : The generator this one mirrors.

    References
    ----------
    .. [1] S. Hochreiter and J. Schmidhuber, "Long short-term memory",
       Neural Computation 9(8), 1997.
    .. [2] Q. V. Le, N. Jaitly and G. E. Hinton, "A simple way to initialize
       recurrent networks of rectified linear units", arXiv:1504.00941, 2015.
    .. [3] M. Arjovsky, A. Shah and Y. Bengio, "Unitary evolution recurrent
       neural networks", ICML 2016.

    Examples
    --------
    >>> from sklearn_echo import make_adding_problem
    >>> X, y = make_adding_problem(n_samples=2, length=6, random_state=0)
    >>> X.shape, y.shape
    ((2, 6, 2), (2,))
    >>> X[0].round(2)
    array([[0.55, 1.  ],
           [0.72, 0.  ],
           [0.6 , 0.  ],
           [0.54, 0.  ],
           [0.42, 1.  ],
           [0.65, 0.  ]])
    >>> y.round(2)
    array([0.97, 1.68])
    """
    n_samples = check_int(n_samples, "n_samples", min_val=1)
    length = check_int(length, "length", min_val=2)
    generator = check_random_state(random_state)
    check_allocation((n_samples, length, 2), np.float64, "The sequences X")

    X = np.zeros((n_samples, length, 2))
    X[:, :, 0] = generator.uniform(size=(n_samples, length))
    half = length // 2
    rows = np.arange(n_samples)
    first = generator.randint(half, size=n_samples)
    second = generator.randint(half, length, size=n_samples)
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    y = X[rows, first, 0] + X[rows, second, 0]
    return X, y
