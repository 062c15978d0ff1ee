"""Compiled loops for a population of uncoupled LIF neurons; ``neurons.lif._run_numpy`` is their NumPy reference.

Both run the scheme of ``neurons/lif.py`` and agree to rounding (tested). Each step of that scheme is a named
function here, inlined into the kernel:

1. ``input_step``: J (1 - e^(-dt/tau_m)) for the step's input J = gain x + bias;
2. ``integrate``: the full-step update v <- v e^(-dt/tau_m) + J (1 - e^(-dt/tau_m)) of every neuron that is
   not refractory, flagging those that reach 1 (``lif.py``: "every neuron takes the full-step update, except
   those crossing 1 or leaving refractoriness mid-step");
3. ``flagged``: the list of flagged neurons;
4. ``spike_and_refractory``: a flagged neuron's crossing time (u* = tau_m ln((J - v) / (J - 1)), or, under
   constant input since v was 0 at t_0, t_0 + tau_m ln(J / (J - 1))), its spike, and its refractory period up
   to the step where it integrates again (spiking again there if it crosses);
5. ``record``: the recorded neurons' voltages.

The population is cut into blocks of 256 neurons that stay in cache and are simulated in parallel, one block
per task (``prange``; blocks never interact, so the result does not depend on the number of threads). The
kernel advances steps [k_start, k_end) of the run from the per-neuron state it is given, so a long run can go
in chunks (with a progress bar between them) and give exactly the result of one call.

Spikes leave in two parallel passes. ``run_lif`` appends each block's spikes, as they happen, to the block's own
slice of staging arrays (sized by a bound on its spike count over the whole run; each call continues where the
last stopped) and counts them per neuron. The caller turns the
counts into each neuron's first output position (an exclusive prefix sum over neurons), and ``scatter_spikes``
moves every block's staged spikes to their final places, sorted by neuron, then time (a counting sort).
"""

from __future__ import annotations

import numpy as np
from numba import prange  # this module is imported only when the numba backend runs

from neuronlab.backend import helper, kernel

BLOCK = 256


@helper
def input_step(j_step, gb, bb, xb, row, shared, one_minus_decay, size):
    """j_step[i] <- J_i (1 - e^(-dt/tau_m)), J_i = gain_i x_i + bias_i, for the input row ``row``."""
    for i in range(size):
        j_step[i] = (gb[i] * xb[row, 0 if shared else i] + bb[i]) * one_minus_decay


@helper
def integrate(vb, j_step, decay, t_free, v_free, t_k, t_next, special, size):
    """The full-step update of the block's free neurons (branch-free, so the compiler vectorizes it); flags in
    ``special`` those that reach 1 (their v is left for ``spike_and_refractory``); a refractory neuron holds 0
    until t_free, where it takes v_free. Returns the number flagged."""
    n_special = 0
    for i in range(size):
        v_full = vb[i] * decay + j_step[i]
        free = t_free[i] <= t_k
        flag = free & (v_full >= 1.0)
        held = v_free[i] if t_free[i] == t_next else vb[i]
        vb[i] = (vb[i] if flag else v_full) if free else held
        special[i] = flag
        n_special += flag
    return n_special


