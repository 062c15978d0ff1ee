import numpy as np
import pytest

from neuronlab.data import Dataset, Subset, TensorDataset, random_split


def test_tensor_dataset_indexes_every_array_alike():
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    np.testing.assert_array_equal(x3, [6.0, 7.0])
    assert y3 == 3
    xb, yb = ds.__getitems__(np.array([5, 0]))
    np.testing.assert_array_equal(xb, X[[5, 0]])
    np.testing.assert_array_equal(yb, [5, 0])


def test_tensor_dataset_rejects_unequal_lengths_and_scalars():
    with pytest.raises(ValueError, match="different lengths"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="scalar"):
        TensorDataset(np.float32(1.0))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_subset_maps_indices_and_fetches_batches_through_parent():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3
    assert sub[0][0] == 70
    np.testing.assert_array_equal(sub.__getitems__(np.array([2, 0]))[0], [50, 70])
    with pytest.raises(IndexError, match=r"\[0, 10\)"):
        Subset(ds, [10])


def test_base_dataset_requires_len_and_getitem():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


@pytest.mark.parametrize("n, lengths", [(10, [0.5, 0.5]), (11, [0.7, 0.2, 0.1]), (7, [0.34, 0.33, 0.33]), (9, [4, 5])])
def test_random_split_lengths_match_pytorch_and_partition_the_data(n, lengths):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    expected = [len(s) for s in torch.utils.data.random_split(range(n), lengths, torch.Generator().manual_seed(0))]
    parts = random_split(TensorDataset(np.arange(n)), lengths, generator=np.random.default_rng(1))
    assert [len(p) for p in parts] == expected
    seen = np.concatenate([p.indices for p in parts])
    np.testing.assert_array_equal(np.sort(seen), np.arange(n))


def test_random_split_rejects_bad_lengths():
    ds = TensorDataset(np.arange(5))
    with pytest.raises(ValueError, match="sum to the dataset size 5"):
        random_split(ds, [2, 2])
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(ds, [0.5, 0.6])
