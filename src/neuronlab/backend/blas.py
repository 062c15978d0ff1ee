"""BLAS threads: which matrix products are worth OpenBLAS's threads, and regions that run BLAS on one thread.

OpenBLAS splits every product of more than 2^18 multiply-adds over its threads, and after each one its threads
keep spinning for up to about 0.1 s, waiting for the next, each holding a core. Below a few million
multiply-adds the split saves little or nothing (a 64x400 by 400x120 product: 71 µs on one thread, 65 µs on two,
on the 2-core VM of ``benchmarks/``), while the spinning threads take the cores that neuronlab's own parallel
loops need (the batch chunks of a convolution, Numba's ``prange``), which then run at half speed. So a product
under ``SMALL`` multiply-adds runs on one BLAS thread (:func:`for_product`), as does every region that
parallelises above BLAS (:func:`one_thread`). Larger products keep all of BLAS's threads.

    with blas.for_product(m * k * n):
        y = a @ b
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Any

__all__ = ["SMALL", "for_product", "one_thread", "max_threads"]

SPLIT = 1 << 18
"""OpenBLAS's own threshold: products of fewer multiply-adds run on one thread anyway."""
SMALL = 1 << 22
"""Products of fewer multiply-adds (about 4M) run on one BLAS thread."""

_libraries: list[Any] | None = None  # threadpoolctl's controllers of the loaded BLAS libraries, made on first use


def _blas() -> list[Any]:
    global _libraries
    if _libraries is None:
        from threadpoolctl import ThreadpoolController

        _libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    return _libraries


def max_threads() -> int:
    """The most threads a BLAS library may use now (threadpoolctl's limit, or the library's default)."""
    return max((lib.get_num_threads() or 1 for lib in _blas()), default=1)


@contextmanager
def one_thread():
    """Run the enclosed BLAS calls on one thread (the libraries' settings are restored after)."""
    changed = [(lib, count) for lib in _blas() if (count := lib.get_num_threads() or 1) > 1]
    for lib, _ in changed:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, count in changed:
            lib.set_num_threads(count)


def for_product(multiply_adds: int):
    """A context for one product of ``multiply_adds`` (m k n): :func:`one_thread` when it is large enough for
    OpenBLAS to split but under ``SMALL``, else nothing."""
    return one_thread() if SPLIT <= multiply_adds < SMALL else nullcontext()
