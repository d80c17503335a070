"""The LSTM-FCN on recorded series, beside the baselines, measured in one run.

Run as ``python benchmarks/bench_recorded.py --suite SUITE --seeds FIRST:STOP``
(needs the ``bench`` extra: aeon, for the UCR/UEA data sets it ships and
MiniROCKET).  Torch runs on one thread, and so does every baseline.

Suites:

- ``classify``: ``LSTMFCNClassifier()`` with its defaults on aeon's copies of
  ItalyPowerDemand, GunPoint, ArrowHead, BasicMotions and, as lists of
  sequences of different lengths, JapaneseVowels and PickupGestureWiimoteZ,
  with their standard train/test splits.  Beside it, in the same run and on
  the same seeds: 1-NN (Euclidean), ``MLPClassifier`` on the flattened
  series and aeon's ``MiniRocketClassifier`` (the ragged sets' baselines read
  aeon's padded copies, as MiniROCKET takes no ragged input), and
  ``LSTMClassifier()``.  Fit times are on one thread.
- ``length``: the cost of one epoch on GunPoint resampled to 1x, 2x and 4x
  its length (linear interpolation), beside MiniROCKET's fit.
- ``regress``: ``LSTMFCNRegressor()`` beside ``RidgeCV`` on the flattened,
  standardised series and ``LSTMRegressor()``, on the adding problem at
  length 100 and on aeon's Covid3Month and CardanoSentiment.
- ``echo``: ``LSTMFCNClassifier()`` beside ``LSTMClassifier()`` on the echo
  problem (one-hot, 3,000 training sequences of 10 values, the value at
  ``out_index=2``, the default, of a sequence of length 5 and of length 20).
- ``reference``: the estimator beside a plain-PyTorch LSTM-FCN loop (the
  same module, recipe and batches, written out by hand) on GunPoint: the
  cost of an epoch, and the accuracy of each.

The recipes (``FCN_CLASSIFIER_RECIPE`` and ``FCN_REGRESSOR_RECIPE`` in
``sklearn_echo._fit_plan``) were chosen on seeds 500-502 of ArrowHead and
GunPoint, and their rate, batch and budget on seeds 500-509 of the six
classification sets, as was the divisor of the LSTM-FCN's average over time;
the regressor's rate and budget on seeds 600-602 of the adding problem and of
a noisy sine's frequency and 500-502 of the two regression sets.  The
reports run on seeds never used for that (the user guide gives
``20000:20010`` and, for ``regress``, ``25000:25010``).
"""

import argparse
import math
import statistics
import time

import numpy as np
import torch
from _common import parse_range
from sklearn.linear_model import RidgeCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_echo import (
    LSTMClassifier,
    LSTMFCNClassifier,
    LSTMFCNRegressor,
    LSTMRegressor,
    SequenceScaler,
    make_adding_problem,
)
from sklearn_echo._fcn_module import LSTMFCNModule

EQUAL = ["ItalyPowerDemand", "GunPoint", "ArrowHead", "BasicMotions"]
RAGGED = ["JapaneseVowels", "PickupGestureWiimoteZ"]


def _load(name, split, *, equal_length=True):
    """Return aeon's X (channels first) and y for one split."""
    from aeon.datasets import load_classification

    return load_classification(name, split=split, load_equal_length=equal_length)


def _steps(X):
    """aeon's channels-first cases as our steps: (n, length, channels) or a list."""
    if isinstance(X, np.ndarray):
        return np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)
    return [np.ascontiguousarray(x.T, dtype=np.float32) for x in X]


def _timed(fn, *args):
    """Return ``fn(*args)`` and the seconds it took."""
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def _mini_rocket(seed):
    from aeon.classification.convolution_based import MiniRocketClassifier

    return MiniRocketClassifier(random_state=seed, n_jobs=1)


def _warm_up_mini_rocket():
    """Fit MiniROCKET once on tiny data: numba compiles its kernels (40 s)."""
    rng = np.random.RandomState(0)
    _mini_rocket(0).fit(rng.randn(4, 1, 16), np.array([0, 1, 0, 1]))


