"""sklearn_echo.io.save / load: round trips, continued training, hostile files."""

import json
import math
import os
import pickle
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EpochScoring

import sklearn_echo
from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_adding_problem,
    make_echo_sequences,
)

pytest.importorskip("safetensors")

from sklearn_echo import _io_format
from sklearn_echo.io import load, save

TINY = {"hidden_size": 6, "max_epochs": 2, "random_state": 0}


def _tokens(n_samples=40, length=5, n_features=4, seed=0, **kwargs):
    return make_echo_sequences(
        n_samples, length, n_features, random_state=seed, **kwargs
    )


def _onehot(X, n_features=4):
    return OneHotSequenceTransformer(n_features=n_features).fit_transform(X)


def _case(name):
    """Return (unfitted model, X, y) for each kind of model the format keeps."""
    X, y = _tokens()
    if name == "classifier":
        return LSTMClassifier(**TINY), _onehot(X), y
    if name == "classifier-two-targets-strings":
        X, y = _tokens(out_index=(1, 3))
        labels = np.array(["a", "b", "c", "d"])[y]
        return LSTMClassifier(**TINY, num_layers=2, dropout=0.2), _onehot(X), labels
    if name == "token-one-hot-way":
        return TokenLSTMClassifier(n_features=4, **TINY), X, y
    if name == "token-lookup-bidirectional":
        # A vocabulary wider than the gates: the embedding lookup.
        X, y = _tokens(n_features=60)
        return TokenLSTMClassifier(**TINY, bidirectional=True, burn_in=2), X, y % 3
    if name == "regressor-two-targets":
        X, y = make_adding_problem(40, length=6, random_state=0)
        y = np.column_stack([y, -2 * y])
        return LSTMRegressor(**TINY, burn_in=3, bidirectional=True), X, y
    if name == "regressor-ragged":
        X, y = make_adding_problem(40, length=6, random_state=0)
        X = [x[: 3 + i % 4] for i, x in enumerate(X)]
        return LSTMRegressor(**TINY), X, y
    if name == "classifier-early-stopping":
        return (
            LSTMClassifier(**TINY, early_stopping=True, validation_fraction=0.25),
            _onehot(X),
            y,
        )
    if name == "classifier-weight-decay":
        # Its optimizer has three parameter groups (no decay for the biases
        # and recurrent weights).
        return LSTMClassifier(**TINY, weight_decay=0.5), _onehot(X), y
    if name == "pipeline":
        model = make_pipeline(
            OneHotSequenceTransformer(n_features=4), LSTMClassifier(**TINY)
        )
        return model, X, y
    if name == "pipeline-ragged":
        X, y = _tokens(min_length=3)
        model = make_pipeline(
            OneHotSequenceTransformer(n_features=4), LSTMClassifier(**TINY)
        )
        return model, X, y
    raise AssertionError(name)


CASES = [
    "classifier",
    "classifier-two-targets-strings",
    "token-one-hot-way",
    "token-lookup-bidirectional",
    "regressor-two-targets",
    "regressor-ragged",
    "classifier-early-stopping",
    "pipeline",
    "pipeline-ragged",
]


