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


@kernel
def run_network(k_start, k_end, dt, pop_lo, pop_hi, pop_cond, chan_ptr, chan_list, kind, tau, e_rev, decay, tau_m,
                tau_ref, v_rest, v_threshold, v_reset, resistance, x, d_m, c_s, c_x, v, t_free, S,
                Xa, buf, syn_ptr, syn_chan, syn_post, syn_w, syn_delay, src_ptr, src_id, rec_index, rec_var, rec,
                spk_neuron, spk_step, spk_time, n_out):
    """Advance steps [k_start, k_end), or stop early at a step boundary when the spike arrays have room for
    fewer than one spike per neuron. Returns (the step reached, the number of spikes stored)."""
    n_neurons = v.shape[0]
    capacity = spk_neuron.shape[0]
    length = buf.shape[1]
    varying = x.shape[0] > 1
    e = np.e
    for k in range(k_start, k_end):
        if capacity - n_out < n_neurons:
            return k, n_out
        t_k = k * dt
        t_next = (k + 1) * dt
        slot = k % length
        first = n_out
        row = k if varying else 0
        for p in range(pop_lo.shape[0]):
            chans = chan_list[chan_ptr[p]:chan_ptr[p + 1]]
            for i in range(pop_lo[p], pop_hi[p]):
                for c in chans:  # arrivals at t_k
                    a = buf[c, slot, i]
                    if a != 0.0:
                        if kind[c] == 1:
                            Xa[c, i] += e * a
                        else:
                            S[c, i] += a
                        buf[c, slot, i] = 0.0
                start = max(t_k, t_free[i])
                if start < t_next:
                    v0 = v[i]
                    i_ext = x[row, i]
                    if start == t_k and not pop_cond[p]:
                        a_inf = v_rest[i] + resistance[i] * i_ext
                        v1 = a_inf + (v0 - a_inf) * d_m[i]
                        for c in chans:
                            v1 += c_s[c, i] * S[c, i] + c_x[c, i] * Xa[c, i]
                    else:
                        v1 = partial_step(i, start - t_k, t_next - start, v0, i_ext, chans, kind, tau, e_rev, S,
                                          Xa, v_rest, resistance, tau_m)
                    if v1 >= v_threshold[i]:
                        t_spike = start + (t_next - start) * (v_threshold[i] - v0) / (v1 - v0)
                        spk_neuron[n_out] = i
                        spk_step[n_out] = k
                        spk_time[n_out] = t_spike
                        n_out += 1
                        v[i] = v_reset[i]
                        t_free[i] = t_spike + tau_ref[i]
                    else:
                        v[i] = v1
                for c in chans:  # synaptic states to t_next
                    if kind[c] == 1:
                        S[c, i] = decay[c] * (S[c, i] + Xa[c, i] * dt / tau[c])
                        Xa[c, i] *= decay[c]
                    else:
                        S[c, i] *= decay[c]
        for m in range(rec_index.shape[0]):
            rec[k + 1, m] = v[rec_index[m]] if rec_var[m] < 0 else S[rec_var[m], rec_index[m]]
        for m in range(first, n_out + src_ptr[k + 1] - src_ptr[k]):  # propagate this step's spikes
            j = spk_neuron[m] if m < n_out else src_id[src_ptr[k] + m - n_out]
            for s in range(syn_ptr[j], syn_ptr[j + 1]):
                buf[syn_chan[s], (k + 1 + syn_delay[s]) % length, syn_post[s]] += syn_w[s]
    return k_end, n_out
