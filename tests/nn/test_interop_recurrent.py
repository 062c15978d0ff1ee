"""Recurrent layers and Embedding through interop (to_torch / from_torch) and checkpoints."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import interop, nn

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

LAYERS = [
    lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bias=False, batch_first=True, dtype=np.float64),
    lambda: nn.GRU(3, 4, bidirectional=True, dtype=np.float64),
    lambda: nn.LSTM(3, 4, num_layers=2, dropout=0.25, bidirectional=True, proj_size=2, dtype=np.float64),
    lambda: nn.RNNCell(3, 4, nonlinearity="relu", dtype=np.float64),
    lambda: nn.GRUCell(3, 4, bias=False, dtype=np.float64),
    lambda: nn.LSTMCell(3, 4, dtype=np.float64),
]


def _flat(y):
    return [t for item in (y if isinstance(y, tuple) else (y,)) for t in (item if isinstance(item, tuple) else (item,))]


@pytest.mark.parametrize("build", LAYERS, ids=["RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell"])
def test_to_torch_and_back(build):
    model = build().eval()
    theirs = interop.to_torch(model)
    assert type(theirs) is getattr(torch.nn, type(model).__name__)
    assert all(p.dtype == torch.float64 for p in theirs.parameters())
    cell = "Cell" in type(model).__name__
    x = np.random.default_rng(0).standard_normal((2, 3) if cell else (5, 2, 3))
    for ours_out, theirs_out in zip(_flat(model(x)), _flat(theirs(torch.tensor(x)))):
        np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-12)
    back = interop.from_torch(theirs)
    assert back.config() == model.config()
    for (k, a), (k2, b) in zip(model.state_dict().items(), back.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(a, b)


def test_embedding_round_trip_and_unsupported_options():
    model = nn.Embedding(7, 3, padding_idx=2)
    theirs = interop.to_torch(model)
    assert theirs.padding_idx == 2 and theirs.weight.dtype == torch.float32
    back = interop.from_torch(theirs)
    np.testing.assert_array_equal(back.weight.data, model.weight.data)
    with pytest.raises(ValueError, match="max_norm"):
        interop.from_torch(torch.nn.Embedding(4, 2, max_norm=1.0))


def test_checkpoint_round_trip(tmp_path):
    model = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    path = nl.save(model, tmp_path / "lstm.safetensors")
    restored = nl.load(path).model
    x = np.random.default_rng(1).standard_normal((5, 2, 3)).astype(np.float32)
    for a, b in zip(_flat(model(x)), _flat(restored(x))):
        np.testing.assert_array_equal(a.data, b.data)
