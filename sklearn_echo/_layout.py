"""aeon's channels-first collections to channels-last sequences, and back."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, validate_data

from sklearn_echo._ragged import RaggedSequences, forget_fitted_length
from sklearn_echo._validation import explain_array_errors, keep_state_on_error


def _sequence_list(X):
    """Return X's sequences as a list if X is given sequence by sequence, else None.

    As for every sklearn_echo object, a list (tuple, 1-D object array, pandas
    Series) of sequences; a list of equal-length 1-D sequences is a 2-D table,
    read as an array.
    """
    if hasattr(X, "iloc") and getattr(X, "ndim", 0) == 1:
        X = X.to_numpy()
    if isinstance(X, np.ndarray):
        if X.dtype != object or X.ndim != 1 or not len(X):
            return None
        X = list(X)
    if not (isinstance(X, (list, tuple)) and X):
        return None
    if not all(isinstance(item, (list, tuple, np.ndarray)) for item in X):
        return None
    try:
        ndims = {np.ndim(item) for item in X}
    except ValueError:  # a sequence whose steps differ in shape
        ndims = None
    if ndims == {1} and len(set(map(len, X))) == 1:
        return None
    return list(X)


def _check_sequences(items, name, *, channel_axis, layout):
    """Check sequences of one channel count; return them as arrays.

    ``channel_axis`` is the channels' axis of a 2-D sequence: 0 for aeon's
    ``(n_channels, n_timepoints_i)``, 1 for ``(length_i, n_features)``.  1-D
    sequences have one channel, and all sequences have the same number of
    dimensions.
    """
    arrays = []
    ndim = channels = None
    for i, item in enumerate(items):
        try:
            array = np.asarray(item)
        except ValueError as exc:
            raise ValueError(
                f"{name} could not read sequence {i} of X as an array ({exc})."
            ) from exc
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"{name} expects numeric sequences, but sequence {i} of X has "
                f"dtype {array.dtype}."
            )
        if array.ndim not in (1, 2) or (ndim is not None and array.ndim != ndim):
            first = "" if ndim is None else f"sequence 0 of X is {ndim}-D and "
            raise ValueError(
                f"{name} expects sequences that are all 2-D {layout} or all 1-D "
                f"(one channel), but {first}sequence {i} of X is {array.ndim}-D "
                f"(shape {array.shape})."
            )
        ndim = array.ndim
        if ndim == 2:
            if array.shape[channel_axis] == 0:
                raise ValueError(
                    f"Sequence {i} of X has 0 channels: {name} needs at least 1."
                )
            if channels is None:
                channels = array.shape[channel_axis]
            if array.shape[channel_axis] != channels:
                raise ValueError(
                    f"{name} expects the same number of channels in every "
                    f"sequence, but sequence 0 of X has {channels} and sequence "
                    f"{i} has {array.shape[channel_axis]}."
                )
        if array.size == 0:
            raise ValueError(
                f"Sequence {i} of X is empty: {name} needs at least one step in "
                "every sequence."
            )
        arrays.append(array)
    return arrays


class ChannelsLastTransformer(TransformerMixin, BaseEstimator):
    """Turn aeon's channels-first collections into channels-last sequences.

    aeon (and sktime's numpy layout) hold a collection of series channels
    first: a 3-D array ``(n_cases, n_channels, n_timepoints)``, or for series
    of different lengths a list of 2-D arrays ``(n_channels, n_timepoints_i)``.
    sklearn_echo reads them channels last, as an LSTM reads steps:
    ``(n_samples, length, n_features)``, or a list of ``(length_i,
    n_features)``.  :meth:`transform` turns the first into the second, so that
    aeon's data goes straight into a Pipeline;
    :meth:`inverse_transform` turns sklearn_echo's sequences back into aeon's
    layout.

    The transformer is stateless: it learns nothing, and :meth:`transform`
    works without :meth:`fit`.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` of the array seen in :meth:`fit` (scikit-learn's
        number of features: the number of channels of a 3-D array, the
        number of time points of a 2-D one); :meth:`transform` then checks
        it.  Not set after a fit on a list of series.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen in :meth:`fit`.  Defined only when ``X`` has
        string column names (a pandas DataFrame).

    See Also
    --------
    SequenceScaler : Standardise the features of the channels-last sequences.
    LSTMClassifier : Reads the channels-last sequences.

    Notes
    -----
    Univariate data that has no channel axis reads the same in both layouts,
    and passes unchanged (copied) both ways: a 2-D array ``(n_cases,
    n_timepoints)`` is aeon's univariate collection and sklearn_echo's
    sequences of one feature per step, and so is a list of 1-D series.  A
    list of 2-D series stays a list, even when the series have one length.

    The output is always a new array (or new arrays) of the input's dtype;
    the input is never a view of it, nor modified.  Values are not checked:
    NaN and infinity pass as they are (the estimators after it refuse them).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_echo import ChannelsLastTransformer
    >>> X = np.arange(12.0).reshape(2, 3, 2)  # 2 cases, 3 channels, 2 time points
    >>> layout = ChannelsLastTransformer()
    >>> steps = layout.fit_transform(X)
    >>> steps.shape
    (2, 2, 3)
    >>> steps[0]
    array([[0., 2., 4.],
           [1., 3., 5.]])
    >>> np.array_equal(layout.inverse_transform(steps), X)
    True
    >>> series = [np.ones((3, 4)), np.ones((3, 7))]  # aeon's unequal lengths
    >>> [x.shape for x in layout.transform(series)]
    [(4, 3), (7, 3)]
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        # It moves values; it needs no finite ones.
        tags.input_tags.allow_nan = True
        # Every dtype is kept; scikit-learn tests these.
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def __sklearn_is_fitted__(self):
        # Stateless: ready without fit.
        return True

    def _read_array(self, X, *, reset):
        """Validate an array; a fit records, a fitted transformer checks, X.shape[1]."""
        name = type(self).__name__
        options = {"dtype": "numeric", "allow_nd": True, "ensure_all_finite": False}
        with explain_array_errors(name, "numeric series"):
            if reset or hasattr(self, "n_features_in_"):
                X = validate_data(self, X, reset=reset, **options)
            else:
                X = check_array(X, input_name="X", **options)
        if X.ndim > 3:
            raise ValueError(
                f"{name} expects a 2-D or 3-D array, got an array of {X.ndim} "
                f"dimensions, shape {X.shape}."
            )
        if 0 in X.shape[1:]:
            raise ValueError(
                f"Found array with 0 channel(s) or 0 time point(s) (shape="
                f"{X.shape}) while a minimum of 1 is required by {name}."
            )
        return X

    @keep_state_on_error
    def fit(self, X, y=None):
        """Check ``X``; the transformer learns nothing.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or \
                (n_cases, n_timepoints), or list of series
            aeon's collection: a 3-D array, a 2-D array of univariate series,
            or a list of 2-D series of shape (n_channels, n_timepoints_i).

        y : None
            Ignored.

        Returns
        -------
        self : ChannelsLastTransformer
            The transformer.
        """
        items = _sequence_list(X)
        if items is None:
            self._read_array(X, reset=True)
        else:
            _check_sequences(
                items,
                type(self).__name__,
                channel_axis=0,
                layout="(n_channels, n_timepoints)",
            )
            forget_fitted_length(self)
        return self

    def transform(self, X):
        """Turn channels-first series into channels-last sequences.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or \
                (n_cases, n_timepoints), or list of series
            aeon's collection: a 3-D array, a 2-D array of univariate series,
            or a list of 2-D series of shape (n_channels, n_timepoints_i)
            (or of 1-D univariate series).

        Returns
        -------
        X_steps : ndarray of shape (n_cases, n_timepoints, n_channels) or \
                (n_cases, n_timepoints), or list of ndarray
            A new array of the dtype of ``X``; for a list, a list of arrays of
            shape (n_timepoints_i, n_channels) (views of one array, which
            sklearn_echo's estimators read without a copy).
        """
        items = _sequence_list(X)
        if items is None:
            X = self._read_array(X, reset=False)
            return X.copy() if X.ndim == 2 else X.transpose(0, 2, 1).copy()
        arrays = _check_sequences(
            items,
            type(self).__name__,
            channel_axis=0,
            layout="(n_channels, n_timepoints)",
        )
        lengths = np.fromiter(
            (array.shape[-1] for array in arrays), dtype=np.int64, count=len(arrays)
        )
        steps = np.concatenate([array.T for array in arrays])
        return RaggedSequences(steps, lengths).to_list()

    def inverse_transform(self, X):
        """Turn channels-last sequences back into aeon's channels-first layout.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of sequences
            sklearn_echo's sequences: a 3-D array, a 2-D array of one feature
            per step, or a list of sequences of shape (length_i, n_features)
            (or of 1-D sequences).

        Returns
        -------
        X_series : ndarray of shape (n_samples, n_features, length) or \
                (n_samples, length), or list of ndarray
            A new array of the dtype of ``X``; for a list, a list of arrays of
            shape (n_features, length_i), aeon's unequal-length collection.
        """
        items = _sequence_list(X)
        if items is None:
            name = type(self).__name__
            with explain_array_errors(name, "numeric sequences"):
                X = check_array(
                    X,
                    input_name="X",
                    dtype="numeric",
                    allow_nd=True,
                    ensure_all_finite=False,
                )
            if X.ndim > 3 or 0 in X.shape[1:]:
                raise ValueError(
                    f"{name}.inverse_transform expects a 2-D or 3-D array with at "
                    f"least one step and one feature, got shape {X.shape}."
                )
            return X.copy() if X.ndim == 2 else X.transpose(0, 2, 1).copy()
        arrays = _check_sequences(
            items,
            type(self).__name__,
            channel_axis=1,
            layout="(length, n_features)",
        )
        return [array.T.copy() for array in arrays]
