"""Loss functions (notes 000 sections 2 and 5.1, 003), each one fused Function with PyTorch's semantics.

The output layers the notes pair with each loss have simple gradients, which the fused Functions use
directly instead of differentiating log(softmax(x)) or log(sigmoid(x)) piece by piece:

- regression, (one half of) the squared error: E = 1/(2N) sum (y - t)^2,  dE/dY = (Y - T)/N;
- two classes, sigmoid + binary cross-entropy: dE/dx = (sigmoid(x) - t)/N;
- K classes, softmax + cross-entropy: dE/dX = (softmax(X) - T)/N.

``reduction`` is 'mean' (the default), 'sum' or 'none' (one loss per element/sample), as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from neuronlab._validation import one_of, probability
from neuronlab.autograd import Tensor
from neuronlab.autograd.function import Function
from neuronlab.ops._util import to_tensor
from neuronlab.ops.elementwise import logistic

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str, allowed=REDUCTIONS) -> str:
    return one_of("reduction", reduction, allowed)


def _values(a):
    """The array behind a Tensor / array-like (a constant: not differentiated)."""
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def _float_target(target, x: Tensor, name: str):
    """A float target of the input's shape: a Tensor (kept, it may require grad) or an array of x's dtype."""
    if isinstance(target, Tensor):
        if target.dtype.kind != "f":
            target = Tensor(target.data.astype(x.dtype))
    else:
        target = np.asarray(target, dtype=x.dtype)
    if target.shape != x.shape:
        raise ValueError(
            f"{name}: target shape {tuple(target.shape)} must equal input shape {tuple(x.shape)} "
            "(no broadcasting: a (N, 1) vs (N,) mismatch would silently compare every pair)"
        )
    return target


def _reduce(losses, reduction: str):
    if reduction == "none":
        return losses
    total = losses.sum()
    return total / losses.size if reduction == "mean" else total


def as_weight(weight, name: str):
    if weight is None:
        return None
    weight = np.asarray(_values(weight))
    if weight.dtype.kind not in "biuf":
        raise TypeError(f"{name}: weight must be numeric, got dtype {weight.dtype}")
    return weight


# ---------------------------------------------------------------------------------------------- regression
class MSELossFunction(Function):
    """E = s reduce((x - t)^2), s = 1/2 with ``half``.  dx = dy 2 s (x - t) / count,  dt = -dx.

    count: the number of elements ('mean'), the batch size x.shape[0] ('batchmean'), 1 ('sum', 'none').
    """

    def forward(self, x, t, reduction, scale):
        diff = x - t
        self.count = {"mean": diff.size, "batchmean": diff.shape[0] if diff.ndim else 1}.get(reduction, 1)
        self.factor = 2 * scale / self.count
        self.save_for_backward(x, t, diff)
        if reduction == "none":
            return scale * (diff * diff)
        flat = diff.reshape(-1)
        return np.asarray(flat @ flat * (scale / self.count), dtype=x.dtype)

    def saved_for_graph(self, inputs, output):
        x, t = inputs
        return x, t, x - t

    def backward(self, gy):
        x, t, diff = self.saved
        gx = gy * (self.factor * diff)
        need_x, need_t = self.needs_input_grad
        return (gx if need_x else None), (-gx if need_t else None)


def mse_loss(input, target, reduction: str = "mean", half: bool = False):
    """Mean squared error reduce((input - target)^2); ``half=True`` multiplies by 1/2 (the notes' convention).

    ``reduction='batchmean'`` divides the sum by the batch size N = input.shape[0] instead of the number of
    elements: with ``half=True`` that is exactly the notes' regression layer E = 1/(2N) sum_n |y_n - t_n|^2,
    whose gradient is (Y - T)/N for any number of outputs.
    """
    check_reduction(reduction, (*REDUCTIONS, "batchmean"))
    x = to_tensor(input)
    target = _float_target(target, x, "mse_loss")
    return MSELossFunction.apply(x, target, reduction=reduction, scale=0.5 if half else 1.0)


class L1LossFunction(Function):
    """E = reduce(|x - t|).  dx = dy sign(x - t) / count,  dt = -dx."""

    def forward(self, x, t, reduction):
        diff = x - t
        self.count = diff.size if reduction == "mean" else 1
        self.save_for_backward(np.sign(diff))
        return _reduce(np.abs(diff), reduction)

    def backward(self, gy):
        (sign,) = self.saved
        gx = gy * sign if self.count == 1 else gy * (sign / self.count)
        need_x, need_t = self.needs_input_grad
        return (gx if need_x else None), (-gx if need_t else None)


def l1_loss(input, target, reduction: str = "mean"):
    """Mean absolute error reduce(|input - target|)."""
    check_reduction(reduction)
    x = to_tensor(input)
    return L1LossFunction.apply(x, _float_target(target, x, "l1_loss"), reduction=reduction)


# ---------------------------------------------------------------------------------------------- two classes
class BCELossFunction(Function):
    """E = -w [t log y + (1 - t) log(1 - y)] (logs clamped at -100, as PyTorch).
    dy = dy_E w (y - t) / max(y (1 - y), 1e-12),  dt = dy_E w (log(1 - y) - log y)."""

    def forward(self, y, t, weight, reduction):
        self.weight, self.count = weight, (y.size if reduction == "mean" else 1)
        log_y = np.maximum(np.log(y, where=y > 0, out=np.full_like(y, -np.inf)), -100)
        log_1my = np.maximum(np.log1p(-y, where=y < 1, out=np.full_like(y, -np.inf)), -100)
        losses = -(t * log_y + (1 - t) * log_1my)
        if weight is not None:
            losses = losses * weight
        self.save_for_backward(y, t, log_y, log_1my)
        return _reduce(losses.astype(y.dtype, copy=False), reduction)

    def saved_for_graph(self, inputs, output):
        y, t = inputs
        return y, t, np.log(y), np.log(1 - y)

    def backward(self, gy):
        y, t, log_y, log_1my = self.saved
        need_y, need_t = self.needs_input_grad
        scale = gy / self.count if self.count != 1 else gy
        if self.weight is not None:
            scale = scale * self.weight
        gx = scale * (y - t) / np.maximum(y * (1 - y), 1e-12) if need_y else None
        gt = scale * (log_1my - log_y) if need_t else None
        return gx, gt


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean"):
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against targets in [0, 1].

    Prefer ``binary_cross_entropy_with_logits`` on the pre-sigmoid values: it is stable and its gradient
    is the notes' (sigmoid(x) - t)/N.
    """
    check_reduction(reduction)
    y = to_tensor(input)
    if y.data.size and (y.data.min() < 0 or y.data.max() > 1):
        raise ValueError(
            "binary_cross_entropy: every input must be a probability in [0, 1] (apply sigmoid first, "
            "or use binary_cross_entropy_with_logits on the raw scores)"
        )
    return BCELossFunction.apply(
        y,
        _float_target(target, y, "binary_cross_entropy"),
        weight=as_weight(weight, "binary_cross_entropy"),
        reduction=reduction,
    )


def _softplus_of_minus(x, log1p=np.log1p):
    """log(1 + e^-x) = log1p(e^-|x|) + max(-x, 0), finite for any x (on Tensors pass a differentiable log1p)."""
    return log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


class BCEWithLogitsFunction(Function):
    """E = w [(1 - t) x + l log(1 + e^-x)],  l = 1 + (pos_weight - 1) t  (l = 1 without pos_weight).
    dx = dy w [l sigmoid(x) - l + 1 - t]  (= dy w (sigmoid(x) - t) without pos_weight),
    dt = dy w [(pos_weight - 1) log(1 + e^-x) - x]."""

    def forward(self, x, t, weight, pos_weight, reduction):
        self.weight, self.pos_weight = weight, pos_weight
        self.count = x.size if reduction == "mean" else 1
        softplus = _softplus_of_minus(x)
        if pos_weight is None:
            losses = (1 - t) * x + softplus
        else:
            losses = (1 - t) * x + (1 + (pos_weight - 1) * t) * softplus
        if weight is not None:
            losses = losses * weight
        self.save_for_backward(x, t, logistic(x), softplus)
        return _reduce(losses.astype(x.dtype, copy=False), reduction)

    def saved_for_graph(self, inputs, output):
        x, t = inputs
        return x, t, x.sigmoid(), _softplus_of_minus(x, lambda u: np.log(1 + u))

    def backward(self, gy):
        x, t, s, softplus = self.saved
        need_x, need_t = self.needs_input_grad
        scale = gy / self.count if self.count != 1 else gy
        if self.weight is not None:
            scale = scale * self.weight
        pw = self.pos_weight
        gx = gt = None
        if need_x:
            gx = scale * (s - t) if pw is None else scale * ((1 + (pw - 1) * t) * (s - 1) + 1 - t)
        if need_t:
            gt = scale * (-x) if pw is None else scale * ((pw - 1) * softplus - x)
        return gx, gt


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean", pos_weight=None):
    """Sigmoid + binary cross-entropy fused: stable for any logit (finite at |x| = 1000), gradient
    (sigmoid(x) - t)/N. ``pos_weight`` (broadcast over the last axis) weights the positive examples."""
    check_reduction(reduction)
    x = to_tensor(input)
    return BCEWithLogitsFunction.apply(
        x,
        _float_target(target, x, "binary_cross_entropy_with_logits"),
        weight=as_weight(weight, "binary_cross_entropy_with_logits"),
        pos_weight=as_weight(pos_weight, "binary_cross_entropy_with_logits"),
        reduction=reduction,
    )


# ---------------------------------------------------------------------------------------------- K classes
class CrossEntropyFunction(Function):
    """Softmax + cross-entropy fused, on (M, C) logits.

    E_n = -sum_c Q_nc log softmax(x_n)_c with the target distribution Q: the one-hot row of the class
    index (or the given probabilities), smoothed to (1 - eps) Q + eps / C, times the class weights.
    dx_n = dy (sum_c Q_nc softmax(x_n) - Q_n) / D: the notes' (Y - T)/N for one-hot targets.
    D ('mean'): N for probabilities; the summed weights of the non-ignored targets for class indices.
    """

    def forward(self, x, target, indices, weight, smoothing, ignore_index, reduction):
        m, c = x.shape
        shifted = x - x.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        log_p = shifted - np.log(total)
        p = e / total
        self.smoothing, self.weight, self.reduction = smoothing, weight, reduction
        if indices is not None:
            valid = indices != ignore_index
            q = np.zeros_like(x)
            rows = np.flatnonzero(valid)
            q[rows, indices[rows]] = 1 - smoothing
            if smoothing:
                q[rows] += smoothing / c
            if weight is not None:
                q *= weight
            denominator = weight[indices[rows]].sum() if weight is not None else rows.size
        else:
            q = self._distribution(target, c)
            denominator = m
        losses = -(q * log_p).sum(axis=1)
        self.from_probabilities = indices is None
        self.scale = 1.0 if reduction != "mean" else (1.0 / denominator if denominator else 0.0)
        self.save_for_backward(x, target, p, q, log_p)
        if reduction == "none":
            return losses.astype(x.dtype, copy=False)
        if reduction == "mean" and not denominator:
            return np.asarray(np.nan, dtype=x.dtype)
        return np.asarray(losses.sum() * self.scale, dtype=x.dtype)

    def saved_for_graph(self, inputs, output):
        x, target = inputs
        q = self.saved[3]
        if self.from_probabilities:
            q = self._distribution(target, x.shape[1])
        return x, target, x.softmax(axis=1), q, x.log_softmax(axis=1)

    def _distribution(self, target, classes: int):
        """Q from probability targets: smoothed to (1 - eps) T + eps / C, times the class weights."""
        q = target * (1 - self.smoothing) + self.smoothing / classes if self.smoothing else target
        return q if self.weight is None else q * self.weight

    def backward(self, gy):
        x, target, p, q, log_p = self.saved
        need_x, need_t = self.needs_input_grad[:2]
        g = gy.reshape(-1, 1) if self.reduction == "none" else gy
        if self.scale != 1.0:
            g = g * self.scale
        gx = g * (q.sum(axis=1, keepdims=True) * p - q) if need_x else None
        gt = None
        if need_t:
            gt = g * (-(1 - self.smoothing) * log_p)
            if self.weight is not None:
                gt = gt * self.weight
        return gx, gt


def _classes_last(x: Tensor, target, name: str):
    """(M, C) logits and (M,) or (M, C) targets from (C,), (N, C) or (N, C, d1, ...) inputs, PyTorch's layout."""
    if x.ndim == 0:
        raise ValueError(f"{name}: input must have a class axis: (C,), (N, C) or (N, C, d1, ...), got a scalar")
    target_is_tensor = isinstance(target, Tensor)
    t = target.data if target_is_tensor else np.asarray(target)
    probabilities = t.dtype.kind == "f"
    if probabilities:
        if t.shape != x.shape:
            raise ValueError(
                f"{name}: probability targets must have the input's shape {tuple(x.shape)}, got "
                f"{t.shape} (class-index targets must be integers)"
            )
    else:
        if t.dtype.kind not in "iu":
            raise TypeError(
                f"{name}: targets must be integer class indices or float probabilities, got dtype {t.dtype}"
            )
        expected = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
        if t.shape != expected:
            raise ValueError(
                f"{name}: class-index targets for input of shape {tuple(x.shape)} must have shape "
                f"{expected}, got {t.shape}"
            )
    out_shape = x.shape[:1] + x.shape[2:] if x.ndim > 1 else ()
    if x.ndim == 1:
        x2 = x.reshape(1, -1)
    elif x.ndim == 2:
        x2 = x
    else:
        order = (0, *range(2, x.ndim), 1)
        x2 = x.transpose(order).reshape(-1, x.shape[1])
    if probabilities:
        t2 = target if target_is_tensor and target.requires_grad else t
        if x.ndim == 1:
            t2 = t2.reshape(1, -1)
        elif x.ndim > 2:
            t2 = t2.transpose(order).reshape(x2.shape)
        return x2, t2, None, out_shape
    indices = t.reshape(-1).astype(np.int64, copy=False)
    return x2, None, indices, out_shape


def _check_indices(indices: np.ndarray, classes: int, ignore_index: int, name: str) -> None:
    bad = (indices != ignore_index) & ((indices < 0) | (indices >= classes))
    if bad.any():
        raise ValueError(
            f"{name}: target {indices[bad][0]} is out of bounds: expected class indices in "
            f"[0, {classes}) or ignore_index={ignore_index}"
        )


def cross_entropy(
    input, target, weight=None, ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0
):
    """Softmax + cross-entropy on logits (C,), (N, C) or (N, C, d1, ...); targets are class indices
    (integers, ``ignore_index`` skipped) or probabilities (floats, the input's shape). PyTorch's semantics for
    ``weight``, ``label_smoothing`` and ``reduction``; the gradient is the notes' (Y - T)/N."""
    check_reduction(reduction)
    label_smoothing = probability("cross_entropy: label_smoothing", label_smoothing)
    x = to_tensor(input)
    x2, t2, indices, out_shape = _classes_last(x, target, "cross_entropy")
    classes = x2.shape[1]
    weight = as_weight(weight, "cross_entropy")
    if weight is not None and weight.shape != (classes,):
        raise ValueError(f"cross_entropy: weight must have shape ({classes},), one per class, got {weight.shape}")
    if indices is not None:
        _check_indices(indices, classes, ignore_index, "cross_entropy")
    loss = CrossEntropyFunction.apply(
        x2,
        t2,
        indices=indices,
        weight=weight,
        smoothing=float(label_smoothing),
        ignore_index=ignore_index,
        reduction=reduction,
    )
    return loss.reshape(out_shape) if reduction == "none" and loss.shape != out_shape else loss


class NLLLossFunction(Function):
    """E_n = -w_{t_n} x_{n, t_n} on log-probabilities x.  dx = dy * (-w_{t_n} at (n, t_n), 0 elsewhere) / D,
    D ('mean') the summed weights of the non-ignored targets."""

    def forward(self, x, indices, weight, ignore_index, reduction):
        rows = np.flatnonzero(indices != ignore_index)
        picked_weight = np.ones(rows.size, dtype=x.dtype) if weight is None else weight[indices[rows]].astype(x.dtype)
        self.rows, self.columns, self.picked_weight = rows, indices[rows], picked_weight
        self.shape, self.reduction = x.shape, reduction
        denominator = picked_weight.sum()
        self.scale = 1.0 if reduction != "mean" else (1.0 / denominator if denominator else 0.0)
        if reduction == "none":
            losses = np.zeros(x.shape[0], dtype=x.dtype)
            losses[rows] = -picked_weight * x[rows, self.columns]
            return losses
        if reduction == "mean" and not denominator:
            return np.asarray(np.nan, dtype=x.dtype)
        return np.asarray(-(picked_weight * x[rows, self.columns]).sum() * self.scale, dtype=x.dtype)

    def backward(self, gy):
        selector = np.zeros(self.shape, dtype=self.picked_weight.dtype)
        selector[self.rows, self.columns] = -self.picked_weight * self.scale
        return (gy.reshape(-1, 1) if self.reduction == "none" else gy) * selector


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """Negative log-likelihood of class indices given log-probabilities (e.g. from log_softmax)."""
    check_reduction(reduction)
    x = to_tensor(input)
    x2, _, indices, out_shape = _classes_last(x, target, "nll_loss")
    if indices is None:
        raise TypeError("nll_loss: targets must be integer class indices")
    weight = as_weight(weight, "nll_loss")
    if weight is not None and weight.shape != (x2.shape[1],):
        raise ValueError(f"nll_loss: weight must have shape ({x2.shape[1]},), one per class, got {weight.shape}")
    _check_indices(indices, x2.shape[1], ignore_index, "nll_loss")
    loss = NLLLossFunction.apply(x2, indices, weight=weight, ignore_index=ignore_index, reduction=reduction)
    return loss.reshape(out_shape) if reduction == "none" and loss.shape != out_shape else loss
