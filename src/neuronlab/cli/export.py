"""``neuronlab export CHECKPOINT -o model.onnx``: write a saved model as ONNX (see ``neuronlab.io.onnx``)."""

from __future__ import annotations

from pathlib import Path

import click

from neuronlab.cli.errors import DataProblem, user_errors


@click.command("export")
@click.argument("checkpoint", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The ONNX file to write [default: the checkpoint with the suffix .onnx].",
)
@click.option(
    "--preprocessing/--no-preprocessing",
    default=True,
    show_default=True,
    help="Put the checkpoint's input preprocessing (and the regression targets' inverse scaling) into "
    "the graph, so the ONNX model takes raw inputs as `neuronlab predict` does.",
)
@click.option("--opset", type=click.IntRange(13), default=None, help="ONNX opset version [default: 17].")
def export(checkpoint, output, preprocessing, opset):
    """Write the model of CHECKPOINT (a model.safetensors, or the run folder that holds it) as an ONNX file with a dynamic batch dimension (input `input`, output
    `output`: logits for classification, predictions in the targets' units for regression). Needs
    `pip install 'neuronlab[onnx]'`."""
    import numpy as np

    from neuronlab.io import load
    from neuronlab.io.onnx import DEFAULT_OPSET, ExportError, export_onnx
    from neuronlab.train.inference import checkpoint_input_size

    if checkpoint.is_dir():
        if not (checkpoint / "model.safetensors").is_file():
            raise DataProblem(f"{checkpoint} holds no model.safetensors (is it a finished `neuronlab train` run?)")
        checkpoint = checkpoint / "model.safetensors"
    output = output if output is not None else checkpoint.with_suffix(".onnx")
    with user_errors():
        ckpt = load(checkpoint)
        n_features = checkpoint_input_size(ckpt)
        if n_features is None:
            raise DataProblem(
                f"{checkpoint}: the checkpoint records no input size (no run record and no Linear "
                "first layer); export it from Python with neuronlab.io.export_onnx(model, example, path)"
            )
        metadata = {
            key: value
            for key, value in (
                ("task", ckpt.task),
                ("class_names", ckpt.class_names),
                ("feature_names", ckpt.feature_names),
            )
            if value is not None
        }
        try:
            export_onnx(
                ckpt.model,
                np.zeros((1, n_features), dtype=np.float32),
                output,
                input_transform=ckpt.input_transform if preprocessing else None,
                target_transform=ckpt.target_transform if preprocessing else None,
                opset=opset or DEFAULT_OPSET,
                metadata=metadata,
            )
        except ExportError as error:
            raise click.BadParameter(f"{checkpoint}: {error}", param_hint="CHECKPOINT") from None
        except ImportError as error:
            raise DataProblem(str(error)) from None
    click.echo(f"wrote {output} ({n_features} inputs, opset {opset or DEFAULT_OPSET})")
