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


# ---------------------------------------------------------------------------------------- convolutional runs
def first_convolution(model):
    """The model's first ``Conv1d``/``Conv2d`` layer (in ``modules()`` order), or None."""
    from neuronlab import nn

    return next((m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))), None)


def _panel_grid(fig, count: int):
    """``count`` axes in a near-square grid (exactly ``count``: no empty panels)."""
    columns = min(count, max(1, int(np.ceil(np.sqrt(count)))))
    rows = -(-count // columns)
    fig.set_size_inches(1.6 * columns + 0.6, 1.6 * rows + 0.8)
    return [fig.add_subplot(rows, columns, i + 1) for i in range(count)]


def _show(ax, panel: np.ndarray, signal: bool, **imshow_options) -> None:
    """An image panel (H, W) or (H, W, 3); with ``signal`` a 1-D panel (channels, L), one line per channel."""
    if signal:
        for row in panel:
            ax.plot(row, linewidth=1)
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        ax.imshow(panel, **imshow_options)
        ax.set_axis_off()


def _rgb(array: np.ndarray) -> np.ndarray:
    """(3, H, W) -> (H, W, 3) scaled to [0, 1] (min to max of the array)."""
    low, high = float(array.min()), float(array.max())
    return np.moveaxis((array - low) / (high - low if high > low else 1.0), 0, -1)


def filter_panels(conv) -> list[np.ndarray]:
    """The panels of :func:`filters_figure`: one per output channel when the layer sees 3 channels per group
    (a colour image, shown in RGB) or is 1-D (one line per input channel); else one per (output, input)
    channel pair (a grey kernel each)."""
    weight = np.asarray(conv.weight.data, dtype=np.float64)
    if weight.ndim == 3 or weight.shape[1] == 3:
        return [w if weight.ndim == 3 else _rgb(w) for w in weight]
    return [kernel for w in weight for kernel in w]


def filters_figure(conv):
    """The learned kernels of convolution ``conv`` as a grid of panels (:func:`filter_panels`), grey kernels on
    one symmetric diverging colour scale (red positive, blue negative) so their magnitudes compare."""
    plt = _pyplot()
    panels = filter_panels(conv)
    limit = max(float(np.abs(conv.weight.data).max()), 1e-12)
    fig = plt.figure()
    signal = conv.weight.ndim == 3
    for ax, panel in zip(_panel_grid(fig, len(panels)), panels):
        grey = panel.ndim == 2 and not signal
        _show(ax, panel, signal, **({"cmap": "RdBu_r", "vmin": -limit, "vmax": limit} if grey else {}))
    fig.suptitle(f"first layer's filters: {type(conv).__name__} {tuple(conv.weight.shape)}")
    return fig


def feature_maps_figure(model, example: np.ndarray):
    """One example's path through the first convolution of ``model``: the example as the layer sees it (RGB
    for 3 channels, else its first channel), then each output channel's feature map (``1 + out_channels`` panels). ``example`` is one model input
    (a row of the preprocessed data)."""
    import neuronlab

    plt = _pyplot()
    conv = first_convolution(model)
    if conv is None:
        raise ValueError(f"feature_maps_figure: the model has no Conv1d/Conv2d layer ({type(model).__name__})")
    seen: dict = {}
    handle = conv.register_forward_hook(lambda module, inputs, output: seen.update(x=inputs[0], y=output))
    was_training = model.training
    model.eval()
    try:
        with neuronlab.no_grad():
            model(neuronlab.tensor(np.asarray(example, dtype=np.float32)[None]))
    finally:
        handle.remove()
        model.train(was_training)
    x, y = (np.asarray(seen[key].data, dtype=np.float64)[0] for key in ("x", "y"))
    signal = y.ndim == 2
    first = x if signal else (_rgb(x) if len(x) == 3 else x[0])
    panels = [first, *(m[None] if signal else m for m in y)]
    fig = plt.figure()
    for i, (ax, panel) in enumerate(zip(_panel_grid(fig, len(panels)), panels)):
        _show(ax, panel, signal, cmap="gray" if i == 0 else "viridis")
        ax.set_title("input" if i == 0 else f"map {i - 1}", fontsize=8)
    fig.suptitle(f"feature maps of the first {type(conv).__name__} {tuple(y.shape)}")
    return fig


def plot_filters(conv, path) -> Path:
    """:func:`filters_figure` as a PNG at ``path``."""
    return _save(filters_figure(conv), path)


def plot_feature_maps(model, example: np.ndarray, path) -> Path:
    """:func:`feature_maps_figure` as a PNG at ``path``."""
    return _save(feature_maps_figure(model, example), path)


def _save(fig, path) -> Path:
    plt = _pyplot()
    fig.tight_layout()
    path = atomic.save_figure(fig, path, dpi=110)
    plt.close(fig)
    return path
