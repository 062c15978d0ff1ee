r"""RMSprop: AdaGrad with a moving average in place of the sum, so old gradients are forgotten
(notes 000 §6: "an improved version of AdaGrad").

PyTorch's formulation, with g the gradient (plus ``weight_decay * theta``)::

    h     <- alpha * h + (1 - alpha) * g * g                    (state 'square_avg')
    m     <- m + (1 - alpha) * (g - m)      if centered         (state 'grad_avg': the mean gradient)
    s     =  sqrt(h - m * m) + eps   if centered  else  sqrt(h) + eps
    b     <- momentum * b + g / s;  theta <- theta - lr * b     if momentum > 0   (state 'momentum_buffer')
    theta <- theta - lr * g / s                                  otherwise
"""
from __future__ import annotations

import numpy as np

from neuronlab.optim.optimizer import Optimizer, check_bool, check_number, empty_like_dtype, kernel


@kernel
def rmsprop_kernel(param, grad, square_avg, grad_avg, buffer, lr, alpha, eps, weight_decay, momentum,
                   centered, maximize):
    """In place on flat arrays: the update in this module's docstring, element by element."""
    cast = param.dtype.type
    lr, alpha, eps, weight_decay, momentum = cast(lr), cast(alpha), cast(eps), cast(weight_decay), cast(momentum)
    forget = cast(1.0) - alpha
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        h = alpha * square_avg[i] + forget * (g * g)
        square_avg[i] = h
        if centered:
            m = grad_avg[i] + forget * (g - grad_avg[i])
            grad_avg[i] = m
            s = np.sqrt(h - m * m) + eps
        else:
            s = np.sqrt(h) + eps
        if momentum > 0:
            b = momentum * buffer[i] + g / s
            buffer[i] = b
            param[i] = param[i] - lr * b
        else:
            param[i] = param[i] - lr * (g / s)


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *, maximize=False).

    ``centered=True`` divides by an estimate of the gradient's standard deviation instead of its root mean
    square. State: ``'step'``, ``'square_avg'``, and ``'grad_avg'`` / ``'momentum_buffer'`` when used.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_number("RMSprop", "lr", group["lr"], low=0.0)
        check_number("RMSprop", "alpha", group["alpha"], low=0.0, high=1.0, include_high=True)
        check_number("RMSprop", "eps", group["eps"], low=0.0)
        check_number("RMSprop", "weight_decay", group["weight_decay"], low=0.0)
        check_number("RMSprop", "momentum", group["momentum"], low=0.0, high=1.0)
        check_bool("RMSprop", "centered", group["centered"])
        check_bool("RMSprop", "maximize", group["maximize"])

    def _update(self, param, grad, group, state) -> None:
        empty = empty_like_dtype(param)
        square_avg = self._buffer(state, "square_avg", param).reshape(-1)
        grad_avg = self._buffer(state, "grad_avg", param).reshape(-1) if group["centered"] else empty
        buffer = self._buffer(state, "momentum_buffer", param).reshape(-1) if group["momentum"] > 0 else empty
        state["step"] = state.get("step", 0) + 1
        rmsprop_kernel(param.reshape(-1), grad.reshape(-1), square_avg, grad_avg, buffer, float(group["lr"]),
                       float(group["alpha"]), float(group["eps"]), float(group["weight_decay"]),
                       float(group["momentum"]), bool(group["centered"]), bool(group["maximize"]))
