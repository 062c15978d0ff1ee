"""init-histograms: activations through a 5-layer network for four weight scales (notes 000 §7.1-7.2).

1,000 standard-normal samples of width 100 pass through 5 layers Linear(100, 100) + activation (sigmoid or
ReLU), biases zero, weights drawn with standard deviation 1, standard deviation 0.01, Glorot's variance
2/(N_in + N_out) or He's 2/N_in. An ActivationRecorder collects every layer's output. A layer multiplies the
variance of its input by about N_in Var(W) (times 1/2 for ReLU, which zeroes half of it): He's choice keeps
ReLU's spread constant, 0.01 shrinks it by a factor ~14 per layer, 1 with sigmoid drives the input currents
to about +-10 where the logistic is flat, so its outputs pile up at 0 and 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn
from neuronlab.autograd import no_grad
from neuronlab.diagnostics import ActivationRecorder
from neuronlab.experiments._plotting import pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.random import default_generator

WIDTH, DEPTH = 100, 5
INITS = {
    "std 1": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "std 0.01": lambda w: nn.init.normal_(w, 0.0, 0.01),
    "Glorot": lambda w: nn.init.xavier_normal_(w),
    "He": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
}
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
SATURATION = 0.01  # a sigmoid output within 0.01 of 0 or 1: slope y(1 - y) < 0.01, a 25th of its maximum


def network(activation, init) -> nn.Sequential:
    layers = []
    for _ in range(DEPTH):
        linear = nn.Linear(WIDTH, WIDTH)
        init(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
    return nn.Sequential(*layers)


def layer_outputs(activation, init, X: np.ndarray) -> list[np.ndarray]:
    """The outputs of the 5 activation layers for input X."""
    model = network(activation, init)
    with ActivationRecorder(model, layer_types=activation) as recorder, no_grad():
        model(X)
    return [recorder.activations(name) for name in recorder.layer_names]


def draw(out: Path, name: str, label: str, outputs: dict) -> str:
    plt = pyplot()
    figure, axes = plt.subplots(len(outputs), DEPTH, figsize=(11, 7.5))
    for row, (init, layers) in zip(axes, outputs.items()):
        positive = np.concatenate([a[a > 0] for a in layers])
        top = 1.0 if label == "sigmoid" else float(np.percentile(positive, 99.5)) if positive.size else 1.0
        for k, (ax, values) in enumerate(zip(row, layers)):
            shown = values if label == "sigmoid" else values[values > 0]
            ax.hist(shown.ravel(), bins=30, range=(0, top), color="tab:blue")
            note = f"std {values.std():.2g}" + ("" if label == "sigmoid" else f"\n{np.mean(values == 0):.0%} zeros")
            ax.text(
                0.97,
                0.95,
                note,
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=7,
                bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0},
            )
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
            if k == 0:
                ax.set_ylabel(init, fontsize=9)
            if row is axes[0]:
                ax.set_title(f"layer {k + 1}", fontsize=9)
    what = "outputs in [0, 1]" if label == "sigmoid" else "positive outputs (the zeros are counted in the corner)"
    figure.suptitle(f"{label}: histograms of each layer's {what}; 5 layers of width {WIDTH}, biases 0", fontsize=10)
    return save(figure, out, name, dpi=70)


@register(
    "init-histograms",
    "Activation histograms through 5 layers: std 1, std 0.01, Glorot, He (sigmoid and ReLU)",
    "seed 000 section 7.1-7.2 (He and Glorot initialization)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    X = default_generator().standard_normal((300 if fast else 1000, WIDTH)).astype(np.float32)
    std, saturated, zeros, figures = {}, {}, {}, []
    for label, activation in ACTIVATIONS.items():
        outputs = {init: layer_outputs(activation, fill, X) for init, fill in INITS.items()}
        std[label] = {init: [float(a.std()) for a in layers] for init, layers in outputs.items()}
        if label == "sigmoid":
            saturated = {
                init: [float(np.mean(np.abs(a - 0.5) > 0.5 - SATURATION)) for a in layers]
                for init, layers in outputs.items()
            }
        else:
            zeros = {init: [float(np.mean(a == 0)) for a in layers] for init, layers in outputs.items()}
        figures.append(draw(out, f"init_histograms_{label}.png", label, outputs))
    ratio = {init: values[-1] / values[0] for init, values in std["relu"].items()}
    summary = [
        "ReLU std, layer 1 -> 5: " + ", ".join(f"{init} {v[0]:.3g} -> {v[-1]:.3g}" for init, v in std["relu"].items()),
        f"He keeps ReLU's std (ratio {ratio['He']:.2f}); std 0.01 collapses it (ratio {ratio['std 0.01']:.1e})",
        "sigmoid outputs within 0.01 of 0 or 1: "
        + ", ".join(f"{init} {min(v):.0%}-{max(v):.0%}" for init, v in saturated.items()),
    ]
    return {
        "samples": len(X),
        "width": WIDTH,
        "depth": DEPTH,
        "std": std,
        "relu_std_ratio_last_to_first": ratio,
        "sigmoid_saturated_fraction": saturated,
        "relu_zero_fraction": zeros,
        "figures": figures,
        "summary": summary,
    }
