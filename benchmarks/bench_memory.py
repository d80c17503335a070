"""Peak memory (RSS) of fit and predict through each input path.

Each measurement runs in a fresh process (peak RSS is per process), which
generates the echo data as int64 tokens, then fits one epoch and predicts
through one path:

- ``onehot``: ``make_pipeline(OneHotSequenceTransformer, LSTMClassifier)``, which
  materialises the float32 one-hot array;
- ``tokens``: ``TokenLSTMClassifier``, which never does.

Printed per run: RSS after imports and after generating the tokens, the peak
RSS at the end of fit, and the peak after predicting the training set.  torch
uses 1 thread.

    python benchmarks/bench_memory.py                      # the issue's sizes
    python benchmarks/bench_memory.py --paths tokens --n 1000000
    python benchmarks/bench_memory.py --paths tokens --n 1000000 --min-length 10
"""

import argparse
import json
import resource
import subprocess
import sys


def _rss_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def child(path, n, length, n_features, min_length):
    import torch
    from sklearn.pipeline import make_pipeline

    from sklearn_echo import (
        LSTMClassifier,
        OneHotSequenceTransformer,
        TokenLSTMClassifier,
        make_echo_sequences,
    )

    torch.set_num_threads(1)
    after_imports = _rss_mb()
    X, y = make_echo_sequences(
        n, length, n_features, min_length=min_length, random_state=0
    )
    after_data = _rss_mb()
    if path == "onehot":
        model = make_pipeline(
            OneHotSequenceTransformer(n_features=n_features),
            LSTMClassifier(max_epochs=1, random_state=0),
        )
    else:
        model = TokenLSTMClassifier(n_features=n_features, max_epochs=1, random_state=0)
    model.fit(X, y)
    fit_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model.predict(X)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "imports": after_imports,
                "data": after_data,
                "fit": fit_peak,
                "peak": peak,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", nargs="+", default=["tokens", "onehot"])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--length", type=int, default=50)
    parser.add_argument(
        "--min-length",
        type=int,
        default=None,
        help="lengths uniform in [min-length, length]: a list of sequences",
    )
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument(
        "--onehot-max-n",
        type=int,
        default=100_000,
        help="skip the one-hot path above this n (1M x 50 x 100 floats is 20 GB)",
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, n, length, n_features, min_length = args.child
        min_length = None if min_length == "None" else int(min_length)
        child(path, int(n), int(length), int(n_features), min_length)
        return
    lengths = (
        f"length={args.length}"
        if args.min_length is None
        else f"lengths {args.min_length}..{args.length} (a list of sequences)"
    )
    print(
        f"{lengths} n_features={args.n_features}, fit 1 epoch + predict, "
        "1 torch thread, RSS in MB"
    )
    print(
        f"{'path':8}{'n':>11}{'imports':>10}{'+tokens':>10}{'fit peak':>10}"
        f"{'+predict':>10}{'one-hot array':>16}"
    )
    for n in args.n:
        for path in args.paths:
            onehot_mb = n * args.length * args.n_features * 4 / 2**20
            if path == "onehot" and n > args.onehot_max_n:
                print(
                    f"{path:8}{n:>11,}{'skipped: the one-hot array alone is':>40} "
                    f"{onehot_mb:,.0f} MB"
                )
                continue
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    path,
                    str(n),
                    str(args.length),
                    str(args.n_features),
                    str(args.min_length),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{path:8}{n:>11,}{r['imports']:>10,.0f}{r['data']:>10,.0f}"
                f"{r['fit']:>10,.0f}{r['peak']:>10,.0f}"
                f"{onehot_mb if path == 'onehot' else 0:>16,.0f}"
            )


if __name__ == "__main__":
    main()
