"""Spiking neurons as layers (notes 003): the LIF tuning curve as an activation, and a spiking LIF unrolled in time.

``LIFRate`` and ``SoftLIFRate`` are rate activations: train a network with them, then run it with spiking LIF
neurons (:func:`neuronlab.snn.convert`). ``SpikingLIF`` is a discrete-time LIF layer trained directly by
backpropagation through time, the spike's derivative replaced by a surrogate (:mod:`neuronlab.ops.lif_rate`).
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.parameter import Parameter
from neuronlab.ops._util import to_tensor
from neuronlab.ops.elementwise import clip
from neuronlab.ops.lif_rate import SURROGATES, lif_rate, soft_lif_rate, spike
from neuronlab.ops.shape import stack

RESETS = ("subtract", "zero")


@register_buildable
class LIFRate(Module):
    """y = amplitude / (tau_ref - tau_m ln(1 - 1/x)) for x > 1, else 0: the LIF tuning curve (notes 003 §1.4)
    as an activation; x is the neuron's input current in units of its threshold.
    dx = dy y^2 tau_m / (amplitude x (x - 1)), infinite at threshold (use SoftLIFRate to train)."""

    def __init__(self, tau_ref: float = 0.002, tau_m: float = 0.02, amplitude: float = 1.0) -> None:
        super().__init__()
        self.tau_ref, self.tau_m, self.amplitude = float(tau_ref), float(tau_m), float(amplitude)
        lif_rate(np.zeros(1), self.tau_ref, self.tau_m, self.amplitude)  # checks the constants now

    def forward(self, x):
        return lif_rate(x, self.tau_ref, self.tau_m, self.amplitude)

    def get_config(self) -> dict:
        return {"tau_ref": self.tau_ref, "tau_m": self.tau_m, "amplitude": self.amplitude}

    def extra_repr(self) -> str:
        return f"tau_ref={self.tau_ref:g}, tau_m={self.tau_m:g}, amplitude={self.amplitude:g}"


@register_buildable
class SoftLIFRate(Module):
    """The LIF tuning curve smoothed at threshold (Hunsberger and Eliasmith 2015):
    y = amplitude / (tau_ref + tau_m ln(1 + 1/rho)),  rho = sigma ln(1 + e^{(x - 1)/sigma});
    its gradient is finite everywhere, and it tends to LIFRate as sigma -> 0."""

    def __init__(
        self, sigma: float = 0.02, tau_ref: float = 0.002, tau_m: float = 0.02, amplitude: float = 1.0
    ) -> None:
        super().__init__()
        self.sigma, self.tau_ref, self.tau_m = float(sigma), float(tau_ref), float(tau_m)
        self.amplitude = float(amplitude)
        soft_lif_rate(np.zeros(1), self.sigma, self.tau_ref, self.tau_m, self.amplitude)

    def forward(self, x):
        return soft_lif_rate(x, self.sigma, self.tau_ref, self.tau_m, self.amplitude)

    def get_config(self) -> dict:
        return {"sigma": self.sigma, "tau_ref": self.tau_ref, "tau_m": self.tau_m, "amplitude": self.amplitude}

    def extra_repr(self) -> str:
        return f"sigma={self.sigma:g}, tau_ref={self.tau_ref:g}, tau_m={self.tau_m:g}, amplitude={self.amplitude:g}"


@register_buildable
class SpikingLIF(Module):
    """A discrete-time LIF layer unrolled over the first axis of its input (T, N, ...), returning spikes (T, N, ...):

        s[t] = H(v[t] - threshold),   v[t] = beta v[t-1] + x[t] - threshold s[t-1]      (reset="subtract")
                                      v[t] = beta (1 - s[t-1]) v[t-1] + x[t]           (reset="zero")

    (snnTorch's ``Leaky``): subtraction keeps the excess over threshold, "zero" returns the membrane to 0. The reset is detached from the graph (``detach_reset``, snnTorch's default),
    so gradients flow through the membrane and the spike's surrogate only. H's derivative is replaced by a
    surrogate (``"fast_sigmoid"`` or ``"arctan"``, width ``slope``). ``beta`` is the decay e^{-dt/tau_m};
    ``learn_beta=True`` makes it a Parameter (clipped to [0, 1] in the forward pass), a scalar or one value
    per neuron when ``beta`` is an array (of ``dtype``; a fixed beta takes the input's dtype). ``output="membrane"`` returns v[t] instead of spikes (a readout
    layer that never spikes: ``threshold=float('inf')``).
    """

    def __init__(
        self,
        beta=0.9,
        threshold: float = 1.0,
        surrogate: str = "fast_sigmoid",
        slope: float | None = None,
        reset: str = "subtract",
        learn_beta: bool = False,
        detach_reset: bool = True,
        output: str = "spikes",
        dtype=np.float32,
    ) -> None:
        super().__init__()
        if surrogate not in SURROGATES:
            raise ValueError(f"SpikingLIF: surrogate must be one of {SURROGATES}, got {surrogate!r}")
        if reset not in RESETS:
            raise ValueError(f"SpikingLIF: reset must be one of {RESETS}, got {reset!r}")
        if output not in ("spikes", "membrane"):
            raise ValueError(f"SpikingLIF: output must be 'spikes' or 'membrane', got {output!r}")
        beta_array = np.asarray(beta, dtype=np.float64)
        if not np.all((beta_array >= 0) & (beta_array <= 1)):
            raise ValueError(f"SpikingLIF: beta must lie in [0, 1], got {beta!r}")
        if not float(threshold) > 0:  # inf allowed: a non-spiking leaky integrator
            raise ValueError(f"SpikingLIF: threshold must be > 0, got {threshold!r}")
        self.threshold, self.surrogate, self.slope = float(threshold), surrogate, slope
        self.reset, self.detach_reset, self.output, self.learn_beta = reset, bool(detach_reset), output, learn_beta
        if learn_beta:
            self.beta: Parameter | np.ndarray = Parameter(beta_array.astype(dtype))
        else:
            self.beta = beta_array  # a constant: used in the input's dtype

    def forward(self, x):
        x = to_tensor(x)
        if x.ndim < 2:
            raise ValueError(f"SpikingLIF: expected input of shape (T, N, ...) (time first), got {tuple(x.shape)}")
        beta = clip(self.beta, 0.0, 1.0) if self.learn_beta else self.beta.astype(x.dtype)
        fires = math.isfinite(self.threshold)
        v, reset, outputs = None, 0.0, []
        for t in range(x.shape[0]):
            if v is None:
                v = x[t]
            elif self.reset == "subtract":
                v = beta * v + x[t] - reset
            else:
                v = beta * (v - reset) + x[t]
            if not fires:
                outputs.append(v)
                continue
            s = spike(v - self.threshold, self.surrogate, self.slope)
            outputs.append(v if self.output == "membrane" else s)
            reset = s * self.threshold if self.reset == "subtract" else s * v
            if self.detach_reset:
                reset = reset.detach()
        return stack(outputs, axis=0)

    def get_config(self) -> dict:
        beta = self.beta.data if self.learn_beta else self.beta
        return {
            "beta": beta.tolist(),
            "threshold": self.threshold,
            "surrogate": self.surrogate,
            "slope": self.slope,
            "reset": self.reset,
            "learn_beta": self.learn_beta,
            "detach_reset": self.detach_reset,
            "output": self.output,
        }

    def extra_repr(self) -> str:
        return (
            f"threshold={self.threshold:g}, surrogate={self.surrogate!r}, reset={self.reset!r}, "
            f"learn_beta={self.learn_beta}, output={self.output!r}"
        )


@register_buildable
class SpikeCount(Module):
    """Sum over the time axis (the first): spike trains (T, N, ...) -> spike counts (N, ...), the logits of a
    spiking classifier (or, after a ``SpikingLIF(output="membrane")``, the membrane potential summed over time)."""

    def forward(self, x):
        return to_tensor(x).sum(axis=0)

    def get_config(self) -> dict:
        return {}