def _outputs(model, X):
    """Everything the model predicts on X."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X), model.predict(X)
    return (model.predict(X),)


def _assert_same_outputs(a, b, X):
    for left, right in zip(_outputs(a, X), _outputs(b, X), strict=True):
        if isinstance(left, list):
            for x, y in zip(left, right, strict=True):
                np.testing.assert_array_equal(x, y, strict=True)
        else:
            np.testing.assert_array_equal(left, right, strict=True)


def _assert_same_fitted_state(a, b):
    assert type(a) is type(b)
    if isinstance(a, Pipeline):
        assert [name for name, _ in a.steps] == [name for name, _ in b.steps]
        for (_, left), (_, right) in zip(a.steps, b.steps, strict=True):
            _assert_same_fitted_state(left, right)
        return
    assert repr(a.get_params(deep=False)) == repr(b.get_params(deep=False))
    public = sorted(n for n in vars(a) if n.endswith("_") and n != "net_")
    assert public == sorted(n for n in vars(b) if n.endswith("_") and n != "net_")
    for name in public:
        left, right = getattr(a, name), getattr(b, name)
        assert type(left) is type(right), name
        if isinstance(left, np.ndarray):
            np.testing.assert_array_equal(left, right, strict=True)
        elif isinstance(left, list) and left and isinstance(left[0], np.ndarray):
            for x, y in zip(left, right, strict=True):
                np.testing.assert_array_equal(x, y, strict=True)
        else:
            assert left == right, name
    if hasattr(a, "net_"):
        _assert_same_net(a.net_, b.net_)


def _assert_same_net(a, b):
    assert type(a) is type(b)
    left, right = a.module_.state_dict(), b.module_.state_dict()
    assert left.keys() == right.keys()
    assert all(torch.equal(left[k], right[k]) for k in left)
    assert a.module_.training == b.module_.training
    assert type(a.optimizer_) is type(b.optimizer_)
    assert repr(a.optimizer_.state_dict()) == repr(b.optimizer_.state_dict())
    assert repr(_timeless(a.history)) == repr(_timeless(b.history))
    assert [name for name, _ in a.callbacks_] == [name for name, _ in b.callbacks_]
    params = ("lr", "max_epochs", "batch_size", "verbose", "device", "criterion")
    assert all(getattr(a, p) == getattr(b, p) for p in params)


def _timeless(history):
    """The history without the epochs' durations, which differ between runs."""
    return [{k: v for k, v in row.items() if k != "dur"} for row in history]


def _round_trip(model, tmp_path, name="model.zip"):
    path = tmp_path / name
    save(model, path)
    return load(path)


# ----------------------------------------------------------------- round trips


@pytest.mark.parametrize("case", CASES)
def test_loaded_model_predicts_bit_for_bit_and_keeps_its_fitted_state(case, tmp_path):
    model, X, y = _case(case)
    model.fit(X, y)
    loaded = _round_trip(model, tmp_path)
    _assert_same_fitted_state(model, loaded)
    _assert_same_outputs(model, loaded, X)
    if hasattr(model, "summary"):
        assert loaded.summary() == model.summary()


def _with_changes(model):
    """Every parameter off its default where a plain value can say so."""
    if isinstance(model, Pipeline):
        return model.set_params(verbose=True)
    if isinstance(model, OneHotSequenceTransformer):
        return model.set_params(n_features=7, dtype=np.float64, handle_unknown="ignore")
    return model.set_params(
        hidden_size=np.int64(9),
        lr=np.float32(0.125),
        optimizer="sgd",
        forget_bias=None,
        clip_grad_norm=None,
        tol=0.0,
        callbacks=[],
        verbose=True,
        warm_start=True,
        random_state=np.int32(3),
        validation_fraction=0.2,
    )


@pytest.mark.parametrize("case", [*CASES, "transformer"])
def test_unfitted_model_keeps_its_parameters_and_stays_unfitted(case, tmp_path):
    model = OneHotSequenceTransformer() if case == "transformer" else _case(case)[0]
    model = _with_changes(model)
    loaded = _round_trip(model, tmp_path)
    assert type(loaded) is type(model)
    deep = model.get_params(deep=True)
    loaded_deep = loaded.get_params(deep=True)
    assert deep.keys() == loaded_deep.keys()
    for name, value in deep.items():
        if hasattr(value, "get_params"):
            continue
        assert type(loaded_deep[name]) is type(value), name
        assert repr(loaded_deep[name]) == repr(value), name
    with pytest.raises(NotFittedError):
        check_is_fitted(loaded[-1] if isinstance(loaded, Pipeline) else loaded)


def test_fitted_transformer_round_trips(tmp_path):
    X, _ = _tokens()
    encoder = OneHotSequenceTransformer(dtype=np.float64).fit(X)
    loaded = _round_trip(encoder, tmp_path)
    _assert_same_fitted_state(encoder, loaded)
    np.testing.assert_array_equal(
        loaded.transform(X), encoder.transform(X), strict=True
    )


def test_dataframe_feature_names_are_kept(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = _tokens()
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(X.shape[1])])
    model = TokenLSTMClassifier(n_features=4, **TINY).fit(frame, y)
    loaded = _round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    assert loaded.feature_names_in_.dtype == object
    np.testing.assert_array_equal(
        loaded.predict_proba(frame), model.predict_proba(frame)
    )


