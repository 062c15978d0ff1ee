"""universal-approximation: one hidden layer of N sigmoid units approximates a continuous function on [0, 1]
(notes 003 §2.2, Theorem 2.1, and its constructive proof).

The target, f(x) = sin(2 pi x) + |x - 0.6| / 2, is continuous but not differentiable at 0.6.

1. Trained: G(x) = sum_j alpha_j sigma(w_j x + theta_j) + c as a Linear(1, N) -> Sigmoid -> Linear(N, 1)
   network fitted by Adam (full batch, 200 points, cosine-decayed learning rate; the hidden weights start as
   soft steps, slopes +-U(5, 20), placed uniformly in [0, 1]). Max error on 2,001 points vs N.
2. Constructed, as in the proof: a steep logistic sigma(w (x - b)) is a step H(x; b); two make a piece
   P(x; b, delta) = H(x; b) - H(x; b + delta); G(x) = sum_j f(a_j) P(x; a_j, delta) with a_j = j delta and
   delta = 1/N (the outer steps moved to -delta and 1 + delta so no step falls inside [0, 1] at its ends) is a
   network with 2N hidden units whose weights are written down, not learned. On each piece |f(x) - f(a_j)| is
   at most L delta (L the Lipschitz constant of f), so the max error falls like 1/N.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.autograd import no_grad
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.optim.lr_scheduler import CosineAnnealingLR
from neuronlab.random import default_generator

LIPSCHITZ = 2 * np.pi + 0.5  # max |f'|
STEEPNESS = 100.0  # w = STEEPNESS * N: the step's transition (about 8/w wide) is a small part of delta = 1/N


def target(x):
    """f(x) = sin(2 pi x) + |x - 0.6| / 2."""
    return np.sin(2 * np.pi * x) + 0.5 * np.abs(x - 0.6)


def one_hidden_layer(units: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(1, units, dtype=np.float64), nn.Sigmoid(), nn.Linear(units, 1, dtype=np.float64))


def fit(units: int, x: np.ndarray, steps: int) -> nn.Sequential:
    """Train a 1-N-1 sigmoid network on (x, f(x)) by Adam with a cosine-decayed learning rate."""
    rng = default_generator()
    model = one_hidden_layer(units)
    slopes = rng.uniform(5, 20, units) * rng.choice([-1.0, 1.0], units)
    model[0].weight.data[:] = slopes
    model[0].bias.data[:] = -slopes * rng.uniform(0, 1, units)  # the soft step of unit j sits in [0, 1]
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    scheduler = CosineAnnealingLR(optimizer, steps)
    loss_fn, y = nn.MSELoss(), target(x)
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        scheduler.step()
    return model


def constructed(pieces: int) -> nn.Sequential:
    """The proof's network: G(x) = sum_j f(a_j) [sigma(w (x - l_j)) - sigma(w (x - r_j))], 2N hidden units."""
    delta = 1.0 / pieces
    left = np.arange(pieces) * delta
    right = left + delta
    left[0], right[-1] = -delta, 1.0 + delta
    alpha = target(np.arange(pieces) * delta)
    w = STEEPNESS * pieces
    model = one_hidden_layer(2 * pieces)
    model[0].weight.data[:] = w
    model[0].bias.data[:] = -w * np.concatenate([left, right])
    model[2].weight.data[:, 0] = np.concatenate([alpha, -alpha])
    model[2].bias.data[:] = 0.0
    return model


def evaluate(model, x: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(x).data


def draw(out: Path, grid: np.ndarray, trained: dict, built: dict, errors: dict) -> str:
    plt = pyplot()
    sigma = lambda z: 0.5 * (1 + np.tanh(z / 2))  # the logistic, written without overflow
    figure, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    x = grid[:, 0]
    ax = axes[0, 0]
    for w in (1, 5, 20, 100):
        ax.plot(x, sigma(w * (x - 0.5)), label=f"w = {w}")
    label_axes(ax, None, None, "σ(w (x - b)), b = 0.5: as w grows, the step H(x; b)")
    ax = axes[0, 1]
    ax.plot(x, sigma(100 * (x - 0.3)) - sigma(100 * (x - 0.5)), color="tab:purple")
    ax.set_title("a piece P(x; b, δ) = H(x; b) - H(x; b + δ), b = 0.3, δ = 0.2", fontsize=10)
    ax = axes[1, 0]
    ax.plot(x, target(x), "k", linewidth=2, label="f(x)")
    for n in (min(built), sorted(built)[len(built) // 2]):
        ax.plot(x, built[n], linewidth=1, label=f"constructed, N = {n} pieces")
    for n in (min(trained), max(trained)):
        ax.plot(x, trained[n], "--", linewidth=1, label=f"trained, N = {n} units")
    label_axes(ax, None, None, "f(x) = sin(2πx) + |x - 0.6| / 2 and its approximations", legend_size=7)
    ax = axes[1, 1]
    n_built = np.array(sorted(built))
    ax.loglog(n_built, [errors["constructed"][str(n)] for n in n_built], "s-", label="constructed (2N hidden units)")
    ax.loglog(n_built, LIPSCHITZ / n_built, "k:", label="L δ = L / N")
    n_trained = np.array(sorted(trained))
    ax.loglog(n_trained, [errors["trained"][str(n)] for n in n_trained], "o-", label="trained (N hidden units)")
    label_axes(ax, "N", "max |G(x) - f(x)| on [0, 1]", "max error vs N")
    return save(figure, out, "universal_approximation.png")


@register(
    "universal-approximation",
    "One hidden layer of N sigmoids: trained max error vs N, and the proof's steps",
    "seed 003 section 2.2 (universal approximation theorem and its proof)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    x = np.linspace(0, 1, 200).reshape(-1, 1)
    grid = np.linspace(0, 1, 2001).reshape(-1, 1)
    units = (1, 4, 16) if fast else (1, 2, 4, 8, 16, 32)
    pieces = (5, 10, 20, 40, 80, 160)
    steps = 1500 if fast else 3000
    truth = target(grid)
    trained = {n: evaluate(fit(n, x, steps), grid)[:, 0] for n in units}
    built = {n: evaluate(constructed(n), grid)[:, 0] for n in pieces}
    errors = {
        "trained": {str(n): float(np.max(np.abs(g - truth[:, 0]))) for n, g in trained.items()},
        "constructed": {str(n): float(np.max(np.abs(g - truth[:, 0]))) for n, g in built.items()},
    }
    summary = [
        "trained 1-N-1 sigmoid nets, max error: " + ", ".join(f"N={n} {e:.3g}" for n, e in errors["trained"].items()),
        "the proof's construction (2N units): " + ", ".join(f"N={n} {e:.3g}" for n, e in errors["constructed"].items()),
        f"construction error x N stays near {np.mean([e * int(n) for n, e in errors['constructed'].items()]):.2f} "
        f"(L = max |f'| = {LIPSCHITZ:.2f}): first order in delta = 1/N",
    ]
    return {
        "target": "sin(2 pi x) + |x - 0.6| / 2",
        "lipschitz": LIPSCHITZ,
        "train_steps": steps,
        "max_error": errors,
        "figures": [draw(out, grid, trained, built, errors)],
        "summary": summary,
    }
