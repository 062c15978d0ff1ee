r"""Stochastic gradient descent with momentum (notes 000 §6.1, 002 "Momentum", 003 §6.3.2, 004 "SGD w/ momentum").

PyTorch's formulation, with g the gradient (negated if ``maximize``), b the momentum buffer::

    g <- g + weight_decay * theta
    b <- g                                  (momentum > 0, first step)
    b <- momentum * b + (1 - dampening) * g (momentum > 0, later steps)
    d <- g + momentum * b  if nesterov  else  b     (d = g without momentum)
    theta <- theta - lr * d

The notes' three momentum formulations are this update with these arguments (see docs/optimizers.md):

* 000 (Takenawa):   v <- a v - lr g;  theta <- theta + v        ->  SGD(lr=lr, momentum=a)          (v = -lr b)
* 002 (Racharak):   V <- b V + (1-b) g;  W <- W - alpha V       ->  SGD(lr=alpha*(1-b), momentum=b) (V = (1-b) b_buf)
* 003 (Orchard):    V <- b V + g;  W <- W - kappa V             ->  SGD(lr=kappa, momentum=b)
"""

from __future__ import annotations

from neuronlab._validation import boolean, number
from neuronlab.backend import optim as fused_kernels
from neuronlab.optim.optimizer import Optimizer, empty_like_dtype


def sgd_update(param, grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize, first_step):
    """The update in this module's docstring on whole (flat) arrays, in place: the reference for
    ``neuronlab.backend.optim.sgd_update``, which does the same arithmetic element by element."""
    cast = param.dtype.type
    lr, momentum, weight_decay, keep = cast(lr), cast(momentum), cast(weight_decay), cast(1.0 - dampening)
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    d = g
    if momentum != 0:
        b = momentum_buffer
        b[...] = g if first_step else momentum * b + keep * g
        d = g + momentum * b if nesterov else b
    param -= lr * d


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False, fused=None).

    Plain gradient descent ``theta <- theta - lr * g`` when ``momentum == 0``; heavy-ball momentum otherwise,
    with Nesterov's look-ahead variant ``nesterov=True`` (PyTorch's form: step along g + momentum * b).
    ``weight_decay`` adds ``weight_decay * theta`` to the gradient: the notes' L2 penalty (lambda/2)||theta||^2
    (003 §5.4.1). ``fused``: the compiled update (None: when Numba is installed). State: ``'momentum_buffer'``
    (PyTorch's name).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        number("SGD: lr", group["lr"], low=0)
        momentum = number("SGD: momentum", group["momentum"], low=0, high=1, high_open=True)
        dampening = number("SGD: dampening", group["dampening"], low=0, high=1)
        number("SGD: weight_decay", group["weight_decay"], low=0)
        boolean("SGD: maximize", group["maximize"])
        if boolean("SGD: nesterov", group["nesterov"]) and (momentum == 0 or dampening != 0):
            raise ValueError(
                f"SGD: nesterov=True requires momentum > 0 and dampening = 0, "
                f"got momentum={momentum}, dampening={dampening}"
            )

    def _update(self, param, grad, group, state) -> None:
        if group["momentum"] != 0:
            first_step = "momentum_buffer" not in state
            buffer = self._buffer(state, "momentum_buffer", param).reshape(-1)
        else:
            first_step, buffer = False, empty_like_dtype(param)
        update = fused_kernels.sgd_update if self._fused(group) else sgd_update
        update(
            param.reshape(-1),
            grad.reshape(-1),
            buffer,
            float(group["lr"]),
            float(group["momentum"]),
            float(group["dampening"]),
            float(group["weight_decay"]),
            bool(group["nesterov"]),
            bool(group["maximize"]),
            first_step,
        )
