"""Training: the loop (``fit``/``Trainer``), its ``History``, callbacks, metrics, progress display, plots,
ensembles, and the complete run behind ``neuronlab train`` (``RunConfig``, ``train_run``)."""

from neuronlab.train.callbacks import (
    Callback,
    EarlyStopping,
    GradientClipping,
    LRSchedulerCallback,
    ModelCheckpoint,
    NaNGuard,
    TrainingDivergedError,
)
from neuronlab.train.ensemble import Ensemble, fit_ensemble
from neuronlab.train.history import History
from neuronlab.train.metrics import accuracy, confusion_matrix, mae, mse, r2, top_k_accuracy
from neuronlab.train.mlp import build_mlp
from neuronlab.train.progress import ProgressBar
from neuronlab.train.run import RunConfig, RunResult, train_run
from neuronlab.train.settings import SETTINGS, ConfigError
from neuronlab.train.trainer import Trainer, fit, predict

__all__ = [
    "Callback",
    "ConfigError",
    "EarlyStopping",
    "Ensemble",
    "fit_ensemble",
    "GradientClipping",
    "History",
    "LRSchedulerCallback",
    "ModelCheckpoint",
    "NaNGuard",
    "ProgressBar",
    "RunConfig",
    "RunResult",
    "SETTINGS",
    "Trainer",
    "TrainingDivergedError",
    "accuracy",
    "build_mlp",
    "confusion_matrix",
    "fit",
    "mae",
    "mse",
    "predict",
    "r2",
    "top_k_accuracy",
    "train_run",
]
