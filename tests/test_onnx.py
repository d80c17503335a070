"""sklearn_echo.io.export_onnx: onnxruntime's answers against the Python objects."""

import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

import sklearn_echo
from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_adding_problem,
    make_echo_sequences,
)
from sklearn_echo.io import export_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TINY = {"hidden_size": 5, "max_epochs": 2, "random_state": 0}
# Training lengths 3 to 6; the graph is checked at 1, 6 and 11 steps.
LENGTHS = (1, 6, 11)


def _tokens(n_features=4, **kwargs):
    return make_echo_sequences(
        60, 6, n_features, min_length=3, random_state=0, **kwargs
    )


def _case(name):
    """Return (fitted model, input name, a function drawing input of a length)."""
    if name.startswith("token") or name.startswith("pipeline"):
        n_features = 40 if name == "token-lookup-bidirectional-burn-in" else 4
        X, y = _tokens(n_features)
        model = {
            "token-one-hot-way": TokenLSTMClassifier(n_features=4, **TINY),
            "token-lookup-bidirectional-burn-in": TokenLSTMClassifier(
                **TINY, bidirectional=True, burn_in=3, num_layers=2
            ),
            "pipeline": make_pipeline(
                OneHotSequenceTransformer(n_features=4), LSTMClassifier(**TINY)
            ),
            "pipeline-regressor-burn-in": make_pipeline(
                OneHotSequenceTransformer(n_features=4),
                LSTMRegressor(**TINY, burn_in=2),
            ),
        }[name]
        if name == "token-lookup-bidirectional-burn-in":
            y = y % 3
        if name == "pipeline-regressor-burn-in":
            y = y / 3.0
        model.fit(X, y)

        def draw(rng, length, n=7):
            return rng.randint(0, n_features, (n, length)).astype(np.int64)

        return model, "tokens", draw
    X, y = make_adding_problem(60, length=6, random_state=0)
    X = [x[: 3 + i % 4] for i, x in enumerate(X)]
    if name == "classifier-two-targets-strings":
        labels = np.array(["low", "high"])
        y = np.column_stack([labels[(y > 1).astype(int)], (10 * y).astype(int) % 3])
        model = LSTMClassifier(**TINY, num_layers=2, bidirectional=True)
    elif name == "regressor-two-targets":
        y = np.column_stack([y, 1 - y])
        model = LSTMRegressor(**TINY)
    else:
        model = LSTMRegressor(**TINY, burn_in=2)
    model.fit(X, y)

    def draw(rng, length, n=7):
        return rng.rand(n, length, 2).astype(np.float32)

    return model, "steps", draw


CASES = [
    "token-one-hot-way",
    "token-lookup-bidirectional-burn-in",
    "pipeline",
    "pipeline-regressor-burn-in",
    "classifier-two-targets-strings",
    "regressor-two-targets",
    "regressor-burn-in",
]


def _expected(model, X):
    """The Python object's answers, as a dict of the graph's output names."""
    if hasattr(model, "predict_proba"):
        proba, labels = model.predict_proba(X), model.predict(X)
        if isinstance(proba, list):
            answers = {f"probabilities_{j}": p for j, p in enumerate(proba)}
            answers.update({f"label_{j}": labels[:, j] for j in range(labels.shape[1])})
            return answers
        return {"probabilities": proba, "label": labels}
    return {"predictions": model.predict(X)}


def _assert_close(outputs, expected):
    assert set(outputs) == set(expected)
    for name, value in expected.items():
        if name.startswith("label"):
            assert outputs[name].tolist() == value.tolist(), name
        else:
            assert outputs[name].shape == value.shape, name
            np.testing.assert_allclose(outputs[name], value, rtol=0, atol=1e-5)


def _run(session, inputs):
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, inputs), strict=True))


@pytest.fixture(scope="module", params=CASES)
def exported(request, tmp_path_factory):
    model, input_name, draw = _case(request.param)
    folder = tmp_path_factory.mktemp("onnx")
    export_onnx(model, folder / "model.onnx")
    export_onnx(model, folder / "ragged.onnx", lengths=True)
    sessions = {
        kind: ort.InferenceSession(
            str(folder / f"{kind}.onnx"), providers=["CPUExecutionProvider"]
        )
        for kind in ("model", "ragged")
    }
    return model, input_name, draw, sessions


