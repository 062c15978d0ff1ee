"""``neuronlab evaluate CHECKPOINT``: score a saved model on a dataset."""
from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from neuronlab.cli.errors import blas_threads, check_dataset_arguments, dataset_option, user_errors
from neuronlab.data import load_dataset
from neuronlab.io import load
from neuronlab.train.inference import check_compatible, score
from neuronlab.train.preprocessing import Preprocessing
from neuronlab.train.run_folder import RunFolder


def _choose_split(split: str, same_data: bool, run: dict) -> str:
    if split == "auto":
        return "test" if same_data and run.get("split", {}).get("test_size", 0) > 0 else "all"
    if split != "all" and not same_data:
        raise click.UsageError(f"--split {split} re-creates the training run's split, which needs the dataset the model "
                               f"was trained on ({run.get('dataset', 'not recorded in the checkpoint')}); use --split all")
    return split


def _format(task: str, metrics: dict) -> str:
    if task == "classification":
        return f"accuracy {metrics['accuracy']:.4f}  loss {metrics['loss']:.4f}"
    return f"R^2 {metrics['r2']:.4f}  MSE {metrics['mse']:.4g}  MAE {metrics['mae']:.4g}"


@click.command("evaluate")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", default=None, callback=dataset_option,
              help="Dataset name or csv:PATH [default: the one the model was trained on].")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), help="Folder of the MNIST IDX files.")
@click.option("--target", help="Target column of a csv:PATH dataset.")
@click.option("--task", type=click.Choice(["classification", "regression"]), default=None,
              help="Read the dataset as this task [default: the model's].")
@click.option("--split", type=click.Choice(["auto", "all", "train", "val", "test"]), default="auto", show_default=True,
              help="Which samples: the training run's train/val/test split (same dataset only), or all; auto = "
                   "the test split of the training dataset, all samples of another.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True, help="BLAS threads.")
def evaluate(checkpoint, dataset, data_dir, target, task, split, as_json, threads):
    """Metrics of the model in CHECKPOINT (a model.safetensors from `neuronlab train`) on a dataset."""
    with user_errors():
        RunFolder(checkpoint.parent).check_complete(checkpoint)
        ckpt = load(checkpoint)
        run = ckpt.extra.get("run", {})
        trained = run.get("config", {})
        if dataset is None:
            if "dataset" not in trained:
                raise click.UsageError("the checkpoint does not record its dataset; give --dataset")
            dataset = trained["dataset"]
        same_data = dataset == trained.get("dataset")
        if same_data:
            data_dir = data_dir or trained.get("data_dir")
            target = target or trained.get("target")
        check_dataset_arguments(dataset, data_dir, target)
        bundle = load_dataset(dataset, data_dir=data_dir, target=target, seed=trained.get("seed", 0) if same_data else 0)
        task = task or ckpt.task or bundle.task
        bundle = bundle.with_task(task)
        bundle = check_compatible(ckpt, bundle)
        split = _choose_split(split, same_data, run)
        if split != "all":
            RunFolder.check_same_data(run, bundle, f"its {split} split cannot be re-created (it would mix in other "
                                                   "rows); use --split all to score every row")
        X, y = bundle.X, bundle.y
        if split != "all":
            parts = RunFolder.split(bundle, run["split"])
            if split not in parts:
                raise click.UsageError(f"the training run held out no {split} data; use another --split")
            X, y = parts[split]
        with blas_threads(threads):
            metrics = score(task, y, Preprocessing.from_checkpoint(ckpt).outputs(ckpt.model, X))
    if task == "regression" and len(y) < 2:
        click.echo(f"warning: {len(y)} sample; R^2 needs 2 or more, so it is reported as nan", err=True)
    if as_json:
        click.echo(json.dumps({"dataset": bundle.name, "split": split, "samples": len(y), **metrics}, indent=2))
        return
    click.echo(f"{bundle.name}, {split} ({len(y)} samples): {_format(task, metrics)}")
    if task == "classification" and len(metrics["confusion_matrix"]) <= 20:
        matrix = np.array(metrics["confusion_matrix"])
        width = max(len(str(matrix.max())), *(len(str(c)) for c in bundle.class_names))
        click.echo("confusion matrix (rows: true class, columns: predicted):")
        click.echo(" " * (width + 1) + " ".join(str(c).rjust(width) for c in bundle.class_names))
        for name, row in zip(bundle.class_names, matrix):
            click.echo(str(name).rjust(width) + " " + " ".join(str(v).rjust(width) for v in row))
