"""`neuronlab convert RUN_DIR` (issue 15): a trained run's model as a spiking network on the run's test split;
bad inputs give one line and exit code 2."""

import json

import pytest
from click.testing import CliRunner

from neuronlab.cli.main import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    for activation in ("softlif", "tanh"):
        result = invoke(
            "train",
            "--hidden",
            "24",
            "--activation",
            activation,
            "--epochs",
            "8",
            "--no-plots",
            "--out",
            root / activation,
        )
        assert result.exit_code == 0, result.output
    for pooling in ("avg", "max"):
        args = ["--model", "cnn", "--pooling", pooling, "--epochs", "4", "--no-plots", "--seed", "1"]
        result = invoke("train", *args, "--out", root / f"cnn_{pooling}")
        assert result.exit_code == 0, result.output
    return root


def test_convert_writes_the_report_and_figures(runs):
    result = invoke("convert", runs / "softlif", "--presentation", "0.1", "--dt", "0.001")
    assert result.exit_code == 0, result.output
    report = json.loads((runs / "softlif" / "conversion.json").read_text())
    metrics = json.loads((runs / "softlif" / "metrics.json").read_text())
    assert report["rate_accuracy"] == pytest.approx(metrics["test"]["accuracy"])  # the run's own test split
    assert report["spiking_accuracy"] >= report["rate_accuracy"] - 0.05 and report["presentation"] == 0.1
    assert report["curve"]["times"][-1] == pytest.approx(0.1) and len(report["curve"]["accuracy"]) == 20
    for name in ("conversion_accuracy.png", "conversion_raster.png"):
        assert (runs / "softlif" / name).read_bytes()[:4] == b"\x89PNG"
    assert "spiking accuracy" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing"], "is not a folder"),
        (["empty"], "holds no model.safetensors"),
        (["softlif", "--presentation", "0"], "--presentation must be a positive number"),
        (["softlif", "--dt", "0.5", "--presentation", "0.2"], "longer than --presentation"),
        (["softlif", "--tau-s", "-1"], "--tau-s must be"),
        (["tanh"], "cannot convert layer 1 (Tanh)"),
        (["cnn_max"], "cannot convert layer 3 (MaxPool2d): max pooling is not a linear map"),
    ],
)
def test_bad_inputs_give_one_line_and_exit_code_2(runs, args, message):
    (runs / "empty").mkdir(exist_ok=True)
    result = CliRunner().invoke(cli, ["convert", str(runs / args[0]), *args[1:]])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output


@pytest.mark.parametrize("relu_neuron", ["if", "lif"])
def test_convert_runs_a_cnn_run_folder_with_spiking_neurons(runs, tmp_path, relu_neuron):
    out = tmp_path / relu_neuron
    result = invoke("convert", runs / "cnn_avg", "--presentation", "0.1", "--relu-neuron", relu_neuron, "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "conversion.json").read_text())
    assert report["relu_neuron"] == relu_neuron and report["rate_accuracy"] > 0.8
    assert report["spiking_accuracy"] >= report["rate_accuracy"] - 0.05
    assert set(report["scales"]) == {"2:ReLU", "5:ReLU", "9:ReLU"}  # 2 conv layers, 1 hidden Linear (8 x 8 preset)
