"""Encoders: static inputs (intensities in [0, 1]) as spike trains over ``steps`` time steps, time first.

``rate``: a Bernoulli draw per step with probability x (snnTorch's ``spikegen.rate``): a Poisson-like train
of mean rate x spikes per step. ``latency``: one spike per input, earlier for stronger inputs (time to
first spike of an RC neuron charged by x: t = tau ln(x / (x - threshold)), or linear in x).

The encoder layers (:class:`RateEncoder`, :class:`LatencyEncoder`) start a spiking model; with ``clamp=True``
they clip their inputs to [0, 1] first, for inputs scaled on training data (min-max) that new data can
exceed.
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.nn.module import Module, register_buildable
from neuronlab.random import default_generator


def _intensities(name: str, x) -> np.ndarray:
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    if data.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected numbers, got an array of {data.dtype}")
    if data.size and (not np.all(np.isfinite(data)) or data.min() < 0 or data.max() > 1):
        raise ValueError(
            f"{name}: inputs must be intensities in [0, 1] (scale them first), "
            f"got values in [{data.min():g}, {data.max():g}]"
        )
    return data


def _steps(name: str, steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"{name}: steps must be a positive integer, got {steps!r}")
    return int(steps)


def rate(x, steps: int, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Spike trains of shape (steps, *x.shape): s[t] ~ Bernoulli(min(gain x, 1)), independently per step.

    Draws from ``generator``, or the library's seeded generator (``neuronlab.manual_seed``)."""
    data = _intensities("rate", x)
    steps = _steps("rate", steps)
    if isinstance(gain, bool) or not isinstance(gain, (int, float)) or not 0 < gain < np.inf:
        raise ValueError(f"rate: gain must be a positive number, got {gain!r}")
    rng = generator if generator is not None else default_generator()
    p = np.clip(gain * data, 0.0, 1.0)
    dtype = data.dtype if data.dtype.kind == "f" else np.float32
    return Tensor((rng.random((steps,) + data.shape) < p).astype(dtype))


def latency(x, steps: int, tau: float = 5.0, threshold: float = 0.01, linear: bool = False) -> Tensor:
    """One spike per input at step t = tau ln(x / (x - threshold)) (an RC circuit charged by x reaches
    ``threshold``; snnTorch's ``spikegen.latency``), clipped to the last step; or, with ``linear=True``,
    t = (1 - x) (steps - 1). Inputs at or below ``threshold`` never spike. Shape (steps, *x.shape)."""
    data = _intensities("latency", x).astype(np.float64)
    steps = _steps("latency", steps)
    fires = data > threshold
    t: np.ndarray
    if linear:
        t = np.round((1 - data) * (steps - 1))
    else:
        safe = np.where(fires, data, 2 * threshold)
        t = np.round(np.minimum(tau * np.log(safe / (safe - threshold)), steps - 1))
    out = np.zeros((steps,) + data.shape, dtype=np.float32)
    index = np.nonzero(fires)
    out[(t[index].astype(int),) + index] = 1.0
    return Tensor(out)


def _clamped(x, clamp: bool):
    if not clamp:
        return x
    return np.clip(np.asarray(x.data if isinstance(x, Tensor) else x), 0.0, 1.0)  # NaN stays NaN: refused


@register_buildable
class RateEncoder(Module):
    """``rate(x, steps, gain)`` as the first layer of a spiking model: (N, ...) intensities -> (steps, N, ...)
    spike trains, a fresh draw on every call (from the library's generator). ``clamp=True``: x clipped to
    [0, 1] first."""

    def __init__(self, steps: int, gain: float = 1.0, clamp: bool = False) -> None:
        super().__init__()
        self.steps, self.gain, self.clamp = _steps("RateEncoder", steps), float(gain), bool(clamp)

    def forward(self, x):
        return rate(_clamped(x, self.clamp), self.steps, self.gain)

    def get_config(self) -> dict:
        return {"steps": self.steps, "gain": self.gain, "clamp": self.clamp}

    def extra_repr(self) -> str:
        return f"steps={self.steps}, gain={self.gain:g}, clamp={self.clamp}"


@register_buildable
class LatencyEncoder(Module):
    """``latency(x, steps, tau, threshold, linear)`` as the first layer of a spiking model: (N, ...) intensities
    -> (steps, N, ...) trains of at most one spike (deterministic). ``clamp=True``: x clipped to [0, 1] first."""

    def __init__(
        self, steps: int, tau: float = 5.0, threshold: float = 0.01, linear: bool = False, clamp: bool = False
    ) -> None:
        super().__init__()
        self.steps = _steps("LatencyEncoder", steps)
        self.tau, self.threshold, self.linear, self.clamp = float(tau), float(threshold), bool(linear), bool(clamp)

    def forward(self, x):
        return latency(_clamped(x, self.clamp), self.steps, self.tau, self.threshold, self.linear)

    def get_config(self) -> dict:
        return {
            "steps": self.steps,
            "tau": self.tau,
            "threshold": self.threshold,
            "linear": self.linear,
            "clamp": self.clamp,
        }

    def extra_repr(self) -> str:
        return f"steps={self.steps}, tau={self.tau:g}, threshold={self.threshold:g}, linear={self.linear}"
