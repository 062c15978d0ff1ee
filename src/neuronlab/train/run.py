"""A complete training run, as ``neuronlab train`` performs it (notes 004's recipe):

1. load the dataset; split it into training, validation and test parts (stratified for classes);
2. fit the preprocessing on the training inputs only (standardization by default) and, for regression,
   standardize the targets too (predictions are mapped back to the original units);
3. build the MLP, the loss (softmax cross-entropy or mean squared error), the optimizer, the schedule;
4. train with mini-batches, validate every epoch, stop early and keep the best weights;
5. score every split and write the run folder: ``config.toml``, ``metrics.json``, ``history.csv``,
   ``curves.png``, ``confusion.png`` (classification), ``filters.png`` and ``feature_maps.png`` (models with a
   convolution: the first convolution's kernels and the first evaluated example's feature maps) and
   ``model.safetensors`` (the model's architecture and
   final weights, the preprocessing, class and feature names and the run's record; its epoch is the best
   epoch when early stopping restored that epoch's weights; no optimizer or training-loop state).

While it trains, the state after a finished epoch is saved to ``last.safetensors`` in the run folder (an
atomic write, like every file of the run): after the first epoch, then after every epoch that ends at least
2 seconds after the previous save (saves are at least 2 s apart; every epoch is saved when epochs take longer).
An interruption thus loses the epochs that finished less than 2 s after the last save plus the epoch in
progress (up to 2 s plus one epoch of training); ``train_run(..., resume=True)`` (``neuronlab train --resume
DIR``) continues from the saved epoch exactly as if the run had not stopped. Finishing is a commit: every
output file is written, then ``complete.json``, and only then is ``last.safetensors`` removed (the folder's
states and files are :class:`~neuronlab.train.run_folder.RunFolder`'s).

``--seed`` fixes everything random (split, initialization, shuffling, dropout), so a run is repeatable
bit for bit with the same number of BLAS threads (``--threads``: threads change the float rounding of the
matrix products).
"""

from __future__ import annotations

import numbers
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

import neuronlab
from neuronlab import nn, optim
from neuronlab.data import DataLoader, load_dataset
from neuronlab.data.datasets.registry import is_text
from neuronlab.data.images import channels_first
from neuronlab.nn import functional as F
from neuronlab.optim import lr_scheduler
from neuronlab.train.callbacks import (
    Callback,
    EarlyStopping,
    GradientClipping,
    LRSchedulerCallback,
    ModelCheckpoint,
    NaNGuard,
)
from neuronlab.train.cnn import build_cnn
from neuronlab.train.inference import score
from neuronlab.train.layers import build_layers
from neuronlab.train.mlp import build_mlp
from neuronlab.train.preprocessing import Preprocessing
from neuronlab.train.progress import ProgressBar
from neuronlab.train.recurrent import build_recurrent_classifier
from neuronlab.train.run_folder import RunFolder, RunFolderError
from neuronlab.train.settings import BY_NAME, DEFAULT_LR, DEFAULT_PATIENCE, DEFAULT_SEQ_LEN, ConfigError, validate
from neuronlab.train.snn import build_snn
from neuronlab.train.tensorboard import TensorBoard
from neuronlab.train.trainer import Trainer

RESUME_SAVE_SECONDS = 2.0  # saves of last.safetensors are at least this far apart


def _default(name: str):
    return BY_NAME[name].default


