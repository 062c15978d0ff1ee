"""Convolution, pooling and resizing layers (issue 12): PyTorch's arguments, layouts, defaults and outputs,
and the pitfalls of im2col implementations (overlapping windows, ties, non-contiguous inputs, dtypes)."""

import math

import numpy as np
import pytest

import neuronlab
from neuronlab import nn
from neuronlab.nn import functional as F

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
TF = torch.nn.functional


def leaf(array, dtype=np.float64):
    return neuronlab.Tensor(np.array(array, dtype=dtype), requires_grad=True)


# ------------------------------------------------------------------------------------------ pitfalls
def test_fold_accumulates_where_windows_overlap():
    """fold(unfold(ones)) counts the windows covering each element: 1 in the corners of a 4x4 map with
    2x2 windows at stride 1, 2 on the edges, 4 inside."""
    counts = F.fold(F.unfold(np.ones((1, 1, 4, 4)), kernel_size=2), output_size=(4, 4), kernel_size=2).data[0, 0]
    expected = np.outer([1, 2, 2, 1], [1, 2, 2, 1])
    np.testing.assert_array_equal(counts, expected)


def test_unfold_gradient_adds_overlapping_windows():
    x = leaf(np.arange(16.0).reshape(1, 1, 4, 4))
    F.unfold(x, kernel_size=3).sum().backward()  # 2x2 positions of a 3x3 window
    np.testing.assert_array_equal(x.grad.data[0, 0], np.outer([1, 2, 2, 1], [1, 2, 2, 1]))


def test_max_pool_gradient_of_a_maximum_shared_by_overlapping_windows():
    """The centre of a 5x5 map is the maximum of all nine 3x3 windows at stride 1: it collects nine gradients."""
    x = leaf(np.random.default_rng(0).uniform(0, 1, (1, 1, 5, 5)))
    x.data[0, 0, 2, 2] = 10.0
    y = F.max_pool2d(x, 3, stride=1)
    np.testing.assert_array_equal(y.data, np.full((1, 1, 3, 3), 10.0))
    y.sum().backward()
    expected = np.zeros((5, 5))
    expected[2, 2] = 9
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)


@pytest.mark.parametrize("stride", [1, 2])
def test_max_pool_ties_send_the_gradient_to_one_element_as_pytorch(stride):
    values = np.array([[1.0, 3.0, 3.0, 2.0], [3.0, 0.0, 3.0, 3.0], [2.0, 2.0, 1.0, 3.0], [2.0, 2.0, 0.0, 0.0]])
    x = leaf(values.reshape(1, 1, 4, 4))
    xt = torch.tensor(values.reshape(1, 1, 4, 4), requires_grad=True)
    y, indices = F.max_pool2d(x, 2, stride=stride, return_indices=True)
    yt, indices_t = TF.max_pool2d(xt, 2, stride=stride, return_indices=True)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(indices.data, indices_t.numpy())
    np.testing.assert_array_equal(x.grad.data, xt.grad.numpy())
    assert x.grad.data.sum() == y.size  # each window's gradient goes to exactly one element


def test_max_pool_all_equal_window_picks_its_first_element():
    x = leaf(np.ones((1, 1, 2, 2)))
    F.max_pool2d(x, 2).backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(x.grad.data[0, 0], [[1, 0], [0, 0]])


def _non_contiguous(shape, rng):
    """An array of ``shape`` that is a transposed view of another array (not C-contiguous)."""
    base = rng.standard_normal(shape[::-1])
    view = base.transpose(tuple(range(len(shape)))[::-1])
    assert not view.flags.c_contiguous
    return view


@pytest.mark.parametrize(
    "op",
    [
        lambda x, w: F.conv2d(x, w, stride=2, padding=1),
        lambda x, w: F.conv_transpose2d(x, w, stride=2),
        lambda x, w: F.max_pool2d(x, 2) + F.avg_pool2d(x, 2),
        lambda x, w: F.unfold(x, 2, dilation=2),
        lambda x, w: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False),
    ],
    ids=["conv2d", "conv_transpose2d", "pools", "unfold", "bilinear"],
)
def test_non_contiguous_inputs_give_the_same_values_and_gradients(op):
    rng = np.random.default_rng(1)
    x_view, w_view = _non_contiguous((2, 3, 6, 6), rng), _non_contiguous((3, 3, 3, 3), rng)
    results = []
    for x_np, w_np in ((x_view, w_view), (np.ascontiguousarray(x_view), np.ascontiguousarray(w_view))):
        x, w = neuronlab.Tensor(x_np, requires_grad=True), neuronlab.Tensor(w_np, requires_grad=True)
        y = op(x, w)
        y.backward(np.ones(y.shape))
        results.append((y.data, x.grad.data, None if w.grad is None else w.grad.data))
    for a, b in zip(*results):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize(
    "layer",
    [
        nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"),
        nn.Conv1d(3, 4, 3, groups=1, padding="same"),
        nn.ConvTranspose2d(3, 2, 2, stride=2),
        nn.MaxPool2d(2),
        nn.AvgPool2d(2, ceil_mode=True),
        nn.AdaptiveAvgPool2d(2),
        nn.AdaptiveMaxPool2d(2),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.BatchNorm2d(3),
        nn.Dropout2d(0.5),
        nn.MaxPool1d(2),
        nn.AvgPool1d(2),
        nn.AdaptiveAvgPool1d(3),
        nn.Upsample(size=7),
    ],
    ids=lambda m: type(m).__name__,
)
def test_float32_stays_float32(layer):
    dims = 1 if type(layer).__name__.endswith("1d") or getattr(layer, "size", None) == 7 else 2
    shape = (2, 3, 6) if dims == 1 else (2, 3, 6, 6)
    x = neuronlab.Tensor(np.random.default_rng(2).standard_normal(shape).astype(np.float32), requires_grad=True)
    y = layer(x)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in layer.parameters())


