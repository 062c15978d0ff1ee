"""optimizer-paths: GD, Momentum, Nesterov, AdaGrad, RMSprop and Adam on f(x, y) = x^2 + 100 y^2 (notes 000 §6).

The valley is 100 times steeper across (y) than along (x). Each method runs with ``neuronlab.optim`` on a
two-element Parameter from (10, 1); its learning rate is tuned on a log grid (the one that reaches
f < 1e-6 in the fewest steps; for a method that never does, the one with the lowest f at the end), the
momentum coefficient stays at the usual 0.9 and RMSprop's alpha at 0.9. Plain gradient descent must keep
lr < 2/200 to be stable across the valley and then crawls along it; momentum builds speed along the floor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from neuronlab import optim
from neuronlab.autograd import Tensor
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.nn import Parameter

START = (10.0, 1.0)
TOLERANCE = 1e-6
METHODS: dict[
    str, tuple[type[optim.Optimizer], dict[str, Any]]
] = {  # label: (optimizer class, fixed arguments); lr is tuned
    "GD": (optim.SGD, {}),
    "Momentum": (optim.SGD, {"momentum": 0.9}),
    "Nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "AdaGrad": (optim.Adagrad, {}),
    "RMSprop": (optim.RMSprop, {"alpha": 0.9}),
    "Adam": (optim.Adam, {"betas": (0.9, 0.999)}),
}
SAME_LR = 0.004  # the notes' figure compares GD and Momentum at one learning rate


def f(x, y):
    """The notes' f(x, y) = x^2 + 100 y^2; its gradient is (2x, 200y)."""
    return x**2 + 100 * y**2


def path(optimizer_class, options: dict, steps: int, stop_below: float | None = None) -> np.ndarray:
    """The points visited from START, starting point included: shape (steps + 1, 2), or fewer rows when f falls
    below ``stop_below`` or the iteration diverges (f > 1e12)."""
    theta = Parameter(np.array(START))
    optimizer = optimizer_class([theta], **options)
    points = [theta.data.copy()]
    for _ in range(steps):
        theta.grad = Tensor(np.array([2.0, 200.0]) * theta.data)  # grad f = (2x, 200y)
        optimizer.step()
        points.append(theta.data.copy())
        value = f(*theta.data)
        if not value < 1e12 or (stop_below is not None and value < stop_below):
            break
    return np.array(points)


def steps_to_tolerance(points: np.ndarray, tolerance: float = TOLERANCE) -> int | None:
    """The first step k with f(points[k]) < tolerance, or None."""
    below = np.flatnonzero(f(points[:, 0], points[:, 1]) < tolerance)
    return int(below[0]) if below.size else None


def tune(optimizer_class, options: dict, learning_rates, max_steps: int) -> dict:
    """The learning rate reaching f < TOLERANCE in the fewest steps (else: the lowest final f), with its numbers."""
    best = None
    for lr in learning_rates:
        points = path(optimizer_class, {**options, "lr": float(lr)}, max_steps, stop_below=TOLERANCE)
        steps, final = steps_to_tolerance(points), float(f(*points[-1]))
        key = (0, steps) if steps is not None else (1, final if np.isfinite(final) else np.inf)
        if best is None or key < best[0]:
            best = (key, {"lr": float(lr), "steps_to_tolerance": steps, "final_f": final})
    if best is None:
        raise ValueError("tune() needs at least one learning rate")
    return best[1]


