"""Stopping rules replayed on whole-budget training runs: their stops and scores.

Without a hold-out (training sets under 10,000 sequences) the LSTM
estimators train at a constant learning rate, so the run does not depend on
when the stopping rule ends it: a rule that stops at epoch ``e`` leaves the
model of epoch ``e`` of a run at the whole budget.  This script therefore fits
``LSTMClassifier`` once per task and seed at the whole budget
(``n_iter_no_change`` set out of reach), records each epoch's training loss,
training accuracy, accuracy on held-out data and duration, and then replays
stopping rules on the records:

- ``default``: the estimators' own rule (the training loss, ``tol``,
  ``n_iter_no_change='auto'`` and the plateau, as
  :class:`sklearn_echo._callbacks.StoppingRule` runs it).  ``--verify`` fits
  each task's first seed with the defaults and checks that the replay stops
  at the same epoch.
- ``perfect:P``: the default rule, and also a stop once the training accuracy
  has been 1 for ``P`` gradient steps.
- ``stalled:P``: the default rule, and also a stop once the training
  accuracy has reached no new best for ``P`` gradient steps.
- ``cap:N``: the default rule within ``N`` epochs (``MLPClassifier``'s
  ``max_iter=200`` is ``cap:200``).

Tasks: ``echoN`` (the book config: ``N`` training sequences of length 5
over 10 values, one-hot, scored on 3,000 fresh ones; ``echo200``), the
equal-length recorded sets that aeon ships (``ItalyPowerDemand``,
``BasicMotions``, ``GunPoint``, ``ArrowHead``; standard splits), and
``check``: the fits that
``check_estimator`` makes (no held-out data; their time only, beside
``MLPClassifier``'s ``check_estimator`` in the same run).

One torch thread.  ``--set`` passes parameters to every fit (for example
``--set weight_decay=1.0``).  ``--head-decay-only`` spares the input weights
from ``weight_decay`` as well (the LSTM estimators' ``_not_decayed``), so
that only the output layer decays: a variant measured here, not an option
of the library.

    python benchmarks/bench_stopping.py --tasks echo200,GunPoint,check \\
        --seeds 300:305 --traces traces.jsonl
    python benchmarks/bench_stopping.py --replay traces.jsonl

``benchmarks/results/README.md`` gives the runs behind the user guide's
"Weight decay, and why small fits still run long".
"""

import argparse
import json
import math
import statistics
import time
import warnings

import numpy as np
import torch
from _common import parse_range, parse_set
from bench_learning import TestAccuracyTrace
from sklearn.neural_network import MLPClassifier
from sklearn.utils.estimator_checks import check_estimator
from sklearn.utils.validation import _num_samples

from sklearn_echo import LSTMClassifier, OneHotSequenceTransformer, make_echo_sequences
from sklearn_echo._base import BaseLSTMEstimator
from sklearn_echo._fit_plan import PATIENCE, PLATEAU_FRACTION
from sklearn_echo._targets import ClassTargets

# Epochs out of reach of any budget: the fit runs all of max_epochs.
NEVER = 10**9
DEFAULT_RULES = [
    "default",
    "cap:200",
    "perfect:250",
    "perfect:1000",
    "stalled:250",
    "stalled:1000",
]


def _task_data(task, seed):
    """Return X, y, X_test, y_test of one task and seed."""
    if task.startswith("echo"):
        encoder = OneHotSequenceTransformer(n_features=10)
        X, y = make_echo_sequences(int(task[4:]), 5, 10, random_state=seed)
        X_test, y_test = make_echo_sequences(3000, 5, 10, random_state=10**6)
        return encoder.fit_transform(X), y, encoder.transform(X_test), y_test
    from bench_recorded import _load, _steps

    X, y = _load(task, "train")
    X_test, y_test = _load(task, "test")
    return _steps(X), y, _steps(X_test), y_test


def _record(estimator, n_train, task, seed, fit_s):
    """Return one fit's record: its epochs' values and what the rule needs."""
    history = estimator.net_.history
    rule = dict(estimator.net_.callbacks_)["stopping"]
    record = {
        "task": task,
        "seed": seed,
        "fit_s": fit_s,
        "n_train": int(n_train),
        "batch_size": int(estimator.batch_size_),
        "prior_loss": float(rule.prior_loss),
        "tol": float(rule.tol),
    }
    for key in ("train_loss", "train_acc", "test_acc", "dur"):
        if all(key in row for row in history):
            record[key] = [float(row[key]) for row in history]
    return record


