"""Preprocessing fitted on the training split only, then applied unchanged to validation, test and
prediction inputs (notes 004, "Standardization of inputs", steps 1-3).

Every transform has ``fit(X)``, ``transform(X)``, ``fit_transform(X)``, ``inverse_transform(Z)``, and
for checkpoints ``config()`` (JSON-able hyperparameters) and ``state_dict()`` (the fitted arrays);
:func:`transform_from_config` rebuilds a fitted transform from the two. Statistics are computed in
float64; outputs keep the input's floating dtype (float32 stays float32). A 1-D input is one feature.
"""

from __future__ import annotations

import numpy as np


def _as_2d(X, what: str) -> tuple[np.ndarray, bool]:
    X = np.asarray(X)
    if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
        raise TypeError(f"{what}: expected a numeric array, got dtype {X.dtype}")
    if X.ndim == 1:
        return X.reshape(-1, 1), True
    if X.ndim != 2:
        raise ValueError(f"{what}: expected an array of shape (samples, features), got shape {X.shape}")
    return X, False


def _check_finite(X: np.ndarray, name: str, what: str) -> None:
    """Refuse NaN and infinities, naming the first one's row and column (0-based)."""
    finite = np.isfinite(X)
    if not finite.all():
        row, col = divmod(int(np.argmin(finite)), X.shape[1])
        raise ValueError(f"{name}: {what} holds the non-finite value {X[row, col]} at row {row}, column {col}")


def _out_dtype(X: np.ndarray) -> np.dtype:
    return X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float32)


