"""Input forms: what an estimator reads, and what its network is built for.

Two forms, one seam.  :class:`StepInput` reads real-valued steps, one-hot
or any features: 3-D arrays ``(n_samples, length, n_features)``, 2-D arrays
of one feature per step, or lists of ``(length_i, n_features)`` sequences.
:class:`TokenInput` reads integer tokens: 2-D arrays or lists of 1-D
sequences, with a vocabulary fixed by ``fit``.  Each form validates input for
``fit`` and for prediction, gives the width the network reads, and the mean
step its burn-in reads.  Sequences of different lengths come back as
:class:`~sklearn_echo._ragged.RaggedSequences` from either.

An estimator holds its form as the class attribute ``_input_form``; the
forms keep no state, and what they learn (``input_size_``,
``vocabulary_size_``, ``n_features_in_``) is set on the estimator.
"""

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length, validate_data

from sklearn_echo._ragged import RaggedSequences, forget_fitted_length, read_ragged
from sklearn_echo._validation import (
    explain_array_errors,
    fit_vocabulary_size,
    known_tokens,
    passes_as_is,
    validate_tokens,
)


def _read_ragged(estimator, X, *, tokens, reset):
    return read_ragged(
        X,
        type(estimator).__name__,
        tokens=tokens,
        reset=reset,
        length=getattr(estimator, "n_features_in_", None),
    )


def _check_ragged_y(estimator, X, y, *, reset):
    """Check ``y`` against sequences of different lengths ``X``.

    A fit on them leaves no ``n_features_in_``: scikit-learn's number of
    features is the sequence length, and they have none.  An estimator fitted
    on them predicts arrays of any length.
    """
    if reset:
        forget_fitted_length(estimator)
    if y is not None:
        # What validate_data(X, y, multi_output=True) does with y.
        y = check_array(
            y, accept_sparse="csr", ensure_2d=False, dtype=None, input_name="y"
        )
        check_consistent_length(X, y)
    return y


def _check_width(estimator, width):
    if width != estimator.input_size_:
        raise ValueError(
            f"X has {width} features per step, but {type(estimator).__name__} "
            f"was fitted with {estimator.input_size_} features per step."
        )


class StepInput:
    """Sequences of real-valued steps: one-hot, or any float features."""

    # The module reads the steps as they are.
    tokens = False

    def validate(self, estimator, X, y=None, *, reset):
        """Return X as float32 ``(n_samples, length, input_size)``, and y.

        Sequences of different lengths come back as ``RaggedSequences``.
        ``reset=True`` (fit) sets ``n_features_in_``; otherwise X must match
        what the estimator was fitted on.
        """
        X, ragged = _read_ragged(estimator, X, tokens=False, reset=reset)
        if ragged is not None:
            y = _check_ragged_y(estimator, ragged, y, reset=reset)
            if not reset:
                _check_width(estimator, ragged.values.shape[1])
            return ragged, y
        name = type(estimator).__name__
        common = {"reset": reset, "dtype": np.float32, "allow_nd": True}
        with explain_array_errors(name, "numeric sequences"):
            if (
                not reset
                and y is None
                and passes_as_is(
                    estimator, X, dtypes=(np.dtype(np.float32),), ndims=(2, 3)
                )
            ):
                pass
            elif y is None:
                X = validate_data(estimator, X, **common)
            else:
                # y may be 1-D or 2-D (several targets); the estimator checks
                # its values.
                X, y = validate_data(estimator, X, y, multi_output=True, **common)
        if X.ndim == 2:
            X = X[:, :, np.newaxis]
        elif X.ndim != 3:
            raise ValueError(
                f"X must be 2-D (n_samples, length) or 3-D (n_samples, length, "
                f"n_features), got an array of {X.ndim} dimensions, shape {X.shape}."
            )
        if 0 in X.shape[1:]:
            raise ValueError(
                f"Found array with 0 step(s) or 0 feature(s) per step (shape="
                f"{X.shape}) while a minimum of 1 is required by {name}."
            )
        if not reset:
            _check_width(estimator, X.shape[2])
        return X, y

    def input_size(self, estimator, X):
        """Return the width the module reads: features per step."""
        if isinstance(X, RaggedSequences):
            return X.values.shape[1]
        return X.shape[2]

    def mean_step(self, X, width, weights=None):
        """Return the mean of validated ``X``'s steps (float32, ``width`` values).

        Padding is not a step: ragged ``X`` stores only the real ones.  With
        ``weights`` (one per sequence), each step weighs as its sequence.
        """
        values = X.values if isinstance(X, RaggedSequences) else X
        if weights is None:
            axes = tuple(range(values.ndim - 1))
            return values.mean(axis=axes, dtype=np.float64).astype(np.float32)
        if isinstance(X, RaggedSequences):
            starts = np.concatenate([[0], np.cumsum(X.lengths)[:-1]])
            sums = np.add.reduceat(values, starts, axis=0, dtype=np.float64)
            lengths = X.lengths
        else:
            sums = values.sum(axis=1, dtype=np.float64)
            lengths = np.full(len(values), values.shape[1])
        return (weights @ sums / (weights @ lengths)).astype(np.float32)


