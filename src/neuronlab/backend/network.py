"""Compiled loop of a network of LIF populations joined by projections; ``neurons.simulation._run_numpy`` is its
NumPy reference (same scheme, same arithmetic, tested equal). The scheme is documented in
``neurons/simulation.py``; the arrays are those that ``neurons.simulation._Layout`` builds.

Each step updates the neurons chunk by chunk (a chunk: a range of one population's neurons; ``update_chunk``:
arrivals, membrane and threshold, spikes, synaptic decay), each chunk in a few passes over its neurons that the
compiler vectorizes, then propagates the step's spikes (neurons' and sources') over the synapses grouped by
presynaptic neuron, so the work per step is O(neurons + synapses of the neurons that fired). ``run_network``
updates the chunks one after the other, ``run_network_parallel`` on Numba's threads (``prange``; chunks never
interact within a step, and their spikes are merged in chunk order, so the result does not depend on the
number of threads).
"""

from __future__ import annotations

import numpy as np
from numba import prange  # this module is imported only when the numba backend runs

from neuronlab.backend import helper, kernel
from neuronlab.backend.propagator import PADE_MAX, exp_pade


@helper
def exp_gain(u, lam, tau):
    """Integral over [0, u] of e^(-lam (u - r)) e^(-r/tau) dr = u e^(-u/tau) phi((lam - 1/tau) u),
    phi(y) = (1 - e^(-y)) / y (phi(0) = 1): the membrane response to a unit exponential current."""
    y = (lam - 1.0 / tau) * u
    phi = 1.0 if y == 0.0 else -np.expm1(-y) / y
    return u * np.exp(-u / tau) * phi


@helper
def alpha_gain(u, lam, tau):
    """Integral over [0, u] of e^(-lam (u - r)) (r / tau) e^(-r/tau) dr: the membrane response to the first
    stage x of an alpha synapse, (e^(-u/tau) (a u - 1) + e^(-lam u)) / (a^2 tau), a = lam - 1/tau; a series in
    a u when |a u| is small (no cancellation)."""
    a = lam - 1.0 / tau
    y = a * u
    if abs(y) < 1e-2:
        psi = 0.5 + y * (1.0 / 3.0 + y * (1.0 / 8.0 + y * (1.0 / 30.0 + y / 144.0)))
        return np.exp(-lam * u) * u * u * psi / tau
    return (np.exp(-u / tau) * (y - 1.0) + np.exp(-lam * u)) / (a * a * tau)


@helper
def partial_step(i, offset, u, v0, i_ext, chans, kind, tau, e_rev, S, Xa, v_rest, resistance, tau_m, ahead, decay):
    """v after integrating neuron i for time u from v0, starting ``offset`` after the step began (synaptic
    states decayed to then), conductances frozen at their mean over [offset, offset + u]. ``ahead``: the
    conductances are already decayed to the step's end (S / decay is their value at its start)."""
    r = resistance[i]
    g_sum = 0.0
    g_e = 0.0
    for c in chans:
        if kind[c] == 2:
            s = S[c, i] / decay[c] if ahead else S[c, i]
            g = s * np.exp(-offset / tau[c]) * (-np.expm1(-u / tau[c])) * tau[c] / u
            g_sum += g
            g_e += g * e_rev[c]
    lam = (1.0 + r * g_sum) / tau_m[i]
    v_inf = (v_rest[i] + r * i_ext + r * g_e) / (1.0 + r * g_sum)
    v1 = v_inf + (v0 - v_inf) * np.exp(-lam * u)
    for c in chans:
        if kind[c] == 2:
            continue
        d = np.exp(-offset / tau[c])
        s = S[c, i] * d
        if kind[c] == 1:
            s = d * (S[c, i] + Xa[c, i] * offset / tau[c])
            v1 += r / tau_m[i] * Xa[c, i] * d * alpha_gain(u, lam, tau[c])
        v1 += r / tau_m[i] * s * exp_gain(u, lam, tau[c])
    return v1


@helper
def arrive(target, arriving, jump):
    """target += jump * arriving; arriving <- 0 (the ring buffer's slot is reused)."""
    for i in range(target.shape[0]):
        target[i] += jump * arriving[i]
        arriving[i] = 0.0


