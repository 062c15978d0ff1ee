"""The full-step membrane propagator of conductance-based LIF neurons, shared by the compiled network kernel
(``backend/network.py``) and its NumPy reference (``neurons/simulation.py``), which imports it without Numba."""

from __future__ import annotations

from neuronlab.backend import helper

PADE_MAX = 0.5
"""The full-step propagator e^(-z) is taken as its (4, 4) Padé approximant for z <= PADE_MAX: relative error
about z^9 / 25401600, below 8e-11 up to z = 0.5 and 2e-15 up to z = 0.15 (tested), orders of magnitude below
the scheme's own error per step; a longer step goes through ``partial_step`` with NumPy's exp."""


@helper
def exp_pade(z):
    """(p, q, d) with q / p the (4, 4) Padé approximant of e^(-z) and d = p - q (without cancellation): p, q =
    e +- o, e = 1 + 3 z^2 / 28 + z^4 / 1680, o = (z / 2) (1 + z^2 / 42). Plain arithmetic, so the compiler
    vectorizes the loops that call it (a call to exp would not be); works on arrays and on scalars alike."""
    z2 = z * z
    even = 1.0 + z2 * (3.0 / 28.0 + z2 * (1.0 / 1680.0))
    odd = 0.5 * z * (1.0 + z2 * (1.0 / 42.0))
    return even + odd, even - odd, 2.0 * odd