@dataclass
class RunConfig:
    """Every setting of a run (declared, with its constraint and help, in :data:`~neuronlab.train.settings.SETTINGS`);
    the defaults are the default ``neuronlab train``: digits, MLP (128, 64), ReLU, He initialization, Adam
    with lr 1e-3 and weight decay 1e-3 (the notes' L2 remedy against overfitting: on digits it lifts the mean
    test accuracy over ten seeds from 97.4% to 97.9%), batch 64, standardized inputs, 15% validation (early
    stopping after 15 epochs without a lower validation loss, best weights restored) and 15% held-out test
    data.

    ``lr=None`` means the optimizer's usual default (1e-3 for Adam/AdamW/RMSprop, 1e-2 for SGD/Adagrad);
    ``task=None`` takes the dataset's task; ``preprocess=None`` standardizes, or scales to [0, 1] (min-max)
    for ``model="snn"``; ``early_stopping=None`` means 15 epochs of patience with
    validation data and none without (``val_size=0``), ``early_stopping=0`` trains all ``epochs``. A
    ``csv:PATH`` dataset and ``data_dir`` are made absolute (against the working directory), so the recorded
    run (``config.toml``, the checkpoint) names the same files from any folder.
    """

    dataset: str = _default("dataset")
    data_dir: str | None = _default("data_dir")
    target: str | None = _default("target")
    task: str | None = _default("task")
    model: str = _default("model")
    layers: list | None = _default("layers")
    hidden: tuple[int, ...] = _default("hidden")
    pooling: str = _default("pooling")
    steps: int = _default("steps")
    encoding: str = _default("encoding")
    seq_len: int | None = _default("seq_len")
    activation: str = _default("activation")
    init: str = _default("init")
    batchnorm: bool = _default("batchnorm")
    dropout: float = _default("dropout")
    optimizer: str = _default("optimizer")
    lr: float | None = _default("lr")
    momentum: float = _default("momentum")
    weight_decay: float = _default("weight_decay")
    l1: float = _default("l1")
    l2: float = _default("l2")
    lr_schedule: str = _default("lr_schedule")
    clip_grad: float = _default("clip_grad")
    epochs: int = _default("epochs")
    batch_size: int = _default("batch_size")
    early_stopping: int | None = _default("early_stopping")
    val_size: float = _default("val_size")
    test_size: float = _default("test_size")
    preprocess: str | None = _default("preprocess")
    seed: int = _default("seed")
    tensorboard: bool = _default("tensorboard")

    def __post_init__(self) -> None:
        self.hidden = tuple(
            int(h) if isinstance(h, numbers.Integral) and not isinstance(h, bool) else h for h in self.hidden
        )
        for prefix in ("csv:", "text:"):
            if isinstance(self.dataset, str) and self.dataset.startswith(prefix) and self.dataset[len(prefix) :]:
                # absolute: the record works from any folder
                self.dataset = prefix + os.path.abspath(self.dataset[len(prefix) :])
        if isinstance(self.data_dir, str):
            self.data_dir = os.path.abspath(self.data_dir)
        validate(asdict(self))

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimizer]

    @property
    def preprocessing(self) -> str:
        """The input preprocessing: the setting, or minmax for ``model="snn"`` and standardize otherwise."""
        if self.preprocess is not None:
            return self.preprocess
        return "minmax" if self.model == "snn" else "standardize"

    @property
    def sequence_length(self) -> int | None:
        """Characters per training sequence: the setting, or 100 for a text:PATH dataset (None for others)."""
        if self.seq_len is not None or not is_text(self.dataset):
            return self.seq_len
        return DEFAULT_SEQ_LEN

    @property
    def patience(self) -> int:
        """Early stopping's patience: the setting, or 15 with validation data and 0 (off) without."""
        if self.early_stopping is not None:
            return self.early_stopping
        return DEFAULT_PATIENCE if self.val_size > 0 else 0

    def resolved(self) -> dict:
        """The settings as plain values with the learning rate and patience filled in (what ``config.toml``
        records)."""
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        values["lr"] = self.learning_rate
        values["preprocess"] = self.preprocessing
        values["early_stopping"] = self.patience
        values["seq_len"] = self.sequence_length
        return values


@dataclass
class RunResult:
    """What a run produced: its folder, the per-split scores, the history and the checkpoint path."""

    run_dir: Path
    metrics: dict
    history: object
    checkpoint: Path
    files: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- building blocks
