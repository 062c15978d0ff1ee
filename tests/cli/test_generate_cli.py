"""``neuronlab train --dataset text:PATH --model gru`` then ``neuronlab generate RUN_DIR``: the run folder holds
what generation needs, sampling follows the learned text, is repeatable under --seed, flattens with the
temperature, and bad requests are one-line errors."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab.cli.main import cli
from neuronlab.nn.recurrent_models import CharacterModel
from neuronlab.train.recurrent import generate
from neuronlab.train.run import RunConfig, train_run

TINY = ["--model", "gru", "--hidden", "16", "--seq-len", "12", "--batch-size", "8", "--lr", "0.03", "--no-plots"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chars")
    (folder / "abc.txt").write_text("abc" * 300)
    result = invoke(
        "train", "--dataset", f"text:{folder / 'abc.txt'}", *TINY, "--epochs", "15", "--out", folder / "run"
    )
    assert result.exit_code == 0, result.output
    assert "next-character accuracy" in result.output and "neuronlab generate" in result.output
    return folder / "run"


def test_run_folder_holds_the_model_and_its_vocabulary(run_dir):
    assert {"config.toml", "metrics.json", "history.csv", "model.safetensors", "complete.json"} <= {
        p.name for p in run_dir.iterdir()
    }
    assert "seq_len = 12" in (run_dir / "config.toml").read_text()
    checkpoint = neuronlab.load(run_dir / "model.safetensors")  # safetensors + a JSON header, no pickle
    assert isinstance(checkpoint.model, CharacterModel) and checkpoint.model.kind == "gru"
    assert checkpoint.extra["vocab"] == "abc" and checkpoint.task == "generation"


def test_a_fresh_process_rebuilds_the_model(run_dir):
    """``import neuronlab`` alone registers CharacterModel, so any command can load the checkpoint."""
    code = "import sys, neuronlab; print(type(neuronlab.load(sys.argv[1]).model).__name__)"
    out = subprocess.run(
        [sys.executable, "-c", code, str(run_dir / "model.safetensors")], capture_output=True, text=True
    )
    assert out.stdout.strip() == "CharacterModel", out.stderr


def test_low_temperature_reproduces_the_pattern(run_dir):
    result = invoke("generate", run_dir, "--prompt", "ab", "--length", "30", "--temperature", "0.1", "--seed", "0")
    assert result.exit_code == 0, result.output
    assert result.output == ("abc" * 11)[:32] + "\n"


def test_seed_makes_the_draw_repeatable(run_dir):
    first = invoke("generate", run_dir, "--temperature", "3", "--seed", "7", "--length", "60").output
    assert invoke("generate", run_dir, "--temperature", "3", "--seed", "7", "--length", "60").output == first
    assert invoke("generate", run_dir, "--temperature", "3", "--seed", "8", "--length", "60").output != first


def test_higher_temperature_spreads_the_transitions(run_dir):
    """At a low temperature every character is followed by its successor in the cycle (3 distinct pairs of
    neighbours); as the temperature grows the distribution tends to uniform, whose 400 draws show nearly
    all 9 pairs."""

    def pairs(temperature):
        text = generate(run_dir, "a", 400, temperature, seed=1)
        return len({text[k : k + 2] for k in range(len(text) - 1)})

    assert pairs(0.1) == 3
    assert pairs(50.0) >= 8


def test_bad_requests_are_one_line_errors(run_dir, tmp_path):
    unknown = invoke("generate", run_dir, "--prompt", "abz")
    assert unknown.exit_code == 1 and "never saw: 'z'" in unknown.output and unknown.output.count("\n") == 1
    cold = invoke("generate", run_dir, "--temperature", "0")
    assert cold.exit_code == 2 and "--temperature" in cold.output
    with pytest.raises(ValueError, match="temperature must be positive"):
        generate(run_dir, "a", 5, temperature=-1.0)
    unfinished = tmp_path / "unfinished"
    shutil.copytree(run_dir, unfinished)
    (unfinished / "complete.json").unlink()
    shutil.copy(unfinished / "model.safetensors", unfinished / "last.safetensors")
    result = invoke("generate", unfinished)
    assert result.exit_code == 1 and "did not finish" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no neuronlab run" in invoke("generate", empty).output


def test_a_classifier_run_is_not_a_character_model(tmp_path):
    out = tmp_path / "xor"
    assert (
        invoke("train", "--dataset", "xor", "--hidden", "4", "--epochs", "1", "--no-plots", "--out", out).exit_code == 0
    )
    result = invoke("generate", out)
    assert result.exit_code == 1 and "not a character model" in result.output


def test_text_settings_are_checked(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("hello " * 50)
    missing = invoke("train", "--dataset", f"text:{tmp_path / 'none.txt'}", "--model", "gru")
    assert missing.exit_code == 2 and "no such file" in missing.output
    mlp = invoke("train", "--dataset", f"text:{text}", "--out", tmp_path / "r")
    assert mlp.exit_code == 2 and "--model" in mlp.output and "rnn, gru or lstm" in mlp.output
    seq = invoke("train", "--dataset", "digits", "--seq-len", "10", "--out", tmp_path / "r")
    assert seq.exit_code == 2 and "--seq-len" in seq.output
    too_long = invoke(
        "train", "--dataset", f"text:{text}", "--model", "gru", "--seq-len", "1000", "--out", tmp_path / "r"
    )
    assert too_long.exit_code == 1 and "seq_len=1000 needs at least 1001" in too_long.output


def test_library_run_scores_every_split(tmp_path):
    """The run from Python: an LSTM character model, scored per split in nats and bits per character."""
    (tmp_path / "t.txt").write_text("xyzw" * 80)
    config = RunConfig(dataset=f"text:{tmp_path / 't.txt'}", model="lstm", hidden=(8,), seq_len=8, epochs=3, lr=0.02)
    result = train_run(config, tmp_path / "run", progress=False, plots=False, log=None)
    metrics = result.metrics
    assert metrics["task"] == "generation" and set(metrics["samples"]) == {"train", "val", "test"}
    test = metrics["test"]
    assert test["bits_per_character"] == pytest.approx(test["loss"] / np.log(2))
    assert test["loss"] < np.log(4)  # below a uniform guess over the 4 characters
    assert set(generate(result.run_dir, "xy", 20, 1.0, seed=0)) <= set("xyzw")


def test_an_interrupted_text_run_resumes_to_the_same_model(tmp_path, monkeypatch):
    from neuronlab.train.trainer import Trainer

    (tmp_path / "t.txt").write_text("the cat sat on the mat. " * 20)
    config = RunConfig(
        dataset=f"text:{tmp_path / 't.txt'}", model="gru", hidden=(8,), seq_len=10, epochs=4, early_stopping=0
    )
    straight = train_run(config, tmp_path / "straight", progress=False, plots=False, log=None)
    train_epoch = Trainer._train_epoch

    def interrupted_in_epoch_3(self, loader):
        if self.epoch == 3:
            raise KeyboardInterrupt
        return train_epoch(self, loader)

    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_train_epoch", interrupted_in_epoch_3)
        with pytest.raises(KeyboardInterrupt):
            train_run(config, tmp_path / "resumed", progress=False, plots=False, log=None)
    assert (tmp_path / "resumed" / "last.safetensors").is_file()
    resumed = train_run(config, tmp_path / "resumed", resume=True, progress=False, plots=False, log=None)
    ours, theirs = neuronlab.load(resumed.checkpoint).model, neuronlab.load(straight.checkpoint).model
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
    assert generate(resumed.run_dir, "the ", 12, 0.5, seed=3) == generate(straight.run_dir, "the ", 12, 0.5, seed=3)
