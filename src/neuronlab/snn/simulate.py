"""Running a converted network with spikes: every image of a batch presented at once, one time step at a time.

Each input is a constant current to the first layer for the presentation time. Per step of length dt, every
population advances its neurons exactly (below), its spikes s (0 or 1 per neuron and step) are filtered by an
exponential post-synaptic current of unit area, f <- d f + (1 - d) s / dt with d = e^{-dt/tau_s}, and the
next layer receives J = (activation_per_hz f) W + b (or its convolution, pooling, reshaping). The output is read from the network's last stage
averaged over the time elapsed: at time t, the class is the argmax of mean_{0..t}(output).

LIF neurons (threshold 1, reset 0) integrate exactly for the input J held over the step,
v <- J + (v - J) e^{-dt'/tau_m}, where dt' is the part of the step after the refractory period ends; a
crossing of 1 is placed at its exact time t* = dt + tau_m ln(1 - (v - 1)/(J - 1)) inside the step (solving the
same exponential) and starts the refractory period tau_ref there (Nengo's scheme; at most one spike per step
while tau_ref >= dt), so constant inputs fire at the tuning curve's rate independently of dt. IF neurons
(the ReLU conversion) add J each step and subtract the threshold 1 when they spike. J is each population's
``current`` of its input (gain z + bias, or z / scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from neuronlab.snn.convert import Population, SpikingModel, _as_batch


@dataclass
class SimulationResult:
    """Outputs of one presentation: ``outputs`` (len(times), N, out) the running mean of the network's output
    at each time in ``times`` (s); ``counts`` the spike counts per population (N, units), units = size for a
    Linear layer's, channels x height x width for a Conv2d layer's; ``spikes`` the spike trains
    (n_steps, N, units) per population when recorded, else empty."""

    times: np.ndarray
    outputs: np.ndarray
    counts: list
    spikes: list = field(default_factory=list)
    dt: float = 1e-3

    def predictions(self) -> np.ndarray:
        """The predicted class at each time: argmax of the output, shape (len(times), N)."""
        return self.outputs.argmax(axis=-1)


def _check(presentation: float, dt: float) -> int:
    for name, value in (("presentation", presentation), ("dt", dt)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"simulate: {name} must be a positive number of seconds, got {value!r}")
    if dt > presentation:
        raise ValueError(f"simulate: dt = {dt:g} s is longer than the presentation ({presentation:g} s)")
    return max(1, int(round(presentation / dt)))


class _LIFState:
    def __init__(self, shape, pop: Population, dt: float):
        self.v = np.zeros(shape)
        self.refractory = np.zeros(shape)
        self.pop, self.dt = pop, dt

    def step(self, z: np.ndarray) -> np.ndarray:
        dt, tau_m = self.dt, self.pop.tau_m
        j = self.pop.current(z)
        self.refractory -= dt
        delta = np.clip(dt - self.refractory, 0.0, dt)
        self.v -= (j - self.v) * np.expm1(-delta / tau_m)
        spiked = self.v > 1.0
        if spiked.any():
            over = (self.v[spiked] - 1.0) / (j[spiked] - 1.0)
            t_spike = dt + tau_m * np.log1p(-np.minimum(over, 1.0))
            self.refractory[spiked] = self.pop.tau_ref + t_spike
        np.maximum(self.v, 0.0, out=self.v)
        self.v[spiked] = 0.0
        return spiked


class _IFState:
    def __init__(self, shape, pop: Population, dt: float):
        self.v = np.zeros(shape)
        self.pop = pop

    def step(self, z: np.ndarray) -> np.ndarray:
        self.v += self.pop.current(z)
        spiked = self.v >= 1.0
        self.v -= spiked
        return spiked


def simulate(
    network: SpikingModel, X, presentation: float = 0.2, dt: float = 1e-3, n_times: int = 20, record: bool = False
) -> SimulationResult:
    """Present each input of ``X`` (N, ...) for ``presentation`` seconds in steps of ``dt``; the running output is
    kept at ``n_times`` equally spaced times ending at ``presentation``. ``record=True`` also keeps every spike (memory: n_steps x N x units)."""
    n_steps = _check(presentation, dt)
    if not isinstance(network, SpikingModel):
        raise TypeError(f"simulate: expected a SpikingModel from snn.convert, got {type(network).__name__}")
    a = _as_batch(X)
    n = len(a)
    stages = network.stages
    # the input is constant: everything before the first population is computed once
    first = next((k for k, s in enumerate(stages) if isinstance(s, Population)), len(stages))
    for stage in stages[:first]:
        a = stage.apply(a)
    head = a
    states, filters, counts, spikes = {}, {}, {}, {}
    for k, stage in enumerate(stages[first:], first):  # a rate pass gives every population's shape
        if isinstance(stage, Population):
            shape = a.shape
            states[k] = (_LIFState if stage.kind == "lif" else _IFState)(shape, stage, dt)
            filters[k] = np.zeros(shape)
            counts[k] = np.zeros(shape)
            if record:
                spikes[k] = np.zeros((n_steps, n, math.prod(shape[1:])), dtype=bool)
            a = stage.activation_per_hz(dt) * stage.rate(a, dt)
        else:
            a = stage.apply(a)
    decay = math.exp(-dt / network.tau_s) if network.tau_s > 0 else 0.0
    n_times = min(max(int(n_times), 1), n_steps)
    keep = np.unique(np.linspace(n_steps / n_times, n_steps, n_times).round().astype(int))  # steps ending each part
    out_sum, outputs = None, []
    for step in range(n_steps):
        a = head
        for k, stage in enumerate(stages[first:], first):
            if isinstance(stage, Population):
                s = states[k].step(a)
                counts[k] += s
                if record:
                    spikes[k][step] = s.reshape(n, -1)
                f = filters[k]
                f *= decay
                f += (1.0 - decay) / dt * s
                a = stage.activation_per_hz(dt) * f
            else:
                a = stage.apply(a)
        out_sum = a.copy() if out_sum is None else out_sum + a
        if step + 1 in keep:
            outputs.append(out_sum / (step + 1))
    order = sorted(states)
    return SimulationResult(
        times=keep * dt,
        outputs=np.stack(outputs),
        counts=[counts[k].reshape(n, -1) for k in order],
        spikes=[spikes[k] for k in order] if record else [],
        dt=dt,
    )


def accuracy_curve(
    network: SpikingModel, X, y, presentation: float = 0.2, dt: float = 1e-3, n_times: int = 20, batch_size: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy of the spiking network as a function of presentation time: (times, accuracy at each time)."""
    y = np.asarray(y)
    X = _as_batch(X)
    if len(X) != len(y):
        raise ValueError(f"accuracy_curve: {len(X)} inputs but {len(y)} labels")
    correct: Any = 0
    times: np.ndarray | None = None
    for start in range(0, len(X), batch_size):
        result = simulate(network, X[start : start + batch_size], presentation, dt, n_times)
        correct = correct + (result.predictions() == y[start : start + batch_size]).sum(axis=1)
        times = result.times
    return cast(np.ndarray, times), correct / len(y)
