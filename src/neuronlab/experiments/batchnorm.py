"""batchnorm: how deep a sigmoid network can go with and without batch normalization (notes 000 §8, §8.4).

The digits (8x8 images, 10 classes; 80 % for training, standardized) are learned by networks of ``depth``
hidden layers Linear(64) [+ BatchNorm1d(64)] + Sigmoid and a Linear(64, 10) output, Glorot-initialized, with
SGD (lr 0.05, momentum 0.9, batches of 64) for a fixed budget of epochs. Without normalization the logistic's
slope (at most 1/4) shrinks the gradient at every layer and the deeper networks never leave the initial
plateau (chance accuracy, loss ln 10); batch normalization re-centres and re-scales every layer's input
currents for each mini-batch and the same depths train.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.autograd import no_grad
from neuronlab.data import Standardize, load_dataset, train_val_test_split
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.random import default_generator

WIDTH = 64
TRAINS = 0.9  # a depth "trains" when the test accuracy reaches this within the budget


def network(depth: int, batchnorm: bool, features: int, classes: int) -> nn.Sequential:
    layers = []
    for k in range(depth):
        linear = nn.Linear(features if k == 0 else WIDTH, WIDTH)
        nn.init.xavier_normal_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.BatchNorm1d(WIDTH), nn.Sigmoid()] if batchnorm else [linear, nn.Sigmoid()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, classes))


def train(model, X, y, epochs: int, batch_size: int = 64) -> list[float]:
    """Mini-batch SGD with momentum; returns the mean training loss of every epoch."""
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn, rng, losses = nn.CrossEntropyLoss(), default_generator(), []
    model.train()
    for _ in range(epochs):
        order, total = rng.permutation(len(X)), 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(X))
    return losses


def accuracy(model, X, y) -> float:
    model.eval()
    with no_grad():
        return float(np.mean(model(X).data.argmax(axis=1) == y))


def draw(out: Path, results: dict, shown: list[str]) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    colors = dict(zip(shown, ("tab:blue", "tab:orange", "tab:red")))
    for variant, style in (("plain", "--"), ("batchnorm", "-")):
        for depth in shown:
            loss = results[variant][depth]["loss"]
            left.plot(
                np.arange(1, len(loss) + 1),
                loss,
                style,
                marker="o",
                markersize=3,
                color=colors[depth],
                label=f"{variant}, depth {depth}",
            )
        depths = [int(d) for d in results[variant]]
        right.plot(
            depths, [results[variant][str(d)]["test_accuracy"] for d in depths], style, marker="o", label=variant
        )
    left.axhline(np.log(10), color="0.6", linewidth=0.8, linestyle=":")
    label_axes(left, "epoch", "training loss (cross-entropy)", "training curves (dotted: ln 10, chance)")
    right.axhline(TRAINS, color="0.6", linewidth=0.8, linestyle=":")
    right.set_ylim(0, 1.02)
    label_axes(
        right,
        "hidden layers (sigmoid, width 64)",
        "test accuracy after training",
        "how deep can it go? (same epoch budget)",
    )
    return save(figure, out, "batchnorm.png")


@register(
    "batchnorm",
    "Deep sigmoid networks on digits with and without BatchNorm1d: curves, deepest that trains",
    "seed 000 section 8 (batch normalization), 8.4",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    digits = load_dataset("digits")
    assert digits.class_names is not None  # a classification bundle has them
    X_train, _, X_test, y_train, _, y_test = train_val_test_split(
        digits.X, digits.y, val_size=0, test_size=0.2, seed=seed
    )
    scaler = Standardize().fit(X_train)
    X_train, X_test = scaler.transform(X_train).astype(np.float32), scaler.transform(X_test).astype(np.float32)
    depths = (2, 8) if fast else (1, 2, 3, 5, 10, 15, 20)
    epochs = 3 if fast else 10
    results: dict[str, dict[str, dict]] = {"plain": {}, "batchnorm": {}}
    for variant, depth in runs([(v, d) for v in results for d in depths], "batchnorm: networks"):
        model = network(depth, variant == "batchnorm", X_train.shape[1], len(digits.class_names))
        losses = train(model, X_train, y_train, epochs)
        results[variant][str(depth)] = {
            "loss": losses,
            "train_accuracy": accuracy(model, X_train, y_train),
            "test_accuracy": accuracy(model, X_test, y_test),
        }
    deepest = {
        variant: max((int(d) for d, r in by_depth.items() if r["test_accuracy"] >= TRAINS), default=None)
        for variant, by_depth in results.items()
    }
    shown = list(dict.fromkeys(str(d) for d in (depths[0], depths[len(depths) // 2], depths[-1])))
    summary = [
        f"test accuracy after {epochs} epochs, plain: "
        + ", ".join(f"depth {d} {r['test_accuracy']:.2f}" for d, r in results["plain"].items()),
        "with BatchNorm1d: "
        + ", ".join(f"depth {d} {r['test_accuracy']:.2f}" for d, r in results["batchnorm"].items()),
        f"deepest network reaching {TRAINS:.0%} test accuracy: "
        + ", ".join(f"{variant} {'none' if d is None else f'{d} layers'}" for variant, d in deepest.items()),
    ]
    return {
        "epochs": epochs,
        "depths": list(depths),
        "width": WIDTH,
        "threshold": TRAINS,
        "results": results,
        "deepest_that_trains": deepest,
        "figures": [draw(out, results, shown)],
        "summary": summary,
    }
