"""What sequences of different lengths cost, beside equal-length ones.

The same number of echo sequences (20 values, ``out_index=2``) is trained
and predicted three times, side by side in one run: with lengths uniform in
[10, 50] (``make_echo_sequences(min_length=10)``, a list of sequences), all
of length 50, and all of length 30 (arrays).  ``/50`` is the ratio the
issue asks about: the mean length is 30 of 50, so 0.6 is where every step
costs the same and nothing else does.  ``/30`` compares with sequences of
the same mean length and no padding at all: 1.0 means that variable
lengths cost what their real steps cost.

Rows:

- ``pipeline``: ``OneHotSequenceTransformer -> LSTMClassifier``;
- ``token``: ``TokenLSTMClassifier``;
- ``pipeline, random batches``: the pipeline with the batches drawn at random
  instead of by length (``POOL_BATCHES = 1``): what padding each batch to
  its longest sequence would cost without sorting by length;
- ``pipeline, batches by steps``: the pipeline with its training batches cut
  by steps instead of sequences (``_common.step_budget_batches``: as many
  sequences as fit in 64 x 50 steps, so a batch of short sequences holds
  more of them), a design the library does not use: an epoch costs less,
  but it takes more epochs to learn (see the user guide);
- ``pipeline, burn_in=20``: the pipeline starting every sequence from the
  state reached by reading 20 mean steps (one extra forward pass of 20 steps
  for one sequence per batch, no gradient); the last lines give its times
  over the default pipeline's;
- ``plain torch``: a hand-written loop (the same module, Adam, batches of
  64), on batches of one length: 30 steps against 50 (``30/50``).  The time
  of a batch has a part that does not depend on its length (the LSTM's
  backward pass set-up, the optimizer step, the head), so even this loop
  stays above 0.6: no training on these batches can beat its ratio.  In the
  ``10..50`` column the same loop runs the lengths of the list's sorted
  batches (each batch's longest, as many batches as the list has, in a
  random order as training draws them), every batch of one length and read
  at its sequences' ends through ``LSTMModule.forward(X, lengths)``: what
  plain PyTorch pays for the list's batches with no batch building and no
  padding at all;
- ``plain torch, pool order``: the same batches in the order they are cut
  from the pools sorted by length (short to long, 50 times an epoch), so the
  length changes only a little from one batch to the next: what changing the
  length at every batch costs the LSTM kernel.

Training is ``max_epochs`` epochs with the stopping rule off
(``early_stopping=False``, ``n_iter_no_change`` larger than the epochs);
prediction is ``predict_proba`` on the training sequences.  Each time is the
median of ``--repeats`` runs, the two lengths alternating.  torch runs on
``--threads`` threads (default 1).  ``--hidden-size`` sets the LSTM's state
size for every row (default 25, the estimators' default): the larger the
state, the more of a batch's time is per step, and the nearer every ratio
comes to the steps ratio.

    python benchmarks/bench_variable_length.py
    python benchmarks/bench_variable_length.py --n 5000 --repeats 3
    python benchmarks/bench_variable_length.py --hidden-size 100 --repeats 3
"""

import argparse
import statistics
import time

import numpy as np
import torch
from _common import batches_by_steps
from sklearn.pipeline import make_pipeline

import sklearn_echo._ragged as ragged
from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo._module import LSTMModule

N_FEATURES, LENGTH, MIN_LENGTH = 20, 50, 10


def _model(kind, epochs, burn_in=0, hidden_size=25):
    params = {
        "hidden_size": hidden_size,
        "burn_in": burn_in,
        "max_epochs": epochs,
        "early_stopping": False,
        "n_iter_no_change": epochs + 1,
        "random_state": 0,
    }
    if kind == "token":
        return TokenLSTMClassifier(n_features=N_FEATURES, **params)
    return make_pipeline(
        OneHotSequenceTransformer(n_features=N_FEATURES), LSTMClassifier(**params)
    )


