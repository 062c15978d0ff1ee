"""Figures of a converted network: accuracy against presentation time, and a spike raster of every layer.

matplotlib is imported on first use (Agg backend: no display needed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab.io import atomic


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy_curve(path, curves: dict, rate_accuracy: dict | None = None, title: str = "") -> Path:
    """Spiking accuracy against presentation time, one line per entry of ``curves`` ({label: (times, accuracy)}),
    each rate network's accuracy (``rate_accuracy``, {label: value}) as a dashed line; written to ``path`` (PNG)."""
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(6, 4))
    for label, (times, accuracy) in curves.items():
        (line,) = ax.plot(
            1000 * np.asarray(times), accuracy, "-" if len(times) > 30 else "o-", markersize=3, label=f"{label}: spikes"
        )
        if rate_accuracy and label in rate_accuracy:
            ax.axhline(
                rate_accuracy[label],
                color=line.get_color(),
                linestyle="--",
                linewidth=1,
                label=f"{label}: rates ({rate_accuracy[label]:.3f})",
            )
    ax.set_xlabel("presentation time (ms)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.02)
    ax.set_title(title or "converted network: accuracy vs presentation time", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    path = atomic.save_figure(figure, path, dpi=80)
    plt.close(figure)
    return path


def plot_raster(path, result, names: list, example: int = 0, title: str = "") -> Path:
    """Spike raster of every population for one input (``result`` from ``simulate(..., record=True)``)."""
    if not result.spikes:
        raise ValueError("plot_raster: the simulation did not record spikes (simulate(..., record=True))")
    plt = _pyplot()
    figure, axes = plt.subplots(
        len(result.spikes), 1, figsize=(7, 1.6 + 1.4 * len(result.spikes)), sharex=True, squeeze=False
    )
    for ax, spikes, name in zip(axes[:, 0], result.spikes, names):
        steps, neurons = np.nonzero(spikes[:, example, :])
        ax.scatter(1000 * (steps + 1) * result.dt, neurons, s=2, marker="|", color="k")
        ax.set_ylabel("neuron")
        ax.set_title(f"{name}: {len(steps)} spikes", fontsize=9)
    axes[-1, 0].set_xlabel("time (ms)")
    figure.suptitle(title or f"spikes of every layer, input {example}", fontsize=10)
    figure.tight_layout()
    path = atomic.save_figure(figure, path, dpi=80)
    plt.close(figure)
    return path


def plot_relu_lif_fit(path, tau_ref: float = 0.002, tau_m: float = 0.02) -> Path:
    """The LIF neuron that stands for a normalized ReLU (:func:`~neuronlab.snn.convert.relu_lif_fit`): its
    read-out rate G(gain u + bias) / G(gain + bias) against u = z / lambda, beside the ReLU it replaces."""
    from neuronlab.neurons import lif_rate
    from neuronlab.snn.convert import relu_lif_fit

    gain, bias, peak = relu_lif_fit(tau_ref, tau_m)
    u = np.linspace(-0.2, 1.0, 601)
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(5, 3.6))
    ax.plot(u, np.maximum(u, 0.0), "k--", linewidth=1, label="ReLU(u) (IF neuron: exact up to u = 1)")
    ax.plot(
        u,
        lif_rate(gain * u + bias, tau_ref, tau_m) / peak,
        label=f"LIF: G({gain:.2f} u + {bias:.2f}) / {peak:.0f} Hz",
    )
    ax.set_xlabel("u = z / lambda (the normalized pre-activation)")
    ax.set_ylabel("activation / lambda")
    ax.set_title(f"ReLU -> LIF (tau_ref {1000 * tau_ref:g} ms, tau_m {1000 * tau_m:g} ms)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    path = atomic.save_figure(figure, path, dpi=80)
    plt.close(figure)
    return path
