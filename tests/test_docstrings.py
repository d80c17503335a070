"""The shared parameter docs have one source, and every estimator shows it.

``sklearn_echo/_docs.py`` writes each shared entry once; a line ``{group}``
in an estimator's docstring stands for a group of them.  These tests check
that the filled docstrings document every parameter once, in the order of
``__init__``, that the shared entries read alike everywhere, and that no
placeholder is left.
"""

import inspect
import re

import pytest

from sklearn_echo import LSTMClassifier, LSTMRegressor, TokenLSTMClassifier
from sklearn_echo._docs import NETWORK_AND_TRAINING

# What every LSTM estimator means alike; the stopping rule's parameters,
# verbose and warm_start speak of accuracy or R² (_docs.py).
SHARED = [*NETWORK_AND_TRAINING, "callbacks", "device", "random_state"]
ESTIMATORS = [LSTMClassifier, LSTMRegressor, TokenLSTMClassifier]


def _section(doc, title):
    match = re.search(rf"^{title}\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.M | re.S)
    assert match, title
    return match.group(1)


def _parameters(obj):
    """Map each documented parameter of ``obj`` to its whole entry."""
    section = _section(inspect.getdoc(obj), "Parameters")
    entries = re.split(r"^(?=\w+ : )", section, flags=re.M)
    return {entry.split(" : ")[0]: entry.strip() for entry in entries if " : " in entry}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_parameter_is_documented_once_in_the_order_of_init(cls):
    documented = list(_parameters(cls))
    assert documented == list(inspect.signature(cls.__init__).parameters)[1:]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_no_placeholder_is_left(cls):
    assert not re.search(r"^\s*\{\w+\}\s*$", cls.__doc__, re.M)


@pytest.mark.parametrize("cls", [LSTMRegressor, TokenLSTMClassifier])
def test_shared_parameters_read_as_the_classifiers_do(cls):
    mine, reference = _parameters(cls), _parameters(LSTMClassifier)
    # The token classifier is a classifier: every parameter reads the same.
    names = list(reference) if cls is TokenLSTMClassifier else SHARED
    for name in names:
        assert mine[name] == reference[name], name


def test_the_paragraph_on_sequences_of_different_lengths_is_one_text_per_kind():
    # In every method that takes X, word for word (9 copies).
    paragraphs = set()
    for cls in ESTIMATORS:
        for name in ("fit", "partial_fit", "predict", "predict_proba", "score"):
            method = getattr(cls, name, None)
            if method is None:
                continue
            entry = " ".join(_parameters(method)["X"].split())
            match = re.search(r"Sequences of different lengths go in a list.*", entry)
            assert match, (cls.__name__, name)
            paragraphs.add((cls is LSTMRegressor, match.group(0)))
    assert len(paragraphs) == 2, paragraphs
