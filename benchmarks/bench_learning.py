"""Does LSTMClassifier with its defaults learn?  Seeds, data sizes, real data.

Three suites, each printing one row per seed (or data set) and a summary;
torch runs on 1 thread (``--threads`` to change).

``echo``: the echo problem.  For each seed a fresh training set is drawn
(``random_state=seed``), ``OneHotSequenceTransformer -> LSTMClassifier`` is
fitted with its defaults and scored on 10,000 fresh sequences.  Beside each
fit, one epoch of a plain PyTorch loop (the same module, optimizer, batch
size and clipping, on the same one-hot data) is timed, and the fit is
reported in those epochs (``plain_epochs``): a measure of the budget that
does not depend on how busy the machine is.

    python benchmarks/bench_learning.py echo --config tutorial --seeds 2000:2030
    python benchmarks/bench_learning.py echo --config book --seeds 2000:2030
    python benchmarks/bench_learning.py echo --config tutorial --seeds 3 --trace

``small``: the book config (length 5, 10 values) with few training
sequences, beside ``OneHotEncoder -> MLPClassifier`` on the same data.

    python benchmarks/bench_learning.py small --sizes 200,600 --seeds 2000:2030

``echo --config ragged``: lengths uniform in [10, 50] (``min_length=10``)
over 20 values; ``--model token`` fits ``TokenLSTMClassifier`` instead of the
Pipeline.  Sequences of different lengths have no plain-loop epoch to compare
with, so that column is left out.

    python benchmarks/bench_learning.py echo --config ragged --seeds 2000:2030
    python benchmarks/bench_learning.py echo --config ragged --model token \
        --seeds 2000:2030

``--step-budget`` trains the ragged sequences in batches cut by steps instead
of sequences (``_common.step_budget_batches``, a design the library does not
use; the user guide's variable-length cost section says why):

    python benchmarks/bench_learning.py echo --config ragged --seeds 8000:8010 \
        --step-budget

``ragged``: UCR/UEA data sets of unequal lengths that ship inside ``aeon``.
``LSTMClassifier`` on the list of sequences as they are, beside
``LSTMClassifier``, 1-NN Euclidean and ``MLPClassifier`` on copies padded
with zeros at the end to the longest sequence (train and test), which is what
a user without variable-length support does.

    python benchmarks/bench_learning.py ragged --seeds 2000:2010

``--prefix K`` also fits the list with K zero steps in front of every
sequence (train and test), printed as ``lstm_prefix``, and ``--repeat-steps
R`` with every step of every sequence read R times in a row, printed as
``lstm_repeat``: two ways to give the LSTM more steps per sequence without
padding (see the user guide's variable-length section).  ``--burn-in B``
also fits the list and the padded copies with ``burn_in=B`` (a start cell
state reached by reading B mean steps), printed as ``lstm_burnin`` and
``lstm_padded_burnin``:

    python benchmarks/bench_learning.py ragged --datasets JapaneseVowels \
        --seeds 3000:3030 --prefix 20
    python benchmarks/bench_learning.py ragged --datasets JapaneseVowels \
        --seeds 4000:4030 --repeat-steps 2
    python benchmarks/bench_learning.py ragged --datasets JapaneseVowels \
        --seeds 7000:7030 --burn-in 20

``--standardize`` first brings each channel to mean 0 and variance 1 over
the training steps (train and test alike, before the padding), as a user
would with a ``StandardScaler`` fitted on the stacked steps:

    python benchmarks/bench_learning.py ragged --datasets JapaneseVowels \
        --seeds 10000:10030 --standardize --burn-in 20

``real``: UCR/UEA data sets that ship inside ``aeon`` (loaded offline; the
``benchmarks`` extra installs it), with their standard train/test split,
beside 1-NN Euclidean and ``MLPClassifier`` on the flattened series.

    python benchmarks/bench_learning.py real --seeds 2000:2003

``--set name=value`` overrides a parameter of ``LSTMClassifier`` (repeatable),
which is how recipes were compared.  The recipe was chosen on seeds 100..129,
checked on 1000..1029 and reported once on 2000..2029 (the user guide,
"Training that lands"; the logs are in ``benchmarks/results/``).  ``--trace``
adds the held-out accuracy after every epoch.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import torch
from _common import batches_by_steps, parse_range, parse_set, summarise
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from skorch.callbacks import Callback

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)
from sklearn_echo._module import LSTMModule

CONFIGS = {
    # name: (length, n_features, out_index, n_train, min_length)
    "book": (5, 10, 2, 10_000, None),
    "tutorial": (50, 100, 2, 20_000, None),
    "ragged": (50, 20, 2, 20_000, 10),
}
# Data sets that aeon ships inside its package (no download).
REAL = ["ItalyPowerDemand", "BasicMotions", "GunPoint", "ArrowHead"]
RAGGED = ["JapaneseVowels", "PickupGestureWiimoteZ"]


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


def plain_epoch_seconds(X, y, classifier):
    """Time one epoch of a plain PyTorch loop on all of ``X, y``.

    The module, optimizer, batch size and learning rate are the fitted
    ``classifier``'s (its ``batch_size_`` and ``lr_``: what 'auto' chose).
    """
    batch_size = classifier.batch_size_
    device = torch.device(classifier.device)
    module = LSTMModule(X.shape[2], int(y.max()) + 1, t_max=X.shape[1]).to(device)
    optimizer = torch.optim.Adam(module.parameters(), lr=classifier.lr_, fused=True)
    criterion = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
    start = time.perf_counter()
    order = torch.randperm(len(X), device=device)
    for begin in range(0, len(X), batch_size):
        rows = order[begin : begin + batch_size]
        loss = criterion(module(X[rows]), y[rows])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def run_echo(args, params):
    length, n_features, out_index, n_train, min_length = CONFIGS[args.config]
    print(
        f"suite=echo config={args.config} model={args.model} length={length} "
        f"min_length={min_length} n_features={n_features} out_index={out_index} "
        f"n_train={n_train} n_test={args.n_test} seeds={args.seeds} params={params}"
        + (" batches=step-budget" if args.step_budget else "")
    )
    data = {"out_index": out_index, "min_length": min_length}
    X_test, y_test = make_echo_sequences(
        args.n_test, length, n_features, random_state=10**6, **data
    )
    encoder = OneHotSequenceTransformer(n_features=n_features)
    onehot_test = encoder.fit_transform(X_test)
    rows = []
    for seed in args.seed_range:
        X, y = make_echo_sequences(
            n_train, length, n_features, random_state=seed, **data
        )
        clf_params = {"random_state": seed, **params}
        if args.trace:
            clf_params["callbacks"] = [TestAccuracyTrace(onehot_test, y_test)]
        if args.model == "token":
            classifier = TokenLSTMClassifier(n_features=n_features, **clf_params)
            model = classifier
        else:
            model = make_pipeline(
                OneHotSequenceTransformer(n_features=n_features),
                LSTMClassifier(**clf_params),
            )
            classifier = model[-1]
        start = time.perf_counter()
        model.fit(X, y)
        fit_s = time.perf_counter() - start
        accuracy = model.score(X_test, y_test)
        line = f"seed={seed:5d} epochs={classifier.n_iter_:3d} fit_s={fit_s:6.2f} "
        if min_length is None:
            plain_s = plain_epoch_seconds(encoder.transform(X), y, classifier)
            line += f"plain_epoch_s={plain_s:5.2f} plain_epochs={fit_s / plain_s:5.2f} "
        else:
            plain_s = float("nan")
        line += f"test_acc={accuracy:.4f}"
        if args.trace:
            line += " trace=" + " ".join(
                f"{a:.3f}" for a in classifier.net_.history[:, "test_acc"]
            )
        print(line, flush=True)
        rows.append((accuracy, fit_s / plain_s, fit_s))
    summarise("test accuracy", [r[0] for r in rows], 0.99)
    if min_length is None:
        summarise("fit in plain-loop epochs", [r[1] for r in rows])
    summarise("fit seconds", [r[2] for r in rows])
    print(f"accuracies below 0.97: {sum(r[0] < 0.97 for r in rows)}")


def run_small(args, params):
    print(f"suite=small sizes={args.sizes} seeds={args.seeds} params={params}")
    X_test, y_test = make_echo_sequences(10_000, 5, 10, random_state=10**6)
    for size in args.sizes:
        lstm, mlp, times = [], [], []
        for seed in args.seed_range:
            X, y = make_echo_sequences(size, 5, 10, random_state=seed)
            model = make_pipeline(
                OneHotSequenceTransformer(n_features=10),
                LSTMClassifier(random_state=seed, **params),
            )
            start = time.perf_counter()
            lstm.append(model.fit(X, y).score(X_test, y_test))
            times.append(time.perf_counter() - start)
            baseline = make_pipeline(
                OneHotEncoder(handle_unknown="ignore"),
                MLPClassifier(random_state=seed, max_iter=1000),
            )
            mlp.append(baseline.fit(X, y).score(X_test, y_test))
            print(
                f"n_train={size} seed={seed:5d} lstm={lstm[-1]:.4f} "
                f"epochs={model[-1].n_iter_} fit_s={times[-1]:.2f} mlp={mlp[-1]:.4f}",
                flush=True,
            )
        summarise(f"n_train={size} LSTMClassifier", lstm)
        summarise(f"n_train={size} OneHotEncoder+MLPClassifier", mlp)
        summarise(f"n_train={size} LSTM fit seconds", times)


def run_real(args, params):
    from aeon.datasets import load_classification

    print(f"suite=real datasets={args.datasets} seeds={args.seeds} params={params}")
    for name in args.datasets:
        # aeon gives (n_cases, n_channels, length); the LSTM reads steps.
        X, y = load_classification(name, split="train")
        X_test, y_test = load_classification(name, split="test")
        X, X_test = X.transpose(0, 2, 1), X_test.transpose(0, 2, 1)
        flat, flat_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
        knn = KNeighborsClassifier(n_neighbors=1).fit(flat, y).score(flat_test, y_test)
        lstm, mlp, times = [], [], []
        for seed in args.seed_range:
            clf = LSTMClassifier(random_state=seed, **params)
            start = time.perf_counter()
            lstm.append(clf.fit(X, y).score(X_test, y_test))
            times.append(time.perf_counter() - start)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                baseline = MLPClassifier(random_state=seed, max_iter=1000)
                mlp.append(baseline.fit(flat, y).score(flat_test, y_test))
            print(
                f"{name} seed={seed} lstm={lstm[-1]:.4f} epochs={clf.n_iter_} "
                f"fit_s={times[-1]:.2f} mlp={mlp[-1]:.4f}",
                flush=True,
            )
        print(
            f"{name}: train={X.shape} test={X_test.shape} "
            f"LSTMClassifier mean {statistics.fmean(lstm):.4f} "
            f"(min {min(lstm):.4f}, fit {statistics.fmean(times):.1f} s) | "
            f"1-NN {knn:.4f} | MLPClassifier mean {statistics.fmean(mlp):.4f}",
            flush=True,
        )


def _padded(sequences, length):
    """Zero-pad each (steps, channels) sequence at its end to ``length`` steps."""
    out = np.zeros((len(sequences), length, sequences[0].shape[1]), np.float32)
    for i, sequence in enumerate(sequences):
        out[i, : len(sequence)] = sequence
    return out


# The variants besides the list and the padded copies, in print order.
_EXTRA = ("prefix", "repeat", "burnin", "padded_burnin")


def _paired(a, b):
    """``a - b`` over the seeds: mean and standard error in points, and wins."""
    diff = 100 * (np.asarray(a) - np.asarray(b))
    se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
    return (
        f"{diff.mean():+.2f} (s.e. {se:.2f}, ahead on {int((diff > 0).sum())}, "
        f"behind on {int((diff < 0).sum())})"
    )


def run_ragged(args, params):
    from aeon.datasets import load_classification

    print(
        f"suite=ragged datasets={args.datasets} seeds={args.seeds} params={params}"
        + (" channels standardised" if args.standardize else "")
    )
    for name in args.datasets:
        # aeon gives a list of (n_channels, length_i) arrays; the LSTM reads steps.
        # Older aeon releases load a padded copy unless told not to.
        X, y = load_classification(name, split="train", load_equal_length=False)
        X_test, y_test = load_classification(
            name, split="test", load_equal_length=False
        )
        X = [np.ascontiguousarray(x.T, dtype=np.float32) for x in X]
        X_test = [np.ascontiguousarray(x.T, dtype=np.float32) for x in X_test]
        if args.standardize:
            # Each channel to mean 0 and variance 1 over the training steps,
            # before padding (the padding stays zero: the mean).
            steps = np.concatenate(X)
            mean, scale = steps.mean(axis=0), steps.std(axis=0)
            X, X_test = (
                [((x - mean) / scale).astype(np.float32) for x in part]
                for part in (X, X_test)
            )
        lengths = [len(x) for x in X + X_test]
        longest = max(lengths)
        padded, padded_test = _padded(X, longest), _padded(X_test, longest)
        flat = padded.reshape(len(X), -1)
        flat_test = padded_test.reshape(len(X_test), -1)
        knn = KNeighborsClassifier(n_neighbors=1).fit(flat, y).score(flat_test, y_test)
        inputs = {"ragged": (X, X_test, {}), "padded": (padded, padded_test, {})}
        if args.prefix:
            zeros = np.zeros((args.prefix, X[0].shape[1]), np.float32)
            inputs["prefix"] = (
                *([np.concatenate([zeros, x]) for x in part] for part in (X, X_test)),
                {},
            )
        if args.repeat_steps > 1:
            inputs["repeat"] = (
                *(
                    [np.repeat(x, args.repeat_steps, axis=0) for x in part]
                    for part in (X, X_test)
                ),
                {},
            )
        if args.burn_in:
            inputs["burnin"] = (X, X_test, {"burn_in": args.burn_in})
            inputs["padded_burnin"] = (padded, padded_test, {"burn_in": args.burn_in})
        scores = {kind: [] for kind in [*inputs, "mlp"]}
        times = {kind: [] for kind in inputs}
        for seed in args.seed_range:
            for kind, (train, test, extra) in inputs.items():
                clf = LSTMClassifier(random_state=seed, **{**params, **extra})
                start = time.perf_counter()
                scores[kind].append(clf.fit(train, y).score(test, y_test))
                times[kind].append(time.perf_counter() - start)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                baseline = MLPClassifier(random_state=seed, max_iter=1000)
                scores["mlp"].append(baseline.fit(flat, y).score(flat_test, y_test))
            extra = "".join(
                f"lstm_{kind}={scores[kind][-1]:.4f} "
                for kind in _EXTRA
                if kind in scores
            )
            print(
                f"{name} seed={seed} lstm_ragged={scores['ragged'][-1]:.4f} "
                f"lstm_padded={scores['padded'][-1]:.4f} {extra}"
                f"mlp_padded={scores['mlp'][-1]:.4f} "
                f"fit_s={times['ragged'][-1]:.2f}/{times['padded'][-1]:.2f}",
                flush=True,
            )
        print(
            f"{name}: train={len(X)} test={len(X_test)} lengths {min(lengths)}.."
            f"{longest} channels={X[0].shape[1]} | LSTMClassifier ragged mean "
            f"{statistics.fmean(scores['ragged']):.4f} (min "
            f"{min(scores['ragged']):.4f}, fit {statistics.fmean(times['ragged']):.1f}"
            f" s) | LSTMClassifier padded mean {statistics.fmean(scores['padded']):.4f}"
            f" (min {min(scores['padded']):.4f}, fit "
            f"{statistics.fmean(times['padded']):.1f} s) | 1-NN padded {knn:.4f} | "
            f"MLPClassifier padded mean {statistics.fmean(scores['mlp']):.4f}"
            + (
                f" | LSTMClassifier, {args.prefix} zero steps first, mean "
                f"{statistics.fmean(scores['prefix']):.4f}"
                if args.prefix
                else ""
            )
            + (
                f" | LSTMClassifier, every step {args.repeat_steps} times, mean "
                f"{statistics.fmean(scores['repeat']):.4f}"
                if "repeat" in scores
                else ""
            )
            + (
                f" | LSTMClassifier burn_in={args.burn_in}, list mean "
                f"{statistics.fmean(scores['burnin']):.4f}, padded mean "
                f"{statistics.fmean(scores['padded_burnin']):.4f}"
                if "burnin" in scores
                else ""
            ),
            flush=True,
        )
        pairs = [("padded", "ragged")] + [
            (kind, other)
            for kind in _EXTRA
            if kind in scores
            for other in ("ragged", "padded")
        ]
        if "burnin" in scores:
            pairs.append(("burnin", "padded_burnin"))
        print(
            f"{name}: paired differences in points over the seeds: "
            + "; ".join(f"{a} - {b} {_paired(scores[a], scores[b])}" for a, b in pairs),
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=["echo", "small", "real", "ragged"])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="tutorial")
    parser.add_argument("--model", choices=["pipeline", "token"], default="pipeline")
    parser.add_argument("--seeds", default="1000:1030", help="FIRST:STOP or N")
    parser.add_argument("--sizes", default="200,600")
    parser.add_argument("--datasets", default=None, help="comma-separated")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-test", type=int, default=10_000)
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--device", default="cpu", help="e.g. cuda")
    parser.add_argument(
        "--prefix",
        type=int,
        default=0,
        help="ragged: also fit the list with this many zero steps first",
    )
    parser.add_argument(
        "--repeat-steps",
        type=int,
        default=1,
        help="ragged: also fit the list with every step read this many times",
    )
    parser.add_argument(
        "--step-budget",
        action="store_true",
        help="echo: train ragged sequences in batches cut by steps",
    )
    parser.add_argument(
        "--burn-in",
        type=int,
        default=0,
        help="ragged: also fit the list and the padded copies with this burn_in",
    )
    parser.add_argument(
        "--standardize",
        action="store_true",
        help="ragged: standardise each channel (training steps' mean and "
        "variance) before fitting and padding",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    args.seed_range = parse_range(args.seeds)
    args.sizes = [int(size) for size in args.sizes.split(",")]
    default = RAGGED if args.suite == "ragged" else REAL
    args.datasets = args.datasets.split(",") if args.datasets else default
    params = {"device": args.device, **parse_set(args.set)}
    print(f"torch_threads={torch.get_num_threads()} torch={torch.__version__}")
    # Warm-up: the first fit of a process pays one-off torch initialisation.
    X_warm, y_warm = make_echo_sequences(256, 5, 10, random_state=0)
    LSTMClassifier(max_epochs=1).fit(X_warm, y_warm)
    suites = {"echo": run_echo, "small": run_small, "real": run_real}
    suites["ragged"] = run_ragged
    with batches_by_steps(args.step_budget):
        suites[args.suite](args, params)


if __name__ == "__main__":
    main()
