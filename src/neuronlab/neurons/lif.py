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

Each step of dt runs five named steps:

1. input: J = gain v_in + bias for the step (once, under constant input);
2. integrate: every neuron that is not refractory takes the full-step update v <- J + (v - J) e^(-dt/tau_m);
3. flag: the few that reach 1 (or leave their refractory period inside the step) are listed;
4. spike and refractory: each listed neuron's crossing time, its spike, its refractory period, and the rest of
   the step integrated from v = 0 (spiking again if it crosses);
5. record: the recorded neurons' voltages.

Two backends run this scheme and agree to rounding (tested): ``"numpy"``, the reference (``_NumpyRun``,
vectorized over neurons, a Python loop over steps), and ``"numba"`` (``neuronlab.backend.lif``, the same steps
as named functions of a compiled loop over blocks of neurons run in parallel on ``threads`` threads; the
default when Numba is importable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neuronlab.backend import available, max_threads, threads
from neuronlab.neurons import _validation as check
from neuronlab.neurons._running import merge_spikes, run_steps
from neuronlab.neurons.results import LIFResult, sorted_spikes

BACKENDS = ("numba", "numpy")


def default_backend() -> str:
    """``"numba"`` when Numba is importable, else ``"numpy"``."""
    return "numba" if available() else "numpy"


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

    def __init__(
        self,
        n_neurons: int = 1,
        tau_m: float = 0.02,
        tau_ref: float = 0.002,
        gain=1.0,
        bias=0.0,
        backend: str | None = None,
        threads: int | None = None,
    ):
        self.n_neurons = check.neuron_count(n_neurons)
        self.tau_m = check.positive("tau_m", tau_m)
        self.tau_ref = check.positive("tau_ref", tau_ref, allow_zero=True)
        self.gain = check.per_neuron("gain", gain, self.n_neurons)
        self.bias = check.per_neuron("bias", bias, self.n_neurons)
        self.backend = resolve_backend(backend)
        self.threads = _check_threads(threads, self.backend)

    def __repr__(self) -> str:
        return (
            f"LIF(n_neurons={self.n_neurons}, tau_m={self.tau_m:g}, tau_ref={self.tau_ref:g}, backend={self.backend!r})"
        )

    def simulate(
        self,
        v_in,
        duration: float | None = None,
        dt: float = 1e-3,
        v0=0.0,
        record=None,
        *,
        progress: bool | None = None,
        t_end: float | None = None,
        record_v=None,
    ) -> LIFResult:
        """Run from t = 0 for ``duration`` seconds in steps of ``dt`` (s, at most tau_m).

        v_in: a scalar, one value per neuron (shape (n_neurons,)), one value per step (shape (n_steps,) shared,
        or (n_steps, n_neurons)), or a callable v_in(t) (t in s) returning a scalar or one value per neuron,
        evaluated at the start of each step; held constant within a step. v0: initial voltage (scalar or per
        neuron, below the threshold 1). record: whose voltage to keep: None (a sample of ten neurons spread over
        the population, all of a smaller one), True (all), False (none) or neuron indices; every spike is kept
        whatever it says. progress: a progress bar on stderr (None: only when the run is long).

        The arrays the run needs are estimated before anything is allocated; a run that cannot fit in the
        machine's available memory raises MemoryError with the estimate. ``t_end=`` and ``record_v=`` are the
        deprecated old names of ``duration=`` and ``record=``.
        """
        duration = check.renamed("duration", duration, "t_end", t_end)
        record = check.renamed("record", record, "record_v", record_v)
        if duration is None:
            raise TypeError("simulate() needs the simulated time: duration= (seconds)")
        n_steps = check.time_grid(duration, dt, max_dt=self.tau_m, max_dt_name="tau_m", name="duration")
        dt = float(dt)
        recorded = check.recorded_indices(record, self.n_neurons)
        check.memory(
            f"LIF simulation of {self.n_neurons} neurons over {n_steps:,} steps",
            {
                "the time axis": 8.0 * (n_steps + 1),
                "recorded voltages": 8.0 * (n_steps + 1) * len(recorded),
                "the input samples": 8.0 * n_steps * (self.n_neurons if callable(v_in) else 0),
            },
        )
        x = check.time_input("v_in", v_in, self.n_neurons, n_steps, dt)
        v = check.initial_voltage(v0, self.n_neurons)
        v_rec = np.empty((n_steps + 1, len(recorded)))
        v_rec[0] = v[recorded]
        stepper = (_NumbaRun if self.backend == "numba" else _NumpyRun)(self, x, dt, n_steps, v, recorded, v_rec)
        run_steps(stepper.advance, n_steps, self.n_neurons, progress, desc="LIF")
        spike_neuron, spike_step, spike_time = stepper.spikes()
        return LIFResult(
            t=dt * np.arange(n_steps + 1),
            n_neurons=self.n_neurons,
            spike_neuron=spike_neuron,
            spike_step=spike_step,
            spike_time=spike_time,
            v=v_rec,
            v_in=x,
            recorded=recorded,
        )

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
    if backend == "numba" and threads > max_threads():
        raise ValueError(f"threads must be at most {max_threads()} (Numba's thread pool), got {threads}")
    return int(threads)


def _constants(model: LIF, dt: float) -> tuple[float, float]:
    """exp(-dt / tau_m) and 1 - exp(-dt / tau_m) (via expm1, accurate for dt << tau_m)."""
    return float(np.exp(-dt / model.tau_m)), float(-np.expm1(-dt / model.tau_m))


def _time_to_threshold(model: LIF, x: np.ndarray) -> np.ndarray:
    """Constant input: the time from v = 0 to the threshold, tau_m ln(J / (J - 1)) (inf where J <= 1)."""
    j_in = model.gain * x[0] + model.bias
    above = np.where(j_in > 1.0, j_in, 2.0)
    return np.where(j_in > 1.0, model.tau_m * np.log(above / (above - 1.0)), np.inf)


class _NumpyRun:
    """The reference: the scheme of the module docstring, vectorized over neurons, a Python loop over steps.
    ``advance(k_start, k_end)`` continues from where the last call stopped; ``spikes()`` gives them all."""

    def __init__(self, model: LIF, x, dt, n_steps, v, recorded, v_rec):
        self.model, self.x, self.dt, self.v, self.recorded, self.v_rec = model, x, dt, v, recorded, v_rec
        self.decay, self.one_minus_decay = _constants(model, dt)
        self.constant = x.shape[0] == 1
        self.t_resume = np.zeros(model.n_neurons)
        # constant input: v reaches 1 at t_0 + t_fire after being 0 at t_0 (-inf: t_0 unknown)
        self.origin = np.where(v == 0.0, 0.0, -np.inf) if self.constant else np.full(model.n_neurons, -np.inf)
        self.t_fire = _time_to_threshold(model, x) if self.constant else None
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def advance(self, k_start: int, k_end: int) -> None:
        model, x, dt, v, t_resume, origin, t_fire = (
            self.model,
            self.x,
            self.dt,
            self.v,
            self.t_resume,
            self.origin,
            self.t_fire,
        )
        tau_m, tau_ref, constant = model.tau_m, model.tau_ref, self.constant
        neurons, steps, times = [], [], []
        j_in: Any = None
        j_step: Any = None
        for k in range(k_start, k_end):
            if k == k_start or not constant:  # 1. the step's input
                j_in = model.gain * x[0 if constant else k] + model.bias
                j_step = j_in * self.one_minus_decay
            t_k, t_next = k * dt, (k + 1) * dt
            # 2. every neuron takes the full-step update, except those crossing 1 or leaving refractoriness
            v_full = v * self.decay + j_step
            free = t_resume <= t_k
            special = (free & (v_full >= 1.0)) | (~free & (t_resume < t_next))
            np.copyto(v, v_full, where=free & ~special)
            idx = np.flatnonzero(special)  # 3. the flagged neurons
            start = np.maximum(t_k, t_resume[idx])
            while idx.size:  # 4. spikes and refractory periods, within this step
                j, vi = j_in[idx], v[idx]
                v_end = np.where(
                    start == t_k, vi * self.decay + j_step[idx], j + (vi - j) * np.exp(-(t_next - start) / tau_m)
                )
                crossing = (v_end >= 1.0) & (j > 1.0)
                v[idx[~crossing]] = v_end[~crossing]
                idx, start, j, vi = idx[crossing], start[crossing], j[crossing], vi[crossing]
                since = origin[idx]
                known = since > -np.inf
                t_cross = tau_m * np.log((j - vi) / (j - 1.0))
                if constant:
                    assert t_fire is not None  # set in __init__ whenever the input is constant
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
            if len(self.recorded):  # 5. record
                self.v_rec[k + 1] = v[self.recorded]
        self.chunks.append(sorted_spikes(neurons, steps, times))

    def spikes(self):
        return merge_spikes(self.chunks, self.model.n_neurons)


class _NumbaRun:
    """The compiled loop of ``neuronlab.backend.lif`` (same scheme, same state kept between calls), then its
    second pass, which sorts the spikes by neuron."""

    def __init__(self, model: LIF, x, dt, n_steps, v, recorded, v_rec):
        from neuronlab.backend import lif as compiled

        self.compiled, self.model, self.x, self.dt, self.n_steps, self.v, self.v_rec = (
            compiled,
            model,
            x,
            dt,
            n_steps,
            v,
            v_rec,
        )
        n = model.n_neurons
        self.decay, self.one_minus_decay = _constants(model, dt)
        self.t_free, self.v_free = np.zeros(n), np.zeros(n)
        constant = x.shape[0] == 1
        self.t_fire = _time_to_threshold(model, x) if constant else np.full(n, np.inf)
        self.origin = np.where(v == 0.0, 0.0, -np.inf) if constant else np.full(n, -np.inf)
        self.rec_col = np.full(n, -1, dtype=np.int64)
        self.rec_col[recorded] = np.arange(len(recorded))
        # each block stages its spikes in its own slice, sized for a bound on its spike count; only the pages
        # actually written are ever touched
        self.per_block = np.add.reduceat(model._spike_bound(x, n_steps * dt), np.arange(0, n, compiled.BLOCK))
        self.stage_start = np.concatenate(([0], np.cumsum(self.per_block)))
        self.stage = (
            np.empty(self.stage_start[-1], dtype=np.int64),
            np.empty(self.stage_start[-1], dtype=np.int64),
            np.empty(self.stage_start[-1]),
        )
        self.counts = np.zeros(n, dtype=np.int64)
        self.fired = np.zeros(len(self.per_block), dtype=np.int64)

    def advance(self, k_start: int, k_end: int) -> None:
        model, dt = self.model, self.dt
        with threads(model.threads):
            self.compiled.run_lif(
                self.x,
                model.gain,
                model.bias,
                model.tau_m,
                model.tau_ref,
                dt,
                self.decay,
                self.one_minus_decay,
                k_start,
                k_end,
                self.n_steps,
                self.v,
                self.t_free,
                self.v_free,
                self.t_fire,
                self.origin,
                self.rec_col,
                self.v_rec,
                self.stage_start,
                *self.stage,
                self.counts,
                self.fired,
            )
        if np.any(self.fired > self.per_block):
            raise RuntimeError("LIF spike buffer overflowed: the spike-count bound is wrong")

    def spikes(self):
        """Scatter the staged spikes, sorted by neuron, to positions given by the prefix sum of the counts."""
        position = np.cumsum(self.counts) - self.counts  # where each neuron's first spike goes
        total = int(self.fired.sum())
        out = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64), np.empty(total)
        with threads(self.model.threads):
            self.compiled.scatter_spikes(self.stage_start, self.fired, *self.stage, position, *out)
        return out


