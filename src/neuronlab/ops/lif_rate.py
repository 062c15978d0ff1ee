"""Spiking neurons as differentiable functions: the LIF tuning curve, its smoothed form and surrogate spikes.

Notes 003 §1.4 derive the steady firing rate of a LIF neuron (threshold 1, reset 0) under a constant input v:

    G(v) = 1 / (tau_ref - tau_m ln(1 - 1/v)) = 1 / (tau_ref + tau_m ln(1 + 1/(v - 1)))   for v > 1, else 0

``LIFRate`` is ``amplitude * G`` as an activation. Its slope, with rho = v - 1 and ln(1 + 1/rho)' = -1/(rho(rho+1)),

    dG/dv = tau_m G^2 / (v (v - 1))

is infinite at the threshold from above (a ln(1/rho) singularity) and zero below. ``SoftLIFRate``
(Hunsberger and Eliasmith 2015) replaces rho = max(v - 1, 0) by a softplus of width sigma,

    rho = sigma ln(1 + e^{(v - 1)/sigma}),   dG/dv = tau_m G^2 sigmoid((v - 1)/sigma) / (rho (rho + 1)),

so the gradient is finite everywhere and SoftLIFRate -> LIFRate as sigma -> 0.

``SurrogateSpike`` is the discrete-time spike S = H(x) (x = v - threshold) whose backward replaces the
Heaviside step's derivative (a Dirac delta) by a surrogate: the fast sigmoid 1 / (1 + k|x|)^2 (SuperSpike,
Zenke and Ganguli 2018; snnTorch's default k = 25) or the arctan (alpha/2) / (1 + (pi alpha x / 2)^2)
(SpikingJelly's default alpha = 2). Each surrogate is the derivative of a smooth step, x / (1 + k|x|) and
arctan(pi alpha x / 2) / pi, which is how the tests check them.

Every backward below uses only the saved input and output and NumPy ufuncs, so the same code gives second
derivatives under ``create_graph=True``.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.neurons.lif import lif_rate as _tuning_curve
from neuronlab.ops._util import to_tensor

SURROGATES = ("fast_sigmoid", "arctan")
_SOFTPLUS_TAIL = -30.0  # below this z, softplus(z) = e^z to within e^z/2 < 1e-13 relative


class LIFRate(Function):
    """y = a G(x), the LIF tuning curve (zero for x <= 1).  dx = dy y^2 tau_m / (a x (x - 1))  (0 for x <= 1)."""

    def forward(self, x, tau_ref, tau_m, amplitude):
        self.tau_m, self.amplitude = tau_m, amplitude
        y = np.asarray(amplitude * _tuning_curve(x, tau_ref, tau_m), dtype=_float_dtype(x))
        # 1 below threshold, where y = 0: keeps the denominator x (x - 1) + 1 >= 3/4 away from 0, so the
        # slope there is an exact 0 (not 0/0) on arrays and on Tensors alike
        below = (x <= 1).astype(x.dtype)
        self.save_for_backward(x, y, below)
        return y

    def backward(self, gy):
        x, y, below = self.saved
        return gy * (self.tau_m / self.amplitude) * y * y / (x * (x - 1) + below)


def _float_dtype(x) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _softplus_terms(z):
    """(softplus(z), sigmoid(z) / softplus(z)) from ufuncs only, accurate in both tails, on arrays or Tensors.

    With e = e^{-|z|} and u = 1 + e: for z >= 0, softplus = z + ln u and sigmoid = 1/u; for z < 0,
    softplus = ln(1 + e) and sigmoid = e/u, and the ratio e / ln(1 + e) is taken as (u - 1) / ln u
    (Goldberg's log1p trick: exact to rounding even when 1 + e rounds), which is 1 where u rounds to 1.
    """
    positive = z >= 0
    e = np.exp(np.where(positive, -z, z))  # e^{-|z|}, taken one-sided so that derivatives at z = 0 are exact
    u = 1 + e
    rounds_to_one = u == 1
    log_u = np.log(u)
    softplus = np.where(positive, z, 0) + np.where(rounds_to_one, e, log_u)
    # each branch is kept finite where it is not selected (+1 in a denominator), so no inf * 0 reaches a gradient
    e_over_log1p = np.where(rounds_to_one, 1.0, (u - 1) / (log_u + rounds_to_one))
    ratio = np.where(positive, 1 / (u * (softplus + ~positive)), e_over_log1p / u)
    return softplus, ratio


class SoftLIFRate(Function):
    """y = a / (tau_ref + tau_m ln(1 + 1/rho)),  rho = sigma softplus((x - 1)/sigma).
    dx = dy y^2 tau_m sigmoid((x - 1)/sigma) / (a rho (rho + 1))."""

    def forward(self, x, sigma, tau_ref, tau_m, amplitude):
        self.sigma, self.tau_m, self.amplitude = sigma, tau_m, amplitude
        z = (x - 1) / sigma
        # ln(1 + 1/rho) = ln(1 + rho) - ln rho, with ln softplus(z) = z in the far tail (no underflow of rho)
        with np.errstate(divide="ignore"):
            log_softplus = np.where(z < _SOFTPLUS_TAIL, z, np.log(np.logaddexp(0, z)))
        rho = sigma * np.exp(log_softplus)
        y = amplitude / (tau_ref + tau_m * (np.log1p(rho) - math.log(sigma) - log_softplus))
        y = y.astype(_float_dtype(x), copy=False)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        softplus, sigmoid_over_softplus = _softplus_terms((x - 1) / self.sigma)
        rho = self.sigma * softplus
        return gy * (self.tau_m / (self.amplitude * self.sigma)) * y * y * sigmoid_over_softplus / (rho + 1)


class SurrogateSpike(Function):
    """S = H(x) = [x > 0] (a spike when the membrane crosses threshold; x = v - threshold).
    dx = dy / (1 + k|x|)^2 (``fast_sigmoid``, k = ``slope``) or
    dx = dy (alpha/2) / (1 + (pi alpha x / 2)^2) (``arctan``, alpha = ``slope``)."""

    def forward(self, x, surrogate, slope):
        self.surrogate, self.slope = surrogate, slope
        self.save_for_backward(x)
        return (x > 0).astype(x.dtype)

    def backward(self, gy):
        (x,) = self.saved
        k = self.slope
        if self.surrogate == "fast_sigmoid":
            d = 1 + k * np.abs(x)
            return gy / (d * d)
        w = (math.pi / 2 * k) * x
        return gy * (k / 2) / (1 + w * w)


def _number(name: str, value, *, allow_zero: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}") from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, got {value!r}")
    return x


def lif_rate(x, tau_ref: float = 0.002, tau_m: float = 0.02, amplitude: float = 1.0):
    """The LIF tuning curve as an activation: amplitude / (tau_ref - tau_m ln(1 - 1/x)) for x > 1, else 0
    (Hz times ``amplitude`` when the time constants are in seconds)."""
    return LIFRate.apply(
        to_tensor(x),
        tau_ref=_number("lif_rate: tau_ref", tau_ref, allow_zero=True),
        tau_m=_number("lif_rate: tau_m", tau_m),
        amplitude=_number("lif_rate: amplitude", amplitude),
    )


def soft_lif_rate(x, sigma: float = 0.02, tau_ref: float = 0.002, tau_m: float = 0.02, amplitude: float = 1.0):
    """The smoothed LIF tuning curve (Hunsberger and Eliasmith 2015): the LIF rate of rho = sigma
    softplus((x - 1)/sigma) + 1 instead of x; finite gradient everywhere, equal to lif_rate as sigma -> 0."""
    return SoftLIFRate.apply(
        to_tensor(x),
        sigma=_number("soft_lif_rate: sigma", sigma),
        tau_ref=_number("soft_lif_rate: tau_ref", tau_ref, allow_zero=True),
        tau_m=_number("soft_lif_rate: tau_m", tau_m),
        amplitude=_number("soft_lif_rate: amplitude", amplitude),
    )


def spike(x, surrogate: str = "fast_sigmoid", slope: float | None = None):
    """Heaviside spike H(x) = [x > 0] whose gradient is a surrogate: ``"fast_sigmoid"`` 1 / (1 + k|x|)^2
    (k = ``slope``, default 25) or ``"arctan"`` (alpha/2) / (1 + (pi alpha x / 2)^2) (alpha = ``slope``, default 2)."""
    if surrogate not in SURROGATES:
        raise ValueError(f"spike: surrogate must be one of {SURROGATES}, got {surrogate!r}")
    default = 25.0 if surrogate == "fast_sigmoid" else 2.0
    return SurrogateSpike.apply(
        to_tensor(x), surrogate=surrogate, slope=_number("spike: slope", default if slope is None else slope)
    )
