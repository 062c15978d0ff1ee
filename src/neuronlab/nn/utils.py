"""Gradient clipping against exploding gradients (notes 003 §6.2: products of large weights times the steepest
slope of the activation multiply the gradient layer after layer), as ``torch.nn.utils``.

Both functions take a parameter or an iterable of parameters, skip those whose ``grad`` is None, and rescale
the gradients in place, before ``optimizer.step()``.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab._validation import nonnegative


def _gradients(parameters) -> list:
    if isinstance(getattr(parameters, "data", None), np.ndarray):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def _writable(param) -> np.ndarray:
    """The gradient array, replaced by a writable copy if the engine handed out a read-only one."""
    if not param.grad.data.flags.writeable:
        param.grad.data = param.grad.data.copy()
    return param.grad.data


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False):
    r"""Rescale all gradients together so that their joint norm is at most ``max_norm``; return that norm.

    total = || (||g_1||_p, ..., ||g_n||_p) ||_p (the p-norm of all gradients concatenated; p = inf: max |g|),
    then every g <- g * min(1, max_norm / (total + 1e-6)). The direction of the joint gradient is kept.

    Returns the total norm before clipping as a NumPy scalar of the gradients' dtype (``float()``/``.item()``
    give a Python float). ``error_if_nonfinite=True`` raises instead of scaling by a nan/inf norm.
    """
    max_norm = nonnegative("clip_grad_norm_: max_norm", max_norm)
    if isinstance(norm_type, str) and norm_type != "inf":
        raise ValueError(f"clip_grad_norm_: norm_type must be a number or 'inf', got {norm_type!r}")
    norm_type = float(norm_type)
    params = _gradients(parameters)
    if not params:
        return np.float32(0.0)
    norms = np.array([np.linalg.norm(p.grad.data.reshape(-1), ord=norm_type) for p in params])
    dtype = np.result_type(*(p.grad.data.dtype for p in params))
    total = dtype.type(np.linalg.norm(norms.astype(dtype), ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}, "
            "so they cannot be clipped; pass error_if_nonfinite=False to scale by it anyway"
        )
    scale = min(max_norm / (float(total) + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # an infinite norm scales by 0, and inf * 0 is nan, as in PyTorch
        for param in params:
            grad = _writable(param)
            np.multiply(grad, grad.dtype.type(scale), out=grad)
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient component into [-clip_value, clip_value] in place (the direction may change)."""
    clip_value = nonnegative("clip_grad_value_: clip_value", clip_value)
    for param in _gradients(parameters):
        grad = _writable(param)
        np.clip(grad, -clip_value, clip_value, out=grad)