@dataclass(frozen=True)
class TuningCurve:
    """Simulated and analytic firing rates (Hz) of LIF neurons driven by constant inputs ``v_in``."""

    v_in: np.ndarray
    simulated: np.ndarray
    analytic: np.ndarray
    tau_ref: float
    tau_m: float


def tuning_curve(
    v_in=None,
    tau_ref: float = 0.002,
    tau_m: float = 0.02,
    duration: float | None = None,
    dt: float = 1e-3,
    backend: str | None = None,
    *,
    t_end: float | None = None,
) -> TuningCurve:
    """Simulate one LIF neuron per input value (one vectorized population) for ``duration`` seconds (default 1)
    and compare with G(v_in).

    v_in defaults to 200 points in [0, 5]. ``simulated`` is the steady-state rate 1 / (mean inter-spike
    interval) of each neuron (0 with fewer than two spikes); ``analytic`` is :func:`lif_rate`. ``t_end=`` is the
    deprecated old name of ``duration=``.
    """
    duration = check.renamed("duration", duration, "t_end", t_end)
    values = np.linspace(0.0, 5.0, 200) if v_in is None else check.finite_array("v_in", v_in)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"v_in must be a non-empty 1-D array of inputs, got shape {values.shape}")
    model = LIF(len(values), tau_m=tau_m, tau_ref=tau_ref, backend=backend)
    result = model.simulate(values, 1.0 if duration is None else duration, dt, record=False)
    return TuningCurve(values, result.isi_rates(), lif_rate(values, tau_ref, tau_m), model.tau_ref, model.tau_m)
