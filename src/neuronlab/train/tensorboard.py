"""TensorBoard logs: a Trainer callback writing event files that ``tensorboard --logdir runs`` displays.

Per epoch (the step is the epoch number): every number of the epoch's History row as a scalar, with the
split as the suffix so a chart holds both curves (``train_loss`` -> ``loss/train``, ``val_accuracy`` ->
``accuracy/val``, ``lr`` -> ``lr``), and with ``histograms=True`` the weights and the last batch's gradients
of every parameter (``weights/<name>``, ``gradients/<name>``). The files go to ``log_dir`` (a run folder:
each run is one line in TensorBoard, a sweep's trials sit side by side) and are flushed after every epoch.
A resumed run purges the steps after the epoch it resumes from, so the curves show no interrupted tail.

The writer is ``tensorboardX`` (a small library without TensorFlow or PyTorch), the optional extra
``pip install 'neuronlab[tensorboard]'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neuronlab.train.callbacks import Callback


class TensorBoard(Callback):
    """Write the training curves (and optionally weight and gradient histograms) to ``log_dir``."""

    def __init__(self, log_dir, histograms: bool = False) -> None:
        try:
            import tensorboardX  # noqa: F401
        except ImportError:
            raise ImportError(
                "TensorBoard logs need the tensorboardX package: pip install 'neuronlab[tensorboard]'"
            ) from None
        self.log_dir = Path(log_dir)
        self.histograms = bool(histograms)
        self.writer: Any = None  # a tensorboardX SummaryWriter while training

    def on_train_begin(self, trainer) -> None:
        from tensorboardX import SummaryWriter

        if self.writer is None:  # file names hold the second and the first epoch: a resumed run's file sorts last
            self.writer = SummaryWriter(
                logdir=str(self.log_dir),
                filename_suffix=f".epoch{trainer.epoch + 1:06d}",
                purge_step=trainer.epoch + 1 if trainer.epoch else None,
            )

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        for key, value in logs.items():
            if key in ("epoch", "time") or not isinstance(value, (int, float)):
                continue
            split, _, name = key.partition("_")
            tag = f"{name}/{split}" if split in ("train", "val") and name else key
            self.writer.add_scalar(tag, float(value), epoch)
        if self.histograms:
            from neuronlab.autograd import Tensor

            for name, param in trainer.model.named_parameters():
                self.writer.add_histogram(f"weights/{name}", param.data, epoch)
                if param.grad is not None:
                    grad = param.grad.data if isinstance(param.grad, Tensor) else param.grad
                    self.writer.add_histogram(f"gradients/{name}", grad, epoch)
        self.writer.flush()

    def on_train_end(self, trainer) -> None:
        self.close()

    def close(self) -> None:
        """Flush and close the event file (training's end does this)."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
