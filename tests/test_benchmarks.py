"""Smoke tests of the benchmark scripts: each runs end to end on tiny sizes.

The numbers a benchmark prints are measurements, not test results (timings
on a shared machine are noise at these sizes); what is checked is that the
script still runs against the current library, and the correctness lines it
prints.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script, *args):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_bench_serving_runs_and_threaded_answers_are_serial():
    out = _run(
        "bench_serving.py",
        *("--configs", "book", "--repeats", "20", "--seconds", "0.05"),
        *("--clients", "1", "2", "--bulk-rows", "64", "--bulk-calls", "2"),
    )
    assert "sequences a request" in out
    assert "bulk answers after the load equal those before: True" in out
    assert "every threaded answer equals the serial one: True" in out


@pytest.mark.slow
def test_bench_variable_length_runs():
    out = _run("bench_variable_length.py", "--n", "256", "--repeats", "1")
    for row in (
        "pipeline fit",
        "token predict",
        "pipeline, batches by steps fit",
        "pipeline, burn_in=20 fit",
        "plain torch, one epoch",
        "plain torch, pool order",
        "pipeline predict, burn_in=20 over burn_in=0",
    ):
        assert row in out
    assert "nan" not in out


@pytest.mark.slow
def test_bench_learning_ragged_runs_every_variant():
    pytest.importorskip("aeon")
    out = _run(
        "bench_learning.py",
        *("ragged", "--datasets", "JapaneseVowels", "--seeds", "0:2"),
        *("--set", "max_epochs=1", "--prefix", "2", "--repeat-steps", "2"),
        *("--burn-in", "3"),
    )
    for column in (
        "lstm_ragged=",
        "lstm_padded=",
        "lstm_prefix=",
        "lstm_repeat=",
        "lstm_burnin=",
        "lstm_padded_burnin=",
    ):
        assert out.count(column) == 2
    assert "repeat - padded" in out
    assert "burnin - padded_burnin" in out
    assert "nan" not in out


def _common():
    spec = importlib.util.spec_from_file_location("_common", BENCHMARKS / "_common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_step_budget_batches_hold_every_sequence_once_within_the_budget():
    common = _common()
    lengths = np.random.RandomState(0).randint(10, 51, size=1000)
    order = np.random.RandomState(1).permutation(1000)
    batches = common.step_budget_batches(order, lengths, 8, pooled=True)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    budget = 8 * lengths.max()
    assert all(len(rows) * lengths[rows].max() <= budget for rows in batches)
    # Short sequences share a batch with more of their kind than long ones.
    sizes = {int(lengths[rows].max()): len(rows) for rows in batches}
    assert max(sizes.values()) > 8 >= sizes[max(sizes)]
    # Equal lengths: batch_size sequences each, as the library's batches.
    equal = common.step_budget_batches(order, np.full(1000, 30), 8, pooled=True)
    assert {len(rows) for rows in equal[:-1]} == {8}


@pytest.mark.slow
def test_bench_learning_echo_runs_with_batches_by_steps():
    out = _run(
        "bench_learning.py",
        *("echo", "--config", "ragged", "--seeds", "0:1", "--n-test", "100"),
        *("--set", "max_epochs=1", "--step-budget"),
    )
    assert "batches=step-budget" in out
    assert "test accuracy:" in out
