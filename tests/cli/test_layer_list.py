"""Architectures as a list of layers (``[[layers]]`` in config.toml, ``--layers`` JSON): the format checkpoints
store, convolution, pooling and recurrent layers trained from the CLI, and one-line errors that name the layer."""

import json

import numpy as np
import pytest
import tomli_w
from click.testing import CliRunner

import neuronlab
from neuronlab import nn
from neuronlab.cli.main import cli
from neuronlab.train.layers import build_layers
from neuronlab.train.settings import ConfigError, read_settings_file, write_settings_file

FAST = ["--epochs", "1", "--batch-size", "256", "--no-plots"]
LENET = [
    {"type": "Unflatten", "args": {"dim": 1, "unflattened_size": [1, 8, 8]}},
    {"type": "Conv2d", "args": {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": "same"}},
    {"type": "ReLU"},
    {"type": "MaxPool2d", "args": {"kernel_size": 2}},
    {"type": "Flatten"},
    {"type": "Linear", "args": {"in_features": 64, "out_features": 10}},
]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def write_config(path, **values):
    path.write_text(tomli_w.dumps(values))  # an independent TOML writer: what a user's file looks like
    return path


def test_a_stored_architecture_pasted_into_a_config_trains_the_same_network(tmp_path):
    assert invoke("train", "--model", "cnn", *FAST, "--out", tmp_path / "cnn").exit_code == 0
    stored = neuronlab.load(tmp_path / "cnn" / "model.safetensors").metadata["architecture"]
    config = write_config(tmp_path / "pasted.toml", epochs=1, layers=stored["modules"])
    result = invoke("train", "--config", config, "--batch-size", 256, "--no-plots", "--out", tmp_path / "pasted")
    assert result.exit_code == 0, result.output
    assert neuronlab.load(tmp_path / "pasted" / "model.safetensors").metadata["architecture"] == stored
    recorded = read_settings_file(tmp_path / "pasted" / "config.toml")["layers"]
    assert recorded == stored["modules"]  # config.toml records the list, so the run can be repeated


def test_convolution_pooling_and_plots_from_a_layer_list(tmp_path):
    config = write_config(tmp_path / "lenet.toml", layers=LENET)
    out = tmp_path / "run"
    result = invoke("train", "--config", config, "--epochs", 1, "--batch-size", 256, "--out", out)
    assert result.exit_code == 0, result.output
    model = neuronlab.load(out / "model.safetensors").model
    assert [type(m).__name__ for m in model] == [layer["type"] for layer in LENET]
    assert (out / "filters.png").is_file() and (out / "feature_maps.png").is_file()


def test_recurrent_layers_in_a_list_through_select_output(tmp_path):
    layers = [
        {"type": "Unflatten", "args": {"dim": 1, "unflattened_size": [16, 4]}},
        {"type": "GRU", "args": {"input_size": 4, "hidden_size": 5, "batch_first": True, "bidirectional": True}},
        {"type": "SelectOutput"},
        {"type": "Flatten"},
        {"type": "Linear", "args": {"in_features": 16 * 10, "out_features": 10}},
    ]
    out = tmp_path / "gru"
    result = invoke("train", "--layers", json.dumps(layers), *FAST, "--out", out)
    assert result.exit_code == 0, result.output
    model = neuronlab.load(out / "model.safetensors").model
    assert isinstance(model[1], nn.GRU) and isinstance(model[2], nn.SelectOutput)
    evaluated = invoke("evaluate", out / "model.safetensors")
    assert evaluated.exit_code == 0 and "accuracy" in evaluated.output, evaluated.output


def _replace(index, layer):
    return LENET[:index] + [layer] + LENET[index + 1 :]


GRU = {"type": "GRU", "args": {"input_size": 1, "hidden_size": 4, "batch_first": True}}
BAD_LAYERS = [
    (
        "unknown type",
        _replace(1, {"type": "Conv3d"}),
        ["layers[1]: unknown layer type 'Conv3d'; expected one of", "Conv2d"],
    ),
    (
        "bad argument",
        _replace(1, {"type": "Conv2d", "args": {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "kernal": 3}}),
        [
            "layers[1]: Conv2d: got an unexpected keyword argument 'kernal'",
            "expected arguments (in_channels, out_channels",
        ],
    ),
    (
        "arguments outside args",
        _replace(1, {"type": "Conv2d", "in_channels": 1}),
        ["layers[1]: Conv2d: unexpected key(s) in_channels; constructor arguments go in args"],
    ),
    (
        "bad value",
        _replace(2, {"type": "Dropout", "args": {"p": 2}}),
        ["layers[2] (Dropout): dropout probability p must be a probability in [0, 1], got 2"],
    ),
    (
        "shape mismatch",
        _replace(5, {"type": "Linear", "args": {"in_features": 100, "out_features": 10}}),
        ["layers[5] (Linear) cannot take the output of layers[4] (Flatten) (shape (1, 64))"],
    ),
    (
        "rows into a convolution",
        LENET[1:],
        ["layers[0] (Conv2d) cannot take the dataset's rows (shape (1, 64))", "unflattened_size = [1, 8, 8]"],
    ),
    (
        "a tuple into a Linear layer",
        [
            LENET[0] | {"args": {"dim": 1, "unflattened_size": [64, 1]}},
            GRU,
            {"type": "Linear", "args": {"in_features": 4, "out_features": 10}},
        ],
        ["layers[1] (GRU) returns a tuple", "SelectOutput", "not to layers[2] (Linear)"],
    ),
    (
        "wrong number of outputs",
        _replace(5, {"type": "Linear", "args": {"in_features": 64, "out_features": 3}}),
        ["the last layer, layers[5] (Linear), gives shape (3,) per example; expected (10,)"],
    ),
    ("an empty list", [], ["expected a non-empty list of layers"]),
]


@pytest.mark.parametrize("layers, messages", [case[1:] for case in BAD_LAYERS], ids=[c[0] for c in BAD_LAYERS])
def test_bad_layer_lists_are_one_line_errors_naming_the_layer(tmp_path, layers, messages):
    config = tmp_path / "bad.toml"
    config.write_text(tomli_w.dumps({"layers": layers}) if layers else "layers = []\n")
    result = invoke("train", "--config", config, *FAST, "--out", tmp_path / "run")
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output
    assert "--layers" in errors[0] and all(m in errors[0] for m in messages), errors[0]
    assert not (tmp_path / "run" / "config.toml").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "cnn"], "drop model = 'cnn'"),
        (["--dropout", "0.5"], "drop dropout = 0.5"),
        (["--layers", "[{'type': 'ReLU'}]"], "expected a JSON list of layers"),
    ],
)
def test_a_layer_list_refuses_the_presets_options(tmp_path, args, message):
    layers = ["--layers", json.dumps(LENET)] if args[0] != "--layers" else []
    result = invoke("train", *layers, *args, *FAST, "--out", tmp_path / "run")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output


