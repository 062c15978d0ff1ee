"""The Hodgkin-Huxley model of the action potential (notes 003 §1.3).

    C dV/dt = J_in - g_L (V - V_L) - g_Na m^3 h (V - V_Na) - g_K n^4 (V - V_K)
    dx/dt   = (x_inf(V) - x) / tau_x(V) = alpha_x(V) (1 - x) - beta_x(V) x        for x in m, h, n

with x_inf = alpha_x / (alpha_x + beta_x) and tau_x = 1 / (alpha_x + beta_x).

Parameters and rate functions are the classic squid giant axon fit of Hodgkin & Huxley (J. Physiol. 117:500,
1952, at 6.3 degC), in the modern sign convention with the resting potential shifted to about -65 mV (as in
Ermentrout & Terman, "Mathematical Foundations of Neuroscience", 2010, §1.9, and Dayan & Abbott, 2001, §5.6).
Units: V in mV, t in ms, currents in uA/cm^2, conductances in mS/cm^2, C in uF/cm^2, rates alpha/beta in 1/ms.

Two backends integrate the same equations: ``"numba"`` compiles :func:`_integrate` (a loop over neurons and
steps, written in plain Python below) and ``"numpy"`` vectorizes each step over the population.
"""
from __future__ import annotations

import numpy as np

from neuronlab.neurons import _validation as check
from neuronlab.neurons.lif import resolve_backend
from neuronlab.neurons.results import HodgkinHuxleyResult, sorted_spikes

METHODS = ("rk4", "euler")
_BRACKET_WIDENINGS = 5


def _linear_over_exp(x, scale):
    """x / (1 - exp(-x / scale)), continuous at x = 0 where it equals ``scale`` (the alpha_m, alpha_n form)."""
    z = x / scale
    small = np.abs(z) < 1e-6
    denominator = np.where(small, 1.0, -np.expm1(-z))
    return np.where(small, scale * (1.0 + 0.5 * z), x / denominator)


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


def derivatives(V, m, h, n, current, C, g_Na, g_K, g_L, E_Na, E_K, E_L):
    """Right-hand side of the four ODEs: (dV/dt, dm/dt, dh/dt, dn/dt), scalars or arrays."""
    a_m, b_m, a_h, b_h, a_n, b_n = gate_rates(V)
    i_ion = g_L * (V - E_L) + g_Na * m * m * m * h * (V - E_Na) + g_K * n * n * n * n * (V - E_K)
    return ((current - i_ion) / C, a_m * (1.0 - m) - b_m * m, a_h * (1.0 - h) - b_h * h,
            a_n * (1.0 - n) - b_n * n)


