"""SelectOutput: a tuple output's part, and one time step, so recurrent layers fit in a Sequential."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import nn


def test_picks_the_tuple_part_then_the_step():
    nl.manual_seed(0)
    gru = nn.GRU(3, 4, batch_first=True)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    output, h_n = gru(x)
    np.testing.assert_array_equal(nn.SelectOutput()(gru(x)).data, output.data)
    np.testing.assert_array_equal(nn.SelectOutput(1)(gru(x)).data, h_n.data)
    last = nn.SelectOutput(step=-1)(gru(x))
    np.testing.assert_array_equal(last.data, output.data[:, -1])
    np.testing.assert_allclose(last.data, h_n.data[0], rtol=1e-6)  # one layer, one direction: the last state


def test_gradient_flows_to_the_selected_part_only():
    x = nl.tensor(np.arange(12.0).reshape(2, 3, 2), requires_grad=True)
    y = nl.tensor(np.ones(2), requires_grad=True)
    nn.SelectOutput(0, step=1)((x, y)).sum().backward()
    expected = np.zeros((2, 3, 2))
    expected[:, 1] = 1
    np.testing.assert_array_equal(x.grad.data, expected)
    assert y.grad is None


def test_errors_and_config_round_trip():
    with pytest.raises(IndexError, match="index 2 is out of range for a tuple of 2"):
        nn.SelectOutput(2)((nl.tensor([1.0]), nl.tensor([2.0])))
    with pytest.raises(ValueError, match="needs a batch-first sequence"):
        nn.SelectOutput(step=0)(nl.tensor([1.0, 2.0]))
    assert nn.SelectOutput().config() == {"type": "SelectOutput", "args": {"index": 0}}
    rebuilt = nn.build_module(nn.SelectOutput(1, step=-1).config())
    assert (rebuilt.index, rebuilt.step) == (1, -1)
