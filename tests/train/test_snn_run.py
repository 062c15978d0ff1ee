"""``neuronlab train --model snn`` (issue 15): the surrogate-gradient network from the settings table, inputs
min-max scaled on the training split and clipped to [0, 1] by the encoder; the run folder evaluates."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab import nn
from neuronlab.cli.main import cli
from neuronlab.data import load_dataset
from neuronlab.snn.encode import LatencyEncoder, RateEncoder
from neuronlab.train.run import RunConfig, build_model
from neuronlab.train.settings import ConfigError


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_snn_run_learns_digits_and_its_folder_evaluates(tmp_path):
    out = tmp_path / "snn"
    args = ["--model", "snn", "--hidden", "32", "--steps", "8", "--epochs", "8", "--lr", "0.005", "--no-plots"]
    result = invoke("train", *args, "--out", out)
    assert result.exit_code == 0, result.output
    config = (out / "config.toml").read_text()
    assert 'model = "snn"' in config and 'preprocess = "minmax"' in config and "steps = 8" in config
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] > 0.75  # chance: 0.1; 0.93 and 0.91 for seeds 0 and 1
    model = neuronlab.load(out / "model.safetensors").model
    assert isinstance(model[0], RateEncoder) and model[0].steps == 8 and model[0].clamp
    assert any(isinstance(m, nn.SpikingLIF) for m in model.modules())
    evaluated = invoke("evaluate", out / "model.safetensors")
    assert evaluated.exit_code == 0 and "accuracy" in evaluated.output, evaluated.output


def test_encoders_clip_inputs_beyond_the_training_range():
    x = np.array([[-0.5, 0.0, 1.0, 1.7]])
    neuronlab.manual_seed(0)
    spikes = RateEncoder(50, clamp=True)(x).data
    np.testing.assert_array_equal(spikes.mean(axis=0), [[0.0, 0.0, 1.0, 1.0]])  # p = clip(x, 0, 1)
    with pytest.raises(ValueError, match=r"intensities in \[0, 1\]"):
        RateEncoder(5)(x)
    latency = LatencyEncoder(5, linear=True, clamp=True)(x).data
    np.testing.assert_array_equal(latency.argmax(axis=0), [[0, 0, 0, 0]])  # 1 and 1.7 fire first; 0 never
    np.testing.assert_array_equal(latency.sum(axis=0), [[0, 0, 1, 1]])


def test_build_model_snn_follows_steps_and_encoding():
    bundle = load_dataset("digits")
    model = build_model(RunConfig(model="snn", hidden=(16,), steps=5, encoding="latency"), bundle, 10)
    assert isinstance(model[0], LatencyEncoder) and model[0].steps == 5
    assert model[2].threshold == 1.0 and model[4].threshold == float("inf")  # a non-spiking readout
    assert model(bundle.X[:3] / 16).shape == (3, 10)
    model = build_model(RunConfig(model="snn", hidden=(16,), steps=5), bundle, 10)
    assert isinstance(model[0], RateEncoder) and model[4].threshold == 1.0
    counts = model(bundle.X[:3] / 16)
    assert counts.shape == (3, 10) and np.all(counts.data >= 0) and np.all(counts.data <= 5)  # spike counts


@pytest.mark.parametrize(
    "settings, option",
    [({"preprocess": "standardize"}, "preprocess"), ({"steps": 0}, "steps"), ({"encoding": "phase"}, "encoding")],
)
def test_snn_settings_are_checked_in_the_table(settings, option):
    with pytest.raises(ConfigError, match=option):
        RunConfig(model="snn", **settings)


def test_snn_on_a_regression_dataset_is_a_one_line_error(tmp_path):
    result = invoke("train", "--model", "snn", "--dataset", "diabetes", "--epochs", "1", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "builds a classifier" in result.output, result.output
