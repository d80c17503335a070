"""Does LSTMRegressor with its defaults learn?  The adding problem, and more.

Three suites, each printing one row per seed and a summary; torch runs on 1
thread (``--threads`` to change).

``adding``: the adding problem (``make_adding_problem``; Hochreiter &
Schmidhuber 1997, in the form of Le et al. 2015 and Arjovsky et al. 2016).
For each length and seed a fresh training set is drawn
(``random_state=seed``), ``LSTMRegressor`` is fitted with its defaults and
scored (R², and the MSE the papers report) on 10,000 fresh sequences.
Predicting the mean scores R² 0, MSE ~0.167.

    python benchmarks/bench_regression.py adding --lengths 50,100,200,400
    python benchmarks/bench_regression.py adding --lengths 100 --seeds 1000:1010

``multi``: multi-output classification, the book config (length 5, 10
values) with ``out_index=(1, 3)``: ``OneHotSequenceTransformer ->
LSTMClassifier`` with its defaults, accuracy of each output and subset
accuracy on 10,000 fresh sequences.

    python benchmarks/bench_regression.py multi --seeds 1000:1010

``small``: 200 training sequences of scikit-learn's regression check data
(``make_regression(n_features=10, n_informative=1, noise=20)``, scaled),
read as sequences of 10 steps, beside ``LinearRegression`` and
``MLPRegressor``, scored on 1,000 fresh rows of the same draw.

    python benchmarks/bench_regression.py small --seeds 0:5

``--set name=value`` overrides a parameter of the LSTM estimator (repeatable).
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _common import parse_range, parse_set, summarise
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_echo import (
    LSTMClassifier,
    LSTMRegressor,
    OneHotSequenceTransformer,
    make_adding_problem,
    make_echo_sequences,
)


def run_adding(args, params):
    print(
        f"suite=adding lengths={args.lengths} n_train={args.n_train} "
        f"n_test={args.n_test} seeds={args.seeds} params={params}"
    )
    for length in args.lengths:
        X_test, y_test = make_adding_problem(args.n_test, length, random_state=10**6)
        rows = []
        for seed in args.seed_range:
            X, y = make_adding_problem(args.n_train, length, random_state=seed)
            reg = LSTMRegressor(random_state=seed, **params)
            start = time.perf_counter()
            reg.fit(X, y)
            fit_s = time.perf_counter() - start
            r2 = reg.score(X_test, y_test)
            mse = float(np.mean((reg.predict(X_test) - y_test) ** 2))
            print(
                f"length={length:4d} seed={seed:5d} epochs={reg.n_iter_:3d} "
                f"fit_s={fit_s:7.2f} test_r2={r2:.4f} test_mse={mse:.5f}",
                flush=True,
            )
            rows.append((r2, mse, fit_s))
        summarise(f"length {length} test R²", [r[0] for r in rows], 0.99)
        summarise(f"length {length} test MSE", [r[1] for r in rows], digits=5)
        summarise(f"length {length} fit seconds", [r[2] for r in rows])


def run_multi(args, params):
    out_index = (1, 3)
    n_train = 10_000
    print(
        f"suite=multi length=5 n_features=10 out_index={out_index} "
        f"n_train={n_train} n_test={args.n_test} seeds={args.seeds} params={params}"
    )
    X_test, y_test = make_echo_sequences(
        args.n_test, 5, 10, out_index=out_index, random_state=10**6
    )
    rows = []
    for seed in args.seed_range:
        X, y = make_echo_sequences(
            n_train, 5, 10, out_index=out_index, random_state=seed
        )
        model = make_pipeline(
            OneHotSequenceTransformer(n_features=10),
            LSTMClassifier(random_state=seed, **params),
        )
        start = time.perf_counter()
        model.fit(X, y)
        fit_s = time.perf_counter() - start
        per_output = np.mean(model.predict(X_test) == y_test, axis=0)
        subset = model.score(X_test, y_test)
        print(
            f"seed={seed:5d} epochs={model[-1].n_iter_:3d} fit_s={fit_s:6.2f} "
            f"acc_out1={per_output[0]:.4f} acc_out3={per_output[1]:.4f} "
            f"subset_acc={subset:.4f}",
            flush=True,
        )
        rows.append((min(per_output), subset, fit_s))
    summarise("worse output's accuracy", [r[0] for r in rows], 0.99)
    summarise("subset accuracy", [r[1] for r in rows])
    summarise("fit seconds", [r[2] for r in rows])


def run_small(args, params):
    print(f"suite=small n_train=200 n_test=1000 seeds={args.seeds} params={params}")
    rows = []
    for seed in args.seed_range:
        X, y = make_regression(
            n_samples=1200,
            n_features=10,
            n_informative=1,
            bias=5.0,
            noise=20,
            random_state=seed,
        )
        X = StandardScaler().fit_transform(X)
        y = (y - y.mean()) / y.std()
        X_train, y_train, X_test, y_test = X[:200], y[:200], X[200:], y[200:]
        reg = LSTMRegressor(random_state=seed, **params)
        start = time.perf_counter()
        lstm = reg.fit(X_train, y_train).score(X_test, y_test)
        fit_s = time.perf_counter() - start
        linear = LinearRegression().fit(X_train, y_train).score(X_test, y_test)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp = MLPRegressor(random_state=seed, max_iter=2000)
            mlp = mlp.fit(X_train, y_train).score(X_test, y_test)
        print(
            f"seed={seed:5d} epochs={reg.n_iter_:3d} fit_s={fit_s:5.2f} "
            f"lstm_r2={lstm:.4f} linear_r2={linear:.4f} mlp_r2={mlp:.4f}",
            flush=True,
        )
        rows.append((lstm, linear, mlp))
    summarise("LSTMRegressor test R²", [r[0] for r in rows])
    summarise("LinearRegression test R²", [r[1] for r in rows])
    summarise("MLPRegressor test R²", [r[2] for r in rows])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=["adding", "multi", "small"])
    parser.add_argument("--lengths", default="50,100,200,400")
    parser.add_argument("--n-train", type=int, default=20_000)
    parser.add_argument("--seeds", default="1000:1005", help="FIRST:STOP or N")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-test", type=int, default=10_000)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--device", default="cpu", help="e.g. cuda")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.seed_range = parse_range(args.seeds)
    args.lengths = [int(length) for length in args.lengths.split(",")]
    params = {"device": args.device, **parse_set(args.set)}
    print(f"torch_threads={torch.get_num_threads()} torch={torch.__version__}")
    # Warm-up: the first fit of a process pays one-off torch initialisation.
    X_warm, y_warm = make_adding_problem(256, 5, random_state=0)
    LSTMRegressor(max_epochs=1).fit(X_warm, y_warm)
    {"adding": run_adding, "multi": run_multi, "small": run_small}[args.suite](
        args, params
    )


if __name__ == "__main__":
    main()