def test_max_pool_indices_are_int64():
    _, indices = F.max_pool2d(np.zeros((1, 2, 4, 4), dtype=np.float32), 2, return_indices=True)
    assert indices.dtype == np.int64


def test_double_backward_of_a_cnn_matches_pytorch():
    """A gradient-norm penalty (second order through conv, pool and linear layers) as PyTorch computes it."""
    rng = np.random.default_rng(3)
    x_np, w_np, v_np = rng.standard_normal((2, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(27)
    x, w, v = leaf(x_np), leaf(w_np), neuronlab.tensor(v_np)
    xt, wt, vt = (torch.tensor(a, requires_grad=True) for a in (x_np, w_np, v_np))
    loss = (F.max_pool2d(F.conv2d(x, w, padding=1).tanh(), 2).reshape(2, -1) @ v).sum()
    loss_t = (TF.max_pool2d(TF.conv2d(xt, wt, padding=1).tanh(), 2).reshape(2, -1) @ vt).sum()
    (gx,) = neuronlab.autograd.grad(loss, x, create_graph=True)
    (gx_t,) = torch.autograd.grad(loss_t, xt, create_graph=True)
    (gx * gx).sum().backward()
    (gx_t * gx_t).sum().backward()
    np.testing.assert_allclose(w.grad.data, wt.grad.numpy(), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------ modules
def test_conv2d_weight_layout_and_default_initialization():
    neuronlab.manual_seed(0)
    layer = nn.Conv2d(8, 16, (3, 5), groups=2)
    assert layer.weight.shape == (16, 4, 3, 5) and layer.bias.shape == (16,)
    bound = 1 / math.sqrt(4 * 3 * 5)
    for p in (layer.weight, layer.bias):
        assert np.all(np.abs(p.data) <= bound) and p.dtype == np.float32
    assert np.abs(layer.weight.data).max() > 0.9 * bound  # U(-bound, bound), not a narrower draw
    assert nn.ConvTranspose2d(4, 6, 2, groups=2).weight.shape == (4, 3, 2, 2)
    assert nn.Conv1d(3, 5, 4, bias=False).weight.shape == (5, 3, 4)


def test_default_arguments_are_pytorchs():
    ours, theirs = nn.Conv2d(3, 4, 3), torch.nn.Conv2d(3, 4, 3)
    for name in ("kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"):
        assert getattr(ours, name) == getattr(theirs, name), name
    pool, pool_t = nn.MaxPool2d(3), torch.nn.MaxPool2d(3)
    for name in ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"):
        assert getattr(pool, name) == getattr(pool_t, name), name


def _copy_into_torch(ours, theirs):
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv2d_padding_modes_match_pytorch(mode):
    ours = nn.Conv2d(3, 4, 3, stride=2, padding=(2, 1), padding_mode=mode, dtype=np.float64)
    theirs = torch.nn.Conv2d(3, 4, 3, stride=2, padding=(2, 1), padding_mode=mode, dtype=torch.float64)
    _copy_into_torch(ours, theirs)
    x = np.random.default_rng(4).standard_normal((2, 3, 6, 7))
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12, atol=1e-12)


def test_conv1d_same_with_reflect_padding_matches_pytorch():
    ours = nn.Conv1d(2, 3, 4, padding="same", padding_mode="reflect", dilation=2, dtype=np.float64)
    theirs = torch.nn.Conv1d(2, 3, 4, padding="same", padding_mode="reflect", dilation=2, dtype=torch.float64)
    _copy_into_torch(ours, theirs)
    x = np.random.default_rng(5).standard_normal((2, 2, 11))
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12, atol=1e-12)


def test_batchnorm2d_matches_pytorch_in_training_and_evaluation():
    ours, theirs = nn.BatchNorm2d(3, dtype=np.float64), torch.nn.BatchNorm2d(3, dtype=torch.float64)
    rng = np.random.default_rng(6)
    ours.weight.data[:] = rng.uniform(0.5, 2, 3)
    _copy_into_torch(ours, theirs)
    for _ in range(2):
        x = rng.standard_normal((4, 3, 5, 5)) * 3 + 1
        xo, xt = leaf(x), torch.tensor(x, requires_grad=True)
        y, yt = ours(xo), theirs(xt)
        np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        v = rng.standard_normal(x.shape)
        y.backward(v)
        yt.backward(torch.tensor(v))
        np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    x = rng.standard_normal((1, 3, 2, 2))
    np.testing.assert_allclose(ours(x).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)


def test_dropout2d_zeroes_whole_channels_and_rescales():
    layer = nn.Dropout2d(0.5, generator=np.random.default_rng(7))
    y = layer(np.ones((20, 8, 3, 3))).data
    per_channel = y.reshape(20, 8, 9)
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # each channel kept or dropped as a whole
    assert 0.35 < (per_channel[:, :, 0] == 0).mean() < 0.65
    layer.eval()
    np.testing.assert_array_equal(layer(np.ones((2, 3, 2, 2))).data, np.ones((2, 3, 2, 2)))


def test_unflatten_inverts_flatten():
    x = np.arange(2 * 64.0).reshape(2, 64)
    y = nn.Unflatten(1, (1, 8, 8))(x)
    assert y.shape == (2, 1, 8, 8)
    np.testing.assert_array_equal(nn.Flatten()(y).data, x)


def test_max_pool_module_returns_indices_for_max_unpool_style_use():
    _, indices = nn.MaxPool2d(2, return_indices=True)(np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(indices.data[0, 0], [[5, 7], [13, 15]])


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: F.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((4, 2, 3, 3))),
            r"conv2d: input shape \(1, 3, 5, 5\) and weight shape \(4, 2, 3, 3\)",
        ),
        (lambda: F.conv2d(np.zeros((3, 5)), np.zeros((4, 3, 3, 3))), "conv2d: expected a 4-D input"),
        (lambda: F.conv2d(np.zeros((1, 3, 2, 2)), np.zeros((4, 3, 3, 3))), "smaller than the dilated kernel"),
        (lambda: F.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((4, 3, 3, 3)), stride=2, padding="same"), "same"),
        (lambda: F.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((4, 3, 3, 3)), np.zeros(3)), "bias of shape"),
        (lambda: nn.Conv2d(3, 4, 3, groups=2), "divisible by groups"),
        (lambda: nn.Conv2d(3, 4, 3, padding_mode="mirror"), "padding_mode"),
        (lambda: F.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2), "at most half"),
        (
            lambda: F.conv_transpose2d(np.zeros((1, 2, 3, 3)), np.zeros((2, 1, 3, 3)), stride=1, output_padding=1),
            "output_padding",
        ),
        (lambda: F.interpolate(np.zeros((1, 1, 4)), scale_factor=2, mode="bilinear"), "bilinear"),
        (lambda: nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")(np.zeros((1, 3, 3, 3))), "reflect"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_layers_rebuild_from_their_config():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding="same", padding_mode="circular"),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.Dropout2d(0.1),
        nn.ConvTranspose2d(4, 2, 2, stride=2),
        nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
        nn.Upsample(size=(5, 5)),
        nn.AdaptiveMaxPool2d((2, None)),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Unflatten(1, (2, 1)),
        nn.Flatten(),
        nn.Linear(2, 3),
    )
    rebuilt = nn.build_module(model.config())
    rebuilt.load_state_dict(model.state_dict())
    model.eval(), rebuilt.eval()
    x = np.random.default_rng(8).standard_normal((2, 1, 6, 6)).astype(np.float32)
    np.testing.assert_array_equal(model(x).data, rebuilt(x).data)


def test_fans_of_convolution_weights_are_pytorchs():
    from neuronlab.nn import init

    ours, theirs = nn.Conv2d(6, 8, (3, 5), groups=2), torch.nn.Conv2d(6, 8, (3, 5), groups=2)
    assert init.calculate_fan_in_and_fan_out(ours.weight) == torch.nn.init._calculate_fan_in_and_fan_out(theirs.weight)
    std = np.std(init.kaiming_normal_(nn.Conv2d(16, 64, 3).weight, nonlinearity="relu").data)
    assert std == pytest.approx(math.sqrt(2 / (16 * 9)), rel=0.05)


def test_unfold_never_returns_a_view_of_its_input():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    cols = F.unfold(x, kernel_size=1)
    assert cols.data.flags.writeable and not np.shares_memory(cols.data, x)
    np.testing.assert_array_equal(cols.data.reshape(3, 3), x[0, 0])
