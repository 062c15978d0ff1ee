r"""RMSprop: AdaGrad with a moving average in place of the sum, so old gradients are forgotten
(notes 000 §6: "an improved version of AdaGrad").

PyTorch's formulation, with g the gradient (negated if ``maximize``)::

    g     <- g + weight_decay * theta
    h     <- alpha * h + (1 - alpha) * g * g                    (state 'square_avg')
    m     <- alpha * m + (1 - alpha) * g        if centered     (state 'grad_avg': the mean gradient)
    s     =  sqrt(h - m * m) + eps   if centered  else  sqrt(h) + eps
    b     <- momentum * b + g / s;  theta <- theta - lr * b     if momentum > 0   (state 'momentum_buffer')
    theta <- theta - lr * g / s                                  otherwise
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import boolean, number
from neuronlab.backend import optim as fused_kernels
from neuronlab.optim.optimizer import Optimizer, empty_like_dtype


def rmsprop_update(
    param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps, weight_decay, momentum, centered, maximize
):
    """The update in this module's docstring on whole (flat) arrays, in place: the reference for
    ``neuronlab.backend.optim.rmsprop_update``, which does the same arithmetic element by element."""
    cast = param.dtype.type
    forget = cast(1.0 - alpha)
    lr, alpha, eps, weight_decay, momentum = cast(lr), cast(alpha), cast(eps), cast(weight_decay), cast(momentum)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    h, m, b = square_avg, grad_avg, momentum_buffer
    h[...] = alpha * h + forget * (g * g)
    if centered:
        m[...] = alpha * m + forget * g
        s = np.sqrt(h - m * m) + eps
    else:
        s = np.sqrt(h) + eps
    if momentum > 0:
        b[...] = momentum * b + g / s
        param -= lr * b
    else:
        param -= lr * (g / s)


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
    maximize=False, fused=None).

    ``centered=True`` divides by an estimate of the gradient's standard deviation instead of its root mean
    square. ``fused``: the compiled update (None: when Numba is installed). State: ``'step'``, ``'square_avg'``,
    and ``'grad_avg'`` / ``'momentum_buffer'`` when used.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        number("RMSprop: lr", group["lr"], low=0)
        number("RMSprop: alpha", group["alpha"], low=0, high=1)
        number("RMSprop: eps", group["eps"], low=0)
        number("RMSprop: weight_decay", group["weight_decay"], low=0)
        number("RMSprop: momentum", group["momentum"], low=0, high=1, high_open=True)
        boolean("RMSprop: centered", group["centered"])
        boolean("RMSprop: maximize", group["maximize"])

    def _update(self, param, grad, group, state) -> None:
        empty = empty_like_dtype(param)
        square_avg = self._buffer(state, "square_avg", param).reshape(-1)
        grad_avg = self._buffer(state, "grad_avg", param).reshape(-1) if group["centered"] else empty
        buffer = self._buffer(state, "momentum_buffer", param).reshape(-1) if group["momentum"] > 0 else empty
        state["step"] = state.get("step", 0) + 1
        update = fused_kernels.rmsprop_update if self._fused(group) else rmsprop_update
        update(
            param.reshape(-1),
            grad.reshape(-1),
            square_avg,
            grad_avg,
            buffer,
            float(group["lr"]),
            float(group["alpha"]),
            float(group["eps"]),
            float(group["weight_decay"]),
            float(group["momentum"]),
            bool(group["centered"]),
            bool(group["maximize"]),
        )
