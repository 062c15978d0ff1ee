"""``neuronlab train``: train an MLP on a dataset and write a run folder (see ``neuronlab.train.run``)."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import click

from neuronlab.cli.config import from_command_line, merge_config_file
from neuronlab.cli.errors import blas_threads, check_dataset_arguments, dataset_option, user_errors
from neuronlab.train.mlp import ACTIVATIONS, INITS
from neuronlab.io.checkpoint import load
from neuronlab.train.run import LR_SCHEDULES, OPTIMIZERS, PREPROCESSING, RunConfig, default_run_dir, train_run
from neuronlab.train.run_folder import RunFolder, RunFolderError

_DEFAULTS = {f.name: f.default for f in fields(RunConfig)}


class HiddenSizes(click.ParamType):
    """Hidden layer sizes: ``128,64`` on the command line, ``[128, 64]`` in a TOML file, ``none`` for no hidden layer."""

    name = "SIZES"

    def convert(self, value, param, ctx):
        if isinstance(value, (list, tuple)):
            if not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
                self.fail(f"expected a list of positive integers such as [128, 64], got {value!r}", param, ctx)
            sizes = tuple(value)
        elif isinstance(value, str):
            text = value.strip()
            items = [] if text.lower() in ("", "none") else text.split(",")
            try:
                sizes = tuple(int(item.strip()) for item in items)
            except ValueError:
                self.fail(f"expected comma-separated positive integers such as 128,64, got {value!r}", param, ctx)
        else:
            self.fail(f"expected a list of sizes such as [128, 64] or a string such as '128,64', got {value!r}",
                      param, ctx)
        if any(size < 1 for size in sizes):
            self.fail(f"layer sizes must be positive, got {value!r}", param, ctx)
        return sizes


def _resumable_run(run_dir: Path, explicit: set, config, out, name, overwrite) -> Path:
    """The config.toml of the unfinished run in ``run_dir``, after checking that nothing else was asked for."""
    others = [f"--{key.replace('_', '-')}" for key in sorted(explicit)]
    others += [flag for flag, value in (("--config", config), ("--out", out), ("--name", name)) if value is not None]
    others += ["--overwrite"] if overwrite else []
    if others:
        raise click.UsageError(f"--resume continues the run with its own config.toml; drop {', '.join(others)}")
    folder = RunFolder(run_dir)
    if folder.state in ("new", "not_a_run", "complete"):
        try:
            folder.check_resumable()
        except RunFolderError as error:
            raise click.BadParameter(str(error), param_hint="--resume") from None
    return folder.config_file


def _interrupted(ctx: click.Context, folder: RunFolder) -> None:
    """Say what an interruption kept and how to go on; exit with 130 (the shell's code for Ctrl-C)."""
    if folder.last_epoch.is_file():
        epoch = load(folder.last_epoch).epoch
        writing = any((folder / name).exists() for name in (folder.HISTORY, folder.METRICS, folder.CHECKPOINT))
        when = "while writing the run's files: " if writing else ""
        click.echo(f"\ninterrupted {when}{epoch} finished epoch{'s' if epoch != 1 else ''} saved in {folder.last_epoch}; "
                   f"continue with: neuronlab train --resume {folder.path}", err=True)
    else:
        click.echo("\ninterrupted before the first epoch finished: nothing to resume", err=True)
    ctx.exit(130)


def _summary(metrics: dict) -> str:
    part = metrics["evaluated_on"]
    values = metrics[part]
    if metrics["task"] == "classification":
        matrix = values["confusion_matrix"]
        correct, total = sum(matrix[i][i] for i in range(len(matrix))), sum(map(sum, matrix))
        return f"{part} accuracy {values['accuracy']:.4f} ({correct}/{total}), loss {values['loss']:.4f}"
    return f"{part} R^2 {values['r2']:.4f}, MSE {values['mse']:.4g}, MAE {values['mae']:.4g}"


@click.command("train")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file of settings (keys as the options below); flags given here override it.")
@click.option("--dataset", default=_DEFAULTS["dataset"], show_default=True, callback=dataset_option,
              help="digits, iris, wine, breast_cancer, diabetes, xor, discrete_mapping, blood_sugar, spirals, "
                   "moons, mnist (needs --data-dir), or csv:PATH.")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), help="Folder of the MNIST IDX files.")
@click.option("--target", help="Target column of a csv:PATH dataset (default: the last column).")
@click.option("--task", type=click.Choice(["auto", "classification", "regression"]), default="auto",
              show_default=True, help="Override the task inferred from the dataset.")
@click.option("--hidden", type=HiddenSizes(), default="128,64", show_default=True, help="Hidden layer sizes.")
@click.option("--activation", type=click.Choice(list(ACTIVATIONS)), default=_DEFAULTS["activation"], show_default=True)
@click.option("--init", type=click.Choice(list(INITS)), default=_DEFAULTS["init"], show_default=True,
              help="Weight initialization: he (2/N_in for ReLU), xavier (Glorot), lecun (1/N_in), default (PyTorch's).")
@click.option("--batchnorm/--no-batchnorm", default=_DEFAULTS["batchnorm"], show_default=True,
              help="Batch normalization after every hidden Linear layer.")
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), default=_DEFAULTS["dropout"],
              show_default=True, help="Dropout probability after every hidden activation.")
@click.option("--optimizer", type=click.Choice(list(OPTIMIZERS)), default=_DEFAULTS["optimizer"], show_default=True)
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=None,
              help="Learning rate [default: 1e-3 for adam, adamw, rmsprop; 1e-2 for sgd, momentum, nesterov, adagrad].")
