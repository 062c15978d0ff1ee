"""Compiled kernels: the one convention every Numba-compiled loop in neuronlab follows.

Each hot loop is first written as plain, readable NumPy (the reference, the code the docstrings describe);
where a profile shows that a per-element loop wins, the same arithmetic is written as a plain Python function
in a module of this package and decorated with :func:`kernel`. The decorator compiles on the first call (so
``import neuronlab`` never imports Numba), caches the machine code on disk (a second run does not recompile),
releases the GIL, and follows NumPy's floating-point error model. Tests check every kernel equal to its
NumPy reference.

    from neuronlab.backend import kernel

    @kernel
    def axpy(a, x, y):            # y <- a x + y, element by element
        for i in range(x.size):
            y[i] += a * x[i]

``kernel(parallel=True)`` compiles with ``prange`` support; :func:`threads` runs the enclosed parallel calls
on a given number of threads.
"""
from __future__ import annotations

import importlib.util
from contextlib import contextmanager

__all__ = ["Kernel", "kernel", "available", "threads", "max_threads"]


def available() -> bool:
    """Whether Numba can be imported (the compiled kernels are used only then)."""
    return importlib.util.find_spec("numba") is not None


class Kernel:
    """A plain Python function compiled by ``numba.njit`` on its first call and cached on disk."""

    def __init__(self, func, parallel: bool = False) -> None:
        self.func = func
        self.parallel = parallel
        self.compiled = None
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__
        self.__wrapped__ = func

    def __call__(self, *args):
        if self.compiled is None:
            import numba  # imported on first use, so that `import neuronlab` does not pay for it
            self.compiled = numba.njit(cache=True, nogil=True, error_model="numpy",
                                       parallel=self.parallel)(self.func)
        return self.compiled(*args)

    def __repr__(self) -> str:
        return f"<kernel {self.func.__module__}.{self.func.__qualname__}>"


def kernel(func=None, *, parallel: bool = False):
    """Decorator: compile ``func`` lazily with Numba (``@kernel`` or ``@kernel(parallel=True)``)."""
    if func is None:
        return lambda f: Kernel(f, parallel=parallel)
    return Kernel(func, parallel=parallel)


def max_threads() -> int:
    """The size of Numba's thread pool (the most threads a parallel kernel can use)."""
    from numba import config

    return config.NUMBA_NUM_THREADS


@contextmanager
def threads(count: int | None):
    """Run the enclosed parallel kernel calls on ``count`` threads (None: leave the current setting)."""
    if count is None:
        yield
        return
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        yield
    finally:
        numba.set_num_threads(previous)
