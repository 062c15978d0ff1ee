"""The notes' small synthetic datasets and two classic 2-D generators. Each ``make_*`` takes a
``numpy.random.Generator`` (or an int seed) and returns ``(X float32, y)``."""

from __future__ import annotations

import numpy as np


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def make_xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table (notes 003 §4): inputs (A, B) in {0, 1}^2, target A XOR B."""
    X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=np.float32)
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def make_discrete_mapping(
    n: int = 300, noise: float = 0.1, n_classes: int = 3, input_dim: int = 6, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Notes 003 §5.1.2 ``DiscreteMapping``: class prototypes A = 3 (U[0, 1)^(classes x dim) - 1/2);
    each of the ``n`` samples picks a class r uniformly and is A[r] + noise * N(0, I)."""
    rng = _rng(seed)
    A = 3.0 * (rng.random((n_classes, input_dim)) - 0.5)
    r = rng.integers(n_classes, size=n)
    X = A[r] + noise * rng.standard_normal((n, input_dim))
    return X.astype(np.float32), r.astype(np.int64)


def blood_sugar_curve(dose) -> np.ndarray:
    """The noise-free dose -> blood-sugar relation behind :func:`make_blood_sugar`: 0.6 + 1.6 x (1 - x)."""
    dose = np.asarray(dose, dtype=np.float64)
    return 0.6 + 1.6 * dose * (1.0 - dose)


def make_blood_sugar(
    n: int = 6, noise: float = 0.1, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Notes 003 §5.2's overfitting example: ``n`` doses uniform in [0, 1], blood sugar
    :func:`blood_sugar_curve` (dose) + noise * N(0, 1). Returns X (n, 1), y (n,).

    The notes give 6 training samples and 300 fresh test samples but not the curve; this one puts the
    prediction at dose 0.65 near 1.0 as in the notes, and noise 0.1 makes the best possible test MSE
    0.01, the level of the notes' augmented model (test loss 0.00934). Draw the 300 test samples with
    ``make_blood_sugar(300, seed=another_seed)``.
    """
    rng = _rng(seed)
    dose = rng.random(n)
    sugar = blood_sugar_curve(dose) + noise * rng.standard_normal(n)
    return dose.reshape(-1, 1).astype(np.float32), sugar.astype(np.float32)


def make_spirals(
    n_per_class: int = 200, n_classes: int = 3, noise: float = 0.2, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms: class k has radius r in [0, 1] and angle 4 (k + r) + noise * N(0, 1),
    point (r sin t, r cos t). Not linearly separable: needs a hidden layer."""
    rng = _rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    k = np.repeat(np.arange(n_classes), n_per_class)
    t = 4.0 * (k + r) + noise * rng.standard_normal(len(r))
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return X.astype(np.float32), k.astype(np.int64)


def make_moons(n: int = 500, noise: float = 0.1, seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, scikit-learn's ``make_moons`` (seeded by ``seed``)."""
    from sklearn.datasets import make_moons as sklearn_make_moons

    random_state = int(_rng(seed).integers(2**31 - 1)) if isinstance(seed, np.random.Generator) else seed
    X, y = sklearn_make_moons(n_samples=n, noise=noise, random_state=random_state)
    return X.astype(np.float32), y.astype(np.int64)
