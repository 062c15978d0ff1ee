"""docs/spiking.md: its examples run and the values their comments promise hold (from the formulas on the page)."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from neuronlab.neurons import lif_rate

PAGE = Path(__file__).resolve().parents[2] / "docs" / "spiking.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)


def run(code: str) -> dict:
    namespace = {}
    exec(compile(code, "spiking.md", "exec"), namespace)
    return namespace


def test_four_examples():
    assert len(blocks()) == 4


def test_tuning_curve_example():
    values = run(blocks()[0])
    v = np.array([0.5, 1.5, 3.0])
    np.testing.assert_allclose(values["rate"].data, lif_rate(v), rtol=1e-14)
    np.testing.assert_allclose(values["rate"].data, [0, 41.71, 98.92], atol=0.005)
    np.testing.assert_allclose(values["v"].grad.data, [0, 46.40, 32.62], atol=0.005)
    soft = values["soft"].data
    np.testing.assert_allclose(soft[1:], lif_rate(v[1:]), rtol=1e-12)
    # below threshold: 1 / (tau_ref + tau_m (ln(1/sigma) + (1 - v)/sigma)) to within e^{-25}
    assert soft[0] == pytest.approx(1 / (0.002 + 0.02 * (math.log(1 / 0.02) + 25)), rel=1e-9)
    assert round(soft[0], 1) == 1.7


def test_conversion_example():
    values = run(blocks()[1])
    assert abs(values["rate_accuracy"] - 0.97) < 0.02
    assert values["curve"][0] > values["rate_accuracy"] - 0.05
    assert values["curve"][-1] >= values["rate_accuracy"] - 0.01
    assert values["times"][0] == pytest.approx(0.02)


def test_cnn_conversion_example():
    values = run(blocks()[2])
    assert abs(values["rate_accuracy"] - 0.94) < 0.03
    assert len(values["network"].populations[0].name) and values["network"].populations[0].size == 8
    assert values["curve"][-1] >= values["rate_accuracy"] - 0.01


def test_surrogate_example():
    values = run(blocks()[3])
    assert values["counts"].shape == (4, 10)
    assert np.all(values["counts"].data >= 0) and np.all(values["counts"].data <= 25)
    for layer in (values["model"][1], values["model"][3]):
        assert layer.weight.grad is not None and np.abs(layer.weight.grad.data).sum() > 0
