"""Shared test settings: hypothesis profiles and the float64 PyTorch comparison helpers."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# "default" (CI) draws the same examples every run, so a result never depends on luck;
# HYPOTHESIS_PROFILE=thorough explores many fresh random examples.
settings.register_profile("default", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)
