"""The size of each optimizer step relative to the weights it changes: ||W_after - W_before|| / ||W_before||.

A common health check while training: ratios far below about 1e-3 mean a layer barely learns (learning rate
too small, or vanishing gradients), ratios near 1 mean it is rewritten at every step (learning rate too large).
"""

from __future__ import annotations

import numpy as np

from neuronlab.diagnostics._layers import check_model


class WeightUpdateRatio:
    """Record ||delta W|| / ||W|| (Frobenius norms, W before the step) per parameter at every ``optimizer.step()``.

    ``attach()`` (or ``with WeightUpdateRatio(model, optimizer) as ratios:``) wraps this optimizer object's
    ``step`` so the parameters are copied before and compared after it; ``detach()`` restores it. By default
    only the weight matrices are watched (parameters with ``ndim >= 2``, as the notes' penalties do);
    ``weights_only=False`` adds biases and BatchNorm's gamma and beta. ``ratios[name]`` holds one value per
    step; a parameter of norm zero gets ``inf`` when it moved and 0 when it did not.
    """

    def __init__(self, model, optimizer, weights_only: bool = True) -> None:
        model = check_model(model, "WeightUpdateRatio")
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(
                f"WeightUpdateRatio: expected an optimizer with a step() method, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.parameters = [(name, p) for name, p in model.named_parameters() if p.data.ndim >= 2 or not weights_only]
        if not self.parameters:
            raise ValueError(
                "WeightUpdateRatio: the model has no parameters to watch "
                "(pass weights_only=False to include 1-D parameters)"
            )
        self.ratios: dict[str, list[float]] = {name: [] for name, _ in self.parameters}
        self._original_step = self._instance_step = None

    @property
    def attached(self) -> bool:
        return self._original_step is not None

    def attach(self) -> WeightUpdateRatio:
        if self.attached:
            raise RuntimeError("WeightUpdateRatio is already attached; call detach() first")
        original = self.optimizer.step

        def step(*args, **kwargs):
            before = [p.data.astype(np.float64) for _, p in self.parameters]
            result = original(*args, **kwargs)
            for (name, p), old in zip(self.parameters, before):
                change = float(np.linalg.norm((p.data - old).ravel()))
                size = float(np.linalg.norm(old.ravel()))
                self.ratios[name].append(change / size if size > 0 else (float("inf") if change > 0 else 0.0))
            return result

        self._original_step = original
        self._instance_step = vars(self.optimizer).get("step")
        self.optimizer.step = step
        return self

    def detach(self) -> None:
        if self.attached:
            if self._instance_step is None:
                del self.optimizer.step  # the instance attribute goes; the class's step() is visible again
            else:
                self.optimizer.step = self._instance_step
            self._original_step = self._instance_step = None

    def __enter__(self) -> WeightUpdateRatio:
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.detach()

    def as_array(self) -> np.ndarray:
        """The ratios as a (steps, parameters) array, parameters in ``named_parameters`` order."""
        return np.array(list(self.ratios.values()), dtype=np.float64).T
