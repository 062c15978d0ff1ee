import numpy as np
import pytest

import neuronlab
from neuronlab import nn
from neuronlab.autograd import gradcheck
from neuronlab.nn import functional as F


def model():
    neuronlab.manual_seed(0)
    return nn.Sequential(
        nn.Linear(3, 4, dtype=np.float64),
        nn.BatchNorm1d(4, dtype=np.float64),
        nn.ReLU(),
        nn.Linear(4, 2, dtype=np.float64),
    )


def test_l2_penalty_is_the_notes_alpha_sum_of_squares_over_weights():
    net = model()
    w1, w2 = net[0].weight.data, net[3].weight.data
    penalty = F.l2_penalty(net, 0.1)
    np.testing.assert_allclose(penalty.item(), 0.1 * ((w1**2).sum() + (w2**2).sum()), rtol=1e-14)
    penalty.backward()
    np.testing.assert_allclose(net[0].weight.grad.data, 2 * 0.1 * w1)  # dOmega/dW = 2 alpha W
    np.testing.assert_allclose(net[3].weight.grad.data, 2 * 0.1 * w2)
    assert net[0].bias.grad is None and net[1].weight.grad is None and net[1].bias.grad is None


def test_l1_penalty_is_alpha_sum_of_absolute_values_with_sign_gradient():
    net = model()
    w1, w2 = net[0].weight.data, net[3].weight.data
    penalty = F.l1_penalty(net, 0.3)
    np.testing.assert_allclose(penalty.item(), 0.3 * (np.abs(w1).sum() + np.abs(w2).sum()), rtol=1e-14)
    penalty.backward()
    np.testing.assert_array_equal(net[0].weight.grad.data, 0.3 * np.sign(w1))
    assert net[3].bias.grad is None


def test_weights_only_false_covers_every_parameter():
    net = model()
    everything = sum(float((p.data**2).sum()) for p in net.parameters())
    np.testing.assert_allclose(F.l2_penalty(net, 1.0, weights_only=False).item(), everything, rtol=1e-14)
    assert len(F.penalized_parameters(net)) == 2 and len(F.penalized_parameters(net, weights_only=False)) == 6
    np.testing.assert_allclose(F.l2_penalty([net[0].weight], 2.0).item(), 2 * (net[0].weight.data ** 2).sum())


def test_penalty_as_a_loss_term_and_gradcheck():
    net = model()
    x = neuronlab.tensor(np.random.default_rng(1).normal(size=(6, 3)))
    t = np.random.default_rng(2).normal(size=(6, 2))
    loss = nn.MSELoss()(net(x), t) + F.l2_penalty(net, 1e-2) + F.l1_penalty(net, 1e-3)
    loss.backward()
    assert all(p.grad is not None for p in net.parameters())
    rng = np.random.default_rng(3)
    ws = [nn.Parameter(rng.normal(size=(3, 2))), nn.Parameter(rng.normal(size=(2, 2)))]
    assert gradcheck(lambda a, b: F.l2_penalty([a, b], 0.7), ws)
    assert gradcheck(lambda a, b: F.l1_penalty([a, b], 0.7), ws)


def test_penalty_errors():
    with pytest.raises(ValueError, match="alpha"):
        F.l2_penalty(model(), -1.0)
    with pytest.raises(ValueError, match="no parameters"):
        F.l1_penalty(nn.BatchNorm1d(3), 0.1)
    with pytest.raises(TypeError, match="Module or Parameters"):
        F.l2_penalty([np.zeros((2, 2))], 0.1)
