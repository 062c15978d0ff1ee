"""The spiking network the CLI trains (``--model snn``; issue 15's third road): an encoder turns each input
into spike trains over ``steps`` time steps, then per hidden size a Linear layer feeds a discrete-time LIF
layer (``nn.SpikingLIF``: beta 0.9, threshold 1, reset by subtraction, fast-sigmoid surrogate), and a last
Linear + SpikingLIF layer gives one spiking neuron per class; ``nn.SpikeCount`` sums its spikes over time,
the logits of the cross-entropy. Training is backpropagation through time. Initialization as ``build_mlp``'s with gain 1 (``he``: W ~ N(0,
1 / fan_in)): the ReLU gain of 2 makes most neurons fire at every step from the start, where the surrogate
gradient is small.

Encodings (:mod:`neuronlab.snn.encode`): ``rate`` draws a Bernoulli spike per step with probability x (a
fresh draw at every call, so scores vary slightly between evaluations); ``latency`` fires once per input at
step (1 - x) (steps - 1), earlier for brighter inputs (deterministic); one spike per input seldom drives
the class neurons over threshold at the start, so that their counts are all 0 and the loss constant, so with
latency the last layer is a leaky integrator that never spikes (``SpikingLIF(threshold=inf)``) and the
logits are its membrane potential summed over the steps. Both take intensities in [0, 1]: the
run scales the inputs with min-max fitted on the training split, and the encoder clips to [0, 1] the values
of new data that fall outside the training range.
"""

from __future__ import annotations

from neuronlab import nn
from neuronlab.snn.encode import LatencyEncoder, RateEncoder
from neuronlab.train.mlp import INITS, _initialize

ENCODINGS = ("rate", "latency")


def build_snn(
    in_features: int,
    hidden: tuple[int, ...] | list[int],
    out_features: int,
    *,
    steps: int = 25,
    encoding: str = "rate",
    init: str = "he",
    beta: float = 0.9,
) -> nn.Sequential:
    """Encoder -> (Linear -> SpikingLIF) per hidden size -> Linear -> SpikingLIF -> SpikeCount, taking rows
    (N, in_features) of intensities and returning spike counts (N, out_features) (with ``encoding="latency"``
    the summed membrane potential of a last layer that never spikes)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"build_snn: encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    if init not in INITS:
        raise ValueError(f"build_snn: unknown init {init!r}; expected one of {', '.join(INITS)}")
    sizes = [int(in_features), *(int(h) for h in hidden), int(out_features)]
    if any(s < 1 for s in sizes):
        raise ValueError(f"build_snn: layer sizes must be positive integers, got {sizes}")
    encoder = RateEncoder(steps, clamp=True) if encoding == "rate" else LatencyEncoder(steps, linear=True, clamp=True)
    layers: list[nn.Module] = [encoder]
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        _initialize(linear, init, "linear")
        readout = k == len(sizes) - 2 and encoding == "latency"
        layers += [linear, nn.SpikingLIF(beta=beta, threshold=float("inf") if readout else 1.0)]
    layers.append(nn.SpikeCount())
    return nn.Sequential(*layers)
