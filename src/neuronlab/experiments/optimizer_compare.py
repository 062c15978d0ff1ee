"""optimizer-compare: one MLP trained on the digits with each optimizer of notes 000 §6 (the §6.3 exercise of
applying the optimizers to a multilayer network).

Every run starts from the same weights and sees the same mini-batches (the library is reseeded before each),
so the optimizer is the only difference. Learning rates are the usual defaults of each method (the notes'
notebook values): SGD, Momentum and Nesterov 0.01 (momentum 0.9), AdaGrad 0.01, RMSprop and Adam 0.001. At
the same lr, momentum's velocity makes steps up to 1/(1 - 0.9) = 10 times longer than plain SGD's, and the
adaptive methods rescale each weight's step by its gradient history.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import DataLoader, Standardize, TensorDataset, load_dataset, train_val_test_split
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.random import manual_seed
from neuronlab.train import Callback, Trainer

OPTIMIZERS = {  # label: (class, arguments)
    "SGD": (optim.SGD, {"lr": 0.01}),
    "Momentum": (optim.SGD, {"lr": 0.01, "momentum": 0.9}),
    "Nesterov": (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    "AdaGrad": (optim.Adagrad, {"lr": 0.01}),
    "RMSprop": (optim.RMSprop, {"lr": 0.001}),
    "Adam": (optim.Adam, {"lr": 0.001}),
}
HIDDEN = 100
BATCH_SIZE = 32


class BatchLosses(Callback):
    """Records the loss of every mini-batch (the per-iteration training curve)."""

    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_batch_end(self, trainer, batch, loss) -> None:
        self.losses.append(loss)


def mlp() -> nn.Sequential:
    """64 -> 100 -> 100 -> 10 with ReLU (PyTorch's default initialization)."""
    return nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10))


def train_each(seed: int, epochs: int) -> dict:
    """Train the MLP once per optimizer; returns {label: numbers and curves}."""
    digits = load_dataset("digits")
    split = train_val_test_split(digits.X, digits.y, val_size=0, test_size=0.3, seed=0)
    scaler = Standardize().fit(split.X_train)
    X_train, X_test = scaler.transform(split.X_train), scaler.transform(split.X_test)
    clean_train = DataLoader(TensorDataset(X_train, split.y_train), batch_size=2048)
    test = DataLoader(TensorDataset(X_test, split.y_test), batch_size=2048)
    results = {}
    for label, (optimizer_class, arguments) in runs(OPTIMIZERS.items(), "optimizer-compare: optimizers"):
        manual_seed(seed)  # same initial weights and batch order for every optimizer
        model = mlp()
        batches = BatchLosses()
        trainer = Trainer(
            model,
            nn.CrossEntropyLoss(),
            optimizer_class(model.parameters(), **arguments),
            metrics=["accuracy"],
            callbacks=[batches],
        )
        initial = trainer.evaluate(clean_train)["loss"]
        loader = DataLoader(TensorDataset(X_train, split.y_train), batch_size=BATCH_SIZE, shuffle=True)
        history = trainer.fit(loader, test, epochs=epochs)
        final = trainer.evaluate(clean_train)
        results[label] = {
            "arguments": dict(arguments),
            "initial_train_loss": initial,
            "final_train_loss": final["loss"],
            "final_train_accuracy": final["accuracy"],
            "test_loss": history.last["val_loss"],
            "test_accuracy": history.last["val_accuracy"],
            "epoch_train_loss": history["train_loss"],
            "epoch_test_accuracy": history["val_accuracy"],
            "batch_losses": batches.losses,
            "iterations_per_epoch": len(loader),
        }
    return results


def draw(out: Path, results: dict) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, r in results.items():
        losses, per_epoch = np.asarray(r["batch_losses"]), r["iterations_per_epoch"]
        window = min(per_epoch, len(losses))
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")  # mean over one epoch of batches
        left.semilogy(np.arange(window, len(losses) + 1) / per_epoch, smooth, label=label, linewidth=1.2)
        right.plot(
            np.arange(1, len(r["epoch_test_accuracy"]) + 1),
            r["epoch_test_accuracy"],
            "-o",
            markersize=2.5,
            label=f"{label} ({r['test_accuracy']:.3f})",
            linewidth=1.2,
        )
    label_axes(left, "epoch", "training loss (mean of the last epoch's batches)", "training loss")
    right.set_ylim(0.5, 1.0)
    label_axes(right, "epoch", "test accuracy", "test accuracy (final in parentheses)", loc="lower right")
    return save(
        figure,
        out,
        "optimizer_compare.png",
        suptitle="digits, MLP 64-100-100-10 (ReLU), batches of 32, same start for every optimizer",
    )


@register(
    "optimizer-compare",
    "One digits MLP trained with SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam: loss, accuracy",
    "seed 000 section 6.3 (optimizers applied to a multilayer network)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    epochs = 5 if fast else 30
    results = train_each(seed, epochs)
    figure = draw(out, results)
    for r in results.values():
        del r["batch_losses"]  # plotted; the JSON keeps the per-epoch curves
    sgd = results["SGD"]["final_train_loss"]
    summary = [
        f"final training loss after {epochs} epochs: "
        + ", ".join(f"{label} {r['final_train_loss']:.3g}" for label, r in results.items()),
        "test accuracy: " + ", ".join(f"{label} {r['test_accuracy']:.3f}" for label, r in results.items()),
        "lower training loss than plain SGD from the same start: "
        + ", ".join(label for label, r in results.items() if r["final_train_loss"] < sgd),
    ]
    return {"epochs": epochs, "batch_size": BATCH_SIZE, "optimizers": results, "figures": [figure], "summary": summary}
