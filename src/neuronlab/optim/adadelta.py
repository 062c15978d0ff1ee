r"""Adadelta: AdaGrad's per-component step with both the gradient scale and the step scale as moving averages,
so no learning coefficient has to be tuned (Zeiler 2012; the notes' AdaGrad family, 000 §6).

PyTorch's formulation, with g the gradient (negated if ``maximize``)::

    g     <- g + weight_decay * theta
    h     <- rho * h + (1 - rho) * g * g                  (state 'square_avg': the mean squared gradient)
    d     =  sqrt(u + eps) / sqrt(h + eps) * g            (the step, in the units of theta)
    u     <- rho * u + (1 - rho) * d * d                  (state 'acc_delta': the mean squared step)
    theta <- theta - lr * d

The ratio sqrt(u + eps) / sqrt(h + eps) is AdaGrad's lr / sqrt(h) with lr replaced by the recent steps' root mean
square; ``lr`` (default 1) only rescales the step.
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import boolean, number
from neuronlab.backend import optim as fused_kernels
from neuronlab.optim.optimizer import Optimizer


def adadelta_update(param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    """The update in this module's docstring on whole (flat) arrays, in place: the reference for
    ``neuronlab.backend.optim.adadelta_update``, which does the same arithmetic element by element."""
    cast = param.dtype.type
    lr, rho, eps, weight_decay, forget = cast(lr), cast(rho), cast(eps), cast(weight_decay), cast(1.0 - rho)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    h, u = square_avg, acc_delta
    h[...] = rho * h + forget * (g * g)
    d = np.sqrt(u + eps) / np.sqrt(h + eps) * g
    u[...] = rho * u + forget * (d * d)
    param -= lr * d


class Adadelta(Optimizer):
    """Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False, fused=None).

    ``rho`` is the moving averages' decay, ``eps`` keeps the first steps (u = 0) and flat directions (h = 0)
    finite. ``fused``: the compiled update (None: when Numba is installed). State: ``'step'``, ``'square_avg'``
    and ``'acc_delta'`` (PyTorch's names).
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, fused=fused)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        number("Adadelta: lr", group["lr"], low=0)
        number("Adadelta: rho", group["rho"], low=0, high=1)
        number("Adadelta: eps", group["eps"], low=0)
        number("Adadelta: weight_decay", group["weight_decay"], low=0)
        boolean("Adadelta: maximize", group["maximize"])

    def _update(self, param, grad, group, state) -> None:
        square_avg = self._buffer(state, "square_avg", param).reshape(-1)
        acc_delta = self._buffer(state, "acc_delta", param).reshape(-1)
        state["step"] = state.get("step", 0) + 1
        update = fused_kernels.adadelta_update if self._fused(group) else adadelta_update
        update(
            param.reshape(-1),
            grad.reshape(-1),
            square_avg,
            acc_delta,
            float(group["lr"]),
            float(group["rho"]),
            float(group["eps"]),
            float(group["weight_decay"]),
            bool(group["maximize"]),
        )