def draw_paths(output: Path, runs: dict, steps: int) -> str:
    """Contours of f with each method's first ``steps`` steps; ``runs``: label -> (options incl. lr, tuned numbers)."""
    plt = pyplot()
    xs, ys = np.meshgrid(np.linspace(-11, 11, 300), np.linspace(-1.6, 1.6, 200))
    figure, axes = plt.subplots(2, 3, figsize=(12, 6), sharex=True, sharey=True)
    for ax, (label, (optimizer_class, options, numbers)) in zip(axes.ravel(), runs.items()):
        points = path(optimizer_class, options, steps)
        ax.contour(xs, ys, f(xs, ys), levels=np.geomspace(0.5, 300, 12), colors="0.75", linewidths=0.7)
        ax.plot(points[:, 0], points[:, 1], "-o", color="tab:red", markersize=2.2, linewidth=0.9)
        ax.plot(0, 0, "k+", markersize=10)
        ax.set_xlim(-11, 11)
        ax.set_ylim(-1.6, 1.6)
        arguments = ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in options.items() if k != "nesterov"
        )
        reached = numbers["steps_to_tolerance"]
        reached = f"f < 1e-6 after {reached} steps" if reached is not None else "never f < 1e-6"
        ax.set_title(f"{label} ({arguments})\nf after {steps} steps: {f(*points[-1]):.2g}; {reached}", fontsize=9)
    for ax in axes[1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    return save(
        figure,
        output.parent,
        output.name,
        suptitle=f"f(x, y) = x² + 100 y² from (10, 1), first {steps} steps, tuned learning rates",
    )


def draw_convergence(output: Path, runs: dict, max_steps: int) -> str:
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(7, 4.2))
    for label, (optimizer_class, options, _) in runs.items():
        points = path(optimizer_class, options, max_steps, stop_below=TOLERANCE * 1e-2)
        ax.semilogy(f(points[:, 0], points[:, 1]) + 1e-300, label=f"{label} (lr={options['lr']:.3g})", linewidth=1.2)
    ax.axhline(TOLERANCE, color="k", linestyle=":", linewidth=0.8)
    ax.set_ylim(1e-9, 1e4)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(0, max_steps)
    label_axes(ax, "step", "f(x, y)", "f along each path; dotted: the tolerance 1e-6")
    return save(figure, output.parent, output.name)


def tuned_runs(fast: bool = False) -> tuple[dict, int]:
    """Tune every method; returns ({label: (class, options with the tuned lr, numbers)}, max_steps)."""
    max_steps = 1500 if fast else 3000
    grid = 10 ** np.linspace(-4, 0.5, 10 if fast else 37)  # 1e-4 .. 3.2
    runs = {}
    for label, (optimizer_class, options) in METHODS.items():
        numbers = tune(optimizer_class, options, grid, max_steps)
        runs[label] = (optimizer_class, {**options, "lr": numbers["lr"]}, numbers)
    return runs, max_steps


@register(
    "optimizer-paths",
    "GD, Momentum, Nesterov, AdaGrad, RMSprop, Adam on x^2 + 100 y^2: paths, steps to f < 1e-6",
    "seed 000 section 6 (6.1 Momentum, 6.2 Adam)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    runs, max_steps = tuned_runs(fast)
    same_lr = {
        label: steps_to_tolerance(
            path(METHODS[label][0], {**METHODS[label][1], "lr": SAME_LR}, max_steps, stop_below=TOLERANCE)
        )
        for label in ("GD", "Momentum")
    }
    figures = [
        draw_paths(out / "optimizer_paths.png", runs, 100),
        draw_convergence(out / "optimizer_convergence.png", runs, max_steps),
    ]
    methods = {label: numbers for label, (_, _, numbers) in runs.items()}
    reached = {label: n for label, n in methods.items() if n["steps_to_tolerance"] is not None}
    summary = [
        "steps to f < 1e-6 at the tuned lr: "
        + ", ".join(f"{label} {n['steps_to_tolerance']}" for label, n in reached.items()),
        "tuned lr: " + ", ".join(f"{label} {n['lr']:.3g}" for label, n in methods.items()),
    ]
    summary += [
        f"{label} never gets below 1e-6 in {max_steps} steps (best final f = {n['final_f']:.2g})"
        for label, n in methods.items()
        if label not in reached
    ]
    summary.append(f"same lr {SAME_LR}: GD {same_lr['GD']} steps, Momentum {same_lr['Momentum']} steps")
    return {
        "start": list(START),
        "tolerance": TOLERANCE,
        "max_steps": max_steps,
        "methods": methods,
        "same_lr": {"lr": SAME_LR, **same_lr},
        "figures": figures,
        "summary": summary,
    }
