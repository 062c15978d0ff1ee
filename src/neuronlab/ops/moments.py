"""The two moments together: ``var_mean`` and ``std_mean`` (PyTorch's names and return order).

Population statistics (ddof=0) by default, as this library's ``var``/``std``; PyTorch's ``correction``
keyword is accepted as an alias of ``ddof``.
"""

from __future__ import annotations

from neuronlab.ops.reduction import mean, std, var


def _ddof(ddof: int, correction) -> int:
    return ddof if correction is None else correction


def var_mean(input, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None, keepdim=None, correction=None):
    """(var(x), mean(x)) over ``axis``."""
    return (
        var(input, axis, keepdims, _ddof(ddof, correction), dim=dim, keepdim=keepdim),
        mean(input, axis, keepdims, dim=dim, keepdim=keepdim),
    )


def std_mean(input, axis=None, keepdims: bool = False, ddof: int = 0, *, dim=None, keepdim=None, correction=None):
    """(std(x), mean(x)) over ``axis``."""
    return (
        std(input, axis, keepdims, _ddof(ddof, correction), dim=dim, keepdim=keepdim),
        mean(input, axis, keepdims, dim=dim, keepdim=keepdim),
    )


__all__ = ["var_mean", "std_mean"]
