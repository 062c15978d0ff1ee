"""Networks of LIF neurons connected by exponential synapses: the notes' full LIF model (notes 003 §1.7).

    tau_m dv_i/dt = J_i + s_i - v_i     (not refracting; J_i = gain_i v_in_i + bias_i, the external input)
    tau_s ds_i/dt = -s_i
    v_i reaches 1: spike, v_i = 0, refractory for tau_ref;    neuron j spikes: s_i <- s_i + w_ij / tau_s

Within a step both equations are linear and are integrated exactly: with u the time since the step began,
s(u) = s_0 e^(-u/tau_s) and

    v(u) = J + (v_0 - J) e^(-u/tau_m) + s_0 K(u),   K(u) = tau_s / (tau_s - tau_m) (e^(-u/tau_s) - e^(-u/tau_m))

(K(u) = (u / tau_m) e^(-u/tau_m) when tau_s = tau_m; ``membrane`` evaluates K in a form without cancellation
that tends smoothly to it). A threshold crossing inside the step is located by a
safeguarded Newton iteration and the rest of the step counts towards the refractory period, as in ``lif.py``
(with s = 0 the crossing time is that of the single LIF neuron). A crossing counts when v ends a step at or
above 1: an excursion above 1 and back within a single step goes unseen, negligible for dt well below tau_s.
A spike at t_p inside step k reaches its targets at the end of the step with the synaptic value it has by then,
w_ij e^(-(t_(k+1) - t_p)/tau_s) / tau_s: transmission is delayed by less than one step.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuronlab._validation import probability
from neuronlab.neurons import _validation as check
from neuronlab.neurons._running import merge_spikes, run_steps
from neuronlab.neurons.results import NetworkResult, sorted_spikes

_NEWTON_ITERATIONS = 50


class LIFNetwork:
    """``N`` LIF neurons with weights ``weights[i, j]`` from neuron j to neuron i (dense array or SciPy sparse).

    Times in seconds: tau_m membrane, tau_ref refractory, tau_s synaptic time constant. gain, bias: per-neuron
    scaling of the external input, J = gain * v_in + bias.
    """

    def __init__(self, weights, tau_m: float = 0.02, tau_ref: float = 0.002, tau_s: float = 0.005, gain=1.0, bias=0.0):
        self.weights = _as_weights(weights)
        self.n_neurons = self.weights.shape[0]
        self.tau_m = check.positive("tau_m", tau_m)
        self.tau_ref = check.positive("tau_ref", tau_ref, allow_zero=True)
        self.tau_s = check.positive("tau_s", tau_s)
        self.gain = check.per_neuron("gain", gain, self.n_neurons)
        self.bias = check.per_neuron("bias", bias, self.n_neurons)

    def __repr__(self) -> str:
        kind = "sparse" if not isinstance(self.weights, np.ndarray) else "dense"
        return (
            f"LIFNetwork(n_neurons={self.n_neurons}, {kind} weights, tau_m={self.tau_m:g}, "
            f"tau_ref={self.tau_ref:g}, tau_s={self.tau_s:g})"
        )

    def membrane(self, u, v0, j, s0):
        """v(u) and dv/du after integrating for time u from v0 under input j and synaptic current s0.

        K(u) = (u / tau_m) e^(-u/tau_s) phi(a u), a = 1/tau_m - 1/tau_s, phi(x) = (1 - e^(-x)) / x (phi(0) = 1),
        is the docstring's K without its cancellation as tau_s -> tau_m (expm1), equal to (u / tau_m) e^(-u/tau_m)
        at tau_s = tau_m; its slope follows from tau_m dK/du = e^(-u/tau_s) - K.
        """
        tau_m, tau_s = self.tau_m, self.tau_s
        em, es = np.exp(-u / tau_m), np.exp(-u / tau_s)
        x = (1.0 / tau_m - 1.0 / tau_s) * u
        nonzero = x != 0.0
        phi = np.where(nonzero, -np.expm1(-x) / np.where(nonzero, x, 1.0), 1.0)
        kernel = (u / tau_m) * es * phi
        slope = (es - kernel) / tau_m
        return j + (v0 - j) * em + s0 * kernel, (j - v0) * em / tau_m + s0 * slope

    def _crossing(self, length, v0, v_end, j, s0):
        """A u in (0, length] with v(u) = 1, given v(0) = v0 < 1 <= v(length) = v_end: Newton's method started
        from the linear interpolation and kept inside the bracket (bisection where it would leave it)."""
        low, high = np.zeros_like(length), length.copy()
        u = length * (1.0 - v0) / (v_end - v0)
        for _ in range(_NEWTON_ITERATIONS):
            value, slope = self.membrane(u, v0, j, s0)
            below = value < 1.0
            low = np.where(below, u, low)
            high = np.where(below, high, u)
            newton = u - (value - 1.0) / np.where(slope > 0.0, slope, 1.0)
            inside = (slope > 0.0) & (newton >= low) & (newton <= high)
            step = np.where(inside, newton, 0.5 * (low + high))
            if np.all(np.abs(step - u) <= 1e-13 * length):
                return step
            u = step
        return u

    def _deliver(self, s, amount):
        """s += W @ amount, touching only the columns of neurons that spiked."""
        active = np.flatnonzero(amount)
        if isinstance(self.weights, np.ndarray):
            s += self.weights[:, active] @ amount[active]
            return
        indptr, indices, data = self.weights.indptr, self.weights.indices, self.weights.data
        for j in active:
            rows = slice(indptr[j], indptr[j + 1])
            s[indices[rows]] += data[rows] * amount[j]

    def simulate(
        self,
        v_in,
        duration: float | None = None,
        dt: float = 1e-4,
        v0=0.0,
        record=None,
        *,
        progress: bool | None = None,
        t_end: float | None = None,
        record_v=None,
    ) -> NetworkResult:
        """Run from t = 0 for ``duration`` seconds in steps ``dt`` (s, at most min(tau_m, tau_s)).

        v_in: external input, a scalar, per neuron (n_neurons,), per step (n_steps,) / (n_steps, n_neurons), or a
        callable v_in(t) (t in s) evaluated at the start of each step. v0: initial voltages (< 1). record: whose
        v and s to keep: None (a sample of ten neurons spread over the network, all of a smaller one), True
        (all), False (none) or neuron indices; every spike is kept. progress: a progress bar on stderr (None:
        only when the run is long). A run whose arrays cannot fit in the available memory raises MemoryError
        with the estimate before allocating them. ``t_end=`` and ``record_v=`` are the deprecated old names of
        ``duration=`` and ``record=``.
        """
        duration = check.renamed("duration", duration, "t_end", t_end)
        record = check.renamed("record", record, "record_v", record_v)
        if duration is None:
            raise TypeError("simulate() needs the simulated time: duration= (seconds)")
        n = self.n_neurons
        tau = min(self.tau_m, self.tau_s)
        n_steps = check.time_grid(duration, dt, max_dt=tau, max_dt_name="min(tau_m, tau_s)", name="duration")
        dt = float(dt)
        recorded = check.recorded_indices(record, n)
        check.memory(
            f"LIF network simulation of {n} neurons over {n_steps:,} steps",
            {
                "the time axis": 8.0 * (n_steps + 1),
                "recorded v and s": 16.0 * (n_steps + 1) * len(recorded),
                "the input samples": 8.0 * n_steps * (n if callable(v_in) else 0),
            },
        )
        x = check.time_input("v_in", v_in, n, n_steps, dt)
        v = check.initial_voltage(v0, n)
        run = _NetworkRun(self, x, dt, v, recorded, n_steps)
        run_steps(run.advance, n_steps, n, progress, desc="LIF network")
        spike_neuron, spike_step, spike_time = merge_spikes(run.chunks, n)
        return NetworkResult(
            t=dt * np.arange(n_steps + 1),
            n_neurons=n,
            spike_neuron=spike_neuron,
            spike_step=spike_step,
            spike_time=spike_time,
            v=run.v_rec,
            s=run.s_rec,
            v_in=x,
            recorded=recorded,
        )


class _NetworkRun:
    """The scheme of the module docstring, vectorized over neurons, a Python loop over steps; ``advance``
    continues from the state the last call left."""

    def __init__(self, net: LIFNetwork, x, dt, v, recorded, n_steps):
        n = net.n_neurons
        self.net, self.x, self.dt, self.v, self.recorded = net, x, dt, v, recorded
        self.v_rec = np.empty((n_steps + 1, len(recorded)))
        self.s_rec = np.empty((n_steps + 1, len(recorded)))
        self.v_rec[0] = v[recorded]
        self.s_rec[0] = 0.0
        self.s = np.zeros(n)
        self.t_resume = np.zeros(n)
        self.synaptic_decay = math.exp(-dt / net.tau_s)
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def advance(self, k_start: int, k_end: int) -> None:
        net, x, dt, v, s, t_resume = self.net, self.x, self.dt, self.v, self.s, self.t_resume
        n = net.n_neurons
        neurons, steps, times = [], [], []
        j_in: Any = None  # set at k == k_start
        for k in range(k_start, k_end):
            if k == k_start or x.shape[0] > 1:
                j_in = np.broadcast_to(net.gain * x[k if x.shape[0] > 1 else 0] + net.bias, (n,))
            t_k, t_next = k * dt, (k + 1) * dt
            start = np.maximum(t_resume, t_k)
            idx = np.flatnonzero(start < t_next)
            start = start[idx]
            fired, fired_at = [], []
            while idx.size:
                s0 = s[idx] * np.exp(-(start - t_k) / net.tau_s)
                v_end = net.membrane(t_next - start, v[idx], j_in[idx], s0)[0]
                crossing = v_end >= 1.0
                v[idx[~crossing]] = v_end[~crossing]
                idx, start, s0, v_end = idx[crossing], start[crossing], s0[crossing], v_end[crossing]
                if not idx.size:
                    break
                u = net._crossing(t_next - start, v[idx], v_end, j_in[idx], s0)
                t_spike = start + u
                fired.append(idx)
                fired_at.append(t_spike)
                v[idx] = 0.0
                t_resume[idx] = t_spike + net.tau_ref
                again = t_resume[idx] < t_next
                idx, start = idx[again], t_resume[idx][again]
            s *= self.synaptic_decay
            if fired:
                who, when = np.concatenate(fired), np.concatenate(fired_at)
                neurons.append(who)
                steps.append(np.full(who.size, k))
                times.append(when)
                arrival = np.bincount(who, weights=np.exp(-(t_next - when) / net.tau_s), minlength=n)
                net._deliver(s, arrival / net.tau_s)
            self.v_rec[k + 1] = v[self.recorded]
            self.s_rec[k + 1] = s[self.recorded]
        self.chunks.append(sorted_spikes(neurons, steps, times))


SpikingNetwork = LIFNetwork


def random_weights(
    n_neurons: int,
    p: float = 0.1,
    excitatory_fraction: float = 0.8,
    w_exc: float = 0.002,
    w_inh: float = -0.008,
    generator: np.random.Generator | None = None,
):
    """A sparse random weight matrix obeying Dale's law, as SciPy CSC.

    Each connection j -> i (i != j) exists with probability ``p``, independently; the first
    round(excitatory_fraction * N) neurons are excitatory (their columns carry ``w_exc`` > 0), the rest
    inhibitory (``w_inh`` < 0). Weights are the total input a spike delivers (the synapse adds w / tau_s).
    Returns (weights, n_excitatory). Drawn in O(synapses) time and memory: the N (N - 1) possible connections,
    column by column, are a sequence of Bernoulli(p) trials, and the gaps between successive connections are
    Geometric(p), so their positions are cumulative sums of geometric draws, already sorted as CSC stores them.
    ``generator``: a NumPy Generator (default: neuronlab's, seeded by ``neuronlab.manual_seed``).
    """
    import scipy.sparse as sparse

    from neuronlab.random import default_generator

    n = check.neuron_count(n_neurons)
    p = probability("p", p)
    excitatory_fraction = probability("excitatory_fraction", excitatory_fraction)
    w_exc, w_inh = (float(check.finite_array(name, w)) for name, w in (("w_exc", w_exc), ("w_inh", w_inh)))
    if w_exc < 0 or w_inh > 0:
        raise ValueError(f"need w_exc >= 0 and w_inh <= 0 (Dale's law), got w_exc={w_exc}, w_inh={w_inh}")
    rng = default_generator() if generator is None else generator
    n_exc = int(round(excitatory_fraction * n))
    candidates = n * (n - 1)  # column j's candidates are the rows i != j
    position = _bernoulli_positions(rng, p, candidates)
    column = position // max(n - 1, 1)
    row = position - column * (n - 1)
    row += row >= column  # skip the diagonal
    indptr = np.concatenate(([0], np.cumsum(np.bincount(column, minlength=n))))
    values = np.where(column < n_exc, w_exc, w_inh)
    index = np.int32 if n < 2**31 - 1 else np.int64
    return sparse.csc_matrix((values, row.astype(index), indptr.astype(index)), shape=(n, n)), n_exc


def _bernoulli_positions(rng: np.random.Generator, p: float, length: int) -> np.ndarray:
    """The indices of the successes among ``length`` Bernoulli(p) trials, increasing: cumulative sums of
    Geometric(p) gaps, drawn in batches a little larger than the expected count until they pass ``length``."""
    if p == 0.0 or length == 0:
        return np.zeros(0, dtype=np.int64)
    batches, last = [], -1
    while last < length - 1:
        expected = p * (length - 1 - last)
        size = int(expected + 5.0 * math.sqrt(expected) + 16)
        position = last + np.cumsum(rng.geometric(p, size))
        batches.append(position)
        last = int(position[-1])
    position = np.concatenate(batches)
    return position[: np.searchsorted(position, length)]


def _as_weights(weights):
    """A square dense float64 array, or a SciPy sparse matrix converted to CSC (fast column slicing)."""
    import scipy.sparse as sparse

    if sparse.issparse(weights):
        matrix = sparse.csc_matrix(weights, dtype=np.float64)
        matrix.sum_duplicates()
        if not np.all(np.isfinite(matrix.data)):
            raise ValueError("weights contain NaN or infinite values")
    else:
        matrix = check.finite_array("weights", weights)
        if matrix.ndim != 2:
            raise ValueError(f"weights must be a 2-D (N, N) matrix, got shape {matrix.shape}")
    if matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"weights must be square (N, N) with w[i, j] from neuron j to i, got shape {matrix.shape}")
    return matrix
