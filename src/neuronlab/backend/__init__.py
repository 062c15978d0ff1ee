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

``kernel(parallel=True)`` compiles with ``prange`` support (without it ``prange`` runs as ``range``, so one
function can serve as both a serial and a parallel kernel); :func:`threads` runs the enclosed parallel calls
on a given number of threads. A kernel split into named steps calls plain functions marked with :func:`helper`
(inlined into the kernel when compiled, so a step costs no call); ``helper(compiled=f)`` makes kernels call
``f`` instead, for a NumPy function whose array form does not suit scalar code.
"""

from __future__ import annotations

import importlib.util
import types
from contextlib import contextmanager

__all__ = ["Kernel", "kernel", "helper", "available", "threads", "max_threads"]

_HELPERS: list = []  # (function, compiled stand-in or None, inline) to register with Numba before compiling


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

            _register_helpers()
            func = _parallel_twin(self.func) if self.parallel else self.func
            self.compiled = numba.njit(cache=True, nogil=True, error_model="numpy", parallel=self.parallel)(func)
        return self.compiled(*args)

    def __repr__(self) -> str:
        return f"<kernel {self.func.__module__}.{self.func.__qualname__}>"


def _parallel_twin(func):
    """``func`` under its own qualified name, so that Numba's disk cache (keyed by name) keeps a parallel build
    of a function apart from its serial one (``kernel(f)`` and ``kernel(parallel=True)(f)`` may share ``f``)."""
    twin = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
    twin.__qualname__ = f"{func.__qualname__}_parallel"
    twin.__module__ = func.__module__
    return twin


def kernel(func=None, *, parallel: bool = False):
    """Decorator: compile ``func`` lazily with Numba (``@kernel`` or ``@kernel(parallel=True)``)."""
    if func is None:
        return lambda f: Kernel(f, parallel=parallel)
    return Kernel(func, parallel=parallel)


def helper(func=None, *, compiled=None, inline: bool = True):
    """Decorator: let kernels call the plain function ``func`` (``@helper`` or ``@helper(compiled=f)``).

    Numba compiles it into each kernel that calls it, inlined by default (a named step of a kernel then costs
    nothing over writing its body in place). With ``compiled=f`` the kernels call ``f`` (same arguments) instead;
    ``func`` itself stays the NumPy version that Python code calls.
    """

    def register(f):
        _HELPERS.append((f, compiled, inline))
        return f

    return register if func is None else register(func)


def _register_helpers() -> None:
    """Make every :func:`helper` known to Numba (once each)."""
    from numba.extending import overload

    while _HELPERS:
        func, compiled, inline = _HELPERS.pop()
        impl = func if compiled is None else compiled
        overload(func, inline="always" if inline else "never", strict=False)(lambda *args, impl=impl: impl)


def max_threads() -> int:
    """The size of Numba's thread pool (the most threads a parallel kernel can use)."""
    from numba import config

    return config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]  # numba sets its config attributes at runtime


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
