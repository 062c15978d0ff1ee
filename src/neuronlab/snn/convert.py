"""ANN-to-SNN conversion: a trained rate network becomes a network of spiking neurons with the same weights.

The weighted layers (Linear, Conv2d) and the linear ones (AvgPool2d, Flatten, Unflatten) are kept as they are
and computed on the filtered spikes; each unit of an activation layer (one per feature of a Linear layer, one
per channel and pixel of a Conv2d layer) becomes a spiking neuron:

- a LIFRate/SoftLIFRate unit a LIF neuron driven by the same input current J = z (threshold 1, the tuning
  curve's tau_m and tau_ref): its firing rate is the rate network's G(z), so ``amplitude`` times its
  PSC-filtered spike train approximates the activation (SoftLIFRate's smoothing was only for training; the
  spiking neuron is the plain LIF);
- a ReLU unit, with the layer's data-based scale lambda (Diehl et al. 2015; Rueckauer et al. 2017: the
  maximum or the 99.9th percentile of the layer's positive activations on training data; without data,
  lambda = 1), either an integrate-and-fire neuron with reset by subtraction driven by J = z / lambda per
  time step (``relu_neuron="if"``): it fires min(z / lambda, 1) spikes per step, so lambda dt times its rate is
  ReLU(z) clipped at lambda; or a LIF neuron (``relu_neuron="lif"``) driven by J = gain z / lambda + bias, with
  gain and bias fitted once (:func:`relu_lif_fit`) so that its rate, scaled by amplitude = lambda / G(gain +
  bias), is closest to the line ReLU(z) over [0, lambda] (least squares over every decade of z / lambda;
  bias <= 1, so z <= 0 stays silent, and so do the lowest activations, up to about a tenth of lambda).

Batch normalization directly after a Linear (BatchNorm1d) or Conv2d layer (BatchNorm2d) is folded into it
(its running statistics); dropout is the identity at inference (a ``scale_at_inference`` dropout scales the
next layer's weights). Max pooling is not a linear map of rates and is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from neuronlab import nn
from neuronlab.autograd import no_grad
from neuronlab.neurons import lif_rate
from neuronlab.ops.conv import conv2d
from neuronlab.ops.pool import avg_pool2d

NORMALIZATIONS = ("max", "percentile")
RELU_NEURONS = ("if", "lif")


@dataclass
class Affine:
    """J = x W + b, W of shape (in, out) (neuronlab's Linear layout)."""

    weight: np.ndarray
    bias: np.ndarray
    name: str

    def apply(self, a: np.ndarray) -> np.ndarray:
        return a @ self.weight + self.bias

    @property
    def width(self) -> int:
        return self.weight.shape[1]

    def fold(self, s: np.ndarray, shift: np.ndarray) -> None:
        """Scale output unit k by s[k] and add shift[k]: W' = W s, b' = b s + shift."""
        self.weight = self.weight * s
        self.bias = self.bias * s + shift

    def describe(self) -> str:
        return f"Affine({self.weight.shape[0]} -> {self.weight.shape[1]})"


@dataclass
class Convolution:
    """J = conv2d(x, W) + b with the Conv2d layer's stride, padding, dilation and groups (zero padding)."""

    weight: np.ndarray
    bias: np.ndarray
    name: str
    stride: tuple
    padding: tuple | str
    dilation: tuple
    groups: int

    def apply(self, a: np.ndarray) -> np.ndarray:
        with no_grad():
            y = conv2d(a, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        return y.data

    @property
    def width(self) -> int:
        return self.weight.shape[0]

    def fold(self, s: np.ndarray, shift: np.ndarray) -> None:
        """Scale output channel k by s[k] and add shift[k]."""
        self.weight = self.weight * s[:, None, None, None]
        self.bias = self.bias * s + shift

    def describe(self) -> str:
        return f"Conv2d({self.weight.shape[1] * self.groups} -> {self.weight.shape[0]}, {self.weight.shape[2:]})"


@dataclass
class AveragePooling:
    """The mean of each window (AvgPool2d): a linear map, so it applies to filtered spikes as to rates."""

    name: str
    arguments: dict

    def apply(self, a: np.ndarray) -> np.ndarray:
        with no_grad():
            return avg_pool2d(a, **self.arguments).data

    def describe(self) -> str:
        return f"AvgPool2d({self.arguments['kernel_size']})"


@dataclass
class Reshape:
    """Each sample reshaped to ``shape`` (Flatten: (-1,); Unflatten(1, size): size)."""

    name: str
    shape: tuple

    def apply(self, a: np.ndarray) -> np.ndarray:
        return a.reshape((len(a),) + self.shape)

    def describe(self) -> str:
        return f"Reshape{self.shape}"


@dataclass
class Population:
    """Spiking neurons of one layer, ``size`` per position (units of a Linear, channels of a Conv2d):
    ``kind`` "lif" (threshold 1, tau_m, tau_ref, driven by J = gain z + bias; activation = amplitude x rate)
    or "if" (integrate-and-fire driven by J = z / scale per step; activation = scale dt x rate)."""

    kind: str
    size: int
    name: str
    tau_m: float = 0.02
    tau_ref: float = 0.002
    amplitude: float = 1.0
    scale: float = 1.0
    gain: float = 1.0
    bias: float = 0.0
    relu: bool = False  # stands for a ReLU: scaled by the data

    def current(self, z: np.ndarray) -> np.ndarray:
        """The neurons' input for the pre-activation z: gain z + bias (LIF), z / scale per step (IF)."""
        if self.kind == "lif":
            return z if self.gain == 1 and self.bias == 0 else self.gain * z + self.bias
        return z / self.scale

    def rate(self, z: np.ndarray, dt: float) -> np.ndarray:
        """Steady firing rate (Hz) for the pre-activation z: the LIF tuning curve, or IF's min(z/scale, 1)/dt."""
        if self.kind == "lif":
            return lif_rate(self.current(z), self.tau_ref, self.tau_m)
        return np.clip(self.current(z), 0.0, 1.0) / dt

    def activation_per_hz(self, dt: float) -> float:
        """The factor that turns a firing rate (Hz) into the rate network's activation."""
        return self.amplitude if self.kind == "lif" else self.scale * dt

    def describe(self) -> str:
        if self.kind == "if":
            return f"IF({self.size}, scale={self.scale:.4g})"
        drive = "" if self.gain == 1 and self.bias == 0 else f", gain={self.gain:.4g}, bias={self.bias:.4g}"
        return (
            f"LIF({self.size}, tau_m={self.tau_m:g}, tau_ref={self.tau_ref:g}, amplitude={self.amplitude:.4g}{drive})"
        )


LINEAR_STAGES = (Affine, Convolution, AveragePooling, Reshape)


@dataclass
class SpikingModel:
    """A converted network: ``stages`` in order (Affine, Convolution, AveragePooling, Reshape, Population),
    PSC time constant ``tau_s``; ``scales`` the data-based scale of each ReLU population."""

    stages: list
    tau_s: float
    source: str = ""
    scales: dict = field(default_factory=dict)

    @property
    def populations(self) -> list:
        return [s for s in self.stages if isinstance(s, Population)]

    def __repr__(self) -> str:
        parts = [f"{s.name}: {s.describe()}" for s in self.stages]
        return f"SpikingModel(tau_s={self.tau_s:g},\n  " + ",\n  ".join(parts) + ")"


@lru_cache(maxsize=8)
def relu_lif_fit(tau_ref: float, tau_m: float) -> tuple[float, float, float]:
    """(gain, bias, rate at the top) of a LIF neuron standing for a ReLU normalized to [0, 1]: J = gain u + bias
    for u = z / lambda, chosen on a grid (bias in [0.5, 1], so u <= 0 stays silent; the current at u = 1 from
    1.2 to 40) to minimize the mean squared difference between G(J(u)) / G(J(1)) and u over u log-spaced
    from 0.01 to 1: every decade of activations counts alike, as a ReLU layer's activations crowd near 0
    (a fit on evenly spaced u leaves the neuron silent over the lowest 16% of the range, which compounds
    from layer to layer)."""
    u = np.geomspace(0.01, 1.0, 100)
    bias = np.linspace(0.5, 1.0, 26)[:, None, None]
    top = np.geomspace(1.2, 40.0, 80)[None, :, None]
    peak = lif_rate(top, tau_ref, tau_m)
    error = np.mean((lif_rate((top - bias) * u + bias, tau_ref, tau_m) / peak - u) ** 2, axis=-1)
    i, j = np.unravel_index(np.argmin(error), error.shape)
    return float(top[0, j, 0] - bias[i, 0, 0]), float(bias[i, 0, 0]), float(peak[0, j, 0])


def _supported() -> str:
    return (
        "Linear, Conv2d, AvgPool2d, Flatten, Unflatten, LIFRate, SoftLIFRate, ReLU, Dropout, Identity, "
        "BatchNorm1d/BatchNorm2d (after a Linear/Conv2d)"
    )


def _refuse(index: int, layer, why: str = "") -> TypeError:
    return TypeError(
        f"convert: cannot convert layer {index} ({type(layer).__name__}){why}; supported layers: {_supported()}"
    )


def _fold_batchnorm(index: int, stage, bn) -> None:
    """y = gamma (J - mu) / sqrt(var + eps) + beta for J = the layer's output: with s = gamma / sqrt(var + eps),
    W' = W s, b' = (b - mu) s + beta, per output unit (Linear) or channel (Conv2d)."""
    if getattr(bn, "running_mean", None) is None:
        raise _refuse(index, bn, ": batch normalization without running statistics cannot be folded")
    s = 1.0 / np.sqrt(np.asarray(bn.running_var, dtype=np.float64) + bn.eps)
    beta = np.zeros_like(s)
    if bn.affine:
        s = s * bn.weight.data.astype(np.float64)
        beta = bn.bias.data.astype(np.float64)
    stage.fold(s, beta - np.asarray(bn.running_mean, dtype=np.float64) * s)


def _weights(layer, pending_scale: float) -> tuple[np.ndarray, np.ndarray]:
    w = layer.weight.data.astype(np.float64) * pending_scale
    width = w.shape[1] if isinstance(layer, nn.Linear) else w.shape[0]
    b = layer.bias.data.astype(np.float64) if layer.bias is not None else np.zeros(width)
    return w, b


def _stages(model, relu_neuron: str, tau_ref: float, tau_m: float) -> list:
    layers = list(model.children()) if isinstance(model, nn.Sequential) else [model]
    stages: list = []
    pending_scale = 1.0
    for i, layer in enumerate(layers):
        name = f"{i}:{type(layer).__name__}"
        if isinstance(layer, nn.Linear):
            stages.append(Affine(*_weights(layer, pending_scale), name))
            pending_scale = 1.0
        elif isinstance(layer, nn.Conv2d):
            if layer.padding_mode != "zeros":
                raise _refuse(i, layer, f": padding_mode {layer.padding_mode!r} (only 'zeros' converts)")
            w, b = _weights(layer, pending_scale)
            stages.append(Convolution(w, b, name, layer.stride, layer.padding, layer.dilation, layer.groups))
            pending_scale = 1.0
        elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            target = Convolution if isinstance(layer, nn.BatchNorm2d) else Affine  # (BatchNorm2d subclasses 1d)
            if not stages or not isinstance(stages[-1], target):
                kind = "Linear" if target is Affine else "Conv2d"
                raise _refuse(i, layer, f": batch normalization can only be folded into a {kind} layer right before it")
            _fold_batchnorm(i, stages[-1], layer)
        elif isinstance(layer, nn.AvgPool2d):
            stages.append(AveragePooling(name, {key: getattr(layer, key) for key in layer.arguments}))
        elif isinstance(layer, nn.Flatten):
            if layer.start_dim != 1 or layer.end_dim != -1:
                raise _refuse(i, layer, ": only Flatten(1, -1) (each sample to one row)")
            stages.append(Reshape(name, (-1,)))
        elif isinstance(layer, nn.Unflatten):
            if layer.dim != 1:
                raise _refuse(i, layer, ": only Unflatten(1, size) (each row to one sample's shape)")
            stages.append(Reshape(name, layer.unflattened_size))
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
            width = _width(stages, i, layer)
            if relu_neuron == "if":
                stages.append(Population("if", width, name, relu=True))
            else:
                gain, bias, peak = relu_lif_fit(tau_ref, tau_m)
                stages.append(
                    Population("lif", width, name, tau_m, tau_ref, 1.0 / peak, gain=gain, bias=bias, relu=True)
                )
        elif isinstance(layer, (nn.MaxPool2d, nn.MaxPool1d)):
            raise _refuse(i, layer, ": max pooling is not a linear map of firing rates (use AvgPool2d)")
        else:
            raise _refuse(i, layer)
    if not any(isinstance(s, (Affine, Convolution)) for s in stages):
        raise TypeError(
            f"convert: the model has no Linear or Conv2d layer to convert; supported layers: {_supported()}"
        )
    return stages


def _width(stages: list, index: int, layer) -> int:
    if not stages or not isinstance(stages[-1], (Affine, Convolution)):
        raise _refuse(index, layer, ": an activation must follow a Linear or Conv2d layer")
    return stages[-1].width


def _as_batch(X) -> np.ndarray:
    return np.asarray(getattr(X, "data", X), dtype=np.float64)


def rate_forward(network: SpikingModel, X, dt: float = 1e-3, upto: int | None = None) -> np.ndarray:
    """The converted network evaluated with firing rates instead of spikes (the limit of a long presentation)."""
    a = _as_batch(X)
    for stage in network.stages[:upto]:
        if isinstance(stage, Population):
            a = stage.activation_per_hz(dt) * stage.rate(a, dt)
        else:
            a = stage.apply(a)
    return a


def _set_scale(stage: Population, scale: float, relu_neuron: str) -> None:
    """A ReLU population's data-based scale: IF neurons take z / scale per step; a LIF neuron's gain is divided
    by it (J = gain z / scale + bias) and its amplitude multiplied (the top rate reads out as ``scale``)."""
    if relu_neuron == "if":
        stage.scale = scale
    else:
        stage.gain, stage.amplitude = stage.gain / scale, stage.amplitude * scale
        stage.scale = scale


def convert(
    model,
    data=None,
    normalize: str | None = "percentile",
    percentile: float = 99.9,
    tau_s: float = 0.005,
    relu_neuron: str = "if",
    tau_ref: float = 0.002,
    tau_m: float = 0.02,
) -> SpikingModel:
    """Turn a trained Sequential into a :class:`SpikingModel` (run it with :func:`neuronlab.snn.simulate`).

    ``data``: training inputs for the data-based scale of ReLU layers (``normalize="max"`` or
    ``"percentile"``, the ``percentile``-th of each layer's positive activations); without data, or with
    ``normalize=None``, every scale is 1. ``relu_neuron``: ReLU units become integrate-and-fire (``"if"``) or
    LIF neurons (``"lif"``, with refractory period ``tau_ref`` and membrane time constant ``tau_m`` in
    seconds; LIFRate/SoftLIFRate layers keep their own). ``tau_s``: time constant (s) of the exponential
    post-synaptic current that filters each layer's spikes (0: no filtering).
    """
    if normalize is not None and normalize not in NORMALIZATIONS:
        raise ValueError(f"convert: normalize must be one of {NORMALIZATIONS} or None, got {normalize!r}")
    if relu_neuron not in RELU_NEURONS:
        raise ValueError(f"convert: relu_neuron must be one of {RELU_NEURONS}, got {relu_neuron!r}")
    if not (isinstance(tau_s, (int, float)) and math.isfinite(tau_s) and tau_s >= 0):
        raise ValueError(f"convert: tau_s must be a finite number >= 0 (seconds), got {tau_s!r}")
    if not (isinstance(tau_ref, (int, float)) and math.isfinite(tau_ref) and tau_ref >= 0):
        raise ValueError(f"convert: tau_ref must be a finite number >= 0 (seconds), got {tau_ref!r}")
    if not (isinstance(tau_m, (int, float)) and math.isfinite(tau_m) and tau_m > 0):
        raise ValueError(f"convert: tau_m must be a finite number > 0 (seconds), got {tau_m!r}")
    if not 0 < percentile <= 100:
        raise ValueError(f"convert: percentile must be in (0, 100], got {percentile!r}")
    stages = _stages(model, relu_neuron, float(tau_ref), float(tau_m))
    network = SpikingModel(stages, float(tau_s), source=type(model).__name__)
    relus = [k for k, stage in enumerate(stages) if isinstance(stage, Population) and stage.relu]
    if data is None or normalize is None:
        return network
    X = _as_batch(data)
    for k in relus:
        z = rate_forward(network, X, upto=k)  # earlier layers already scaled: activations in true units
        positive = z[z > 0]
        scale = (
            (positive.max() if normalize == "max" else np.percentile(positive, percentile)) if positive.size else 1.0
        )
        _set_scale(stages[k], float(scale), relu_neuron)
        network.scales[stages[k].name] = float(scale)
    return network
