"""Keeping and serving a model: sklearn_echo.io against pickle, ONNX against Python.

For a fitted ``TokenLSTMClassifier`` and a fitted Pipeline
(``OneHotSequenceTransformer`` + ``LSTMClassifier``), on the book config
(length 5 over 10 values) and the tutorial config (length 50 over 100),
side by side in one run:

- **Keeping**: the median time of ``sklearn_echo.io.save`` and
  ``sklearn_echo.io.load`` against ``pickle.dump`` and ``pickle.load`` of the
  same model to and from a file, timed alternately; and the file sizes.
- **Serving one sequence**: the median latency of one ``session.run`` of the
  exported ONNX graph in onnxruntime against the estimator's own
  ``predict_proba`` on the same one sequence, timed alternately.
- **Serving in bulk**: sequences per second of one call on ``--bulk-rows``
  sequences, onnxruntime against ``predict_proba``.

Also printed: whether the loaded model's probabilities equal the saved one's
bit for bit, and the largest difference between onnxruntime's probabilities
and ``predict_proba``'s on the bulk rows.

The models are trained for one epoch (``--epochs``): what is timed does not
depend on the weights.  torch and onnxruntime run one thread each.

    python benchmarks/bench_io.py
    python benchmarks/bench_io.py --configs book --repeats 20 --bulk-rows 200
"""

import argparse
import os
import pickle
import statistics
import tempfile
import time

import numpy as np
import onnxruntime
import torch
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo.io import export_onnx, load, save

CONFIGS = {"book": (5, 10), "tutorial": (50, 100)}


def _alternately(calls, repeats):
    """Median seconds of each function, called in turn ``repeats`` times."""
    times = [[] for _ in calls]
    for _ in range(repeats):
        for timing, call in zip(times, calls, strict=True):
            start = time.perf_counter()
            call()
            timing.append(time.perf_counter() - start)
    return [statistics.median(timing) for timing in times]


def _models(length, n_features, n_train, epochs):
    X, y = make_echo_sequences(n_train, length, n_features, random_state=0)
    params = {"max_epochs": epochs, "random_state": 0}
    token = TokenLSTMClassifier(n_features=n_features, **params).fit(X, y)
    pipeline = make_pipeline(
        OneHotSequenceTransformer(n_features=n_features), LSTMClassifier(**params)
    ).fit(X, y)
    return {"TokenLSTMClassifier": token, "Pipeline": pipeline}


def _session(path):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        path, options, providers=["CPUExecutionProvider"]
    )


def _keeping(model, folder, X, repeats):
    ours, theirs = os.path.join(folder, "model.zip"), os.path.join(folder, "m.pkl")

    def pickle_dump():
        with open(theirs, "wb") as file:
            pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)

    def pickle_load():
        with open(theirs, "rb") as file:
            return pickle.load(file)

    save_s, dump_s = _alternately([lambda: save(model, ours), pickle_dump], repeats)
    load_s, unpickle_s = _alternately([lambda: load(ours), pickle_load], repeats)
    same = np.array_equal(load(ours).predict_proba(X), model.predict_proba(X))
    print(
        f"  keep:  save {1e3 * save_s:7.2f} ms  pickle.dump {1e3 * dump_s:7.2f} ms  "
        f"ratio {save_s / dump_s:5.2f} | load {1e3 * load_s:7.2f} ms  "
        f"pickle.load {1e3 * unpickle_s:7.2f} ms  ratio {load_s / unpickle_s:5.2f}"
    )
    print(
        f"         file {os.path.getsize(ours) / 1024:8.1f} KiB  pickle "
        f"{os.path.getsize(theirs) / 1024:8.1f} KiB; loaded predicts bit for "
        f"bit: {same}"
    )


def _serving(model, folder, X, repeats):
    path = os.path.join(folder, "model.onnx")
    export_onnx(model, path)
    session = _session(path)
    one = X[:1]
    onnx_s, python_s = _alternately(
        [
            lambda: session.run(["probabilities"], {"tokens": one}),
            lambda: model.predict_proba(one),
        ],
        repeats,
    )
    print(
        f"  one sequence: onnxruntime {1e6 * onnx_s:8.1f} us  predict_proba "
        f"{1e6 * python_s:8.1f} us  ratio {onnx_s / python_s:5.3f}"
    )
    bulk_onnx, bulk_python = _alternately(
        [
            lambda: session.run(["probabilities"], {"tokens": X}),
            lambda: model.predict_proba(X),
        ],
        max(3, repeats // 20),
    )
    (proba,) = session.run(["probabilities"], {"tokens": X})
    difference = float(np.abs(proba - model.predict_proba(X)).max())
    print(
        f"  bulk of {len(X):,}: onnxruntime {len(X) / bulk_onnx:10,.0f} seq/s  "
        f"predict_proba {len(X) / bulk_python:10,.0f} seq/s  ratio "
        f"{bulk_python / bulk_onnx:5.2f}x; largest |difference| {difference:.1e}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--bulk-rows", type=int, default=3000)
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(
        f"torch_threads={args.threads} torch={torch.__version__} "
        f"onnxruntime={onnxruntime.__version__} repeats={args.repeats}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for config in args.configs:
            length, n_features = CONFIGS[config]
            X, _ = make_echo_sequences(
                args.bulk_rows, length, n_features, random_state=1
            )
            models = _models(length, n_features, args.train, args.epochs)
            for name, model in models.items():
                print(f"{config} (length {length}, {n_features} values), {name}:")
                _keeping(model, folder, X, args.repeats)
                _serving(model, folder, X, args.repeats)


if __name__ == "__main__":
    main()
