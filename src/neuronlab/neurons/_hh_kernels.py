"""Numba compilation of the Hodgkin-Huxley loop ``hodgkin_huxley._integrate``.

The equations live once, in ``hodgkin_huxley.py``, as plain NumPy functions that work on scalars and arrays;
registering them as jitable lets the compiled loop call them, and compiling ``_integrate`` from that module
keys Numba's on-disk cache to that file, so editing the equations recompiles.
"""
from __future__ import annotations

from numba import njit
from numba.extending import register_jitable

from neuronlab.neurons import hodgkin_huxley as hh

for _equation in (hh._linear_over_exp, hh.gate_rates, hh.derivatives):
    register_jitable(_equation)

integrate = njit(cache=True, nogil=True)(hh._integrate)
