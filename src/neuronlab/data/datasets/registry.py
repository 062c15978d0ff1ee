"""The dataset registry: ``load_dataset(name)`` for every dataset that ships, MNIST from local files,
and any CSV file as ``csv:PATH``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from neuronlab.data.datasets import synthetic
from neuronlab.data.datasets.bundle import DatasetBundle
from neuronlab.data.datasets.bundled import load_sklearn
from neuronlab.data.datasets.csv_table import load_csv
from neuronlab.data.datasets.idx import load_mnist
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


DATASETS: dict[str, DatasetSpec] = {
    "digits": DatasetSpec("8x8 handwritten digits, 1797 images, 10 classes (scikit-learn)", "classification", _bundled("digits")),
    "iris": DatasetSpec("iris flowers, 150 samples, 4 features, 3 species (scikit-learn)", "classification", _bundled("iris")),
    "wine": DatasetSpec("wine cultivars, 178 samples, 13 chemical features, 3 classes (scikit-learn)", "classification", _bundled("wine")),
    "breast_cancer": DatasetSpec("breast tumours, 569 samples, 30 features, malignant/benign (scikit-learn)", "classification", _bundled("breast_cancer")),
    "diabetes": DatasetSpec("diabetes progression, 442 patients, 10 raw features, regression (scikit-learn)", "regression", _bundled("diabetes")),
    "xor": DatasetSpec("the XOR truth table, 4 samples, 2 classes (notes 003)", "classification",
                       _synthetic("xor", lambda seed: synthetic.make_xor(), "classification", ["0", "1"], ["A", "B"])),
    "discrete_mapping": DatasetSpec("3 noisy 6-D prototypes, 300 samples, 3 classes (notes 003 DiscreteMapping)", "classification",
                                    _synthetic("discrete_mapping", lambda seed: synthetic.make_discrete_mapping(seed=seed),
                                               "classification", ["0", "1", "2"])),
    "blood_sugar": DatasetSpec("dose -> blood sugar, 6 noisy samples, regression (notes 003 overfitting)", "regression",
                               _synthetic("blood_sugar", lambda seed: synthetic.make_blood_sugar(seed=seed),
                                          "regression", None, ["dose"])),
    "spirals": DatasetSpec("3 interleaved 2-D spiral arms, 600 samples, 3 classes", "classification",
                           _synthetic("spirals", lambda seed: synthetic.make_spirals(seed=seed), "classification",
                                      ["0", "1", "2"], ["x1", "x2"])),
    "moons": DatasetSpec("two interleaving 2-D half moons, 500 samples, noise 0.1, 2 classes", "classification",
                         _synthetic("moons", lambda seed: synthetic.make_moons(seed=seed), "classification",
                                    ["0", "1"], ["x1", "x2"])),
    "mnist": DatasetSpec("28x28 handwritten digits from local IDX files (needs data_dir / --data-dir)", "classification",
                         lambda *, data_dir=None, target=None, seed=0: load_mnist(data_dir)),
}


def list_datasets() -> dict[str, str]:
    """Every dataset name with its one-line description, ``csv:PATH`` last."""
    names = {name: spec.description for name, spec in DATASETS.items()}
    names["csv:PATH"] = "any CSV file with a header row; numeric features, target column from target (default: last)"
    return names


def argument_problem(name: str, *, data_dir=None, target: str | None = None) -> tuple[str, str] | None:
    """``(argument, message)`` when ``data_dir`` or ``target`` does not fit dataset ``name`` (``target`` only
    for csv:PATH, ``data_dir`` only and always for mnist), else None; the CLI names the matching option."""
    csv = name.startswith("csv:")
    key = name.strip().lower().replace("-", "_")
    if target is not None and not csv:
        return "target", f"a target column only applies to csv:PATH datasets, not {name!r}"
    if data_dir is not None and key != "mnist":
        return "data_dir", f"a data folder only applies to mnist (its IDX files), not {name!r}"
    if data_dir is None and key == "mnist":
        return "data_dir", "mnist is not shipped: pass data_dir (--data-dir), the folder of the MNIST IDX files"
    return None


def load_dataset(name: str, *, data_dir=None, target: str | None = None, seed: int = 0) -> DatasetBundle:
    """Load a dataset by name (see :func:`list_datasets`); ``seed`` drives the synthetic generators,
    ``data_dir`` locates MNIST, ``target`` picks a CSV's target column."""
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a string, got {type(name).__name__}")
    problem = argument_problem(name, data_dir=data_dir, target=target)
    if problem is not None:
        raise DataError(problem[1])
    if name.startswith("csv:"):
        if not name[4:]:
            raise DataError("csv: needs a file path, e.g. csv:data/table.csv")
        return load_csv(name[4:], target=target)
    key = name.strip().lower().replace("-", "_")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}, or csv:PATH")
    bundle = DATASETS[key].load(data_dir=data_dir, target=target, seed=seed)
    return replace(bundle, task_reason=f"the registered task of {key!r}")
