"""The Hodgkin-Huxley model of the action potential (notes 003 §1.3).

    C dV/dt = J_in - g_L (V - V_L) - g_Na m^3 h (V - V_Na) - g_K n^4 (V - V_K)
    dx/dt   = (x_inf(V) - x) / tau_x(V) = alpha_x(V) (1 - x) - beta_x(V) x        for x in m, h, n

with x_inf = alpha_x / (alpha_x + beta_x) and tau_x = 1 / (alpha_x + beta_x).

Parameters and rate functions are the classic squid giant axon fit of Hodgkin & Huxley (J. Physiol. 117:500,
1952, at 6.3 degC), in the modern sign convention with the resting potential shifted to about -65 mV (as in
Ermentrout & Terman, "Mathematical Foundations of Neuroscience", 2010, §1.9, and Dayan & Abbott, 2001, §5.6).
Units of the equations: V in mV, t in ms, currents in uA/cm^2, conductances in mS/cm^2, C in uF/cm^2, rates
alpha/beta in 1/ms. :meth:`HodgkinHuxley.simulate` takes and returns times in seconds, like every neuron model
of the package (and converts at its edges); the old form in ms is deprecated.

Two backends integrate the same equations: ``"numpy"``, the reference (``_NumpyRun``, each step vectorized over
the population), and ``"numba"`` (``neuronlab.neurons.hodgkin_huxley_kernel``, a compiled loop over neurons and steps
that calls the functions below).
"""

from __future__ import annotations

import warnings

import numpy as np

from neuronlab.backend import helper
from neuronlab.neurons import _validation as check
from neuronlab.neurons._running import merge_spikes, run_steps
from neuronlab.neurons.lif import resolve_backend
from neuronlab.neurons.results import HodgkinHuxleyResult, sorted_spikes

METHODS = ("rk4", "euler")
GATE_RANGE = (-0.1, 1.1)
"""The exact gates stay in [0, 1]; a step that takes one outside this range has diverged."""
_BRACKET_WIDENINGS = 5
_MS = 1e-3  # seconds per millisecond


class SimulationDiverged(FloatingPointError):
    """The fixed-step integration left the finite numbers (or the gates left [0, 1]): the result would be
    meaningless, so the simulation stops and says when and where."""


def _linear_over_exp_scalar(x, scale):
    """The compiled form of :func:`_linear_over_exp` for one number: a branch, where ``np.where`` would allocate
    an array per call."""
    z = x / scale
    if abs(z) < 1e-6:
        return scale * (1.0 + 0.5 * z)
    return x / -np.expm1(-z)


@helper(compiled=_linear_over_exp_scalar, inline=False)
def _linear_over_exp(x, scale):
    """x / (1 - exp(-x / scale)), continuous at x = 0 where it equals ``scale`` (the alpha_m, alpha_n form)."""
    z = x / scale
    small = np.abs(z) < 1e-6
    denominator = np.where(small, 1.0, -np.expm1(-z))
    return np.where(small, scale * (1.0 + 0.5 * z), x / denominator)


@helper(inline=False)
def gate_rates(V):
    """Opening and closing rates (1/ms) at membrane potential ``V`` (mV), scalar or array:

        alpha_m = 0.1 (V + 40) / (1 - exp(-(V + 40) / 10))     beta_m = 4 exp(-(V + 65) / 18)
        alpha_h = 0.07 exp(-(V + 65) / 20)                     beta_h = 1 / (1 + exp(-(V + 35) / 10))
        alpha_n = 0.01 (V + 55) / (1 - exp(-(V + 55) / 10))    beta_n = 0.125 exp(-(V + 65) / 80)

    Returns (alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n).
    """
    alpha_m = 0.1 * _linear_over_exp(V + 40.0, 10.0)
    beta_m = 4.0 * np.exp(-(V + 65.0) / 18.0)
    alpha_h = 0.07 * np.exp(-(V + 65.0) / 20.0)
    beta_h = 1.0 / (1.0 + np.exp(-(V + 35.0) / 10.0))
    alpha_n = 0.01 * _linear_over_exp(V + 55.0, 10.0)
    beta_n = 0.125 * np.exp(-(V + 65.0) / 80.0)
    return alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n