def _integrate(i_start, i_mid, i_end, params, dt, n_steps, rk4, V, m, h, n, rec_col, V_rec, m_rec, h_rec, n_rec,
               threshold, dead_time, offsets, spike_step, spike_time, counts):
    """The compiled backend's loop (Numba compiles this function; see ``_hh_kernels``), neuron by neuron.

    i_start/i_mid/i_end: current at the start, middle and end of each step, shape (T, X), T in {1, n_steps},
    X in {1, N}; V, m, h, n: state (N,), advanced in place. Spikes: upward crossings of ``threshold``, placed by
    linear interpolation, at least ``dead_time`` apart, written to slots offsets[i]:offsets[i + 1].
    Returns the number of spikes that found no slot.
    """
    C, g_Na, g_K, g_L, E_Na, E_K, E_L = params
    varying = i_start.shape[0] > 1
    shared = i_start.shape[1] == 1
    overflow = 0
    for i in range(V.shape[0]):
        col = rec_col[i]
        xi = 0 if shared else i
        v0, m0, h0, n0 = V[i], m[i], h[i], n[i]
        slot = offsets[i]
        last_spike = -np.inf
        for k in range(n_steps):
            row = k if varying else 0
            dv1, dm1, dh1, dn1 = derivatives(v0, m0, h0, n0, i_start[row, xi], C, g_Na, g_K, g_L, E_Na, E_K, E_L)
            if rk4:
                half = 0.5 * dt
                dv2, dm2, dh2, dn2 = derivatives(v0 + half * dv1, m0 + half * dm1, h0 + half * dh1, n0 + half * dn1,
                                                 i_mid[row, xi], C, g_Na, g_K, g_L, E_Na, E_K, E_L)
                dv3, dm3, dh3, dn3 = derivatives(v0 + half * dv2, m0 + half * dm2, h0 + half * dh2, n0 + half * dn2,
                                                 i_mid[row, xi], C, g_Na, g_K, g_L, E_Na, E_K, E_L)
                dv4, dm4, dh4, dn4 = derivatives(v0 + dt * dv3, m0 + dt * dm3, h0 + dt * dh3, n0 + dt * dn3,
                                                 i_end[row, xi], C, g_Na, g_K, g_L, E_Na, E_K, E_L)
                sixth = dt / 6.0
                v1 = v0 + sixth * (dv1 + 2.0 * dv2 + 2.0 * dv3 + dv4)
                m1 = m0 + sixth * (dm1 + 2.0 * dm2 + 2.0 * dm3 + dm4)
                h1 = h0 + sixth * (dh1 + 2.0 * dh2 + 2.0 * dh3 + dh4)
                n1 = n0 + sixth * (dn1 + 2.0 * dn2 + 2.0 * dn3 + dn4)
            else:
                v1, m1, h1, n1 = v0 + dt * dv1, m0 + dt * dm1, h0 + dt * dh1, n0 + dt * dn1
            if v0 < threshold <= v1:
                t_spike = k * dt + dt * (threshold - v0) / (v1 - v0)
                if t_spike - last_spike >= dead_time:
                    last_spike = t_spike
                    if slot < offsets[i + 1]:
                        spike_step[slot] = k
                        spike_time[slot] = t_spike
                        slot += 1
                    else:
                        overflow += 1
            v0, m0, h0, n0 = v1, m1, h1, n1
            if col >= 0:
                V_rec[k + 1, col] = v0
                m_rec[k + 1, col] = m0
                h_rec[k + 1, col] = h0
                n_rec[k + 1, col] = n0
        V[i], m[i], h[i], n[i] = v0, m0, h0, n0
        counts[i] = slot - offsets[i]
    return overflow


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

    max_dt = 0.05
    """Largest accepted step (ms): the fastest time constant during a spike, C / (g_Na m^3 h + g_K n^4 + g_L),
    falls to about 0.03 ms, and RK4 stays stable and accurate only for steps of that order."""

    def __init__(self, n_neurons: int = 1, C: float = 1.0, g_Na: float = 120.0, g_K: float = 36.0,
                 g_L: float = 0.3, E_Na: float = 50.0, E_K: float = -77.0, E_L: float = -54.387,
                 backend: str | None = None):
        self.n_neurons = check.neuron_count(n_neurons)
        self.C = check.positive("C", C)
        self.g_Na = check.positive("g_Na", g_Na, allow_zero=True)
        self.g_K = check.positive("g_K", g_K, allow_zero=True)
        self.g_L = check.positive("g_L", g_L, allow_zero=True)
        self.E_Na, self.E_K, self.E_L = (float(check.finite_array(name, value)) for name, value in
                                         (("E_Na", E_Na), ("E_K", E_K), ("E_L", E_L)))
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
        return (self.g_L * (V - self.E_L) + self.g_Na * m ** 3 * h * (V - self.E_Na)
                + self.g_K * n ** 4 * (V - self.E_K))

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
        raise ValueError(f"no membrane potential in [{low:g}, {high:g}] mV balances the current {current:g} "
                         f"uA/cm^2; pass the initial potential V0 explicitly")

    def simulate(self, current, t_end: float, dt: float = 0.01, method: str = "rk4", V0=None, record=True,
                 threshold: float = 0.0, dead_time: float = 2.0) -> HodgkinHuxleyResult:
        """Integrate from t = 0 to ``t_end`` (ms) with fixed steps ``dt`` (ms, at most :attr:`max_dt`).

        current (uA/cm^2): a number, one per neuron (shape (n_neurons,)), one per step (shape (n_steps,) or
        (n_steps, n_neurons)), held within each step; or a callable I(t) returning a number or a per-neuron
        array, evaluated at the RK4 stage times. method: "rk4" (default) or "euler". V0: initial potential
        (default the resting potential); the gates start at their steady state for V0. record: True (all),
        False, or neuron indices whose V, m, h, n are kept. Spikes are upward crossings of ``threshold`` (mV) at
        least ``dead_time`` (ms) apart.
        """
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        n_steps = check.time_grid(t_end, dt, max_dt=self.max_dt, max_dt_name="HodgkinHuxley.max_dt")
        dt = float(dt)
        threshold = float(check.finite_array("threshold", threshold))
        dead_time = check.positive("dead_time", dead_time, allow_zero=True)
        i_start, i_mid, i_end = self._current_samples(current, n_steps, dt)
        V = check.per_neuron("V0", self.resting_potential() if V0 is None else V0, self.n_neurons).copy()
        m, h, n = (np.array(gate, dtype=np.float64) for gate in steady_state(V))
        recorded = check.recorded_indices(record, self.n_neurons)
        traces = tuple(np.empty((n_steps + 1, len(recorded))) for _ in range(4))
        for trace, state in zip(traces, (V, m, h, n)):
            trace[0] = state[recorded]
        run = _run_numba if self.backend == "numba" else _run_numpy
        spikes = run(self, i_start, i_mid, i_end, dt, n_steps, method == "rk4", (V, m, h, n), recorded, traces,
                     threshold, dead_time)
        return HodgkinHuxleyResult(t=dt * np.arange(n_steps + 1), n_neurons=self.n_neurons, spike_neuron=spikes[0],
                                   spike_step=spikes[1], spike_time=spikes[2], V=traces[0], m=traces[1],
                                   h=traces[2], n=traces[3], current=i_start, recorded=recorded)

    def _current_samples(self, current, n_steps: int, dt: float):
        """The input at the start, middle and end of each step, each of shape (1 or n_steps, 1 or n_neurons)."""
        if callable(current):
            half_grid = 0.5 * dt * np.arange(2 * n_steps + 1)
            samples = check.sample_callable("current", current, half_grid, self.n_neurons)
            return (np.ascontiguousarray(samples[0:-1:2]), np.ascontiguousarray(samples[1::2]),
                    np.ascontiguousarray(samples[2::2]))
        held = check.drive("current", current, self.n_neurons, n_steps)
        return held, held, held

    def _spike_bound(self, n_steps: int, dt: float, dead_time: float) -> int:
        """Most spikes one neuron can have: one per dead time, and one per two steps (V must fall in between)."""
        bound = n_steps // 2 + 1
        if dead_time > 0:
            bound = min(bound, int(n_steps * dt / dead_time) + 1)
        return bound


