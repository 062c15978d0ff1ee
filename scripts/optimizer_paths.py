"""Draw the notes' optimizer comparison (000 §6): GD, Momentum, Nesterov, AdaGrad, RMSprop and Adam minimizing
f(x, y) = x^2 + 100 y^2 from (10, 1), each run with neuronlab.optim on a two-element parameter.

    .venv/bin/python scripts/optimizer_paths.py            # writes docs/figures/optimizer_paths.png

The valley is 100 times steeper across (y) than along (x): plain gradient descent must keep lr < 2/200 to stay
stable in y and then crawls along x; momentum builds speed along x; the adaptive methods rescale each coordinate.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from neuronlab import optim
from neuronlab.autograd.tensor import Tensor
from neuronlab.nn import Parameter

START = (10.0, 1.0)
METHODS = {  # label: (optimizer class, arguments)
    "GD": (optim.SGD, dict(lr=0.004)),
    "Momentum": (optim.SGD, dict(lr=0.004, momentum=0.9)),
    "Nesterov": (optim.SGD, dict(lr=0.004, momentum=0.9, nesterov=True)),
    "AdaGrad": (optim.Adagrad, dict(lr=1.0)),
    "RMSprop": (optim.RMSprop, dict(lr=0.1, alpha=0.9)),
    "Adam": (optim.Adam, dict(lr=0.3, betas=(0.9, 0.999))),
}


def f(x, y):
    return x ** 2 + 100 * y ** 2


def path(optimizer_class, options: dict, steps: int) -> np.ndarray:
    """The points visited, starting point included: shape (steps + 1, 2)."""
    theta = Parameter(np.array(START))
    optimizer = optimizer_class([theta], **options)
    points = [theta.data.copy()]
    for _ in range(steps):
        theta.grad = Tensor(np.array([2.0, 200.0]) * theta.data)  # grad f = (2x, 200y)
        optimizer.step()
        points.append(theta.data.copy())
    return np.array(points)


def draw(output: Path, steps: int) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs, ys = np.meshgrid(np.linspace(-11, 11, 300), np.linspace(-1.6, 1.6, 200))
    figure, axes = plt.subplots(2, 3, figsize=(12, 6), sharex=True, sharey=True)
    for ax, (label, (optimizer_class, options)) in zip(axes.ravel(), METHODS.items()):
        points = path(optimizer_class, options, steps)
        ax.contour(xs, ys, f(xs, ys), levels=np.geomspace(0.5, 300, 12), colors="0.75", linewidths=0.7)
        ax.plot(points[:, 0], points[:, 1], "-o", color="tab:red", markersize=2.2, linewidth=0.9)
        ax.plot(0, 0, "k+", markersize=10)
        ax.set_xlim(-11, 11)
        ax.set_ylim(-1.6, 1.6)
        arguments = ", ".join(f"{k}={v}" for k, v in options.items() if k != "nesterov")
        ax.set_title(f"{label} ({arguments})\nf after {steps} steps: {f(*points[-1]):.2g}", fontsize=9)
    for ax in axes[1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    figure.suptitle(f"f(x, y) = x² + 100 y² from (10, 1), {steps} steps of neuronlab.optim", fontsize=11)
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=80)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path,
                        default=Path(__file__).resolve().parent.parent / "docs" / "figures" / "optimizer_paths.png")
    parser.add_argument("--steps", type=int, default=100)
    arguments = parser.parse_args()
    draw(arguments.output, arguments.steps)
    print(f"wrote {arguments.output} ({arguments.output.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
