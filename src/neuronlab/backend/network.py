"""Compiled loop of a network of LIF populations joined by projections; ``neurons.simulation._NumpyRun`` is its
NumPy reference (same scheme, same arithmetic, tested equal). The scheme is documented in
``neurons/simulation.py``; the arrays are those that ``neurons.simulation._Layout`` builds.

One thread: each step updates every neuron (arrivals of the step, membrane, threshold, synaptic decay), then
propagates the step's spikes (neurons' and sources') over the synapses grouped by presynaptic neuron into the
ring buffer of arrivals, so the work per step is O(neurons + synapses of the neurons that fired).
"""

from __future__ import annotations

import numpy as np

from neuronlab.backend import helper, kernel


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
def partial_step(i, offset, u, v0, i_ext, chans, kind, tau, e_rev, S, Xa, v_rest, resistance, tau_m):
    """v after integrating neuron i for time u from v0, starting ``offset`` after the step began (synaptic
    states decayed to then), conductances frozen at their mean over [offset, offset + u]."""
    r = resistance[i]
    g_sum = 0.0
    g_e = 0.0
    for c in chans:
        if kind[c] == 2:
            g = S[c, i] * np.exp(-offset / tau[c]) * (-np.expm1(-u / tau[c])) * tau[c] / u
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
def threshold(t_k, t_next, t_free, v1, v_threshold, v, special):
    """Free neurons below threshold take v1 (branch-free, so the compiler vectorizes it); flags the others
    (crossing, or resuming inside the step) in ``special``; returns how many. Arrays: one population's slice."""
    n_special = 0
    for i in range(v.shape[0]):
        free = t_free[i] <= t_k
        flag = (free & (v1[i] >= v_threshold[i])) | (~free & (t_free[i] < t_next))
        v[i] = v1[i] if free & ~flag else v[i]
        special[i] = flag
        n_special += flag
    return n_special


@helper
def leak(v1, v, v_rest, resistance, x, d_m):
    """v1 <- a + (v - a) e^(-dt/tau_m), a = v_rest + R I_ext: the full step without synapses (one population)."""
    for i in range(v.shape[0]):
        a_inf = v_rest[i] + resistance[i] * x[i]
        v1[i] = a_inf + (v[i] - a_inf) * d_m[i]


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
def add_conductance(g_sum, g_e, g, g_mean, e_rev):
    """Sums of the step-mean conductances and of their products with the reversal potentials."""
    for i in range(g_sum.shape[0]):
        gm = g[i] * g_mean
        g_sum[i] += gm
        g_e[i] += gm * e_rev


