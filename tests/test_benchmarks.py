"""Smoke tests of the benchmark scripts: each runs end to end on tiny sizes.

The numbers a benchmark prints are measurements, not test results (timings
on a shared machine are noise at these sizes); what is checked is that the
script still runs against the current library, and the correctness lines it
prints.
"""

import importlib.util
import re
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
    assert "block of 1,024 sequences" in out
    assert "bulk answers after the load equal those before: True" in out
    assert "every threaded answer equals the serial one: True" in out


@pytest.mark.slow
def test_bench_io_runs_and_loaded_models_predict_bit_for_bit():
    pytest.importorskip("safetensors")
    pytest.importorskip("onnxruntime")
    out = _run(
        "bench_io.py",
        *("--configs", "book", "--repeats", "3", "--bulk-rows", "50"),
        *("--train", "100"),
    )
    assert out.count("loaded predicts bit for bit: True") == 2
    assert out.count("one sequence: onnxruntime") == 2
    differences = [float(v) for v in re.findall(r"largest \|difference\| (\S+)", out)]
    assert len(differences) == 2
    assert max(differences) < 1e-5


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
        *("--burn-in", "3", "--standardize"),
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
    assert "channels standardised" in out
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


def _compare_logs():
    spec = importlib.util.spec_from_file_location(
        "compare_logs", BENCHMARKS / "compare_logs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_logs_pairs_rows_by_group_and_seed(tmp_path):
    a = tmp_path / "a.log"
    b = tmp_path / "b.log"
    a.write_text(
        "torch_threads=1 torch=2.13.0+cpu\n"
        "n_train=200 seed= 1 lstm=0.9000 epochs=120 fit_s=7.19 mlp=0.9500\n"
        "n_train=200 seed= 2 lstm=0.8000 epochs=100 fit_s=7.16 mlp=0.9500\n"
        "n_train=600 seed= 1 lstm=1.0000 epochs=90 fit_s=5.00 mlp=1.0000\n"
        "seed= 7 epochs=  3 fit_s=  0.55 test_acc=1.0000\n"
    )
    b.write_text(
        "n_train=200 seed= 2 lstm=0.9000 epochs=110 fit_s=9.00 mlp=0.9500\n"
        "n_train=200 seed= 1 lstm=0.9500 epochs=120 fit_s=9.00 mlp=0.9500\n"
        "n_train=600 seed= 2 lstm=0.5000 epochs=90 fit_s=5.00 mlp=1.0000\n"
        "seed= 7 epochs=  4 fit_s=  0.83 test_acc=0.9990\n"
    )
    module = _compare_logs()
    rows = module.read_rows(a)
    assert rows["n_train=200", 1] == {"lstm": 0.9, "epochs": 120.0, "mlp": 0.95}
    lines = module.compare(rows, module.read_rows(b))
    by_label = {line.split(":")[0]: line for line in lines}
    # Times are left out, and n_train=600 shares no seed.
    assert set(by_label) == {
        "n_train=200 epochs",
        "n_train=200 lstm",
        "n_train=200 mlp",
        "epochs",
        "test_acc",
    }
    # Seed 1: +0.05, seed 2: +0.10; mean +0.075, s.e. 0.025.
    assert (
        "B - A +0.0750 (s.e. 0.0250; B above on 2, below on 0 of 2"
        in by_label["n_train=200 lstm"]
    )
    assert (
        "B - A +5.0000 (s.e. 5.0000; B above on 1, below on 0 of 2"
        in by_label["n_train=200 epochs"]
    )
    assert "B - A -0.0010" in by_label["test_acc"]


def test_compare_logs_refuses_logs_without_a_common_seed(tmp_path):
    a = tmp_path / "a.log"
    b = tmp_path / "b.log"
    a.write_text("seed= 1 test_acc=1.0\n")
    b.write_text("seed= 2 test_acc=1.0\n")
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "compare_logs.py"), str(a), str(b)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "no seed in common" in result.stderr


@pytest.mark.slow
def test_bench_weights_runs_and_summarises_both_fits():
    out = _run(
        "bench_weights.py",
        *("--seeds", "2", "--n-train", "120", "--n-test", "60"),
        *("--set", "max_epochs=1"),
    )
    assert "mean ± sd over 2 seeds:" in out
    assert out.count("class_weight=balanced recall0") == 1
    assert out.count("class_weight=None     recall0") == 1


def test_bench_check_estimator_counts_fits_and_restores_fit():
    # The baseline's run only: the package's estimators with their defaults
    # take minutes (benchmarks/results/check_estimator_defaults.log).
    from sklearn.neural_network import MLPRegressor

    spec = importlib.util.spec_from_file_location(
        "bench_check_estimator", BENCHMARKS / "bench_check_estimator.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    original_fit = MLPRegressor.fit
    seconds, fits, failed = module.timed_check(MLPRegressor)
    assert MLPRegressor.fit is original_fit
    assert failed == []
    assert fits["fits"] > 20 and fits["epochs"] > fits["fits"]
    assert seconds > 0


def _bench_stopping():
    spec = importlib.util.spec_from_file_location(
        "bench_stopping", BENCHMARKS / "bench_stopping.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def test_stopping_replay_counts_patience_after_the_plateau_and_perfect_runs():
    bench = _bench_stopping()
    # 100 sequences in batches of 4: 25 steps an epoch, so the patience of
    # 1,000 steps is 40 epochs, and perfect:250 is 10 epochs at accuracy 1.
    record = {
        "n_train": 100,
        "batch_size": 4,
        "prior_loss": 1.0,
        "tol": 1e-4,
        # Five epochs on the plateau (above 0.9), a fall, then flat.
        "train_loss": [0.99] * 5 + [0.5, 0.2] + [0.2] * 100,
        "train_acc": [0.5] * 5 + [0.9, 1.0] + [1.0] * 100,
    }
    assert bench.default_patience(record) == 40
    # Epoch 6 (index) is the last improvement; 40 epochs later it stops.
    assert bench.stop_epoch(record, "default") == 6 + 40
    assert bench.stop_epoch(record, "perfect:250") == 6 + 9
    # The accuracy's last new best is at index 6 too.
    assert bench.stop_epoch(record, "stalled:250") == 6 + 10
    assert bench.stop_epoch(record, "cap:20") == 19
    # No stop on the plateau, however long: only the budget ends it.
    plateau = {**record, "train_loss": [0.95] * 80, "train_acc": [0.5] * 80}
    assert bench.stop_epoch(plateau, "default") == 79


@pytest.mark.slow
def test_bench_stopping_replays_the_default_rule_and_times_the_checks(tmp_path):
    # tol=0.05 makes the default rule stop within the budget, so the replay
    # of a whole-budget trace is compared with a real stop.
    out = _run(
        "bench_stopping.py",
        *("--tasks", "echo200", "--seeds", "0:1", "--verify"),
        *("--set", "tol=0.05", "max_epochs=60"),
    )
    match = re.search(r"default fit n_iter_=(\d+), replayed (\d+): True", out)
    assert match and int(match[1]) < 60
    traces = tmp_path / "traces.jsonl"
    out = _run(
        "bench_stopping.py",
        *("--tasks", "check", "--seeds", "0:1", "--set", "max_epochs=1"),
        *("--traces", str(traces)),
    )
    assert re.search(r"default +\d+ fits: .*x MLPClassifier's", out)
    assert len(traces.read_text().splitlines()) > 20