def test_the_same_model_always_gives_the_same_bytes(tmp_path):
    model, X, y = _case("pipeline")
    model.fit(X, y)
    save(model, tmp_path / "a.zip")
    save(_round_trip(model, tmp_path, "b.zip"), tmp_path / "c.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "c.zip").read_bytes()


def test_load_leaves_torch_global_random_state_alone(tmp_path):
    model, X, y = _case("classifier")
    save(model.fit(X, y), tmp_path / "m.zip")
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    load(tmp_path / "m.zip")
    assert torch.equal(torch.random.get_rng_state(), before)


def test_loaded_model_pickles_and_clones(tmp_path):
    model, X, y = _case("pipeline")
    loaded = _round_trip(model.fit(X, y), tmp_path)
    again = pickle.loads(pickle.dumps(loaded))
    _assert_same_outputs(model, again, X)
    assert repr(clone(loaded).get_params()) == repr(clone(model).get_params())


def _public_estimators():
    return [
        getattr(sklearn_echo, name)
        for name in sklearn_echo.__all__
        if isinstance(getattr(sklearn_echo, name), type)
    ]


@pytest.mark.parametrize("cls", _public_estimators(), ids=lambda cls: cls.__name__)
def test_every_public_estimator_is_on_the_allow_list(cls, tmp_path):
    loaded = _round_trip(cls(), tmp_path)
    assert type(loaded) is cls
    assert repr(loaded.get_params()) == repr(cls().get_params())


@pytest.mark.parametrize("per_sequence", [False, True])
def test_sequence_scaler_pipeline_round_trips_when_the_package_has_it(
    per_sequence, tmp_path
):
    scaler_class = getattr(sklearn_echo, "SequenceScaler", None)
    if scaler_class is None:
        pytest.skip("sklearn_echo has no SequenceScaler yet")
    X, y = make_adding_problem(40, length=6, random_state=0)
    X = [x[: 3 + i % 4] for i, x in enumerate(X)]
    steps = [scaler_class(per_sequence=per_sequence), LSTMClassifier(**TINY)]
    layout_class = getattr(sklearn_echo, "ChannelsLastTransformer", None)
    if layout_class is not None:
        # aeon's layout: channels first.
        X = [x.T.copy() for x in X]
        steps.insert(0, layout_class())
    model = make_pipeline(*steps).fit(X, y > 1)
    loaded = _round_trip(model, tmp_path)
    _assert_same_fitted_state(model, loaded)
    _assert_same_outputs(model, loaded, X)


# ------------------------------------------------------------ continued training

CONTINUED = [
    "classifier",
    "classifier-two-targets-strings",
    "token-one-hot-way",
    "token-lookup-bidirectional",
    "regressor-two-targets",
    "regressor-ragged",
    "classifier-early-stopping",
    "classifier-weight-decay",
]


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
@pytest.mark.parametrize("case", CONTINUED)
def test_loaded_model_continues_training_exactly_as_the_original(case, how, tmp_path):
    model, X, y = _case(case)
    model.fit(X, y)
    loaded = _round_trip(model, tmp_path)
    for each in (model, loaded):
        if how == "partial_fit":
            each.partial_fit(X, y)
            each.partial_fit(X, y)
        else:
            each.set_params(warm_start=True, max_epochs=2).fit(X, y)
    assert loaded.loss_curve_ == model.loss_curve_
    assert loaded.n_iter_ == model.n_iter_
    _assert_same_fitted_state(model, loaded)
    _assert_same_outputs(model, loaded, X)


def test_pipeline_continues_under_warm_start_exactly(tmp_path):
    model, X, y = _case("pipeline")
    model.set_params(lstmclassifier__warm_start=True).fit(X, y)
    loaded = _round_trip(model, tmp_path)
    model.fit(X, y)
    loaded.fit(X, y)
    _assert_same_outputs(model, loaded, X)
    assert loaded[-1].loss_curve_ == model[-1].loss_curve_


def test_model_saved_after_partial_fit_only_continues_exactly(tmp_path):
    X, y = _tokens()
    model = TokenLSTMClassifier(n_features=4, **TINY).partial_fit(
        X, y, classes=[0, 1, 2, 3]
    )
    loaded = _round_trip(model, tmp_path)
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    _assert_same_fitted_state(model, loaded)


# ---------------------------------------------------------------- what save refuses


class _UserCallback(EpochScoring):
    pass


@pytest.mark.parametrize(
    ("model", "where"),
    [
        (LSTMClassifier(callbacks=[EpochScoring("accuracy")]), r"callbacks\[0\]"),
        (LSTMClassifier(callbacks=[("mine", _UserCallback("f1"))]), r"callbacks\[0\]"),
        (LSTMClassifier(optimizer=torch.optim.SGD), "optimizer"),
        (LSTMRegressor(random_state=np.random.RandomState(0)), "random_state"),
        (
            make_pipeline(StandardScaler(), LSTMRegressor()),
            r"StandardScaler.*not among the classes",
        ),
        (
            make_pipeline(
                OneHotSequenceTransformer(), LSTMClassifier(), memory="cache"
            ),
            "memory",
        ),
        (
            make_pipeline(
                OneHotSequenceTransformer(), LSTMClassifier(optimizer=torch.optim.Adam)
            ),
            r"steps\[1\]\[1\]\.optimizer",
        ),
    ],
    ids=[
        "skorch-callback",
        "user-callback",
        "optimizer-class",
        "random-state-instance",
        "foreign-step",
        "pipeline-memory",
        "optimizer-class-in-pipeline",
    ],
)
def test_save_refuses_what_only_code_could_rebuild_and_points_to_pickle(
    model, where, tmp_path
):
    path = tmp_path / "model.zip"
    path.write_bytes(b"an older file")
    with pytest.raises(TypeError, match=where) as info:
        save(model, path)
    assert "pickle" in str(info.value)
    # Nothing written: the old file is untouched, and no partial file is left.
    assert path.read_bytes() == b"an older file"
    assert os.listdir(tmp_path) == ["model.zip"]


def test_save_refuses_a_fitted_model_holding_a_user_callback(tmp_path):
    X, y = _tokens()
    model = TokenLSTMClassifier(
        n_features=4, callbacks=[_UserCallback("accuracy")], **TINY
    )
    model.fit(X, y)
    with pytest.raises(TypeError, match=r"callbacks.*pickle"):
        save(model, tmp_path / "m.zip")
    assert not os.listdir(tmp_path)


def test_save_refuses_objects_that_are_not_estimators(tmp_path):
    with pytest.raises(TypeError, match="not a dict"):
        save({"a": 1}, tmp_path / "m.zip")


# -------------------------------------------------------- damaged and hostile files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small fitted Pipeline, saved; returns (path, model, X)."""
    model, X, y = _case("pipeline")
    model.fit(X, y)
    path = tmp_path_factory.mktemp("saved") / "model.zip"
    save(model, path)
    return path, model, X


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_members(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _edited(saved, tmp_path, edit):
    """Copy the saved file with its model.json changed by ``edit(document)``."""
    members = _members(saved[0])
    document = json.loads(members["model.json"])
    edit(document)
    members["model.json"] = json.dumps(document).encode()
    path = tmp_path / "edited.zip"
    _write_members(path, members)
    return path


def _net_node(document):
    return document["object"]["params"]["steps"][1]["$tuple"][1]["attributes"]["net_"]


def _load_fails(path, match):
    with pytest.raises(ValueError, match=match) as info:
        load(path)
    assert re.escape(str(path)) in re.escape(str(info.value)) or str(path) in str(
        info.value
    )
    return info.value


def test_unedited_copy_loads(saved, tmp_path):
    path = _edited(saved, tmp_path, lambda document: None)
    _assert_same_outputs(saved[1], load(path), saved[2])


@pytest.mark.parametrize("keep", [0, 10, 100, 0.5, -100, -22, -1])
def test_truncated_file_is_refused(saved, tmp_path, keep):
    data = saved[0].read_bytes()
    keep = int(len(data) * keep) if isinstance(keep, float) else keep
    path = tmp_path / "truncated.zip"
    path.write_bytes(data[:keep])
    _load_fails(path, "Cannot load")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(position=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_any_flipped_byte_is_refused_or_changes_nothing(
    saved, tmp_path, position, mask
):
    # CRC-32 covers every byte of both members; bytes of the zip's own
    # bookkeeping (dates, version fields) may change without harm.
    data = bytearray(saved[0].read_bytes())
    data[int(position * len(data))] ^= mask
    path = tmp_path / "flipped.zip"
    path.write_bytes(bytes(data))
    try:
        loaded = load(path)
    except ValueError as exc:
        assert str(path) in str(exc)
    else:
        _assert_same_outputs(saved[1], loaded, saved[2])


@pytest.mark.parametrize("member", ["model.json", "tensors.safetensors"])
def test_flipped_byte_inside_each_member_is_refused(saved, tmp_path, member):
    data = bytearray(saved[0].read_bytes())
    with zipfile.ZipFile(saved[0]) as archive:
        info = archive.getinfo(member)
    # The member's data follows its local header (30 bytes, name, extra).
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x10
    path = tmp_path / "flipped.zip"
    path.write_bytes(bytes(data))
    _load_fails(path, f"member {member} is damaged")


@pytest.mark.parametrize("member", ["model.json", "tensors.safetensors"])
def test_missing_member_is_refused(saved, tmp_path, member):
    members = _members(saved[0])
    del members[member]
    path = tmp_path / "missing.zip"
    _write_members(path, members)
    _load_fails(path, rf"missing \['{re.escape(member)}'\]")


class _Planted:
    """Unpickling this writes a file: the trace of code that ran."""

    def __init__(self, trace):
        self.trace = str(trace)

    def __reduce__(self):
        return (exec, (f"open({self.trace!r}, 'w').write('code ran')",))


def _planted_pickle(tmp_path):
    """A pickle whose loading leaves a trace; proven to work, then reset."""
    trace = tmp_path / "trace"
    payload = pickle.dumps(_Planted(trace))
    pickle.loads(payload)
    assert trace.read_text() == "code ran"
    trace.unlink()
    return trace, payload


@pytest.mark.parametrize(
    "how",
    ["tensors.safetensors", "model.json", "extra member", "whole file", "torch.save"],
)
def test_planted_pickle_is_refused_and_never_runs(saved, tmp_path, how):
    trace, payload = _planted_pickle(tmp_path)
    path = tmp_path / "hostile.zip"
    members = _members(saved[0])
    if how in members:
        members[how] = payload
        _write_members(path, members)
        match = "not a safetensors file" if how.endswith("safetensors") else "JSON"
    elif how == "extra member":
        members["data.pkl"] = payload
        _write_members(path, members)
        match = r"unexpected \['data.pkl'\]"
    elif how == "whole file":
        path.write_bytes(payload)
        match = "not a zip archive"
    else:
        # torch's own format: a zip whose data.pkl unpickles the payload.
        torch.save({"weights": torch.zeros(2), "planted": _Planted(trace)}, path)
        assert not trace.exists()
        match = "must hold exactly"
    _load_fails(path, match)
    assert not trace.exists()


def _set(path_in_document, value):
    def edit(document):
        *parents, last = path_in_document(document)
        node = document
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


def _pipeline_step(i):
    return ["object", "params", "steps", i, "$tuple", 1]


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            _set(lambda d: ["object", "$estimator"], "os.system"),
            "names the class 'os.system', which is not among the classes",
        ),
        (
            _set(
                lambda d: [*_pipeline_step(0), "$estimator"],
                "sklearn.preprocessing.FunctionTransformer",
            ),
            "FunctionTransformer', which is not among",
        ),
        (
            _set(
                lambda d: [
                    *_pipeline_step(1),
                    "attributes",
                    "net_",
                    "params",
                    "module",
                ],
                {"$class": "builtins.eval"},
            ),
            "'builtins.eval', which is not among",
        ),
        (
            _set(
                lambda d: [
                    *_pipeline_step(1),
                    "attributes",
                    "net_",
                    "params",
                    "callbacks",
                    0,
                    "$tuple",
                    1,
                    "$callback",
                ],
                "skorch.callbacks.LRScheduler",
            ),
            "LRScheduler', which is not among",
        ),
        (
            _set(
                lambda d: [*_pipeline_step(1), "attributes", "_targets", "$targets"],
                "x.Y",
            ),
            "'x.Y', which is not among",
        ),
        (
            _set(
                lambda d: [*_pipeline_step(1), "params", "hidden_size"],
                {"$class": "torch.optim.Adam"},
            ),
            r"\$class is allowed only in a net's parameters",
        ),
        (
            _set(
                lambda d: [*_pipeline_step(1), "params", "optimizer"],
                {"$pickle": "gASV"},
            ),
            r"unknown entry '\$pickle'",
        ),
    ],
    ids=[
        "estimator",
        "pipeline-step",
        "net-module",
        "callback",
        "targets",
        "class-outside-a-net",
        "unknown-tag",
    ],
)
def test_class_outside_the_allow_list_is_refused(saved, tmp_path, edit, match):
    _load_fails(_edited(saved, tmp_path, edit), match)


