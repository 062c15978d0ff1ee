"""Synapses: post-synaptic current (PSC) filters and spike-train filtering (notes 003 §1.6-1.7).

A spike arriving at t = 0 injects the current

    h(t) = k t^n exp(-t / tau_s)  for t >= 0 (0 before),   k = 1 / (n! tau_s^(n+1))   (unit area),

and a spike train a(t) = sum_p delta(t - t_p) induces s(t) = (a * h)(t) = sum_p h(t - t_p).
n = 0 is the exponential synapse (the solution of tau_s ds/dt = -s, s(0) = 1 / tau_s); n = 1 the alpha synapse.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab.neurons import _validation as check


def _order(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer (the power of t in the PSC kernel), got {n!r}")
    return int(n)


def psc_kernel(t, tau_s: float, n: int = 0):
    """h(t) = t^n exp(-t / tau_s) / (n! tau_s^(n+1)) for t >= 0, else 0; unit area for every n >= 0."""
    tau_s = check.positive("tau_s", tau_s)
    n = _order(n)
    t = check.finite_array("t", t)
    after = np.maximum(t, 0.0)
    h = np.where(t >= 0.0, after**n * np.exp(-after / tau_s), 0.0) / (math.factorial(n) * tau_s ** (n + 1))
    return float(h) if h.ndim == 0 else h


def _sampled_filter(tau_s: float, dt: float, power: int) -> np.ndarray:
    """Second-order sections (for ``scipy.signal.sosfilt``) whose impulse response is g[j] = (j dt)^power r^j,
    r = exp(-dt / tau_s).

    sum_j g[j] z^-j is rational with denominator (1 - r z^-1)^(power+1); its numerator is the first power + 1
    terms of g convolved with that denominator (the rest cancel). Expanded, such a repeated pole loses most
    digits (direct-form IIR), so the filter runs as a cascade of first-order sections, one pole each, with the
    numerator's roots (real and negative: r times the roots of an Eulerian polynomial) spread over them.
    """
    r = math.exp(-dt / tau_s)
    a = np.array([math.comb(power + 1, i) * (-r) ** i for i in range(power + 2)])
    g = np.array([(j * dt) ** power * r**j for j in range(power + 1)])
    b = np.convolve(g, a)[: power + 1]
    lead = int(np.argmax(b != 0.0))  # g[0] = 0 for power >= 1: a one-step delay
    zeros = np.roots(b[lead:]).real if len(b) - lead > 1 else np.zeros(0)
    sos = np.zeros((power + 1, 6))
    sos[:, 3], sos[:, 4] = 1.0, -r
    sos[:, 0] = 1.0
    sos[:lead, :3] = (0.0, 1.0, 0.0)
    sos[lead : lead + len(zeros), 1] = -zeros
    sos[0, :3] *= b[lead]
    return sos


def filter_spikes(spikes, tau_s: float, n: int = 0, dt: float = 1e-3, t_end: float | None = None):
    """s(t) = sum_p h(t - t_p) on the grid t = dt * arange(...), exactly (no discretization of the kernel).

    spikes, one of:

    * a boolean raster (dtype bool) of shape (steps,) or (steps, neurons) whose row k marks spikes at time k dt;
    * the spike times of one train: a 1-D array or a list of numbers, e.g. ``[0.1, 0.25]``;
    * the spike times of several trains: a list of such 1-D arrays or lists.

    Spike times may fall between grid points; for them the grid runs to ``t_end`` (default: the last spike plus
    (n + 5) tau_s). A raster must be boolean: numbers that are all 0 or 1, given as integers or with a value
    repeated (two spikes at exactly 0 s or 1 s), are rejected as a raster in disguise; pass ``raster.astype(bool)``.
    Returns ``(t, s)``; ``s`` has the raster's shape, or (len(t),) for one train, (len(t), trains) for several.

    A spike at t_p, a fraction d = t_k - t_p in [0, dt) before grid point t_k, contributes from t_k on
    h(j dt + d) = k e^(-d/tau_s) sum_i C(n, i) d^(n-i) (j dt)^i e^(-j dt/tau_s): each power i of (j dt) is an
    IIR filter (see ``_sampled_filter``) applied with ``scipy.signal.sosfilt``.
    """
    from scipy.signal import sosfilt

    tau_s = check.positive("tau_s", tau_s)
    n = _order(n)
    dt = _check_step(dt, tau_s)
    several = isinstance(spikes, (list, tuple)) and any(np.ndim(train) != 0 for train in spikes)
    if not several and np.asarray(spikes).dtype == bool:
        raster = np.asarray(spikes)
        if raster.ndim not in (1, 2):
            raise ValueError(f"a spike raster must have shape (steps,) or (steps, neurons), got {raster.shape}")
        steps = raster.shape[0]
        # grid-aligned spikes: d = 0, only the i = n term remains
        sos = _sampled_filter(tau_s, dt, n)
        s = sosfilt(sos, raster.astype(np.float64), axis=0) / (math.factorial(n) * tau_s ** (n + 1))
        return dt * np.arange(steps), s
    trains = [_spike_times(train) for train in (spikes if several else [spikes])]
    if t_end is None:
        last = max((train.max() for train in trains if train.size), default=0.0)
        t_end = last + (n + 5) * tau_s
    steps = int(math.floor(check.positive("t_end", t_end, allow_zero=True) / dt + 1e-9)) + 1
    check.memory(
        f"filtering {len(trains)} spike trains on {steps:,} grid points",
        {"the filtered traces": 8.0 * (n + 3) * steps * len(trains)},
    )
    # bin k holds spikes in (t_(k-1), t_k]; d = t_k - t_p
    drive = np.zeros((n + 1, steps, len(trains)))
    for column, train in enumerate(trains):
        train = train[train <= (steps - 1) * dt]
        k = np.ceil(train / dt - 1e-9).astype(np.int64)
        d = np.maximum(k * dt - train, 0.0)
        for i in range(n + 1):
            np.add.at(drive[i, :, column], k, math.comb(n, i) * d ** (n - i) * np.exp(-d / tau_s))
    s = np.zeros((steps, len(trains)))
    for i in range(n + 1):
        s += sosfilt(_sampled_filter(tau_s, dt, i), drive[i], axis=0)
    s /= math.factorial(n) * tau_s ** (n + 1)
    return dt * np.arange(steps), s if several else s[:, 0]


def _spike_times(train) -> np.ndarray:
    """One train's spike times as a 1-D float64 array, checked finite and >= 0 and not a 0/1 raster."""
    given = np.asarray(train)
    times = check.finite_array("spike times", train)
    if times.ndim != 1:
        raise ValueError(
            f"spike times must be one 1-D array (or list) per train, got shape {times.shape}; "
            "a 2-D raster must be boolean: pass raster.astype(bool)"
        )
    binary = times.size > 0 and np.all((times == 0.0) | (times == 1.0))
    if binary and (np.issubdtype(given.dtype, np.integer) or np.unique(times).size < times.size):
        raise ValueError(
            f"spikes look like a 0/1 raster given as {given.dtype} numbers, which would be read as "
            "spike times in seconds; pass a boolean raster (raster.astype(bool)), or spike times "
            "as floats"
        )
    if np.any(times < 0):
        raise ValueError("spike times must be >= 0")
    return times


