"""Entry point of the ``neuronlab`` console script."""
from __future__ import annotations

import sys

import click

from neuronlab import __version__
from neuronlab.cli.errors import DataProblem


class GuardedGroup(click.Group):
    """The command group with the last line of defence the README promises: a MemoryError or OSError that
    no command turned into a message ends as one line on stderr and exit code 1, never a traceback; and
    every error is reported as exactly one line (``Error: ...``) on stderr, without click's usage lines."""

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
            raise DataProblem("out of memory: the command needs more memory than this machine has; "
                              "try smaller sizes") from None
        except OSError as error:
            where = f"{error.filename}: " if error.filename is not None else ""
            raise DataProblem(f"{where}{error.strerror or error}") from None


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="neuronlab")
def cli() -> None:
    """neuronlab: neural networks from first principles."""


from neuronlab.cli.experiment import experiment  # noqa: E402

cli.add_command(experiment)

from neuronlab.cli.neuron import neuron  # noqa: E402

cli.add_command(neuron)

from neuronlab.cli.train import train  # noqa: E402

cli.add_command(train)

from neuronlab.cli.evaluate import evaluate  # noqa: E402

cli.add_command(evaluate)

from neuronlab.cli.predict import predict  # noqa: E402

cli.add_command(predict)

from neuronlab.cli.convert import convert  # noqa: E402

cli.add_command(convert)