@click.option("--momentum", type=click.FloatRange(0, 1, max_open=True), default=_DEFAULTS["momentum"],
              show_default=True, help="Momentum of --optimizer momentum/nesterov.")
@click.option("--weight-decay", type=click.FloatRange(0), default=_DEFAULTS["weight_decay"], show_default=True,
              help="Weight decay of the optimizer (decoupled for adamw).")
@click.option("--l1", type=click.FloatRange(0), default=_DEFAULTS["l1"], show_default=True,
              help="L1 penalty l1 * sum|W| on the weight matrices.")
@click.option("--l2", type=click.FloatRange(0), default=_DEFAULTS["l2"], show_default=True,
              help="L2 penalty l2 * sum W^2 on the weight matrices.")
@click.option("--lr-schedule", type=click.Choice(list(LR_SCHEDULES)), default=_DEFAULTS["lr_schedule"],
              show_default=True, help="step: x0.1 every third of the epochs; exponential: x0.97 per epoch; "
                                      "cosine: to 0 over the epochs; plateau: x0.5 when val loss stalls 5 epochs.")
@click.option("--clip-grad", type=click.FloatRange(0), default=_DEFAULTS["clip_grad"], show_default=True,
              help="Clip the gradients' joint norm to this value (0: off).")
@click.option("--epochs", type=click.IntRange(1), default=_DEFAULTS["epochs"], show_default=True,
              help="Maximum number of epochs.")
@click.option("--batch-size", type=click.IntRange(1), default=_DEFAULTS["batch_size"], show_default=True)
@click.option("--early-stopping", "early_stopping", metavar="PATIENCE", type=click.IntRange(0),
              default=_DEFAULTS["early_stopping"], show_default=True,
              help="Stop after PATIENCE epochs without a lower validation loss and keep the best weights (0: off).")
@click.option("--val-size", type=click.FloatRange(0, 1, max_open=True), default=_DEFAULTS["val_size"],
              show_default=True, help="Fraction of the data held out for validation.")
@click.option("--test-size", type=click.FloatRange(0, 1, max_open=True), default=_DEFAULTS["test_size"],
              show_default=True, help="Fraction of the data held out for the final test.")
@click.option("--preprocess", type=click.Choice(list(PREPROCESSING)), default=_DEFAULTS["preprocess"],
              show_default=True, help="Input preprocessing fitted on the training split (pca/zca: whitening).")
@click.option("--seed", type=click.IntRange(0), default=_DEFAULTS["seed"], show_default=True,
              help="Seed of the split, the initialization, the shuffling and dropout.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Run folder [default: runs/<dataset>-<date>-<time>].")
@click.option("--name", help="Name the run folder runs/NAME instead of using the date.")
@click.option("--overwrite", is_flag=True,
              help="Replace the earlier run in an existing --out/--name folder (its files are removed first).")
@click.option("--plots/--no-plots", default=True, show_default=True, help="Write curves.png and confusion.png.")
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True,
              help="BLAS threads (not in config.toml; a rerun is bit-identical only with the same number).")
@click.option("--resume", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="RUN_DIR",
              help="Continue the interrupted run in RUN_DIR from its last saved epoch, with its own config.toml.")
@click.pass_context
def train(ctx, config, out, name, overwrite, plots, threads, resume, **settings):
    """Train a multilayer perceptron and write a run folder with the resolved config, metrics.json,
    history.csv, curves.png, confusion.png and the checkpoint model.safetensors.

    With no options: digits, hidden layers 128 and 64, ReLU, He initialization, Adam (lr 1e-3, weight decay
    1e-3), batch 64, standardized inputs, 15% validation data with early stopping, 15% held-out test data.

    While training, a finished epoch is saved to last.safetensors in the run folder after the first epoch
    and then whenever at least 2 s have passed since the previous save, so an interruption (Ctrl-C) loses
    up to 2 s plus one epoch of training; `neuronlab train --resume RUN_DIR` continues exactly from the
    saved epoch.
    """
    explicit = {key for key in settings if from_command_line(ctx, key)}
    if resume is not None:
        config, out = _resumable_run(resume, explicit, config, out, name, overwrite), resume
    if config is not None:
        settings, from_file = merge_config_file(ctx, settings, config,
                                                skip=("config", "out", "name", "overwrite", "plots", "threads", "resume"))
        explicit |= from_file
    if out is not None and name is not None:
        raise click.UsageError("give either --out DIR or --name NAME, not both")
    check_dataset_arguments(settings["dataset"], settings["data_dir"], settings["target"])
    if settings["val_size"] == 0 and "early_stopping" not in explicit:
        settings["early_stopping"] = 0          # nothing to watch: train all epochs
    settings["task"] = None if settings["task"] == "auto" else settings["task"]
    run_dir = out if out is not None else (Path("runs") / name if name is not None else None)
    with user_errors():
        run_config = RunConfig(**settings)
        run_dir = run_dir if run_dir is not None else default_run_dir(run_config)
        try:
            with blas_threads(threads):
                result = train_run(run_config, run_dir, resume=resume is not None, overwrite=overwrite,
                                   progress=True, plots=plots, log=click.echo)
        except KeyboardInterrupt:
            _interrupted(ctx, RunFolder(run_dir))
    metrics = result.metrics
    ran = f"{'stopped early after ' if metrics['stopped_early'] else ''}{metrics['epochs_run']} epochs"
    if metrics["best_epoch"] is not None and metrics["best_epoch"] != metrics["epochs_run"]:
        ran += f", kept the weights of epoch {metrics['best_epoch']}"
    click.echo(f"{ran} ({metrics['train_time_s']:.1f}s)")
    click.echo(_summary(metrics))
    click.echo(f"run folder: {result.run_dir} ({', '.join(p.name for p in result.files)})")