def steady_state(V):
    """Equilibrium gate values (m_inf, h_inf, n_inf) = alpha / (alpha + beta) at ``V`` (mV)."""
    a_m, b_m, a_h, b_h, a_n, b_n = gate_rates(V)
    return a_m / (a_m + b_m), a_h / (a_h + b_h), a_n / (a_n + b_n)


def time_constants(V):
    """Gate time constants (tau_m, tau_h, tau_n) = 1 / (alpha + beta), in ms, at ``V`` (mV)."""
    a_m, b_m, a_h, b_h, a_n, b_n = gate_rates(V)
    return 1.0 / (a_m + b_m), 1.0 / (a_h + b_h), 1.0 / (a_n + b_n)


@helper(inline=False)
def derivatives(V, m, h, n, current, C, g_Na, g_K, g_L, E_Na, E_K, E_L):
    """Right-hand side of the four ODEs: (dV/dt, dm/dt, dh/dt, dn/dt), scalars or arrays."""
    a_m, b_m, a_h, b_h, a_n, b_n = gate_rates(V)
    i_ion = g_L * (V - E_L) + g_Na * m * m * m * h * (V - E_Na) + g_K * n * n * n * n * (V - E_K)
    return ((current - i_ion) / C, a_m * (1.0 - m) - b_m * m, a_h * (1.0 - h) - b_h * h, a_n * (1.0 - n) - b_n * n)