def _counting(estimator_class, records, task, seed):
    """Wrap ``estimator_class.fit`` so that each fit appends its record."""
    original = estimator_class.fit

    def fit(self, X, y=None, **params):
        start = time.perf_counter()
        result = original(self, X, y, **params)
        seconds = time.perf_counter() - start
        records.append(_record(self, _num_samples(X), task, seed, seconds))
        return result

    estimator_class.fit = fit
    return original


def trace(tasks, seeds, params, path):
    """Fit every task and seed at the whole budget; append the records to ``path``."""
    with open(path, "a") as out:
        for task in tasks:
            for seed in seeds:
                records = []
                if task == "check":
                    records.append(_time_check(MLPClassifier(), "check-mlp", seed))
                    original = _counting(LSTMClassifier, records, task, seed)
                    try:
                        estimator = LSTMClassifier(
                            n_iter_no_change=NEVER, random_state=seed, **params
                        )
                        records.append(_time_check(estimator, "check-total", seed))
                    finally:
                        LSTMClassifier.fit = original
                else:
                    X, y, X_test, y_test = _task_data(task, seed)
                    classes = np.unique(y)
                    callback = TestAccuracyTrace(
                        np.ascontiguousarray(X_test, dtype=np.float32),
                        np.searchsorted(classes, y_test),
                    )
                    estimator = LSTMClassifier(
                        n_iter_no_change=NEVER,
                        random_state=seed,
                        callbacks=[("held_out", callback)],
                        **params,
                    )
                    start = time.perf_counter()
                    estimator.fit(X, y)
                    seconds = time.perf_counter() - start
                    records.append(_record(estimator, len(y), task, seed, seconds))
                for record in records:
                    record["params"] = params
                    if "*weight_ih*" in BaseLSTMEstimator._not_decayed:
                        record["params"] = {**params, "head_decay_only": True}
                    out.write(json.dumps(record) + "\n")
                out.flush()
                print(f"traced {task} seed={seed}: {len(records)} records", flush=True)


def _time_check(estimator, kind, seed):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator, on_fail=None)
    return {"task": kind, "seed": seed, "seconds": time.perf_counter() - start}


