"""``neuronlab evaluate CHECKPOINT``: score a saved model on a dataset."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from neuronlab.cli.errors import user_errors
from neuronlab.cli.options import blas_threads, dataset_option
from neuronlab.train.evaluation import SPLITS, evaluate_checkpoint


def _format(task: str, metrics: dict) -> str:
    if task == "classification":
        return f"accuracy {metrics['accuracy']:.4f}  loss {metrics['loss']:.4f}"
    return f"R^2 {metrics['r2']:.4f}  MSE {metrics['mse']:.4g}  MAE {metrics['mae']:.4g}"


@click.command("evaluate")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dataset",
    default=None,
    callback=dataset_option,
    help="Dataset name or csv:PATH [default: the one the model was trained on].",
)
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), help="Folder of the MNIST IDX files.")
@click.option("--target", help="Target column of a csv:PATH dataset.")
@click.option(
    "--task",
    type=click.Choice(["classification", "regression"]),
    default=None,
    help="Read the dataset as this task [default: the model's].",
)
@click.option(
    "--split",
    type=click.Choice(list(SPLITS)),
    default="auto",
    show_default=True,
    help="Which samples: the training run's train/val/test split (same dataset only), or all; auto = "
    "the test split of the training dataset, all samples of another.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True, help="BLAS threads.")
def evaluate(checkpoint, dataset, data_dir, target, task, split, as_json, threads):
    """Metrics of the model in CHECKPOINT (a model.safetensors from `neuronlab train`) on a dataset."""
    with user_errors(), blas_threads(threads):
        result = evaluate_checkpoint(checkpoint, dataset, data_dir, target, task, split)
    metrics, names = result.metrics, result.class_names
    if result.task == "regression" and result.samples < 2:
        click.echo(f"warning: {result.samples} sample; R^2 needs 2 or more, so it is reported as nan", err=True)
    if as_json:
        click.echo(
            json.dumps(
                {"dataset": result.dataset, "split": result.split, "samples": result.samples, **metrics}, indent=2
            )
        )
        return
    click.echo(f"{result.dataset}, {result.split} ({result.samples} samples): {_format(result.task, metrics)}")
    if result.task == "classification" and len(metrics["confusion_matrix"]) <= 20:
        matrix = np.array(metrics["confusion_matrix"])
        width = max(len(str(matrix.max())), *(len(str(c)) for c in names))
        click.echo("confusion matrix (rows: true class, columns: predicted):")
        click.echo(" " * (width + 1) + " ".join(str(c).rjust(width) for c in names))
        for name, row in zip(names, matrix):
            click.echo(str(name).rjust(width) + " " + " ".join(str(v).rjust(width) for v in row))
