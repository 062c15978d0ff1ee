"""docs/convolution.md: every example runs and the values its comments promise hold (from the formulas)."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "convolution.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)


def run(code: str) -> dict:
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "convolution.md", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_examples_run(index):
    run(BLOCKS[index])


def test_promised_values():
    first = run(BLOCKS[0])
    np.testing.assert_array_equal(first["y"].data, np.full((1, 1, 3, 3), -5.0))
    assert np.array_equal(first["same"].data, first["y"].data)
    x = np.arange(16.0).reshape(4, 4)
    expected = [[x[p : p + 3, q : q + 3].sum() for q in range(2)] for p in range(2)]
    np.testing.assert_array_equal(first["w"].grad.data[0, 0], expected)
    gx = np.zeros((4, 4))
    gx[:3, :3] += 1
    gx[1:, 1:] -= 1
    np.testing.assert_array_equal(first["x"].grad.data[0, 0], gx)
    lenet = run(BLOCKS[1])
    assert lenet["model"].num_parameters() == (8 * 9 + 8) + (16 * 8 * 9 + 16) + (64 * 10 + 10) == 1898
    listed = next(run(block) for block in BLOCKS if "build_layers" in block)
    assert listed["model"].num_parameters() == (8 * 9 + 8) + (8 * 4 * 4 * 10 + 10) == 1370
    assert [type(m).__name__ for m in listed["model"]] == [layer["type"] for layer in listed["layers"]]
    assert run(BLOCKS[-1])["w"].grad.shape == (3, 1, 3, 3)