@helper
def add_currents(v1, c_s, s, c_x, x):
    """v1 += c_s I + c_x x: one current synapse's full-step contribution."""
    for i in range(v1.shape[0]):
        v1[i] += c_s[i] * s[i] + c_x[i] * x[i]


@helper
def add_conductance(g_sum, g_e, first, g, g_mean, e_rev, decay):
    """Sums of the step-mean conductances and of their products with the reversal potentials (``first``: the
    sums start here); g then decays to the step's end, g <- e^(-dt/tau) g (one pass over g instead of two)."""
    for i in range(g_sum.shape[0]):
        gi = g[i]
        gm = gi * g_mean
        g_sum[i] = (0.0 if first else g_sum[i]) + gm
        g_e[i] = (0.0 if first else g_e[i]) + gm * e_rev
        g[i] = gi * decay


@helper
def leak(v1, v, v_rest, resistance, x, d_m):
    """v1 <- a + (v - a) e^(-dt/tau_m), a = v_rest + R I_ext: the full step without synapses."""
    for i in range(v1.shape[0]):
        a_inf = v_rest[i] + resistance[i] * x[i]
        v1[i] = a_inf + (v[i] - a_inf) * d_m[i]


@helper
def conductance_membrane(v1, v, g_sum, g_e, v_rest, resistance, x, h_m):
    """v1 <- v_inf + (v - v_inf) e^(-z), z = (dt / tau_m) (1 + R g_sum), with the step-mean conductances (the
    module's scheme), e^(-z) = q / p by ``exp_pade``: with v_inf = a / (1 + R g_sum), a = v_rest + R I_ext +
    R g_e, v1 = (a d + v (1 + R g_sum) q) / ((1 + R g_sum) p), one division. v1 = +inf marks z > PADE_MAX:
    ``threshold`` then flags the neuron, and ``partial_step`` redoes its step with NumPy's exp."""
    for i in range(v1.shape[0]):
        r = resistance[i]
        denom = 1.0 + r * g_sum[i]
        z = h_m[i] * denom
        a = v_rest[i] + r * x[i] + r * g_e[i]
        p, q, d = exp_pade(min(z, PADE_MAX))
        v1i = (a * d + v[i] * denom * q) / (denom * p)
        v1[i] = np.inf if z > PADE_MAX else v1i


@helper
def threshold(t_k, t_next, v1, v, t_free, v_threshold, special):
    """Free neurons below threshold take v1 (branch-free, so the compiler vectorizes it); flags the others
    (crossing, or resuming inside the step) in ``special``; returns how many."""
    n_special = 0
    for i in range(v.shape[0]):
        free = t_free[i] <= t_k
        flag = (free & (v1[i] >= v_threshold[i])) | (~free & (t_free[i] < t_next))
        v[i] = v1[i] if free & ~flag else v[i]
        special[i] = flag
        n_special += flag
    return n_special


@helper
def decay_exponential(s, decay):
    for i in range(s.shape[0]):
        s[i] *= decay


@helper
def decay_alpha(s, x, decay, step_x):
    """I <- e^(-dt/tau) (I + x dt/tau), x <- e^(-dt/tau) x."""
    for i in range(s.shape[0]):
        s[i] = decay * (s[i] + x[i] * step_x)
        x[i] *= decay


