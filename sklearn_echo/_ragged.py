"""Variable-length sequences: how they are read, checked, stored and batched.

A user passes sequences of different lengths one by one: a list (or tuple,
or 1-D object array, or pandas Series) of integer token sequences or of 2-D
float arrays of shape ``(length_i, n_features)``.  Inside, they live in a
:class:`RaggedSequences`: the steps of all sequences end to end in one array,
and the sequences' lengths.  No step is stored twice and no padding is
stored at all; padding exists only inside one mini-batch or prediction block
(:meth:`RaggedSequences.padded`), whose sequences are chosen to have similar
lengths (:func:`length_sorted_batches`), and the LSTM's output is read at
each sequence's own last step, so a pad step never reaches a result (see
``LSTMModule.forward``).
"""

import copy
import itertools
import operator

import numpy as np

from sklearn_echo._validation import check_tokens

# Training batches are drawn at random, then sorted by length within pools of
# this many batches, and the pools cut into batches: at lengths uniform in
# [10, 50] and batches of 64, a batch spans about one length (its pad steps
# were 1% of its steps), while a pool of 3,200 sequences still mixes every
# length into one epoch in a random order.  torchtext's BucketIterator pools
# 100 batches.
POOL_BATCHES = 50


class RaggedSequences:
    """Sequences of different lengths, stored end to end.

    Parameters
    ----------
    values : ndarray of shape (total_steps,) or (total_steps, n_features)
        The steps of every sequence, one sequence after the other: int64
        tokens, or float32 steps.
    lengths : ndarray of shape (n_sequences,), dtype=int64
        The number of steps of each sequence, each at least 1.
    """

    def __init__(self, values, lengths):
        self.values = values
        self.lengths = lengths
        self.offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.offsets[1:])

    def __len__(self):
        return len(self.lengths)

    def with_values(self, values):
        """Return the same sequences with their steps replaced by ``values``."""
        return RaggedSequences(values, self.lengths)

    def padded(self, rows):
        """Return sequences ``rows`` as one zero-padded array and their lengths.

        Parameters
        ----------
        rows : ndarray of int
            The sequences to take, in the order wanted.

        Returns
        -------
        block : ndarray of shape (len(rows), longest, ...)
            Sequence ``rows[i]`` in ``block[i, :lengths[i]]``; its last step
            repeated after it.  The padding never reaches a result (see
            ``LSTMModule.forward``), so it is not zeroed: that cost 30% of
            the time of building a batch.
        lengths : ndarray of shape (len(rows),), dtype=int64
        """
        lengths = self.lengths[rows]
        starts = self.offsets[rows]
        index = starts[:, np.newaxis] + np.arange(int(lengths.max()))
        np.minimum(index, (starts + lengths - 1)[:, np.newaxis], out=index)
        return self.values.take(index, axis=0), lengths

    def to_list(self):
        """Return the sequences as a list of arrays (views of ``values``).

        The list keeps this object, so that reading it back costs no pass over
        its sequences (:class:`SequenceList`).
        """
        bounds = self.offsets.tolist()
        values = self.values
        return SequenceList(
            [values[start:stop] for start, stop in itertools.pairwise(bounds)], self
        )


class SequenceList(list):
    """A list of sequences that remembers the array they are views of.

    :func:`make_echo_sequences` and the transformer return sequences as
    consecutive views of one array.  Reading a plain list back means a pass
    over its sequences in Python (about 1.5 us each: 30 ms for 20,000); this
    list keeps the :class:`RaggedSequences` it was made from, and
    :func:`read_ragged` uses it while the list still holds the very same
    arrays (checked by identity: 40 ns each).  Any change to the list
    (an item replaced, appended, removed or reordered) makes it read as a
    plain list; a change to a sequence's values in place is seen through the
    shared array, and the values are checked again at each read.  A copy,
    a deep copy or a pickle of an unchanged list is again such a list (a
    deep copy and a pickle copy the array once, and slice it again); a slice,
    or a copy of a changed list, is a plain list.
    """

    def __init__(self, sequences, storage):
        super().__init__(sequences)
        self._storage = storage
        self._items = tuple(sequences)

    def __reduce__(self):
        storage = self.storage()
        if storage is None:
            return list, (list(self),)
        return _sequence_list, (storage.values, storage.lengths)

    def __copy__(self):
        storage = self.storage()
        return list(self) if storage is None else SequenceList(self, storage)

    def __deepcopy__(self, memo):
        storage = self.storage()
        if storage is None:
            return copy.deepcopy(list(self), memo)
        return _sequence_list(storage.values.copy(), storage.lengths.copy())

    def storage(self):
        """Return the sequences end to end, or None if the list has changed."""
        items = self._items
        if len(self) == len(items) and all(map(operator.is_, self, items)):
            return self._storage
        return None


def forget_fitted_length(estimator):
    """Remove what a fit on arrays learnt of their columns from ``estimator``.

    scikit-learn's number of features (``n_features_in_``) is the sequence
    length here, and sequences of different lengths have none; their
    columns have no names either.
    """
    for name in ("n_features_in_", "feature_names_in_"):
        estimator.__dict__.pop(name, None)


