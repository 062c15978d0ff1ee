"""lr-decay: a constant learning rate against one decayed in steps (notes 000 §6, "note on the magnitude of the
learning coefficient", and §9.4's question 2: why does lowering the learning rate during training help?).

The notes' answer: a large rate first searches globally "with a rough mesh" and brings the cost down fast; a
small rate at the end searches locally "with a fine mesh". Mini-batch SGD shows why: with a constant rate the
iterate keeps jumping around the minimum, by an amount that grows with the rate and the gradient noise of the
batches. The task has a loss floor above zero so that this noise never dies out: 200 noisy dose -> blood-sugar
samples (noise variance 0.01) fitted by a 1-64-64-1 ReLU network with plain SGD, batches of 4. Three
schedules from the same start: the coarse rate 0.3 throughout, the fine rate 0.003 throughout, and coarse then
fine (``MultiStepLR``: 0.3, x0.1 at half of the epochs and again at three quarters). The training loss is
measured on the whole clean training set after every epoch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import DataLoader, TensorDataset, make_blood_sugar
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.optim.lr_scheduler import MultiStepLR
from neuronlab.random import manual_seed
from neuronlab.train import LRSchedulerCallback, Trainer

COARSE, FINE, GAMMA = 0.3, 0.003, 0.1
BATCH_SIZE = 4
WIDTH = 64
NOISE_FLOOR = 0.01  # the variance of make_blood_sugar's noise (std 0.1)


def network() -> nn.Sequential:
    return nn.Sequential(nn.Linear(1, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, 1))


def train_schedule(seed: int, lr: float, milestones, data: dict, epochs: int) -> dict:
    manual_seed(seed)  # the same initial weights and batch order for every schedule
    model = network()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    callbacks = [LRSchedulerCallback(MultiStepLR(optimizer, milestones, gamma=GAMMA))] if milestones else []
    trainer = Trainer(model, nn.MSELoss(), optimizer, callbacks=callbacks)
    clean_train = DataLoader(TensorDataset(data["X_train"], data["y_train"]), batch_size=len(data["X_train"]))
    history = trainer.fit(
        DataLoader(TensorDataset(data["X_train"], data["y_train"]), batch_size=BATCH_SIZE, shuffle=True),
        clean_train,
        epochs=epochs,
    )
    test = trainer.evaluate(DataLoader(TensorDataset(data["X_test"], data["y_test"]), batch_size=len(data["X_test"])))
    return {
        "final_train_loss": history.last["val_loss"],
        "test_loss": test["loss"],
        "epoch_train_loss": history["val_loss"],
        "epoch_lr": history["lr"],
    }


def draw(out: Path, results: dict, epochs: int) -> str:
    plt = pyplot()
    figure, (losses, rates) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    x = np.arange(1, epochs + 1)
    for r in results.values():
        losses.semilogy(
            x,
            r["epoch_train_loss"],
            linewidth=1.3,
            label=f"{r['label']}: final {r['final_train_loss']:.4f} (test {r['test_loss']:.4f})",
        )
        rates.semilogy(x, r["epoch_lr"], linewidth=1.3, label=r["label"])
    losses.axhline(NOISE_FLOOR, color="k", linestyle=":", linewidth=0.8)
    losses.set_ylim(NOISE_FLOOR * 0.9, 0.1)
    label_axes(
        losses,
        "epoch",
        "training loss (MSE on all 200 samples)",
        "training loss after each epoch; dotted: noise variance 0.01",
    )
    label_axes(rates, "epoch", "learning rate", "learning rate")
    return save(
        figure,
        out,
        "lr_decay.png",
        suptitle="SGD (batches of 4) on 200 noisy dose -> blood-sugar samples, 1-64-64-1 ReLU network",
    )


@register(
    "lr-decay",
    "Constant vs step-decayed SGD learning rate: coarse then fine reaches the lower loss",
    "seed 000 section 6 (magnitude of the learning coefficient) and section 9.4",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    epochs = 20 if fast else 40
    milestones = [epochs // 2, 3 * epochs // 4]
    X_train, y_train = make_blood_sugar(200, seed=2)
    X_test, y_test = make_blood_sugar(300, seed=1)
    data = {"X_train": X_train, "y_train": y_train.reshape(-1, 1), "X_test": X_test, "y_test": y_test.reshape(-1, 1)}
    decayed = f"{COARSE}, x{GAMMA} after epochs {milestones[0]} and {milestones[1]}"
    schedules = {
        "coarse": (f"constant {COARSE}", COARSE, None),
        "fine": (f"constant {FINE}", FINE, None),
        "decayed": (decayed, COARSE, milestones),
    }
    results = {
        key: {"label": label, **train_schedule(seed, lr, steps, data, epochs)}
        for key, (label, lr, steps) in schedules.items()
    }
    figure = draw(out, results, epochs)
    best = min(results, key=lambda k: results[k]["final_train_loss"])
    summary = [
        f"{epochs} epochs; final training loss: "
        + ", ".join(f"{r['label']} {r['final_train_loss']:.4f}" for r in results.values()),
        "test loss (300 fresh samples): " + ", ".join(f"{r['label']} {r['test_loss']:.4f}" for r in results.values()),
        f"lowest final training loss ({results[best]['final_train_loss']:.4f}, noise variance {NOISE_FLOOR}): "
        f"{results[best]['label']}",
    ]
    return {
        "epochs": epochs,
        "milestones": milestones,
        "gamma": GAMMA,
        "batch_size": BATCH_SIZE,
        "noise_floor": NOISE_FLOOR,
        "schedules": results,
        "figures": [figure],
        "summary": summary,
    }
