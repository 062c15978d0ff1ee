"""The training loop: ``fit`` and the ``Trainer`` behind it (notes 000 §4: SGD over mini-batches;
notes 001: an epoch visits every sample once, an iteration processes one mini-batch).

For each mini-batch: forward, loss (plus an optional penalty such as the notes' L2 term), backward,
optimizer step. After each epoch the model is evaluated on the validation data (``model.eval()``,
no graph), the epoch's row is added to the :class:`History`, and the callbacks run. Training metrics are
computed on the outputs the model produced while training during that epoch (Keras's convention);
the reported training loss is the mean data loss over the epoch's samples, without the penalty.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from neuronlab.autograd import no_grad
from neuronlab.train.callbacks import Callback
from neuronlab.train.history import History
from neuronlab.train.metrics import get_metric


def _batch(batch, where: str):
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(
            f"{where}: each batch must be an (inputs, targets) pair, got {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "")
        )
    return batch


def _concat(arrays: list) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0)


class Trainer:
    """Trains ``model`` by minimising ``loss_fn(model(x), y)`` (+ ``regularizer(model)``) with ``optimizer``.

    ``metrics``: names from :data:`neuronlab.train.metrics.METRICS` (``"accuracy"``, ``"r2"``, ...) or
    callables ``fn(y_true, outputs) -> float``. ``callbacks``: :class:`Callback` instances, run in order.

    ``trainer.epoch`` is the current epoch (1-based) while training and the number of finished epochs
    afterwards; ``fit(..., epochs=N)`` trains until N epochs are done, so a resumed trainer continues where
    it stopped. ``save_checkpoint`` / ``load_checkpoint`` save and restore everything a resumed run needs.
    """

    def __init__(self, model, loss_fn, optimizer, *, metrics=(), callbacks=(), regularizer=None) -> None:
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"Trainer: callbacks must be Callback instances, got {type(callback).__name__}")
        if regularizer is not None and not callable(regularizer):
            raise TypeError(
                f"Trainer: regularizer must be callable (model -> scalar Tensor), got {type(regularizer).__name__}"
            )
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.metrics = [get_metric(m) for m in metrics]
        self.callbacks = list(callbacks)
        self.regularizer = regularizer
        self.history = History()
        self.epoch = 0
        self.epochs = 0
        self.stop_training = False
        self.train_loader = None

    # ------------------------------------------------------------------ the loop
    def fit(self, train_loader, val_loader=None, epochs: int = 1) -> History:
        """Train until ``epochs`` epochs are done in total (or a callback stops it); returns the History."""
        if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
        self.train_loader, self.epochs, self.stop_training = train_loader, int(epochs), False
        self._call("on_train_begin")
        try:
            while self.epoch < self.epochs and not self.stop_training:
                self.epoch += 1
                self._call("on_epoch_begin", self.epoch)
                start = time.perf_counter()
                logs = {"epoch": self.epoch, **self._train_epoch(train_loader)}
                if val_loader is not None:
                    logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader).items()})
                logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
                logs["time"] = time.perf_counter() - start
                self.history.append(logs)
                self._call("on_epoch_end", self.epoch, logs)
        finally:
            self.model.train()
        self._call("on_train_end")
        return self.history

    def _train_epoch(self, loader) -> dict:
        self.model.train()
        total, count = 0.0, 0
        outputs, targets = [], []
        for index, batch in enumerate(loader, start=1):
            x, y = _batch(batch, "fit")
            out = self.model(x)
            loss = self.loss_fn(out, y)
            objective = loss + self.regularizer(self.model) if self.regularizer is not None else loss
            self.optimizer.zero_grad()
            objective.backward()
            value = float(loss.data)
            self._call("on_after_backward", index, value)
            self.optimizer.step()
            n = len(y)
            total += value * n
            count += n
            if self.metrics:
                outputs.append(out.data)
                targets.append(y.data)
            self._call("on_batch_end", index, value)
        if count == 0:
            raise ValueError("fit: the training loader produced no batches")
        logs = {"train_loss": total / count}
        if self.metrics:
            y_true, y_out = _concat(targets), _concat(outputs)
            logs.update({f"train_{name}": fn(y_true, y_out) for name, fn in self.metrics})
        return logs

    def evaluate(self, loader) -> dict:
        """Mean loss and the metrics over ``loader`` in inference mode: ``{"loss": ..., "<metric>": ...}``."""
        outputs, targets = predict(self.model, loader, with_targets=True)
        loss = self._loss_of(outputs, targets)
        return {"loss": loss, **{name: fn(targets, outputs) for name, fn in self.metrics}}

    def _loss_of(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        """The loss of whole-dataset outputs (the mean over samples, as the batch means average to)."""
        from neuronlab.autograd import Tensor

        with no_grad():
            return float(self.loss_fn(Tensor(outputs), Tensor(targets)).data)

    def _call(self, hook: str, *args) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(self, *args)

    # ------------------------------------------------------------------ checkpoints
    def _callback_key(self, index: int, callback: Callback) -> str:
        return f"{index}:{type(callback).__name__}"

    def state_dict(self) -> dict:
        """The loop's own state: finished epochs, the history, and every callback's state."""
        return {
            "epoch": self.epoch,
            "history": self.history.state_dict(),
            "callbacks": {self._callback_key(i, c): c.state_dict() for i, c in enumerate(self.callbacks)},
        }

    def load_state_dict(self, state: dict) -> None:
        saved = state.get("callbacks", {})
        keys = [self._callback_key(i, c) for i, c in enumerate(self.callbacks)]
        if sorted(saved) != sorted(keys):
            raise ValueError(
                f"Trainer.load_state_dict: the checkpoint was saved with callbacks {sorted(saved)}, "
                f"this trainer has {sorted(keys)}; build the trainer with the same callbacks"
            )
        self.epoch = int(state["epoch"])
        self.history = History.from_state_dict(state["history"])
        for key, callback in zip(keys, self.callbacks):
            callback.load_state_dict(saved[key])

    def save_checkpoint(self, path, **save_kwargs) -> Path:
        """``neuronlab.save`` the model with the optimizer, the epoch, the RNG states (the library's and the
        training loader's shuffling generator) and this trainer's state, so that :meth:`load_checkpoint`
        continues exactly. ``save_kwargs``: ``preprocessing``, ``class_names``, ``task``, ``extra``, ..."""
        from neuronlab.io.checkpoint import save

        extra = dict(save_kwargs.pop("extra", None) or {})
        extra["trainer"] = self.state_dict()
        generator = getattr(self.train_loader, "generator", None)
        return save(
            self.model,
            path,
            optimizer=self.optimizer,
            epoch=self.epoch,
            generator=generator,
            extra=extra,
            **save_kwargs,
        )

    def load_checkpoint(self, checkpoint, train_loader=None) -> None:
        """Restore what :meth:`save_checkpoint` saved: weights (into this trainer's model), optimizer,
        trainer and callback state, the library's RNG and ``train_loader``'s generator."""
        from neuronlab.io.checkpoint import Checkpoint, load

        if not isinstance(checkpoint, Checkpoint):
            checkpoint = load(checkpoint)
        if "trainer" not in checkpoint.extra:
            raise ValueError(
                "Trainer.load_checkpoint: the checkpoint has no trainer state; "
                "expected one written by Trainer.save_checkpoint or ModelCheckpoint"
            )
        self.model.load_state_dict(checkpoint.model.state_dict())
        if checkpoint.optimizer_state is None:
            raise ValueError("Trainer.load_checkpoint: the checkpoint has no optimizer state")
        self.optimizer.load_state_dict(checkpoint.optimizer_state)
        self.load_state_dict(checkpoint.extra["trainer"])
        checkpoint.restore_rng(getattr(train_loader, "generator", None))


@no_grad()
def predict(model, data, batch_size: int = 1024, with_targets: bool = False):
    """The model's outputs in inference mode (``model.eval()``, no graph) as one ndarray.

    ``data``: an array of inputs (evaluated ``batch_size`` rows at a time) or a loader of (x, y) batches;
    ``with_targets=True`` (loaders only) also returns the concatenated targets. The model's previous
    train/eval mode is restored afterwards.
    """
    from neuronlab.autograd import Tensor

    was_training = model.training
    model.eval()
    try:
        if isinstance(data, np.ndarray) or isinstance(data, Tensor):
            if with_targets:
                raise ValueError("predict: with_targets needs a loader of (inputs, targets) batches")
            x = data.data if isinstance(data, Tensor) else data
            return _concat([model(Tensor(x[i : i + batch_size])).data for i in range(0, len(x), batch_size)])
        outputs, targets = [], []
        for batch in data:
            x, y = _batch(batch, "predict")
            outputs.append(model(x).data)
            targets.append(y.data)
        return (_concat(outputs), _concat(targets)) if with_targets else _concat(outputs)
    finally:
        model.train(was_training)


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader=None,
    *,
    epochs: int,
    callbacks=(),
    metrics=(),
    regularizer=None,
    progress: bool = False,
) -> History:
    """Train ``model`` for ``epochs`` epochs and return the :class:`History` (see :class:`Trainer`).

    ``progress=True`` adds a :class:`~neuronlab.train.progress.ProgressBar` (a tqdm bar per epoch on a
    terminal, one line per epoch otherwise).
    """
    callbacks = list(callbacks)
    if progress:
        from neuronlab.train.progress import ProgressBar

        callbacks.append(ProgressBar())
    trainer = Trainer(model, loss_fn, optimizer, metrics=metrics, callbacks=callbacks, regularizer=regularizer)
    return trainer.fit(train_loader, val_loader, epochs=epochs)
