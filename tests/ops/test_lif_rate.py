"""The LIF tuning curve as an activation, its smoothed form and the surrogate spike (issue 15).

The op table (op_specs.py) runs gradcheck, gradgradcheck and PyTorch on LIFRate and SoftLIFRate; this file
checks them against notes 003's tuning curve, the limits, the tails, and the surrogates against their formulas.
"""

import math

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.autograd import gradcheck, gradgradcheck
from neuronlab.autograd.gradcheck import GradcheckError
from neuronlab.neurons import lif_rate as tuning_curve
from neuronlab.nn.functional import lif_rate, soft_lif_rate, spike


def _grad(f, x):
    t = nl.tensor(x, requires_grad=True)
    f(t).sum().backward()
    return t.grad.data


def test_lif_rate_is_the_tuning_curve_of_notes_003():
    x = np.array([-2.0, 0.0, 0.999, 1.0, 1.001, 1.5, 2.0, 10.0, 1e6])
    np.testing.assert_allclose(lif_rate(x).data, tuning_curve(x), rtol=1e-15)
    assert np.all(lif_rate(x).data[:4] == 0) and lif_rate(x).data[4] > 0
    assert lif_rate(np.float64(1.5)).item() == pytest.approx(1 / (0.002 - 0.02 * math.log(1 - 1 / 1.5)), rel=1e-14)
    assert lif_rate(np.float64(2.0)).item() == pytest.approx(1 / (0.002 + 0.02 * math.log(2)), rel=1e-14)
    assert lif_rate(np.float64(1e6)).item() == pytest.approx(500.0, rel=2e-5)  # 1 / tau_ref, less tau_m / 1e6
    np.testing.assert_allclose(
        lif_rate(x, 0.001, 0.05, amplitude=0.1).data, 0.1 * tuning_curve(x, 0.001, 0.05), rtol=1e-15
    )


def test_lif_rate_gradient_is_finite_differences_away_from_threshold_and_zero_below():
    x = np.array([-1.0, 0.5, 0.99, 1.01, 1.3, 3.0, 50.0])
    h = 1e-6
    fd = (tuning_curve(x + h) - tuning_curve(x - h)) / (2 * h)
    np.testing.assert_allclose(_grad(lif_rate, x), fd, rtol=1e-6, atol=1e-8)
    assert np.all(_grad(lif_rate, x)[:3] == 0)


def test_lif_rate_keeps_float32():
    x = nl.tensor(np.linspace(0, 3, 7, dtype=np.float32), requires_grad=True)
    y = lif_rate(x, amplitude=0.01)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32 and np.all(np.isfinite(x.grad.data))


def test_soft_lif_rate_tends_to_lif_rate_as_sigma_goes_to_zero():
    away = np.array([-1.0, 0.5, 0.9, 1.1, 1.5, 3.0])
    for sigma in (1e-3, 1e-4):
        # away from threshold the softplus error is sigma e^{-|x - 1|/sigma}: far below rounding here
        np.testing.assert_allclose(soft_lif_rate(away[3:], sigma).data, tuning_curve(away[3:]), rtol=1e-12)
        # below threshold the soft curve keeps a tail 1 / (tau_ref + tau_m ((1 - x)/sigma + ln(1/sigma)))
        assert np.all(soft_lif_rate(away[:3], sigma).data < 1 / (0.02 * (0.1 / sigma)))
    # at threshold rho = sigma ln 2: the gap closes as 1 / ln(1/sigma), monotonically
    at = [soft_lif_rate(np.float64(1.0), s).item() for s in (1e-1, 1e-2, 1e-4, 1e-8)]
    assert at == sorted(at, reverse=True)
    assert at[-1] == pytest.approx(1 / (0.002 + 0.02 * math.log1p(1 / (1e-8 * math.log(2)))), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_soft_lif_rate_tails_are_finite_and_match_finite_differences(dtype):
    z = np.array([-5000.0, -800.0, -100.0, -40.0, -31.0, -29.0, -5.0, 0.0, 5.0, 29.0, 40.0, 800.0])
    x = (1 + 0.02 * z).astype(dtype)
    y = soft_lif_rate(x).data
    g = _grad(soft_lif_rate, x)
    assert y.dtype == dtype and np.all(np.isfinite(y)) and np.all(np.isfinite(g)) and np.all(g > 0)
    x64 = x.astype(np.float64)
    h = 1e-7 * np.maximum(1, np.abs(x64))
    fd = (soft_lif_rate(x64 + h).data - soft_lif_rate(x64 - h).data) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-5 if dtype == np.float64 else 1e-3)
    # far below threshold y ~ 1 / (tau_m (ln(1/sigma) - z)) and dy/dx ~ tau_m y^2 / sigma (sigmoid/rho -> 1/sigma)
    y0 = 1 / (0.002 + 0.02 * (math.log(1 / 0.02) + 5000))
    assert y[0] == pytest.approx(y0, rel=1e-5)
    assert g[0] == pytest.approx(0.02 * y0**2 / 0.02, rel=1e-5)


