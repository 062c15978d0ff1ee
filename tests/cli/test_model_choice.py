"""``neuronlab train --model cnn|rnn|gru|lstm`` and ``--tensorboard``: the architecture and the logs come from the
settings table, the run folder evaluates and resumes like an MLP's, and impossible choices are one-line errors."""

import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab import nn
from neuronlab.cli.main import cli
from neuronlab.data import load_dataset
from neuronlab.train.run import RunConfig, build_model
from neuronlab.train.settings import ConfigError

FAST = ["--epochs", "2", "--no-plots", "--batch-size", "256"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize(
    "model, layer",
    [
        ("mlp", nn.Linear),
        ("cnn", nn.Conv2d),
        ("rnn", nn.RNN),
        ("gru", nn.GRU),
        ("lstm", nn.LSTM),
        ("snn", nn.SpikingLIF),
    ],
)
def test_build_model_makes_the_named_architecture(model, layer):
    config = RunConfig(model=model, hidden=(8,))
    network = build_model(config, load_dataset("digits"), 10)
    assert any(isinstance(m, layer) for m in network.modules())
    x = neuronlab.tensor(load_dataset("digits").X[:5])
    assert network(x).shape == (5, 10)


def test_cnn_trains_evaluates_and_logs_to_tensorboard(tmp_path):
    pytest.importorskip("tensorboardX", reason="--tensorboard needs pip install 'neuronlab[tensorboard]'")
    out = tmp_path / "cnn"
    result = invoke("train", "--model", "cnn", "--tensorboard", *FAST, "--out", out)
    assert result.exit_code == 0, result.output
    assert list(out.glob("events.out.tfevents.*")), sorted(p.name for p in out.iterdir())
    assert 'model = "cnn"' in (out / "config.toml").read_text()
    model = neuronlab.load(out / "model.safetensors").model
    assert any(isinstance(m, nn.Conv2d) for m in model.modules())
    evaluated = invoke("evaluate", out / "model.safetensors")
    assert evaluated.exit_code == 0 and "accuracy" in evaluated.output, evaluated.output


def test_gru_run_records_its_architecture(tmp_path):
    out = tmp_path / "gru"
    assert invoke("train", "--model", "gru", "--hidden", 8, *FAST, "--out", out).exit_code == 0
    assert 'model = "gru"' in (out / "config.toml").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "cnn", "--dataset", "iris"], "cnn needs an image dataset"),
        (["--model", "gru", "--hidden", "8,16"], "one positive hidden size repeated per layer"),
        (["--model", "lstm", "--dataset", "diabetes"], "builds a classifier"),
        (["--model", "transformer"], "--model"),
    ],
)
def test_impossible_model_choices_are_one_line_errors(tmp_path, args, message):
    result = invoke("train", *args, *FAST, "--out", tmp_path / "x")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output


def test_model_setting_is_validated_in_the_table():
    with pytest.raises(ConfigError, match="model"):
        RunConfig(model="vit")
