"""Tests for LSTMClassifier in Pipelines, model selection and tuning."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline

from sklearn_echo import LSTMClassifier, OneHotSequenceTransformer, make_echo_sequences

N_FEATURES = 5
LENGTH = 4


def _data(n_samples=200, random_state=0):
    return make_echo_sequences(
        n_samples, LENGTH, N_FEATURES, out_index=1, random_state=random_state
    )


def _pipeline(**classifier_params):
    """One-hot encoder then a small, seeded, fast LSTM (max_epochs set here)."""
    params = {
        "hidden_size": 6,
        "max_epochs": 2,
        "lr": 0.03,
        "batch_size": 16,
        "random_state": 0,
        **classifier_params,
    }
    return make_pipeline(
        OneHotSequenceTransformer(n_features=N_FEATURES), LSTMClassifier(**params)
    )


@pytest.fixture(scope="module")
def fitted_pipeline():
    X, y = _data()
    return _pipeline().fit(X, y), X, y


# --- Pipeline ----------------------------------------------------------------------


def test_pipeline_fits_predicts_and_scores_integer_sequences(fitted_pipeline):
    pipe, X, y = fitted_pipeline
    assert [name for name, _ in pipe.steps] == [
        "onehotsequencetransformer",
        "lstmclassifier",
    ]
    clf = pipe[-1]
    assert clf.input_size_ == N_FEATURES
    assert clf.n_features_in_ == LENGTH
    assert pipe.n_features_in_ == LENGTH
    np.testing.assert_array_equal(pipe.classes_, np.arange(N_FEATURES))
    y_pred = pipe.predict(X)
    assert y_pred.shape == (200,)
    assert set(y_pred.tolist()) <= set(range(N_FEATURES))
    proba = pipe.predict_proba(X)
    assert proba.shape == (200, N_FEATURES)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(y_pred, pipe.classes_[proba.argmax(axis=1)])
    score = pipe.score(X, y)
    assert score == np.mean(y_pred == y)
    assert 0.0 <= score <= 1.0


def test_pipeline_equals_encoder_then_classifier_by_hand(fitted_pipeline):
    pipe, X, y = fitted_pipeline
    onehot = OneHotSequenceTransformer(n_features=N_FEATURES).fit_transform(X)
    clf = clone(pipe[-1]).fit(onehot, y)
    np.testing.assert_array_equal(pipe.predict_proba(X), clf.predict_proba(onehot))


def test_pipeline_learns_the_echo_problem():
    X, y = _data(300)
    X_test, y_test = _data(300, random_state=1)
    pipe = _pipeline(hidden_size=16, max_epochs=5, lr=0.03).fit(X, y)
    # Chance is 1 / N_FEATURES = 0.2.
    assert pipe.score(X_test, y_test) >= 0.5


def test_pipeline_with_string_labels_predicts_strings():
    X, y = _data()
    names = np.array(["a", "b", "c", "d", "e"])
    pipe = _pipeline().fit(X, names[y])
    np.testing.assert_array_equal(pipe.classes_, names)
    assert set(pipe.predict(X).tolist()) <= set(names)


def test_cloned_pipeline_is_unfitted_with_same_params(fitted_pipeline):
    pipe, X, y = fitted_pipeline
    copy = clone(pipe)
    assert copy.get_params(deep=False).keys() == pipe.get_params(deep=False).keys()
    for name, value in pipe.get_params(deep=True).items():
        if not hasattr(value, "get_params") and name != "steps":
            assert copy.get_params(deep=True)[name] == value, name
    with pytest.raises(NotFittedError):
        copy.predict(X)
    np.testing.assert_array_equal(
        copy.fit(X, y).predict_proba(X), pipe.predict_proba(X)
    )


def test_pickled_pipeline_gives_identical_predictions(fitted_pipeline):
    pipe, X, _ = fitted_pipeline
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), pipe.predict(X))


def test_nested_set_params_take_effect():
    X, y = _data()
    pipe = _pipeline()
    pipe.set_params(
        lstmclassifier__hidden_size=3,
        lstmclassifier__bidirectional=True,
        onehotsequencetransformer__dtype=np.float64,
    )
    assert pipe.get_params()["lstmclassifier__hidden_size"] == 3
    assert pipe[-1].hidden_size == 3
    pipe.fit(X, y)
    assert pipe[0].transform(X).dtype == np.float64
    lstm = pipe[-1].net_.module_.lstm
    assert lstm.hidden_size == 3
    assert lstm.bidirectional
    assert "(None, 6)" in pipe[-1].summary()
    assert pipe.predict(X).shape == (200,)


def test_set_params_of_max_epochs_through_the_pipeline_changes_training():
    X, y = _data()
    pipe = _pipeline().set_params(lstmclassifier__max_epochs=3).fit(X, y)
    assert pipe[-1].n_iter_ == 3
    assert len(pipe[-1].net_.history) == 3


def test_float64_onehot_gives_the_same_model_as_float32():
    X, y = _data()
    float32 = _pipeline().fit(X, y).predict_proba(X)
    float64 = _pipeline().set_params(onehotsequencetransformer__dtype=np.float64)
    np.testing.assert_array_equal(float64.fit(X, y).predict_proba(X), float32)


def test_named_pipeline_routes_parameters():
    X, y = _data()
    pipe = Pipeline(
        [
            ("onehot", OneHotSequenceTransformer(n_features=N_FEATURES)),
            ("lstm", LSTMClassifier(hidden_size=4, max_epochs=1, random_state=0)),
        ]
    )
    pipe.set_params(lstm__hidden_size=5, lstm__max_epochs=2).fit(X, y)
    assert pipe.named_steps["lstm"].net_.module_.lstm.hidden_size == 5
    assert pipe.named_steps["lstm"].n_iter_ == 2


# --- model selection ---------------------------------------------------------------


def test_grid_search_in_parallel_gives_the_same_scores_as_sequentially():
    X, y = _data()
    grid = {
        "lstmclassifier__hidden_size": [4, 8],
        "onehotsequencetransformer__dtype": [np.float32, np.float64],
    }
    results = {}
    for n_jobs in (1, 2):
        search = GridSearchCV(_pipeline(), grid, cv=2, n_jobs=n_jobs).fit(X, y)
        results[n_jobs] = search
        assert len(search.cv_results_["params"]) == 4
        scores = search.cv_results_["mean_test_score"]
        assert np.all((scores >= 0) & (scores <= 1))
        assert search.best_params_ in search.cv_results_["params"]
        assert search.best_estimator_[-1].hidden_size in (4, 8)
        assert search.predict(X).shape == (200,)
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(
            results[1].cv_results_[key], results[2].cv_results_[key]
        )
    assert results[1].best_params_ == results[2].best_params_
    np.testing.assert_array_equal(
        results[1].predict_proba(X), results[2].predict_proba(X)
    )


def test_grid_search_over_numpy_integer_grid():
    # np.arange gives np.int64 hidden sizes, as many users write grids.
    X, y = _data()
    grid = {"lstmclassifier__hidden_size": np.arange(4, 9, 4)}
    search = GridSearchCV(_pipeline(), grid, cv=2, error_score="raise").fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_randomized_search_runs_and_scores_in_unit_interval():
    X, y = _data()
    distributions = {
        "lstmclassifier__hidden_size": [4, 6, 8],
        "lstmclassifier__lr": [0.01, 0.03],
        "lstmclassifier__optimizer": ["adam", "rmsprop"],
    }
    search = RandomizedSearchCV(
        _pipeline(),
        distributions,
        n_iter=2,
        cv=2,
        random_state=0,
        error_score="raise",
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,)
    assert np.all((scores >= 0) & (scores <= 1))
    assert 0 <= search.score(X, y) <= 1


def test_cross_val_score_gives_three_scores_in_unit_interval():
    X, y = _data()
    scores = cross_val_score(_pipeline(), X, y, cv=3, error_score="raise")
    assert scores.shape == (3,)
    assert np.all((scores >= 0) & (scores <= 1))
    # Seeded: the same folds give the same scores again.
    np.testing.assert_array_equal(
        cross_val_score(_pipeline(), X, y, cv=3, error_score="raise"), scores
    )
