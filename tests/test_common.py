"""scikit-learn's common estimator checks, for every public estimator."""

import functools

import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.utils import get_tags
from sklearn.utils._testing import set_random_state
from sklearn.utils.estimator_checks import (
    _enforce_estimator_tags_X,
    _enforce_estimator_tags_y,
    parametrize_with_checks,
)
from sklearn.utils.fixes import parse_version

from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
)

SKLEARN_VERSION = parse_version(sklearn.__version__)


def _positive_only_check_as_fixed_in_1_7_1(name, estimator_orig):
    """scikit-learn 1.7.1's ``check_positive_only_tag_during_fit``.

    Before 1.7.1 the check subtracted a float mean in place from the int32 data
    it makes for categorical estimators, which numpy refuses, so it failed
    before calling the estimator.  On those versions this copy of the fixed
    check runs instead: it asserts the same thing.
    """
    estimator = clone(estimator_orig)
    X, y = load_iris(return_X_y=True)
    y = _enforce_estimator_tags_y(estimator, y)
    set_random_state(estimator, 0)
    X = _enforce_estimator_tags_X(estimator, X)
    X -= X.mean().astype(X.dtype)
    if get_tags(estimator).input_tags.positive_only:
        with pytest.raises(ValueError, match="Negative values in data"):
            estimator.fit(X, y)
    else:
        estimator.fit(X, y)


def _with_fixed_checks(checks):
    """Replace the checks that are broken in old scikit-learn releases."""
    for estimator, check in checks:
        name = getattr(check, "func", check).__name__
        if (
            name == "check_positive_only_tag_during_fit"
            and SKLEARN_VERSION < parse_version("1.7.1")
            and get_tags(estimator).input_tags.categorical
        ):
            check = functools.partial(
                _positive_only_check_as_fixed_in_1_7_1, type(estimator).__name__
            )
        yield estimator, check


_checks = parametrize_with_checks(
    [
        OneHotSequenceTransformer(),
        LSTMClassifier(),
        LSTMRegressor(),
        TokenLSTMClassifier(),
    ]
)
# scikit-learn before 1.9 hands pytest a generator of checks, which pytest 9.1
# deprecates (an error under this project's warning filters); give it the list
# that scikit-learn 1.9 gives.
# Old releases' broken checks are replaced by their fixed versions (above).
_checks = pytest.mark.parametrize(
    _checks.args[0], list(_with_fixed_checks(_checks.args[1])), **_checks.kwargs
)


@_checks
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
