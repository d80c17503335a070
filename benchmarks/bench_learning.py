"""Seed sweep: does LSTMClassifier with its defaults learn the echo problem?

For each seed, a fresh fixed training set is generated, the Pipeline
``OneHotSequenceTransformer -> LSTMClassifier(random_state=seed)`` is fitted with
its defaults, and scored on 10,000 fresh sequences.  Prints one row per seed and a
summary.  torch runs on 1 thread (set below; pass --threads to change).

    python benchmarks/bench_learning.py --config tutorial --seeds 10
    python benchmarks/bench_learning.py --config book --seeds 10
    python benchmarks/bench_learning.py --seeds 3 --trace --max-epochs 16

--trace adds the test accuracy after every epoch (it costs time, so fit times
printed with --trace are not the defaults' fit times).
"""

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_echo import LSTMClassifier, OneHotSequenceTransformer, make_echo_sequences

CONFIGS = {
    # name: (length, n_features, out_index, n_train)
    "book": (5, 10, 2, 10_000),
    "tutorial": (50, 100, 2, 20_000),
}


class TestAccuracyTrace(Callback):
    """Record the accuracy on held-out sequences after each epoch."""

    def __init__(self, X_test, y_test):
        self.X_test = X_test
        self.y_test = y_test

    def on_epoch_end(self, net, **kwargs):
        module = net.module_
        module.eval()
        with torch.inference_mode():
            device = next(module.parameters()).device
            logits = module(torch.from_numpy(self.X_test).to(device)).cpu()
        module.train()
        accuracy = float((logits.argmax(1).numpy() == self.y_test).mean())
        net.history.record("test_acc", accuracy)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="tutorial")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-test", type=int, default=10_000)
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--device", default="cpu", help="e.g. cuda")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    length, n_features, out_index, n_train = CONFIGS[args.config]
    print(
        f"config={args.config} length={length} n_features={n_features} "
        f"out_index={out_index} n_train={n_train} n_test={args.n_test} "
        f"torch_threads={torch.get_num_threads()} torch={torch.__version__} "
        f"device={args.device}"
    )
    X_test, y_test = make_echo_sequences(
        args.n_test, length, n_features, out_index=out_index, random_state=10**6
    )
    encoder = OneHotSequenceTransformer(n_features=n_features).fit(X_test)
    onehot_test = encoder.transform(X_test)

    # Warm-up: the first fit of a process pays one-off torch initialisation.
    X_warm, y_warm = make_echo_sequences(256, length, n_features, random_state=0)
    LSTMClassifier(max_epochs=1, device=args.device).fit(
        encoder.transform(X_warm), y_warm
    )

    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        X, y = make_echo_sequences(
            n_train, length, n_features, out_index=out_index, random_state=seed
        )
        params = {"random_state": seed, "device": args.device}
        if args.max_epochs:
            params["max_epochs"] = args.max_epochs
        if args.trace:
            params["callbacks"] = [TestAccuracyTrace(onehot_test, y_test)]
        model = make_pipeline(
            OneHotSequenceTransformer(n_features=n_features), LSTMClassifier(**params)
        )
        start = time.perf_counter()
        model.fit(X, y)
        fit_s = time.perf_counter() - start
        accuracy = model.score(X_test, y_test)
        classifier = model[-1]
        rows.append((seed, classifier.n_iter_, fit_s, accuracy))
        line = (
            f"seed={seed:3d} epochs={classifier.n_iter_:3d} fit_s={fit_s:6.2f} "
            f"test_acc={accuracy:.4f}"
        )
        if args.trace:
            trace = classifier.net_.history[:, "test_acc"]
            line += " trace=" + " ".join(f"{a:.3f}" for a in trace)
        print(line, flush=True)

    accuracies = [row[3] for row in rows]
    times = [row[2] for row in rows]
    print(
        f"summary: {sum(a >= 0.99 for a in accuracies)}/{len(rows)} seeds >= 99%, "
        f"{sum(a == 1.0 for a in accuracies)}/{len(rows)} at 100%, "
        f"median fit {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}), "
        f"median accuracy {statistics.median(accuracies):.4f}"
    )
    return np.array(rows)


if __name__ == "__main__":
    main()