def suite_classify(seeds, with_lstm, datasets=None):
    _warm_up_mini_rocket()
    for name in datasets or EQUAL + RAGGED:
        ragged = name in RAGGED
        X, y = _load(name, "train", equal_length=not ragged)
        X_test, y_test = _load(name, "test", equal_length=not ragged)
        # The baselines' copies: aeon's padded ones for the ragged sets.
        Xp, _ = _load(name, "train") if ragged else (X, y)
        Xp_test, _ = _load(name, "test") if ragged else (X_test, y_test)
        flat = Xp.reshape(len(Xp), -1)
        flat_test = Xp_test.reshape(len(Xp_test), -1)
        knn = KNeighborsClassifier(n_neighbors=1).fit(flat, y).score(flat_test, y_test)
        scores = {key: [] for key in ("fcn", "mlp", "rocket", "lstm", "scaled")}
        times = {key: [] for key in scores}
        for seed in seeds:
            fcn = LSTMFCNClassifier(random_state=seed)
            _, fit_s = _timed(fcn.fit, _steps(X), y)
            scores["fcn"].append(fcn.score(_steps(X_test), y_test))
            times["fcn"].append(fit_s)
            mlp = make_pipeline(
                StandardScaler(), MLPClassifier(max_iter=1000, random_state=seed)
            )
            _, fit_s = _timed(mlp.fit, flat, y)
            scores["mlp"].append(mlp.score(flat_test, y_test))
            times["mlp"].append(fit_s)
            rocket = _mini_rocket(seed)
            _, fit_s = _timed(rocket.fit, Xp, y)
            scores["rocket"].append(float(np.mean(rocket.predict(Xp_test) == y_test)))
            times["rocket"].append(fit_s)
            if ragged:
                # The recipe adds no normalisation; per-sequence scaling (the
                # UCR baselines' z-normalisation) in a Pipeline, measured too.
                scaled = make_pipeline(
                    SequenceScaler(per_sequence=True),
                    LSTMFCNClassifier(random_state=seed),
                )
                scaled.fit(_steps(X), y)
                scores["scaled"].append(scaled.score(_steps(X_test), y_test))
            line = (
                f"{name} seed={seed} fcn={scores['fcn'][-1]:.4f} "
                f"epochs={fcn.n_iter_} fit_s={times['fcn'][-1]:.1f} "
                f"mlp={scores['mlp'][-1]:.4f} minirocket={scores['rocket'][-1]:.4f} "
                f"minirocket_fit_s={times['rocket'][-1]:.1f}"
            )
            if ragged:
                line += f" fcn_per_sequence_scaled={scores['scaled'][-1]:.4f}"
            if with_lstm:
                lstm = LSTMClassifier(random_state=seed)
                _, fit_s = _timed(lstm.fit, _steps(X), y)
                scores["lstm"].append(lstm.score(_steps(X_test), y_test))
                times["lstm"].append(fit_s)
                line += f" lstm={scores['lstm'][-1]:.4f} lstm_fit_s={fit_s:.1f}"
            print(line, flush=True)
        shape = f"{len(X)} train, {len(X_test)} test" + (", ragged" if ragged else "")
        parts = [
            f"{name} ({shape}): LSTMFCNClassifier mean {_mean(scores['fcn'])} "
            f"(sd {_sd(scores['fcn'])}, min {min(scores['fcn']):.4f}, "
            f"fit {statistics.fmean(times['fcn']):.1f} s)",
            f"1-NN {knn:.4f}",
            f"MLPClassifier mean {_mean(scores['mlp'])}",
            f"MiniROCKET mean {_mean(scores['rocket'])} "
            f"(fit {statistics.fmean(times['rocket']):.1f} s)",
        ]
        if ragged:
            parts.append(
                "SequenceScaler(per_sequence=True) + LSTMFCNClassifier mean "
                f"{_mean(scores['scaled'])}"
            )
        if with_lstm:
            parts.append(f"LSTMClassifier mean {_mean(scores['lstm'])}")
        print(" | ".join(parts), flush=True)


def _mean(values):
    return f"{statistics.fmean(values):.4f}"


