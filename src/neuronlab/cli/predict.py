"""``neuronlab predict CHECKPOINT INPUT.csv``: predictions of a saved model for new rows."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click

from neuronlab.cli.errors import DataProblem, blas_threads, user_errors
from neuronlab.io import atomic


@click.command("predict")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("input_csv", metavar="INPUT.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the predictions to this CSV file [default: print them].")
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True, help="BLAS threads.")
def predict(checkpoint, input_csv, output, threads):
    """Predict for every row of INPUT.csv (a header row, then numbers). The model's feature columns are
    picked by name when the checkpoint records them (other columns, such as the target, are ignored).

    Output columns: prob_<class> for every class and `predicted` (classification), or `prediction`
    (regression, in the target's original units).
    """
    from neuronlab.data import read_feature_csv
    from neuronlab.io import load
    from neuronlab.train.inference import checkpoint_input_size, model_outputs, prediction_table

    with user_errors():
        ckpt = load(checkpoint)
        X = read_feature_csv(input_csv, ckpt.feature_names)
        expected = checkpoint_input_size(ckpt)
        if expected is not None and X.shape[1] != expected:
            raise DataProblem(f"{input_csv}: {X.shape[1]} feature columns; the model in {checkpoint} expects "
                              f"{expected}")
        task = ckpt.task or ("classification" if ckpt.class_names else "regression")
        with blas_threads(threads):
            outputs = model_outputs(ckpt.model, X, ckpt.input_transform, ckpt.target_transform)
        header, rows = prediction_table(task, outputs, ckpt.class_names)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        if output is not None:
            atomic.write_text(output, text.getvalue())
    if output is None:
        sys.stdout.write(text.getvalue())
        return
    click.echo(f"wrote {len(rows)} predictions to {output}")
