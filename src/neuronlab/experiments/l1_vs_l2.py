"""l1-vs-l2: where an L2 and an L1 penalty move the minimizer of f(w1, w2) = (w1 - 3)^2 + 4 (w2 - 6)^2
(notes 000 §9.1, "Sparsification effect of L1 regularization").

With + (w1^2 + w2^2) the minimizer moves to (3/2, 24/5) = (1.5, 4.8): both weights shrink, neither vanishes.
With + 10 (|w1| + |w2|) each coordinate is soft-thresholded, w_i = sign(c_i) max(|c_i| - 10 / (2 a_i), 0) for
f = sum_i a_i (w_i - c_i)^2: w1 = max(3 - 5, 0) = 0 exactly, w2 = 6 - 10/8 = 4.75 -- the sparsity of L1.

The optimizers run on a two-element Parameter from the unregularized minimum (3, 6): the loss is f plus
``nn.functional.l2_penalty``/``l1_penalty`` differentiated by autograd. L1's gradient alpha sign(w) flips at
w1 = 0, so a constant step keeps w1 oscillating around 0 with an amplitude of about lr * 16; the subgradient
runs therefore decay the learning rate geometrically (ExponentialLR) until the amplitude is below 1e-3. The
proximal-gradient run (ISTA: a gradient step on f, then the soft-thresholding of the penalty) lands on 0
exactly with a constant step. SciPy cross-checks the closed forms (L1 as a smooth bound-constrained problem
in w = u - v, u, v >= 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import optim
from neuronlab.autograd import no_grad
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.nn import Parameter
from neuronlab.nn.functional import l1_penalty, l2_penalty
from neuronlab.optim.lr_scheduler import ExponentialLR

CENTRE, CURVATURE = np.array([3.0, 6.0]), np.array([1.0, 4.0])  # f = sum_i a_i (w_i - c_i)^2
L2_ALPHA, L1_ALPHA = 1.0, 10.0
START = (3.0, 6.0)


def f(w1, w2):
    return (w1 - 3) ** 2 + 4 * (w2 - 6) ** 2


def closed_form(penalty: str) -> np.ndarray:
    """The exact minimizer of f + alpha * penalty (both problems separate into one-dimensional ones)."""
    if penalty == "l2":  # a (w - c)^2 + alpha w^2:  w = a c / (a + alpha)
        return CURVATURE * CENTRE / (CURVATURE + L2_ALPHA)
    shrunk = np.abs(CENTRE) - L1_ALPHA / (2 * CURVATURE)  # soft threshold
    return np.sign(CENTRE) * np.maximum(shrunk, 0.0)


def scipy_minimizer(penalty: str) -> np.ndarray:
    from scipy.optimize import minimize

    if penalty == "l2":
        result = minimize(lambda w: f(*w) + L2_ALPHA * w @ w, np.array(START), method="BFGS", tol=1e-12)
        return result.x

    def smooth(z):  # w = u - v with u, v >= 0: |w| = u + v at the optimum
        u, v = z[:2], z[2:]
        w = u - v
        gradient_f = 2 * CURVATURE * (w - CENTRE)
        return f(*w) + L1_ALPHA * z.sum(), np.concatenate([gradient_f + L1_ALPHA, -gradient_f + L1_ALPHA])

    result = minimize(
        smooth,
        np.concatenate([np.array(START), np.zeros(2)]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * 4,
        options={"ftol": 1e-15, "gtol": 1e-12},
    )
    return result.x[:2] - result.x[2:]


def objective(w: Parameter, penalty: str | None):
    loss = (w[0] - 3) ** 2 + 4 * (w[1] - 6) ** 2
    if penalty == "l2":
        loss = loss + l2_penalty(w, L2_ALPHA, weights_only=False)
    elif penalty == "l1":
        loss = loss + l1_penalty(w, L1_ALPHA, weights_only=False)
    return loss


def minimize_with(
    optimizer_class, options: dict, penalty: str, steps: int, gamma: float = 1.0, proximal: bool = False
) -> np.ndarray:
    """Run ``steps`` optimizer steps from START; returns the path (steps + 1, 2).

    ``gamma < 1`` decays the learning rate by that factor per step. ``proximal=True`` (L1 only) steps on f
    alone and then applies the penalty's proximal map w <- sign(w) max(|w| - lr alpha, 0).
    """
    w = Parameter(np.array(START))
    optimizer = optimizer_class([w], **options)
    scheduler = ExponentialLR(optimizer, gamma) if gamma < 1 else None
    path = [w.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        objective(w, None if proximal else penalty).backward()
        optimizer.step()
        if proximal:
            threshold = optimizer.param_groups[0]["lr"] * L1_ALPHA
            with no_grad():
                w.copy_(np.sign(w.data) * np.maximum(np.abs(w.data) - threshold, 0.0))
        if scheduler is not None:
            scheduler.step()
        path.append(w.data.copy())
    return np.array(path)


RUNS = {  # label: (penalty, optimizer class, options, lr decay per step, proximal)
    "L2, GD": ("l2", optim.SGD, {"lr": 0.05}, 1.0, False),
    "L2, Momentum": ("l2", optim.SGD, {"lr": 0.02, "momentum": 0.9}, 1.0, False),
    "L2, Adam": ("l2", optim.Adam, {"lr": 0.1}, 0.995, False),
    "L1, subgradient GD": ("l1", optim.SGD, {"lr": 0.05}, 0.99, False),
    "L1, subgradient Adam": ("l1", optim.Adam, {"lr": 0.1}, 0.99, False),
    "L1, proximal GD": ("l1", optim.SGD, {"lr": 0.05}, 1.0, True),
}


def draw(out: Path, paths: dict, minimizers: dict) -> str:
    plt = pyplot()
    w1, w2 = np.meshgrid(np.linspace(-2.5, 6, 300), np.linspace(-1, 9, 300))
    figure, axes = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
    penalties = {
        "l2": (L2_ALPHA * (w1**2 + w2**2), "w1² + w2²"),
        "l1": (L1_ALPHA * (np.abs(w1) + np.abs(w2)), "10 (|w1| + |w2|)"),
    }
    for ax, (penalty, (omega, label)) in zip(axes, penalties.items()):
        levels = np.array([0.5, 2, 5, 10, 20, 40, 80])
        ax.contour(w1, w2, f(w1, w2), levels=levels, colors="k", linestyles="dashed", linewidths=0.6)
        ax.contour(w1, w2, omega, levels=8, colors="tab:red", linestyles="dashed", linewidths=0.6)
        total = f(w1, w2) + omega
        best = f(*minimizers[penalty]) + (
            L2_ALPHA * minimizers[penalty] @ minimizers[penalty]
            if penalty == "l2"
            else L1_ALPHA * np.abs(minimizers[penalty]).sum()
        )
        ax.contour(w1, w2, total, levels=best + np.array([0.3, 2, 6, 15, 30]), colors="k", linewidths=1.0)
        for run, path in paths.items():
            if RUNS[run][0] == penalty:
                ax.plot(path[:, 0], path[:, 1], "-", linewidth=1.0, alpha=0.8, label=run)
        ax.plot(*CENTRE, "ko", markersize=4)
        ax.plot(*minimizers[penalty], "ko", markersize=9, fillstyle="none", markeredgewidth=1.5)
        ax.axvline(0, color="0.7", linewidth=0.6)
        ax.axhline(0, color="0.7", linewidth=0.6)
        m = minimizers[penalty]
        ax.set_aspect("equal")
        label_axes(ax, "w1", None, f"f + {label}: minimizer ({m[0]:.3g}, {m[1]:.3g})", legend_size=7, loc="lower right")
    axes[0].set_ylabel("w2")
    figure.suptitle(
        "dashed black: f; dashed red: the penalty; solid: f + penalty; small dot: min f, circle: the penalized minimum",
        fontsize=9,
    )
    return save(figure, out, "l1_vs_l2.png")


@register(
    "l1-vs-l2",
    "Minimizers of (w1-3)^2 + 4(w2-6)^2 with an L2 vs an L1 penalty: L1 puts w1 at 0",
    "seed 000 section 9.1 (parameter norm penalty, sparsification effect of L1)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    steps = 800 if fast else 1500
    exact = {penalty: closed_form(penalty) for penalty in ("l2", "l1")}
    reference = {penalty: scipy_minimizer(penalty) for penalty in ("l2", "l1")}
    paths, runs = {}, {}
    for label, (penalty, optimizer_class, options, gamma, proximal) in RUNS.items():
        paths[label] = minimize_with(optimizer_class, options, penalty, steps, gamma, proximal)
        w = paths[label][-1]
        runs[label] = {
            "penalty": penalty,
            "lr": options["lr"],
            "lr_decay_per_step": gamma,
            "proximal": proximal,
            "minimizer": w.tolist(),
            "max_error": float(np.max(np.abs(w - exact[penalty]))),
        }
    summary = [
        f"closed form: L2 ({exact['l2'][0]:.4g}, {exact['l2'][1]:.4g}), "
        f"L1 ({exact['l1'][0]:.4g}, {exact['l1'][1]:.4g}); "
        f"SciPy agrees to {max(np.max(np.abs(reference[p] - exact[p])) for p in exact):.1e}",
        "optimizers, |w - exact|: " + ", ".join(f"{label} {r['max_error']:.1e}" for label, r in runs.items()),
        "L1 runs end at |w1| = "
        + ", ".join(f"{abs(r['minimizer'][0]):.1e}" for r in runs.values() if r["penalty"] == "l1")
        + " (sparse); L2 keeps w1 = 1.5",
    ]
    return {
        "steps": steps,
        "closed_form": {p: v.tolist() for p, v in exact.items()},
        "scipy": {p: v.tolist() for p, v in reference.items()},
        "runs": runs,
        "figures": [draw(out, paths, exact)],
        "summary": summary,
    }
