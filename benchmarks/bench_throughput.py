"""Training and predict throughput: LSTMClassifier against a plain PyTorch loop.

Both sides use the identical module (``LSTMModule`` with the classifier's default
hyperparameters), the same one-hot data, batch size, optimizer, learning rate,
gradient clipping and number of epochs (the classifier without a hold-out and
with every epoch run); only the loop differs.  The two are
timed alternately, several repeats each, and the script prints medians and
ratios (plain time / sklearn_echo time: >1 means sklearn_echo is faster).  Also
times the tutorial's own recipe (batch size 1) in plain PyTorch for comparison.

"fit" times the whole call, which for sklearn_echo includes checking the input
(all finite, the right shape: about 40 ms for the tutorial config's 400 MB
array); "epochs only" times the training loops alone.

    python benchmarks/bench_throughput.py            # both configs, 1 thread
    python benchmarks/bench_throughput.py --repeats 9 --threads 2
"""

import argparse
import statistics
import time

import torch

from sklearn_echo import LSTMClassifier, OneHotSequenceTransformer, make_echo_sequences
from sklearn_echo._module import LSTMModule

CONFIGS = {
    # name: (length, n_features, n_train, epochs, n_predict)
    "book": (5, 10, 10_000, 3, 100_000),
    "tutorial": (50, 100, 20_000, 1, 100_000),
}


def plain_fit(X, y, n_classes, epochs, seed, clf):
    """The hand-written loop a PyTorch user would write.

    It uses the fitted ``clf``'s batch size and learning rate (``batch_size_``
    and ``lr_``: what ``'auto'`` chose for this data).  Returns the module and
    the seconds spent in the epochs (the loop alone).
    """
    torch.manual_seed(seed)
    module = LSTMModule(
        X.shape[2],
        n_classes,
        hidden_size=clf.hidden_size,
        forget_bias=clf.forget_bias,
        t_max=X.shape[1],
    )
    # The classifier's optimizer='adamw' at weight_decay=0 takes the steps of
    # torch's fused Adam (bit for bit).
    optimizer = torch.optim.Adam(module.parameters(), lr=clf.lr_, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    batch = clf.batch_size_
    module.train()
    start_epochs = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(module(X_t[rows]), y_t[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), clf.clip_grad_norm)
            optimizer.step()
            loss.item()  # a real loop logs the loss, which syncs like skorch's
    return module, time.perf_counter() - start_epochs


def plain_predict(module, X, batch=1024):
    module.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(X), batch):
            out.append(module(torch.from_numpy(X[start : start + batch])).argmax(1))
    return torch.cat(out).numpy()


def tutorial_recipe(X, y, n_classes, seed):
    """Batch size 1, one example at a time, as the tutorial's Keras loop."""
    torch.manual_seed(seed)
    module = LSTMModule(X.shape[2], n_classes, forget_bias=None)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for i in range(len(X)):
        optimizer.zero_grad()
        loss = loss_fn(
            module(torch.from_numpy(X[i : i + 1])), torch.from_numpy(y[i : i + 1])
        )
        loss.backward()
        optimizer.step()
    return module


def _pair_range(plain, ours):
    """The spread of plain/ours over the repeats: how noisy the machine was."""
    ratios = [p / o for p, o in zip(plain, ours, strict=True)]
    return f"{min(ratios):.2f}..{max(ratios):.2f}"


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-tutorial-recipe", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    # Epochs against epochs: no hold-out, and every epoch runs.
    fixed = {"early_stopping": False, "tol": 0.0, "n_iter_no_change": 10**6}
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
        f"{args.repeats} repeats, medians"
    )
    for name in args.configs:
        length, n_features, n_train, epochs, n_predict = CONFIGS[name]
        X_tok, y = make_echo_sequences(n_train, length, n_features, random_state=0)
        encoder = OneHotSequenceTransformer(n_features=n_features)
        X = encoder.fit_transform(X_tok)
        X_pred = encoder.transform(
            make_echo_sequences(n_predict, length, n_features, random_state=1)[0]
        )
        # Warm-up both paths once.
        warm = LSTMClassifier(max_epochs=1, random_state=0, **fixed)
        warm.fit(X[:512], y[:512])
        plain_fit(X[:512], y[:512], n_features, 1, 0, warm)

        fit_ours, fit_plain, pred_ours, pred_plain = [], [], [], []
        loop_ours, loop_plain = [], []
        for repeat in range(args.repeats):
            clf = LSTMClassifier(max_epochs=epochs, random_state=repeat, **fixed)
            t, _ = timed(clf.fit, X, y)
            fit_ours.append(t)
            # skorch's epoch timer: the epochs without the input's validation.
            loop_ours.append(sum(clf.net_.history[:, "dur"]))
            t, (module, loop_s) = timed(
                plain_fit, X, y, n_features, epochs, repeat, clf
            )
            fit_plain.append(t)
            loop_plain.append(loop_s)
            t, _ = timed(clf.predict, X_pred)
            pred_ours.append(t)
            t, _ = timed(plain_predict, module, X_pred)
            pred_plain.append(t)
        seen = n_train * epochs
        fo, fp = statistics.median(fit_ours), statistics.median(fit_plain)
        lo, lp = statistics.median(loop_ours), statistics.median(loop_plain)
        po, pp = statistics.median(pred_ours), statistics.median(pred_plain)
        print(
            f"\n[{name}] length={length} n_features={n_features} "
            f"n_train={n_train} epochs={epochs} predict n={n_predict}"
        )
        print(
            f"{'':24}{'sklearn_echo':>14}{'plain torch':>14}{'ratio':>8}"
            "  ratio of each repeat's pair (min..max)"
        )
        print(
            f"{'fit (sequences/s)':24}{seen / fo:>14,.0f}{seen / fp:>14,.0f}"
            f"{fp / fo:>8.2f}  {_pair_range(fit_plain, fit_ours)}"
        )
        print(
            f"{'  epochs only':24}{seen / lo:>14,.0f}{seen / lp:>14,.0f}"
            f"{lp / lo:>8.2f}  {_pair_range(loop_plain, loop_ours)}"
        )
        print(
            f"{'predict (sequences/s)':24}{n_predict / po:>14,.0f}"
            f"{n_predict / pp:>14,.0f}{pp / po:>8.2f}  "
            f"{_pair_range(pred_plain, pred_ours)}"
        )
        if not args.skip_tutorial_recipe:
            n_recipe = 10_000 if name == "book" else 2_000
            t, _ = timed(tutorial_recipe, X[:n_recipe], y[:n_recipe], n_features, 0)
            print(
                f"{'tutorial recipe, bs=1':24}{'':>14}{n_recipe / t:>14,.0f}"
                f"{(n_recipe / t) / (seen / fo):>8.2f}  (sequences/s; ratio = "
                "recipe / sklearn_echo)"
            )


if __name__ == "__main__":
    main()
