"""Learning checks: the defaults solve the echo problem where the tutorial fails.

These fit real models (seconds to tens of seconds on one thread), so they are
marked ``slow``; CI runs them with the rest.  The 10-seed sweep behind the
defaults lives in ``benchmarks/bench_learning.py``.
"""

import pytest
from sklearn.pipeline import make_pipeline

from sklearn_echo import LSTMClassifier, OneHotSequenceTransformer, make_echo_sequences


def _fit_and_score(length, n_features, n_train, seed):
    X, y = make_echo_sequences(n_train, length, n_features, random_state=seed)
    X_test, y_test = make_echo_sequences(2000, length, n_features, random_state=999)
    model = make_pipeline(
        OneHotSequenceTransformer(n_features=n_features),
        LSTMClassifier(random_state=seed),
    )
    return model.fit(X, y).score(X_test, y_test)


@pytest.mark.slow
def test_defaults_solve_the_book_config_perfectly():
    # length 5, 10 values, echo position 2, 10,000 training sequences.
    assert _fit_and_score(5, 10, 10_000, seed=0) == 1.0


@pytest.mark.slow
def test_defaults_solve_the_tutorial_config_where_the_tutorial_scores_zero():
    # length 50, 100 values, echo position 2, 20,000 training sequences.
    assert _fit_and_score(50, 100, 20_000, seed=0) >= 0.99


@pytest.mark.slow
def test_torch_default_initialisation_stays_at_chance_at_length_50():
    # The reason for forget_bias=5.0: the same data and five epochs, with which
    # the defaults reach ~99% (benchmarks/bench_learning.py --trace), learn
    # nothing from torch's default initialisation.
    X, y = make_echo_sequences(20_000, 50, 100, random_state=0)
    X_test, y_test = make_echo_sequences(2000, 50, 100, random_state=999)
    model = make_pipeline(
        OneHotSequenceTransformer(n_features=100),
        LSTMClassifier(forget_bias=None, max_epochs=5, random_state=0),
    )
    assert model.fit(X, y).score(X_test, y_test) < 0.05
