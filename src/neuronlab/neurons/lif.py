"""Leaky integrate-and-fire neurons in the notes' normalized form (notes 003 §1.4).

    tau_m dv/dt = v_in - v        while v < 1 and not refractory
    v reaches 1  ->  spike, v = 0, hold for tau_ref

Integration is exact: for input J held over a step, v(t + u) = J + (v(t) - J) exp(-u / tau_m) (the notes'
solution v(t) = v_in (1 - exp(-t / tau_m)) shifted to any start value). When v reaches 1 inside a step the
crossing time u* = tau_m ln((J - v) / (J - 1)) is solved for (under constant input, after v was 0 at t_0 that is
t_0 + tau_m ln(J / (J - 1)), computed once per neuron), the spike is placed there, the rest of the step counts
towards the refractory period, and any time left after it integrates again from v = 0. Spike times and
rates are therefore independent of dt for constant input: the inter-spike interval is exactly
tau_ref - tau_m ln(1 - 1 / v_in), the reciprocal of the tuning curve G(v_in) below.

Two backends run this scheme and agree to rounding: ``"numba"`` (a compiled loop over blocks of neurons run in
parallel on ``threads`` threads, see ``_lif_kernels``; the default when Numba is importable) and ``"numpy"`` (vectorized over neurons, a Python loop
over steps).
"""
from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from neuronlab.neurons import _validation as check
from neuronlab.neurons.results import LIFResult, sorted_spikes

BACKENDS = ("numba", "numpy")


def default_backend() -> str:
    """``"numba"`` when Numba is importable, else ``"numpy"``."""
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


def resolve_backend(backend: str | None) -> str:
    if backend is None:
        return default_backend()
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS} or None, got {backend!r}")
    return backend


def lif_rate(v_in, tau_ref: float = 0.002, tau_m: float = 0.02):
    """Steady-state LIF firing rate (the tuning curve), in Hz when the time constants are in seconds:

        G(v_in) = 1 / (tau_ref - tau_m ln(1 - 1/v_in))   for v_in > 1,   0 otherwise.

    Evaluated as 1 / (tau_ref + tau_m log1p(1 / (v_in - 1))), accurate as v_in -> 1+ (G -> 0) and as
    v_in -> inf (G -> 1 / tau_ref). Scalars give a float, arrays an array of the same shape.
    """
    tau_ref = check.positive("tau_ref", tau_ref, allow_zero=True)
    tau_m = check.positive("tau_m", tau_m)
    v = check.finite_array("v_in", v_in)
    above = v > 1.0
    gap = np.where(above, v - 1.0, 1.0)
    rate = np.where(above, 1.0 / (tau_ref + tau_m * np.log1p(1.0 / gap)), 0.0)
    return float(rate) if rate.ndim == 0 else rate


