"""The multilayer perceptron the CLI trains (notes 000 §5): Linear -> [BatchNorm1d] -> activation ->
[Dropout] per hidden layer, then a Linear output layer (logits for classification, values for regression).

Initialization (notes 000 §7, 004 "weight initialization"): ``he`` draws W ~ N(0, gain^2 / N_in) with the
activation's gain (2 / N_in for ReLU), ``xavier`` U(-a, a) with a = sqrt(6 / (N_in + N_out)),
``lecun`` N(0, 1 / N_in), ``default`` keeps PyTorch's U(-1/sqrt(N_in), 1/sqrt(N_in)); biases start at 0
except with ``default``. The output layer is linear, so it gets gain 1.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from neuronlab import nn

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "gelu": nn.GELU,
}
# Spiking bridge (issue 15): the smoothed LIF tuning curve, rates of up to 500 Hz as activations of up to 5
ACTIVATIONS["softlif"] = partial(nn.SoftLIFRate, amplitude=0.01)
INITS = ("he", "xavier", "lecun", "default")
_GAIN_NAME = {
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "elu": "relu",
    "gelu": "relu",
    "softlif": "relu",
}


def _initialize(layer: nn.Linear | nn.Conv1d | nn.Conv2d, init: str, nonlinearity: str) -> None:
    if init == "default":
        return
    if init == "he":
        nn.init.kaiming_normal_(layer.weight, nonlinearity=nonlinearity)
    elif init == "xavier":
        nn.init.xavier_uniform_(layer.weight)
    else:
        nn.init.lecun_normal_(layer.weight)
    nn.init.zeros_(layer.bias)


def build_mlp(
    in_features: int,
    hidden: tuple[int, ...] | list[int],
    out_features: int,
    *,
    activation: str = "relu",
    init: str = "he",
    batchnorm: bool = False,
    dropout: float = 0.0,
) -> nn.Sequential:
    """An MLP ``in_features -> hidden[0] -> ... -> out_features`` as an ``nn.Sequential`` (weights drawn from
    the library's generator, so ``neuronlab.manual_seed`` fixes them)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {', '.join(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITS)}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    sizes = [int(in_features), *(int(h) for h in hidden)]
    if any(s < 1 for s in sizes) or out_features < 1:
        raise ValueError(f"layer sizes must be positive integers, got {sizes + [out_features]}")
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        linear = nn.Linear(n_in, n_out)
        _initialize(linear, init, _GAIN_NAME[activation])
        layers.append(linear)
        if batchnorm:
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    output = nn.Linear(sizes[-1], int(out_features))
    _initialize(output, init, "linear")
    layers.append(output)
    return nn.Sequential(*layers)
