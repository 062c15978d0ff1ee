r"""AdaGrad: a learning coefficient per component, shrinking with that component's accumulated squared gradient
(notes 000 §6: "changes the learning coefficient adaptively to the gradient").

PyTorch's formulation, at step t with g the gradient (negated if ``maximize``)::

    g     <- g + weight_decay * theta
    h     <- h + g * g                                 (state 'sum', starts at initial_accumulator_value)
    lr_t  =  lr / (1 + (t - 1) * lr_decay)
    theta <- theta - lr_t * g / (sqrt(h) + eps)
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import boolean, number
from neuronlab.backend import optim as fused_kernels
from neuronlab.optim.optimizer import Optimizer


def adagrad_update(param, grad, accumulated, lr_t, eps, weight_decay, maximize):
    """The update in this module's docstring on whole (flat) arrays, in place: the reference for
    ``neuronlab.backend.optim.adagrad_update``, which does the same arithmetic element by element."""
    cast = param.dtype.type
    lr_t, eps, weight_decay = cast(lr_t), cast(eps), cast(weight_decay)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    h = accumulated
    h += g * g
    param -= lr_t * (g / (np.sqrt(h) + eps))


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
    maximize=False, fused=None).

    ``fused``: the compiled update (None: when Numba is installed). State: ``'step'`` (int) and ``'sum'`` (the
    accumulated squared gradients h), PyTorch's names.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            number(f"Adagrad: {name}", group[name], low=0)
        boolean("Adagrad: maximize", group["maximize"])

    def _update(self, param, grad, group, state) -> None:
        accumulated = self._buffer(state, "sum", param, fill=group["initial_accumulator_value"])
        state["step"] = step = state.get("step", 0) + 1
        lr_t = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        update = fused_kernels.adagrad_update if self._fused(group) else adagrad_update
        update(
            param.reshape(-1),
            grad.reshape(-1),
            accumulated.reshape(-1),
            float(lr_t),
            float(group["eps"]),
            float(group["weight_decay"]),
            bool(group["maximize"]),
        )
