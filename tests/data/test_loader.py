import numpy as np
import pytest

import neuronlab
from neuronlab.autograd import Tensor
from neuronlab.data import DataLoader, Dataset, Subset, TensorDataset


def batches(loader):
    """The arrays of every batch of one epoch."""
    return [tuple(t.data for t in batch) for batch in loader]


@pytest.mark.parametrize(
    "n, batch_size, drop_last",
    [(10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True), (2, 5, False), (2, 5, True)],
)
def test_batch_count_and_sizes_match_pytorch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    X = np.arange(n, dtype=np.float32).reshape(n, 1)
    loader = DataLoader(TensorDataset(X), batch_size=batch_size, drop_last=drop_last)
    reference = torch.utils.data.DataLoader(torch.from_numpy(X), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(reference)
    ours = [b[0] for b in batches(loader)]
    assert [len(b) for b in ours] == [len(b) for b in reference]
    for mine, theirs in zip(ours, reference):
        np.testing.assert_array_equal(mine, theirs.numpy())


def test_batches_are_tensors_with_the_dataset_dtypes():
    X = np.random.default_rng(0).normal(size=(7, 3)).astype(np.float32)
    y = np.arange(7, dtype=np.int64)
    xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
    assert xb.shape == (4, 3) and xb.dtype == np.float32 and yb.dtype == np.int64
    np.testing.assert_array_equal(xb.data, X[:4])


def test_one_array_tensor_dataset_yields_one_tuples_and_plain_samples_yield_tensors():
    assert all(isinstance(b, tuple) and len(b) == 1 for b in DataLoader(TensorDataset(np.arange(6)), batch_size=4))

    class Plain(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full(2, i)

    batch = next(iter(DataLoader(Plain(), batch_size=3)))
    assert isinstance(batch, Tensor)
    np.testing.assert_array_equal(batch.data, [[0, 0], [1, 1], [2, 2]])


def test_shuffle_visits_every_sample_once_per_epoch_with_a_new_order():
    n = 103
    X, y = np.arange(n, dtype=np.float32)[:, None], np.arange(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=10, shuffle=True, generator=np.random.default_rng(0))
    epochs = [np.concatenate([b[1] for b in batches(loader)]) for _ in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    # inputs and targets stay paired
    for xb, yb in batches(loader):
        np.testing.assert_array_equal(xb[:, 0], yb)


def test_seeded_shuffling_is_reproducible():
    ds = TensorDataset(np.arange(50))
    first = [batches(DataLoader(ds, 8, shuffle=True, generator=np.random.default_rng(7))) for _ in range(2)]
    for a, b in zip(*first):
        np.testing.assert_array_equal(a[0], b[0])
    # the order is the generator's permutation, split into consecutive batches
    expected = np.random.default_rng(7).permutation(50)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in first[0]]), expected)


def test_default_generator_follows_manual_seed():
    ds = TensorDataset(np.arange(30))
    neuronlab.manual_seed(3)
    a = np.concatenate([b[0] for b in batches(DataLoader(ds, 7, shuffle=True))])
    neuronlab.manual_seed(3)
    b = np.concatenate([b[0] for b in batches(DataLoader(ds, 7, shuffle=True))])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, np.random.default_rng(3).permutation(30))


def test_drop_last_with_shuffle_drops_the_short_batch():
    loader = DataLoader(
        TensorDataset(np.arange(10)), 4, shuffle=True, drop_last=True, generator=np.random.default_rng(0)
    )
    sizes = [len(b[0]) for b in batches(loader)]
    assert sizes == [4, 4] and len(loader) == 2


class CountingDataset(TensorDataset):
    """Counts per-sample fetches: the array fast path must not make any."""

    calls = 0

    def __getitem__(self, index):
        CountingDataset.calls += 1
        return super().__getitem__(index)


def test_array_backed_datasets_are_fetched_without_per_sample_calls():
    ds = CountingDataset(np.arange(100.0)[:, None], np.arange(100))
    for loader in (DataLoader(ds, 16, shuffle=True), DataLoader(Subset(ds, np.arange(0, 100, 3)), 5)):
        assert sum(len(b[0]) for b in batches(loader)) == len(loader.dataset)
    assert CountingDataset.calls == 0


class Squares(Dataset):
    """A dataset defined sample by sample: (i, i^2)."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([float(i)]), i * i


def test_generic_dataset_samples_are_stacked():
    xb, yb = batches(DataLoader(Squares(), batch_size=3))[0]
    np.testing.assert_array_equal(xb, [[0.0], [1.0], [2.0]])
    np.testing.assert_array_equal(yb, [0, 1, 4])


def test_transform_applies_to_inputs_only_per_batch():
    X, y = np.ones((6, 2), dtype=np.float32), np.arange(6)
    loader = DataLoader(TensorDataset(X, y), batch_size=4, transform=lambda xb: xb * 2 + len(xb))
    (x1, y1), (x2, y2) = batches(loader)
    np.testing.assert_array_equal(x1, np.full((4, 2), 6.0))
    np.testing.assert_array_equal(x2, np.full((2, 2), 4.0))
    np.testing.assert_array_equal(np.concatenate([y1, y2]), y)
    np.testing.assert_array_equal(X, 1.0)  # the dataset itself is untouched


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"batch_size": 0}, ValueError, "positive integer"),
        ({"batch_size": 2.5}, ValueError, "positive integer"),
        ({"generator": 3}, TypeError, "numpy.random.Generator"),
        ({"transform": "noise"}, TypeError, "callable"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        DataLoader(TensorDataset(np.arange(3)), **kwargs)
