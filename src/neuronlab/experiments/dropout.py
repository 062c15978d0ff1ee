"""dropout: an MLP that overfits a small digits training set, trained with dropout rates 0 to 0.8
(notes 000 §9.2, 003 §5.4.3).

Dropout zeroes each hidden unit with probability p for every sample in training (inverted dropout: the kept
units are scaled by 1/(1 - p), so nothing changes at inference). The network cannot rely on particular
combinations of units, which the notes liken to training many thinned networks and averaging them. With 500
training images, two hidden layers of 512 units and Adam, the network without dropout drives its training loss
to about zero while the test loss stays far higher; the gap between them shrinks as p grows. The losses are
measured in inference mode, on the clean training set and on the held-out test set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import DataLoader, TensorDataset, load_dataset, train_val_test_split
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.optim.lr_scheduler import CosineAnnealingLR
from neuronlab.random import manual_seed
from neuronlab.train import LRSchedulerCallback, Trainer

RATES = (0.0, 0.2, 0.4, 0.6, 0.8)
BATCH_SIZE = 32


def network(width: int, p: float) -> nn.Sequential:
    """64 -> width -> width -> 10, ReLU, Dropout(p) after each hidden layer."""
    return nn.Sequential(
        nn.Linear(64, width),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(width, width),
        nn.ReLU(),
        nn.Dropout(p),
        nn.Linear(width, 10),
    )


def digits_subset(n_train: int):
    """The first ``n_train`` images of a fixed 70/30 split, pixels scaled to [0, 1]; the full test split."""
    digits = load_dataset("digits")
    split = train_val_test_split(digits.X, digits.y, val_size=0, test_size=0.3, seed=0)
    return split.X_train[:n_train] / 16, split.y_train[:n_train], split.X_test / 16, split.y_test


def train_rate(seed: int, p: float, data, width: int, epochs: int, lr: float) -> dict:
    X_train, y_train, X_test, y_test = data
    manual_seed(seed)  # the same initial weights and batch order at every rate
    model = network(width, p)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    trainer = Trainer(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        metrics=["accuracy"],
        callbacks=[LRSchedulerCallback(CosineAnnealingLR(optimizer, T_max=epochs))],
    )
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=BATCH_SIZE, shuffle=True)
    history = trainer.fit(loader, DataLoader(TensorDataset(X_test, y_test), batch_size=2048), epochs=epochs)
    train = trainer.evaluate(DataLoader(TensorDataset(X_train, y_train), batch_size=2048))
    return {
        "p": p,
        "train_loss": train["loss"],
        "train_accuracy": train["accuracy"],
        "test_loss": history.last["val_loss"],
        "test_accuracy": history.last["val_accuracy"],
        "loss_gap": history.last["val_loss"] - train["loss"],
        "accuracy_gap": train["accuracy"] - history.last["val_accuracy"],
        "epoch_test_loss": history["val_loss"],
        "epoch_train_loss_with_dropout": history["train_loss"],
    }


def draw(out: Path, results: list, n_train: int, width: int) -> str:
    plt = pyplot()
    figure, (curves, losses, accuracies) = plt.subplots(1, 3, figsize=(15, 4.3))
    for r in results:
        epochs = np.arange(1, len(r["epoch_test_loss"]) + 1)
        curves.plot(epochs, r["epoch_test_loss"], linewidth=1.2, label=f"p = {r['p']}")
    curves.set_ylim(0, 0.6)
    label_axes(curves, "epoch", "test loss (cross-entropy)", "test loss during training")
    rates = [r["p"] for r in results]
    losses.plot(rates, [r["train_loss"] for r in results], "o-", label="train")
    losses.plot(rates, [r["test_loss"] for r in results], "o-", label="test")
    losses.plot(rates, [r["loss_gap"] for r in results], "s--", color="k", label="gap (test - train)")
    label_axes(losses, "dropout rate p", "cross-entropy", "final losses (inference mode)")
    accuracies.plot(rates, [r["train_accuracy"] for r in results], "o-", label="train")
    accuracies.plot(rates, [r["test_accuracy"] for r in results], "o-", label="test")
    label_axes(accuracies, "dropout rate p", "accuracy", "final accuracies")
    return save(
        figure,
        out,
        "dropout.png",
        suptitle=f"digits, {n_train} training images, MLP 64-{width}-{width}-10 with dropout after each "
        "hidden layer, Adam",
    )


@register(
    "dropout",
    "Digits MLP with dropout rates 0 to 0.8: the train/test gap shrinks",
    "seed 000 section 9.2, seed 003 section 5.4.3",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    n_train, width, epochs, lr = (300, 128, 30, 3e-3) if fast else (500, 512, 100, 1e-3)
    data = digits_subset(n_train)
    results = [train_rate(seed, p, data, width, epochs, lr) for p in runs(RATES, "dropout: rates")]
    figure = draw(out, results, n_train, width)
    gaps = [r["loss_gap"] for r in results]
    slope = float(np.polyfit(RATES, gaps, 1)[0])
    summary = [
        f"{n_train} training images, {epochs} epochs; loss gap (test - train) by dropout rate: "
        + ", ".join(f"p={r['p']}: {r['loss_gap']:.3f}" for r in results),
        "test accuracy: " + ", ".join(f"p={r['p']}: {r['test_accuracy']:.3f}" for r in results),
        f"the gap shrinks by {gaps[0] - gaps[-1]:.3f} from p = 0 to p = {RATES[-1]} "
        f"(least-squares slope {slope:.3f} per unit of p)",
    ]
    return {
        "n_train": n_train,
        "width": width,
        "epochs": epochs,
        "lr": lr,
        "rates": list(RATES),
        "runs": results,
        "gap_slope": slope,
        "figures": [figure],
        "summary": summary,
    }
