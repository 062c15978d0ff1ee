"""ANN-to-SNN conversion: a trained rate network becomes a network of spiking neurons with the same weights.

Each unit of a LIFRate/SoftLIFRate layer becomes a LIF neuron driven by the same input current J = x W + b
(threshold 1, the tuning curve's tau_m and tau_ref): its firing rate is the rate network's G(J), so
``amplitude`` times its PSC-filtered spike train approximates the activation (SoftLIFRate's smoothing was
only for training; the spiking neuron is the plain LIF). A ReLU unit becomes an integrate-and-fire neuron
with reset by subtraction, driven by J = z / lambda per time step: it fires at min(z / lambda, 1) spikes per
step, so lambda dt times its rate is ReLU(z) clipped at lambda. lambda is the layer's data-based scale
(Diehl et al. 2015; Rueckauer et al. 2017): the maximum or the 99.9th percentile of the layer's positive
activations on training data; without data, lambda = 1.

Batch normalization directly after a Linear layer is folded into it (its running statistics); dropout is
the identity at inference (a ``scale_at_inference`` dropout scales the next layer's weights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from neuronlab import nn
from neuronlab.neurons import lif_rate

NORMALIZATIONS = ("max", "percentile")


@dataclass
class Affine:
    """J = x W + b, W of shape (in, out) (neuronlab's Linear layout)."""

    weight: np.ndarray
    bias: np.ndarray
    name: str


@dataclass
class Population:
    """Spiking neurons of one layer: ``kind`` "lif" (threshold 1, tau_m, tau_ref; activation = amplitude x rate)
    or "if" (integrate-and-fire driven by J = z / scale per step; activation = scale dt x rate)."""

    kind: str
    size: int
    name: str
    tau_m: float = 0.02
    tau_ref: float = 0.002
    amplitude: float = 1.0
    scale: float = 1.0

    def rate(self, z: np.ndarray, dt: float) -> np.ndarray:
        """Steady firing rate (Hz) for the pre-activation z: the LIF tuning curve, or IF's min(z/scale, 1)/dt."""
        if self.kind == "lif":
            return lif_rate(z, self.tau_ref, self.tau_m)
        return np.clip(z / self.scale, 0.0, 1.0) / dt

    def activation_per_hz(self, dt: float) -> float:
        """The factor that turns a firing rate (Hz) into the rate network's activation."""
        return self.amplitude if self.kind == "lif" else self.scale * dt


@dataclass
class SpikingModel:
    """A converted network: ``stages`` in order (Affine, Population, or "flatten"), PSC time constant ``tau_s``."""

    stages: list
    tau_s: float
    source: str = ""
    scales: dict = field(default_factory=dict)

    @property
    def populations(self) -> list:
        return [s for s in self.stages if isinstance(s, Population)]

    def __repr__(self) -> str:
        parts = []
        for s in self.stages:
            if isinstance(s, Affine):
                parts.append(f"{s.name}: Affine({s.weight.shape[0]} -> {s.weight.shape[1]})")
            elif isinstance(s, Population):
                detail = (
                    f"tau_m={s.tau_m:g}, tau_ref={s.tau_ref:g}, amplitude={s.amplitude:g}"
                    if s.kind == "lif"
                    else f"scale={s.scale:.4g}"
                )
                parts.append(f"{s.name}: {s.kind.upper()}({s.size}, {detail})")
            else:
                parts.append(s)
        return f"SpikingModel(tau_s={self.tau_s:g},\n  " + ",\n  ".join(parts) + ")"


def _supported() -> str:
    return "Linear, Flatten, LIFRate, SoftLIFRate, ReLU, Dropout, Identity, BatchNorm1d (after a Linear)"


def _refuse(index: int, layer, why: str = "") -> TypeError:
    return TypeError(
        f"convert: cannot convert layer {index} ({type(layer).__name__}){why}; supported layers: {_supported()}"
    )


def _fold_batchnorm(affine: Affine, bn) -> None:
    """y = gamma (x W + b - mu) / sqrt(var + eps) + beta  ->  W' = W s, b' = (b - mu) s + beta, s = gamma/sqrt(var+eps)."""
    if getattr(bn, "running_mean", None) is None:
        raise TypeError("convert: cannot fold BatchNorm1d without running statistics (track_running_stats=False)")
    s = 1.0 / np.sqrt(np.asarray(bn.running_var, dtype=np.float64) + bn.eps)
    beta = 0.0
    if bn.affine:
        s = s * bn.weight.data.astype(np.float64)
        beta = bn.bias.data.astype(np.float64)
    affine.weight = affine.weight * s
    affine.bias = (affine.bias - np.asarray(bn.running_mean, dtype=np.float64)) * s + beta


def _stages(model) -> list:
    layers = list(model.children()) if isinstance(model, nn.Sequential) else [model]
    stages: list[Affine | Population | str] = []
    pending_scale = 1.0
    for i, layer in enumerate(layers):
        name = f"{i}:{type(layer).__name__}"
        if isinstance(layer, nn.Linear):
            w = layer.weight.data.astype(np.float64) * pending_scale
            b = layer.bias.data.astype(np.float64) if layer.bias is not None else np.zeros(w.shape[1])
            stages.append(Affine(w, b, name))
            pending_scale = 1.0
        elif isinstance(layer, nn.BatchNorm1d):
            if not stages or not isinstance(stages[-1], Affine):
                raise _refuse(i, layer, ": batch normalization can only be folded into a Linear layer right before it")
            _fold_batchnorm(stages[-1], layer)
        elif isinstance(layer, nn.Flatten):
            stages.append("flatten")
        elif isinstance(layer, (nn.Dropout, nn.Identity)):
            if isinstance(layer, nn.Dropout) and layer.scale_at_inference:
                pending_scale *= 1.0 - layer.p
        elif isinstance(layer, (nn.LIFRate, nn.SoftLIFRate)):
            stages.append(
                Population(
                    "lif",
                    _width(stages, i, layer),
                    name,
                    tau_m=layer.tau_m,
                    tau_ref=layer.tau_ref,
                    amplitude=layer.amplitude,
                )
            )
        elif isinstance(layer, nn.ReLU):
            stages.append(Population("if", _width(stages, i, layer), name))
        else:
            raise _refuse(i, layer)
    if not any(isinstance(s, Affine) for s in stages):
        raise TypeError(f"convert: the model has no Linear layer to convert; supported layers: {_supported()}")
    return stages


def _width(stages: list, index: int, layer) -> int:
    if not stages or not isinstance(stages[-1], Affine):
        raise _refuse(index, layer, ": an activation must follow a Linear layer")
    return stages[-1].weight.shape[1]


def _as_batch(X) -> np.ndarray:
    return np.asarray(getattr(X, "data", X), dtype=np.float64)


def rate_forward(network: SpikingModel, X, dt: float = 1e-3, upto: int | None = None) -> np.ndarray:
    """The converted network evaluated with firing rates instead of spikes (the limit of a long presentation)."""
    a = _as_batch(X)
    for stage in network.stages[:upto]:
        if isinstance(stage, Affine):
            a = a @ stage.weight + stage.bias
        elif isinstance(stage, Population):
            a = stage.activation_per_hz(dt) * stage.rate(a, dt)
        else:
            a = a.reshape(len(a), -1)
    return a


def convert(
    model, data=None, normalize: str | None = "percentile", percentile: float = 99.9, tau_s: float = 0.005
) -> SpikingModel:
    """Turn a trained Sequential into a :class:`SpikingModel` (run it with :func:`neuronlab.snn.simulate`).

    ``data``: training inputs for the data-based scale of ReLU layers (``normalize="max"`` or
    ``"percentile"``, the ``percentile``-th of each layer's positive activations); without data, or with
    ``normalize=None``, every scale is 1. ``tau_s``: time constant (s) of the exponential post-synaptic
    current that filters each layer's spikes (0: no filtering).
    """
    if normalize is not None and normalize not in NORMALIZATIONS:
        raise ValueError(f"convert: normalize must be one of {NORMALIZATIONS} or None, got {normalize!r}")
    if not (isinstance(tau_s, (int, float)) and math.isfinite(tau_s) and tau_s >= 0):
        raise ValueError(f"convert: tau_s must be a finite number >= 0 (seconds), got {tau_s!r}")
    if not 0 < percentile <= 100:
        raise ValueError(f"convert: percentile must be in (0, 100], got {percentile!r}")
    stages = _stages(model)
    network = SpikingModel(stages, float(tau_s), source=type(model).__name__)
    if data is None or normalize is None:
        return network
    X = _as_batch(data)
    for k, stage in enumerate(stages):
        if isinstance(stage, Population) and stage.kind == "if":
            z = rate_forward(network, X, upto=k)  # earlier layers already scaled: activations in true units
            positive = z[z > 0]
            scale = (
                (positive.max() if normalize == "max" else np.percentile(positive, percentile))
                if positive.size
                else 1.0
            )
            stage.scale = float(scale)
            network.scales[stage.name] = stage.scale
    return network