@helper
def conductance_step(v1, v, g_sum, g_e, v_rest, resistance, x, tau_m, dt):
    """v1 <- v_inf + (v - v_inf) e^(-lam dt) with the step-mean conductances (lam, v_inf: the module's scheme)."""
    for i in range(v1.shape[0]):
        r = resistance[i]
        lam = (1.0 + r * g_sum[i]) / tau_m[i]
        v_inf = (v_rest[i] + r * x[i] + r * g_e[i]) / (1.0 + r * g_sum[i])
        v1[i] = v_inf + (v[i] - v_inf) * np.exp(-lam * dt)


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
def flagged(special, special_words, lo, hi):
    """The indices i in [lo, hi) with special[i] set, in order (skipping words of 8 clear flags)."""
    out = []
    for word in range(lo // 8, (hi + 7) // 8):
        if special_words[word] == 0:
            continue
        for i in range(max(8 * word, lo), min(8 * word + 8, hi)):
            if special[i]:
                out.append(i)
    return out


@kernel
def run_network(
    k_start,
    k_end,
    dt,
    pop_lo,
    pop_hi,
    pop_mode,
    chan_ptr,
    chan_list,
    kind,
    tau,
    e_rev,
    decay,
    g_mean,
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
    syn_chan,
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
    fewer than one spike per neuron. Returns (the step reached, the number of spikes stored).

    Each population is updated in passes over its neurons that the compiler vectorizes (arrivals, the full-step
    membrane update of pop_mode 0: current synapses only, or 1: conductances only, synaptic decay), with one
    branching pass for thresholds, refractory periods and the steps that need ``partial_step`` (a neuron
    resuming mid-step; every step of a population mixing current and conductance synapses, pop_mode 2)."""
    n_neurons = v.shape[0]
    capacity = spk_neuron.shape[0]
    length = buf.shape[1]
    varying = x.shape[0] > 1
    e = np.e
    v1 = np.empty(n_neurons)
    g_sum = np.empty(n_neurons)
    g_e = np.empty(n_neurons)
    special = np.zeros((n_neurons + 7) // 8 * 8, dtype=np.uint8)
    special_words = special.view(np.uint64)  # scanned 8 flags at a time: most words are all zero
    direct = length == 1  # no delays: spikes go straight into the synaptic states, due at t_next
    for k in range(k_start, k_end):
        if capacity - n_out < n_neurons:
            return k, n_out
        t_k = k * dt
        t_next = (k + 1) * dt
        slot = k % length
        first = n_out
        xr = x[k if varying else 0]
        for p in range(pop_lo.shape[0]):
            lo, hi, mode = pop_lo[p], pop_hi[p], pop_mode[p]
            chans = chan_list[chan_ptr[p] : chan_ptr[p + 1]]
            for c in chans if not direct else chans[:0]:  # 1. arrivals at t_k
                target = Xa[c] if kind[c] == 1 else S[c]
                jump = e if kind[c] == 1 else 1.0
                arrive(target[lo:hi], buf[c, slot, lo:hi], jump)
            if mode == 0:  # 2. full-step membrane update, current synapses (exact, precomputed coefficients)
                leak(v1[lo:hi], v[lo:hi], v_rest[lo:hi], resistance[lo:hi], xr[lo:hi], d_m[lo:hi])
                for c in chans:
                    add_currents(v1[lo:hi], c_s[c, lo:hi], S[c, lo:hi], c_x[c, lo:hi], Xa[c, lo:hi])
            elif mode == 1:  # 2. full-step membrane update, conductances at their step mean
                g_sum[lo:hi] = 0.0
                g_e[lo:hi] = 0.0
                for c in chans:
                    add_conductance(g_sum[lo:hi], g_e[lo:hi], S[c, lo:hi], g_mean[c], e_rev[c])
                conductance_step(
                    v1[lo:hi],
                    v[lo:hi],
                    g_sum[lo:hi],
                    g_e[lo:hi],
                    v_rest[lo:hi],
                    resistance[lo:hi],
                    xr[lo:hi],
                    tau_m[lo:hi],
                    dt,
                )
            n_special = 0
            if mode == 2:  # 3. every neuron free in this step takes the general update
                for i in range(lo, hi):
                    flag = t_free[i] < t_next
                    special[i] = flag
                    n_special += flag
            else:
                n_special = threshold(
                    t_k, t_next, t_free[lo:hi], v1[lo:hi], v_threshold[lo:hi], v[lo:hi], special[lo:hi]
                )
            for i in flagged(special, special_words, lo, hi if n_special else lo):  # spikes, resumptions
                start = max(t_k, t_free[i])
                v0 = v[i]
                vi = v1[i]
                if start > t_k or mode == 2:
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
                    )
                if vi >= v_threshold[i]:
                    t_spike = start + (t_next - start) * (v_threshold[i] - v0) / (vi - v0)
                    spk_neuron[n_out] = i
                    spk_step[n_out] = k
                    spk_time[n_out] = t_spike
                    n_out += 1
                    v[i] = v_reset[i]
                    t_free[i] = t_spike + tau_ref[i]
                else:
                    v[i] = vi
            for c in chans:  # 4. synaptic states to t_next
                if kind[c] == 1:
                    decay_alpha(S[c, lo:hi], Xa[c, lo:hi], decay[c], dt / tau[c])
                else:
                    decay_exponential(S[c, lo:hi], decay[c])
        for m in range(rec_index.shape[0]):
            rec[k + 1, m] = v[rec_index[m]] if rec_var[m] < 0 else S[rec_var[m], rec_index[m]]
        for m in range(first, n_out + src_ptr[k + 1] - src_ptr[k]):  # 5. propagate this step's spikes
            j = spk_neuron[m] if m < n_out else src_id[src_ptr[k] + m - n_out]
            for s in range(syn_ptr[j], syn_ptr[j + 1]):
                c = syn_chan[s]
                if not direct:
                    buf[c, (k + 1 + syn_delay[s]) % length, syn_post[s]] += syn_w[s]
                elif kind[c] == 1:
                    Xa[c, syn_post[s]] += e * syn_w[s]
                else:
                    S[c, syn_post[s]] += syn_w[s]
    return k_end, n_out
