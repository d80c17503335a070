"""pytest set-up for the doctests of sklearn_echo's modules.

As scikit-learn's own ``conftest.py`` does for matplotlib: an example that
needs an optional extra is skipped, not failed, where the extra is missing.
"""

import importlib.util

import pytest
from _pytest.doctest import DoctestItem

# Doctests (by name) and the packages their examples import.
_NEEDS = {
    "sklearn_echo.io.save": ("safetensors",),
    "sklearn_echo.io.load": ("safetensors",),
    "sklearn_echo.io.export_onnx": ("onnx", "onnxruntime"),
}


def _missing(module):
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # sys.modules[module] is None, or no spec
        return True


def pytest_collection_modifyitems(config, items):
    """Skip the doctests whose optional packages are not installed."""
    for item in items:
        if not isinstance(item, DoctestItem):
            continue
        missing = [m for m in _NEEDS.get(item.name, ()) if _missing(m)]
        if missing:
            reason = f"needs {', '.join(missing)} (an optional extra of sklearn-echo)"
            item.add_marker(pytest.mark.skip(reason=reason))
