"""Embedding lookup: rows of a weight matrix picked by integer indices."""

from __future__ import annotations

import numpy as np

from neuronlab.autograd._tensor import Tensor, as_array
from neuronlab.autograd.function import Function
from neuronlab.ops.indexing import index_add


class EmbeddingLookup(Function):
    """y = W[idx] (one row of W per index).  dW = zeros with dy[k] added to row idx[k] (repeated indices
    accumulate); the row ``padding_idx`` receives no gradient.

    The backward is a scatter-add, which has no Tensor form here: ``once_differentiable``.
    """

    once_differentiable = True

    def forward(self, weight, indices, padding_idx):
        self.indices, self.num_embeddings, self.padding_idx = indices, weight.shape[0], padding_idx
        return weight[indices]

    def backward(self, gy):
        gw = np.zeros((self.num_embeddings, gy.shape[-1]), dtype=gy.dtype)
        index_add(gw, self.indices.reshape(-1), gy.reshape(-1, gy.shape[-1]))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw


def embedding(input, weight, padding_idx: int | None = None):
    """Rows of ``weight`` (num_embeddings, embedding_dim) at the integer ``input`` indices: output
    ``input.shape + (embedding_dim,)``; the row ``padding_idx`` gets no gradient (``F.embedding``)."""
    indices = as_array(input.data if isinstance(input, Tensor) else input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {indices.dtype}")
    num_embeddings = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        raise IndexError(
            f"embedding: index out of range: indices span [{indices.min()}, {indices.max()}], "
            f"expected 0 <= index < num_embeddings={num_embeddings}"
        )
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise IndexError(f"embedding: padding_idx {padding_idx} is out of range for {num_embeddings} embeddings")
        padding_idx %= num_embeddings
    return EmbeddingLookup.apply(weight, indices=indices, padding_idx=padding_idx)


__all__ = ["embedding"]