class Transform:
    """Base class of the fitted preprocessing steps; subclasses define ``_fit``, ``_forward``,
    ``_inverse`` on 2-D float64 arrays and list their fitted arrays in ``_state_keys``."""

    _state_keys: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._state: dict[str, np.ndarray] | None = None

    # --- public API -------------------------------------------------------------------------------
    def fit(self, X) -> Transform:
        """Learn the statistics from the training inputs ``X`` (samples x features); returns self."""
        name = f"{type(self).__name__}.fit"
        X2, _ = _as_2d(X, name)
        if len(X2) == 0:
            raise ValueError(f"{name}: the data has no samples")
        _check_finite(X2, name, "the data")
        with np.errstate(over="ignore", invalid="ignore"):
            state = self._fit(X2.astype(np.float64))
        for key, value in state.items():
            finite = np.isfinite(value).reshape(len(value), -1).all(axis=1)
            if not finite.all():
                raise ValueError(
                    f"{name}: the data's magnitude overflows float64 in the fitted {key} of column "
                    f"{int(np.argmin(finite))}; rescale the data first"
                )
        self._state = state
        return self

    def transform(self, X) -> np.ndarray:
        """Apply the fitted map to ``X``."""
        return self._apply(X, self._forward, "transform")

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo :meth:`transform`: ``inverse_transform(transform(X)) == X`` up to rounding."""
        return self._apply(Z, self._inverse, "inverse_transform")

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    __call__ = transform

    @property
    def fitted(self) -> bool:
        return self._state is not None

    @property
    def n_features(self) -> int:
        if self._state is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(X_train) first")
        return len(self._state[self._state_keys[0]])

    def config(self) -> dict:
        """JSON-able description: ``{"name": class name, **hyperparameters}``."""
        return {"name": type(self).__name__, **self._hyperparameters()}

    def state_dict(self) -> dict[str, np.ndarray]:
        """The fitted arrays (float64), to be stored with a checkpoint."""
        if self._state is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(X_train) first")
        return {k: v.copy() for k, v in self._state.items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> Transform:
        """Restore fitted arrays saved by :meth:`state_dict`; returns self."""
        missing = set(self._state_keys) - set(state)
        extra = set(state) - set(self._state_keys)
        if missing or extra:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected keys {sorted(self._state_keys)}, "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        loaded = {k: np.asarray(state[k], dtype=np.float64) for k in self._state_keys}
        self._check_state(loaded)
        self._state = loaded
        return self

    @classmethod
    def from_config(cls, config: dict) -> Transform:
        params = {k: v for k, v in config.items() if k != "name"}
        return cls(**params)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
        return f"{type(self).__name__}({params})"

    # --- for subclasses ---------------------------------------------------------------------------
    def _hyperparameters(self) -> dict:
        return {}

    def _fit(self, X: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError(f"{type(self).__name__} must define _fit (the statistics it learns)")

    def _forward(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define _forward (the transform itself)")

    def _inverse(self, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def _check_state(self, state: dict[str, np.ndarray]) -> None:
        shapes = {k: v.shape for k, v in state.items()}
        d = state[self._state_keys[0]].shape
        if len(d) != 1 or any(v.shape != d for v in state.values()):
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected 1-D arrays of one length, got {shapes}")

    def _apply(self, X, fn, method: str) -> np.ndarray:
        name = f"{type(self).__name__}.{method}"
        if self._state is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted: call fit(X_train) first")
        X2, was_1d = _as_2d(X, name)
        if X2.shape[1] != self.n_features:
            raise ValueError(
                f"{name}: the data has {X2.shape[1]} features, the transform was fitted on {self.n_features}"
            )
        out = fn(X2.astype(np.float64)).astype(_out_dtype(X2), copy=False)
        return out.reshape(-1) if was_1d else out


class Standardize(Transform):
    """Per-feature standardization (notes 004, steps 1-2):

        x_ni <- (x_ni - mean_i) / sigma_i,   mean_i = sum_n x_ni / N,   sigma_i = sqrt(sum_n (x_ni - mean_i)^2 / N)

    A constant feature (sigma_i = 0) is only centred. Inverse: x = z sigma + mean.
    Matches scikit-learn's ``StandardScaler``.
    """

    _state_keys = ("mean", "std")

    def _fit(self, X):
        std = X.std(axis=0)
        return {"mean": X.mean(axis=0), "std": np.where(std > 0, std, 1.0)}

    def _forward(self, X):
        return (X - self._state["mean"]) / self._state["std"]

    def _inverse(self, Z):
        return Z * self._state["std"] + self._state["mean"]


class MinMaxScale(Transform):
    """Rescale each feature to ``feature_range = (a, b)``:

        x' = a + (x - min) (b - a) / (max - min)

    A constant feature maps to ``a``. Inverse: x = min + (x' - a)(max - min)/(b - a).
    Matches scikit-learn's ``MinMaxScaler``.
    """

    _state_keys = ("data_min", "data_max")

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        super().__init__()
        a, b = (float(v) for v in feature_range)
        if not a < b:
            raise ValueError(f"MinMaxScale: feature_range must be (low, high) with low < high, got {feature_range}")
        self.feature_range = (a, b)

    def _hyperparameters(self):
        return {"feature_range": list(self.feature_range)}

    def _fit(self, X):
        return {"data_min": X.min(axis=0), "data_max": X.max(axis=0)}

    def _scale(self):
        a, b = self.feature_range
        span = self._state["data_max"] - self._state["data_min"]
        return (b - a) / np.where(span > 0, span, 1.0)

    def _forward(self, X):
        return self.feature_range[0] + (X - self._state["data_min"]) * self._scale()

    def _inverse(self, Z):
        return (Z - self.feature_range[0]) / self._scale() + self._state["data_min"]


class Whiten(Transform):
    """Decorrelate the features (notes 004, step 3, "whitening"), so the whitened data has identity
    covariance. With C = (X - mu)^T (X - mu) / N = U diag(lambda) U^T:

        PCA:  z = (x - mu) U diag(lambda + eps)^(-1/2)          (rotate onto the principal axes, rescale)
        ZCA:  z = (x - mu) U diag(lambda + eps)^(-1/2) U^T      (then rotate back: closest to the input)

    ``eps`` keeps directions of (near) zero variance from blowing up. Inverse: multiply by the inverse
    matrix and add mu. Components are ordered by decreasing variance, each signed so that its
    largest-magnitude entry is positive.
    """

    _state_keys = ("mean", "eigenvalues", "eigenvectors")

    def __init__(self, method: str = "zca", eps: float = 1e-5) -> None:
        super().__init__()
        if method not in ("pca", "zca"):
            raise ValueError(f"Whiten: method must be 'pca' or 'zca', got {method!r}")
        if not eps >= 0:
            raise ValueError(f"Whiten: eps must be >= 0, got {eps!r}")
        self.method = method
        self.eps = float(eps)

    def _hyperparameters(self):
        return {"method": self.method, "eps": self.eps}

    def _fit(self, X):
        mean = X.mean(axis=0)
        Xc = X - mean
        cov = Xc.T @ Xc / len(X)
        eigenvalues, eigenvectors = np.linalg.eigh(cov)
        eigenvalues, eigenvectors = eigenvalues[::-1].clip(min=0.0), eigenvectors[:, ::-1]
        rows = np.argmax(np.abs(eigenvectors), axis=0)
        eigenvectors = eigenvectors * np.sign(eigenvectors[rows, np.arange(len(rows))])
        tolerance = eigenvalues.max() * len(eigenvalues) * np.finfo(np.float64).eps  # numpy's matrix_rank rule
        if self.eps == 0 and eigenvalues.min() <= tolerance:
            raise ValueError(
                "Whiten.fit: the covariance is singular (a feature is constant or a linear "
                "combination of others); use eps > 0"
            )
        return {"mean": mean, "eigenvalues": eigenvalues, "eigenvectors": eigenvectors}

    def _check_state(self, state):
        d = state["mean"].shape
        if len(d) != 1 or state["eigenvalues"].shape != d or state["eigenvectors"].shape != d * 2:
            raise ValueError(
                f"Whiten.load_state_dict: expected mean (d,), eigenvalues (d,), eigenvectors (d, d), "
                f"got {[state[k].shape for k in self._state_keys]}"
            )

    def _matrix(self, power: float) -> np.ndarray:
        """PCA: U diag(lambda + eps)^power;  ZCA: U diag(lambda + eps)^power U^T."""
        assert self._state is not None  # only called by _forward/_inverse, after _apply's fitted check
        U, lam = self._state["eigenvectors"], self._state["eigenvalues"]
        M = U * (lam + self.eps) ** power
        return M @ U.T if self.method == "zca" else M

    def _forward(self, X):
        return (X - self._state["mean"]) @ self._matrix(-0.5)

    def _inverse(self, Z):
        return Z @ self._matrix(0.5).T + self._state["mean"]  # PCA: diag(.)^(1/2) U^T;  ZCA: symmetric


class Compose(Transform):
    """Apply transforms in order, e.g. ``Compose([Standardize(), Whiten("zca")])``; each is fitted on
    the previous one's output. Inverse applies the inverses in reverse order."""

    def __init__(self, transforms: list) -> None:
        super().__init__()
        self.transforms = [t if isinstance(t, Transform) else transform_from_config(t) for t in transforms]
        if not self.transforms:
            raise ValueError("Compose: expected at least one transform")

    def fit(self, X) -> Compose:
        for t in self.transforms[:-1]:
            X = t.fit_transform(X)
        self.transforms[-1].fit(X)
        return self

    def transform(self, X) -> np.ndarray:
        for t in self.transforms:
            X = t.transform(X)
        return X

    def inverse_transform(self, Z) -> np.ndarray:
        for t in reversed(self.transforms):
            Z = t.inverse_transform(Z)
        return Z

    __call__ = transform

    @property
    def fitted(self) -> bool:
        return all(t.fitted for t in self.transforms)

    @property
    def n_features(self) -> int:
        return self.transforms[0].n_features

    def config(self) -> dict:
        return {"name": "Compose", "transforms": [t.config() for t in self.transforms]}

    def state_dict(self) -> dict[str, np.ndarray]:
        """Each step's arrays under ``"<step index>.<key>"``."""
        return {f"{i}.{k}": v for i, t in enumerate(self.transforms) for k, v in t.state_dict().items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> Compose:
        for i, t in enumerate(self.transforms):
            t.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.split(".", 1)[0] == str(i)})
        unexpected = [k for k in state if k.split(".", 1)[0] not in {str(i) for i in range(len(self.transforms))}]
        if unexpected:
            raise ValueError(f"Compose.load_state_dict: unexpected keys {unexpected}")
        return self

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


TRANSFORMS: dict[str, type[Transform]] = {cls.__name__: cls for cls in (Standardize, MinMaxScale, Whiten, Compose)}


def transform_from_config(config: dict, state: dict[str, np.ndarray] | None = None) -> Transform:
    """Rebuild a transform from :meth:`Transform.config`, fitted from ``state`` when given
    (the inverse of saving ``t.config()`` and ``t.state_dict()`` with a checkpoint)."""
    if not isinstance(config, dict) or config.get("name") not in TRANSFORMS:
        name = config.get("name") if isinstance(config, dict) else config
        raise ValueError(f"unknown transform {name!r}; expected one of {sorted(TRANSFORMS)}")
    transform = TRANSFORMS[config["name"]].from_config(config)
    return transform if state is None else transform.load_state_dict(state)


def one_hot(y, num_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """Class indices (n,) -> one-hot rows (n, K): ``T[n, y_n] = 1`` (the notes' target vectors)."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"one_hot: expected a 1-D array of integer class indices, got dtype {y.dtype} shape {y.shape}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"one_hot: class indices must lie in [0, {num_classes}), got range [{y.min()}, {y.max()}]")
    out = np.zeros((len(y), num_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1
    return out