def _sequence_list(values, lengths):
    """Rebuild a :class:`SequenceList` (for pickle and deepcopy)."""
    return RaggedSequences(values, lengths).to_list()


def length_sorted_batches(order, lengths, batch_size, *, pooled, pool_batches=None):
    """Cut ``order`` into batches of sequences of similar lengths.

    With ``pooled=False`` (validation, prediction) the whole order is sorted
    by length.  With ``pooled=True`` (training) it is sorted within pools of
    ``pool_batches`` batches (None: :data:`POOL_BATCHES`, read at each call,
    where a benchmark may change it): on a large training set a batch's
    sequences are still a random draw from the data; the caller shuffles the
    batches.  A training set of one pool or less is cut into the same
    batches every epoch; ``pool_batches=1`` makes every batch a random draw,
    sorted within itself.  The sort is stable, so sequences of equal length
    keep the order given.
    """
    if pooled:
        pool = batch_size * (POOL_BATCHES if pool_batches is None else pool_batches)
        order = np.concatenate(
            [
                chunk[np.argsort(lengths[chunk], kind="stable")]
                for chunk in np.split(order, range(pool, len(order), pool))
            ]
        )
    else:
        order = order[np.argsort(lengths[order], kind="stable")]
    starts = range(0, len(order), batch_size)
    return [order[start : start + batch_size] for start in starts]


def read_ragged(X, estimator_name, *, tokens, reset, length=None):
    """Read X as sequences of different lengths, if it is given that way.

    ``X`` takes the ragged path when it is given sequence by sequence (a
    list, tuple, 1-D object array or pandas Series of sequences), unless it
    can be read as an array of equal-length sequences: in :meth:`fit`
    (``reset=True``) when the sequences all have one length; later, when they
    all have the ``length`` the estimator was fitted on (a model fitted on
    sequences of different lengths has none, and reads every list as
    sequences).  The array path gives exactly the results it always gave.

    Parameters
    ----------
    X : object
        The input of ``fit``, ``predict``, ``transform``...
    estimator_name : str
        Used in the error messages.
    tokens : bool
        Whether the sequences hold integer tokens (each a 1-D sequence) or
        real-valued steps (each 1-D, one feature per step, or 2-D of shape
        ``(length_i, n_features)``).
    reset : bool
        Whether this is a fit, which learns the input's form.
    length : int or None, default=None
        The fitted sequence length (``n_features_in_``), if any.

    Returns
    -------
    X : object
        The input for the array path: ``X``, or a list of its sequences if it
        was an object array or a Series, which the array checks cannot read.
    sequences : RaggedSequences or None
        None for the array path; else int64 tokens of shape (total_steps,),
        or float32 steps of shape (total_steps, n_features).
    """
    if hasattr(X, "iloc") and getattr(X, "ndim", 0) == 1:
        # A pandas Series of sequences.
        X = X.to_numpy()
    if isinstance(X, np.ndarray):
        if X.dtype != object or X.ndim != 1 or not len(X):
            return X, None
        X = list(X)
    storage = X.storage() if type(X) is SequenceList else None
    if storage is not None:
        if storage.lengths.min() == storage.lengths.max() and (
            reset or length == storage.lengths[0]
        ):
            return X, None
        return X, _check_stored(storage, estimator_name, tokens=tokens)
    if not (isinstance(X, (list, tuple)) and X):
        return X, None
    # Sequences are lists, tuples or arrays; anything else (numbers, strings)
    # is left to the array checks and their errors.
    kinds = {type(item) for item in X}
    if not all(issubclass(kind, (list, tuple, np.ndarray)) for kind in kinds):
        return X, None
    try:
        lengths = set(map(len, X))
    except TypeError:  # a 0-d array
        return X, None
    if len(lengths) == 1 and (reset or length in lengths):
        return X, None
    return X, _check_ragged(X, estimator_name, tokens=tokens)


def _check_stored(storage, name, *, tokens):
    """Check the values of sequences read from a :class:`SequenceList`."""
    values = storage.values
    if values.dtype.kind not in "biuf" or values.ndim != (1 if tokens else 2):
        # Not the kind of sequences this estimator reads: the full checks name
        # the first one at fault.
        return _check_ragged(storage.to_list(), name, tokens=tokens)
    if tokens:
        if values.dtype.kind == "f":
            _check_finite(values, storage.lengths, name)
        return storage.with_values(check_tokens(values, name))
    values = values.astype(np.float32, copy=False)
    _check_finite(values, storage.lengths, name)
    return storage.with_values(values)


