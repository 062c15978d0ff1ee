"""The settings of a training run, declared once (scikit-learn's ``_parameter_constraints`` is the model).

:data:`SETTINGS` lists every setting with its default, its constraint and its help text. From it come:

- the validation of :class:`~neuronlab.train.run.RunConfig` (:func:`validate`: each value against its
  constraint, then the rules that join two settings, :data:`JOINT_RULES`);
- the options of ``neuronlab train`` (``neuronlab.cli.train`` turns each constraint into its click type);
- ``config.toml``: :func:`read_settings_file` and :func:`write_settings_file` (``tomllib`` and ``tomli-w``);
  the CLI checks each value read with the option's click type, as if it had been given as a flag.

A constraint checks one value and says what it expected: :class:`Choice`, :class:`Number` (an interval),
:class:`Sizes`, :class:`Flag`, :class:`Text`, :class:`Layers`.

``layers``, an architecture as a list of layers, is written as checkpoints store a model's layers
(``Module.config()``): one TOML table per layer, ``type`` a built-in layer's class name and ``args`` its
constructor's keyword arguments::

    [[layers]]
    type = "Conv2d"
    args = { in_channels = 1, out_channels = 8, kernel_size = 3, padding = "same" }
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import tomli_w

from neuronlab.data.datasets.registry import argument_problem, is_text
from neuronlab.io import atomic
from neuronlab.nn.module import config_problem
from neuronlab.train.mlp import ACTIVATIONS, INITS
from neuronlab.train.snn import ENCODINGS

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, packaged as tomli
    import tomli as tomllib

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
DEFAULT_LR = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.01,
    "rmsprop": 1e-3,
    "adam": 1e-3,
    "adamw": 1e-3,
}
LR_SCHEDULES = ("none", "step", "exponential", "cosine", "plateau")
PREPROCESSING = ("standardize", "minmax", "pca", "zca", "none")
MODELS = ("mlp", "cnn", "rnn", "gru", "lstm", "snn")
POOLING = ("max", "avg")
RECURRENT_MODELS = ("rnn", "gru", "lstm")
DEFAULT_SEQ_LEN = 100
TASKS = ("classification", "regression")
DEFAULT_PATIENCE = 15


class ConfigError(ValueError):
    """An invalid run setting; ``option`` names it (as in RunConfig and the CLI's ``--option``)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option, self.message = option, message


# ---------------------------------------------------------------------------------------- constraints
@dataclass(frozen=True)
class Choice:
    """One of ``options``."""

    options: tuple

    def problem(self, value) -> str | None:
        return None if value in self.options else f"{value!r} is not one of {', '.join(self.options)}"


@dataclass(frozen=True)
class Number:
    """A finite int (``integer=True``) or real in [low, high], ``low_open``/``high_open`` excluding an end."""

    low: float = -math.inf
    high: float = math.inf
    integer: bool = False
    low_open: bool = False
    high_open: bool = False

    def describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        if self.high == math.inf:
            return f"{kind} {'>' if self.low_open else '>='} {self.low:g}"
        return f"{kind} in {'(' if self.low_open else '['}{self.low:g}, {self.high:g}{')' if self.high_open else ']'}"

    def problem(self, value) -> str | None:
        numeric = isinstance(value, numbers.Integral if self.integer else numbers.Real)
        if isinstance(value, bool) or not numeric or not math.isfinite(value):
            return f"got {value!r}; expected {self.describe()}"
        below = value <= self.low if self.low_open else value < self.low
        above = value >= self.high if self.high_open else value > self.high
        return f"got {value!r}; expected {self.describe()}" if below or above else None


@dataclass(frozen=True)
class Sizes:
    """Hidden layer sizes: a tuple of positive integers (empty: no hidden layer)."""

    def problem(self, value) -> str | None:
        if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and int(v) >= 1 for v in value):
            return f"layer sizes must be positive integers, got {list(value)}"
        return None


@dataclass(frozen=True)
class Flag:
    def problem(self, value) -> str | None:
        return None if isinstance(value, bool) else f"got {value!r}; expected true or false"


@dataclass(frozen=True)
class Text:
    def problem(self, value) -> str | None:
        return None if isinstance(value, str) else f"got {value!r}; expected a string"


class Constraint(Protocol):
    """What a setting's value must be: ``problem`` says what is wrong with a value, None when it is valid."""

    def problem(self, value) -> str | None: ...


@dataclass(frozen=True)
class Layers:
    """A non-empty list of layer configs (``{type = NAME, args = {...}}``, as ``Module.config()`` writes them),
    each a registered layer whose args fit its constructor (checked without building it)."""

    def problem(self, value) -> str | None:
        if not isinstance(value, (list, tuple)) or not value:
            return (
                "expected a non-empty list of layers, each {type = NAME, args = {...}} "
                f"(in TOML: [[layers]] tables), got {value!r}"
            )
        for index, layer in enumerate(value):
            problem = config_problem(layer)
            if problem is not None:
                return f"layers[{index}]: {problem}"
        return None