def test_build_layers_checks_on_one_example_and_leaves_training_mode():
    neuronlab.manual_seed(0)
    model = build_layers(LENET, np.zeros(64, dtype=np.float32), 10, (8, 8))
    assert model.training and model(np.zeros((3, 64), dtype=np.float32)).shape == (3, 10)
    with pytest.raises(ConfigError, match=r"layers\[0\] \(Conv2d\).*unflattened_size = \[1, 8, 8\]"):
        build_layers(LENET[1:], np.zeros(64, dtype=np.float32), 10, (8, 8))


def test_settings_files_leave_out_none_at_every_depth(tmp_path):
    path = write_settings_file(
        tmp_path / "c.toml", {"lr": None, "layers": [{"type": "X", "args": {"a": None, "b": 1}}]}
    )
    assert read_settings_file(path) == {"layers": [{"type": "X", "args": {"b": 1}}]}


@pytest.mark.parametrize("page, features", [("docs/convolution.md", 64), ("docs/recurrence.md", 40)])
def test_the_layer_lists_of_the_docs_build(tmp_path, page, features):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / page).read_text()
    (block,) = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "[[layers]]" in b]
    (tmp_path / "layers.toml").write_text(block)
    layers = read_settings_file(tmp_path / "layers.toml")["layers"]
    model = build_layers(layers, np.zeros(features, dtype=np.float32), 10)
    assert model(np.zeros((2, features), dtype=np.float32)).shape == (2, 10)


def test_an_interrupted_layer_list_run_resumes_from_its_config(tmp_path, monkeypatch):
    from neuronlab.train.run_folder import RunFolder

    args = ["--layers", json.dumps(LENET), "--epochs", 2, "--batch-size", 256, "--no-plots"]
    assert invoke("train", *args, "--out", tmp_path / "whole").exit_code == 0
    with monkeypatch.context() as patch:
        patch.setattr(RunFolder, "write_metrics", lambda self, metrics: (_ for _ in ()).throw(KeyboardInterrupt))
        assert invoke("train", *args, "--out", tmp_path / "cut").exit_code == 130
    resumed = invoke("train", "--resume", tmp_path / "cut")
    assert resumed.exit_code == 0, resumed.output
    whole, cut = (neuronlab.load(tmp_path / d / "model.safetensors").model.state_dict() for d in ("whole", "cut"))
    assert all(np.array_equal(whole[k], cut[k]) for k in whole)