def default_patience(record):
    """The patience in epochs that ``n_iter_no_change='auto'`` gives this fit."""
    steps_per_epoch = -(-record["n_train"] // record["batch_size"])
    steps = ClassTargets.no_hold_out_rule.patience_steps
    return max(PATIENCE, -(-steps // steps_per_epoch))


def stop_epoch(record, rule):
    """Return the index of the epoch at which ``rule`` ends the recorded fit."""
    kind, _, number = rule.partition(":")
    losses, accuracies = record["train_loss"], record.get("train_acc")
    if kind == "cap":
        losses = losses[: int(number)]
    steps_per_epoch = -(-record["n_train"] // record["batch_size"])
    if kind in ("perfect", "stalled"):
        # P gradient steps, as whole epochs.
        extra = max(1, math.ceil(int(number) / steps_per_epoch))
    patience = default_patience(record)
    best, no_change, learnt = math.inf, 0, record["prior_loss"] <= 0
    best_accuracy, accuracy_still, perfect_run = -1.0, 0, 0
    for epoch, loss in enumerate(losses):
        improved = loss < best - record["tol"]
        if improved:
            best = loss
        if not learnt:
            learnt = loss <= PLATEAU_FRACTION * record["prior_loss"]
        if improved or not learnt:
            no_change = 0
        else:
            no_change += 1
            if no_change >= patience:
                return epoch
        if accuracies is None or kind in ("default", "cap"):
            continue
        accuracy = accuracies[epoch]
        perfect_run = perfect_run + 1 if accuracy >= 1.0 else 0
        if accuracy > best_accuracy:
            best_accuracy, accuracy_still = accuracy, 0
        else:
            accuracy_still += 1
        if kind == "perfect" and perfect_run >= extra:
            return epoch
        if kind == "stalled" and accuracy_still >= extra:
            return epoch
    return len(losses) - 1


def _fit_seconds(record, stop):
    """The seconds of a fit stopped after epoch index ``stop``.

    The epochs' own durations, and a share of the rest of the recorded fit
    (building the net, the callbacks after skorch's epoch timer) in
    proportion to the epochs run.
    """
    epochs = record["dur"][: stop + 1]
    outside = record["fit_s"] - sum(record["dur"])
    return sum(epochs) + outside * len(epochs) / len(record["dur"])


def replay(paths, rules):
    """Print, per rule and task, the held-out accuracy at the stop and the time."""
    records = [json.loads(line) for path in paths for line in open(path)]
    groups = {}
    for record in records:
        key = (json.dumps(record.get("params", {}), sort_keys=True), record["task"])
        groups.setdefault(key, []).append(record)
    for (params, task), group in sorted(groups.items()):
        if task.startswith("check-"):
            continue
        print(f"{task} params={params} seeds={sorted({r['seed'] for r in group})}")
        if task == "check":
            totals = {
                r["task"]: r
                for r in records
                if r["task"].startswith("check-")
                and json.dumps(r.get("params", {}), sort_keys=True) == params
            }
            full_fit_s = sum(r["fit_s"] for r in group)
            rest = totals["check-total"]["seconds"] - full_fit_s
            mlp = totals["check-mlp"]["seconds"]
            for rule in rules:
                fit_s = sum(_fit_seconds(r, stop_epoch(r, rule)) for r in group)
                print(
                    f"  {rule:14s} {len(group)} fits: {fit_s:6.1f} s of fitting "
                    f"(whole budget {full_fit_s:.1f} s); check_estimator about "
                    f"{rest + fit_s:.1f} s, {(rest + fit_s) / mlp:.1f}x "
                    f"MLPClassifier's {mlp:.1f} s"
                )
            continue
        for rule in rules:
            stops = [stop_epoch(r, rule) for r in group]
            scores = [r["test_acc"][e] for r, e in zip(group, stops, strict=True)]
            seconds = [
                sum(r["dur"][: e + 1]) for r, e in zip(group, stops, strict=True)
            ]
            print(
                f"  {rule:14s} held-out accuracy mean {statistics.fmean(scores):.3f} "
                f"min {min(scores):.3f} | stops after epoch "
                f"{statistics.median(stops) + 1:.0f} (median) | training "
                f"median {statistics.median(seconds):.1f} s"
            )
        best = [max(r["test_acc"]) for r in group]
        print(
            f"  {'best epoch':14s} held-out accuracy mean {statistics.fmean(best):.3f}"
        )


def verify(tasks, seed, params):
    """Fit each task's seed with the defaults; check the replay's stopping epoch."""
    for task in tasks:
        if task == "check":
            continue
        X, y, _, _ = _task_data(task, seed)
        defaults = LSTMClassifier(random_state=seed, **params).fit(X, y)
        traced = LSTMClassifier(
            n_iter_no_change=NEVER, random_state=seed, **params
        ).fit(X, y)
        record = _record(traced, len(y), task, seed, 0.0)
        replayed = stop_epoch(record, "default") + 1
        print(
            f"verify {task} seed={seed}: default fit n_iter_={defaults.n_iter_}, "
            f"replayed {replayed}: {defaults.n_iter_ == replayed}",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=lambda text: text.split(","), default=[])
    parser.add_argument("--seeds", default="300:305", type=parse_range)
    parser.add_argument("--set", nargs="*", default=[], help="name=value ...")
    parser.add_argument("--traces", help="append the records to this file")
    parser.add_argument("--replay", nargs="*", default=[], help="trace files")
    parser.add_argument("--rules", type=lambda text: text.split(","), default=None)
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--head-decay-only", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    params = parse_set(args.set)
    if args.head_decay_only:
        BaseLSTMEstimator._not_decayed += ("*weight_ih*",)
    print(
        f"torch_threads=1 torch={torch.__version__} tasks={args.tasks} "
        f"seeds={args.seeds.start}:{args.seeds.stop} params={params}",
        flush=True,
    )
    if args.verify:
        verify(args.tasks, args.seeds.start, params)
    if args.tasks and not (args.traces or args.verify):
        parser.error("--tasks needs --traces FILE or --verify")
    if args.tasks and args.traces:
        trace(args.tasks, args.seeds, params, args.traces)
    paths = args.replay or ([args.traces] if args.traces else [])
    if paths:
        replay(paths, args.rules or DEFAULT_RULES)


if __name__ == "__main__":
    main()
