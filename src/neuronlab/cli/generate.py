"""``neuronlab generate RUN_DIR``: sample text from a character model trained on a ``text:PATH`` dataset."""

from __future__ import annotations

from pathlib import Path

import click

from neuronlab.cli.errors import user_errors
from neuronlab.cli.options import blas_threads
from neuronlab.train.recurrent import generate as generate_text


@click.command("generate")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--length", type=click.IntRange(1), default=200, show_default=True, help="Characters to generate.")
@click.option(
    "--temperature",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="Softmax temperature: below 1 picks likelier characters, above 1 flattens the distribution.",
)
@click.option("--prompt", default="", help="Text to continue (its characters must occur in the training text).")
@click.option("--seed", type=click.IntRange(0), default=None, help="Seed of the draws (repeatable output).")
def generate(run_dir, length, temperature, prompt, seed):
    """Print the PROMPT followed by LENGTH characters sampled one at a time from the character model of
    RUN_DIR (a finished `neuronlab train --dataset text:PATH --model lstm` run)."""
    with user_errors(), blas_threads(1):
        text = generate_text(run_dir, prompt, length, temperature, seed)
    click.echo(prompt + text)
