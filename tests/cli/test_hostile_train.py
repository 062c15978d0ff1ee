"""`neuronlab train / evaluate / predict / experiment` through a table of hostile inputs (issue 17).

Every row must end with its exit code, exactly one line on stderr (``Error: ...`` naming the problem), no
traceback, no changed file among those the row protects, and within a time bound. The rows are the
adversarial-use findings (existing run folders, outputs that are inputs, undecodable or absurd settings,
files in the way) and their neighbours."""

import contextlib
import csv
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from neuronlab.cli.main import cli

SECONDS = 30  # a refusal comes before any training: far below this even on a loaded machine


def write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    run = root / "run"
    result = CliRunner().invoke(
        cli, ["train", "--dataset", "iris", "--hidden", "8", "--epochs", "2", "--no-plots", "--out", str(run)]
    )
    assert result.exit_code == 0, result.output
    (root / "mine").mkdir()
    (root / "mine" / "notes.txt").write_text("not a run")
    (root / "afile").write_text("a file where a folder is expected")
    (root / "latin1.toml").write_bytes('dataset = "d\xe9j\xe0"\n'.encode("latin-1"))
    (root / "binary.toml").write_bytes(bytes(range(256)))
    (root / "weights.npz").write_bytes(b"PK\x03\x04" + bytes(60))
    write_csv(root / "dup.csv", ["a", "b", "a", "y"], [[i, -i, i % 3, i % 2] for i in range(40)])
    write_csv(root / "single.csv", ["a", "b", "y"], [[i, 2 * i, "cat"] for i in range(40)])
    from neuronlab.data import load_dataset

    iris = load_dataset("iris")
    write_csv(root / "in.csv", iris.feature_names, iris.X[:5].tolist())
    return {"dir": root, "run": run, "model": run / "model.safetensors", "in": root / "in.csv"}


# (arguments, exit code, part of the one stderr line, protected paths)
HOSTILE = [
    (["train", "--config", "{dir}/latin1.toml"], 2, "is not UTF-8 text", []),
    (["train", "--config", "{dir}/binary.toml"], 2, "is not UTF-8 text", []),
    (["train", "--hidden", "100000,100000", "--out", "{dir}/big"], 2, "GiB is available", []),
    (["train", "--hidden", "0"], 2, "layer sizes must be positive", []),
    (["train", "--seed", "-1"], 2, "-1 is not in the range", []),
    (["train", "--epochs", "0"], 2, "0 is not in the range", []),
    (["train", "--dataset", "iris", "--out", "{run}"], 1, "already holds a finished run", ["{run}"]),
    (["train", "--dataset", "diabetes", "--out", "{run}"], 1, "give --overwrite", ["{run}"]),
    (["train", "--out", "{dir}/mine", "--overwrite"], 1, "holds no neuronlab run", ["{dir}/mine"]),
    (["train", "--out", "{dir}/afile/sub"], 1, "afile: Not a directory", ["{dir}/afile"]),
    (["train", "--out", "{dir}/afile"], 2, "is a file", ["{dir}/afile"]),
    (["train", "--resume", "{run}"], 2, "has finished", ["{run}"]),
    (["train", "--resume", "{dir}/mine"], 2, "has no config.toml", ["{dir}/mine"]),
    (["train", "--resume", "{run}", "--overwrite"], 2, "drop --overwrite", ["{run}"]),
    (["train", "--dataset", "csv:{dir}/dup.csv", "--out", "{dir}/d"], 1, "duplicate column names 'a'", []),
    (["train", "--dataset", "csv:{dir}/single.csv", "--out", "{dir}/s"], 1, "single class ('cat')", []),
    (["train", "--dataset", "diabetes", "--task", "classification"], 2, "a quantity, not 214 classes", []),
    (["train", "--dataset", "iris", "--task", "regression"], 2, "are not numbers", []),
    (["evaluate", "{dir}/weights.npz"], 1, "zip archive", []),
    (["evaluate", "{dir}/in.csv"], 1, "not a safetensors file", ["{dir}/in.csv"]),
    (["evaluate", "{model}", "--dataset", "wine"], 1, "takes 4 input features", []),
    (["predict", "{model}", "{in}", "-o", "{model}"], 2, "is the checkpoint", ["{run}"]),
    (["predict", "{model}", "{in}", "-o", "{in}"], 2, "is the input CSV", ["{in}"]),
    (["predict", "{model}", "{in}", "-o", "{dir}/afile/out.csv"], 1, "afile: Not a directory", ["{dir}/afile"]),
    (["predict", "{in}", "{in}"], 1, "not a safetensors file", ["{in}"]),
    (["experiment", "xor", "--seed", "-1"], 2, "-1 is not in the range", []),
    (["experiment", "xor", "--fast", "--out", "{dir}/afile/sub"], 2, "is a file, not a folder", ["{dir}/afile"]),
    (["experiment", "no_such_experiment"], 2, "unknown experiment", []),
    (["no-such-command"], 2, "No such command", []),
    (["evaluate"], 2, "Missing argument 'CHECKPOINT'", []),
]


def _state(path: Path):
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    return path.read_bytes() if path.exists() else None


@pytest.mark.parametrize("args, code, message, protected", HOSTILE, ids=[" ".join(a[:3]) for a, *_ in HOSTILE])
def test_hostile_input(hostile, args, code, message, protected):
    paths = {key: str(value) for key, value in hostile.items()}
    protected = [Path(p.format(**paths)) for p in protected]
    before = [_state(p) for p in protected]
    start = time.perf_counter()
    result = CliRunner().invoke(cli, [a.format(**paths) for a in args])
    elapsed = time.perf_counter() - start
    assert isinstance(result.exception, SystemExit), result.exception  # no uncaught exception
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert [_state(p) for p in protected] == before
    assert elapsed < SECONDS


@pytest.mark.parametrize("error", [MemoryError(), OSError(28, "No space left on device", "/full/disk/run")])
def test_the_top_level_guard_turns_memory_and_os_errors_into_one_line(monkeypatch, tmp_path, error):
    from neuronlab.cli import train as train_command

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(train_command, "train_run", failing)
    monkeypatch.setattr(train_command, "user_errors", contextlib.nullcontext)  # reach the guard
    result = CliRunner().invoke(cli, ["train", "--dataset", "iris", "--out", str(tmp_path / "run")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    expected = "out of memory" if isinstance(error, MemoryError) else "/full/disk/run: No space left on device"
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_an_interrupted_run_gives_exit_130_and_resumes(tmp_path, monkeypatch):
    from neuronlab.train.trainer import Trainer

    def interrupted(self, loader):
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "_train_epoch", interrupted)
    result = CliRunner().invoke(cli, ["train", "--dataset", "iris", "--out", str(tmp_path / "run"), "--no-plots"])
    assert result.exit_code == 130 and "nothing to resume" in result.stderr
    assert np.all([p.name == "config.toml" for p in (tmp_path / "run").iterdir()])
