r"""Adam and AdamW (notes 000 §6.2: "the RMSProp idea applied to momentum", Kingma & Ba 2014).

PyTorch's formulation at step t, with g the gradient (negated if ``maximize``)::

    g     <- g + weight_decay * theta                  (Adam: L2 penalty inside the gradient)
    theta <- theta * (1 - lr * weight_decay)           (AdamW / decoupled_weight_decay=True, instead)
    s     <- beta1 * s + (1 - beta1) * g               (state 'exp_avg', the notes' s)
    r     <- beta2 * r + (1 - beta2) * g * g           (state 'exp_avg_sq', the notes' r)
    r_max <- max(r_max, r);  r <- r_max                (amsgrad: state 'max_exp_avg_sq')
    theta <- theta - lr / (1 - beta1^t) * s / (sqrt(r) / sqrt(1 - beta2^t) + eps)

The notes' version is theta <- theta - lr s~ / sqrt(r~ + eps) with the bias corrections s~ = s/(1 - beta1^t),
r~ = r/(1 - beta2^t), rewritten as lr_t = lr sqrt(1 - beta2^t)/(1 - beta1^t), theta <- theta - lr_t s/sqrt(r + eps).
Both are this update when eps = 0; with eps > 0 the notes put eps under the square root, PyTorch (and neuronlab)
adds it after (here: eps * sqrt(1 - beta2^t) added to sqrt(r)), which matters only while r is about eps or less.
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import boolean, number
from neuronlab.backend import optim as fused_kernels
from neuronlab.optim.optimizer import Optimizer, empty_like_dtype


def adam_update(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    max_exp_avg_sq,
    lr,
    beta1,
    beta2,
    eps,
    weight_decay,
    step_size,
    bias_correction2_sqrt,
    amsgrad,
    decoupled_weight_decay,
    maximize,
):
    """The update in this module's docstring on whole (flat) arrays, in place, with ``step_size`` =
    lr / (1 - beta1^t) and ``bias_correction2_sqrt`` = sqrt(1 - beta2^t): the reference for
    ``neuronlab.backend.optim.adam_update``, which does the same arithmetic element by element."""
    cast = param.dtype.type
    forget1, forget2, shrink = cast(1.0 - beta1), cast(1.0 - beta2), cast(1.0 - lr * weight_decay)
    beta1, beta2, eps, weight_decay = cast(beta1), cast(beta2), cast(eps), cast(weight_decay)
    step_size, bias_correction2_sqrt = cast(step_size), cast(bias_correction2_sqrt)
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= shrink
        else:
            g = g + weight_decay * param
    s, r = exp_avg, exp_avg_sq
    s[...] = beta1 * s + forget1 * g
    r[...] = beta2 * r + forget2 * (g * g)
    if amsgrad:
        np.maximum(max_exp_avg_sq, r, out=max_exp_avg_sq)
        r = max_exp_avg_sq
    param -= step_size * (s / (np.sqrt(r) / bias_correction2_sqrt + eps))


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, maximize=False,
    decoupled_weight_decay=False, fused=None).

    Bias-corrected moment estimates (see the module docstring); ``amsgrad=True`` divides by the running maximum
    of the second moment (Reddi et al. 2018). ``fused``: the compiled update (None: when Numba is installed). State: ``'step'``, ``'exp_avg'``, ``'exp_avg_sq'`` and, with
    amsgrad, ``'max_exp_avg_sq'`` (PyTorch's names).
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        name = type(self).__name__
        number(f"{name}: lr", group["lr"], low=0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        number(f"{name}: betas[0]", betas[0], low=0, high=1, high_open=True)
        number(f"{name}: betas[1]", betas[1], low=0, high=1, high_open=True)
        group["betas"] = (float(betas[0]), float(betas[1]))
        number(f"{name}: eps", group["eps"], low=0)
        number(f"{name}: weight_decay", group["weight_decay"], low=0)
        for flag in ("amsgrad", "maximize", "decoupled_weight_decay"):
            boolean(f"{name}: {flag}", group[flag])

    def _update(self, param, grad, group, state) -> None:
        exp_avg = self._buffer(state, "exp_avg", param).reshape(-1)
        exp_avg_sq = self._buffer(state, "exp_avg_sq", param).reshape(-1)
        amsgrad = bool(group["amsgrad"])
        max_exp_avg_sq = (
            self._buffer(state, "max_exp_avg_sq", param).reshape(-1) if amsgrad else empty_like_dtype(param)
        )
        state["step"] = step = state.get("step", 0) + 1
        beta1, beta2 = group["betas"]
        lr = float(group["lr"])
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        update = fused_kernels.adam_update if self._fused(group) else adam_update
        update(
            param.reshape(-1),
            grad.reshape(-1),
            exp_avg,
            exp_avg_sq,
            max_exp_avg_sq,
            lr,
            beta1,
            beta2,
            float(group["eps"]),
            float(group["weight_decay"]),
            step_size,
            bias_correction2_sqrt,
            amsgrad,
            bool(group["decoupled_weight_decay"]),
            bool(group["maximize"]),
        )


class AdamW(Adam):
    """AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False,
    fused=None).

    Adam with decoupled weight decay (Loshchilov & Hutter 2019): theta <- theta (1 - lr weight_decay) before the
    Adam step, so the decay is not rescaled by the adaptive denominator as an L2 term in the gradient would be.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
            fused=fused,
        )

    def _check_group(self, group: dict) -> None:
        super()._check_group(group)
        if not group["decoupled_weight_decay"]:
            raise ValueError("AdamW: decoupled_weight_decay is always True; use Adam for the coupled L2 form")
