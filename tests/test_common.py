"""scikit-learn's common estimator checks, for every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_echo import LSTMClassifier, OneHotSequenceTransformer


@parametrize_with_checks([OneHotSequenceTransformer(), LSTMClassifier()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
