"""``neuronlab train``: train an MLP on a dataset and write a run folder (see ``neuronlab.train.run``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from neuronlab.cli.config import from_command_line, merge_config_file
from neuronlab.cli.errors import user_errors
from neuronlab.cli.options import blas_threads, dataset_option
from neuronlab.io.checkpoint import load
from neuronlab.train.run import RunConfig, default_run_dir, train_run
from neuronlab.train.run_folder import RunFolder, RunFolderError
from neuronlab.train.settings import SETTINGS, TASKS, Choice, Flag, Layers, Number, Sizes


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
            self.fail(
                f"expected a list of sizes such as [128, 64] or a string such as '128,64', got {value!r}", param, ctx
            )
        if any(size < 1 for size in sizes):
            self.fail(f"layer sizes must be positive, got {value!r}", param, ctx)
        return sizes


class LayerList(click.ParamType):
    """A list of layers: ``[[layers]]`` tables in a TOML file, a JSON list on the command line (the settings
    table checks each layer)."""

    name = "JSON"

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                self.fail(f'expected a JSON list of layers such as \'[{{"type": "Flatten"}}]\' ({error})', param, ctx)
        if not isinstance(value, list):
            self.fail(f"expected a list of layers, got {value!r}", param, ctx)
        return value


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
        epochs = f"{epoch} finished epoch{'s' if epoch != 1 else ''}"
        click.echo(
            f"\ninterrupted {when}{epochs} saved in {folder.last_epoch}; "
            f"continue with: neuronlab train --resume {folder.path}",
            err=True,
        )
    else:
        click.echo("\ninterrupted before the first epoch finished: nothing to resume", err=True)
    ctx.exit(130)


def _summary(metrics: dict) -> str:
    part = metrics["evaluated_on"]
    values = metrics[part]
    if metrics["task"] == "generation":
        return (
            f"{part} loss {values['loss']:.4f} nats per character ({values['bits_per_character']:.3f} bits), "
            f"next-character accuracy {values['accuracy']:.4f}"
        )
    if metrics["task"] == "classification":
        matrix = values["confusion_matrix"]
        correct, total = sum(matrix[i][i] for i in range(len(matrix))), sum(map(sum, matrix))
        return f"{part} accuracy {values['accuracy']:.4f} ({correct}/{total}), loss {values['loss']:.4f}"
    return f"{part} R^2 {values['r2']:.4f}, MSE {values['mse']:.4g}, MAE {values['mae']:.4g}"


# the options of the run's settings, one per entry of the settings table; the CLI adds only what reads files
_EXTRA = {
    "dataset": {"callback": dataset_option},
    "data_dir": {"type": click.Path(exists=True, file_okay=False)},
    "task": {
        "type": click.Choice(["auto", *TASKS]),
        "default": "auto",
        "callback": lambda ctx, param, value: None if value == "auto" else value,
    },
    "early_stopping": {"metavar": "PATIENCE"},
}


def _click_type(constraint):
    """The click type that checks ``constraint`` (so a flag and a config.toml value fail the same way)."""
    if isinstance(constraint, Choice):
        return click.Choice(list(constraint.options))
    if isinstance(constraint, Sizes):
        return HiddenSizes()
    if isinstance(constraint, Layers):
        return LayerList()
    if isinstance(constraint, Number):
        ends = {
            "min": constraint.low if math.isfinite(constraint.low) else None,
            "max": constraint.high if math.isfinite(constraint.high) else None,
            "min_open": constraint.low_open,
            "max_open": constraint.high_open,
        }
        return click.IntRange(**ends) if constraint.integer else click.FloatRange(**ends)
    return click.STRING


def settings_options(command):
    """Decorate ``command`` with one option per run setting of :data:`SETTINGS`."""
    for setting in reversed(SETTINGS):
        options = {"default": setting.default, "show_default": setting.default is not None, "help": setting.help}
        if isinstance(setting.constraint, Flag):
            flag = f"{setting.flag}/--no-{setting.flag[2:]}"
        else:
            flag = setting.flag
            options["type"] = _click_type(setting.constraint)
        if isinstance(setting.constraint, Sizes):
            options["default"] = ",".join(map(str, setting.default))
        options.update(_EXTRA.get(setting.name, {}))
        command = click.option(flag, setting.name, **options)(command)
    return command


@click.command("train")
@click.option(
    "--config",
    "config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of settings (keys as the options below); flags given here override it.",
)
@settings_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run folder [default: runs/<dataset>-<date>-<time>].",
)
@click.option("--name", help="Name the run folder runs/NAME instead of using the date.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the earlier run in an existing --out/--name folder (its files are removed first).",
)
@click.option(
    "--plots/--no-plots",
    default=True,
    show_default=True,
    help="Write curves.png, confusion.png (and for convolutional models filters.png, feature_maps.png).",
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="BLAS threads (not in config.toml; a rerun is bit-identical only with the same number).",
)
@click.option(
    "--resume",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="RUN_DIR",
    help="Continue the interrupted run in RUN_DIR from its last saved epoch, with its own config.toml.",
)
@click.pass_context
def train(ctx, config, out, name, overwrite, plots, threads, resume, **settings):
    """Train a multilayer perceptron and write a run folder with the resolved config, metrics.json,
    history.csv, curves.png, confusion.png (convolutional models: filters.png, feature_maps.png) and the
    checkpoint model.safetensors.

    With no options: digits, hidden layers 128 and 64, ReLU, He initialization, Adam (lr 1e-3, weight decay
    1e-3), batch 64, standardized inputs, 15% validation data with early stopping, 15% held-out test data.

    While training, a finished epoch is saved to last.safetensors in the run folder after the first epoch
    and then whenever at least 2 s have passed since the previous save, so an interruption (Ctrl-C) loses
    up to 2 s plus one epoch of training; `neuronlab train --resume RUN_DIR` continues exactly from the
    saved epoch. complete.json is written last, when every file of the run is complete; an existing run
    folder is refused unless --overwrite is given.
    """
    explicit = {key for key in settings if from_command_line(ctx, key)}
    if resume is not None:
        config, out = _resumable_run(resume, explicit, config, out, name, overwrite), resume
    if config is not None:
        settings, from_file = merge_config_file(
            ctx, settings, config, skip=("config", "out", "name", "overwrite", "plots", "threads", "resume")
        )
        explicit |= from_file
    if out is not None and name is not None:
        raise click.UsageError("give either --out DIR or --name NAME, not both")
    run_dir = out if out is not None else (Path("runs") / name if name is not None else None)
    with user_errors():
        run_config = RunConfig(**settings)
        run_dir = run_dir if run_dir is not None else default_run_dir(run_config)
        try:
            with blas_threads(threads):
                result = train_run(
                    run_config,
                    run_dir,
                    resume=resume is not None,
                    overwrite=overwrite,
                    progress=True,
                    plots=plots,
                    log=click.echo,
                )
        except KeyboardInterrupt:
            _interrupted(ctx, RunFolder(run_dir))
    metrics = result.metrics
    ran = f"{'stopped early after ' if metrics['stopped_early'] else ''}{metrics['epochs_run']} epochs"
    if metrics["best_epoch"] is not None and metrics["best_epoch"] != metrics["epochs_run"]:
        ran += f", kept the weights of epoch {metrics['best_epoch']}"
    click.echo(f"{ran} ({metrics['train_time_s']:.1f}s)")
    click.echo(_summary(metrics))
    click.echo(f"run folder: {result.run_dir} ({', '.join(p.name for p in result.files)})")
    if metrics["task"] == "generation":
        click.echo(f"sample it: neuronlab generate {result.run_dir} --prompt TEXT")
