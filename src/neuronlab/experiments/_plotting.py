"""Plotting helpers shared by the experiments: a headless pyplot, and saving a figure small enough for the docs."""
from __future__ import annotations

from pathlib import Path


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed), imported on first use."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(figure, out: Path, name: str, dpi: int = 80) -> str:
    """Write ``figure`` to ``out/name`` as PNG, close it, and return ``name`` (for the experiment's JSON)."""
    figure.savefig(Path(out) / name, dpi=dpi)
    pyplot().close(figure)
    return name
