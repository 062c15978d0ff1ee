"""Function: the notes' ``Op``, one node of the computational graph.

A subclass writes ``forward`` (ndarrays in, one ndarray out, saving what the derivative needs) and
``backward`` (the gradient with respect to the output in, one gradient per input out) side by side.
``Function.apply`` runs ``forward`` and, when some input requires a gradient and recording is on,
links the output to the Function through ``creator`` (the notes' "yellow line").

``backward`` is written with operators, array methods (``.sum``, ``.reshape``, ``.T``) and NumPy ufuncs
only, so the same code runs on ndarrays (the fast, usual case) and on Tensors: with
``backward(create_graph=True)`` the engine hands it Tensors and the backward pass is itself recorded,
which gives second derivatives.
"""
from __future__ import annotations

import numpy as np

from neuronlab.autograd import grad_mode, versioning
from neuronlab.autograd.tensor import Tensor, as_array

_new = object.__new__
_SEQUENCES = (list, tuple)
_write_epoch = versioning.epoch


class Function:
    """Base class of every differentiable operation."""

    # Set by apply() on recorded nodes: the inputs (Tensors or constants), which of them require a gradient,
    # the arrays saved for backward, and the in-place-write epoch at recording time (see versioning.py).
    inputs: tuple
    needs_input_grad: list
    saved: tuple = ()
    epoch: int

    def save_for_backward(self, *arrays) -> None:
        self.saved = arrays

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
        except ValueError as error:
            shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in arrays)
            raise ValueError(f"{cls.__name__}: {error} (input shapes: {shapes})") from None
        if type(y) is not np.ndarray:  # NumPy returns scalars for 0-d results; keep every value an ndarray
            scalar, y = y, np.asarray(y)
            fn.saved = tuple(y if a is scalar else a for a in fn.saved)
        out = _new(Tensor)
        out.data = y
        out.grad = None
        out._versions = 0
        out._hooks = None
        if grad_mode._enabled[0] and True in needs:
            fn.inputs = inputs
            fn.needs_input_grad = needs
            fn.epoch = _write_epoch[0]
            out.requires_grad = True
            out.creator = fn
        else:
            out.requires_grad = False
            out.creator = None
        return out

    def saved_as_tensors(self, output: Tensor | None) -> tuple:
        """The saved arrays as graph-connected Tensors (inputs and output by identity, others as constants)."""
        result = []
        for a in self.saved:
            match = None
            if output is not None and a is output.data:
                match = output
            else:
                for x in self.inputs:
                    if isinstance(x, Tensor) and a is x.data:
                        match = x
                        break
            if match is None:
                match = Tensor._make(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            result.append(match)
        return tuple(result)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
