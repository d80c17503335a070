"""Token path against the dense one-hot path: training and predict throughput.

``LSTMClassifier`` on the one-hot array (already encoded, so encoding is not
timed) against ``TokenLSTMClassifier`` on the integer tokens: the same model
(same seed, same initial weights), the same data, batch size and epochs.  The
two are timed alternately; medians of the repeats and the ratio token/one-hot
are printed (>1: the token path is faster).  torch uses 1 thread.

Then the two ways a token module reads its tokens (``LSTMModule(lookup=...)``),
timed per training batch (64 sequences of 30 steps, Adam) at vocabularies
around the first layer's gates (``4 * hidden_size``), where
``uses_lookup`` switches from one to the other: the one-hot way multiplies
each step's ``n_features`` values by the input weights, the lookup way a
``4 * hidden_size`` projection by a fixed selector.

    python benchmarks/bench_token_path.py
    python benchmarks/bench_token_path.py --repeats 5
"""

import argparse
import statistics
import time
import warnings

import torch

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo._module import LSTMModule, uses_lookup

CONFIGS = [
    # (length, n_features, n_train)
    (50, 20, 10_000),
    (50, 100, 10_000),
    (200, 1000, 2_000),
]


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def batch_microseconds(n_features, hidden_size, lookup, n_batches):
    """Median time of one training step of a token module, in microseconds."""
    torch.manual_seed(0)
    module = LSTMModule(
        n_features, 10, hidden_size=hidden_size, tokens=True, lookup=lookup
    )
    trained = [param for param in module.parameters() if param.requires_grad]
    optimizer = torch.optim.Adam(trained, lr=0.01, fused=True)
    criterion = torch.nn.CrossEntropyLoss()
    X = torch.randint(0, n_features + 1, (64, 30))
    y = torch.randint(0, 10, (64,))

    def step():
        loss = criterion(module(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(10):
        step()
    return 1e6 * statistics.median(timed(step) for _ in range(n_batches))


def compare_ways(args):
    print(
        f"\n{'hidden':>6}{'values':>8}{'one-hot us':>12}{'lookup us':>11}"
        f"{'one-hot/lookup':>16}  uses_lookup"
    )
    for hidden in (25, 100):
        gates = 4 * hidden
        for n_features in (20, gates // 2, gates - 2, gates, 2 * gates):
            times = {}
            for _ in range(args.repeats):
                for lookup in (False, True):
                    micros = batch_microseconds(n_features, hidden, lookup, 50)
                    times.setdefault(lookup, []).append(micros)
            onehot, lookup = (statistics.median(times[key]) for key in (False, True))
            print(
                f"{hidden:>6}{n_features:>8}{onehot:>12,.0f}{lookup:>11,.0f}"
                f"{onehot / lookup:>16.2f}  {uses_lookup(n_features, hidden, False)}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    # 1,000 classes over 2,000 sequences makes check_classification_targets warn
    # that y might be continuous; here it is not (keeps the one-hot array small).
    warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
        f"1 epoch per fit, medians of {args.repeats}"
    )
    print(
        f"{'length':>6}{'values':>8}{'n':>7}{'path':>8}{'fit seq/s':>11}"
        f"{'predict seq/s':>15}{'input bytes/seq':>17}"
    )
    for length, n_features, n_train in CONFIGS:
        X, y = make_echo_sequences(n_train, length, n_features, random_state=0)
        onehot = OneHotSequenceTransformer(n_features=n_features).fit_transform(X)
        params = {"max_epochs": 1, "random_state": 0}
        dense = LSTMClassifier(**params)
        token = TokenLSTMClassifier(n_features=n_features, **params)
        dense.fit(onehot[:256], y[:256])  # warm-up
        token.fit(X[:256], y[:256])
        times = {"one-hot": ([], []), "tokens": ([], [])}
        for _ in range(args.repeats):
            for name, model, data in (("one-hot", dense, onehot), ("tokens", token, X)):
                times[name][0].append(timed(model.fit, data, y))
                times[name][1].append(timed(model.predict, data))
        rates = {}
        for name, data in (("one-hot", onehot), ("tokens", X)):
            fit_s = statistics.median(times[name][0])
            predict_s = statistics.median(times[name][1])
            rates[name] = (n_train / fit_s, n_train / predict_s)
            print(
                f"{length:>6}{n_features:>8}{n_train:>7}{name:>8}"
                f"{rates[name][0]:>11,.0f}{rates[name][1]:>15,.0f}"
                f"{data[0].nbytes:>17,}"
            )
        print(
            f"{'':>29}ratio tokens/one-hot: fit "
            f"{rates['tokens'][0] / rates['one-hot'][0]:.2f}x, predict "
            f"{rates['tokens'][1] / rates['one-hot'][1]:.2f}x"
        )
    compare_ways(args)


if __name__ == "__main__":
    main()