class TokenInput:
    """Sequences of integer tokens; the vocabulary is fixed by ``fit``.

    The estimator has the parameters ``n_features`` (the vocabulary size, or
    None for the largest token + 1) and ``handle_unknown``; ``fit`` sets its
    ``vocabulary_size_``.
    """

    # The module one-hot encodes (or looks up) the tokens itself.
    tokens = True

    def validate(self, estimator, X, y=None, *, reset):
        """Return X as int64 tokens ``(n_samples, length)``, and y.

        Sequences of different lengths come back as ``RaggedSequences`` of
        int64 tokens.  At prediction, unknown tokens become the token
        ``vocabulary_size_`` (the all-zero step) with
        ``handle_unknown='ignore'``, and raise otherwise.
        """
        X, ragged = _read_ragged(estimator, X, tokens=True, reset=reset)
        if ragged is None:
            sequences, y = validate_tokens(estimator, X, y, reset=reset)
            tokens = sequences
        else:
            y = _check_ragged_y(estimator, ragged, y, reset=reset)
            sequences, tokens = ragged, ragged.values
        if reset:
            estimator.vocabulary_size_ = _vocabulary_size(estimator, tokens)
            return sequences, y
        size = estimator.vocabulary_size_
        known = known_tokens(tokens, size, estimator.handle_unknown)
        if not known.all():
            # Token vocabulary_size_, the module's all-zero step, stands for them.
            tokens = np.where(known, tokens, size)
            sequences = tokens if ragged is None else ragged.with_values(tokens)
        return sequences, y

    def input_size(self, estimator, X):
        """Return the one-hot width the tokens stand for."""
        return estimator.vocabulary_size_

    def mean_step(self, X, width, weights=None):
        """Return each token's frequency: the mean of their one-hot steps.

        With ``weights`` (one per sequence), each token weighs as its sequence.
        """
        values = X.values if isinstance(X, RaggedSequences) else X
        if weights is None:
            counts = np.bincount(values.ravel(), minlength=width)
        else:
            lengths = (
                X.lengths
                if isinstance(X, RaggedSequences)
                else np.full(len(values), values.shape[1])
            )
            counts = np.bincount(
                values.ravel(), weights=np.repeat(weights, lengths), minlength=width
            )
        return (counts / counts.sum()).astype(np.float32)


def _vocabulary_size(estimator, tokens):
    """Return the vocabulary size a fit on ``tokens`` sets.

    ``n_features``, or the largest token + 1; a warm start with
    ``n_features=None`` keeps the fitted vocabulary, which the tokens must
    fit in.
    """
    previous = getattr(estimator, "vocabulary_size_", None)
    continuing = estimator.warm_start and hasattr(estimator, "net_")
    if estimator.n_features is not None or not continuing or previous is None:
        return fit_vocabulary_size(tokens, estimator.n_features)
    largest = int(tokens.max())
    if largest >= previous:
        raise ValueError(
            "warm_start=True continues the fitted vocabulary of tokens in "
            f"[0, {previous}), but X contains the token {largest}. Set n_features "
            "to the size of the whole vocabulary, or warm_start=False to start "
            "anew."
        )
    return previous
