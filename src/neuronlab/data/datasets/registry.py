"""The dataset registry: ``load_dataset(name)`` for every dataset that ships, MNIST, Fashion-MNIST and
CIFAR-10 downloaded into the cache on first use (or read from local copies in ``data_dir``), and any CSV
file as ``csv:PATH``; ``load_text("text:PATH")`` for the characters of a text file (a character model's data:
windows of characters, not a table of features)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from neuronlab.data.datasets import synthetic
from neuronlab.data.datasets.bundle import DatasetBundle
from neuronlab.data.datasets.bundled import load_sklearn
from neuronlab.data.datasets.cifar import load_cifar10
from neuronlab.data.datasets.csv_table import load_csv
from neuronlab.data.datasets.download import CHECKSUMS, download_dataset
from neuronlab.data.datasets.idx import load_mnist
from neuronlab.data.datasets.mnist1d import load_mnist1d
from neuronlab.data.datasets.text import CharacterText
from neuronlab.data.errors import DataError


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset: its one-line description, its task, and how to load it."""

    description: str
    task: str
    load: Callable[..., DatasetBundle]


def _synthetic(name, make, task, class_names=None, feature_names=None) -> Callable[..., DatasetBundle]:
    def load(*, data_dir=None, target=None, seed=0) -> DatasetBundle:
        X, y = make(seed)
        return DatasetBundle(name=name, X=X, y=y, task=task, class_names=class_names, feature_names=feature_names)

    return load


def _bundled(name: str) -> Callable[..., DatasetBundle]:
    return lambda *, data_dir=None, target=None, seed=0: load_sklearn(name)


FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def _downloaded(key: str, read: Callable[..., DatasetBundle], **renamed) -> Callable[..., DatasetBundle]:
    """A dataset read by ``read(folder)`` from ``data_dir``, else from the cache (downloaded on first use);
    ``renamed``: fields of the bundle to replace (Fashion-MNIST's name and classes, read by the MNIST reader)."""

    def load(*, data_dir=None, target=None, seed=0) -> DatasetBundle:
        bundle = read(data_dir if data_dir is not None else download_dataset(key))
        return replace(bundle, **renamed) if renamed else bundle

    return load


DATASETS: dict[str, DatasetSpec] = {
    "digits": DatasetSpec(
        "8x8 handwritten digits, 1797 images, 10 classes (scikit-learn)", "classification", _bundled("digits")
    ),
    "iris": DatasetSpec(
        "iris flowers, 150 samples, 4 features, 3 species (scikit-learn)", "classification", _bundled("iris")
    ),
    "wine": DatasetSpec(
        "wine cultivars, 178 samples, 13 chemical features, 3 classes (scikit-learn)",
        "classification",
        _bundled("wine"),
    ),
    "breast_cancer": DatasetSpec(
        "breast tumours, 569 samples, 30 features, malignant/benign (scikit-learn)",
        "classification",
        _bundled("breast_cancer"),
    ),
    "diabetes": DatasetSpec(
        "diabetes progression, 442 patients, 10 raw features, regression (scikit-learn)",
        "regression",
        _bundled("diabetes"),
    ),
    "xor": DatasetSpec(
        "the XOR truth table, 4 samples, 2 classes (notes 003)",
        "classification",
        _synthetic("xor", lambda seed: synthetic.make_xor(), "classification", ["0", "1"], ["A", "B"]),
    ),
    "discrete_mapping": DatasetSpec(
        "3 noisy 6-D prototypes, 300 samples, 3 classes (notes 003 DiscreteMapping)",
        "classification",
        _synthetic(
            "discrete_mapping",
            lambda seed: synthetic.make_discrete_mapping(seed=seed),
            "classification",
            ["0", "1", "2"],
        ),
    ),
    "blood_sugar": DatasetSpec(
        "dose -> blood sugar, 6 noisy samples, regression (notes 003 overfitting)",
        "regression",
        _synthetic("blood_sugar", lambda seed: synthetic.make_blood_sugar(seed=seed), "regression", None, ["dose"]),
    ),
    "spirals": DatasetSpec(
        "3 interleaved 2-D spiral arms, 600 samples, 3 classes",
        "classification",
        _synthetic(
            "spirals", lambda seed: synthetic.make_spirals(seed=seed), "classification", ["0", "1", "2"], ["x1", "x2"]
        ),
    ),
    "moons": DatasetSpec(
        "two interleaving 2-D half moons, 500 samples, noise 0.1, 2 classes",
        "classification",
        _synthetic("moons", lambda seed: synthetic.make_moons(seed=seed), "classification", ["0", "1"], ["x1", "x2"]),
    ),
    "mnist": DatasetSpec(
        "28x28 handwritten digits, 70000 images, 10 classes (downloaded once, or IDX files in data_dir)",
        "classification",
        _downloaded("mnist", load_mnist),
    ),
    "fashion_mnist": DatasetSpec(
        "28x28 clothing images, 70000 images, 10 classes (downloaded once, or IDX files in data_dir)",
        "classification",
        _downloaded("fashion_mnist", load_mnist, name="fashion_mnist", class_names=FASHION_CLASSES),
    ),
    "cifar10": DatasetSpec(
        "32x32 colour images (3, 32, 32), 60000 images, 10 classes (downloaded once, or data_dir)",
        "classification",
        _downloaded("cifar10", load_cifar10),
    ),
    # Recurrence (issue 13): generated by the optional mnist1d package (the paper's seed 42, not the run's seed)
    "mnist1d": DatasetSpec(
        "MNIST-1D, 5000 sequences of 40 values, 10 classes (needs the mnist1d package)",
        "classification",
        lambda *, data_dir=None, target=None, seed=0: load_mnist1d(),
    ),
}


