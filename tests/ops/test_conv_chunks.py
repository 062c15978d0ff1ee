"""Convolutions split into batch chunks (``ops.conv.CHUNK``) give PyTorch's values and gradients.

The op-spec samples are small enough to fit one chunk; here ``CHUNK`` is set so low that every image is a chunk
of its own (processed in turn, or side by side on two threads), through both paths of the input gradient (stride 1: a convolution with the flipped kernel; strided:
col2im) and the transposed convolution, with groups, dilation, asymmetric and wide padding.
"""

import time

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import neuronlab as nl
from neuronlab.nn import functional as F
from neuronlab.ops import conv

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

CASES = [  # (arguments, kernel width, output channels, the input gradient as a convolution with the flipped kernel)
    ({"padding": 1}, 3, 4, True),
    ({"padding": "same"}, 4, 4, True),  # even kernel: one more row of padding after than before
    ({"dilation": 2, "padding": 2, "groups": 2}, 3, 4, True),
    ({"padding": 1}, 3, 6, False),  # widening the channels: col2im
    ({"stride": 2, "padding": 1}, 4, 4, False),
    ({"padding": 3}, 4, 4, False),  # padding wider than the kernel
    ({"stride": (2, 1), "dilation": (1, 2)}, 2, 6, False),
]


@pytest.fixture(params=[1, 2], ids=["blas-1-thread", "blas-2-threads"])
def one_image_per_chunk(request, monkeypatch):
    """Every image its own chunk; with 2 BLAS threads the chunks run on 2 threads of ``conv.BatchWorkers``."""
    monkeypatch.setattr(conv, "CHUNK", 1)
    with threadpool_limits(request.param, user_api="blas"):
        yield


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note on its own padded copy
@pytest.mark.parametrize("kwargs, kernel, out, flipped", CASES)
def test_conv2d_in_chunks_matches_torch(one_image_per_chunk, monkeypatch, kwargs, kernel, out, flipped):
    paths = []
    choose = conv._flipped_geometry
    monkeypatch.setattr(conv, "_flipped_geometry", lambda *args: paths.append(choose(*args)) or paths[-1])
    rng = np.random.default_rng(0)
    groups = kwargs.get("groups", 1)
    x = rng.standard_normal((3, 4, 7, 6))
    w = rng.standard_normal((out, 4 // groups, 3, kernel))
    b = rng.standard_normal(out)
    xs, ws, bs = (nl.Tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xs, ws, bs, **kwargs)
    gy = rng.standard_normal(y.shape)
    (y * nl.Tensor(gy)).sum().backward()
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = torch.nn.functional.conv2d(xt, wt, bt, **kwargs)
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    for ours, theirs in ((xs, xt), (ws, wt), (bs, bt)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert [p is not None for p in paths] == [flipped]


@pytest.mark.parametrize(
    "kwargs", [{}, {"stride": 2, "padding": 1, "output_padding": 1}, {"dilation": 2, "output_padding": 1}]
)
def test_conv_transpose2d_in_chunks_matches_torch(one_image_per_chunk, kwargs):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4, 5, 4))
    w = rng.standard_normal((4, 3, 3, 2))
    xs, ws = nl.Tensor(x, requires_grad=True), nl.Tensor(w, requires_grad=True)
    y = F.conv_transpose2d(xs, ws, **kwargs)
    y.sum().backward()
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    yt = torch.nn.functional.conv_transpose2d(xt, wt, **kwargs)
    yt.sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(xs.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ws.grad.data, wt.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_batch_chunks_cover_the_batch_once():
    assert conv.batch_chunks(10, conv.CHUNK // 3) == [slice(0, 3), slice(3, 6), slice(6, 9), slice(9, 10)]
    assert conv.batch_chunks(2, 10 * conv.CHUNK) == [slice(0, 1), slice(1, 2)]


@pytest.mark.parametrize("kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}])
def test_max_pool2d_in_chunks_matches_torch(one_image_per_chunk, kwargs):
    """CHUNK = 1: every image is a slice of its own for the compiled argmax (on two threads with 2 BLAS threads)."""
    x = np.random.default_rng(2).standard_normal((3, 2, 6, 5))
    xs, xt = nl.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = F.max_pool2d(xs, **kwargs)
    yt = torch.nn.functional.max_pool2d(xt, **kwargs)
    (y * y).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    np.testing.assert_array_equal(xs.grad.data, xt.grad.numpy())


def test_even_chunks_split_large_batches_among_the_threads():
    with threadpool_limits(2, user_api="blas"):
        assert conv.even_chunks(5, conv.CHUNK) == [slice(0, 2), slice(2, 5)]
        assert conv.even_chunks(5, conv.CHUNK // 8) == [slice(0, 5)]  # too small to share
        assert conv.even_chunks(1, conv.CHUNK) == [slice(0, 1)]


def test_batch_workers_keep_the_order_and_raise_a_parts_error():
    """The calling thread and a helper share the parts: results in the parts' order; an error in any part
    (whichever thread ran it) is raised after every thread has stopped."""
    import threading

    ran_on = set()

    def square(i):
        ran_on.add(threading.get_ident())
        time.sleep(0.002)
        return i * i

    def fail(i):
        if i == 3:
            raise ValueError("part 3")
        return i

    with threadpool_limits(2, user_api="blas"):
        assert conv.BatchWorkers.map(square, list(range(9))) == [i * i for i in range(9)]
        assert len(ran_on) == 2
        with pytest.raises(ValueError, match="part 3"):
            conv.BatchWorkers.map(fail, list(range(9)))
