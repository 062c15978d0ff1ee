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
    which always has an integral solution (Bacharach's matrix rounding), found as a maximum flow
    (:func:`_max_flow`). Classes are numbered in random order so the ceilings fall on random classes.
    """
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
    edges = [(source, node, int(owed[k])) for node, k in enumerate(order, start=1)]
    edges += [(node, K + 1 + j, 1) for node, k in enumerate(order, start=1) for j in np.flatnonzero(fractional[k])]
    edges += [(K + 1 + j, sink, int(wanted[j])) for j in range(S)]
    flow_value, flows = _max_flow(K + S + 2, edges, source, sink)
    if flow_value != owed.sum():
        raise RuntimeError("stratified split: matrix rounding found no integral allocation (a bug)")
    for (tail, head, _), flow in zip(edges, flows):
        if 1 <= tail <= K and flow > 0:
            counts[order[tail - 1], head - K - 1] += flow
    return counts


def _max_flow(nodes: int, edges: list[tuple[int, int, int]], source: int, sink: int) -> tuple[int, list[int]]:
    """The maximum flow from ``source`` to ``sink`` through ``edges`` (tail, head, integer capacity; at most
    one edge between two nodes): its value and each edge's flow.

    Dinic's algorithm: a breadth-first search numbers the nodes by their distance from the source in the
    residual graph (stopping when it reaches the sink), then depth-first searches push flow along paths
    that go one level up at every step, until none is left; repeat until the sink is out of reach. Every
    node tries its residual edges in order of their head node, each from where its last search left off,
    as SciPy's ``maximum_flow`` does (so the split is the one it gave).
    """
    tail, head, capacity, reverse = [], [], [], []
    for start, end, cap in edges:  # each edge and its reverse (capacity 0), side by side
        reverse += [len(head) + 1, len(head)]
        tail += [start, end]
        head += [end, start]
        capacity += [cap, 0]
    flow = [0] * len(head)
    adjacent: list[list[int]] = [[] for _ in range(nodes)]
    for e in sorted(range(len(head)), key=lambda e: (tail[e], head[e])):
        adjacent[tail[e]].append(e)
    while True:
        level = [-1] * nodes
        level[source], queue = 0, [source]
        for node in queue:
            if node == sink:
                break
            for e in adjacent[node]:
                if capacity[e] > 0 and level[head[e]] == -1:
                    level[head[e]] = level[node] + 1
                    queue.append(head[e])
        if level[sink] == -1:
            return sum(flow[e] for e in adjacent[source]), flow[::2]
        progress = [0] * nodes
        while _augment(adjacent, head, capacity, reverse, flow, level, progress, source, sink):
            pass


def _augment(adjacent, head, capacity, reverse, flow, level, progress, source, sink) -> bool:
    """One depth-first search of Dinic's algorithm: push flow along a path of rising levels from ``source``
    to ``sink`` (each node continuing at its edge ``progress[node]``); whether it found one."""
    stack = [(source, math.inf)]
    while True:
        node, room = stack[-1]
        e = adjacent[node][progress[node]]
        if capacity[e] > 0 and level[head[e]] == level[node] + 1:
            room = min(room, capacity[e])
            if head[e] == sink:
                for on_path, _ in stack:
                    e = adjacent[on_path][progress[on_path]]
                    capacity[e] -= room
                    capacity[reverse[e]] += room
                    flow[e] += room
                    flow[reverse[e]] -= room
                return True
            stack.append((head[e], room))
        else:
            while progress[node] == len(adjacent[node]) - 1:
                stack.pop()
                if not stack:
                    return False
                node = stack[-1][0]
            progress[node] += 1


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
