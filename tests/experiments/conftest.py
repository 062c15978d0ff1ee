"""The ``results`` fixture shared by the experiment tests."""

import pytest

from neuronlab.experiments import run_experiment


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Run each experiment once (fast mode, seed 0) and keep its numbers and folder."""
    cache = {}

    def get(name):
        if name not in cache:
            out = tmp_path_factory.mktemp(name)
            cache[name] = (run_experiment(name, out, seed=0, fast=True), out)
        return cache[name]

    return get