def _module_state(document, name):
    state = _net_node(document)["module_state"]["$dict"]
    return next(value for key, value in state if key == name)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            _set(
                lambda d: [
                    *_pipeline_step(1),
                    "attributes",
                    "net_",
                    "params",
                    "module__hidden_size",
                ],
                7,
            ),
            r"lstm.weight_hh_l0: shape \[24, 6\] disagrees with the "
            r"parameters, which make it \[28, 7\]",
        ),
        (
            lambda d: _module_state(d, "head.weight").update(shape=[4, 5]),
            r"declares float32 of shape \[4, 5\], but the tensor .* is float32 of "
            r"shape \[4, 6\]",
        ),
        (
            lambda d: _module_state(d, "head.weight").update(dtype="float64"),
            "declares float64",
        ),
        (
            _set(lambda d: [*_pipeline_step(1), "attributes", "input_size_"], 5),
            r"input size \(4\) disagrees with the fitted estimator \(5\)",
        ),
        (
            _set(
                lambda d: [*_pipeline_step(1), "attributes", "n_outputs_"],
                2,
            ),
            "n_outputs_: disagrees with the fitted targets",
        ),
        (
            _set(
                lambda d: [
                    *_pipeline_step(1),
                    "attributes",
                    "net_",
                    "params",
                    "torch_load_kwargs",
                ],
                {"$dict": [["weights_only", False]]},
            ),
            "only {'weights_only': True} is allowed",
        ),
        (
            _set(lambda d: ["object", "params", "memory"], "/tmp/cache"),
            "cache would be read with pickle",
        ),
        (
            _set(lambda d: [*_pipeline_step(1), "attributes", "predict"], 1),
            "'predict' is not an attribute",
        ),
    ],
    ids=[
        "hidden-size",
        "declared-shape",
        "declared-dtype",
        "input-size",
        "targets",
        "weights-only-off",
        "pipeline-memory",
        "method-shadowed",
    ],
)
def test_disagreeing_or_unsafe_contents_are_refused(saved, tmp_path, edit, match):
    _load_fails(_edited(saved, tmp_path, edit), match)


