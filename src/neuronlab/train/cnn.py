"""The convolutional network the CLI trains (``--model cnn``; notes 002, "parameter sharing and CNNs"):
a LeNet-style stack sized to the input.

For images (C, H, W): per entry of ``channels``, Conv2d(k, padding "same") -> [BatchNorm2d] -> activation ->
MaxPool2d(2), or AvgPool2d(2) with ``pooling="avg"`` (while the map is at least 2 pixels wide); then Flatten and
the ``hidden`` Linear layers of an MLP down to the outputs. For inputs of 20 pixels or more k = 5, channels
(6, 16) and hidden (120, 84) (LeNet-5 on 28 x 28 MNIST), else k = 3, channels (16, 32) and one hidden layer of 64 (8 x 8 digits). Signals (C, L) get the same with Conv1d / MaxPool1d. With ``flat_input`` the model starts with
Unflatten, so it takes the rows (n, C*H*W) that the datasets and loaders yield for MLPs. Average pooling is
linear, so a ReLU CNN with it converts to spiking neurons (:func:`neuronlab.snn.convert`); max pooling does not.

Initialization as ``build_mlp``'s (``he`` by default: W ~ N(0, 2 / fan_in), fan_in = C_in * k * k for a
convolution; biases 0).
"""

from __future__ import annotations

import math

from neuronlab import nn
from neuronlab.train.mlp import _GAIN_NAME, ACTIVATIONS, INITS, _initialize


def build_cnn(
    input_shape,
    n_classes: int,
    *,
    channels=None,
    hidden=None,
    kernel_size: int | None = None,
    activation: str = "relu",
    init: str = "he",
    batchnorm: bool = False,
    dropout: float = 0.0,
    flat_input: bool = True,
    pooling: str = "max",
) -> nn.Sequential:
    """A LeNet-style CNN for inputs of ``input_shape`` ((C, H, W) images or (C, L) signals) and ``n_classes``
    outputs (logits), as an ``nn.Sequential``."""
    shape = tuple(int(n) for n in input_shape)
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError(
            f"build_cnn: input_shape must be (C, H, W) or (C, L), got {input_shape!r} (grey (H, W) "
            "images: data.channels_first(image_shape))"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(f"build_cnn: unknown activation {activation!r}; expected one of {', '.join(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"build_cnn: unknown init {init!r}; expected one of {', '.join(INITS)}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"build_cnn: dropout must be a probability in [0, 1), got {dropout!r}")
    if pooling not in ("max", "avg"):
        raise ValueError(f"build_cnn: pooling must be 'max' or 'avg', got {pooling!r}")
    images = len(shape) == 3
    conv, norm = (nn.Conv2d, nn.BatchNorm2d) if images else (nn.Conv1d, nn.BatchNorm1d)
    pool = {"max": (nn.MaxPool2d, nn.MaxPool1d), "avg": (nn.AvgPool2d, nn.AvgPool1d)}[pooling][0 if images else 1]
    spatial = list(shape[1:])
    small = min(spatial) < 20
    k = kernel_size if kernel_size is not None else (3 if small else 5)
    if channels is None:  # LeNet-5's 6 and 16 maps; wider for small images, whose maps hold few positions
        channels = (16, 32) if small else (6, 16)
    if hidden is None:
        hidden = (64,) if small else (120, 84)
    if int(n_classes) < 1 or not channels or any(int(c) < 1 for c in channels):
        raise ValueError(f"build_cnn: n_classes and channels must be positive, got {n_classes!r} and {channels!r}")
    layers: list[nn.Module] = [nn.Unflatten(1, shape)] if flat_input else []
    c_in = shape[0]
    for c_out in (int(c) for c in channels):
        layer = conv(c_in, c_out, k, padding="same")
        _initialize(layer, init, _GAIN_NAME[activation])
        layers.append(layer)
        if batchnorm:
            layers.append(norm(c_out))
        layers.append(ACTIVATIONS[activation]())
        if min(spatial) >= 2:
            layers.append(pool(2))
            spatial = [n // 2 for n in spatial]
        c_in = c_out
    layers.append(nn.Flatten())
    sizes = [c_in * math.prod(spatial), *(int(h) for h in hidden)]
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        linear = nn.Linear(n_in, n_out)
        _initialize(linear, init, _GAIN_NAME[activation])
        layers += [linear, ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    output = nn.Linear(sizes[-1], int(n_classes))
    _initialize(output, init, "linear")
    layers.append(output)
    return nn.Sequential(*layers)
