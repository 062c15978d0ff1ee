"""``neuronlab predict CHECKPOINT INPUT.csv``: predictions of a saved model for new rows."""

from __future__ import annotations

import csv
import io
import os
import stat
import sys
from pathlib import Path

import click

from neuronlab.cli.errors import DataProblem, user_errors
from neuronlab.cli.options import blas_threads
from neuronlab.data import read_feature_csv
from neuronlab.io import atomic, load
from neuronlab.train.inference import checkpoint_input_size, prediction_table
from neuronlab.train.preprocessing import Preprocessing
from neuronlab.train.run_folder import RunFolder


def _check_output(output: Path, inputs: dict) -> None:
    """Refuse an output that is one of the command's inputs (also through a link), before any work."""
    if not output.exists():
        return
    for option, path in inputs.items():
        if os.path.samefile(output, path):
            raise click.BadParameter(
                f"{output} is the {option}; it would be overwritten by the predictions; expected another file",
                param_hint="-o/--output",
            )


def _write_output(output: Path, text: str) -> None:
    """Write through a symbolic link (the link stays), straight into a FIFO or device, and atomically
    (temporary file + rename) into a regular file."""
    target = Path(os.path.realpath(output))
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    atomic.write_text(target, text)


@click.command("predict")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("input_csv", metavar="INPUT.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the predictions to this CSV file [default: print them].",
)
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True, help="BLAS threads.")
def predict(checkpoint, input_csv, output, threads):
    """Predict for every row of INPUT.csv (a header row, then numbers). The model's feature columns are
    picked by name when the checkpoint records them (other columns, such as the target, are ignored).

    Output columns: prob_<class> for every class and `predicted` (classification), or `prediction`
    (regression, in the target's original units).
    """
    if output is not None:
        _check_output(output, {"checkpoint": checkpoint, "input CSV": input_csv})
    with user_errors():
        RunFolder(checkpoint.parent).check_complete(checkpoint)
        ckpt = load(checkpoint)
        X = read_feature_csv(input_csv, ckpt.feature_names)
        expected = checkpoint_input_size(ckpt)
        if expected is not None and X.shape[1] != expected:
            raise DataProblem(
                f"{input_csv}: {X.shape[1]} feature columns; the model in {checkpoint} expects {expected}"
            )
        task = ckpt.task or ("classification" if ckpt.class_names else "regression")
        with blas_threads(threads):
            outputs = Preprocessing.from_checkpoint(ckpt).outputs(ckpt.model, X)
        header, rows = prediction_table(task, outputs, ckpt.class_names)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        if output is not None:
            _write_output(output, text.getvalue())
    if output is None:
        sys.stdout.write(text.getvalue())
        return
    click.echo(f"wrote {len(rows)} predictions to {output}")
