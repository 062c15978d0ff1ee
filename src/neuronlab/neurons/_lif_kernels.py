"""Compiled (Numba) loops for a population of uncoupled LIF neurons; ``lif._run_numpy`` is their NumPy twin.

Both run the scheme described in ``lif.py``, so they agree to rounding (the loop below replaces one exp by an
equal product, see ``run_lif``). Here the population is cut into blocks of 256 neurons that stay in cache and
are simulated in parallel, one block per task (``prange``; blocks never interact, so the result does not depend
on the number of threads). Each step advances every neuron of the block with the branch-free full-step update
(which the compiler vectorizes) and flags the few that cross the threshold; a flagged neuron is then followed
through its spike and refractory period up to the end of the step in which it integrates again, so refractory
neurons cost nothing until then.

Spikes leave in two parallel passes. ``run_lif`` appends each block's spikes, as they happen, to the block's own
slice of staging arrays (sized by a bound on its spike count) and counts them per neuron. The caller turns the
counts into each neuron's first output position (an exclusive prefix sum over neurons), and ``scatter_spikes``
moves every block's staged spikes to their final places, sorted by neuron, then time (a counting sort).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

BLOCK = 256


@njit(cache=True, nogil=True, parallel=True)
def run_lif(x, gain, bias, tau_m, tau_ref, dt, decay, one_minus_decay, n_steps, v, rec_col, v_rec,
            stage_start, stage_neuron, stage_step, stage_time, counts):
    """Advance ``n_steps`` steps of dt from voltages ``v`` (N,), blocks of BLOCK neurons in parallel. Block b
    appends its spikes (neuron, step, time) in time order to stage_*[stage_start[b]:stage_start[b + 1]] and
    counts[i] gets neuron i's spike count. Returns the number of spikes each block fired; more than its slice
    holds means the slice overflowed (only the spikes that fit were staged).

    x: input (T, X) with T in {1, n_steps}, X in {1, N}; rec_col[i]: column of v_rec (n_steps + 1, R) recording
    neuron i, or -1.

    A neuron flagged in step k is followed through its spike and refractory period into the step where it
    resumes (integrating from v = 0 for the rest of that step, spiking again if it crosses), possibly several
    steps ahead; afterwards it holds v = 0 until grid time t_free[i], where v = v_free[i]. The decay over the
    rest of that resume step, exp(-(t_(s+1) - t_spike - tau_ref) / tau_m), needs no exp when the spike came from
    a full step s0 under the same input: t_spike = t_s0 + tau_m ln R, so it is resume_decay[s + 1 - s0] * R with
    resume_decay[m] = exp(-(m dt - tau_ref) / tau_m). Under constant input no log is needed either once v has
    been 0 at a known time t_0 (a reset, or v0 = 0 at the start): v reaches 1 at t_0 + tau_m ln(J / (J - 1)),
    the crossing formula with v = 0, computed once per neuron. (This code is written out inline: passing the arrays to
    a helper function costs reference counting on every call, doubling the time per spike.)
    """
    n_neurons = v.shape[0]
    n_blocks = (n_neurons + BLOCK - 1) // BLOCK
    varying = x.shape[0] > 1
    shared = x.shape[1] == 1
    steps_in_ref = max(int(tau_ref / dt), 1)  # about how many steps a refractory period spans
    resume_decay = np.exp(-(np.arange(steps_in_ref + 3) * dt - tau_ref) / tau_m)
    fired = np.zeros(n_blocks, dtype=np.int64)
    for block in prange(n_blocks):
        first = block * BLOCK
        size = min(BLOCK, n_neurons - first)
        # scratch arrays of this block (hence of the thread running it)
        crossing = np.empty(BLOCK, dtype=np.int64)
        j_step = np.empty(BLOCK)
        t_free = np.zeros(BLOCK)  # grid time from which the neuron integrates full steps again
        v_free = np.empty(BLOCK)  # its voltage then (v is 0 until that time)
        t_fire = np.empty(BLOCK)  # constant input: time from v = 0 to the threshold, tau_m ln(J / (J - 1))
        origin = np.full(BLOCK, -np.inf)  # constant input: when v last started from 0 (-inf when unknown)
        special = np.zeros(BLOCK, dtype=np.uint8)
        special_words = special.view(np.uint64)  # scanned 8 flags at a time: most words are all zero
        count = counts[first:first + size]
        count[:] = 0
        vb = v[first:first + size]
        xb = x if shared else x[:, first:first + size]
        gb, bb = gain[first:first + size], bias[first:first + size]
        staged = stage_start[block]
        capacity = stage_start[block + 1]
        n_buffered = 0
        recorded = np.array([i for i in range(size) if rec_col[first + i] >= 0], dtype=np.int64)
        for k in range(n_steps):
            if k == 0 or varying:
                for i in range(size):
                    j_step[i] = (gb[i] * xb[k if varying else 0, 0 if shared else i] + bb[i]) * one_minus_decay
            if k == 0 and not varying:
                for i in range(size):
                    j = gb[i] * xb[0, 0 if shared else i] + bb[i]
                    t_fire[i] = tau_m * np.log(j / (j - 1.0)) if j > 1.0 else np.inf
                    if vb[i] == 0.0:
                        origin[i] = 0.0
            t_k = k * dt
            t_next = (k + 1) * dt
            n_special = 0
            for i in range(size):
                v_full = vb[i] * decay + j_step[i]
                free = t_free[i] <= t_k
                flag = free & (v_full >= 1.0)
                held = v_free[i] if t_free[i] == t_next else vb[i]
                vb[i] = (vb[i] if flag else v_full) if free else held
                special[i] = flag
                n_special += flag
            if n_special:
                # list the flagged neurons first (without branching on each flag), then handle them in a row
                n_crossing = 0
                for word in range((size + 7) // 8):
                    if special_words[word] == 0:
                        continue
                    for i in range(8 * word, min(8 * word + 8, size)):
                        crossing[n_crossing] = i
                        n_crossing += special[i]
                for c in range(n_crossing):
                    i = crossing[c]
                    j = gb[i] * xb[k if varying else 0, 0 if shared else i] + bb[i]
                    vi = vb[i]
                    start = k * dt
                    step = k
                    known_decay = -1.0  # exp(-(t_next - start) / tau_m) when already known, else -1
                    since = origin[i]
                    while True:
                        t_next = (step + 1) * dt
                        if start == step * dt:
                            v_end = vi * decay + j * one_minus_decay
                        else:
                            if known_decay < 0.0:
                                known_decay = np.exp(-(t_next - start) / tau_m)
                            v_end = j + (vi - j) * known_decay
                        if v_end < 1.0 or j <= 1.0:
                            t_free[i] = t_next
                            v_free[i] = v_end
                            break
                        ratio = (j - vi) / (j - 1.0)
                        if since == -np.inf:
                            t_cross = tau_m * np.log(ratio)
                        else:  # constant input since v was 0 at `since`: v reaches 1 at since + t_fire
                            t_cross = max(since + t_fire[i] - start, 0.0)
                        exact_offset = start == step * dt and t_cross < t_next - start
                        t_spike = start + min(t_cross, t_next - start)
                        if staged + n_buffered < capacity:
                            stage_neuron[staged + n_buffered] = first + i
                            stage_step[staged + n_buffered] = step
                            stage_time[staged + n_buffered] = t_spike
                        n_buffered += 1
                        count[i] += 1
                        vi = 0.0
                        known_decay = -1.0
                        start = t_spike + tau_ref
                        if not varying:
                            since = start
                        if start >= t_next:
                            # the step in which the refractory period ends: step * dt <= start < (step + 1) * dt
                            spike_step = step
                            step += steps_in_ref
                            while (step + 1) * dt <= start:
                                step += 1
                            while step * dt > start:
                                step -= 1
                            if step >= n_steps:
                                t_free[i] = np.inf
                                v_free[i] = 0.0
                                break
                            j_before = j
                            if varying:
                                j = gb[i] * xb[step, 0 if shared else i] + bb[i]
                            m = step + 1 - spike_step
                            if exact_offset and j == j_before and m < resume_decay.shape[0]:
                                known_decay = resume_decay[m] * ratio
                    vb[i] = 0.0 if t_free[i] > (k + 1) * dt else v_free[i]
                    origin[i] = since
            for i in recorded:
                v_rec[k + 1, rec_col[first + i]] = vb[i]
        fired[block] = n_buffered
    return fired


@njit(cache=True, nogil=True, parallel=True)
def scatter_spikes(stage_start, fired, stage_neuron, stage_step, stage_time, position, out_neuron, out_step,
                   out_time):
    """Counting sort of each block's staged spikes into out_* (sorted by neuron, then time), blocks in parallel.

    position[i]: where neuron i's first spike goes (exclusive prefix sum of the spike counts); the staged spikes
    of a neuron are already in time order.
    """
    for block in prange(fired.shape[0]):
        first = block * BLOCK
        size = min(BLOCK, position.shape[0] - first)
        next_slot = position[first:first + size].copy()
        for s in range(stage_start[block], stage_start[block] + fired[block]):
            i = stage_neuron[s] - first
            out_neuron[next_slot[i]] = stage_neuron[s]
            out_step[next_slot[i]] = stage_step[s]
            out_time[next_slot[i]] = stage_time[s]
            next_slot[i] += 1