def _check_ragged(items, name, *, tokens):
    """Check sequences; return them end to end.

    The checks run on all sequences at once (sets of their dtypes, numbers of
    dimensions and widths); only when one fails does a loop look for the first
    offending sequence, to name it.
    """
    try:
        arrays = [
            item if type(item) is np.ndarray else np.asarray(item) for item in items
        ]
    except ValueError:
        arrays = None
    if arrays is None or not _all_good(arrays, tokens):
        _raise_first_error(items, name, tokens=tokens)
    lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    values = _end_to_end(arrays, lengths)
    if values is None:
        values = np.concatenate(arrays)
    if tokens:
        if values.dtype.kind == "f":
            _check_finite(values, lengths, name)
        return RaggedSequences(check_tokens(values, name), lengths)
    values = values.astype(np.float32, copy=False)
    # After the cast: a float64 beyond float32's range has become infinite.
    _check_finite(values, lengths, name)
    if values.ndim == 1:
        values = values[:, np.newaxis]
    return RaggedSequences(values, lengths)


def _check_finite(values, lengths, name):
    """Raise scikit-learn's error for NaN or infinity, naming the sequence."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(values.sum()):
            return
    bad = ~np.isfinite(values)
    if bad.ndim == 2:
        bad = bad.any(axis=1)
    step = np.flatnonzero(bad)[0]
    i = int(np.searchsorted(np.cumsum(lengths), step, side="right"))
    what = "NaN" if np.isnan(values[step]).any() else "infinity"
    raise ValueError(
        f"Input X contains {what} (in sequence {i}); {name} needs finite values."
    )


def _end_to_end(arrays, lengths):
    """Return the array that ``arrays`` are consecutive pieces of, or None.

    ``make_echo_sequences`` and the transformer return views of one array,
    one after the other; reading that array in place spares a copy of every
    step (240 MB for a million token sequences of mean length 30).  It is
    only read: batches are copies.
    """
    base = arrays[0].base
    if (
        type(base) is not np.ndarray
        or not base.flags.c_contiguous
        or base.ndim != arrays[0].ndim
        or base.dtype != arrays[0].dtype
        or len({array.dtype for array in arrays}) != 1
        or any(array.base is not base for array in arrays)
        or len({array.strides for array in arrays}) != 1
        or arrays[0].strides != base.strides
        # Whole rows: pieces of some of its columns are not the array's steps.
        or arrays[0].shape[1:] != base.shape[1:]
    ):
        return None
    starts = np.fromiter(
        (array.__array_interface__["data"][0] for array in arrays),
        dtype=np.int64,
        count=len(arrays),
    )
    row_bytes = base.strides[0]
    first, within = divmod(starts[0] - base.__array_interface__["data"][0], row_bytes)
    if within:
        return None
    offsets = np.concatenate([[0], np.cumsum(lengths[:-1])])
    if not np.array_equal(starts, starts[0] + offsets * row_bytes):
        return None
    return base[first : first + int(lengths.sum())]


def _all_good(arrays, tokens):
    """Whether the arrays are numeric, non-empty and of one kind and width."""
    if not all(dtype.kind in "biuf" for dtype in {a.dtype for a in arrays}):
        return False
    ndims = {a.ndim for a in arrays}
    if len(ndims) != 1 or ndims.pop() not in ((1,) if tokens else (1, 2)):
        return False
    if arrays[0].ndim == 2 and (
        len({a.shape[1] for a in arrays}) != 1 or arrays[0].shape[1] == 0
    ):
        return False
    return all(map(len, arrays))


def _raise_first_error(items, name, *, tokens):
    """Raise the error of the first sequence that fails a check."""
    ndim = width = None
    for i, item in enumerate(items):
        try:
            array = np.asarray(item)
        except ValueError as exc:
            raise ValueError(
                f"{name} could not read sequence {i} of X as an array of steps ({exc})."
            ) from exc
        if array.dtype.kind not in "biuf":
            what = "integer tokens" if tokens else "real-valued steps"
            raise TypeError(
                f"{name} expects sequences of {what}, but sequence {i} of X has "
                f"dtype {array.dtype}."
            )
        if array.ndim and len(array) == 0:
            raise ValueError(
                f"Sequence {i} of X is empty: {name} needs at least one step in "
                "every sequence."
            )
        expected = (
            "1-D sequences of tokens"
            if tokens
            else "sequences that are all 1-D (one feature per step) or all "
            "2-D of shape (length, n_features)"
        )
        if array.ndim not in ((1,) if tokens else (1, 2)):
            raise ValueError(
                f"{name} expects {expected}, but sequence {i} of X is "
                f"{array.ndim}-D (shape {array.shape})."
            )
        if ndim is None:
            ndim = array.ndim
        if array.ndim != ndim:
            raise ValueError(
                f"{name} expects {expected}, but sequence 0 of X is {ndim}-D and "
                f"sequence {i} is {array.ndim}-D (shape {array.shape})."
            )
        if ndim == 2:
            if array.shape[1] == 0:
                raise ValueError(
                    f"Sequence {i} of X has 0 features per step: {name} needs "
                    "at least 1."
                )
            if width is None:
                width = array.shape[1]
            if array.shape[1] != width:
                raise ValueError(
                    f"{name} expects the same number of features at every step, "
                    f"but sequence 0 of X has {width} and sequence {i} has "
                    f"{array.shape[1]}."
                )
    raise AssertionError("no sequence failed the checks")  # pragma: no cover
