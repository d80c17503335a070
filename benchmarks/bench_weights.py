"""Does class_weight='balanced' find a rare class?  An imbalanced echo problem.

The echo problem (``make_echo_sequences``: the label is the token at
``out_index``) with noisy labels (``flip_y``: that share of the labels
replaced by random classes), made imbalanced by keeping only ``--keep`` of
the training rows whose label is class 0.  On such data a token 0 at
``out_index`` is more often labelled with another class than with 0, so a
model of the training distribution rightly never predicts the rare class;
weighting each class inversely to its frequency (``class_weight=
'balanced'``) trains on the balanced distribution instead.  Both are scored
on fresh, balanced sequences (``random_state=10**6``, no label noise):
the recall of class 0, the balanced accuracy, and the accuracy.

For each seed a fresh training set is drawn (``random_state=seed``) and
``TokenLSTMClassifier(n_features=..., random_state=seed)`` is fitted with and
without ``class_weight='balanced'``, on one torch thread.

    python benchmarks/bench_weights.py --seeds 9000:9005

``--set name=value`` overrides a parameter of both fits (repeatable).
"""

import argparse
import statistics
import time

import numpy as np
import torch
from _common import parse_range, parse_set
from sklearn.metrics import accuracy_score, balanced_accuracy_score, recall_score

from sklearn_echo import TokenLSTMClassifier, make_echo_sequences


def imbalanced_echo(n_samples, length, n_features, flip_y, keep, seed):
    """Echo sequences of noisy labels, with ``keep`` of the class-0 rows kept."""
    X, y = make_echo_sequences(
        n_samples=n_samples,
        length=length,
        n_features=n_features,
        flip_y=flip_y,
        random_state=seed,
    )
    rng = np.random.RandomState(seed)
    kept = (y != 0) | (rng.uniform(size=len(y)) < keep)
    return X[kept], y[kept]


def mean_sd(values):
    return f"{statistics.fmean(values):.3f} ± {statistics.stdev(values):.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="9000:9005", type=str)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--n-test", type=int, default=5000)
    parser.add_argument("--length", type=int, default=5)
    parser.add_argument("--n-features", type=int, default=5)
    parser.add_argument("--flip-y", type=float, default=0.2)
    parser.add_argument("--keep", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    params = {"max_epochs": 30, **parse_set(args.set)}
    seeds = parse_range(args.seeds)
    print(
        f"imbalanced echo: n_train={args.n_train} (before thinning) "
        f"length={args.length} n_features={args.n_features} flip_y={args.flip_y} "
        f"keep={args.keep} of class 0; n_test={args.n_test} balanced, no noise; "
        f"seeds={args.seeds} params={params} threads={args.threads}",
        flush=True,
    )
    X_test, y_test = make_echo_sequences(
        n_samples=args.n_test,
        length=args.length,
        n_features=args.n_features,
        random_state=10**6,
    )
    results = {None: [], "balanced": []}
    for seed in seeds:
        X, y = imbalanced_echo(
            args.n_train, args.length, args.n_features, args.flip_y, args.keep, seed
        )
        for class_weight in results:
            clf = TokenLSTMClassifier(
                n_features=args.n_features,
                class_weight=class_weight,
                random_state=seed,
                **params,
            )
            start = time.perf_counter()
            clf.fit(X, y)
            fit_s = time.perf_counter() - start
            y_pred = clf.predict(X_test)
            row = (
                recall_score(y_test, y_pred, labels=[0], average=None)[0],
                balanced_accuracy_score(y_test, y_pred),
                accuracy_score(y_test, y_pred),
            )
            results[class_weight].append(row)
            print(
                f"seed={seed} class_weight={class_weight!s:8} rows={len(y)} "
                f"class0={int((y == 0).sum())} epochs={clf.n_iter_:3d} "
                f"fit_s={fit_s:6.1f} recall0={row[0]:.3f} "
                f"balanced_acc={row[1]:.3f} acc={row[2]:.3f}",
                flush=True,
            )
    print(f"mean ± sd over {len(seeds)} seeds:")
    for class_weight, rows in results.items():
        recall, balanced, accuracy = zip(*rows, strict=True)
        print(
            f"class_weight={class_weight!s:8} recall0 {mean_sd(recall)}  "
            f"balanced_acc {mean_sd(balanced)}  acc {mean_sd(accuracy)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
