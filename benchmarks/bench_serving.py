"""Serving one fitted model: one-sequence latency, and threads under load.

A fitted Pipeline (``OneHotSequenceTransformer`` + ``LSTMClassifier``) and a
``TokenLSTMClassifier`` answer requests of one sequence each, on the book
config (length 5 over 10 values) and the tutorial config (length 50 over 100).
Beside each, the *raw forward*: the same fitted torch module called directly
on the same sequence (its one-hot for the Pipeline) under
``torch.inference_mode``, with no validation, no blocks and no softmax: the
limit a service could reach with plain PyTorch.

Latency: the median of many one-sequence ``predict`` calls, timed alternately
with the raw forward; ratio = predict / raw forward (lower is better).

Load: N client threads share the one fitted model, each sending one-sequence
``predict`` requests back to back for a fixed time; printed are the requests
per second of all clients together, and the median (p50) and 99th-percentile
(p99) latency of a request, at 1, 2 and 4 client threads, for the Pipeline and
for the raw forward under the same load.

Bulk load: N client threads each call ``predict_proba`` on 3,000 sequences at
once, as in a batch job (the load of issue 14's report), for the default
``LSTMClassifier`` and for one with ``num_layers=2, dropout=0.5``; printed are
sequences per second and the ratio to one client.

The cost of exact predictions: prediction computes in float64 (a row's
result then does not depend on its batch-mates on any CPU; see
``sklearn_echo/_prediction.py``).  Printed is the float64 forward
(``LSTMModule.predict_float64``) over the float32 raw forward, timed
alternately, for one sequence and for a block of 1,024.

Also printed: whether every one-sequence answer from client threads equalled
the full call's row (to 1e-12), and the process's memory (RSS) before and
after the load.

torch runs 1 intra-op thread (``--threads``): the client threads are the
parallelism, as in a web service with one worker thread per request.  On the
project's 2-core machine, 2 client threads use both cores; 4 share them.

    python benchmarks/bench_serving.py
    python benchmarks/bench_serving.py --configs book --seconds 5
"""

import argparse
import resource
import statistics
import threading
import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from sklearn_echo import (
    LSTMClassifier,
    OneHotSequenceTransformer,
    TokenLSTMClassifier,
    make_echo_sequences,
)

CONFIGS = {"book": (5, 10), "tutorial": (50, 100)}


def _rss_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _raw_forward(module, onehot):
    """The plain PyTorch call: the module on the one sequence, no checks."""

    def forward(row):
        with torch.inference_mode():
            return module(torch.from_numpy(onehot[row : row + 1]))

    return forward


def _latency(calls, n_rows, repeats):
    """Median seconds per call of each function, timed alternately."""
    times = [[] for _ in calls]
    for i in range(repeats):
        row = i % n_rows
        for k, call in enumerate(calls):
            start = time.perf_counter()
            call(row)
            times[k].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def _load(call, n_rows, n_threads, seconds):
    """Requests/s and per-request latencies of ``n_threads`` clients."""
    latencies = [[] for _ in range(n_threads)]
    barrier = threading.Barrier(n_threads + 1)
    stop = threading.Event()

    threads_per_request = torch.get_num_threads()

    def client(k):
        # Set in each client thread too: without it, a lone client thread's
        # raw forward took 70 ms a call here (instead of 0.1 ms) on a busy
        # 2-core machine, as if the main thread's setting did not reach it.
        torch.set_num_threads(threads_per_request)
        rng = np.random.RandomState(k)
        mine = latencies[k]
        barrier.wait()
        while not stop.is_set():
            row = rng.randint(n_rows)
            start = time.perf_counter()
            call(row)
            mine.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    every = np.concatenate([np.asarray(t) for t in latencies])
    return len(every) / elapsed, np.percentile(every, 50), np.percentile(every, 99)


def _bulk_load(call, n_threads, calls_per_thread):
    """Sequences/s of ``n_threads`` clients, each making ``calls_per_thread`` calls."""
    threads_per_request = torch.get_num_threads()
    barrier = threading.Barrier(n_threads + 1)

    def client():
        torch.set_num_threads(threads_per_request)
        barrier.wait()
        for _ in range(calls_per_thread):
            call()

    threads = [threading.Thread(target=client) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def _answers_equal_serial(model, X, n_threads=4, calls=200):
    """Whether one-sequence predict_proba from threads equals the full call's rows.

    Equal to 1e-12: the float64 sums of a lone row and of the same row in a
    block of 1,000 differ by about 1e-16.
    """
    expected = model.predict_proba(X)
    wrong = []

    def client(k):
        for i in range(calls):
            row = (k * 31 + i * 7) % len(X)
            if not np.allclose(
                model.predict_proba(X[row : row + 1]), expected[[row]], 1e-12, 0
            ):
                wrong.append(row)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return not wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--bulk-rows",
        type=int,
        default=3000,
        help="sequences per call in the bulk load (0 skips it)",
    )
    parser.add_argument("--bulk-calls", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} torch thread(s), "
        f"latency: median of {args.repeats} calls; load: {args.seconds:g} s per row"
    )
    for name in args.configs:
        run_config(name, args)


