"""Tensor contractions: einsum, outer, bmm.

The gradient of an einsum with respect to one operand is itself an einsum: the output gradient contracted
with the other operands, written to that operand's subscripts. Two cases need a constant factor: a letter
repeated within the operand (a diagonal, as in 'ii->i') is written through an identity matrix, and a letter
summed away in that operand only (as j in 'ij->i') is broadcast back with a vector of ones.
"""

from __future__ import annotations

import string

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import to_tensor
from neuronlab.ops.linalg import matmul


def _explicit(equation: str, ndims: list) -> tuple[list, str]:
    """The subscripts of each operand and of the output, with '...' replaced by letters and the implicit output
    (the letters seen once, in alphabetical order) made explicit."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: the equation {equation!r} has {len(terms)} operands but {len(ndims)} were given")
    unused = [c for c in string.ascii_letters if c not in equation]
    ellipsis_ndim = max((n - len(t.replace("...", "")) for t, n in zip(terms, ndims) if "..." in t), default=0)
    batch = "".join(unused[:ellipsis_ndim])
    expanded = []
    for term, n in zip(terms, ndims):
        if "..." in term:
            width = n - len(term.replace("...", ""))
            term = term.replace("...", batch[len(batch) - width :] if width else "")
        if len(term) != n:
            raise ValueError(f"einsum: subscripts {term!r} for an operand with {n} dimensions")
        expanded.append(term)
    if arrow:
        output = output.replace("...", batch)
    else:
        letters = "".join(expanded)
        output = batch + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in batch))
    return expanded, output


class Einsum(Function):
    """y = einsum(subscripts, x_1, ..., x_n).  dx_k = einsum(out, others -> subscripts_k)(dy, x_j for j != k)."""

    def forward(self, *operands, terms, output):
        self.terms, self.output = terms, output
        self.save_for_backward(*operands)
        return np.einsum(",".join(terms) + "->" + output, *operands)

    def backward(self, gy):
        operands = self.saved
        sizes = {c: n for term, x in zip(self.terms, operands) for c, n in zip(term, x.shape) if n != 1}
        grads = []
        for k, (term, need) in enumerate(zip(self.terms, self.needs_input_grad)):
            if not need:
                grads.append(None)
                continue
            subscripts, factors = [self.output], [gy]
            for j, (other, x) in enumerate(zip(self.terms, operands)):
                if j != k:
                    subscripts.append(other)
                    factors.append(x)
            available = set("".join(subscripts))
            target, fresh = "", (c for c in string.ascii_letters if c not in "".join(self.terms) + self.output)
            for c in term:
                if c in target:  # a repeated letter: a diagonal, written through the identity
                    twin = next(fresh)
                    subscripts.append(c + twin)
                    factors.append(np.eye(sizes.get(c, 1), dtype=gy.dtype))
                    c = twin
                elif c not in available:  # summed away in this operand only: broadcast back
                    subscripts.append(c)
                    factors.append(np.ones(sizes.get(c, 1), dtype=gy.dtype))
                    available.add(c)
                target += c
            grads.append(np.einsum(",".join(subscripts) + "->" + target, *factors))
        return tuple(grads)


def einsum(equation: str, *operands):
    """Einstein summation, as ``torch.einsum``/``numpy.einsum``: ``einsum('ij,jk->ik', a, b)`` is a @ b.
    Operands may also be passed as one list; '...' stands for broadcast leading dims."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [to_tensor(x) for x in operands]
    terms, output = _explicit(equation, [x.ndim for x in tensors])
    return Einsum.apply(*tensors, terms=terms, output=output)


def outer(input, vec2):
    """The outer product of two vectors: y_ij = a_i b_j (``ger`` is the BLAS name)."""
    a, b = to_tensor(input), to_tensor(vec2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: both inputs must be 1-D, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


def bmm(input, mat2):
    """Batched matrix product of (b, n, m) and (b, m, p) tensors (no broadcasting, as PyTorch's bmm)."""
    a, b = to_tensor(input), to_tensor(mat2)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: expected shapes (b, n, m) and (b, m, p), got {a.shape} and {b.shape}")
    return matmul(a, b)


ger = outer

__all__ = ["einsum", "outer", "ger", "bmm"]
