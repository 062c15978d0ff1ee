"""Operators and methods of Tensor, each delegating to the op function of the same name.

Also the NumPy protocols: ``np.exp(t)``, ``ndarray + t`` and ``np.sum(t, axis=0)`` dispatch to the
differentiable ops (which is what lets one ``backward`` formula run on arrays and on Tensors);
NumPy functions without a differentiable counterpart run on the data and return plain arrays.
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.ops import arithmetic as ar
from neuronlab.ops import elementwise as el
from neuronlab.ops import indexing, linalg, reduction, shape, softmax


def _reflected(op):
    def method(self, other):
        return op(other, self)

    method.__name__ = f"r{op.__name__}"
    return method


def _comparison(ufunc):
    def method(self, other):
        return ufunc(self.data, getattr(other, "data", other))

    return method


METHODS = {
    "__add__": ar.add,
    "__radd__": _reflected(ar.add),
    "__sub__": ar.sub,
    "__rsub__": _reflected(ar.sub),
    "__mul__": ar.mul,
    "__rmul__": _reflected(ar.mul),
    "__truediv__": ar.div,
    "__rtruediv__": _reflected(ar.div),
    "__pow__": ar.pow,
    "__rpow__": _reflected(ar.pow),
    "__matmul__": linalg.matmul,
    "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": ar.neg,
    "__pos__": lambda self: self,
    "__abs__": el.abs,
    "__getitem__": indexing.getitem,
    "__lt__": _comparison(np.less),
    "__le__": _comparison(np.less_equal),
    "__gt__": _comparison(np.greater),
    "__ge__": _comparison(np.greater_equal),
    "__eq__": _comparison(np.equal),
    "__ne__": _comparison(np.not_equal),
    "add": ar.add,
    "sub": ar.sub,
    "mul": ar.mul,
    "div": ar.div,
    "neg": ar.neg,
    "pow": ar.pow,
    "astype": ar.astype,
    "matmul": linalg.matmul,
    "exp": el.exp,
    "log": el.log,
    "sqrt": el.sqrt,
    "abs": el.abs,
    "sin": el.sin,
    "cos": el.cos,
    "tanh": el.tanh,
    "sigmoid": el.sigmoid,
    "relu": el.relu,
    "leaky_relu": el.leaky_relu,
    "where": lambda self, condition, other: el.where(condition, self, other),
    "maximum": el.maximum,
    "minimum": el.minimum,
    "clip": el.clip,
    "clamp": el.clip,
    "sum": reduction.sum,
    "mean": reduction.mean,
    "max": reduction.max,
    "min": reduction.min,
    "var": reduction.var,
    "std": reduction.std,
    "argmax": reduction.argmax,
    "argmin": reduction.argmin,
    "reshape": shape.reshape,
    "view": shape.reshape,
    "transpose": shape.transpose,
    "permute": shape.permute,
    "swapaxes": shape.swapaxes,
    "squeeze": shape.squeeze,
    "unsqueeze": shape.unsqueeze,
    "flatten": shape.flatten,
    "broadcast_to": shape.broadcast_to,
    "pad": shape.pad,
    "logsumexp": softmax.logsumexp,
    "softmax": softmax.softmax,
    "log_softmax": softmax.log_softmax,
}

UFUNCS = {
    np.add: ar.add,
    np.subtract: ar.sub,
    np.multiply: ar.mul,
    np.true_divide: ar.div,
    np.negative: ar.neg,
    np.power: ar.pow,
    np.matmul: linalg.matmul,
    np.exp: el.exp,
    np.log: el.log,
    np.sqrt: el.sqrt,
    np.absolute: el.abs,
    np.sin: el.sin,
    np.cos: el.cos,
    np.tanh: el.tanh,
    np.maximum: el.maximum,
    np.minimum: el.minimum,
}

ARRAY_FUNCTIONS = {
    np.sum: reduction.sum,
    np.mean: reduction.mean,
    np.max: reduction.max,
    np.min: reduction.min,
    np.amax: reduction.max,
    np.amin: reduction.min,
    np.var: reduction.var,
    np.std: reduction.std,
    np.reshape: shape.reshape,
    np.transpose: shape.transpose,
    np.swapaxes: shape.swapaxes,
    np.squeeze: shape.squeeze,
    np.expand_dims: shape.unsqueeze,
    np.broadcast_to: shape.broadcast_to,
    np.concatenate: shape.concatenate,
    np.stack: shape.stack,
    np.pad: shape.pad,
    np.where: el.where,
    np.clip: el.clip,
}


# Breadth ops (issue 10): Tensor methods and NumPy dispatch for the ops of factory.py ... contraction.py
from neuronlab.ops import comparison, contraction, gather_scatter, logical, moments, rearrange, scan, sorting  # noqa: E402
from neuronlab.ops import math as elementary  # noqa: E402


def _flattened(op):
    """NumPy's axis=None (flatten first) for the ops that, like PyTorch's, need one dim."""

    def apply(a, axis=None):
        return op(a.reshape(-1), 0) if axis is None else op(a, axis)

    return apply


METHODS.update(
    {
        "__mod__": elementary.remainder,
        "__rmod__": _reflected(elementary.remainder),
        "__floordiv__": elementary.floor_divide,
        "__rfloordiv__": _reflected(elementary.floor_divide),
        **{name: getattr(elementary, name) for name in elementary.__all__},
        **{name: getattr(comparison, name) for name in ("isnan", "isinf", "isfinite", "isclose", "allclose")},
        **{name: getattr(scan, name) for name in ("prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp")},
        **{name: getattr(sorting, name) for name in ("sort", "argsort", "topk", "median")},
        "any": logical.any,
        "all": logical.all,
        "var_mean": moments.var_mean,
        "std_mean": moments.std_mean,
        **{
            name: getattr(gather_scatter, name)
            for name in ("gather", "scatter", "scatter_add", "index_select", "masked_fill", "masked_select", "nonzero")
        },
        # every rearrangement but meshgrid, a function of several tensors (as in PyTorch)
        **{name: getattr(rearrange, name) for name in rearrange.__all__ if name != "meshgrid"},
        "outer": contraction.outer,
        "bmm": contraction.bmm,
    }
)

UFUNCS.update(
    {
        np.tan: elementary.tan,
        np.arcsin: elementary.asin,
        np.arccos: elementary.acos,
        np.arctan: elementary.atan,
        np.arctan2: elementary.atan2,
        np.sinh: elementary.sinh,
        np.cosh: elementary.cosh,
        np.arcsinh: elementary.asinh,
        np.arccosh: elementary.acosh,
        np.arctanh: elementary.atanh,
        np.exp2: elementary.exp2,
        np.expm1: elementary.expm1,
        np.log2: elementary.log2,
        np.log10: elementary.log10,
        np.log1p: elementary.log1p,
        np.sign: elementary.sign,
        np.floor: elementary.floor,
        np.ceil: elementary.ceil,
        np.trunc: elementary.trunc,
        np.fmod: elementary.fmod,
        np.remainder: elementary.remainder,
        np.logaddexp: elementary.logaddexp,
    }
)

ARRAY_FUNCTIONS.update(
    {
        np.cumsum: _flattened(scan.cumsum),
        np.cumprod: _flattened(scan.cumprod),
        np.prod: lambda a, axis=None, keepdims=False: scan.prod(a, axis, keepdims),
        np.flip: lambda m, axis=None: rearrange.flip(m, range(m.ndim) if axis is None else axis),
        np.roll: lambda a, shift, axis=None: rearrange.roll(a, shift, axis),
        np.tril: lambda m, k=0: rearrange.tril(m, k),
        np.triu: lambda m, k=0: rearrange.triu(m, k),
        np.moveaxis: rearrange.movedim,
        np.einsum: contraction.einsum,
        np.outer: contraction.outer,
        np.take_along_axis: lambda arr, indices, axis: gather_scatter.gather(arr, axis, indices),
        np.round: lambda a, decimals=0: elementary.round(a, decimals=decimals),
    }
)


def _plain(value):
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
    op = UFUNCS.get(ufunc)
    if method == "__call__" and op is not None and not kwargs:
        return op(*inputs)
    if "out" in kwargs:
        return NotImplemented
    return getattr(ufunc, method)(*_plain(inputs), **kwargs)


def __array_function__(self, func, types, args, kwargs):
    op = ARRAY_FUNCTIONS.get(func)
    if op is not None:
        try:
            return op(*args, **kwargs)
        except TypeError:
            pass  # a NumPy-only keyword (dtype=, out=, ...): fall back to the plain computation
    return func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})


def _transpose_property(self):
    return shape.transpose(self)


def _matrix_transpose_property(self):
    return shape.matrix_transpose(self)


def attach() -> None:
    """Install the operators and methods on Tensor (called once, on import of neuronlab.ops)."""
    for name, function in METHODS.items():
        setattr(Tensor, name, function)
    # setattr: these are installed on the class at runtime, Tensor's class body does not declare them
    setattr(Tensor, "__array_ufunc__", __array_ufunc__)  # noqa: B010
    setattr(Tensor, "__array_function__", __array_function__)  # noqa: B010
    setattr(  # noqa: B010
        Tensor,
        "T",
        property(_transpose_property, doc="The axes reversed (NumPy's ``.T``; for a matrix, its transpose)."),
    )
    setattr(  # noqa: B010
        Tensor,
        "mT",
        property(_matrix_transpose_property, doc="The last two axes swapped (a batch of matrices transposed)."),
    )
