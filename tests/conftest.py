"""Shared test set-up: threads, array-API checks, seeded data."""

import os
import sys

import numpy as np
import pytest
import torch

# scikit-learn's common checks need scipy's array API support switched on before
# scipy is first imported, or some of them skip themselves.  Nothing imported
# above imports scipy; the assertion keeps it that way.
assert "scipy" not in sys.modules, "scipy was imported before SCIPY_ARRAY_API was set"
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Two torch processes fighting over 2 cores run 10-50x slower: one thread each.
torch.set_num_threads(1)


@pytest.fixture
def rng():
    """A fresh, seeded numpy generator for each test."""
    return np.random.RandomState(0)
