"""Plotting helpers shared by the experiments: a headless pyplot, the figures' axis labelling, and saving a
figure small enough for the docs."""

from __future__ import annotations

from pathlib import Path

from neuronlab.io import atomic


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def label_axes(
    ax, xlabel: str | None, ylabel: str | None, title: str, legend_size: int | None = 8, **legend_options
) -> None:
    """Label ``ax`` (None: no label), title it at 10 points and add a legend at ``legend_size`` points (None: no
    legend); ``legend_options`` (``loc``, ``ncol``, ...) go to ``ax.legend``. Call it after plotting."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if legend_size is not None:
        ax.legend(fontsize=legend_size, **legend_options)


def save(figure, out: Path, name: str, suptitle: str | None = None, dpi: int = 80) -> str:
    """Give ``figure`` its ``suptitle`` (11 points), lay it out tightly (unless it was made with a layout engine,
    e.g. ``layout="constrained"``), write it to ``out/name`` as PNG, close it, and return ``name`` (for the
    experiment's JSON)."""
    if suptitle is not None:
        figure.suptitle(suptitle, fontsize=11)
    if figure.get_layout_engine() is None:
        figure.tight_layout()
    atomic.save_figure(figure, Path(out) / name, dpi=dpi)
    pyplot().close(figure)
    return name
