"""History (columns, CSV, state), the progress display (plain lines vs a tqdm bar) and the run figures."""

import csv
import io
import os
import re

import numpy as np
import pytest

from neuronlab.train.history import History
from neuronlab.train.plots import plot_confusion, plot_curves
from neuronlab.train.progress import ProgressBar, format_logs

RECORDS = [
    {
        "epoch": 1,
        "train_loss": 1.0 / 3,
        "train_accuracy": 0.5,
        "val_loss": 0.9,
        "val_accuracy": 0.55,
        "lr": 1e-3,
        "time": 0.1,
    },
    {
        "epoch": 2,
        "train_loss": 0.25,
        "train_accuracy": 0.75,
        "val_loss": 0.8,
        "val_accuracy": 0.6,
        "lr": 5e-4,
        "time": 0.1,
    },
]


def test_history_columns_and_csv_round_trip(tmp_path):
    history = History(RECORDS)
    assert history.columns == list(RECORDS[0])
    assert history["train_loss"] == [1.0 / 3, 0.25] and "val_loss" in history and "r2" not in history
    with pytest.raises(KeyError, match="no column 'r2'"):
        history["r2"]
    with (history.to_csv(tmp_path / "h.csv")).open() as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["train_loss"]) for r in rows] == [1.0 / 3, 0.25]  # full precision
    history.best_epoch, history.stopped_early = 2, True
    copy = History.from_state_dict(history.state_dict())
    assert copy.records == history.records and copy.best_epoch == 2 and copy.stopped_early
    assert "2 epochs" in repr(copy)


class FakeTrainer:
    epochs = 2
    train_loader = [0, 1, 2]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _run(bar: ProgressBar):
    trainer = FakeTrainer()
    bar.on_train_begin(trainer)
    for record in RECORDS:
        bar.on_epoch_begin(trainer, record["epoch"])
        for batch in (1, 2, 3):
            bar.on_batch_end(trainer, batch, 0.5)
        bar.on_epoch_end(trainer, record["epoch"], record)
    bar.on_train_end(trainer)


def test_plain_output_is_one_line_per_epoch():
    out = io.StringIO()
    _run(ProgressBar(file=out))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert lines[0].startswith("epoch 1/2  train_loss 0.3333  train_acc 0.5  val_loss 0.9  val_acc 0.55  lr 0.001")
    assert lines[1].endswith("0.10s")


class NarrowTerminal(Terminal):
    """A terminal of 80 columns (tqdm asks ``os.get_terminal_size(file.fileno())``)."""

    def fileno(self):
        return 1


def _screen(text: str) -> list[str]:
    """What a terminal shows after ``text``: '\\r' returns to column 0 and later characters overwrite."""
    lines = []
    for raw in text.split("\n"):
        line, column = [], 0
        for part in re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", raw).split("\r"):
            line[column : column + len(part)] = part
            column = 0
        lines.append("".join(line).rstrip())
    return [line for line in lines if line]


def test_terminal_output_is_a_tqdm_bar_then_the_full_epoch_line(monkeypatch):
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((80, 24)))
    out = NarrowTerminal()
    _run(ProgressBar(file=out))
    text = out.getvalue()
    assert "\r" in text and "| 0/3 " in text  # a bar was drawn
    assert _screen(text) == [
        "epoch 1/2  train_loss 0.3333  train_acc 0.5  val_loss 0.9  val_acc 0.55  lr 0.001  0.10s",
        "epoch 2/2  train_loss 0.25  train_acc 0.75  val_loss 0.8  val_acc 0.6  lr 0.0005  0.10s",
    ]


def test_format_logs_skips_epoch_and_time():
    assert format_logs({"epoch": 3, "train_loss": float("nan"), "time": 2.0}) == "train_loss nan"


def test_figures_are_written(tmp_path):
    import matplotlib.image

    history = History(RECORDS)
    history.best_epoch = 2
    curves = plot_curves(history, tmp_path / "curves.png", title="t")
    confusion = plot_confusion(np.array([[5, 1], [2, 7]]), ["cat", "dog"], tmp_path / "confusion.png")
    for path in (curves, confusion):
        image = matplotlib.image.imread(path)
        assert image.ndim == 3 and image.shape[0] > 100
    assert (
        matplotlib.image.imread(curves).shape[1] > matplotlib.image.imread(curves).shape[0]
    )  # two panels side by side
