"""Which task a target column asks for: classification (and how many classes) or regression, and why.

The rule (the same for every CSV file, and for checking an override of it):

- text labels are classes;
- whole numbers with at most ``MAX_INTEGER_CLASSES`` distinct values are classes;
- any other numbers are a regression target.

An override is checked: text cannot be a regression target, numbers that are not whole cannot be
classes, and more than ``MAX_INTEGER_CLASSES`` whole numbers are only read as classes when they are
class indices (0..K-1 or 1..K): 214 distinct values between 25 and 346 are a quantity, not classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TASKS = ("classification", "regression")

MAX_INTEGER_CLASSES = 20
"""A numeric target is read as class labels when it holds whole numbers with at most this many values."""


@dataclass(frozen=True)
class TaskInference:
    """The task read from a target column: ``task`` ("classification" or "regression"),
    ``num_classes`` (None for regression; 1 flags a target with a single class) and ``reason``,
    a phrase for the user (``"whole numbers with 3 distinct values"``)."""

    task: str
    num_classes: int | None
    reason: str

    def __str__(self) -> str:
        classes = f", {self.num_classes} class{'es' if self.num_classes != 1 else ''}" if self.num_classes else ""
        return f"{self.task}{classes} ({self.reason})"


def _examples(values, shown: int = 3) -> str:
    text = ", ".join(f"{v:g}" if isinstance(v, (float, np.floating)) else repr(str(v)) for v in values[:shown])
    return text + (", ..." if len(values) > shown else "")


def infer_task(target, task: str | None = None) -> TaskInference:
    """The task of a target column: text labels or numbers (an array or a list, 1-D).

    With ``task`` (an override, e.g. the CLI's ``--task``) the column is checked to fit it and a
    ``ValueError`` says why it does not. Only the distinct values matter, so passing them instead of
    the whole column gives the same answer.
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
    values = np.asarray(target)
    if values.ndim != 1:
        raise ValueError(f"infer_task: expected a 1-D target column, got shape {values.shape}")
    if values.size == 0:
        raise ValueError("infer_task: the target column is empty")
    if values.dtype.kind in "USO":
        classes = np.unique(values.astype(str))
        inferred = TaskInference("classification", len(classes), f"text labels {_examples(classes)}")
        if task == "regression":
            raise ValueError(f"the target holds text labels ({_examples(classes)}): they cannot be a regression target")
        return inferred
    if values.dtype.kind not in "biuf":
        raise TypeError(f"infer_task: expected text labels or numbers, got dtype {values.dtype}")
    if not np.all(np.isfinite(values)):
        raise ValueError("infer_task: the target column holds NaN or infinite values")
    distinct = np.unique(values)
    k = len(distinct)
    fractional = distinct[distinct != np.round(distinct)]
    if len(fractional):
        inferred = TaskInference(
            "regression", None, f"numbers that are not whole ({_examples(fractional)}), {k} distinct values"
        )
    elif k <= MAX_INTEGER_CLASSES:
        inferred = TaskInference(
            "classification",
            k,
            f"whole numbers with {k} distinct value{'s' * (k != 1)} "
            f"(at most {MAX_INTEGER_CLASSES} are read as classes)",
        )
    else:
        inferred = TaskInference(
            "regression",
            None,
            f"whole numbers with {k} distinct values from {distinct[0]:g} "
            f"to {distinct[-1]:g} (more than {MAX_INTEGER_CLASSES}: a quantity)",
        )
    if task is None or task == inferred.task:
        return inferred
    if task == "regression":
        return TaskInference("regression", None, f"as requested; read alone: {inferred}")
    if len(fractional):
        raise ValueError(
            f"the target values are not whole numbers ({_examples(fractional)}): they cannot be class labels"
        )
    if distinct[0] in (0, 1) and distinct[-1] - distinct[0] == k - 1:
        return TaskInference(
            "classification",
            k,
            f"as requested, class indices {distinct[0]:g}..{distinct[-1]:g}; read alone: {inferred}",
        )
    raise ValueError(
        f"the target holds {k} distinct whole numbers from {distinct[0]:g} to {distinct[-1]:g}: a quantity, "
        f"not {k} classes (more than {MAX_INTEGER_CLASSES} classes must be the indices 0..K-1 or 1..K)"
    )