@helper
def flagged(special, special_words, size, crossing):
    """Write the indices of the flagged neurons to ``crossing`` (scanning 8 flags at a time: most words are all
    zero, and no branch on each flag); returns how many."""
    n_crossing = 0
    for word in range((size + 7) // 8):
        if special_words[word] == 0:
            continue
        for i in range(8 * word, min(8 * word + 8, size)):
            crossing[n_crossing] = i
            n_crossing += special[i]
    return n_crossing


@helper
def spike_and_refractory(
    i,
    k,
    first,
    j,
    vi,
    since,
    t_fire_i,
    varying,
    shared,
    gb,
    bb,
    xb,
    tau_m,
    tau_ref,
    dt,
    decay,
    one_minus_decay,
    n_steps,
    steps_in_ref,
    resume_decay,
    t_free,
    v_free,
    stage_neuron,
    stage_step,
    stage_time,
    staged,
    capacity,
    n_buffered,
    count,
):
    """Follow neuron i, flagged in step k with voltage vi under input j, through its spike and refractory period
    into the step where it resumes (integrating from v = 0 for the rest of that step, spiking again if it
    crosses), possibly several steps ahead; afterwards it holds v = 0 until grid time t_free[i], where
    v = v_free[i]. Each spike is staged (when the block's slice has room) and counted.

    The decay over the rest of a resume step, exp(-(t_(s+1) - t_spike - tau_ref) / tau_m), needs no exp when the
    spike came from a full step s0 under the same input: t_spike = t_s0 + tau_m ln R, so it is
    resume_decay[s + 1 - s0] * R with resume_decay[m] = exp(-(m dt - tau_ref) / tau_m) (the table covers the
    first few steps only). ``steps_in_ref``: about how many steps a refractory period spans (at most the run's
    length: a period that ends after the run is caught before stepping). ``since``: under constant input, when v was last 0 (-inf when unknown); then v
    reaches 1 at since + t_fire_i, the crossing formula from v = 0, and needs no log.
    Returns (n_buffered, since).
    """
    start = k * dt
    step = k
    known_decay = -1.0  # exp(-(t_next - start) / tau_m) when already known, else -1
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
            return n_buffered, since
        ratio = (j - vi) / (j - 1.0)
        if since == -np.inf:
            t_cross = tau_m * np.log(ratio)
        else:  # constant input since v was 0 at `since`: v reaches 1 at since + t_fire
            t_cross = max(since + t_fire_i - start, 0.0)
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
            if start >= n_steps * dt:
                t_free[i] = np.inf
                v_free[i] = 0.0
                return n_buffered, since
            spike_step = step
            step += steps_in_ref
            while (step + 1) * dt <= start:
                step += 1
            while step * dt > start:
                step -= 1
            if step >= n_steps:
                t_free[i] = np.inf
                v_free[i] = 0.0
                return n_buffered, since
            j_before = j
            if varying:
                j = gb[i] * xb[step, 0 if shared else i] + bb[i]
            m = step + 1 - spike_step
            if exact_offset and j == j_before and m < resume_decay.shape[0]:
                known_decay = resume_decay[m] * ratio


@helper
def record(v_rec, row, vb, recorded, rec_col, first):
    """v_rec[row, column of neuron] <- v for the block's recorded neurons."""
    for i in recorded:
        v_rec[row, rec_col[first + i]] = vb[i]


@kernel(parallel=True)
def run_lif(
    x,
    gain,
    bias,
    tau_m,
    tau_ref,
    dt,
    decay,
    one_minus_decay,
    k_start,
    k_end,
    n_steps,
    v,
    t_free,
    v_free,
    t_fire,
    origin,
    rec_col,
    v_rec,
    stage_start,
    stage_neuron,
    stage_step,
    stage_time,
    counts,
    fired,
):
    """Advance steps [k_start, k_end) of an ``n_steps`` run, blocks of BLOCK neurons in parallel. Per-neuron state
    (N,), updated in place: v; t_free (grid time from which the neuron integrates full steps again, 0 at the
    start) and v_free (its voltage then); t_fire (constant input: time from v = 0 to the threshold,
    tau_m ln(J / (J - 1)), inf when J <= 1); origin (constant input: when v was last 0, -inf when unknown).

    Block b appends its spikes (neuron, step, time) in time order to stage_*[stage_start[b]:stage_start[b + 1]],
    after the fired[b] spikes earlier calls staged there, counts[i] counts neuron i's spikes and fired[b] the
    block's (both zero before the first call). More than a slice holds means it overflowed (only the spikes that
    fit were staged). x: input (T, X) with T in
    {1, n_steps}, X in {1, N}; rec_col[i]: column of v_rec (n_steps + 1, R) recording neuron i, or -1.
    """
    n_neurons = v.shape[0]
    n_blocks = (n_neurons + BLOCK - 1) // BLOCK
    varying = x.shape[0] > 1
    shared = x.shape[1] == 1
    # about how many steps a refractory period spans, and exp(-(m dt - tau_ref) / tau_m) for the steps it can end
    # in: both bounded by the run's length (tau_ref may be far longer)
    steps_in_ref = max(int(min(tau_ref / dt, float(n_steps))), 1)
    resume_decay = np.exp(-(np.arange(steps_in_ref + 3) * dt - tau_ref) / tau_m)
    for block in prange(n_blocks):
        first = block * BLOCK
        size = min(BLOCK, n_neurons - first)
        crossing = np.empty(BLOCK, dtype=np.int64)  # scratch arrays of this block (hence of its thread)
        j_step = np.empty(BLOCK)
        special = np.zeros(BLOCK, dtype=np.uint8)
        special_words = special.view(np.uint64)
        count = counts[first : first + size]
        vb = v[first : first + size]
        tf, vf = t_free[first : first + size], v_free[first : first + size]
        xb = x if shared else x[:, first : first + size]
        gb, bb = gain[first : first + size], bias[first : first + size]
        staged = stage_start[block]
        capacity = stage_start[block + 1]
        n_buffered = fired[block]
        recorded = np.array([i for i in range(size) if rec_col[first + i] >= 0], dtype=np.int64)
        for k in range(k_start, k_end):
            row = k if varying else 0
            if k == k_start or varying:
                input_step(j_step, gb, bb, xb, row, shared, one_minus_decay, size)
            if integrate(vb, j_step, decay, tf, vf, k * dt, (k + 1) * dt, special, size):
                for c in range(flagged(special, special_words, size, crossing)):
                    i = crossing[c]
                    j = gb[i] * xb[row, 0 if shared else i] + bb[i]
                    n_buffered, since = spike_and_refractory(
                        i,
                        k,
                        first,
                        j,
                        vb[i],
                        origin[first + i],
                        t_fire[first + i],
                        varying,
                        shared,
                        gb,
                        bb,
                        xb,
                        tau_m,
                        tau_ref,
                        dt,
                        decay,
                        one_minus_decay,
                        n_steps,
                        steps_in_ref,
                        resume_decay,
                        tf,
                        vf,
                        stage_neuron,
                        stage_step,
                        stage_time,
                        staged,
                        capacity,
                        n_buffered,
                        count,
                    )
                    vb[i] = 0.0 if tf[i] > (k + 1) * dt else vf[i]
                    origin[first + i] = since
            record(v_rec, k + 1, vb, recorded, rec_col, first)
        fired[block] = n_buffered


@kernel(parallel=True)
def scatter_spikes(stage_start, fired, stage_neuron, stage_step, stage_time, position, out_neuron, out_step, out_time):
    """Counting sort of each block's staged spikes into out_* (sorted by neuron, then time), blocks in parallel.

    position[i]: where neuron i's first spike goes (exclusive prefix sum of the spike counts); the staged spikes
    of a neuron are already in time order.
    """
    for block in prange(fired.shape[0]):
        first = block * BLOCK
        size = min(BLOCK, position.shape[0] - first)
        next_slot = position[first : first + size].copy()
        for s in range(stage_start[block], stage_start[block] + fired[block]):
            i = stage_neuron[s] - first
            out_neuron[next_slot[i]] = stage_neuron[s]
            out_step[next_slot[i]] = stage_step[s]
            out_time[next_slot[i]] = stage_time[s]
            next_slot[i] += 1
