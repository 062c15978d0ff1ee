"""The compiled Hodgkin-Huxley loop; ``neurons.hodgkin_huxley._NumpyRun`` is its NumPy reference.

The equations live once, in ``neurons/hodgkin_huxley.py``, as plain NumPy functions marked
:func:`neuronlab.backend.helper`, which this loop calls (compiled into it); that is why this kernel sits beside
its equations rather than in ``neuronlab/backend/`` with the other kernels (whose loops are self-contained). The loop goes neuron by neuron, each
through steps [k_start, k_end) of the run, so a long run can go in chunks and give the result of one call.
Units as in that module: V in mV, t in ms.
"""

from __future__ import annotations

import numpy as np

from neuronlab.backend import kernel
from neuronlab.neurons.hodgkin_huxley import GATE_RANGE, derivatives


@kernel
def integrate(
    i_start,
    i_mid,
    i_end,
    params,
    dt,
    k_start,
    k_end,
    rk4,
    V,
    m,
    h,
    n,
    last_spike,
    rec_col,
    V_rec,
    m_rec,
    h_rec,
    n_rec,
    threshold,
    dead_time,
    offsets,
    spike_step,
    spike_time,
    counts,
):
    """Advance every neuron through steps [k_start, k_end): one RK4 (or Euler) step, a divergence check, the
    threshold crossing, the recording.

    i_start/i_mid/i_end: current at the start, middle and end of each step, shape (T, X), T in {1, n_steps},
    X in {1, N}; V, m, h, n: state (N,), advanced in place; last_spike (N,): each neuron's last spike time.
    Spikes: upward crossings of ``threshold``, placed by linear interpolation, at least ``dead_time`` apart,
    written to slots offsets[i]:offsets[i + 1]; counts[i] gets how many. Returns (spikes that found no slot,
    first neuron that diverged or -1, the step it diverged in): a neuron diverges when its state leaves the
    finite numbers or a gate leaves GATE_RANGE (the exact gates stay in [0, 1]); it is then left as it was.
    """
    C, g_Na, g_K, g_L, E_Na, E_K, E_L = params
    varying = i_start.shape[0] > 1
    shared = i_start.shape[1] == 1
    overflow = 0
    low, high = GATE_RANGE
    for i in range(V.shape[0]):
        col = rec_col[i]
        xi = 0 if shared else i
        v0, m0, h0, n0 = V[i], m[i], h[i], n[i]
        slot = offsets[i]
        for k in range(k_start, k_end):
            row = k if varying else 0
            dv1, dm1, dh1, dn1 = derivatives(v0, m0, h0, n0, i_start[row, xi], C, g_Na, g_K, g_L, E_Na, E_K, E_L)
            if rk4:
                half = 0.5 * dt
                dv2, dm2, dh2, dn2 = derivatives(
                    v0 + half * dv1,
                    m0 + half * dm1,
                    h0 + half * dh1,
                    n0 + half * dn1,
                    i_mid[row, xi],
                    C,
                    g_Na,
                    g_K,
                    g_L,
                    E_Na,
                    E_K,
                    E_L,
                )
                dv3, dm3, dh3, dn3 = derivatives(
                    v0 + half * dv2,
                    m0 + half * dm2,
                    h0 + half * dh2,
                    n0 + half * dn2,
                    i_mid[row, xi],
                    C,
                    g_Na,
                    g_K,
                    g_L,
                    E_Na,
                    E_K,
                    E_L,
                )
                dv4, dm4, dh4, dn4 = derivatives(
                    v0 + dt * dv3,
                    m0 + dt * dm3,
                    h0 + dt * dh3,
                    n0 + dt * dn3,
                    i_end[row, xi],
                    C,
                    g_Na,
                    g_K,
                    g_L,
                    E_Na,
                    E_K,
                    E_L,
                )
                sixth = dt / 6.0
                v1 = v0 + sixth * (dv1 + 2.0 * dv2 + 2.0 * dv3 + dv4)
                m1 = m0 + sixth * (dm1 + 2.0 * dm2 + 2.0 * dm3 + dm4)
                h1 = h0 + sixth * (dh1 + 2.0 * dh2 + 2.0 * dh3 + dh4)
                n1 = n0 + sixth * (dn1 + 2.0 * dn2 + 2.0 * dn3 + dn4)
            else:
                v1, m1, h1, n1 = v0 + dt * dv1, m0 + dt * dm1, h0 + dt * dh1, n0 + dt * dn1
            if not (np.isfinite(v1) and low <= m1 <= high and low <= h1 <= high and low <= n1 <= high):
                V[i], m[i], h[i], n[i] = v0, m0, h0, n0
                counts[i] = slot - offsets[i]
                return overflow, i, k
            if v0 < threshold <= v1:
                t_spike = k * dt + dt * (threshold - v0) / (v1 - v0)
                if t_spike - last_spike[i] >= dead_time:
                    last_spike[i] = t_spike
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
    return overflow, -1, -1
