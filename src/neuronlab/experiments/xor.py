"""xor: the XOR mapping learned by a 2-2-1 sigmoid network (notes 003 §2.1; 002's forward and backward passes).

No line separates XOR's classes, so a network without a hidden layer cannot represent it; two sigmoid hidden
units can (in the learned network one acts as NAND, the other as NOR, and the output fires where the first
is on and the second off: A XOR B = NAND(A, B) AND NOT NOR(A, B)). The network
Linear(2, 2) -> Sigmoid -> Linear(2, 1) -> sigmoid output learns it with the binary cross-entropy
(BCEWithLogitsLoss: the output sigmoid fused into the loss) by full-batch SGD with momentum. Training this
tiny network from some random initial weights ends in a local minimum with one point wrong (loss ln(2)/2);
the experiment then starts again from fresh random weights, and reports how many attempts it took.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.autograd import no_grad
from neuronlab.data import make_xor
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.ops.elementwise import sigmoid

STEPS = 1000
MAX_ATTEMPTS = 10


def network() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))


def train(model, X, T, steps: int) -> list[float]:
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss_fn, losses = nn.BCEWithLogitsLoss(), []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), T)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def probability(model, points: np.ndarray) -> np.ndarray:
    """The network's output sigma(z) for each row of ``points``."""
    with no_grad():
        z = model(points.astype(np.float32)).data[:, 0].astype(np.float64)
        return sigmoid(z).data


def draw(out: Path, model, X, y, curves: list) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), gridspec_kw={"width_ratios": [1.1, 1]})
    a, b = np.meshgrid(np.linspace(-0.5, 1.5, 201), np.linspace(-0.5, 1.5, 201))
    p = probability(model, np.column_stack([a.ravel(), b.ravel()])).reshape(a.shape)
    shade = left.contourf(a, b, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
    left.contour(a, b, p, levels=[0.5], colors="k", linewidths=1.5)
    weights, biases = model[0].weight.data, model[0].bias.data
    line = np.linspace(-0.5, 1.5, 2)
    for j in range(2):  # hidden unit j: w_0j A + w_1j B + b_j = 0
        w0, w1 = weights[:, j]
        if abs(w1) > abs(w0):
            left.plot(line, -(w0 * line + biases[j]) / w1, "--", color="0.2", linewidth=1)
        else:
            left.plot(-(w1 * line + biases[j]) / w0, line, "--", color="0.2", linewidth=1)
    for label, marker in ((0, "o"), (1, "s")):
        left.scatter(
            X[y == label, 0],
            X[y == label, 1],
            s=120,
            marker=marker,
            edgecolors="k",
            c="tab:blue" if label == 0 else "tab:red",
            label=f"XOR = {label}",
            zorder=3,
        )
    left.set_xlim(-0.5, 1.5)
    left.set_ylim(-0.5, 1.5)
    label_axes(left, "A", "B", "output σ(z): solid 0.5 contour; dashed: the hidden units' lines", loc="upper center")
    figure.colorbar(shade, ax=left)
    for k, losses in enumerate(curves, 1):
        right.semilogy(losses, label=f"attempt {k}" + (" (local minimum)" if k < len(curves) else ""))
    right.axhline(np.log(2) / 2, color="0.6", linestyle=":", linewidth=0.8)
    label_axes(right, "step", "binary cross-entropy", "training loss (dotted: ln 2 / 2, one point wrong)")
    return save(figure, out, "xor.png")


@register(
    "xor",
    "XOR learned by a 2-2-1 sigmoid network: decision surface, all four points right",
    "seed 003 section 2.1 (supervised learning, XOR), seed 002 (backpropagation)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    X, y = make_xor()
    T = y.reshape(-1, 1).astype(np.float32)
    curves = []
    for _ in range(MAX_ATTEMPTS):
        model = network()  # fresh weights from the library's seeded generator
        curves.append(train(model, X, T, STEPS))
        predicted = (probability(model, X) > 0.5).astype(np.int64)
        if np.array_equal(predicted, y):
            break
    with no_grad():
        hidden = model[:2](X).data.astype(np.float64)  # Linear -> Sigmoid
    outputs = probability(model, X)
    correct = int(np.sum(predicted == y))
    summary = [
        f"{correct}/4 points classified correctly after {len(curves)} attempt(s) of {STEPS} steps; "
        f"final loss {curves[-1][-1]:.2e}",
        "outputs for (A, B) = " + ", ".join(f"({int(a)}, {int(b)}): {o:.3f}" for (a, b), o in zip(X, outputs)),
        "hidden units at the same inputs (rounded): "
        + ", ".join(f"h{j + 1} = {np.round(hidden[:, j]).astype(int).tolist()}" for j in range(2)),
    ]
    return {
        "inputs": X.tolist(),
        "targets": y.tolist(),
        "outputs": outputs.tolist(),
        "predicted": predicted.tolist(),
        "correct": correct,
        "attempts": len(curves),
        "final_loss": curves[-1][-1],
        "hidden_outputs": hidden.tolist(),
        "weights": {name: p.data.tolist() for name, p in model.named_parameters()},
        "figures": [draw(out, model, X, y, curves)],
        "summary": summary,
    }
