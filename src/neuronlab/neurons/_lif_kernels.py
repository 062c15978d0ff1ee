"""Compiled (Numba) loop for a population of uncoupled LIF neurons; ``lif._run_numpy`` is its NumPy twin.

Both run the same arithmetic per neuron and step (see ``lif.py`` for the scheme), so they agree to rounding.
Here the loop is neuron-outer: each neuron's state stays in registers for the whole run.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def run_lif(x, gain, bias, tau_m, tau_ref, dt, decay, one_minus_decay, n_steps, v, ref_left,
            rec_col, v_rec, offsets, spike_step, spike_time, counts):
    """Advance ``n_steps`` steps of dt in place; returns the number of neurons whose spike buffer overflowed.

    x: input (T, X) with T in {1, n_steps}, X in {1, N}; v, ref_left: state (N,); rec_col[i]: column of
    v_rec (n_steps + 1, R) recording neuron i, or -1; spikes of neuron i go to slots offsets[i]:offsets[i+1].
    """
    n_neurons = v.shape[0]
    varying = x.shape[0] > 1
    shared = x.shape[1] == 1
    overflow = 0
    for i in range(n_neurons):
        col = rec_col[i]
        xi = 0 if shared else i
        vi = v[i]
        ri = ref_left[i]
        j_in = gain[i] * x[0, xi] + bias[i]
        j_step = j_in * one_minus_decay
        slot = offsets[i]
        end = offsets[i + 1]
        for k in range(n_steps):
            if varying:
                j_in = gain[i] * x[k, xi] + bias[i]
                j_step = j_in * one_minus_decay
            remaining = dt
            if ri > 0.0:
                if ri >= remaining:
                    ri -= remaining
                    remaining = 0.0
                else:
                    remaining -= ri
                    ri = 0.0
            while remaining > 0.0:
                if remaining == dt:
                    v_end = vi * decay + j_step
                else:
                    v_end = j_in + (vi - j_in) * np.exp(-remaining / tau_m)
                if v_end < 1.0 or j_in <= 1.0:
                    vi = v_end
                    break
                t_cross = min(tau_m * np.log((j_in - vi) / (j_in - 1.0)), remaining)
                if slot < end:
                    spike_step[slot] = k
                    spike_time[slot] = k * dt + (dt - remaining) + t_cross
                    slot += 1
                else:
                    overflow += 1
                remaining -= t_cross
                vi = 0.0
                if tau_ref >= remaining:
                    ri = tau_ref - remaining
                    remaining = 0.0
                else:
                    remaining -= tau_ref
                    ri = 0.0
            if col >= 0:
                v_rec[k + 1, col] = vi
        v[i] = vi
        ref_left[i] = ri
        counts[i] = slot - offsets[i]
    return overflow
