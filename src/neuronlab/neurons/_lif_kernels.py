"""Compiled (Numba) loop for a population of uncoupled LIF neurons; ``lif._run_numpy`` is its NumPy twin.

Both run the scheme described in ``lif.py`` with the same arithmetic, so they agree to rounding. Here the
population is cut into blocks that stay in L1 cache; each step first advances every neuron of the block with
the branch-free full-step update (which the compiler vectorizes), flagging the few neurons whose step is not
that simple (crossing the threshold, or leaving the refractory period mid-step), then finishes those one by one.
"""
from __future__ import annotations

import numpy as np
from numba import njit

BLOCK = 256


@njit(cache=True, nogil=True, inline="always")
def _finish_step(i, k, t_k, t_next, j, j_full, v, t_resume, decay, tau_m, tau_ref, slot, end, spike_step,
                 spike_time):
    """Exact step for one flagged neuron: integrate from max(t_k, t_resume), spike at each crossing of 1,
    carry the rest of the step into the refractory period and integrate again after it. Returns the next
    free spike slot (``end`` + number of spikes that did not fit, if the buffer is full)."""
    vi = v[i]
    start = max(t_k, t_resume[i])
    while True:
        if start == t_k:
            v_end = vi * decay + j_full
        else:
            v_end = j + (vi - j) * np.exp(-(t_next - start) / tau_m)
        if v_end < 1.0 or j <= 1.0:
            vi = v_end
            break
        t_spike = start + min(tau_m * np.log((j - vi) / (j - 1.0)), t_next - start)
        if slot < end:
            spike_step[slot] = k
            spike_time[slot] = t_spike
        slot += 1
        vi = 0.0
        t_resume[i] = t_spike + tau_ref
        if t_resume[i] >= t_next:
            break
        start = t_resume[i]
    v[i] = vi
    return slot


@njit(cache=True, nogil=True)
def run_lif(x, gain, bias, tau_m, tau_ref, dt, decay, one_minus_decay, n_steps, v, t_resume,
            rec_col, v_rec, offsets, spike_step, spike_time, counts):
    """Advance ``n_steps`` steps of dt in place; returns the number of spikes that found no buffer slot.

    x: input (T, X) with T in {1, n_steps}, X in {1, N}; v: voltage (N,); t_resume: end of each neuron's
    refractory period (N,); rec_col[i]: column of v_rec (n_steps + 1, R) recording neuron i, or -1;
    the spikes of neuron i go to slots offsets[i]:offsets[i + 1]; counts[i] receives how many it fired.
    """
    n_neurons = v.shape[0]
    varying = x.shape[0] > 1
    shared = x.shape[1] == 1
    overflow = 0
    j_in = np.empty(BLOCK)
    j_step = np.empty(BLOCK)
    special = np.zeros(BLOCK, dtype=np.uint8)
    special_words = special.view(np.uint64)  # scanned 8 flags at a time: most words are all zero
    slot = np.empty(BLOCK, dtype=np.int64)
    for first in range(0, n_neurons, BLOCK):
        size = min(BLOCK, n_neurons - first)
        vb = v[first:first + size]
        tb = t_resume[first:first + size]
        special[:] = 0
        slot[:size] = offsets[first:first + size]
        recorded = np.array([i for i in range(size) if rec_col[first + i] >= 0], dtype=np.int64)
        for k in range(n_steps):
            if k == 0 or varying:
                row = k if varying else 0
                for i in range(size):
                    j_in[i] = gain[first + i] * x[row, 0 if shared else first + i] + bias[first + i]
                    j_step[i] = j_in[i] * one_minus_decay
            t_k = k * dt
            t_next = (k + 1) * dt
            n_special = 0
            for i in range(size):
                v_full = vb[i] * decay + j_step[i]
                free = tb[i] <= t_k
                flag = (free & (v_full >= 1.0)) | ((~free) & (tb[i] < t_next))
                vb[i] = v_full if free & (~flag) else vb[i]
                special[i] = flag
                n_special += flag
            if n_special:
                for word in range((size + 7) // 8):
                    if special_words[word] == 0:
                        continue
                    for i in range(8 * word, min(8 * word + 8, size)):
                        if special[i]:
                            end = offsets[first + i + 1]
                            slot[i] = _finish_step(i, k, t_k, t_next, j_in[i], j_step[i], vb, tb, decay, tau_m,
                                                   tau_ref, slot[i], end, spike_step, spike_time)
            for i in recorded:
                v_rec[k + 1, rec_col[first + i]] = vb[i]
        for i in range(size):
            end = offsets[first + i + 1]
            counts[first + i] = min(slot[i], end) - offsets[first + i]
            overflow += max(slot[i] - end, 0)
    return overflow


@njit(cache=True, nogil=True)
def gather_spikes(offsets, counts, spike_step, spike_time):
    """Pack the per-neuron buffer segments into flat (neuron, step, time) arrays, neuron by neuron."""
    total = counts.sum()
    neuron = np.empty(total, dtype=np.int64)
    step = np.empty(total, dtype=np.int64)
    time = np.empty(total)
    out = 0
    for i in range(counts.shape[0]):
        start = offsets[i]
        for slot in range(start, start + counts[i]):
            neuron[out] = i
            step[out] = spike_step[slot]
            time[out] = spike_time[slot]
            out += 1
    return neuron, step, time