def test_huge_network_in_the_parameters_is_refused_before_it_is_built(saved, tmp_path):
    # 10**6 hidden units would be 16 TB of weights: refused from the shapes
    # of the weights the file holds, before any allocation.
    step = _pipeline_step(1)
    edit = _set(
        lambda d: [*step, "attributes", "net_", "params", "module__hidden_size"], 10**6
    )
    _load_fails(_edited(saved, tmp_path, edit), r"weight_hh_l0: shape \[24, 6\]")


def test_members_that_would_unpack_to_too_much_are_refused(
    saved, tmp_path, monkeypatch
):
    monkeypatch.setattr(_io_format, "_MAX_JSON_BYTES", 1000)
    _load_fails(saved[0], "model.json would unpack to more than")
    monkeypatch.undo()
    members = _members(saved[0])
    path = tmp_path / "deflated.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    _load_fails(path, "tensors.safetensors must be stored uncompressed")


def test_optimizer_state_of_the_wrong_shape_is_refused(saved, tmp_path):
    members = _members(saved[0])
    from safetensors.numpy import load as load_tensors
    from safetensors.numpy import save as save_tensors

    tensors = load_tensors(members["tensors.safetensors"])
    key = next(k for k in tensors if k.endswith("optimizer_.state.4.exp_avg"))
    tensors[key] = np.zeros((4, 5), np.float32)
    members["tensors.safetensors"] = save_tensors(tensors)
    document = json.loads(members["model.json"])
    state = _net_node(document)["optimizer_state"]["$dict"][0][1]["$dict"]
    entry = next(v for k, v in state if k == 4)["$dict"]
    next(v for k, v in entry if k == "exp_avg")["shape"] = [4, 5]
    members["model.json"] = json.dumps(document).encode()
    path = tmp_path / "optimizer.zip"
    _write_members(path, members)
    _load_fails(path, r"optimizer_.4.exp_avg: shape \[4, 5\] disagrees")