@helper
def update_chunk(lo, hi, mode, chans, direct, slot, t_k, t_next, dt, xr, channel, neuron, state, scratch, stage):
    """Steps 1 to 4 of the scheme for the neurons [lo, hi) of one population (``mode`` 0: current synapses only,
    1: conductances only, 2: both, every step through ``partial_step``). The neurons that spike, and their
    spike times, are written to ``stage`` = (neurons, times) from position lo on; returns how many. The arrays
    come in tuples (a kernel's helper takes at most 32 arguments): ``channel`` the projections', ``neuron`` the
    neurons' parameters, ``state`` the state, ``scratch`` the work arrays of the run."""
    kind, tau, e_rev, decay, g_mean, c_s, c_x = channel
    tau_m, tau_ref, v_rest, v_threshold, v_reset, resistance, d_m, h_m = neuron
    v, t_free, S, Xa, buf = state
    v1, acc, acc_e, special, special_words = scratch
    stage_neuron, stage_time = stage
    if not direct:  # 1. arrivals at t_k
        for c in chans:
            target = Xa[c] if kind[c] == 1 else S[c]
            arrive(target[lo:hi], buf[c, slot, lo:hi], np.e if kind[c] == 1 else 1.0)
    n_special = 0
    if mode == 2:  # 2. every neuron free in this step takes the general update
        for i in range(lo, hi):
            flag = t_free[i] < t_next
            special[i] = flag
            n_special += flag
    elif mode == 0:  # 2. full-step membrane update and threshold, current synapses (precomputed coefficients)
        leak(v1[lo:hi], v[lo:hi], v_rest[lo:hi], resistance[lo:hi], xr[lo:hi], d_m[lo:hi])
        for c in chans:
            add_currents(v1[lo:hi], c_s[c, lo:hi], S[c, lo:hi], c_x[c, lo:hi], Xa[c, lo:hi])
    else:  # 2. full-step membrane update and threshold, conductances at their step mean
        for m in range(chans.shape[0]):
            c = chans[m]
            add_conductance(acc[lo:hi], acc_e[lo:hi], m == 0, S[c, lo:hi], g_mean[c], e_rev[c], decay[c])
        conductance_membrane(
            v1[lo:hi],
            v[lo:hi],
            acc[lo:hi],
            acc_e[lo:hi],
            v_rest[lo:hi],
            resistance[lo:hi],
            xr[lo:hi],
            h_m[lo:hi],
        )
    if mode != 2:  # 3. threshold
        n_special = threshold(t_k, t_next, v1[lo:hi], v[lo:hi], t_free[lo:hi], v_threshold[lo:hi], special[lo:hi])
    n_spikes = 0  # 4. the flagged neurons: spikes, resumptions after refractoriness, partial steps
    for word in range(lo // 8, (hi + 7) // 8 if n_special else lo // 8):
        if special_words[word] == 0:  # 8 flags at a time: most words are all clear
            continue
        for i in range(max(8 * word, lo), min(8 * word + 8, hi)):
            if special[i] == 0:
                continue
            start = max(t_k, t_free[i])
            v0 = v[i]
            vi = v1[i]
            if start > t_k or mode == 2 or vi == np.inf:
                vi = partial_step(
                    i,
                    start - t_k,
                    t_next - start,
                    v0,
                    xr[i],
                    chans,
                    kind,
                    tau,
                    e_rev,
                    S,
                    Xa,
                    v_rest,
                    resistance,
                    tau_m,
                    mode == 1,
                    decay,
                )
            if vi >= v_threshold[i]:
                t_spike = start + (t_next - start) * (v_threshold[i] - v0) / (vi - v0)
                stage_neuron[lo + n_spikes] = i
                stage_time[lo + n_spikes] = t_spike
                n_spikes += 1
                v[i] = v_reset[i]
                t_free[i] = t_spike + tau_ref[i]
            else:
                v[i] = vi
    for c in chans if mode != 1 else chans[:0]:  # 5. synaptic states to t_next (conductances-only: done above)
        if kind[c] == 1:
            decay_alpha(S[c, lo:hi], Xa[c, lo:hi], decay[c], dt / tau[c])
        else:
            decay_exponential(S[c, lo:hi], decay[c])
    return n_spikes


@helper
def finish_step(
    k,
    n_out,
    chunk_lo,
    chunk_count,
    stage_neuron,
    stage_time,
    direct,
    length,
    kind,
    v,
    S,
    Xa,
    buf,
    syn_ptr,
    syn_post,
    syn_w,
    syn_delay,
    src_ptr,
    src_id,
    rec_index,
    rec_var,
    rec,
    spk_neuron,
    spk_step,
    spk_time,
):
    """Step 5: the chunks' spikes appended in chunk order, the monitored states recorded, and the step's spikes
    (neurons' and sources') propagated over the synapses of the neurons that fired. Returns the new n_out."""
    first = n_out
    for ch in range(chunk_lo.shape[0]):
        for m in range(chunk_lo[ch], chunk_lo[ch] + chunk_count[ch]):
            spk_neuron[n_out] = stage_neuron[m]
            spk_step[n_out] = k
            spk_time[n_out] = stage_time[m]
            n_out += 1
    for m in range(rec_index.shape[0]):
        rec[k + 1, m] = v[rec_index[m]] if rec_var[m] < 0 else S[rec_var[m], rec_index[m]]
    n_chans = S.shape[0]
    for m in range(first, n_out + src_ptr[k + 1] - src_ptr[k]):
        j = spk_neuron[m] if m < n_out else src_id[src_ptr[k] + m - n_out]
        for c in range(n_chans):  # the synapses of j onto channel c: syn_ptr[j C + c] to syn_ptr[j C + c + 1]
            lo, hi = syn_ptr[j * n_chans + c], syn_ptr[j * n_chans + c + 1]
            if not direct:
                for s in range(lo, hi):
                    buf[c, (k + 1 + syn_delay[s]) % length, syn_post[s]] += syn_w[s]
            else:
                target = Xa[c] if kind[c] == 1 else S[c]
                jump = np.e if kind[c] == 1 else 1.0
                for s in range(lo, hi):
                    target[syn_post[s]] += jump * syn_w[s]
    return n_out


def _run_network(
    k_start,
    k_end,
    dt,
    chunk_lo,
    chunk_hi,
    chunk_pop,
    pop_mode,
    chan_ptr,
    chan_list,
    kind,
    tau,
    e_rev,
    decay,
    g_mean,
    h_m,
    tau_m,
    tau_ref,
    v_rest,
    v_threshold,
    v_reset,
    resistance,
    x,
    d_m,
    c_s,
    c_x,
    v,
    t_free,
    S,
    Xa,
    buf,
    syn_ptr,
    syn_post,
    syn_w,
    syn_delay,
    src_ptr,
    src_id,
    rec_index,
    rec_var,
    rec,
    spk_neuron,
    spk_step,
    spk_time,
    n_out,
):
    """Advance steps [k_start, k_end), or stop early at a step boundary when the spike arrays have room for
    fewer than one spike per neuron. Returns (the step reached, the number of spikes stored). The chunks
    (``chunk_lo``, ``chunk_hi``, their population ``chunk_pop``) run one after the other in ``run_network``
    (compiled without ``parallel``, ``prange`` is ``range``) and on Numba's threads in ``run_network_parallel``
    (the same result: chunks are independent within a step and their spikes are merged in chunk order)."""
    n_neurons = v.shape[0]
    capacity = spk_neuron.shape[0]
    length = buf.shape[1]
    direct = length == 1  # no delays: spikes go straight into the synaptic states, due at t_next
    varying = x.shape[0] > 1
    v1, acc, acc_e = np.empty(n_neurons), np.empty(n_neurons), np.empty(n_neurons)
    special = np.zeros((n_neurons + 7) // 8 * 8, dtype=np.uint8)
    special_words = special.view(np.uint64)
    stage_neuron, stage_time = np.empty(n_neurons, dtype=np.int64), np.empty(n_neurons)
    chunk_count = np.zeros(chunk_lo.shape[0], dtype=np.int64)
    channel = (kind, tau, e_rev, decay, g_mean, c_s, c_x)
    neuron = (tau_m, tau_ref, v_rest, v_threshold, v_reset, resistance, d_m, h_m)
    state, scratch = (v, t_free, S, Xa, buf), (v1, acc, acc_e, special, special_words)
    stage = (stage_neuron, stage_time)
    for k in range(k_start, k_end):
        if capacity - n_out < n_neurons:
            return k, n_out
        t_k, t_next, slot = k * dt, (k + 1) * dt, k % length
        xr = x[k if varying else 0]
        for ch in prange(chunk_lo.shape[0]):
            p = chunk_pop[ch]
            chunk_count[ch] = update_chunk(
                chunk_lo[ch],
                chunk_hi[ch],
                pop_mode[p],
                chan_list[chan_ptr[p] : chan_ptr[p + 1]],
                direct,
                slot,
                t_k,
                t_next,
                dt,
                xr,
                channel,
                neuron,
                state,
                scratch,
                stage,
            )
        n_out = finish_step(
            k,
            n_out,
            chunk_lo,
            chunk_count,
            stage_neuron,
            stage_time,
            direct,
            length,
            kind,
            v,
            S,
            Xa,
            buf,
            syn_ptr,
            syn_post,
            syn_w,
            syn_delay,
            src_ptr,
            src_id,
            rec_index,
            rec_var,
            rec,
            spk_neuron,
            spk_step,
            spk_time,
        )
    return k_end, n_out


run_network = kernel(_run_network)
run_network_parallel = kernel(parallel=True)(_run_network)
