"""Callbacks: code the training loop calls at fixed points (Keras's and Lightning's hooks).

The loop of :class:`~neuronlab.train.trainer.Trainer` calls, in order::

    on_train_begin(trainer)
    for every epoch:   on_epoch_begin(trainer, epoch)
        for every batch:   forward, loss, backward
                           on_after_backward(trainer, batch, loss)   # gradients ready, parameters not yet updated
                           optimizer.step()
                           on_batch_end(trainer, batch, loss)
        validation;        on_epoch_end(trainer, epoch, logs)         # logs: this epoch's History row
    on_train_end(trainer)

``epoch`` and ``batch`` are 1-based; ``loss`` is the batch's data loss as a float. A callback stops
training by setting ``trainer.stop_training = True``. Callbacks with state that a resumed run needs
(EarlyStopping's best value, a scheduler's epoch) return it from ``state_dict()``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np


class Callback:
    """Base class: override the hooks you need (each does nothing by default)."""

    def on_train_begin(self, trainer) -> None:
        pass

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        pass

    def on_after_backward(self, trainer, batch: int, loss: float) -> None:
        pass

    def on_batch_end(self, trainer, batch: int, loss: float) -> None:
        pass

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        pass

    def on_train_end(self, trainer) -> None:
        pass

    def state_dict(self) -> dict:
        """What a resumed run needs to continue exactly (JSON-able values and ndarrays)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def _monitored(logs: dict, monitor: str, owner: str) -> float:
    if monitor not in logs:
        available = ", ".join(k for k in logs if k not in ("epoch", "time"))
        raise ValueError(
            f"{owner} monitors {monitor!r}, which this run does not record; available: {available}"
            + ("" if monitor.startswith("train_") else " (val_* needs validation data)")
        )
    return float(logs[monitor])


