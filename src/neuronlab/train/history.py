"""History: what happened in each epoch of training (Keras's ``History``, a table with one row per epoch).

Each row holds ``epoch`` (1-based), ``train_loss``, ``val_loss`` when there is validation data,
``train_<metric>`` and ``val_<metric>`` for every metric, ``lr`` (the first parameter group's learning
rate during the epoch) and ``time`` (wall seconds). ``history["val_loss"]`` gives a column as a list.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path


class History:
    """Per-epoch records of a training run; ``stopped_early`` / ``best_epoch`` are set by EarlyStopping."""

    def __init__(self, records: list[dict] | None = None) -> None:
        self.records: list[dict] = [dict(r) for r in records] if records else []
        self.best_epoch: int | None = None
        self.stopped_early = False

    def append(self, record: dict) -> None:
        self.records.append(dict(record))

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, key: str) -> list:
        """The column ``key`` over epochs (None where an epoch has no such value)."""
        if not any(key in r for r in self.records):
            raise KeyError(f"history has no column {key!r}; columns are {self.columns}")
        return [r.get(key) for r in self.records]

    def __contains__(self, key: str) -> bool:
        return any(key in r for r in self.records)

    @property
    def columns(self) -> list[str]:
        names: list[str] = []
        for record in self.records:
            names.extend(k for k in record if k not in names)
        return names

    @property
    def last(self) -> dict:
        if not self.records:
            raise IndexError("history is empty: no epoch has finished")
        return self.records[-1]

    def to_csv(self, path) -> Path:
        """Write one row per epoch (full float precision) under a header row, atomically; returns the path."""
        from neuronlab.io import atomic

        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=self.columns)
        writer.writeheader()
        writer.writerows(self.records)
        return atomic.write_text(path, text.getvalue())

    def state_dict(self) -> dict:
        """JSON-able copy (stored with checkpoints so that a resumed run continues the same table)."""
        return {
            "records": [dict(r) for r in self.records],
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
        }

    @classmethod
    def from_state_dict(cls, state: dict) -> History:
        history = cls(state.get("records", []))
        history.best_epoch = state.get("best_epoch")
        history.stopped_early = bool(state.get("stopped_early", False))
        return history

    def __repr__(self) -> str:
        if not self.records:
            return "History(0 epochs)"
        last = ", ".join(f"{k}={_cell(v)}" for k, v in self.last.items() if k != "epoch")
        return f"History({len(self)} epochs; last: {last})"


def _cell(value):
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.6g}"
    return value
