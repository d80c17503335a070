"""Command line of sklearn_echo: ``sklearn-echo demo`` (or ``python -m sklearn_echo``).

The demo replays the classic "vanilla LSTM" echo tutorial end to end, fixed: it
trains on many sequences instead of ten, with an initialisation and optimiser
that learn, and scores on fresh sequences.
"""

import argparse
import sys
import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    __version__,
    make_echo_sequences,
)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _epochs(text):
    if text == "auto":
        return text
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected an integer >= 1 or 'auto', got {text!r}"
        ) from None


def _seed(text):
    value = _int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"expected an integer in [0, 2**32), got {value}"
        )
    return value


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


class _PrintSummary(Callback):
    """Print the model summary when training starts, as the tutorial does."""

    def __init__(self, out):
        self.out = out

    def on_train_begin(self, net, X=None, **kwargs):
        # Sequences of different lengths (--min-length) have no one length.
        length = X.shape[1] if hasattr(X, "shape") else None
        self.out(net.module_.summary(length))
        self.out("")


def build_parser():
    """Return the argument parser of the ``sklearn-echo`` command."""
    parser = argparse.ArgumentParser(
        prog="sklearn-echo",
        description="sklearn_echo: scikit-learn LSTMs on sequences.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="train an LSTM on the echo sequence problem and score it",
        description=(
            "Replay the vanilla-LSTM echo tutorial, fixed: generate random integer "
            "sequences, one-hot encode them, train LSTMClassifier to output the "
            "value seen at --out-index, and score it on fresh sequences. Defaults "
            "are the tutorial's configuration."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    demo.add_argument(
        "--length", type=_positive_int, default=50, help="steps per sequence"
    )
    demo.add_argument(
        "--min-length",
        type=_positive_int,
        default=None,
        help="draw each sequence's length from [min-length, length]: sequences of "
        "different lengths (default: all of --length steps)",
    )
    demo.add_argument(
        "--n-features",
        type=_positive_int,
        default=100,
        help="distinct values per step (the one-hot width and number of classes)",
    )
    demo.add_argument(
        "--out-index",
        type=_int,
        default=2,
        help="position whose value the model must echo (negative counts from the end)",
    )
    demo.add_argument(
        "--n-samples", type=_positive_int, default=20000, help="training sequences"
    )
    demo.add_argument(
        "--n-test", type=_positive_int, default=1000, help="fresh test sequences"
    )
    demo.add_argument(
        "--epochs",
        type=_epochs,
        default=LSTMClassifier().max_epochs,
        help="maximum training epochs, or 'auto' (the default: a budget of "
        "gradient steps; training stops once it has converged)",
    )
    demo.add_argument("--seed", type=_seed, default=0, help="random seed")
    demo.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="torch CPU threads (default: torch's own choice)",
    )
    demo.add_argument("--quiet", action="store_true", help="do not print the epoch log")
    return parser


def _check_demo_args(args):
    """Refuse an echo position that some sequence would not hold."""
    if not -args.length <= args.out_index < args.length:
        raise ValueError(
            f"--out-index {args.out_index} is out of range for --length {args.length}"
        )
    if args.min_length is not None:
        if args.min_length > args.length:
            raise ValueError(
                f"--min-length {args.min_length} is longer than --length {args.length}"
            )
        if not -args.min_length <= args.out_index < args.min_length:
            raise ValueError(
                f"--out-index {args.out_index} is out of range for --min-length "
                f"{args.min_length}: every sequence must hold it"
            )


def run_demo(args, out=print):
    """Run the echo demo described by parsed ``args``; return the test accuracy."""
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    _check_demo_args(args)
    lengths = (
        f"length={args.length}"
        if args.min_length is None
        else f"lengths={args.min_length}..{args.length}"
    )
    out(f"sklearn_echo {__version__}: the echo sequence problem")
    out(
        f"Config: {lengths} n_features={args.n_features} "
        f"out_index={args.out_index} n_samples={args.n_samples} n_test={args.n_test} "
        f"epochs={args.epochs} seed={args.seed} torch_threads={torch.get_num_threads()}"
    )
    X, y = make_echo_sequences(
        args.n_samples,
        args.length,
        args.n_features,
        out_index=args.out_index,
        min_length=args.min_length,
        random_state=args.seed,
    )
    # Fresh sequences from another stream of the same seed: never seen in training.
    X_test, y_test = make_echo_sequences(
        args.n_test + 1,
        args.length,
        args.n_features,
        out_index=args.out_index,
        min_length=args.min_length,
        random_state=np.random.RandomState(args.seed).randint(2**31 - 1) + 1,
    )
    X_new, y_new = X_test[-1:], y_test[-1:]
    X_test, y_test = X_test[:-1], y_test[:-1]

    model = make_pipeline(
        OneHotSequenceTransformer(n_features=args.n_features),
        LSTMClassifier(
            max_epochs=args.epochs,
            verbose=0 if args.quiet else 1,
            callbacks=[_PrintSummary(out)],
            random_state=args.seed,
        ),
    )
    out("")
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    out("")
    accuracy = model.score(X_test, y_test)
    out(f"Fit: {model[-1].n_iter_} epochs in {seconds:.1f} s")
    out(f"Accuracy on {len(y_test)} fresh sequences: {100 * accuracy:.2f}%")
    out(f"Sequence: {X_new[0].tolist()}")
    out(f"Expected: {y_new.tolist()}")
    out(f"Predicted: {model.predict(X_new).tolist()}")
    return accuracy


def main(argv=None):
    """Run the ``sklearn-echo`` command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        run_demo(args)
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
