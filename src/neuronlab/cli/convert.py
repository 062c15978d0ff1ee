"""``neuronlab convert RUN_DIR``: run a trained classifier as a spiking network on its run's test split."""

from __future__ import annotations

import math
from pathlib import Path

import click


def _fail(message: str, code: int = 2):
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


def _positive(name: str, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        _fail(f"--{name} must be a positive number of seconds, got {value:g}")
    return value


@click.command("convert")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--presentation", type=float, default=0.2, show_default=True, help="Seconds each test input is shown.")
@click.option("--dt", type=float, default=0.001, show_default=True, help="Time step (s).")
@click.option(
    "--tau-s",
    type=float,
    default=0.005,
    show_default=True,
    help="Post-synaptic current time constant (s); 0: unfiltered spikes.",
)
@click.option(
    "--normalize",
    type=click.Choice(["percentile", "max", "none"]),
    default="percentile",
    show_default=True,
    help="Data-based scale of ReLU layers (on the run's training split).",
)
@click.option(
    "--relu-neuron",
    type=click.Choice(["if", "lif"]),
    default="if",
    show_default=True,
    help="ReLU units become integrate-and-fire neurons or LIF neurons (tau_ref 2 ms, tau_m 20 ms, "
    "gain and bias fitted to the normalized ReLU).",
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Output folder [default: RUN_DIR].")
def convert(run_dir, presentation, dt, tau_s, normalize, relu_neuron, out):
    """Convert the model trained in RUN_DIR into spiking neurons and score it on the run's test split:
    writes conversion.json (rate_accuracy, spiking_accuracy, the accuracy-vs-time curve) and the figures."""
    from neuronlab.cli.options import blas_threads
    from neuronlab.data import load_dataset, train_val_test_split
    from neuronlab.io import CheckpointError, load
    from neuronlab.snn import conversion_report

    _positive("presentation", presentation)
    _positive("dt", dt)
    if dt > presentation:
        _fail(f"--dt ({dt:g} s) is longer than --presentation ({presentation:g} s)")
    if not (math.isfinite(tau_s) and tau_s >= 0):
        _fail(f"--tau-s must be a number of seconds >= 0, got {tau_s:g}")
    checkpoint = run_dir / "model.safetensors"
    if not run_dir.is_dir():
        _fail(f"{run_dir} is not a folder (give the folder `neuronlab train` wrote)")
    if not checkpoint.is_file():
        _fail(f"{run_dir} holds no model.safetensors (is it a finished `neuronlab train` run?)")
    try:
        ckpt = load(checkpoint)
    except (CheckpointError, OSError, ValueError) as error:
        _fail(f"{checkpoint}: {error}", code=1)
    run = ckpt.extra.get("run", {})
    config, split = run.get("config", {}), run.get("split")
    if ckpt.task not in (None, "classification") or "dataset" not in config or not split:
        _fail(f"{run_dir}: convert needs a classification run that records its dataset and split")
    try:
        bundle = load_dataset(
            config["dataset"], data_dir=config.get("data_dir"), target=config.get("target"), seed=config.get("seed", 0)
        )
        parts = train_val_test_split(
            bundle.X,
            bundle.y,
            val_size=split["val_size"],
            test_size=split["test_size"],
            stratify=True,
            seed=split["seed"],
        )
    except (ValueError, OSError) as error:
        _fail(f"{run_dir}: cannot re-create the run's data: {error}", code=1)
    if len(parts.y_test) == 0:
        _fail(f"{run_dir}: the training run held out no test data")
    transform = ckpt.input_transform
    X_train, X_test = (
        (parts.X_train, parts.X_test)
        if transform is None
        else (transform.transform(parts.X_train), transform.transform(parts.X_test))
    )
    out = out or run_dir
    try:
        with blas_threads(1):
            report = conversion_report(
                ckpt.model,
                X_test,
                parts.y_test,
                out,
                X_train=X_train,
                presentation=presentation,
                dt=dt,
                tau_s=tau_s,
                normalize=None if normalize == "none" else normalize,
                relu_neuron=relu_neuron,
            )
    except TypeError as error:  # a layer that cannot be converted
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.filename or out}: {error.strerror or error}", code=1)
    click.echo(
        f"rate accuracy {report['rate_accuracy']:.4f}, spiking accuracy {report['spiking_accuracy']:.4f} "
        f"at {presentation:g} s (dt {dt:g} s, {report['samples']} test inputs, "
        f"{report['simulation_seconds']:.2f} s); wrote {Path(out) / 'conversion.json'}"
    )
