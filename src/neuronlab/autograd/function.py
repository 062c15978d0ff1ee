"""Function: the notes' ``Op``, one node of the computational graph.

A subclass writes ``forward`` (ndarrays in, one ndarray out, saving what the derivative needs) and
``backward`` (the gradient with respect to the output in, one gradient per input out) side by side.
``Function.apply`` runs ``forward`` and, when some input requires a gradient and recording is on,
links the output to the Function through ``creator`` (the notes' "yellow line").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from neuronlab.autograd import grad_mode, versioning
from neuronlab.autograd._tensor import Tensor, as_array

_new = object.__new__
_SEQUENCES = (list, tuple)
_write_count = versioning.write_count


class Function:
    """Base class of every differentiable operation.

    **forward(self, \\*inputs, \\*\\*params)** receives the inputs as ndarrays (Tensors unwrapped; other
    arguments as given) and returns one ndarray. It calls ``self.save_for_backward(*arrays)`` with what
    ``backward`` needs: inputs, the output, or values derived from them.

    **backward(self, gy)** receives the gradient of the final scalar with respect to the output and returns
    one gradient per input of ``forward`` (a tuple, or the gradient itself for one input; None for an input
    that needs none: ``self.needs_input_grad`` says which do). A gradient may have the shape the input was
    broadcast to: the engine sums it back to the input's shape (and casts it to the input's dtype).

    **The double-backward contract.** ``backward`` runs in two modes, and the same code serves both:

    - usually (``backward()``, ``autograd.grad``): ``gy`` and ``self.saved`` are ndarrays. The engine
      guarantees it: never a NumPy scalar, even where NumPy arithmetic on 0-d arrays produced one.
    - with ``create_graph=True``: ``gy`` is a Tensor and ``self.saved`` holds Tensors, so the backward
      computation is itself recorded and can be differentiated again. The engine builds that ``saved`` by
      calling ``self.saved_for_graph(inputs, output)``.

    So write ``backward`` with operators, array methods (``.sum``, ``.reshape``, ``.T``, ``.mean``) and
    functions that accept both ndarrays and Tensors (NumPy ufuncs and ``np.where``/``np.broadcast_to`` are
    dispatched to the differentiable ops for Tensors), and never decide the mode from the type of ``gy``.

    ``saved_for_graph`` (by default) matches each saved array by identity: an array that *is* an input's
    data becomes that input Tensor, the output's data the output Tensor, and any other array stays as it is,
    a constant. That is right for masks, indices and random draws, and for values that are the inputs or
    the output themselves. A Function that saves a value *derived* from its inputs (a softmax output it
    computed on the side, x_hat, a slope) must either override ``saved_for_graph`` to return the saved
    tuple recomputed as Tensor expressions of ``inputs``/``output``, or set the class attribute
    ``once_differentiable = True``: its backward then runs on arrays, and a second-order gradient that
    passes through it raises an error naming it (PyTorch's ``@once_differentiable``).
    """

    # Set by apply() on recorded nodes: the inputs (Tensors or constants), which of them require a gradient,
    # the arrays saved for backward, and the in-place write count at recording time (see versioning.py).
    inputs: tuple
    needs_input_grad: list
    saved: tuple = ()
    write_count: int
    once_differentiable: bool = False

    if TYPE_CHECKING:
        # Every subclass defines forward (see the class docstring); declared for type checkers.
        def forward(self, *args: Any, **kwargs: Any) -> Any: ...

    def save_for_backward(self, *arrays) -> None:
        self.saved = arrays

    def saved_for_graph(self, inputs: tuple, output: Tensor) -> tuple:
        """``self.saved`` as graph values, for a backward with ``create_graph=True``.

        ``inputs`` are the Function's inputs (Tensors, or the constants passed), ``output`` its output Tensor.
        The default swaps each saved array that is an input's or the output's data for that Tensor and keeps
        every other array as a constant; override it when a saved value is derived from the inputs.
        """
        tensors = {id(x.data): x for x in inputs if isinstance(x, Tensor)}
        tensors[id(output.data)] = output
        return tuple(tensors.get(id(a), a) for a in self.saved)

    @classmethod
    def apply(cls, *inputs, **params) -> Tensor:
        """Evaluate the operation on Tensors (or constants) and record it in the graph when needed."""
        fn = _new(cls)
        arrays, needs = [], []
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x.data)
                needs.append(x.requires_grad)
            else:
                arrays.append(as_array(x) if type(x) in _SEQUENCES else x)
                needs.append(False)
        try:
            y = fn.forward(*arrays, **params)
        except (ValueError, IndexError) as error:
            shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in arrays)
            kind = IndexError if isinstance(error, IndexError) else ValueError  # numpy's AxisError is both
            raise kind(f"{cls.__name__}: {error} (input shapes: {shapes})") from None
        if type(y) is not np.ndarray:  # NumPy returns scalars for 0-d results; keep every value an ndarray
            scalar, y = y, np.asarray(y)
            fn.saved = tuple(y if a is scalar else a for a in fn.saved)
        if y.ndim == 0 and fn.saved:  # values derived from 0-d inputs may be NumPy scalars too
            fn.saved = tuple(np.asarray(a) if isinstance(a, np.generic) else a for a in fn.saved)
        out = _new(Tensor)
        out.data = y
        out.grad = None
        out._versions = 0
        out._hooks = None
        if grad_mode._enabled[0] and True in needs:
            fn.inputs = inputs
            fn.needs_input_grad = needs
            fn.write_count = _write_count[0]
            out.requires_grad = True
            out.creator = fn
        else:
            out.requires_grad = False
            out.creator = None
        return out

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class OnceDifferentiableBackward(Function):
    """The gradient a ``once_differentiable`` Function returned under ``create_graph=True``: its value is
    right, but it cannot be differentiated again; a backward pass that reaches it raises (PyTorch's
    DelayedError). Its inputs are the graph values the gradient depends on, so that the pass reaches it."""

    def forward(self, gx, *graph_inputs, name):
        self.name = name
        return gx

    def backward(self, gy):
        raise RuntimeError(
            f"{self.name} is once_differentiable: its backward is computed on arrays and is not itself "
            "differentiable, so a second derivative through it is not available. Override "
            f"{self.name}.saved_for_graph to recompute its saved values from the inputs instead."
        )