def step_current(levels, t_end: float, dt: float) -> np.ndarray:
    """A staircase input, one value per step of ``dt``: each of ``levels`` held for an equal share of
    ``t_end`` (the notes' sweep from negative to strongly positive current)."""
    levels = check.finite_array("levels", levels)
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError(f"levels must be a non-empty 1-D sequence of currents, got shape {levels.shape}")
    n_steps = check.time_grid(t_end, dt)
    return levels[np.minimum(np.arange(n_steps) * levels.size // n_steps, levels.size - 1)]


class HodgkinHuxley:
    """A population of ``n_neurons`` independent Hodgkin-Huxley neurons (classic squid-axon parameters).

    C: membrane capacitance (uF/cm^2); g_Na, g_K, g_L: maximal conductances (mS/cm^2); E_Na, E_K, E_L: reversal
    (zero-current) potentials (mV), the notes' V_Na, V_K, V_L. ``backend``: "numba", "numpy" or None.
    """

    max_dt = 5e-5
    """Largest accepted step (s; 0.05 ms): the fastest time constant during a spike,
    C / (g_Na m^3 h + g_K n^4 + g_L), falls to about 0.03 ms, and RK4 stays stable and accurate only for steps of
    that order."""

    def __init__(
        self,
        n_neurons: int = 1,
        C: float = 1.0,
        g_Na: float = 120.0,
        g_K: float = 36.0,
        g_L: float = 0.3,
        E_Na: float = 50.0,
        E_K: float = -77.0,
        E_L: float = -54.387,
        backend: str | None = None,
    ):
        self.n_neurons = check.neuron_count(n_neurons)
        self.C = check.positive("C", C)
        self.g_Na = check.positive("g_Na", g_Na, allow_zero=True)
        self.g_K = check.positive("g_K", g_K, allow_zero=True)
        self.g_L = check.positive("g_L", g_L, allow_zero=True)
        self.E_Na, self.E_K, self.E_L = (
            float(check.finite_array(name, value)) for name, value in (("E_Na", E_Na), ("E_K", E_K), ("E_L", E_L))
        )
        self.backend = resolve_backend(backend)

    def __repr__(self) -> str:
        return f"HodgkinHuxley(n_neurons={self.n_neurons}, backend={self.backend!r})"

    @property
    def params(self) -> tuple[float, ...]:
        """(C, g_Na, g_K, g_L, E_Na, E_K, E_L), the constants :func:`derivatives` takes."""
        return self.C, self.g_Na, self.g_K, self.g_L, self.E_Na, self.E_K, self.E_L

    def ionic_current(self, V):
        """Steady-state ionic current g_L (V - E_L) + g_Na m_inf^3 h_inf (V - E_Na) + g_K n_inf^4 (V - E_K)."""
        m, h, n = steady_state(V)
        return self.g_L * (V - self.E_L) + self.g_Na * m**3 * h * (V - self.E_Na) + self.g_K * n**4 * (V - self.E_K)

    def resting_potential(self, current: float = 0.0) -> float:
        """The potential (mV) where the steady-state ionic current balances a constant ``current`` (about -65 mV
        for zero input with the default parameters): the root of ionic_current(V) = current.

        The search starts from [min(E) - 1, max(E) + 1] mV, E = (E_Na, E_K, E_L): below every reversal potential
        each ionic term g (V - E) is negative, above all of them positive, so for zero current the root lies
        there. For other currents the bracket is widened (doubled on each side, at most five times) until the
        imbalance changes sign. Parameters with several roots (bistable membranes) give one of them; pass V0 to
        ``simulate`` to choose.
        """
        from scipy.optimize import brentq

        def imbalance(V):
            return float(self.ionic_current(V)) - current

        low = min(self.E_Na, self.E_K, self.E_L) - 1.0
        high = max(self.E_Na, self.E_K, self.E_L) + 1.0
        for _ in range(_BRACKET_WIDENINGS + 1):
            if imbalance(low) * imbalance(high) <= 0.0:
                return float(brentq(imbalance, low, high, xtol=1e-12))
            width = high - low
            low, high = low - width, high + width
        raise ValueError(
            f"no membrane potential in [{low:g}, {high:g}] mV balances the current {current:g} "
            f"uA/cm^2; pass the initial potential V0 explicitly"
        )

    def simulate(
        self,
        current,
        duration: float | None = None,
        dt: float | None = None,
        method: str = "rk4",
        v0=None,
        record=None,
        threshold: float = 0.0,
        dead_time: float | None = None,
        *,
        progress: bool | None = None,
        t_end: float | None = None,
        V0=None,
    ) -> HodgkinHuxleyResult:
        """Integrate from t = 0 for ``duration`` seconds with fixed steps ``dt`` (s, at most :attr:`max_dt`;
        default 1e-5 s).

        current (uA/cm^2): a number, one per neuron (shape (n_neurons,)), one per step (shape (n_steps,) or
        (n_steps, n_neurons)), held within each step; or a callable I(t) (t in s) returning a number or a
        per-neuron array, evaluated at the RK4 stage times. method: "rk4" (default) or "euler". v0: initial
        potential (mV; default the resting potential); the gates start at their steady state for v0. record:
        whose V, m, h, n to keep: None (a sample of ten neurons spread over the population, all of a smaller
        one), True (all), False (none) or neuron indices; every spike is kept whatever it says. Spikes are upward
        crossings of ``threshold`` (mV) at least ``dead_time`` (s, default 2 ms) apart. progress: a progress bar
        on stderr (None: only when the run is long). The result's times are in seconds.

        A step that leaves the finite numbers, or takes a gate out of [0, 1] (the sign that dt is too large for
        the gates' rates, e.g. under a strong hyperpolarizing current), raises :class:`SimulationDiverged` naming
        the time and the neuron. A run whose arrays cannot fit in the available memory raises MemoryError with
        the estimate before allocating them.

        Deprecated, still working: ``t_end=`` (the old name, in ms: then dt, dead_time, the times of a callable
        current and of the result are in ms too; also chosen, with a warning, when dt >= 0.001, an impossible
        step in seconds, as in the old ``simulate(current, 100.0, 0.01)``) and ``V0=`` (now ``v0=``).
        """
        v0 = check.renamed("v0", v0, "V0", V0)
        ms = t_end is not None or (dt is not None and check.positive("dt", dt) >= 1e-3)
        if dt is None:
            dt = 0.01 if ms else 1e-5
        if ms:
            if t_end is None:
                t_end, duration = duration, None
            elif duration is not None:
                raise TypeError("got both duration= (s) and its deprecated old form t_end= (ms); pass duration=")
            warnings.warn(
                "HodgkinHuxley.simulate in milliseconds (t_end=, or dt >= 0.001) is deprecated; pass "
                "duration= and dt in seconds, as every neuron model takes (the result's times are then "
                "in seconds too)",
                DeprecationWarning,
                stacklevel=2,
            )
        span = t_end if ms else duration
        if span is None:
            raise TypeError("simulate() needs the simulated time: duration= (seconds)")
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        unit = 1.0 if ms else 1.0 / _MS  # the equations' time unit (ms) per given unit
        n_steps = check.time_grid(
            span,
            dt,
            max_dt=self.max_dt / _MS / unit,
            max_dt_name="HodgkinHuxley.max_dt",
            name="t_end" if ms else "duration",
        )
        dt_ms = float(dt) * unit
        threshold = float(check.finite_array("threshold", threshold))
        dead_ms = 2.0 if dead_time is None else check.positive("dead_time", dead_time, allow_zero=True) * unit
        recorded = check.recorded_indices(record, self.n_neurons)
        width = self.n_neurons if callable(current) else 0
        check.memory(
            f"Hodgkin-Huxley simulation of {self.n_neurons} neurons over {n_steps:,} steps",
            {
                "the time axis": 8.0 * (n_steps + 1),
                "recorded V, m, h, n": 32.0 * (n_steps + 1) * len(recorded),
                "the input samples": 24.0 * n_steps * width,
            },
        )
        given = current
        if callable(current) and not ms:

            def given(t_ms, current=current):
                return current(t_ms * _MS)

        i_start, i_mid, i_end = self._current_samples(given, n_steps, dt_ms)
        V = check.per_neuron("v0", self.resting_potential() if v0 is None else v0, self.n_neurons).copy()
        m, h, n = (np.array(gate, dtype=np.float64) for gate in steady_state(V))
        traces = tuple(np.empty((n_steps + 1, len(recorded))) for _ in range(4))
        for trace, state in zip(traces, (V, m, h, n)):
            trace[0] = state[recorded]
        runner = (_NumbaRun if self.backend == "numba" else _NumpyRun)(
            self, (i_start, i_mid, i_end), dt_ms, method == "rk4", (V, m, h, n), recorded, traces, threshold, dead_ms
        )
        run_steps(runner.advance, n_steps, self.n_neurons, progress, desc="Hodgkin-Huxley")
        neuron, step, time = merge_spikes(runner.chunks, self.n_neurons)
        scale = 1.0 if ms else _MS
        return HodgkinHuxleyResult(
            t=float(dt) * np.arange(n_steps + 1),
            n_neurons=self.n_neurons,
            spike_neuron=neuron,
            spike_step=step,
            spike_time=time * scale,
            V=traces[0],
            m=traces[1],
            h=traces[2],
            n=traces[3],
            current=i_start,
            recorded=recorded,
            seconds_per_time_unit=_MS if ms else 1.0,
        )

    def _current_samples(self, current, n_steps: int, dt: float):
        """The input at the start, middle and end of each step, each of shape (1 or n_steps, 1 or n_neurons)."""
        if callable(current):
            half_grid = 0.5 * dt * np.arange(2 * n_steps + 1)
            samples = check.sample_callable("current", current, half_grid, self.n_neurons)
            return (
                np.ascontiguousarray(samples[0:-1:2]),
                np.ascontiguousarray(samples[1::2]),
                np.ascontiguousarray(samples[2::2]),
            )
        held = check.drive("current", current, self.n_neurons, n_steps)
        return held, held, held


def _diverged(neuron: int, step: int, dt_ms: float, V: float) -> SimulationDiverged:
    t = step * dt_ms
    return SimulationDiverged(
        f"Hodgkin-Huxley simulation diverged at t = {t * _MS:.6g} s ({t:.6g} ms) in neuron {neuron} "
        f"(V = {V:.4g} mV before that step): the step dt = {dt_ms * _MS:g} s is too large for the gates' rates at "
        f"this potential; use a smaller dt or a weaker current"
    )


def _spike_bound(steps: int, dt: float, dead_time: float) -> int:
    """Most spikes one neuron can have in ``steps`` steps: one per dead time, one per two steps (V must fall in
    between)."""
    bound = steps // 2 + 1
    if dead_time > 0:
        bound = min(bound, int(steps * dt / dead_time) + 1)
    return bound


class _NumbaRun:
    """The compiled loop of ``neuronlab.neurons.hodgkin_huxley_kernel``; ``advance`` continues from the last state."""

    def __init__(self, model, currents, dt, rk4, state, recorded, traces, threshold, dead_time):
        from neuronlab.neurons.hodgkin_huxley_kernel import integrate

        self.integrate, self.model, self.currents, self.dt, self.rk4 = integrate, model, currents, dt, rk4
        self.state, self.traces, self.threshold, self.dead_time = state, traces, threshold, dead_time
        self.last_spike = np.full(model.n_neurons, -np.inf)
        self.rec_col = np.full(model.n_neurons, -1, dtype=np.int64)
        self.rec_col[recorded] = np.arange(len(recorded))
        self.chunks = []

    def advance(self, k_start: int, k_end: int) -> None:
        n = self.model.n_neurons
        bound = _spike_bound(k_end - k_start, self.dt, self.dead_time)
        offsets = bound * np.arange(n + 1, dtype=np.int64)
        spike_step = np.empty(offsets[-1], dtype=np.int64)
        spike_time = np.empty(offsets[-1])
        counts = np.zeros(n, dtype=np.int64)
        overflow, neuron, step = self.integrate(
            *self.currents,
            self.model.params,
            self.dt,
            k_start,
            k_end,
            self.rk4,
            *self.state,
            self.last_spike,
            self.rec_col,
            *self.traces,
            self.threshold,
            self.dead_time,
            offsets,
            spike_step,
            spike_time,
            counts,
        )
        if neuron >= 0:
            raise _diverged(neuron, step, self.dt, float(self.state[0][neuron]))
        if overflow:
            raise RuntimeError(f"Hodgkin-Huxley spike buffer overflowed by {overflow} spikes; the bound is wrong")
        first = np.cumsum(counts) - counts
        take = np.repeat(offsets[:-1] - first, counts) + np.arange(counts.sum())
        self.chunks.append((np.repeat(np.arange(n), counts), spike_step[take], spike_time[take]))


class _NumpyRun:
    """The reference: each RK4 (or Euler) step vectorized over the population, then the divergence check, the
    threshold crossings and the recording; ``advance`` continues from the last state."""

    def __init__(self, model, currents, dt, rk4, state, recorded, traces, threshold, dead_time):
        self.model, self.currents, self.dt, self.rk4, self.state = model, currents, dt, rk4, state
        self.recorded, self.traces, self.threshold, self.dead_time = recorded, traces, threshold, dead_time
        self.last_spike = np.full(model.n_neurons, -np.inf)
        self.chunks = []

    def advance(self, k_start: int, k_end: int) -> None:
        params, dt, threshold = self.model.params, self.dt, self.threshold
        i_start, i_mid, i_end = self.currents
        y = [np.array(values) for values in self.state]
        neurons, steps, times = [], [], []

        def rhs(values, current):
            return derivatives(*values, current, *params)

        low, high = GATE_RANGE
        for k in range(k_start, k_end):
            row = k if i_start.shape[0] > 1 else 0
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging step is caught just below
                d1 = rhs(y, i_start[row])
                if self.rk4:
                    d2 = rhs([a + 0.5 * dt * b for a, b in zip(y, d1)], i_mid[row])
                    d3 = rhs([a + 0.5 * dt * b for a, b in zip(y, d2)], i_mid[row])
                    d4 = rhs([a + dt * b for a, b in zip(y, d3)], i_end[row])
                    new = [
                        a + dt / 6.0 * (b1 + 2.0 * b2 + 2.0 * b3 + b4) for a, b1, b2, b3, b4 in zip(y, d1, d2, d3, d4)
                    ]
                else:
                    new = [a + dt * b for a, b in zip(y, d1)]
            bad = ~np.isfinite(new[0])
            for gate in new[1:]:
                bad |= ~((gate >= low) & (gate <= high))
            if bad.any():
                neuron = int(np.argmax(bad))
                raise _diverged(neuron, k, dt, float(y[0][neuron]))
            v0, v1 = y[0], new[0]
            crossing = np.flatnonzero((v0 < threshold) & (threshold <= v1))
            if crossing.size:
                t_spike = k * dt + dt * (threshold - v0[crossing]) / (v1[crossing] - v0[crossing])
                keep = t_spike - self.last_spike[crossing] >= self.dead_time
                crossing, t_spike = crossing[keep], t_spike[keep]
                self.last_spike[crossing] = t_spike
                neurons.append(crossing)
                steps.append(np.full(crossing.size, k))
                times.append(t_spike)
            y = new
            for trace, values in zip(self.traces, y):
                trace[k + 1] = values[self.recorded]
        for target, values in zip(self.state, y):
            target[:] = values
        self.chunks.append(sorted_spikes(neurons, steps, times))
