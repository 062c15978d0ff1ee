"""Embedding: a lookup table of learned vectors, one row per token (PyTorch's ``nn.Embedding``)."""

from __future__ import annotations

import numpy as np

from neuronlab.nn import init
from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.parameter import Parameter
from neuronlab.ops.embedding import embedding


@register_buildable
class Embedding(Module):
    """y = W[idx]: integer indices of any shape in, ``shape + (embedding_dim,)`` out.

    ``weight`` (num_embeddings, embedding_dim) ~ N(0, 1) as in PyTorch; with ``padding_idx`` that row starts
    at zero and receives no gradient, so a padding token keeps a zero vector. The lookup equals
    ``one_hot(idx) @ W`` without building the one-hot matrix.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, dtype=np.float32
    ) -> None:
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings={num_embeddings}, got {padding_idx}"
                )
            padding_idx = int(padding_idx) % num_embeddings
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Embedding: dtype must be a floating type, got {dtype}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = padding_idx
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W ~ N(0, 1), the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx)

    def get_config(self) -> dict:
        return {
            "num_embeddings": self.num_embeddings,
            "embedding_dim": self.embedding_dim,
            "padding_idx": self.padding_idx,
            "dtype": self.weight.dtype.name,
        }

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        )
