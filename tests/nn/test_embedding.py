"""Embedding against PyTorch: lookup, gradient (repeated indices, padding_idx), init, errors."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import interop, nn

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_lookup_and_gradient_match_torch(padding_idx):
    ours = nn.Embedding(6, 3, padding_idx=padding_idx, dtype=np.float64)
    theirs = torch.nn.Embedding(6, 3, padding_idx=padding_idx, dtype=torch.float64)
    theirs.load_state_dict(interop.to_torch_state_dict(ours))
    indices = np.array([[0, 2, 2, 5], [5, 1, 2, 0]])
    y, y_ref = ours(indices), theirs(torch.as_tensor(indices))
    np.testing.assert_array_equal(y.data, y_ref.detach().numpy())
    v = np.random.default_rng(0).standard_normal(y.shape)
    (y * v).sum().backward()
    (y_ref * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)
    if padding_idx is not None:
        assert np.all(ours.weight.data[padding_idx] == 0) and np.all(ours.weight.grad.data[padding_idx] == 0)


def test_equals_one_hot_times_weight():
    layer = nn.Embedding(4, 2, dtype=np.float64)
    indices = np.array([3, 0, 3])
    np.testing.assert_array_equal(layer(indices).data, np.eye(4)[indices] @ layer.weight.data)


def test_init_is_standard_normal():
    nl.manual_seed(0)
    w = nn.Embedding(1000, 10).weight.data
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02 and w.dtype == np.float32


@pytest.mark.parametrize(
    "indices, error", [(np.array([0, 4]), IndexError), (np.array([-1]), IndexError), (np.array([0.5]), TypeError)]
)
def test_bad_indices(indices, error):
    with pytest.raises(error, match="embedding"):
        nn.Embedding(4, 2)(indices)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match="num_embeddings"):
        nn.Embedding(0, 2)
    assert nn.build_module(nn.Embedding(5, 2, padding_idx=0).config()).padding_idx == 0
