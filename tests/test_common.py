"""scikit-learn's common estimator checks, for every public estimator."""

import pytest
import sklearn
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.fixes import parse_version

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
)

SKLEARN_VERSION = parse_version(sklearn.__version__)


def _expected_failed_checks(estimator):
    """Checks that fail for a reason in scikit-learn, not in the estimator."""
    failed = {}
    if SKLEARN_VERSION < parse_version("1.7.1") and (
        get_tags(estimator).input_tags.categorical
    ):
        failed["check_positive_only_tag_during_fit"] = (
            "scikit-learn < 1.7.1 subtracts a float mean in place from the int32 "
            "data it makes for categorical estimators, which numpy refuses"
        )
    return failed


_checks = parametrize_with_checks(
    [OneHotSequenceTransformer(), LSTMClassifier(), TokenLSTMClassifier()],
    expected_failed_checks=_expected_failed_checks,
)
# scikit-learn before 1.9 hands pytest a generator of checks, which pytest 9.1
# deprecates (an error under this project's warning filters); give it the list
# that scikit-learn 1.9 gives.
_checks = pytest.mark.parametrize(
    _checks.args[0], list(_checks.args[1]), **_checks.kwargs
)


@_checks
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
