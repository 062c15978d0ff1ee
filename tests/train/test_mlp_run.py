"""The CLI's MLP (structure, initialization scales from the notes' formulas) and the complete run workflow."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from safetensors.numpy import load_file
from scipy.special import softmax
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.metrics import log_loss

import neuronlab
from neuronlab import nn
from neuronlab.data import load_dataset, train_val_test_split
from neuronlab.train import ConfigError, RunConfig, build_mlp, train_run
from neuronlab.train.inference import check_compatible, model_outputs, prediction_table


def test_mlp_structure():
    model = build_mlp(10, [7, 5], 3, activation="tanh", batchnorm=True, dropout=0.2)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]
    assert [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)] == [(10, 7), (7, 5), (5, 3)]
    assert [type(m).__name__ for m in build_mlp(4, [], 2)] == ["Linear"]  # no hidden layer: a linear model
    assert nn.build_module(model.config()).config() == model.config()


@pytest.mark.parametrize(
    "init, activation, hidden_std, output_std",
    [
        ("he", "relu", math.sqrt(2 / 400), math.sqrt(1 / 300)),  # N(0, 2/N_in); linear output gain 1
        ("he", "tanh", 5 / 3 / math.sqrt(400), math.sqrt(1 / 300)),
        ("lecun", "relu", math.sqrt(1 / 400), math.sqrt(1 / 300)),
        ("xavier", "relu", math.sqrt(2 / 700), math.sqrt(2 / 310)),  # U(-a, a): variance a^2/3 = 2/(N_in+N_out)
        ("default", "relu", math.sqrt(1 / (3 * 400)), math.sqrt(1 / (3 * 300))),  # PyTorch's U(-1/sqrt(N_in), ...)
    ],
)
def test_initialization_scales(init, activation, hidden_std, output_std):
    neuronlab.manual_seed(0)
    model = build_mlp(400, [300], 10, activation=activation, init=init)
    hidden, output = model[0], model[2]
    assert hidden.weight.data.std() == pytest.approx(hidden_std, rel=0.02)
    assert output.weight.data.std() == pytest.approx(output_std, rel=0.05)
    assert np.all(hidden.bias.data == 0) == (init != "default")


def test_mlp_argument_checks():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        build_mlp(2, [3], 1, activation="swish")
    with pytest.raises(ValueError, match="unknown init"):
        build_mlp(2, [3], 1, init="orthogonal")
    with pytest.raises(ValueError, match="dropout"):
        build_mlp(2, [3], 1, dropout=1.0)


@pytest.mark.parametrize(
    "changes, option",
    [
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"hidden": (0,)}, "hidden"),
        ({"lr": -1.0}, "lr"),
        ({"val_size": 0.6, "test_size": 0.5}, "val_size"),
        ({"val_size": 0.0, "early_stopping": 5}, "early_stopping"),
        ({"val_size": 0.0, "lr_schedule": "plateau"}, "lr_schedule"),
        ({"seed": -1}, "seed"),
        ({"epochs": 2.5}, "epochs"),
        ({"task": "ranking"}, "task"),
        ({"dropout": 1.5}, "dropout"),
    ],
)
def test_config_errors_name_the_option(changes, option):
    with pytest.raises(ConfigError) as info:
        RunConfig(**changes)
    assert info.value.option == option and isinstance(info.value, ValueError)


def test_patience_defaults_to_15_with_validation_data_and_0_without():
    assert RunConfig().patience == 15 and RunConfig().resolved()["early_stopping"] == 15
    assert RunConfig(val_size=0.0).patience == 0 and RunConfig(val_size=0.0).resolved()["early_stopping"] == 0


def test_one_settings_table_drives_the_config_the_cli_and_the_toml_file(tmp_path):
    import click

    from neuronlab.cli.train import train
    from neuronlab.train import SETTINGS
    from neuronlab.train.run_folder import RunFolder
    from neuronlab.train.settings import read_settings_file as read_toml

    assert [s.name for s in SETTINGS] == list(RunConfig.__dataclass_fields__)
    assert all(RunConfig.__dataclass_fields__[s.name].default == s.default for s in SETTINGS)
    options = {p.name: p for p in train.params if isinstance(p, click.Option)}
    for setting in SETTINGS:
        assert setting.flag in options[setting.name].opts and options[setting.name].help == setting.help
    config = RunConfig(hidden=(7, 5), optimizer="sgd", lr=0.05, dropout=0.25, task="regression", seed=3)
    path = RunFolder(tmp_path).write_config(config.resolved())
    assert RunConfig(**{**read_toml(path), "hidden": tuple(read_toml(path)["hidden"])}) == RunConfig(
        **{**config.resolved(), "hidden": (7, 5)}
    )


def test_resolved_config_fills_in_the_learning_rate():
    assert RunConfig().resolved()["lr"] == 1e-3 and RunConfig(optimizer="sgd").resolved()["lr"] == 1e-2
    assert RunConfig(optimizer="sgd", lr=0.3).resolved()["lr"] == 0.3


def test_classification_run_writes_a_consistent_folder(tmp_path):
    config = RunConfig(dataset="iris", epochs=30, seed=2, hidden=(16,))
    result = train_run(config, tmp_path / "run", progress=False, log=None)
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert names == [
        "complete.json",
        "config.toml",
        "confusion.png",
        "curves.png",
        "history.csv",
        "metrics.json",
        "model.safetensors",
    ]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["samples"] == {"train": 104, "val": 23, "test": 23} and metrics["evaluated_on"] == "test"
    assert metrics["epochs_run"] == len(result.history) <= 30
    # the checkpoint alone reproduces the test score, from the raw data
    ckpt = neuronlab.load(result.checkpoint)
    iris = load_dataset("iris")
    check_compatible(ckpt, iris)
    split = train_val_test_split(iris.X, iris.y, val_size=0.15, test_size=0.15, seed=2)
    outputs = model_outputs(ckpt.model, split.X_test, ckpt.input_transform)
    probabilities = softmax(outputs.astype(np.float64), axis=1)
    assert metrics["test"]["loss"] == pytest.approx(log_loss(split.y_test, probabilities, labels=[0, 1, 2]), rel=1e-9)
    assert np.mean(outputs.argmax(1) == split.y_test) == metrics["test"]["accuracy"]
    assert (
        metrics["test"]["confusion_matrix"]
        == sk_confusion_matrix(split.y_test, outputs.argmax(1), labels=[0, 1, 2]).tolist()
    )


def test_the_saved_model_is_the_restored_best_epoch_without_training_state(tmp_path):
    config = RunConfig(dataset="iris", epochs=300, early_stopping=3, hidden=(16,), lr=0.05)
    result = train_run(config, tmp_path, progress=False, plots=False, log=None)
    best = result.metrics["best_epoch"]
    assert result.metrics["stopped_early"] and best < result.metrics["epochs_run"]
    ckpt = neuronlab.load(result.checkpoint)
    assert ckpt.epoch == best and ckpt.optimizer_state is None and set(ckpt.extra) == {"run"}
    assert all(name.startswith(("model/", "preprocessing/")) for name in load_file(str(result.checkpoint)))
    # its weights are those of the best epoch: they give that epoch's recorded validation loss
    iris = load_dataset("iris")
    split = train_val_test_split(iris.X, iris.y, val_size=0.15, test_size=0.15, seed=0)
    probabilities = softmax(model_outputs(ckpt.model, split.X_val, ckpt.input_transform).astype(np.float64), axis=1)
    assert log_loss(split.y_val, probabilities, labels=[0, 1, 2]) == pytest.approx(
        result.history["val_loss"][best - 1], rel=1e-5
    )


def test_regression_predictions_come_back_in_the_target_units(tmp_path):
    result = train_run(
        RunConfig(dataset="diabetes", epochs=40, lr=1e-2, hidden=(16,)), tmp_path, progress=False, plots=False, log=None
    )
    ckpt = neuronlab.load(result.checkpoint)
    diabetes = load_dataset("diabetes")
    split = train_val_test_split(diabetes.X, diabetes.y, val_size=0.15, test_size=0.15, stratify=False, seed=0)
    predicted = model_outputs(ckpt.model, split.X_test, ckpt.input_transform, ckpt.target_transform)[:, 0]
    assert abs(predicted.mean() - split.y_train.mean()) < 60  # original units (~150), not standardized
    residual = np.mean((predicted - split.y_test) ** 2)
    assert residual == pytest.approx(result.metrics["test"]["mse"], rel=1e-6)
    assert result.metrics["test"]["r2"] > 0.2
    assert not (tmp_path / "confusion.png").exists()


def test_no_test_split_scores_the_training_data(tmp_path):
    result = train_run(
        RunConfig(
            dataset="xor",
            val_size=0.0,
            test_size=0.0,
            early_stopping=0,
            epochs=200,
            hidden=(8,),
            activation="tanh",
            lr=0.05,
            batch_size=4,
        ),
        tmp_path,
        progress=False,
        plots=False,
        log=None,
    )
    assert result.metrics["evaluated_on"] == "train" and result.metrics["train"]["accuracy"] == 1.0
    assert "test" not in result.metrics and "val_loss" not in result.history


def test_task_override_and_incompatible_data(tmp_path):
    with pytest.raises(ConfigError, match="not numbers"):
        train_run(RunConfig(dataset="iris", task="regression"), tmp_path, progress=False, log=None)
    result = train_run(RunConfig(dataset="iris", epochs=2), tmp_path, progress=False, plots=False, log=None)
    ckpt = neuronlab.load(result.checkpoint)
    with pytest.raises(ValueError, match="takes 4 input features; dataset 'digits' has 64"):
        check_compatible(ckpt, load_dataset("digits"))
    with pytest.raises(ValueError, match="classification model; dataset 'diabetes' is a regression"):
        check_compatible(
            ckpt,
            replace(
                load_dataset("diabetes"), X=np.zeros((3, 4), np.float32), y=np.zeros(3, np.float32), feature_names=None
            ),
        )


def test_prediction_table():
    logits = np.array([[2.0, 0.0], [0.0, 3.0]])
    header, rows = prediction_table("classification", logits, ["no", "yes"])
    assert header == ["prob_no", "prob_yes", "predicted"] and [r[-1] for r in rows] == ["no", "yes"]
    p = softmax(logits, axis=1)
    np.testing.assert_allclose([[float(v) for v in r[:2]] for r in rows], p, rtol=1e-5)
    np.testing.assert_allclose(p[0], [1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2))])
    assert prediction_table("regression", np.array([[1.5], [2.0]]))[0] == ["prediction"]
