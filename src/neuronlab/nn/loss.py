"""Loss modules (notes 000 sections 2 and 5.1, 003) with PyTorch's names and semantics.

Each wraps the fused Function of :mod:`neuronlab.ops.loss` (where the formulas and gradients are written);
``reduction`` is 'mean' (the default), 'sum' or 'none', as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops.loss import (
    REDUCTIONS,
    as_weight,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    check_reduction,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)


def _listed(weight):
    return None if weight is None else np.asarray(weight).tolist()


@register_buildable
class MSELoss(Module):
    """Mean squared error. ``half=True``: the notes' one-half convention (1/2 mean (y - t)^2, gradient
    (y - t)/count); ``reduction='batchmean', half=True``: the notes' regression layer 1/(2N) sum (y - t)^2
    with gradient (Y - T)/N."""

    def __init__(self, reduction: str = "mean", half: bool = False) -> None:
        super().__init__()
        self.reduction, self.half = check_reduction(reduction, (*REDUCTIONS, "batchmean")), bool(half)

    def forward(self, input, target):
        return mse_loss(input, target, self.reduction, self.half)

    def get_config(self) -> dict:
        return {"reduction": self.reduction, "half": self.half}

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" + (", half=True" if self.half else "")


@register_buildable
class L1Loss(Module):
    """Mean absolute error reduce(|y - t|)."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = check_reduction(reduction)

    def forward(self, input, target):
        return l1_loss(input, target, self.reduction)

    def get_config(self) -> dict:
        return {"reduction": self.reduction}


@register_buildable
class BCELoss(Module):
    """Binary cross-entropy -[t log y + (1 - t) log(1 - y)] of probabilities y (see BCEWithLogitsLoss)."""

    def __init__(self, weight=None, reduction: str = "mean") -> None:
        super().__init__()
        self.weight, self.reduction = as_weight(weight, "BCELoss"), check_reduction(reduction)

    def forward(self, input, target):
        return binary_cross_entropy(input, target, self.weight, self.reduction)

    def get_config(self) -> dict:
        return {"weight": _listed(self.weight), "reduction": self.reduction}


@register_buildable
class BCEWithLogitsLoss(Module):
    """Sigmoid + binary cross-entropy on logits, fused: stable, gradient (sigmoid(x) - t)/N."""

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__()
        self.weight, self.reduction = as_weight(weight, "BCEWithLogitsLoss"), check_reduction(reduction)
        self.pos_weight = as_weight(pos_weight, "BCEWithLogitsLoss")

    def forward(self, input, target):
        return binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)

    def get_config(self) -> dict:
        return {"weight": _listed(self.weight), "reduction": self.reduction, "pos_weight": _listed(self.pos_weight)}


@register_buildable
class CrossEntropyLoss(Module):
    """Softmax + cross-entropy on logits, fused (log-sum-exp stable); gradient (Y - T)/N."""

    def __init__(
        self, weight=None, ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0
    ) -> None:
        super().__init__()
        self.weight, self.ignore_index = as_weight(weight, "CrossEntropyLoss"), int(ignore_index)
        self.reduction, self.label_smoothing = check_reduction(reduction), float(label_smoothing)

    def forward(self, input, target):
        return cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)

    def get_config(self) -> dict:
        return {
            "weight": _listed(self.weight),
            "ignore_index": self.ignore_index,
            "reduction": self.reduction,
            "label_smoothing": self.label_smoothing,
        }


@register_buildable
class NLLLoss(Module):
    """Negative log-likelihood -w_t x_t of log-probabilities (LogSoftmax + NLLLoss = CrossEntropyLoss)."""

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__()
        self.weight, self.ignore_index = as_weight(weight, "NLLLoss"), int(ignore_index)
        self.reduction = check_reduction(reduction)

    def forward(self, input, target):
        return nll_loss(input, target, self.weight, self.ignore_index, self.reduction)

    def get_config(self) -> dict:
        return {"weight": _listed(self.weight), "ignore_index": self.ignore_index, "reduction": self.reduction}
