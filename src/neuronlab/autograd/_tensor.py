"""Tensor: a NumPy array that remembers how it was made.

The notes' ``Var``: ``data`` is the value, ``grad`` the derivative of the final scalar with respect to it,
``creator`` the Function (the notes' ``Op``) that produced it, or None for a leaf. Operators and methods
(``x + y``, ``x.exp()``) are attached in :mod:`neuronlab.ops.methods`; this file holds only the state
and the behaviour that is not an operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from neuronlab.autograd import grad_mode, versioning

_FLOAT_TYPES = (np.float16, np.float32, np.float64)


def as_array(data, dtype=None) -> np.ndarray:
    """Convert ``data`` to an ndarray: Python floats become float32, NumPy arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        return data if dtype is None else data.astype(dtype, copy=False)
    array = np.asarray(data, dtype=dtype)
    if dtype is None and array.dtype == np.float64 and not isinstance(data, np.floating):
        array = array.astype(np.float32)
    return array


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    ``Tensor(data)`` wraps ``data`` (an ndarray is used as is, without a copy); ``neuronlab.tensor(data)`` copies.
    Floating Python data defaults to float32; float64 arrays stay float64.
    """

    __slots__ = ("data", "grad", "requires_grad", "creator", "_versions", "_hooks", "__weakref__")
    __array_priority__ = 1000.0

    # Slot types, for type checkers.
    data: np.ndarray
    grad: Any
    requires_grad: bool
    creator: Any
    _versions: int
    _hooks: list[Any] | None

    if TYPE_CHECKING:
        # Operators and array methods are installed at import time by neuronlab.ops.methods.attach().
        def __getattr__(self, name: str) -> Any: ...
        def __getitem__(self, key: Any) -> Any: ...
        def __add__(self, other: Any) -> Any: ...
        def __radd__(self, other: Any) -> Any: ...
        def __sub__(self, other: Any) -> Any: ...
        def __rsub__(self, other: Any) -> Any: ...
        def __mul__(self, other: Any) -> Any: ...
        def __rmul__(self, other: Any) -> Any: ...
        def __truediv__(self, other: Any) -> Any: ...
        def __rtruediv__(self, other: Any) -> Any: ...
        def __pow__(self, other: Any) -> Any: ...
        def __rpow__(self, other: Any) -> Any: ...
        def __matmul__(self, other: Any) -> Any: ...
        def __rmatmul__(self, other: Any) -> Any: ...
        def __neg__(self) -> Any: ...
        def __pos__(self) -> Any: ...
        def __abs__(self) -> Any: ...

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        self.data = as_array(data, dtype)
        self.grad = None
        self.creator = None
        self._versions = 0
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False, creator=None) -> Tensor:
        """Fast constructor for the engine: no conversion, no checks."""
        t = object.__new__(Tensor)
        t.data = data
        t.grad = None
        t.requires_grad = requires_grad
        t.creator = creator
        t._versions = 0
        t._hooks = None
        return t

    # ------------------------------------------------------------------ array-like attributes
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements (NumPy's meaning; ``numel()`` is the PyTorch spelling)."""
        return self.data.size

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        """The sub-tensors along the first axis, ``self[0], self[1], ...`` (differentiable, as PyTorch's)."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors can be converted to a Python number, got shape {self.shape}"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    # Hashed by identity (== is elementwise); object's own hash, which runs in C: tensors key the engine's tables
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.data.dtype != np.float32:
            extras.append(f"dtype={self.data.dtype}")
        if self.creator is not None:
            extras.append(f"creator=<{type(self.creator).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ------------------------------------------------------------------ autograd state
    @property
    def _version(self) -> int:
        """How many times this tensor was modified in place (as PyTorch's ``_version``)."""
        return self._versions

    @_version.setter
    def _version(self, value: int) -> None:
        # Code that writes ``tensor.data`` in place bumps the version; the write is logged so a graph that
        # saved this array (or a view of it) refuses to backpropagate through stale values.
        self._versions = value
        versioning.mark_modified(self.data)

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (no creator); only leaves receive ``.grad`` by default."""
        return self.creator is None

    @property
    def grad_fn(self):
        """PyTorch's name for ``creator``."""
        return self.creator

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self.data.dtype.type not in _FLOAT_TYPES:
            raise TypeError(f"only floating-point tensors can require gradients, got dtype {self.data.dtype}")
        if not requires_grad and self.creator is not None:
            raise RuntimeError("requires_grad_(False) is only allowed on leaf tensors; use detach() instead")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        return Tensor._make(self.data)

    def register_hook(self, hook) -> None:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a non-None return replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on a non-leaf tensor too (leaves always keep theirs)."""
        if self.creator is None:
            return

        def store(grad):
            self.grad = grad if self.grad is None else self.grad + grad

        self.register_hook(store)

    def backward(self, grad=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Backpropagate from this tensor: accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``retain_graph`` defaults to ``create_graph``, as in PyTorch: a graph built for second derivatives
        is kept so that it can be differentiated."""
        from neuronlab.autograd.engine import backward

        backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    # ------------------------------------------------------------------ in-place updates
    def _check_inplace(self, what: str) -> None:
        if self.requires_grad and grad_mode._enabled[0]:
            if self.creator is None:
                raise RuntimeError(
                    f"{what}: a leaf tensor that requires grad cannot be modified in place while the graph is "
                    "recorded; do it inside `with neuronlab.no_grad():`"
                )
            raise RuntimeError(
                f"{what}: in-place modification of a tensor that is part of a recorded graph is not supported; "
                "use the out-of-place operation"
            )

    @staticmethod
    def _check_written_value(what: str, value) -> None:
        if isinstance(value, Tensor) and value.requires_grad and grad_mode._enabled[0]:
            raise RuntimeError(
                f"{what}: the value requires grad, and writing it into another tensor in place would cut it out "
                "of the graph; use the out-of-place operation (or neuronlab.where / concatenate / stack)"
            )

    def _inplace(self, what: str, ufunc, other) -> Tensor:
        self._check_inplace(what)
        self._check_written_value(what, other)
        ufunc(self.data, as_array(other), out=self.data, casting="same_kind")
        self._version += 1
        return self

    def add_(self, other) -> Tensor:
        return self._inplace("add_", np.add, other)

    def sub_(self, other) -> Tensor:
        return self._inplace("sub_", np.subtract, other)

    def mul_(self, other) -> Tensor:
        return self._inplace("mul_", np.multiply, other)

    def div_(self, other) -> Tensor:
        return self._inplace("div_", np.true_divide, other)

    def copy_(self, source) -> Tensor:
        self._check_inplace("copy_")
        source = as_array(source)
        if source.shape != self.shape and np.broadcast_shapes(source.shape, self.shape) != self.shape:
            raise ValueError(f"copy_: cannot copy shape {source.shape} into shape {self.shape}")
        np.copyto(self.data, source, casting="same_kind")
        self._version += 1
        return self

    def fill_(self, value) -> Tensor:
        self._check_inplace("fill_")
        self.data.fill(value)
        self._version += 1
        return self

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def clamp_(self, min=None, max=None) -> Tensor:
        self._check_inplace("clamp_")
        np.clip(self.data, min, max, out=self.data)
        self._version += 1
        return self

    def __setitem__(self, index, value) -> None:
        self._check_inplace("__setitem__")
        self._check_written_value("__setitem__", value)
        if isinstance(index, Tensor):
            index = index.data
        self.data[index] = as_array(value)
        self._version += 1

    def _augmented(self, what, ufunc, out_of_place, other):
        # x += y: in place when the graph being recorded runs through neither x nor y, otherwise x = x + y (a new
        # node); a leaf that requires grad is refused by _inplace, as in PyTorch.
        leaf_with_grad = self.requires_grad and self.creator is None
        if (
            grad_mode._enabled[0]
            and not leaf_with_grad
            and (self.requires_grad or (isinstance(other, Tensor) and other.requires_grad))
        ):
            return out_of_place(self, other)
        return self._inplace(what, ufunc, other)

    def __iadd__(self, other):
        return self._augmented("+=", np.add, type(self).__add__, other)

    def __isub__(self, other):
        return self._augmented("-=", np.subtract, type(self).__sub__, other)

    def __imul__(self, other):
        return self._augmented("*=", np.multiply, type(self).__mul__, other)

    def __itruediv__(self, other):
        return self._augmented("/=", np.true_divide, type(self).__truediv__, other)


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """Create a leaf tensor holding a copy of ``data`` (floats default to float32, as in PyTorch)."""
    array = np.array(as_array(data, dtype), copy=True)
    return Tensor(array, requires_grad=requires_grad)