def test_tensor_that_json_does_not_name_is_refused(saved, tmp_path):
    from safetensors.numpy import load as load_tensors
    from safetensors.numpy import save as save_tensors

    members = _members(saved[0])
    tensors = load_tensors(members["tensors.safetensors"])
    tensors["smuggled"] = np.zeros(3)
    members["tensors.safetensors"] = save_tensors(tensors)
    path = tmp_path / "extra.zip"
    _write_members(path, members)
    _load_fails(path, r"does not name: \['smuggled'\]")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set(lambda d: ["format_version"], 2), r"file format 2\), newer than"),
        (
            _set(lambda d: ["written_by", "sklearn_echo"], "99.0.0"),
            r"written by sklearn_echo 99.0.0 .* upgrade sklearn_echo",
        ),
    ],
    ids=["format", "package"],
)
def test_file_from_a_newer_version_is_refused(saved, tmp_path, edit, match):
    _load_fails(_edited(saved, tmp_path, edit), match)


def test_json_that_is_not_this_format_is_refused(saved, tmp_path):
    members = _members(saved[0])
    members["model.json"] = b'{"format": "something else"}'
    path = tmp_path / "other.zip"
    _write_members(path, members)
    _load_fails(path, "does not describe a sklearn_echo.io file")


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.zip")


