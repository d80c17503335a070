"""One-hot encoding of integer sequences."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from sklearn_echo._ragged import forget_fitted_length, read_ragged
from sklearn_echo._validation import (
    INT64_MAX,
    check_allocation,
    check_handle_unknown,
    check_int,
    explain_array_errors,
    fit_vocabulary_size,
    keep_state_on_error,
    known_tokens,
    validate_tokens,
)


class OneHotSequenceTransformer(TransformerMixin, BaseEstimator):
    """Encode integer sequences as one-hot sequences, and decode them back.

    Each sample is a sequence of ``length`` integer tokens in
    ``[0, n_features)``.  :meth:`transform` turns the 2-D array of tokens into a
    3-D array in which step ``t`` of sample ``i`` is the one-hot vector of token
    ``X[i, t]``: the input an LSTM expects.  :meth:`inverse_transform` decodes
    by argmax.

    Parameters
    ----------
    n_features : int or None, default=None
        The width of the one-hot encoding of a step (the number of distinct
        tokens).  ``None`` learns it in :meth:`fit` as the largest token plus
        one; an int fixes it, and a token ``>= n_features`` is then an error in
        :meth:`fit`.  Fix it when the training data may not show every token.

    dtype : numpy dtype, default=np.float32
        The dtype of the one-hot output.  ``float32`` is what torch trains on.

    handle_unknown : {'error', 'ignore'}, default='error'
        What :meth:`transform` does with a token ``>= vocabulary_size_``:
        ``'error'`` raises a ``ValueError``; ``'ignore'`` encodes the step as all
        zeros.

    Attributes
    ----------
    vocabulary_size_ : int
        The width of the one-hot encoding learnt in :meth:`fit`: ``n_features``
        if given, else the largest token seen plus one.

    n_features_in_ : int
        The number of columns of ``X`` seen in :meth:`fit`, i.e. the sequence
        length (scikit-learn's meaning of "features").  Not set after a fit on
        sequences of different lengths.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen in :meth:`fit`.  Defined only when ``X`` has
        string column names (a pandas DataFrame).

    See Also
    --------
    make_echo_sequences : Generate integer sequences for the echo problem.
    sklearn.preprocessing.OneHotEncoder : One-hot encoding of 2-D tabular data.

    Notes
    -----
    The output takes ``n_samples * length * vocabulary_size_ * itemsize`` bytes:
    100,000 sequences of length 50 over 100 tokens are 1.9 GB in float32.

    Examples
    --------
    >>> from sklearn_echo import OneHotSequenceTransformer
    >>> X = [[2, 0, 1], [1, 1, 0]]
    >>> encoder = OneHotSequenceTransformer().fit(X)
    >>> encoder.vocabulary_size_
    3
    >>> onehot = encoder.transform(X)
    >>> onehot.shape
    (2, 3, 3)
    >>> onehot[0]
    array([[0., 0., 1.],
           [1., 0., 0.],
           [0., 1., 0.]], dtype=float32)
    >>> encoder.inverse_transform(onehot)
    array([[2, 0, 1],
           [1, 1, 0]])
    """

    def __init__(self, *, n_features=None, dtype=np.float32, handle_unknown="error"):
        self.n_features = n_features
        self.dtype = dtype
        self.handle_unknown = handle_unknown

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Tokens are category codes, hence non-negative integers.
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        # The output dtype is the ``dtype`` parameter, whatever the input's.
        tags.transformer_tags.preserves_dtype = []
        return tags

    def _check_params(self):
        if self.n_features is not None:
            check_int(self.n_features, "n_features", min_val=1, max_val=INT64_MAX)
        check_handle_unknown(self.handle_unknown)
        if self.dtype is None:
            raise TypeError("dtype must be a numpy numeric dtype, got None.")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError as exc:
            raise TypeError(
                f"dtype must be a numpy numeric dtype, got {self.dtype!r}."
            ) from exc
        if dtype.kind not in "biuf":
            raise TypeError(f"dtype must be a numpy numeric dtype, got {self.dtype!r}.")
        return dtype

    @keep_state_on_error
    def fit(self, X, y=None):
        """Learn the one-hot width and the sequence length from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, length), or list of sequences
            Integer tokens >= 0: a list of lists, an integer or integral-float
            array, or a pandas DataFrame; sequences of different lengths in a
            list (see :ref:`variable-length`).

        y : None
            Ignored.

        Returns
        -------
        self : OneHotSequenceTransformer
            The fitted transformer.
        """
        self._check_params()
        X, ragged = read_ragged(X, type(self).__name__, tokens=True, reset=True)
        if ragged is None:
            tokens, _ = validate_tokens(self, X, reset=True)
        else:
            # The fitted transformer takes any length.
            forget_fitted_length(self)
            tokens = ragged.values
        self.vocabulary_size_ = fit_vocabulary_size(tokens, self.n_features)
        return self

    @keep_state_on_error
    def fit_transform(self, X, y=None):
        """Fit to ``X``, then one-hot encode it.

        Parameters
        ----------
        X : array-like of shape (n_samples, length), or list of sequences
            Integer tokens >= 0.

        y : None
            Ignored.

        Returns
        -------
        X_onehot : ndarray of shape (n_samples, length, `vocabulary_size_`) \
                or list of ndarray
            The one-hot encoding of ``X``; for sequences of different lengths,
            a list of arrays of shape (length_i, `vocabulary_size_`).  If
            encoding fails (e.g. the output would not fit in memory) the
            transformer is left as it was.
        """
        return self.fit(X).transform(X)

    def transform(self, X):
        """One-hot encode integer sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, length), or list of sequences
            Integer tokens >= 0: an array with the sequence length seen in
            :meth:`fit`, or a list of sequences of any lengths.

        Returns
        -------
        X_onehot : ndarray of shape (n_samples, length, `vocabulary_size_`) \
                or list of ndarray
            ``X_onehot[i, t, k]`` is 1 where ``X[i, t] == k``, else 0.  A step
            with an unknown token is all zeros when ``handle_unknown='ignore'``.
            A list of sequences of other lengths than the fitted one gives a
            list of arrays of shape (length_i, `vocabulary_size_`), views of
            one array.
        """
        check_is_fitted(self)
        dtype = self._check_params()
        X, ragged = read_ragged(
            X,
            type(self).__name__,
            tokens=True,
            reset=False,
            length=getattr(self, "n_features_in_", None),
        )
        if ragged is None:
            tokens, _ = validate_tokens(self, X, reset=False)
        else:
            tokens = ragged.values
        known = known_tokens(tokens, self.vocabulary_size_, self.handle_unknown)
        shape = (*tokens.shape, self.vocabulary_size_)
        check_allocation(shape, dtype, "The one-hot output")
        onehot = np.zeros(shape, dtype=dtype)
        steps = np.nonzero(known)
        onehot[(*steps, tokens[steps])] = 1
        # Sequences of different lengths: one 2-D array per sequence, views
        # of one buffer.
        return onehot if ragged is None else ragged.with_values(onehot).to_list()

    def inverse_transform(self, X):
        """Decode one-hot sequences back to integer tokens by argmax.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, `vocabulary_size_`), \
                or list of sequences
            One-hot (or score) sequences, e.g. the output of :meth:`transform`.

        Returns
        -------
        X_tokens : ndarray of shape (n_samples, length), dtype=int64, or list
            A list of 1-D arrays for a list of sequences of other lengths.
            The index of the largest value of each step.  A step that is all
            zeros (an unknown token encoded with ``handle_unknown='ignore'``)
            decodes to ``-1``.
        """
        check_is_fitted(self)
        length = getattr(self, "n_features_in_", None)
        X, ragged = read_ragged(
            X, type(self).__name__, tokens=False, reset=False, length=length
        )
        if ragged is not None:
            if ragged.values.shape[1] != self.vocabulary_size_:
                raise ValueError(
                    "inverse_transform expects steps of "
                    f"{self.vocabulary_size_} values, got "
                    f"{ragged.values.shape[1]}."
                )
            return ragged.with_values(_decode(ragged.values)).to_list()
        with explain_array_errors(type(self).__name__, "numeric one-hot sequences"):
            X = check_array(X, allow_nd=True, ensure_2d=False, dtype="numeric")
        if (
            X.ndim != 3
            or X.shape[2] != self.vocabulary_size_
            or (length is not None and X.shape[1] != length)
        ):
            expected = "n_steps" if length is None else length
            raise ValueError(
                "inverse_transform expects an array of shape (n_samples, "
                f"{expected}, {self.vocabulary_size_}), got shape {X.shape}."
            )
        return _decode(X)


def _decode(onehot):
    """Return the argmax of each step (last axis), -1 for an all-zero step."""
    tokens = onehot.argmax(axis=-1).astype(np.int64)
    tokens[~onehot.any(axis=-1)] = -1
    return tokens
