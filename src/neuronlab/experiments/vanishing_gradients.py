"""vanishing-gradients: ||dE/dz(i)|| layer by layer for deep sigmoid and ReLU networks (notes 003 §6.1-6.2, 001).

Backpropagation through layer i multiplies the gradient by W(i)^T and by the activation's slope:
dE/dz(i) = sigma'(z(i)) * (dE/dz(i+1) W(i+1)^T). The logistic's slope is at most 1/4, so with weights scaled
to preserve the norm (Glorot) the gradient shrinks by about 4 per sigmoid layer; ReLU's slope is 1 on the
active half, which He's variance 2/N_in compensates, so the norm stays put. Networks of depth 5, 10, 15 and
20 (width 32, a Linear(32, 1) output, MSE on random targets) are measured with a GradientNormRecorder on one
batch of 256 samples.

The exploding case is the notes' chain of one-unit layers with weights 8 and biases that keep every input
current z at 0, the logistic's steepest point: each layer multiplies the gradient by 8 * 1/4 = 2, so
dE/dz(1) = 16 dE/dz(5) for 5 layers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn
from neuronlab.diagnostics import GradientNormRecorder
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.random import default_generator

WIDTH = 32
DEPTHS = (5, 10, 15, 20)
VARIANTS = {  # activation, weight initialization that preserves the forward variance for it
    "sigmoid": (nn.Sigmoid, lambda w: nn.init.xavier_normal_(w)),
    "relu": (nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")),
}


def deep_network(activation, init, depth: int) -> nn.Sequential:
    """``depth`` hidden layers Linear(WIDTH, WIDTH) + activation, then Linear(WIDTH, 1); biases zero."""
    layers = []
    for k in range(depth + 1):
        linear = nn.Linear(WIDTH, WIDTH if k < depth else 1)
        init(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()] if k < depth else [linear]
    return nn.Sequential(*layers)


def gradient_norms(model: nn.Module, X: np.ndarray, T: np.ndarray, loss_fn) -> list[float]:
    """||dE/dz|| at every Linear layer's output for one backward pass, input side first."""
    with GradientNormRecorder(model) as recorder:
        loss_fn(model(X), T).backward()
    return recorder.as_array()[0].tolist()


def exploding_chain(depth: int) -> nn.Sequential:
    """The notes' chain: one unit per layer, z(1) = 8 x - 8 (x = 1), z(i+1) = 8 sigma(z(i)) - 4: every z is 0."""
    layers = []
    for k in range(depth):
        linear = nn.Linear(1, 1, dtype=np.float64)
        nn.init.constant_(linear.weight, 8.0)
        nn.init.constant_(linear.bias, -8.0 if k == 0 else -4.0)
        layers += [linear, nn.Sigmoid()]
    return nn.Sequential(*layers[:-1])  # the last z goes to the loss as a logit


def per_layer_factor(norms: list[float], depth: int) -> float:
    """The geometric mean of ||dE/dz(i)|| / ||dE/dz(i+1)|| over the hidden layers 1..depth."""
    return float((norms[0] / norms[depth - 1]) ** (1 / (depth - 1)))


def draw(out: Path, norms: dict, chains: dict) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    colors = dict(zip(DEPTHS, ("tab:blue", "tab:orange", "tab:green", "tab:red")))
    for label, style in (("sigmoid", "-o"), ("relu", "--s")):
        for depth, values in norms[label].items():
            layers = np.arange(1, len(values) + 1)
            left.semilogy(
                layers,
                values,
                style,
                color=colors[int(depth)],
                markersize=3,
                linewidth=1,
                label=f"{label}, depth {depth}",
            )
    label_axes(
        left,
        "layer i (1 = input side; the last is the output layer)",
        "||dE/dz(i)||",
        "solid: sigmoid + Glorot, dashed: ReLU + He",
        legend_size=7,
        ncol=2,
    )
    for depth, values in chains.items():
        right.semilogy(np.arange(1, len(values) + 1), values, "-o", markersize=4, label=f"{depth} layers")
    label_axes(right, "layer i", "||dE/dz(i)||", "exploding: weights 8, z = 0 everywhere: x2 per layer")
    return save(figure, out, "vanishing_gradients.png")


@register(
    "vanishing-gradients",
    "Per-layer gradient norms: deep sigmoid vs ReLU (depth 5-20) and the exploding chain",
    "seed 003 sections 6.1-6.2, seed 001 (slope disappearance)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    rng = default_generator()
    samples = 64 if fast else 256
    X = rng.standard_normal((samples, WIDTH)).astype(np.float32)
    T = rng.standard_normal((samples, 1)).astype(np.float32)
    norms, factors, ratios = {}, {}, {}
    for label, (activation, init) in VARIANTS.items():
        norms[label] = {str(d): gradient_norms(deep_network(activation, init, d), X, T, nn.MSELoss()) for d in DEPTHS}
        factors[label] = {depth: per_layer_factor(v, int(depth)) for depth, v in norms[label].items()}
        ratios[label] = {depth: v[0] / v[int(depth) - 1] for depth, v in norms[label].items()}
    chains = {
        str(d): gradient_norms(exploding_chain(d), np.ones((1, 1)), np.zeros((1, 1)), nn.BCEWithLogitsLoss())
        for d in (5, 10)
    }
    chain_factors = {depth: [a / b for a, b in zip(v[:-1], v[1:])] for depth, v in chains.items()}
    deepest = str(DEPTHS[-1])
    summary = [
        "||dE/dz(1)|| / ||dE/dz(depth)||, sigmoid: "
        + ", ".join(f"depth {d} {r:.1e}" for d, r in ratios["sigmoid"].items()),
        "the same ratio, ReLU: " + ", ".join(f"depth {d} {r:.2g}" for d, r in ratios["relu"].items()),
        f"per-layer factor at depth {deepest}: sigmoid {factors['sigmoid'][deepest]:.3f} (slope <= 1/4), "
        f"ReLU {factors['relu'][deepest]:.3f}",
        f"exploding chain of 5: dE/dz(1) = {chains['5'][0] / chains['5'][-1]:.6g} dE/dz(5) (notes: 16)",
    ]
    return {
        "width": WIDTH,
        "depths": list(DEPTHS),
        "samples": samples,
        "norms": norms,
        "first_to_last_hidden_ratio": ratios,
        "per_layer_factor": factors,
        "exploding_chain_norms": chains,
        "exploding_chain_factors": chain_factors,
        "figures": [draw(out, norms, chains)],
        "summary": summary,
    }
