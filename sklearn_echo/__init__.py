"""sklearn_echo: scikit-learn estimators for learning on sequences with LSTMs."""

from sklearn_echo._dependencies import check_dependencies

# First: with an older scikit-learn, skorch or torch, the imports below (or a
# fit) would fail without naming the version needed.
check_dependencies()

from sklearn_echo._classifier import LSTMClassifier  # noqa: E402
from sklearn_echo._datasets import (  # noqa: E402
    make_adding_problem,
    make_echo_sequences,
)
from sklearn_echo._fcn import LSTMFCNClassifier, LSTMFCNRegressor  # noqa: E402
from sklearn_echo._layout import ChannelsLastTransformer  # noqa: E402
from sklearn_echo._regressor import LSTMRegressor  # noqa: E402
from sklearn_echo._scaler import SequenceScaler  # noqa: E402
from sklearn_echo._token_classifier import TokenLSTMClassifier  # noqa: E402
from sklearn_echo._transformer import OneHotSequenceTransformer  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "ChannelsLastTransformer",
    "LSTMClassifier",
    "LSTMFCNClassifier",
    "LSTMFCNRegressor",
    "LSTMRegressor",
    "OneHotSequenceTransformer",
    "SequenceScaler",
    "TokenLSTMClassifier",
    "__version__",
    "make_adding_problem",
    "make_echo_sequences",
]
