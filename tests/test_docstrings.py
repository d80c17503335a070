"""The shared parameter docs stay in sync, as scikit-learn keeps its copies.

The estimators document their shared parameters each in its own docstring
(numpydoc, readable with ``help()``), not by templating; these tests fail
when one copy drifts from the others.  ``LSTMClassifier`` holds the text
that the others copy.
"""

import inspect
import re

import pytest

from sklearn_echo import LSTMClassifier, LSTMRegressor, TokenLSTMClassifier

# What every LSTM estimator means alike; the stopping rule's parameters (tol,
# n_iter_no_change, early_stopping, validation_fraction) and verbose and
# warm_start speak of accuracy or R², so the regressor words them its own way.
SHARED = [
    "hidden_size",
    "num_layers",
    "dropout",
    "bidirectional",
    "forget_bias",
    "burn_in",
    "max_epochs",
    "batch_size",
    "lr",
    "clip_grad_norm",
    "optimizer",
    "callbacks",
    "device",
    "random_state",
]
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
