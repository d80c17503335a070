"""Input and parameter checks shared by the public objects of sklearn_echo."""

import contextlib
import functools
import numbers
import os
import sys
import warnings

import numpy as np
from sklearn.utils import check_scalar
from sklearn.utils.validation import validate_data

INT64_MAX = np.iinfo(np.int64).max
INTEGER_DTYPES = tuple(np.dtype(code) for code in np.typecodes["AllInteger"])
# The smallest float that int64 cannot hold; ``float(INT64_MAX)`` rounds up to it.
_INT64_LIMIT_AS_FLOAT = 2.0**63


def warn_at_caller(message, category):
    """Warn at the first line outside sklearn_echo: the user's call.

    A fixed ``stacklevel`` counts frames that refactoring moves; this walks
    out of the package instead (Python 3.12's ``skip_file_prefixes``).
    """
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def value_repr(value):
    """Return ``repr(value)``, with a numpy scalar written as the user wrote it.

    numpy 2 writes ``np.int64(-1)`` and ``np.float64(1.5)`` where numpy 1 and the
    user wrote ``-1`` and ``1.5``; error messages should read the same on both.
    Numbers go through numpy's ``str``, the shortest text that reads back as the
    same value at their own precision (``float(np.float32(0.1))`` would show
    ``0.10000000149011612``); other numpy scalars (``np.str_``) as the Python
    object they hold.
    """
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return str(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def check_int(value, name, *, min_val=None, max_val=None):
    """Return ``value`` as a Python int after checking its type and range.

    ``bool`` is rejected although it subclasses ``int``: ``True`` as a size is a
    mistake, not a request for one.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer, got {value_repr(value)} of type "
            f"{type(value).__name__}."
        )
    check_scalar(value, name, numbers.Integral, min_val=min_val, max_val=max_val)
    return int(value)


def check_float(value, name, *, min_val=None, max_val=None, include_boundaries="both"):
    """Return ``value`` as a Python float after checking its type and range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {value_repr(value)} of type "
            f"{type(value).__name__}."
        )
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value_repr(value)}.")
    check_scalar(
        value,
        name,
        numbers.Real,
        min_val=min_val,
        max_val=max_val,
        include_boundaries=include_boundaries,
    )
    return float(value)


def check_tokens(X, estimator_name):
    """Check that a validated 2-D numeric array holds tokens; return it as int64.

    Parameters
    ----------
    X : ndarray of shape (n_samples, length)
        Output of ``check_array``/``validate_data`` with ``dtype="numeric"`` and
        finite values.
    estimator_name : str
        Used in the error messages.

    Returns
    -------
    tokens : ndarray of shape (n_samples, length), dtype=int64
        A new array when a conversion was needed, ``X`` itself when it already was
        int64 (callers never write into it).
    """
    if X.dtype.kind not in "iuf":
        raise TypeError(
            f"{estimator_name} expects integer tokens, got an array of dtype {X.dtype}."
        )
    # sklearn's common checks look for the phrase "Negative values in data".
    if X.size and X.min() < 0:
        raise ValueError(
            f"Negative values in data passed to {estimator_name}: tokens must be "
            f"integers >= 0, got {value_repr(X.min())}."
        )
    if X.dtype.kind == "f":
        if X.size and X.max() >= _INT64_LIMIT_AS_FLOAT:
            raise ValueError(
                f"{estimator_name} got a token of {value_repr(X.max())}, larger than "
                "int64 holds."
            )
        fractional = X != np.floor(X)
        if fractional.any():
            raise ValueError(
                f"{estimator_name} expects integer tokens, got the fractional value "
                f"{value_repr(X[fractional][0])}."
            )
    elif X.dtype.kind == "u" and X.size and X.max() > INT64_MAX:
        raise ValueError(
            f"{estimator_name} got a token of {value_repr(X.max())}, larger than "
            "int64 holds."
        )
    return X.astype(np.int64, copy=False)


