"""Every convolution-family layer crosses to PyTorch and back (``interop``) and through a checkpoint with its
weights, giving the same outputs (issue 12)."""

import numpy as np
import pytest

import neuronlab
from neuronlab import interop, nn

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")


def cnn(dtype=np.float64):
    neuronlab.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, dtype=dtype),
        nn.BatchNorm2d(4, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.Dropout2d(0.2),
        nn.Conv2d(
            4, 6, (2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), groups=2, padding_mode="reflect", dtype=dtype
        ),
        nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1, groups=2, dtype=dtype),
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.AdaptiveMaxPool2d((3, 2)),
        nn.AdaptiveAvgPool2d((2, 2)),
        nn.Flatten(),
        nn.Unflatten(1, (4, 4)),
        nn.Conv1d(4, 3, 2, padding="same", padding_mode="circular", dtype=dtype),
        nn.MaxPool1d(2, stride=1),
        nn.AvgPool1d(2, ceil_mode=True),
        nn.AdaptiveAvgPool1d(2),
        nn.Flatten(),
        nn.Linear(6, 3, dtype=dtype),
    )


def _input():
    return np.random.default_rng(1).standard_normal((3, 2, 9, 8))


def test_to_torch_gives_the_same_outputs_in_both_modes():
    model = cnn()
    theirs = interop.to_torch(model)
    assert [type(m).__name__ for m in theirs] == [type(m).__name__ for m in model]
    x = _input()
    model.eval(), theirs.eval()
    np.testing.assert_allclose(model(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    model[4].p = theirs[4].p = 0.0
    model.train(), theirs.train()
    np.testing.assert_allclose(model(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model[1].running_mean.data, theirs[1].running_mean.numpy(), rtol=1e-12)


def test_from_torch_takes_architecture_and_weights():
    torch.manual_seed(0)
    theirs = (
        torch.nn.Sequential(
            torch.nn.Conv2d(1, 3, 5, padding=2, bias=False),
            torch.nn.BatchNorm2d(3),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.ConvTranspose2d(3, 2, 2, stride=2),
            torch.nn.AvgPool2d(2),
            torch.nn.Dropout2d(0.3),
            torch.nn.Upsample(size=(4, 4)),
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
            torch.nn.Linear(2, 2),
        )
        .double()
        .eval()
    )
    ours = interop.from_torch(theirs)
    assert not ours.training and ours[0].bias is None and ours[0].weight.shape == (3, 1, 5, 5)
    x = np.random.default_rng(2).standard_normal((2, 1, 8, 8))
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    back = interop.to_torch(ours)
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key].numpy(), value.numpy(), err_msg=key)


def test_checkpoint_round_trip(tmp_path):
    model = cnn(np.float32)
    model.eval()
    path = tmp_path / "cnn.safetensors"
    neuronlab.save(model, path)
    restored = neuronlab.load(path).model
    restored.eval()
    x = _input().astype(np.float32)
    np.testing.assert_array_equal(model(x).data, restored(x).data)
    for (name, a), (_, b) in zip(model.state_dict().items(), restored.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