@dataclass(frozen=True)
class Setting:
    """One run setting: name (``--name-with-dashes`` on the command line), default, constraint (None
    values pass when ``optional``), help text."""

    name: str
    default: object
    constraint: Constraint
    help: str
    optional: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS = (
    Setting(
        "dataset",
        "digits",
        Text(),
        "digits, iris, wine, breast_cancer, diabetes, xor, discrete_mapping, blood_sugar, spirals, moons, "
        "mnist1d, mnist, fashion_mnist, cifar10 (these three downloaded once into $NEURONLAB_DATA, default "
        "~/.cache/neuronlab), csv:PATH, or text:PATH (a text file: trains a character model with --model rnn, gru "
        "or lstm; sample it with neuronlab generate).",
    ),
    Setting(
        "data_dir",
        None,
        Text(),
        "Folder with local copies of mnist / fashion_mnist (IDX files) or cifar10 (binary version) instead of "
        "the download.",
        optional=True,
    ),
    Setting("target", None, Text(), "Target column of a csv:PATH dataset (default: the last column).", optional=True),
    Setting(
        "task",
        None,
        Choice(TASKS),
        "Override the task inferred from the dataset (reported on the run's first line; absurd overrides are refused).",
        optional=True,
    ),
    Setting(
        "model",
        "mlp",
        Choice(MODELS),
        "Architecture: mlp; cnn (LeNet-style, for image datasets such as digits); rnn, gru, lstm (each input row "
        "read as a sequence of its features, one per time step; --hidden: one size per layer); snn (spiking LIF "
        "layers trained with surrogate gradients, inputs encoded as spike trains over --steps).",
    ),
    Setting(
        "layers",
        None,
        Layers(),
        "The architecture as a list of layers, in config.toml one [[layers]] table per layer: type = a layer "
        "class (Conv2d, MaxPool2d, Flatten, Linear, GRU, SelectOutput, ...), args = its constructor's arguments, "
        "as checkpoints store them; on the command line the same list as JSON. Replaces --model and --hidden; "
        "the model gets the dataset's rows (start with Unflatten for images).",
        optional=True,
    ),
    Setting("hidden", (128, 64), Sizes(), "Hidden layer sizes."),
    Setting("pooling", "max", Choice(POOLING), "Pooling of --model cnn (avg: convertible to spiking neurons)."),
    Setting("steps", 25, Number(1, integer=True), "Time steps of --model snn (each input shown as spikes over them)."),
    Setting(
        "encoding",
        "rate",
        Choice(ENCODINGS),
        "Spike encoding of --model snn: rate (a Bernoulli spike per step with probability x) or latency "
        "(one spike per input, earlier for larger x).",
    ),
    Setting(
        "seq_len",
        None,
        Number(1, integer=True),
        f"Characters per training sequence of a text:PATH dataset (backpropagation through time over this many "
        f"steps) [default: {DEFAULT_SEQ_LEN}].",
        optional=True,
    ),
    Setting("activation", "relu", Choice(tuple(ACTIVATIONS)), "Activation after every hidden layer."),
    Setting(
        "init",
        "he",
        Choice(INITS),
        "Weight initialization: he (2/N_in for ReLU), xavier (Glorot), lecun (1/N_in), default (PyTorch's).",
    ),
    Setting(
        "batchnorm",
        False,
        Flag(),
        "Batch normalization after every hidden Linear layer (a last batch of 1 sample is dropped).",
    ),
    Setting("dropout", 0.0, Number(0, 1, high_open=True), "Dropout probability after every hidden activation."),
    Setting("optimizer", "adam", Choice(OPTIMIZERS), "The optimizer."),
    Setting(
        "lr",
        None,
        Number(0, low_open=True),
        "Learning rate [default: 1e-3 for adam, adamw, rmsprop; 1e-2 for sgd, momentum, nesterov, adagrad].",
        optional=True,
    ),
    Setting("momentum", 0.9, Number(0, 1, high_open=True), "Momentum of --optimizer momentum/nesterov."),
    Setting("weight_decay", 1e-3, Number(0), "Weight decay of the optimizer (decoupled for adamw)."),
    Setting("l1", 0.0, Number(0), "L1 penalty l1 * sum|W| on the weight matrices."),
    Setting("l2", 0.0, Number(0), "L2 penalty l2 * sum W^2 on the weight matrices."),
    Setting(
        "lr_schedule",
        "none",
        Choice(LR_SCHEDULES),
        "step: x0.1 every third of the epochs; exponential: "
        "x0.97 per epoch; cosine: to 0 over the epochs; plateau: x0.5 when val loss stalls 5 epochs.",
    ),
    Setting("clip_grad", 0.0, Number(0), "Clip the gradients' joint norm to this value (0: off)."),
    Setting("epochs", 200, Number(1, integer=True), "Maximum number of epochs."),
    Setting("batch_size", 64, Number(1, integer=True), "Mini-batch size."),
    Setting(
        "early_stopping",
        None,
        Number(0, integer=True),
        "Stop after PATIENCE epochs without a lower "
        f"validation loss and keep the best weights (0: off) [default: {DEFAULT_PATIENCE}; 0 with "
        "--val-size 0].",
        optional=True,
    ),
    Setting("val_size", 0.15, Number(0, 1, high_open=True), "Fraction of the data held out for validation."),
    Setting("test_size", 0.15, Number(0, 1, high_open=True), "Fraction of the data held out for the final test."),
    Setting(
        "preprocess",
        None,
        Choice(PREPROCESSING),
        "Input preprocessing fitted on the training split (pca/zca: whitening) [default: standardize; minmax "
        "for --model snn, whose encoder takes intensities in [0, 1]].",
        optional=True,
    ),
    Setting("seed", 0, Number(0, integer=True), "Seed of the split, the initialization, the shuffling and dropout."),
    Setting(
        "tensorboard", False, Flag(), "Write TensorBoard event files into the run folder (neuronlab[tensorboard])."
    ),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def _no_training_data(values: dict) -> str | None:
    if values["val_size"] + values["test_size"] < 1:
        return None
    return f"val_size {values['val_size']} + test_size {values['test_size']} leave no training data; expected a sum < 1"


def _patience_without_validation(values: dict) -> str | None:
    if not values["early_stopping"] or values["val_size"] > 0:
        return None
    return "early stopping watches the validation loss, but val_size is 0; expected val_size > 0 or early_stopping 0"


def _plateau_without_validation(values: dict) -> str | None:
    if values["lr_schedule"] != "plateau" or values["val_size"] > 0:
        return None
    return "'plateau' watches the validation loss; it needs --val-size > 0"


def _layers_and_a_preset(values: dict) -> str | None:
    if values["layers"] is None:
        return None
    presets = [
        f"{name} = {values[name]!r}"
        for name, off in (("model", "mlp"), ("batchnorm", False), ("dropout", 0.0))
        if values[name] != off
    ]
    if not presets:
        return None
    return f"a layer list is the whole architecture; drop {', '.join(presets)} (or the layers)"


def _snn_needs_intensities(values: dict) -> str | None:
    if values["model"] != "snn" or values["preprocess"] in (None, "minmax", "none"):
        return None
    return (
        f"--model snn encodes intensities in [0, 1]; {values['preprocess']} makes other values; "
        "expected minmax (the default for snn) or none"
    )


def _text_needs_recurrent_model(values: dict) -> str | None:
    if not is_text(values["dataset"]) or values["model"] in RECURRENT_MODELS:
        return None
    return f"a text:PATH dataset trains a character model; expected rnn, gru or lstm, got {values['model']!r}"


def _seq_len_without_text(values: dict) -> str | None:
    if values["seq_len"] is None or is_text(values["dataset"]):
        return None
    return f"the sequence length applies to text:PATH datasets only, not {values['dataset']!r}"


JOINT_RULES = (
    ("layers", _layers_and_a_preset),
    ("preprocess", _snn_needs_intensities),
    ("model", _text_needs_recurrent_model),
    ("seq_len", _seq_len_without_text),
    ("val_size", _no_training_data),
    ("early_stopping", _patience_without_validation),
    ("lr_schedule", _plateau_without_validation),
)


def validate(values: dict) -> None:
    """Raise :class:`ConfigError` for the first setting in ``values`` that breaks its constraint or a joint rule."""
    for setting in SETTINGS:
        value = values[setting.name]
        if value is None and setting.optional:
            continue
        problem = setting.constraint.problem(value)
        if problem is not None:
            raise ConfigError(setting.name, problem)
    arguments = argument_problem(values["dataset"], data_dir=values["data_dir"], target=values["target"])
    if arguments is not None:  # --data-dir and --target fit only some datasets (the registry's rule)
        raise ConfigError(*arguments)
    for name, rule in JOINT_RULES:
        problem = rule(values)
        if problem is not None:
            raise ConfigError(name, problem)


class SettingsFileError(ValueError):
    """A settings file that cannot be read, is not UTF-8 TOML, or is not flat ``key = value`` settings."""


def read_settings_file(path) -> dict:
    """The key/value pairs of a TOML file of settings such as ``config.toml`` (flat, but for ``[[layers]]``)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except OSError as error:
        raise SettingsFileError(f"cannot read {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsFileError(f"{path} is not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise SettingsFileError(
            f"{path} is not UTF-8 text (byte {error.start}: "
            f"{error.object[error.start : error.start + 1]!r}); expected a TOML file"
        ) from None
    tables = [key for key, value in values.items() if isinstance(value, dict)]  # [[layers]] is a list of tables
    if tables:
        raise SettingsFileError(f"{path}: expected flat 'key = value' settings, found the table(s) {tables}")
    return values


def _without_none(value):
    """``value`` with the None entries of its dicts left out, at every depth (TOML has no null; a layer's
    None argument is its constructor's default)."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_without_none(item) for item in value]
    return value


def write_settings_file(path, values: dict, comment: str = "") -> Path:
    """``values`` (None values left out) as a TOML file of settings, atomically, after a ``# comment`` line."""
    text = tomli_w.dumps(_without_none(values))
    return atomic.write_text(path, (f"# {comment}\n" if comment else "") + text)
