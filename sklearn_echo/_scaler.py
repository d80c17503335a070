"""Standardisation of real-valued sequences, over all steps or per sequence."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_echo._ragged import forget_fitted_length, read_ragged
from sklearn_echo._validation import (
    explain_array_errors,
    keep_state_on_error,
    value_repr,
)

# An array keeps its float dtype; any other is read as float64.
_FLOAT_DTYPES = (np.float64, np.float32)


class _Steps:
    """Validated sequences as one 2-D array of steps, and the way back to X's form.

    ``values`` has shape ``(total_steps, n_features_per_step)``: an array's
    ``(n_samples, length[, n_features])`` reshaped, or the steps of a list of
    sequences end to end (:class:`~sklearn_echo._ragged.RaggedSequences`), so
    that padding is never a step.
    """

    def __init__(self, values, lengths, *, shape=None, ragged=None, one_d=False):
        self.values = values
        self.lengths = lengths
        self.shape = shape
        self.ragged = ragged
        self.one_d = one_d

    @property
    def width(self):
        return self.values.shape[1]

    @property
    def dtype(self):
        return self.values.dtype

    def rebuild(self, values):
        """Return ``values`` (same shape as ``self.values``) in the input's form."""
        values = values.astype(self.dtype, copy=False)
        if self.ragged is None:
            return values.reshape(self.shape)
        if self.one_d:
            values = values.reshape(-1)
        return self.ragged.with_values(values).to_list()


def _ndim(item):
    """Return ``item``'s number of dimensions, or None if it is no array."""
    try:
        return np.ndim(item)
    except ValueError:  # items of different shapes
        return None


def _is_list_of_2d(X):
    """Whether ``X`` is given sequence by sequence, as 2-D sequences."""
    return isinstance(X, (list, tuple)) and len(X) > 0 and _ndim(X[0]) == 2


def _is_constant(var, mean, n_steps):
    """Whether ``var`` is zero up to the rounding of computing it.

    The bound of ``StandardScaler``: a float64 mean of ``n_steps`` values may
    be off by about ``n_steps * eps * |mean|``, and the variance by its square.
    """
    eps = np.finfo(np.float64).eps
    return var <= n_steps * eps * var + (n_steps * mean * eps) ** 2


def _scale(var, mean, n_steps):
    """Return the standard deviation, with 1 where the values are constant."""
    return np.where(_is_constant(var, mean, n_steps), 1.0, np.sqrt(var))


def _per_sequence_sums(values, lengths):
    """Return the sum of each sequence's steps, shape (n_sequences, width)."""
    if lengths.min() == lengths.max():
        return values.reshape(len(lengths), int(lengths[0]), -1).sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(lengths[:-1])])
    return np.add.reduceat(values, starts, axis=0)


def _z_normalise(steps):
    """Return each sequence's steps, each feature to mean 0 and std 1 (float64)."""
    lengths = steps.lengths
    values = steps.values.astype(np.float64)
    mean = _per_sequence_sums(values, lengths) / lengths[:, np.newaxis]
    values -= np.repeat(mean, lengths, axis=0)
    var = _per_sequence_sums(np.square(values), lengths) / lengths[:, np.newaxis]
    values /= np.repeat(_scale(var, mean, lengths[:, np.newaxis]), lengths, axis=0)
    return values


def _check_invertible(scaler):
    """Let ``inverse_transform`` exist only where the scaling can be undone."""
    if isinstance(scaler.per_sequence, (bool, np.bool_)) and scaler.per_sequence:
        raise AttributeError(
            "inverse_transform is not available with per_sequence=True: each "
            "sequence was scaled by its own mean and standard deviation, which "
            "are not kept, so the scaled values do not determine the original ones."
        )
    return True


class SequenceScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise the features of real-valued sequences.

    By default, each feature is brought to mean 0 and variance 1 over every
    step of every sequence seen in :meth:`fit`, as a
    :class:`~sklearn.preprocessing.StandardScaler` fitted on the stacked steps
    would: the statistics of a step's feature, not of a position in the
    sequence.  Sequences of different lengths go in a list, and only their own
    steps count; no padding enters the statistics.  With
    ``per_sequence=True`` each sequence is z-normalised on its own, as the
    UCR/UEA baselines do.

    The output has the form of the input: an array for an array, a list of
    arrays for a list of sequences.

    Parameters
    ----------
    per_sequence : bool, default=False
        ``False``: scale every sequence by the means and standard deviations
        learnt in :meth:`fit` (or :meth:`partial_fit`).  ``True``: scale each
        feature of each sequence by that sequence's own mean and standard
        deviation (over its steps, ``ddof=0``); :meth:`fit` learns no
        statistics, and :meth:`inverse_transform` is not available.  A feature
        that is constant over a sequence becomes zeros.

    Attributes
    ----------
    mean_ : ndarray of shape (`n_features_per_step_`,) or None
        The mean of each feature over the steps seen; None with
        ``per_sequence=True``.

    var_ : ndarray of shape (`n_features_per_step_`,) or None
        The variance (``ddof=0``) of each feature over the steps seen; None
        with ``per_sequence=True``.

    scale_ : ndarray of shape (`n_features_per_step_`,) or None
        The standard deviation of each feature, or 1 for a feature that is
        constant over the steps seen (it is then only centred, as by
        ``StandardScaler``); None with ``per_sequence=True``.

    n_steps_seen_ : int
        The number of steps seen by :meth:`fit`, or by every call of
        :meth:`partial_fit` since the first.

    n_features_per_step_ : int
        The number of features of a step: ``X.shape[2]`` for a 3-D array, 1
        for a 2-D array (one feature per step).

    n_features_in_ : int
        The number of columns of ``X`` seen in :meth:`fit`, i.e. the sequence
        length (scikit-learn's meaning of "features").  Not set after a fit on
        a list of sequences.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen in :meth:`fit`.  Defined only when ``X`` has
        string column names (a pandas DataFrame).

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same scaling for 2-D tabular data.
    ChannelsLastTransformer : Reads aeon's channels-first collections.

    Notes
    -----
    A 2-D array ``(n_samples, length)`` holds sequences of one feature per
    step, as :class:`LSTMClassifier` reads it: it is scaled by one mean and one
    standard deviation (or row by row with ``per_sequence=True``), not column
    by column as ``StandardScaler`` would.

    Statistics are computed in float64.  An array of float32 or float64 keeps
    its dtype and any other becomes float64; a list of sequences comes back
    as float32 arrays, the dtype in which sklearn_echo reads sequences of
    different lengths.

    An array is read as it is, every step of it: the padding of a padded
    array counts as data.  Pass sequences of different lengths as a list.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_echo import SequenceScaler
    >>> X = [np.array([[0.0, 10.0], [2.0, 10.0]]),
    ...      np.array([[4.0, 30.0], [6.0, 30.0], [8.0, 30.0]])]
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([ 4., 22.]), array([2.82842712, 9.79795897]))
    >>> scaled = scaler.transform(X)
    >>> [x.shape for x in scaled]
    [(2, 2), (3, 2)]
    >>> np.round(scaled[0], 3)
    array([[-1.414, -1.225],
           [-0.707, -1.225]], dtype=float32)
    >>> np.round(SequenceScaler(per_sequence=True).fit_transform(X)[0], 3)
    array([[-1.,  0.],
           [ 1.,  0.]], dtype=float32)
    """

    def __init__(self, *, per_sequence=False):
        self.per_sequence = per_sequence

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _check_params(self):
        if not isinstance(self.per_sequence, (bool, np.bool_)):
            raise TypeError(
                "per_sequence must be True or False, got "
                f"{value_repr(self.per_sequence)} of type "
                f"{type(self.per_sequence).__name__}."
            )
        return bool(self.per_sequence)

    def _check_fitted_mode(self, per_sequence):
        """Refuse a ``per_sequence`` other than the one fitted."""
        fitted = self.mean_ is None
        if per_sequence != fitted:
            raise ValueError(
                f"{type(self).__name__} was fitted with per_sequence={fitted}, "
                f"but per_sequence is now {per_sequence}: fit it again."
            )

    def _read(self, X, *, reset):
        """Validate ``X`` and return it as :class:`_Steps`.

        A list of sequences takes the ragged path of every sklearn_echo object
        (``read_ragged``); a list of 2-D sequences always does, even of equal
        lengths, so that it comes back as a list.  ``reset=True`` records the
        input's width, and the length as ``n_features_in_`` for an array.
        """
        name = type(self).__name__
        length = None if reset else getattr(self, "n_features_in_", None)
        X, ragged = read_ragged(X, name, tokens=False, reset=reset, length=length)
        if ragged is None and _is_list_of_2d(X):
            X, ragged = read_ragged(X, name, tokens=False, reset=False)
        if ragged is not None:
            if reset:
                forget_fitted_length(self)
            steps = _Steps(
                ragged.values, ragged.lengths, ragged=ragged, one_d=np.ndim(X[0]) == 1
            )
        else:
            with explain_array_errors(name, "numeric sequences"):
                X = validate_data(
                    self, X, reset=reset, dtype=_FLOAT_DTYPES, allow_nd=True
                )
            if X.ndim > 3:
                raise ValueError(
                    f"X must be 2-D (n_samples, length) or 3-D (n_samples, length, "
                    f"n_features), got an array of {X.ndim} dimensions, shape "
                    f"{X.shape}."
                )
            if 0 in X.shape[1:]:
                raise ValueError(
                    f"Found array with 0 step(s) or 0 feature(s) per step (shape="
                    f"{X.shape}) while a minimum of 1 is required by {name}."
                )
            values = X.reshape(X.shape[0] * X.shape[1], -1)
            lengths = np.full(X.shape[0], X.shape[1], dtype=np.int64)
            steps = _Steps(values, lengths, shape=X.shape)
        if reset:
            self.n_features_per_step_ = steps.width
        elif steps.width != self.n_features_per_step_:
            raise ValueError(
                f"X has {steps.width} features per step, but {name} was fitted "
                f"with {self.n_features_per_step_} features per step."
            )
        return steps

    def _update(self, steps, per_sequence, *, first):
        """Fold the statistics of ``steps`` into the fitted ones (Chan et al.)."""
        n_new = len(steps.values)
        n_seen = n_new if first else self.n_steps_seen_ + n_new
        if per_sequence:
            mean = var = scale = None
        else:
            values = steps.values
            mean = values.mean(axis=0, dtype=np.float64)
            m2 = np.square(values - mean).sum(axis=0)
            if not first:
                n_old = self.n_steps_seen_
                delta = mean - self.mean_
                mean = self.mean_ + delta * (n_new / n_seen)
                m2 += self.var_ * n_old + np.square(delta) * (n_old * n_new / n_seen)
            var = m2 / n_seen
            scale = _scale(var, mean, n_seen)
        self.mean_, self.var_, self.scale_ = mean, var, scale
        self.n_steps_seen_ = n_seen

    @keep_state_on_error
    def fit(self, X, y=None):
        """Learn the mean and standard deviation of each feature of a step.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of sequences
            Real-valued sequences: a 3-D array, a 2-D array of one feature per
            step, or a list (tuple, 1-D object array, pandas Series) of
            sequences of shape (length_i, n_features) or (length_i,).

        y : None
            Ignored.

        Returns
        -------
        self : SequenceScaler
            The fitted scaler.  If ``fit`` raises, a fitted scaler is left as
            it was.
        """
        per_sequence = self._check_params()
        steps = self._read(X, reset=True)
        self._update(steps, per_sequence, first=True)
        return self

    @keep_state_on_error
    def partial_fit(self, X, y=None):
        """Update the statistics with one more batch of sequences.

        The running mean and variance are combined exactly (Chan, Golub and
        LeVeque's pairwise update), so a series of ``partial_fit`` calls gives
        the statistics of one :meth:`fit` on all the batches, to rounding.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of sequences
            Real-valued sequences, with the number of features per step of
            the first call.

        y : None
            Ignored.

        Returns
        -------
        self : SequenceScaler
            The updated scaler.  If ``partial_fit`` raises, the scaler is left
            as it was.
        """
        per_sequence = self._check_params()
        first = not hasattr(self, "n_steps_seen_")
        if not first:
            self._check_fitted_mode(per_sequence)
        steps = self._read(X, reset=first)
        self._update(steps, per_sequence, first=first)
        return self

    @keep_state_on_error
    def fit_transform(self, X, y=None):
        """Fit to ``X``, then scale it.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of sequences
            Real-valued sequences.

        y : None
            Ignored.

        Returns
        -------
        X_scaled : ndarray of the shape of ``X``, or list of ndarray
            The scaled sequences, in the form of ``X``.
        """
        return self.fit(X).transform(X)

    def transform(self, X):
        """Scale sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of sequences
            Real-valued sequences with the fitted number of features per step:
            an array of the fitted length (``n_features_in_``), or a list of
            sequences of any lengths.  ``X`` is not modified.

        Returns
        -------
        X_scaled : ndarray of the shape of ``X``, or list of ndarray
            An array of the dtype of ``X`` (float64 for integers), or, for a
            list of sequences, a list of float32 arrays, each of the shape of
            its sequence (views of one array).
        """
        check_is_fitted(self)
        per_sequence = self._check_params()
        self._check_fitted_mode(per_sequence)
        steps = self._read(X, reset=False)
        if per_sequence:
            scaled = _z_normalise(steps)
        else:
            scaled = (steps.values - self.mean_) / self.scale_
        return steps.rebuild(scaled)

    @available_if(_check_invertible)
    def inverse_transform(self, X):
        """Undo the scaling: ``X * scale_ + mean_``.

        Only with ``per_sequence=False``: with ``per_sequence=True`` each
        sequence's own statistics are not kept, and this method does not exist
        (``hasattr(scaler, "inverse_transform")`` is False, and a call raises
        an ``AttributeError`` that says why).

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of sequences
            Scaled sequences, e.g. the output of :meth:`transform`.  ``X`` is
            not modified.

        Returns
        -------
        X_original : ndarray of the shape of ``X``, or list of ndarray
            The sequences on their original scale, in the form of ``X``.
        """
        check_is_fitted(self)
        self._check_fitted_mode(self._check_params())
        steps = self._read(X, reset=False)
        return steps.rebuild(steps.values * self.scale_ + self.mean_)

    def get_feature_names_out(self, input_features=None):
        """Return the names of the output's columns: those of the input.

        The scaler maps each column (a position in the sequence, in
        scikit-learn's sense of a feature here) to itself.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input's column names.  None: ``feature_names_in_`` if it was
            fitted on a DataFrame, else ``["x0", "x1", ...]``, one per column
            seen in :meth:`fit`.  A scaler fitted on a list of sequences has
            no columns, and needs ``input_features``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The output's column names.
        """
        check_is_fitted(self)
        if hasattr(self, "n_features_in_"):
            return super().get_feature_names_out(input_features)
        if input_features is None:
            raise ValueError(
                f"{type(self).__name__} was fitted on a list of sequences, which "
                "has no columns to name: pass input_features."
            )
        return np.asarray(input_features, dtype=object)