def keep_state_on_error(method):
    """Make ``method`` leave the estimator as it was if it raises.

    Input validation (``validate_data(reset=True)``) sets attributes such as
    ``n_features_in_`` before every check has run; a ``fit`` that then fails must
    not leave a previously fitted estimator half overwritten.  The snapshot is
    shallow: the attributes are put back, objects they hold are not deep-copied.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        state = dict(vars(self))
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            raise

    return wrapper


@contextlib.contextmanager
def explain_array_errors(estimator_name, expected):
    """Re-raise numpy's and sklearn's conversion errors in the project's words.

    Ragged lists and strings fail deep inside ``check_array`` with messages that
    name neither the estimator nor what it expects.  Other errors pass unchanged.
    """
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        if "inhomogeneous" in message or "setting an array element" in message:
            raise ValueError(
                f"{estimator_name} could not read X as an array of sequences: its "
                "items differ in shape. Pass sequences of different lengths as a "
                "list of sequences, each of the same kind (all 1-D, or all 2-D "
                f"with the same number of features per step) ({message})"
            ) from exc
        if "bytes/strings" in message or "could not convert string" in message:
            raise TypeError(
                f"{estimator_name} expects {expected}, got strings."
            ) from exc
        raise


def physical_memory():
    """Return the machine's physical memory in bytes, or None where unknown."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def check_allocation(shape, dtype, what):
    """Refuse to allocate an array larger than the machine's physical memory.

    A one-hot of a large vocabulary can ask for terabytes; failing early with
    the size is kinder than swapping or being killed.
    """
    n_bytes = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
    limit = physical_memory()
    if limit is not None and n_bytes > limit:
        raise ValueError(
            f"{what} of shape {tuple(shape)} and dtype {np.dtype(dtype)} would need "
            f"{n_bytes / 2**30:,.1f} GiB, more than this machine's "
            f"{limit / 2**30:,.1f} GiB of memory."
        )


def passes_as_is(estimator, X, *, dtypes, ndims):
    """Whether ``validate_data(estimator, X, reset=False)`` would return ``X`` as is.

    True for a plain ndarray that already has the dtype and shape a fitted
    estimator expects, is finite, and meets an estimator fitted without
    feature names: for those, ``validate_data`` only spends time (on its checks
    for DataFrames and feature names: 60 us of the 90 us a one-sequence
    ``predict`` took on the book config, one thread).  Anything else must go
    through ``validate_data``, which raises its usual errors and warnings.

    Parameters
    ----------
    estimator : estimator instance
        A fitted estimator with ``n_features_in_``.
    X : object
        The input to :meth:`predict` or :meth:`transform`.
    dtypes : tuple of numpy dtypes
        The dtypes that the caller's ``validate_data`` would keep.
    ndims : tuple of int
        The accepted numbers of dimensions.

    Returns
    -------
    as_is : bool
        True where the caller may skip ``validate_data``.
    """
    if not (
        type(X) is np.ndarray
        and X.dtype in dtypes
        and X.ndim in ndims
        and X.shape[0] >= 1
        and X.shape[1] == getattr(estimator, "n_features_in_", X.shape[1])
        and not hasattr(estimator, "feature_names_in_")
    ):
        return False
    if X.dtype.kind != "f":
        return True
    # As check_array does: one sum, not an array of flags the size of X.  A sum
    # that overflows sends the input to validate_data, which looks closer.
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(X.sum()))


def validate_tokens(estimator, X, y=None, *, reset):
    """Validate 2-D integer token sequences (and ``y``) for ``estimator``.

    Returns ``(tokens, y)`` with ``tokens`` an int64 array of shape
    (n_samples, length); sets or checks ``n_features_in_`` like
    ``validate_data``.
    """
    name = type(estimator).__name__
    if (
        not reset
        and y is None
        and passes_as_is(estimator, X, dtypes=INTEGER_DTYPES, ndims=(2,))
    ):
        return check_tokens(X, name), y
    with explain_array_errors(name, "integer tokens"):
        if y is None:
            X = validate_data(estimator, X, reset=reset, dtype="numeric")
        else:
            # y may be 1-D or 2-D (several targets); the estimator checks it.
            X, y = validate_data(
                estimator, X, y, reset=reset, dtype="numeric", multi_output=True
            )
    return check_tokens(X, name), y


def check_handle_unknown(handle_unknown):
    """Check the ``handle_unknown`` parameter of the token estimators."""
    if handle_unknown not in ("error", "ignore"):
        raise ValueError(
            f"handle_unknown must be 'error' or 'ignore', got {handle_unknown!r}."
        )


def fit_vocabulary_size(tokens, n_features):
    """Return the one-hot width for ``tokens``: ``n_features`` or max + 1."""
    largest = int(tokens.max())
    if n_features is None:
        return largest + 1
    if largest >= n_features:
        raise ValueError(
            f"X contains the token {largest}, but n_features={n_features} "
            f"allows tokens in [0, {n_features})."
        )
    return int(n_features)


def known_tokens(tokens, vocabulary_size, handle_unknown):
    """Return the mask of tokens below ``vocabulary_size``.

    With ``handle_unknown='error'`` an unknown token raises instead.
    """
    known = tokens < vocabulary_size
    if handle_unknown == "error" and not known.all():
        raise ValueError(
            f"X contains the unknown token {int(tokens[~known][0])}: fitted "
            f"tokens are in [0, {vocabulary_size}). Pass handle_unknown='ignore' "
            "to encode unknown tokens as all-zero steps."
        )
    return known