# ------------------------------------------------------------- the optional extra


@pytest.mark.parametrize("function", [save, load])
def test_without_safetensors_the_functions_name_the_extra(
    function, monkeypatch, tmp_path
):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-echo\[io\]"'):
        function(
            LSTMClassifier(), tmp_path / "m.zip"
        ) if function is save else function(tmp_path / "m.zip")


# ------------------------------------------------------ the typed encoding, as such

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["float32", "int16", "uint8", "float64", "bool"]).flatmap(
        lambda name: st.builds(
            lambda v: np.array(v).astype(name)[()],
            st.integers(0, 100),
        )
    ),
)
_arrays = st.sampled_from(["float32", "float64", "int64", "uint16", "bool"]).flatmap(
    lambda name: st.lists(st.integers(0, 9), max_size=6).map(
        lambda items: np.array(items, dtype=name)
    )
)
_values = st.recursive(
    st.one_of(_scalars, _arrays),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(
            st.one_of(st.text(max_size=3), st.integers()), children, max_size=3
        ),
    ),
    max_leaves=12,
)


def _same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (float, np.floating)) and math.isnan(a):
        return math.isnan(b)
    return a == b


@settings(max_examples=150, deadline=None)
@given(value=_values)
def test_plain_values_round_trip_with_their_types(value):
    from safetensors.numpy import load as load_tensors
    from safetensors.numpy import save as save_tensors

    encoder = _io_format.Encoder()
    node = json.loads(json.dumps(encoder.value(value, "v"), allow_nan=False))
    arrays = load_tensors(save_tensors(encoder.arrays))
    decoded = _io_format.Decoder(arrays).value(node, "v")
    assert _same(decoded, value)


def test_doctests_are_skipped_not_failed_without_the_extras():
    script = (
        "import sys\n"
        "for name in ('safetensors', 'onnx', 'onnxruntime'):\n"
        "    sys.modules[name] = None\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-rs', "
        f"{os.path.join(os.path.dirname(sklearn_echo.__file__), 'io.py')!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped" in result.stdout
    assert "passed" not in result.stdout and "failed" not in result.stdout
