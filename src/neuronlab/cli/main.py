"""Entry point of the ``neuronlab`` console script."""

from __future__ import annotations

import importlib
import sys

import click

from neuronlab import __version__
from neuronlab.cli.problem import DataProblem

# name -> (module, one-line help). A command's module is imported only when that command runs, so
# `neuronlab --help` and each command's start do not pay for the others' imports.
COMMANDS = {
    "train": ("neuronlab.cli.train", "Train a network and write a run folder (metrics, plots, checkpoint)."),
    "evaluate": ("neuronlab.cli.evaluate", "Metrics of a saved model on a dataset or the run's own split."),
    "predict": ("neuronlab.cli.predict", "Predictions of a saved model for every row of a CSV file."),
    "export": ("neuronlab.cli.export", "Write a saved model as an ONNX file (preprocessing folded in)."),
    "sweep": ("neuronlab.cli.sweep", "Hyperparameter sweep: one training run per trial, on Dask or processes."),
    "convert": ("neuronlab.cli.convert", "Convert a trained run into spiking neurons and score it."),
    "neuron": ("neuronlab.cli.neuron", "Simulate and plot the neuron models (HH, LIF, tuning, synapses, networks)."),
    "generate": ("neuronlab.cli.generate", "Sample text from a character model trained on a text:PATH dataset."),
    "experiment": ("neuronlab.cli.experiment", "Reproduce one of the notes' experiments (figures + results.json)."),
}


class GuardedGroup(click.Group):
    """The command group: commands imported on first use (``COMMANDS``), and the last line of defence the
    README promises: a MemoryError or OSError that no command turned into a message ends as one line on
    stderr and exit code 1, never a traceback; every error is reported as exactly one line
    (``Error: ...``) on stderr, without click's usage lines."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str):
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return getattr(module, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            error.show()
            sys.exit(error.exit_code)
        except click.ClickException as error:
            message = " ".join(error.format_message().split())
            click.echo(f"Error: {message}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MemoryError:
            raise DataProblem(
                "out of memory: the command needs more memory than this machine has; try smaller sizes"
            ) from None
        except OSError as error:
            where = f"{error.filename}: " if error.filename is not None else ""
            raise DataProblem(f"{where}{error.strerror or error}") from None


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="neuronlab")
def cli() -> None:
    """neuronlab: neural networks from first principles."""
