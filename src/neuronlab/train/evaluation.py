"""Scoring a saved model (``neuronlab evaluate``): on the run's own train/val/test split of the data it was
trained on (re-created by :class:`~neuronlab.train.run_folder.RunFolder` from the run record, refused when
the data has changed since), or on all samples of any dataset with the model's features."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neuronlab.data import load_dataset
from neuronlab.data.datasets.registry import argument_problem
from neuronlab.io import load
from neuronlab.train.inference import check_compatible, score
from neuronlab.train.preprocessing import Preprocessing
from neuronlab.train.run_folder import RunFolder
from neuronlab.train.settings import ConfigError

SPLITS = ("auto", "all", "train", "val", "test")


@dataclass
class Evaluation:
    """What :func:`evaluate_checkpoint` scored: the dataset's name and classes, the split, the number of
    samples and the metrics (see :func:`~neuronlab.train.inference.score`)."""

    dataset: str
    task: str
    split: str
    samples: int
    metrics: dict
    class_names: list | None


def _choose_split(split: str, same_data: bool, run: dict) -> str:
    if split == "auto":
        return "test" if same_data and run.get("split", {}).get("test_size", 0) > 0 else "all"
    if split != "all" and not same_data:
        trained_on = run.get("dataset", "not recorded in the checkpoint")
        raise ConfigError(
            "split",
            f"{split} re-creates the training run's split, which needs the dataset the model "
            f"was trained on ({trained_on}); use --split all",
        )
    return split


def evaluate_checkpoint(
    checkpoint,
    dataset: str | None = None,
    data_dir=None,
    target: str | None = None,
    task: str | None = None,
    split: str = "auto",
) -> Evaluation:
    """Score the model in ``checkpoint`` (a ``model.safetensors`` of a finished run) on ``dataset`` (default:
    the one it was trained on, with its data folder and target column). ``split``: ``auto`` (the run's test
    split of its own dataset, all samples of another), ``all``, or ``train``/``val``/``test`` of the run's
    split. Bad arguments raise :class:`ConfigError` naming the option; data problems a ValueError."""
    checkpoint = Path(checkpoint)
    RunFolder(checkpoint.parent).check_complete(checkpoint)
    ckpt = load(checkpoint)
    run = ckpt.extra.get("run", {})
    trained = run.get("config", {})
    if dataset is None:
        if "dataset" not in trained:
            raise ConfigError("dataset", "the checkpoint does not record its dataset; give --dataset")
        dataset = trained["dataset"]
    same_data = dataset == trained.get("dataset")
    if same_data:
        data_dir = data_dir or trained.get("data_dir")
        target = target or trained.get("target")
    problem = argument_problem(dataset, data_dir=data_dir, target=target)
    if problem is not None:
        raise ConfigError(*problem)
    bundle = load_dataset(dataset, data_dir=data_dir, target=target, seed=trained.get("seed", 0) if same_data else 0)
    task = task or ckpt.task or bundle.task
    bundle = check_compatible(ckpt, bundle.with_task(task))
    split = _choose_split(split, same_data, run)
    X, y = bundle.X, bundle.y
    if split != "all":
        RunFolder.check_same_data(
            run,
            bundle,
            f"its {split} split cannot be re-created (it would mix in other rows); use --split all to score every row",
        )
        parts = RunFolder.split(bundle, run["split"])
        if split not in parts:
            raise ConfigError("split", f"the training run held out no {split} data; use another --split")
        X, y = parts[split]
    metrics = score(task, y, Preprocessing.from_checkpoint(ckpt).outputs(ckpt.model, X))
    return Evaluation(
        dataset=bundle.name, task=task, split=split, samples=len(y), metrics=metrics, class_names=bundle.class_names
    )
