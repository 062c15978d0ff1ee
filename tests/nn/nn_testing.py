"""Helpers shared by the nn tests (imported as ``nn_testing``)."""

import numpy as np

from neuronlab.autograd import Tensor


def leaf(array, dtype=np.float64) -> Tensor:
    """A float64 leaf that requires grad, holding a copy of ``array`` (gradchecks need double precision)."""
    return Tensor(np.array(array, dtype=dtype), requires_grad=True)


def torch_leaf(torch, array):
    """The same values as a float64 torch leaf that requires grad."""
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def grads_of(tensors):
    return [t.grad.data for t in tensors]