def _resolve_mode(mode: str, monitor: str, owner: str) -> str:
    """'min' for losses and errors, 'max' for accuracy and R^2, when ``mode='auto'``."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if any(word in monitor for word in ("accuracy", "r2")) else "min"


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs
    (notes 000 §8: "stop learning depending on the improvement on the evaluation dataset").

    With ``restore_best=True`` the model gets back the weights of its best epoch when training ends,
    so an overfitting tail costs nothing. ``mode``: 'min', 'max', or 'auto' (max for accuracy/r2).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best: bool = True,
    ) -> None:
        if not isinstance(patience, (int, np.integer)) or isinstance(patience, bool) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 1, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.mode = _resolve_mode(mode, monitor, "EarlyStopping")
        self.restore_best = bool(restore_best)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.wait = 0
        self.best_weights: dict | None = None

    def improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self.improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_weights = trainer.model.state_dict()
            trainer.history.best_epoch = epoch
            return
        self.wait += 1
        if self.wait >= self.patience:
            trainer.stop_training = True
            trainer.history.stopped_early = True

    def on_train_end(self, trainer) -> None:
        if self.restore_best and self.best_weights is not None:
            trainer.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict:
        state: dict[str, Any] = {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait}
        if self.best_weights is not None:
            state["best_weights"] = dict(self.best_weights)
        return state

    def load_state_dict(self, state: dict) -> None:
        self.best, self.best_epoch, self.wait = float(state["best"]), state["best_epoch"], int(state["wait"])
        weights = state.get("best_weights")
        self.best_weights = {k: np.array(v) for k, v in weights.items()} if weights is not None else None


class ModelCheckpoint(Callback):
    """Save a resumable checkpoint (``neuronlab.save``: model, optimizer, epoch, RNG and trainer state)
    at the end of every epoch, or only when ``monitor`` improves with ``save_best_only=True``.

    ``every_seconds`` > 0 skips the save at the end of an epoch that ends sooner than that after the last
    save (the first epoch is always saved; with ``save_best_only`` an improvement inside the interval is
    skipped too), so saves are at least that far apart: for short epochs, where writing a checkpoint every
    time would cost more than the training. An interruption then loses up to ``every_seconds`` of finished
    epochs plus the epoch in progress.

    ``path`` may contain ``{epoch}``. Every write goes to a temporary file in the same folder that is
    then renamed over ``path``, so an interrupted run never leaves a half-written checkpoint.
    ``save_kwargs`` (``preprocessing``, ``class_names``, ``task``, ``feature_names``, ``extra``) are
    passed on to ``neuronlab.save``.
    """

    def __init__(
        self,
        path,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        every_seconds: float = 0.0,
        **save_kwargs,
    ) -> None:
        if not every_seconds >= 0:
            raise ValueError(f"ModelCheckpoint: every_seconds must be >= 0, got {every_seconds!r}")
        self.path = str(path)
        self.monitor, self.save_best_only = monitor, bool(save_best_only)
        self.mode = _resolve_mode(mode, monitor, "ModelCheckpoint")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.every_seconds = float(every_seconds)
        self.save_kwargs = save_kwargs
        self.last_path: str | None = None
        self.last_save_time: float | None = None

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        now = time.monotonic()
        if self.last_save_time is not None and now - self.last_save_time < self.every_seconds:
            return
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if not (value < self.best if self.mode == "min" else value > self.best):
                return
            self.best = value
        self.last_path = self.path.format(epoch=epoch)
        trainer.save_checkpoint(self.last_path, **self.save_kwargs)
        self.last_save_time = now

    def state_dict(self) -> dict:
        return {"best": self.best}

    def load_state_dict(self, state: dict) -> None:
        self.best = float(state["best"])


class LRSchedulerCallback(Callback):
    """Step a learning-rate scheduler after every epoch (or every batch with ``interval='batch'``).

    ``ReduceLROnPlateau`` is stepped with the epoch's ``monitor`` value (default ``val_loss``).
    """

    def __init__(self, scheduler, interval: str = "epoch", monitor: str = "val_loss") -> None:
        if interval not in ("epoch", "batch"):
            raise ValueError(f"LRSchedulerCallback: interval must be 'epoch' or 'batch', got {interval!r}")
        self.scheduler, self.interval, self.monitor = scheduler, interval, monitor
        self.plateau = type(scheduler).__name__ == "ReduceLROnPlateau"
        if self.plateau and interval == "batch":
            raise ValueError("LRSchedulerCallback: ReduceLROnPlateau needs a monitored value, so interval='epoch'")

    def on_batch_end(self, trainer, batch, loss) -> None:
        if self.interval == "batch":
            self.scheduler.step()

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        if self.interval != "epoch":
            return
        if self.plateau:
            self.scheduler.step(_monitored(logs, self.monitor, "LRSchedulerCallback"))
        else:
            self.scheduler.step()

    def state_dict(self) -> dict:
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.scheduler.load_state_dict(state["scheduler"])


class GradientClipping(Callback):
    """Clip the gradients before each update: their joint norm to ``max_norm``
    (``nn.utils.clip_grad_norm_``) and/or every component to [-max_value, max_value]."""

    def __init__(self, max_norm: float | None = None, norm_type: float = 2.0, max_value: float | None = None) -> None:
        if max_norm is None and max_value is None:
            raise ValueError("GradientClipping: give max_norm, max_value, or both")
        self.max_norm, self.norm_type, self.max_value = max_norm, norm_type, max_value

    def on_after_backward(self, trainer, batch, loss) -> None:
        from neuronlab.nn.utils import clip_grad_norm_, clip_grad_value_

        params = [p for p in trainer.model.parameters() if p.grad is not None]
        if self.max_value is not None:
            clip_grad_value_(params, self.max_value)
        if self.max_norm is not None:
            clip_grad_norm_(params, self.max_norm, self.norm_type)


class TrainingDivergedError(FloatingPointError):
    """The loss or a gradient became NaN or infinite; the message names the epoch and the batch."""


class NaNGuard(Callback):
    """Stop at the first batch whose loss or gradient is NaN or infinite, before that batch updates the
    weights, by raising :class:`TrainingDivergedError` naming the epoch, the batch and the culprit."""

    def on_after_backward(self, trainer, batch, loss) -> None:
        where = f"epoch {trainer.epoch}, batch {batch}"
        if not math.isfinite(loss):
            raise TrainingDivergedError(
                f"the loss is {loss} at {where}: training diverged; "
                "expected a finite loss (try a smaller learning rate or gradient clipping)"
            )
        for name, param in trainer.model.named_parameters():
            if param.grad is not None and not np.isfinite(param.grad.data).all():
                raise TrainingDivergedError(
                    f"the gradient of {name!r} is not finite at {where}: training "
                    "diverged; expected finite gradients (try a smaller learning rate "
                    "or gradient clipping)"
                )
