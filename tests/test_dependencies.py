"""The import-time check of scikit-learn, skorch and torch versions."""

import pathlib
import re
import subprocess
import sys

import pytest
import sklearn
import skorch
import torch

from sklearn_echo._dependencies import (
    MINIMUM_VERSIONS,
    check_dependencies,
    release,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = {"scikit-learn": sklearn, "skorch": skorch, "torch": torch}


def test_installed_versions_pass():
    assert check_dependencies() is None


def _pyproject_floors():
    tomllib = pytest.importorskip("tomllib")
    with open(ROOT / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    return dict(
        re.fullmatch(r"([\w-]+)>=([\d.]+)", spec).groups() for spec in dependencies
    )


def test_floors_agree_with_pyproject():
    floors = _pyproject_floors()
    for name, (_, minimum) in MINIMUM_VERSIONS.items():
        assert release(floors[name]) == release(minimum), name


def test_ci_floor_job_pins_the_floors_of_pyproject():
    # constraints-min.txt is what CI's second job installs; torch is the
    # exception, pinned to the only wheel these machines can install.
    lines = (ROOT / "constraints-min.txt").read_text().splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    floors = _pyproject_floors()
    assert set(pins) == set(floors)
    for name in set(floors) - {"torch"}:
        assert release(pins[name]) == release(floors[name]), name


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.13.0+cpu", (2, 13, 0)),
        ("1.6.0rc1", (1, 6, 0)),
        ("1.6", (1, 6, 0)),
        ("1.10.2", (1, 10, 2)),
        ("unknown", None),
    ],
)
def test_release_reads_the_release_numbers(version, expected):
    assert release(version) == expected


@pytest.mark.parametrize("name", list(MINIMUM_VERSIONS))
def test_a_release_below_the_floor_raises_import_error_naming_the_floor(
    name, monkeypatch
):
    minimum = MINIMUM_VERSIONS[name][1]
    monkeypatch.setattr(MODULES[name], "__version__", "1.0.0")
    message = (
        f"sklearn_echo needs {name} >= {minimum}; this environment has {name} "
        f'1.0.0. Upgrade with: python -m pip install --upgrade "{name}>={minimum}"'
    )
    with pytest.raises(ImportError, match=f"^{re.escape(message)}$"):
        check_dependencies()


def test_every_release_below_its_floor_is_named_at_once(monkeypatch):
    monkeypatch.setattr(sklearn, "__version__", "1.5.2")
    monkeypatch.setattr(skorch, "__version__", "1.1.0")
    needs = "sklearn_echo needs scikit-learn >= 1.6.0, skorch >= 1.2.0; "
    with pytest.raises(ImportError, match=f"^{re.escape(needs)}"):
        check_dependencies()


def test_an_unreadable_version_is_not_rejected(monkeypatch):
    monkeypatch.setattr(skorch, "__version__", "unknown")
    assert check_dependencies() is None


def test_importing_with_an_old_skorch_fails_with_the_version_needed():
    # What a user sees: the import itself fails, before any fit.
    code = "import skorch; skorch.__version__ = '1.0.0'; import sklearn_echo"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "ImportError: sklearn_echo needs skorch >= 1.2.0; this environment has "
        'skorch 1.0.0. Upgrade with: python -m pip install --upgrade "skorch>=1.2.0"'
    )
