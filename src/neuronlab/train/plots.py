"""Figures of a training run: learning curves (the notes' overfitting picture: training loss keeps falling
while the validation loss turns up, notes 003 §5.2) and the confusion matrix. Matplotlib is imported here,
inside the functions, with the Agg backend, so ``import neuronlab`` stays fast and headless."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab.io import atomic


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(history, path, title: str | None = None) -> Path:
    """Train vs validation loss (left) and the first metric (right, e.g. accuracy) over epochs; marks the
    epoch whose weights were kept by early stopping. Returns the path of the PNG."""
    plt = _pyplot()
    epochs = history["epoch"]
    metrics = [c[len("train_") :] for c in history.columns if c.startswith("train_") and c != "train_loss"]
    panels = ["loss"] + metrics[:1]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False)
    for ax, name in zip(axes[0], panels):
        ax.plot(epochs, history[f"train_{name}"], label="train", color="tab:blue")
        if f"val_{name}" in history:
            ax.plot(epochs, history[f"val_{name}"], label="validation", color="tab:orange")
        if history.best_epoch is not None:
            ax.axvline(
                history.best_epoch, color="0.5", linestyle="--", linewidth=1, label=f"best epoch ({history.best_epoch})"
            )
        if name == "loss":
            values = np.array([v for k in ("train_loss", "val_loss") if k in history for v in history[k]], float)
            if values.size and np.all(values > 0) and values.max() / values.min() > 50:
                ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = atomic.save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path


def plot_confusion(matrix, class_names, path, title: str | None = None) -> Path:
    """The confusion matrix as a heat map with counts (rows: true class, columns: predicted class)."""
    plt = _pyplot()
    matrix = np.asarray(matrix)
    k = len(matrix)
    size = max(3.5, 0.45 * k + 2.0)
    fig, ax = plt.subplots(figsize=(size + 0.8, size))
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ticks = np.arange(k)
    ax.set_xticks(ticks, labels=class_names, rotation=45 if max(len(str(c)) for c in class_names) > 3 else 0)
    ax.set_yticks(ticks, labels=class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = matrix.max() / 2 if matrix.size else 0
    if k <= 30:
        for i in range(k):
            for j in range(k):
                ax.text(
                    j,
                    i,
                    str(matrix[i, j]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if matrix[i, j] > threshold else "black",
                )
    ax.set_title(title or f"confusion matrix ({int(matrix.trace())}/{int(matrix.sum())} correct)")
    fig.tight_layout()
    path = atomic.save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path