OPTIMIZER_SLOTS = {"sgd": 0, "momentum": 1, "nesterov": 1, "adagrad": 1, "rmsprop": 1, "adam": 2, "adamw": 2}
MAX_CLASSES_PER_SAMPLE = 0.2  # --task classification: at least 5 samples per class on average


def make_optimizer(config: RunConfig, params):
    lr, wd = config.learning_rate, config.weight_decay
    if config.optimizer in ("sgd", "momentum", "nesterov"):
        momentum = 0.0 if config.optimizer == "sgd" else config.momentum
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=config.optimizer == "nesterov", weight_decay=wd)
    cls = {"adagrad": optim.Adagrad, "rmsprop": optim.RMSprop, "adam": optim.Adam, "adamw": optim.AdamW}[
        config.optimizer
    ]
    return cls(params, lr=lr, weight_decay=wd)


def make_scheduler(config: RunConfig, optimizer):
    """``step``: x0.1 every third of the epochs; ``exponential``: x0.97 per epoch; ``cosine``: to 0 over all
    epochs; ``plateau``: x0.5 after 5 epochs without a lower validation loss."""
    name, epochs = config.lr_schedule, config.epochs
    if name == "none":
        return None
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=0.97)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    return lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=5)


def make_regularizer(config: RunConfig):
    """The notes' penalties on the weight matrices: l1 sum|W| + l2 sum W^2 (None when both are 0)."""
    if config.l1 == 0 and config.l2 == 0:
        return None

    def penalty(model):
        terms = []
        if config.l1:
            terms.append(F.l1_penalty(model, config.l1))
        if config.l2:
            terms.append(F.l2_penalty(model, config.l2))
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    return penalty


def load_bundle(config: RunConfig):
    """The dataset, read as ``config.task`` when given; refuses what cannot be trained (the reader refuses
    duplicate column names): a single class, and a forced classification with fewer than 5 samples per class on average
    (a continuous target read as classes)."""
    bundle = load_dataset(config.dataset, data_dir=config.data_dir, target=config.target, seed=config.seed)
    if config.task is not None and config.task != bundle.task:
        try:
            bundle = bundle.with_task(config.task)
        except ValueError as error:
            raise ConfigError("task", str(error)) from None
        if bundle.num_classes is not None and bundle.num_classes > MAX_CLASSES_PER_SAMPLE * len(bundle.y):
            raise ConfigError(
                "task",
                f"classification of {bundle.name!r} would make {bundle.num_classes} classes "
                f"from {len(bundle.y)} samples (a continuous target?); expected at least "
                f"{round(1 / MAX_CLASSES_PER_SAMPLE)} samples per class, or --task regression",
            )
    if bundle.task == "classification" and bundle.class_names is not None and len(bundle.class_names) < 2:
        raise RunFolderError(
            f"dataset {bundle.name!r} has a single class ({bundle.class_names[0]!r}) in its "
            "target; a classifier needs at least 2 classes (or use --task regression)"
        )
    return bundle


