"""Evaluation metrics on whole arrays (ndarrays or Tensors), with scikit-learn's definitions.

Classification metrics take the true class indices ``y_true`` (n,) and either predicted indices (n,)
or scores (n, K) (logits or probabilities; the prediction is the arg-max). Regression metrics take
targets and predictions of the same shape, (n,) or (n, k); with several outputs they average the
per-output values (scikit-learn's ``multioutput="uniform_average"``).
"""

from __future__ import annotations

import numpy as np


def _array(a, what: str) -> np.ndarray:
    a = np.asarray(getattr(a, "data", a))
    if a.ndim == 0:
        raise ValueError(f"{what}: expected an array of samples, got a scalar")
    return a


def _labels(y_true, what: str) -> np.ndarray:
    y = _array(y_true, what)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{what}: y_true must be 1-D integer class indices, got dtype {y.dtype} shape {y.shape}")
    return y


def _predicted_classes(y_true: np.ndarray, y_pred, what: str) -> np.ndarray:
    pred = _array(y_pred, what)
    if pred.ndim == 2:
        pred = pred.argmax(axis=1)
    if pred.shape != y_true.shape:
        raise ValueError(
            f"{what}: {len(y_true)} targets but predictions of shape {pred.shape}; expected "
            f"class indices ({len(y_true)},) or scores ({len(y_true)}, classes)"
        )
    return pred


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted class (the arg-max of scores) equals the true class."""
    y = _labels(y_true, "accuracy")
    pred = _predicted_classes(y, y_pred, "accuracy")
    return float(np.mean(pred == y)) if len(y) else float("nan")


def top_k_accuracy(y_true, scores, k: int = 5) -> float:
    """Fraction of samples whose true class is among the ``k`` highest scores (ties count as hits
    when the true class's score equals the k-th largest)."""
    y = _labels(y_true, "top_k_accuracy")
    s = _array(scores, "top_k_accuracy")
    if s.ndim != 2 or len(s) != len(y):
        raise ValueError(f"top_k_accuracy: expected scores of shape ({len(y)}, classes), got {s.shape}")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= s.shape[1]:
        raise ValueError(f"top_k_accuracy: k must be an integer in [1, {s.shape[1]}], got {k!r}")
    true_score = s[np.arange(len(y)), y]
    higher = (s > true_score[:, None]).sum(axis=1)
    return float(np.mean(higher < k)) if len(y) else float("nan")


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """C[i, j] = number of samples of true class i predicted as class j (rows: truth, columns: prediction)."""
    y = _labels(y_true, "confusion_matrix")
    pred = _predicted_classes(y, y_pred, "confusion_matrix")
    if num_classes is None:
        num_classes = int(max(y.max(initial=-1), pred.max(initial=-1))) + 1
    if len(y) and (min(y.min(), pred.min()) < 0 or max(y.max(), pred.max()) >= num_classes):
        raise ValueError(f"confusion_matrix: class indices must lie in [0, {num_classes})")
    return np.bincount(y * num_classes + pred, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _pair(y_true, y_pred, what: str) -> tuple[np.ndarray, np.ndarray]:
    y = _array(y_true, what).astype(np.float64)
    p = _array(y_pred, what).astype(np.float64)
    if y.ndim == 1 and p.ndim == 2 and p.shape[1] == 1:
        p = p[:, 0]
    if y.shape != p.shape:
        raise ValueError(f"{what}: targets of shape {y.shape} and predictions of shape {p.shape} differ")
    return y, p


def mse(y_true, y_pred) -> float:
    """Mean squared error: mean (y - y_hat)^2."""
    y, p = _pair(y_true, y_pred, "mse")
    return float(np.mean((y - p) ** 2))


def mae(y_true, y_pred) -> float:
    """Mean absolute error: mean |y - y_hat|."""
    y, p = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(y - p)))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination R^2 = 1 - sum (y - y_hat)^2 / sum (y - mean y)^2, per output, averaged.

    1 is a perfect fit, 0 is what predicting the mean gives. A constant target scores 1 when predicted
    exactly and 0 otherwise (scikit-learn's convention).
    """
    y, p = _pair(y_true, y_pred, "r2")
    y2, p2 = (y[:, None], p[:, None]) if y.ndim == 1 else (y, p)
    ss_res = ((y2 - p2) ** 2).sum(axis=0)
    ss_tot = ((y2 - y2.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.where(ss_res == 0, 1.0, 0.0))
    return float(scores.mean())


def _top5_accuracy(y_true, scores) -> float:
    """:func:`top_k_accuracy` with k = 5 (or every class when there are fewer: 1.0, as scikit-learn scores it)."""
    return top_k_accuracy(y_true, scores, min(5, _array(scores, "top_k_accuracy").shape[-1]))


METRICS = {"accuracy": accuracy, "top_k_accuracy": _top5_accuracy, "mse": mse, "mae": mae, "r2": r2}
"""Metrics that ``fit`` accepts by name (each ``fn(y_true, outputs) -> float``); ``"top_k_accuracy"`` is the
top-5 accuracy (for another k pass ``lambda y, s: top_k_accuracy(y, s, k)``)."""


def get_metric(metric):
    """A metric function from its name in :data:`METRICS`, or a callable ``fn(y_true, outputs)`` as is;
    returns ``(name, fn)``."""
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), metric
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {sorted(METRICS)} or a callable")
    return metric, METRICS[metric]