class LIF:
    """A population of ``n_neurons`` uncoupled LIF neurons with input J_i = gain_i * v_in_i + bias_i.

    Times are in seconds. ``tau_m``: membrane time constant; ``tau_ref``: refractory period (notes' typical
    cortical values 0.02 s and 0.002 s). ``backend``: ``"numba"``, ``"numpy"`` or None (Numba if importable).
    ``threads``: how many threads the numba backend runs blocks of neurons on (None: Numba's default, all cores;
    the results are the same for any number); the numpy backend is single-threaded and ignores it.
    """

    def __init__(self, n_neurons: int = 1, tau_m: float = 0.02, tau_ref: float = 0.002, gain=1.0, bias=0.0,
                 backend: str | None = None, threads: int | None = None):
        self.n_neurons = check.neuron_count(n_neurons)
        self.tau_m = check.positive("tau_m", tau_m)
        self.tau_ref = check.positive("tau_ref", tau_ref, allow_zero=True)
        self.gain = check.per_neuron("gain", gain, self.n_neurons)
        self.bias = check.per_neuron("bias", bias, self.n_neurons)
        self.backend = resolve_backend(backend)
        self.threads = _check_threads(threads, self.backend)

    def __repr__(self) -> str:
        return (f"LIF(n_neurons={self.n_neurons}, tau_m={self.tau_m:g}, tau_ref={self.tau_ref:g}, "
                f"backend={self.backend!r})")

    def simulate(self, v_in, t_end: float, dt: float = 1e-3, v0=0.0, record_v=True) -> LIFResult:
        """Run from t = 0 to ``t_end`` (s) in steps of ``dt`` (s, at most tau_m).

        v_in: a scalar, one value per neuron (shape (n_neurons,)), or one value per step (shape (n_steps,)
        shared, or (n_steps, n_neurons)); held constant within a step. v0: initial voltage (scalar or per
        neuron, below the threshold 1). record_v: True (all neurons), False, or neuron indices to record.
        """
        n_steps = check.time_grid(t_end, dt, max_dt=self.tau_m, max_dt_name="tau_m")
        x = check.drive("v_in", v_in, self.n_neurons, n_steps)
        v = check.initial_voltage(v0, self.n_neurons)
        recorded = check.recorded_indices(record_v, self.n_neurons)
        dt = float(dt)
        v_rec = np.empty((n_steps + 1, len(recorded)))
        v_rec[0] = v[recorded]
        run = _run_numba if self.backend == "numba" else _run_numpy
        spike_neuron, spike_step, spike_time = run(self, x, dt, n_steps, v, recorded, v_rec)
        return LIFResult(t=dt * np.arange(n_steps + 1), n_neurons=self.n_neurons, spike_neuron=spike_neuron,
                         spike_step=spike_step, spike_time=spike_time, v=v_rec, v_in=x, recorded=recorded)

    def _max_drive(self, x: np.ndarray) -> np.ndarray:
        """Largest input J_i = gain_i x_i(t) + bias_i over the run, per neuron."""
        high, low = x.max(axis=0), x.min(axis=0)
        return np.maximum(self.gain * high, self.gain * low) + self.bias

    def _spike_bound(self, x: np.ndarray, duration: float) -> np.ndarray:
        """Most spikes each neuron can fire: after its first spike, intervals are at least
        tau_ref + tau_m ln(J_max / (J_max - 1)) (v rises no faster than under the largest input)."""
        j_max = self._max_drive(x)
        bound = np.zeros(self.n_neurons, dtype=np.int64)
        firing = j_max > 1.0
        isi_min = self.tau_ref + self.tau_m * np.log1p(1.0 / (j_max[firing] - 1.0))
        bound[firing] = np.floor(duration / isi_min).astype(np.int64) + 2
        return bound


def _check_threads(threads, backend: str) -> int | None:
    if threads is None:
        return None
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    if backend == "numba":
        from numba import config

        if threads > config.NUMBA_NUM_THREADS:
            raise ValueError(f"threads must be at most {config.NUMBA_NUM_THREADS} (Numba's thread pool), "
                             f"got {threads}")
    return int(threads)


@contextmanager
def _numba_threads(threads: int | None):
    """Run the enclosed Numba parallel calls on ``threads`` threads (None: leave the current setting)."""
    if threads is None:
        yield
        return
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _constants(model: LIF, dt: float) -> tuple[float, float]:
    """exp(-dt / tau_m) and 1 - exp(-dt / tau_m) (via expm1, accurate for dt << tau_m)."""
    return float(np.exp(-dt / model.tau_m)), float(-np.expm1(-dt / model.tau_m))


def _run_numba(model: LIF, x, dt, n_steps, v, recorded, v_rec):
    """Two parallel passes (see ``_lif_kernels``): simulate the blocks, staging each block's spikes in its own
    slice; then scatter them, sorted by neuron, to positions given by the prefix sum of the spike counts."""
    from neuronlab.neurons._lif_kernels import BLOCK, run_lif, scatter_spikes

    decay, one_minus_decay = _constants(model, dt)
    per_block = np.add.reduceat(model._spike_bound(x, n_steps * dt), np.arange(0, model.n_neurons, BLOCK))
    stage_start = np.concatenate(([0], np.cumsum(per_block)))
    # sized for the bound; only the pages actually written are ever touched
    stage_neuron = np.empty(stage_start[-1], dtype=np.int64)
    stage_step = np.empty(stage_start[-1], dtype=np.int64)
    stage_time = np.empty(stage_start[-1])
    counts = np.empty(model.n_neurons, dtype=np.int64)
    rec_col = np.full(model.n_neurons, -1, dtype=np.int64)
    rec_col[recorded] = np.arange(len(recorded))
    with _numba_threads(model.threads):
        fired = run_lif(x, model.gain, model.bias, model.tau_m, model.tau_ref, dt, decay, one_minus_decay,
                        n_steps, v, rec_col, v_rec, stage_start, stage_neuron, stage_step, stage_time, counts)
        if np.any(fired > per_block):
            raise RuntimeError("LIF spike buffer overflowed: the spike-count bound is wrong")
        position = np.cumsum(counts) - counts  # where each neuron's first spike goes
        total = int(fired.sum())
        out_neuron = np.empty(total, dtype=np.int64)
        out_step = np.empty(total, dtype=np.int64)
        out_time = np.empty(total)
        scatter_spikes(stage_start, fired, stage_neuron, stage_step, stage_time, position, out_neuron, out_step,
                       out_time)
    return out_neuron, out_step, out_time