def default_run_dir(config: RunConfig, root="runs") -> Path:
    """``runs/<dataset>-<YYYYmmdd-HHMMSS>``, with ``-2``, ``-3``, ... appended if that folder exists."""
    stem = config.dataset.split(":", 1)[-1]
    stem = Path(stem).stem if config.dataset.startswith(("csv:", "text:")) else stem
    base = Path(root) / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def available_memory() -> int:
    """Bytes of memory available to a new allocation (Linux: MemAvailable; else the physical memory)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 1 << 62


def model_memory(config: RunConfig, in_features: int, out_features: int) -> tuple[int, int]:
    """(parameters, bytes) a run's model needs: float32 weights, their gradients, the optimizer's state,
    the early-stopping copy of the best weights and the checkpoint's serialization (two copies), plus one
    batch of activations per layer."""
    sizes = [in_features, *config.hidden, out_features]
    parameters = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if config.batchnorm:
        parameters += 2 * sum(config.hidden)
    copies = 4 + OPTIMIZER_SLOTS[config.optimizer] + (1 if config.patience else 0)
    activations = 4 * max(config.batch_size, 1024) * sum(sizes) * 3
    return parameters, 4 * parameters * copies + activations


def check_memory(config: RunConfig, in_features: int, out_features: int) -> None:
    """Refuse, before allocating, a model that cannot fit in the memory available."""
    parameters, need = model_memory(config, in_features, out_features)
    have = available_memory()
    if need > have:
        raise ConfigError(
            "hidden",
            f"{list(config.hidden)}: the model has {parameters:,} parameters and needs about "
            f"{need / 2**30:.1f} GiB (weights, gradients, optimizer state, copies); "
            f"{have / 2**30:.1f} GiB is available; expected smaller layers",
        )


# ---------------------------------------------------------------------------------------- the run's steps
def _describe(bundle, config: RunConfig, parts: dict) -> str:
    """The run's first line: dataset, task (inferred or forced by --task), features, classes, split sizes."""
    how = "" if config.task is None else " (--task)"
    return (
        f"{bundle.name}: {bundle.task}{how}, {bundle.n_features} features"
        + (f", {bundle.num_classes} classes" if bundle.task == "classification" else "")
        + "; "
        + ", ".join(f"{name} {len(x)}" for name, (x, _) in parts.items())
    )


def _train_loader(config: RunConfig, dataset, say) -> DataLoader:
    """Shuffled mini-batches from the run's seed. With batch normalization a last batch of 1 sample (its
    variance is 0) is dropped each epoch (a different sample each time, as the order is shuffled)."""
    drop_last = config.batchnorm and len(dataset) % config.batch_size == 1 and len(dataset) > 1
    if drop_last:
        say(
            f"note: {len(dataset)} training samples leave a last batch of 1; batch normalization needs 2 or more, "
            "so it is dropped each epoch"
        )
    return DataLoader(
        dataset,
        batch_size=config.batch_size,
        shuffle=True,
        generator=np.random.default_rng([config.seed, 1]),
        drop_last=drop_last,
    )


def build_model(config: RunConfig, bundle, out_features: int) -> nn.Module:
    """The network ``config.layers`` lists (checked on the bundle's first row), else the one ``config.model``
    names, sized to the dataset: an MLP, a LeNet-style CNN over the bundle's image shape, a recurrent
    classifier reading each row as a sequence of its features, or a spiking network reading each row as
    spike trains over ``config.steps`` time steps."""
    if config.layers is not None:
        return build_layers(config.layers, bundle.X[0], out_features, bundle.image_shape)
    if config.model == "cnn":
        if bundle.image_shape is None:
            raise ConfigError("model", f"cnn needs an image dataset; {bundle.name!r} has no image shape (try digits)")
        return build_cnn(
            channels_first(bundle.image_shape),
            out_features,
            activation=config.activation,
            init=config.init,
            batchnorm=config.batchnorm,
            dropout=config.dropout,
            pooling=config.pooling,
        )
    if config.model in ("snn", "rnn", "gru", "lstm") and bundle.task != "classification":
        raise ConfigError("model", f"{config.model} builds a classifier; {bundle.name!r} is a regression task")
    if config.model == "snn":
        return build_snn(
            bundle.n_features,
            config.hidden,
            out_features,
            steps=config.steps,
            encoding=config.encoding,
            init=config.init,
        )
    if config.model in ("rnn", "gru", "lstm"):
        try:
            return build_recurrent_classifier(config.model, bundle.n_features, out_features, config.hidden)
        except ValueError as error:
            raise ConfigError("hidden", str(error)) from None
    return build_mlp(
        bundle.n_features,
        config.hidden,
        out_features,
        activation=config.activation,
        init=config.init,
        batchnorm=config.batchnorm,
        dropout=config.dropout,
    )


