"""sklearn_echo: scikit-learn estimators for learning on sequences with LSTMs."""

from sklearn_echo._classifier import LSTMClassifier
from sklearn_echo._datasets import make_echo_sequences
from sklearn_echo._token_classifier import TokenLSTMClassifier
from sklearn_echo._transformer import OneHotSequenceTransformer

__version__ = "0.1.0"

__all__ = [
    "LSTMClassifier",
    "OneHotSequenceTransformer",
    "TokenLSTMClassifier",
    "__version__",
    "make_echo_sequences",
]
