"""scikit-learn's common estimator checks, for every public estimator."""

import functools

import pytest
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_iris
from sklearn.utils import get_tags
from sklearn.utils._testing import set_random_state
from sklearn.utils.estimator_checks import (
    _enforce_estimator_tags_X,
    _enforce_estimator_tags_y,
    check_classifiers_train,
    check_regressors_train,
    parametrize_with_checks,
)
from sklearn.utils.fixes import parse_version

from sklearn_echo import (
    ChannelsLastTransformer,
    LSTMClassifier,
    LSTMFCNClassifier,
    LSTMFCNRegressor,
    LSTMRegressor,
    OneHotSequenceTransformer,
    SequenceScaler,
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


# The LSTM estimators run the checks with a budget of epochs, as
# scikit-learn's own suite caps max_iter for its iterative estimators
# (``_set_checking_parameters``).  With the default budget ('auto': 6,000
# gradient steps, which the checks' data sets of 20 to 200 rows mostly use up)
# the checks of the two classifiers took 9 minutes on 2 cores instead of 1.
# The regressor needs more epochs than the classifiers for
# check_regressors_train's R² > 0.5 (20 epochs were not enough).
# test_defaults_pass_the_learning_checks (below) runs the checks that measure
# learning with the default budget.
_BUDGET = {"max_epochs": 20}
_REGRESSOR_BUDGET = {"max_epochs": 60}
# The LSTM-FCN's steps cost more (three convolution blocks of 64 to 128
# filters) and it learns the checks' data sets in fewer epochs.
_FCN_BUDGET = {"max_epochs": 8}
_FCN_REGRESSOR_BUDGET = {"max_epochs": 10}

_checks = parametrize_with_checks(
    [
        OneHotSequenceTransformer(),
        SequenceScaler(),
        SequenceScaler(per_sequence=True),
        ChannelsLastTransformer(),
        LSTMClassifier(**_BUDGET),
        # The burn-in start state: still one output per row, whatever the batch.
        LSTMClassifier(burn_in=5, **_BUDGET),
        LSTMRegressor(**_REGRESSOR_BUDGET),
        TokenLSTMClassifier(**_BUDGET),
        LSTMFCNClassifier(**_FCN_BUDGET),
        LSTMFCNRegressor(**_FCN_REGRESSOR_BUDGET),
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


@pytest.mark.slow
@pytest.mark.parametrize(
    "estimator", [LSTMClassifier(), LSTMRegressor(), TokenLSTMClassifier()], ids=repr
)
def test_defaults_pass_the_learning_checks(estimator):
    # The checks that score a fit on scikit-learn's data, with the defaults.
    if is_classifier(estimator):
        check_classifiers_train(type(estimator).__name__, estimator)
    else:
        check_regressors_train(type(estimator).__name__, estimator)
