"""The registry of the notes' experiments: each is a function registered under a name.

An experiment is ``run(out: Path, seed: int, fast: bool) -> dict``: it writes its figures into ``out`` and
returns the numbers that support the notes' claim (JSON-serialisable). ``fast=True`` shrinks it for the
test suite without changing what it demonstrates. ``run_experiment`` seeds the library, creates the
folder, and writes ``results.json`` beside the figures.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neuronlab.io import atomic
from neuronlab.random import manual_seed


@dataclass(frozen=True)
class Experiment:
    name: str
    description: str
    notes: str  # the section of the notes it reproduces
    run: Callable[[Path, int, bool], dict]


_REGISTRY: dict[str, Experiment] = {}

# The modules that register experiments, imported on first use so `import neuronlab` stays light.
_MODULES = [
    "optimizer_paths",
    "optimizer_compare",
    "init_histograms",
    "vanishing_gradients",
    "batchnorm",
    "regularization",
    "l1_vs_l2",
    "dropout",
    "ensemble",
    "augmentation",
    "universal_approximation",
    "gradient_check",
    "xor",
    "lr_decay",
    "vanishing_through_time",  # Recurrence (issue 13)
]
_MODULES += ["mnist1d_table", "parameter_sharing"]  # Convolution (issue 12)
_MODULES += ["ann_to_snn", "snn_surrogate"]  # Spiking bridge (issue 15)


def register(name: str, description: str, notes: str):
    """Decorator: ``@register("xor", "XOR with a 2-2-1 sigmoid net", "seed 002 ...")``."""

    def decorate(run):
        _REGISTRY[name] = Experiment(name, description, notes, run)
        return run

    return decorate


def experiments() -> dict[str, Experiment]:
    """All registered experiments by name (importing their modules on first call)."""
    for module in _MODULES:
        importlib.import_module(f"neuronlab.experiments.{module}")
    return dict(sorted(_REGISTRY.items()))


def run_experiment(name: str, out: str | os.PathLike, seed: int = 0, fast: bool = False) -> dict:
    """Run one experiment into folder ``out``; returns its numbers (also written to ``out/results.json``)."""
    table = experiments()
    if name not in table:
        raise ValueError(f"unknown experiment {name!r}; expected one of: {', '.join(table)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manual_seed(seed)
    numbers = table[name].run(out, seed, fast)
    payload = {"experiment": name, "reproduces": table[name].notes, "seed": seed, "fast": fast, **numbers}
    atomic.write_text(out / "results.json", json.dumps(payload, indent=2, default=float))
    return payload
