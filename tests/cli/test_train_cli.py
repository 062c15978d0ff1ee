"""`neuronlab train / evaluate / predict` end to end in temporary folders, through click's test runner and
once as a real subprocess; every kind of bad input ends with exit code 2 or 1 and a one-line message."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

import numpy as np
import pytest
from click.testing import CliRunner
from safetensors.numpy import load_file

from neuronlab.cli.main import cli
from neuronlab.data import load_dataset


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


def ok(*args):
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path_or_text):
    text = Path(path_or_text).read_text() if isinstance(path_or_text, Path) else path_or_text
    rows = list(csv.reader(text.splitlines()))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits") / "run"
    result = ok("train", "--epochs", 4, "--out", out)
    return out, result.output


def test_train_writes_the_run_folder_and_prints_the_test_metrics(digits_run):
    out, output = digits_run
    assert sorted(p.name for p in out.iterdir()) == [
        "complete.json",
        "config.toml",
        "confusion.png",
        "curves.png",
        "history.csv",
        "metrics.json",
        "model.safetensors",
    ]
    metrics = json.loads((out / "metrics.json").read_text())
    lines = output.splitlines()
    assert lines[0] == "digits: classification, 64 features, 10 classes; train 1257, val 270, test 270"
    assert [line.split()[:2] for line in lines[1:5]] == [["epoch", f"{e}/4"] for e in range(1, 5)]
    assert f"test accuracy {metrics['test']['accuracy']:.4f}" in output and f"run folder: {out}" in output
    assert metrics["test"]["accuracy"] > 0.9 and metrics["epochs_run"] == 4
    with (out / "history.csv").open() as handle:
        assert next(csv.reader(handle)) == [
            "epoch",
            "train_loss",
            "train_accuracy",
            "val_loss",
            "val_accuracy",
            "lr",
            "time",
        ]


def test_evaluate_reproduces_the_test_metrics(digits_run):
    out, _ = digits_run
    metrics = json.loads((out / "metrics.json").read_text())
    text = ok("evaluate", out / "model.safetensors").output
    assert text.startswith(f"digits, test (270 samples): accuracy {metrics['test']['accuracy']:.4f}")
    assert "confusion matrix" in text
    as_json = json.loads(ok("evaluate", out / "model.safetensors", "--json").output)
    assert as_json["accuracy"] == metrics["test"]["accuracy"]
    assert as_json["confusion_matrix"] == metrics["test"]["confusion_matrix"]
    val = json.loads(ok("evaluate", out / "model.safetensors", "--split", "val", "--json").output)
    assert val["samples"] == 270 and val["accuracy"] == metrics["val"]["accuracy"]


def test_predict_agrees_with_evaluate_on_every_sample(digits_run, tmp_path):
    out, _ = digits_run
    digits = load_dataset("digits")
    table = write_csv(
        tmp_path / "digits.csv",
        ["target", *digits.feature_names],
        [[int(t), *map(int, x)] for x, t in zip(digits.X, digits.y)],
    )  # extra column: ignored
    ok("predict", out / "model.safetensors", table, "-o", tmp_path / "pred" / "p.csv")
    header, rows = read_csv(tmp_path / "pred" / "p.csv")
    assert header == [f"prob_{k}" for k in range(10)] + ["predicted"] and len(rows) == 1797
    probabilities = np.array([[float(v) for v in r[:10]] for r in rows])
    np.testing.assert_allclose(probabilities.sum(1), 1.0, atol=1e-4)
    predicted = np.array([int(r[-1]) for r in rows])
    assert np.array_equal(predicted, probabilities.argmax(1))
    everything = json.loads(ok("evaluate", out / "model.safetensors", "--split", "all", "--json").output)
    assert np.mean(predicted == digits.y) == everything["accuracy"]
    header, rows = read_csv(ok("predict", out / "model.safetensors", table).output)  # to stdout
    assert len(rows) == 1797 and header[-1] == "predicted"


def test_regression_run_and_prediction(tmp_path):
    ok("train", "--dataset", "diabetes", "--hidden", "16", "--epochs", 5, "--no-plots", "--out", tmp_path / "run")
    assert not (tmp_path / "run" / "confusion.png").exists()
    diabetes = load_dataset("diabetes")
    table = write_csv(tmp_path / "new.csv", diabetes.feature_names, diabetes.X[:5].tolist())
    header, rows = read_csv(ok("predict", tmp_path / "run" / "model.safetensors", table).output)
    assert header == ["prediction"] and len(rows) == 5
    assert all(0 < float(r[0]) < 400 for r in rows)  # disease progression units, not standardized
    assert "R^2" in ok("evaluate", tmp_path / "run" / "model.safetensors").output


def test_config_file_flags_override_and_a_rerun_is_bit_identical(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(
        'dataset = "wine"\nhidden = [8]\nbatch-size = 16\nepochs = 2\nseed = 7\ndropout = 0\n'
    )  # 0: an integer for a number option
    ok("train", "--config", config, "--epochs", 3, "--out", tmp_path / "a", "--no-plots")
    saved = tomllib.loads((tmp_path / "a" / "config.toml").read_text())
    assert (saved["dataset"], saved["hidden"], saved["batch_size"], saved["epochs"]) == ("wine", [8], 16, 3)
    ok("train", "--config", tmp_path / "a" / "config.toml", "--out", tmp_path / "b", "--no-plots")
    first, second = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in "ab")
    first.pop("train_time_s"), second.pop("train_time_s")
    assert first == second and first["epochs_run"] == 3
    wa, wb = (load_file(str(tmp_path / d / "model.safetensors")) for d in "ab")
    assert wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)
    ok("train", "--config", config, "--seed", 8, "--out", tmp_path / "c", "--no-plots")
    wc = load_file(str(tmp_path / "c" / "model.safetensors"))
    assert not np.array_equal(wa["model/0.weight"], wc["model/0.weight"])


def test_default_folder_and_validation_free_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok("train", "--dataset", "iris", "--epochs", 2, "--no-plots")
    ok("train", "--dataset", "iris", "--epochs", 2, "--no-plots")
    assert len([p for p in (tmp_path / "runs").iterdir() if p.name.startswith("iris-")]) == 2
    result = ok("train", "--dataset", "iris", "--val-size", 0, "--epochs", 3, "--name", "noval", "--no-plots")
    assert json.loads((tmp_path / "runs" / "noval" / "metrics.json").read_text())["epochs_run"] == 3
    assert "val_loss" not in result.output


RESUMABLE = [
    "--dataset",
    "wine",
    "--hidden",
    16,
    "--dropout",
    0.2,
    "--lr-schedule",
    "cosine",
    "--epochs",
    6,
    "--batch-size",
    16,
    "--no-plots",
]


def _interrupt_epoch(monkeypatch, number):
    """Make the ``number``-th training epoch raise KeyboardInterrupt (Ctrl-C), and save every finished epoch."""
    from neuronlab.train import run
    from neuronlab.train.trainer import Trainer

    train_epoch, calls = Trainer._train_epoch, []

    def interrupted(self, loader):
        calls.append(None)
        if len(calls) == number:
            raise KeyboardInterrupt
        return train_epoch(self, loader)

    monkeypatch.setattr(Trainer, "_train_epoch", interrupted)
    monkeypatch.setattr(run, "RESUME_SAVE_SECONDS", 0.0)


def test_an_interrupted_run_resumes_exactly(tmp_path, monkeypatch):
    ok("train", *RESUMABLE, "--out", tmp_path / "whole")
    with monkeypatch.context() as patch:
        _interrupt_epoch(patch, 4)
        result = invoke("train", *RESUMABLE, "--out", tmp_path / "cut")
    assert result.exit_code == 130, result.output
    assert f"3 finished epochs saved in {tmp_path / 'cut' / 'last.safetensors'}" in result.output
    assert f"neuronlab train --resume {tmp_path / 'cut'}" in result.output
    assert sorted(p.name for p in (tmp_path / "cut").iterdir()) == ["config.toml", "last.safetensors"]

    result = ok("train", "--resume", tmp_path / "cut", "--no-plots")
    assert "resuming after epoch 3" in result.output
    assert not (tmp_path / "cut" / "last.safetensors").exists()
    whole, cut = (load_file(str(tmp_path / d / "model.safetensors")) for d in ("whole", "cut"))
    assert whole.keys() == cut.keys() and all(np.array_equal(whole[k], cut[k]) for k in whole)
    histories = [read_csv(tmp_path / d / "history.csv") for d in ("whole", "cut")]
    timeless = [[[v for name, v in zip(header, row) if name != "time"] for row in rows] for header, rows in histories]
    assert timeless[0] == timeless[1] and len(timeless[0]) == 6
    metrics = [json.loads((tmp_path / d / "metrics.json").read_text()) for d in ("whole", "cut")]
    assert all(m.pop("train_time_s") for m in metrics) and metrics[0] == metrics[1]


def test_resume_refuses_what_it_cannot_continue(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        _interrupt_epoch(patch, 1)
        result = invoke("train", *RESUMABLE, "--out", tmp_path / "early")
    assert result.exit_code == 130 and "before the first epoch finished" in result.output
    ok("train", *RESUMABLE, "--out", tmp_path / "done")
    (tmp_path / "empty").mkdir()
    cases = [
        (["--resume", tmp_path / "done"], 2, "has finished"),
        (["--resume", tmp_path / "empty"], 2, "has no config.toml"),
        (["--resume", tmp_path / "early"], 1, "saved no finished epoch"),
        (["--resume", tmp_path / "early", "--lr", 0.1, "--epochs", 3], 2, "drop --epochs, --lr"),
    ]
    for args, code, message in cases:
        result = invoke("train", *args)
        assert result.exit_code == code and message in result.output and "Traceback" not in result.output, result.output


def test_subprocess_run_prints_plain_lines(tmp_path):
    script = Path(sys.executable).with_name("neuronlab")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from neuronlab.cli.main import cli; cli()"]
    done = subprocess.run(
        command + ["train", "--epochs", "2", "--dataset", "iris", "--out", str(tmp_path / "run"), "--no-plots"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("epoch 1/2  train_loss") and lines[2].startswith("epoch 2/2  train_loss")
    assert "\r" not in done.stdout and "test accuracy" in done.stdout
    assert (tmp_path / "run" / "model.safetensors").is_file()


# ------------------------------------------------------------------------------------------ bad input
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, digits_run):
    folder = tmp_path_factory.mktemp("bad")
    good = digits_run[0] / "model.safetensors"
    (folder / "truncated.safetensors").write_bytes(good.read_bytes()[:2000])
    with (folder / "weights.npz").open("wb") as handle:
        np.savez(handle, w=np.zeros(3))
    (folder / "bad.toml").write_text("epochs = [unclosed\n")
    (folder / "unknown.toml").write_text("epochz = 3\n")
    (folder / "typed.toml").write_text('epochs = "many"\n')
    (folder / "dataset.toml").write_text('dataset = "imagenet"\n')
    (folder / "float_epochs.toml").write_text("epochs = 2.7\n")
    (folder / "bool_seed.toml").write_text("seed = true\n")
    (folder / "int_hidden.toml").write_text("hidden = 8\n")
    (folder / "text_switch.toml").write_text('batchnorm = "yes"\n')
    write_csv(folder / "bad_row.csv", ["a", "b", "label"], [[1, 2, "x"], [3, "oops", "y"], [5, 6, "x"]])
    write_csv(folder / "short_row.csv", ["a", "b", "label"], [[1, 2, "x"], [3, "y"], [5, 6, "x"]])
    digits = load_dataset("digits")
    write_csv(folder / "no_features.csv", ["a", "b"], [[1, 2]])
    write_csv(folder / "bad_pixels.csv", digits.feature_names, [[*range(63), "nan?"]])
    write_csv(folder / "pixels.csv", digits.feature_names, [list(range(64))])
    return folder, good


BAD_INPUTS = [
    (["train", "--optimizer", "adamax"], 2, "'adamax' is not one of"),
    (["train", "--activation", "swish"], 2, "'swish' is not one of"),
    (["train", "--dataset", "imagenet"], 2, "unknown dataset 'imagenet'"),
    (["train", "--dataset", "csv:{dir}/missing.csv"], 2, "no such file"),
    (["train", "--hidden", "64,x"], 2, "comma-separated positive integers"),
    (["train", "--val-size", "0.5", "--test-size", "0.5"], 2, "leave no training data"),
    (["train", "--val-size", "0", "--early-stopping", "5"], 2, "val_size is 0"),
    (["train", "--out", "{dir}/o", "--name", "n"], 2, "either --out DIR or --name NAME"),
    (["train", "--config", "{dir}/missing.toml"], 2, "does not exist"),
    (["train", "--config", "{dir}/bad.toml"], 2, "is not valid TOML"),
    (["train", "--config", "{dir}/unknown.toml"], 2, "unknown setting 'epochz'"),
    (["train", "--config", "{dir}/typed.toml"], 2, "epochs = 'many'"),
    (["train", "--config", "{dir}/dataset.toml"], 2, "unknown dataset 'imagenet'"),
    (
        ["train", "--config", "{dir}/float_epochs.toml"],
        2,
        "float_epochs.toml: epochs = 2.7: expected an integer, not a float",
    ),
    (["train", "--config", "{dir}/bool_seed.toml"], 2, "bool_seed.toml: seed = True: expected an integer, not a bool"),
    (["train", "--config", "{dir}/int_hidden.toml"], 2, "int_hidden.toml: hidden = 8: expected a list of sizes"),
    (["train", "--config", "{dir}/text_switch.toml"], 2, "text_switch.toml: batchnorm = 'yes': expected true or false"),
    (["train", "--dataset", "iris", "--task", "regression"], 2, "are not numbers"),
    (["train", "--dataset", "iris", "--target", "species"], 2, "applies to csv:PATH datasets"),
    (["train", "--dataset", "csv:{dir}/bad_row.csv"], 1, "row 2 (line 3), column 'b': non-numeric value 'oops'"),
    (["train", "--dataset", "csv:{dir}/short_row.csv"], 1, "row 2 (line 3): 2 fields; the header has 3"),
    (["train", "--dataset", "mnist"], 1, "could not download train-images-idx3-ubyte.gz"),  # offline (conftest)
    (["train", "--dataset", "iris", "--data-dir", "{dir}"], 2, "--data-dir: a data folder only applies to mnist"),
    (["evaluate", "{good}", "--dataset", "iris", "--data-dir", "{dir}"], 2, "--data-dir: a data folder only applies"),
    (["evaluate", "{good}", "--dataset", "iris", "--target", "x"], 2, "--target: a target column only applies"),
    (["train", "--dataset", "iris", "--optimizer", "sgd", "--lr", "1e6"], 1, "training diverged"),
    (["train", "--dataset", "xor", "--epochs", "1", "--out", "{dir}/bad.toml/run"], 1, "bad.toml: Not a directory"),
    (["evaluate", "{dir}/missing.safetensors"], 2, "does not exist"),
    (["evaluate", "{dir}/truncated.safetensors"], 1, "truncated"),
    (["evaluate", "{dir}/weights.npz"], 1, "zip archive"),
    (["evaluate", "{good}", "--dataset", "iris"], 1, "takes 64 input features; dataset 'iris' has 4"),
    (["evaluate", "{good}", "--dataset", "iris", "--split", "test"], 1, "takes 64 input features"),
    (["evaluate", "{good}", "--dataset", "wine", "--split", "all", "--task", "regression"], 1, "are not numbers"),
    (["predict", "{good}", "{dir}/missing.csv"], 2, "does not exist"),
    (["predict", "{good}", "{dir}/no_features.csv"], 1, "missing feature columns"),
    (["predict", "{good}", "{dir}/bad_pixels.csv"], 1, "column 'pixel_7_7': non-numeric value 'nan?'"),
    (["predict", "{dir}/weights.npz", "{dir}/no_features.csv"], 1, "not a neuronlab checkpoint"),
    (["predict", "{good}", "{dir}/pixels.csv", "-o", "{dir}/bad.toml/out.csv"], 1, "bad.toml: Not a directory"),
]


@pytest.mark.parametrize("args, code, message", BAD_INPUTS, ids=[" ".join(a[:3]) for a, _, _ in BAD_INPUTS])
def test_bad_input_gives_one_line_and_an_exit_code(bad_files, args, code, message):
    folder, good = bad_files
    result = invoke(*(a.format(dir=folder, good=good) for a in args))
    assert isinstance(result.exception, SystemExit), result.output  # never an uncaught exception
    assert result.exit_code == code, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output


def test_a_torch_checkpoint_is_refused(tmp_path, digits_run):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    torch.save(torch.nn.Linear(64, 10).state_dict(), tmp_path / "model.pt")
    result = invoke("evaluate", tmp_path / "model.pt", "--dataset", "digits")
    assert result.exit_code == 1 and "PyTorch .pt/.pth" in result.output and "Traceback" not in result.output


def test_evaluate_split_needs_the_training_dataset(tmp_path):
    ok("train", "--dataset", "wine", "--epochs", 2, "--no-plots", "--out", tmp_path)
    wine = load_dataset("wine")
    table = write_csv(
        tmp_path / "wine.csv",
        [*wine.feature_names, "class"],
        [[*x, wine.class_names[t]] for x, t in zip(wine.X.tolist(), wine.y)],
    )
    result = invoke("evaluate", tmp_path / "model.safetensors", "--dataset", f"csv:{table}", "--split", "test")
    assert result.exit_code == 2 and "needs the dataset the model was trained on" in result.output
    text = ok("evaluate", tmp_path / "model.safetensors", "--dataset", f"csv:{table}").output
    assert text.startswith(f"csv:{table}, all (178 samples)")


def test_evaluate_accepts_data_with_a_subset_of_the_classes(tmp_path):
    ok("train", "--dataset", "iris", "--epochs", 5, "--no-plots", "--out", tmp_path / "run")
    model = tmp_path / "run" / "model.safetensors"
    iris = load_dataset("iris")
    rows = [i for i in range(len(iris.y)) if iris.y[i] > 0][::10]  # versicolor and virginica only
    names = [iris.class_names[iris.y[i]] for i in rows]
    table = write_csv(
        tmp_path / "two.csv",
        [*iris.feature_names, "species"],
        [[*iris.X[i].tolist(), name] for i, name in zip(rows, names)],
    )
    _, predicted = read_csv(ok("predict", model, table).output)
    expected = np.mean([row[-1] == name for row, name in zip(predicted, names)])
    result = json.loads(ok("evaluate", model, "--dataset", f"csv:{table}", "--json").output)
    assert result["samples"] == 10 and result["accuracy"] == expected
    matrix = np.array(result["confusion_matrix"])
    assert matrix.shape == (3, 3) and matrix[0].sum() == 0
    assert matrix[1].sum() == names.count("versicolor") and matrix[2].sum() == names.count("virginica")
    unknown = write_csv(
        tmp_path / "rose.csv",
        [*iris.feature_names, "species"],
        [[*iris.X[0].tolist(), "setosa"], [*iris.X[1].tolist(), "rose"]],
    )
    result = invoke("evaluate", model, "--dataset", f"csv:{unknown}")
    assert result.exit_code == 1 and "classes ['rose'] that the checkpoint's model does not know" in result.output


def test_relative_paths_are_recorded_absolute_and_config_paths_are_relative_to_the_file(tmp_path, monkeypatch):
    iris = load_dataset("iris")
    for folder, rows in (("work", range(150)), ("elsewhere", range(0, 150, 3))):  # a different table.csv in each
        (tmp_path / folder / "data").mkdir(parents=True)
        write_csv(
            tmp_path / folder / "data" / "table.csv",
            [*iris.feature_names, "species"],
            [[*iris.X[i].tolist(), iris.class_names[iris.y[i]]] for i in rows],
        )
    table = tmp_path / "work" / "data" / "table.csv"
    monkeypatch.chdir(tmp_path / "work")
    ok("train", "--dataset", "csv:data/table.csv", "--epochs", 3, "--no-plots", "--out", "run")
    assert f'dataset = "csv:{table}"' in (tmp_path / "work" / "run" / "config.toml").read_text()
    metrics = json.loads((tmp_path / "work" / "run" / "metrics.json").read_text())

    monkeypatch.chdir(tmp_path / "elsewhere")
    scored = json.loads(ok("evaluate", tmp_path / "work" / "run" / "model.safetensors", "--json").output)
    assert scored["dataset"] == f"csv:{table}" and scored["split"] == "test" and scored["samples"] == 23
    assert scored["accuracy"] == metrics["test"]["accuracy"]

    (tmp_path / "work" / "conf").mkdir()
    (tmp_path / "work" / "conf" / "run.toml").write_text('dataset = "csv:../data/table.csv"\nepochs = 1\n')
    ok("train", "--config", tmp_path / "work" / "conf" / "run.toml", "--no-plots", "--out", "again")
    assert f'dataset = "csv:{table}"' in (tmp_path / "elsewhere" / "again" / "config.toml").read_text()
    assert json.loads((tmp_path / "elsewhere" / "again" / "metrics.json").read_text())["samples"]["test"] == 23