def next_character_loss(logits, target):
    """Cross-entropy of a character model's logits (N, T, vocab) for the next characters (N, T), averaged
    over every position (nats per character)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


def _fit(trainer: Trainer, config: RunConfig, folder: RunFolder, train_loader, val_loader, last, say):
    """Train to ``config.epochs``: from the checkpoint ``last`` when resuming, else in a cleared folder that first
    records the run's settings. Returns (history, training seconds)."""
    if last is not None:
        trainer.load_checkpoint(last, train_loader=train_loader)
        say(f"resuming after epoch {trainer.epoch} from {folder.last_epoch}")
    else:
        folder.clear()
        folder.write_config(config.resolved())
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # NaNGuard reports divergence
        history = trainer.fit(train_loader, val_loader, epochs=config.epochs)
    return history, time.perf_counter() - start


def _make_trainer(config: RunConfig, model, task: str, folder: RunFolder, record: dict, progress: bool) -> Trainer:
    optimizer = make_optimizer(config, model.parameters())
    scheduler = make_scheduler(config, optimizer)
    callbacks: list[Callback] = [NaNGuard()]
    if config.clip_grad:
        callbacks.append(GradientClipping(max_norm=config.clip_grad))
    if scheduler is not None:
        callbacks.append(LRSchedulerCallback(scheduler))
    if config.patience:
        callbacks.append(EarlyStopping("val_loss", patience=config.patience, restore_best=True))
    callbacks.append(ModelCheckpoint(folder.last_epoch, every_seconds=RESUME_SAVE_SECONDS, extra={"run": record}))
    if config.tensorboard:
        callbacks.append(TensorBoard(folder.path))
    if progress:
        callbacks.append(ProgressBar())
    losses = {
        "classification": (nn.CrossEntropyLoss(), ["accuracy"]),
        "regression": (nn.MSELoss(), ["r2"]),
        "generation": (next_character_loss, []),  # the scores of a text are computed batch by batch at the end
    }
    loss_fn, metrics = losses[task]
    return Trainer(
        model,
        loss_fn,
        optimizer,
        metrics=metrics,
        callbacks=callbacks,
        regularizer=make_regularizer(config),
    )


def _score_splits(bundle, model, preprocessing: Preprocessing, parts: dict, say) -> dict:
    scores = {name: score(bundle.task, y, preprocessing.outputs(model, X)) for name, (X, y) in parts.items()}
    if bundle.task == "regression":
        for name, (X, _) in parts.items():
            if len(X) < 2:
                say(f"warning: the {name} split has {len(X)} sample; R^2 needs 2 or more, so it is reported as nan")
    return scores


def _write_outputs(
    folder: RunFolder,
    bundle,
    model,
    trainer,
    history,
    preprocessing: Preprocessing,
    record: dict,
    metrics: dict,
    plots: bool,
    example: np.ndarray,
) -> list[Path]:
    """Every file of a finished run, then the commit (``complete.json``; ``last.safetensors`` removed).
    ``example``: one preprocessed input, drawn through a convolutional model's first layer."""
    restored = any(isinstance(c, EarlyStopping) and c.best_weights is not None for c in trainer.callbacks)
    files = [folder.config_file, history.to_csv(folder / folder.HISTORY), folder.write_metrics(metrics)]
    files.append(
        neuronlab.save(
            model,
            folder.checkpoint,  # the model only: resuming uses last.safetensors
            epoch=history.best_epoch if restored else trainer.epoch,
            preprocessing=preprocessing.as_dict(),
            class_names=bundle.class_names,
            task=bundle.task,
            feature_names=bundle.feature_names,
            extra={"run": record},
        )
    )
    if plots:
        from neuronlab.train import plots as figures  # matplotlib: imported when plotting

        files.append(figures.plot_curves(history, folder / folder.CURVES, title=f"{bundle.name}: learning curves"))
        if bundle.task == "classification":
            final = metrics["evaluated_on"]
            files.append(
                figures.plot_confusion(
                    metrics[final]["confusion_matrix"], bundle.class_names, folder / folder.CONFUSION
                )
            )
        conv = figures.first_convolution(model)
        if conv is not None:
            files.append(figures.plot_filters(conv, folder / folder.FILTERS))
            files.append(figures.plot_feature_maps(model, example, folder / folder.FEATURE_MAPS))
    files.append(folder.mark_complete(files))
    return files