def _time(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _estimator_rows(args, data):
    rows = []
    pool = ragged.POOL_BATCHES
    for name, kind, pool_batches, burn_in, by_steps in (
        ("pipeline", "pipeline", pool, 0, False),
        ("token", "token", pool, 0, False),
        ("pipeline, random batches", "pipeline", 1, 0, False),
        ("pipeline, batches by steps", "pipeline", pool, 0, True),
        ("pipeline, burn_in=20", "pipeline", pool, 20, False),
    ):
        times = {"fit": {}, "predict": {}}
        for _ in range(args.repeats):
            for shape, (X, y) in data.items():
                ragged.POOL_BATCHES = pool_batches
                try:
                    model = _model(kind, args.epochs, burn_in, args.hidden_size)
                    with batches_by_steps(by_steps):
                        # The lambdas run at once, inside this iteration (B023
                        # is about closures called after the loop has moved on).
                        fit = _time(lambda: model.fit(X, y))  # noqa: B023
                    predict = _time(lambda: model.predict_proba(X))  # noqa: B023
                finally:
                    ragged.POOL_BATCHES = pool
                times["fit"].setdefault(shape, []).append(fit)
                times["predict"].setdefault(shape, []).append(predict)
        for what, per_shape in times.items():
            if what == "predict" and (by_steps or pool_batches != pool):
                continue  # prediction does not draw batches
            rows.append(
                (
                    f"{name} {what}",
                    *(statistics.median(per_shape[key]) for key in data),
                )
            )
    return rows


def _plain_rows(args, lengths):
    """A plain PyTorch training loop: the list's batch lengths, 50 and 30 steps."""
    module = LSTMModule(
        N_FEATURES, N_FEATURES, hidden_size=args.hidden_size, t_max=LENGTH
    )
    optimizer = torch.optim.Adam(module.parameters(), lr=0.01, fused=True)
    criterion = torch.nn.CrossEntropyLoss()
    n_batches = args.n // 64
    rng = np.random.RandomState(0)
    # The longest sequence of each of the list's batches, as an epoch draws them:
    # cut from pools sorted by length, then shuffled.
    order = rng.permutation(len(lengths))
    in_pools = [
        int(lengths[rows].max())
        for rows in ragged.length_sorted_batches(order, lengths, 64, pooled=True)
    ][:n_batches]
    longest = [in_pools[i] for i in rng.permutation(len(in_pools))]
    batches = {}
    for steps in {30, 50, *longest}:
        tokens = rng.randint(N_FEATURES, size=(64, steps))
        batches[steps] = (
            torch.eye(N_FEATURES)[tokens],
            torch.from_numpy(tokens[:, 2]),
            torch.full((64,), steps),
        )
    epochs = {
        "10..50": longest,
        "pools": in_pools,
        "50": [50] * n_batches,
        "30": [30] * n_batches,
    }

    def epoch(key):
        for steps in epochs[key]:
            X, y, ends = batches[steps]
            y_pred = module(X, ends) if key in ("10..50", "pools") else module(X)
            loss = criterion(y_pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    times = {key: [] for key in epochs}
    for _ in range(args.repeats):
        for key in epochs:
            # Called at once, inside this iteration.
            times[key].append(_time(lambda: epoch(key)))  # noqa: B023
    return [
        (name, *(statistics.median(times[key]) for key in (first, "50", "30")))
        for name, first in (
            ("plain torch, one epoch", "10..50"),
            ("plain torch, pool order", "pools"),
        )
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--hidden-size", type=int, default=25)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y = make_echo_sequences(
        args.n, LENGTH, N_FEATURES, min_length=MIN_LENGTH, random_state=0
    )
    X_50, y_50 = make_echo_sequences(args.n, LENGTH, N_FEATURES, random_state=0)
    X_30, y_30 = make_echo_sequences(args.n, 30, N_FEATURES, random_state=0)
    mean_length = statistics.fmean(len(x) for x in X)
    print(
        f"torch_threads={torch.get_num_threads()} torch={torch.__version__} "
        f"n={args.n} epochs={args.epochs} repeats={args.repeats} "
        f"hidden_size={args.hidden_size} "
        f"mean length {mean_length:.1f} of {LENGTH} (steps ratio "
        f"{mean_length / LENGTH:.3f})"
    )
    # Warm-up: the first fit of a process pays one-off torch initialisation.
    _model("pipeline", 1).fit(X[:500], y[:500])
    data = {"10..50": (X, y), "50": (X_50, y_50), "30": (X_30, y_30)}
    lengths = np.array([len(x) for x in X])
    rows = [*_estimator_rows(args, data), *_plain_rows(args, lengths)]
    header = ("10..50 s", "50 s", "30 s", "/50", "/30", "30/50")
    print(f"{'':34s}" + "".join(f"{text:>10s}" for text in header))
    for name, ragged_s, equal_50, equal_30 in rows:
        cells = (
            ragged_s,
            equal_50,
            equal_30,
            ragged_s / equal_50,
            ragged_s / equal_30,
            equal_30 / equal_50,
        )
        print(f"{name:34s}" + "".join(f"{value:10.3f}" for value in cells))
    times = {row[0]: row[1:] for row in rows}
    for what in ("fit", "predict"):
        ratios = (
            burn / plain
            for burn, plain in zip(
                times[f"pipeline, burn_in=20 {what}"],
                times[f"pipeline {what}"],
                strict=True,
            )
        )
        print(
            f"pipeline {what}, burn_in=20 over burn_in=0: "
            + ", ".join(
                f"{key} {ratio:.3f}"
                for key, ratio in zip(("10..50", "50", "30"), ratios, strict=True)
            )
        )


if __name__ == "__main__":
    main()
