"""How long does ``check_estimator`` take with the defaults, beside scikit-learn's MLP?

scikit-learn's common checks fit the estimator dozens of times on tiny data
sets (10 to 300 rows).  This script times ``check_estimator`` on each of this
package's estimators with its default parameters, and on ``MLPClassifier`` or
``MLPRegressor`` in the same run, and prints the ratio.  It also counts the
fits and their epochs (``n_iter_``), which say where the time goes.

One torch thread (``--threads``); warnings silenced.  A check that fails is
named (``check_sample_weight_equivalence_on_dense_data`` fails by design:
``tests/test_common.py`` lists it as an expected failure, with its reason).

    python benchmarks/bench_check_estimator.py
    python benchmarks/bench_check_estimator.py --estimators LSTMClassifier

To compare two versions of the package side by side, run the script twice in
one session, once with ``PYTHONPATH`` pointing at a checkout of the other.
"""

import argparse
import collections
import time
import warnings

import torch
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.estimator_checks import check_estimator

import sklearn_echo

BASELINES = {
    "LSTMClassifier": MLPClassifier,
    "TokenLSTMClassifier": MLPClassifier,
    "LSTMFCNClassifier": MLPClassifier,
    "LSTMRegressor": MLPRegressor,
    "LSTMFCNRegressor": MLPRegressor,
}


def timed_check(estimator_class):
    """Run ``check_estimator`` on the defaults; return seconds, fits, failures."""
    fits = collections.Counter()
    original_fit = estimator_class.fit

    def counting_fit(self, X, y=None, **params):
        result = original_fit(self, X, y, **params)
        fits["fits"] += 1
        fits["epochs"] += int(getattr(self, "n_iter_", 0) or 0)
        return result

    estimator_class.fit = counting_fit
    try:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = check_estimator(estimator_class(), on_fail=None)
        seconds = time.perf_counter() - start
    finally:
        estimator_class.fit = original_fit
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    return seconds, fits, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--estimators",
        default="LSTMClassifier,LSTMRegressor",
        help=f"comma-separated, from {', '.join(BASELINES)}",
    )
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch_threads={args.threads} torch={torch.__version__} "
        f"sklearn_echo={sklearn_echo.__file__}",
        flush=True,
    )
    for name in args.estimators.split(","):
        baseline = BASELINES[name]
        base_s, base_fits, base_failed = timed_check(baseline)
        ours_s, fits, failed = timed_check(getattr(sklearn_echo, name))
        print(
            f"{name}: {ours_s:.1f} s ({fits['fits']} fits, {fits['epochs']} epochs, "
            f"failed={failed}) | {baseline.__name__}: {base_s:.1f} s "
            f"({base_fits['fits']} fits, failed={base_failed}) | "
            f"ratio {ours_s / base_s:.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