def _run_numba(model, i_start, i_mid, i_end, dt, n_steps, rk4, state, recorded, traces, threshold, dead_time):
    from neuronlab.neurons._hh_kernels import integrate

    bound = model._spike_bound(n_steps, dt, dead_time)
    offsets = bound * np.arange(model.n_neurons + 1, dtype=np.int64)
    spike_step = np.empty(offsets[-1], dtype=np.int64)
    spike_time = np.empty(offsets[-1])
    counts = np.empty(model.n_neurons, dtype=np.int64)
    rec_col = np.full(model.n_neurons, -1, dtype=np.int64)
    rec_col[recorded] = np.arange(len(recorded))
    overflow = integrate(i_start, i_mid, i_end, model.params, dt, n_steps, rk4, *state, rec_col, *traces,
                         threshold, dead_time, offsets, spike_step, spike_time, counts)
    if overflow:
        raise RuntimeError(f"Hodgkin-Huxley spike buffer overflowed by {overflow} spikes; the bound is wrong")
    first = np.cumsum(counts) - counts
    take = np.repeat(offsets[:-1] - first, counts) + np.arange(counts.sum())
    return np.repeat(np.arange(model.n_neurons), counts), spike_step[take], spike_time[take]


def _run_numpy(model, i_start, i_mid, i_end, dt, n_steps, rk4, state, recorded, traces, threshold, dead_time):
    params = model.params
    y = list(state)
    last_spike = np.full(model.n_neurons, -np.inf)
    neurons, steps, times = [], [], []

    def rhs(values, current):
        return derivatives(*values, current, *params)

    for k in range(n_steps):
        row = k if i_start.shape[0] > 1 else 0
        d1 = rhs(y, i_start[row])
        if rk4:
            d2 = rhs([a + 0.5 * dt * b for a, b in zip(y, d1)], i_mid[row])
            d3 = rhs([a + 0.5 * dt * b for a, b in zip(y, d2)], i_mid[row])
            d4 = rhs([a + dt * b for a, b in zip(y, d3)], i_end[row])
            new = [a + dt / 6.0 * (b1 + 2.0 * b2 + 2.0 * b3 + b4) for a, b1, b2, b3, b4 in zip(y, d1, d2, d3, d4)]
        else:
            new = [a + dt * b for a, b in zip(y, d1)]
        v0, v1 = y[0], new[0]
        crossing = np.flatnonzero((v0 < threshold) & (threshold <= v1))
        if crossing.size:
            t_spike = k * dt + dt * (threshold - v0[crossing]) / (v1[crossing] - v0[crossing])
            keep = t_spike - last_spike[crossing] >= dead_time
            crossing, t_spike = crossing[keep], t_spike[keep]
            last_spike[crossing] = t_spike
            neurons.append(crossing)
            steps.append(np.full(crossing.size, k))
            times.append(t_spike)
        y = new
        for trace, values in zip(traces, y):
            trace[k + 1] = values[recorded]
    for target, values in zip(state, y):
        target[:] = values
    return sorted_spikes(neurons, steps, times)
