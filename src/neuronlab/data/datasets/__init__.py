"""Datasets that ship with neuronlab, downloaded ones (MNIST, Fashion-MNIST, CIFAR-10), and CSV files."""

from neuronlab.data.datasets.bundle import DatasetBundle
from neuronlab.data.datasets.cifar import load_cifar10
from neuronlab.data.datasets.csv_table import load_csv, read_feature_csv
from neuronlab.data.datasets.download import download_dataset
from neuronlab.data.datasets.idx import load_mnist, read_idx
from neuronlab.data.datasets.registry import DATASETS, list_datasets, load_dataset, load_text
from neuronlab.data.datasets.synthetic import (
    blood_sugar_curve,
    make_blood_sugar,
    make_discrete_mapping,
    make_moons,
    make_spirals,
    make_xor,
)

__all__ = [
    "DATASETS",
    "DatasetBundle",
    "blood_sugar_curve",
    "download_dataset",
    "list_datasets",
    "load_cifar10",
    "load_csv",
    "load_dataset",
    "load_mnist",
    "load_text",
    "make_blood_sugar",
    "make_discrete_mapping",
    "make_moons",
    "make_spirals",
    "make_xor",
    "read_feature_csv",
    "read_idx",
]
