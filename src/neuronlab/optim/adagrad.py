r"""AdaGrad: a learning coefficient per component, shrinking with that component's accumulated squared gradient
(notes 000 §6: "changes the learning coefficient adaptively to the gradient").

PyTorch's formulation, at step t with g the gradient (plus ``weight_decay * theta``)::

    h     <- h + g * g                                 (state 'sum', starts at initial_accumulator_value)
    lr_t  =  lr / (1 + (t - 1) * lr_decay)
    theta <- theta - lr_t * g / (sqrt(h) + eps)
"""
from __future__ import annotations

import numpy as np

from neuronlab.optim.optimizer import Optimizer, check_bool, check_number, kernel


@kernel
def adagrad_kernel(param, grad, accumulated, lr_t, eps, weight_decay, maximize):
    """In place on flat arrays: the update in this module's docstring, element by element."""
    cast = param.dtype.type
    lr_t, eps, weight_decay = cast(lr_t), cast(eps), cast(weight_decay)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        h = accumulated[i] + g * g
        accumulated[i] = h
        param[i] = param[i] - lr_t * (g / (np.sqrt(h) + eps))


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *, maximize=False).

    State: ``'step'`` (int) and ``'sum'`` (the accumulated squared gradients h), PyTorch's names.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_number("Adagrad", name, group[name], low=0.0)
        check_bool("Adagrad", "maximize", group["maximize"])

    def _update(self, param, grad, group, state) -> None:
        accumulated = self._buffer(state, "sum", param, fill=group["initial_accumulator_value"])
        state["step"] = step = state.get("step", 0) + 1
        lr_t = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        adagrad_kernel(param.reshape(-1), grad.reshape(-1), accumulated.reshape(-1), float(lr_t),
                       float(group["eps"]), float(group["weight_decay"]), bool(group["maximize"]))
