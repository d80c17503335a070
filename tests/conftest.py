"""Shared test set-up: threads, array-API checks, seeded data."""

import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import settings

# scikit-learn's common checks need scipy's array API support switched on before
# scipy is first imported, or some of them skip themselves.  Nothing imported
# above imports scipy; the assertion keeps it that way.
assert "scipy" not in sys.modules, "scipy was imported before SCIPY_ARRAY_API was set"
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Two torch processes fighting over 2 cores run 10-50x slower: one thread each.
torch.set_num_threads(1)

# CI runs the property tests on a fixed sequence of examples, so that its verdict
# is reproducible; local runs keep drawing new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def rng():
    """A fresh, seeded numpy generator for each test."""
    return np.random.RandomState(0)
