"""Populations of LIF neurons in SI units, and spike sources (Poisson, given spike times) that drive them.

A population's neuron i obeys, while not refractory (times in s, voltages in V, currents in A),

    tau_m dv_i/dt = (v_rest - v_i) + R (I_ext,i(t) + sum of its current synapses) + R sum_c g_c (E_c - v_i)

and v_i reaching v_threshold is a spike: v_i = v_reset, held there for tau_ref. The defaults are the notes'
normalized form (v_rest = v_reset = 0, v_threshold = 1, R = 1, tau_m = 20 ms, tau_ref = 2 ms), where the
input current is the notes' J. Every parameter is a scalar (the population's) or one value per neuron.
"""

from __future__ import annotations

import numpy as np

from neuronlab.neurons import _validation as check


class Population:
    """``n`` LIF neurons named ``name``. v0: initial voltage, a scalar, one per neuron, or ``"uniform"``
    (uniformly random between v_reset and v_threshold, drawn from the network's seeded generator; None: v_rest
    clipped below the threshold). current: external current I_ext (A), a scalar, one per neuron, one per step
    ``(n_steps,)`` / ``(n_steps, n)``, or a callable current(t) evaluated at the start of each step."""

    def __init__(
        self,
        n: int,
        name: str = "neurons",
        *,
        tau_m=0.02,
        tau_ref=0.002,
        v_rest=0.0,
        v_threshold=1.0,
        v_reset=0.0,
        resistance=1.0,
        v0=None,
        current=0.0,
    ):
        self.n = check.neuron_count(n)
        if not isinstance(name, str) or not name:
            raise TypeError(f"population name must be a non-empty string, got {name!r}")
        self.name = name
        self.tau_m = _positive_per_neuron("tau_m", tau_m, self.n)
        self.tau_ref = _positive_per_neuron("tau_ref", tau_ref, self.n, allow_zero=True)
        self.v_rest = check.per_neuron("v_rest", v_rest, self.n)
        self.v_threshold = check.per_neuron("v_threshold", v_threshold, self.n)
        self.v_reset = check.per_neuron("v_reset", v_reset, self.n)
        self.resistance = _positive_per_neuron("resistance", resistance, self.n)
        if np.any(self.v_threshold <= self.v_reset):
            raise ValueError(
                f"population {name!r}: v_threshold must be above v_reset, got v_threshold="
                f"{self.v_threshold.min():g} <= v_reset={self.v_reset.max():g}"
            )
        if not (isinstance(v0, str) and v0 == "uniform") and v0 is not None:
            v0 = check.per_neuron("v0", v0, self.n)
            if np.any(v0 >= self.v_threshold):
                raise ValueError(f"population {name!r}: v0 must be below v_threshold")
        elif isinstance(v0, str) and v0 != "uniform":
            raise ValueError(f"v0 must be a number, an array or 'uniform', got {v0!r}")
        self.v0 = v0
        self.current = current

    def __repr__(self) -> str:
        return f"Population({self.n}, name={self.name!r})"

    def initial_voltage(self, rng: np.random.Generator) -> np.ndarray:
        if self.v0 is None:
            return np.minimum(self.v_rest, np.nextafter(self.v_threshold, -np.inf))
        if isinstance(self.v0, str):
            return self.v_reset + rng.random(self.n) * (self.v_threshold - self.v_reset)
        return self.v0.copy()


class PoissonSource:
    """``n`` independent Poisson spike trains (no membrane): in each step of dt, source i fires with probability
    rate_i(t) dt (Bernoulli; needs rate dt <= 1). rate (Hz): a scalar, one per source ``(n,)``, one per step
    ``(n_steps,)`` / ``(n_steps, n)``, or a callable rate(t)."""

    def __init__(self, n: int, rate, name: str = "poisson"):
        self.n = check.neuron_count(n)
        self.name = name
        self.rate = rate

    def __repr__(self) -> str:
        return f"PoissonSource({self.n}, name={self.name!r})"

    def draw(self, n_steps: int, dt: float, rng: np.random.Generator):
        """(step, index) of every spike over ``n_steps`` steps, sorted by step. A constant rate draws the spikes
        directly in O(spikes): the gaps between successes of the n_steps Bernoulli trials are geometric."""
        rate = check.time_input("rate", self.rate, self.n, n_steps, dt)
        if np.any(rate < 0) or np.any(rate * dt > 1.0):
            raise ValueError(f"{self.name}: rates must be in [0, 1/dt] = [0, {1 / dt:g}] Hz")
        if rate.shape[0] == 1:
            step_chunks: list[np.ndarray] = []
            index_chunks: list[np.ndarray] = []
            for i, p in enumerate(np.broadcast_to(rate[0] * dt, (self.n,))):
                k = _bernoulli_positions(rng, float(p), n_steps)
                step_chunks.append(k)
                index_chunks.append(np.full(k.size, i))
            steps, index = np.concatenate(step_chunks), np.concatenate(index_chunks)
            order = np.argsort(steps, kind="stable")
            return steps[order], index[order]
        probability = np.broadcast_to(rate * dt, (n_steps, self.n))
        steps, index = np.nonzero(rng.random((n_steps, self.n)) < probability)
        return steps, index


class SpikeSource:
    """``n`` sources firing at given times: source ``indices[m]`` fires at ``times[m]`` (s). A spike at t falls in
    step floor(t / dt) and is delivered at that step's end, like a neuron's."""

    def __init__(self, n: int, times, indices, name: str = "spikes"):
        self.n = check.neuron_count(n)
        self.name = name
        self.times = check.finite_array("times", times).ravel()
        self.indices = np.asarray(indices).ravel()
        if self.times.shape != self.indices.shape:
            raise ValueError(
                f"times and indices must have the same length, got {self.times.size} and {self.indices.size}"
            )
        if self.indices.size and (
            not np.issubdtype(self.indices.dtype, np.integer) or self.indices.min() < 0 or self.indices.max() >= self.n
        ):
            raise ValueError(f"{name}: indices must be integers in [0, {self.n})")
        if np.any(self.times < 0):
            raise ValueError(f"{name}: spike times must be >= 0")

    def __repr__(self) -> str:
        return f"SpikeSource({self.n}, {self.times.size} spikes, name={self.name!r})"

    def draw(self, n_steps: int, dt: float, rng: np.random.Generator):
        steps = np.floor(self.times / dt + 1e-9).astype(np.int64)
        keep = steps < n_steps
        order = np.argsort(steps[keep], kind="stable")
        return steps[keep][order], self.indices[keep][order].astype(np.int64)


def _positive_per_neuron(name: str, value, n: int, allow_zero: bool = False) -> np.ndarray:
    arr = check.per_neuron(name, value, n)
    if np.any(arr < 0) or (not allow_zero and np.any(arr == 0)):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {arr.min():g}")
    return arr


def _bernoulli_positions(rng: np.random.Generator, p: float, length: int) -> np.ndarray:
    """Increasing indices of the successes among ``length`` Bernoulli(p) trials: cumulative sums of Geometric(p)
    gaps, drawn in batches a little larger than the expected count, O(successes)."""
    if p == 0.0 or length == 0:
        return np.zeros(0, dtype=np.int64)
    batches, last = [], -1
    while last < length - 1:
        expected = p * (length - 1 - last)
        position = last + np.cumsum(rng.geometric(p, int(expected + 5.0 * np.sqrt(expected) + 16)))
        batches.append(position)
        last = int(position[-1])
    position = np.concatenate(batches)
    return position[: np.searchsorted(position, length)]