def test_soft_lif_rate_second_derivative_in_the_tails():
    x = nl.tensor(1 + 0.02 * np.array([-60.0, -35.0, -20.0, 0.0, 20.0, 60.0]), requires_grad=True)
    assert gradgradcheck(
        lambda v: soft_lif_rate(v, amplitude=0.01),
        [x],
        generator=np.random.default_rng(0),
        eps=1e-8,
        rtol=1e-4,
        atol=1e-6,
    )


@pytest.mark.parametrize("name, bad", [("sigma", 0.0), ("tau_m", -1.0), ("tau_ref", -0.1), ("amplitude", np.nan)])
def test_bad_constants_are_refused_naming_them(name, bad):
    with pytest.raises(ValueError, match=name):
        soft_lif_rate(np.ones(2), **{name: bad})
    with pytest.raises(TypeError, match="tau_m"):
        lif_rate(np.ones(2), tau_m="fast")


def _smooth_step(torch, x, surrogate, slope):
    """The smooth steps whose derivatives are the surrogates: x/(1 + k|x|) and arctan(pi alpha x/2)/pi."""
    if surrogate == "fast_sigmoid":
        return x / (1 + slope * x.abs())
    return torch.atan(math.pi / 2 * slope * x) / math.pi


@pytest.mark.parametrize(
    "surrogate, slope", [("fast_sigmoid", 25.0), ("fast_sigmoid", 3.0), ("arctan", 2.0), ("arctan", 7.5)]
)
def test_surrogate_spike_forward_is_heaviside_and_backward_its_formula(surrogate, slope):
    x = np.array([-2.0, -0.3, -0.01, 0.0, 0.02, 0.5, 3.0])
    y = spike(x, surrogate, slope)
    np.testing.assert_array_equal(y.data, [0, 0, 0, 0, 1, 1, 1])
    g = _grad(lambda t: spike(t, surrogate, slope), x)
    formula = (
        1 / (1 + slope * np.abs(x)) ** 2
        if surrogate == "fast_sigmoid"
        else slope / 2 / (1 + (math.pi / 2 * slope * x) ** 2)
    )
    np.testing.assert_allclose(g, formula, rtol=1e-14)
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    xt = torch.tensor(x, requires_grad=True)
    _smooth_step(torch, xt, surrogate, slope).sum().backward()
    np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("surrogate", ["fast_sigmoid", "arctan"])
def test_surrogate_backward_is_differentiable(surrogate):
    """Its second derivative is the surrogate's slope (the first-order check is void: H' is not the surrogate)."""
    x = nl.tensor(np.array([-1.3, -0.2, 0.3, 0.8]), requires_grad=True)
    assert gradgradcheck(lambda t: spike(t, surrogate, 2.0), [x], generator=np.random.default_rng(0))
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: spike(t, surrogate, 2.0), [x])


def test_spike_refuses_unknown_surrogates():
    with pytest.raises(ValueError, match="surrogate must be one of"):
        spike(np.zeros(2), "sigmoid")
