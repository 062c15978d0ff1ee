"""A character model's training run: ``neuronlab train --dataset text:PATH --model lstm`` (or rnn, gru).

:func:`~neuronlab.train.run.train_run` hands a ``text:PATH`` dataset to :func:`train_character_run`, which
writes the same run folder as any other run:

1. read the text file, its vocabulary (the sorted distinct characters) and its windows of ``seq_len``
   characters, each with the next character at every position as targets;
2. split the windows at random into training, validation and test parts (the run's seed and sizes);
3. train a :class:`~neuronlab.nn.recurrent_models.CharacterModel` (Embedding -> ``len(hidden)`` stacked
   rnn/gru/lstm layers of the hidden size -> Linear) with cross-entropy on every position, with the run's
   optimizer, schedule, clipping, early stopping and resumable saves;
4. score every split (loss in nats per character, bits per character, accuracy of the likeliest next
   character) and write ``config.toml``, ``metrics.json``, ``history.csv``, ``curves.png`` and
   ``model.safetensors``, whose JSON header carries the vocabulary (``extra["vocab"]``) that ``neuronlab
   generate`` samples with; then ``complete.json``.

The settings of tabular inputs (preprocess, activation, init, batchnorm, dropout) do not apply to a text.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

import neuronlab
from neuronlab.autograd.grad_mode import no_grad
from neuronlab.data import DataLoader, TensorDataset
from neuronlab.data.datasets.registry import load_text
from neuronlab.data.datasets.text import CharacterText
from neuronlab.data.split import train_val_test_split
from neuronlab.nn import functional as F
from neuronlab.nn.recurrent_models import CharacterModel
from neuronlab.train.callbacks import EarlyStopping
from neuronlab.train.run import RunConfig, RunResult, _fit, _make_trainer
from neuronlab.train.run_folder import RunFolder, RunFolderError
from neuronlab.train.settings import ConfigError

EMBEDDING_DIM = 32  # the size of each character's learned vector


def text_hash(data: CharacterText) -> str:
    """SHA-256 over the vocabulary, the window length and the text's characters: a resumed run re-creates
    its split only from the same text."""
    digest = hashlib.sha256(json.dumps([data.vocab, data.seq_len]).encode())
    digest.update(data.data.tobytes())
    return digest.hexdigest()


def build_character_model(config: RunConfig, vocab_size: int) -> CharacterModel:
    """``CharacterModel`` of ``config.model`` with ``len(hidden)`` layers of one hidden size."""
    hidden = list(config.hidden)
    if not hidden or len(set(hidden)) != 1:
        raise ConfigError("hidden", f"a character model needs one hidden size repeated per layer, got {hidden}")
    return CharacterModel(vocab_size, EMBEDDING_DIM, hidden[0], config.model, num_layers=len(hidden))


@no_grad()
def score_text(model: CharacterModel, x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> dict:
    """Loss (nats per character), bits per character and next-character accuracy over windows ``x``, ``y``."""
    was_training = model.training
    model.eval()
    try:
        total, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            logits = model(x[start : start + batch_size])
            target = y[start : start + batch_size]
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="sum").item()
            correct += int((logits.data.argmax(axis=-1) == target).sum())
    finally:
        model.train(was_training)
    count = y.size
    return {
        "loss": total / count,
        "bits_per_character": total / count / math.log(2),
        "accuracy": correct / count,
        "characters": int(count),
    }


def train_character_run(config: RunConfig, folder: RunFolder, *, resume: bool, progress: bool, plots: bool, say):
    """Train and write the run folder as described in this module's docstring (``folder`` already checked
    by ``train_run``: new, to overwrite, or to resume)."""
    data = load_text(config.dataset, seq_len=config.sequence_length or 1)
    name = config.dataset.split(":", 1)[1]
    x, y = data.__getitems__(np.arange(len(data)))
    split = {"seed": config.seed, "val_size": config.val_size, "test_size": config.test_size}
    record = {
        "dataset": name,
        "n_features": data.seq_len,
        "config": config.resolved(),
        "split": split,
        "data_sha256": text_hash(data),
    }
    if resume:
        last = neuronlab.load(folder.last_epoch)
        if last.extra.get("run", {}).get("data_sha256") != record["data_sha256"]:
            raise RunFolderError(
                f"the text {name!r} has changed since the run was trained; resuming would train on another split; "
                "start a new run"
            )
    try:
        parts = train_val_test_split(x, y, seed=config.seed, val_size=config.val_size, test_size=config.test_size)
    except ValueError as error:
        raise ConfigError("seq_len", f"{len(x)} windows of {data.seq_len} characters: {error}") from None
    named = {
        "train": (parts.X_train, parts.y_train),
        "val": (parts.X_val, parts.y_val),
        "test": (parts.X_test, parts.y_test),
    }
    named = {key: part for key, part in named.items() if len(part[0])}
    say(
        f"{name}: a text of {len(data.data)} characters, vocabulary {data.vocab_size}, windows of {data.seq_len}; "
        + ", ".join(f"{key} {len(part[0])}" for key, part in named.items())
    )

    neuronlab.manual_seed(config.seed)
    model = build_character_model(config, data.vocab_size)
    trainer = _make_trainer(config, model, "generation", folder, record, progress)
    train_loader = DataLoader(
        TensorDataset(*named["train"]),
        batch_size=config.batch_size,
        shuffle=True,
        generator=np.random.default_rng([config.seed, 1]),
    )
    val_loader = DataLoader(TensorDataset(*named["val"]), batch_size=256) if "val" in named else None
    history, train_time = _fit(trainer, config, folder, train_loader, val_loader, last if resume else None, say)

    scores = {key: score_text(model, *part) for key, part in named.items()}
    metrics = {
        "dataset": name,
        "task": "generation",
        "evaluated_on": "test" if "test" in scores else "train",
        **scores,
        "vocab_size": data.vocab_size,
        "seq_len": data.seq_len,
        "epochs_run": len(history),
        "best_epoch": history.best_epoch,
        "stopped_early": history.stopped_early,
        "train_time_s": train_time,
        "samples": {key: len(part[0]) for key, part in named.items()},
        "seed": config.seed,
        "library_version": neuronlab.__version__,
    }
    restored = any(isinstance(c, EarlyStopping) and c.best_weights is not None for c in trainer.callbacks)
    files = [folder.config_file, history.to_csv(folder / folder.HISTORY), folder.write_metrics(metrics)]
    files.append(
        neuronlab.save(
            model,
            folder.checkpoint,
            epoch=history.best_epoch if restored else trainer.epoch,
            task="generation",
            extra={"run": record, "vocab": "".join(data.vocab), "seq_len": data.seq_len},
        )
    )
    if plots:
        from neuronlab.train.plots import plot_curves  # matplotlib: imported when plotting

        files.append(plot_curves(history, folder / folder.CURVES, title=f"{name}: learning curves"))
    files.append(folder.mark_complete(files))
    return RunResult(run_dir=folder.path, metrics=metrics, history=history, checkpoint=folder.checkpoint, files=files)


__all__ = ["EMBEDDING_DIM", "build_character_model", "score_text", "text_hash", "train_character_run"]
