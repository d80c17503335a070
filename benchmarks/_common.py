"""Helpers shared by the benchmark scripts (run as ``python benchmarks/NAME.py``).

The scripts import this module by its file name: Python puts the script's own
folder, ``benchmarks/``, first on ``sys.path``.
"""

import ast
import contextlib
import statistics

import numpy as np

import sklearn_echo._net as net
import sklearn_echo._ragged as ragged


def summarise(name, values, threshold=None, digits=4):
    """Print the median, mean, min and max of ``values`` (and a count >= threshold)."""
    line = (
        f"{name}: median {statistics.median(values):.{digits}f} "
        f"mean {statistics.fmean(values):.{digits}f} min {min(values):.{digits}f} "
        f"max {max(values):.{digits}f}"
    )
    if threshold is not None:
        line += f", {sum(v >= threshold for v in values)}/{len(values)} >= {threshold}"
    print(line, flush=True)


def parse_range(text):
    """``'FIRST:STOP'`` or ``'N'`` as a range of seeds."""
    first, _, last = text.partition(":")
    return range(int(first), int(last)) if last else range(int(first))


def parse_set(items):
    """``['name=value', ...]`` from ``--set`` as parameters (values as literals)."""
    params = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    return params


def step_budget_batches(order, lengths, batch_size, *, pooled, pool_batches=None):
    """Training batches cut by steps, not sequences (a design not in the library).

    Like ``length_sorted_batches``, the order is sorted by length within
    pools of ``pool_batches * batch_size`` sequences; a batch then holds as
    many sequences as fit in ``batch_size`` times the longest length of the
    data, each padded to the batch's longest (fairseq's ``max_tokens``).  On
    equal lengths that is ``batch_size`` sequences; a batch of short
    sequences holds more.  Validation and prediction batches are unchanged.
    """
    if not pooled:
        return ragged.length_sorted_batches(order, lengths, batch_size, pooled=False)
    budget = batch_size * int(lengths.max())
    pool = batch_size * (ragged.POOL_BATCHES if pool_batches is None else pool_batches)
    batches = []
    for chunk in np.split(order, range(pool, len(order), pool)):
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        start = 0
        while start < len(chunk):
            # Sorted ascending: a batch's longest is its last sequence.
            end = start + 1
            while (
                end < len(chunk) and (end + 1 - start) * lengths[chunk[end]] <= budget
            ):
                end += 1
            batches.append(chunk[start:end])
            start = end
    return batches


@contextlib.contextmanager
def batches_by_steps(enabled=True):
    """Train ragged input with :func:`step_budget_batches` inside the block."""
    saved = net.length_sorted_batches
    if enabled:
        net.length_sorted_batches = step_budget_batches
    try:
        yield
    finally:
        net.length_sorted_batches = saved
