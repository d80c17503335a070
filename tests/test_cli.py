import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from sklearn_echo.__main__ import main

SMALL = [
    "demo",
    "--length",
    "5",
    "--n-features",
    "10",
    "--n-samples",
    "600",
    "--n-test",
    "50",
    "--epochs",
    "2",
    "--threads",
    "1",
]


def test_demo_prints_config_summary_epoch_log_accuracy_and_a_prediction(capsys):
    assert main(SMALL) == 0
    out = capsys.readouterr().out
    assert "Config: length=5 n_features=10 out_index=2 n_samples=600" in out
    assert "lstm (LSTM)" in out and "Total params: 3,960" in out
    assert "train_loss" in out and "train_acc" in out
    assert "Accuracy on 50 fresh sequences:" in out
    assert "Expected: [" in out and "Predicted: [" in out
    # The summary comes before the epoch log, as in the tutorial.
    assert out.index("Total params") < out.index("train_loss")


def test_demo_quiet_omits_the_epoch_log(capsys):
    assert main([*SMALL, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "train_loss" not in out
    assert "Accuracy on 50 fresh sequences:" in out


def test_demo_with_negative_out_index_echoes_from_the_end(capsys):
    assert main([*SMALL, "--out-index", "-1"]) == 0
    assert "out_index=-1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--length", "0"], "expected an integer >= 1, got 0"),
        (["demo", "--length", "five"], "expected an integer, got 'five'"),
        (
            ["demo", "--out-index", "7", "--length", "5"],
            "--out-index 7 is out of range",
        ),
        (["demo", "--epochs", "-3"], "expected an integer >= 1 or 'auto', got '-3'"),
        (
            ["demo", "--epochs", "many"],
            "expected an integer >= 1 or 'auto', got 'many'",
        ),
        (["demo", "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["dance"], "invalid choice: 'dance'"),
    ],
)
def test_bad_options_are_a_usage_error_with_exit_code_2(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: sklearn-echo" in err
    assert message in err


def test_no_command_prints_help_and_returns_2(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_module_entry_point_help_lists_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_echo", "demo", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--length", "--n-features", "--out-index", "--n-samples", "--seed"):
        assert option in result.stdout
    assert "--epochs" in result.stdout


def test_module_entry_point_bad_option_exits_2_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_echo", "demo", "--length", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--length" in result.stderr


def test_console_script_is_installed_and_points_to_main():
    (script,) = entry_points(group="console_scripts", name="sklearn-echo")
    assert script.value == "sklearn_echo.__main__:main"


def test_demo_with_min_length_trains_on_sequences_of_different_lengths(capsys):
    args = [*SMALL, "--length", "8", "--min-length", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Config: lengths=3..8 n_features=10 out_index=2 n_samples=600" in out
    assert "Input shape: (None, None, 10)" in out
    assert "Accuracy on 50 fresh sequences:" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--min-length", "9"], "--min-length 9 is longer than --length 5"),
        (
            ["--min-length", "2"],
            "--out-index 2 is out of range for --min-length 2: every sequence "
            "must hold it",
        ),
    ],
)
def test_demo_rejects_a_min_length_that_cannot_hold_out_index(capsys, extra, message):
    with pytest.raises(SystemExit) as excinfo:
        main([*SMALL, *extra])
    assert excinfo.value.code == 2
    assert message in capsys.readouterr().err
