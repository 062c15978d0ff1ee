"""Convolution: neuronlab vs PyTorch CPU vs a hand-written NumPy im2col + GEMM, ratios in the same run.

    .venv/bin/python benchmarks/bench_conv.py
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_conv.py     # one thread each

1. One Conv2d 32 -> 32, 3x3, padding 1, on 32x32 inputs, batch 32, float32: forward + backward
   (input, weight and bias gradients). Target (issue 12): within 2x of PyTorch.
2. A LeNet-5 training step (MNIST shapes 1x28x28, batch 64, Adam, float32): conv5-relu-pool-conv5-relu-pool-
   120-84-10. Target: within 1.5x of PyTorch.
Also the peak memory (tracemalloc) of neuronlab's conv forward + backward.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
from common import interleaved_times, print_table, torch_or_none, write_results
from numpy.lib.stride_tricks import as_strided

import neuronlab as nl
from neuronlab import nn, optim


class Im2colFloor:
    """The NumPy floor: a 3x3, stride-1, padding-1 convolution as one im2col copy and one GEMM, and its backward
    (dW = dY^T cols, dX = col2im(dY W)), written for this one case with no framework around it."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def forward_backward(self, x):
        n, c, h, wd = x.shape
        o, _, k, _ = self.w.shape
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        s = xp.strides
        view = as_strided(xp, (c, k, k, n, h, wd), (s[1], s[2], s[3], s[0], s[2], s[3]))
        cols = view.reshape(c * k * k, n * h * wd)  # one column per output position
        w2 = self.w.reshape(o, -1)
        y = w2 @ cols + self.b[:, None]
        gy = np.ones_like(y)  # d(sum y)/dy
        gw = (cols @ gy.T).T.reshape(self.w.shape)
        gb = gy.sum(axis=1)
        gcols = (w2.T @ gy).reshape(c, k, k, n, h, wd)
        gx = np.zeros_like(xp)
        for p in range(k):
            for q in range(k):
                gx[:, :, p : p + h, q : q + wd] += gcols[:, p, q].transpose(1, 0, 2, 3)
        return y.reshape(o, n, h, wd).transpose(1, 0, 2, 3), gx[:, :, 1:-1, 1:-1], gw, gb


def conv_layer(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 32, 32, 32)).astype(np.float32)
    nl.manual_seed(0)
    layer = nn.Conv2d(32, 32, 3, padding=1)
    xt = nl.Tensor(x, requires_grad=True)

    def ours():
        layer.zero_grad()
        xt.grad = None
        layer(xt).sum().backward()

    floor = Im2colFloor(layer.weight.data, layer.bias.data)
    candidates = {"neuronlab": ours, "numpy": lambda: floor.forward_backward(x)}
    if torch is not None:
        tlayer = torch.nn.Conv2d(32, 32, 3, padding=1)
        xtt = torch.from_numpy(x).requires_grad_()

        def theirs():
            tlayer.zero_grad()
            xtt.grad = None
            tlayer(xtt).sum().backward()

        candidates["torch"] = theirs
    times = interleaved_times(candidates, repeat=11, number=3, warmup=1)
    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = [[k, round(v * 1e3, 2), round(v / times["numpy"], 2)] for k, v in times.items()]
    print_table("Conv2d 32->32 3x3 pad 1, 32x32, batch 32, forward + backward", ["peer", "ms", "x numpy"], rows)
    print(f"neuronlab peak memory (tracemalloc): {peak / 2**20:.1f} MiB; input {x.nbytes / 2**20:.1f} MiB")
    return {**_summary(times), "neuronlab_peak_mib": peak / 2**20}


def lenet(lib_nn):
    return lib_nn.Sequential(
        lib_nn.Conv2d(1, 6, 5, padding=2),
        lib_nn.ReLU(),
        lib_nn.MaxPool2d(2),
        lib_nn.Conv2d(6, 16, 5),
        lib_nn.ReLU(),
        lib_nn.MaxPool2d(2),
        lib_nn.Flatten(),
        lib_nn.Linear(400, 120),
        lib_nn.ReLU(),
        lib_nn.Linear(120, 84),
        lib_nn.ReLU(),
        lib_nn.Linear(84, 10),
    )


def lenet_step(torch):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, 64)
    nl.manual_seed(0)
    model = lenet(nn)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xb, tb = nl.Tensor(x), nl.Tensor(t)

    def ours():
        opt.zero_grad()
        loss_fn(model(xb), tb).backward()
        opt.step()

    candidates = {"neuronlab": ours}
    if torch is not None:
        tmodel = lenet(torch.nn)
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3, foreach=True)
        tloss = torch.nn.CrossEntropyLoss()
        xtt, ttt = torch.from_numpy(x), torch.from_numpy(t)

        def theirs():
            topt.zero_grad()
            tloss(tmodel(xtt), ttt).backward()
            topt.step()

        candidates["torch"] = theirs
    times = interleaved_times(candidates, repeat=11, number=5, warmup=2)
    rows = [[k, round(v * 1e3, 2)] for k, v in times.items()]
    print_table("LeNet-5 training step (Adam), 1x28x28, batch 64", ["peer", "ms"], rows)
    result = {"seconds": times}
    if "torch" in times:
        result["neuronlab_over_torch"] = times["neuronlab"] / times["torch"]
        print(f"neuronlab / torch = {result['neuronlab_over_torch']:.2f}")
    return result


def _summary(times):
    result = {"seconds": times, "neuronlab_over_numpy": times["neuronlab"] / times["numpy"]}
    if "torch" in times:
        result["neuronlab_over_torch"] = times["neuronlab"] / times["torch"]
        print(
            f"neuronlab / numpy = {result['neuronlab_over_numpy']:.2f}, "
            f"neuronlab / torch = {result['neuronlab_over_torch']:.2f}"
        )
    return result


if __name__ == "__main__":
    torch = torch_or_none()
    results = {"conv2d_32x32": conv_layer(torch), "lenet5_step": lenet_step(torch)}
    print("\nwrote", write_results("conv", results))