def _sd(values):
    return f"{statistics.stdev(values):.4f}" if len(values) > 1 else "-"


def _resample(X, factor):
    """Resample (n, channels, length) to ``factor`` times the length (linear)."""
    length = X.shape[2]
    old = np.arange(length)
    new = np.linspace(0, length - 1, factor * length)
    return np.stack(
        [[np.interp(new, old, channel) for channel in case] for case in X]
    ).astype(np.float32)


def suite_length(seeds):
    _warm_up_mini_rocket()
    X, y = _load("GunPoint", "train")
    epochs = 10
    base = None
    for factor in (1, 2, 4):
        Xr = _resample(X, factor)
        per_epoch, rocket_s = [], []
        for seed in seeds:
            fcn = LSTMFCNClassifier(max_epochs=epochs, random_state=seed)
            _, fit_s = _timed(fcn.fit, _steps(Xr), y)
            per_epoch.append(fit_s / epochs)
            rocket = _mini_rocket(seed)
            rocket_s.append(_timed(rocket.fit, Xr, y)[1])
        cost = statistics.median(per_epoch)
        base = base or cost
        print(
            f"GunPoint x{factor} (length {Xr.shape[2]}): LSTMFCNClassifier "
            f"{1000 * cost:.0f} ms per epoch ({cost / base:.2f}x the 1x cost), "
            f"MiniROCKET fit {statistics.median(rocket_s):.2f} s",
            flush=True,
        )


def suite_regress(seeds):
    from aeon.datasets import load_regression

    sets = {}
    X, y = make_adding_problem(1000, length=100, random_state=0)
    X_test, y_test = make_adding_problem(1000, length=100, random_state=1)
    sets["adding problem, length 100"] = (X, y, X_test, y_test)
    for name in ("Covid3Month", "CardanoSentiment"):
        Xa, ya = load_regression(name, split="train")
        Xa_test, ya_test = load_regression(name, split="test")
        sets[name] = (_steps(Xa), ya, _steps(Xa_test), ya_test)
    for name, (X, y, X_test, y_test) in sets.items():
        flat, flat_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
        # Standardised columns: Covid3Month's counts span orders of magnitude.
        ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 6, 19)))
        ridge.fit(flat, y)
        ridge_r2 = ridge.score(flat_test, y_test)
        fcn_r2, lstm_r2, fcn_s = [], [], []
        for seed in seeds:
            fcn = LSTMFCNRegressor(random_state=seed)
            fcn_s.append(_timed(fcn.fit, X, y)[1])
            fcn_r2.append(fcn.score(X_test, y_test))
            lstm = LSTMRegressor(random_state=seed).fit(X, y)
            lstm_r2.append(lstm.score(X_test, y_test))
            print(
                f"{name} seed={seed} fcn_r2={fcn_r2[-1]:.4f} lstm_r2={lstm_r2[-1]:.4f}",
                flush=True,
            )
        print(
            f"{name} ({len(X)} train): LSTMFCNRegressor R2 mean {_mean(fcn_r2)} "
            f"(sd {_sd(fcn_r2)}, fit {statistics.fmean(fcn_s):.1f} s) | "
            f"LSTMRegressor mean {_mean(lstm_r2)} | RidgeCV {ridge_r2:.4f}",
            flush=True,
        )


def suite_echo(seeds):
    from sklearn_echo import OneHotSequenceTransformer, make_echo_sequences

    for length in (5, 20):
        X, y = make_echo_sequences(3000, length, 10, random_state=0)
        X_test, y_test = make_echo_sequences(1000, length, 10, random_state=1)
        encoder = OneHotSequenceTransformer(n_features=10)
        X, X_test = encoder.fit_transform(X), encoder.transform(X_test)
        fcn, lstm = [], []
        for seed in seeds:
            fcn.append(
                LSTMFCNClassifier(random_state=seed).fit(X, y).score(X_test, y_test)
            )
            lstm.append(
                LSTMClassifier(random_state=seed).fit(X, y).score(X_test, y_test)
            )
            print(
                f"echo length={length} seed={seed} fcn={fcn[-1]:.4f} "
                f"lstm={lstm[-1]:.4f}",
                flush=True,
            )
        print(
            f"echo, length {length}, 10 values: LSTMFCNClassifier mean {_mean(fcn)} "
            f"(min {min(fcn):.4f}) | LSTMClassifier mean {_mean(lstm)}",
            flush=True,
        )


