"""``python -m neuronlab``: the same command line as the ``neuronlab`` console script."""

from neuronlab.cli.main import cli

if __name__ == "__main__":
    cli(prog_name="neuronlab")
