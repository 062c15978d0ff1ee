"""``neuronlab experiment NAME``: reproduce one of the notes' experiments (figures + numbers)."""

from __future__ import annotations

from pathlib import Path

import click

from neuronlab.cli.options import blas_threads, writable_folder
from neuronlab.experiments import experiments, run_experiment


@click.command("experiment")
@click.argument("name", required=False)
@click.option("--list", "list_", is_flag=True, help="List the experiments with one-line descriptions.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: runs/experiment-NAME).",
)
@click.option(
    "--seed", type=click.IntRange(0), default=0, show_default=True, help="Random seed (results are deterministic)."
)
@click.option("--fast", is_flag=True, help="A reduced version (seconds), as the test suite runs it.")
def experiment(name, list_, out, seed, fast):
    """Run the notes' experiment NAME: writes PNG figures and results.json, prints a summary."""
    table = experiments()
    if list_ or name is None:
        width = max(map(len, table))
        for key, item in table.items():
            click.echo(f"{key.ljust(width)}  {item.description}")
        if name is None and not list_:
            click.echo("\nRun one with: neuronlab experiment NAME [--out DIR] [--seed N]")
        return
    if name not in table:
        raise click.BadParameter(f"unknown experiment {name!r}; expected one of: {', '.join(table)}", param_hint="NAME")
    out = out or Path("runs") / f"experiment-{name}"
    writable_folder(out, "--out")
    with blas_threads(1):  # small matrix products: one BLAS thread is fastest, and the results are identical
        results = run_experiment(name, out, seed=seed, fast=fast)
    click.echo(f"{name} (reproduces {results['reproduces']})")
    for line in results.get("summary", []):
        click.echo(line)
    click.echo(f"figures and results.json written to {out}")