def _reference_fit(X, y, seed, epochs, batch_size, lr, filters, kernel_sizes):
    """A plain-PyTorch LSTM-FCN loop with the estimator's recipe, by hand."""
    torch.manual_seed(seed)
    classes, y_index = np.unique(y, return_inverse=True)
    module = LSTMFCNModule(
        X.shape[2],
        len(classes),
        t_max=X.shape[1],
        filters=filters,
        kernel_sizes=kernel_sizes,
    )
    # The estimator's optimizer: AdamW with torch's fused kernel.
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=lr, weight_decay=0.0, fused=True
    )
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y_index)
    steps_per_epoch = math.ceil(len(X) / batch_size)
    total = epochs * steps_per_epoch
    step = 0
    for _ in range(epochs):
        module.train()
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start : start + batch_size]
            for group in optimizer.param_groups:
                group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / total))
            step += 1
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(module(X_t[rows]), y_t[rows])
            loss.backward()
            optimizer.step()
    module.recalibrate_norms([(X_t,)])
    module.eval()
    return module, classes


def suite_reference(seeds):
    X, y = _load("GunPoint", "train")
    X_test, y_test = _load("GunPoint", "test")
    X, X_test = _steps(X), _steps(X_test)
    fcn_epoch, ref_epoch, fcn_acc, ref_acc = [], [], [], []
    for seed in seeds:
        fcn = LSTMFCNClassifier(random_state=seed)
        fcn_s = _timed(fcn.fit, X, y)[1]
        fcn_epoch.append(fcn_s / fcn.n_iter_)
        fcn_acc.append(fcn.score(X_test, y_test))
        (module, classes), ref_s = _timed(
            _reference_fit,
            X,
            y,
            seed,
            fcn.n_iter_,
            fcn.batch_size_,
            fcn.lr_,
            fcn.filters,
            fcn.kernel_sizes,
        )
        ref_epoch.append(ref_s / fcn.n_iter_)
        with torch.no_grad():
            pred = classes[module(torch.from_numpy(X_test)).argmax(1).numpy()]
        ref_acc.append(float(np.mean(pred == y_test)))
        print(
            f"GunPoint seed={seed} estimator={fcn_acc[-1]:.4f} "
            f"({1000 * fcn_epoch[-1]:.1f} ms/epoch) reference={ref_acc[-1]:.4f} "
            f"({1000 * ref_epoch[-1]:.1f} ms/epoch)",
            flush=True,
        )
    ratio = statistics.median(f / r for f, r in zip(fcn_epoch, ref_epoch, strict=True))
    print(
        f"GunPoint: estimator mean {_mean(fcn_acc)}, reference loop mean "
        f"{_mean(ref_acc)}; estimator cost per epoch {ratio:.2f}x the loop's "
        "(median over seeds, measured side by side)",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--suite",
        choices=["classify", "length", "regress", "echo", "reference"],
        required=True,
    )
    parser.add_argument("--seeds", default="13000:13010", type=parse_range)
    parser.add_argument(
        "--with-lstm",
        action="store_true",
        help="also fit LSTMClassifier() in the classify suite",
    )
    parser.add_argument(
        "--datasets",
        type=lambda text: text.split(","),
        default=None,
        help="comma-separated: the classify suite's data sets (default: all)",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(
        f"torch_threads={torch.get_num_threads()} torch={torch.__version__} "
        f"suite={args.suite} seeds={args.seeds.start}:{args.seeds.stop}",
        flush=True,
    )
    if args.suite == "classify":
        suite_classify(args.seeds, args.with_lstm, args.datasets)
    elif args.suite == "length":
        suite_length(args.seeds)
    elif args.suite == "regress":
        suite_regress(args.seeds)
    elif args.suite == "echo":
        suite_echo(args.seeds)
    else:
        suite_reference(args.seeds)


if __name__ == "__main__":
    main()
