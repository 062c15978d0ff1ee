"""Numba compilation of the Hodgkin-Huxley loop ``hodgkin_huxley._integrate``.

The equations live once, in ``hodgkin_huxley.py``, as plain NumPy functions that work on scalars and arrays;
registering them as jitable lets the compiled loop call them, and compiling ``_integrate`` from that module
keys Numba's on-disk cache to that file, so editing the equations recompiles. The one exception is the
removable singularity x / (1 - exp(-x / scale)), which NumPy handles with ``np.where`` over arrays and the
compiled loop with a branch (``np.where`` on scalars would allocate an array per call).
"""
from __future__ import annotations

import numpy as np
from numba import njit
from numba.extending import overload, register_jitable

from neuronlab.neurons import hodgkin_huxley as hh


@overload(hh._linear_over_exp)
def _linear_over_exp_scalar(x, scale):
    def impl(x, scale):
        z = x / scale
        if abs(z) < 1e-6:
            return scale * (1.0 + 0.5 * z)
        return x / -np.expm1(-z)

    return impl


for _equation in (hh.gate_rates, hh.derivatives):
    register_jitable(_equation)

integrate = njit(cache=True, nogil=True)(hh._integrate)
