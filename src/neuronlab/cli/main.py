"""Entry point of the ``neuronlab`` console script."""
from __future__ import annotations

import click

from neuronlab import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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

# Distributed (issue 16)
from neuronlab.cli.export import export  # noqa: E402

cli.add_command(export)

# Distributed (issue 16)
from neuronlab.cli.sweep import sweep  # noqa: E402

cli.add_command(sweep)
