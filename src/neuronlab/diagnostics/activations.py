"""Activations through the layers (notes 000 section 7.1): what each layer outputs, its spread, its histogram.

The notes' experiment feeds data through a deep network and draws a histogram of every hidden layer's
output: with weights of standard deviation 0.01 the values shrink towards zero layer after layer, with
standard deviation 1 and sigmoid they pile up at 0 and 1, with Glorot's or He's scale they keep their spread.
``ActivationRecorder`` collects those outputs with forward hooks; ``dead_relu_fraction`` counts the ReLU
units that never fire.
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import no_grad
from neuronlab.diagnostics._layers import LayerRecorder, check_model
from neuronlab.nn.activation import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh
from neuronlab.ops._util import to_tensor

ACTIVATION_TYPES = (ReLU, LeakyReLU, Sigmoid, Tanh, ELU, GELU)


class ActivationRecorder(LayerRecorder):
    """Record the outputs of the layers of ``layer_types`` (by default the activation layers) at each forward.

    ``with ActivationRecorder(model) as recorder: model(X)`` then ``recorder.std()``, ``recorder.histogram(name)``,
    ``recorder.activations(name)``. Outputs are copied (later in-place changes do not alter them) and
    concatenated along the batch axis over successive forward passes; ``max_samples`` keeps at most that many
    rows per layer (the first ones). ``clear()`` forgets them.
    """

    owner = "ActivationRecorder"

    def __init__(self, model, layer_types=ACTIVATION_TYPES, max_samples: int | None = None) -> None:
        super().__init__(model, layer_types)
        if max_samples is not None and (
            isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)) or max_samples < 1
        ):
            raise ValueError(f"ActivationRecorder: max_samples must be a positive integer or None, got {max_samples!r}")
        self.max_samples = max_samples
        self.records: dict[str, list[np.ndarray]] = {name: [] for name in self.layer_names}

    def _register(self, name, module):
        def hook(module, inputs, output):
            self._store(name, output)

        return module.register_forward_hook(hook)

    def _store(self, name: str, output) -> None:
        values = np.asarray(getattr(output, "data", output))
        stored = self.records[name]
        if values.ndim == 0:
            values = values.reshape(1)
        if self.max_samples is not None:
            room = self.max_samples - sum(len(v) for v in stored)
            if room <= 0:
                return
            values = values[:room]
        stored.append(np.array(values, copy=True))

    def clear(self) -> None:
        """Forget what was recorded (the hooks stay attached)."""
        for stored in self.records.values():
            stored.clear()

    def _recorded(self, name: str) -> list[np.ndarray]:
        if name not in self.records:
            raise KeyError(f"ActivationRecorder: no layer named {name!r}; recorded layers: {', '.join(self.records)}")
        stored = self.records[name]
        if not stored:
            raise ValueError(
                f"ActivationRecorder: nothing recorded for layer {name!r} yet; run a forward pass "
                "while the recorder is attached"
            )
        return stored

    def activations(self, name: str) -> np.ndarray:
        """Layer ``name``'s recorded outputs, the forward passes concatenated along axis 0 (samples).

        One module instance used at two places of different widths records outputs of different shapes, which
        do not stack: that raises a ValueError naming the layer (use one instance per place to tell them apart;
        ``mean``, ``std`` and ``histogram`` pool all of the layer's values and work either way).
        """
        stored = self._recorded(name)
        shapes = sorted({values.shape[1:] for values in stored})
        if len(shapes) > 1:
            raise ValueError(
                f"ActivationRecorder: layer {name!r} ({type(dict(self.layers)[name]).__name__}) "
                f"recorded outputs of different shapes per sample {', '.join(map(str, shapes))}: the "
                "same module is used at several places of different widths; give each place its "
                "own instance to record them separately"
            )
        return stored[0] if len(stored) == 1 else np.concatenate(stored)

    def _values(self, name: str) -> np.ndarray:
        """Every value layer ``name`` recorded, flattened (whatever the shapes of its outputs)."""
        return np.concatenate([values.ravel() for values in self._recorded(name)])

    def _per_layer(self, statistic) -> dict[str, float]:
        return {
            name: float(statistic(self._values(name).astype(np.float64)))
            for name, stored in self.records.items()
            if stored
        }

    def mean(self) -> dict[str, float]:
        """Mean of every recorded value, per layer (layers with nothing recorded are left out)."""
        return self._per_layer(np.mean)

    def std(self) -> dict[str, float]:
        """Standard deviation of every recorded value (population, ddof=0), per layer."""
        return self._per_layer(np.std)

    def histogram(self, name: str, bins=30, range: tuple[float, float] | None = None):
        """``np.histogram`` of layer ``name``'s values: (counts, bin_edges)."""
        return np.histogram(self._values(name), bins=bins, range=range)

    def histograms(self, bins=30, range: tuple[float, float] | None = None) -> dict[str, tuple]:
        """``histogram`` for every layer with recorded values, by name."""
        return {name: self.histogram(name, bins, range) for name, stored in self.records.items() if stored}


def dead_relu_fraction(model, X, layer_types=(ReLU,)) -> dict[str, float]:
    """The fraction of units of each ReLU layer that output 0 for every sample of ``X`` ("dead" units).

    A unit is one output feature (for an (N, C, L) output, one (C, L) position). The model runs once on ``X``
    in evaluation mode without recording a graph, and is put back in the mode it was in.
    """
    model = check_model(model, "dead_relu_fraction")
    X = to_tensor(X)
    if X.ndim < 1 or len(X) == 0:
        raise ValueError(f"dead_relu_fraction: X must hold at least one sample, got shape {tuple(X.shape)}")
    was_training = model.training
    recorder = ActivationRecorder(model, layer_types)
    try:
        model.eval()
        with recorder, no_grad():
            model(X)
    finally:
        model.train(was_training)
    fractions = {}
    for name in recorder.layer_names:
        values = recorder.activations(name)
        units = values.reshape(len(values), -1)
        fractions[name] = float(np.mean(np.all(units <= 0, axis=0)))
    return fractions