# ---------------------------------------------------------------------------------------- the run
def train_run(
    config: RunConfig,
    run_dir=None,
    *,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    plots: bool = True,
    log=print,
) -> RunResult:
    """Train as described in this module's docstring and write the run folder (``run_dir``, default
    :func:`default_run_dir`). An existing non-empty run folder is refused unless ``overwrite=True`` (then its
    files are removed once the data has loaded). ``resume=True`` continues the interrupted run in ``run_dir``
    from its ``last.safetensors`` (``config`` must be the run's own; the data must be unchanged). ``log``
    receives one-line progress messages (None: silent)."""
    say = log or (lambda message: None)
    if resume and run_dir is None:
        raise ValueError("train_run: resume=True needs the run_dir of the run to continue")
    folder = RunFolder(run_dir if run_dir is not None else default_run_dir(config))
    if resume:
        folder.check_resumable()
    else:
        folder.prepare(overwrite)
    if is_text(config.dataset):  # a character model: its own data, scores and checkpoint
        from neuronlab.train.character_run import train_character_run

        return train_character_run(config, folder, resume=resume, progress=progress, plots=plots, say=say)

    bundle = load_bundle(config)
    neuronlab.manual_seed(config.seed)
    split = {"seed": config.seed, "val_size": config.val_size, "test_size": config.test_size}
    record = RunFolder.record(bundle, config.resolved(), split)
    if resume:
        last = neuronlab.load(folder.last_epoch)
        RunFolder.check_same_data(
            last.extra.get("run", {}), bundle, "resuming would train on another split; start a new run"
        )
    parts = RunFolder.split(bundle, split)
    say(_describe(bundle, config, parts))

    X_train, y_train = parts["train"]
    preprocessing = Preprocessing.fit(config.preprocessing, bundle.task, X_train, y_train)
    out_features = bundle.num_classes if bundle.task == "classification" else y_train.reshape(len(y_train), -1).shape[1]
    if config.layers is None:  # the estimate is an MLP's (a layer list is checked when it is built)
        check_memory(config, bundle.n_features, out_features)
    model = build_model(config, bundle, out_features)
    trainer = _make_trainer(config, model, bundle.task, folder, record, progress)
    train_loader = _train_loader(config, preprocessing.dataset(X_train, y_train), say)
    val_loader = DataLoader(preprocessing.dataset(*parts["val"]), batch_size=1024) if "val" in parts else None
    history, train_time = _fit(trainer, config, folder, train_loader, val_loader, last if resume else None, say)

    scores = _score_splits(bundle, model, preprocessing, parts, say)
    metrics = {
        "dataset": bundle.name,
        "task": bundle.task,
        "evaluated_on": "test" if "test" in scores else "train",
        **scores,
        "epochs_run": len(history),
        "best_epoch": history.best_epoch,
        "stopped_early": history.stopped_early,
        "train_time_s": train_time,
        "samples": {name: len(x) for name, (x, _) in parts.items()},
        "seed": config.seed,
        "library_version": neuronlab.__version__,
    }
    example = preprocessing.transform_inputs(parts[metrics["evaluated_on"]][0][:1])[0]
    files = _write_outputs(folder, bundle, model, trainer, history, preprocessing, record, metrics, plots, example)
    return RunResult(run_dir=folder.path, metrics=metrics, history=history, checkpoint=folder.checkpoint, files=files)