class ExponentialSynapse:
    """Stateful n = 0 filter for use inside a simulation loop: tau_s ds/dt = -s, and each spike of weight w
    adds w / tau_s (the notes' s_i <- s_i + w_ij / tau_s). Exact per step: s <- s exp(-dt / tau_s) + w / tau_s."""

    def __init__(self, tau_s: float, size: int = 1):
        self.tau_s = check.positive("tau_s", tau_s)
        self.size = check.neuron_count(size)
        self.s = np.zeros(self.size)

    def reset(self) -> None:
        self.s[:] = 0.0

    def step(self, spikes, dt: float) -> np.ndarray:
        """Advance by ``dt`` and add the spikes (weights or counts, shape () or (size,)) arriving at the new
        time; returns the current s, so that a raster fed row by row reproduces :func:`filter_spikes`."""
        dt = _check_step(dt, self.tau_s)
        self.s *= math.exp(-dt / self.tau_s)
        self.s += _weights(spikes, self.size) / self.tau_s
        return self.s.copy()


class AlphaSynapse:
    """Stateful n = 1 filter: h(t) = t exp(-t / tau_s) / tau_s^2, realized as two exponential stages,
    tau_s dx/dt = -x (x jumps by w / tau_s at a spike) and tau_s ds/dt = x - s. Exact per step:
    s <- r (s + x dt / tau_s),  x <- r x,  r = exp(-dt / tau_s)."""

    def __init__(self, tau_s: float, size: int = 1):
        self.tau_s = check.positive("tau_s", tau_s)
        self.size = check.neuron_count(size)
        self.x = np.zeros(self.size)
        self.s = np.zeros(self.size)

    def reset(self) -> None:
        self.x[:] = 0.0
        self.s[:] = 0.0

    def step(self, spikes, dt: float) -> np.ndarray:
        """Advance by ``dt``, then add the spikes arriving at the new time (they reach s only later, h(0) = 0)."""
        dt = _check_step(dt, self.tau_s)
        r = math.exp(-dt / self.tau_s)
        self.s = r * (self.s + self.x * dt / self.tau_s)
        self.x = r * self.x + _weights(spikes, self.size) / self.tau_s
        return self.s.copy()


def _check_step(dt: float, tau_s: float) -> float:
    dt = check.positive("dt", dt)
    if dt > tau_s:
        raise ValueError(f"dt = {dt:g} is larger than tau_s = {tau_s:g}; use dt <= tau_s")
    return dt


def _weights(spikes, size: int) -> np.ndarray:
    w = check.finite_array("spikes", spikes)
    if w.shape not in ((), (size,)):
        raise ValueError(f"spikes must be a scalar or have shape ({size},), got {w.shape}")
    return w
