"""The run folder of ``neuronlab train``: its file names, its states, the run record and the split.

A run folder goes through these states, and every command recognises each of them from the files alone:

========================  ===============================================  ======================================
state                     files                                            what works
========================  ===============================================  ======================================
``new``                   the folder is missing or empty                   ``train --out``
``not_started``           ``config.toml``, no ``last.safetensors``         nothing: interrupted before the first
                                                                           finished epoch; train it again with
                                                                           ``--overwrite``
``resumable``             ``config.toml`` + ``last.safetensors``, no       ``train --resume`` (also when it was
                          ``complete.json``                                interrupted while writing its files)
``complete``              ``complete.json`` (written last, atomically)     ``evaluate``, ``predict``
========================  ===============================================  ======================================

Finishing a run is a commit: the metrics, history, plots and ``model.safetensors`` are written first (each
atomically), then ``complete.json`` (the list of the run's files), and only then is ``last.safetensors``
removed. A folder written before completion markers existed (``metrics.json`` and ``model.safetensors``,
no ``last.safetensors``) counts as complete.

The run record (stored in both checkpoints under ``extra["run"]``) names the dataset, its number of
features, the resolved settings, the split, and a SHA-256 content hash of the data (:func:`data_hash`), so
that ``evaluate`` and ``--resume`` refuse to re-create the run's split from data that has changed since.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np

from neuronlab.data import train_val_test_split
from neuronlab.io import atomic
from neuronlab.train.settings import write_settings_file

STATES = ("new", "not_started", "resumable", "complete", "not_a_run")
SPLITS = ("train", "val", "test")


class RunFolderError(ValueError):
    """A run folder that cannot be used as asked (exists, unfinished, foreign, data changed)."""


def data_hash(bundle) -> str:
    """SHA-256 over the data a run splits: inputs (dtype, shape, bytes), targets and class names. Reordering,
    adding or editing rows changes it, so a recorded split is only re-created from the same data."""
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(bundle.X), np.ascontiguousarray(bundle.y)):
        digest.update(f"{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    digest.update(json.dumps([str(c) for c in bundle.class_names or []]).encode())
    return digest.hexdigest()


class RunFolder:
    """One run's folder: ``RunFolder("runs/digits-1")``. Owns the file names, the folder's state, the
    config file, the completion marker, the run record and the split."""

    CONFIG = "config.toml"
    HISTORY = "history.csv"
    METRICS = "metrics.json"
    CHECKPOINT = "model.safetensors"
    LAST_EPOCH = "last.safetensors"
    COMPLETE = "complete.json"
    CURVES = "curves.png"
    CONFUSION = "confusion.png"
    FILTERS = "filters.png"  # models with a convolution: the first layer's kernels
    FEATURE_MAPS = "feature_maps.png"  # and one test example's maps after it

    def __init__(self, path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    @property
    def config_file(self) -> Path:
        return self.path / self.CONFIG

    @property
    def checkpoint(self) -> Path:
        return self.path / self.CHECKPOINT

    @property
    def last_epoch(self) -> Path:
        return self.path / self.LAST_EPOCH

    # ------------------------------------------------------------------------------------ states
    @property
    def state(self) -> str:
        """One of :data:`STATES` (see the module docstring)."""
        if not self.path.is_dir() or not any(self.path.iterdir()):
            return "new"
        if (self.path / self.COMPLETE).is_file():
            return "complete"
        if not self.config_file.is_file():
            return "not_a_run"
        if self.last_epoch.is_file():
            return "resumable"
        if (self.path / self.METRICS).is_file() and self.checkpoint.is_file():
            return "complete"  # written before completion markers existed
        return "not_started"

    def prepare(self, overwrite: bool = False) -> None:
        """Check, before any work, that a new run may be written here: a missing or empty folder, or (with
        ``overwrite``) the folder of an earlier run. Nothing is deleted yet (see :meth:`clear`)."""
        for part in (self.path, *self.path.parents):  # the first existing folder on the way must be one
            if part.exists():
                if not part.is_dir():
                    raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(part))
                break
        state = self.state
        if state == "new":
            return
        if state == "not_a_run":
            raise RunFolderError(
                f"{self.path} is not empty and holds no neuronlab run (no {self.CONFIG}); "
                "expected a new or empty folder (it is never cleared, even with --overwrite)"
            )
        if not overwrite:
            what = {
                "complete": "a finished run",
                "resumable": f"an interrupted run (continue it with neuronlab train --resume {self.path})",
                "not_started": "a run interrupted before its first epoch",
            }
            raise RunFolderError(
                f"{self.path} already holds {what[state]}; give --overwrite to replace it, or another --out/--name"
            )

    def clear(self) -> None:
        """Remove the files of the earlier run in this folder (after :meth:`prepare` allowed it)."""
        if self.state in ("new", "not_a_run"):
            return
        for item in self.path.iterdir():
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()

    def check_resumable(self) -> None:
        """A RunFolderError naming the state unless ``train --resume`` can continue this run."""
        state = self.state
        if state == "resumable":
            return
        messages = {
            "new": f"{self.path} has no {self.CONFIG}: expected the folder of a neuronlab train run",
            "not_a_run": f"{self.path} has no {self.CONFIG}: expected the folder of a neuronlab train run",
            "complete": f"the run in {self.path} has finished ({self._finished_by()} is there); nothing to resume",
            "not_started": f"{self.last_epoch} not found: the run in {self.path} saved no finished epoch to resume "
            "from; train it again with --overwrite",
        }
        raise RunFolderError(messages[state])

    def _finished_by(self) -> str:
        return self.COMPLETE if (self.path / self.COMPLETE).is_file() else self.METRICS

    def check_complete(self, checkpoint) -> None:
        """For ``evaluate``/``predict`` of ``checkpoint``: refuse the model file of a run that did not finish."""
        checkpoint = Path(checkpoint)
        if checkpoint.name != self.CHECKPOINT or checkpoint.parent.resolve() != self.path.resolve():
            return
        state = self.state
        if state == "resumable":
            raise RunFolderError(
                f"the run in {self.path} did not finish (interrupted; no {self.COMPLETE}); "
                f"complete it with: neuronlab train --resume {self.path}"
            )
        if state == "not_started":
            raise RunFolderError(
                f"the run in {self.path} did not finish (no {self.COMPLETE}, nothing to resume); "
                "train it again with --overwrite"
            )

    # ------------------------------------------------------------------------------------ files
    def write_config(self, values: dict) -> Path:
        """The resolved settings as ``config.toml`` (None values left out)."""
        return write_settings_file(
            self.config_file,
            values,
            "neuronlab train settings; rerun with: neuronlab "
            "train --config config.toml (bit for bit with the same --threads)",
        )

    def write_metrics(self, metrics: dict) -> Path:
        return atomic.write_text(self.path / self.METRICS, _json_dumps(metrics) + "\n")

    def mark_complete(self, files) -> Path:
        """The commit: ``complete.json`` (written atomically, last), then ``last.safetensors`` removed."""
        record = {"completed": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": [Path(f).name for f in files]}
        marker = atomic.write_text(self.path / self.COMPLETE, json.dumps(record, indent=2) + "\n")
        self.last_epoch.unlink(missing_ok=True)
        return marker

    # ------------------------------------------------------------------------------------ record and split
    @staticmethod
    def record(bundle, config_values: dict, split: dict) -> dict:
        """The run record saved with the checkpoints (``extra["run"]``)."""
        return {
            "dataset": bundle.name,
            "n_features": bundle.n_features,
            "config": config_values,
            "split": split,
            "data_sha256": data_hash(bundle),
        }

    @staticmethod
    def check_same_data(record: dict, bundle, what: str) -> None:
        """Refuse to re-create the recorded split from data whose content hash differs from the recorded one
        (records without a hash, written by older versions, are trusted)."""
        recorded = record.get("data_sha256")
        if recorded is not None and recorded != data_hash(bundle):
            raise RunFolderError(
                f"dataset {bundle.name!r} has changed since the run was trained (its content hash "
                f"differs from the one recorded); {what}"
            )

    @staticmethod
    def split(bundle, split: dict) -> dict:
        """The recorded train/val/test split of ``bundle``: ``{"train": (X, y), "val": ..., "test": ...}``,
        leaving out empty parts (``split`` holds ``seed``, ``val_size``, ``test_size``)."""
        parts = train_val_test_split(
            bundle.X,
            bundle.y,
            val_size=split["val_size"],
            test_size=split["test_size"],
            stratify=bundle.task == "classification",
            seed=split["seed"],
        )
        named = {
            "train": (parts.X_train, parts.y_train),
            "val": (parts.X_val, parts.y_val),
            "test": (parts.X_test, parts.y_test),
        }
        return {name: part for name, part in named.items() if len(part[0])}


def _json_dumps(values: dict) -> str:
    """Indented JSON with every list of numbers (a confusion-matrix row) kept on one line."""
    text = json.dumps(values, indent=2)
    return re.sub(
        r"\[\s*([-\d.eE+,\s]*?)\s*\]", lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text
    )
