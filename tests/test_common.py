"""scikit-learn's common estimator checks, for every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
)


@parametrize_with_checks(
    [OneHotSequenceTransformer(), LSTMClassifier(), TokenLSTMClassifier()]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