def _run_numpy(model: LIF, x, dt, n_steps, v, recorded, v_rec):
    decay, one_minus_decay = _constants(model, dt)
    tau_m, tau_ref = model.tau_m, model.tau_ref
    constant = x.shape[0] == 1
    t_resume = np.zeros(model.n_neurons)
    # constant input: v reaches 1 at t_0 + t_fire after being 0 at t_0 (-inf: t_0 unknown)
    origin = np.where(v == 0.0, 0.0, -np.inf) if constant else np.full(model.n_neurons, -np.inf)
    neurons, steps, times = [], [], []
    j_in = j_step = t_fire = None
    for k in range(n_steps):
        if k == 0 or not constant:
            j_in = model.gain * x[0 if constant else k] + model.bias
            j_step = j_in * one_minus_decay
        if k == 0 and constant:
            above = np.where(j_in > 1.0, j_in, 2.0)
            t_fire = np.where(j_in > 1.0, tau_m * np.log(above / (above - 1.0)), np.inf)
        t_k, t_next = k * dt, (k + 1) * dt
        # every neuron takes the full-step update, except those crossing 1 or leaving refractoriness mid-step
        v_full = v * decay + j_step
        free = t_resume <= t_k
        special = (free & (v_full >= 1.0)) | (~free & (t_resume < t_next))
        np.copyto(v, v_full, where=free & ~special)
        idx = np.flatnonzero(special)
        start = np.maximum(t_k, t_resume[idx])
        while idx.size:
            j, vi = j_in[idx], v[idx]
            v_end = np.where(start == t_k, vi * decay + j_step[idx], j + (vi - j) * np.exp(-(t_next - start) / tau_m))
            crossing = (v_end >= 1.0) & (j > 1.0)
            v[idx[~crossing]] = v_end[~crossing]
            idx, start, j, vi = idx[crossing], start[crossing], j[crossing], vi[crossing]
            since = origin[idx]
            known = since > -np.inf
            t_cross = tau_m * np.log((j - vi) / (j - 1.0))
            if constant:
                t_cross[known] = np.maximum(since[known] + t_fire[idx[known]] - start[known], 0.0)
            t_spike = start + np.minimum(t_cross, t_next - start)
            neurons.append(idx)
            steps.append(np.full(idx.size, k))
            times.append(t_spike)
            v[idx] = 0.0
            t_resume[idx] = t_spike + tau_ref
            if constant:
                origin[idx] = t_resume[idx]
            again = t_resume[idx] < t_next
            idx = idx[again]
            start = t_resume[idx]
        if len(recorded):
            v_rec[k + 1] = v[recorded]
    return sorted_spikes(neurons, steps, times)


@dataclass(frozen=True)
class TuningCurve:
    """Simulated and analytic firing rates (Hz) of LIF neurons driven by constant inputs ``v_in``."""

    v_in: np.ndarray
    simulated: np.ndarray
    analytic: np.ndarray
    tau_ref: float
    tau_m: float


def tuning_curve(v_in=None, tau_ref: float = 0.002, tau_m: float = 0.02, t_end: float = 1.0, dt: float = 1e-3,
                 backend: str | None = None) -> TuningCurve:
    """Simulate one LIF neuron per input value (one vectorized population) and compare with G(v_in).

    v_in defaults to 200 points in [0, 5]. ``simulated`` is the steady-state rate 1 / (mean inter-spike
    interval) of each neuron (0 with fewer than two spikes); ``analytic`` is :func:`lif_rate`.
    """
    values = np.linspace(0.0, 5.0, 200) if v_in is None else check.finite_array("v_in", v_in)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"v_in must be a non-empty 1-D array of inputs, got shape {values.shape}")
    model = LIF(len(values), tau_m=tau_m, tau_ref=tau_ref, backend=backend)
    result = model.simulate(values, t_end, dt, record_v=False)
    return TuningCurve(values, result.isi_rates(), lif_rate(values, tau_ref, tau_m), model.tau_ref, model.tau_m)
