"""augmentation: noise injection and random shifts applied to each training batch (notes 003 §5.4.2, 000 §9).

The notes: "include a wider variety of samples in your training set ... For image-recognition datasets, one
can generate more samples by shifting or rotating the images ... we can make any changes to whatever it is
we want to make our model invariant to." ``neuronlab.data.AddGaussianNoise`` (x' = x + 0.2 e, e ~ N(0, 1))
and ``RandomShift`` (every 8x8 digit moved by a random whole shift in {-1, 0, 1} along each axis) are given
to the training loader only, so each epoch sees fresh variants of the 300 training images; the training and
test losses are measured on the clean images. A second test set holds the test digits shifted once at
random: the invariance that shifting teaches shows there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import AddGaussianNoise, DataLoader, RandomShift, TensorDataset, load_dataset, train_val_test_split
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.optim.lr_scheduler import CosineAnnealingLR
from neuronlab.random import manual_seed
from neuronlab.train import LRSchedulerCallback, Trainer

NOISE_STD = 0.2
MAX_SHIFT = 1
BATCH_SIZE = 32


def augmentations(image_shape) -> dict:
    """label -> the transform given to the training loader (None: no augmentation)."""
    noise, shift = AddGaussianNoise(NOISE_STD), RandomShift(MAX_SHIFT, image_shape=image_shape)
    return {"none": None, "noise": noise, "shift": shift, "shift + noise": lambda x: noise(shift(x))}


def network(width: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10))


def evaluate(trainer, X, y) -> dict:
    return trainer.evaluate(DataLoader(TensorDataset(X, y), batch_size=2048))


def train_variant(seed: int, transform, data: dict, width: int, epochs: int, lr: float) -> dict:
    manual_seed(seed)  # the same initial weights and batch order for every variant
    model = network(width)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    trainer = Trainer(
        model,
        nn.CrossEntropyLoss(),
        optimizer,
        metrics=["accuracy"],
        callbacks=[LRSchedulerCallback(CosineAnnealingLR(optimizer, T_max=epochs))],
    )
    loader = DataLoader(
        TensorDataset(data["X_train"], data["y_train"]), batch_size=BATCH_SIZE, shuffle=True, transform=transform
    )
    trainer.fit(loader, epochs=epochs)
    train, test = evaluate(trainer, data["X_train"], data["y_train"]), evaluate(trainer, data["X_test"], data["y_test"])
    shifted = evaluate(trainer, data["X_test_shifted"], data["y_test"])
    return {
        "train_loss": train["loss"],
        "train_accuracy": train["accuracy"],
        "test_loss": test["loss"],
        "test_accuracy": test["accuracy"],
        "loss_gap": test["loss"] - train["loss"],
        "accuracy_gap": train["accuracy"] - test["accuracy"],
        "shifted_test_accuracy": shifted["accuracy"],
    }


def draw(out: Path, results: dict, data: dict, image_shape, n_train: int) -> str:
    plt = pyplot()
    figure = plt.figure(figsize=(15, 4.4))
    grid = figure.add_gridspec(2, 4, width_ratios=[0.7, 0.7, 3, 3])
    image, rng = data["X_train"][:1], np.random.default_rng(3)
    shift, noise = RandomShift(MAX_SHIFT, image_shape, generator=rng), AddGaussianNoise(NOISE_STD, generator=rng)
    examples = [
        ("training digit", image),
        ("shifted", shift(image)),
        ("shifted", shift(image)),
        ("noise", noise(image)),
    ]
    for i, (title, sample) in enumerate(examples):
        ax = figure.add_subplot(grid[i // 2, i % 2])
        ax.imshow(sample.reshape(image_shape), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    labels = list(results)
    positions = np.arange(len(labels))
    losses = figure.add_subplot(grid[:, 2])
    losses.bar(positions - 0.2, [results[k]["train_loss"] for k in labels], 0.4, label="train (clean images)")
    losses.bar(positions + 0.2, [results[k]["test_loss"] for k in labels], 0.4, label="test")
    for x, k in zip(positions, labels):
        losses.text(
            x, results[k]["test_loss"], f"gap\n{results[k]['loss_gap']:.3f}", ha="center", va="bottom", fontsize=7
        )
    losses.set_xticks(positions, labels, fontsize=8)
    losses.set_ylim(0, max(results[k]["test_loss"] for k in labels) * 1.3)
    label_axes(losses, None, "cross-entropy", "final train and test loss (gap: test - train)", loc="upper left")
    accuracy = figure.add_subplot(grid[:, 3])
    accuracy.bar(positions - 0.2, [results[k]["test_accuracy"] for k in labels], 0.4, label="test digits")
    accuracy.bar(
        positions + 0.2,
        [results[k]["shifted_test_accuracy"] for k in labels],
        0.4,
        label="test digits shifted by up to 1 pixel",
    )
    accuracy.set_xticks(positions, labels, fontsize=8)
    accuracy.set_ylim(0, 1.15)
    label_axes(accuracy, None, "accuracy", "test accuracy", loc="upper left")
    return save(
        figure,
        out,
        "augmentation.png",
        suptitle=f"digits, {n_train} training images, MLP with augmentation of every training batch "
        f"(noise std {NOISE_STD}, shifts of up to {MAX_SHIFT} pixel)",
    )


@register(
    "augmentation",
    "Noise injection and random shifts of each training batch (300 digits): the train/test gap",
    "seed 003 section 5.4.2, seed 000 section 9",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    n_train, width, epochs, lr = (300, 128, 40, 2e-3) if fast else (300, 256, 100, 1e-3)
    digits = load_dataset("digits")
    split = train_val_test_split(digits.X, digits.y, val_size=0, test_size=0.3, seed=0)
    X_test = split.X_test / 16
    data = {
        "X_train": split.X_train[:n_train] / 16,
        "y_train": split.y_train[:n_train],
        "X_test": X_test,
        "y_test": split.y_test,
        "X_test_shifted": RandomShift(MAX_SHIFT, digits.image_shape, generator=np.random.default_rng(seed))(X_test),
    }
    results = {
        label: train_variant(seed, transform, data, width, epochs, lr)
        for label, transform in runs(augmentations(digits.image_shape).items(), "augmentation: variants")
    }
    figure = draw(out, results, data, digits.image_shape, n_train)
    summary = [
        "train/test loss gap: " + ", ".join(f"{k} {r['loss_gap']:.3f}" for k, r in results.items()),
        "test loss: " + ", ".join(f"{k} {r['test_loss']:.3f}" for k, r in results.items()),
        "test accuracy: " + ", ".join(f"{k} {r['test_accuracy']:.3f}" for k, r in results.items()),
        "accuracy on shifted test digits: "
        + ", ".join(f"{k} {r['shifted_test_accuracy']:.3f}" for k, r in results.items()),
    ]
    return {
        "n_train": n_train,
        "width": width,
        "epochs": epochs,
        "lr": lr,
        "noise_std": NOISE_STD,
        "max_shift": MAX_SHIFT,
        "variants": results,
        "figures": [figure],
        "summary": summary,
    }