def run_config(name, args):
    """Print the latency and load tables of one config."""
    length, n_features = CONFIGS[name]
    X, y = make_echo_sequences(2000, length, n_features, random_state=0)
    X_req, _ = make_echo_sequences(1000, length, n_features, random_state=1)
    pipe = make_pipeline(
        OneHotSequenceTransformer(n_features=n_features),
        LSTMClassifier(max_epochs=1, random_state=0),
    ).fit(X, y)
    tokens = TokenLSTMClassifier(
        n_features=n_features, max_epochs=1, random_state=0
    ).fit(X, y)
    onehot = pipe[0].transform(X_req)
    raw_pipe = _raw_forward(pipe[-1].net_.module_, onehot)
    raw_tokens = _raw_forward(tokens.net_.module_, X_req)
    calls = {
        "Pipeline.predict": lambda row: pipe.predict(X_req[row : row + 1]),
        "LSTMClassifier.predict (one-hot in)": lambda row: pipe[-1].predict(
            onehot[row : row + 1]
        ),
        "raw forward (one-hot)": raw_pipe,
        "TokenLSTMClassifier.predict": lambda row: tokens.predict(X_req[row : row + 1]),
        "raw forward (tokens)": raw_tokens,
    }
    # Warm-up: oneDNN builds its kernels on a shape's first call.
    for call in calls.values():
        for row in range(20):
            call(row)
    medians = dict(
        zip(
            calls,
            _latency(list(calls.values()), len(X_req), args.repeats),
            strict=True,
        )
    )
    print(f"\n[{name}] length={length} n_features={n_features}")
    print(f"{'one sequence':38}{'latency (ms)':>14}{'/ raw forward':>15}")
    raw_for = {
        "Pipeline.predict": "raw forward (one-hot)",
        "LSTMClassifier.predict (one-hot in)": "raw forward (one-hot)",
        "TokenLSTMClassifier.predict": "raw forward (tokens)",
    }
    for label, median in medians.items():
        ratio = f"{median / medians[raw_for[label]]:>15.2f}" if label in raw_for else ""
        print(f"{label:38}{median * 1e3:>14.3f}{ratio}")

    _print_float64_cost(pipe[-1].net_.module_, onehot, args.repeats)

    print(
        f"\n{'load, one sequence per request':32}{'clients':>8}{'requests/s':>12}"
        f"{'p50 (ms)':>10}{'p99 (ms)':>10}"
    )
    rss_before = _rss_mb()
    for label, call in (
        ("Pipeline.predict", calls["Pipeline.predict"]),
        ("raw forward (one-hot)", raw_pipe),
    ):
        for n_threads in args.clients:
            rate, p50, p99 = _load(call, len(X_req), n_threads, args.seconds)
            print(
                f"{label:32}{n_threads:>8}{rate:>12,.0f}{p50 * 1e3:>10.3f}"
                f"{p99 * 1e3:>10.3f}"
            )
    if args.bulk_rows:
        _print_bulk(X, y, name, args)
    print(
        f"every threaded answer equals the serial one: "
        f"{_answers_equal_serial(pipe, X_req)}; RSS {rss_before:.0f} MB before "
        f"the load, {_rss_mb():.0f} MB after"
    )


def _print_float64_cost(module, onehot, repeats):
    """Print the float64 forward's time over the float32 raw forward's."""
    print(f"\n{'float64 forward / float32 forward':38}{'ratio':>14}")
    for label, n_rows, n_calls in (
        ("one sequence", 1, repeats),
        ("block of 1,024 sequences", 1024, max(5, repeats // 100)),
    ):
        block = torch.from_numpy(np.ascontiguousarray(onehot[:n_rows]))

        def float32(_, block=block):
            with torch.inference_mode():
                return module(block)

        def float64(_, block=block):
            return module.predict_float64(block)

        single, double = _latency([float32, float64], 1, n_calls)
        print(f"{label:38}{double / single:>14.2f}")


def _print_bulk(X, y, name, args):
    """Bulk load: each client calls ``predict_proba`` on many sequences at once.

    Most of such a call is torch work, which releases the interpreter lock, so
    this is the load whose throughput can grow with the cores.  Two Pipelines:
    the default ``LSTMClassifier``, and the one of issue 14's report
    (``dropout=0.5, num_layers=2``).  The rounds of
    1, 2 and 4 clients alternate, five times, and the median of each is kept.
    """
    length, n_features = CONFIGS[name]
    X_bulk, _ = make_echo_sequences(args.bulk_rows, length, n_features, random_state=2)
    clients = sorted(set(args.clients))
    print(
        f"\n{f'load, {args.bulk_rows:,} sequences a request':32}{'clients':>8}"
        f"{'sequences/s':>12}{'/ 1 client':>12}"
    )
    same = True
    for label, params in (
        ("Pipeline.predict_proba", {}),
        ("  2 layers, dropout=0.5", {"num_layers": 2, "dropout": 0.5}),
    ):
        pipe = make_pipeline(
            OneHotSequenceTransformer(n_features=n_features),
            LSTMClassifier(max_epochs=1, random_state=0, **params),
        ).fit(X, y)
        expected = pipe.predict_proba(X_bulk)
        seconds = {n: [] for n in clients}
        for _ in range(5):
            for n_threads in clients:
                seconds[n_threads].append(
                    _bulk_load(
                        lambda p=pipe: p.predict_proba(X_bulk),
                        n_threads,
                        args.bulk_calls,
                    )
                )
        rates = {
            n: n * args.bulk_calls * args.bulk_rows / statistics.median(seconds[n])
            for n in clients
        }
        for n_threads in clients:
            print(
                f"{label:32}{n_threads:>8}{rates[n_threads]:>12,.0f}"
                f"{rates[n_threads] / rates[clients[0]]:>12.2f}"
            )
        same &= np.array_equal(pipe.predict_proba(X_bulk), expected)
    print(f"bulk answers after the load equal those before: {same}")


if __name__ == "__main__":
    main()
