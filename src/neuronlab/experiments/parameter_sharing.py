"""parameter-sharing: a CNN and an MLP of similar accuracy on the 8x8 digits, their parameter counts, and their
accuracy on test digits shifted by 1 and 2 pixels (notes 002, "parameter sharing and CNNs").

The notes: a model that gives every input position its own weights "would have to train with soccer balls in
all possible positions in the image"; parameter sharing, "each unit in the hidden layer looks at a different
overlapping sub-region of the image, but these units share the same weights", is the idea of the CNN. So a
CNN needs far fewer weights than an MLP for the same accuracy, and a feature it learned at one place is
detected at every place: shifting a test image moves its feature maps with it (a convolution commutes with
shifts), and max pooling absorbs part of the move, where an MLP sees different pixels in every input unit.

The CNN is ``build_cnn((1, 8, 8), 10, channels=(16, 32), hidden=())`` (two 3x3 convolutions with ReLU and 2x2
max pooling, then one Linear layer); the MLP is ``build_mlp(64, [128, 128], 10)``. Both train with Adam
(lr 3e-3, batches of 32) on 70 % of the digits and are tested on the other 30 %, unshifted and shifted by d
pixels up, down, left and right (the mean over the four; uncovered pixels are 0, the background).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import DataLoader, TensorDataset, load_dataset, train_val_test_split
from neuronlab.data.images import channels_first
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.random import manual_seed
from neuronlab.train import Trainer
from neuronlab.train.cnn import build_cnn
from neuronlab.train.mlp import build_mlp

SHIFTS = (0, 1, 2)
DIRECTIONS = ((-1, 0), (1, 0), (0, -1), (0, 1))  # up, down, left, right
BATCH_SIZE, LR = 32, 3e-3


def shift_images(X: np.ndarray, image_shape, dy: int, dx: int) -> np.ndarray:
    """Rows of images (n, H*W) moved by dy pixels down and dx right: x'[i, j] = x[i - dy, j - dx], 0 outside."""
    height, width = image_shape
    images = X.reshape(len(X), height, width)
    moved = np.zeros_like(images)
    moved[:, max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = images[
        :, max(-dy, 0) : height - max(dy, 0), max(-dx, 0) : width - max(dx, 0)
    ]
    return moved.reshape(X.shape)


def models(image_shape) -> dict:
    """label -> a builder of the model (logits for 10 classes from flat rows of 64 pixels)."""
    return {
        "CNN": lambda: build_cnn(channels_first(image_shape), 10, channels=(16, 32), hidden=()),
        "MLP": lambda: build_mlp(int(np.prod(image_shape)), [128, 128], 10),
    }


def train_and_test(build, seed: int, data: dict, image_shape, epochs: int) -> dict:
    manual_seed(seed)  # the same batch order for both models
    model = build()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=LR), metrics=["accuracy"])
    trainer.fit(
        DataLoader(TensorDataset(data["X_train"], data["y_train"]), batch_size=BATCH_SIZE, shuffle=True), epochs=epochs
    )

    def accuracy(X):
        return trainer.evaluate(DataLoader(TensorDataset(X, data["y_test"]), batch_size=2048))["accuracy"]

    by_shift = [
        float(np.mean([accuracy(shift_images(data["X_test"], image_shape, d * dy, d * dx)) for dy, dx in DIRECTIONS]))
        for d in SHIFTS
    ]
    return {
        "parameters": model.num_parameters(),
        "test_accuracy": by_shift[0],
        "shifted_test_accuracy": dict(zip(map(str, SHIFTS), by_shift)),
        "accuracy_drop": {str(d): by_shift[0] - a for d, a in zip(SHIFTS[1:], by_shift[1:])},
    }


def draw(out: Path, results: dict, example: np.ndarray, image_shape) -> str:
    plt = pyplot()
    figure = plt.figure(figsize=(12, 4.4))
    grid = figure.add_gridspec(len(SHIFTS), 3, width_ratios=[0.5, 2, 3])
    for row, d in enumerate(SHIFTS):
        ax = figure.add_subplot(grid[row, 0])
        ax.imshow(shift_images(example, image_shape, 0, d).reshape(image_shape), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"shifted {d} px right" if d else "test digit", fontsize=8)
        ax.axis("off")
    labels = list(results)
    counts = figure.add_subplot(grid[:, 1])
    bars = counts.bar(labels, [results[k]["parameters"] for k in labels], color=["tab:blue", "tab:orange"])
    counts.bar_label(bars, fontsize=8)
    label_axes(counts, None, "parameters", "parameter count", legend_size=None)
    accuracy = figure.add_subplot(grid[:, 2])
    for label, color in zip(labels, ("tab:blue", "tab:orange")):
        values = [results[label]["shifted_test_accuracy"][str(d)] for d in SHIFTS]
        accuracy.plot(SHIFTS, values, "o-", color=color, label=label)
    accuracy.axhline(0.1, color="gray", linewidth=0.8)
    accuracy.set_xticks(SHIFTS)
    accuracy.set_ylim(0, 1.05)
    label_axes(
        accuracy,
        "shift (pixels, mean of up/down/left/right)",
        "test accuracy",
        "accuracy on shifted test digits (gray: chance)",
    )
    return save(figure, out, "parameter_sharing.png", suptitle="digits 8x8: parameter sharing (CNN) vs an MLP")


@register(
    "parameter-sharing",
    "A CNN and an MLP of similar accuracy on digits: parameter counts, accuracy on test digits shifted 1-2 pixels",
    "seed 002 (parameter sharing and CNNs)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    epochs = 5 if fast else 20
    digits = load_dataset("digits")
    split = train_val_test_split(digits.X, digits.y, val_size=0, test_size=0.3, seed=0)
    data = {
        "X_train": split.X_train / 16,
        "y_train": split.y_train,
        "X_test": split.X_test / 16,
        "y_test": split.y_test,
    }
    results = {
        label: train_and_test(build, seed, data, digits.image_shape, epochs)
        for label, build in runs(models(digits.image_shape).items(), "parameter-sharing: models")
    }
    figure = draw(out, results, data["X_test"][:1], digits.image_shape)
    cnn, mlp = results["CNN"], results["MLP"]
    summary = [
        f"parameters: CNN {cnn['parameters']:,}, MLP {mlp['parameters']:,}",
        f"test accuracy: CNN {cnn['test_accuracy']:.3f}, MLP {mlp['test_accuracy']:.3f}",
    ] + [
        f"shifted by {d} px: CNN {cnn['shifted_test_accuracy'][str(d)]:.3f}, MLP {mlp['shifted_test_accuracy'][str(d)]:.3f}"
        for d in SHIFTS[1:]
    ]
    return {
        "epochs": epochs,
        "lr": LR,
        "batch_size": BATCH_SIZE,
        "shifts": list(SHIFTS),
        "models": results,
        "figures": [figure],
        "summary": summary,
    }