def list_datasets() -> dict[str, str]:
    """Every dataset name with its one-line description, ``csv:PATH`` last."""
    names = {name: spec.description for name, spec in DATASETS.items()}
    names["csv:PATH"] = "any CSV file with a header row; numeric features, target column from target (default: last)"
    names["text:PATH"] = "any UTF-8 text file, read character by character (a character model: --model rnn/gru/lstm)"
    return names


def is_text(name) -> bool:
    """Whether ``name`` is a ``text:PATH`` dataset (a character model's text, loaded by :func:`load_text`)."""
    return isinstance(name, str) and name.startswith("text:")


def load_text(name: str, seq_len: int = 100) -> CharacterText:
    """The ``text:PATH`` dataset: the characters of a UTF-8 text file as windows of ``seq_len`` characters,
    each with the next character after every position as its targets (:class:`CharacterText`)."""
    if not is_text(name):
        raise ValueError(f"load_text: expected text:PATH, got {name!r}")
    if not name[5:]:
        raise DataError("text: needs a file path, e.g. text:book.txt")
    return CharacterText.from_file(name[5:], seq_len=seq_len)


def argument_problem(name: str, *, data_dir=None, target: str | None = None) -> tuple[str, str] | None:
    """``(argument, message)`` when ``data_dir`` or ``target`` does not fit dataset ``name`` (``target`` only
    for csv:PATH, ``data_dir`` only for the downloaded datasets), else None; the CLI names the matching option."""
    csv = name.startswith("csv:")
    key = name.strip().lower().replace("-", "_")
    if target is not None and not csv:
        return "target", f"a target column only applies to csv:PATH datasets, not {name!r}"
    if data_dir is not None and key not in CHECKSUMS:
        return "data_dir", f"a data folder only applies to {', '.join(CHECKSUMS)} (local copies), not {name!r}"
    return None


def load_dataset(name: str, *, data_dir=None, target: str | None = None, seed: int = 0) -> DatasetBundle:
    """Load a dataset by name (see :func:`list_datasets`); ``seed`` drives the synthetic generators,
    ``data_dir`` holds local copies of a downloaded dataset's files (default: the cache, see
    :func:`~neuronlab.data.datasets.download.download_dataset`), ``target`` picks a CSV's target column."""
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a string, got {type(name).__name__}")
    problem = argument_problem(name, data_dir=data_dir, target=target)
    if problem is not None:
        raise DataError(problem[1])
    if is_text(name):
        raise DataError(
            f"{name!r} is a text for a character model (load_text; neuronlab train --model lstm), not a table of features"
        )
    if name.startswith("csv:"):
        if not name[4:]:
            raise DataError("csv: needs a file path, e.g. csv:data/table.csv")
        return load_csv(name[4:], target=target)
    key = name.strip().lower().replace("-", "_")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}, csv:PATH or text:PATH")
    bundle = DATASETS[key].load(data_dir=data_dir, target=target, seed=seed)
    return replace(bundle, task_reason=f"the registered task of {key!r}")
