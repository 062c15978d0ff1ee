import numpy as np
import pytest

import neuronlab
from neuronlab import interop, nn

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")


def mlp(dtype=np.float64):
    neuronlab.manual_seed(0)
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(12, 16, dtype=dtype),
        nn.BatchNorm1d(16, dtype=dtype),
        nn.GELU(),
        nn.Dropout(0.2),
        nn.Linear(16, 8, bias=False, dtype=dtype),
        nn.LeakyReLU(0.1),
        nn.Linear(8, 3, dtype=dtype),
        nn.LogSoftmax(dim=1),
    )


def outputs_agree(ours, theirs, x_np, rtol=1e-12):
    y = ours(neuronlab.tensor(x_np)).data
    yt = theirs(torch.from_numpy(x_np)).detach().numpy()
    np.testing.assert_allclose(y, yt, rtol=rtol, atol=1e-12)


def test_state_dict_layout_conversion():
    model = mlp()
    converted = interop.to_torch_layout(model)
    assert interop.transposed_keys(model) == {"1.weight", "5.weight", "7.weight"}
    np.testing.assert_array_equal(converted["1.weight"], model[1].weight.data.T)
    np.testing.assert_array_equal(converted["2.running_var"], model[2].running_var.data)
    reference = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(12, 16),
        torch.nn.BatchNorm1d(16),
        torch.nn.GELU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(16, 8, bias=False),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Linear(8, 3),
        torch.nn.LogSoftmax(dim=1),
    )
    assert {k: tuple(v.shape) for k, v in reference.state_dict().items()} == {k: v.shape for k, v in converted.items()}


def test_weights_loaded_into_torch_give_the_same_outputs_in_train_and_eval():
    model = mlp()
    theirs = interop.to_torch(model)
    x_np = np.random.default_rng(1).normal(size=(10, 3, 4))
    model.eval(), theirs.eval()
    outputs_agree(model, theirs, x_np)
    # a training step of BatchNorm (dropout off, p=0 by replacing the layer in both) updates the same statistics
    model[4].p, theirs[4].p = 0.0, 0.0
    model.train(), theirs.train()
    outputs_agree(model, theirs, x_np)
    np.testing.assert_allclose(model[2].running_mean.data, theirs[2].running_mean.numpy(), rtol=1e-13)


def test_round_trip_through_torch_restores_every_array():
    model = mlp()
    model(neuronlab.tensor(np.random.default_rng(2).normal(size=(5, 12))))  # non-trivial running statistics
    back = interop.from_torch(interop.to_torch(model))
    assert back.config() == model.config()
    for (k, a), (k2, b) in zip(model.state_dict().items(), back.state_dict().items()):
        assert k == k2 and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_weights_from_a_torch_model_load_into_ours():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 2)).double()
    ours = nn.Sequential(nn.Linear(5, 7, dtype=np.float64), nn.Tanh(), nn.Linear(7, 2, dtype=np.float64))
    assert interop.load_torch_state_dict(ours, theirs.state_dict()) == ([], [])
    outputs_agree(ours, theirs, np.random.default_rng(3).normal(size=(4, 5)))
    outputs_agree(interop.from_torch(theirs), theirs, np.random.default_rng(4).normal(size=(4, 5)))
    float32 = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2))
    interop.load_torch_state_dict(float32, theirs.state_dict())  # float64 weights into a float32 model
    assert float32[0].weight.dtype == np.float32
    outputs_agree(float32, theirs, np.random.default_rng(5).normal(size=(4, 5)), rtol=1e-5)


def test_unsupported_conversions_are_clear_errors():
    with pytest.raises(ValueError, match="scale_at_inference"):
        interop.to_torch(nn.Sequential(nn.Dropout(0.5, scale_at_inference=True)))

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="built-in"):
        interop.to_torch(Custom())
    with pytest.raises(TypeError, match="Conv3d is not supported"):
        interop.from_torch(torch.nn.Conv3d(1, 1, 3))
    with pytest.raises(ValueError, match="size mismatch"):
        interop.load_torch_state_dict(nn.Linear(3, 2), torch.nn.Linear(2, 3).state_dict())
