"""Result dtypes of ops with several operands: PyTorch's type promotion.

The operands fall into three categories, strongest first: tensors and arrays with at least one dimension,
0-d tensors and arrays, and numbers (Python's and NumPy's scalars, such as ``np.sqrt(d)``). The result has
the promoted dtype of the strongest category present (within a category, the highest kind's dtypes
promoted among themselves: int64 with float32 is float32), unless a weaker category holds a higher kind
(bool < integer < floating): then that category decides, numbers taking the default dtype of their kind
(float32 for a float, int64 for an int). So a number never widens a floating tensor (float32 * np.float64(3)
is float32), an integer tensor times a float is float32, and float32 + float64 tensors are float64.
Division and the floating functions (exp, log, sqrt, ...) turn integer tensors into float32.

NumPy 2 alone would differ for NumPy scalars (float32 * np.float64(3) is float64 there), for integers with
floats (float64) and for 0-d arrays (as strong as the others).
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.ops._util import operand

DEFAULT_FLOAT = np.dtype(np.float32)
_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(bool)
_KIND = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _scalar_dtype(x) -> np.dtype | None:
    """The default dtype of a number's kind (bool, int64, float32); None for anything else."""
    if isinstance(x, (bool, np.bool_)):
        return _BOOL
    if isinstance(x, (int, np.integer)):
        return _INT64
    if isinstance(x, (float, np.floating)):
        return DEFAULT_FLOAT
    return None


def result_type(*operands) -> np.dtype | None:
    """The dtype of an op's result on ``operands`` (Tensors, arrays, numbers), by the rules above."""
    groups: tuple[list[np.dtype], list[np.dtype], list[np.dtype]] = ([], [], [])  # dimensioned, 0-d, numbers
    for x in operands:
        data = x.data if isinstance(x, Tensor) else x
        if isinstance(data, np.ndarray):
            groups[0 if data.ndim else 1].append(data.dtype)
        else:
            dtype = _scalar_dtype(data)
            if dtype is not None:
                groups[2].append(dtype)
    result: np.dtype | None = None
    for group in groups:
        if group:
            top = max(_KIND[d.kind] for d in group)  # int64 with float32 is float32 (NumPy: float64)
            dtype = np.result_type(*(d for d in group if _KIND[d.kind] == top))
            if result is None or _KIND[dtype.kind] > _KIND[result.kind]:
                result = dtype
    return result


def _converted(x, dtype: np.dtype):
    if isinstance(x, Tensor):
        current = x.data.dtype
        # widening among floats happens in NumPy's own promotion; a change of kind or a narrowing is a cast
        if current != dtype and (current.kind != dtype.kind or current.itemsize > dtype.itemsize):
            return x.astype(dtype)
        return x
    if isinstance(x, np.ndarray):
        return x if x.dtype == dtype else x.astype(dtype)
    if isinstance(x, np.generic):
        return x.item()  # a Python number: NumPy then keeps the arrays' dtype
    return x


def promote(*operands, floating: bool = False) -> tuple:
    """``operands`` converted so that NumPy computes in ``result_type(*operands)`` (float32 at least for
    integers when ``floating``, as true division does). Constants are converted; a Tensor through the
    differentiable ``astype``."""
    dtype = result_type(*operands)
    if dtype is None:
        return operands
    if floating and dtype.kind in "biu":
        dtype = DEFAULT_FLOAT
    return tuple(_converted(x, dtype) for x in operands)


def binary_op(function, name: str, doc: str, floating: bool = False):
    """The public function of a two-operand ``function``: ``op(a, b)`` applies it to the operands promoted by
    ``promote`` (array-likes such as lists become arrays). The common cases, a float32 or float64 Tensor with a
    Python number or a Tensor of its dtype, go straight through: dtypes compared by identity, one call."""

    def op(a, b):
        if type(a) is Tensor:
            dtype = a.data.dtype
            if dtype is _F32 or dtype is _F64:
                kind = type(b)
                if kind is float or kind is int or (kind is Tensor and b.data.dtype is dtype):
                    return function.apply(a, b)
        elif type(b) is Tensor:
            dtype = b.data.dtype
            if (dtype is _F32 or dtype is _F64) and (type(a) is float or type(a) is int):
                return function.apply(a, b)
        return function.apply(*promote(operand(a), operand(b), floating=floating))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def to_floating(x: Tensor) -> Tensor:
    """``x`` itself if floating, else its values as the default float (integers cannot require grad)."""
    if x.data.dtype.kind == "f":
        return x
    return Tensor._make(x.data.astype(DEFAULT_FLOAT))
