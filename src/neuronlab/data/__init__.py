"""neuronlab.data: datasets, mini-batch loading, splits, preprocessing and augmentation."""

from neuronlab.data.augmentation import AddGaussianNoise, RandomShift
from neuronlab.data.dataset import Dataset, Subset, TensorDataset, random_split
from neuronlab.data.datasets import (
    DATASETS,
    DatasetBundle,
    blood_sugar_curve,
    list_datasets,
    load_csv,
    load_dataset,
    load_mnist,
    make_blood_sugar,
    make_discrete_mapping,
    make_moons,
    make_spirals,
    make_xor,
    read_feature_csv,
    read_idx,
)
from neuronlab.data.errors import DataError
from neuronlab.data.loader import DataLoader
from neuronlab.data.split import Split, train_val_test_split
from neuronlab.data.task import TaskInference, infer_task
from neuronlab.data.transforms import (
    Compose,
    MinMaxScale,
    Standardize,
    Transform,
    Whiten,
    one_hot,
    transform_from_config,
)

__all__ = [
    "AddGaussianNoise",
    "Compose",
    "DATASETS",
    "DataError",
    "DataLoader",
    "Dataset",
    "DatasetBundle",
    "MinMaxScale",
    "RandomShift",
    "Split",
    "Standardize",
    "Subset",
    "TaskInference",
    "TensorDataset",
    "Transform",
    "Whiten",
    "blood_sugar_curve",
    "infer_task",
    "list_datasets",
    "load_csv",
    "load_dataset",
    "load_mnist",
    "make_blood_sugar",
    "make_discrete_mapping",
    "make_moons",
    "make_spirals",
    "make_xor",
    "one_hot",
    "random_split",
    "read_feature_csv",
    "read_idx",
    "train_val_test_split",
    "transform_from_config",
]

# Convolution (issue 12): image batches, image augmentation, downloaded datasets
from neuronlab.data.datasets.cifar import load_cifar10  # noqa: E402
from neuronlab.data.datasets.download import cache_dir, download_dataset  # noqa: E402
from neuronlab.data.image_augmentation import RandomCrop, RandomHorizontalFlip, RandomVerticalFlip  # noqa: E402
from neuronlab.data.images import as_images, channels_first  # noqa: E402

__all__ += [
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "as_images",
    "cache_dir",
    "channels_first",
    "download_dataset",
    "load_cifar10",
]
# end Convolution (issue 12)
