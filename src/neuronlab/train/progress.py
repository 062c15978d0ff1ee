"""Progress display: a tqdm bar per epoch on a terminal, one plain line per epoch otherwise (logs, CI, pipes)."""

from __future__ import annotations

import math
import sys

from neuronlab.train.callbacks import Callback

_SHORT = {"accuracy": "acc"}


def format_logs(logs: dict) -> str:
    """``train_loss 0.1234  val_loss 0.2345  val_acc 0.9712  lr 0.001`` (epoch and time left out)."""
    parts = []
    for key, value in logs.items():
        if key in ("epoch", "time"):
            continue
        for long, short in _SHORT.items():
            key = key.replace(long, short)
        parts.append(f"{key} {value:.4g}" if isinstance(value, float) and math.isfinite(value) else f"{key} {value}")
    return "  ".join(parts)


class ProgressBar(Callback):
    """Show training progress on ``file`` (default: ``sys.stdout`` at the time training starts).

    One line per epoch once it ends: ``epoch  3/50  train_loss 0.1234  val_loss 0.2345  ...  0.05s``. On a
    terminal (``plain=None`` detects it with ``file.isatty()``) a tqdm bar with the running loss advances per
    batch while the epoch runs, and the epoch's line replaces it (written in full, however narrow the terminal).
    """

    def __init__(self, file=None, plain: bool | None = None) -> None:
        self.file, self.plain = file, plain
        self._bar = None
        self._running = 0.0

    def on_train_begin(self, trainer) -> None:
        self._out = self.file if self.file is not None else sys.stdout
        if self.plain is None:
            isatty = getattr(self._out, "isatty", None)
            self._plain = not (callable(isatty) and isatty())
        else:
            self._plain = bool(self.plain)
        self._width = len(str(trainer.epochs))

    def _label(self, trainer, epoch: int) -> str:
        return f"epoch {epoch:>{self._width}}/{trainer.epochs}"

    def on_epoch_begin(self, trainer, epoch) -> None:
        self._running, self._seen = 0.0, 0
        if self._plain:
            return
        from tqdm.auto import tqdm

        total = len(trainer.train_loader) if hasattr(trainer.train_loader, "__len__") else None
        self._bar = tqdm(
            total=total, desc=self._label(trainer, epoch), file=self._out, unit="batch", leave=False, dynamic_ncols=True
        )

    def on_batch_end(self, trainer, batch, loss) -> None:
        if self._bar is None:
            return
        self._seen += 1
        self._running += (loss - self._running) / self._seen
        self._bar.update(1)
        self._bar.set_postfix_str(f"loss {self._running:.4g}", refresh=False)

    def on_epoch_end(self, trainer, epoch, logs) -> None:
        line = f"{self._label(trainer, epoch)}  {format_logs(logs)}  {logs.get('time', 0.0):.2f}s"
        if self._bar is None:
            print(line, file=self._out, flush=True)
            return
        from tqdm.auto import tqdm

        self._bar.close()  # the bar disappears (leave=False); its postfix would be cut to the terminal width
        self._bar = None
        tqdm.write(line, file=self._out)

    def on_train_end(self, trainer) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