@pytest.mark.parametrize("length", LENGTHS)
def test_onnxruntime_matches_the_estimator_for_a_batch_and_one_sequence(
    exported, length
):
    model, input_name, draw, sessions = exported
    X = draw(np.random.RandomState(length), length)
    # Lists: the estimators take them at any length.
    _assert_close(_run(sessions["model"], {input_name: X}), _expected(model, list(X)))
    one = X[:1]
    _assert_close(
        _run(sessions["model"], {input_name: one}), _expected(model, list(one))
    )


def test_lengths_input_reads_each_sequence_to_its_own_end(exported):
    model, input_name, draw, sessions = exported
    rng = np.random.RandomState(1)
    X = draw(rng, 11, n=9)
    lengths = np.array([1, 11, 4, 7, 2, 11, 5, 3, 9], dtype=np.int64)
    expected = _expected(model, [x[:n] for x, n in zip(X, lengths, strict=True)])
    outputs = _run(sessions["ragged"], {input_name: X, "lengths": lengths})
    _assert_close(outputs, expected)
    # What lies after a sequence's length never reaches its outputs.
    other = draw(rng, 11, n=9)
    for i, n in enumerate(lengths):
        other[i, :n] = X[i, :n]
    _assert_close(
        _run(sessions["ragged"], {input_name: other, "lengths": lengths}), expected
    )


def test_batch_and_length_are_dynamic_in_the_graph(exported):
    _, input_name, _, sessions = exported
    graph_input = sessions["model"].get_inputs()[0]
    assert graph_input.name == input_name
    assert graph_input.shape[:2] == ["batch", "length"]
    ragged = [i.name for i in sessions["ragged"].get_inputs()]
    assert ragged == [input_name, "lengths"]


def test_unknown_tokens_read_as_the_all_zero_step(tmp_path):
    X, y = _tokens()
    model = TokenLSTMClassifier(n_features=4, handle_unknown="ignore", **TINY).fit(X, y)
    export_onnx(model, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    tokens = np.array([[0, 4, 1, 9, 3], [2, 2, 100, 1, 0]], dtype=np.int64)
    _assert_close(_run(session, {"tokens": tokens}), _expected(model, tokens))
    # Negative tokens too (the estimator refuses them; ONNX's Gather would
    # wrap them around).
    negative = np.array([[0, -1, 1, -7, 3]], dtype=np.int64)
    zero_step = np.array([[0, 4, 1, 4, 3]], dtype=np.int64)
    _assert_close(_run(session, {"tokens": negative}), _expected(model, zero_step))


def test_graph_passes_onnx_checker_and_names_its_classes(exported, tmp_path):
    model, *_ = exported
    export_onnx(model, tmp_path / "m.onnx")
    proto = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == 17
    assert proto.producer_name == "sklearn_echo"


@pytest.mark.parametrize(
    "obj",
    [
        OneHotSequenceTransformer(),
        make_pipeline(OneHotSequenceTransformer(), TokenLSTMClassifier()),
        *(
            [make_pipeline(sklearn_echo.SequenceScaler(), LSTMClassifier())]
            if hasattr(sklearn_echo, "SequenceScaler")
            else []
        ),
    ],
    ids=lambda obj: type(obj).__name__,
)
def test_other_objects_are_refused_with_what_is_exported(obj, tmp_path):
    with pytest.raises(TypeError, match="exports a fitted TokenLSTMClassifier"):
        export_onnx(obj, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_unfitted_models_are_refused(tmp_path):
    with pytest.raises(NotFittedError):
        export_onnx(LSTMClassifier(), tmp_path / "m.onnx")
    with pytest.raises(NotFittedError):
        export_onnx(
            make_pipeline(OneHotSequenceTransformer(), LSTMClassifier()),
            tmp_path / "m.onnx",
        )


def test_without_onnx_export_names_the_extra(monkeypatch, tmp_path):
    X, y = _tokens()
    model = TokenLSTMClassifier(n_features=4, **TINY).fit(X, y)
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-echo\[onnx\]"'):
        export_onnx(model, tmp_path / "m.onnx")
