"""Using a trained model on raw inputs: apply the saved preprocessing, run the model in inference mode,
undo the target scaling, and score or tabulate the result. Shared by the run workflow (in memory) and
by ``neuronlab evaluate`` / ``neuronlab predict`` (from a checkpoint)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from neuronlab.autograd import Tensor
from neuronlab.autograd.grad_mode import no_grad
from neuronlab.ops.loss import cross_entropy
from neuronlab.ops.softmax import softmax
from neuronlab.train.metrics import accuracy, confusion_matrix, mae, mse, r2
from neuronlab.train.trainer import predict


def probabilities(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of the logits, in float64."""
    with no_grad():
        return softmax(Tensor(logits.astype(np.float64)), axis=1).data


def model_outputs(model, X: np.ndarray, input_transform=None, target_transform=None) -> np.ndarray:
    """Outputs for raw inputs ``X``: logits for classification, predictions in the targets' original units
    for regression (the inverse of ``target_transform``)."""
    X = np.asarray(X, dtype=np.float32)
    if input_transform is not None:
        X = input_transform.transform(X)
    outputs = predict(model, np.ascontiguousarray(X, dtype=np.float32))
    if target_transform is not None:
        outputs = target_transform.inverse_transform(outputs)
    return outputs


def score(task: str, y_true: np.ndarray, outputs: np.ndarray) -> dict:
    """Classification: accuracy, mean cross-entropy and the confusion matrix (as lists);
    regression: MSE, MAE and R^2, in the targets' units (R^2 is nan for fewer than 2 samples)."""
    if task == "classification":
        k = outputs.shape[1]
        with no_grad():
            loss = cross_entropy(Tensor(outputs.astype(np.float64)), np.asarray(y_true, dtype=np.int64)).item()
        return {
            "accuracy": accuracy(y_true, outputs),
            "loss": loss,
            "confusion_matrix": confusion_matrix(y_true, outputs, k).tolist(),
        }
    predictions = outputs[:, 0] if np.ndim(y_true) == 1 else outputs
    r_squared = r2(y_true, predictions) if len(y_true) >= 2 else float("nan")  # undefined for 0 or 1 sample
    return {"mse": mse(y_true, predictions), "mae": mae(y_true, predictions), "r2": r_squared}


def checkpoint_input_size(checkpoint) -> int | None:
    """How many input features the checkpoint's model takes (from its run record or its first layer)."""
    run = checkpoint.extra.get("run", {})
    if "n_features" in run:
        return int(run["n_features"])
    for _, param in checkpoint.model.named_parameters():
        return int(param.data.shape[0]) if param.data.ndim == 2 else None
    return None


def check_compatible(checkpoint, bundle):
    """``bundle`` ready to be scored by ``checkpoint``'s model, or a ValueError (features, task, classes).

    A classification dataset whose class names are a subset of the checkpoint's (e.g. a few rows of only
    some classes) comes back with its labels mapped by name onto the checkpoint's class indices."""
    expected = checkpoint_input_size(checkpoint)
    if expected is not None and bundle.n_features != expected:
        raise ValueError(
            f"the checkpoint's model takes {expected} input features; dataset {bundle.name!r} has "
            f"{bundle.n_features} (a checkpoint from another model?)"
        )
    if checkpoint.task is not None and bundle.task != checkpoint.task:
        raise ValueError(
            f"the checkpoint is a {checkpoint.task} model; dataset {bundle.name!r} is a "
            f"{bundle.task} dataset (use --task to read it differently)"
        )
    if (
        bundle.task != "classification"
        or checkpoint.class_names is None
        or list(bundle.class_names) == list(checkpoint.class_names)
    ):
        return bundle
    known = {name: index for index, name in enumerate(checkpoint.class_names)}
    unknown = [name for name in bundle.class_names if name not in known]
    if unknown:
        raise ValueError(
            f"dataset {bundle.name!r} has classes {_short(unknown)} that the checkpoint's model does not "
            f"know; its classes are {_short(checkpoint.class_names)}"
        )
    index = np.array([known[name] for name in bundle.class_names], dtype=np.int64)
    return replace(bundle, y=index[bundle.y], class_names=list(checkpoint.class_names))


def _short(names) -> str:
    names = list(names)
    return str(names) if len(names) <= 8 else f"[{', '.join(map(repr, names[:8]))}, ...] ({len(names)} classes)"


def prediction_table(task: str, outputs: np.ndarray, class_names=None) -> tuple[list[str], list[list]]:
    """Header and rows for a predictions CSV: ``prob_<class>`` columns and ``predicted`` (the class name)
    for classification; ``prediction`` (or ``prediction_<k>`` for several outputs) for regression."""
    if task == "classification":
        names = list(class_names) if class_names is not None else [str(k) for k in range(outputs.shape[1])]
        table = probabilities(outputs)
        predicted = table.argmax(axis=1)
        header = [f"prob_{name}" for name in names] + ["predicted"]
        rows = [[f"{p:.6g}" for p in row] + [names[c]] for row, c in zip(table, predicted)]
        return header, rows
    values = outputs.reshape(len(outputs), -1)
    header = ["prediction"] if values.shape[1] == 1 else [f"prediction_{k}" for k in range(values.shape[1])]
    return header, [[f"{v:.8g}" for v in row] for row in values]
