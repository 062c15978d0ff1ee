"""Networks of LIF populations joined by projections: the run, its monitors and its result.

Scheme, per step [t_k, t_k+1) of length dt, for each neuron (its population's parameters, its projections'
synaptic states; see ``population.py`` and ``projection.py`` for the equations):

1. arrivals: the synaptic jumps due at t_k (spikes of step k - 1 - delay) are added (I or g by w, an alpha
   synapse's x by e w);
2. membrane: a neuron free from t_s = max(t_k, end of its refractory period) < t_k+1 integrates over
   u = t_k+1 - t_s. With conductances frozen at their exact mean over the interval, g_m = g(t_s) tau (1 -
   e^(-u/tau)) / u, the membrane equation is linear: lam = (1 + R sum g_m) / tau_m,
   v_inf = (v_rest + R I_ext + R sum g_m E) / (1 + R sum g_m), and

       v(t_k+1) = v_inf + (v(t_s) - v_inf) e^(-lam u) + (R / tau_m) sum_exp I(t_s) G_1(u) + (R / tau_m) sum_alpha x(t_s) G_2(u)

   with G_1(u) = int_0^u e^(-lam (u - r)) e^(-r/tau) dr and G_2(u) = int_0^u e^(-lam (u - r)) (r/tau) e^(-r/tau) dr
   (``backend/network.py`` evaluates them without cancellation). Without conductance synapses this is the exact
   solution (full steps use coefficients computed once); with them it is the exponential integrator with
   step-mean conductances, second order in dt. Full steps of a conductance-only population take e^(-lam dt)
   as its (4, 4) Padé approximant (``backend.propagator.exp_pade``: relative error below 8e-11 for lam dt <= 0.5,
   2e-15 for lam dt <= 0.15, far below the scheme's own error; one division per neuron and no exp, so the
   compiler vectorizes the loop); longer steps, partial steps and mixed populations use exp;
3. threshold: v(t_k+1) >= v_threshold is a spike at the linearly interpolated crossing time t* (between t_s and
   t_k+1); v = v_reset, refractory until t* + tau_ref (tau_ref >= dt, so at most one spike per step), after
   which the neuron integrates the rest of that step from v_reset;
4. synaptic states decay exactly to t_k+1 (I, g: e^(-dt/tau); alpha: I <- e^(-dt/tau) (I + x dt/tau), x <- e^(-dt/tau) x);
5. the step's spikes (neurons and sources) are propagated event by event over the synapses of the spiking
   neurons (CSR by presynaptic neuron) into a ring buffer, due at the end of step k + delay.

Monitors record only what is asked: every spike (neuron, step, time) of every population, and state traces
(v or a projection's synaptic variable, by the projection's name) of the neurons a ``StateMonitor`` names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neuronlab.neurons import _validation as check
from neuronlab.neurons.lif import _check_threads, resolve_backend
from neuronlab.neurons.population import Population
from neuronlab.neurons.projection import ALPHA, CONDUCTANCE, Projection
from neuronlab.neurons.results import SpikingResult, sorted_spikes


class StateMonitor:
    """Record ``variable`` ("v", or a projection's name for its synaptic variable I or g on ``population``) of the
    neurons ``indices`` (local to the population) after every step."""

    def __init__(self, population: Population, variable: str = "v", indices=(0,)):
        self.population = population
        self.variable = variable
        self.indices = check.recorded_indices(list(np.atleast_1d(indices)), population.n)

    def __repr__(self) -> str:
        return f"StateMonitor({self.population.name!r}, {self.variable!r}, {len(self.indices)} neurons)"


@dataclass(frozen=True, eq=False)
class NetworkRun:
    """A network run: ``spikes[name]`` each population's spikes (a SpikingResult), ``traces[(name, variable)]``
    the monitored traces, shape (len(t), len(indices)), with ``trace_indices`` the recorded neurons, and
    ``wall_time`` the seconds the simulation loop took."""

    t: np.ndarray
    spikes: dict
    traces: dict
    trace_indices: dict
    wall_time: float

    def population_rate(self, name: str, bin: float | None = None, tau: float | None = None) -> np.ndarray:
        """The population's rate (Hz): spikes per neuron in bins of ``bin`` seconds (default one step), or, with
        ``tau``, filtered by the unit-area exponential kernel e^(-t/tau)/tau, on the time axis ``t``."""
        result = self.spikes[name]
        dt = result.dt
        counts = np.bincount(result.spike_step, minlength=len(self.t) - 1) / (result.n_neurons * dt)
        if tau is not None:
            decay = math.exp(-dt / check.positive("tau", tau))
            out = np.zeros(len(self.t))
            for k, c in enumerate(counts):
                out[k + 1] = out[k] * decay + c * dt / tau
            return out
        width = max(1, int(round(check.positive("bin", bin if bin is not None else dt) / dt)))
        usable = len(counts) // width * width
        return counts[:usable].reshape(-1, width).mean(axis=1)


class Network:
    """Populations, the projections between them (and from spike sources), and state monitors.

    net = Network([exc, inh], [Projection(exc, exc, w, ExponentialCurrent(0.005)), ...], seed=1)
    run = net.run(1.0, dt=1e-4)
    """

    def __init__(self, populations, projections=(), monitors=(), seed: int | None = None):
        self.populations = list(populations)
        names = [p.name for p in self.populations]
        if not self.populations or not all(isinstance(p, Population) for p in self.populations):
            raise TypeError("populations must be a non-empty list of Population")
        if len(set(names)) != len(names):
            raise ValueError(f"population names must be unique, got {names}")
        self.projections = list(projections)
        self.sources: list = []  # the spike sources (PoissonSource, SpikeSource) the projections start from
        for proj in self.projections:
            if not isinstance(proj, Projection):
                raise TypeError(f"projections must be Projection objects, got {proj!r}")
            if not any(proj.post is p for p in self.populations):
                raise ValueError(f"projection {proj.name!r}: population {proj.post.name!r} is not in the network")
            if isinstance(proj.pre, Population):
                if not any(proj.pre is p for p in self.populations):
                    raise ValueError(f"projection {proj.name!r}: population {proj.pre.name!r} is not in the network")
            elif not any(proj.pre is s for s in self.sources):
                self.sources.append(proj.pre)
        self.monitors = list(monitors)
        for mon in self.monitors:
            if not any(mon.population is p for p in self.populations):
                raise ValueError(f"monitor: population {mon.population.name!r} is not in the network")
            if mon.variable != "v" and not any(
                q.name == mon.variable and q.post is mon.population for q in self.projections
            ):
                raise ValueError(
                    f"monitor: {mon.variable!r} is neither 'v' nor a projection onto {mon.population.name!r}"
                )
        self.seed = seed

    def run(
        self, duration: float, dt: float = 1e-4, backend: str | None = None, threads: int | None = None
    ) -> NetworkRun:
        """Simulate from t = 0 for ``duration`` seconds in steps of ``dt`` (at most the smallest tau_m, tau_ref
        and synaptic tau). backend: "numba" (compiled, default when Numba is importable) or "numpy". threads: how
        many threads the numba backend updates the neurons of a step on (None or 1: one; the result is the same
        for any number). The threads meet once per step, so more than one pays only when a step has much work:
        large networks on otherwise idle cores."""
        import time

        backend = resolve_backend(backend)
        threads = _check_threads(threads, backend)
        layout = _Layout(self, duration, dt)
        start = time.perf_counter()
        if backend == "numba":
            _run_numba(layout, threads)
        else:
            _run_numpy(layout)
        wall = time.perf_counter() - start
        t = layout.dt * np.arange(layout.n_steps + 1)
        spikes = {}
        neuron, step, when = (
            (np.concatenate(part) if part else np.zeros(0) for part in zip(*layout.out))
            if layout.out
            else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        )
        for p, lo, hi in zip(self.populations, layout.pop_lo, layout.pop_hi):
            mine = (neuron >= lo) & (neuron < hi)
            args = sorted_spikes([neuron[mine].astype(np.int64) - lo], [step[mine].astype(np.int64)], [when[mine]])
            spikes[p.name] = SpikingResult(t, p.n, *args)
        traces, trace_indices = {}, {}
        for mon, cols in zip(self.monitors, layout.monitor_columns):
            traces[(mon.population.name, mon.variable)] = layout.rec[:, cols]
            trace_indices[(mon.population.name, mon.variable)] = mon.indices
        return NetworkRun(t, spikes, traces, trace_indices, wall)


class _Layout:
    """The network flattened into the arrays the kernel and its NumPy reference share: neurons numbered
    population after population, one channel (state vector) per projection, synapses grouped by presynaptic id
    (neurons first, then each source's), the sources' spikes drawn up front and grouped by step."""

    def __init__(self, net: Network, duration: float, dt: float):
        pops, projs = net.populations, net.projections
        sizes = [p.n for p in pops]
        self.pop_hi = np.cumsum(sizes).astype(np.int64)
        self.pop_lo = self.pop_hi - np.array(sizes, dtype=np.int64)
        n = int(self.pop_hi[-1])
        cat = lambda attr: np.concatenate([getattr(p, attr) for p in pops])  # noqa: E731
        self.tau_m, self.tau_ref, self.v_rest = cat("tau_m"), cat("tau_ref"), cat("v_rest")
        self.v_threshold, self.v_reset, self.resistance = cat("v_threshold"), cat("v_reset"), cat("resistance")
        taus = [q.synapse.tau for q in projs]
        shortest = min([self.tau_m.min(), *taus])
        self.n_steps = check.time_grid(
            duration, dt, max_dt=shortest, max_dt_name="the shortest time constant", name="duration"
        )
        self.dt = dt = float(dt)
        if np.any(self.tau_ref < dt):
            raise ValueError(
                f"tau_ref must be at least dt = {dt:g} (one spike per step at most), got {self.tau_ref.min():g}"
            )
        rng = np.random.default_rng(net.seed)
        index = {id(p): lo for p, lo in zip(pops, self.pop_lo)}
        pop_of = {id(p): k for k, p in enumerate(pops)}
        self.x = self._currents(pops, n)
        self.v = np.concatenate([p.initial_voltage(rng) for p in pops])
        self.t_free = np.zeros(n)
        c_count = len(projs)
        self.kind = np.array([q.synapse.kind for q in projs], dtype=np.int64)
        self.tau = np.array(taus, dtype=np.float64)
        self.e_rev = np.array([q.synapse.e_rev for q in projs], dtype=np.float64)
        self.decay = np.exp(-dt / self.tau)
        per_pop = [[c for c, q in enumerate(projs) if q.post is p] for p in pops]
        self.chan_ptr = np.concatenate(([0], np.cumsum([len(c) for c in per_pop]))).astype(np.int64)
        self.chan_list = np.array([c for cs in per_pop for c in cs], dtype=np.int64)
        # 0: current synapses only, 1: conductances only, 2: both (every step through the general update)
        conductances = [sum(projs[c].synapse.kind == CONDUCTANCE for c in cs) for cs in per_pop]
        self.pop_mode = np.array(
            [0 if g == 0 else 1 if g == len(cs) else 2 for g, cs in zip(conductances, per_pop)], dtype=np.int64
        )
        self.g_mean = -np.expm1(-dt / self.tau) * self.tau / dt  # mean of g over a step, per unit of g(t_k)
        self.S = np.zeros((max(c_count, 1), n))
        self.Xa = np.zeros((max(c_count, 1), n))
        lam = 1.0 / self.tau_m
        self.d_m = np.exp(-dt * lam)
        self.h_m = dt / self.tau_m
        self.c_s, self.c_x = np.zeros_like(self.S), np.zeros_like(self.S)
        for c, q in enumerate(projs):
            lo = index[id(q.post)]
            sl = slice(lo, lo + q.post.n)
            self.S[c, sl] = q.s0
            if q.synapse.kind != CONDUCTANCE:
                gain = self.resistance[sl] / self.tau_m[sl]
                self.c_s[c, sl] = gain * _exp_gain(dt, lam[sl], q.synapse.tau)
                if q.synapse.kind == ALPHA:
                    self.c_x[c, sl] = gain * _alpha_gain(dt, lam[sl], q.synapse.tau)
        # synapses by presynaptic id: neurons 0..n-1, then the sources'
        source_lo, total = {}, n
        for s in net.sources:
            source_lo[id(s)] = total
            total += s.n
        pre, chan, post, w, delay = [], [], [], [], []
        for c, q in enumerate(projs):
            indptr, rows, data, d = q.by_presynaptic()
            pre_lo = index[id(q.pre)] if id(q.pre) in pop_of else source_lo[id(q.pre)]
            pre.append(pre_lo + np.repeat(np.arange(q.pre.n), np.diff(indptr)))
            chan.append(np.full(rows.size, c, dtype=np.int64))
            post.append(index[id(q.post)] + rows)
            w.append(data)
            delay.append(d)
        # grouped by (presynaptic id, channel): those of j onto channel c are syn_ptr[j C + c] .. syn_ptr[j C + c + 1]
        n_chans = max(c_count, 1)
        key = (np.concatenate(pre) * n_chans + np.concatenate(chan)) if pre else np.zeros(0, np.int64)
        order = np.argsort(key, kind="stable")
        self.syn_ptr = np.concatenate(([0], np.cumsum(np.bincount(key, minlength=total * n_chans)))).astype(np.int64)
        del key
        cat_syn = lambda parts, dtype: (np.concatenate(parts)[order] if parts else np.zeros(0)).astype(dtype)  # noqa: E731
        self.syn_chan, self.syn_post = cat_syn(chan, np.int32), cat_syn(post, np.int64)
        self.syn_w, self.syn_delay = cat_syn(w, np.float64), cat_syn(delay, np.int32)
        length = int(self.syn_delay.max()) + 1 if self.syn_delay.size else 1
        self.buf = np.zeros((max(c_count, 1), length, n))
        steps, ids = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for s in net.sources:
            k, i = s.draw(self.n_steps, dt, rng)
            steps.append(np.asarray(k, np.int64))
            ids.append(source_lo[id(s)] + np.asarray(i, np.int64))
        src_step, src_id = np.concatenate(steps), np.concatenate(ids)
        order = np.argsort(src_step, kind="stable")
        self.src_id = src_id[order]
        self.src_ptr = np.concatenate(([0], np.cumsum(np.bincount(src_step, minlength=self.n_steps)))).astype(np.int64)
        rec_index: list[int]
        rec_index, rec_var, self.monitor_columns = [], [], []
        for mon in net.monitors:
            lo = index[id(mon.population)]
            var = (
                -1
                if mon.variable == "v"
                else next(c for c, q in enumerate(projs) if q.name == mon.variable and q.post is mon.population)
            )
            self.monitor_columns.append(np.arange(len(rec_index), len(rec_index) + len(mon.indices)))
            rec_index += list(lo + mon.indices)
            rec_var += [var] * len(mon.indices)
        self.rec_index, self.rec_var = np.array(rec_index, np.int64), np.array(rec_var, np.int64)
        check.memory(
            f"network run of {n} neurons over {self.n_steps:,} steps",
            {"recorded traces": 8.0 * (self.n_steps + 1) * len(rec_index)},
        )
        self.rec = np.empty((self.n_steps + 1, len(rec_index)))
        self.rec[0] = [self.v[i] if c < 0 else self.S[c, i] for i, c in zip(rec_index, rec_var)]
        self.out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def _currents(self, pops, n):
        """External currents as (T, n), T = 1 when every population's is constant, else n_steps."""
        parts = [check.time_input(f"{p.name}.current", p.current, p.n, self.n_steps, self.dt) for p in pops]
        rows = max(x.shape[0] for x in parts)
        check.memory(f"the input currents of {n} neurons", {"the input currents": 8.0 * rows * n})
        return np.ascontiguousarray(
            np.concatenate([np.broadcast_to(x, (rows, p.n)) for x, p in zip(parts, pops)], axis=1)
        )


def _exp_gain(u, lam, tau):
    """NumPy form of ``backend.network.exp_gain``."""
    y = (lam - 1.0 / tau) * u
    nonzero = y != 0.0
    phi = np.where(nonzero, -np.expm1(-y) / np.where(nonzero, y, 1.0), 1.0)
    return u * np.exp(-u / tau) * phi


def _alpha_gain(u, lam, tau):
    """NumPy form of ``backend.network.alpha_gain``."""
    a = lam - 1.0 / tau
    y = a * u
    small = np.abs(y) < 1e-2
    psi = 0.5 + y * (1.0 / 3.0 + y * (1.0 / 8.0 + y * (1.0 / 30.0 + y / 144.0)))
    safe_a = np.where(small, 1.0, a)
    exact = (np.exp(-u / tau) * (y - 1.0) + np.exp(-lam * u)) / (safe_a * safe_a * tau)
    return np.where(small, np.exp(-lam * u) * u * u * psi / tau, exact)


def _chunks(layout: _Layout, threads: int):
    """(lo, hi, population) of the ranges of neurons the kernel updates as units: each population cut into
    ``threads`` ranges of whole 8-neuron words (one range per population on one thread)."""
    lo, hi, pop = [], [], []
    for p, (a, b) in enumerate(zip(layout.pop_lo, layout.pop_hi)):
        inner = np.round(np.linspace(a, b, threads + 1)[1:-1] / 8).astype(np.int64) * 8
        cuts = np.unique(np.concatenate(([a], np.clip(inner, a, b), [b])))
        for c0, c1 in zip(cuts[:-1], cuts[1:]):
            lo.append(c0)
            hi.append(c1)
            pop.append(p)
    return np.array(lo, np.int64), np.array(hi, np.int64), np.array(pop, np.int64)


def _run_numba(layout: _Layout, threads: int | None) -> None:
    from neuronlab.backend import network as compiled
    from neuronlab.backend import threads as numba_threads

    L = layout
    workers = threads if threads is not None and threads > 1 else 1
    parallel = workers > 1
    run = compiled.run_network_parallel if parallel else compiled.run_network
    chunk_lo, chunk_hi, chunk_pop = _chunks(L, workers)
    k, n = 0, L.v.size
    while k < L.n_steps:
        capacity = max(4 * n, int(n * 100 * L.dt * (L.n_steps - k)))  # room for 100 Hz, grown as needed
        neuron, step, when = np.empty(capacity, np.int64), np.empty(capacity, np.int64), np.empty(capacity)
        with numba_threads(threads if parallel else None):
            k_new, count = run(
                k,
                L.n_steps,
                L.dt,
                chunk_lo,
                chunk_hi,
                chunk_pop,
                L.pop_mode,
                L.chan_ptr,
                L.chan_list,
                L.kind,
                L.tau,
                L.e_rev,
                L.decay,
                L.g_mean,
                L.h_m,
                L.tau_m,
                L.tau_ref,
                L.v_rest,
                L.v_threshold,
                L.v_reset,
                L.resistance,
                L.x,
                L.d_m,
                L.c_s,
                L.c_x,
                L.v,
                L.t_free,
                L.S,
                L.Xa,
                L.buf,
                L.syn_ptr,
                L.syn_post,
                L.syn_w,
                L.syn_delay,
                L.src_ptr,
                L.src_id,
                L.rec_index,
                L.rec_var,
                L.rec,
                neuron,
                step,
                when,
                0,
            )
        L.out.append((neuron[:count], step[:count], when[:count]))
        k = k_new


def _run_numpy(layout: _Layout) -> None:
    """The reference: the module docstring's scheme vectorized over each population's neurons."""
    from neuronlab.backend.propagator import PADE_MAX, exp_pade

    L = layout
    dt, S, Xa, v, t_free, buf = L.dt, L.S, L.Xa, L.v, L.t_free, L.buf
    length = buf.shape[1]
    direct = length == 1  # no delays: spikes go straight into the synaptic states (as the kernel does)
    for k in range(L.n_steps):
        t_k, t_next, slot = k * dt, (k + 1) * dt, k % length
        fired, fired_at = [], []
        i_ext_all = L.x[k if L.x.shape[0] > 1 else 0]
        for p, (lo, hi) in enumerate(zip(L.pop_lo, L.pop_hi)):
            chans = L.chan_list[L.chan_ptr[p] : L.chan_ptr[p + 1]]
            sl = slice(lo, hi)
            for c in chans if not direct else ():
                a = buf[c, slot, sl]
                if L.kind[c] == ALPHA:
                    Xa[c, sl] += np.e * a
                else:
                    S[c, sl] += 1.0 * a
                buf[c, slot, sl] = 0.0
            mode = L.pop_mode[p]
            r, i_ext = L.resistance[sl], i_ext_all[sl]
            v1, far = np.zeros(hi - lo), np.zeros(hi - lo, dtype=bool)
            if mode == 0:
                a_inf = L.v_rest[sl] + r * i_ext
                v1 = a_inf + (v[sl] - a_inf) * L.d_m[sl]
                for c in chans:
                    v1 += L.c_s[c, sl] * S[c, sl] + L.c_x[c, sl] * Xa[c, sl]
            elif mode == 1:
                g_sum, g_e = np.zeros(hi - lo), np.zeros(hi - lo)
                for c in chans:
                    g = S[c, sl] * L.g_mean[c]
                    g_sum = g_sum + g
                    g_e = g_e + g * L.e_rev[c]
                    S[c, sl] *= L.decay[c]  # to the step's end already (the kernel's single pass over g)
                denom = 1.0 + r * g_sum
                z = L.h_m[sl] * denom
                a = L.v_rest[sl] + r * i_ext + r * g_e
                pade, pade_q, pade_d = exp_pade(np.minimum(z, PADE_MAX))  # e^(-z) ~ q / p
                v1 = (a * pade_d + v[sl] * denom * pade_q) / (denom * pade)
                far = z > PADE_MAX  # a longer step goes through _partial (NumPy's exp)
            start = np.maximum(t_k, t_free[sl])
            active = np.flatnonzero(start < t_next)
            i, start, v1, far = lo + active, start[active], v1[active], far[active]
            v0 = v[i]
            part = (start > t_k) | (mode == 2) | far
            if part.any():
                v1[part] = _partial(
                    L, i[part], start[part] - t_k, t_next - start[part], v0[part], i_ext_all[i[part]], chans, mode == 1
                )
            spike = v1 >= L.v_threshold[i]
            j = i[spike]
            t_spike = start[spike] + (t_next - start[spike]) * (L.v_threshold[j] - v0[spike]) / (v1[spike] - v0[spike])
            v[i] = np.where(spike, L.v_reset[i], v1)
            t_free[j] = t_spike + L.tau_ref[j]
            fired.append(j)
            fired_at.append(t_spike)
            for c in chans if mode != 1 else ():
                if L.kind[c] == ALPHA:
                    S[c, sl] = L.decay[c] * (S[c, sl] + Xa[c, sl] * (dt / L.tau[c]))
                    Xa[c, sl] *= L.decay[c]
                else:
                    S[c, sl] *= L.decay[c]
        L.rec[k + 1] = [v[i] if c < 0 else S[c, i] for i, c in zip(L.rec_index, L.rec_var)]
        who = np.concatenate(fired + [L.src_id[L.src_ptr[k] : L.src_ptr[k + 1]]])
        for jj in who:
            s = slice(L.syn_ptr[jj * S.shape[0]], L.syn_ptr[(jj + 1) * S.shape[0]])  # every channel of jj
            if not direct:
                np.add.at(buf, (L.syn_chan[s], (k + 1 + L.syn_delay[s]) % length, L.syn_post[s]), L.syn_w[s])
                continue
            alpha = L.kind[L.syn_chan[s]] == ALPHA
            np.add.at(S, (L.syn_chan[s][~alpha], L.syn_post[s][~alpha]), L.syn_w[s][~alpha])
            np.add.at(Xa, (L.syn_chan[s][alpha], L.syn_post[s][alpha]), np.e * L.syn_w[s][alpha])
        neurons = np.concatenate(fired)
        L.out.append((neurons, np.full(neurons.size, k), np.concatenate(fired_at)))


def _partial(L: _Layout, i, offset, u, v0, i_ext, chans, ahead):
    """NumPy form of ``backend.network.partial_step`` over the neurons ``i``."""
    r, tau_m = L.resistance[i], L.tau_m[i]
    g_sum, g_e = np.zeros(i.size), np.zeros(i.size)
    for c in chans:
        if L.kind[c] == CONDUCTANCE:
            s = L.S[c, i] / L.decay[c] if ahead else L.S[c, i]
            g = s * np.exp(-offset / L.tau[c]) * (-np.expm1(-u / L.tau[c])) * L.tau[c] / u
            g_sum += g
            g_e += g * L.e_rev[c]
    lam = (1.0 + r * g_sum) / tau_m
    v_inf = (L.v_rest[i] + r * i_ext + r * g_e) / (1.0 + r * g_sum)
    v1 = v_inf + (v0 - v_inf) * np.exp(-lam * u)
    for c in chans:
        if L.kind[c] == CONDUCTANCE:
            continue
        d = np.exp(-offset / L.tau[c])
        s = L.S[c, i] * d
        if L.kind[c] == ALPHA:
            s = d * (L.S[c, i] + L.Xa[c, i] * offset / L.tau[c])
            v1 += r / tau_m * L.Xa[c, i] * d * _alpha_gain(u, lam, L.tau[c])
        v1 += r / tau_m * s * _exp_gain(u, lam, L.tau[c])
    return v1
