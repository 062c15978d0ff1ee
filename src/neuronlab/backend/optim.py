"""Fused optimizer updates: each optimizer's step as one compiled loop over the elements (PyTorch's ``_fused_adam``).

Each function here has the signature of its NumPy reference in ``neuronlab.optim.<name>`` (``sgd_update`` in
``optim/sgd.py``, ...) and does the same arithmetic in the same order, element by element: one pass over memory,
no temporary arrays. The arrays are flat and C-contiguous, the hyperparameters are rounded to the parameter's
dtype as the reference does, and an option's unused buffer is a zero-length array. ``tests/optim/
test_fused_updates.py`` runs every optimizer and option through both paths and checks them equal.
"""

from __future__ import annotations

import numpy as np

from neuronlab.backend import kernel

__all__ = ["sgd_update", "adagrad_update", "adadelta_update", "rmsprop_update", "adam_update"]


@kernel
def sgd_update(param, grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize, first_step):
    """``neuronlab.optim.sgd.sgd_update``, element by element."""
    cast = param.dtype.type
    lr, momentum, weight_decay, keep = cast(lr), cast(momentum), cast(weight_decay), cast(1.0 - dampening)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            b = g if first_step else momentum * momentum_buffer[i] + keep * g
            momentum_buffer[i] = b
            g = g + momentum * b if nesterov else b
        param[i] = param[i] - lr * g


@kernel
def adagrad_update(param, grad, accumulated, lr_t, eps, weight_decay, maximize):
    """``neuronlab.optim.adagrad.adagrad_update``, element by element."""
    cast = param.dtype.type
    lr_t, eps, weight_decay = cast(lr_t), cast(eps), cast(weight_decay)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        h = accumulated[i] + g * g
        accumulated[i] = h
        param[i] = param[i] - lr_t * (g / (np.sqrt(h) + eps))


@kernel
def adadelta_update(param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    """``neuronlab.optim.adadelta.adadelta_update``, element by element."""
    cast = param.dtype.type
    lr, rho, eps, weight_decay, forget = cast(lr), cast(rho), cast(eps), cast(weight_decay), cast(1.0 - rho)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        h = rho * square_avg[i] + forget * (g * g)
        square_avg[i] = h
        delta = np.sqrt(acc_delta[i] + eps) / np.sqrt(h + eps) * g
        acc_delta[i] = rho * acc_delta[i] + forget * (delta * delta)
        param[i] = param[i] - lr * delta


@kernel
def rmsprop_update(
    param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps, weight_decay, momentum, centered, maximize
):
    """``neuronlab.optim.rmsprop.rmsprop_update``, element by element."""
    cast = param.dtype.type
    forget = cast(1.0 - alpha)
    lr, alpha, eps, weight_decay, momentum = cast(lr), cast(alpha), cast(eps), cast(weight_decay), cast(momentum)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        h = alpha * square_avg[i] + forget * (g * g)
        square_avg[i] = h
        if centered:
            m = alpha * grad_avg[i] + forget * g
            grad_avg[i] = m
            s = np.sqrt(h - m * m) + eps
        else:
            s = np.sqrt(h) + eps
        if momentum > 0:
            b = momentum * momentum_buffer[i] + g / s
            momentum_buffer[i] = b
            param[i] = param[i] - lr * b
        else:
            param[i] = param[i] - lr * (g / s)


@kernel
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
    """``neuronlab.optim.adam.adam_update``, element by element."""
    cast = param.dtype.type
    forget1, forget2, shrink = cast(1.0 - beta1), cast(1.0 - beta2), cast(1.0 - lr * weight_decay)
    beta1, beta2, eps, weight_decay = cast(beta1), cast(beta2), cast(eps), cast(weight_decay)
    step_size, bias_correction2_sqrt = cast(step_size), cast(bias_correction2_sqrt)
    for i in range(param.shape[0]):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            if decoupled_weight_decay:
                param[i] = param[i] * shrink
            else:
                g = g + weight_decay * param[i]
        s = beta1 * exp_avg[i] + forget1 * g
        r = beta2 * exp_avg_sq[i] + forget2 * (g * g)
        exp_avg[i] = s
        exp_avg_sq[i] = r
        if amsgrad:
            r = max(max_exp_avg_sq[i], r)
            max_exp_avg_sq[i] = r
        param[i] = param[i] - step_size * (s / (np.sqrt(r) / bias_correction2_sqrt + eps))
