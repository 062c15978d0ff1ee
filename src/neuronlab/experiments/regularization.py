"""regularization: overfitting the notes' dose -> blood-sugar data and four cures (notes 003 §5.2-5.4, 000 §9).

The notes' setup: 6 noisy samples, a 1-250-250-1 ReLU network with a linear output and MSE, 2,000 epochs
of full-batch training, the test loss measured on 300 fresh samples. The unregularized network drives its
training loss towards zero by fitting the noise, and its test loss stays well above the noise floor 0.01
(the variance of the data's noise, the best any model can do). Each cure trades some training loss for a
lower test loss:

- weight decay: E + alpha sum_l ||W_l||^2 (``l2_penalty``, alpha = 1e-3), notes 003 §5.4.1, 000 §9.1;
- L1: E + alpha sum_l sum |W_l| (``l1_penalty``, alpha = 1e-4), notes 000 §9.1;
- dropout p = 0.5 on the last hidden layer (inverted, scaled by 1/(1 - p) in training), notes 003 §5.4.3;
- noise injection: every epoch sees the doses plus N(0, 0.1^2) noise (``AddGaussianNoise``), notes 000 §9's
  dataset augmentation for a problem with no natural transformations.

The notes' augmented model was trained on 300 samples instead of 6; that run is shown as a reference (batches
of 30 for a tenth of the epochs: the same number of steps at a tenth of the cost).
Every variant starts from the same weights and uses the same recipe: Adam (lr 1e-3) with the learning rate
annealed to 0 along a cosine (so that the noisy variants settle), 2,000 full-batch epochs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import (
    AddGaussianNoise,
    DataLoader,
    TensorDataset,
    blood_sugar_curve,
    load_dataset,
    make_blood_sugar,
)
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.nn.functional import l1_penalty, l2_penalty
from neuronlab.optim.lr_scheduler import CosineAnnealingLR
from neuronlab.random import manual_seed
from neuronlab.train import Callback, LRSchedulerCallback, Trainer, predict

WIDTH = 250
NOISE_FLOOR = 0.01  # the variance of make_blood_sugar's noise (std 0.1)
DOSE = 0.65  # the notes' query dose
CURES = {  # label: (dropout p, regularizer, input transform)
    "none": (0.0, None, None),
    "weight decay (L2)": (0.0, lambda model: l2_penalty(model, alpha=1e-3), None),
    "L1": (0.0, lambda model: l1_penalty(model, alpha=1e-4), None),
    "dropout": (0.5, None, None),
    "noise injection": (0.0, None, AddGaussianNoise(0.1)),
}
MORE_DATA = "300 samples"


class EvaluateEvery(Callback):
    """Records ``trainer.evaluate(loader)["loss"]`` every ``every`` epochs, with the number of optimizer steps
    taken so far (the test-loss curve)."""

    def __init__(self, loader, every: int) -> None:
        self.loader, self.every = loader, every
        self.steps: list[int] = []
        self.losses: list[float] = []

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        if epoch % self.every == 0 or epoch == 1:
            self.steps.append(epoch * len(trainer.train_loader))
            self.losses.append(trainer.evaluate(self.loader)["loss"])


def network(dropout: float) -> nn.Sequential:
    """1 -> 250 -> 250 -> 1, ReLU hidden layers, linear output; optional dropout on the last hidden layer."""
    layers = [nn.Linear(1, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(WIDTH, 1))


def train(
    seed: int,
    X,
    y,
    X_test,
    y_test,
    epochs: int,
    lr: float,
    dropout=0.0,
    regularizer=None,
    transform=None,
    batch_size: int | None = None,
):
    """Training with the common recipe (full batch unless ``batch_size``); returns (model, test-loss curve)."""
    manual_seed(seed)  # every variant starts from the same weights
    model = network(dropout)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    curve = EvaluateEvery(DataLoader(TensorDataset(X_test, y_test), batch_size=len(X_test)), max(epochs // 100, 1))
    trainer = Trainer(
        model,
        nn.MSELoss(),
        optimizer,
        regularizer=regularizer,
        callbacks=[LRSchedulerCallback(CosineAnnealingLR(optimizer, T_max=epochs)), curve],
    )
    trainer.fit(
        DataLoader(
            TensorDataset(X, y), batch_size=batch_size or len(X), shuffle=batch_size is not None, transform=transform
        ),
        epochs=epochs,
    )
    return model, curve


def mse(model, X, y) -> float:
    return float(np.mean((predict(model, X).astype(np.float64) - y) ** 2))


def numbers(model, curve, X, y, X_test, y_test) -> dict:
    return {
        "train_loss": mse(model, X, y),
        "test_loss": mse(model, X_test, y_test),
        "parameter_norm_sq": float(sum(np.sum(p.data.astype(np.float64) ** 2) for p in model.parameters())),
        f"prediction_at_{DOSE}": float(predict(model, np.array([[DOSE]], dtype=np.float32))[0, 0]),
        "test_curve": {"step": curve.steps, "test_loss": curve.losses},
    }


def draw(out: Path, models: dict, results: dict, X, y, X_test, y_test) -> str:
    plt = pyplot()
    figure, (fits, curves, bars) = plt.subplots(1, 3, figsize=(15, 4.4))
    grid = np.linspace(0, 1, 201, dtype=np.float32).reshape(-1, 1)
    fits.plot(X_test[:, 0], y_test[:, 0], ".", color="0.8", markersize=3, label="300 test samples")
    fits.plot(grid[:, 0], blood_sugar_curve(grid[:, 0]), "k--", linewidth=1, label="noise-free curve")
    for label, model in models.items():
        fits.plot(grid[:, 0], predict(model, grid)[:, 0], linewidth=1.3, label=label)
    fits.plot(X[:, 0], y[:, 0], "ko", markersize=6, label="6 training samples")
    fits.set_ylim(0.2, 1.4)
    label_axes(fits, "dose", "blood sugar", "fits", legend_size=7)
    for label, r in results.items():
        curves.loglog(r["test_curve"]["step"], r["test_curve"]["test_loss"], linewidth=1.2, label=label)
    curves.axhline(NOISE_FLOOR, color="k", linestyle=":", linewidth=0.8)
    label_axes(
        curves,
        "training step (= epoch for the 6-sample runs)",
        "test loss (MSE, 300 samples)",
        "test loss during training; dotted: noise floor 0.01",
        legend_size=7,
    )
    labels = list(results)
    positions = np.arange(len(labels))
    test_losses = [results[k]["test_loss"] for k in labels]
    bars.bar(positions, test_losses, 0.6, color=[f"C{i}" for i in range(len(labels))])
    for x, k in zip(positions, labels):
        bars.text(
            x, results[k]["test_loss"], f"train\n{results[k]['train_loss']:.1e}", ha="center", va="bottom", fontsize=7
        )
    bars.set_ylim(0, max(test_losses) * 1.25)
    bars.set_xticks(positions, [k.replace(" ", "\n", 1) for k in labels], fontsize=7)
    bars.axhline(NOISE_FLOOR, color="k", linestyle=":", linewidth=0.8)
    label_axes(
        bars, None, "test loss (MSE)", "final test loss, with the training loss above each bar", legend_size=None
    )
    return save(
        figure,
        out,
        "regularization.png",
        suptitle="1-250-250-1 ReLU network on the notes' 6 dose -> blood-sugar samples, Adam + cosine lr",
    )


@register(
    "regularization",
    "Overfitting 6 dose -> blood-sugar samples (1-250-250-1) and its cures: L2, L1, dropout, noise",
    "seed 003 sections 5.2-5.4, seed 000 section 9",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    epochs, lr = (600, 3e-3) if fast else (2000, 1e-3)
    data = load_dataset("blood_sugar")
    X, y = data.X, data.y.reshape(-1, 1)
    X_test, y_test = make_blood_sugar(300, seed=1)
    y_test = y_test.reshape(-1, 1)
    models, results = {}, {}
    for label, (dropout, regularizer, transform) in runs(CURES.items(), "regularization: cures"):
        model, curve = train(seed, X, y, X_test, y_test, epochs, lr, dropout, regularizer, transform)
        models[label], results[label] = model, numbers(model, curve, X, y, X_test, y_test)
    X_more, y_more = make_blood_sugar(300, seed=2)
    model, curve = train(seed, X_more, y_more.reshape(-1, 1), X_test, y_test, epochs // 10, lr, batch_size=30)
    reference = {**numbers(model, curve, X_more, y_more.reshape(-1, 1), X_test, y_test), "train_samples": 300}
    figure = draw(out, models, {**results, MORE_DATA: reference}, X, y, X_test, y_test)
    none = results["none"]
    summary = [
        f"no regularization: train loss {none['train_loss']:.2e}, test loss {none['test_loss']:.4f} "
        f"(noise floor {NOISE_FLOOR}); ||theta||^2 = {none['parameter_norm_sq']:.1f}",
        "test loss with each cure: "
        + ", ".join(f"{k} {r['test_loss']:.4f}" for k, r in results.items() if k != "none"),
        f"weight decay shrinks ||theta||^2 to {results['weight decay (L2)']['parameter_norm_sq']:.1f}",
        f"trained on 300 samples instead (the notes' augmented model): test loss {reference['test_loss']:.4f}",
    ]
    return {
        "epochs": epochs,
        "lr": lr,
        "noise_floor": NOISE_FLOOR,
        "variants": results,
        "more_data": reference,
        "figures": [figure],
        "summary": summary,
    }
