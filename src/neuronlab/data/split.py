"""``train_val_test_split``: hold out validation and test data (notes 004 "train/validation/test practice").

The training split fits the parameters (and the preprocessing), the validation split picks
hyperparameters and the early-stopping epoch, and the test split is touched once at the end.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """The six arrays of a train/validation/test split; unpacks in this order."""

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray


def _count(size: float, n: int, what: str) -> int:
    """A split size given as a fraction in [0, 1) (rounded up, as scikit-learn does) or a sample count."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        if not 0 <= size < n:
            raise ValueError(f"train_val_test_split: {what}={size} samples must lie in [0, {n})")
        return int(size)
    size = float(size)
    if not 0.0 <= size < 1.0:
        raise ValueError(f"train_val_test_split: {what}={size} must be a fraction in [0, 1) or a sample count")
    return math.ceil(size * n)


def _stratified_counts(class_counts: np.ndarray, split_sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How many of each class go to each split: a (classes x splits) integer matrix whose rows sum to
    the class counts, whose columns sum to the split sizes, and whose every entry is the floor or the
    ceiling of its exact share n_k s_j / N.

    Start from the floors; the missing units form a bipartite matching problem (class k still owes
    r_k units, split j still wants d_j, a unit may only go where the share has a fractional part),
    which always has an integral solution (Bacharach's matrix rounding), found as a maximum flow.
    Classes are numbered in random order so the ceilings fall on random classes.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    n = class_counts.sum()
    product = np.outer(class_counts, split_sizes)  # share = product / n, in exact integers
    counts = product // n
    fractional = product % n != 0
    owed = class_counts - counts.sum(axis=1)
    wanted = split_sizes - counts.sum(axis=0)
    if owed.sum() == 0:
        return counts
    K, S = counts.shape
    order = rng.permutation(K)
    source, sink = 0, K + S + 1
    rows, cols, caps = [], [], []
    for node, k in enumerate(order, start=1):
        edges = [(source, node, owed[k])] + [(node, K + 1 + j, 1) for j in np.flatnonzero(fractional[k])]
        for row, col, cap in edges:
            rows.append(row)
            cols.append(col)
            caps.append(cap)
    for j in range(S):
        rows.append(K + 1 + j)
        cols.append(sink)
        caps.append(wanted[j])
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(K + S + 2, K + S + 2))
    result = maximum_flow(graph, source, sink)
    if result.flow_value != owed.sum():
        raise RuntimeError("stratified split: matrix rounding found no integral allocation (a bug)")
    flow = result.flow.toarray()
    counts[order] += flow[1 : K + 1, K + 1 : K + 1 + S].clip(min=0)
    return counts


def train_val_test_split(
    X,
    y,
    val_size: float = 0.15,
    test_size: float = 0.15,
    stratify: bool | None = None,
    seed: int | np.random.Generator = 0,
) -> Split:
    """Split ``X, y`` into training, validation and test parts; returns a :class:`Split`
    ``(X_train, X_val, X_test, y_train, y_val, y_test)``.

    ``val_size`` and ``test_size`` are fractions of the samples (rounded up) or counts; the training
    split gets the rest and must not be empty. ``stratify=True`` keeps each class's proportion in every
    split (class k gets the floor or the ceiling of n_k * split_size / N samples of it); ``False``
    splits uniformly at random; ``None`` (default) stratifies when ``y`` is a 1-D integer array. ``seed`` is an int or a ``numpy.random.Generator``.
    Each split's samples come in random order.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"train_val_test_split: X and y must have the same number of samples, got shapes {X.shape} and {y.shape}"
        )
    n = len(X)
    n_test = _count(test_size, n, "test_size")
    n_val = _count(val_size, n, "val_size")
    if n - n_test - n_val < 1:
        raise ValueError(f"train_val_test_split: val ({n_val}) + test ({n_test}) leave no training samples out of {n}")
    is_labels = y.ndim == 1 and np.issubdtype(y.dtype, np.integer)
    if stratify is None:
        stratify = is_labels
    elif stratify and not is_labels:
        raise ValueError(
            f"train_val_test_split: stratify=True needs 1-D integer class labels, got y of dtype {y.dtype} and shape {y.shape}"
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    sizes = np.array([n - n_test - n_val, n_val, n_test])
    if stratify:
        classes, inverse, class_counts = np.unique(y, return_inverse=True, return_counts=True)
        counts = _stratified_counts(class_counts, sizes, rng)
        parts: list[list[np.ndarray]] = [[], [], []]
        for k in range(len(classes)):
            members = rng.permutation(np.flatnonzero(inverse == k))
            for j, chunk in enumerate(np.split(members, np.cumsum(counts[k])[:-1])):
                parts[j].append(chunk)
        train, val, test = (rng.permutation(np.concatenate(p)) for p in parts)
    else:
        train, val, test = np.split(rng.permutation(n), np.cumsum(sizes)[:-1])
    return Split(X[train], X[val], X[test], y[train], y[val], y[test])
